// The entity stack: a part begins after its header block (its kind decided there),
// delimiters close parts and open the next, limits turn containers into opaque
// files, and every part that began ends exactly once.

#include <algorithm>

#include "reassembly/mime/charset.h"
#include "reassembly/mime/mime_parser.h"

namespace ww {

namespace {

bool is_container_type(std::string_view t) {
  return t.starts_with("multipart/") || t == "message/rfc822" || t == "message/global";
}

}  // namespace

MimeParser::Entity& MimeParser::push_entity(uint32_t parent_pos, bool message_top) {
  const uint32_t pos = depth_++;
  Entity& e = stack_[pos];
  e.tag.index = next_index();
  e.tag.depth = pos;
  e.tag.reported.reset();
  e.kind = Kind::leaf;
  e.phase = Phase::headers;
  e.message_top = message_top;
  e.in_multipart = false;
  e.in_digest = false;
  e.closed = false;
  e.overflow = false;
  e.had_gap = false;
  e.seen_fields = 0;
  e.child_prefix.clear();
  e.next_child = 1;
  e.fields.clear();
  if (parent_pos == kMimeNoPart) {
    e.parent = kMimeNoPart;
    e.tag.id = "0";
  } else {
    Entity& parent = stack_[parent_pos];
    e.parent = parent.tag.index;
    if (message_top) {
      e.tag.id = parent.tag.id + ".0";
    } else {
      e.tag.id = parent.child_prefix + std::to_string(parent.next_child++);
      e.in_multipart = parent.kind == Kind::multipart;
      e.in_digest = e.in_multipart && parent.fields.type == "multipart/digest";
    }
  }
  ++parts_used_;
  counters_->depth_high_water = std::max<uint64_t>(counters_->depth_high_water, pos);
  reset_header_state();
  return e;
}

MimePartInfo MimeParser::part_info(const Entity& e, std::string_view type) const {
  MimePartInfo p;
  p.part = e.tag.index;
  p.parent = e.parent;
  p.id = e.tag.id;
  p.depth = e.tag.depth;
  p.content_type = type;
  p.charset = e.fields.charset;
  p.disposition = e.fields.disposition;
  p.encoding = e.fields.encoding();
  p.encoding_token = e.fields.encoding_token;
  p.is_attachment = e.fields.disposition == "attachment";
  p.partial_id = e.fields.partial_id;
  p.partial_number = e.fields.partial_number;
  p.partial_total = e.fields.partial_total;
  return p;
}

void MimeParser::emit_begin(MimePartInfo& info) {
  flush_streams();
  ++counters_->parts;
  if (info.is_file) ++counters_->files;
  sink_->on_part_begin(info);
}

void MimeParser::end_headers() {
  Entity& e = top();
  counters_->header_block_high_water =
      std::max(counters_->header_block_high_water, header_block_bytes_);
  const mime::ContentFields& f = e.fields;
  std::string_view type = f.type;
  if (type.empty() && !f.ct_invalid) type = e.in_digest ? "message/rfc822" : "text/plain";
  if (!is_container_type(type)) {
    begin_leaf(e, type, false);
    return;
  }
  const bool multipart = type.starts_with("multipart/");
  if (multipart && f.boundaries.empty()) {
    if (f.boundary_too_long) {
      ++counters_->boundaries_too_long;
    } else {
      report(e.tag, MimeAnomaly::multipart_without_boundary);
    }
    begin_leaf(e, type, true);
    return;
  }
  if (e.tag.depth >= config_->max_depth) {
    ++counters_->depth_exceeded;
    report(e.tag, MimeAnomaly::depth_exceeded);
    begin_leaf(e, type, true);
    return;
  }
  const bool encoded = f.encodings.size() > 1 || mime::encoding_class(f.encoding()) != 0;
  if (encoded) {
    report(e.tag, MimeAnomaly::encoded_container);
    // An encoded message is decoded and handed on whole; a multipart is split on
    // its raw bytes (a base64 multipart cannot carry delimiter lines otherwise).
    if (!multipart) {
      begin_leaf(e, type, true);
      return;
    }
  }
  if (!multipart && parts_used_ >= config_->max_parts) {
    ++counters_->parts_exceeded;
    report(e.tag, MimeAnomaly::parts_exceeded);
    begin_leaf(e, type, true);
    return;
  }
  MimePartInfo info = part_info(e, type);
  e.phase = Phase::body;
  if (multipart) {
    e.kind = Kind::multipart;
    ++active_multiparts_;
    // A message's top multipart numbers its children "1", "2" (or "N.1" inside
    // the embedded message N); any other multipart P numbers them "P.1".
    e.child_prefix = e.tag.id;
    if (e.message_top) {
      e.child_prefix.pop_back();  // "0" -> "", "N.0" -> "N."
    } else {
      e.child_prefix.push_back('.');
    }
    info.kind = MimePartKind::multipart;
    emit_begin(info);
    return;
  }
  e.kind = Kind::message;
  ++counters_->embedded_messages;
  info.kind = MimePartKind::message;
  emit_begin(info);
  push_entity(e.tag.depth, true);
}

void MimeParser::add_file_name(std::string_view name, bool alternate_only) {
  const size_t cut = mime::utf8_prefix_length(name, config_->max_file_name_bytes);
  if (cut < name.size()) {
    ++counters_->file_names_truncated;
    report(top().tag, MimeAnomaly::filename_too_long);
    if (!alternate_only && file_name_.empty()) file_name_cut_ = true;
  }
  name = name.substr(0, cut);
  if (name == file_name_ ||
      std::find(alt_names_.begin(), alt_names_.end(), name) != alt_names_.end()) {
    return;
  }
  if (!alternate_only && file_name_.empty()) {
    file_name_ = name;
    return;
  }
  if (alt_names_.size() + (file_name_.empty() ? 0 : 1) >= config_->max_file_names) {
    ++counters_->file_names_ignored;
    report(top().tag, MimeAnomaly::too_many_file_names);
    return;
  }
  alt_names_.emplace_back(name);
}

void MimeParser::choose_file_names(Entity& e) {
  file_name_.clear();
  alt_names_.clear();
  file_name_cut_ = false;
  auto& names = e.fields.names;
  std::stable_sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
    return a.alternate_only != b.alternate_only ? b.alternate_only : a.rank < b.rank;
  });
  for (const auto& n : names) add_file_name(n.name, n.alternate_only);
  if (alt_names_.size() + (file_name_.empty() ? 0 : 1) > 1) {
    report(e.tag, MimeAnomaly::conflicting_filename);
  }
}

void MimeParser::begin_leaf(Entity& e, std::string_view type, bool opaque) {
  e.kind = Kind::leaf;
  e.phase = Phase::body;
  const mime::ContentFields& f = e.fields;
  if (type == "message/partial") report(e.tag, MimeAnomaly::message_partial);
  choose_file_names(e);
  const bool text = type.starts_with("text/");
  MimePartInfo info = part_info(e, type);
  info.kind = MimePartKind::leaf;
  info.opaque = opaque;
  info.file_name = file_name_;
  info.alternate_names = alt_names_;
  info.file_name_truncated = file_name_cut_;
  info.is_file =
      opaque || !file_name_.empty() || !alt_names_.empty() || info.is_attachment || !text;
  // An opaque multipart is handed on as sent; an opaque message is decoded.
  const MimeEncoding enc = type.starts_with("multipart/") ? MimeEncoding::none : f.encoding();
  info.encoding = enc;
  Stream& s = streams_[0];
  s.out.start(&e.tag);
  s.decoder.reset(enc);
  s.uu.reset();
  s.scan_uu = config_->extract_uuencode && !opaque && (text || enc == MimeEncoding::uuencode);
  s.uu_open = false;
  s.uu_ignored = false;
  s.uu_blocks = 0;
  s.buf_len = 0;
  s.produced = 0;
  stream_count_ = 1;
  emit_begin(info);
  if (opaque || f.encodings.size() < 2) return;
  // Conflicting encodings: the same bytes, decoded the second way, as a part of
  // its own so neither reading is hidden from the scanner.
  Stream& alt = streams_[1];
  alt.out.start_own(next_index(), e.tag.depth, e.tag.id + ".alt");
  alt.decoder.reset(f.encodings[1]);
  alt.uu.reset();
  alt.scan_uu = config_->extract_uuencode && (text || f.encodings[1] == MimeEncoding::uuencode);
  alt.uu_open = false;
  alt.uu_ignored = false;
  alt.uu_blocks = 0;
  alt.buf_len = 0;
  alt.produced = 0;
  stream_count_ = 2;
  ++counters_->alternate_readings;
  MimePartInfo alt_info = info;
  alt_info.part = alt.out.tag->index;
  alt_info.parent = e.tag.index;
  alt_info.id = alt.out.tag->id;
  alt_info.encoding = f.encodings[1];
  alt_info.encoding_token = mime::encoding_name(f.encodings[1]);
  alt_info.alternate_reading = true;
  emit_begin(alt_info);
}

void MimeParser::on_delimiter(uint32_t pos, bool close) {
  close_above(pos, false);
  Entity& m = stack_[pos];
  if (close) {
    m.closed = true;
    m.phase = Phase::epilogue;
    return;
  }
  if (m.phase == Phase::epilogue) {
    report(m.tag, MimeAnomaly::part_after_close_delimiter);
    m.phase = Phase::body;
    m.closed = false;
  }
  push_entity(pos, false);
}

void MimeParser::enter_overflow(uint32_t pos) {
  close_above(pos, false);
  Entity& m = stack_[pos];
  m.overflow = true;
  m.phase = Phase::body;
  m.closed = false;
  held_eol_ = 0;
  ++counters_->parts_exceeded;
  report(m.tag, MimeAnomaly::parts_exceeded);
  Entity& rest = push_entity(pos, false);
  begin_leaf(rest, "", true);
}

void MimeParser::close_above(uint32_t pos, bool unterminated) {
  while (depth_ > pos + 1) close_top(unterminated);
}

void MimeParser::close_top(bool unterminated) {
  // A part cut off inside its header block still begins (with what it declared).
  while (top().phase == Phase::headers) {
    finish_field();
    end_headers();
  }
  Entity& e = top();
  switch (e.kind) {
    case Kind::leaf:
      // The alternate reading (a child of the primary one) ends first.
      for (uint32_t i = stream_count_; i-- > 0;) finish_stream(streams_[i], unterminated);
      stream_count_ = 0;
      break;
    case Kind::multipart:
      if (!e.closed) {
        ++counters_->missing_close_boundaries;
        incomplete_ = true;
        report(e.tag, MimeAnomaly::missing_close_boundary);
      }
      --active_multiparts_;
      emit_end(e.tag, e.had_gap ? MimePartState::gap : MimePartState::complete, 0, 0, 0);
      break;
    case Kind::message:
      emit_end(e.tag, e.had_gap ? MimePartState::gap : MimePartState::complete, 0, 0, 0);
      break;
  }
  --depth_;
}

void MimeParser::emit_end(const PartTag& tag, MimePartState state, uint64_t delivered,
                          uint64_t truncated_bytes, uint64_t gap_bytes) {
  flush_streams();
  MimePartEnd end;
  end.part = tag.index;
  end.id = tag.id;
  end.state = state;
  end.decoded_bytes = delivered;
  end.truncated_bytes = truncated_bytes;
  end.gap_bytes = gap_bytes;
  sink_->on_part_end(end);
}

void MimeParser::end_output(const PartOutput& out, bool entity_gap, bool unterminated) {
  MimePartState state = MimePartState::complete;
  if (out.had_gap || entity_gap) {
    state = MimePartState::gap;
  } else if (out.truncated || unterminated) {
    state = MimePartState::truncated;
  }
  emit_end(*out.tag, state, out.delivered, out.truncated_bytes, out.gap_bytes);
}

}  // namespace ww

// Leaf bodies: the line machine's body bytes go through each reading's decoder
// into a 4 KiB buffer, then to the sink under max_part_bytes, and (text parts)
// through the uuencode scanner, whose blocks become parts of their own.

#include <algorithm>
#include <cstring>

#include "reassembly/mime/charset.h"
#include "reassembly/mime/mime_parser.h"

namespace ww {

void MimeParser::PartOutput::start(PartTag* t) {
  tag = t;
  delivered = 0;
  truncated_bytes = 0;
  gap_bytes = 0;
  truncated = false;
  had_gap = false;
}

void MimeParser::PartOutput::start_own(uint32_t index, uint32_t depth, std::string id) {
  own.index = index;
  own.depth = depth;
  own.id = std::move(id);
  own.reported.reset();
  start(&own);
}

void MimeParser::body_bytes(std::span<const uint8_t> bytes) {
  if (stream_count_ == 1) {
    stream_feed(streams_[0], bytes);
    return;
  }
  // Two readings advance byte by byte, so the order of their events follows the
  // input position whatever the feed split (rare: conflicting encodings only).
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint32_t k = 0; k < stream_count_; ++k) stream_feed(streams_[k], bytes.subspan(i, 1));
  }
}

void MimeParser::stream_feed(Stream& s, std::span<const uint8_t> bytes) {
  if (s.decoder.passthrough()) {
    stream_flush(s);
    decoded(s, bytes, false);
    return;
  }
  while (!bytes.empty()) {
    if (s.buf.size() - s.buf_len < mime::TransferDecoder::kMinOutput) stream_flush(s);
    const size_t at = s.buf_len;
    const mime::DecodeStep step = s.decoder.decode(bytes, std::span<uint8_t>(s.buf).subspan(at));
    s.buf_len += step.produced;
    bytes = bytes.subspan(step.consumed);
    decoded_in_buffer(s, at, step.produced);
    if (step.event != MimeAnomaly::kCount) {
      stream_event(s, step.event);
    } else if (step.consumed == 0 && step.produced == 0) {
      stream_flush(s);  // cannot happen with kMinOutput room; never spin
    }
  }
}

void MimeParser::decoded_in_buffer(Stream& s, size_t at, size_t n) {
  if (!s.scan_uu) {
    decoded(s, std::span<const uint8_t>(s.buf).subspan(at, n), true);
    return;
  }
  // Scanned text is not batched: each line is delivered before the scanner sees
  // it (see decoded()), so the bytes leave the buffer right away.
  s.buf_len = at;
  decoded(s, std::span<const uint8_t>(s.buf).subspan(at, n), false);
}

// Bytes just decoded (already in s.buf when `buffered`). The text is scanned for
// uuencode as it is decoded, and max_part_bytes is reported at the byte that
// crosses it, so events sit at their input position whatever the feed split.
void MimeParser::decoded(Stream& s, std::span<const uint8_t> bytes, bool buffered) {
  if (bytes.empty()) return;
  const uint64_t max = config_->max_part_bytes;
  size_t split = bytes.size();
  if (max != 0 && s.produced + bytes.size() > max && s.produced <= max) {
    split = static_cast<size_t>(max - s.produced);
  }
  s.produced += bytes.size();
  if (!buffered) deliver_text(s, bytes.first(split));
  if (split == bytes.size()) return;
  ++counters_->parts_truncated;
  incomplete_ = true;
  report(*s.out.tag, MimeAnomaly::part_truncated);
  if (!buffered) deliver_text(s, bytes.subspan(split));
}

// Unbuffered delivery. Text that is scanned goes line by line, each line
// delivered before the scanner sees it, so a uuencode event finds exactly the
// text up to its line delivered.
void MimeParser::deliver_text(Stream& s, std::span<const uint8_t> bytes) {
  if (!s.scan_uu) {
    deliver(s.out, bytes, false);
    return;
  }
  while (!bytes.empty()) {
    const auto* nl = static_cast<const uint8_t*>(std::memchr(bytes.data(), '\n', bytes.size()));
    const size_t n = nl == nullptr ? bytes.size() : static_cast<size_t>(nl - bytes.data()) + 1;
    deliver(s.out, bytes.first(n), false);
    scan_text(s, bytes.first(n));
    bytes = bytes.subspan(n);
  }
}

void MimeParser::scan_text(Stream& s, std::span<const uint8_t> text) {
  if (!s.scan_uu || text.empty()) return;
  Stream* const saved = uu_stream_;
  uu_stream_ = &s;
  s.uu.feed(text, *this);
  uu_stream_ = saved;
}

void MimeParser::stream_event(Stream& s, MimeAnomaly a) {
  switch (a) {
    case MimeAnomaly::base64_invalid_char:
      ++counters_->base64_invalid_chars;
      break;
    case MimeAnomaly::base64_padding_mid_stream:
      ++counters_->base64_padding_mid_stream;
      break;
    case MimeAnomaly::qp_invalid_escape:
      ++counters_->qp_invalid_escapes;
      break;
    default:
      break;
  }
  report(*s.out.tag, a);
}

void MimeParser::stream_flush(Stream& s) {
  if (s.buf_len == 0) return;
  const size_t n = s.buf_len;
  s.buf_len = 0;  // before delivering: events raised meanwhile flush again
  deliver(s.out, std::span<const uint8_t>(s.buf).first(n), false);
}

void MimeParser::flush_streams() {
  for (uint32_t i = 0; i < stream_count_; ++i) stream_flush(streams_[i]);
}

void MimeParser::deliver(PartOutput& out, std::span<const uint8_t> bytes, bool report_limit) {
  if (bytes.empty()) return;
  std::span<const uint8_t> pass = bytes;
  const uint64_t max = config_->max_part_bytes;
  if (max != 0 && out.delivered + bytes.size() > max) {
    pass = bytes.first(static_cast<size_t>(max > out.delivered ? max - out.delivered : 0));
  }
  if (!pass.empty()) {
    out.delivered += pass.size();
    counters_->decoded_bytes += pass.size();
    sink_->on_part_data(out.tag->index, pass);
  }
  const size_t dropped = bytes.size() - pass.size();
  if (dropped == 0) return;
  out.truncated_bytes += dropped;
  counters_->truncated_bytes += dropped;
  if (out.truncated) return;
  out.truncated = true;
  if (report_limit) {
    ++counters_->parts_truncated;
    incomplete_ = true;
    report(*out.tag, MimeAnomaly::part_truncated);
  }
}

void MimeParser::finish_stream(Stream& s, bool unterminated) {
  if (s.buf.size() - s.buf_len < mime::TransferDecoder::kMinOutput) stream_flush(s);
  const size_t at = s.buf_len;
  const mime::DecodeStep step = s.decoder.finish(std::span<uint8_t>(s.buf).subspan(at));
  s.buf_len += step.produced;
  decoded_in_buffer(s, at, step.produced);
  if (step.event != MimeAnomaly::kCount) stream_event(s, step.event);
  stream_flush(s);
  if (s.scan_uu) {
    Stream* const saved = uu_stream_;
    uu_stream_ = &s;
    s.uu.finish(*this);
    uu_stream_ = saved;
  }
  end_output(s.out, top().had_gap, unterminated);
}

void MimeParser::gap_streams(uint64_t length) {
  flush_streams();
  for (uint32_t i = 0; i < stream_count_; ++i) {
    Stream& s = streams_[i];
    s.out.had_gap = true;
    s.out.gap_bytes += length;
    sink_->on_part_gap(s.out.tag->index, length);
    s.decoder.gap(length);
    if (!s.scan_uu) continue;
    s.uu.gap();
    if (s.uu_open) {
      s.uu_out.had_gap = true;
      s.uu_out.gap_bytes += length;
      sink_->on_part_gap(s.uu_out.tag->index, length);
    }
  }
}

void MimeParser::uu_begin(std::string_view name) {
  Stream& s = *uu_stream_;
  if (parts_used_ >= config_->max_parts) {
    s.uu_ignored = true;
    ++counters_->parts_exceeded;
    report(*s.out.tag, MimeAnomaly::parts_exceeded);
    return;
  }
  ++parts_used_;
  s.uu_ignored = false;
  s.uu_open = true;
  ++s.uu_blocks;
  const PartTag& parent = *s.out.tag;
  s.uu_out.start_own(next_index(), parent.depth + 1,
                     parent.id + ".uu" + std::to_string(s.uu_blocks));
  std::string utf8;
  if (mime::append_utf8(utf8, name, mime::Charset::utf8) & mime::kTextInvalid) {
    report(*s.uu_out.tag, MimeAnomaly::invalid_utf8);
  }
  file_name_.clear();
  alt_names_.clear();
  file_name_cut_ = false;
  const size_t cut = mime::utf8_prefix_length(utf8, config_->max_file_name_bytes);
  if (cut < utf8.size()) {
    file_name_cut_ = true;
    ++counters_->file_names_truncated;
    report(*s.uu_out.tag, MimeAnomaly::filename_too_long);
  }
  file_name_ = std::string_view(utf8).substr(0, cut);
  ++counters_->uuencode_files;
  MimePartInfo info;
  info.part = s.uu_out.tag->index;
  info.parent = parent.index;
  info.id = s.uu_out.tag->id;
  info.depth = s.uu_out.tag->depth;
  info.kind = MimePartKind::uuencoded;
  info.content_type = "application/octet-stream";
  info.encoding = MimeEncoding::uuencode;
  info.encoding_token = "x-uuencode";
  info.file_name = file_name_;
  info.file_name_truncated = file_name_cut_;
  info.is_file = true;
  emit_begin(info);
}

void MimeParser::uu_data(std::span<const uint8_t> bytes) {
  Stream& s = *uu_stream_;
  if (!s.uu_open) return;
  deliver(s.uu_out, bytes, true);
}

void MimeParser::uu_end(bool complete) {
  Stream& s = *uu_stream_;
  if (!s.uu_open) {
    s.uu_ignored = false;
    return;
  }
  if (!complete) {
    incomplete_ = true;
    report(*s.uu_out.tag, MimeAnomaly::uuencode_missing_end);
  }
  s.uu_open = false;
  end_output(s.uu_out, false, !complete);
}

void MimeParser::uu_bad_line() {
  Stream& s = *uu_stream_;
  if (s.uu_open) report(*s.uu_out.tag, MimeAnomaly::uuencode_bad_line);
}

}  // namespace ww

// Header blocks: unfolds fields within max_header_line_bytes, counts the block
// against max_header_block_bytes, hands Content-* fields to header_params and
// reports the message headers of a message's top entity.

#include <algorithm>
#include <array>
#include <cstdint>

#include "reassembly/mime/charset.h"
#include "reassembly/mime/mime_parser.h"
#include "reassembly/mime/rfc2047.h"

namespace ww {

namespace {

bool is_blank(uint8_t c) { return c == ' ' || c == '\t'; }

std::string_view field_name_of(std::string_view field, size_t colon) {
  std::string_view name = field.substr(0, colon);
  while (!name.empty() && is_blank(static_cast<uint8_t>(name.back()))) name.remove_suffix(1);
  return name;
}

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto b = static_cast<uint8_t>(c);
    if (b < 33 || b > 126) return false;
  }
  return true;
}

bool looks_like_field(std::string_view line) {
  const size_t colon = line.find(':');
  return colon != std::string_view::npos && valid_field_name(field_name_of(line, colon));
}

struct ReportedField {
  std::string_view name;
  MimeHeaderField field;
};

constexpr std::array<ReportedField, 7> kReported{{
    {"from", MimeHeaderField::from},
    {"to", MimeHeaderField::to},
    {"cc", MimeHeaderField::cc},
    {"subject", MimeHeaderField::subject},
    {"message-id", MimeHeaderField::message_id},
    {"date", MimeHeaderField::date},
    {"x-mailer", MimeHeaderField::x_mailer},
}};

}  // namespace

void MimeParser::reset_header_state() {
  field_.clear();
  field_active_ = false;
  field_cut_ = false;
  header_line_start_ = true;
  header_first_line_ = true;
  header_line_blank_ = true;
  header_line_len_ = 0;
  header_block_bytes_ = 0;
  header_block_cut_ = false;
}

void MimeParser::header_content(std::span<const uint8_t> bytes) {
  Entity& e = top();
  if (header_line_start_) {
    header_line_start_ = false;
    const bool continuation = is_blank(bytes[0]);
    if (!continuation || !field_active_) {
      finish_field();
      field_active_ = !header_block_cut_;
    }
  }
  header_line_len_ += bytes.size();
  if (header_line_blank_) {
    for (uint8_t c : bytes) {
      if (!is_blank(c)) {
        header_line_blank_ = false;
        break;
      }
    }
  }
  // Both limits are crossed at a byte position; report them in that order so the
  // events do not depend on how the input was split (a tie: the field first).
  const bool accept = field_active_ && !header_block_cut_;
  const uint64_t max_block = config_->max_header_block_bytes;
  size_t block_at = SIZE_MAX;  // bytes that still fit in the block
  if (!header_block_cut_ && header_block_bytes_ + bytes.size() > max_block) {
    block_at =
        header_block_bytes_ >= max_block ? 0 : static_cast<size_t>(max_block - header_block_bytes_);
  }
  header_block_bytes_ += bytes.size();
  const size_t take = accept ? std::min(bytes.size(), block_at) : 0;
  const size_t room = config_->max_header_line_bytes - field_.size();
  field_.append(reinterpret_cast<const char*>(bytes.data()), std::min(take, room));
  const bool field_over = take > room && !field_cut_;
  if (field_over) {
    field_cut_ = true;
    ++counters_->header_lines_truncated;
    report(e.tag, MimeAnomaly::header_too_long);
  }
  if (block_at != SIZE_MAX) block_overflow(e);
}

void MimeParser::block_overflow(Entity& e) {
  header_block_cut_ = true;
  ++counters_->header_blocks_truncated;
  report(e.tag, MimeAnomaly::header_block_too_large);
}

void MimeParser::header_line_end(uint8_t eol_len) {
  Entity& e = top();
  header_block_bytes_ += eol_len;
  if (!header_block_cut_ && header_block_bytes_ > config_->max_header_block_bytes) {
    block_overflow(e);
  }
  if (header_line_len_ == 0) {
    finish_field();
    end_headers();
    return;
  }
  if (header_first_line_) {
    header_first_line_ = false;
    // A part whose first line is no header field has no header block: the line
    // is its first body line (mail readers do the same).
    if (e.in_multipart && !looks_like_field(field_)) {
      report(e.tag, MimeAnomaly::header_invalid_line);
      replay_.swap(field_);
      field_.clear();
      field_active_ = false;
      field_cut_ = false;
      end_headers();
      line_len_ = 0;
      line_content({reinterpret_cast<const uint8_t*>(replay_.data()), replay_.size()});
      line_end(eol_len);
      return;
    }
  }
  if (header_line_blank_) report(e.tag, MimeAnomaly::header_whitespace_line);
  header_line_start_ = true;
  header_line_blank_ = true;
  header_line_len_ = 0;
}

void MimeParser::finish_field() {
  if (!field_active_) return;
  field_active_ = false;
  const std::string_view f = field_;
  const size_t colon = f.find(':');
  if (colon == std::string_view::npos || !valid_field_name(field_name_of(f, colon))) {
    report(top().tag, MimeAnomaly::header_invalid_line);
  } else {
    process_field(field_name_of(f, colon), f.substr(colon + 1));
  }
  field_.clear();
  field_cut_ = false;
}

void MimeParser::process_field(std::string_view name, std::string_view value) {
  using mime::ascii_iequals;
  Entity& e = top();
  AnomalyBits bits;
  if (ascii_iequals(name, "content-type")) {
    mime::ParamLimits limits;
    limits.max_boundary_bytes = config_->max_boundary_bytes;
    limits.max_boundaries = config_->max_boundaries_per_part;
    mime::parse_content_type(value, limits, e.fields, bits);
    if (bits.test(static_cast<size_t>(MimeAnomaly::too_many_boundaries))) {
      ++counters_->boundaries_ignored;
    }
  } else if (ascii_iequals(name, "content-transfer-encoding")) {
    mime::parse_content_transfer_encoding(value, e.fields, bits);
  } else if (ascii_iequals(name, "content-disposition")) {
    mime::parse_content_disposition(value, e.fields, bits);
  } else if (e.message_top) {
    for (const ReportedField& r : kReported) {
      if (ascii_iequals(name, r.name)) {
        report_message_header(e, r.field, name, value);
        break;
      }
    }
  }
  report_bits(e.tag, bits);
}

void MimeParser::report_message_header(Entity& e, MimeHeaderField f, std::string_view name,
                                       std::string_view value) {
  const auto bit = static_cast<uint8_t>(1u << static_cast<unsigned>(f));
  if (e.seen_fields & bit) report(e.tag, MimeAnomaly::duplicate_header);
  e.seen_fields |= bit;
  const std::string_view raw = mime::trim_blanks(value);
  text_.clear();
  const mime::Rfc2047Result r = mime::decode_rfc2047(raw, text_);
  if (r.bad_word) report(e.tag, MimeAnomaly::encoded_word_invalid);
  if (r.unknown_charset) report(e.tag, MimeAnomaly::unknown_charset);
  if (r.invalid_text) report(e.tag, MimeAnomaly::invalid_utf8);
  MimeHeader h;
  h.part = e.tag.index;
  h.part_id = e.tag.id;
  h.depth = e.tag.depth;
  h.field = f;
  h.name = name;
  h.raw = raw;
  h.decoded = text_;
  h.truncated = field_cut_;
  sink_->on_header(h);
}

}  // namespace ww

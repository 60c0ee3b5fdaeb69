#pragma once
// The one list of MIME anomalies and the one list of MIME counters. Add a row and
// the enum value, its name, its description, the counter field and its merge rule
// appear everywhere (stats output iterates with for_each()). Counters of kind `sum`
// add up across workers; kind `max` are high-water marks and merge by maximum.

#include <algorithm>
#include <array>
#include <cstdint>

namespace ww {

// X(name, description): anomalies reported through MimeEventSink::on_anomaly. Each
// kind is reported at most once per part (and once per message for message-level
// ones); the counters below count every occurrence.
#define WW_MIME_ANOMALIES(X)                                                                     \
  X(header_too_long, "header field longer than max_header_line_bytes after unfolding; cut")      \
  X(header_block_too_large, "header block over max_header_block_bytes; later fields ignored")    \
  X(header_invalid_line, "header line without a field name and colon (skipped)")                 \
  X(header_whitespace_line, "whitespace-only line inside a header block (taken as folding)")     \
  X(duplicate_header, "a reported message header field appears more than once")                  \
  X(line_too_long, "body line longer than max_line_bytes (delivered all the same)")              \
  X(boundary_too_long, "boundary over max_boundary_bytes: the multipart is one opaque file")     \
  X(boundary_over_rfc_length, "boundary longer than the 70 characters of RFC 2046 (accepted)")   \
  X(multipart_without_boundary, "multipart without a usable boundary: one opaque file")          \
  X(too_many_boundaries, "more distinct boundaries than max_boundaries_per_part (extra unused)") \
  X(conflicting_boundary, "different boundaries declared for one multipart: all recognised")     \
  X(delimiter_with_trailing_text, "line starts like a delimiter but goes on: not a delimiter")   \
  X(delimiter_padding_too_long, "delimiter followed by over max_delimiter_padding blanks")       \
  X(part_after_close_delimiter, "delimiter after the close delimiter: a new part is opened")     \
  X(missing_close_boundary, "multipart ended without its close delimiter")                       \
  X(depth_exceeded, "nesting deeper than max_depth: the container is one opaque file")           \
  X(parts_exceeded, "more than max_parts parts: the rest of the multipart is one opaque file")   \
  X(duplicate_content_type, "Content-Type appears more than once")                               \
  X(conflicting_content_type, "Content-Types disagree on the type: multipart wins")              \
  X(invalid_content_type, "Content-Type without type/subtype: treated as a file")                \
  X(duplicate_cte, "Content-Transfer-Encoding appears more than once")                           \
  X(conflicting_cte, "two different encodings: the second is decoded as an alternate reading")   \
  X(duplicate_content_disposition, "Content-Disposition appears more than once")                 \
  X(duplicate_parameter, "a Content-Type/-Disposition parameter appears more than once")         \
  X(conflicting_filename, "a part declares different file names (all reported)")                 \
  X(hidden_filename_parameter, "filename=/name= inside another parameter's value (not taken)")   \
  X(unterminated_quoted_string, "quoted parameter value without closing quote")                  \
  X(rfc2231_bad_continuation, "RFC 2231 continuation with a missing, repeated or bad segment")   \
  X(filename_too_long, "file name over max_file_name_bytes; cut at a UTF-8 boundary")            \
  X(too_many_file_names, "more distinct file names than max_file_names (extra dropped)")         \
  X(encoded_word_invalid, "malformed RFC 2047 encoded word (kept literally)")                    \
  X(unknown_charset, "charset not converted (bytes kept as UTF-8 with replacements)")            \
  X(invalid_utf8, "text not valid in its charset; replaced with U+FFFD")                         \
  X(encoded_container, "multipart or message/rfc822 with a transfer encoding")                   \
  X(unknown_encoding, "unknown Content-Transfer-Encoding: passed through")                       \
  X(base64_invalid_char, "character outside the base64 alphabet (skipped)")                      \
  X(base64_padding_mid_stream, "base64 data after padding (decoding resumes)")                   \
  X(base64_incomplete_quantum, "base64 ended or broke off inside a 4-character group")           \
  X(qp_invalid_escape, "quoted-printable '=' not followed by two hex digits (kept literally)")   \
  X(message_partial, "message/partial fragment (not reassembled)")                               \
  X(uuencode_bad_line, "line inside a uuencode block that is not valid uuencode (skipped)")      \
  X(uuencode_missing_end, "uuencode block without its end line")                                 \
  X(part_truncated, "part reached max_part_bytes; later decoded bytes are not delivered")        \
  X(data_after_end, "bytes or gap fed after end() (ignored)")

enum class MimeAnomaly : uint8_t {
#define WW_X(name, desc) name,
  WW_MIME_ANOMALIES(WW_X)
#undef WW_X
      kCount
};

inline constexpr size_t kMimeAnomalyCount = static_cast<size_t>(MimeAnomaly::kCount);

const char* mime_anomaly_name(MimeAnomaly a);
const char* mime_anomaly_description(MimeAnomaly a);

// X(name, kind, description)
#define WW_MIME_COUNTERS(X)                                                                     \
  X(messages, sum, "messages parsed (end() or reset() after bytes)")                            \
  X(bytes, sum, "message bytes fed")                                                            \
  X(gaps, sum, "gaps fed")                                                                      \
  X(gap_bytes, sum, "bytes declared missing by gaps")                                           \
  X(parts, sum, "parts begun (containers, leaves, alternate readings, uuencode blocks)")        \
  X(files, sum, "parts begun with is_file")                                                     \
  X(embedded_messages, sum, "message/rfc822 parts parsed recursively")                          \
  X(uuencode_files, sum, "uuencode blocks extracted")                                           \
  X(alternate_readings, sum, "alternate readings emitted (conflicting encodings)")              \
  X(decoded_bytes, sum, "decoded bytes delivered to the sink")                                  \
  X(header_lines_truncated, sum, "header fields cut at max_header_line_bytes")                  \
  X(header_blocks_truncated, sum, "header blocks cut at max_header_block_bytes")                \
  X(long_lines, sum, "body lines longer than max_line_bytes")                                   \
  X(depth_exceeded, sum, "containers made opaque by max_depth")                                 \
  X(parts_exceeded, sum, "multiparts made opaque by max_parts")                                 \
  X(boundaries_too_long, sum, "boundaries over max_boundary_bytes")                             \
  X(boundaries_ignored, sum, "boundaries beyond max_boundaries_per_part")                       \
  X(delimiter_padding_too_long, sum, "delimiter lines with padding over max_delimiter_padding") \
  X(file_names_truncated, sum, "file names cut at max_file_name_bytes")                         \
  X(file_names_ignored, sum, "file names beyond max_file_names")                                \
  X(parts_truncated, sum, "parts that reached max_part_bytes")                                  \
  X(truncated_bytes, sum, "decoded bytes not delivered because of max_part_bytes")              \
  X(base64_invalid_chars, sum, "characters skipped by base64 decoding")                         \
  X(base64_padding_mid_stream, sum, "base64 groups that resumed after padding")                 \
  X(qp_invalid_escapes, sum, "quoted-printable escapes kept literally")                         \
  X(missing_close_boundaries, sum, "multiparts closed without their close delimiter")           \
  X(header_block_high_water, max, "largest header block seen, bytes")                           \
  X(depth_high_water, max, "deepest part nesting seen")

struct MimeCounters {
#define WW_X(name, kind, desc) uint64_t name = 0;
  WW_MIME_COUNTERS(WW_X)
#undef WW_X
  // Occurrences of each anomaly (not only the reported ones).
  std::array<uint64_t, kMimeAnomalyCount> anomalies{};

  void merge(const MimeCounters& o) {
#define WW_X(name, kind, desc) merge_##kind(name, o.name);
    WW_MIME_COUNTERS(WW_X)
#undef WW_X
    for (size_t i = 0; i < kMimeAnomalyCount; ++i) anomalies[i] += o.anomalies[i];
  }

  uint64_t anomaly(MimeAnomaly a) const { return anomalies[static_cast<size_t>(a)]; }

  // Calls f(name, value, description) for every counter, then for every anomaly as
  // "anomalies.<name>".
  template <class F>
  void for_each(F&& f) const {
#define WW_X(name, kind, desc) f(#name, name, desc);
    WW_MIME_COUNTERS(WW_X)
#undef WW_X
#define WW_X(name, desc) \
  f("anomalies." #name, anomalies[static_cast<size_t>(MimeAnomaly::name)], desc);
    WW_MIME_ANOMALIES(WW_X)
#undef WW_X
  }

 private:
  static void merge_sum(uint64_t& a, uint64_t b) { a += b; }
  static void merge_max(uint64_t& a, uint64_t b) { a = std::max(a, b); }
};

}  // namespace ww

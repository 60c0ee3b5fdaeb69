#pragma once
// Settings of the streaming MIME decoder: parsed once (sensor/config maps the YAML
// keys), validated, then shared read-only by every MimeParser of a worker. Each
// limit names the counter (MimeCounters) that says how often it was hit.

#include <cstdint>
#include <string>

namespace ww {

struct MimeConfig {
  // One header field after unfolding; the excess is cut (header_lines_truncated,
  // anomaly header_too_long). 16 KiB holds a To: with several hundred addresses.
  uint32_t max_header_line_bytes = 16u << 10;
  // One header block (all fields of one entity, folding and line ends included);
  // fields beyond are skipped up to the blank line (header_blocks_truncated).
  uint32_t max_header_block_bytes = 64u << 10;
  // Body lines longer than this are reported (long_lines, line_too_long) but still
  // delivered: bodies are streamed, never buffered by line. RFC 5322: 998.
  uint32_t max_line_bytes = 998;
  // Nesting depth of parts (the message is depth 0). A multipart or message/rfc822
  // at this depth is not descended into: its body is one opaque file
  // (depth_exceeded). Bounds the boundary stack.
  uint32_t max_depth = 20;
  // Parts begun per message (containers and leaves). Past it, the rest of the
  // multipart that wanted a new part is one opaque file (parts_exceeded).
  uint32_t max_parts = 1000;
  // Boundary length. RFC 2046 allows 70; Suricata accepts 254. Longer: the multipart
  // is one opaque file (boundaries_too_long).
  uint32_t max_boundary_bytes = 254;
  // Distinct boundaries recognised for one multipart (conflicting declarations are
  // all honoured, see NOTES.md); more are ignored (boundaries_ignored).
  uint32_t max_boundaries_per_part = 4;
  // Blanks allowed after a delimiter before its line end. Past it the line is taken
  // as a delimiter without looking further (delimiter_padding_too_long).
  uint32_t max_delimiter_padding = 256;
  // File name bytes (UTF-8), cut at a character boundary (file_names_truncated).
  uint32_t max_file_name_bytes = 255;
  // Distinct file names kept per part, the chosen one and its alternates
  // (file_names_ignored).
  uint32_t max_file_names = 4;
  // Decoded bytes delivered per part; later bytes are dropped and the part ends
  // truncated (parts_truncated, truncated_bytes). 0 = unlimited. 64 MiB matches the
  // TCP reassembly depth.
  uint64_t max_part_bytes = 64ull << 20;
  // Look for uuencode blocks (begin/end) in text parts and extract them as files.
  bool extract_uuencode = true;
};

// Returns an empty string when the config is usable, otherwise one message naming
// the offending field and the accepted range.
std::string validate(const MimeConfig& config);

}  // namespace ww

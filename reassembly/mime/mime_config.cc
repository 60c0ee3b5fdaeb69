#include "reassembly/mime/mime_config.h"

namespace ww {

namespace {

std::string out_of_range(const char* field, uint64_t got, uint64_t lo, uint64_t hi) {
  return std::string("mime ") + field + " must be between " + std::to_string(lo) + " and " +
         std::to_string(hi) + " (got " + std::to_string(got) + ")";
}

}  // namespace

std::string validate(const MimeConfig& c) {
  if (c.max_header_line_bytes < 78 || c.max_header_line_bytes > (1u << 20)) {
    return out_of_range("max_header_line_bytes", c.max_header_line_bytes, 78, 1u << 20);
  }
  if (c.max_header_block_bytes < c.max_header_line_bytes ||
      c.max_header_block_bytes > (16u << 20)) {
    return out_of_range("max_header_block_bytes", c.max_header_block_bytes, c.max_header_line_bytes,
                        16u << 20);
  }
  if (c.max_line_bytes < 78) return out_of_range("max_line_bytes", c.max_line_bytes, 78, ~0u);
  if (c.max_depth < 1 || c.max_depth > 1000) {
    return out_of_range("max_depth", c.max_depth, 1, 1000);
  }
  if (c.max_parts < 1 || c.max_parts > 1'000'000) {
    return out_of_range("max_parts", c.max_parts, 1, 1'000'000);
  }
  if (c.max_boundary_bytes < 70 || c.max_boundary_bytes > 4096) {
    return out_of_range("max_boundary_bytes", c.max_boundary_bytes, 70, 4096);
  }
  if (c.max_boundaries_per_part < 1 || c.max_boundaries_per_part > 16) {
    return out_of_range("max_boundaries_per_part", c.max_boundaries_per_part, 1, 16);
  }
  if (c.max_delimiter_padding > 65536) {
    return out_of_range("max_delimiter_padding", c.max_delimiter_padding, 0, 65536);
  }
  if (c.max_file_name_bytes < 16 || c.max_file_name_bytes > 65536) {
    return out_of_range("max_file_name_bytes", c.max_file_name_bytes, 16, 65536);
  }
  if (c.max_file_names < 1 || c.max_file_names > 64) {
    return out_of_range("max_file_names", c.max_file_names, 1, 64);
  }
  return {};
}

}  // namespace ww

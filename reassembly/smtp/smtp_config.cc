#include "reassembly/smtp/smtp_config.h"

namespace ww {

namespace {

std::string out_of_range(const char* field, uint64_t value, uint64_t lo, uint64_t hi) {
  return std::string("smtp ") + field + " must be between " + std::to_string(lo) + " and " +
         std::to_string(hi) + " (got " + std::to_string(value) + ")";
}

}  // namespace

std::string validate(const SmtpConfig& c) {
  struct Range {
    const char* field;
    uint64_t value, lo, hi;
  };
  const Range ranges[] = {
      {"max_line_length", c.max_line_length, 64, 1u << 20},
      {"rfc_line_length", c.rfc_line_length, 3, c.max_line_length},
      // 3 bytes are needed to see an end-of-data line ".\r\n" whole.
      {"max_body_line_length", c.max_body_line_length, 64, 1u << 20},
      {"max_pending_commands", c.max_pending_commands, 1, 65536},
      {"max_held_bytes", c.max_held_bytes, 0, 16u << 20},
      {"max_recipients", c.max_recipients, 0, 1u << 24},
      {"max_transactions", c.max_transactions, 0, 1u << 24},
      {"max_helo_length", c.max_helo_length, 1, 65536},
      {"max_address_length", c.max_address_length, 1, 65536},
      {"max_reply_text_length", c.max_reply_text_length, 0, 65536},
      {"max_anomaly_events", c.max_anomaly_events, 0, 1u << 20},
  };
  for (const Range& r : ranges) {
    if (r.value < r.lo || r.value > r.hi) return out_of_range(r.field, r.value, r.lo, r.hi);
  }
  return {};
}

}  // namespace ww

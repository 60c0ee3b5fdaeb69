#include "reassembly/tcp/tcp_reassembly_config.h"

namespace ww {

std::string validate(const TcpReassemblyConfig& config) {
  if (config.gap_timeout_us <= 0) {
    return "reassembly gap timeout must be positive (got " + std::to_string(config.gap_timeout_us) +
           " us)";
  }
  if (config.memcap == 0) return "reassembly memcap must be at least 1 byte";
  if (config.history_bytes > (16u << 20)) {
    return "reassembly history must be at most 16 MiB per direction (got " +
           std::to_string(config.history_bytes) + " bytes)";
  }
  if (config.ooo_max_bytes > config.memcap) {
    return "reassembly out-of-order byte cap per flow (" + std::to_string(config.ooo_max_bytes) +
           ") exceeds the memcap (" + std::to_string(config.memcap) + ")";
  }
  return {};
}

}  // namespace ww

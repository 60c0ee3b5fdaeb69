#include "rules/scan/scan_config.h"

#include <fmt/format.h>

namespace ww {

std::string validate(const ScanConfig& c) {
  struct Range {
    const char* field;
    uint64_t value, lo, hi;
  };
  const Range ranges[] = {
      {"threads", c.threads, 1, 256},
      {"queue_files", c.queue_files, 1, uint64_t{1} << 24},
      {"queue_bytes", c.queue_bytes, 1, uint64_t{1} << 40},
      {"max_filesize", c.max_filesize, 1, uint64_t{4} << 30},
      {"max_scansize", c.max_scansize, 1, uint64_t{1} << 40},
      {"max_recursion", c.max_recursion, 1, 64},
      {"max_files", c.max_files, 1, 1u << 24},
      {"max_scantime_ms", c.max_scantime_ms, 1, 3600u * 1000},
      {"cache_entries", c.cache_entries, 0, uint64_t{1} << 26},
      {"cache_bytes", c.cache_bytes, 0, uint64_t{1} << 34},
      {"watch_debounce_ms", c.watch_debounce_ms, 0, 600u * 1000},
      {"clamd_timeout_ms", c.clamd_timeout_ms, 100, 3600u * 1000},
  };
  for (const Range& r : ranges) {
    if (r.value < r.lo || r.value > r.hi)
      return fmt::format("scan {} must be between {} and {} (got {})", r.field, r.lo, r.hi,
                         r.value);
  }
  if (!c.enabled) return {};
  if (c.backend == ScanBackendKind::kEmbedded && c.signature_dirs.empty())
    return "scan signature_dirs is empty: give at least one directory of ClamAV databases "
           "(the shipped ones are in <source>/rules/signatures)";
  if (c.backend == ScanBackendKind::kClamd && c.clamd_address.empty())
    return "scan clamd_address is empty: give clamd's LocalSocket path or TCPAddr:TCPSocket";
  return {};
}

const char* queue_full_policy_name(QueueFullPolicy p) {
  return p == QueueFullPolicy::kWait ? "wait" : "skip";
}

const char* scan_backend_name(ScanBackendKind b) {
  return b == ScanBackendKind::kClamd ? "clamd" : "embedded";
}

}  // namespace ww

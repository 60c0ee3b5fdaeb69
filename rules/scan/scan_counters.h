#pragma once
// The one list of scan service counters. Add a row and it appears in the
// snapshot, in for_each() (stats output) and in merge().
// Kind `sum` counts events; `max` is a high-water mark; `gauge` is the value now.

#include <algorithm>
#include <cstdint>

namespace ww {

// X(name, kind, description)
#define WW_SCAN_COUNTERS(X)                                                                     \
  X(submitted, sum, "attachments given to submit()")                                            \
  X(scanned, sum, "attachments scanned by the engine or clamd (cache hits not included)")       \
  X(infected, sum, "scans that found a signature (heuristic ones included)")                    \
  X(heuristic, sum, "infected verdicts that were libclamav heuristics (Heuristics.*)")          \
  X(clean, sum, "scans that found nothing")                                                     \
  X(errors, sum, "scans that failed (libclamav error, clamd unreachable or refusing)")          \
  X(skipped_queue_full, sum, "attachments not scanned: queue full and on_full = skip")          \
  X(skipped_too_large, sum, "attachments not scanned: larger than max_filesize or queue_bytes") \
  X(skipped_disabled, sum, "attachments not scanned: scanning disabled")                        \
  X(cache_hits, sum, "attachments answered from the verdict cache")                             \
  X(cache_misses, sum, "attachments with a sha256 not in the verdict cache")                    \
  X(inflight_merged, sum, "copies that took the verdict of the same file queued or in scan")     \
  X(cache_evictions, sum, "verdicts dropped from the cache to stay within its bounds")          \
  X(reloads_ok, sum, "signature reloads that replaced the engine")                              \
  X(reloads_failed, sum, "signature reloads that failed (old engine kept)")                     \
  X(bytes_scanned, sum, "attachment bytes scanned (cache hits not included)")                   \
  X(callback_errors, sum, "exceptions thrown by the Done callback (caught)")                    \
  X(queue_high_water, max, "most jobs waiting at once")                                         \
  X(queue_bytes_high_water, max, "most attachment bytes held at once")                          \
  X(signatures_loaded, gauge, "signatures in the current engine (0 for clamd)")                 \
  X(engine_generation, gauge, "current engine generation (1 at start, +1 per reload)")          \
  X(cache_entries, gauge, "verdicts in the cache now")                                          \
  X(cache_bytes, gauge, "bytes the cache accounts for now")

struct ScanCounters {
#define WW_X(name, kind, desc) uint64_t name = 0;
  WW_SCAN_COUNTERS(WW_X)
#undef WW_X

  void merge(const ScanCounters& o) {
#define WW_X(name, kind, desc) merge_##kind(name, o.name);
    WW_SCAN_COUNTERS(WW_X)
#undef WW_X
  }

  // Calls f(name, value, description) for every counter, in list order.
  template <class F>
  void for_each(F&& f) const {
#define WW_X(name, kind, desc) f(#name, name, desc);
    WW_SCAN_COUNTERS(WW_X)
#undef WW_X
  }

 private:
  static void merge_sum(uint64_t& a, uint64_t b) { a += b; }
  static void merge_max(uint64_t& a, uint64_t b) { a = std::max(a, b); }
  static void merge_gauge(uint64_t& a, uint64_t b) { a = b; }
};

}  // namespace ww

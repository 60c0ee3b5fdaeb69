#pragma once
// The one list of defragmentation counters and the one list of fragment anomalies.
// Add a row and the field, its name and its description appear everywhere (stats
// output iterates with for_each()). Kind `sum` adds up across workers; `max` is a
// high-water mark.

#include <algorithm>
#include <array>
#include <cstdint>

namespace ww {

// X(name, description)
#define WW_DEFRAG_ANOMALIES(X)                                                                  \
  X(overlap_different_data, "fragment overlaps held bytes of its datagram with different data") \
  X(tiny_first_fragment, "first fragment too short to hold the whole TCP header")               \
  X(too_large, "fragment would make the datagram longer than 65535 bytes")                      \
  X(conflicting_end, "fragment disagrees with the datagram end set by the last fragment")       \
  X(unaligned_fragment, "fragment other than the last with a length not a multiple of 8")       \
  X(too_many_fragments, "datagram split into more pieces than max_fragments")

enum class DefragAnomaly : uint8_t {
#define WW_X(name, desc) name,
  WW_DEFRAG_ANOMALIES(WW_X)
#undef WW_X
      kCount
};

inline constexpr size_t kDefragAnomalyCount = static_cast<size_t>(DefragAnomaly::kCount);

const char* defrag_anomaly_name(DefragAnomaly a);
const char* defrag_anomaly_description(DefragAnomaly a);

// X(name, kind, description)
#define WW_DEFRAG_COUNTERS(X)                                                                \
  X(fragments, sum, "IP fragments handed to the defragmenter")                               \
  X(ipv4_fragments, sum, "IPv4 fragments")                                                   \
  X(ipv6_fragments, sum, "IPv6 fragments")                                                   \
  X(reassembled, sum, "datagrams reassembled")                                               \
  X(ipv4_reassembled, sum, "IPv4 datagrams reassembled")                                     \
  X(ipv6_reassembled, sum, "IPv6 datagrams reassembled")                                     \
  X(overlaps_same_data, sum, "fragments overlapping held bytes with the same data")          \
  X(malformed, sum, "fragments whose IP headers could not be read (dropped)")                \
  X(truncated, sum, "fragments the capture cut short (dropped)")                             \
  X(empty, sum, "fragments without payload (dropped)")                                       \
  X(rejected, sum, "fragments dropped for an anomaly (too large, conflicting end)")          \
  X(timeouts, sum, "incomplete datagrams expired by the timeout")                            \
  X(evicted_memcap, sum, "incomplete datagrams evicted to stay under the memory cap")        \
  X(evicted_datagram_limit, sum, "incomplete datagrams evicted to stay under max_datagrams") \
  X(memcap_drops, sum, "datagrams dropped because they alone exceed the memory cap")         \
  X(fragment_limit_drops, sum, "datagrams dropped for exceeding max_fragments")              \
  X(memory_high_water, max, "most bytes held at once")                                       \
  X(datagrams_high_water, max, "most incomplete datagrams held at once")

struct DefragCounters {
#define WW_X(name, kind, desc) uint64_t name = 0;
  WW_DEFRAG_COUNTERS(WW_X)
#undef WW_X
  std::array<uint64_t, kDefragAnomalyCount> anomalies{};

  void merge(const DefragCounters& o) {
#define WW_X(name, kind, desc) merge_##kind(name, o.name);
    WW_DEFRAG_COUNTERS(WW_X)
#undef WW_X
    for (size_t i = 0; i < kDefragAnomalyCount; ++i) anomalies[i] += o.anomalies[i];
  }

  // Calls f(name, value, description) for every counter, then for every anomaly as
  // "anomalies.<name>".
  template <class F>
  void for_each(F&& f) const {
#define WW_X(name, kind, desc) f(#name, name, desc);
    WW_DEFRAG_COUNTERS(WW_X)
#undef WW_X
#define WW_X(name, desc) \
  f("anomalies." #name, anomalies[static_cast<size_t>(DefragAnomaly::name)], desc);
    WW_DEFRAG_ANOMALIES(WW_X)
#undef WW_X
  }

 private:
  static void merge_sum(uint64_t& a, uint64_t b) { a += b; }
  static void merge_max(uint64_t& a, uint64_t b) { a = std::max(a, b); }
};

}  // namespace ww

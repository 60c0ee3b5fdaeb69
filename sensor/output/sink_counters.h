#pragma once
// Per-sink delivery counters. Declared once as a list (X-macro) and expanded
// into the struct, the atomic block a sink updates, and the JSON the stats
// record carries, so the three never drift apart.

#include <atomic>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace ww {

// X(name, meaning)
#define WW_SINK_COUNTERS(X)                                                                   \
  X(written, "records accepted by the sink (passed its event-type filter)")                  \
  X(sent, "records handed to the peer: written to the socket/file, or acknowledged by Kafka") \
  X(dropped, "records lost: spool bounds full, too big for a datagram, or not persisted")     \
  X(reconnects, "connections re-established after a failure (Kafka: brokers back up)")       \
  X(resent, "records sent again after a connection failure (may arrive twice)")              \
  X(spooled_bytes, "gauge: bytes waiting in the memory spool now")                            \
  X(disk_spooled, "records written to the disk spool (overflow and shutdown)")                \
  X(disk_bytes, "gauge: size of the disk spool file now")                                     \
  X(replayed, "records found in the disk spool at start (left by the previous run)")

struct SinkCounters {
#define WW_X(n, d) uint64_t n = 0;
  WW_SINK_COUNTERS(WW_X)
#undef WW_X
};

// Thread-safe counters a sink updates; snapshot() copies them out.
struct AtomicSinkCounters {
#define WW_X(n, d) std::atomic<uint64_t> n{0};
  WW_SINK_COUNTERS(WW_X)
#undef WW_X
  SinkCounters snapshot() const {
    SinkCounters c;
#define WW_X(n, d) c.n = n.load(std::memory_order_relaxed);
    WW_SINK_COUNTERS(WW_X)
#undef WW_X
    return c;
  }
};

inline nlohmann::ordered_json to_json(const SinkCounters& c) {
  nlohmann::ordered_json j;
#define WW_X(n, d) j[#n] = c.n;
  WW_SINK_COUNTERS(WW_X)
#undef WW_X
  return j;
}

}  // namespace ww

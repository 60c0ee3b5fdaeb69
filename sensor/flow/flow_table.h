#pragma once
// Bounded per-worker flow table. Lookup by canonical key; expiry by idle time
// per timeout class (packet time); a hard cap with eviction of the oldest idle
// flow. Shared-nothing: one table per worker, no locks.

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "sensor/flow/flow.h"

namespace ww {

struct FlowTableConfig {
  uint32_t max_flows = 262144;   // per worker
  std::array<int64_t, static_cast<size_t>(TimeoutClass::kCount)> timeout_us{
      60'000'000,   // tcp new
      600'000'000,  // tcp established
      10'000'000,   // tcp closed
      30'000'000,   // udp new
      120'000'000,  // udp established
      30'000'000,   // icmp
      60'000'000,   // other
  };
};

struct FlowCounters {
  uint64_t created = 0;
  uint64_t tcp = 0;
  uint64_t udp = 0;
  uint64_t icmp = 0;
  uint64_t other = 0;
  uint64_t active = 0;
  uint64_t max_active = 0;   // high-water mark
  uint64_t midstream = 0;
  std::array<uint64_t, static_cast<size_t>(FlowEndReason::kCount)> ended{};
  void merge(const FlowCounters& o);
};

class FlowTable {
 public:
  // Called for every flow that ends, before it is destroyed.
  using EndCallback = std::function<void(Flow&, FlowEndReason)>;

  FlowTable(const FlowTableConfig& cfg, EndCallback on_end);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Finds or creates the flow for `p` and updates its counters and TCP state.
  // *to_server tells the packet's direction. Never fails: at the cap the
  // oldest idle flow is ended (reason evicted) to make room.
  Flow& track(const DecodedPacket& p, bool* to_server);

  // Ends every flow idle past its class timeout at packet time `now_us`.
  void expire(int64_t now_us);
  // Ends every flow (capture finished).
  void end_all(FlowEndReason reason = FlowEndReason::shutdown);

  size_t active() const { return active_; }
  const FlowCounters& counters() const { return counters_; }

 private:
  static constexpr uint32_t kNil = 0xffffffffu;
  Flow& create(const FlowKey& key, const DecodedPacket& p, bool src_is_lo);
  void update_tcp(Flow& f, const DecodedPacket& p, bool to_server);
  TimeoutClass class_of(const Flow& f) const;
  void lru_unlink(uint32_t idx);
  void lru_append(uint32_t idx);
  void end_flow(uint32_t idx, FlowEndReason reason);
  uint32_t oldest_slot() const;

  // Open-addressing index from key hash to slot (linear probing, backward-shift
  // deletion). One 8-byte entry per bucket, no allocation per flow; it doubles
  // while under half the cap, so memory follows concurrent flows.
  struct Bucket {
    uint32_t slot_plus1 = 0;   // 0 = empty
    uint32_t tag = 0;          // high hash bits, to skip most key compares
  };
  uint32_t find(const FlowKey& key, uint64_t h) const;
  void index_insert(uint64_t h, uint32_t slot);
  void index_erase(const FlowKey& key);
  void index_grow();

  FlowTableConfig cfg_;
  EndCallback on_end_;
  std::vector<Bucket> buckets_;
  size_t active_ = 0;
  std::vector<Flow> slots_;
  std::vector<uint32_t> free_;
  std::array<uint32_t, static_cast<size_t>(TimeoutClass::kCount)> head_{};
  std::array<uint32_t, static_cast<size_t>(TimeoutClass::kCount)> tail_{};
  FlowCounters counters_;
};

}  // namespace ww

#pragma once
// Bounded counting structures for the host detectors.
//
// The detectors ask one question per window: "did this reach N within the last
// W seconds?". Answering it exactly needs only the N most recent items, so each
// window structure keeps at most N entries (N = the configured threshold) and
// answers exactly; counts above N are reported as N ("at least"). Totals over a
// host's life use DistinctSketch: exact up to 8, then a 512-bit linear-counting
// bitmap (about 4 % standard error up to ~1000 distinct, saturating near 3200).
//
// Window convention everywhere: an item at time t is inside the window ending at
// `now` when now - W < t <= now; an item exactly W old has slid out.

#include <array>
#include <cstdint>
#include <vector>

#include "sensor/decode/packet.h"

namespace ww {

uint64_t hash_address(const IpAddress& a);

// The most recent distinct addresses (at most `capacity`), each with the time
// it was last seen. count() is exact while the number of distinct addresses in
// the window is <= capacity.
class RecentDistinct {
 public:
  // Storage grows with use up to `capacity`: a host that mails twice a minute
  // never pays for a threshold of 100.
  explicit RecentDistinct(uint32_t capacity) : cap_(capacity) {}

  // Drops entries at or before `horizon` (= now - W), then records `a` at `ts`.
  void add(const IpAddress& a, int64_t ts, int64_t horizon);
  void expire(int64_t horizon);
  uint32_t count() const { return static_cast<uint32_t>(entries_.size()); }
  bool full() const { return entries_.size() >= cap_; }
  // The retained addresses, sorted, at most `max`.
  std::vector<IpAddress> sample(size_t max) const;
  void clear() { entries_.clear(); }
  size_t memory_bytes() const { return sizeof(*this) + entries_.capacity() * sizeof(Entry); }
  // Cache hint for the tracker's batch pipeline: the entries add() will scan.
  void prefetch() const {
    const char* p = reinterpret_cast<const char*>(entries_.data());
    for (size_t off = 0; off < entries_.size() * sizeof(Entry); off += 64) __builtin_prefetch(p + off);
  }

 private:
  struct Entry {
    int64_t ts;
    IpAddress addr;
  };
  std::vector<Entry> entries_;  // unordered; <= cap_
  uint32_t cap_;
};

// The last `capacity` items with a weight, in time order. sum() and count()
// cover the retained items inside the window after expire(). Exact for the
// question "sum >= capacity?" because every weight is at least 1.
class RecentCount {
 public:
  // Storage grows with use (doubling, from 4) up to `capacity`.
  explicit RecentCount(uint32_t capacity) : cap_(capacity) {}

  void add(int64_t ts, uint32_t weight, int64_t horizon);
  void expire(int64_t horizon);
  uint64_t sum() const { return sum_; }
  uint32_t count() const { return n_; }
  void clear() {
    n_ = 0;
    sum_ = 0;
  }
  size_t memory_bytes() const { return sizeof(*this) + ring_.capacity() * sizeof(Entry); }
  // Cache hint: the oldest entry (expiry reads it) and the slot add() writes.
  void prefetch() const {
    if (ring_.empty()) return;
    __builtin_prefetch(&ring_[head_]);
    __builtin_prefetch(&ring_[(head_ + n_) % ring_.size()]);
  }

 private:
  struct Entry {
    int64_t ts;
    uint64_t weight;
  };
  void grow();
  std::vector<Entry> ring_;  // size() is the current ring size, <= cap_
  uint32_t cap_;
  uint32_t head_ = 0;  // oldest
  uint32_t n_ = 0;
  uint64_t sum_ = 0;
  int64_t oldest_ts_ = 0;  // ring_[head_].ts while n_ > 0 (kept here: no cache miss to check)
  int64_t newest_ts_ = 0;  // the newest entry's ts while n_ > 0
};

// Distinct count over a host's life in fixed memory: exact for the first 8
// keys, then linear counting on a 512-bit bitmap (Whang et al., 1990).
class DistinctSketch {
 public:
  void add(uint64_t hash);
  uint64_t estimate() const;
  bool exact() const { return n_exact_ <= kExact; }

 private:
  static constexpr uint32_t kExact = 8;
  static constexpr uint32_t kBits = 512;
  std::array<uint64_t, kExact> exact_{};
  std::array<uint64_t, kBits / 64> bits_{};
  uint32_t n_exact_ = 0;  // kExact + 1 once the exact list overflowed
};

}  // namespace ww

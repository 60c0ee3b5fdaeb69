#pragma once
// Bounded queues from N packet workers to the one host tracker thread: one
// single-producer single-consumer ring per worker, so a push is two relaxed
// loads, a copy and a release store; no locks, no allocation, never a wait.
// A full ring drops the event and counts it.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "rules/hosts/host_event.h"

namespace ww {

class HostEventRing {
 public:
  explicit HostEventRing(size_t capacity);  // rounded up to a power of two, at least 16

  // Producer side (one thread). False when full: the event is dropped and counted.
  bool try_push(const HostEvent& e) {
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ >= cap_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ >= cap_) {
        overflow_.store(overflow_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return false;
      }
    }
    buf_[tail & mask_] = e;
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Consumer side (one thread): copies up to `max` events into `out`.
  size_t pop(HostEvent* out, size_t max);

  // Consumer side, in place: the events with sequence numbers [head(), tail()) are
  // readable with at(seq) until release(seq) hands the slots before `seq` back.
  uint64_t head() const { return head_.load(std::memory_order_relaxed); }
  uint64_t tail() const { return tail_.load(std::memory_order_acquire); }
  const HostEvent& at(uint64_t seq) const { return buf_[seq & mask_]; }
  void release(uint64_t seq) { head_.store(seq, std::memory_order_release); }

  size_t capacity() const { return cap_; }
  // Any thread: approximate.
  uint64_t pushed() const { return tail_.load(std::memory_order_relaxed); }
  uint64_t overflow() const { return overflow_.load(std::memory_order_relaxed); }
  size_t size() const {
    return static_cast<size_t>(tail_.load(std::memory_order_acquire) -
                               head_.load(std::memory_order_acquire));
  }

 private:
  // Consumer-written and producer-written words on separate cache lines.
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
  uint64_t head_cache_ = 0;  // producer's last view of head_
  std::atomic<uint64_t> overflow_{0};
  alignas(64) size_t cap_;
  size_t mask_;
  std::unique_ptr<HostEvent[]> buf_;
};

class HostEventQueue {
 public:
  HostEventQueue(size_t producers, size_t capacity_per_producer);

  // Worker `producer` (0..producers-1) only; never blocks.
  bool try_push(size_t producer, const HostEvent& e) { return rings_[producer]->try_push(e); }

  // Consumer: up to `max_per_ring` events from each ring, in ring order, to `f`.
  // Returns how many were handed over.
  template <class F>
  size_t drain(F&& f, size_t max_per_ring) {
    size_t total = 0;
    for (auto& r : rings_) {
      size_t left = max_per_ring;
      while (left) {
        const size_t n = r->pop(scratch_.data(), std::min(left, scratch_.size()));
        if (n == 0) break;
        for (size_t i = 0; i < n; ++i) f(scratch_[i]);
        total += n;
        left -= n;
      }
    }
    return total;
  }

  size_t producers() const { return rings_.size(); }
  HostEventRing& ring(size_t i) { return *rings_[i]; }
  uint64_t pushed() const;
  uint64_t overflow() const;
  size_t size() const;

 private:
  std::vector<std::unique_ptr<HostEventRing>> rings_;
  std::vector<HostEvent> scratch_;  // consumer only
};

}  // namespace ww

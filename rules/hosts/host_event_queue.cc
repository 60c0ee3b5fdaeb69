#include "rules/hosts/host_event_queue.h"

#include <algorithm>
#include <bit>

namespace ww {

HostEventRing::HostEventRing(size_t capacity)
    : cap_(std::bit_ceil(std::max<size_t>(capacity, 16))),
      mask_(cap_ - 1),
      buf_(new HostEvent[cap_]) {}

size_t HostEventRing::pop(HostEvent* out, size_t max) {
  const uint64_t head = head_.load(std::memory_order_relaxed);
  const uint64_t tail = tail_.load(std::memory_order_acquire);
  const size_t n = static_cast<size_t>(std::min<uint64_t>(tail - head, max));
  for (size_t i = 0; i < n; ++i) out[i] = buf_[(head + i) & mask_];
  if (n) head_.store(head + n, std::memory_order_release);
  return n;
}

HostEventQueue::HostEventQueue(size_t producers, size_t capacity_per_producer) : scratch_(256) {
  for (size_t i = 0; i < std::max<size_t>(producers, 1); ++i)
    rings_.push_back(std::make_unique<HostEventRing>(capacity_per_producer));
}

uint64_t HostEventQueue::pushed() const {
  uint64_t n = 0;
  for (const auto& r : rings_) n += r->pushed();
  return n;
}

uint64_t HostEventQueue::overflow() const {
  uint64_t n = 0;
  for (const auto& r : rings_) n += r->overflow();
  return n;
}

size_t HostEventQueue::size() const {
  size_t n = 0;
  for (const auto& r : rings_) n += r->size();
  return n;
}

}  // namespace ww

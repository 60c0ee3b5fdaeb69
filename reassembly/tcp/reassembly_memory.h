#pragma once
// The reassembly memory budget of one worker, shared by every flow's reassembler on
// that worker. Passed by reference (never a global): a worker owns one, sized from
// TcpReassemblyConfig::memcap, and reads used()/high_water()/hits() for its stats.
// Not thread-safe, by design: workers share nothing.

#include <algorithm>
#include <cstdint>

namespace ww {

class ReassemblyMemory {
 public:
  explicit ReassemblyMemory(uint64_t cap_bytes) : cap_(cap_bytes) {}
  ReassemblyMemory(const ReassemblyMemory&) = delete;
  ReassemblyMemory& operator=(const ReassemblyMemory&) = delete;

  // Takes `bytes` from the budget. Returns false, takes nothing and counts one hit
  // when that would go over the cap.
  bool try_reserve(uint64_t bytes) {
    if (bytes > cap_ - used_) {
      ++hits_;
      return false;
    }
    used_ += bytes;
    high_water_ = std::max(high_water_, used_);
    return true;
  }

  // Gives back what try_reserve took.
  void release(uint64_t bytes) { used_ -= std::min(bytes, used_); }

  uint64_t cap() const { return cap_; }
  uint64_t used() const { return used_; }
  uint64_t high_water() const { return high_water_; }
  uint64_t hits() const { return hits_; }

 private:
  uint64_t cap_;
  uint64_t used_ = 0;
  uint64_t high_water_ = 0;
  uint64_t hits_ = 0;
};

}  // namespace ww

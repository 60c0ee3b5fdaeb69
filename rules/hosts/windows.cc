#include "rules/hosts/windows.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace ww {

uint64_t hash_address(const IpAddress& a) {
  uint64_t lo, hi;
  std::memcpy(&lo, a.bytes.data(), 8);
  std::memcpy(&hi, a.bytes.data() + 8, 8);
  // splitmix64 finaliser over both halves and the family.
  uint64_t x = lo ^ (hi * 0x9e3779b97f4a7c15ull) ^ (uint64_t(a.family) << 56);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

void RecentDistinct::expire(int64_t horizon) {
  std::erase_if(entries_, [horizon](const Entry& e) { return e.ts <= horizon; });
}

void RecentDistinct::add(const IpAddress& a, int64_t ts, int64_t horizon) {
  // Expiry (order kept, as expire() does) and the search in one pass.
  bool found = false;
  size_t w = 0;
  for (size_t r = 0; r < entries_.size(); ++r) {
    Entry& e = entries_[r];
    if (e.ts <= horizon) continue;
    if (e.addr == a) {
      e.ts = std::max(e.ts, ts);
      found = true;
    }
    if (w != r) entries_[w] = e;
    ++w;
  }
  entries_.resize(w);
  if (found) return;
  if (entries_.size() < cap_) {
    entries_.push_back({ts, a});
    return;
  }
  // Full: the least recently seen address leaves. The retained set stays the
  // `cap_` most recently seen addresses, which is all the decision needs.
  auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                 [](const Entry& x, const Entry& y) { return x.ts < y.ts; });
  *oldest = {ts, a};
}

std::vector<IpAddress> RecentDistinct::sample(size_t max) const {
  std::vector<IpAddress> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.addr);
  std::sort(out.begin(), out.end());
  if (out.size() > max) out.resize(max);
  return out;
}

void RecentCount::expire(int64_t horizon) {
  // oldest_ts_ answers "anything to expire?" without touching the ring.
  if (!n_ || oldest_ts_ > horizon) return;
  const uint32_t size = static_cast<uint32_t>(ring_.size());
  while (n_ && ring_[head_].ts <= horizon) {
    sum_ -= ring_[head_].weight;
    head_ = head_ + 1 == size ? 0 : head_ + 1;
    --n_;
  }
  if (n_) oldest_ts_ = ring_[head_].ts;
}

void RecentCount::grow() {
  const uint32_t size = static_cast<uint32_t>(ring_.size());
  std::vector<Entry> bigger(std::min<uint32_t>(cap_, std::max<uint32_t>(4, size * 2)));
  for (uint32_t i = 0; i < n_; ++i) bigger[i] = ring_[(head_ + i) % size];
  ring_ = std::move(bigger);
  head_ = 0;
}

void RecentCount::add(int64_t ts, uint32_t weight, int64_t horizon) {
  expire(horizon);
  if (cap_ == 0) return;
  if (n_ == cap_) {  // drop the oldest: the newest `cap_` items answer "sum >= cap_"
    sum_ -= ring_[head_].weight;
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    --n_;
    if (n_) oldest_ts_ = ring_[head_].ts;
  } else if (n_ == ring_.size()) {
    grow();
  }
  const uint32_t size = static_cast<uint32_t>(ring_.size());
  // Events may arrive slightly out of order (a capture whose time goes back):
  // keep the ring in time order by never going below the newest entry.
  if (n_) ts = std::max(ts, newest_ts_);
  else oldest_ts_ = ts;
  newest_ts_ = ts;
  const uint32_t slot = (head_ + n_) % size;
  ring_[slot] = {ts, std::max<uint64_t>(weight, 1)};
  sum_ += ring_[slot].weight;
  ++n_;
}

void DistinctSketch::add(uint64_t hash) {
  bits_[(hash >> 6) & (kBits / 64 - 1)] |= uint64_t(1) << (hash & 63);
  if (n_exact_ > kExact) return;
  for (uint32_t i = 0; i < n_exact_; ++i)
    if (exact_[i] == hash) return;
  if (n_exact_ < kExact) exact_[n_exact_] = hash;
  n_exact_++;
}

uint64_t DistinctSketch::estimate() const {
  if (n_exact_ <= kExact) return n_exact_;
  uint32_t ones = 0;
  for (uint64_t w : bits_) ones += static_cast<uint32_t>(std::popcount(w));
  const uint32_t zeros = kBits - ones;
  // Saturated: report the largest value the bitmap can tell (m ln m).
  const double m = kBits;
  const double est = zeros == 0 ? m * std::log(m) : m * std::log(m / zeros);
  return std::max<uint64_t>(kExact + 1, static_cast<uint64_t>(std::llround(est)));
}

}  // namespace ww

#include "rules/scan/verdict_cache.h"

namespace ww {

VerdictCache::VerdictCache(size_t max_entries, size_t max_bytes, uint64_t generation)
    : max_entries_(max_entries), max_bytes_(max_bytes), generation_(generation) {}

std::optional<ScanVerdict> VerdictCache::find(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  const Entry& e = *it->second;
  ScanVerdict v;
  v.status = e.status;
  v.signature = e.signature;
  v.heuristic = e.heuristic;
  v.cache_hit = true;
  v.engine_generation = generation_;
  return v;
}

size_t VerdictCache::insert(std::string_view key, const ScanVerdict& v) {
  if (!enabled() || key.empty()) return 0;
  if (v.engine_generation != generation_) return 0;  // answered by an engine replaced since
  if (v.status != ScanVerdict::Status::kClean && v.status != ScanVerdict::Status::kInfected)
    return 0;
  const size_t need = entry_bytes(key, v.signature);
  if (need > max_bytes_) return 0;
  if (auto it = index_.find(key); it != index_.end()) {  // two copies scanned concurrently
    lru_.splice(lru_.begin(), lru_, it->second);
    return 0;
  }
  size_t evicted = 0;
  while (!lru_.empty() && (lru_.size() + 1 > max_entries_ || bytes_ + need > max_bytes_)) {
    evict_one();
    ++evicted;
  }
  lru_.push_front(Entry{std::string(key), v.status, v.heuristic, v.signature, need});
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += need;
  return evicted;
}

void VerdictCache::evict_one() {
  const Entry& victim = lru_.back();
  index_.erase(victim.key);
  bytes_ -= victim.bytes;
  lru_.pop_back();
}

void VerdictCache::clear(uint64_t generation) {
  index_.clear();
  lru_.clear();
  bytes_ = 0;
  generation_ = generation;
}

}  // namespace ww

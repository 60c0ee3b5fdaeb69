#pragma once
// LRU cache of scan verdicts keyed by the attachment's sha256. A mass-mailer
// sends the same attachment thousands of times; only the first copy is scanned.
// Holds clean and infected verdicts (never errors or skips), bounded by entries
// and by bytes, tagged with the engine generation that produced them: after a
// reload the cache is cleared and verdicts from the old engine still in flight
// are refused. Not thread-safe: ScanService guards it with a mutex.

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rules/scan/scan_verdict.h"

namespace ww {

class VerdictCache {
 public:
  // Accounted per entry besides the key and signature: list node, map node,
  // bucket, verdict fields (measured on libstdc++, rounded up).
  static constexpr size_t kEntryOverhead = 128;

  VerdictCache(size_t max_entries, size_t max_bytes, uint64_t generation = 1);

  bool enabled() const { return max_entries_ > 0 && max_bytes_ > 0; }
  // The cached verdict (cache_hit set), most recently used from now on.
  std::optional<ScanVerdict> find(std::string_view sha256_hex);
  // Stores a clean or infected verdict of the current generation; returns how
  // many entries were evicted to make room.
  size_t insert(std::string_view sha256_hex, const ScanVerdict& v);
  // Empties the cache; from now on only verdicts of `generation` are stored.
  void clear(uint64_t generation);

  size_t size() const { return lru_.size(); }
  size_t bytes() const { return bytes_; }
  uint64_t generation() const { return generation_; }

  static size_t entry_bytes(std::string_view key, std::string_view signature) {
    return key.size() + signature.size() + kEntryOverhead;
  }

 private:
  struct Entry {
    std::string key;
    ScanVerdict::Status status;
    bool heuristic;
    std::string signature;
    size_t bytes;
  };
  void evict_one();

  size_t max_entries_, max_bytes_;
  uint64_t generation_;
  size_t bytes_ = 0;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views into lru_ keys
};

}  // namespace ww

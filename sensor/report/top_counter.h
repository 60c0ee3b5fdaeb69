#pragma once
// Bounded "top N by count" table: the Space-Saving algorithm (Metwally, Agrawal,
// El Abbadi, ICDT 2005). At most `capacity` keys are tracked; a new key that
// finds the table full takes the slot of the least counted key and inherits its
// count (so counts are over-estimates by at most `error`). While the number of
// distinct keys stays within capacity every count is exact (error 0). Any key
// seen more than total/capacity times is guaranteed to be in the table.
//
// Each entry also carries how many of its occurrences were infected, and two
// labels set from the first occurrence that had them (a ClamAV name, an example
// file name). Add: O(log capacity).

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ww::report {

class TopCounter {
 public:
  struct Entry {
    std::string key;
    uint64_t count = 0;
    uint64_t error = 0;     // count may exceed the truth by this much
    uint64_t infected = 0;  // occurrences marked infected (since the key took the slot)
    std::string label;      // e.g. ClamAV signature name
    std::string detail;     // e.g. an example file name
    std::string extra;      // e.g. the sniffed type
    int64_t size = -1;
  };

  explicit TopCounter(size_t capacity = 1000, size_t max_key_bytes = 256)
      : capacity_(capacity ? capacity : 1), max_key_bytes_(max_key_bytes) {}

  // `label`, `detail`, `extra` and `size` are kept from the first occurrence that had them.
  void add(std::string_view key, bool infected = false, std::string_view label = {},
           std::string_view detail = {}, int64_t size = -1, std::string_view extra = {});

  // Entries by descending count (ties: by key), at most n.
  std::vector<Entry> top(size_t n) const;
  uint64_t total() const { return total_; }
  size_t tracked() const { return slots_.size(); }
  size_t capacity() const { return capacity_; }
  // Keys that took over another key's slot (0 = every count exact).
  uint64_t replacements() const { return replacements_; }

 private:
  size_t capacity_;
  size_t max_key_bytes_;
  uint64_t total_ = 0;
  uint64_t replacements_ = 0;
  std::vector<Entry> slots_;
  std::unordered_map<std::string, size_t> index_;
  std::set<std::pair<uint64_t, size_t>> order_;  // (count, slot), least first
};

}  // namespace ww::report

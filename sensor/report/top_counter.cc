#include "sensor/report/top_counter.h"

#include <algorithm>
#include <cstddef>

namespace ww::report {

namespace {

// Cut on a UTF-8 character boundary so a cut key stays valid text.
std::string_view cut(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

void TopCounter::add(std::string_view key_in, bool infected, std::string_view label,
                     std::string_view detail, int64_t size, std::string_view extra) {
  const std::string_view key = cut(key_in, max_key_bytes_);
  ++total_;
  size_t slot;
  if (auto it = index_.find(std::string(key)); it != index_.end()) {
    slot = it->second;
    Entry& e = slots_[slot];
    order_.erase({e.count, slot});
    ++e.count;
  } else if (slots_.size() < capacity_) {
    slot = slots_.size();
    slots_.push_back(Entry{std::string(key), 1, 0, 0, {}, {}, {}, -1});
    index_.emplace(std::string(key), slot);
  } else {
    auto least = order_.begin();
    slot = least->second;
    const uint64_t min = least->first;
    order_.erase(least);
    Entry& e = slots_[slot];
    index_.erase(e.key);
    e = Entry{std::string(key), min + 1, min, 0, {}, {}, {}, -1};
    index_.emplace(e.key, slot);
    ++replacements_;
  }
  Entry& e = slots_[slot];
  order_.insert({e.count, slot});
  if (infected) ++e.infected;
  if (!label.empty() && e.label.empty()) e.label = std::string(cut(label, max_key_bytes_));
  if (!detail.empty() && e.detail.empty()) e.detail = std::string(cut(detail, max_key_bytes_));
  if (!extra.empty() && e.extra.empty()) e.extra = std::string(cut(extra, max_key_bytes_));
  if (size >= 0 && e.size < 0) e.size = size;
}

std::vector<TopCounter::Entry> TopCounter::top(size_t n) const {
  std::vector<const Entry*> all;
  all.reserve(slots_.size());
  for (const auto& e : slots_) all.push_back(&e);
  const size_t k = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(),
                    [](const Entry* a, const Entry* b) {
                      return a->count != b->count ? a->count > b->count : a->key < b->key;
                    });
  std::vector<Entry> out;
  out.reserve(k);
  for (size_t i = 0; i < k; ++i) out.push_back(*all[i]);
  return out;
}

}  // namespace ww::report

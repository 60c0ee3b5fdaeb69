#pragma once
// Address -> slot index for the host table: open addressing with linear
// probing and backward-shift deletion. An entry is 8 bytes (32 hash bits and
// the slot), so a lookup touches one cache line of the index and then the
// host's own slot, which the caller reads anyway. The key lives in the slot;
// the caller passes a function that says whether a slot holds a given address.

#include <cstdint>
#include <vector>

namespace ww {

class HostIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Grows by doubling while the load stays under 1/2; the table never holds
  // more entries than the host table's cap.
  HostIndex() : table_(kInitial, Entry{0, kNone}), mask_(kInitial - 1) {}

  template <class Match>
  uint32_t find(uint32_t hash, Match&& match) const {
    for (uint32_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Entry& e = table_[i];
      if (e.slot == kNone) return kNone;
      if (e.hash == hash && match(e.slot)) return e.slot;
    }
  }

  // Cache hints for batch lookups: the index line a hash starts probing at, and
  // the slot of the first entry with that hash (no key check: a hint may be wrong).
  void prefetch(uint32_t hash) const { __builtin_prefetch(&table_[hash & mask_]); }
  uint32_t first_with_hash(uint32_t hash) const {
    for (uint32_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Entry& e = table_[i];
      if (e.slot == kNone || e.hash == hash) return e.slot;
    }
  }

  // The caller has checked the key is absent.
  void insert(uint32_t hash, uint32_t slot) {
    if ((size_ + 1) * 2 > table_.size()) grow();
    place(hash, slot);
    ++size_;
  }

  // Removes the entry that points at `slot`.
  void erase(uint32_t hash, uint32_t slot) {
    uint32_t i = hash & mask_;
    while (table_[i].slot != slot) {
      if (table_[i].slot == kNone) return;  // not present
      i = (i + 1) & mask_;
    }
    // Backward shift: pull later members of the probe run into the hole.
    uint32_t hole = i;
    for (uint32_t j = (i + 1) & mask_; table_[j].slot != kNone; j = (j + 1) & mask_) {
      const uint32_t home = table_[j].hash & mask_;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!stays) {
        table_[hole] = table_[j];
        hole = j;
      }
    }
    table_[hole] = Entry{0, kNone};
    --size_;
  }

  size_t size() const { return size_; }
  size_t memory_bytes() const { return table_.capacity() * sizeof(Entry); }

 private:
  static constexpr uint32_t kInitial = 1024;
  struct Entry {
    uint32_t hash;
    uint32_t slot;
  };
  void place(uint32_t hash, uint32_t slot) {
    uint32_t i = hash & mask_;
    while (table_[i].slot != kNone) i = (i + 1) & mask_;
    table_[i] = Entry{hash, slot};
  }
  void grow() {
    std::vector<Entry> old(table_.size() * 2, Entry{0, kNone});
    old.swap(table_);
    mask_ = static_cast<uint32_t>(table_.size() - 1);
    for (const Entry& e : old)
      if (e.slot != kNone) place(e.hash, e.slot);
  }

  std::vector<Entry> table_;
  uint32_t mask_;
  size_t size_ = 0;
};

}  // namespace ww

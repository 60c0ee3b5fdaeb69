#include "tools/gen/flow_mixer.h"

#include <algorithm>
#include <queue>
#include <vector>

namespace ww::gen {

void FlowMixer::run(int64_t start_us, PcapWriter& out, Manifest& manifest) {
  struct Entry {
    int64_t ts;
    uint64_t id;
    size_t slot;
    bool operator>(const Entry& o) const { return ts != o.ts ? ts > o.ts : id > o.id; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  std::vector<std::unique_ptr<Flow>> slots;
  std::vector<size_t> free_slots;
  uint64_t started = 0;
  int64_t arrival = start_us;
  int64_t first_ts = -1;
  int64_t last_ts = start_us;
  const uint64_t packets_before = out.packets_written();

  auto record = [&](Flow& f) {
    if (f.truth().packets() > 0) manifest.add_flow(f.truth());
  };
  // Starts the next flow at `at`; returns false when no more flows may start.
  auto launch = [&](int64_t at) {
    while (started < limits_.max_flows) {
      const uint64_t id = started++;
      std::unique_ptr<Flow> f = factory_(id, at);
      if (!f) continue;
      f->truth().id = id;
      if (f->done()) {
        record(*f);
        continue;
      }
      size_t slot;
      if (!free_slots.empty()) {
        slot = free_slots.back();
        free_slots.pop_back();
        slots[slot] = std::move(f);
      } else {
        slot = slots.size();
        slots.push_back(std::move(f));
      }
      heap.push({slots[slot]->next_time_us(), id, slot});
      return true;
    }
    return false;
  };

  const size_t concurrency = std::max<size_t>(limits_.concurrency, 1);
  for (size_t i = 0; i < concurrency; ++i) {
    if (!launch(arrival)) break;
    arrival += std::max<int64_t>(gap_(), 0);
  }

  Packet pkt;
  while (!heap.empty() && out.bytes_written() < limits_.max_bytes) {
    const Entry e = heap.top();
    heap.pop();
    Flow& f = *slots[e.slot];
    f.next(pkt);
    out.write(pkt.ts_us, pkt.frame);
    if (first_ts < 0) first_ts = pkt.ts_us;
    last_ts = pkt.ts_us;
    if (!f.done()) {
      heap.push({f.next_time_us(), e.id, e.slot});
      continue;
    }
    record(f);
    slots[e.slot].reset();
    free_slots.push_back(e.slot);
    // The replacement starts after both the arrival clock and the packet just
    // written, which keeps the capture in time order.
    arrival = std::max(arrival, last_ts) + std::max<int64_t>(gap_(), 1);
    launch(arrival);
  }
  // Cut by the size limit: what was written is the truth.
  for (auto& f : slots) {
    if (f) record(*f);
  }
  manifest.set_capture(out.packets_written() - packets_before, out.bytes_written(),
                       first_ts < 0 ? start_us : first_ts, last_ts);
}

}  // namespace ww::gen

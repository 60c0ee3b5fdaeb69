#pragma once
// Interleaves many flows into one capture in time order.
//
// Up to `concurrency` flows are active at once; the mixer always emits the
// packet with the smallest timestamp (ties broken by flow id), so the capture
// is time-ordered and each flow's packets keep their own order. When a flow
// finishes, its truth goes to the manifest and a new flow starts a little
// after the last packet written, until `max_flows` flows have run or the
// capture reaches `max_bytes` (then active flows stop where they are and are
// recorded with end "none").

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

#include "tools/gen/flow.h"
#include "tools/gen/manifest.h"
#include "tools/gen/pcap_writer.h"

namespace ww::gen {

struct MixerLimits {
  uint64_t max_flows = std::numeric_limits<uint64_t>::max();
  uint64_t max_bytes = std::numeric_limits<uint64_t>::max();
  size_t concurrency = 200;
};

class FlowMixer {
 public:
  // Makes flow number `id` whose first packet is at `start_us`. May return
  // nullptr to skip the id (it still counts towards max_flows).
  using Factory = std::function<std::unique_ptr<Flow>(uint64_t id, int64_t start_us)>;
  // Time between consecutive flow arrivals.
  using ArrivalGap = std::function<int64_t()>;

  FlowMixer(Factory factory, ArrivalGap gap, MixerLimits limits)
      : factory_(std::move(factory)), gap_(std::move(gap)), limits_(limits) {}

  // Runs until done; records every flow that wrote at least one packet and
  // the capture totals in `manifest`.
  void run(int64_t start_us, PcapWriter& out, Manifest& manifest);

 private:
  Factory factory_;
  ArrivalGap gap_;
  MixerLimits limits_;
};

}  // namespace ww::gen

#pragma once
// Protocol identification with nDPI on the first payload packets of a flow.
// One detector per worker (nDPI's module keeps caches and is not shared
// between threads). nDPI's per-flow state (~1 KiB) lives only while detection
// runs, then it is freed: a flow costs nDPI memory for at most max_packets.

#include <cstdint>

#include "sensor/decode/packet.h"
#include "sensor/flow/flow.h"

struct ndpi_detection_module_struct;

namespace ww {

struct NdpiCounters {
  uint64_t detected = 0;     // flows given a protocol
  uint64_t gave_up = 0;      // flows that reached max_packets unidentified
  uint64_t packets = 0;      // packets given to nDPI
  void merge(const NdpiCounters& o) {
    detected += o.detected;
    gave_up += o.gave_up;
    packets += o.packets;
  }
};

class NdpiDetector {
 public:
  explicit NdpiDetector(uint32_t max_packets);
  ~NdpiDetector();
  NdpiDetector(const NdpiDetector&) = delete;
  NdpiDetector& operator=(const NdpiDetector&) = delete;

  // Feeds one packet of `f` (IP layer in p.l3). Cheap no-op once decided.
  void process(Flow& f, const DecodedPacket& p);
  // Frees nDPI state of a flow that ends before detection finished; labels it
  // with nDPI's best answer so far.
  void release(Flow& f);
  const NdpiCounters& counters() const { return counters_; }

 private:
  void decide(Flow& f, uint16_t master, uint16_t app);
  ndpi_detection_module_struct* mod_ = nullptr;
  uint32_t max_packets_;
  NdpiCounters counters_;
};

}  // namespace ww

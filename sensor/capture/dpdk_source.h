#pragma once
// DPDK capture source (wormwatch --dpdk): one or more ethdev ports, several RX
// queues per port spread by RSS with a symmetric key, one worker per queue on its
// own lcore. Builds without DPDK get a stub whose constructor says so.

#include <memory>
#include <string>
#include <vector>

#include "sensor/capture/packet_source.h"

namespace ww {

struct DpdkOptions {
  // EAL arguments (split on spaces); the vdevs are appended as --vdev=...
  std::string eal_args = "--no-huge --no-pci --no-shconf -l 0 -m 64";
  std::vector<std::string> vdevs;   // "net_pcap0,rx_pcap=a.pcap"
  std::vector<std::string> ports;   // port names or ids; empty = every probed port
  uint32_t rx_queues = 0;           // per port; 0 = what the device offers (net_pcap: one per file), capped by lcores
  uint32_t mbufs = 8191;            // mbufs per port's pool
  uint32_t mbuf_size = 2048;        // packet bytes per mbuf (data room without headroom)
  uint32_t rx_descriptors = 1024;   // RX ring size per queue
  uint32_t burst = 32;              // packets per rte_eth_rx_burst
  uint32_t idle_exit_ms = 0;        // > 0: end when every queue was empty this long (replay)
  uint32_t linear_bytes = 262144;   // per-queue buffer for chained mbufs (= max snaplen)
};

// True when this binary was built with DPDK.
bool dpdk_built();

// Opens EAL, the ports and their queues. Throws CaptureError with the fix (no
// DPDK in this build, EAL refused its arguments, no ports, too few lcores, ...).
// Only one per process: EAL cannot be initialised twice.
std::unique_ptr<MultiQueueSource> open_dpdk_source(const DpdkOptions& opt,
                                                   std::vector<std::string>* setup_log);

}  // namespace ww

#pragma once
// Capture sources: pcap/pcapng files, libpcap live, (DPDK later). Each hands
// packets to a handler in bursts; the handler never keeps the data pointer past
// the call.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "sensor/decode/packet.h"

namespace ww {

struct CapturedPacket {
  LinkType link;
  int64_t ts_us;
  uint32_t cap_len;
  uint32_t wire_len;
  const uint8_t* data;
};

class PacketHandler {
 public:
  virtual ~PacketHandler() = default;
  virtual void on_packet(const CapturedPacket& p) = 0;
};

struct CaptureStats {
  uint64_t packets = 0;          // packets handed on
  uint64_t bytes = 0;            // wire bytes handed on
  uint64_t kernel_packets = 0;   // live: packets the kernel saw (pcap_stats ps_recv)
  uint64_t kernel_drops = 0;     // live: dropped for lack of buffer space (ps_drop)
  uint64_t kernel_ifdrops = 0;   // live: dropped by the interface/driver (ps_ifdrop)
  uint64_t files_read = 0;       // offline: files opened
  uint64_t files_truncated = 0;  // offline: files that ended mid-record
  bool live = false;
  // DPDK (--dpdk): port counters summed over the ports in use (rte_eth_stats).
  bool dpdk = false;
  uint64_t dpdk_ipackets = 0;    // packets the ports received
  uint64_t dpdk_imissed = 0;     // dropped by the NIC: RX descriptors full (workers too slow)
  uint64_t dpdk_ierrors = 0;     // erroneous frames the NIC dropped
  uint64_t dpdk_rx_nombuf = 0;   // RX mbuf allocation failures (mempool exhausted)
  uint64_t dpdk_linearised = 0;  // chained (multi-segment) mbufs copied into one buffer
  uint64_t dpdk_drops() const { return dpdk_imissed + dpdk_ierrors + dpdk_rx_nombuf; }
};

// libpcap's kernel counters are 32-bit on Linux and wrap on a busy span port.
// Folds a new 32-bit reading into a 64-bit total, assuming at most one wrap
// between readings (stats are read at least every stats.interval).
struct WrappingCounter {
  uint64_t total = 0;
  uint32_t last = 0;
  void update(uint32_t now) {
    total += static_cast<uint32_t>(now - last);
    last = now;
  }
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  // Delivers up to `max` packets. Returns how many; 0 may mean a live timeout
  // (call again) or the end (then done() is true). Operator-level failures
  // throw CaptureError; malformed packets never do.
  virtual size_t next_burst(size_t max, PacketHandler& h) = 0;
  virtual bool done() const = 0;
  virtual CaptureStats stats() = 0;
  // Async-signal-safe request to return from a blocking read.
  virtual void interrupt() {}
  virtual bool live() const = 0;
};

// A source with several receive queues, each polled by its own worker on its own
// core (DPDK RSS queues). The engine calls next_burst(q, ...) only from the
// thread run_on_queues started for q; the PacketSource part (stats, done, live)
// is used by the control loop, which runs on queue 0's thread.
class MultiQueueSource : public PacketSource {
 public:
  virtual uint32_t queue_count() const = 0;
  virtual size_t next_burst(uint32_t queue, size_t max, PacketHandler& h) = 0;
  size_t next_burst(size_t max, PacketHandler& h) override { return next_burst(0, max, h); }
  // Runs fn(q) for every queue: q = 0 on the calling thread, the others on their
  // own cores; returns when every call has returned.
  virtual void run_on_queues(const std::function<void(uint32_t)>& fn) = 0;
};

class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ww

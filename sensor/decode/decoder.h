#pragma once
// Zero-copy decoder: frame bytes -> DecodedPacket views. Never throws, never
// allocates; malformed input is counted and reported through the result.

#include <array>
#include <cstdint>
#include <span>

#include "sensor/decode/decode_anomalies.h"
#include "sensor/decode/packet.h"

namespace ww {

enum class DecodeResult : uint8_t {
  kOk,       // IP packet decoded (maybe a fragment, maybe a non-TCP/UDP protocol)
  kNotIp,    // well-formed frame that carries no IP (ARP, LLDP, ...): not an anomaly
  kAnomaly,  // malformed or truncated; `anomaly` says which
};

struct DecodeCounters {
  uint64_t packets = 0;
  uint64_t ipv4 = 0;
  uint64_t ipv6 = 0;
  uint64_t tcp = 0;
  uint64_t udp = 0;
  uint64_t icmp = 0;
  uint64_t other_ip = 0;  // IP with another L4 protocol
  uint64_t fragments = 0;
  uint64_t vlan = 0;
  uint64_t not_ip = 0;
  uint64_t truncated_payload = 0;  // snaplen cut
  std::array<uint64_t, kDecodeAnomalyCount> anomalies{};
  uint64_t anomaly_total() const;
  void merge(const DecodeCounters& o);
};

// Decodes one frame. `frame` is the captured bytes, `wire_len` the original
// length, `ts_us` the packet time. On kAnomaly `out` holds whatever was decoded
// before the fault, and *anomaly names the fault; the counter is already bumped.
// On kOk the packet may still carry non-fatal anomalies (out.anomalies); then
// *anomaly names the first of them. With no anomaly *anomaly is DecodeAnomaly::kCount.
DecodeResult decode_frame(LinkType link, std::span<const uint8_t> frame, uint32_t wire_len,
                          int64_t ts_us, DecodedPacket& out, DecodeCounters& counters,
                          DecodeAnomaly* anomaly = nullptr);

}  // namespace ww

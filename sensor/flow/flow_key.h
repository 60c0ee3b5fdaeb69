#pragma once
// Canonical flow identity: the same key for both directions of a conversation.

#include <cstdint>
#include <cstring>
#include <functional>

#include "sensor/decode/packet.h"

namespace ww {

struct FlowKey {
  IpAddress lo_ip;        // the smaller (address, port) endpoint
  IpAddress hi_ip;
  uint16_t lo_port = 0;
  uint16_t hi_port = 0;
  uint8_t proto = 0;
  uint16_t vlan = 0;      // outermost VLAN id: the same 5-tuple on two VLANs is two flows

  friend bool operator==(const FlowKey& a, const FlowKey& b) {
    // Word compares: the key is compared on every hash-table probe.
    return a.lo_port == b.lo_port && a.hi_port == b.hi_port && a.proto == b.proto &&
           a.vlan == b.vlan && a.lo_ip.family == b.lo_ip.family &&
           std::memcmp(a.lo_ip.bytes.data(), b.lo_ip.bytes.data(), 16) == 0 &&
           std::memcmp(a.hi_ip.bytes.data(), b.hi_ip.bytes.data(), 16) == 0;
  }

  // Builds the canonical key; *src_is_lo says whether the packet's source is lo.
  static FlowKey from_packet(const DecodedPacket& p, bool* src_is_lo = nullptr);
};

// 64-bit mix of the canonical key (direction-independent by construction).
uint64_t flow_key_hash(const FlowKey& k);

// Symmetric hash of the address pair only, used to pick a worker. Ports are
// left out on purpose: non-first IP fragments carry none, and every fragment
// and every packet of a flow must reach the worker that owns the flow.
uint64_t symmetric_host_pair_hash(const IpAddress& a, const IpAddress& b);

struct FlowKeyHasher {
  size_t operator()(const FlowKey& k) const { return static_cast<size_t>(flow_key_hash(k)); }
};

}  // namespace ww

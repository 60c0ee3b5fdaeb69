#include "sensor/flow/flow_key.h"

namespace ww {
namespace {

inline uint64_t mix64(uint64_t x) {
  // splitmix64 finaliser: cheap, good avalanche.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline uint64_t addr_hash(const IpAddress& a) {
  uint64_t w0, w1;
  std::memcpy(&w0, a.bytes.data(), 8);
  std::memcpy(&w1, a.bytes.data() + 8, 8);
  return mix64(w0 ^ mix64(w1 ^ a.family));
}

}  // namespace

FlowKey FlowKey::from_packet(const DecodedPacket& p, bool* src_is_lo) {
  FlowKey k;
  k.proto = p.l4_proto;
  k.vlan = p.vlan_count ? p.vlan[0] : 0;
  bool src_lo = (p.src < p.dst) || (p.src == p.dst && p.src_port <= p.dst_port);
  if (src_lo) {
    k.lo_ip = p.src;
    k.hi_ip = p.dst;
    k.lo_port = p.src_port;
    k.hi_port = p.dst_port;
  } else {
    k.lo_ip = p.dst;
    k.hi_ip = p.src;
    k.lo_port = p.dst_port;
    k.hi_port = p.src_port;
  }
  if (src_is_lo) *src_is_lo = src_lo;
  return k;
}

uint64_t flow_key_hash(const FlowKey& k) {
  uint64_t h = addr_hash(k.lo_ip) * 31 + addr_hash(k.hi_ip);
  h ^= (uint64_t{k.lo_port} << 32) | (uint64_t{k.hi_port} << 16) | (uint64_t{k.proto} << 8);
  h ^= uint64_t{k.vlan} << 48;
  return mix64(h);
}

uint64_t symmetric_host_pair_hash(const IpAddress& a, const IpAddress& b) {
  // Commutative combination: the same value whichever address is the source.
  uint64_t ha = addr_hash(a), hb = addr_hash(b);
  return mix64(ha + hb) ^ mix64(ha ^ hb);
}

}  // namespace ww

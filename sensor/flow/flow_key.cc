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

namespace {
// Three-way compare of two addresses of the same packet: two 64-bit loads per
// side instead of a byte-wise lexicographic compare (this runs per packet).
inline int addr_cmp(const IpAddress& a, const IpAddress& b) {
  uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a.bytes.data(), 8);
  std::memcpy(&a1, a.bytes.data() + 8, 8);
  std::memcpy(&b0, b.bytes.data(), 8);
  std::memcpy(&b1, b.bytes.data() + 8, 8);
  a0 = __builtin_bswap64(a0);
  b0 = __builtin_bswap64(b0);
  if (a0 != b0) return a0 < b0 ? -1 : 1;
  a1 = __builtin_bswap64(a1);
  b1 = __builtin_bswap64(b1);
  if (a1 != b1) return a1 < b1 ? -1 : 1;
  return 0;
}
}  // namespace

FlowKey FlowKey::from_packet(const DecodedPacket& p, bool* src_is_lo) {
  FlowKey k;
  k.proto = p.l4_proto;
  k.vlan = p.vlan_count ? p.vlan[0] : 0;
  const int c = addr_cmp(p.src, p.dst);
  bool src_lo = c < 0 || (c == 0 && p.src_port <= p.dst_port);
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

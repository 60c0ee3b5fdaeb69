#include "tools/gen/checksum.h"

namespace ww::gen {

uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data) {
  // Sum in 64 bits, eight bytes at a time, read big-endian byte by byte so the
  // result does not depend on the host byte order; fold once at the end.
  uint64_t acc = sum;
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n >= 8) {
    acc += (uint32_t{p[0]} << 8 | p[1]) + (uint32_t{p[2]} << 8 | p[3]) +
           (uint32_t{p[4]} << 8 | p[5]) + (uint32_t{p[6]} << 8 | p[7]);
    p += 8;
    n -= 8;
  }
  while (n >= 2) {
    acc += uint32_t{p[0]} << 8 | p[1];
    p += 2;
    n -= 2;
  }
  if (n) acc += uint32_t{p[0]} << 8;
  while (acc >> 32) acc = (acc & 0xffffffffULL) + (acc >> 32);
  return static_cast<uint32_t>(acc);
}

uint16_t checksum_finish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint32_t pseudo_header_sum(const IpAddress& src, const IpAddress& dst, uint8_t proto,
                           uint32_t l4_length) {
  uint32_t sum = checksum_add(0, {src.bytes.data(), src.length()});
  sum = checksum_add(sum, {dst.bytes.data(), dst.length()});
  // v4: zero, proto, 16-bit length; v6: 32-bit length, three zero bytes, next header.
  // Both reduce to the same 16-bit word sums.
  const uint64_t s = uint64_t{sum} + proto + (l4_length >> 16) + (l4_length & 0xffff);
  return static_cast<uint32_t>((s & 0xffffffffULL) + (s >> 32));
}

}  // namespace ww::gen

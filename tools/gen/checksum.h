#pragma once
// RFC 1071 Internet checksum, in pieces so a pseudo-header and a segment can
// be summed without copying them together.

#include <cstdint>
#include <span>

#include "sensor/decode/packet.h"

namespace ww::gen {

// Adds `data` (big-endian 16-bit words, odd tail padded with zero) to a
// running 32-bit partial sum. Chunks must be fed at even offsets.
uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data);
// Folds a partial sum and returns its one's complement, ready for the header.
uint16_t checksum_finish(uint32_t sum);
inline uint16_t internet_checksum(std::span<const uint8_t> data) {
  return checksum_finish(checksum_add(0, data));
}
// Partial sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 793 / RFC 8200 8.1).
uint32_t pseudo_header_sum(const IpAddress& src, const IpAddress& dst, uint8_t proto,
                           uint32_t l4_length);

}  // namespace ww::gen

#pragma once
// Community ID flow hashing, version 1 (https://github.com/corelight/community-id-spec):
// "1:" + base64(sha1(seed | src ip | dst ip | proto | 0 | src port | dst port)),
// endpoints ordered so that both directions give the same value.

#include <cstdint>
#include <string>

#include "sensor/decode/packet.h"

namespace ww {

// For ICMP (1) and ICMPv6 (58), pass the ICMP type as sport and code as dport:
// the function applies the spec's type/code to port mapping.
std::string community_id_v1(const IpAddress& src, const IpAddress& dst, uint16_t sport,
                            uint16_t dport, uint8_t proto, uint16_t seed = 0);

}  // namespace ww

#include "tools/gen/net_types.h"

#include <arpa/inet.h>

#include <cstdio>

namespace ww::gen {

IpAddress ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  const uint8_t bytes[4] = {a, b, c, d};
  return IpAddress::v4(bytes);
}

IpAddress ip4(uint32_t v) {
  return ip4(static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
             static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v));
}

IpAddress ip6(const std::array<uint16_t, 8>& groups) {
  uint8_t bytes[16];
  for (size_t i = 0; i < 8; ++i) {
    bytes[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
    bytes[2 * i + 1] = static_cast<uint8_t>(groups[i]);
  }
  return IpAddress::v6(bytes);
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  const std::string s(text);
  uint8_t buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return IpAddress::v4(buf);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return IpAddress::v6(buf);
  return std::nullopt;
}

std::string format_ip(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.family == 4) {
    inet_ntop(AF_INET, a.bytes.data(), buf, sizeof buf);
  } else if (a.family == 6) {
    inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::string format_mac(const MacAddress& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

MacAddress mac_for(const IpAddress& a) {
  // FNV-1a over the address; 0x02 = locally administered, unicast.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < a.length(); ++i) h = (h ^ a.bytes[i]) * 0x100000001b3ULL;
  h = (h ^ a.family) * 0x100000001b3ULL;
  return {0x02,
          static_cast<uint8_t>(h >> 32),
          static_cast<uint8_t>(h >> 24),
          static_cast<uint8_t>(h >> 16),
          static_cast<uint8_t>(h >> 8),
          static_cast<uint8_t>(h)};
}

}  // namespace ww::gen

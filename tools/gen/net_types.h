#pragma once
// Small value types shared by the frame builder, the flows and the scenarios.
// Addresses reuse the sensor's IpAddress so a test can compare what it built
// with what the decoder saw; only its inline members are used, the generator
// does not link the decoder.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/decode/packet.h"

namespace ww::gen {

using MacAddress = std::array<uint8_t, 6>;

namespace ethertype {
inline constexpr uint16_t kIpv4 = 0x0800;
inline constexpr uint16_t kIpv6 = 0x86dd;
inline constexpr uint16_t kVlan = 0x8100;  // 802.1Q
inline constexpr uint16_t kQinQ = 0x88a8;  // 802.1ad service tag
}  // namespace ethertype

namespace ip_proto {
inline constexpr uint8_t kHopByHop = 0;
inline constexpr uint8_t kIcmp = 1;
inline constexpr uint8_t kTcp = 6;
inline constexpr uint8_t kUdp = 17;
inline constexpr uint8_t kRouting = 43;
inline constexpr uint8_t kFragment = 44;
inline constexpr uint8_t kIcmpv6 = 58;
inline constexpr uint8_t kNoNext = 59;
inline constexpr uint8_t kDestOptions = 60;
}  // namespace ip_proto

IpAddress ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
IpAddress ip4(uint32_t host_order);
// IPv6 from eight 16-bit groups.
IpAddress ip6(const std::array<uint16_t, 8>& groups);
// Parses dotted-quad or IPv6 text (inet_pton); nullopt on bad input.
std::optional<IpAddress> parse_ip(std::string_view text);
// RFC 5952 text (inet_ntop).
std::string format_ip(const IpAddress& a);
std::string format_mac(const MacAddress& m);
// A locally administered unicast MAC derived from an address, so every host
// keeps one MAC for the whole capture.
MacAddress mac_for(const IpAddress& a);

// Direction of a packet within a flow, named from the client's point of view
// (as in EVE's toserver/toclient).
enum class Direction : uint8_t { kToServer = 0, kToClient = 1 };
inline Direction reverse(Direction d) {
  return d == Direction::kToServer ? Direction::kToClient : Direction::kToServer;
}
inline int index_of(Direction d) { return static_cast<int>(d); }

struct Endpoint {
  IpAddress ip;
  uint16_t port = 0;
  MacAddress mac{};
};

struct VlanTag {
  uint16_t tpid = ethertype::kVlan;
  uint16_t id = 0;  // 12 bits
  uint8_t pcp = 0;  // 3 bits
};

// How a flow's frames are framed below IP: Ethernet (with optional VLAN tags,
// outermost first) or raw IP for LINKTYPE_RAW.
struct LinkSpec {
  LinkType type = LinkType::kEthernet;
  std::vector<VlanTag> vlans;
};

}  // namespace ww::gen

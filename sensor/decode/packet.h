#pragma once
// The decoded view of one captured frame. Every span points into the capture
// buffer: a DecodedPacket is valid only as long as the frame it was decoded from.

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace ww {

// Link types, numbered as in pcap's LINKTYPE_* registry.
enum class LinkType : uint32_t {
  kNull = 0,         // BSD loopback: 4-byte host-order address family
  kEthernet = 1,     // Ethernet II, with 802.1Q / 802.1ad tags
  kRaw = 101,        // raw IPv4 or IPv6, version from the first nibble
  kLoop = 108,       // OpenBSD loopback: 4-byte network-order address family
  kLinuxSll = 113,   // Linux cooked capture v1
  kIpv4 = 228,       // raw IPv4 only
  kIpv6 = 229,       // raw IPv6 only
  kLinuxSll2 = 276,  // Linux cooked capture v2
};

// Maps a pcap link type number (including the DLT_RAW aliases 12 and 14) to a
// supported LinkType. Returns false when the sensor cannot decode it.
bool link_type_from_pcap(int dlt, LinkType& out);
const char* link_type_name(LinkType t);

struct IpAddress {
  uint8_t family = 0;               // 4 or 6; 0 = unset
  std::array<uint8_t, 16> bytes{};  // IPv4 uses bytes[0..3], the rest stays zero

  static IpAddress v4(const uint8_t* p) {
    IpAddress a;
    a.family = 4;
    std::memcpy(a.bytes.data(), p, 4);
    return a;
  }
  static IpAddress v6(const uint8_t* p) {
    IpAddress a;
    a.family = 6;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
  }
  size_t length() const { return family == 6 ? 16 : 4; }
  std::string to_string() const;
  // Parses dotted-quad or RFC 5952 text; returns false on bad input.
  static bool parse(const std::string& text, IpAddress& out);

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

namespace tcp_flag {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;
inline constexpr uint8_t kEce = 0x40;
inline constexpr uint8_t kCwr = 0x80;
}  // namespace tcp_flag

struct TcpInfo {
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint16_t window = 0;
  uint16_t urgent = 0;
  uint8_t flags = 0;
  uint8_t header_len = 0;  // bytes, options included
  // Options that reassembly needs; has_* tells whether the option was present.
  bool has_mss = false;
  bool has_wscale = false;
  bool sack_permitted = false;
  bool has_timestamp = false;
  uint16_t mss = 0;
  uint8_t wscale = 0;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
};

struct FragmentInfo {
  bool is_fragment = false;  // offset != 0 or more-fragments set (v4), or a v6 fragment header
  bool more_fragments = false;
  uint32_t offset = 0;  // bytes
  uint32_t id = 0;      // IPv4 identification or IPv6 fragment id
};

struct DecodedPacket {
  int64_t ts_us = 0;      // packet time, microseconds since the Unix epoch
  uint32_t wire_len = 0;  // original length on the wire
  uint32_t cap_len = 0;   // bytes captured

  uint8_t vlan_count = 0;  // 0, 1 (802.1Q) or 2 (QinQ); more tags are an anomaly
  std::array<uint16_t, 2> vlan{};

  uint8_t ip_version = 0;  // 4 or 6; 0 when the frame carries no IP
  IpAddress src;
  IpAddress dst;
  uint8_t ttl = 0;       // IPv4 TTL or IPv6 hop limit
  uint8_t l4_proto = 0;  // IPPROTO_* of the final header (TCP 6, UDP 17, ICMP 1, ICMPv6 58)
  FragmentInfo frag;
  // The IP header through the end of the IP payload as captured (what nDPI and
  // the defragmenter consume).
  std::span<const uint8_t> l3;
  // For a fragment: the fragment's payload (bytes after the IP headers).
  std::span<const uint8_t> l3_payload;

  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  TcpInfo tcp;  // valid when l4_proto == 6
  uint8_t icmp_type = 0;
  uint8_t icmp_code = 0;

  std::span<const uint8_t> payload;  // L4 payload, cut to the captured bytes and the IP length
  bool payload_truncated = false;    // the capture cut the payload short (snaplen)

  // Bit (1u << DecodeAnomaly) for each anomaly found in this frame. A frame that
  // decodes (kOk) may still carry counted anomalies that did not stop decoding:
  // a bad IPv4 or TCP option, a UDP length that disagrees with IP.
  uint32_t anomalies = 0;

  bool is_tcp() const { return l4_proto == 6 && !frag.is_fragment; }
  bool is_udp() const { return l4_proto == 17 && !frag.is_fragment; }
};

}  // namespace ww

#pragma once
// Fluent builder of one frame: Ethernet (+ 802.1Q / 802.1ad tags) or raw IP,
// IPv4 or IPv6 (+ extension headers), then TCP, UDP, ICMP/ICMPv6 or raw bytes.
//
//   auto frame = FrameBuilder()
//                    .ethernet(client_mac, server_mac).vlan(10)
//                    .ipv4(client_ip, server_ip).ip_id(7).ip_dont_fragment()
//                    .tcp(40000, 25).seq(1).ack(1).flags(tcp_flag::kAck | tcp_flag::kPsh)
//                    .payload("EHLO example.org\r\n")
//                    .build();
//
// Lengths and checksums (IPv4 header, TCP/UDP/ICMPv6 with the pseudo-header)
// are computed by build(); the *_override setters force a value instead, to
// make malformed frames for decoder tests. Setters for a layer that was not
// chosen are kept but ignored (e.g. seq() on a UDP frame).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tools/gen/net_types.h"

namespace ww::gen {

class FrameBuilder {
 public:
  // --- link layer ---
  // kEthernet (default) writes an Ethernet header; kRaw, kIpv4 and kIpv6 write
  // the IP packet alone (LINKTYPE_RAW and friends). Other types are rejected.
  FrameBuilder& link(LinkType type);
  FrameBuilder& raw_ip() { return link(LinkType::kRaw); }
  FrameBuilder& ethernet(const MacAddress& src, const MacAddress& dst);
  // Adds a tag inside the ones already added (first call = outermost).
  FrameBuilder& vlan(uint16_t id, uint8_t pcp = 0);
  // 802.1ad outer tag (TPID 0x88a8) then 802.1Q inner tag.
  FrameBuilder& qinq(uint16_t outer_id, uint16_t inner_id);
  FrameBuilder& vlan_tag(const VlanTag& tag);
  // Link type and tags in one go, as flows carry them.
  FrameBuilder& link_spec(const LinkSpec& spec);
  FrameBuilder& ethertype_override(uint16_t type);

  // --- IP ---
  FrameBuilder& ipv4(const IpAddress& src, const IpAddress& dst);
  FrameBuilder& ipv6(const IpAddress& src, const IpAddress& dst);
  // Picks ipv4() or ipv6() from the address family.
  FrameBuilder& ip(const IpAddress& src, const IpAddress& dst);
  FrameBuilder& ip_id(uint16_t id);
  FrameBuilder& ttl(uint8_t ttl);  // IPv4 TTL or IPv6 hop limit
  FrameBuilder& hop_limit(uint8_t h) { return ttl(h); }
  FrameBuilder& tos(uint8_t tos);  // IPv4 TOS or IPv6 traffic class
  FrameBuilder& flow_label(uint32_t label);
  FrameBuilder& ip_dont_fragment(bool df = true);
  // IPv4 fragment fields: offset in bytes (multiple of 8) and more-fragments.
  FrameBuilder& ip_fragment(uint16_t offset_bytes, bool more_fragments);
  // IPv4 options, padded with end-of-list bytes to a multiple of four (max 40).
  FrameBuilder& ip_options(std::span<const uint8_t> options);
  // Protocol number when no L4 header is built (payload is the whole IP payload).
  FrameBuilder& ip_protocol(uint8_t proto);
  // IPv6 extension header with 8-octet length units (hop-by-hop 0, routing 43,
  // destination options 60, ...): `body` follows the next-header and length
  // bytes and is zero-padded to 6 + 8k bytes (zero = Pad1 in option headers).
  // Headers are chained in call order.
  FrameBuilder& ipv6_extension(uint8_t type, std::span<const uint8_t> body);
  // IPv6 fragment header at this point of the chain.
  FrameBuilder& ipv6_fragment(uint16_t offset_bytes, bool more_fragments, uint32_t id);
  FrameBuilder& ip_checksum_override(uint16_t sum);
  // IPv4 total length or IPv6 payload length.
  FrameBuilder& ip_length_override(uint16_t length);

  // --- TCP ---
  FrameBuilder& tcp(uint16_t src_port, uint16_t dst_port);
  FrameBuilder& seq(uint32_t seq);
  FrameBuilder& ack(uint32_t ack);
  FrameBuilder& flags(uint8_t flags);  // tcp_flag::k*
  FrameBuilder& window(uint16_t window);
  FrameBuilder& urgent(uint16_t pointer);
  // Options are laid out in call order, then padded with end-of-list bytes.
  FrameBuilder& nop();
  FrameBuilder& mss(uint16_t mss);
  FrameBuilder& wscale(uint8_t shift);
  FrameBuilder& sack_permitted();
  FrameBuilder& timestamps(uint32_t ts_val, uint32_t ts_ecr);
  FrameBuilder& tcp_option(std::span<const uint8_t> raw);
  FrameBuilder& tcp_data_offset_override(uint8_t words);

  // --- UDP / ICMP ---
  FrameBuilder& udp(uint16_t src_port, uint16_t dst_port);
  // ICMP (IPv4) or ICMPv6 (IPv6): type, code and the 32-bit "rest of header".
  FrameBuilder& icmp(uint8_t type, uint8_t code, uint32_t rest = 0);
  // Echo request/reply with the right type numbers for the IP version.
  FrameBuilder& icmp_echo(bool reply, uint16_t id, uint16_t sequence);
  // Forces the TCP/UDP/ICMP checksum.
  FrameBuilder& l4_checksum_override(uint16_t sum);

  FrameBuilder& payload(std::span<const uint8_t> bytes);
  FrameBuilder& payload(std::string_view text);

  std::vector<uint8_t> build() const;
  // Same into `out` (cleared first), reusing its capacity.
  void build_into(std::vector<uint8_t>& out) const;
  // Builds the datagram, then splits its IP payload into fragments of at most
  // `max_fragment_payload` bytes (rounded down to a multiple of 8). IPv4 sets
  // offset/MF with the same id; IPv6 adds a fragment header after the
  // extension headers already added. The L4 checksum covers the whole datagram.
  std::vector<std::vector<uint8_t>> build_fragments(size_t max_fragment_payload) const;

 private:
  enum class L4 : uint8_t { kNone, kTcp, kUdp, kIcmp };
  struct Ext {
    uint8_t type;
    std::vector<uint8_t> bytes;  // everything after the next-header byte
  };

  size_t link_header_bytes() const;
  size_t write_link(std::vector<uint8_t>& out, uint16_t ethertype) const;
  void write_l4(std::vector<uint8_t>& out) const;
  void finish_l4(std::vector<uint8_t>& out, size_t l4_start) const;

  // link
  LinkType link_ = LinkType::kEthernet;
  MacAddress src_mac_{0x02, 0, 0, 0, 0, 1};
  MacAddress dst_mac_{0x02, 0, 0, 0, 0, 2};
  std::vector<VlanTag> vlans_;
  std::optional<uint16_t> ethertype_;
  // ip
  uint8_t ip_version_ = 4;
  IpAddress src_ = ip4(192, 0, 2, 1);
  IpAddress dst_ = ip4(192, 0, 2, 2);
  uint16_t ip_id_ = 0;
  uint8_t ttl_ = 64;
  uint8_t tos_ = 0;
  uint32_t flow_label_ = 0;
  bool dont_fragment_ = false;
  uint16_t frag_offset_ = 0;
  bool more_fragments_ = false;
  std::vector<uint8_t> ip_options_;
  std::optional<uint8_t> ip_proto_;
  std::vector<Ext> ext_;
  std::optional<uint16_t> ip_checksum_;
  std::optional<uint16_t> ip_length_;
  // l4
  L4 l4_ = L4::kNone;
  uint16_t src_port_ = 0;
  uint16_t dst_port_ = 0;
  uint32_t seq_ = 0;
  uint32_t ack_ = 0;
  uint8_t flags_ = 0;
  uint16_t window_ = 65535;
  uint16_t urgent_ = 0;
  std::vector<uint8_t> tcp_options_;
  std::optional<uint8_t> data_offset_;
  uint8_t icmp_type_ = 0;
  uint8_t icmp_code_ = 0;
  uint32_t icmp_rest_ = 0;
  bool icmp_echo_ = false;
  bool icmp_echo_reply_ = false;
  std::optional<uint16_t> l4_checksum_;
  std::vector<uint8_t> payload_;
};

}  // namespace ww::gen

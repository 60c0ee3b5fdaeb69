// Table-driven decoder tests: one row per frame shape, each with the result and
// the fields it must produce. Every anomaly row of decode_anomalies.h is hit by
// at least one case (checked by decoder_table/every_anomaly_is_covered).

#include <bit>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "sensor/decode/decoder.h"
#include "tests/unit/decode/frame_builder.h"

// Test rows name only the fields they care about; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace ww::test {
namespace {

using A = DecodeAnomaly;
using R = DecodeResult;

// Fields to check; an empty optional is not checked.
struct Expect {
  std::optional<uint8_t> ip_version;
  std::optional<uint8_t> l4_proto;
  std::optional<std::string> src;
  std::optional<std::string> dst;
  std::optional<uint16_t> src_port;
  std::optional<uint16_t> dst_port;
  std::optional<Bytes> payload;
  std::optional<bool> payload_truncated;
  std::optional<size_t> l3_len;
  std::optional<size_t> l3_payload_len;
  std::optional<uint8_t> vlan_count;
  std::optional<bool> is_fragment;
  std::optional<uint32_t> frag_offset;
  std::optional<uint32_t> frag_id;
  std::optional<bool> more_fragments;
  std::optional<uint8_t> icmp_type;
  std::optional<uint8_t> icmp_code;
  std::function<void(const DecodedPacket&)> more;  // anything else (TCP options, VLAN ids)
};

struct Case {
  std::string description;
  LinkType link;
  Bytes frame;
  R result;
  std::optional<A> anomaly;  // what decode_frame reports; none = DecodeAnomaly::kCount
  Expect expect;
  std::optional<uint32_t> wire_len;  // default: the frame was captured whole
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.description; }

const Bytes kSmtp = text("EHLO mail.example.com\r\n");
const Bytes kDns = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

Bytes tcp4(const Bytes& payload = kSmtp) { return ipv4({}, tcp({}, payload)); }
Bytes tcp6(const Bytes& payload = kSmtp) { return ipv6({}, tcp({}, payload)); }
Bytes udp4() { return ipv4({.proto = 17}, udp(5353, 53, kDns)); }
Bytes udp6() { return ipv6({.next = 17}, udp(5353, 53, kDns)); }

// A TCP SYN with every option the decoder reads.
Bytes syn_options() {
  return concat(concat(concat(opt_mss(1460), opt_sack_permitted()), opt_timestamp(7, 0)),
                concat(opt_nop(), opt_wscale(7)));
}

Expect tcp_smtp(uint8_t version) {
  return {.ip_version = version,
          .l4_proto = 6,
          .src_port = 40000,
          .dst_port = 25,
          .payload = kSmtp,
          .payload_truncated = false,
          .is_fragment = false};
}
Expect udp_dns(uint8_t version) {
  return {.ip_version = version,
          .l4_proto = 17,
          .src_port = 5353,
          .dst_port = 53,
          .payload = kDns,
          .payload_truncated = false};
}
Expect with_vlans(Expect e, std::vector<uint16_t> ids) {
  e.vlan_count = static_cast<uint8_t>(ids.size());
  e.more = [ids](const DecodedPacket& p) {
    for (size_t i = 0; i < ids.size(); ++i) BOOST_TEST(p.vlan[i] == ids[i]);
  };
  return e;
}

// `n` destination-options headers in a row, then TCP.
Bytes ipv6_dstopts_chain(size_t n) {
  Bytes l4 = tcp({}, kSmtp);
  for (size_t i = 0; i < n; ++i) l4 = ext_options(i == 0 ? 6 : kDstOpts, 0, l4);
  return ipv6({.next = kDstOpts}, l4);
}

std::vector<Case> link_cases() {
  return {
      {"ethernet ipv4 tcp",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, tcp4()),
       R::kOk,
       {},
       {.ip_version = 4,
        .l4_proto = 6,
        .src = "192.0.2.1",
        .dst = "198.51.100.2",
        .src_port = 40000,
        .dst_port = 25,
        .payload = kSmtp,
        .payload_truncated = false,
        .l3_len = 20 + 20 + kSmtp.size(),
        .l3_payload_len = 20 + kSmtp.size(),
        .vlan_count = 0,
        .is_fragment = false}},
      {"ethernet ipv6 tcp",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, tcp6()),
       R::kOk,
       {},
       {.ip_version = 6,
        .l4_proto = 6,
        .src = "2001:db8::1",
        .dst = "2001:db8::2",
        .src_port = 40000,
        .dst_port = 25,
        .payload = kSmtp,
        .l3_len = 40 + 20 + kSmtp.size(),
        .l3_payload_len = 20 + kSmtp.size()}},
      {"ethernet 802.1Q ipv4 udp",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, udp4(), {{kTpid8021q, 0x2064}}),
       R::kOk,
       {},
       with_vlans(udp_dns(4), {100})},
      {"ethernet QinQ 802.1ad+802.1Q ipv6 tcp",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, tcp6(), {{kTpid8021ad, 0x0123}, {kTpid8021q, 0xe456}}),
       R::kOk,
       {},
       with_vlans(tcp_smtp(6), {0x123, 0x456})},
      {"ethernet QinQ 0x9100+802.1Q ipv4 tcp",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, tcp4(), {{kTpid9100, 10}, {kTpid8021q, 20}}),
       R::kOk,
       {},
       with_vlans(tcp_smtp(4), {10, 20})},
      {"ethernet three VLAN tags",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, tcp4(), {{kTpid8021ad, 1}, {kTpid8021q, 2}, {kTpid8021q, 3}}),
       R::kAnomaly,
       A::vlan_too_many,
       {.vlan_count = 2}},
      {"ethernet VLAN tag cut short",
       LinkType::kEthernet,
       concat(ethernet(kTpid8021q, {}), {0x00, 0x64}),
       R::kAnomaly,
       A::vlan_truncated,
       {}},
      {"ethernet 802.1Q ARP",
       LinkType::kEthernet,
       ethernet(kEtherArp, filled(28), {{kTpid8021q, 7}}),
       R::kNotIp,
       {},
       {.ip_version = 0, .vlan_count = 1}},
      {"ethernet ARP",
       LinkType::kEthernet,
       ethernet(kEtherArp, filled(28)),
       R::kNotIp,
       {},
       {.ip_version = 0}},
      {"ethernet LLDP", LinkType::kEthernet, ethernet(kEtherLldp, filled(40)), R::kNotIp, {}, {}},
      {"ethernet 802.3 length field (LLC)",
       LinkType::kEthernet,
       ethernet(0x0026, concat({0x42, 0x42, 0x03}, filled(35))),
       R::kNotIp,
       {},
       {}},
      {"ethernet shorter than its header",
       LinkType::kEthernet,
       filled(13),
       R::kAnomaly,
       A::link_truncated,
       {}},
      {"ethernet empty frame", LinkType::kEthernet, {}, R::kAnomaly, A::link_truncated, {}},

      {"linux sll ipv4 tcp", LinkType::kLinuxSll, sll(kEtherIpv4, tcp4()), R::kOk, {}, tcp_smtp(4)},
      {"linux sll ipv6 udp", LinkType::kLinuxSll, sll(kEtherIpv6, udp6()), R::kOk, {}, udp_dns(6)},
      {"linux sll with a VLAN tag",
       LinkType::kLinuxSll,
       sll(kTpid8021q, concat({0x00, 0x2a, 0x08, 0x00}, tcp4())),
       R::kOk,
       {},
       with_vlans(tcp_smtp(4), {42})},
      {"linux sll ARP", LinkType::kLinuxSll, sll(kEtherArp, filled(28)), R::kNotIp, {}, {}},
      {"linux sll shorter than its header",
       LinkType::kLinuxSll,
       prefix(sll(kEtherIpv4, {}), 15),
       R::kAnomaly,
       A::link_truncated,
       {}},
      {"linux sll2 ipv4 tcp",
       LinkType::kLinuxSll2,
       sll2(kEtherIpv4, tcp4()),
       R::kOk,
       {},
       tcp_smtp(4)},
      {"linux sll2 ipv6 icmpv6 echo",
       LinkType::kLinuxSll2,
       sll2(kEtherIpv6, ipv6({.next = 58}, icmp(128, 0, text("ping")))),
       R::kOk,
       {},
       {.ip_version = 6,
        .l4_proto = 58,
        .payload = text("ping"),
        .icmp_type = 128,
        .icmp_code = 0}},
      {"linux sll2 shorter than its header",
       LinkType::kLinuxSll2,
       prefix(sll2(kEtherIpv4, {}), 19),
       R::kAnomaly,
       A::link_truncated,
       {}},

      {"raw ipv4", LinkType::kRaw, tcp4(), R::kOk, {}, tcp_smtp(4)},
      {"raw ipv6", LinkType::kRaw, tcp6(), R::kOk, {}, tcp_smtp(6)},
      {"raw with version nibble 5",
       LinkType::kRaw,
       ipv4({.version = 5}, tcp({}, kSmtp)),
       R::kAnomaly,
       A::link_unknown_family,
       {.ip_version = 0}},
      {"raw empty frame", LinkType::kRaw, {}, R::kAnomaly, A::link_truncated, {}},
      {"ipv4-only link", LinkType::kIpv4, udp4(), R::kOk, {}, udp_dns(4)},
      {"ipv4-only link carrying ipv6",
       LinkType::kIpv4,
       tcp6(),
       R::kAnomaly,
       A::ipv4_bad_version,
       {.ip_version = 0}},
      {"ipv6-only link", LinkType::kIpv6, udp6(), R::kOk, {}, udp_dns(6)},
      {"ipv6-only link carrying ipv4",
       LinkType::kIpv6,
       tcp4(),
       R::kAnomaly,
       A::ipv6_bad_version,
       {.ip_version = 0}},

      {"null, little-endian AF_INET",
       LinkType::kNull,
       null_header(2, true, tcp4()),
       R::kOk,
       {},
       tcp_smtp(4)},
      {"null, big-endian AF_INET",
       LinkType::kNull,
       null_header(2, false, tcp4()),
       R::kOk,
       {},
       tcp_smtp(4)},
      {"null, AF_INET6 24 (NetBSD/OpenBSD)",
       LinkType::kNull,
       null_header(24, true, tcp6()),
       R::kOk,
       {},
       tcp_smtp(6)},
      {"null, AF_INET6 28 (FreeBSD)",
       LinkType::kNull,
       null_header(28, true, tcp6()),
       R::kOk,
       {},
       tcp_smtp(6)},
      {"null, AF_INET6 30 (Darwin), big-endian",
       LinkType::kNull,
       null_header(30, false, tcp6()),
       R::kOk,
       {},
       tcp_smtp(6)},
      {"null, unknown family 7",
       LinkType::kNull,
       null_header(7, true, tcp4()),
       R::kAnomaly,
       A::link_unknown_family,
       {}},
      {"null shorter than its header",
       LinkType::kNull,
       {2, 0, 0},
       R::kAnomaly,
       A::link_truncated,
       {}},
      {"loop AF_INET", LinkType::kLoop, loop_header(2, udp4()), R::kOk, {}, udp_dns(4)},
      {"loop AF_INET6 24", LinkType::kLoop, loop_header(24, tcp6()), R::kOk, {}, tcp_smtp(6)},
      {"loop AF_INET6 28", LinkType::kLoop, loop_header(28, tcp6()), R::kOk, {}, tcp_smtp(6)},
      {"loop AF_INET6 30", LinkType::kLoop, loop_header(30, tcp6()), R::kOk, {}, tcp_smtp(6)},
      {"loop in host order is an unknown family",
       LinkType::kLoop,
       null_header(2, true, tcp4()),
       R::kAnomaly,
       A::link_unknown_family,
       {}},
      {"loop shorter than its header", LinkType::kLoop, {0, 0}, R::kAnomaly, A::link_truncated, {}},
      {"link type outside the enum",
       static_cast<LinkType>(9999),
       tcp4(),
       R::kAnomaly,
       A::link_unknown_family,
       {}},
  };
}

std::vector<Case> ipv4_cases() {
  const Bytes seg = tcp({}, kSmtp);
  const Bytes big_payload = filled(1000, 0x41);
  const Bytes big = ethernet(kEtherIpv4, ipv4({}, tcp({}, big_payload)));
  return {
      {"ipv4 options: NOP, NOP, router alert, EOL",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.options = {1, 1, 148, 4, 0, 0}}, seg)),
       R::kOk,
       {},
       {.ip_version = 4,
        .l4_proto = 6,
        .dst_port = 25,
        .payload = kSmtp,
        .l3_payload_len = seg.size()}},
      {"ipv4 option record-route 11 bytes",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.options = {7, 11, 4, 10, 0, 0, 1, 10, 0, 0, 2, 1}}, seg)),
       R::kOk,
       {},
       tcp_smtp(4)},
      {"ipv4 option length 1", LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.options = {7, 1, 0, 0}}, seg)), R::kOk, A::ipv4_bad_option,
       tcp_smtp(4)},
      {"ipv4 option running past the header", LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.options = {1, 68, 9, 0}}, seg)), R::kOk, A::ipv4_bad_option,
       tcp_smtp(4)},
      {"ipv4 option kind without a length byte", LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.options = {1, 1, 1, 130}}, seg)), R::kOk, A::ipv4_bad_option,
       tcp_smtp(4)},
      {"ipv4 header cut at 19 bytes",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, prefix(tcp4(), 19)),
       R::kAnomaly,
       A::ipv4_truncated,
       {.ip_version = 0}},
      {"ethertype ipv4, version 5",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.version = 5}, seg)),
       R::kAnomaly,
       A::ipv4_bad_version,
       {}},
      {"ipv4 ihl 4 (16 bytes)",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.ihl = 4}, seg)),
       R::kAnomaly,
       A::ipv4_bad_ihl,
       {.ip_version = 4, .src = "192.0.2.1"}},
      {"ipv4 ihl 15 beyond the frame",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.total_len = 60, .ihl = 15}, filled(10))),
       R::kAnomaly,
       A::ipv4_bad_ihl,
       {}},
      {"ipv4 total length below the header",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.total_len = 19}, seg)),
       R::kAnomaly,
       A::ipv4_bad_total_len,
       {}},
      {"ipv4 total length beyond a short wire",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.total_len = 200}, seg)),
       R::kAnomaly,
       A::ipv4_len_beyond_frame,
       {.ip_version = 4, .l4_proto = 6}},
      {"ipv4 cut by snaplen inside the payload",
       LinkType::kEthernet,
       prefix(big, 14 + 40 + 100),
       R::kOk,
       {},
       {.ip_version = 4,
        .l4_proto = 6,
        .dst_port = 25,
        .payload = filled(100, 0x41),
        .payload_truncated = true,
        .l3_len = 140},
       static_cast<uint32_t>(big.size())},
      {"ethernet padding and FCS trimmed by the ipv4 total length",
       LinkType::kEthernet,
       concat(ethernet(kEtherIpv4, ipv4({}, tcp({}))), filled(10, 0)),
       R::kOk,
       {},
       {.ip_version = 4,
        .l4_proto = 6,
        .payload = Bytes{},
        .payload_truncated = false,
        .l3_len = 40,
        .l3_payload_len = 20}},
      {"ipv4 first fragment with UDP header",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.proto = 17, .id = 0xbeef, .more_fragments = true},
                                 udp(5353, 53, filled(64), 1508))),
       R::kOk,
       {},
       {.ip_version = 4,
        .l4_proto = 17,
        .src_port = 5353,
        .dst_port = 53,
        .payload = filled(64),
        .l3_payload_len = 72,
        .is_fragment = true,
        .frag_offset = 0,
        .frag_id = 0xbeef,
        .more_fragments = true,
        .more = [](const DecodedPacket& p) { BOOST_TEST(!p.is_udp()); }}},
      {"ipv4 middle fragment",
       LinkType::kEthernet,
       ethernet(kEtherIpv4,
                ipv4({.id = 7, .more_fragments = true, .frag_offset = 1480}, filled(1480))),
       R::kOk,
       {},
       {.ip_version = 4,
        .l4_proto = 6,
        .src_port = 0,
        .dst_port = 0,
        .payload = Bytes{},
        .l3_payload_len = 1480,
        .is_fragment = true,
        .frag_offset = 1480,
        .frag_id = 7,
        .more_fragments = true,
        .more = [](const DecodedPacket& p) { BOOST_TEST(!p.is_tcp()); }}},
      {"ipv4 last fragment",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.id = 7, .frag_offset = 2960}, filled(100))),
       R::kOk,
       {},
       {.l4_proto = 6,
        .l3_payload_len = 100,
        .is_fragment = true,
        .frag_offset = 2960,
        .more_fragments = false}},
      {"ipv4 tiny first fragment (4 bytes of TCP) is not an anomaly",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.more_fragments = true}, prefix(seg, 8))),
       R::kOk,
       {},
       {.l4_proto = 6,
        .src_port = 40000,
        .dst_port = 25,
        .l3_payload_len = 8,
        .is_fragment = true}},
      {"ipv4 don't-fragment is not a fragment",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.dont_fragment = true}, seg)),
       R::kOk,
       {},
       tcp_smtp(4)},
      {"ipv4 GRE is other IP",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.proto = 47}, filled(24))),
       R::kOk,
       {},
       {.ip_version = 4, .l4_proto = 47, .payload = filled(24)}},
      {"ipv4 icmp echo request",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.proto = 1}, icmp(8, 0, text("abcdefgh")))),
       R::kOk,
       {},
       {.ip_version = 4,
        .l4_proto = 1,
        .payload = text("abcdefgh"),
        .icmp_type = 8,
        .icmp_code = 0}},
      {"ipv4 icmp port unreachable",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.proto = 1}, icmp(3, 3, udp4()))),
       R::kOk,
       {},
       {.l4_proto = 1, .payload = udp4(), .icmp_type = 3, .icmp_code = 3}},
      {"ipv4 icmp header cut",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.proto = 1}, prefix(icmp(8, 0), 6))),
       R::kAnomaly,
       A::icmp_truncated,
       {.l4_proto = 1}},
  };
}

std::vector<Case> ipv6_cases() {
  const Bytes seg = tcp({}, kSmtp);
  const Bytes dns = udp(5353, 53, kDns);
  const Bytes big = ethernet(kEtherIpv6, ipv6({.next = 17}, udp(5353, 53, filled(1000, 0x42))));
  return {
      {"ipv6 hop-by-hop then UDP",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kHopByHop}, ext_options(17, 0, dns))),
       R::kOk,
       {},
       udp_dns(6)},
      {"ipv6 routing header then TCP",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kRouting}, ext_routing(6, seg))),
       R::kOk,
       {},
       tcp_smtp(6)},
      {"ipv6 destination options then ICMPv6",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kDstOpts}, ext_options(58, 1, icmp(135, 0, filled(16))))),
       R::kOk,
       {},
       {.ip_version = 6, .l4_proto = 58, .payload = filled(16), .icmp_type = 135, .icmp_code = 0}},
      {"ipv6 AH then TCP",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kAh}, ext_ah(6, 4, seg))),
       R::kOk,
       {},
       {.ip_version = 6,
        .l4_proto = 6,
        .dst_port = 25,
        .payload = kSmtp,
        .l3_payload_len = seg.size()}},
      {"ipv6 hop-by-hop, dst opts, routing, AH, TCP",
       LinkType::kEthernet,
       ethernet(kEtherIpv6,
                ipv6({.next = kHopByHop},
                     ext_options(kDstOpts, 0,
                                 ext_options(kRouting, 0, ext_routing(kAh, ext_ah(6, 1, seg)))))),
       R::kOk,
       {},
       tcp_smtp(6)},
      {"ipv6 first fragment with UDP",
       LinkType::kEthernet,
       ethernet(kEtherIpv6,
                ipv6({.next = kFragment},
                     ext_fragment(17, 0, true, 0xdeadbeef, udp(5353, 53, filled(64), 3000)))),
       R::kOk,
       {},
       {.ip_version = 6,
        .l4_proto = 17,
        .src_port = 5353,
        .dst_port = 53,
        .payload = filled(64),
        .l3_payload_len = 72,
        .is_fragment = true,
        .frag_offset = 0,
        .frag_id = 0xdeadbeef,
        .more_fragments = true}},
      {"ipv6 first fragment, dst opts after the fragment header",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kFragment},
                                 ext_fragment(kDstOpts, 0, true, 9, ext_options(6, 0, seg)))),
       R::kOk,
       {},
       {.l4_proto = 6,
        .src_port = 40000,
        .payload = kSmtp,
        .l3_payload_len = 8 + seg.size(),
        .is_fragment = true,
        .frag_id = 9}},
      {"ipv6 later fragment",
       LinkType::kEthernet,
       ethernet(kEtherIpv6,
                ipv6({.next = kFragment}, ext_fragment(17, 1232, false, 77, filled(300)))),
       R::kOk,
       {},
       {.ip_version = 6,
        .l4_proto = 17,
        .src_port = 0,
        .payload = Bytes{},
        .l3_payload_len = 300,
        .is_fragment = true,
        .frag_offset = 1232,
        .frag_id = 77,
        .more_fragments = false}},
      {"ipv6 no next header ignores trailing bytes",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kDstOpts}, ext_options(kNoNext, 0, filled(12)))),
       R::kOk,
       {},
       {.ip_version = 6, .l4_proto = 59, .payload = Bytes{}}},
      {"ipv6 ESP is other IP",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kEsp}, filled(40))),
       R::kOk,
       {},
       {.l4_proto = 50, .payload = filled(40)}},
      {"ipv6 eight extension headers",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6_dstopts_chain(8)),
       R::kOk,
       {},
       tcp_smtp(6)},
      {"ipv6 nine extension headers",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6_dstopts_chain(9)),
       R::kAnomaly,
       A::ipv6_exthdr_too_many,
       {.ip_version = 6}},
      {"ipv6 hop-by-hop longer than the payload",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kHopByHop}, {6, 2, 1, 4, 0, 0, 0, 0})),
       R::kAnomaly,
       A::ipv6_exthdr_truncated,
       {}},
      {"ipv6 extension header of one byte",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kRouting}, {6})),
       R::kAnomaly,
       A::ipv6_exthdr_truncated,
       {}},
      {"ipv6 fragment header cut",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = kFragment}, {17, 0, 0, 1, 0, 0})),
       R::kAnomaly,
       A::ipv6_exthdr_truncated,
       {}},
      {"ipv6 header cut at 39 bytes",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, prefix(tcp6(), 39)),
       R::kAnomaly,
       A::ipv6_truncated,
       {}},
      {"ethertype ipv6, version 4",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, tcp4()),
       R::kAnomaly,
       A::ipv6_bad_version,
       {}},
      {"ipv6 payload length beyond a short wire",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.payload_len = 500}, seg)),
       R::kAnomaly,
       A::ipv6_len_beyond_frame,
       {.ip_version = 6, .dst = "2001:db8::2"}},
      {"ipv6 UDP cut by snaplen",
       LinkType::kEthernet,
       prefix(big, 14 + 40 + 8 + 50),
       R::kOk,
       {},
       {.ip_version = 6,
        .l4_proto = 17,
        .payload = filled(50, 0x42),
        .payload_truncated = true,
        .l3_len = 98},
       static_cast<uint32_t>(big.size())},
      {"ipv6 padding trimmed by the payload length",
       LinkType::kEthernet,
       concat(ethernet(kEtherIpv6, ipv6({.next = 17}, udp(1, 2, {}))), filled(6, 0)),
       R::kOk,
       {},
       {.l4_proto = 17, .payload = Bytes{}, .l3_len = 48}},
  };
}

std::vector<Case> l4_cases() {
  TcpSpec syn{
      .seq = 0x01020304, .flags = tcp_flag::kSyn, .window = 29200, .options = syn_options()};
  return {
      {"tcp SYN with MSS, SACK-permitted, timestamps, window scale",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({}, tcp(syn))),
       R::kOk,
       {},
       {.l4_proto = 6,
        .payload = Bytes{},
        .more =
            [](const DecodedPacket& p) {
              BOOST_TEST(p.is_tcp());
              BOOST_TEST(p.tcp.flags == tcp_flag::kSyn);
              BOOST_TEST(p.tcp.seq == 0x01020304u);
              BOOST_TEST(p.tcp.window == 29200);
              BOOST_TEST(p.tcp.header_len == 40);
              BOOST_TEST(p.tcp.has_mss);
              BOOST_TEST(p.tcp.mss == 1460);
              BOOST_TEST(p.tcp.sack_permitted);
              BOOST_TEST(p.tcp.has_timestamp);
              BOOST_TEST(p.tcp.ts_val == 7u);
              BOOST_TEST(p.tcp.ts_ecr == 0u);
              BOOST_TEST(p.tcp.has_wscale);
              BOOST_TEST(p.tcp.wscale == 7);
            }}},
      {"tcp data with ack, push, urgent",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({}, tcp({.seq = 5,
                                          .ack = 0xfffffff0,
                                          .flags = tcp_flag::kAck | tcp_flag::kPsh | tcp_flag::kUrg,
                                          .urgent = 3},
                                         kSmtp))),
       R::kOk,
       {},
       {.l4_proto = 6,
        .payload = kSmtp,
        .more =
            [](const DecodedPacket& p) {
              BOOST_TEST(p.tcp.ack == 0xfffffff0u);
              BOOST_TEST(p.tcp.urgent == 3);
              BOOST_TEST(p.tcp.flags == (tcp_flag::kAck | tcp_flag::kPsh | tcp_flag::kUrg));
              BOOST_TEST(!p.tcp.has_mss);
              BOOST_TEST(!p.tcp.has_timestamp);
            }}},
      {"tcp unknown options and SACK blocks are skipped",
       LinkType::kEthernet,
       ethernet(kEtherIpv4,
                ipv4({}, tcp({.options = concat({30, 4, 0, 0, 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2},
                                                opt_mss(536))},
                             kSmtp))),
       R::kOk,
       {},
       {.payload = kSmtp,
        .more =
            [](const DecodedPacket& p) {
              BOOST_TEST(p.tcp.has_mss);
              BOOST_TEST(p.tcp.mss == 536);
            }}},
      {"tcp MSS option of length 5 keeps the segment",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({}, tcp({.options = {2, 5, 5, 0xb4, 0}}, kSmtp))),
       R::kOk,
       A::tcp_bad_option,
       {.l4_proto = 6,
        .dst_port = 25,
        .payload = kSmtp,
        .more =
            [](const DecodedPacket& p) {
              BOOST_TEST(p.is_tcp());
              BOOST_TEST(!p.tcp.has_mss);
            }}},
      {"tcp option of length 0",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({}, tcp({.options = concat(opt_wscale(2), {99, 0})}, kSmtp))),
       R::kOk,
       A::tcp_bad_option,
       {.payload = kSmtp, .more = [](const DecodedPacket& p) { BOOST_TEST(p.tcp.has_wscale); }}},
      {"tcp option running past the header",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({}, tcp({.options = {1, 1, 8, 10}}, kSmtp))),
       R::kOk,
       A::tcp_bad_option,
       {.payload = kSmtp}},
      {"tcp option kind without a length byte",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({}, tcp({.options = {1, 1, 1, 2}}, kSmtp))),
       R::kOk,
       A::tcp_bad_option,
       {.payload = kSmtp}},
      {"tcp timestamps of the wrong length",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({}, tcp({.options = {8, 6, 0, 0, 0, 1}}, kSmtp))),
       R::kOk,
       A::tcp_bad_option,
       {.payload = kSmtp,
        .more = [](const DecodedPacket& p) { BOOST_TEST(!p.tcp.has_timestamp); }}},
      {"tcp timestamps one byte short",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({}, tcp({.options = {8, 9, 0, 0, 0, 1, 0, 0, 0}}, kSmtp))),
       R::kOk,
       A::tcp_bad_option,
       {.payload = kSmtp,
        .more = [](const DecodedPacket& p) { BOOST_TEST(!p.tcp.has_timestamp); }}},
      {"tcp header cut at 10 bytes",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({}, filled(10))),
       R::kAnomaly,
       A::tcp_truncated,
       {.ip_version = 4, .l4_proto = 6}},
      {"tcp data offset 4",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({}, tcp({.data_offset = 4}, kSmtp))),
       R::kAnomaly,
       A::tcp_bad_offset,
       {.src_port = 40000, .dst_port = 25}},
      {"tcp data offset beyond the segment",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({}, tcp({.data_offset = 15}, filled(10)))),
       R::kAnomaly,
       A::tcp_bad_offset,
       {}},
      {"tcp options cut by snaplen",
       LinkType::kEthernet,
       prefix(ethernet(kEtherIpv4, ipv4({}, tcp(syn))), 14 + 20 + 30),
       R::kAnomaly,
       A::tcp_truncated,
       {},
       14 + 20 + 40},
      {"udp length shorter than the IP payload",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.proto = 17}, udp(1000, 53, kDns, 8 + 4))),
       R::kOk,
       A::udp_bad_len,
       {.src_port = 1000, .dst_port = 53, .payload = prefix(kDns, 4)}},
      {"udp length longer than the IP payload",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = 17}, udp(1000, 53, kDns, 400))),
       R::kOk,
       A::udp_bad_len,
       {.payload = kDns, .payload_truncated = false}},
      {"udp length below its header",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.proto = 17}, udp(1000, 53, kDns, 3))),
       R::kOk,
       A::udp_bad_len,
       {.payload = Bytes{}}},
      {"udp short length inside a snaplen cut is not truncated",
       LinkType::kEthernet,
       prefix(ethernet(kEtherIpv4, ipv4({.proto = 17}, udp(1, 2, filled(500), 8 + 10))),
              14 + 20 + 8 + 40),
       R::kOk,
       A::udp_bad_len,
       {.payload = filled(10), .payload_truncated = false},
       14 + 20 + 8 + 500},
      {"udp header cut",
       LinkType::kEthernet,
       ethernet(kEtherIpv4, ipv4({.proto = 17}, filled(6))),
       R::kAnomaly,
       A::udp_truncated,
       {.l4_proto = 17}},
      {"icmpv6 header cut",
       LinkType::kEthernet,
       ethernet(kEtherIpv6, ipv6({.next = 58}, {128, 0, 0})),
       R::kAnomaly,
       A::icmp_truncated,
       {}},
  };
}

std::vector<Case> all_cases() {
  std::vector<Case> all;
  for (auto* part : {&link_cases, &ipv4_cases, &ipv6_cases, &l4_cases}) {
    for (Case& c : part()) all.push_back(std::move(c));
  }
  return all;
}

bool inside(std::span<const uint8_t> view, std::span<const uint8_t> frame) {
  if (view.empty()) return true;
  return view.data() >= frame.data() && view.data() + view.size() <= frame.data() + frame.size();
}

void check_expect(const Expect& e, const DecodedPacket& p) {
  if (e.ip_version) BOOST_TEST(p.ip_version == *e.ip_version);
  if (e.l4_proto) BOOST_TEST(p.l4_proto == *e.l4_proto);
  if (e.src) BOOST_TEST(p.src.to_string() == *e.src);
  if (e.dst) BOOST_TEST(p.dst.to_string() == *e.dst);
  if (e.src_port) BOOST_TEST(p.src_port == *e.src_port);
  if (e.dst_port) BOOST_TEST(p.dst_port == *e.dst_port);
  if (e.payload) {
    const Bytes got(p.payload.begin(), p.payload.end());
    BOOST_TEST(got == *e.payload, boost::test_tools::per_element());
  }
  if (e.payload_truncated) BOOST_TEST(p.payload_truncated == *e.payload_truncated);
  if (e.l3_len) BOOST_TEST(p.l3.size() == *e.l3_len);
  if (e.l3_payload_len) BOOST_TEST(p.l3_payload.size() == *e.l3_payload_len);
  if (e.vlan_count) BOOST_TEST(p.vlan_count == *e.vlan_count);
  if (e.is_fragment) BOOST_TEST(p.frag.is_fragment == *e.is_fragment);
  if (e.frag_offset) BOOST_TEST(p.frag.offset == *e.frag_offset);
  if (e.frag_id) BOOST_TEST(p.frag.id == *e.frag_id);
  if (e.more_fragments) BOOST_TEST(p.frag.more_fragments == *e.more_fragments);
  if (e.icmp_type) BOOST_TEST(p.icmp_type == *e.icmp_type);
  if (e.icmp_code) BOOST_TEST(p.icmp_code == *e.icmp_code);
  if (e.more) e.more(p);
}

// Decodes a case into fresh counters; returns the packet's anomaly mask.
uint32_t run_case(const Case& c) {
  const ExactBuffer buf(c.frame);
  const uint32_t wire = c.wire_len.value_or(static_cast<uint32_t>(c.frame.size()));
  DecodedPacket p;
  p.src_port = 0xdead;  // leftovers from an earlier frame must not survive
  p.anomalies = 0xffffffff;
  DecodeCounters counters;
  DecodeAnomaly reported = A::ipv4_truncated;
  const R result = decode_frame(c.link, buf.span(), wire, 1706400000123456, p, counters, &reported);

  BOOST_TEST(static_cast<int>(result) == static_cast<int>(c.result));
  BOOST_TEST(std::string(decode_anomaly_name(reported)) ==
             decode_anomaly_name(c.anomaly.value_or(DecodeAnomaly::kCount)));
  check_expect(c.expect, p);

  // Invariants every row shares.
  BOOST_TEST(p.ts_us == 1706400000123456);
  BOOST_TEST(p.wire_len == wire);
  BOOST_TEST(p.cap_len == c.frame.size());
  BOOST_TEST(inside(p.l3, buf.span()));
  BOOST_TEST(inside(p.l3_payload, p.l3));
  BOOST_TEST(inside(p.payload, p.l3));
  if (c.anomaly) BOOST_TEST((p.anomalies >> static_cast<unsigned>(*c.anomaly) & 1u) == 1u);
  if (!c.anomaly) BOOST_TEST(p.anomalies == 0u);
  BOOST_TEST(p.src_port != 0xdead);  // nothing survives from the previous frame

  BOOST_TEST(counters.packets == 1u);
  BOOST_TEST(counters.anomaly_total() == static_cast<uint64_t>(std::popcount(p.anomalies)));
  BOOST_TEST(counters.not_ip == (result == R::kNotIp ? 1u : 0u));
  BOOST_TEST(counters.vlan == (p.vlan_count > 0 ? 1u : 0u));
  BOOST_TEST(counters.truncated_payload == (result == R::kOk && p.payload_truncated ? 1u : 0u));
  const uint64_t l4_counted =
      counters.tcp + counters.udp + counters.icmp + counters.other_ip + counters.fragments;
  if (result == R::kOk) {
    // A decoded IP packet lands in exactly one L4 bucket (fragments are their own).
    BOOST_TEST(counters.ipv4 + counters.ipv6 == 1u);
    BOOST_TEST(l4_counted == 1u);
    BOOST_TEST(counters.ipv4 == (p.ip_version == 4 ? 1u : 0u));
    BOOST_TEST(counters.fragments == (p.frag.is_fragment ? 1u : 0u));
    BOOST_TEST(counters.tcp == (p.is_tcp() ? 1u : 0u));
    BOOST_TEST(counters.udp == (p.is_udp() ? 1u : 0u));
  } else {
    BOOST_TEST(l4_counted == 0u);
  }
  return p.anomalies;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(decoder_table)

BOOST_DATA_TEST_CASE(decodes_as_expected, boost::unit_test::data::make(all_cases()), c) {
  run_case(c);
}

BOOST_AUTO_TEST_CASE(every_anomaly_is_covered) {
  uint32_t seen = 0;
  for (const Case& c : all_cases()) {
    const uint32_t found = run_case(c);
    // Only a row that names the anomaly, and really produced it, covers it.
    if (c.anomaly) seen |= found & (1u << static_cast<unsigned>(*c.anomaly));
  }
  for (size_t i = 0; i < kDecodeAnomalyCount; ++i) {
    const auto a = static_cast<DecodeAnomaly>(i);
    BOOST_TEST_CONTEXT("anomaly " << decode_anomaly_name(a)) { BOOST_TEST((seen >> i & 1u) == 1u); }
  }
}

BOOST_AUTO_TEST_CASE(counters_add_up_over_the_table) {
  DecodeCounters total;
  size_t ok = 0, not_ip = 0, anomalous = 0, tagged = 0;
  for (const Case& c : all_cases()) {
    const ExactBuffer buf(c.frame);
    DecodedPacket p;
    DecodeCounters one;
    const R r = decode_frame(c.link, buf.span(),
                             c.wire_len.value_or(static_cast<uint32_t>(c.frame.size())), 0, p, one);
    ok += r == R::kOk;
    not_ip += r == R::kNotIp;
    anomalous += r == R::kAnomaly;
    tagged += p.vlan_count > 0;
    total.merge(one);
  }
  const size_t n = all_cases().size();
  BOOST_TEST(total.packets == n);
  BOOST_TEST(ok + not_ip + anomalous == n);
  BOOST_TEST(total.not_ip == not_ip);
  BOOST_TEST(total.vlan == tagged);
  BOOST_TEST(total.tcp + total.udp + total.icmp + total.other_ip + total.fragments == ok);
  // Soft anomalies ride on kOk packets, so there are at least as many as fatal ones.
  BOOST_TEST(total.anomaly_total() >= anomalous);
  BOOST_TEST(total.tcp > 0u);
  BOOST_TEST(total.udp > 0u);
  BOOST_TEST(total.icmp > 0u);
  BOOST_TEST(total.other_ip > 0u);
  BOOST_TEST(total.fragments > 0u);
  BOOST_TEST(total.truncated_payload > 0u);
}

BOOST_AUTO_TEST_CASE(out_is_reset_between_frames) {
  DecodedPacket p;
  DecodeCounters counters;
  const Bytes first = ethernet(kEtherIpv4, tcp4(), {{kTpid8021q, 5}});
  const Bytes second = ethernet(kEtherArp, filled(28));
  BOOST_TEST(static_cast<int>(decode_frame(LinkType::kEthernet, first, first.size(), 1, p,
                                           counters)) == static_cast<int>(R::kOk));
  BOOST_TEST(p.src_port == 40000);
  BOOST_TEST(static_cast<int>(decode_frame(LinkType::kEthernet, second, second.size(), 2, p,
                                           counters)) == static_cast<int>(R::kNotIp));
  BOOST_TEST(p.src_port == 0);
  BOOST_TEST(p.ip_version == 0);
  BOOST_TEST(p.vlan_count == 0);
  BOOST_TEST(p.payload.empty());
  BOOST_TEST(p.l3.empty());
  BOOST_TEST(!p.tcp.has_mss);
  BOOST_TEST(p.ts_us == 2);
}

BOOST_AUTO_TEST_CASE(anomaly_argument_is_optional) {
  DecodedPacket p;
  DecodeCounters counters;
  const Bytes bad = filled(5);
  BOOST_TEST(static_cast<int>(decode_frame(LinkType::kEthernet, bad, bad.size(), 0, p, counters)) ==
             static_cast<int>(R::kAnomaly));
  BOOST_TEST(counters.anomalies[static_cast<size_t>(A::link_truncated)] == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww::test

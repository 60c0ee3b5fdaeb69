#include "tools/gen/frame_builder.h"

#include <boost/test/unit_test.hpp>

#include "gen_test_util.h"
#include "tools/gen/checksum.h"

using namespace ww::gen;
namespace tf = ww::tcp_flag;

namespace {

const MacAddress kMacA{0x02, 0, 0, 0, 0, 0xa};
const MacAddress kMacB{0x02, 0, 0, 0, 0, 0xb};

gen_test::Parsed parse(const std::vector<uint8_t>& f, uint32_t link = 1) {
  auto p = gen_test::parse_frame(f, link);
  BOOST_REQUIRE_MESSAGE(p.error.empty(), p.error);
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gen_frame_builder)

// Known answer: the IPv4 header from the Wikipedia "IPv4 header checksum"
// example (45 00 00 73 00 00 40 00 40 11 .. c0 a8 00 01 c0 a8 00 c7) sums to b861.
BOOST_AUTO_TEST_CASE(ipv4_header_checksum_known_answer) {
  const auto f = FrameBuilder()
                     .ethernet(kMacA, kMacB)
                     .ipv4(ip4(192, 168, 0, 1), ip4(192, 168, 0, 199))
                     .ip_id(0)
                     .ip_dont_fragment()
                     .ttl(64)
                     .udp(1000, 2000)
                     .payload(std::vector<uint8_t>(0x73 - 28, 0))
                     .build();
  BOOST_TEST(f.size() == 14u + 0x73u);
  BOOST_TEST(f[14 + 10] == 0xb8);
  BOOST_TEST(f[14 + 11] == 0x61);
}

BOOST_AUTO_TEST_CASE(checksum_helpers) {
  // RFC 1071 example words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d.
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  BOOST_TEST(checksum_add(0, data) == 0x2ddf0u);
  BOOST_TEST(internet_checksum(data) == 0x220d);
  const uint8_t odd[] = {0x01};
  BOOST_TEST(internet_checksum(odd) == static_cast<uint16_t>(~0x0100));
}

BOOST_AUTO_TEST_CASE(ethernet_ipv4_tcp_with_options) {
  const std::string data = "hello, world";
  const auto f = FrameBuilder()
                     .ethernet(kMacA, kMacB)
                     .ipv4(ip4(10, 0, 0, 1), ip4(10, 0, 0, 2))
                     .ip_id(0x1234)
                     .ttl(128)
                     .ip_dont_fragment()
                     .tcp(40000, 25)
                     .seq(1000)
                     .ack(2000)
                     .flags(tf::kSyn)
                     .window(8192)
                     .mss(1460)
                     .sack_permitted()
                     .timestamps(7, 0)
                     .nop()
                     .wscale(7)
                     .payload(data)
                     .build();
  // Ethernet: destination first.
  BOOST_TEST(std::vector<uint8_t>(f.begin(), f.begin() + 6) ==
                 std::vector<uint8_t>(kMacB.begin(), kMacB.end()),
             boost::test_tools::per_element());
  BOOST_TEST(gen_test::be16(&f[12]) == 0x0800);
  const auto p = parse(f);
  BOOST_TEST(p.ip_version == 4);
  BOOST_TEST(p.ip_id == 0x1234);
  BOOST_TEST(p.ttl == 128);
  BOOST_TEST(p.df);
  BOOST_TEST(!p.mf);
  BOOST_TEST(p.proto == 6);
  BOOST_TEST(p.sport == 40000);
  BOOST_TEST(p.dport == 25);
  BOOST_TEST(p.seq == 1000u);
  BOOST_TEST(p.ack == 2000u);
  BOOST_TEST(p.flags == tf::kSyn);
  BOOST_TEST(p.window == 8192);
  // MSS(4) SACK-perm(2) TS(10) NOP(1) WS(3) = 20 bytes, no padding needed.
  const std::vector<uint8_t> opts = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                     0, 7, 0,    0,    0, 0, 1, 3,  3, 7};
  BOOST_TEST(p.tcp_options == opts, boost::test_tools::per_element());
  BOOST_TEST(std::string(p.payload.begin(), p.payload.end()) == data);
  BOOST_TEST(p.ip_checksum_ok);
  BOOST_TEST(p.l4_checksum_ok);
}

BOOST_AUTO_TEST_CASE(tcp_options_are_padded_to_four_bytes) {
  const auto f = FrameBuilder().raw_ip().tcp(1, 2).mss(536).wscale(2).build();
  const auto p = parse(f, 101);
  BOOST_TEST(p.tcp_options.size() == 8u);  // 4 + 3 + 1 end-of-list
  BOOST_TEST(p.tcp_options.back() == 0);
  BOOST_TEST(p.l4_checksum_ok);
}

BOOST_AUTO_TEST_CASE(vlan_and_qinq_tags) {
  const auto one = FrameBuilder().ethernet(kMacA, kMacB).vlan(100, 5).udp(1, 2).build();
  BOOST_TEST(gen_test::be16(&one[12]) == 0x8100);
  BOOST_TEST(gen_test::be16(&one[14]) == ((5 << 13) | 100));
  BOOST_TEST(gen_test::be16(&one[16]) == 0x0800);

  const auto two = FrameBuilder().ethernet(kMacA, kMacB).qinq(300, 42).udp(1, 2).build();
  const auto p = parse(two);
  BOOST_TEST(p.tags.size() == 2u);
  BOOST_TEST(p.tags[0].first == 0x88a8);
  BOOST_TEST(p.tags[0].second == 300);
  BOOST_TEST(p.tags[1].first == 0x8100);
  BOOST_TEST(p.tags[1].second == 42);
  BOOST_TEST(p.l4_checksum_ok);
}

BOOST_AUTO_TEST_CASE(ipv4_options_and_fragment_fields) {
  const uint8_t rr[] = {7, 7, 4, 0, 0, 0, 0};  // record route, one slot (7 bytes -> 8)
  const auto f = FrameBuilder()
                     .ethernet(kMacA, kMacB)
                     .ipv4(ip4(1, 2, 3, 4), ip4(5, 6, 7, 8))
                     .ip_options(rr)
                     .ip_fragment(1480, true)
                     .ip_protocol(17)
                     .payload(std::vector<uint8_t>(16, 9))
                     .build();
  BOOST_TEST((f[14] & 0x0f) == 7);  // 20 + 8 bytes of options
  const auto p = parse(f);
  BOOST_TEST(p.ip_checksum_ok);
  BOOST_TEST(p.mf);
  BOOST_TEST(p.frag_offset == 1480);
  BOOST_TEST(p.proto == 17);
  BOOST_TEST(p.payload.size() == 16u);
}

BOOST_AUTO_TEST_CASE(ipv6_udp_with_extension_headers) {
  const auto src = *parse_ip("2001:db8::1");
  const auto dst = *parse_ip("2001:db8::2");
  const uint8_t hbh[] = {1, 4, 0, 0, 0, 0};  // PadN option filling the header
  const auto f = FrameBuilder()
                     .ethernet(kMacA, kMacB)
                     .ipv6(src, dst)
                     .hop_limit(33)
                     .flow_label(0xabcde)
                     .ipv6_extension(ip_proto::kHopByHop, hbh)
                     .ipv6_extension(ip_proto::kDestOptions, {})
                     .udp(5353, 53)
                     .payload("query")
                     .build();
  BOOST_TEST(gen_test::be16(&f[12]) == 0x86dd);
  BOOST_TEST(f[14 + 6] == ip_proto::kHopByHop);             // IPv6 next header
  BOOST_TEST(f[14 + 40] == ip_proto::kDestOptions);         // hop-by-hop next header
  BOOST_TEST(f[14 + 48] == ip_proto::kUdp);                 // destination options next header
  BOOST_TEST(gen_test::be16(&f[14 + 4]) == 8 + 8 + 8 + 5);  // payload length
  BOOST_TEST((gen_test::be32(&f[14]) & 0xfffff) == 0xabcdeu);
  const auto p = parse(f);
  BOOST_TEST(p.ip_version == 6);
  BOOST_TEST(p.ttl == 33);
  BOOST_TEST(p.proto == 17);
  BOOST_TEST(p.sport == 5353);
  BOOST_TEST(p.l4_checksum_ok);
}

BOOST_AUTO_TEST_CASE(ipv6_tcp_checksum_uses_v6_pseudo_header) {
  const auto f = FrameBuilder()
                     .raw_ip()
                     .ipv6(*parse_ip("2001:db8:1::10"), *parse_ip("2001:db8:ff::20"))
                     .tcp(33000, 443)
                     .flags(tf::kAck | tf::kPsh)
                     .payload(std::vector<uint8_t>(999, 0x5a))
                     .build();
  BOOST_TEST(f[0] >> 4 == 6);
  const auto p = parse(f, 101);
  BOOST_TEST(p.l4_checksum_ok);
  BOOST_TEST(p.payload.size() == 999u);
}

BOOST_AUTO_TEST_CASE(icmp_echo_types_follow_ip_version) {
  const auto v4req = parse(FrameBuilder().icmp_echo(false, 0x1234, 7).payload("ping").build());
  BOOST_TEST(v4req.proto == 1);
  BOOST_TEST(v4req.icmp_type == 8);
  BOOST_TEST(v4req.icmp_id == 0x1234);
  BOOST_TEST(v4req.icmp_seq == 7);
  BOOST_TEST(v4req.l4_checksum_ok);
  const auto v4rep = parse(FrameBuilder().icmp_echo(true, 1, 1).build());
  BOOST_TEST(v4rep.icmp_type == 0);

  const auto v6 = *parse_ip("2001:db8::1");
  const auto v6req =
      parse(FrameBuilder().ipv6(v6, v6).icmp_echo(false, 9, 1).payload("ping").build());
  BOOST_TEST(v6req.proto == 58);
  BOOST_TEST(v6req.icmp_type == 128);
  BOOST_TEST(v6req.l4_checksum_ok);
  const auto v6rep = parse(FrameBuilder().ipv6(v6, v6).icmp_echo(true, 9, 1).build());
  BOOST_TEST(v6rep.icmp_type == 129);
  BOOST_TEST(v6rep.l4_checksum_ok);
}

BOOST_AUTO_TEST_CASE(raw_ip_has_no_link_header) {
  const auto eth = FrameBuilder().udp(1, 2).payload("x").build();
  const auto raw = FrameBuilder().raw_ip().udp(1, 2).payload("x").build();
  BOOST_TEST(raw.size() + 14 == eth.size());
  BOOST_TEST(raw[0] == 0x45);
  BOOST_TEST(std::vector<uint8_t>(eth.begin() + 14, eth.end()) == raw,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(overrides_make_malformed_frames) {
  const auto bad_ip = parse(FrameBuilder().ip_checksum_override(0xdead).udp(1, 2).build());
  BOOST_TEST(!bad_ip.ip_checksum_ok);
  BOOST_TEST(bad_ip.l4_checksum_ok);
  const auto bad_l4 = parse(FrameBuilder().tcp(1, 2).l4_checksum_override(0x1111).build());
  BOOST_TEST(!bad_l4.l4_checksum_ok);
  const auto f = FrameBuilder().ethertype_override(0x0806).udp(1, 2).build();
  BOOST_TEST(gen_test::be16(&f[12]) == 0x0806);
  const auto g = FrameBuilder().ip_length_override(9999).udp(1, 2).build();
  BOOST_TEST(gen_test::be16(&g[16]) == 9999);
}

BOOST_AUTO_TEST_CASE(ipv4_fragments_reassemble_to_the_datagram) {
  std::vector<uint8_t> body(3000);
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<uint8_t>(i * 7);
  FrameBuilder b;
  b.ethernet(kMacA, kMacB)
      .ipv4(ip4(10, 0, 0, 1), ip4(10, 0, 0, 2))
      .ip_id(77)
      .udp(5000, 6000)
      .payload(body);
  const auto whole = parse(b.build());
  const auto frags = b.build_fragments(1000);  // 1000 -> 1000 (multiple of 8)
  BOOST_TEST(frags.size() == 4u);              // 3008 bytes of UDP datagram
  std::vector<uint8_t> joined;
  for (size_t i = 0; i < frags.size(); ++i) {
    const auto p = parse(frags[i]);
    BOOST_TEST(p.ip_checksum_ok);
    BOOST_TEST(p.ip_id == 77);
    BOOST_TEST(p.frag_offset == i * 1000);
    BOOST_TEST(p.mf == (i + 1 < frags.size()));
    joined.insert(joined.end(), p.payload.begin(), p.payload.end());
  }
  // The joined IP payload is the UDP header + body of the unfragmented datagram.
  const auto full = b.build();
  BOOST_TEST(joined == std::vector<uint8_t>(full.begin() + 34, full.end()),
             boost::test_tools::per_element());
  BOOST_TEST(whole.l4_checksum_ok);
}

BOOST_AUTO_TEST_CASE(ipv6_fragments_carry_a_fragment_header) {
  const auto a = *parse_ip("2001:db8::a");
  FrameBuilder b;
  b.raw_ip().ipv6(a, a).ip_id(0x4242).tcp(1, 2).payload(std::vector<uint8_t>(2500, 1));
  const auto frags = b.build_fragments(1232);
  BOOST_TEST(frags.size() == 3u);
  size_t total = 0;
  for (size_t i = 0; i < frags.size(); ++i) {
    BOOST_TEST(frags[i][6] == ip_proto::kFragment);
    BOOST_TEST(frags[i][40] == ip_proto::kTcp);
    const auto p = parse(frags[i], 101);
    BOOST_TEST(p.v6_fragment);
    BOOST_TEST(p.ip_id == 0x4242);
    BOOST_TEST(p.frag_offset == i * 1232);
    BOOST_TEST(p.mf == (i + 1 < frags.size()));
    total += p.payload.size();
  }
  BOOST_TEST(total == 20u + 2500u);
}

BOOST_AUTO_TEST_SUITE_END()

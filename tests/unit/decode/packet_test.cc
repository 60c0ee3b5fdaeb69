// Link type mapping, address text (RFC 5952), the anomaly catalogue and the
// counter arithmetic.

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "sensor/decode/decode_anomalies.h"
#include "sensor/decode/decoder.h"
#include "sensor/decode/packet.h"

namespace ww {
namespace {

IpAddress v6_words(std::initializer_list<uint16_t> words) {
  IpAddress a;
  a.family = 6;
  size_t i = 0;
  for (uint16_t w : words) {
    a.bytes[i++] = static_cast<uint8_t>(w >> 8);
    a.bytes[i++] = static_cast<uint8_t>(w);
  }
  return a;
}

struct AddressText {
  IpAddress address;
  std::string text;
};
std::ostream& operator<<(std::ostream& os, const AddressText& t) { return os << t.text; }

// RFC 5952 section 4 and its examples, plus the forms glibc's inet_ntop gets wrong.
std::vector<AddressText> address_texts() {
  const uint8_t v4[] = {192, 0, 2, 33};
  const uint8_t v4_zero[] = {0, 0, 0, 0};
  const uint8_t v4_max[] = {255, 255, 255, 255};
  return {
      {IpAddress::v4(v4), "192.0.2.33"},
      {IpAddress::v4(v4_zero), "0.0.0.0"},
      {IpAddress::v4(v4_max), "255.255.255.255"},
      {v6_words({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), "2001:db8::1"},
      {v6_words({0, 0, 0, 0, 0, 0, 0, 0}), "::"},
      {v6_words({0, 0, 0, 0, 0, 0, 0, 1}), "::1"},
      {v6_words({1, 0, 0, 0, 0, 0, 0, 0}), "1::"},
      {v6_words({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}), "2001:db8:0:1:1:1:1:1"},  // 4.2.2
      {v6_words({0x2001, 0, 0, 1, 0, 0, 0, 1}), "2001:0:0:1::1"},             // 4.2.3 longest
      {v6_words({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), "2001:db8::1:0:0:1"},     // 4.2.3 first
      {v6_words({0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa}),
       "2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa"},                                // 4.3 lower case
      {v6_words({0x2001, 0xdb8, 0, 0, 0, 0, 0x0002, 0x0001}), "2001:db8::2:1"},  // 4.1
      {v6_words({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0221}), "::ffff:192.0.2.33"},  // 5
      {v6_words({0, 0, 0, 0, 0, 0, 1, 2}), "::1:2"},                             // glibc: ::0.1.0.2
      {v6_words({0, 0, 0, 0, 0, 0, 0xc000, 0x0221}), "::c000:221"},
      {v6_words({0xfe80, 0, 0, 0, 0x0211, 0x22ff, 0xfe33, 0x4455}), "fe80::211:22ff:fe33:4455"},
      {IpAddress{}, ""},
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(packet_model)

BOOST_AUTO_TEST_CASE(pcap_link_types_map_to_decodable_ones) {
  const std::vector<std::pair<int, LinkType>> accepted = {
      {0, LinkType::kNull},        {1, LinkType::kEthernet}, {101, LinkType::kRaw},
      {12, LinkType::kRaw},        {14, LinkType::kRaw},     {108, LinkType::kLoop},
      {113, LinkType::kLinuxSll},  {228, LinkType::kIpv4},   {229, LinkType::kIpv6},
      {276, LinkType::kLinuxSll2},
  };
  for (const auto& [dlt, want] : accepted) {
    LinkType got = LinkType::kEthernet;
    BOOST_TEST_CONTEXT("dlt " << dlt) {
      BOOST_TEST(link_type_from_pcap(dlt, got));
      BOOST_TEST(static_cast<uint32_t>(got) == static_cast<uint32_t>(want));
    }
  }
  for (int dlt : {-1, 2, 6, 9, 10, 100, 105, 127, 147, 227, 230, 275, 277, 65536}) {
    LinkType got = LinkType::kIpv6;
    BOOST_TEST_CONTEXT("dlt " << dlt) {
      BOOST_TEST(!link_type_from_pcap(dlt, got));
      BOOST_TEST(static_cast<uint32_t>(got) == static_cast<uint32_t>(LinkType::kIpv6));
    }
  }
}

BOOST_AUTO_TEST_CASE(link_type_names_are_distinct) {
  std::set<std::string> names;
  for (LinkType t : {LinkType::kNull, LinkType::kEthernet, LinkType::kRaw, LinkType::kLoop,
                     LinkType::kLinuxSll, LinkType::kIpv4, LinkType::kIpv6, LinkType::kLinuxSll2}) {
    const std::string name = link_type_name(t);
    BOOST_TEST(name != "unknown");
    BOOST_TEST(names.insert(name).second, name);
  }
  BOOST_TEST(std::string(link_type_name(LinkType::kEthernet)) == "ethernet");
  BOOST_TEST(std::string(link_type_name(static_cast<LinkType>(9999))) == "unknown");
}

BOOST_DATA_TEST_CASE(address_text_is_canonical, boost::unit_test::data::make(address_texts()),
                     row) {
  BOOST_TEST(row.address.to_string() == row.text);
  if (!row.text.empty()) {
    IpAddress back;
    BOOST_TEST(IpAddress::parse(row.text, back));
    BOOST_TEST((back == row.address));
  }
}

BOOST_AUTO_TEST_CASE(parse_accepts_non_canonical_text) {
  IpAddress a;
  BOOST_TEST(IpAddress::parse("2001:DB8:0:0:0:0:0:01", a));
  BOOST_TEST(a.family == 6);
  BOOST_TEST(a.to_string() == "2001:db8::1");
  BOOST_TEST(IpAddress::parse("::FFFF:10.1.2.3", a));
  BOOST_TEST(a.to_string() == "::ffff:10.1.2.3");
  BOOST_TEST(IpAddress::parse("10.0.0.255", a));
  BOOST_TEST(a.family == 4);
  BOOST_TEST(a.length() == 4u);
  BOOST_TEST(a.bytes[3] == 255);
  BOOST_TEST(a.bytes[4] == 0);  // the unused tail stays zero, so == and <=> work
}

BOOST_AUTO_TEST_CASE(parse_rejects_bad_text) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "::g", "1::2::3",
        "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "12345::", "localhost", "0x7f.0.0.1"}) {
    IpAddress a;
    a.family = 9;
    BOOST_TEST_CONTEXT("'" << bad << "'") {
      BOOST_TEST(!IpAddress::parse(bad, a));
      BOOST_TEST(a.family == 9);  // untouched on failure
    }
  }
}

BOOST_AUTO_TEST_CASE(addresses_order_by_family_then_bytes) {
  IpAddress a, b, c;
  BOOST_TEST(IpAddress::parse("10.0.0.1", a));
  BOOST_TEST(IpAddress::parse("10.0.0.2", b));
  BOOST_TEST(IpAddress::parse("::1", c));
  BOOST_TEST((a < b));
  BOOST_TEST((b < c));
  BOOST_TEST((a != b));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decode_anomaly_catalogue)

BOOST_AUTO_TEST_CASE(names_are_the_identifiers_and_unique) {
  std::set<std::string> names;
  for (size_t i = 0; i < kDecodeAnomalyCount; ++i) {
    const auto a = static_cast<DecodeAnomaly>(i);
    const std::string name = decode_anomaly_name(a);
    BOOST_TEST_CONTEXT("row " << i << " " << name) {
      BOOST_TEST(!name.empty());
      BOOST_TEST(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
                 std::string::npos);
      BOOST_TEST(names.insert(name).second);
      BOOST_TEST(std::string(decode_anomaly_description(a)).size() > 10u);
    }
  }
  BOOST_TEST(std::string(decode_anomaly_name(DecodeAnomaly::tcp_bad_option)) == "tcp_bad_option");
  BOOST_TEST(std::string(decode_anomaly_name(DecodeAnomaly::link_truncated)) == "link_truncated");
  BOOST_TEST(std::string(decode_anomaly_name(DecodeAnomaly::icmp_truncated)) == "icmp_truncated");
  BOOST_TEST(std::string(decode_anomaly_name(DecodeAnomaly::kCount)) == "unknown");
  BOOST_TEST(std::string(decode_anomaly_description(static_cast<DecodeAnomaly>(200))) ==
             "unknown decode anomaly");
}

BOOST_AUTO_TEST_CASE(counters_total_and_merge) {
  DecodeCounters a, b;
  a.packets = 10;
  a.ipv4 = 7;
  a.ipv6 = 2;
  a.tcp = 5;
  a.udp = 1;
  a.icmp = 1;
  a.other_ip = 1;
  a.fragments = 1;
  a.vlan = 3;
  a.not_ip = 1;
  a.truncated_payload = 2;
  a.anomalies[0] = 4;
  a.anomalies[kDecodeAnomalyCount - 1] = 1;
  b.packets = 1;
  b.ipv4 = 1;
  b.ipv6 = 1;
  b.tcp = 1;
  b.udp = 1;
  b.icmp = 1;
  b.other_ip = 1;
  b.fragments = 1;
  b.vlan = 1;
  b.not_ip = 1;
  b.truncated_payload = 1;
  b.anomalies[0] = 1;
  b.anomalies[3] = 2;
  BOOST_TEST(a.anomaly_total() == 5u);
  BOOST_TEST(DecodeCounters{}.anomaly_total() == 0u);

  a.merge(b);
  BOOST_TEST(a.packets == 11u);
  BOOST_TEST(a.ipv4 == 8u);
  BOOST_TEST(a.ipv6 == 3u);
  BOOST_TEST(a.tcp == 6u);
  BOOST_TEST(a.udp == 2u);
  BOOST_TEST(a.icmp == 2u);
  BOOST_TEST(a.other_ip == 2u);
  BOOST_TEST(a.fragments == 2u);
  BOOST_TEST(a.vlan == 4u);
  BOOST_TEST(a.not_ip == 2u);
  BOOST_TEST(a.truncated_payload == 3u);
  BOOST_TEST(a.anomalies[0] == 5u);
  BOOST_TEST(a.anomalies[3] == 2u);
  BOOST_TEST(a.anomalies[kDecodeAnomalyCount - 1] == 1u);
  BOOST_TEST(a.anomaly_total() == 8u);
  BOOST_TEST(b.packets == 1u);  // the source is unchanged
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

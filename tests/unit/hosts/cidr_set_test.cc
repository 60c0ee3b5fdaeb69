#include <boost/test/unit_test.hpp>

#include "rules/hosts/cidr_set.h"
#include "rules/hosts/host_config.h"
#include "rules/hosts/port_set.h"
#include "tests/unit/hosts/hosts_test_util.h"

using namespace ww;
using hosts_test::ip;

BOOST_AUTO_TEST_SUITE(cidr_set)

BOOST_AUTO_TEST_CASE(ipv4_ipv6_and_bare_addresses) {
  CidrSet s;
  std::string err;
  BOOST_REQUIRE(
      CidrSet::parse("[10.0.0.0/8, 192.168.1.0/24 2001:db8::/32,198.51.100.7, ::1]", s, &err));
  BOOST_TEST(s.contains(ip("10.255.255.255")));
  BOOST_TEST(s.contains(ip("10.0.0.0")));
  BOOST_TEST(!s.contains(ip("11.0.0.0")));
  BOOST_TEST(!s.contains(ip("9.255.255.255")));
  BOOST_TEST(s.contains(ip("192.168.1.77")));
  BOOST_TEST(!s.contains(ip("192.168.2.1")));
  BOOST_TEST(s.contains(ip("198.51.100.7")));
  BOOST_TEST(!s.contains(ip("198.51.100.8")));
  BOOST_TEST(s.contains(ip("2001:db8:ffff::1")));
  BOOST_TEST(!s.contains(ip("2001:db9::1")));
  BOOST_TEST(s.contains(ip("::1")));
  BOOST_TEST(!s.contains(ip("::2")));
  // A v4 network does not match the v6 address with the same leading bytes.
  BOOST_TEST(!s.contains(ip("a00::1")));
  BOOST_TEST(s.entries().size() == 5u);
  BOOST_TEST(s.entries()[4] == "::1/128");
}

BOOST_AUTO_TEST_CASE(host_bits_are_masked_and_ranges_merge) {
  CidrSet s;
  std::string err;
  BOOST_REQUIRE(CidrSet::parse("10.1.2.3/8,10.0.0.0/9,10.128.0.0/9,11.0.0.0/8", s, &err));
  BOOST_TEST(s.entries()[0] == "10.0.0.0/8");
  BOOST_TEST(s.range_count() == 1u);  // 10/8 and 11/8 are adjacent: one range
  BOOST_TEST(s.contains(ip("11.200.0.1")));
  BOOST_TEST(!s.contains(ip("12.0.0.0")));
}

BOOST_AUTO_TEST_CASE(zero_prefix_and_mapped_ipv4) {
  CidrSet all, priv;
  std::string err;
  BOOST_REQUIRE(CidrSet::parse("0.0.0.0/0,::/0", all, &err));
  BOOST_TEST(all.contains(ip("255.255.255.255")));
  BOOST_TEST(all.contains(ip("ffff::1")));
  BOOST_REQUIRE(CidrSet::parse("192.168.0.0/16", priv, &err));
  BOOST_TEST(priv.contains(ip("::ffff:192.168.3.4")));
  BOOST_TEST(!priv.contains(IpAddress{}));  // unset address
}

BOOST_AUTO_TEST_CASE(bad_entries_have_clear_messages) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"10.0.0.0/33", "prefix length 33 is out of range for IPv4 (0..32)"},
      {"2001:db8::/129", "out of range for IPv6 (0..128)"},
      {"10.0.0.300", "is not an IPv4 or IPv6 address"},
      {"10.0.0.0/", "missing prefix length"},
      {"10.0.0.0/x", "is not a number"},
      {"/8", "is not an IPv4 or IPv6 address"},
      {"home", "'home'"},
  };
  for (const auto& c : cases) {
    CidrSet s;
    std::string err;
    BOOST_TEST_CONTEXT(c.text) {
      BOOST_TEST(!s.add(c.text, &err));
      BOOST_TEST(err.find(c.expect) != std::string::npos, "message: " << err);
      BOOST_TEST(err.find(std::string("'") + c.text + "'") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(list_parse_is_all_or_nothing) {
  CidrSet s;
  std::string err;
  BOOST_REQUIRE(CidrSet::parse("10.0.0.0/8", s, &err));
  BOOST_TEST(!CidrSet::parse("192.168.0.0/16, 300.1.1.1", s, &err));
  BOOST_TEST(err.find("'300.1.1.1'") != std::string::npos);
  BOOST_TEST(s.contains(ip("10.1.1.1")));      // unchanged
  BOOST_TEST(!s.contains(ip("192.168.0.1")));  // nothing half-applied
  BOOST_TEST(CidrSet::parse("", s, &err));
  BOOST_TEST(s.empty());
}

BOOST_AUTO_TEST_CASE(port_sets) {
  PortSet p;
  std::string err;
  BOOST_REQUIRE(PortSet::parse("3127-3198,1080", p, &err));
  BOOST_TEST(p.contains(3127));
  BOOST_TEST(p.contains(3198));
  BOOST_TEST(!p.contains(3199));
  BOOST_TEST(!p.contains(3126));
  BOOST_TEST(p.contains(1080));
  BOOST_TEST(p.count() == 73u);
  BOOST_TEST(p.to_string() == "1080,3127-3198");
  const char* bad[] = {"0", "65536", "3198-3127", "a-b", "31x", "-5", "1-"};
  for (const char* b : bad) {
    PortSet q;
    BOOST_TEST_CONTEXT(b) {
      BOOST_TEST(!PortSet::parse(b, q, &err));
      BOOST_TEST(err.find(std::string("'") + b + "'") != std::string::npos, "message: " << err);
    }
  }
}

BOOST_AUTO_TEST_CASE(config_defaults_and_validation) {
  HostConfig c;
  BOOST_TEST(c.validate().empty());
  BOOST_TEST(c.backdoor_ports.to_string() == "3127-3198");
  BOOST_TEST(c.home_net.contains(ip("192.168.1.1")));
  BOOST_TEST(c.home_net.contains(ip("fd00::1")));
  BOOST_TEST(!c.home_net.contains(ip("8.8.8.8")));
  c.sweep_targets = 1;
  BOOST_TEST(c.validate().find("sweep_targets: got 1") != std::string::npos);
  c = HostConfig{};
  c.burst_sessions = kMaxWindowThreshold + 1;
  BOOST_TEST(c.validate().find("burst_sessions") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

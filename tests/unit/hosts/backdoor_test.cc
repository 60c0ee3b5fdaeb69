#include <boost/test/unit_test.hpp>

#include "tests/unit/hosts/hosts_test_util.h"

using namespace ww;
using namespace hosts_test;

namespace {

HostConfig config() {
  HostConfig c;
  c.inventory_interval_s = 0;  // only the final inventory unless a test asks
  return c;
}

const IpAddress kVictim = v4(192, 168, 1, 10);
const IpAddress kOutside = v4(203, 0, 113, 5);

}  // namespace

BOOST_AUTO_TEST_SUITE(backdoor)

BOOST_AUTO_TEST_CASE(listener_in_range_alerts_with_evidence) {
  Recorder r;
  HostTracker t(config(), r.fn());
  t.on_event(ev(K::kSyn, 0, kOutside, kVictim, 3127, 7));
  t.on_event(ev(K::kSynAck, 0.01, kOutside, kVictim, 3127, 7));
  auto a = r.alerts(kListener);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  const auto& j = a[0];
  BOOST_TEST(j["timestamp"] == "2004-01-27T08:00:00.010000+0000");
  BOOST_TEST(j["flow_id"] == 7);
  BOOST_TEST(j["src_ip"] == "203.0.113.5");
  BOOST_TEST(j["dest_ip"] == "192.168.1.10");
  BOOST_TEST(j["dest_port"] == 3127);
  BOOST_TEST(j["proto"] == "TCP");
  BOOST_TEST(j["alert"]["action"] == "allowed");
  BOOST_TEST(j["alert"]["gid"] == 1);
  BOOST_TEST(j["alert"]["rev"] == 1);
  BOOST_TEST(j["alert"]["severity"] == 1);
  BOOST_TEST(j["alert"]["category"] == "Trojan Activity");
  BOOST_TEST(j["alert"]["signature"] == "WORMWATCH backdoor listener on a home host");
  BOOST_TEST(j["host"]["ip"] == "192.168.1.10");
  BOOST_TEST(j["host"]["port"] == 3127);
  BOOST_TEST(j["host"]["connections"] == 1);
  BOOST_TEST(j["host"]["peer_count"] == 1);
  BOOST_TEST(j["host"]["peers"][0] == "203.0.113.5");
  BOOST_TEST(j["host"]["data_exchanged"] == false);
  BOOST_TEST(j["host"]["first_seen"] == "2004-01-27T08:00:00.010000+0000");
  BOOST_TEST(t.counters().listeners == 1u);
}

BOOST_AUTO_TEST_CASE(listener_port_range_edges_and_custom_list) {
  Recorder r;
  HostConfig c = config();
  std::string err;
  BOOST_REQUIRE(PortSet::parse("3127-3198,1080", c.backdoor_ports, &err));
  HostTracker t(c, r.fn());
  for (uint16_t port : {3126, 3127, 3198, 3199, 1080, 80})
    t.on_event(ev(K::kSynAck, 1, kOutside, kVictim, port));
  auto a = r.alerts(kListener);
  BOOST_REQUIRE_EQUAL(a.size(), 3u);
  BOOST_TEST(a[0]["host"]["port"] == 3127);
  BOOST_TEST(a[1]["host"]["port"] == 3198);
  BOOST_TEST(a[2]["host"]["port"] == 1080);
  BOOST_TEST(t.counters().events_ignored == 3u);
}

BOOST_AUTO_TEST_CASE(listener_outside_home_net_or_allowed_is_not_alerted) {
  Recorder r;
  HostConfig c = config();
  std::string err;
  BOOST_REQUIRE(CidrSet::parse("192.168.1.3", c.listener_allow, &err));
  HostTracker t(c, r.fn());
  t.on_event(ev(K::kSynAck, 1, kVictim, kOutside, 3127));             // external listener
  t.on_event(ev(K::kSynAck, 1, kOutside, v4(192, 168, 1, 3), 3128));  // allow-listed proxy
  BOOST_TEST(r.alerts(kListener).empty());
  BOOST_TEST(t.counters().listener_allowed == 1u);
}

BOOST_AUTO_TEST_CASE(listener_on_ipv6_home_net) {
  Recorder r;
  HostConfig c = config();
  std::string err;
  BOOST_REQUIRE(CidrSet::parse("2001:db8:10::/48", c.home_net, &err));
  HostTracker t(c, r.fn());
  t.on_event(ev(K::kHandshake, 1, ip("2001:db8:99::1"), ip("2001:db8:10::42"), 3130, 5));
  t.on_event(ev(K::kHandshake, 1, ip("2001:db8:99::1"), ip("2001:db8:11::42"), 3130, 6));
  auto a = r.alerts(kListener);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  BOOST_TEST(a[0]["host"]["ip"] == "2001:db8:10::42");
  BOOST_TEST(a[0]["dest_ip"] == "2001:db8:10::42");
  BOOST_TEST(a[0].contains("community_id"));
}

BOOST_AUTO_TEST_CASE(listener_suppression_window) {
  Recorder r;
  HostConfig c = config();
  c.suppression_s = 3600;
  HostTracker t(c, r.fn());
  t.on_event(ev(K::kSynAck, 0, kOutside, kVictim, 3127, 1));
  t.on_event(ev(K::kSynAck, 10, v4(203, 0, 113, 6), kVictim, 3127, 2));
  t.on_event(ev(K::kSynAck, 3599.999999, kOutside, kVictim, 3127, 3));
  BOOST_TEST(r.alerts(kListener).size() == 1u);
  t.on_event(ev(K::kSynAck, 20, kOutside, kVictim, 3128, 4));  // another port: its own key
  BOOST_TEST(r.alerts(kListener).size() == 2u);
  t.on_event(ev(K::kSynAck, 3600, kOutside, kVictim, 3127, 5));
  auto a = r.alerts(kListener);
  BOOST_REQUIRE_EQUAL(a.size(), 3u);
  BOOST_TEST(a[2]["host"]["connections"] == 4);
  BOOST_TEST(a[2]["host"]["peer_count"] == 2);
  BOOST_TEST(a[2]["host"]["first_seen"] == "2004-01-27T08:00:00.000000+0000");
  BOOST_TEST(a[2]["host"]["last_seen"] == "2004-01-27T09:00:00.000000+0000");
}

BOOST_AUTO_TEST_CASE(synack_and_handshake_of_one_flow_count_once_and_data_is_recorded) {
  Recorder r;
  HostTracker t(config(), r.fn());
  t.on_event(ev(K::kSynAck, 0, kOutside, kVictim, 3127, 9));
  t.on_event(ev(K::kHandshake, 0.1, kOutside, kVictim, 3127, 9));
  t.on_event(ev(K::kClientPayload, 0.2, kOutside, kVictim, 3127, 9));
  t.finish(at(5));
  auto inv = r.of_type("host");
  BOOST_REQUIRE_EQUAL(inv.size(), 1u);
  const auto& l = inv[0]["host"]["listeners"][0];
  BOOST_TEST(l["connections"] == 1);
  BOOST_TEST(l["data_exchanged"] == true);
  BOOST_TEST(l["client_data"] == true);
  BOOST_TEST(l["server_data"] == false);
  BOOST_TEST(inv[0]["host"]["inventory"] == "final");
  BOOST_TEST(inv[0]["timestamp"] == "2004-01-27T08:00:05.000000+0000");
}

BOOST_AUTO_TEST_CASE(peer_sample_is_bounded_and_sorted_count_goes_on) {
  Recorder r;
  HostConfig c = config();
  c.sample_size = 3;
  HostTracker t(c, r.fn());
  for (int i = 20; i > 0; --i)
    t.on_event(ev(K::kSynAck, 30 - i, v4(198, 51, 100, i), kVictim, 3127));
  t.finish(at(100));
  const auto inv = r.of_type("host");
  BOOST_REQUIRE_EQUAL(inv.size(), 1u);
  const auto& l = inv[0]["host"]["listeners"][0];
  BOOST_REQUIRE_EQUAL(l["peers"].size(), 3u);
  BOOST_TEST(l["peers"][0] == "198.51.100.18");  // the first three seen, sorted
  BOOST_TEST(l["peers"][2] == "198.51.100.20");
  BOOST_TEST(l["peer_count"] == 20);  // linear counting; exact enough at this size
  BOOST_TEST(l["connections"] == 20);
}

BOOST_AUTO_TEST_CASE(periodic_inventory_in_packet_time) {
  Recorder r;
  HostConfig c = config();
  c.inventory_interval_s = 60;
  HostTracker t(c, r.fn());
  t.on_event(ev(K::kSynAck, 0, kOutside, kVictim, 3127));
  t.on_event(ev(K::kSyn, 59.9, kOutside, v4(192, 168, 1, 11), 3127));
  BOOST_TEST(r.of_type("host").empty());
  t.tick(at(60));
  BOOST_TEST(r.of_type("host").size() == 1u);
  t.tick(at(60.5));
  t.tick(at(300));  // a long silence gives one inventory, not four
  BOOST_TEST(r.of_type("host").size() == 2u);
  t.finish(at(301));
  auto inv = r.of_type("host");
  BOOST_REQUIRE_EQUAL(inv.size(), 3u);
  BOOST_TEST(inv[0]["host"]["inventory"] == "periodic");
  BOOST_TEST(inv[2]["host"]["inventory"] == "final");
  BOOST_TEST(t.counters().inventory_records == 3u);
}

BOOST_AUTO_TEST_CASE(upload_accepted_vs_not) {
  Recorder r;
  HostTracker t(config(), r.fn());
  // Flow 1: the server answered the handshake, then the magic arrives.
  t.on_event(ev(K::kSyn, 0, kOutside, kVictim, 3127, 1));
  t.on_event(ev(K::kSynAck, 0.01, kOutside, kVictim, 3127, 1));
  t.on_event(ev(K::kClientPayload, 0.02, kOutside, kVictim, 3127, 1, 0, true));
  // Flow 2: nobody answered (the worker saw only the client side).
  t.on_event(ev(K::kClientPayload, 1, kOutside, v4(192, 168, 1, 20), 3127, 2, 0, true));
  // Flow 3: the worker says the server ACKed, no SYN-ACK event was sent.
  HostEvent e = ev(K::kClientPayload, 2, kOutside, v4(192, 168, 1, 21), 3127, 3, 0, true);
  e.flags = HostEvent::kServerAnswered;
  t.on_event(e);
  // Payload without magic: not an upload.
  t.on_event(ev(K::kClientPayload, 3, kOutside, v4(192, 168, 1, 22), 3127, 4, 0, false));
  auto a = r.alerts(kUpload);
  BOOST_REQUIRE_EQUAL(a.size(), 3u);
  BOOST_TEST(a[0]["host"]["accepted"] == true);
  BOOST_TEST(a[0]["host"]["listener_known"] == true);
  BOOST_TEST(a[0]["host"]["client"] == "203.0.113.5");
  BOOST_TEST(a[0]["alert"]["signature_id"] == kUpload);
  BOOST_TEST(a[1]["host"]["accepted"] == false);
  BOOST_TEST(a[1]["host"]["listener_known"] == false);
  BOOST_TEST(a[2]["host"]["accepted"] == true);
  BOOST_TEST(t.counters().upload_attempts == 3u);
  // Same client, server and port again: suppressed.
  t.on_event(ev(K::kClientPayload, 10, kOutside, kVictim, 3127, 5, 0, true));
  BOOST_TEST(r.alerts(kUpload).size() == 3u);
  BOOST_TEST(t.counters().alerts_suppressed == 1u);
}

BOOST_AUTO_TEST_CASE(sweep_at_threshold_with_sorted_sample) {
  Recorder r;
  HostConfig c = config();
  c.sample_size = 4;
  HostTracker t(c, r.fn());
  // Nine distinct targets (one probed twice): one below the threshold of 10.
  for (int i = 9; i >= 1; --i) t.on_event(ev(K::kSyn, 10 - i, kOutside, v4(192, 168, 2, i), 3127));
  t.on_event(ev(K::kSyn, 9.5, kOutside, v4(192, 168, 2, 1), 3128));
  BOOST_TEST(r.alerts(kSweep).empty());
  t.on_event(ev(K::kSyn, 10, kOutside, v4(8, 8, 8, 8), 3127));  // targets need not be home
  auto a = r.alerts(kSweep);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  const auto& h = a[0]["host"];
  BOOST_TEST(h["ip"] == "203.0.113.5");
  BOOST_TEST(h["home"] == false);
  BOOST_TEST(h["targets"] == 10);
  BOOST_REQUIRE_EQUAL(h["targets_sample"].size(), 4u);
  BOOST_TEST(h["targets_sample"][0] == "8.8.8.8");
  BOOST_TEST(h["targets_sample"][1] == "192.168.2.1");
  BOOST_TEST(h["targets_sample"][3] == "192.168.2.3");
  BOOST_TEST(h["ports"].dump() == "[3127,3128]");
  BOOST_TEST(h["probes"] == 11);
  BOOST_TEST(a[0]["alert"]["severity"] == 2);
}

BOOST_AUTO_TEST_CASE(sweep_targets_slide_out_of_the_window) {
  // Window 300 s: a target exactly 300 s old has slid out.
  for (double last : {299.999, 300.0}) {
    Recorder r;
    HostTracker t(config(), r.fn());
    t.on_event(ev(K::kSyn, 0, kOutside, v4(192, 168, 3, 100), 3127));
    for (int i = 1; i <= 9; ++i) t.on_event(ev(K::kSyn, last, kOutside, v4(192, 168, 3, i), 3127));
    BOOST_TEST_CONTEXT("last probe at " << last) {
      BOOST_TEST(r.alerts(kSweep).size() == (last < 300 ? 1u : 0u));
    }
  }
}

BOOST_AUTO_TEST_CASE(sweep_suppressed_then_raised_again) {
  Recorder r;
  HostConfig c = config();
  c.sweep_targets = 3;
  c.suppression_s = 100;
  HostTracker t(c, r.fn());
  auto sweep = [&](double t0, int base) {
    for (int i = 0; i < 3; ++i)
      t.on_event(ev(K::kSyn, t0 + i, kOutside, v4(10, 0, 0, base + i), 3127));
  };
  sweep(0, 1);
  sweep(10, 11);  // crossing within the suppression window
  BOOST_TEST(r.alerts(kSweep).size() == 1u);
  BOOST_TEST(t.counters().alerts_suppressed == 1u);
  sweep(100, 21);
  BOOST_TEST(r.alerts(kSweep).size() == 2u);
}

BOOST_AUTO_TEST_CASE(same_stream_gives_identical_records) {
  auto run = [] {
    Recorder r;
    HostTracker t(config(), r.fn());
    for (int i = 0; i < 50; ++i) {
      t.on_event(ev(K::kSyn, i, v4(203, 0, 113, i % 7), v4(192, 168, 4, i), 3127 + i % 3, i + 1));
      t.on_event(
          ev(K::kSynAck, i + 0.1, v4(203, 0, 113, i % 7), v4(192, 168, 4, i % 5), 3127, i + 1));
    }
    t.finish(at(100));
    return r.lines;
  };
  auto a = run();
  BOOST_TEST(a.size() == 10u);  // 5 listener alerts, 5 final inventory records
  BOOST_TEST(a == run(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

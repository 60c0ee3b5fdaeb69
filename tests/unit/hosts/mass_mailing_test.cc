#include <boost/test/unit_test.hpp>

#include "tests/unit/hosts/hosts_test_util.h"

using namespace ww;
using namespace hosts_test;

namespace {

HostConfig config() {
  HostConfig c;
  c.inventory_interval_s = 0;
  c.burst_window_s = 60;
  c.burst_distinct_servers = 10;
  c.burst_sessions = 60;
  c.burst_messages_or_recipients = 100;
  return c;
}

const IpAddress kPc = v4(192, 168, 1, 50);
IpAddress mx(int i) { return v4(198, 51, 100, static_cast<uint8_t>(i)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(mass_mailing)

BOOST_AUTO_TEST_CASE(distinct_servers_exactly_at_threshold_and_one_below) {
  Recorder r;
  HostTracker t(config(), r.fn());
  for (int i = 1; i <= 9; ++i) t.on_event(ev(K::kSmtpSession, i, kPc, mx(i), 25, 100 + i));
  t.on_event(ev(K::kSmtpSession, 9.5, kPc, mx(3), 25));  // repeat: not a new server
  BOOST_TEST(r.alerts(kMassMailing).empty());
  t.on_event(ev(K::kSmtpSession, 10, kPc, mx(10), 25, 110));
  auto a = r.alerts(kMassMailing);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  const auto& h = a[0]["host"];
  BOOST_TEST(h["ip"] == "192.168.1.50");
  BOOST_TEST(h["triggers"].dump() == R"(["distinct_servers"])");
  BOOST_TEST(h["distinct_servers"] == 10);
  BOOST_TEST(h["sessions"] == 11);
  BOOST_TEST(h["window_s"] == 60);
  BOOST_REQUIRE_EQUAL(h["servers_sample"].size(), 10u);
  BOOST_TEST(h["servers_sample"][0] == "198.51.100.1");
  BOOST_TEST(h["servers_sample"][1] == "198.51.100.2");  // sorted as addresses
  BOOST_TEST(a[0]["app_proto"] == "smtp");
  BOOST_TEST(a[0]["flow_id"] == 110);
  BOOST_TEST(a[0]["alert"]["signature_id"] == kMassMailing);
}

BOOST_AUTO_TEST_CASE(servers_slide_out_of_the_window) {
  Recorder r;
  HostTracker t(config(), r.fn());
  // One new server every 7 s: at most 9 within any 60 s window.
  for (int i = 1; i <= 40; ++i) t.on_event(ev(K::kSmtpSession, i * 7.0, kPc, mx(i), 25));
  BOOST_TEST(r.alerts(kMassMailing).empty());
  // One every 6 s: the 10th arrives 54 s after the first.
  for (int i = 1; i <= 10; ++i)
    t.on_event(ev(K::kSmtpSession, 1000 + i * 6.0, kPc, mx(100 + i), 25));
  BOOST_TEST(r.alerts(kMassMailing).size() == 1u);
}

BOOST_AUTO_TEST_CASE(internal_servers_do_not_count_as_distinct) {
  Recorder r;
  HostTracker t(config(), r.fn());
  for (int i = 1; i <= 20; ++i) t.on_event(ev(K::kSmtpSession, i, kPc, v4(192, 168, 9, i), 25));
  BOOST_TEST(r.alerts(kMassMailing).empty());
}

BOOST_AUTO_TEST_CASE(sessions_threshold) {
  Recorder r;
  HostTracker t(config(), r.fn());
  for (int i = 0; i < 59; ++i) t.on_event(ev(K::kSmtpSession, i * 0.5, kPc, mx(1), 587));
  BOOST_TEST(r.alerts(kMassMailing).empty());
  t.on_event(ev(K::kSmtpSession, 59 * 0.5, kPc, mx(1), 587));
  auto a = r.alerts(kMassMailing);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  BOOST_TEST(a[0]["host"]["triggers"].dump() == R"(["sessions"])");
  BOOST_TEST(a[0]["host"]["sessions"] == 60);
  BOOST_TEST(a[0]["host"]["distinct_servers"] == 1);
}

BOOST_AUTO_TEST_CASE(recipients_threshold_counts_messages_at_least_once) {
  Recorder r;
  HostTracker t(config(), r.fn());
  t.on_event(ev(K::kSmtpSession, 0, kPc, mx(1), 25));
  t.on_event(ev(K::kSmtpMessage, 1, kPc, mx(1), 25, 0, 50));
  t.on_event(ev(K::kSmtpMessage, 2, kPc, mx(1), 25, 0, 48));
  t.on_event(ev(K::kSmtpMessage, 3, kPc, mx(1), 25, 0, 0));  // no RCPT seen: counts as 1
  BOOST_TEST(r.alerts(kMassMailing).empty());                // 99
  // The first message slides out before the next arrives: still below.
  t.on_event(ev(K::kSmtpMessage, 61, kPc, mx(1), 25, 0, 3));  // 48 + 1 + 3 = 52
  BOOST_TEST(r.alerts(kMassMailing).empty());
  t.on_event(ev(K::kSmtpMessage, 61.5, kPc, mx(1), 25, 0, 48));  // 48 + 1 + 3 + 48 = 100
  auto a = r.alerts(kMassMailing);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  BOOST_TEST(a[0]["host"]["triggers"].dump() == R"(["recipients"])");
  BOOST_TEST(a[0]["host"]["recipients"] == 100);
  BOOST_TEST(a[0]["host"]["messages"] == 4);
  BOOST_TEST(a[0]["host"]["recipients_total"] == 150);
  BOOST_TEST(a[0]["host"]["messages_total"] == 5);
}

BOOST_AUTO_TEST_CASE(relays_are_allow_listed_only_when_configured) {
  const IpAddress relay = v4(192, 168, 1, 25);
  auto run = [&](const char* relays) {
    Recorder r;
    HostConfig c = config();
    std::string err;
    BOOST_REQUIRE(CidrSet::parse(relays, c.mail_relays, &err));
    HostTracker t(c, r.fn());
    for (int i = 1; i <= 30; ++i) t.on_event(ev(K::kSmtpSession, i, relay, mx(i), 25));
    return std::make_pair(r.alerts(kMassMailing).size(), t.counters().events_from_relays);
  };
  auto listed = run("192.168.1.0/28, 192.168.1.25");
  BOOST_TEST(listed.first == 0u);
  BOOST_TEST(listed.second == 30u);
  auto not_listed = run("192.168.1.26");  // another relay: this one is not allow-listed
  BOOST_TEST(not_listed.first == 1u);
  BOOST_TEST(not_listed.second == 0u);
}

BOOST_AUTO_TEST_CASE(outside_senders_are_not_judged) {
  Recorder r;
  HostTracker t(config(), r.fn());
  for (int i = 1; i <= 30; ++i) t.on_event(ev(K::kSmtpSession, i, v4(203, 0, 113, 9), mx(i), 25));
  BOOST_TEST(r.alerts(kMassMailing).empty());
}

BOOST_AUTO_TEST_CASE(one_alert_per_suppression_window) {
  Recorder r;
  HostConfig c = config();
  c.suppression_s = 600;
  HostTracker t(c, r.fn());
  int n = 0;
  // A worm mailing one new server per second for 20 minutes.
  for (int s = 0; s < 1200; ++s)
    t.on_event(ev(K::kSmtpSession, s, kPc, v4(100, 64, s / 250, s % 250), 25));
  n = static_cast<int>(r.alerts(kMassMailing).size());
  BOOST_TEST(n == 2);  // at t=9 s and the first crossing at or after 609 s
  auto a = r.alerts(kMassMailing);
  BOOST_TEST(a[1]["timestamp"] == "2004-01-27T08:10:09.000000+0000");
  BOOST_TEST(a[1]["host"]["sessions_total"] == 610);
  BOOST_TEST(t.counters().alerts_suppressed > 0u);
}

BOOST_AUTO_TEST_SUITE_END()

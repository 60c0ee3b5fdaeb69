// A real rsyslogd, started by the test on loopback, receives the records over
// RFC 5424 syslog: UDP, and TCP with RFC 6587 octet counting. The hostile
// record must arrive intact; a TCP peer killed mid-stream and restarted on
// the same port must not cost a record; a tiny spool must count its drops.

#include <boost/test/unit_test.hpp>

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sensor/output/async_sink.h"
#include "sensor/output/sink_spec.h"
#include "tests/unit/output/output_test_util.h"

#include <yaml-cpp/yaml.h>

using namespace ww;
using namespace ww::test;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

bool skip_without_rsyslogd() {
  if (Rsyslogd::available()) return false;
  BOOST_TEST_MESSAGE("SKIPPED: " << Rsyslogd::kBinary
                                 << " is absent (apt-get install rsyslog to run this test)");
  return true;
}

std::string trim_left(std::string s) {
  size_t p = s.find_first_not_of(' ');
  return p == std::string::npos ? std::string() : s.substr(p);
}

// Ids of the JSON records received, with how often each came.
std::map<int, int> received_ids(const std::string& path) {
  std::map<int, int> ids;
  for (const auto& l : read_lines(path)) {
    auto j = json::parse(trim_left(l), nullptr, false);
    if (j.is_object() && j.contains("test_id")) ids[j["test_id"].get<int>()]++;
  }
  return ids;
}

std::unique_ptr<RecordSink> syslog_sink(const std::string& yaml) {
  auto specs = parse_outputs(YAML::Load(yaml));
  BOOST_REQUIRE_EQUAL(specs.size(), 1u);
  return make_sink(specs[0]);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rsyslog)

BOOST_AUTO_TEST_CASE(udp_and_tcp_deliver_every_record_intact) {
  if (skip_without_rsyslogd()) return;
  TempDir d;
  const int udp = free_port(), tcp = free_port();
  Rsyslogd r(d, udp, tcp);
  BOOST_REQUIRE_MESSAGE(r.start(), "rsyslogd did not start: " << r.stderr_text());
  const int n = 200;
  for (const char* type : {"syslog-udp", "syslog-tcp"}) {
    const bool is_tcp = std::string(type) == "syslog-tcp";
    auto sink = syslog_sink(fmt::format(
        "- {{type: {}, address: '127.0.0.1:{}', hostname: wwtest, facility: local5, "
        "backoff: {{initial: 20ms, max: 200ms}}}}",
        type, is_tcp ? tcp : udp));
    const int base = is_tcp ? 10000 : 0;
    for (int i = 0; i < n; ++i) sink->write("flow", plain_record(base + i));
    sink->write("alert", hostile_record(base + n));
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return received_ids(r.out()).count(base + n) > 0 &&
                                                  received_ids(r.out()).size() >= static_cast<size_t>(
                                                      (is_tcp ? 2 : 1) * (n + 1)); },
                                     20s),
                          type << ": rsyslogd received " << received_ids(r.out()).size());
    sink->close(Clock::now() + 2s);
    BOOST_TEST(sink->counters().dropped == 0u);
  }
  auto ids = received_ids(r.out());
  for (int base : {0, 10000})
    for (int i = 0; i <= n; ++i) BOOST_TEST(ids[base + i] == 1, "id " << base + i);
  // The hostile record, parsed back, equals what was sent (both transports).
  int hostile_seen = 0;
  for (const auto& l : read_lines(r.out())) {
    auto j = json::parse(trim_left(l), nullptr, false);
    BOOST_REQUIRE_MESSAGE(j.is_object(), "a received line is not one JSON record: " << l);
    int id = j["test_id"].get<int>();
    if (id == n || id == 10000 + n) {
      BOOST_TEST(j == json::parse(hostile_record(id)));
      ++hostile_seen;
    }
  }
  BOOST_TEST(hostile_seen == 2);
  // rsyslog parsed our RFC 5424 header as we meant it.
  auto hdr = read_lines(r.header_log());
  BOOST_REQUIRE(!hdr.empty());
  BOOST_TEST(hdr.front().rfind("174 2004-01-27T08:00:00", 0) == 0u, hdr.front());  // local5.info
  BOOST_TEST(hdr.front().find(" wwtest wormwatch ") != std::string::npos, hdr.front());
  BOOST_TEST(hdr.front().find(" flow") != std::string::npos, hdr.front());
  bool alert_hdr = false;
  for (const auto& h : hdr) alert_hdr = alert_hdr || h.rfind("170 ", 0) == 0;  // local5.crit
  BOOST_TEST(alert_hdr);
}

BOOST_AUTO_TEST_CASE(cef_over_tcp_arrives_as_one_line_per_record) {
  if (skip_without_rsyslogd()) return;
  TempDir d;
  const int udp = free_port(), tcp = free_port();
  Rsyslogd r(d, udp, tcp);
  BOOST_REQUIRE_MESSAGE(r.start(), "rsyslogd did not start: " << r.stderr_text());
  auto sink = syslog_sink(fmt::format(
      "- {{type: syslog-tcp, address: '127.0.0.1:{}', format: cef, types: [alerts]}}", tcp));
  for (int i = 0; i < 5; ++i) {
    sink->write("flow", plain_record(i));  // filtered out
    sink->write("alert", hostile_record(i));
  }
  BOOST_REQUIRE(wait_until([&] { return read_lines(r.out()).size() >= 5; }, 20s));
  sink->close(Clock::now() + 2s);
  std::this_thread::sleep_for(200ms);
  auto lines = read_lines(r.out());
  BOOST_TEST(lines.size() == 5u);
  MessageOptions mo;
  mo.format = RecordFormat::cef;
  for (size_t i = 0; i < lines.size(); ++i)
    BOOST_TEST(trim_left(lines[i]) == build_message(mo, "alert", hostile_record(static_cast<int>(i))));
}

BOOST_AUTO_TEST_CASE(tcp_peer_killed_and_restarted_loses_nothing) {
  if (skip_without_rsyslogd()) return;
  TempDir d;
  const int udp = free_port(), tcp = free_port();
  auto r = std::make_unique<Rsyslogd>(d, udp, tcp, "first");
  BOOST_REQUIRE_MESSAGE(r->start(), "rsyslogd did not start: " << r->stderr_text());
  auto sink = syslog_sink(fmt::format(
      "- {{type: syslog-tcp, address: '127.0.0.1:{}', backoff: {{initial: 20ms, max: 300ms}}, "
      "spool: {{memory_bytes: 64MiB}}}}",
      tcp));
  const int n = 6000;
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < n; ++i) {
      sink->write("flow", plain_record(i));
      written = i + 1;
      if (i % 100 == 99) std::this_thread::sleep_for(5ms);
    }
  });
  BOOST_REQUIRE(wait_until([&] { return written >= n / 3; }, 20s));
  r->kill(SIGKILL);  // mid-stream, no goodbye
  BOOST_REQUIRE(wait_until([&] { return written >= n / 2; }, 20s));
  std::this_thread::sleep_for(300ms);  // records pile up while nobody listens
  r = std::make_unique<Rsyslogd>(d, udp, tcp, "second");  // same port, same output file
  BOOST_REQUIRE_MESSAGE(r->start(), "rsyslogd did not restart: " << r->stderr_text());
  writer.join();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return received_ids(r->out()).size() >= static_cast<size_t>(n); }, 30s),
                        "received " << received_ids(r->out()).size() << " of " << n);
  sink->close(Clock::now() + 3s);
  auto ids = received_ids(r->out());
  int missing = 0, dup = 0;
  for (int i = 0; i < n; ++i) {
    if (ids[i] == 0) ++missing;
    if (ids[i] > 1) dup += ids[i] - 1;
  }
  auto c = sink->counters();
  BOOST_TEST_MESSAGE("peer restart: duplicates " << dup << ", resent " << c.resent << ", reconnects "
                                                 << c.reconnects);
  BOOST_TEST(missing == 0);
  BOOST_TEST(c.dropped == 0u);
  BOOST_TEST(c.reconnects >= 1u);
  BOOST_TEST(static_cast<uint64_t>(dup) <= c.resent);
}

BOOST_AUTO_TEST_CASE(udp_collector_down_then_up_loses_nothing) {
  if (skip_without_rsyslogd()) return;
  TempDir d;
  const int udp = free_port(), tcp = free_port();
  auto sink = syslog_sink(fmt::format(
      "- {{type: syslog-udp, address: '127.0.0.1:{}', backoff: {{initial: 20ms, max: 100ms}}}}",
      udp));
  const int n = 50;
  for (int i = 0; i < n; ++i) sink->write("flow", plain_record(i));  // port closed: ICMP refusals
  std::this_thread::sleep_for(400ms);
  Rsyslogd r(d, udp, tcp);
  BOOST_REQUIRE_MESSAGE(r.start(), "rsyslogd did not start: " << r.stderr_text());
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return received_ids(r.out()).size() >= static_cast<size_t>(n); }, 20s),
                        "received " << received_ids(r.out()).size() << " of " << n);
  sink->close(Clock::now() + 2s);
  auto c = sink->counters();
  BOOST_TEST(c.resent >= 1u);  // the refused datagrams were sent again
  BOOST_TEST(c.dropped == 0u);
}

BOOST_AUTO_TEST_CASE(tcp_tiny_spool_counts_drops_while_peer_is_down) {
  if (skip_without_rsyslogd()) return;
  TempDir d;
  const int udp = free_port(), tcp = free_port();
  auto sink = syslog_sink(fmt::format(
      "- {{type: syslog-tcp, address: '127.0.0.1:{}', backoff: {{initial: 20ms, max: 100ms}}, "
      "spool: {{memory_bytes: 4KiB}}}}",
      tcp));
  const int n = 200;
  for (int i = 0; i < n; ++i) sink->write("flow", plain_record(i));  // nobody listens yet
  Rsyslogd r(d, udp, tcp);
  BOOST_REQUIRE_MESSAGE(r.start(), "rsyslogd did not start: " << r.stderr_text());
  BOOST_REQUIRE(wait_until([&] { return !received_ids(r.out()).empty(); }, 20s));
  std::this_thread::sleep_for(300ms);
  sink->close(Clock::now() + 2s);
  auto c = sink->counters();
  auto ids = received_ids(r.out());
  BOOST_TEST(c.dropped > 0u);
  BOOST_TEST(ids.size() + c.dropped == static_cast<uint64_t>(n));  // all accounted for
  for (const auto& [id, count] : ids) BOOST_TEST(count == 1);
}

BOOST_AUTO_TEST_SUITE_END()

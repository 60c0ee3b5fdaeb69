#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "rules/hosts/host_index.h"
#include "rules/hosts/host_tracker_thread.h"
#include "rules/hosts/windows.h"
#include "tests/unit/hosts/hosts_test_util.h"

using namespace ww;
using namespace hosts_test;

namespace {

HostConfig config() {
  HostConfig c;
  c.inventory_interval_s = 0;
  return c;
}

const IpAddress kPc = v4(192, 168, 1, 50);
const IpAddress kOutside = v4(203, 0, 113, 5);

void mass_mail(HostTracker& t, double t0) {
  for (int i = 1; i <= 10; ++i)
    t.on_event(ev(K::kSmtpSession, t0 + i, kPc, v4(198, 51, 100, i), 25, 500 + i));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(verdict)

BOOST_AUTO_TEST_CASE(one_sign_is_not_enough) {
  Recorder r;
  HostTracker t(config(), r.fn());
  // Two listener ports on one host are one sign, not two.
  t.on_event(ev(K::kSynAck, 0, kOutside, kPc, 3127, 1));
  t.on_event(ev(K::kSynAck, 10, v4(203, 0, 113, 6), kPc, 3128, 2));
  BOOST_TEST(r.alerts(kListener).size() == 2u);
  // An infected attachment from another host is that host's only sign.
  t.on_event(ev(K::kInfectedAttachment, 20, v4(192, 168, 1, 77), v4(198, 51, 100, 1), 25, 9));
  t.on_event(ev(K::kInfectedAttachment, 21, v4(192, 168, 1, 77), v4(198, 51, 100, 1), 25, 10));
  BOOST_TEST(r.alerts(kInfected).empty());
  BOOST_TEST(t.counters().infected_attachments == 2u);
}

BOOST_AUTO_TEST_CASE(listener_plus_attachment_gives_exactly_one_verdict) {
  Recorder r;
  HostTracker t(config(), r.fn());
  t.on_event(ev(K::kSynAck, 0, kOutside, kPc, 3127, 1));
  BOOST_TEST(r.alerts(kInfected).empty());
  t.on_event(ev(K::kInfectedAttachment, 30, kPc, v4(198, 51, 100, 1), 25, 42));
  auto a = r.alerts(kInfected);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  const auto& h = a[0]["host"];
  BOOST_TEST(h["ip"] == "192.168.1.50");
  BOOST_TEST(h["signs"].dump() == R"(["backdoor_listener","infected_attachment"])");
  BOOST_TEST(h["listeners"][0]["port"] == 3127);
  BOOST_TEST(h["infected_attachments"]["count"] == 1);
  BOOST_TEST(h["infected_attachments"]["flow_ids"][0] == 42);
  BOOST_TEST(a[0]["flow_id"] == 42);
  BOOST_TEST(a[0]["alert"]["signature"] == "WORMWATCH infected host");
  // A third sign and more evidence: still one verdict.
  mass_mail(t, 40);
  t.on_event(ev(K::kInfectedAttachment, 60, kPc, v4(198, 51, 100, 2), 25, 43));
  BOOST_TEST(r.alerts(kMassMailing).size() == 1u);
  BOOST_TEST(r.alerts(kInfected).size() == 1u);
  BOOST_TEST(t.counters().alerts_infected == 1u);
  t.finish(at(100));
  auto inv = r.of_type("host");
  BOOST_REQUIRE_EQUAL(inv.size(), 1u);
  BOOST_TEST(inv[0]["host"]["signs"].size() == 3u);
  BOOST_TEST(inv[0]["host"]["infected"] == true);
  BOOST_TEST(inv[0]["host"]["mail"]["last_burst"]["distinct_servers"] == 10);
}

BOOST_AUTO_TEST_CASE(burst_plus_listener_in_that_order) {
  Recorder r;
  HostTracker t(config(), r.fn());
  mass_mail(t, 0);
  BOOST_TEST(r.alerts(kInfected).empty());
  t.on_event(ev(K::kHandshake, 20, kOutside, kPc, 3150, 7));
  auto a = r.alerts(kInfected);
  BOOST_REQUIRE_EQUAL(a.size(), 1u);
  BOOST_TEST(a[0]["host"]["signs"].dump() == R"(["backdoor_listener","mass_mailing"])");
  BOOST_TEST(a[0]["host"]["mail"]["last_burst"]["triggers"][0] == "distinct_servers");
  // The verdict follows the alert that completed it.
  BOOST_TEST(r.records.back()["alert"]["signature_id"] == kInfected);
}

BOOST_AUTO_TEST_CASE(attachments_relayed_by_mail_relays_are_not_signs) {
  Recorder r;
  HostConfig c = config();
  std::string err;
  BOOST_REQUIRE(CidrSet::parse("192.168.1.50", c.mail_relays, &err));
  HostTracker t(c, r.fn());
  t.on_event(ev(K::kSynAck, 0, kOutside, kPc, 3127, 1));
  t.on_event(ev(K::kInfectedAttachment, 1, kPc, v4(198, 51, 100, 1), 25, 2));
  BOOST_TEST(r.alerts(kInfected).empty());
  BOOST_TEST(t.counters().events_from_relays == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bounds)

BOOST_AUTO_TEST_CASE(host_table_evicts_least_recently_active_at_the_cap) {
  Recorder r;
  HostConfig c = config();
  c.max_hosts = 3;
  HostTracker t(c, r.fn());
  t.on_event(ev(K::kSynAck, 0, kOutside, kPc, 3127, 1));  // listener host: flagged
  for (int i = 1; i <= 3; ++i)
    t.on_event(ev(K::kSyn, i, v4(203, 0, 113, 100 + i), v4(192, 168, 5, i), 3127));
  // kOutside was created by... nothing (a SYN-ACK creates the listener only); kPc is the oldest.
  auto c1 = t.counters();
  BOOST_TEST(c1.hosts_tracked == 3u);
  BOOST_TEST(c1.hosts_evicted == 1u);
  BOOST_TEST(c1.hosts_evicted_flagged == 1u);
  BOOST_TEST(c1.hosts_high_water == 3u);
  // Touching the oldest keeps it: .101 is refreshed, .102 goes next.
  t.on_event(ev(K::kSyn, 10, v4(203, 0, 113, 101), v4(192, 168, 5, 9), 3127));
  t.on_event(ev(K::kSyn, 11, v4(203, 0, 113, 200), v4(192, 168, 5, 9), 3127));
  t.on_event(ev(K::kSyn, 12, v4(203, 0, 113, 101), v4(192, 168, 5, 10), 3127));
  auto c2 = t.counters();
  BOOST_TEST(c2.hosts_evicted == 2u);
  BOOST_TEST(c2.hosts_created == 5u);
  t.finish(at(20));
  BOOST_TEST(r.of_type("host").empty());  // the listener was evicted with its host
  BOOST_TEST(t.memory_bytes() > 0u);
}

BOOST_AUTO_TEST_CASE(a_host_active_in_the_last_half_of_touches_is_never_evicted) {
  Recorder r;
  HostConfig c = config();
  c.max_hosts = 100;
  HostTracker t(c, r.fn());
  double ts = 0;
  for (int i = 0; i < 2000; ++i) {
    if (i % 10 == 0) t.on_event(ev(K::kSynAck, ts, kOutside, kPc, 3127));  // kPc stays active
    t.on_event(ev(K::kSyn, ts += 0.01, v4(100, 64, i / 250, i % 250), v4(8, 8, 8, 8), 3127));
  }
  BOOST_TEST(t.counters().hosts_evicted == 2000u + 1 - 100);
  BOOST_TEST(t.counters().hosts_evicted_flagged == 0u);
  // Quiet now: a table's worth of new hosts pushes it out.
  for (int i = 0; i < 100; ++i)
    t.on_event(ev(K::kSyn, ts += 0.01, v4(100, 65, 0, i), v4(8, 8, 8, 8), 3127));
  BOOST_TEST(t.counters().hosts_evicted_flagged == 1u);
  BOOST_TEST(t.counters().hosts_tracked == 100u);
}

BOOST_AUTO_TEST_CASE(listener_ports_per_host_are_capped) {
  Recorder r;
  HostConfig c = config();
  c.max_listener_ports = 2;
  HostTracker t(c, r.fn());
  for (uint16_t p = 3127; p < 3132; ++p) t.on_event(ev(K::kSynAck, 1, kOutside, kPc, p));
  BOOST_TEST(r.alerts(kListener).size() == 2u);
  BOOST_TEST(t.counters().listener_ports_dropped == 3u);
}

BOOST_AUTO_TEST_CASE(host_index_matches_a_map_under_churn) {
  // Few hash bits on purpose: long probe runs and wrap-around exercise the backward shift.
  HostIndex idx;
  std::map<uint32_t, uint32_t> ref;  // key -> slot
  std::vector<uint32_t> key_of_slot(5000, UINT32_MAX);
  std::mt19937 rng(7);
  auto h = [](uint32_t key) { return (key * 2654435761u) | 0x3ff; };  // low 10 bits all ones
  for (int step = 0; step < 200000; ++step) {
    const uint32_t key = rng() % 3000;
    const uint32_t found = idx.find(h(key), [&](uint32_t s) { return key_of_slot[s] == key; });
    auto it = ref.find(key);
    BOOST_REQUIRE_EQUAL(found, it == ref.end() ? HostIndex::kNone : it->second);
    if (it == ref.end()) {
      const uint32_t slot = key;  // one slot per key keeps the test simple
      key_of_slot[slot] = key;
      idx.insert(h(key), slot);
      ref[key] = slot;
    } else if (rng() % 2) {
      idx.erase(h(key), it->second);
      key_of_slot[it->second] = UINT32_MAX;
      ref.erase(it);
    }
    BOOST_REQUIRE_EQUAL(idx.size(), ref.size());
  }
}

BOOST_AUTO_TEST_CASE(distinct_sketch_error_is_as_documented) {
  DistinctSketch s;
  for (int i = 0; i < 8; ++i) s.add(hash_address(v4(10, 0, 0, i)));
  s.add(hash_address(v4(10, 0, 0, 3)));
  BOOST_TEST(s.estimate() == 8u);
  BOOST_TEST(s.exact());
  for (int n : {100, 500, 1000}) {
    DistinctSketch d;
    for (int i = 0; i < n; ++i) d.add(hash_address(v4(10, 1, i / 256, i % 256)));
    for (int i = 0; i < n; ++i) d.add(hash_address(v4(10, 1, i / 256, i % 256)));  // repeats
    const double err = std::abs(double(d.estimate()) - n) / n;
    BOOST_TEST_CONTEXT(n << " distinct, estimate " << d.estimate()) { BOOST_TEST(err < 0.15); }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(queue)

BOOST_AUTO_TEST_CASE(full_ring_counts_overflow_and_never_blocks) {
  HostEventRing ring(16);
  HostEvent e = ev(K::kSyn, 0, kOutside, kPc, 3127);
  int accepted = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) accepted += ring.try_push(e);
  const auto dt = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(accepted == 16);
  BOOST_TEST(ring.overflow() == 984u);
  BOOST_TEST(dt < std::chrono::milliseconds(100));
  HostEvent out[32];
  BOOST_TEST(ring.pop(out, 32) == 16u);
  BOOST_TEST(ring.try_push(e));  // room again
}

BOOST_AUTO_TEST_CASE(thread_not_started_drains_on_stop) {
  std::vector<std::string> lines;
  HostConfig c = config();
  c.queue_capacity = 16;
  HostTrackerThread th(c, 2,
                       [&](std::string_view, std::string l) { lines.push_back(std::move(l)); });
  int ok = 0;
  for (int i = 0; i < 20; ++i)
    ok += th.try_push(0, ev(K::kSynAck, i, kOutside, v4(192, 168, 6, i), 3127, i + 1));
  BOOST_TEST(ok == 16);
  th.stop();
  auto c1 = th.counters();
  BOOST_TEST(c1.queue_overflow == 4u);
  BOOST_TEST(c1.queue_events == 16u);
  BOOST_TEST(c1.events == 16u);
  BOOST_TEST(c1.alerts_listener == 16u);
  BOOST_TEST(lines.size() == 32u);  // 16 alerts + 16 final inventory records
}

BOOST_AUTO_TEST_CASE(producers_and_tracker_thread_account_for_every_event) {
  std::mutex mu;
  size_t alerts = 0;
  HostConfig c = config();
  c.queue_capacity = 64;  // small: some overflow is likely, and must be counted
  HostTrackerThread th(c, 2, [&](std::string_view type, std::string) {
    std::lock_guard<std::mutex> lock(mu);
    alerts += type == "alert";
  });
  th.start();
  constexpr int kPerWorker = 20000;
  auto worker = [&](size_t id) {
    for (int i = 0; i < kPerWorker; ++i) {
      HostEvent e = ev(K::kSyn, i * 0.001, v4(203, 0, 113, uint8_t(id)),
                       v4(10, 9, i / 256 % 256, i % 256), 3127);
      th.try_push(id, e);
    }
  };
  std::thread w0(worker, 0), w1(worker, 1);
  w0.join();
  w1.join();
  th.stop();
  auto cs = th.counters();
  BOOST_TEST(cs.events + cs.queue_overflow == 2u * kPerWorker);
  BOOST_TEST(cs.events == cs.queue_events);
  BOOST_TEST(alerts >= 1u);  // each source swept
}

BOOST_AUTO_TEST_SUITE_END()

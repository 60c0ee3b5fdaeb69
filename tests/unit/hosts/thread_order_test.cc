// HostTrackerThread merges the workers' rings and the deferred scan verdicts in
// packet-time order behind a watermark: the records equal those of the same
// events fed in canonical order to one HostTracker, whatever the split across
// producers and however late the verdicts come.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "rules/hosts/host_tracker_thread.h"
#include "tests/unit/hosts/hosts_test_util.h"

using namespace ww;
using namespace hosts_test;

namespace {

HostConfig config() {
  HostConfig c;
  c.inventory_interval_s = 0;
  return c;
}

const IpAddress kPc = v4(10, 1, 2, 3);
const IpAddress kScanner = v4(203, 0, 113, 9);

// A worm-infected PC: an infected attachment at t=5 (its verdict comes late), ten
// external MX hosts in 20 s (mass mailing at t=21), a backdoor answer at t=40,
// plus equal-time events on several flows. In time order the verdict completes
// at the mass-mailing alert (signs: attachment, mass mailing); processed on
// arrival it would complete at the listener (mass mailing, listener).
struct Scenario {
  std::vector<HostEvent> worker_events;
  std::vector<HostEvent> verdicts;
};

Scenario scenario() {
  Scenario s;
  HostEvent inf = ev(K::kInfectedAttachment, 5, kPc, v4(198, 51, 100, 200), 25, 900);
  s.verdicts.push_back(inf);
  s.worker_events.push_back(ev(K::kSmtpSession, 1, kPc, v4(198, 51, 100, 200), 25, 900));
  s.worker_events.push_back(ev(K::kSmtpMessage, 5, kPc, v4(198, 51, 100, 200), 25, 900, 1));
  for (int i = 1; i <= 10; ++i)
    s.worker_events.push_back(ev(K::kSmtpSession, 11 + i, kPc, v4(198, 51, 100, i), 25, 500 + i));
  for (int i = 0; i < 12; ++i)  // equal times on different flows
    s.worker_events.push_back(
        ev(K::kSyn, 30, kScanner, v4(10, 1, 3, uint8_t(i + 1)), 3127, 700 + (i * 7) % 12));
  s.worker_events.push_back(ev(K::kSynAck, 40, kScanner, kPc, 3127, 800));
  s.worker_events.push_back(ev(K::kHandshake, 40, kScanner, kPc, 3127, 800));
  std::sort(s.worker_events.begin(), s.worker_events.end(),
            [](const HostEvent& a, const HostEvent& b) { return a.ts_us < b.ts_us; });
  return s;
}

std::vector<std::string> reference(const Scenario& s) {
  std::vector<HostEvent> all = s.worker_events;
  all.insert(all.end(), s.verdicts.begin(), s.verdicts.end());
  std::sort(all.begin(), all.end(), host_event_before);
  Recorder r;
  HostTracker t(config(), r.fn());
  for (const auto& e : all) t.on_event(e);
  t.finish(all.back().ts_us);
  return r.lines;
}

struct Lines {
  std::mutex mu;
  std::vector<std::string> v;
  HostTracker::EmitFn fn() {
    return [this](std::string_view, std::string l) {
      std::lock_guard<std::mutex> lock(mu);
      v.push_back(std::move(l));
    };
  }
};

// Waits until the tracker has processed `n` events or a second passed.
uint64_t wait_events(const HostTrackerThread& th, uint64_t n) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (th.counters().events < n && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return th.counters().events;
}

// Producers split the flows (flow_id % producers), push in time order and advance;
// the verdict is resolved only after every worker has advanced to the end.
void run_split(const Scenario& s, size_t producers, bool reverse_split, Lines& out,
               HostCounters& counters) {
  HostTrackerThread th(config(), producers, out.fn());
  th.start();
  for (const auto& v : s.verdicts) th.defer(v.ts_us);
  std::vector<std::thread> ws;
  std::atomic<int> push_failures{0};  // Boost.Test assertions stay on this thread
  for (size_t p = 0; p < producers; ++p) {
    ws.emplace_back([&, p] {
      for (const auto& e : s.worker_events) {
        const size_t owner = reverse_split ? producers - 1 - e.flow_id % producers
                                           : e.flow_id % producers;
        if (owner != p) continue;
        if (!th.try_push(p, e)) ++push_failures;
        th.advance(p, e.ts_us);
      }
      th.advance(p, INT64_MAX);
    });
  }
  for (auto& w : ws) w.join();
  BOOST_TEST(push_failures.load() == 0);
  // Everything before the pending verdict (t=5) may go; nothing after it.
  const uint64_t before = std::count_if(s.worker_events.begin(), s.worker_events.end(),
                                        [&](const HostEvent& e) { return e.ts_us < at(5); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_TEST(wait_events(th, before) == before);
  for (auto it = s.verdicts.rbegin(); it != s.verdicts.rend(); ++it) th.resolve(it->ts_us, &*it);
  const uint64_t all = s.worker_events.size() + s.verdicts.size();
  BOOST_TEST(wait_events(th, all) == all);  // released without stop(): the watermark moved
  th.stop();
  counters = th.counters();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(thread_order)

BOOST_AUTO_TEST_CASE(canonical_order_breaks_ties_by_flow_then_kind) {
  HostEvent a = ev(K::kSyn, 1, kScanner, kPc, 3127, 5);
  HostEvent b = ev(K::kSynAck, 1, kScanner, kPc, 3127, 5);
  HostEvent c = ev(K::kSyn, 1, kScanner, kPc, 3127, 4);
  HostEvent d = ev(K::kSyn, 0.5, kScanner, kPc, 3127, 9);
  BOOST_TEST(host_event_before(a, b));
  BOOST_TEST(host_event_before(c, a));
  BOOST_TEST(host_event_before(d, c));
  BOOST_TEST(!host_event_before(a, a));
}

BOOST_AUTO_TEST_CASE(late_verdict_is_merged_by_packet_time) {
  const Scenario s = scenario();
  const auto want = reference(s);
  // The reference completes the verdict at the mass-mailing alert, with the attachment sign.
  bool attachment_then_mail = false;
  for (const auto& l : want)
    attachment_then_mail |= l.find("\"signature_id\":1002005") != std::string::npos &&
                            l.find("\"signs\":[\"mass_mailing\",\"infected_attachment\"]") !=
                                std::string::npos;
  BOOST_TEST(attachment_then_mail);
  for (size_t producers : {1, 2, 3}) {
    for (bool reverse : {false, true}) {
      BOOST_TEST_CONTEXT(producers << " producers, reverse split " << reverse) {
        Lines got;
        HostCounters c;
        run_split(s, producers, reverse, got, c);
        BOOST_TEST(got.v == want, boost::test_tools::per_element());
        BOOST_TEST(c.events_released_early == 0u);
        BOOST_TEST(c.events_late == 0u);
        BOOST_TEST(c.queue_overflow == 0u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(resolved_without_event_lifts_the_hold) {
  Lines got;
  HostTrackerThread th(config(), 1, got.fn());
  th.start();
  th.defer(at(2));
  th.try_push(0, ev(K::kSynAck, 1, kScanner, kPc, 3127, 1));
  th.try_push(0, ev(K::kSynAck, 3, kScanner, v4(10, 1, 2, 4), 3127, 2));
  th.advance(0, at(10));
  BOOST_TEST(wait_events(th, 1) == 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_TEST(th.counters().events == 1u);  // t=3 waits for the verdict at t=2
  th.resolve(at(2), nullptr);             // clean file: no event
  BOOST_TEST(wait_events(th, 2) == 2u);
  th.stop();
}

BOOST_AUTO_TEST_CASE(stop_releases_everything_in_order) {
  // Never started, producers never advanced: stop() releases in canonical order.
  const Scenario s = scenario();
  Lines got;
  HostTrackerThread th(config(), 2, got.fn());
  for (const auto& e : s.worker_events) th.try_push(e.flow_id % 2, e);
  for (const auto& v : s.verdicts) th.resolve(v.ts_us, &v);
  th.stop();
  BOOST_TEST(got.v == reference(s), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_stalled_producer_cannot_fill_the_rings) {
  // Producer 1 never advances: the watermark stays put, so producer 0's ring
  // fills; at three quarters the tracker releases early (counted) instead of
  // letting the worker drop events.
  HostConfig c = config();
  c.queue_capacity = 64;
  Lines got;
  HostTrackerThread th(c, 2, got.fn());
  th.start();
  int pushed = 0;
  for (int i = 0; i < 1000; ++i) {
    HostEvent e = ev(K::kSyn, i * 0.01, kScanner, v4(10, 2, i / 256, i % 256), 3127, i + 1);
    while (th.counters().queue_events - th.counters().events > 56)  // stay under full
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    pushed += th.try_push(0, e);
    th.advance(0, e.ts_us);
  }
  BOOST_TEST(pushed == 1000);
  BOOST_TEST(wait_events(th, 1000 - 48) >= 1000u - 48);
  th.stop();
  const HostCounters hc = th.counters();
  BOOST_TEST(hc.events == 1000u);
  BOOST_TEST(hc.queue_overflow == 0u);
  BOOST_TEST(hc.events_released_early > 0u);
  BOOST_TEST(hc.events_late == 0u);  // one producer's order is kept
}

BOOST_AUTO_TEST_CASE(live_capture_releases_after_a_second) {
  Lines got;
  HostTrackerThread th(config(), 2, got.fn(), /*live=*/true);
  th.start();
  th.try_push(0, ev(K::kSynAck, 1, kScanner, kPc, 3127, 1));
  th.advance(0, at(2));  // producer 1 is idle: no progress at all
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  BOOST_TEST(th.counters().events == 0u);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (th.counters().events == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_TEST(th.counters().events == 1u);
  BOOST_TEST(th.counters().events_released_early == 1u);
  th.stop();
}

BOOST_AUTO_TEST_SUITE_END()

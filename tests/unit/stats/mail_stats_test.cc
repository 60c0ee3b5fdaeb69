// Mail statistics: a message is counted once its transaction has ended and
// every file has its verdict; buckets by packet time (epoch-aligned intervals,
// UTC days), split by direction; bounded history.

#include <boost/test/unit_test.hpp>

#include <thread>
#include <vector>

#include "sensor/stats/mail_stats.h"

using ww::MailDirection;
using ww::MailStats;

namespace {
// 2004-01-27T10:00:00Z
constexpr int64_t kT0 = 1075197600LL * 1'000'000;
constexpr int64_t kSec = 1'000'000;

void message(MailStats& s, int64_t ts, MailDirection d, int files, int infected_files) {
  auto t = MailStats::open();
  for (int i = 0; i < files; ++i) MailStats::add_file(*t);
  s.end_message(*t, ts, d, true);
  for (int i = 0; i < files; ++i) s.file_done(*t, i < infected_files);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(mail_stats)

BOOST_AUTO_TEST_CASE(direction_from_home_net_membership) {
  auto name = [](bool c, bool s) { return std::string(ww::mail_direction_name(ww::mail_direction(c, s))); };
  BOOST_TEST(name(true, false) == "outbound");
  BOOST_TEST(name(false, true) == "inbound");
  BOOST_TEST(name(true, true) == "internal");
  BOOST_TEST(name(false, false) == "external");
  BOOST_TEST(std::string(ww::mail_direction_name(MailDirection::outbound)) == "outbound");
}

BOOST_AUTO_TEST_CASE(a_message_counts_only_when_its_last_verdict_is_in) {
  MailStats s(3600);
  auto t = MailStats::open();
  MailStats::add_file(*t);
  MailStats::add_file(*t);
  s.file_done(*t, false);  // first file clean, before the transaction ended
  BOOST_TEST(s.totals().total_messages() == 0u);
  s.end_message(*t, kT0, MailDirection::outbound, true);
  BOOST_TEST(s.totals().total_messages() == 0u);  // one verdict still pending
  s.file_done(*t, true);                           // the late one is infected
  auto c = s.totals();
  BOOST_TEST(c.total_messages() == 1u);
  BOOST_TEST(c.total_infected() == 1u);
  BOOST_TEST(c.infected[static_cast<size_t>(MailDirection::outbound)] == 1u);
}

BOOST_AUTO_TEST_CASE(transactions_without_a_body_are_not_messages) {
  MailStats s(3600);
  auto t = MailStats::open();
  s.end_message(*t, kT0, MailDirection::inbound, false);
  BOOST_TEST(s.totals().total_messages() == 0u);
  auto j = s.to_json(kT0, true);
  BOOST_TEST(j["messages"] == 0u);
  BOOST_TEST(j["infected_share"].get<double>() == 0.0);
  BOOST_TEST(j["intervals"].empty());
}

BOOST_AUTO_TEST_CASE(interval_edges_and_days) {
  MailStats s(3600);
  message(s, kT0 - 1, MailDirection::outbound, 1, 1);       // 09:59:59.999999: the hour before
  message(s, kT0, MailDirection::outbound, 1, 0);           // 10:00:00 exactly: this hour
  message(s, kT0 + 3599 * kSec, MailDirection::inbound, 2, 1);
  message(s, kT0 + 3600 * kSec, MailDirection::internal, 0, 0);  // 11:00: next hour
  message(s, kT0 + 14 * 3600 * kSec, MailDirection::external, 1, 1);  // 00:00 next day
  auto j = s.to_json(kT0 + 1800 * kSec, true);
  BOOST_TEST(j["messages"] == 5u);
  BOOST_TEST(j["infected_messages"] == 3u);
  BOOST_TEST(j["infected_share"].get<double>() == 0.6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(j["interval_seconds"] == 3600);
  BOOST_TEST(j["interval"]["start"] == "2004-01-27T10:00:00.000000+0000");
  BOOST_TEST(j["interval"]["messages"] == 2u);
  BOOST_TEST(j["interval"]["infected_messages"] == 1u);
  BOOST_TEST(j["interval"]["by_direction"]["inbound"]["infected_messages"] == 1u);
  BOOST_TEST(j["interval"]["by_direction"]["outbound"]["messages"] == 1u);
  BOOST_TEST(j["previous_interval"]["start"] == "2004-01-27T09:00:00.000000+0000");
  BOOST_TEST(j["previous_interval"]["messages"] == 1u);
  BOOST_TEST(j["previous_interval"]["infected_share"].get<double>() == 1.0);
  BOOST_TEST(j["day"]["date"] == "2004-01-27");
  BOOST_TEST(j["day"]["messages"] == 4u);
  // The full history: only intervals with mail, in time order; an empty one between is absent.
  BOOST_TEST_REQUIRE(j["intervals"].size() == 4u);
  BOOST_TEST(j["intervals"][0]["start"] == "2004-01-27T09:00:00.000000+0000");
  BOOST_TEST(j["intervals"][2]["start"] == "2004-01-27T11:00:00.000000+0000");
  BOOST_TEST(j["intervals"][3]["start"] == "2004-01-28T00:00:00.000000+0000");
  BOOST_TEST_REQUIRE(j["days"].size() == 2u);
  BOOST_TEST(j["days"][1]["date"] == "2004-01-28");
  BOOST_TEST(j["days"][1]["by_direction"]["external"]["infected_messages"] == 1u);
  // A periodic record has no history.
  auto p = s.to_json(kT0, false);
  BOOST_TEST(!p.contains("intervals"));
  BOOST_TEST(!p.contains("days"));
  // An interval with no mail is reported as zeros, not left out.
  auto q = s.to_json(kT0 + 5 * 3600 * kSec, false);
  BOOST_TEST(q["interval"]["messages"] == 0u);
  BOOST_TEST(q["interval"]["infected_share"].get<double>() == 0.0);
}

BOOST_AUTO_TEST_CASE(interval_width_is_configurable) {
  MailStats s(600);
  message(s, kT0 + 599 * kSec, MailDirection::outbound, 1, 1);
  message(s, kT0 + 600 * kSec, MailDirection::outbound, 1, 0);
  auto j = s.to_json(kT0 + 600 * kSec, true);
  BOOST_TEST(j["interval"]["start"] == "2004-01-27T10:10:00.000000+0000");
  BOOST_TEST(j["interval"]["messages"] == 1u);
  BOOST_TEST(j["previous_interval"]["infected_messages"] == 1u);
  BOOST_TEST(j["intervals"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(history_is_bounded_and_drops_are_counted) {
  MailStats s(60, /*max_intervals=*/10, /*max_days=*/2);
  for (int i = 0; i < 25; ++i) message(s, kT0 + i * 60 * kSec, MailDirection::inbound, 0, 0);
  for (int d = 1; d <= 3; ++d) message(s, kT0 + d * 86400 * kSec, MailDirection::inbound, 0, 0);
  auto j = s.to_json(kT0, true);
  BOOST_TEST(j["messages"] == 28u);  // totals keep everything
  BOOST_TEST(j["intervals"].size() == 10u);
  BOOST_TEST(j["intervals_dropped"] == 18u);
  BOOST_TEST(j["days"].size() == 2u);
  BOOST_TEST(j["days_dropped"] == 2u);
}

BOOST_AUTO_TEST_CASE(verdicts_from_many_threads_count_each_message_once) {
  MailStats s(3600);
  constexpr int kMessages = 2000, kFiles = 3;
  std::vector<std::shared_ptr<ww::MailTally>> tallies;
  for (int i = 0; i < kMessages; ++i) {
    auto t = MailStats::open();
    for (int f = 0; f < kFiles; ++f) MailStats::add_file(*t);
    tallies.push_back(t);
  }
  std::vector<std::thread> th;
  for (int f = 0; f < kFiles; ++f)
    th.emplace_back([&, f] {
      for (int i = 0; i < kMessages; ++i) s.file_done(*tallies[i], f == 2 && i % 4 == 0);
    });
  for (int i = 0; i < kMessages; ++i)
    s.end_message(*tallies[i], kT0 + i * kSec, MailDirection::outbound, true);
  for (auto& t : th) t.join();
  BOOST_TEST(s.totals().total_messages() == uint64_t(kMessages));
  BOOST_TEST(s.totals().total_infected() == uint64_t(kMessages / 4));
}

BOOST_AUTO_TEST_SUITE_END()

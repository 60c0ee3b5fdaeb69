// The aggregator on synthetic records: intervals, directions, the
// fileinfo/smtp join, host tables, bounds.

#include <boost/test/unit_test.hpp>

#include "sensor/report/report.h"
#include "tests/unit/report/report_test_util.h"

using namespace report_test;
using ww::ReportAggregator;
using ww::ReportOptions;

BOOST_AUTO_TEST_SUITE(report_aggregation)

BOOST_AUTO_TEST_CASE(record_exactly_on_the_boundary_opens_the_next_interval) {
  ReportAggregator a;  // 3600 s intervals, aligned to the hour
  feed(a, smtp({.t = kT0 + 3599 * kSec + 999999, .flow_id = 1}));  // last µs of 08:00
  feed(a, smtp({.t = kT0 + 3600 * kSec, .flow_id = 2}));           // exactly 09:00
  feed(a, smtp({.t = kT0 + 3600 * kSec + 1, .flow_id = 3}));
  auto s = a.summary();
  BOOST_TEST(s["intervals"].size() == 2u);
  BOOST_TEST(s["intervals"][0]["start"] == "2004-01-27T08:00:00.000000+0000");
  BOOST_TEST(s["intervals"][0]["messages"] == 1u);
  BOOST_TEST(s["intervals"][1]["start"] == "2004-01-27T09:00:00.000000+0000");
  BOOST_TEST(s["intervals"][1]["messages"] == 2u);
  BOOST_TEST(s["days"].size() == 1u);
  BOOST_TEST(s["days"][0]["messages"] == 3u);
}

BOOST_AUTO_TEST_CASE(empty_intervals_in_the_middle_are_zero_rows) {
  ReportOptions o;
  o.interval_s = 600;
  ReportAggregator a(o);
  feed(a, smtp({.t = kT0, .flow_id = 1}));
  feed(a, smtp({.t = kT0 + 3000 * kSec, .flow_id = 2}));  // 50 min later: 08:50
  auto s = a.summary();
  BOOST_TEST_REQUIRE(s["intervals"].size() == 6u);  // 08:00 .. 08:50
  for (size_t i = 1; i < 5; ++i) {
    BOOST_TEST(s["intervals"][i]["messages"] == 0u);
    BOOST_TEST(s["intervals"][i]["infected_share"] == 0.0);
  }
  BOOST_TEST(s["intervals"][5]["start"] == "2004-01-27T08:50:00.000000+0000");
  const std::string html = html_of(a);
  // One table row per interval, the empty ones included.
  BOOST_TEST(html.find("<td class=\"t\">2004-01-27 08:20</td><td class=\"n\">0</td>") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(direction_split_by_home_net) {
  ReportOptions o;
  o.home_net = {"10.0.0.0/8", "2001:db8:1::/48"};
  ReportAggregator a(o);
  feed(a, smtp({.flow_id = 1, .src = "10.1.1.5", .dst = "192.0.2.25"}));                 // outbound
  feed(a, smtp({.flow_id = 2, .src = "198.51.100.9", .dst = "10.1.0.25", .files = 1}));  // inbound
  feed(a, smtp({.flow_id = 3, .src = "10.1.1.5", .dst = "10.1.0.25"}));                  // internal
  feed(a, smtp({.flow_id = 4, .src = "2001:db8:1::5", .dst = "2001:db8:2::25"}));  // outbound v6
  feed(a, smtp({.flow_id = 5, .src = "192.0.2.1", .dst = "198.51.100.2"}));        // external
  feed(a, smtp({.flow_id = 6, .src = "::ffff:10.9.9.9", .dst = "10.1.0.25"}));  // mapped: internal
  feed(a, fileinfo({.flow_id = 2, .status = "infected", .signature = "Worm.Mydoom.A"}));
  auto d = a.summary()["mail"]["by_direction"];
  BOOST_TEST(d["outbound"]["messages"] == 2u);
  BOOST_TEST(d["inbound"]["messages"] == 1u);
  BOOST_TEST(d["inbound"]["infected_messages"] == 1u);
  BOOST_TEST(d["internal"]["messages"] == 2u);
  BOOST_TEST(d["external"]["messages"] == 1u);
  BOOST_TEST(a.messages() == 6u);
  BOOST_TEST(a.infected_messages() == 1u);
}

BOOST_AUTO_TEST_CASE(fileinfo_before_and_after_its_smtp_record) {
  ReportAggregator a;
  // Transaction 1: the infected file first (the usual order with one worker
  // when the scan is synchronous), then its smtp record.
  feed(a,
       fileinfo({.flow_id = 10, .tx_id = 0, .status = "infected", .signature = "Worm.Mydoom.A"}));
  BOOST_TEST(a.infected_messages() == 0u);  // no message yet
  feed(a, smtp({.flow_id = 10, .tx_id = 0, .files = 1}));
  BOOST_TEST(a.infected_messages() == 1u);
  // Transaction 2 of the same flow: the smtp record first, the file after.
  feed(a, smtp({.flow_id = 10, .tx_id = 1, .files = 2}));
  feed(a, fileinfo({.flow_id = 10, .tx_id = 1, .status = "clean"}));
  BOOST_TEST(a.infected_messages() == 1u);
  feed(a,
       fileinfo({.flow_id = 10, .tx_id = 1, .status = "infected", .signature = "Worm.Mydoom.A"}));
  BOOST_TEST(a.infected_messages() == 2u);
  // Two infected files in one message count once; a different flow with the
  // same tx_id is a different transaction.
  feed(a, smtp({.flow_id = 11, .tx_id = 0, .files = 2}));
  feed(a, fileinfo({.flow_id = 11, .tx_id = 0, .status = "infected"}));
  feed(a, fileinfo({.flow_id = 11, .tx_id = 0, .status = "infected"}));
  BOOST_TEST(a.messages() == 3u);
  BOOST_TEST(a.infected_messages() == 3u);
  auto s = a.summary();
  BOOST_TEST(s["bounds"]["infected_joined_before_smtp"] == 1u);
  BOOST_TEST(s["bounds"]["infected_joined_after_smtp"] == 2u);
  BOOST_TEST(s["bounds"]["open_transactions"] == 0u);  // every transaction complete
  BOOST_TEST(s["files"]["scan"]["infected"] == 4u);
}

BOOST_AUTO_TEST_CASE(late_infected_verdict_counts_in_the_messages_interval) {
  ReportAggregator a;
  // The message at 08:59:59; its file's verdict arrives from a scanner thread
  // after records of 09:00 were already written.
  feed(a, smtp({.t = kT0 + 3599 * kSec, .flow_id = 20, .files = 1}));
  feed(a, smtp({.t = kT0 + 3601 * kSec, .flow_id = 21}));
  feed(a, smtp({.t = kT0 + 3602 * kSec, .flow_id = 22}));
  feed(a, fileinfo({.t = kT0 + 3599 * kSec, .flow_id = 20, .status = "infected"}));
  auto s = a.summary();
  BOOST_TEST(s["intervals"][0]["messages"] == 1u);
  BOOST_TEST(s["intervals"][0]["infected_messages"] == 1u);
  BOOST_TEST(s["intervals"][0]["infected_share"] == 1.0);
  BOOST_TEST(s["intervals"][1]["messages"] == 2u);
  BOOST_TEST(s["intervals"][1]["infected_messages"] == 0u);
  BOOST_TEST(s["mail"]["infected_share"] == 1.0 / 3.0);
}

BOOST_AUTO_TEST_CASE(transactions_without_a_body_are_not_messages) {
  ReportAggregator a;
  feed(a, smtp({.flow_id = 1, .data = false}));
  feed(a, smtp({.flow_id = 2}));
  BOOST_TEST(a.messages() == 1u);
  BOOST_TEST(a.summary()["mail"]["smtp_records"] == 2u);
}

BOOST_AUTO_TEST_CASE(open_transactions_are_bounded_and_counted) {
  ReportOptions o;
  o.max_open_transactions = 4;
  o.open_transaction_timeout_s = 60;
  ReportAggregator a(o);
  // Ten infected files whose smtp records never come.
  for (uint64_t i = 0; i < 10; ++i)
    feed(a, fileinfo({.t = kT0, .flow_id = 100 + i, .status = "infected"}));
  auto s = a.summary();
  BOOST_TEST(s["bounds"]["open_transactions"] == 4u);
  BOOST_TEST(s["bounds"]["evicted_capacity"] == 6u);
  BOOST_TEST(s["bounds"]["infected_files_without_message"] == 6u);
  // Packet time moves on past the timeout: the rest age out.
  feed(a, smtp({.t = kT0 + 120 * kSec, .flow_id = 999}));
  s = a.summary();
  BOOST_TEST(s["bounds"]["open_transactions"] == 0u);
  BOOST_TEST(s["bounds"]["evicted_age"] == 4u);
  BOOST_TEST(s["bounds"]["files_without_message"] == 10u);
  BOOST_TEST(a.infected_messages() == 0u);
}

BOOST_AUTO_TEST_CASE(intervals_widen_instead_of_growing) {
  ReportOptions o;
  o.interval_s = 60;
  o.max_intervals = 10;
  ReportAggregator a(o);
  for (int i = 0; i < 40; ++i)
    feed(a, smtp({.t = kT0 + i * 60 * kSec, .flow_id = uint64_t(i + 1)}));
  auto s = a.summary();
  BOOST_TEST(s["intervals"].size() <= 10u);
  BOOST_TEST(s["report"]["interval_s"] == 240);  // 60 → 120 → 240
  uint64_t sum = 0;
  for (const auto& r : s["intervals"]) sum += r["messages"].get<uint64_t>();
  BOOST_TEST(sum == 40u);
  BOOST_TEST(s["intervals"][0]["start"] == "2004-01-27T08:00:00.000000+0000");
}

BOOST_AUTO_TEST_CASE(top_tables_are_bounded) {
  ReportOptions o;
  o.top_n = 3;
  o.top_capacity = 64;
  ReportAggregator a(o);
  // A worm's attachment name and hash repeat among a flood of unique ones:
  // the table stays at its capacity and still ranks the worm first (Space-Saving
  // keeps every key seen more than total/capacity times, here 1100/64 ≈ 17).
  for (int i = 0; i < 1000; ++i) {
    feed(a, fileinfo({.flow_id = 2,
                      .tx_id = uint64_t(i),
                      .name = "unique" + std::to_string(i) + ".txt",
                      .sha256 = std::string(60, 'c') + std::to_string(1000 + i)}));
    if (i % 10 == 0)
      feed(a, fileinfo({.flow_id = 1,
                        .tx_id = uint64_t(i),
                        .name = "document.zip",
                        .sha256 = std::string(64, 'b'),
                        .status = "infected",
                        .signature = "Worm.Mydoom.A"}));
  }
  auto s = a.summary();
  auto names = s["files"]["top_names"];
  BOOST_TEST(names.size() == 3u);
  BOOST_TEST(names[0]["name"] == "document.zip");
  const uint64_t count = names[0]["count"].get<uint64_t>();
  const uint64_t error = names[0].value("count_error", uint64_t(0));
  BOOST_TEST(count >= 100u);          // never under-counted
  BOOST_TEST(count - error <= 100u);  // and the bound says by how much it may be over
  BOOST_TEST(names[0]["infected"].get<uint64_t>() > 0u);
  BOOST_TEST(names[0]["signature"] == "Worm.Mydoom.A");
  BOOST_TEST(s["files"]["top_sha256"][0]["sha256"] == std::string(64, 'b'));
  BOOST_TEST(s["files"]["top_sha256"][0]["filename"] == "document.zip");
  BOOST_TEST(s["bounds"]["top_replacements"]["names"].get<uint64_t>() > 0u);
  BOOST_TEST(s["files"]["top_signatures"][0]["signature"] == "Worm.Mydoom.A");
  BOOST_TEST(s["files"]["top_signatures"][0]["count"] == 100u);  // one key: exact
}

BOOST_AUTO_TEST_CASE(host_alerts_and_inventory) {
  ReportAggregator a;
  json infected_host = {
      {"ip", "10.1.15.72"},
      {"home", true},
      {"first_seen", ts(kT0)},
      {"last_seen", ts(kT0 + 60 * kSec)},
      {"signs", {"backdoor_listener", "infected_attachment"}},
      {"infected", true},
      {"listeners",
       {{{"port", 3127}, {"connections", 1}, {"peer_count", 1}, {"peers", {"203.0.113.200"}}}}},
      {"mail",
       {{"sessions_total", 2},
        {"messages_total", 2},
        {"recipients_total", 2},
        {"distinct_servers_total", 2}}},
      {"infected_attachments", {{"count", 1}, {"first_seen", ts(kT0)}}}};
  feed(a, alert(kT0 + 60 * kSec, 1002005, infected_host));
  feed(a, alert(kT0 + 60 * kSec, 1002001,
                {{"ip", "10.1.15.72"},
                 {"port", 3127},
                 {"first_seen", ts(kT0 + 60 * kSec)},
                 {"last_seen", ts(kT0 + 60 * kSec)},
                 {"connections", 1},
                 {"peer_count", 1},
                 {"peers", {"203.0.113.200"}},
                 {"data_exchanged", false}}));
  feed(
      a,
      alert(
          kT0 + 61 * kSec, 1002002,
          {{"ip", "10.1.15.72"}, {"port", 3127}, {"client", "203.0.113.200"}, {"accepted", true}}));
  feed(a, alert(kT0 + 30 * kSec, 1002003,
                {{"ip", "203.0.113.200"},
                 {"home", false},
                 {"targets", 10},
                 {"targets_total", 10},
                 {"targets_total_exact", false},
                 {"probes", 10},
                 {"ports", {3127}},
                 {"targets_sample", {"10.1.2.158"}},
                 {"first_seen", ts(kT0)},
                 {"last_seen", ts(kT0 + 30 * kSec)}}));
  feed(a, alert(kT0 + 90 * kSec, 1002004,
                {{"ip", "10.1.2.28"},
                 {"window_s", 60},
                 {"triggers", {"distinct_servers"}},
                 {"distinct_servers", 10},
                 {"sessions", 10},
                 {"recipients", 9},
                 {"sessions_total", 10},
                 {"messages_total", 9},
                 {"recipients_total", 9},
                 {"distinct_servers_total", 10},
                 {"servers_sample", {"198.51.100.7"}}}));
  // A later inventory brings newer totals for the infected host.
  json inv = infected_host;
  inv["mail"]["sessions_total"] = 13;
  inv["infected_attachments"]["count"] = 4;
  inv["inventory"] = "final";
  feed(a, json{{"timestamp", ts(kT0 + 600 * kSec)}, {"event_type", "host"}, {"host", inv}}.dump());
  auto s = a.summary();
  auto h = s["hosts"];
  BOOST_TEST_REQUIRE(h["infected"].size() == 1u);
  BOOST_TEST(h["infected"][0]["ip"] == "10.1.15.72");
  BOOST_TEST(h["infected"][0]["verdict"] == ts(kT0 + 60 * kSec));
  BOOST_TEST(h["infected"][0]["mail"]["sessions_total"] == 13u);
  BOOST_TEST(h["infected"][0]["infected_attachments"] == 4u);
  BOOST_TEST(h["infected"][0]["listener_ports"][0] == 3127);
  BOOST_TEST_REQUIRE(h["listeners"].size() == 1u);
  BOOST_TEST(h["listeners"][0]["alerts"] == 1u);
  BOOST_TEST(h["listeners"][0]["uploads"] == 1u);
  BOOST_TEST(h["listeners"][0]["last_uploader"] == "203.0.113.200");
  BOOST_TEST(h["sweeps"][0]["ip"] == "203.0.113.200");
  BOOST_TEST(h["sweeps"][0]["targets"] == 10u);
  BOOST_TEST(h["mass_mailing"][0]["ip"] == "10.1.2.28");
  BOOST_TEST(h["mass_mailing"][0]["triggers"][0] == "distinct_servers");
  auto kinds = s["alerts"]["by_signature_id"];
  BOOST_TEST(kinds.size() == 5u);
  BOOST_TEST(kinds[0]["signature_id"] == 1002001u);
  BOOST_TEST(kinds[0]["name"] == "HostBackdoorListener");
  BOOST_TEST(s["alerts"]["total"] == 5u);
  const std::string term = a.terminal_summary();
  BOOST_TEST(term.find("infected     1 host: 10.1.15.72 (backdoor_listener+infected_attachment)") !=
                 std::string::npos,
             term);
  BOOST_TEST(term.find("HostInfected=1") != std::string::npos, term);
  BOOST_TEST(term.find("10.1.15.72:3127") != std::string::npos, term);
}

BOOST_AUTO_TEST_CASE(host_tables_are_capped) {
  ReportOptions o;
  o.max_hosts = 5;
  ReportAggregator a(o);
  for (int i = 0; i < 20; ++i)
    feed(a, alert(kT0, 1002003, {{"ip", "203.0.113." + std::to_string(i)}, {"targets", 10}}));
  auto s = a.summary();
  BOOST_TEST(s["hosts"]["sweeps"].size() == 5u);
  BOOST_TEST(s["hosts"]["rows_refused"]["sweeps"] == 15u);
  BOOST_TEST(s["alerts"]["by_signature_id"][0]["count"] == 20u);
}

BOOST_AUTO_TEST_CASE(capture_health_from_the_last_stats_record) {
  ReportAggregator a;
  feed(a, stats(kT0, 100));
  feed(a, stats(kT0 + 60 * kSec, 5000, 7, 2));
  auto c = a.summary()["capture"];
  BOOST_TEST(c["packets"] == 5000u);
  BOOST_TEST(c["reassembly_gaps"] == 7u);
  BOOST_TEST(c["decoder_anomalies"] == 3u);
  BOOST_TEST(c["scan_skipped"] == 2u);
  BOOST_TEST(c["stats_records"] == 2u);
  BOOST_TEST(c["limits_hit"]["flow.end.evicted"] == 2u);
  BOOST_TEST(c["limits_hit"]["scan.skipped_queue_full"] == 2u);
  BOOST_TEST(
      !c["limits_hit"].contains("decoder.anomalies.ipv4_truncated"));  // an anomaly, not a limit
  BOOST_TEST(!c["limits_hit"].contains("reassembly.memory_high_water"));
  BOOST_TEST(a.terminal_summary().find("5000 packets") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_lines_are_counted_and_skipped) {
  ReportAggregator a;
  std::string why;
  BOOST_TEST(!a.feed_line("not json", &why));
  BOOST_TEST(why.find("not a JSON object") != std::string::npos);
  BOOST_TEST(!a.feed_line("{\"timestamp\":\"x\"}", &why));
  BOOST_TEST(why == "no event_type");
  BOOST_TEST(!a.feed_line("{\"event_type\":\"smtp\", \"smtp\": {\"data\": }}", &why));
  BOOST_TEST(why.find("not valid JSON") != std::string::npos, why);
  // A record cut in the middle (a crash mid-write).
  std::string cut = smtp({});
  cut.resize(cut.size() - 3);
  BOOST_TEST(!a.feed_line(cut));
  BOOST_TEST(a.feed_line(smtp({})));
  // Unusual spacing still finds the type.
  BOOST_TEST(a.feed_line("{ \"event_type\" : \"flow\" , \"flow_id\": 1 }"));
  auto s = a.summary();
  BOOST_TEST(s["records"]["bad_lines"] == 4u);
  BOOST_TEST(s["records"]["lines"] == 6u);
  BOOST_TEST(s["records"]["by_type"]["flow"] == 1u);
  BOOST_TEST(a.messages() == 1u);
}

BOOST_AUTO_TEST_CASE(options_are_validated) {
  ReportOptions o;
  o.home_net = {"10.0.0.0/33"};
  BOOST_TEST(ww::validate_report_options(o).find("10.0.0.0/33") != std::string::npos);
  BOOST_CHECK_THROW(ReportAggregator{o}, std::invalid_argument);
  o.home_net = {"10.0.0.0/8, [192.168.0.0/16 2001:db8::/32]"};
  BOOST_TEST(ww::validate_report_options(o).empty());
  o.interval_s = 0;
  BOOST_TEST(!ww::validate_report_options(o).empty());
}

BOOST_AUTO_TEST_CASE(sink_adapter_forwards_from_the_hub) {
  ReportAggregator a;
  ww::OutputHub hub;
  hub.add(ww::make_report_sink(a));
  hub.emit("smtp", smtp({.flow_id = 1, .files = 1}));
  hub.emit("fileinfo", fileinfo({.flow_id = 1, .status = "infected"}));
  hub.emit("flow", "{\"event_type\":\"flow\"}");
  BOOST_TEST(a.messages() == 1u);
  BOOST_TEST(a.infected_messages() == 1u);
  BOOST_TEST(a.summary()["records"]["by_type"]["flow"] == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

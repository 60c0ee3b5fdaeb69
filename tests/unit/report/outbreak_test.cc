// End to end: a generated MyDoom outbreak through the sensor, the report's
// infected share against the generator's ground truth, both ways the lead wires
// the report (a sink during the run; `wormwatch report` on the EVE file), and
// the page rendered by a headless browser.

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "sensor/capture/pcap_source.h"
#include "sensor/config/config.h"
#include "sensor/output/sink.h"
#include "sensor/report/report.h"
#include "sensor/worker/engine.h"
#include "tests/unit/report/report_test_util.h"

using namespace report_test;
namespace fs = std::filesystem;

namespace {

struct Outbreak {
  fs::path dir, pcap, eve;
  json manifest;
  std::vector<std::string> home_net;
};

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

// wwgen and wormwatch are built beside the tests; one capture for all cases.
const Outbreak& outbreak() {
  static Outbreak o = [] {
    Outbreak x;
    x.dir = temp_dir("outbreak");
    x.pcap = x.dir / "ob.pcap";
    const std::string bin = WW_BINARY_DIR;
    const std::string gen = fmt::format(
        "{}/tools/gen/wwgen outbreak --seed 7 --messages 300 --out {} "
        ">/dev/null 2>&1",
        bin, x.pcap.string());
    BOOST_TEST_REQUIRE(run(gen) == 0, "wwgen failed: " << gen);
    x.manifest = json::parse(slurp(x.pcap.string() + ".json"));
    for (const auto& n : x.manifest["hosts"]["home_net"])
      x.home_net.push_back(n.get<std::string>());
    // Two workers: records reach the file in the order threads finish, and
    // fileinfo records come from the scanner threads after their smtp record.
    const std::string ww = fmt::format(
        "{}/sensor/wormwatch -r {} -l {} --workers 2 --set hosts.mail_relays=10.1.0.25 -q "
        ">/dev/null 2>&1",
        bin, x.pcap.string(), x.dir.string());
    BOOST_TEST_REQUIRE(run(ww) == 0, "wormwatch failed: " << ww);
    x.eve = x.dir / "eve.json";
    return x;
  }();
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(report_outbreak)

BOOST_AUTO_TEST_CASE(report_subcommand_matches_the_generators_ground_truth) {
  const auto& o = outbreak();
  const auto& mail = o.manifest["mail"];
  ww::ReportOptions opts;
  opts.home_net = o.home_net;
  opts.quiet = true;
  const fs::path html = o.dir / "report.html";
  BOOST_TEST_REQUIRE(ww::report_main(o.eve.string(), html.string(), opts) == 0);
  BOOST_TEST(fs::file_size(html) > 10000u);

  ww::ReportAggregator a(opts);
  auto r = a.feed_file(o.eve.string());
  BOOST_TEST(r.opened);
  BOOST_TEST(r.bad_lines == 0u);
  BOOST_TEST(a.messages() == mail["messages"].get<uint64_t>());
  BOOST_TEST(a.infected_messages() == mail["infected_messages"].get<uint64_t>());
  BOOST_TEST(a.infected_share() == mail["infected_share"].get<double>(),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(a.infected_share() == double(mail["infected_messages"].get<uint64_t>()) /
                                       double(mail["messages"].get<uint64_t>()));
  const auto s = a.summary();
  BOOST_TEST(s["bounds"]["open_transactions"] == 0u);
  BOOST_TEST(s["bounds"]["files_without_message"] == 0u);
  // The generator's infected hosts that sent mail and listened are found.
  std::set<std::string> verdicts;
  for (const auto& h : s["hosts"]["infected"]) verdicts.insert(h["ip"].get<std::string>());
  BOOST_TEST(!verdicts.empty());
  for (const auto& ip : verdicts) {
    const auto& truth = o.manifest["hosts"]["infected"];
    BOOST_TEST((std::find(truth.begin(), truth.end(), ip) != truth.end()), ip);
  }
  BOOST_TEST(s["hosts"]["sweeps"].size() == o.manifest["hosts"]["scanners"].size());
  BOOST_TEST(!s["capture"].is_null());
  BOOST_TEST(s["capture"]["packets"] == o.manifest["capture"]["packets"]);
  // Interval rows add up to the totals.
  uint64_t m = 0, i = 0;
  for (const auto& row : s["intervals"]) {
    m += row["messages"].get<uint64_t>();
    i += row["infected_messages"].get<uint64_t>();
  }
  BOOST_TEST(m == a.messages());
  BOOST_TEST(i == a.infected_messages());
  const std::string term = a.terminal_summary();
  BOOST_TEST(
      term.find(fmt::format("{} messages, {} infected ({:.1f} %)", a.messages(),
                            a.infected_messages(), a.infected_share() * 100)) != std::string::npos,
      term);
}

BOOST_AUTO_TEST_CASE(report_sink_during_a_run_gives_the_same_numbers) {
  const auto& o = outbreak();
  ww::Config cfg;
  ww::apply_config_override("hosts.mail_relays=10.1.0.25", cfg);
  cfg.read_paths = {o.pcap.string()};
  cfg.workers = 2;
  ww::validate_config(cfg);
  ww::ReportOptions opts;
  opts.home_net = cfg.hosts.home_net.entries();
  ww::ReportAggregator agg(opts);
  ww::OutputHub hub;
  hub.add(ww::make_report_sink(agg));
  {
    ww::PcapFileSource src(ww::expand_capture_paths(cfg.read_paths), cfg.bpf);
    ww::Engine engine(cfg, hub);
    engine.run(src);
  }
  hub.flush();
  const auto& mail = o.manifest["mail"];
  BOOST_TEST(agg.messages() == mail["messages"].get<uint64_t>());
  BOOST_TEST(agg.infected_messages() == mail["infected_messages"].get<uint64_t>());
  const auto counts = hub.counts();
  BOOST_TEST(agg.summary()["records"]["lines"] == [&] {
    uint64_t n = 0;
    for (auto& [k, v] : counts) n += v;
    return n;
  }());
  BOOST_TEST(agg.summary()["mail"]["smtp_records"] == counts.at("smtp"));
}

// The engine counts the same figures itself: the final stats record's `mail`
// object equals the ground truth, and its intervals, days and directions add up.
BOOST_AUTO_TEST_CASE(final_stats_record_carries_the_mail_statistics) {
  const auto& o = outbreak();
  const auto& truth = o.manifest["mail"];
  std::ifstream in(o.eve);
  std::string line, last_stats;
  uint64_t stats_records = 0;
  while (std::getline(in, line))
    if (line.find("\"event_type\":\"stats\"") != std::string::npos) {
      last_stats = line;
      ++stats_records;
    }
  BOOST_TEST_REQUIRE(!last_stats.empty());
  const json m = json::parse(last_stats)["stats"]["mail"];
  BOOST_TEST(m["messages"] == truth["messages"].get<uint64_t>());
  BOOST_TEST(m["infected_messages"] == truth["infected_messages"].get<uint64_t>());
  BOOST_TEST(m["infected_share"].get<double>() ==
                 double(truth["infected_messages"].get<uint64_t>()) /
                     double(truth["messages"].get<uint64_t>()),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(m["interval_seconds"] == 3600);
  uint64_t im = 0, ii = 0, dm = 0, di = 0, bm = 0, bi = 0;
  for (const auto& b : m["intervals"]) {
    im += b["messages"].get<uint64_t>();
    ii += b["infected_messages"].get<uint64_t>();
  }
  for (const auto& b : m["days"]) {
    dm += b["messages"].get<uint64_t>();
    di += b["infected_messages"].get<uint64_t>();
  }
  for (const auto& [k, b] : m["by_direction"].items()) {
    bm += b["messages"].get<uint64_t>();
    bi += b["infected_messages"].get<uint64_t>();
  }
  BOOST_TEST(im == m["messages"].get<uint64_t>());
  BOOST_TEST(ii == m["infected_messages"].get<uint64_t>());
  BOOST_TEST(dm == m["messages"].get<uint64_t>());
  BOOST_TEST(di == m["infected_messages"].get<uint64_t>());
  BOOST_TEST(bm == m["messages"].get<uint64_t>());
  BOOST_TEST(bi == m["infected_messages"].get<uint64_t>());
  // The worms mail out: every infected message is outbound (home_net -> outside).
  BOOST_TEST(m["by_direction"]["outbound"]["infected_messages"] == m["infected_messages"]);
  // The report, reading the records, finds the same direction split.
  ww::ReportOptions opts;
  opts.home_net = o.home_net;
  opts.quiet = true;
  ww::ReportAggregator a(opts);
  a.feed_file(o.eve.string());
  const auto s = a.summary();
  for (const char* d : {"inbound", "outbound", "internal", "external"}) {
    BOOST_TEST(s["mail"]["by_direction"][d]["messages"] == m["by_direction"][d]["messages"], d);
    BOOST_TEST(s["mail"]["by_direction"][d]["infected_messages"] ==
                   m["by_direction"][d]["infected_messages"], d);
  }
}

BOOST_AUTO_TEST_CASE(report_subcommand_errors) {
  const auto dir = temp_dir("errors");
  ww::ReportOptions opts;
  opts.quiet = true;
  BOOST_TEST(ww::report_main((dir / "missing.json").string(), (dir / "r.html").string(), opts) ==
             1);
  BOOST_TEST(ww::report_main(dir.string(), (dir / "r.html").string(), opts) == 1);  // a directory
  { std::ofstream(dir / "garbage.json") << "this is not\nan EVE file\n"; }
  BOOST_TEST(ww::report_main((dir / "garbage.json").string(), (dir / "r.html").string(), opts) ==
             1);
  BOOST_TEST(!fs::exists(dir / "r.html"));
  {
    std::ofstream f(dir / "mixed.json");
    f << smtp({}) << "\n"
      << "{broken\n"
      << "\n"
      << stats(kT0, 10);  // no final newline
  }
  BOOST_TEST(ww::report_main((dir / "mixed.json").string(), (dir / "r.html").string(), opts) == 0);
  BOOST_TEST(fs::exists(dir / "r.html"));
  ww::ReportAggregator a;
  auto r = a.feed_file((dir / "mixed.json").string());
  BOOST_TEST(r.lines == 3u);
  BOOST_TEST(r.bad_lines == 1u);
  BOOST_TEST_REQUIRE(r.bad_line_messages.size() == 1u);
  BOOST_TEST(r.bad_line_messages[0].rfind("line 2: ", 0) == 0u, r.bad_line_messages[0]);
  BOOST_TEST(a.summary()["capture"]["packets"] == 10u);
  // An unwritable output names the path; nothing is left behind.
  BOOST_TEST(ww::report_main((dir / "mixed.json").string(),
                             (dir / "no" / "such" / "r.html").string(), opts) == 1);
  std::string err;
  BOOST_TEST(!ww::write_report_html(a, (dir / "no" / "r.html").string(), &err));
  BOOST_TEST(err.find("no/r.html") != std::string::npos, err);
  BOOST_TEST(ww::report_path_writable((dir / "ok.html").string(), &err));
  BOOST_TEST(!ww::report_path_writable((dir / "no" / "r.html").string(), &err));
  BOOST_TEST(err.find("does not exist") != std::string::npos, err);
  BOOST_TEST(!ww::report_path_writable(dir.string(), &err));
  opts.interval_s = -5;
  BOOST_TEST(ww::report_main((dir / "mixed.json").string(), (dir / "r.html").string(), opts) == 1);
}

// Headless Chromium renders the page: the chart is there, the share is shown,
// and a hostile subject from the wire is text, not a script that ran.
BOOST_AUTO_TEST_CASE(browser_renders_the_page_and_runs_no_wire_script) {
  if (run("command -v chromium >/dev/null 2>&1") != 0) {
    BOOST_TEST_MESSAGE(
        "SKIPPED: chromium is not installed (apt-get install chromium); browser "
        "rendering not checked");
    return;
  }
  const auto& o = outbreak();
  const auto dir = temp_dir("browser");
  ww::ReportOptions opts;
  opts.home_net = o.home_net;
  ww::ReportAggregator a(opts);
  BOOST_TEST_REQUIRE(a.feed_file(o.eve.string()).opened);
  const std::string subject =
      "<script>document.body.appendChild(document.createElement('x-'+'pwned'))</script>";
  const std::string name =
      "\"><img src=x "
      "onerror=\"document.body.appendChild(document.createElement('x-'+'owned'))\">.scr";
  feed(a, smtp({.t = kT0 + 60 * kSec, .flow_id = 9, .files = 1, .subject = subject}));
  feed(a, fileinfo({.t = kT0 + 60 * kSec,
                    .flow_id = 9,
                    .name = name,
                    .status = "infected",
                    .signature = "Worm.Mydoom.A",
                    .subject = subject}));
  std::string html = html_of(a);
  // Drop the page's Content-Security-Policy for this check, so that only the
  // escaping stands between the wire and the browser.
  const auto csp = html.find("<meta http-equiv=\"Content-Security-Policy\"");
  BOOST_TEST_REQUIRE(csp != std::string::npos);
  html.erase(csp, html.find('>', csp) + 1 - csp);
  const fs::path page = dir / "report.html";
  std::ofstream(page) << html;
  const std::string cmd = fmt::format(
      "timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run "
      "--disable-background-networking --disable-dev-shm-usage --user-data-dir={} "
      "--virtual-time-budget=2000 --dump-dom file://{} >{} 2>{}",
      (dir / "profile").string(), fs::absolute(page).string(), (dir / "dom.html").string(),
      (dir / "chromium.log").string());
  const int rc = run(cmd);
  const std::string dom = slurp(dir / "dom.html");
  BOOST_TEST_REQUIRE(rc == 0, "chromium failed (" << rc << "): " << slurp(dir / "chromium.log"));
  BOOST_TEST_REQUIRE(dom.find("</html>") != std::string::npos, "no DOM dumped");
  BOOST_TEST(dom.find("<svg id=\"share-chart\"") != std::string::npos);
  BOOST_TEST(dom.find("<path id=\"share-line\"") != std::string::npos);
  const std::string share =
      fmt::format("id=\"infected-share\">{:.1f}&nbsp;%", a.infected_share() * 100);
  BOOST_TEST(dom.find(share) != std::string::npos, share);
  // Nothing from the wire executed or became an element.
  BOOST_TEST(dom.find("<x-pwned") == std::string::npos);
  BOOST_TEST(dom.find("<x-owned") == std::string::npos);
  BOOST_TEST(dom.find("<img") == std::string::npos);
  BOOST_TEST(dom.find("<script") == std::string::npos);
  // The hostile subject is there, as text.
  BOOST_TEST(
      dom.find("&lt;script&gt;document.body.appendChild(document.createElement('x-'+'pwned'))"
               "&lt;/script&gt;") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// tcpreplay: a generated outbreak capture (wwgen) is replayed at a fixed modest rate from vethB
// while wormwatch captures on vethA; the live smtp, fileinfo and file-alert records must equal
// the records of the same capture read offline (-r), compared on sorted key fields (not times),
// with no kernel drops. See NOTES.md.

#include <set>

#include "tests/e2e/e2e_support.h"

using namespace e2e;

namespace {

std::string find_tcpreplay() {
  for (const char* p : {"/usr/bin/tcpreplay", "/usr/sbin/tcpreplay"})
    if (::access(p, X_OK) == 0) return p;
  return "tcpreplay";
}

std::string str(const Json& j, const char* a, const char* b = nullptr) {
  const Json* n = &j;
  for (const char* k : {a, b}) {
    if (!k) break;
    if (!n->is_object() || !n->contains(k)) return "-";
    n = &n->at(k);
  }
  return n->is_string() ? n->get<std::string>() : n->dump();
}

// One line per record of the kinds compared, from fields that do not depend on time or on
// the order of workers. Host-behaviour alerts (rates over packet-time windows) are left out:
// a replay compresses an hour into a second on purpose.
std::multiset<std::string> key_lines(const Eve& e) {
  std::multiset<std::string> out;
  for (const auto& r : e.records) {
    const std::string type = r.value("event_type", "");
    const std::string ends = fmt::format("{}:{} > {}:{}", str(r, "src_ip"), str(r, "src_port"),
                                         str(r, "dest_ip"), str(r, "dest_port"));
    if (type == "smtp") {
      out.insert(fmt::format("smtp {} from={} rcpt={} status={} files={}", ends,
                             str(r, "smtp", "mail_from"), str(r, "smtp", "rcpt_to"),
                             str(r, "smtp", "status"), str(r, "email", "files")));
    } else if (type == "fileinfo") {
      out.insert(fmt::format("fileinfo {} name={} sha256={} size={} state={} scan={}", ends,
                             str(r, "fileinfo", "filename"), str(r, "fileinfo", "sha256"),
                             str(r, "fileinfo", "size"), str(r, "fileinfo", "state"),
                             r.at("fileinfo").contains("scan")
                                 ? str(r.at("fileinfo"), "scan", "signature")
                                 : std::string("-")));
    } else if (type == "alert" && r.contains("fileinfo")) {
      out.insert(fmt::format("alert {} sid={} sha256={}", ends, str(r, "alert", "signature_id"),
                             str(r, "fileinfo", "sha256")));
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(e2e_live)

BOOST_AUTO_TEST_CASE(tcpreplay_outbreak_matches_offline) {
  Env env("tcpreplay_outbreak_matches_offline");
  const fs::path pcap = env.out / "outbreak.pcap";
  auto gen = env.run(env.ns_a, "wwgen",
                     {WW_WWGEN, "outbreak", "--seed", "11", "--messages", "60", "--hosts", "10",
                      "--max-background-bytes", "20000", "--out", pcap.string()},
                     60s);
  BOOST_REQUIRE_MESSAGE(exit_code(*gen) == 0, "wwgen failed: " + gen->report());

  // Offline reference: the same binary reads the file.
  fs::create_directories(env.out / "offline");
  auto off = env.run(env.ns_a, "wormwatch-offline",
                     {kBinary, "-r", pcap.string(), "-l", (env.out / "offline").string(),
                      "--workers", "1"},
                     120s);
  BOOST_REQUIRE_MESSAGE(exit_code(*off) == 0, "offline run failed: " + off->report());
  Eve offline = read_eve(env.out / "offline" / "eve.json");

  // Live: replay from the other end of the veth at 50 Mbit/s.
  auto ww = env.sensor();
  auto replay = env.exec_in(env.ns_b, "tcpreplay",
                            {find_tcpreplay(), "--intf1=vethB", "--mbps=50", pcap.string()});
  require_clean_exit(*replay, 60s);
  std::this_thread::sleep_for(1s);
  stop_sensor(*ww, SIGTERM);
  Eve live = read_eve(env.eve_path());

  const Json& cap = require_final_stats(live).at("stats").at("capture");
  BOOST_CHECK_EQUAL(cap.at("kernel_drops").get<uint64_t>(), 0u);
  BOOST_CHECK_EQUAL(cap.at("kernel_ifdrops").get<uint64_t>(), 0u);
  BOOST_REQUIRE(!offline.records.empty() &&
                offline.records.back().value("event_type", "") == "stats");
  const Json& off_cap = offline.records.back().at("stats").at("capture");
  // Every replayed packet was captured (the link carries nothing else but a few IPv6
  // multicast reports, which are counted, so >=).
  BOOST_CHECK_GE(cap.at("packets").get<uint64_t>(), off_cap.at("packets").get<uint64_t>());

  auto want = key_lines(offline);
  auto got = key_lines(live);
  size_t smtp = 0, files = 0, alerts = 0;
  for (const auto& l : want) {
    smtp += l.rfind("smtp ", 0) == 0;
    files += l.rfind("fileinfo ", 0) == 0;
    alerts += l.rfind("alert ", 0) == 0;
  }
  BOOST_TEST_MESSAGE(fmt::format("offline: {} smtp, {} fileinfo, {} file alerts", smtp, files,
                                 alerts));
  BOOST_REQUIRE_MESSAGE(smtp >= 50 && files > 0 && alerts > 0,
                        "the generated capture should hold mail, files and infected files");
  std::string missing, extra;
  for (const auto& l : want)
    if (got.count(l) < want.count(l)) missing += "\n  " + l;
  for (const auto& l : got)
    if (want.count(l) < got.count(l)) extra += "\n  " + l;
  BOOST_CHECK_MESSAGE(missing.empty() && extra.empty(),
                      fmt::format("live records differ from offline.\nmissing live:{}\nextra "
                                  "live:{}",
                                  missing.empty() ? " none" : missing,
                                  extra.empty() ? " none" : extra));
}

BOOST_AUTO_TEST_SUITE_END()

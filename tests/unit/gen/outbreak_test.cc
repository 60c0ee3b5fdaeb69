// office / outbreak / evasion scenarios: determinism, clean dissection by
// Wireshark, attachments recovered by an independent path (tshark's IMF
// export decoded with Python's email package) equal to the manifest's
// hashes, the infected share, the relay out-mailing every worm, and the
// command line.

#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "gen_test_util.h"
#include "tools/gen/scenario_evasion.h"
#include "tools/gen/scenario_outbreak.h"

using namespace ww::gen;
using nlohmann::json;

namespace {

constexpr const char* kTshark = "/usr/bin/tshark";
constexpr const char* kPython = "/usr/bin/python3";

OutbreakConfig small_mail(bool outbreak, uint64_t messages = 200) {
  OutbreakConfig c;
  c.outbreak = outbreak;
  c.hosts = 30;
  c.messages = messages;
  c.duration_s = 600;
  c.max_background_bytes = 100000;
  return c;
}

ScenarioOptions opts(uint64_t seed) {
  ScenarioOptions o;
  o.seed = seed;
  return o;
}

struct Written {
  std::string path;
  json manifest;
};

Written write(const std::string& name, Scenario& s) {
  const auto dir = gen_test::temp_dir("outbreak_" + name);
  Written w;
  w.path = (dir / (name + ".pcap")).string();
  write_scenario(s, w.path);
  w.manifest = json::parse(gen_test::read_file(w.path + ".json"));
  return w;
}

const Written& outbreak_capture() {
  static const Written w = [] {
    OutbreakScenario s(opts(2004), small_mail(true, 300));
    return write("outbreak", s);
  }();
  return w;
}
const Written& office_capture() {
  static const Written w = [] {
    OutbreakScenario s(opts(127), small_mail(false, 120));
    return write("office", s);
  }();
  return w;
}
const Written& evasion_capture() {
  static const Written w = [] {
    EvasionScenario s(opts(5), EvasionConfig{});
    return write("evasion", s);
  }();
  return w;
}

bool have(const char* tool) {
  if (access(tool, X_OK) == 0) return true;
  BOOST_TEST_MESSAGE(tool << " not installed; skipping");
  return false;
}

std::vector<std::string> tshark_lines(const Written& w, const std::string& args) {
  return gen_test::lines(gen_test::run_command(std::string(kTshark) + " -n -r " + w.path + " " +
                                               args + " 2>/dev/null"));
}

void check_clean(const Written& w) {
  const auto problems = tshark_lines(
      w, "-Y \"_ws.malformed || tcp.analysis.flags || (_ws.expert.severity >= warning && "
         "!(tcp.flags.reset == 1))\" -T fields -e frame.number");
  BOOST_TEST(problems.empty(), w.path << ": frames with problems: " << problems.size()
                                      << " first: " << (problems.empty() ? "" : problems[0]));
  const auto frames = tshark_lines(w, "-T fields -e frame.number");
  BOOST_TEST(frames.size() == w.manifest["capture"]["packets"].get<size_t>());
}

// Exported messages (subject, name, sha256) decoded by Python vs the manifest.
void check_imf_export(const Written& w, double min_recovered) {
  const auto dir = gen_test::temp_dir("imf_" + w.manifest["scenario"].get<std::string>());
  gen_test::run_command(std::string(kTshark) + " -n -r " + w.path + " -q --export-objects imf," +
                        dir.string() + " 2>/dev/null");
  const std::string script = std::string(WW_SOURCE_DIR) + "/tests/unit/gen/eml_attachments.py";
  const auto out = gen_test::lines(gen_test::run_command(std::string(kPython) + " " + script + " " +
                                                         dir.string()));
  std::multiset<std::pair<std::string, std::string>> got;  // (name, sha256)
  std::set<std::string> message_ids;
  for (const auto& l : out) {
    const json j = json::parse(l);
    message_ids.insert(j["message_id"].get<std::string>());
    for (const auto& a : j["attachments"]) {
      const std::pair<std::string, std::string> key{a["name"].get<std::string>(),
                                                    a["sha256"].get<std::string>()};
      got.insert(key);
    }
  }
  std::multiset<std::pair<std::string, std::string>> want;
  std::set<std::pair<std::string, std::string>> want_any;
  size_t messages = 0;
  for (const auto& t : w.manifest["mail"]["transactions"]) {
    ++messages;
    for (const auto& a : t["attachments"]) {
      const std::pair<std::string, std::string> key{a["name"].get<std::string>(),
                                                    a["sha256"].get<std::string>()};
      want_any.insert(key);
      if (a["content_type"] != "message/rfc822") want.insert(key);
    }
  }
  // Every attachment Python decodes is one the manifest lists, bytes included.
  size_t unknown = 0;
  for (const auto& g : got) unknown += want_any.count(g) == 0;
  BOOST_TEST(unknown == 0u);
  // And the manifest's attachments are found. Wireshark 4.0 misses a message
  // when the ".\r\n" ending its DATA starts a new segment, hence a tolerance.
  size_t found = 0;
  for (const auto& x : std::set<std::pair<std::string, std::string>>(want.begin(), want.end())) {
    found += std::min(want.count(x), got.count(x));
  }
  BOOST_TEST(message_ids.size() >= static_cast<size_t>(min_recovered * messages),
             message_ids.size() << " of " << messages << " messages exported");
  BOOST_TEST(found >= static_cast<size_t>(min_recovered * want.size()),
             found << " of " << want.size() << " attachments recovered");
  BOOST_TEST(want.size() > 20u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gen_outbreak)

BOOST_AUTO_TEST_CASE(same_seed_same_bytes) {
  for (bool outbreak : {false, true}) {
    Manifest m1, m2;
    OutbreakScenario a(opts(9), small_mail(outbreak, 60));
    OutbreakScenario b(opts(9), small_mail(outbreak, 60));
    OutbreakScenario c(opts(10), small_mail(outbreak, 60));
    const auto x = run_scenario_in_memory(a, &m1);
    const auto y = run_scenario_in_memory(b, &m2);
    BOOST_TEST((x == y));
    BOOST_TEST(m1.to_json().dump() == m2.to_json().dump());
    BOOST_TEST((x != run_scenario_in_memory(c)));
  }
  EvasionScenario e1(opts(3), {}), e2(opts(3), {});
  BOOST_TEST((run_scenario_in_memory(e1) == run_scenario_in_memory(e2)));
}

BOOST_AUTO_TEST_CASE(infected_share_and_relay_volume) {
  for (double share : {0.25, 0.1}) {
    OutbreakConfig c = small_mail(true, 400);
    c.infected_share = share;
    OutbreakScenario s(opts(77), c);
    Manifest m;
    run_scenario_in_memory(s, &m);
    const auto& mail = m.mail;
    const double got = mail["infected_messages"].get<double>() / mail["messages"].get<double>();
    BOOST_TEST(mail["messages"].get<uint64_t>() == 400u);
    BOOST_TEST(got > share - 0.02);
    BOOST_TEST(got < share + 0.02);
    std::map<std::string, uint64_t> per_client;
    uint64_t infected_tx = 0;
    for (const auto& t : mail["transactions"]) {
      ++per_client[t["client"].get<std::string>()];
      bool any = false;
      for (const auto& a : t["attachments"]) any = any || a["infected"].get<bool>();
      BOOST_TEST(any == t["infected"].get<bool>());
      infected_tx += any;
    }
    BOOST_TEST(infected_tx == mail["infected_messages"].get<uint64_t>());
    const std::string relay = m.hosts["mail_relays"][0];
    for (const auto& h : m.hosts["infected"]) {
      BOOST_TEST(per_client[relay] > per_client[h.get<std::string>()], "relay vs " << h);
      BOOST_TEST(per_client[h.get<std::string>()] > 0u);
    }
    // Worm mail only ever comes from infected hosts, straight to port 25.
    std::set<std::string> infected;
    for (const auto& h : m.hosts["infected"]) infected.insert(h);
    for (const auto& t : mail["transactions"]) {
      if (t["infected"]) {
        BOOST_TEST(infected.count(t["client"].get<std::string>()) == 1u);
        BOOST_TEST(t["server_port"] == 25);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(outbreak_hosts_listeners_and_scanners) {
  const auto& m = outbreak_capture().manifest;
  const auto& hosts = m["hosts"];
  BOOST_TEST(hosts["infected"].size() == 3u);
  BOOST_TEST(hosts["listeners"].size() == hosts["infected"].size());
  std::set<std::string> listeners;
  for (const auto& l : hosts["listeners"]) {
    BOOST_TEST(l["port"].get<int>() >= 3127);
    BOOST_TEST(l["port"].get<int>() <= 3198);
    listeners.insert(l["host"].get<std::string>() + ":" + std::to_string(l["port"].get<int>()));
  }
  size_t probes = 0, uploads = 0, answered = 0;
  std::set<std::string> scanners(hosts["scanners"].begin(), hosts["scanners"].end());
  for (const auto& f : m["flows"]) {
    if (!f.contains("app_truth") || !f["app_truth"].contains("role")) continue;
    const std::string role = f["app_truth"]["role"];
    if (role == "scan-probe") {
      ++probes;
      BOOST_TEST(f["dest_port"] == 3127);
      BOOST_TEST(scanners.count(f["src_ip"].get<std::string>()) == 1u);
      answered += f["end"] == "rst";
    } else if (role == "backdoor" || role == "scan-upload") {
      const std::string key =
          f["dest_ip"].get<std::string>() + ":" + std::to_string(f["dest_port"].get<int>());
      BOOST_TEST(listeners.count(key) == 1u, key);
      uploads += f["app_truth"]["upload"].get<bool>();
    }
  }
  BOOST_TEST(probes > 20u);
  BOOST_TEST(answered > 0u);
  BOOST_TEST(uploads > 0u);
}

BOOST_AUTO_TEST_CASE(outbreak_and_office_dissect_cleanly) {
  if (!have(kTshark)) return;
  check_clean(outbreak_capture());
  check_clean(office_capture());
  // Backdoor uploads begin with the magic bytes.
  const auto magic = tshark_lines(outbreak_capture(),
                                  "-Y \"tcp.dstport >= 3127 && tcp.dstport <= 3198 && tcp.len > 0 "
                                  "&& tcp.payload[0:5] == 85:13:3c:9e:a2\" -T fields -e tcp.stream");
  size_t uploads = 0;
  for (const auto& f : outbreak_capture().manifest["flows"]) {
    if (f.contains("app_truth") && f["app_truth"].contains("upload")) {
      uploads += f["app_truth"]["upload"].get<bool>();
    }
  }
  BOOST_TEST(magic.size() == uploads);
}

BOOST_AUTO_TEST_CASE(evasion_parses_without_errors) {
  if (!have(kTshark)) return;
  check_clean(evasion_capture());
}

BOOST_AUTO_TEST_CASE(imf_export_matches_manifest_hashes) {
  if (!have(kTshark) || !have(kPython)) return;
  check_imf_export(outbreak_capture(), 0.97);
  check_imf_export(office_capture(), 0.97);
}

BOOST_AUTO_TEST_CASE(evasion_cases_and_truth) {
  const auto& m = evasion_capture().manifest;
  std::map<std::string, std::vector<json>> by_case;
  for (const auto& t : m["mail"]["transactions"]) by_case[t["evasion_case"]].push_back(t);
  BOOST_TEST(by_case.size() == evasion_case_names().size());
  for (const auto& [name, txs] : by_case) {
    BOOST_TEST(txs.size() == (name == "message-partial" ? 2u : 1u), name);
  }
  BOOST_TEST(by_case["rejected-data"][0]["accepted"] == false);
  BOOST_TEST(by_case["long-filename"][0]["attachments"][0]["name"].get<std::string>().size() > 255u);
  BOOST_TEST(by_case["long-header"][0]["subject"].get<std::string>().size() > 2000u);
  BOOST_TEST(by_case["zip-in-zip"][0]["attachments"][0]["members"].size() == 3u);
  // Conflicting readings: one required file, one allowed alternate.
  const auto& cb = by_case["conflicting-boundary"][0]["attachments"];
  BOOST_TEST(cb.size() == 2u);
  BOOST_TEST(cb[0]["required"] == true);
  BOOST_TEST(cb[1]["required"] == false);
  // BDAT 0 LAST and RSET are on the wire.
  if (!have(kTshark)) return;
  const auto bdat = tshark_lines(evasion_capture(), "-Y \"tcp.payload contains \\\"BDAT 0 LAST\\\"\" -T fields -e frame.number");
  BOOST_TEST(bdat.size() == 1u);
}

BOOST_AUTO_TEST_CASE(evasion_case_selection) {
  EvasionConfig c;
  c.cases = {"uuencode", "bdat-chunking"};
  EvasionScenario s(opts(1), c);
  Manifest m;
  run_scenario_in_memory(s, &m);
  BOOST_TEST(m.flows().size() == 2u);
  BOOST_TEST(m.mail["transactions"][0]["evasion_case"] == "bdat-chunking");  // catalogue order
}

BOOST_AUTO_TEST_CASE(size_limit_cuts_and_counts) {
  OutbreakConfig c = small_mail(true);
  c.size_bytes = 2 << 20;
  OutbreakScenario s(opts(4), c);
  Manifest m;
  const auto bytes = run_scenario_in_memory(s, &m);
  BOOST_TEST(bytes.size() >= (2u << 20));
  BOOST_TEST(bytes.size() < (2u << 20) + 70000);
  BOOST_TEST(m.mail["messages"].get<uint64_t>() > 10u);
}

BOOST_AUTO_TEST_CASE(command_line) {
  const std::string wwgen = std::string(WW_BINARY_DIR) + "/tools/gen/wwgen";
  const auto dir = gen_test::temp_dir("outbreak_cli").string();
  auto rc = [&](const std::string& args) {
    const int st = std::system((wwgen + " " + args + " >/dev/null 2>&1").c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  BOOST_TEST(rc("outbreak --seed 1 --messages 20 --out " + dir + "/a.pcap") == 0);
  BOOST_TEST(rc("office --seed 1 --messages 20 --out " + dir + "/b.pcap") == 0);
  BOOST_TEST(rc("evasion --seed 1 --case uuencode --out " + dir + "/c.pcap") == 0);
  BOOST_TEST(access((dir + "/a.pcap.json").c_str(), R_OK) == 0);
  BOOST_TEST(rc("outbreak --infected-share 2 --out " + dir + "/x.pcap") == 2);
  BOOST_TEST(rc("outbreak --messages 5 --size 1M --out " + dir + "/x.pcap") == 2);
  BOOST_TEST(rc("outbreak --size 12Q --out " + dir + "/x.pcap") == 2);
  BOOST_TEST(rc("outbreak --hosts 5 --infected-hosts 5 --out " + dir + "/x.pcap") == 2);
  BOOST_TEST(rc("office --infected-share 0.1 --out " + dir + "/x.pcap") == 2);
  BOOST_TEST(rc("evasion --case no-such-case --out " + dir + "/x.pcap") == 2);
}

BOOST_AUTO_TEST_SUITE_END()

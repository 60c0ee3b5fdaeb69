// Runs one regression case: optionally generates its capture with wwgen, runs
// wormwatch with the case's arguments, and checks exit status, standard error
// and selected fields of the EVE records (count / match, as suricata-verify).
//
//   regress_runner -- CASE_DIR OUT_DIR
//
// test.yaml:
//   description: text
//   generate: [mixed, --seed, "1", --flows, "50"]   # optional: wwgen args; capture is OUT/gen.pcap
//   pcap: pcaps/x.pcap                             # optional: relative to the repository root
//   args: [--workers, "1"]                         # extra wormwatch arguments
//   exit_code: 0                                   # default 0
//   prefix: [setpriv, --reuid=65534]               # command put in front of wormwatch
//   setup: ["shell command", ...]                  # run before wormwatch
//   no_log_dir: true                               # do not pass -l OUT
//   stderr_contains: [text, ...]
//   checks:
//     - filter: {count: 1, match: {event_type: flow, app_proto: smtp}}
//     - filter: {min_count: 1, match: {...}}
//     - filter: {count: 1, match: {event_type: stats}, at_least: {stats.scan.cache_hits: 1}}
//       (at_least: numeric fields that must be >= the value for a record to match)
//     - community_id_matches_tshark: true          # every flow record's id equals tshark's
//     - manifest_flows: true                       # flows equal the generator's manifest
//     - stream_hashes_match_tcpflow: true          # reassembled streams equal tcpflow's files
//     - deterministic_rerun: true                  # a second run writes the same records
//       (sorted line by line: workers, the scan service and the host tracker write from
//       several threads); or {ignore_event_types: [stats]} to leave out those records;
//       {rerun_args: [--workers, "1", --set, scan.threads=1]} runs the second time with
//       those arguments added; {event_types: [alert, host]} compares only those records
//     - flows_equal_with_workers: 2                # same flow records with --workers 2
//     - eve_lacks: [text, ...]                     # no record contains any of these strings
//     - files_exist: [filestore/ab/abcd..., ...]   # paths under OUT the run wrote
//
//     - manifest_attachments: {min_recall: 1.0, min_precision: 1.0}
//       ground truth from the manifest (`manifest:`, default the capture + ".json"):
//       recall = required attachments of mail.transactions found as a fileinfo record of the
//       same connection (src/dest ip and port = the transaction's client/server) with the same
//       sha256 and name (fileinfo.filename, or one of fileinfo.alternate_names); precision =
//       fileinfo records whose sha256 is an attachment (required or not) of a transaction on
//       their connection
//     - manifest_detections: {min_recall: 1.0, min_precision: 1.0}
//       recall = infected attachments with an alert 1000001 on their connection and sha256
//       (required ones always; others when a fileinfo record shows the sensor produced them);
//       precision = alerts 1000001 whose sha256 is an infected attachment of their connection
//     - manifest_hosts: {min_recall: 1.0, min_precision: 1.0, sweep_targets: 10, sweep_window_s: 300}
//       recall over: hosts.infected -> 1002005, hosts.listeners that answered a connection in
//       the manifest's flows -> 1002001 (host:port),
//       hosts.scanners that probed >= sweep_targets distinct hosts within sweep_window_s (from
//       the manifest's scan flows) -> 1002003; precision = 1002xxx alerts whose flagged host
//       (alert.host.ip) is expected (listener/upload: a listener host; sweep: a scanner;
//       mass mailing and infected: an infected host); any 1002xxx alert on a host of
//       hosts.benign or hosts.mail_relays fails regardless of the thresholds
//   Each manifest_* check logs recall and precision and lists the misses.
//
// manifest: ${OUT}/x.pcap.json                    # optional: where the ground truth is
//
// Placeholders in args, setup and manifest: ${PCAP} (the capture), ${OUT} (the output dir),
// ${SRC} (repo root), ${GEN} (the wwgen binary).

#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

int run(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  if (st == -1) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string substitute(std::string s, const std::string& pcap, const std::string& out) {
  auto rep = [&](const std::string& k, const std::string& v) {
    for (size_t pos; (pos = s.find(k)) != std::string::npos;) s.replace(pos, k.size(), v);
  };
  rep("${PCAP}", pcap);
  rep("${OUT}", out);
  rep("${SRC}", WW_SOURCE_DIR);
  rep("${GEN}", WW_GEN);
  return s;
}

// Looks up a dotted path ("flow.pkts_toserver") in a record.
const json* lookup(const json& j, const std::string& path) {
  const json* cur = &j;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(part)) return nullptr;
    cur = &(*cur)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

bool value_matches(const json& have, const YAML::Node& want) {
  if (want.IsSequence()) {
    if (!have.is_array() || have.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i)
      if (!value_matches(have[i], want[i])) return false;
    return true;
  }
  const std::string w = want.Scalar();
  if (have.is_string()) return have.get<std::string>() == w;
  if (have.is_boolean()) return (have.get<bool>() ? "true" : "false") == w;
  if (have.is_number()) return have.dump() == w;
  if (have.is_null()) return w == "null" || w == "~";
  return false;
}

bool record_matches(const json& rec, const YAML::Node& match) {
  for (const auto& kv : match) {
    const json* v = lookup(rec, kv.first.as<std::string>());
    if (!v || !value_matches(*v, kv.second)) return false;
  }
  return true;
}

// Every listed field is a number >= the given value ("stats.scan.cache_hits: 1").
bool record_at_least(const json& rec, const YAML::Node& mins) {
  for (const auto& kv : mins) {
    const json* v = lookup(rec, kv.first.as<std::string>());
    if (!v || !v->is_number() || v->get<double>() < kv.second.as<double>()) return false;
  }
  return true;
}

std::set<std::string> tshark_community_ids(const std::string& pcap) {
  std::string cmd = fmt::format(
      "tshark -r {} --enable-protocol communityid -T fields -e communityid 2>/dev/null",
      shell_quote(pcap));
  std::set<std::string> ids;
  FILE* p = popen(cmd.c_str(), "r");
  BOOST_REQUIRE_MESSAGE(p, "cannot run tshark");
  char line[512];
  while (std::fgets(line, sizeof line, p)) {
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (!s.empty()) ids.insert(s);
  }
  pclose(p);
  return ids;
}

// Connection key of a manifest transaction or of a record's flow header.
std::string conn_key(const std::string& client, uint64_t cport, const std::string& server,
                     uint64_t sport) {
  return client + ":" + std::to_string(cport) + " -> " + server + ":" + std::to_string(sport);
}
std::string tx_key(const json& t) {
  return conn_key(t.value("client", ""), t.value("client_port", 0), t.value("server", ""),
                  t.value("server_port", 0));
}
std::string record_key(const json& r) {
  return conn_key(r.value("src_ip", ""), r.value("src_port", 0), r.value("dest_ip", ""),
                  r.value("dest_port", 0));
}

std::string str_at(const json& r, const std::string& path) {
  const json* v = lookup(r, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}
int64_t int_at(const json& r, const std::string& path) {
  const json* v = lookup(r, path);
  return v && v->is_number_integer() ? v->get<int64_t>() : -1;
}

// Logs recall and precision, lists up to 20 misses of each kind, and fails
// below the case's thresholds.
void judge(const std::string& what, const YAML::Node& chk, size_t recall_hit, size_t recall_total,
           const std::vector<std::string>& missed, size_t prec_hit, size_t prec_total,
           const std::vector<std::string>& extra) {
  const double recall = recall_total ? double(recall_hit) / double(recall_total) : 1.0;
  const double precision = prec_total ? double(prec_hit) / double(prec_total) : 1.0;
  const double min_recall = chk["min_recall"].as<double>(1.0);
  const double min_precision = chk["min_precision"].as<double>(1.0);
  BOOST_TEST_MESSAGE(fmt::format("{}: recall {:.4f} ({}/{}), precision {:.4f} ({}/{})", what,
                                 recall, recall_hit, recall_total, precision, prec_hit,
                                 prec_total));
  for (size_t i = 0; i < missed.size() && i < 20; ++i)
    BOOST_TEST_MESSAGE(what << " missed: " << missed[i]);
  if (missed.size() > 20) BOOST_TEST_MESSAGE(what << " missed: ... " << missed.size() - 20 << " more");
  for (size_t i = 0; i < extra.size() && i < 20; ++i)
    BOOST_TEST_MESSAGE(what << " not in the truth: " << extra[i]);
  if (extra.size() > 20) BOOST_TEST_MESSAGE(what << " not in the truth: ... " << extra.size() - 20 << " more");
  BOOST_TEST(recall >= min_recall, what << ": recall " << recall << " (" << recall_hit << "/"
                                        << recall_total << ") below " << min_recall);
  BOOST_TEST(precision >= min_precision, what << ": precision " << precision << " (" << prec_hit
                                              << "/" << prec_total << ") below "
                                              << min_precision);
}

bool is_alert(const json& r, int64_t sid) {
  return r.value("event_type", "") == "alert" && int_at(r, "alert.signature_id") == sid;
}

void check_manifest_attachments(const json& m, const std::vector<json>& records,
                                const YAML::Node& chk) {
  // connection -> sha256 of every attachment (required or not) of its transactions
  std::map<std::string, std::set<std::string>> truth;
  for (const auto& t : m["mail"]["transactions"])
    for (const auto& a : t["attachments"]) truth[tx_key(t)].insert(a.value("sha256", ""));
  std::map<std::string, std::vector<const json*>> files;  // connection -> fileinfo records
  size_t prec_hit = 0, prec_total = 0;
  std::vector<std::string> extra, missed;
  for (const auto& r : records) {
    if (r.value("event_type", "") != "fileinfo") continue;
    files[record_key(r)].push_back(&r);
    ++prec_total;
    const std::string sha = str_at(r, "fileinfo.sha256");
    auto it = truth.find(record_key(r));
    if (it != truth.end() && it->second.count(sha)) ++prec_hit;
    else extra.push_back(record_key(r) + " " + str_at(r, "fileinfo.filename") + " " + sha);
  }
  size_t hit = 0, total = 0;
  std::set<const json*> used;
  for (const auto& t : m["mail"]["transactions"]) {
    for (const auto& a : t["attachments"]) {
      if (!a.value("required", true)) continue;
      ++total;
      const std::string sha = a.value("sha256", ""), name = a.value("name", "");
      bool found = false, sha_only = false;
      for (const json* f : files[tx_key(t)]) {
        if (used.count(f) || str_at(*f, "fileinfo.sha256") != sha) continue;
        bool named = str_at(*f, "fileinfo.filename") == name;
        if (const json* alt = lookup(*f, "fileinfo.alternate_names"); alt && alt->is_array())
          for (const auto& n : *alt) named = named || (n.is_string() && n.get<std::string>() == name);
        if (!named) {
          sha_only = true;
          continue;
        }
        used.insert(f);
        found = true;
        break;
      }
      if (found) ++hit;
      else
        missed.push_back(tx_key(t) + " " + t.value("evasion_case", std::string()) + " '" + name +
                         "' " + sha + (sha_only ? " (sha256 found under another name)" : ""));
    }
  }
  judge("manifest_attachments", chk, hit, total, missed, prec_hit, prec_total, extra);
}

void check_manifest_detections(const json& m, const std::vector<json>& records,
                               const YAML::Node& chk) {
  std::map<std::string, std::set<std::string>> infected;  // connection -> sha256
  for (const auto& t : m["mail"]["transactions"])
    for (const auto& a : t["attachments"])
      if (a.value("infected", false)) infected[tx_key(t)].insert(a.value("sha256", ""));
  std::set<std::string> seen_files, alerted;  // "connection sha256"
  size_t prec_hit = 0, prec_total = 0;
  std::vector<std::string> extra, missed;
  for (const auto& r : records) {
    const std::string k = record_key(r) + " " + str_at(r, "fileinfo.sha256");
    if (r.value("event_type", "") == "fileinfo") seen_files.insert(k);
    if (!is_alert(r, 1000001)) continue;
    alerted.insert(k);
    ++prec_total;
    auto it = infected.find(record_key(r));
    if (it != infected.end() && it->second.count(str_at(r, "fileinfo.sha256"))) ++prec_hit;
    else extra.push_back(k + " " + str_at(r, "fileinfo.filename") + " " + str_at(r, "alert.signature"));
  }
  size_t hit = 0, total = 0;
  for (const auto& t : m["mail"]["transactions"]) {
    for (const auto& a : t["attachments"]) {
      if (!a.value("infected", false)) continue;
      const std::string k = tx_key(t) + " " + a.value("sha256", "");
      if (!a.value("required", true) && !seen_files.count(k)) continue;
      ++total;
      if (alerted.count(k)) ++hit;
      else missed.push_back(k + " '" + a.value("name", "") + "'");
    }
  }
  judge("manifest_detections", chk, hit, total, missed, prec_hit, prec_total, extra);
}

void check_manifest_hosts(const json& m, const std::vector<json>& records, const YAML::Node& chk) {
  const json& h = m["hosts"];
  auto strings = [](const json& a) {
    std::set<std::string> out;
    if (a.is_array())
      for (const auto& x : a)
        if (x.is_string()) out.insert(x.get<std::string>());
    return out;
  };
  const std::set<std::string> infected = strings(h["infected"]), scanners = strings(h["scanners"]);
  std::set<std::string> innocent = strings(h["benign"]);
  for (const auto& r : strings(h["mail_relays"])) innocent.insert(r);
  std::set<std::string> listener_hosts, listeners;
  for (const auto& l : h["listeners"]) {
    listener_hosts.insert(l.value("host", ""));
    listeners.insert(l.value("host", "") + ":" + std::to_string(l.value("port", 0)));
  }
  // Scanners that crossed the sweep threshold, from the manifest's probe flows.
  const size_t targets = chk["sweep_targets"].as<size_t>(10);
  const int64_t window_us = chk["sweep_window_s"].as<int64_t>(300) * 1000000;
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> probes;
  for (const auto& f : m["flows"]) {
    if (!scanners.count(f.value("src_ip", ""))) continue;
    const int port = f.value("dest_port", 0);
    if (port < 3127 || port > 3198) continue;
    probes[f.value("src_ip", "")].emplace_back(f.value("start_us", int64_t{0}), f.value("dest_ip", ""));
  }
  std::set<std::string> sweepers;
  for (auto& [src, v] : probes) {
    std::sort(v.begin(), v.end());
    for (size_t i = 0; i < v.size() && !sweepers.count(src); ++i) {
      std::set<std::string> d;
      for (size_t j = i; j < v.size() && v[j].first < v[i].first + window_us; ++j) d.insert(v[j].second);
      if (d.size() >= targets) sweepers.insert(src);
    }
  }
  std::set<std::string> got_infected, got_listeners, got_sweeps;
  size_t prec_hit = 0, prec_total = 0;
  std::vector<std::string> extra, missed;
  for (const auto& r : records) {
    if (r.value("event_type", "") != "alert") continue;
    const int64_t sid = int_at(r, "alert.signature_id");
    if (sid < 1002000 || sid > 1002999) continue;
    ++prec_total;
    const std::string ip = str_at(r, "host.ip");
    const std::string what = std::to_string(sid) + " " + ip;
    bool ok = false;
    switch (sid) {
      case 1002001:
        got_listeners.insert(ip + ":" + std::to_string(int_at(r, "host.port")));
        ok = listeners.count(ip + ":" + std::to_string(int_at(r, "host.port"))) > 0;
        break;
      case 1002002: ok = listener_hosts.count(ip) > 0; break;
      case 1002003:
        got_sweeps.insert(ip);
        ok = scanners.count(ip) > 0;
        break;
      case 1002004: ok = infected.count(ip) > 0; break;
      case 1002005:
        got_infected.insert(ip);
        ok = infected.count(ip) > 0;
        break;
      default: break;
    }
    if (ok) ++prec_hit;
    else extra.push_back(what);
    BOOST_TEST(!innocent.count(ip), "alert " << what << " on a benign host or mail relay");
  }
  size_t hit = 0, total = 0;
  auto expect = [&](const std::set<std::string>& want, const std::set<std::string>& got,
                    const char* sid) {
    for (const auto& w : want) {
      ++total;
      if (got.count(w)) ++hit;
      else missed.push_back(std::string(sid) + " " + w);
    }
  };
  expect(infected, got_infected, "1002005");
  // A listener no one connected to (in the capture's manifest flows) cannot be seen.
  std::set<std::string> answered;
  for (const auto& f : m["flows"])
    if (f.value("pkts_toclient", 0) > 0)
      answered.insert(f.value("dest_ip", "") + ":" + std::to_string(f.value("dest_port", 0)));
  std::set<std::string> contacted;
  for (const auto& l : listeners)
    if (answered.count(l)) contacted.insert(l);
  expect(contacted, got_listeners, "1002001");
  expect(sweepers, got_sweeps, "1002003");
  BOOST_TEST_MESSAGE("manifest_hosts: " << infected.size() << " infected, " << listeners.size()
                                        << " listeners, " << sweepers.size() << " of "
                                        << scanners.size() << " scanners over the sweep threshold");
  judge("manifest_hosts", chk, hit, total, missed, prec_hit, prec_total, extra);
}

// eve.json lines sorted, without the records of the given event types.
std::vector<std::string> sorted_lines(const fs::path& eve, const std::set<std::string>& skip) {
  std::vector<std::string> out;
  std::ifstream in(eve);
  std::string line;
  while (std::getline(in, line)) {
    bool drop = false;
    for (const auto& t : skip)
      drop = drop || line.find("\"event_type\":\"" + t + "\"") != std::string::npos;
    if (!drop) out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(regression_case) {
  auto& mts = boost::unit_test::framework::master_test_suite();
  BOOST_REQUIRE_MESSAGE(mts.argc >= 3, "usage: regress_runner -- CASE_DIR OUT_DIR");
  const fs::path case_dir = mts.argv[1];
  const fs::path out_dir = mts.argv[2];
  fs::remove_all(out_dir);
  fs::create_directories(out_dir);
  YAML::Node t = YAML::LoadFile((case_dir / "test.yaml").string());
  BOOST_TEST_MESSAGE("case " << case_dir.filename().string() << ": "
                             << t["description"].as<std::string>(""));

  std::string pcap;
  if (t["generate"]) {
    pcap = (out_dir / "gen.pcap").string();
    std::string cmd = WW_GEN;
    for (const auto& a : t["generate"]) cmd += " " + shell_quote(a.as<std::string>());
    cmd += " --out " + shell_quote(pcap) + " > " + shell_quote((out_dir / "gen.log").string()) +
           " 2>&1";
    BOOST_REQUIRE_MESSAGE(run(cmd) == 0, "wwgen failed: " << slurp(out_dir / "gen.log"));
  } else if (t["pcap"]) {
    pcap = (fs::path(WW_SOURCE_DIR) / t["pcap"].as<std::string>()).string();
  }

  if (t["setup"]) {
    for (const auto& c : t["setup"]) {
      std::string sc = substitute(c.as<std::string>(), pcap, out_dir.string());
      BOOST_REQUIRE_MESSAGE(run(sc) == 0, "setup failed: " << sc);
    }
  }
  std::string cmd;
  if (t["prefix"]) {
    for (const auto& a : t["prefix"]) cmd += shell_quote(a.as<std::string>()) + " ";
  }
  cmd += std::string(WW_BINARY);
  bool has_r = false;
  if (t["args"]) {
    for (const auto& a : t["args"]) {
      std::string s = substitute(a.as<std::string>(), pcap, out_dir.string());
      if (s == "-r") has_r = true;
      cmd += " " + shell_quote(s);
    }
  }
  if (!pcap.empty() && !has_r) cmd += " -r " + shell_quote(pcap);
  if (!t["no_log_dir"].as<bool>(false)) cmd += " -l " + shell_quote(out_dir.string());
  const std::string base_cmd = cmd;
  cmd += " > " + shell_quote((out_dir / "stdout").string()) + " 2> " +
         shell_quote((out_dir / "stderr").string()) + " < /dev/null";
  int want_rc = t["exit_code"].as<int>(0);
  int rc = run(cmd);
  std::string err = slurp(out_dir / "stderr");
  BOOST_TEST(rc == want_rc, "exit status " << rc << ", expected " << want_rc << "; stderr:\n"
                                           << err);

  if (t["stderr_contains"]) {
    for (const auto& s : t["stderr_contains"]) {
      std::string want = substitute(s.as<std::string>(), pcap, out_dir.string());
      BOOST_TEST(err.find(want) != std::string::npos,
                 "stderr lacks '" << want << "'; stderr:\n" << err);
    }
  }
  if (t["stderr_lines_max"]) {
    size_t lines = std::count(err.begin(), err.end(), '\n');
    BOOST_TEST(lines <= t["stderr_lines_max"].as<size_t>(), "stderr too long:\n" << err);
  }

  std::vector<json> records;
  fs::path eve = out_dir / "eve.json";
  if (fs::exists(eve)) {
    std::ifstream in(eve);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      try {
        records.push_back(json::parse(line));
      } catch (const std::exception& e) {
        BOOST_FAIL("eve.json line " << n << " is not JSON: " << e.what());
      }
    }
  }

  if (!t["checks"]) return;
  fs::path manifest_path = pcap + ".json";
  if (t["manifest"])
    manifest_path = substitute(t["manifest"].as<std::string>(), pcap, out_dir.string());
  json manifest;
  auto load_manifest = [&]() -> const json& {
    if (manifest.is_null()) {
      BOOST_REQUIRE_MESSAGE(fs::exists(manifest_path), "no manifest " << manifest_path.string());
      manifest = json::parse(slurp(manifest_path));
    }
    return manifest;
  };
  for (const auto& chk : t["checks"]) {
    if (chk["filter"]) {
      const auto& f = chk["filter"];
      size_t count = 0;
      for (const auto& r : records)
        if ((!f["match"] || record_matches(r, f["match"])) &&
            (!f["at_least"] || record_at_least(r, f["at_least"])))
          ++count;
      std::string what = f["match"] ? YAML::Dump(f["match"]) : std::string("all");
      if (f["at_least"]) what += " at least " + YAML::Dump(f["at_least"]);
      if (f["count"]) {
        BOOST_TEST(count == f["count"].as<size_t>(),
                   "filter " << what << " matched " << count << ", expected "
                             << f["count"].as<size_t>());
      }
      if (f["min_count"]) {
        BOOST_TEST(count >= f["min_count"].as<size_t>(),
                   "filter " << what << " matched " << count << ", expected at least "
                             << f["min_count"].as<size_t>());
      }
    } else if (chk["files_exist"]) {
      // Paths relative to the output directory that the run must have written.
      for (const auto& s : chk["files_exist"]) {
        const fs::path p = out_dir / s.as<std::string>();
        BOOST_TEST(fs::exists(p), "missing " << p.string());
      }
    } else if (chk["eve_lacks"]) {
      // None of these strings may appear in any record (secrets, raw wire text).
      const std::string all = slurp(eve);
      for (const auto& s : chk["eve_lacks"]) {
        const std::string needle = s.as<std::string>();
        BOOST_TEST(all.find(needle) == std::string::npos, "eve.json contains '" << needle << "'");
      }
    } else if (chk["community_id_matches_tshark"]) {
      auto theirs = tshark_community_ids(pcap);
      std::set<std::string> ours;
      for (const auto& r : records)
        if (r.value("event_type", "") == "flow") ours.insert(r.value("community_id", ""));
      BOOST_TEST(!ours.empty());
      BOOST_TEST(ours == theirs, "community ids differ: ours " << ours.size() << ", tshark "
                                                              << theirs.size());
    } else if (chk["manifest_attachments"]) {
      check_manifest_attachments(load_manifest(), records, chk["manifest_attachments"]);
    } else if (chk["manifest_detections"]) {
      check_manifest_detections(load_manifest(), records, chk["manifest_detections"]);
    } else if (chk["manifest_hosts"]) {
      check_manifest_hosts(load_manifest(), records, chk["manifest_hosts"]);
    } else if (chk["manifest_flows"]) {
      // Every flow of the generator's manifest has exactly one flow record with the
      // same endpoints, packets and bytes each way; and no record is extra.
      json m = json::parse(slurp(pcap + ".json"));
      auto key_of = [](const std::string& proto, const json& f) {
        std::string p = proto;
        for (auto& ch : p) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (p == "IPV6-ICMP") p = "ICMP";
        std::string k = p + " " + f.value("src_ip", "") + " " + f.value("dest_ip", "");
        if (p == "TCP" || p == "UDP")
          k += " " + std::to_string(f.value("src_port", 0)) + " " +
               std::to_string(f.value("dest_port", 0));
        return k;
      };
      std::multimap<std::string, json> ours;
      for (const auto& r : records)
        if (r.value("event_type", "") == "flow") ours.emplace(key_of(r.value("proto", ""), r), r);
      size_t found = 0, exact = 0;
      for (const auto& f : m["flows"]) {
        auto it = ours.find(key_of(f.value("proto", ""), f));
        if (it == ours.end()) {
          BOOST_TEST_MESSAGE("missing flow " << f.dump());
          continue;
        }
        ++found;
        const json& fl = it->second["flow"];
        bool same = fl["pkts_toserver"] == f["pkts_toserver"] &&
                    fl["pkts_toclient"] == f["pkts_toclient"] &&
                    fl["bytes_toserver"] == f["bytes_toserver"] &&
                    fl["bytes_toclient"] == f["bytes_toclient"];
        if (same) ++exact;
        else BOOST_TEST_MESSAGE("counts differ: manifest " << f.dump() << " record " << fl.dump());
        ours.erase(it);
      }
      size_t expected = m["flows"].size();
      BOOST_TEST(found == expected, "recall: " << found << " of " << expected << " flows found");
      BOOST_TEST(exact == expected, exact << " of " << expected << " flows with exact counts");
      BOOST_TEST(ours.empty(), ours.size() << " flow records not in the manifest");
    } else if (chk["stream_hashes_match_tcpflow"]) {
      // Differential: the sha256 of every reassembled direction equals the sha256 of
      // the file tcpflow writes for it (empty directions are left out on both sides).
      fs::path tf = out_dir / "tcpflow";
      fs::create_directories(tf);
      BOOST_REQUIRE(run("tcpflow -r " + shell_quote(pcap) + " -o " + shell_quote(tf.string()) +
                        " > /dev/null 2>&1") == 0);
      std::multiset<std::string> theirs, ours;
      std::string list = out_dir.string() + "/tcpflow.sha256";
      BOOST_REQUIRE(run("cd " + shell_quote(tf.string()) +
                        " && find . -type f ! -name report.xml ! -empty -exec sha256sum {} + > " +
                        shell_quote(list)) == 0);
      std::ifstream in(list);
      std::string line;
      while (std::getline(in, line))
        if (line.size() >= 64) theirs.insert(line.substr(0, 64));
      for (const auto& r : records) {
        if (r.value("event_type", "") != "flow" || !r.contains("stream")) continue;
        for (const char* d : {"toserver", "toclient"}) {
          const auto& o = r["stream"][d];
          if (o.value("bytes", 0) > 0) ours.insert(o.value("sha256", std::string("missing")));
        }
      }
      BOOST_TEST(!ours.empty());
      BOOST_TEST(ours.size() == theirs.size(), "streams: ours " << ours.size() << ", tcpflow "
                                                                << theirs.size());
      BOOST_TEST((ours == theirs), "reassembled stream hashes differ from tcpflow's");
    } else if (chk["deterministic_rerun"]) {
      // The same command again into another directory: the same records. Workers, the
      // scan service and the host tracker write from several threads, so lines are
      // compared sorted; {ignore_event_types: [...]} leaves some records out.
      // {rerun_args: [...]}: the second run gets these too (a --workers there replaces
      // the case's own); {event_types: [...]}: compare only those records.
      const YAML::Node dr = chk["deterministic_rerun"];
      std::set<std::string> skip, only;
      if (dr.IsMap() && dr["ignore_event_types"])
        for (const auto& e : dr["ignore_event_types"]) skip.insert(e.as<std::string>());
      if (dr.IsMap() && dr["event_types"])
        for (const auto& e : dr["event_types"]) only.insert(e.as<std::string>());
      fs::path again = out_dir / "rerun";
      fs::create_directories(again);
      std::string c2 = base_cmd;
      auto pos = c2.rfind(" -l ");
      BOOST_REQUIRE(pos != std::string::npos);
      c2 = c2.substr(0, pos);
      if (dr.IsMap() && dr["rerun_args"]) {
        std::string extra;
        for (const auto& a : dr["rerun_args"]) {
          const std::string x = substitute(a.as<std::string>(), pcap, out_dir.string());
          if (x == "--workers") {
            auto w = c2.find("'--workers' '");
            if (w != std::string::npos) c2.erase(w, c2.find('\'', w + 13) + 1 - w);
          }
          extra += " " + shell_quote(x);
        }
        c2 += extra;
        BOOST_TEST_MESSAGE("rerun:" << extra);
      }
      c2 += " -l " + shell_quote(again.string()) + " -q > /dev/null 2>&1";
      BOOST_REQUIRE(run(c2) == 0);
      auto keep = [&](std::vector<std::string> v) {
        if (only.empty()) return v;
        std::erase_if(v, [&](const std::string& l) {
          for (const auto& t : only)
            if (l.find("\"event_type\":\"" + t + "\"") != std::string::npos) return false;
          return true;
        });
        return v;
      };
      const auto a = keep(sorted_lines(out_dir / "eve.json", skip));
      const auto b = keep(sorted_lines(again / "eve.json", skip));
      std::vector<std::string> only_a, only_b;
      std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_a));
      std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_b));
      for (size_t i = 0; i < only_a.size() && i < 5; ++i)
        BOOST_TEST_MESSAGE("first run only: " << only_a[i].substr(0, 400));
      for (size_t i = 0; i < only_b.size() && i < 5; ++i)
        BOOST_TEST_MESSAGE("second run only: " << only_b[i].substr(0, 400));
      BOOST_TEST(!a.empty());
      BOOST_TEST((a == b), "a second run wrote different records: " << only_a.size() << " lines only in the first, "
                                                                   << only_b.size() << " only in the second");
    } else if (chk["flows_equal_with_workers"]) {
      // Rerun with another worker count: the same flow records, in any order.
      std::string n = chk["flows_equal_with_workers"].as<std::string>();
      fs::path again = out_dir / ("workers-" + n);
      fs::create_directories(again);
      std::string c2 = base_cmd;
      auto pos = c2.rfind(" -l ");
      BOOST_REQUIRE(pos != std::string::npos);
      c2 = c2.substr(0, pos);
      // Replace the case's own --workers value, if it has one.
      auto w = c2.find("'--workers' '");
      if (w != std::string::npos) {
        auto end = c2.find('\'', w + 13);
        c2.erase(w, end + 1 - w);
      }
      c2 += " -l " + shell_quote(again.string()) + " --workers " + n + " -q > /dev/null 2>&1";
      BOOST_REQUIRE(run(c2) == 0);
      auto flow_lines = [](const std::string& text) {
        std::multiset<std::string> out;
        std::stringstream ss(text);
        std::string line;
        while (std::getline(ss, line))
          if (line.find("\"event_type\":\"flow\"") != std::string::npos) out.insert(line);
        return out;
      };
      auto a = flow_lines(slurp(out_dir / "eve.json"));
      auto b = flow_lines(slurp(again / "eve.json"));
      BOOST_TEST(!a.empty());
      BOOST_TEST(a.size() == b.size());
      BOOST_TEST((a == b), "flow records differ with --workers " << n);
    } else {
      BOOST_FAIL("unknown check in " << (case_dir / "test.yaml").string());
    }
  }
}

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
//     - community_id_matches_tshark: true          # every flow record's id equals tshark's
//     - manifest_flows: true                       # flows equal the generator's manifest
//     - stream_hashes_match_tcpflow: true          # reassembled streams equal tcpflow's files
//     - deterministic_rerun: true                  # a second run writes identical eve.json
//     - flows_equal_with_workers: 2                # same flow records with --workers 2
//     - eve_lacks: [text, ...]                     # no record contains any of these strings
//     - files_exist: [filestore/ab/abcd..., ...]   # paths under OUT the run wrote
//
// Placeholders in args: ${PCAP} (the capture), ${OUT} (the output dir), ${SRC} (repo root).

#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
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
  for (const auto& chk : t["checks"]) {
    if (chk["filter"]) {
      const auto& f = chk["filter"];
      size_t count = 0;
      for (const auto& r : records)
        if (!f["match"] || record_matches(r, f["match"])) ++count;
      std::string what = f["match"] ? YAML::Dump(f["match"]) : std::string("all");
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
      // The same command again into another directory: eve.json must be byte-identical.
      fs::path again = out_dir / "rerun";
      fs::create_directories(again);
      std::string c2 = base_cmd;
      auto pos = c2.rfind(" -l ");
      BOOST_REQUIRE(pos != std::string::npos);
      c2 = c2.substr(0, pos) + " -l " + shell_quote(again.string()) + " -q > /dev/null 2>&1";
      BOOST_REQUIRE(run(c2) == 0);
      BOOST_TEST(slurp(again / "eve.json") == slurp(out_dir / "eve.json"),
                 "a second run wrote different records");
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

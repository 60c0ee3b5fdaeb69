#include "tools/gen/scenario.h"

#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <map>
#include <set>

#include "gen_test_util.h"
#include "tools/gen/scenario_mixed.h"
#include "tools/gen/scenario_smtp.h"

using namespace ww::gen;

namespace {

MixedConfig small_mixed() {
  MixedConfig c;
  c.flows = 120;
  c.concurrency = 25;
  c.max_flow_bytes = 150000;
  return c;
}

ScenarioOptions opts(uint64_t seed, bool vlan = false,
                     ww::LinkType link = ww::LinkType::kEthernet) {
  ScenarioOptions o;
  o.seed = seed;
  o.vlan = vlan;
  o.link = link;
  return o;
}

std::vector<uint8_t> mixed_bytes(const ScenarioOptions& o, const MixedConfig& c,
                                 Manifest* m = nullptr) {
  MixedScenario s(o, c);
  return run_scenario_in_memory(s, m);
}

// Per-flow, per-direction totals recomputed from the capture, keyed like the
// manifest: client "ip:port" -> server "ip:port".
struct Totals {
  uint64_t packets[2] = {}, bytes[2] = {}, payload[2] = {};
  int64_t first = -1, last = -1;
};

void check_manifest_against_capture(const gen_test::Capture& cap, const Manifest& m) {
  std::map<std::tuple<int, std::string, std::string>, std::pair<size_t, int>> index;
  const auto& flows = m.flows();
  for (size_t i = 0; i < flows.size(); ++i) {
    const auto& f = flows[i];
    const std::string c = format_ip(f.client_ip) + ":" + std::to_string(f.client_port);
    const std::string s = format_ip(f.server_ip) + ":" + std::to_string(f.server_port);
    BOOST_REQUIRE_MESSAGE(
        index.emplace(std::make_tuple(int(f.proto), c, s), std::make_pair(i, 0)).second,
        "5-tuple used twice: " << c << " -> " << s);
    index.emplace(std::make_tuple(int(f.proto), s, c), std::make_pair(i, 1));
  }
  std::vector<Totals> totals(flows.size());
  uint64_t bytes = 24;
  int64_t last_ts = 0;
  for (const auto& r : cap.records) {
    bytes += 16 + r.incl;
    const int64_t ts = r.ts_us(cap.nano);
    BOOST_REQUIRE(ts >= last_ts);
    last_ts = ts;
    const auto p = gen_test::parse_frame(r.data, cap.linktype);
    BOOST_REQUIRE_MESSAGE(p.error.empty(), p.error);
    BOOST_REQUIRE(p.ip_checksum_ok);
    BOOST_REQUIRE(p.l4_checksum_ok);
    // parse_frame formats addresses its own way; rebuild the manifest's text.
    ww::IpAddress src =
        p.addr_len == 4 ? ww::IpAddress::v4(p.src.data()) : ww::IpAddress::v6(p.src.data());
    ww::IpAddress dst =
        p.addr_len == 4 ? ww::IpAddress::v4(p.dst.data()) : ww::IpAddress::v6(p.dst.data());
    const auto key = std::make_tuple(int(p.proto), format_ip(src) + ":" + std::to_string(p.sport),
                                     format_ip(dst) + ":" + std::to_string(p.dport));
    const auto it = index.find(key);
    BOOST_REQUIRE_MESSAGE(it != index.end(), "packet of no manifest flow: "
                                                 << std::get<1>(key) << " -> " << std::get<2>(key));
    auto& t = totals[it->second.first];
    const int d = it->second.second;
    ++t.packets[d];
    t.bytes[d] += r.orig;
    t.payload[d] += p.payload.size();
    if (t.first < 0) t.first = ts;
    t.last = ts;
  }
  BOOST_TEST(m.packets() == cap.records.size());
  BOOST_TEST(m.to_json()["capture"]["bytes"].get<uint64_t>() == bytes);
  for (size_t i = 0; i < flows.size(); ++i) {
    const auto& f = flows[i];
    for (int d = 0; d < 2; ++d) {
      BOOST_TEST(f.dir[d].packets == totals[i].packets[d]);
      BOOST_TEST(f.dir[d].bytes == totals[i].bytes[d]);
      BOOST_TEST(f.dir[d].payload_bytes == totals[i].payload[d]);
    }
    BOOST_TEST(f.start_us == totals[i].first);
    BOOST_TEST(f.end_us == totals[i].last);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gen_scenarios)

BOOST_AUTO_TEST_CASE(same_seed_gives_identical_bytes_and_manifest) {
  Manifest m1, m2;
  const auto a = mixed_bytes(opts(11, true), small_mixed(), &m1);
  const auto b = mixed_bytes(opts(11, true), small_mixed(), &m2);
  BOOST_TEST(a.size() > 100000u);
  BOOST_TEST((a == b));
  BOOST_TEST(m1.to_json().dump() == m2.to_json().dump());
}

BOOST_AUTO_TEST_CASE(different_seed_gives_different_bytes) {
  const auto a = mixed_bytes(opts(11), small_mixed());
  const auto b = mixed_bytes(opts(12), small_mixed());
  BOOST_TEST((a != b));
  SmtpConfig sc;
  SmtpScenario s1(opts(1), sc), s2(opts(2), sc);
  BOOST_TEST((run_scenario_in_memory(s1) != run_scenario_in_memory(s2)));
}

BOOST_AUTO_TEST_CASE(file_output_equals_memory_output) {
  const auto dir = gen_test::temp_dir("scenario_file");
  const std::string path = (dir / "mixed.pcap").string();
  MixedScenario file_scenario(opts(21, true), small_mixed());
  const Manifest written = write_scenario(file_scenario, path);
  Manifest in_memory;
  const auto mem = mixed_bytes(opts(21, true), small_mixed(), &in_memory);
  BOOST_TEST((gen_test::read_file(path) == mem));
  // The manifest on disk is the in-memory manifest.
  const auto text = gen_test::read_file(path + ".json");
  const auto j = nlohmann::ordered_json::parse(text.begin(), text.end());
  BOOST_TEST(j.dump() == in_memory.to_json().dump());
  BOOST_TEST(j["seed"].get<uint64_t>() == 21u);
  BOOST_TEST(j["scenario"].get<std::string>() == "mixed");
  BOOST_TEST(j["flows"].size() == 120u);
  // A second file run is byte-identical too.
  MixedScenario again(opts(21, true), small_mixed());
  write_scenario(again, (dir / "again.pcap").string());
  BOOST_TEST((gen_test::read_file((dir / "again.pcap").string()) == mem));
}

BOOST_AUTO_TEST_CASE(mixed_manifest_matches_capture_ethernet_vlan) {
  Manifest m;
  const auto bytes = mixed_bytes(opts(31, true), small_mixed(), &m);
  const auto cap = gen_test::parse_pcap(bytes);
  BOOST_TEST(cap.linktype == 1u);
  check_manifest_against_capture(cap, m);
  size_t tagged = 0, qinq = 0;
  for (const auto& r : cap.records) {
    const auto p = gen_test::parse_frame(r.data, 1);
    tagged += !p.tags.empty();
    qinq += p.tags.size() == 2;
  }
  BOOST_TEST(tagged == cap.records.size());
  BOOST_TEST(qinq > 0u);
}

BOOST_AUTO_TEST_CASE(mixed_manifest_matches_capture_raw_ip) {
  Manifest m;
  const auto bytes = mixed_bytes(opts(32, false, ww::LinkType::kRaw), small_mixed(), &m);
  const auto cap = gen_test::parse_pcap(bytes);
  BOOST_TEST(cap.linktype == 101u);
  check_manifest_against_capture(cap, m);
}

BOOST_AUTO_TEST_CASE(mixed_has_the_promised_variety) {
  Manifest m;
  MixedConfig c = small_mixed();
  c.flows = 300;
  mixed_bytes(opts(41), c, &m);
  std::set<uint16_t> tcp_ports;
  size_t v6 = 0, udp = 0, icmp = 0, tcp = 0, small = 0, large = 0;
  std::set<std::string> apps, ends;
  for (const auto& f : m.flows()) {
    apps.insert(f.app);
    ends.insert(flow_end_name(f.end));
    v6 += f.client_ip.family == 6;
    udp += f.proto == ip_proto::kUdp;
    icmp += f.proto == ip_proto::kIcmp || f.proto == ip_proto::kIcmpv6;
    if (f.proto == ip_proto::kTcp) {
      ++tcp;
      tcp_ports.insert(f.server_port);
      // Both directions carry data in every TCP conversation.
      BOOST_TEST(f.dir[0].payload_bytes > 0u);
      BOOST_TEST(f.dir[1].payload_bytes > 0u);
      const uint64_t total = f.dir[0].payload_bytes + f.dir[1].payload_bytes;
      small += total < 2000;
      large += total > 50000;
    }
  }
  BOOST_TEST(v6 > 0u);
  BOOST_TEST(udp > 0u);
  BOOST_TEST(icmp > 0u);
  BOOST_TEST(tcp > udp);
  for (uint16_t p : {80, 443, 22, 445}) BOOST_TEST(tcp_ports.count(p) == 1u);
  BOOST_TEST(small > 0u);
  BOOST_TEST(large > 0u);
  for (const char* a : {"http", "tls", "ssh", "smb", "unknown", "dns", "ntp", "syslog", "echo"}) {
    BOOST_TEST(apps.count(a) == 1u, "app " << a);
  }
  BOOST_TEST(ends == (std::set<std::string>{"fin", "rst", "none"}));
  // Timestamps start at the default epoch: 2004-01-27 08:00:00 UTC.
  BOOST_TEST(m.to_json()["capture"]["first_us"].get<int64_t>() == kDefaultStartUs);
}

BOOST_AUTO_TEST_CASE(size_limit_stops_at_the_first_packet_past_it) {
  MixedConfig c;
  c.size_bytes = 3u << 20;
  c.concurrency = 50;
  Manifest m;
  const auto bytes = mixed_bytes(opts(51), c, &m);
  BOOST_TEST(bytes.size() >= c.size_bytes);
  BOOST_TEST(bytes.size() < c.size_bytes + 16 + 1522);
  size_t cut = 0;
  for (const auto& f : m.flows()) cut += f.end == FlowEnd::kNone && f.proto == ip_proto::kTcp;
  BOOST_TEST(cut > 0u);  // active flows stop where the limit hit them
  check_manifest_against_capture(gen_test::parse_pcap(bytes), m);
}

BOOST_AUTO_TEST_CASE(smtp_sessions_follow_the_dialogue) {
  SmtpConfig c;
  c.port = 2525;
  c.sessions = 6;
  SmtpScenario s(opts(61), c);
  Manifest m;
  const auto bytes = run_scenario_in_memory(s, &m);
  const auto cap = gen_test::parse_pcap(bytes);
  check_manifest_against_capture(cap, m);
  BOOST_REQUIRE(m.flows().size() == 6u);
  std::map<uint16_t, std::string> to_server, to_client;  // by client port
  for (const auto& r : cap.records) {
    const auto p = gen_test::parse_frame(r.data, 1);
    if (p.dport == 2525) to_server[p.sport].append(p.payload.begin(), p.payload.end());
    if (p.sport == 2525) to_client[p.dport].append(p.payload.begin(), p.payload.end());
  }
  for (const auto& f : m.flows()) {
    BOOST_TEST(f.server_port == 2525);
    BOOST_TEST(f.app == "smtp");
    BOOST_TEST((f.end == FlowEnd::kFin));
    const std::string& cs = to_server[f.client_port];
    const std::string& sc = to_client[f.client_port];
    BOOST_TEST(sc.rfind("220 ", 0) == 0u);
    BOOST_TEST(cs.rfind("EHLO ", 0) == 0u);
    BOOST_TEST(sc.find("\r\n250 ") != std::string::npos);  // end of the multi-line reply
    BOOST_TEST(sc.find("250-PIPELINING") != std::string::npos);
    const auto& tx = f.app_truth["transactions"][0];
    BOOST_TEST(cs.find("MAIL FROM:<" + tx["mail_from"].get<std::string>() + ">\r\n") !=
               std::string::npos);
    for (const auto& r : tx["rcpt_to"]) {
      BOOST_TEST(cs.find("RCPT TO:<" + r.get<std::string>() + ">\r\n") != std::string::npos);
    }
    const size_t data = cs.find("DATA\r\n");
    const size_t end = cs.find("\r\n.\r\n");
    BOOST_TEST(data != std::string::npos);
    BOOST_TEST(end > data);
    BOOST_TEST(cs.find("Subject: " + tx["subject"].get<std::string>()) != std::string::npos);
    BOOST_TEST(cs.substr(cs.size() - 6) == "QUIT\r\n");
    BOOST_TEST(sc.find("354 ") != std::string::npos);
    BOOST_TEST(sc.substr(sc.size() - 15) == "221 2.0.0 Bye\r\n");
  }
}

BOOST_AUTO_TEST_CASE(address_plan_never_reuses_a_tuple) {
  Rng r(1);
  AddressPlan plan(r);
  const auto a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
  BOOST_TEST(plan.reserve(6, a, 1000, b, 80));
  BOOST_TEST(!plan.reserve(6, a, 1000, b, 80));
  BOOST_TEST(!plan.reserve(6, b, 80, a, 1000));  // the same conversation seen reversed
  BOOST_TEST(plan.reserve(17, a, 1000, b, 80));  // another protocol is another flow
}

// The command line, when the wwgen binary was built next to the tests.
BOOST_AUTO_TEST_CASE(wwgen_cli_is_deterministic_and_reports_bad_input) {
  const std::string wwgen = std::string(WW_BINARY_DIR) + "/tools/gen/wwgen";
  if (access(wwgen.c_str(), X_OK) != 0) {
    BOOST_FAIL("wwgen not built at " << wwgen);
    return;
  }
  const auto dir = gen_test::temp_dir("cli");
  const std::string a = (dir / "a.pcap").string(), b = (dir / "b.pcap").string();
  const std::string args =
      " mixed --seed 5 --flows 40 --concurrency 10 --max-flow-bytes 60000 --vlan";
  BOOST_TEST(std::system((wwgen + args + " --out " + a + " 2>/dev/null").c_str()) == 0);
  BOOST_TEST(std::system((wwgen + args + " --out " + b + " 2>/dev/null").c_str()) == 0);
  BOOST_TEST((gen_test::read_file(a) == gen_test::read_file(b)));
  BOOST_TEST((gen_test::read_file(a + ".json") == gen_test::read_file(b + ".json")));
  // Same as the library with the same settings.
  MixedConfig c;
  c.flows = 40;
  c.concurrency = 10;
  c.max_flow_bytes = 60000;
  BOOST_TEST((gen_test::read_file(a) == mixed_bytes(opts(5, true), c)));

  const std::string smtp = (dir / "s.pcap").string();
  BOOST_TEST(
      std::system((wwgen + " smtp --seed 2 --port 2525 --sessions 3 --out " + smtp + " 2>/dev/null")
                      .c_str()) == 0);
  BOOST_TEST(gen_test::parse_pcap(gen_test::read_file(smtp)).records.size() > 0u);

  auto status = [](const std::string& cmd) {
    const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  BOOST_TEST(status(wwgen + " mixed --seed 1 --flows 1 --link raw --vlan --out " + a) == 2);
  BOOST_TEST(status(wwgen + " mixed --seed 1 --flows 1") != 0);  // --out is required
  BOOST_TEST(status(wwgen + " mixed --seed 1 --flows 1 --size 1G --out " + a) != 0);
  BOOST_TEST(status(wwgen + " mixed --size 12Q --out " + a) == 2);
  const std::string msg = gen_test::run_command(
      wwgen + " mixed --flows 1 --out /nonexistent-dir/x.pcap 2>&1; echo rc=$?");
  BOOST_TEST(msg.find("/nonexistent-dir/x.pcap") != std::string::npos);
  BOOST_TEST(msg.find("rc=1") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// Cross-checks generated captures with Wireshark's dissectors: nothing
// malformed, no TCP analysis warnings (retransmission, lost segment, dup ACK,
// window problems), every checksum good, and Wireshark's own counts (frames,
// bytes, TCP/UDP streams, per-conversation packets and bytes) equal to the
// manifest.

#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <map>
#include <set>

#include "gen_test_util.h"
#include "tools/gen/scenario_mixed.h"
#include "tools/gen/scenario_smtp.h"

using namespace ww::gen;

namespace {

constexpr const char* kTshark = "/usr/bin/tshark";

struct Generated {
  std::string path;
  Manifest manifest;
};

Generated make_mixed(const std::string& name, bool vlan, ww::LinkType link) {
  const auto dir = gen_test::temp_dir("tshark_" + name);
  ScenarioOptions o;
  o.seed = 2004;
  o.vlan = vlan;
  o.link = link;
  MixedConfig c;
  c.flows = 150;
  c.concurrency = 30;
  c.max_flow_bytes = 200000;
  c.ipv6_percent = 15;
  MixedScenario s(o, c);
  Generated g;
  g.path = (dir / (name + ".pcap")).string();
  g.manifest = write_scenario(s, g.path);
  return g;
}

const Generated& mixed_ethernet() {
  static const Generated g = make_mixed("mixed_eth", true, ww::LinkType::kEthernet);
  return g;
}
const Generated& mixed_raw() {
  static const Generated g = make_mixed("mixed_raw", false, ww::LinkType::kRaw);
  return g;
}
const Generated& smtp_2525() {
  static const Generated g = [] {
    const auto dir = gen_test::temp_dir("tshark_smtp");
    ScenarioOptions o;
    o.seed = 25;
    SmtpConfig c;
    c.port = 2525;
    c.sessions = 8;
    SmtpScenario s(o, c);
    Generated r;
    r.path = (dir / "smtp.pcap").string();
    r.manifest = write_scenario(s, r.path);
    return r;
  }();
  return g;
}

std::string tshark(const Generated& g, const std::string& args) {
  return gen_test::run_command(std::string(kTshark) + " -n -r " + g.path + " " + args +
                               " 2>/dev/null");
}

bool have_tshark() {
  if (access(kTshark, X_OK) == 0) return true;
  BOOST_TEST_MESSAGE("tshark not installed; skipping");
  return false;
}

// Frames that Wireshark finds malformed, or flags at warning level or above
// (a RST is itself a warning in Wireshark's expert system, so RST segments
// are checked separately), or for which TCP analysis has anything to say.
const char* kProblems =
    "-Y \"_ws.malformed || tcp.analysis.flags || "
    "(_ws.expert.severity >= warning && !(tcp.flags.reset == 1))\" -T fields -e frame.number";

uint64_t total_bytes(const Manifest& m) {
  uint64_t b = 0;
  for (const auto& f : m.flows()) b += f.bytes();
  return b;
}

void check_io_stat(const Generated& g) {
  // "| 0.000 <> 12.345 |   4321 | 1234567 |"
  const auto out = tshark(g, "-q -z io,stat,0");
  uint64_t frames = 0, bytes = 0;
  bool found = false;
  for (const auto& l : gen_test::lines(out)) {
    if (l.find("<>") == std::string::npos) continue;
    std::string cells = l.substr(l.find('|', l.find("<>")) + 1);
    for (char& c : cells) c = c == '|' ? ' ' : c;
    std::istringstream in(cells);
    in >> frames >> bytes;
    found = true;
  }
  BOOST_REQUIRE_MESSAGE(found, "no io,stat row in: " << out);
  BOOST_TEST(frames == g.manifest.packets());
  BOOST_TEST(bytes == total_bytes(g.manifest));
}

void check_clean(const Generated& g) {
  const auto problems = gen_test::lines(tshark(g, kProblems));
  BOOST_TEST(problems.empty(), "frames with problems: " << problems.size() << " first: "
                                                        << (problems.empty() ? "" : problems[0]));
  // Every RST seen is a flow the manifest says ended with a RST.
  size_t rst_flows = 0;
  for (const auto& f : g.manifest.flows()) rst_flows += f.end == FlowEnd::kRst;
  const auto rsts =
      gen_test::lines(tshark(g, "-Y \"tcp.flags.reset == 1\" -T fields -e frame.number"));
  BOOST_TEST(rsts.size() == rst_flows);
}

void check_checksums(const Generated& g) {
  const std::string validate =
      "-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE ";
  const auto bad = gen_test::lines(tshark(
      g, validate +
             "-Y \"ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 "
             "|| icmp.checksum.status == 0 || icmpv6.checksum.status == 0\" -T fields -e "
             "frame.number"));
  BOOST_TEST(bad.empty());
  // And they were really verified: every TCP segment reports "Good".
  uint64_t tcp_packets = 0;
  for (const auto& f : g.manifest.flows()) {
    if (f.proto == ip_proto::kTcp) tcp_packets += f.packets();
  }
  const auto good = gen_test::lines(
      tshark(g, validate + "-Y \"tcp.checksum.status == 1\" -T fields -e frame.number"));
  BOOST_TEST(good.size() == tcp_packets);
}

void check_streams_and_conversations(const Generated& g) {
  size_t tcp_flows = 0, udp_flows = 0;
  for (const auto& f : g.manifest.flows()) {
    tcp_flows += f.proto == ip_proto::kTcp;
    udp_flows += f.proto == ip_proto::kUdp;
  }
  std::set<std::string> tcp_streams, udp_streams;
  for (const auto& l : gen_test::lines(tshark(g, "-T fields -e tcp.stream"))) tcp_streams.insert(l);
  for (const auto& l : gen_test::lines(tshark(g, "-T fields -e udp.stream"))) udp_streams.insert(l);
  BOOST_TEST(tcp_streams.size() == tcp_flows);
  BOOST_TEST(udp_streams.size() == udp_flows);

  // Per conversation and direction: packets, frame bytes, payload bytes.
  struct Dir {
    uint64_t packets = 0, bytes = 0, payload = 0;
  };
  std::map<std::string, Dir> seen;  // "proto src:port>dst:port"
  const auto out =
      tshark(g,
             "-T fields -E separator=, -E occurrence=f -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst "
             "-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e icmp.ident "
             "-e icmpv6.echo.identifier -e frame.len -e tcp.len -e udp.length -e icmp.type "
             "-e icmpv6.type -e data.len");
  for (const auto& l : gen_test::lines(out)) {
    std::vector<std::string> c;
    std::istringstream in(l);
    std::string cell;
    while (std::getline(in, cell, ',')) c.push_back(cell);
    c.resize(16);
    const std::string src = !c[0].empty() ? c[0] : c[1];
    const std::string dst = !c[2].empty() ? c[2] : c[3];
    std::string proto, sport, dport;
    uint64_t payload = 0;
    if (!c[4].empty()) {
      proto = "tcp", sport = c[4], dport = c[5], payload = std::stoull(c[11]);
    } else if (!c[6].empty()) {
      proto = "udp", sport = c[6], dport = c[7], payload = std::stoull(c[12]) - 8;
    } else if (!c[8].empty() || !c[9].empty()) {
      proto = "icmp";
      sport = dport = std::to_string(std::stoul(!c[8].empty() ? c[8] : c[9], nullptr, 0));
      payload = c[15].empty() ? 0 : std::stoull(c[15]);
    }
    auto& d = seen[proto + " " + src + ":" + sport + ">" + dst + ":" + dport];
    ++d.packets;
    d.bytes += std::stoull(c[10]);
    d.payload += payload;
  }
  size_t matched = 0;
  for (const auto& f : g.manifest.flows()) {
    std::string proto = f.proto == ip_proto::kTcp   ? "tcp"
                        : f.proto == ip_proto::kUdp ? "udp"
                                                    : "icmp";
    const std::string c = format_ip(f.client_ip) + ":" + std::to_string(f.client_port);
    const std::string s = format_ip(f.server_ip) + ":" + std::to_string(f.server_port);
    const Dir to_server = seen[proto + " " + c + ">" + s];
    const Dir to_client = seen[proto + " " + s + ">" + c];
    BOOST_TEST(to_server.packets == f.dir[0].packets, "flow " << f.id);
    BOOST_TEST(to_client.packets == f.dir[1].packets, "flow " << f.id);
    BOOST_TEST(to_server.bytes == f.dir[0].bytes, "flow " << f.id);
    BOOST_TEST(to_client.bytes == f.dir[1].bytes, "flow " << f.id);
    BOOST_TEST(to_server.payload == f.dir[0].payload_bytes, "flow " << f.id);
    BOOST_TEST(to_client.payload == f.dir[1].payload_bytes, "flow " << f.id);
    matched += to_server.packets + to_client.packets == f.packets();
  }
  BOOST_TEST(matched == g.manifest.flows().size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gen_tshark)

BOOST_AUTO_TEST_CASE(mixed_ethernet_vlan_frame_and_byte_counts) {
  if (!have_tshark()) return;
  check_io_stat(mixed_ethernet());
}

BOOST_AUTO_TEST_CASE(mixed_ethernet_vlan_has_no_malformed_frames_or_tcp_warnings) {
  if (!have_tshark()) return;
  check_clean(mixed_ethernet());
}

BOOST_AUTO_TEST_CASE(mixed_ethernet_vlan_checksums_verify) {
  if (!have_tshark()) return;
  check_checksums(mixed_ethernet());
}

BOOST_AUTO_TEST_CASE(mixed_ethernet_vlan_streams_match_manifest) {
  if (!have_tshark()) return;
  check_streams_and_conversations(mixed_ethernet());
}

BOOST_AUTO_TEST_CASE(mixed_ethernet_dissects_the_application_protocols) {
  if (!have_tshark()) return;
  std::set<std::string> protocols;
  for (const auto& l : gen_test::lines(tshark(mixed_ethernet(), "-T fields -e _ws.col.Protocol"))) {
    protocols.insert(l);
  }
  for (const char* p : {"HTTP", "TLSv1", "SSHv2", "NBSS", "DNS", "NTP", "Syslog", "ICMP"}) {
    BOOST_TEST(protocols.count(p) == 1u, "protocol " << p);
  }
}

BOOST_AUTO_TEST_CASE(mixed_raw_ip_parses_cleanly) {
  if (!have_tshark()) return;
  check_io_stat(mixed_raw());
  check_clean(mixed_raw());
  check_streams_and_conversations(mixed_raw());
}

BOOST_AUTO_TEST_CASE(smtp_on_port_2525_dissects_as_smtp) {
  if (!have_tshark()) return;
  const auto& g = smtp_2525();
  check_io_stat(g);
  check_clean(g);
  check_checksums(g);
  check_streams_and_conversations(g);
  std::map<std::string, size_t> commands;
  for (const auto& l : gen_test::lines(
           tshark(g, "-d tcp.port==2525,smtp -Y smtp.req.command -T fields -e smtp.req.command"))) {
    ++commands[l];
  }
  size_t rcpts = 0;
  for (const auto& f : g.manifest.flows())
    rcpts += f.app_truth["transactions"][0]["rcpt_to"].size();
  BOOST_TEST(commands["EHLO"] == 8u);
  BOOST_TEST(commands["MAIL"] == 8u);
  BOOST_TEST(commands["RCPT"] == rcpts);
  BOOST_TEST(commands["DATA"] == 8u);
  BOOST_TEST(commands["QUIT"] == 8u);
  // Wireshark reassembles each DATA body into one Internet Message.
  const auto imf =
      gen_test::lines(tshark(g, "-d tcp.port==2525,smtp -Y imf -T fields -e imf.subject"));
  BOOST_TEST(imf.size() == 8u);
  std::multiset<std::string> codes;
  for (const auto& l : gen_test::lines(
           tshark(g,
                  "-d tcp.port==2525,smtp -Y smtp.response.code -T fields -E occurrence=f -e "
                  "smtp.response.code"))) {
    codes.insert(l);
  }
  BOOST_TEST(codes.count("220") == 8u);
  BOOST_TEST(codes.count("354") == 8u);
  BOOST_TEST(codes.count("221") == 8u);
}

BOOST_AUTO_TEST_SUITE_END()

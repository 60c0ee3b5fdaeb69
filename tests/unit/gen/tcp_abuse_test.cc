// The tcp-abuse scenario: determinism, manifest consistency, and an
// independent first-wins reassembly of the capture (this file's own code,
// sharing nothing with the generator but the SHA-256) that must reproduce the
// manifest's expected stream bytes.

#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <cstdlib>
#include <map>
#include <set>

#include "gen_test_util.h"
#include "tools/gen/scenario_tcp_abuse.h"
#include "tools/gen/sha256.h"

using namespace ww::gen;

namespace {

std::vector<uint8_t> abuse_bytes(uint64_t seed, uint64_t per_case, Manifest* m = nullptr,
                                 std::vector<std::string> cases = {}) {
  ScenarioOptions o;
  o.seed = seed;
  TcpAbuseConfig c;
  c.flows_per_case = per_case;
  c.cases = std::move(cases);
  TcpAbuseScenario s(o, c);
  return run_scenario_in_memory(s, m);
}

std::string hex_of(const std::string& s) {
  return Sha256::hex(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

struct Stream {
  bool have_isn = false;
  uint32_t base = 0;                  // sequence number of offset 0
  std::map<uint64_t, uint8_t> bytes;  // offset -> first byte seen there
  bool different = false;             // a later copy of an offset carried another byte
};

// Key: client "ip:port" plus direction (0 toserver, 1 toclient).
using Streams = std::map<std::pair<std::string, int>, Stream>;

// IPv4 fragments are put back together here (ids never repeat per source in
// a capture this small); everything else is taken as parsed.
Streams reassemble(const gen_test::Capture& cap) {
  Streams out;
  std::map<std::pair<std::string, uint16_t>, std::map<uint16_t, std::vector<uint8_t>>> frags;
  for (const auto& rec : cap.records) {
    gen_test::Parsed p = gen_test::parse_frame(rec.data, cap.linktype);
    BOOST_REQUIRE(p.error.empty());
    BOOST_REQUIRE(p.ip_checksum_ok);
    if (p.mf || p.frag_offset) {
      auto& parts = frags[{p.addr_string(p.src), p.ip_id}];
      parts[p.frag_offset] = p.payload;
      if (p.mf) continue;
      // Last fragment: rebuild the TCP segment from all parts in order.
      std::vector<uint8_t> seg;
      for (const auto& [off, data] : parts) {
        BOOST_REQUIRE(off == seg.size());
        seg.insert(seg.end(), data.begin(), data.end());
      }
      frags.erase({p.addr_string(p.src), p.ip_id});
      const size_t doff = (seg[12] >> 4) * 4u;
      p.sport = gen_test::be16(&seg[0]);
      p.dport = gen_test::be16(&seg[2]);
      p.seq = gen_test::be32(&seg[4]);
      p.ack = gen_test::be32(&seg[8]);
      p.flags = seg[13];
      p.payload.assign(seg.begin() + static_cast<ptrdiff_t>(doff), seg.end());
    } else {
      BOOST_REQUIRE(p.l4_checksum_ok);
    }
    BOOST_REQUIRE(p.proto == 6);
    const bool to_server = p.dport == 7117;
    const std::string client = to_server ? p.key_src() : p.key_dst();
    const int dir = to_server ? 0 : 1;
    Stream& s = out[{client, dir}];
    if (p.flags & 0x02) {
      s.have_isn = true;
      s.base = p.seq + 1;
      continue;
    }
    if (p.payload.empty()) continue;
    if (!s.have_isn) {  // midstream: the first data segment seen starts the stream
      s.have_isn = true;
      s.base = p.seq;
    }
    const uint64_t off = static_cast<uint32_t>(p.seq - s.base);
    for (size_t i = 0; i < p.payload.size(); ++i) {
      auto [it, fresh] = s.bytes.emplace(off + i, p.payload[i]);
      if (!fresh && it->second != p.payload[i]) s.different = true;
    }
  }
  return out;
}

struct Delivered {
  std::vector<uint8_t> bytes;
  uint64_t gaps = 0;
  uint64_t gap_bytes = 0;
};

// In-order bytes from offset 0, holes counted (a stream with no data: empty).
Delivered deliver(const Stream& s) {
  Delivered d;
  uint64_t next = 0;
  for (const auto& [off, b] : s.bytes) {
    if (off != next) {
      ++d.gaps;
      d.gap_bytes += off - next;
    }
    d.bytes.push_back(b);
    next = off + 1;
  }
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tcp_abuse)

BOOST_AUTO_TEST_CASE(sha256_reference_vectors) {
  BOOST_TEST(hex_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(hex_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(hex_of(std::string(1000, 'a')) ==
             "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  BOOST_TEST(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

BOOST_AUTO_TEST_CASE(same_seed_same_bytes) {
  Manifest ma, mb;
  const auto a = abuse_bytes(7, 3, &ma);
  const auto b = abuse_bytes(7, 3, &mb);
  BOOST_TEST(a == b);
  BOOST_TEST(ma.to_json().dump() == mb.to_json().dump());
  BOOST_TEST(abuse_bytes(8, 3) != a);
  const auto one = abuse_bytes(7, 2, nullptr, {"lost"});
  BOOST_TEST(one == abuse_bytes(7, 2, nullptr, {"lost"}));
}

BOOST_AUTO_TEST_CASE(unknown_case_is_rejected) {
  ScenarioOptions o;
  TcpAbuseConfig c;
  c.cases = {"nope"};
  BOOST_CHECK_THROW(TcpAbuseScenario(o, c), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(manifest_is_consistent) {
  Manifest m;
  const auto bytes = abuse_bytes(11, 2, &m);
  const auto j = m.to_json();
  BOOST_TEST(j["flows"].size() == 2 * tcp_abuse_case_names().size());
  std::map<std::string, int> per_case;
  int64_t last_end = 0;
  for (const auto& f : j["flows"]) {
    const std::string c = f["app_truth"]["case"];
    ++per_case[c];
    BOOST_TEST(f["start_us"].get<int64_t>() > last_end);
    last_end = f["end_us"].get<int64_t>();
    for (const char* d : {"toserver", "toclient"}) {
      const auto& e = f["app_truth"]["expected"][d];
      BOOST_TEST_CONTEXT("flow " << f["id"] << " " << c << " " << d) {
        const uint64_t pb = e["payload_bytes"];
        const uint64_t eb = e["bytes"];
        const std::string sha = e["sha256"];
        const std::string psha = e["payload_sha256"];
        BOOST_TEST(eb + e["gap_bytes"].get<uint64_t>() <= pb);
        BOOST_TEST(e["sha256"].get<std::string>().size() == 64u);
        if (c == "reorder" || c == "retransmit" || c == "ip-fragments" ||
            c == "overlap-different") {
          BOOST_TEST(sha == psha);
          BOOST_TEST(eb == pb);
          BOOST_TEST(e["gaps"] == 0);
          BOOST_TEST(e["overlap_different_data"] == (c == "overlap-different"));
        }
        if (c == "overlap-different") {
          BOOST_TEST(e["last_wins_sha256"].get<std::string>() != psha);
        }
        if (c == "lost") {
          BOOST_TEST(e["gaps"] == 1);
          BOOST_TEST(eb + e["gap_bytes"].get<uint64_t>() == pb);
          BOOST_TEST(e["gap_bytes"].get<uint64_t>() == 500);
        }
        if (c == "one-sided") {
          BOOST_TEST(eb == (std::string(d) == "toserver" ? pb : 0));
          if (std::string(d) == "toclient") {
            BOOST_TEST(f["pkts_toclient"] == 0);
            BOOST_TEST(e["gap_bytes"].get<uint64_t>() == pb);
            BOOST_TEST(e["gaps"].get<uint64_t>() >= 1);
          }
        }
        if (c == "midstream") {
          BOOST_TEST(eb == (std::string(d) == "toserver" ? pb - 1000 : pb));
        }
      }
    }
  }
  for (const auto& name : tcp_abuse_case_names()) BOOST_TEST(per_case[name] == 2);
  // Timestamps never go back.
  const auto cap = gen_test::parse_pcap(bytes);
  BOOST_TEST(cap.records.size() == m.packets());
  for (size_t i = 1; i < cap.records.size(); ++i) {
    BOOST_TEST(cap.records[i].ts_us(false) > cap.records[i - 1].ts_us(false));
  }
}

// An independent first-wins reassembly of the capture gives the manifest's
// expected bytes, gaps and overlap flags for every flow and direction.
BOOST_AUTO_TEST_CASE(capture_matches_expectations) {
  Manifest m;
  const auto bytes = abuse_bytes(5, 3, &m);
  const auto streams = reassemble(gen_test::parse_pcap(bytes));
  const auto j = m.to_json();
  for (const auto& f : j["flows"]) {
    const std::string client =
        f["src_ip"].get<std::string>() + ":" + std::to_string(f["src_port"].get<int>());
    for (int dir = 0; dir < 2; ++dir) {
      const auto& e = f["app_truth"]["expected"][dir == 0 ? "toserver" : "toclient"];
      BOOST_TEST_CONTEXT("flow " << f["id"] << " " << f["app_truth"]["case"] << " dir " << dir) {
        const auto it = streams.find({client, dir});
        Delivered d;
        bool different = false;
        if (it != streams.end()) {
          d = deliver(it->second);
          different = it->second.different;
        }
        BOOST_TEST(d.bytes.size() == e["bytes"].get<uint64_t>());
        BOOST_TEST(Sha256::hex(d.bytes) == e["sha256"].get<std::string>());
        // One-sided: the missing server bytes show only in the client's ACKs,
        // which this reassembly does not model (the manifest test covers them).
        if (f["app_truth"]["case"].get<std::string>() != "one-sided" || dir == 0) {
          BOOST_TEST(d.gaps == e["gaps"].get<uint64_t>());
          BOOST_TEST(d.gap_bytes == e["gap_bytes"].get<uint64_t>());
        }
        BOOST_TEST(different == e["overlap_different_data"].get<bool>());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(fragments_are_fragments) {
  Manifest m;
  const auto bytes = abuse_bytes(3, 2, &m, {"ip-fragments"});
  const auto cap = gen_test::parse_pcap(bytes);
  size_t fragments = 0;
  for (const auto& rec : cap.records) {
    const auto p = gen_test::parse_frame(rec.data, cap.linktype);
    if (p.mf || p.frag_offset) {
      ++fragments;
      BOOST_TEST(!p.df);
    }
  }
  BOOST_TEST(fragments > 20u);
}

BOOST_AUTO_TEST_CASE(tshark_finds_nothing_malformed) {
  const char* tshark = "/usr/bin/tshark";
  if (access(tshark, X_OK) != 0) {
    BOOST_TEST_MESSAGE("tshark not installed; skipping");
    return;
  }
  const auto dir = gen_test::temp_dir("tcp_abuse_tshark");
  const std::string path = (dir / "abuse.pcap").string();
  ScenarioOptions o;
  o.seed = 9;
  TcpAbuseConfig c;
  c.flows_per_case = 3;
  TcpAbuseScenario s(o, c);
  const Manifest m = write_scenario(s, path);
  // Out-of-order, retransmission and lost-segment analysis flags are the
  // point of this scenario; only malformed frames and bad checksums are errors.
  const auto bad = gen_test::lines(gen_test::run_command(
      std::string(tshark) +
      " -n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -r " + path +
      " -Y \"_ws.malformed || ip.checksum.status == 0 || tcp.checksum.status == 0\""
      " -T fields -e frame.number 2>/dev/null"));
  BOOST_TEST(bad.empty(), "bad frames: " << bad.size() << " first: " << (bad.empty() ? "" : bad[0]));
  const auto frames = gen_test::lines(
      gen_test::run_command(std::string(tshark) + " -n -r " + path + " -T fields -e frame.number"
                            " 2>/dev/null"));
  BOOST_TEST(frames.size() == m.packets());
  // tshark's defragmentation rebuilds the fragmented segments into TCP.
  const auto reassembled = gen_test::lines(gen_test::run_command(
      std::string(tshark) + " -n -r " + path +
      " -Y \"ip.flags.mf == 0 && ip.frag_offset > 0 && tcp\" -T fields -e frame.number"
      " 2>/dev/null"));
  BOOST_TEST(!reassembled.empty());
}

BOOST_AUTO_TEST_CASE(command_line) {
  const std::string wwgen = std::string(WW_BINARY_DIR) + "/tools/gen/wwgen";
  if (access(wwgen.c_str(), X_OK) != 0) BOOST_FAIL("wwgen not built at " << wwgen);
  const auto dir = gen_test::temp_dir("tcp_abuse_cli");
  const std::string a = (dir / "a.pcap").string();
  const std::string b = (dir / "b.pcap").string();
  const std::string args = " tcp-abuse --seed 4 --flows-per-case 1 --case lost --case reorder";
  BOOST_TEST(std::system((wwgen + args + " --out " + a + " 2>/dev/null").c_str()) == 0);
  BOOST_TEST(std::system((wwgen + args + " --out " + b + " 2>/dev/null").c_str()) == 0);
  BOOST_TEST(gen_test::read_file(a) == gen_test::read_file(b));
  BOOST_TEST(gen_test::read_file(a + ".json") == gen_test::read_file(b + ".json"));
  const auto rc = std::system(
      (wwgen + " tcp-abuse --seed 4 --case bogus --out " + a + " >/dev/null 2>&1").c_str());
  BOOST_TEST(WEXITSTATUS(rc) != 0);
}

BOOST_AUTO_TEST_SUITE_END()

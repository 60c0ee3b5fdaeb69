// Hostile-input tests: every prefix of a valid frame, and seeded random and
// mutated frames for every link type. Frames live in exact-size heap blocks so
// AddressSanitizer reports any read past the captured bytes.

#include <bit>
#include <cstdint>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "sensor/decode/decoder.h"
#include "tests/unit/decode/frame_builder.h"

// Test rows name only the fields they care about; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace ww::test {
namespace {

using A = DecodeAnomaly;
using R = DecodeResult;

struct Link {
  LinkType type;
  size_t header;  // link header bytes before IP
  std::function<Bytes(bool v6, const Bytes& l3)> wrap;
};

std::vector<Link> links() {
  return {
      {LinkType::kEthernet, 14,
       [](bool v6, const Bytes& l3) { return ethernet(v6 ? kEtherIpv6 : kEtherIpv4, l3); }},
      {LinkType::kLinuxSll, 16,
       [](bool v6, const Bytes& l3) { return sll(v6 ? kEtherIpv6 : kEtherIpv4, l3); }},
      {LinkType::kLinuxSll2, 20,
       [](bool v6, const Bytes& l3) { return sll2(v6 ? kEtherIpv6 : kEtherIpv4, l3); }},
      {LinkType::kNull, 4,
       [](bool v6, const Bytes& l3) { return null_header(v6 ? 30 : 2, true, l3); }},
      {LinkType::kLoop, 4, [](bool v6, const Bytes& l3) { return loop_header(v6 ? 24 : 2, l3); }},
      {LinkType::kRaw, 0, [](bool, const Bytes& l3) { return l3; }},
  };
}

const Bytes kPayload = text("MAIL FROM:<worm@example.com>\r\n");

Bytes tcp4_options() { return concat(opt_mss(1460), concat({1, 1}, opt_timestamp(1, 2))); }
Bytes tcp6_options() { return concat(opt_mss(1220), {1, 1, 4, 2}); }
const size_t kTcp4Header = tcp({.options = tcp4_options()}).size();
const size_t kTcp6Header = tcp({.options = tcp6_options()}).size();

// IPv4 with a 4-byte option (IHL 6), TCP with options, and a payload.
Bytes tcp_ipv4() {
  return ipv4({.options = {148, 4, 0, 0}}, tcp({.options = tcp4_options()}, kPayload));
}
// IPv6 with an 8-byte hop-by-hop header, TCP with options, and a payload.
Bytes tcp_ipv6() {
  return ipv6({.next = kHopByHop}, ext_options(6, 0, tcp({.options = tcp6_options()}, kPayload)));
}

struct Outcome {
  R result;
  A anomaly;
  uint64_t anomalies_counted;
  bool is_tcp;
  uint16_t dst_port;
  size_t payload_size;
  bool payload_truncated;
};

Outcome decode(LinkType link, const Bytes& frame, uint32_t wire_len) {
  const ExactBuffer buf(frame);
  DecodedPacket p;
  DecodeCounters counters;
  Outcome o{};
  o.result = decode_frame(link, buf.span(), wire_len, 0, p, counters, &o.anomaly);
  o.anomalies_counted = counters.anomaly_total();
  // The views die with `buf`: keep only what the checks need.
  o.is_tcp = p.is_tcp();
  o.dst_port = p.dst_port;
  o.payload_size = p.payload.size();
  o.payload_truncated = p.payload_truncated;
  return o;
}

// Which anomaly a prefix of `n` bytes must report, or kCount when it decodes.
// `snaplen` says whether the wire carried the whole frame (the capture cut it)
// or the wire itself was that short.
A expected_for_prefix(const Link& link, bool v6, size_t n, size_t full, bool snaplen) {
  const size_t l3 = link.header;
  if (link.type == LinkType::kRaw ? n == 0 : n < l3) return A::link_truncated;
  if (!v6) {
    const size_t ihl = 24, tcp_header = kTcp4Header;
    if (n < l3 + 20) return A::ipv4_truncated;
    if (n < l3 + ihl) return A::ipv4_bad_ihl;
    if (n < full && !snaplen) return A::ipv4_len_beyond_frame;
    if (n < l3 + ihl + tcp_header) return A::tcp_truncated;
    return A::kCount;
  }
  const size_t hbh = 8, tcp_header = kTcp6Header;
  if (n < l3 + 40) return A::ipv6_truncated;
  if (n < full && !snaplen) return A::ipv6_len_beyond_frame;
  if (n < l3 + 40 + hbh) return A::ipv6_exthdr_truncated;
  if (n < l3 + 40 + hbh + tcp_header) return A::tcp_truncated;
  return A::kCount;
}

void check_prefixes(bool v6) {
  BOOST_TEST(kTcp4Header == 36u);
  BOOST_TEST(kTcp6Header == 28u);
  for (const Link& link : links()) {
    const Bytes full = link.wrap(v6, v6 ? tcp_ipv6() : tcp_ipv4());
    for (bool snaplen : {false, true}) {
      for (size_t n = 0; n <= full.size(); ++n) {
        const uint32_t wire = static_cast<uint32_t>(snaplen ? full.size() : n);
        const Outcome o = decode(link.type, prefix(full, n), wire);
        const A want = expected_for_prefix(link, v6, n, full.size(), snaplen);
        BOOST_TEST_CONTEXT(link_type_name(link.type)
                           << (v6 ? " ipv6" : " ipv4") << " prefix " << n << "/" << full.size()
                           << (snaplen ? " (snaplen cut)" : " (short wire)")) {
          BOOST_TEST(std::string(decode_anomaly_name(o.anomaly)) == decode_anomaly_name(want));
          if (want == A::kCount) {
            BOOST_TEST(static_cast<int>(o.result) == static_cast<int>(R::kOk));
            BOOST_TEST(o.anomalies_counted == 0u);
            BOOST_TEST(o.is_tcp);
            BOOST_TEST(o.dst_port == 25);
            const size_t headers = full.size() - kPayload.size();
            BOOST_TEST(o.payload_size == n - headers);
            BOOST_TEST(o.payload_truncated == (n < full.size()));
          } else {
            BOOST_TEST(static_cast<int>(o.result) == static_cast<int>(R::kAnomaly));
            BOOST_TEST(o.anomalies_counted == 1u);
          }
        }
      }
    }
  }
}

// ---- random and mutated frames ------------------------------------------

bool inside(std::span<const uint8_t> view, std::span<const uint8_t> outer) {
  if (view.empty()) return true;
  return view.data() >= outer.data() && view.data() + view.size() <= outer.data() + outer.size();
}

// Checks what must hold for any input; returns a description of the first
// broken rule, or an empty string.
std::string broken_invariant(R r, A reported, const DecodedPacket& p, std::span<const uint8_t> f,
                             uint64_t anomalies_before, const DecodeCounters& c) {
  if (!inside(p.l3, f)) return "l3 outside the frame";
  if (!inside(p.l3_payload, p.l3)) return "l3_payload outside l3";
  if (!inside(p.payload, p.l3)) return "payload outside l3";
  if (p.cap_len != f.size()) return "cap_len not copied";
  if (p.vlan_count > 2) return "more than two VLAN tags";
  const uint64_t counted = c.anomaly_total() - anomalies_before;
  if (counted != static_cast<uint64_t>(std::popcount(p.anomalies))) {
    return "anomaly counters disagree with the packet's mask";
  }
  switch (r) {
    case R::kOk:
      if (p.ip_version != 4 && p.ip_version != 6) return "kOk without an IP version";
      if (p.anomalies != 0 && reported == A::kCount) return "kOk anomaly not reported";
      if (p.anomalies == 0 && reported != A::kCount) return "kOk reports a phantom anomaly";
      if (!p.frag.is_fragment && p.l4_proto == 6 && !p.payload.empty() && p.tcp.header_len < 20) {
        return "TCP payload with a short header";
      }
      break;
    case R::kNotIp:
      if (p.anomalies != 0 || reported != A::kCount) return "kNotIp with an anomaly";
      if (p.ip_version != 0) return "kNotIp with an IP version";
      break;
    case R::kAnomaly:
      if (reported == A::kCount) return "kAnomaly without an anomaly";
      if (!(p.anomalies >> static_cast<unsigned>(reported) & 1u)) return "reported not in mask";
      break;
    default:
      return "result outside the enum";
  }
  return {};
}

// Valid frames of every shape, for mutation.
std::vector<Bytes> seeds(const Link& link) {
  std::vector<Bytes> l3s = {
      tcp_ipv4(),
      ipv4({.proto = 17, .more_fragments = true}, udp(1, 53, filled(40))),
      ipv4({.proto = 1}, icmp(8, 0, filled(16))),
      ipv6({.next = kHopByHop},
           ext_options(kRouting, 0,
                       ext_routing(kFragment, ext_fragment(kAh, 0, false, 1,
                                                           ext_ah(6, 2, tcp({}, kPayload)))))),
      ipv6({.next = kDstOpts}, ext_options(17, 1, udp(5353, 5353, filled(30)))),
      ipv6({.next = 58}, icmp(135, 0, filled(20))),
  };
  std::vector<Bytes> out;
  for (size_t i = 0; i < l3s.size(); ++i) out.push_back(link.wrap(i >= 3, l3s[i]));
  if (link.type == LinkType::kEthernet) {
    out.push_back(ethernet(kEtherIpv4, tcp_ipv4(), {{kTpid8021ad, 1}, {kTpid8021q, 2}}));
    out.push_back(ethernet(kEtherArp, filled(28)));
  }
  return out;
}

void fuzz_link(const Link& link, uint32_t seed, size_t iterations) {
  std::mt19937 rng(seed);
  const std::vector<Bytes> valid = seeds(link);
  DecodeCounters counters;
  DecodedPacket p;
  size_t results[3] = {0, 0, 0};
  size_t failures = 0;
  std::string first_failure;

  for (size_t i = 0; i < iterations; ++i) {
    Bytes frame;
    if (i % 2 == 0) {
      // Pure noise, mostly short: the headers are where the branches are.
      frame.resize(rng() % 160);
      for (uint8_t& b : frame) b = static_cast<uint8_t>(rng());
    } else {
      // A valid frame with a few bytes changed, maybe cut.
      frame = valid[rng() % valid.size()];
      const size_t edits = 1 + rng() % 4;
      for (size_t e = 0; e < edits && !frame.empty(); ++e) {
        frame[rng() % frame.size()] = static_cast<uint8_t>(rng());
      }
      if (rng() % 4 == 0) frame.resize(rng() % (frame.size() + 1));
    }
    const uint32_t wire =
        static_cast<uint32_t>(rng() % 2 == 0 ? frame.size() : frame.size() + rng() % 2000);

    const ExactBuffer buf(frame);
    const uint64_t before = counters.anomaly_total();
    A reported = A::kCount;
    const R r =
        decode_frame(link.type, buf.span(), wire, static_cast<int64_t>(i), p, counters, &reported);
    if (static_cast<size_t>(r) < 3) ++results[static_cast<size_t>(r)];
    const std::string why = broken_invariant(r, reported, p, buf.span(), before, counters);
    if (!why.empty() && failures++ == 0) {
      std::ostringstream os;
      os << "iteration " << i << ": " << why << "; frame";
      for (uint8_t b : frame) os << ' ' << std::hex << int{b};
      first_failure = os.str();
    }
  }

  BOOST_TEST_CONTEXT(link_type_name(link.type) << " seed " << seed) {
    BOOST_TEST(failures == 0u, first_failure);
    BOOST_TEST(counters.packets == iterations);
    BOOST_TEST(counters.not_ip == results[static_cast<size_t>(R::kNotIp)]);
    // The mutated half must still exercise both the decoding and the rejecting paths.
    BOOST_TEST(results[static_cast<size_t>(R::kOk)] > iterations / 100);
    BOOST_TEST(results[static_cast<size_t>(R::kAnomaly)] > iterations / 100);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(decoder_robustness)

BOOST_AUTO_TEST_CASE(every_prefix_of_tcp_ipv4) { check_prefixes(false); }

BOOST_AUTO_TEST_CASE(every_prefix_of_tcp_ipv6) { check_prefixes(true); }

BOOST_AUTO_TEST_CASE(random_and_mutated_frames_every_link_type) {
  std::vector<Link> all = links();
  all.push_back({LinkType::kIpv4, 0, [](bool, const Bytes& l3) { return l3; }});
  all.push_back({LinkType::kIpv6, 0, [](bool, const Bytes& l3) { return l3; }});
  uint32_t seed = 20040126;  // the day MyDoom started
  for (const Link& link : all) fuzz_link(link, seed++, 200000);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww::test

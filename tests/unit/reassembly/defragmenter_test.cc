// IPv4/IPv6 defragmentation: orders, overlap policies, timeout, limits, anomalies,
// and the rebuilt packet.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <deque>
#include <numeric>
#include <string>
#include <vector>

#include "reassembly/ip/defragmenter.h"
#include "sensor/decode/decoder.h"

namespace ww {
namespace {

constexpr uint8_t kUdp = 17;
constexpr uint8_t kTcp = 6;
constexpr int64_t kSecond = 1'000'000;

struct Frag {
  uint32_t offset;
  bool more;
  std::string data;
};

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// Builds fragments as the decoder would present them. Frames live as long as the
// builder.
class FragBuilder {
 public:
  DecodedPacket v4(uint16_t id, uint8_t proto, const Frag& f, int64_t ts_us = 1 * kSecond) {
    std::vector<uint8_t>& b = frames_.emplace_back(20 + f.data.size(), 0);
    const uint16_t total = static_cast<uint16_t>(b.size());
    b[0] = 0x45;
    b[2] = total >> 8;
    b[3] = total & 0xff;
    b[4] = id >> 8;
    b[5] = id & 0xff;
    const uint16_t fo = static_cast<uint16_t>((f.more ? 0x2000 : 0) | (f.offset / 8));
    b[6] = fo >> 8;
    b[7] = fo & 0xff;
    b[8] = 64;
    b[9] = proto;
    std::copy(src4_, src4_ + 4, b.begin() + 12);
    std::copy(dst4_, dst4_ + 4, b.begin() + 16);
    std::copy(f.data.begin(), f.data.end(), b.begin() + 20);
    DecodedPacket p;
    p.ts_us = ts_us;
    p.ip_version = 4;
    p.src = IpAddress::v4(src4_);
    p.dst = IpAddress::v4(dst4_);
    p.l4_proto = proto;
    p.frag = {true, f.more, f.offset, id};
    p.l3 = std::span<const uint8_t>(b.data(), b.size());
    p.l3_payload = p.l3.subspan(20);
    return p;
  }

  // With `hop_by_hop`, an 8-byte hop-by-hop header sits before the fragment header.
  DecodedPacket v6(uint32_t id, uint8_t next, const Frag& f, bool hop_by_hop = false,
                   int64_t ts_us = 1 * kSecond) {
    const size_t ext = hop_by_hop ? 8 : 0;
    std::vector<uint8_t>& b = frames_.emplace_back(40 + ext + 8 + f.data.size(), 0);
    const uint16_t plen = static_cast<uint16_t>(b.size() - 40);
    b[0] = 0x60;
    b[4] = plen >> 8;
    b[5] = plen & 0xff;
    b[6] = hop_by_hop ? 0 : 44;
    b[7] = 64;
    std::fill(b.begin() + 8, b.begin() + 24, 0x20);
    b[23] = 1;
    std::fill(b.begin() + 24, b.begin() + 40, 0x20);
    b[39] = 2;
    size_t at = 40;
    if (hop_by_hop) {
      b[at] = 44;     // next: fragment
      b[at + 1] = 0;  // 8 bytes
      b[at + 2] = 1;  // PadN of 4
      b[at + 3] = 4;
      at += 8;
    }
    b[at] = next;
    const uint16_t om = static_cast<uint16_t>((f.offset & 0xfff8) | (f.more ? 1 : 0));
    b[at + 2] = om >> 8;
    b[at + 3] = om & 0xff;
    b[at + 4] = static_cast<uint8_t>(id >> 24);
    b[at + 5] = static_cast<uint8_t>(id >> 16);
    b[at + 6] = static_cast<uint8_t>(id >> 8);
    b[at + 7] = static_cast<uint8_t>(id);
    std::copy(f.data.begin(), f.data.end(), b.begin() + static_cast<ptrdiff_t>(at + 8));
    DecodedPacket p;
    p.ts_us = ts_us;
    p.ip_version = 6;
    p.src = IpAddress::v6(b.data() + 8);
    p.dst = IpAddress::v6(b.data() + 24);
    p.l4_proto = next;
    p.frag = {true, f.more, f.offset, id};
    p.l3 = std::span<const uint8_t>(b.data(), b.size());
    p.l3_payload = p.l3.subspan(at + 8);
    return p;
  }

 private:
  std::deque<std::vector<uint8_t>> frames_;
  const uint8_t src4_[4] = {192, 0, 2, 1};
  const uint8_t dst4_[4] = {198, 51, 100, 7};
};

std::string pattern(size_t n, char base = 'a') {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(base + (i % 23));
  return s;
}

std::vector<Frag> split(const std::string& data, size_t piece) {
  std::vector<Frag> out;
  for (size_t at = 0; at < data.size(); at += piece) {
    const size_t n = std::min(piece, data.size() - at);
    out.push_back({static_cast<uint32_t>(at), at + n < data.size(), data.substr(at, n)});
  }
  return out;
}

bool ipv4_checksum_ok(const std::vector<uint8_t>& p) {
  const size_t hlen = (p[0] & 0x0f) * 4u;
  uint32_t sum = 0;
  for (size_t i = 0; i < hlen; i += 2) sum += be16(p.data() + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

std::string payload_v4(const std::vector<uint8_t>& p) { return {p.begin() + 20, p.end()}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(defragmenter)

BOOST_AUTO_TEST_CASE(non_fragments_pass_through) {
  Defragmenter d(DefragConfig{});
  DecodedPacket p;
  p.ip_version = 4;
  std::vector<uint8_t> out;
  BOOST_TEST(static_cast<int>(d.add(p, out).status) ==
             static_cast<int>(DefragStatus::kNotFragment));
  BOOST_TEST(d.counters().fragments == 0u);
}

BOOST_AUTO_TEST_CASE(ipv4_in_order_and_reverse_rebuild_the_datagram) {
  const std::string data = pattern(60);
  for (bool reverse : {false, true}) {
    BOOST_TEST_CONTEXT((reverse ? "reverse" : "in order")) {
      FragBuilder fb;
      Defragmenter d(DefragConfig{});
      std::vector<Frag> frags = split(data, 24);
      if (reverse) std::reverse(frags.begin(), frags.end());
      std::vector<uint8_t> out;
      for (size_t i = 0; i < frags.size(); ++i) {
        const DefragResult r = d.add(fb.v4(7, kUdp, frags[i]), out);
        const auto want = i + 1 == frags.size() ? DefragStatus::kComplete : DefragStatus::kHeld;
        BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(want));
        BOOST_TEST(r.anomalies == 0u);
      }
      BOOST_TEST(out.size() == 80u);
      BOOST_TEST(payload_v4(out) == data);
      BOOST_TEST(be16(out.data() + 2) == 80u);            // total length
      BOOST_TEST((be16(out.data() + 6) & 0x3fff) == 0u);  // MF and offset cleared
      BOOST_TEST(be16(out.data() + 4) == 7u);             // identification kept
      BOOST_TEST(out[9] == kUdp);
      BOOST_TEST(ipv4_checksum_ok(out));
      BOOST_TEST(d.datagrams() == 0u);
      BOOST_TEST(d.memory_used() == 0u);
      BOOST_TEST(d.counters().ipv4_reassembled == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_order_of_five_fragments) {
  const std::string data = pattern(37 * 8 + 5);
  const std::vector<Frag> frags = split(data, 64);
  BOOST_REQUIRE(frags.size() == 5u);
  std::vector<size_t> perm(frags.size());
  std::iota(perm.begin(), perm.end(), 0);
  FragBuilder fb;
  Defragmenter d(DefragConfig{});
  int complete = 0;
  uint16_t id = 0;
  do {
    ++id;
    std::vector<uint8_t> out;
    for (size_t i : perm) {
      if (d.add(fb.v4(id, kUdp, frags[i]), out).status == DefragStatus::kComplete) {
        ++complete;
        BOOST_TEST(payload_v4(out) == data);
      }
    }
  } while (std::next_permutation(perm.begin(), perm.end()));
  BOOST_TEST(complete == 120);
  BOOST_TEST(d.memory_used() == 0u);
}

BOOST_AUTO_TEST_CASE(reassembled_packet_decodes_as_raw_ip) {
  // The contract with the caller: the owned buffer is a plain IP packet.
  std::string segment(20, '\0');
  segment[12] = 0x50;  // data offset 5
  segment[13] = 0x18;  // PSH ACK
  segment += "hello fragmented world";
  FragBuilder fb;
  Defragmenter d(DefragConfig{});
  std::vector<uint8_t> out;
  for (const Frag& f : split(segment, 16)) d.add(fb.v4(9, kTcp, f), out);
  DecodedPacket pkt;
  DecodeCounters counters;
  const DecodeResult r =
      decode_frame(LinkType::kRaw, out, static_cast<uint32_t>(out.size()), 0, pkt, counters);
  BOOST_TEST(static_cast<int>(r) == static_cast<int>(DecodeResult::kOk));
  BOOST_TEST(pkt.is_tcp());
  BOOST_TEST(std::string(pkt.payload.begin(), pkt.payload.end()) == "hello fragmented world");
}

// Overlap policies. The old fragment holds [64, 128) with 'o'; the new one, sent
// after it, the range below with 'n'; everything else is filled with '.' after.
struct Shape {
  const char* name;
  uint32_t start;
  uint32_t end;
};
const Shape kShapes[] = {
    {"left: starts inside old, ends after", 96, 160},
    {"right: starts before old, ends inside", 32, 96},
    {"contained: strictly inside old", 80, 112},
    {"containing: starts before, ends after", 32, 160},
    {"same start, longer", 64, 160},
    {"same start, shorter", 64, 96},
    {"same end, starts before", 32, 128},
    {"exact same range", 64, 128},
};
struct PolicyRow {
  FragPolicy policy;
  const char* winners;  // per shape: 'o' old bytes stay, 'n' new bytes win
};
const PolicyRow kPolicies[] = {
    //                     left right contained containing s-longer s-shorter s-end exact
    {FragPolicy::kFirst, "oooooooo"},   {FragPolicy::kLast, "nnnnnnnn"},
    {FragPolicy::kBsd, "ononoono"},      // new starts before old
    {FragPolicy::kLinux, "ononnnnn"},    // new starts before or at old
    {FragPolicy::kWindows, "ooonoooo"},  // new starts before AND ends after old
    {FragPolicy::kSolaris, "ooonoono"},  // new starts before and ends at/after old
};

BOOST_AUTO_TEST_CASE(every_policy_on_every_overlap_shape) {
  constexpr uint32_t kOldStart = 64;
  constexpr uint32_t kOldEnd = 128;
  constexpr uint32_t kTotal = 192;
  for (const PolicyRow& row : kPolicies) {
    const char* winners = row.winners;
    for (size_t i = 0; i < std::size(kShapes); ++i) {
      const Shape& s = kShapes[i];
      BOOST_TEST_CONTEXT(frag_policy_name(row.policy) << " / " << s.name) {
        DefragConfig cfg;
        cfg.policy = row.policy;
        Defragmenter d(cfg);
        FragBuilder fb;
        std::vector<uint8_t> out;
        d.add(fb.v4(1, kUdp, {kOldStart, true, std::string(kOldEnd - kOldStart, 'o')}), out);
        const DefragResult r =
            d.add(fb.v4(1, kUdp, {s.start, true, std::string(s.end - s.start, 'n')}), out);
        BOOST_TEST(r.has(DefragAnomaly::overlap_different_data));
        DefragStatus last = DefragStatus::kHeld;
        for (uint32_t at = 0; at < kTotal; at += 8) {
          const bool covered = (at >= kOldStart && at < kOldEnd) || (at >= s.start && at < s.end);
          if (!covered) last = d.add(fb.v4(1, kUdp, {at, at + 8 < kTotal, "........"}), out).status;
        }
        BOOST_REQUIRE(static_cast<int>(last) == static_cast<int>(DefragStatus::kComplete));
        std::string want(kTotal, '.');
        for (uint32_t k = kOldStart; k < kOldEnd; ++k) want[k] = 'o';
        for (uint32_t k = s.start; k < s.end; ++k) {
          want[k] = (k >= kOldStart && k < kOldEnd) ? winners[i] : 'n';
        }
        BOOST_TEST(payload_v4(out) == want);
        BOOST_TEST(
            d.counters().anomalies[static_cast<size_t>(DefragAnomaly::overlap_different_data)] ==
            1u);
        BOOST_TEST(frag_overlap_new_wins(row.policy, kOldStart, kOldEnd, s.start, s.end) ==
                   (winners[i] == 'n'));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(duplicate_fragment_with_same_data_is_merged) {
  FragBuilder fb;
  Defragmenter d(DefragConfig{});
  std::vector<uint8_t> out;
  const std::string data = pattern(48);
  d.add(fb.v4(3, kUdp, {0, true, data.substr(0, 24)}), out);
  const DefragResult r = d.add(fb.v4(3, kUdp, {0, true, data.substr(0, 24)}), out);
  BOOST_TEST(r.anomalies == 0u);
  BOOST_TEST(d.counters().overlaps_same_data == 1u);
  BOOST_TEST(static_cast<int>(d.add(fb.v4(3, kUdp, {24, false, data.substr(24)}), out).status) ==
             static_cast<int>(DefragStatus::kComplete));
  BOOST_TEST(payload_v4(out) == data);
}

BOOST_AUTO_TEST_CASE(incomplete_datagram_times_out_in_packet_time) {
  DefragConfig cfg;
  cfg.timeout_us = 30 * kSecond;
  FragBuilder fb;
  Defragmenter d(cfg);
  std::vector<uint8_t> out;
  d.add(fb.v4(5, kUdp, {0, true, pattern(16)}, 100 * kSecond), out);
  d.on_timeout(130 * kSecond - 1);
  BOOST_TEST(d.datagrams() == 1u);
  d.on_timeout(130 * kSecond);
  BOOST_TEST(d.datagrams() == 0u);
  BOOST_TEST(d.counters().timeouts == 1u);
  BOOST_TEST(d.memory_used() == 0u);
  // The late last fragment finds nothing to complete.
  const DefragResult r = d.add(fb.v4(5, kUdp, {16, false, pattern(8)}, 131 * kSecond), out);
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(DefragStatus::kHeld));
}

BOOST_AUTO_TEST_CASE(a_fragment_of_an_expired_datagram_starts_over) {
  DefragConfig cfg;
  cfg.timeout_us = 10 * kSecond;
  FragBuilder fb;
  Defragmenter d(cfg);
  std::vector<uint8_t> out;
  d.add(fb.v4(5, kUdp, {0, true, std::string(16, 'x')}, 0), out);
  // Same key, 20 s later: the stale first fragment must not complete the datagram.
  const DefragResult r = d.add(fb.v4(5, kUdp, {16, false, "yyyyyyyy"}, 20 * kSecond), out);
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(DefragStatus::kHeld));
  BOOST_TEST(d.counters().timeouts == 1u);
}

BOOST_AUTO_TEST_CASE(memcap_evicts_the_oldest_incomplete_datagram) {
  DefragConfig cfg;
  cfg.memcap = 1000;
  FragBuilder fb;
  Defragmenter d(cfg);
  std::vector<uint8_t> out;
  d.add(fb.v4(1, kUdp, {0, true, pattern(200)}), out);
  d.add(fb.v4(1, kUdp, {400, false, pattern(200)}), out);  // datagram 1 waits for 200..400
  BOOST_TEST(d.memory_used() > 600u);
  d.add(fb.v4(2, kUdp, {0, true, pattern(200)}), out);
  const DefragResult r = d.add(fb.v4(2, kUdp, {200, false, pattern(8)}), out);
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(DefragStatus::kComplete));
  BOOST_TEST(d.counters().evicted_memcap == 1u);
  BOOST_TEST(d.datagrams() == 0u);
  BOOST_TEST(d.counters().memory_high_water <= cfg.memcap);
  // One fragment larger than the whole cap cannot be held at all.
  const DefragResult big = d.add(fb.v4(3, kUdp, {0, true, pattern(1200)}), out);
  BOOST_TEST(static_cast<int>(big.status) == static_cast<int>(DefragStatus::kDropped));
  BOOST_TEST(d.counters().memcap_drops == 1u);
  BOOST_TEST(d.memory_used() == 0u);
}

BOOST_AUTO_TEST_CASE(datagram_limit_evicts_the_oldest) {
  DefragConfig cfg;
  cfg.max_datagrams = 2;
  FragBuilder fb;
  Defragmenter d(cfg);
  std::vector<uint8_t> out;
  for (uint16_t id = 1; id <= 3; ++id) d.add(fb.v4(id, kUdp, {0, true, pattern(8)}), out);
  BOOST_TEST(d.datagrams() == 2u);
  BOOST_TEST(d.counters().evicted_datagram_limit == 1u);
  // Datagram 1 is gone: its last fragment does not complete it.
  BOOST_TEST(static_cast<int>(d.add(fb.v4(1, kUdp, {8, false, pattern(8)}), out).status) ==
             static_cast<int>(DefragStatus::kHeld));
  BOOST_TEST(static_cast<int>(d.add(fb.v4(3, kUdp, {8, false, pattern(8)}), out).status) ==
             static_cast<int>(DefragStatus::kComplete));
}

BOOST_AUTO_TEST_CASE(tiny_first_fragment_is_an_anomaly) {
  struct Case {
    const char* name;
    size_t first_len;
    uint8_t data_offset_byte;
    bool tiny;
  };
  const Case cases[] = {
      {"shorter than 20 bytes", 16, 0x50, true},
      {"shorter than the announced header with options", 24, 0x80, true},
      {"whole header", 24, 0x50, false},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      std::string segment = pattern(64);
      segment[12] = static_cast<char>(c.data_offset_byte);
      FragBuilder fb;
      Defragmenter d(DefragConfig{});
      std::vector<uint8_t> out;
      const DefragResult first =
          d.add(fb.v4(4, kTcp, {0, true, segment.substr(0, c.first_len)}), out);
      BOOST_TEST(first.has(DefragAnomaly::tiny_first_fragment) == c.tiny);
      const DefragResult rest = d.add(
          fb.v4(4, kTcp, {static_cast<uint32_t>(c.first_len), false, segment.substr(c.first_len)}),
          out);
      BOOST_TEST(static_cast<int>(rest.status) == static_cast<int>(DefragStatus::kComplete));
      BOOST_TEST(payload_v4(out) == segment);
    }
  }
}

BOOST_AUTO_TEST_CASE(ipv6_fragment_header_is_removed) {
  for (bool hop_by_hop : {false, true}) {
    BOOST_TEST_CONTEXT((hop_by_hop ? "with hop-by-hop" : "plain")) {
      const std::string data = pattern(100);
      FragBuilder fb;
      Defragmenter d(DefragConfig{});
      std::vector<uint8_t> out;
      std::vector<Frag> frags = split(data, 32);
      std::reverse(frags.begin(), frags.end());
      DefragResult r;
      for (const Frag& f : frags) r = d.add(fb.v6(0xdeadbeef, kUdp, f, hop_by_hop), out);
      BOOST_REQUIRE(static_cast<int>(r.status) == static_cast<int>(DefragStatus::kComplete));
      const size_t ext = hop_by_hop ? 8 : 0;
      BOOST_TEST(out.size() == 40 + ext + data.size());
      BOOST_TEST(be16(out.data() + 4) == ext + data.size());  // payload length
      if (hop_by_hop) {
        BOOST_TEST(out[6] == 0);      // still hop-by-hop first
        BOOST_TEST(out[40] == kUdp);  // which now names UDP, not the fragment header
      } else {
        BOOST_TEST(out[6] == kUdp);
      }
      BOOST_TEST(std::string(out.begin() + static_cast<ptrdiff_t>(40 + ext), out.end()) == data);
      BOOST_TEST(d.counters().ipv6_reassembled == 1u);
      BOOST_TEST(d.memory_used() == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(ipv6_and_ipv4_with_the_same_id_do_not_mix) {
  FragBuilder fb;
  Defragmenter d(DefragConfig{});
  std::vector<uint8_t> out;
  d.add(fb.v4(77, kUdp, {0, true, pattern(8)}), out);
  d.add(fb.v6(77, kUdp, {0, true, pattern(8)}), out);
  BOOST_TEST(d.datagrams() == 2u);
}

BOOST_AUTO_TEST_CASE(conflicting_last_fragments_are_rejected) {
  FragBuilder fb;
  Defragmenter d(DefragConfig{});
  std::vector<uint8_t> out;
  d.add(fb.v4(8, kUdp, {16, false, pattern(8)}), out);  // datagram ends at 24
  DefragResult r = d.add(fb.v4(8, kUdp, {16, false, pattern(16)}), out);
  BOOST_TEST(r.has(DefragAnomaly::conflicting_end));
  r = d.add(fb.v4(8, kUdp, {24, true, pattern(8)}), out);  // beyond the end
  BOOST_TEST(r.has(DefragAnomaly::conflicting_end));
  BOOST_TEST(d.counters().rejected == 2u);
  r = d.add(fb.v4(8, kUdp, {0, true, pattern(16)}), out);
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(DefragStatus::kComplete));
  BOOST_TEST(out.size() == 44u);
}

BOOST_AUTO_TEST_CASE(datagram_over_65535_bytes_is_rejected) {
  FragBuilder fb;
  Defragmenter d(DefragConfig{});
  std::vector<uint8_t> out;
  const DefragResult r = d.add(fb.v4(9, kUdp, {65512, false, pattern(16)}), out);
  BOOST_TEST(r.has(DefragAnomaly::too_large));
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(DefragStatus::kDropped));
  BOOST_TEST(d.datagrams() == 0u);
}

BOOST_AUTO_TEST_CASE(unaligned_middle_fragment_is_an_anomaly) {
  FragBuilder fb;
  Defragmenter d(DefragConfig{});
  std::vector<uint8_t> out;
  const DefragResult r = d.add(fb.v4(10, kUdp, {0, true, pattern(10)}), out);
  BOOST_TEST(r.has(DefragAnomaly::unaligned_fragment));
  BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(DefragStatus::kHeld));
}

BOOST_AUTO_TEST_CASE(too_many_pieces_drop_the_datagram) {
  DefragConfig cfg;
  cfg.max_fragments = 3;
  FragBuilder fb;
  Defragmenter d(cfg);
  std::vector<uint8_t> out;
  DefragResult r;
  for (uint32_t at = 0; at < 64; at += 16) r = d.add(fb.v4(11, kUdp, {at, true, pattern(8)}), out);
  BOOST_TEST(r.has(DefragAnomaly::too_many_fragments));
  BOOST_TEST(d.counters().fragment_limit_drops == 1u);
  BOOST_TEST(d.datagrams() == 0u);
  BOOST_TEST(d.memory_used() == 0u);
}

BOOST_AUTO_TEST_CASE(truncated_and_malformed_fragments_are_dropped) {
  FragBuilder fb;
  Defragmenter d(DefragConfig{});
  std::vector<uint8_t> out;
  DecodedPacket cut = fb.v4(12, kUdp, {0, true, pattern(64)});
  cut.l3 = cut.l3.first(40);  // snap length cut the fragment
  BOOST_TEST(static_cast<int>(d.add(cut, out).status) == static_cast<int>(DefragStatus::kDropped));
  BOOST_TEST(d.counters().truncated == 1u);
  DecodedPacket bad = fb.v6(13, kUdp, {0, true, pattern(8)});
  std::vector<uint8_t> copy(bad.l3.begin(), bad.l3.end());
  copy[6] = 51;  // the chain names AH before any fragment header
  bad.l3 = copy;
  BOOST_TEST(static_cast<int>(d.add(bad, out).status) == static_cast<int>(DefragStatus::kDropped));
  BOOST_TEST(d.counters().malformed == 1u);
  BOOST_TEST(d.datagrams() == 0u);
}

BOOST_AUTO_TEST_CASE(policies_parse_and_config_validates) {
  FragPolicy p = FragPolicy::kFirst;
  BOOST_TEST(parse_frag_policy("linux", p));
  BOOST_TEST(static_cast<int>(p) == static_cast<int>(FragPolicy::kLinux));
  BOOST_TEST(parse_frag_policy("vista", p));
  BOOST_TEST(static_cast<int>(p) == static_cast<int>(FragPolicy::kWindows));
  BOOST_TEST(!parse_frag_policy("plan9", p));
  BOOST_TEST(validate(DefragConfig{}).empty());
  DefragConfig bad;
  bad.timeout_us = 0;
  BOOST_TEST(validate(bad).find("timeout") != std::string::npos);
  DefragCounters a;
  DefragCounters b;
  b.reassembled = 2;
  b.memory_high_water = 9;
  b.anomalies[0] = 1;
  a.memory_high_water = 10;
  a.merge(b);
  BOOST_TEST(a.reassembled == 2u);
  BOOST_TEST(a.memory_high_water == 10u);
  bool saw = false;
  a.for_each([&](const char* name, uint64_t v, const char*) {
    if (std::string(name) == "anomalies.overlap_different_data") saw = v == 1;
  });
  BOOST_TEST(saw);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

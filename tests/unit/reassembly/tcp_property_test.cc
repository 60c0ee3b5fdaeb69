// Property tests: whatever the segmentation, order, duplication and sequence
// numbers, the reassembled stream is the original one; missing segments become
// gaps of exactly their size at exactly their place.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "reassembly/tcp/tcp_reassembler.h"
#include "tests/unit/reassembly/reassembly_test_util.h"

namespace ww {
namespace {

using test::Harness;
constexpr Direction kC2S = Direction::to_server;
constexpr uint8_t kFinAck = tcp_flag::kFin | tcp_flag::kAck;

struct Span {
  uint64_t start;
  uint64_t len;
};

std::string random_stream(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// Cuts [0, total) into n consecutive non-empty spans.
std::vector<Span> random_cuts(std::mt19937_64& rng, uint64_t total, size_t n) {
  std::vector<uint64_t> points;
  std::vector<uint64_t> all(total - 1);
  std::iota(all.begin(), all.end(), 1);
  std::shuffle(all.begin(), all.end(), rng);
  points.assign(all.begin(), all.begin() + static_cast<ptrdiff_t>(n - 1));
  std::sort(points.begin(), points.end());
  std::vector<Span> cuts;
  uint64_t at = 0;
  for (uint64_t p : points) {
    cuts.push_back({at, p - at});
    at = p;
  }
  cuts.push_back({at, total - at});
  return cuts;
}

TcpReassemblyConfig roomy_config() {
  TcpReassemblyConfig cfg;
  cfg.ooo_max_segments = 1u << 20;
  cfg.ooo_max_bytes = 1u << 30;
  return cfg;
}

// Sends the spans in the given order, then a FIN, then finish(); checks the result.
void expect_exact_stream(Harness& h, const std::string& data, const std::vector<Span>& order) {
  h.handshake();
  for (const Span& s : order) h.c(s.start, std::string_view(data).substr(s.start, s.len));
  h.c(data.size(), "", kFinAck);
  h.r->finish();
  BOOST_REQUIRE(h.sink.text(kC2S) == data);
  BOOST_TEST(h.sink.gaps[0] == 0);
  BOOST_TEST(h.sink.ends[0] == 1);
  BOOST_TEST(h.counters.overlap_different_data == 0u);
  BOOST_TEST(h.memory.used() == 0u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tcp_properties)

BOOST_AUTO_TEST_CASE(every_order_of_up_to_six_segments_gives_the_stream) {
  std::mt19937_64 rng(20040127);
  int runs = 0;
  for (size_t n = 1; n <= 6; ++n) {
    for (int variant = 0; variant < 2; ++variant) {
      const std::string data = random_stream(rng, 8 + rng() % 120);
      const std::vector<Span> cuts = random_cuts(rng, data.size(), n);
      std::vector<size_t> perm(n);
      std::iota(perm.begin(), perm.end(), 0);
      do {
        std::vector<Span> order;
        for (size_t i : perm) order.push_back(cuts[i]);
        Harness h(roomy_config());
        expect_exact_stream(h, data, order);
        ++runs;
      } while (std::next_permutation(perm.begin(), perm.end()));
    }
  }
  BOOST_TEST(runs == 2 * (1 + 2 + 6 + 24 + 120 + 720));
}

BOOST_AUTO_TEST_CASE(random_orders_of_many_segments_with_duplicates) {
  std::mt19937_64 rng(1);
  for (int seed = 0; seed < 30; ++seed) {
    BOOST_TEST_CONTEXT("seed " << seed) {
      const std::string data = random_stream(rng, 2000 + rng() % 30000);
      const size_t n = std::min<size_t>(data.size() - 1, 50 + rng() % 400);
      std::vector<Span> order = random_cuts(rng, data.size(), n);
      // Retransmissions: whole segments again, and random overlapping ranges
      // (identical data) that straddle segment boundaries.
      const size_t dups = rng() % (n / 2 + 1);
      for (size_t i = 0; i < dups; ++i) {
        if (rng() % 2) {
          order.push_back(order[rng() % order.size()]);
        } else {
          const uint64_t a = rng() % data.size();
          const uint64_t len = 1 + rng() % std::min<uint64_t>(3000, data.size() - a);
          order.push_back({a, len});
        }
      }
      std::shuffle(order.begin(), order.end(), rng);
      Harness h(roomy_config());
      expect_exact_stream(h, data, order);
      if (dups > 0) BOOST_TEST(h.counters.retransmitted_segments > 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(byte_at_a_time_equals_one_big_segment) {
  std::mt19937_64 rng(7);
  const std::string data = random_stream(rng, 1500);
  std::vector<Span> bytes;
  for (uint64_t i = 0; i < data.size(); ++i) bytes.push_back({i, 1});

  Harness whole(roomy_config());
  expect_exact_stream(whole, data, {{0, data.size()}});
  Harness forward(roomy_config());
  expect_exact_stream(forward, data, bytes);
  std::reverse(bytes.begin(), bytes.end());
  Harness backward(roomy_config());
  expect_exact_stream(backward, data, bytes);

  BOOST_TEST(whole.sink.data(kC2S) == forward.sink.data(kC2S));
  BOOST_TEST(whole.sink.data(kC2S) == backward.sink.data(kC2S));
  BOOST_TEST(backward.counters.ooo_segments_high_water == data.size() - 1);
}

BOOST_AUTO_TEST_CASE(wrap_around_in_the_middle_of_the_stream) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 20; ++round) {
    BOOST_TEST_CONTEXT("round " << round) {
      const std::string data = random_stream(rng, 500 + rng() % 5000);
      // 2^32 falls at a random offset inside the stream.
      const uint64_t wrap_at = 1 + rng() % (data.size() - 1);
      const uint32_t isn = static_cast<uint32_t>((1ull << 32) - 1 - wrap_at);
      std::vector<Span> order = random_cuts(rng, data.size(), 2 + rng() % 60);
      std::shuffle(order.begin(), order.end(), rng);
      Harness h(roomy_config(), isn);
      BOOST_TEST(h.client_seq(wrap_at) == 0u);
      expect_exact_stream(h, data, order);
    }
  }
}

BOOST_AUTO_TEST_CASE(missing_segments_become_gaps_of_their_exact_size_and_place) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 30; ++round) {
    BOOST_TEST_CONTEXT("round " << round) {
      const std::string data = random_stream(rng, 1000 + rng() % 10000);
      std::vector<Span> cuts = random_cuts(rng, data.size(), 5 + rng() % 100);
      std::vector<Span> sent;
      uint64_t dropped = 0;
      for (const Span& s : cuts) {
        if (rng() % 5 == 0) {
          dropped += s.len;
        } else {
          sent.push_back(s);
        }
      }
      std::shuffle(sent.begin(), sent.end(), rng);
      Harness h(roomy_config());
      h.handshake();
      for (const Span& s : sent) h.c(s.start, std::string_view(data).substr(s.start, s.len));
      h.c(data.size(), "", kFinAck);
      h.r->finish();

      // Walk the events: every data byte sits at its original offset.
      uint64_t at = 0;
      bool all_match = true;
      for (const auto& ev : h.sink.events) {
        if (ev.dir != kC2S) continue;
        if (ev.kind == test::RecordingSink::Event::kData) {
          all_match = all_match && data.compare(at, ev.data.size(), ev.data) == 0;
          at += ev.data.size();
        } else if (ev.kind == test::RecordingSink::Event::kGap) {
          at += ev.gap;
        }
      }
      BOOST_TEST(all_match);
      BOOST_TEST(at == data.size());
      BOOST_TEST(h.sink.gap_bytes[0] == dropped);
      BOOST_TEST(h.sink.data(kC2S).size() == data.size() - dropped);
      BOOST_TEST(h.sink.ends[0] == 1);
      BOOST_TEST(h.memory.used() == 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

// Overlap policies of the TCP reassembler: every policy on every overlap shape,
// with expectations written out by hand from the Snort 3 / Suricata tables.

#include <boost/test/unit_test.hpp>

#include <string>

#include "reassembly/tcp/tcp_overlap_policy.h"
#include "reassembly/tcp/tcp_reassembler.h"
#include "tests/unit/reassembly/reassembly_test_util.h"

namespace ww {
namespace {

using test::Harness;
constexpr Direction kC2S = Direction::to_server;

// The old segment always covers stream offsets [4, 8) with 'o'; the new one, sent
// after it, covers the range below with 'n'. A hole at [0, 2) keeps both buffered.
struct Shape {
  const char* name;
  uint64_t start;
  uint64_t end;
};
constexpr uint64_t kOldStart = 4;
constexpr uint64_t kOldEnd = 8;
constexpr uint64_t kStreamLen = 12;

const Shape kShapes[] = {
    {"left: starts inside old, ends after", 6, 10},
    {"right: starts before old, ends inside", 2, 6},
    {"contained: strictly inside old", 5, 7},
    {"containing: starts before, ends after", 2, 10},
    {"same start, longer", 4, 10},
    {"same start, shorter", 4, 6},
    {"same end, starts before", 2, 8},
    {"exact same range", 4, 8},
};

// Expected winner of the overlapped bytes per shape (row order of kShapes):
// 'o' old, 'n' new.
struct PolicyRow {
  TcpOverlapPolicy policy;
  const char* winners;  // one letter per shape
};
const PolicyRow kPolicies[] = {
    //                          left right contained containing s-longer s-shorter s-end exact
    {TcpOverlapPolicy::kFirst, "oooooooo"},
    {TcpOverlapPolicy::kLast, "nnnnnnnn"},
    {TcpOverlapPolicy::kBsd, "ononoono"},  // new wins only when it starts before the old
    {TcpOverlapPolicy::kWindows, "ononoono"},
    {TcpOverlapPolicy::kLinux, "ononnono"},     // bsd + same start reaching further
    {TcpOverlapPolicy::kOldLinux, "ononnonn"},  // linux + exact duplicate
    {TcpOverlapPolicy::kSolaris, "noonnonn"},   // ends beyond the old, or covers it
};

std::string expected_stream(const Shape& s, char winner) {
  std::string out(kStreamLen, '.');
  for (uint64_t i = kOldStart; i < kOldEnd; ++i) out[i] = 'o';
  for (uint64_t i = s.start; i < s.end; ++i) {
    const bool overlapped = i >= kOldStart && i < kOldEnd;
    out[i] = overlapped ? winner : 'n';
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tcp_overlap)

BOOST_AUTO_TEST_CASE(every_policy_on_every_overlap_shape) {
  for (const PolicyRow& row : kPolicies) {
    for (size_t i = 0; i < std::size(kShapes); ++i) {
      const Shape& shape = kShapes[i];
      BOOST_TEST_CONTEXT(tcp_overlap_policy_name(row.policy) << " / " << shape.name) {
        TcpReassemblyConfig cfg;
        cfg.overlap_policy = row.policy;
        Harness h(cfg);
        h.handshake();
        h.c(kOldStart, std::string(kOldEnd - kOldStart, 'o'));
        h.c(shape.start, std::string(shape.end - shape.start, 'n'));
        // Fill what neither covers, then the hole at the front.
        for (uint64_t at = 2; at < kStreamLen; ++at) {
          const bool covered =
              (at >= kOldStart && at < kOldEnd) || (at >= shape.start && at < shape.end);
          if (!covered) h.c(at, ".");
        }
        h.c(0, "..");
        BOOST_TEST(h.sink.text(kC2S) == expected_stream(shape, row.winners[i]));
        BOOST_TEST(h.counters.overlap_different_data == 1u);
        BOOST_TEST(h.sink.anomaly_count(TcpAnomaly::overlap_different_data) == 1);
        // The decision function agrees with the hand-written table.
        BOOST_TEST(tcp_overlap_new_wins(row.policy, kOldStart, kOldEnd, shape.start, shape.end) ==
                   (row.winners[i] == 'n'));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(same_data_overlap_is_merged_silently) {
  for (const PolicyRow& row : kPolicies) {
    BOOST_TEST_CONTEXT(tcp_overlap_policy_name(row.policy)) {
      TcpReassemblyConfig cfg;
      cfg.overlap_policy = row.policy;
      Harness h(cfg);
      h.handshake();
      h.c(4, "EFGH");
      h.c(2, "CDEFGHIJ");  // covers the buffered piece with identical bytes
      h.c(0, "AB");
      BOOST_TEST(h.sink.text(kC2S) == "ABCDEFGHIJ");
      BOOST_TEST(h.counters.overlap_different_data == 0u);
      BOOST_TEST(h.counters.retransmitted_segments == 1u);
      BOOST_TEST(h.counters.retransmitted_bytes == 4u);
    }
  }
}

BOOST_AUTO_TEST_CASE(new_segment_spanning_several_buffered_pieces) {
  // Old pieces [4,6) and [8,10); new [3,11) differs everywhere. Under bsd the new
  // segment starts before both pieces, so it wins both; under first neither.
  struct Case {
    TcpOverlapPolicy policy;
    const char* expected;
  };
  const Case cases[] = {
      {TcpOverlapPolicy::kBsd, "...nnnnnnnn."},
      {TcpOverlapPolicy::kFirst, "...noonnoon."},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(tcp_overlap_policy_name(c.policy)) {
      TcpReassemblyConfig cfg;
      cfg.overlap_policy = c.policy;
      Harness h(cfg);
      h.handshake();
      h.c(4, "oo");
      h.c(8, "oo");
      h.c(3, "nnnnnnnn");
      h.c(11, ".");
      h.c(0, "...");
      BOOST_TEST(h.sink.text(kC2S) == c.expected);
      BOOST_TEST(h.counters.overlap_different_data == 1u);  // one anomaly per segment
    }
  }
}

BOOST_AUTO_TEST_CASE(in_order_segment_overlapping_a_buffered_piece) {
  // The hole-filling segment reaches into a buffered piece with different data:
  // its in-order part is delivered straight away, the overlap goes by policy.
  struct Case {
    TcpOverlapPolicy policy;
    const char* expected;
  };
  const Case cases[] = {
      {TcpOverlapPolicy::kFirst, "nnnnoooo"},
      {TcpOverlapPolicy::kLast, "nnnnnnoo"},
      {TcpOverlapPolicy::kBsd, "nnnnnnoo"},  // new starts before the piece
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(tcp_overlap_policy_name(c.policy)) {
      TcpReassemblyConfig cfg;
      cfg.overlap_policy = c.policy;
      Harness h(cfg);
      h.handshake();
      h.c(4, "oooo");
      h.c(0, "nnnnnn");
      BOOST_TEST(h.sink.text(kC2S) == c.expected);
      BOOST_TEST(h.counters.overlap_different_data == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(policy_names_parse_and_round_trip) {
  for (const PolicyRow& row : kPolicies) {
    TcpOverlapPolicy parsed = TcpOverlapPolicy::kLast;
    BOOST_TEST(parse_tcp_overlap_policy(tcp_overlap_policy_name(row.policy), parsed));
    BOOST_TEST(static_cast<int>(parsed) == static_cast<int>(row.policy));
  }
  TcpOverlapPolicy p = TcpOverlapPolicy::kFirst;
  BOOST_TEST(parse_tcp_overlap_policy("macos", p));
  BOOST_TEST(static_cast<int>(p) == static_cast<int>(TcpOverlapPolicy::kBsd));
  BOOST_TEST(parse_tcp_overlap_policy("vista", p));
  BOOST_TEST(static_cast<int>(p) == static_cast<int>(TcpOverlapPolicy::kFirst));
  BOOST_TEST(!parse_tcp_overlap_policy("beos", p));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

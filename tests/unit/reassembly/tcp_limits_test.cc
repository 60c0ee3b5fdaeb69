// Gaps (by ACK, timeout, buffer limits), depth, the memory cap, and memory being
// returned when a flow ends.

#include <boost/test/unit_test.hpp>

#include <string>

#include "reassembly/tcp/tcp_reassembler.h"
#include "tests/unit/reassembly/reassembly_test_util.h"

namespace ww {
namespace {

using test::Harness;
constexpr Direction kC2S = Direction::to_server;
constexpr Direction kS2C = Direction::to_client;
constexpr uint8_t kFinAck = tcp_flag::kFin | tcp_flag::kAck;
constexpr int64_t kSecond = 1'000'000;

}  // namespace

BOOST_AUTO_TEST_SUITE(tcp_gaps_and_limits)

BOOST_AUTO_TEST_CASE(gap_when_the_receiver_acknowledges_past_the_hole) {
  Harness h;
  h.handshake();
  h.c(0, "AB");
  h.c(5, "FG");
  h.server_acks(2);  // not past the hole yet
  BOOST_TEST(h.sink.text(kC2S) == "AB");
  h.server_acks(7);
  BOOST_TEST(h.sink.text(kC2S) == "AB<gap 3>FG");
  h.server_acks(10);  // data acknowledged but never seen
  BOOST_TEST(h.sink.text(kC2S) == "AB<gap 3>FG<gap 3>");
  h.c(7, "HIJ");  // arrives after its gap: old, never redelivered
  h.c(10, "K");
  BOOST_TEST(h.sink.text(kC2S) == "AB<gap 3>FG<gap 3>K");
  BOOST_TEST(h.counters.gaps_ack == 2u);
  BOOST_TEST(h.counters.gap_bytes == 6u);
  BOOST_TEST(h.r->stream_info(kC2S).gaps == 2u);
}

BOOST_AUTO_TEST_CASE(ack_of_the_fin_closes_a_hole_before_it) {
  Harness h;
  h.handshake();
  h.c(0, "AB");
  h.c(4, "", kFinAck);  // bytes 2..4 missing
  BOOST_TEST(h.sink.ends[0] == 0);
  h.server_acks(5);  // FIN acknowledged
  BOOST_TEST(h.sink.text(kC2S) == "AB<gap 2>");
  BOOST_TEST(h.sink.ends[0] == 1);
}

BOOST_AUTO_TEST_CASE(gap_after_the_timeout_in_packet_time) {
  Harness h;
  h.handshake();
  h.c(0, "AB");
  h.c(4, "EF");
  h.r->on_timeout(h.now + 10 * kSecond - 1);
  BOOST_TEST(h.sink.text(kC2S) == "AB");
  h.r->on_timeout(h.now + 10 * kSecond);
  BOOST_TEST(h.sink.text(kC2S) == "AB<gap 2>EF");
  BOOST_TEST(h.counters.gaps_timeout == 1u);
}

BOOST_AUTO_TEST_CASE(a_later_packet_time_expires_holes_too) {
  Harness h;
  h.handshake();
  h.c(0, "AB");
  h.c(4, "EF");
  h.now += 11 * kSecond;
  h.s(0, "250 ok\r\n");  // any packet of the flow carries the time forward
  BOOST_TEST(h.sink.text(kC2S) == "AB<gap 2>EF");
}

BOOST_AUTO_TEST_CASE(each_hole_gets_its_own_timeout) {
  Harness h;
  h.handshake();
  h.c(0, "A");
  h.c(2, "C");  // hole 1 known at t0
  h.now += 5 * kSecond;
  h.c(4, "E");                           // hole 3 known at t0 + 5 s
  h.r->on_timeout(h.now + 5 * kSecond);  // t0 + 10 s
  BOOST_TEST(h.sink.text(kC2S) == "A<gap 1>C");
  h.r->on_timeout(h.now + 10 * kSecond);  // t0 + 15 s
  BOOST_TEST(h.sink.text(kC2S) == "A<gap 1>C<gap 1>E");
}

BOOST_AUTO_TEST_CASE(timeout_of_a_hole_before_the_fin_ends_the_stream) {
  Harness h;
  h.handshake();
  h.c(0, "AB");
  h.c(4, "", kFinAck);
  h.r->on_timeout(h.now + 10 * kSecond);
  BOOST_TEST(h.sink.text(kC2S) == "AB<gap 2>");
  BOOST_TEST(h.sink.ends[0] == 1);
}

BOOST_AUTO_TEST_CASE(segment_cap_gives_up_the_oldest_hole) {
  TcpReassemblyConfig cfg;
  cfg.ooo_max_segments = 2;
  Harness h(cfg);
  h.handshake();
  h.c(0, "A");
  h.c(2, "C");
  h.c(4, "E");
  BOOST_TEST(h.sink.text(kC2S) == "A");
  h.c(6, "G");  // third piece: over the cap
  BOOST_TEST(h.sink.text(kC2S) == "A<gap 1>C");
  BOOST_TEST(h.counters.ooo_segments_limit == 1u);
  BOOST_TEST(h.counters.gaps_limit == 1u);
  BOOST_TEST(h.counters.ooo_segments_high_water == 2u);
  h.c(3, "D");
  h.c(5, "F");
  BOOST_TEST(h.sink.text(kC2S) == "A<gap 1>CDEFG");
}

BOOST_AUTO_TEST_CASE(byte_cap_gives_up_the_oldest_hole) {
  TcpReassemblyConfig cfg;
  cfg.ooo_max_bytes = 4;
  Harness h(cfg);
  h.handshake();
  h.c(0, "A");
  h.c(2, "CCC");
  h.c(6, "GG");  // 3 + 2 > 4
  BOOST_TEST(h.sink.text(kC2S) == "A<gap 1>CCC");
  BOOST_TEST(h.counters.ooo_bytes_limit == 1u);
  h.c(5, "F");
  BOOST_TEST(h.sink.text(kC2S) == "A<gap 1>CCCFGG");
  BOOST_TEST(h.counters.ooo_bytes_high_water == 3u);
}

BOOST_AUTO_TEST_CASE(piece_larger_than_the_byte_cap_skips_its_own_hole) {
  TcpReassemblyConfig cfg;
  cfg.ooo_max_bytes = 4;
  Harness h(cfg);
  h.handshake();
  h.c(0, "A");
  h.c(3, "DDDDDD");
  BOOST_TEST(h.sink.text(kC2S) == "A<gap 2>DDDDDD");
  BOOST_TEST(h.counters.gaps_limit == 1u);
}

BOOST_AUTO_TEST_CASE(the_caps_are_per_flow_across_both_directions) {
  TcpReassemblyConfig cfg;
  cfg.ooo_max_segments = 1;
  Harness h(cfg);
  h.handshake();
  h.c(2, "cc");   // the flow's one piece
  h.s(3, "sss");  // server piece: over the flow cap; the server has nothing older
  BOOST_TEST(h.sink.text(kS2C) == "<gap 3>sss");
  BOOST_TEST(h.sink.text(kC2S).empty());
  BOOST_TEST(h.r->buffered_bytes() == 2u);
  h.c(0, "aa");
  BOOST_TEST(h.sink.text(kC2S) == "aacc");
}

BOOST_AUTO_TEST_CASE(worker_memcap_forces_a_gap_and_is_counted) {
  TcpReassemblyConfig cfg;
  cfg.memcap = 100;
  cfg.history_bytes = 0;
  Harness h(cfg);
  h.handshake();
  h.c(0, "A");
  h.c(2, std::string(40, 'x'));  // 40 bytes + bookkeeping > 100
  BOOST_TEST(h.sink.text(kC2S) == "A<gap 1>" + std::string(40, 'x'));
  BOOST_TEST(h.counters.memcap_hits == 1u);
  BOOST_TEST(h.memory.hits() == 1u);
  BOOST_TEST(h.memory.used() == 0u);
}

BOOST_AUTO_TEST_CASE(memcap_is_shared_by_the_flows_of_a_worker) {
  TcpReassemblyConfig cfg;
  cfg.history_bytes = 0;
  cfg.memcap = 200;
  ReassemblyMemory memory(cfg.memcap);
  ReassemblyCounters counters;
  test::RecordingSink sink_a;
  test::RecordingSink sink_b;
  TcpReassembler a(cfg, memory, counters, sink_a);
  TcpReassembler b(cfg, memory, counters, sink_b);
  std::vector<uint8_t> storage;
  auto send = [&](TcpReassembler& r, uint32_t seq, std::string data) {
    r.on_packet(kC2S, test::make_tcp_packet({seq, 0, tcp_flag::kAck, std::move(data)}, storage));
  };
  send(a, 100, "a");
  send(a, 102, std::string(100, 'A'));  // a holds 164 of 200
  send(b, 500, "b");
  send(b, 502, std::string(100, 'B'));  // no room: b gives up its hole
  BOOST_TEST(sink_b.text(kC2S) == "b<gap 1>" + std::string(100, 'B'));
  BOOST_TEST(sink_a.text(kC2S) == "a");
  BOOST_TEST(counters.memcap_hits == 1u);
  a.release();  // a's flow is evicted: its memory comes back, without callbacks
  BOOST_TEST(memory.used() == 0u);
  BOOST_TEST(sink_a.events.size() == 2u);  // midstream anomaly + "a"
  send(b, 700, std::string(10, 'z'));
  BOOST_TEST(b.buffered_bytes() == 10u);
  b.finish();
  BOOST_TEST(memory.used() == 0u);
}

BOOST_AUTO_TEST_CASE(depth_limits_delivery_and_is_reported_once) {
  TcpReassemblyConfig cfg;
  cfg.depth = 10;
  Harness h(cfg);
  h.handshake();
  h.c(0, "0123456789ABCDEF");
  h.c(16, "more");
  h.c(30, "ooo beyond depth");
  BOOST_TEST(h.sink.text(kC2S) == "0123456789");
  BOOST_TEST(h.sink.anomaly_count(TcpAnomaly::depth_reached) == 1);
  BOOST_TEST(h.counters.depth_reached == 1u);
  BOOST_TEST(h.counters.depth_bytes_dropped == 6u + 4u + 16u);
  BOOST_TEST(h.r->stream_info(kC2S).depth_dropped_bytes == 26u);
  BOOST_TEST(h.r->buffered_bytes() == 0u);
  h.server_acks(40);  // no gap is reported past the depth
  BOOST_TEST(h.sink.gaps[0] == 0);
  h.c(46, "", kFinAck);
  BOOST_TEST(h.sink.ends[0] == 1);
}

BOOST_AUTO_TEST_CASE(depth_applies_per_direction) {
  TcpReassemblyConfig cfg;
  cfg.depth = 4;
  Harness h(cfg);
  h.handshake();
  h.c(0, "abcdef");
  h.s(0, "xyz");
  BOOST_TEST(h.sink.text(kC2S) == "abcd");
  BOOST_TEST(h.sink.text(kS2C) == "xyz");
  BOOST_TEST(h.sink.anomaly_count(TcpAnomaly::depth_reached) == 1);
}

BOOST_AUTO_TEST_CASE(memory_is_returned_by_finish_release_and_destructor) {
  struct Case {
    const char* name;
    int how;  // 0 finish, 1 release, 2 destructor
  };
  const Case cases[] = {{"finish", 0}, {"release", 1}, {"destructor", 2}};
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Harness h;
      h.handshake();
      h.c(0, "AB");    // in order: history ring allocated
      h.c(4, "EF");    // buffered
      h.s(3, "late");  // buffered, other direction
      BOOST_TEST(h.memory.used() > 0u);
      const size_t events_before = h.sink.events.size();
      if (c.how == 0) {
        h.r->finish();
        BOOST_TEST(h.sink.text(kC2S) == "AB<gap 2>EF");
        BOOST_TEST(h.sink.text(kS2C) == "<gap 3>late");
        BOOST_TEST(h.sink.ends[0] == 1);
        BOOST_TEST(h.sink.ends[1] == 1);
        BOOST_TEST(h.counters.gaps_close == 2u);
      } else if (c.how == 1) {
        h.r->release();
        h.c(2, "CD");   // after release: ignored, counted
        h.r->finish();  // nothing to say any more
        BOOST_TEST(h.sink.events.size() == events_before);
        BOOST_TEST(h.counters.packets_after_close == 1u);
      } else {
        h.r.reset();
        BOOST_TEST(h.sink.events.size() == events_before);
      }
      BOOST_TEST(h.memory.used() == 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

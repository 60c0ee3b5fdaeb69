// TcpReassembler: handshake, midstream, one-sided captures, reordering,
// retransmission, wrap-around, FIN/RST, window, keep-alive, zero-window probe, urgent.

#include <boost/test/unit_test.hpp>

#include "reassembly/tcp/tcp_reassembler.h"
#include "tests/unit/reassembly/reassembly_test_util.h"

namespace ww {
namespace {

using test::Harness;
using test::TcpSegment;
constexpr Direction kC2S = Direction::to_server;
constexpr Direction kS2C = Direction::to_client;
constexpr uint8_t kAck = tcp_flag::kAck;
constexpr uint8_t kPshAck = tcp_flag::kAck | tcp_flag::kPsh;
constexpr uint8_t kFinAck = tcp_flag::kFin | tcp_flag::kAck;
constexpr uint8_t kRstAck = tcp_flag::kRst | tcp_flag::kAck;

}  // namespace

BOOST_AUTO_TEST_SUITE(tcp_reassembler)

BOOST_AUTO_TEST_CASE(handshake_then_dialogue_delivers_both_directions_in_order) {
  Harness h;
  h.handshake();
  h.s(0, "220 mx ESMTP\r\n");
  h.c(0, "EHLO a\r\n");
  h.s(14, "250 ok\r\n");
  h.c(8, "QUIT\r\n");
  h.r->finish();
  BOOST_TEST(h.sink.text(kC2S) == "EHLO a\r\nQUIT\r\n");
  BOOST_TEST(h.sink.text(kS2C) == "220 mx ESMTP\r\n250 ok\r\n");
  BOOST_TEST(h.sink.ends[0] == 1);
  BOOST_TEST(h.sink.ends[1] == 1);
  BOOST_TEST(h.counters.bytes_delivered == 36u);
  BOOST_TEST(h.counters.midstream_pickups == 0u);
  BOOST_TEST(h.r->stream_info(kC2S).syn_seen);
  BOOST_TEST(h.r->stream_info(kS2C).syn_seen);
}

BOOST_AUTO_TEST_CASE(data_on_syn_starts_at_offset_zero) {
  Harness h;
  h.packet(kC2S, {h.cisn, 0, tcp_flag::kSyn, "fast"});
  h.c(4, "open");
  BOOST_TEST(h.sink.text(kC2S) == "fastopen");
}

BOOST_AUTO_TEST_CASE(syn_ack_without_syn_learns_client_base_from_its_ack) {
  Harness h;
  h.packet(kS2C, {h.sisn, h.cisn + 1, tcp_flag::kSyn | kAck, ""});
  h.c(0, "HELO\r\n");
  BOOST_TEST(h.sink.text(kC2S) == "HELO\r\n");
  BOOST_TEST(h.counters.midstream_pickups == 0u);
  BOOST_TEST(h.sink.anomaly_count(TcpAnomaly::midstream_pickup) == 0);
}

BOOST_AUTO_TEST_CASE(missing_syn_ack_server_base_from_third_handshake_ack) {
  Harness h;
  h.packet(kC2S, {h.cisn, 0, tcp_flag::kSyn, ""});
  h.packet(kC2S, {h.cisn + 1, h.sisn + 1, kAck, ""});  // SYN-ACK lost in the capture
  h.s(0, "220 hi\r\n");
  BOOST_TEST(h.sink.text(kS2C) == "220 hi\r\n");
  BOOST_TEST(!h.r->stream_info(kS2C).midstream);
}

BOOST_AUTO_TEST_CASE(midstream_pickup_on_delivers_from_first_segment_seen) {
  Harness h;             // pickup on by default
  h.server_acked = 300;  // the capture starts after 100 client and 300 server bytes
  h.client_acked = 100;
  h.c(100, "MAIL FROM:<a@b>\r\n");
  h.c(117, "RCPT TO:<c@d>\r\n");
  h.s(300, "250 ok\r\n");
  BOOST_TEST(h.sink.text(kC2S) == "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n");
  BOOST_TEST(h.sink.text(kS2C) == "250 ok\r\n");
  BOOST_TEST(h.counters.midstream_pickups == 2u);
  BOOST_TEST(h.sink.anomaly_count(TcpAnomaly::midstream_pickup) == 2);
  BOOST_TEST(h.r->stream_info(kC2S).midstream);
  BOOST_TEST(!h.r->refused());
}

BOOST_AUTO_TEST_CASE(midstream_pickup_off_delivers_nothing_and_counts) {
  TcpReassemblyConfig cfg;
  cfg.midstream_pickup = false;
  Harness h(cfg);
  h.c(100, "MAIL FROM:<a@b>\r\n");
  h.s(0, "250 ok\r\n");
  h.c(117, "RCPT TO:<c@d>\r\n");
  h.r->finish();
  BOOST_TEST(h.r->refused());
  BOOST_TEST(h.sink.data(kC2S).empty());
  BOOST_TEST(h.sink.data(kS2C).empty());
  BOOST_TEST(h.counters.midstream_refused_flows == 1u);
  BOOST_TEST(h.counters.midstream_refused_segments == 3u);
  BOOST_TEST(h.counters.bytes_delivered == 0u);
  BOOST_TEST(h.sink.ends[0] == 1);  // on_end still closes each direction once
  BOOST_TEST(h.sink.ends[1] == 1);
}

BOOST_AUTO_TEST_CASE(midstream_pickup_off_still_delivers_flows_with_handshake) {
  TcpReassemblyConfig cfg;
  cfg.midstream_pickup = false;
  Harness h(cfg);
  h.handshake();
  h.c(0, "EHLO x\r\n");
  BOOST_TEST(h.sink.text(kC2S) == "EHLO x\r\n");
  BOOST_TEST(h.counters.midstream_refused_flows == 0u);
}

BOOST_AUTO_TEST_CASE(out_of_order_segments_wait_for_the_hole) {
  Harness h;
  h.handshake();
  h.c(10, "KLMNO");
  h.c(5, "FGHIJ");
  BOOST_TEST(h.sink.data(kC2S).empty());
  BOOST_TEST(h.r->buffered_bytes() == 10u);
  h.c(0, "ABCDE");
  BOOST_TEST(h.sink.text(kC2S) == "ABCDEFGHIJKLMNO");
  BOOST_TEST(h.r->buffered_bytes() == 0u);
  BOOST_TEST(h.counters.segments_out_of_order == 2u);
}

BOOST_AUTO_TEST_CASE(retransmissions_are_dropped_and_counted) {
  Harness h;
  h.handshake();
  h.c(0, "HELLO");
  h.c(0, "HELLO");  // full retransmission of delivered data
  h.c(3, "LOWOR");  // partial: LO already delivered, WOR new
  h.c(12, "XY");    // out of order
  h.c(12, "XY");    // retransmission of buffered data
  h.c(8, "LD!!");
  BOOST_TEST(h.sink.text(kC2S) == "HELLOWORLD!!XY");
  BOOST_TEST(h.counters.retransmitted_segments == 3u);
  BOOST_TEST(h.counters.retransmitted_bytes == 5u + 2u + 2u);
  BOOST_TEST(h.counters.overlap_different_data == 0u);
  BOOST_TEST(h.sink.anomaly_count(TcpAnomaly::overlap_different_data) == 0);
}

BOOST_AUTO_TEST_CASE(retransmission_with_different_data_after_delivery_is_an_anomaly) {
  Harness h;
  h.handshake();
  h.c(0, "GOOD DATA");
  h.c(0, "EVIL DATA");
  BOOST_TEST(h.sink.text(kC2S) == "GOOD DATA");  // delivered bytes are final
  BOOST_TEST(h.counters.overlap_different_data == 1u);
  BOOST_TEST(h.sink.anomaly_count(TcpAnomaly::overlap_different_data) == 1);
}

BOOST_AUTO_TEST_CASE(retransmission_beyond_history_is_unchecked) {
  TcpReassemblyConfig cfg;
  cfg.history_bytes = 4;
  Harness h(cfg);
  h.handshake();
  h.c(0, "0123456789");
  h.c(0, "XXXXXX6789");  // only the last 4 bytes are still in the history, and match
  BOOST_TEST(h.counters.overlap_different_data == 0u);
  BOOST_TEST(h.counters.retransmit_unchecked_bytes == 6u);
  BOOST_TEST(h.counters.retransmitted_bytes == 4u);
  h.c(6, "678Z");  // differs inside the history
  BOOST_TEST(h.counters.overlap_different_data == 1u);
}

BOOST_AUTO_TEST_CASE(history_off_never_compares_delivered_bytes) {
  TcpReassemblyConfig cfg;
  cfg.history_bytes = 0;
  Harness h(cfg);
  h.handshake();
  h.c(0, "abc");
  h.c(0, "xyz");
  BOOST_TEST(h.counters.overlap_different_data == 0u);
  BOOST_TEST(h.counters.retransmit_unchecked_bytes == 3u);
  BOOST_TEST(h.memory.used() == 0u);
}

struct WrapCase {
  const char* name;
  uint32_t isn;
};

BOOST_AUTO_TEST_CASE(sequence_wrap_around_at_2_pow_32) {
  const WrapCase cases[] = {
      {"wrap inside second segment", 0xfffffff0u},
      {"wrap right after the SYN", 0xffffffffu},
      {"wrap at the first data byte", 0xfffffffeu},
  };
  for (const WrapCase& wc : cases) {
    BOOST_TEST_CONTEXT(wc.name) {
      Harness h({}, wc.isn);
      h.handshake();
      h.c(16, "QRSTUVWXYZ");  // out of order, across or after the wrap
      h.c(0, "ABCDEFGH");
      h.c(8, "IJKLMNOP");
      h.c(8, "IJKLMNOP");  // retransmission after the wrap
      h.r->finish();
      BOOST_TEST(h.sink.text(kC2S) == "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
      BOOST_TEST(h.counters.retransmitted_segments == 1u);
      BOOST_TEST(h.sink.gaps[0] == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(absolute_offset_keeps_counting_past_4_gib) {
  // Stream positions beyond 2^32 bytes: the 32-bit sequence number wraps, the
  // delivery offset does not. Simulated by gaps (ACKs past unseen data).
  TcpReassemblyConfig cfg;
  cfg.depth = 0;  // unlimited
  Harness h(cfg);
  h.packet(kC2S, {h.cisn, 0, tcp_flag::kSyn, "", 65535, 0, true, 14});
  h.packet(kS2C, {h.sisn, h.cisn + 1, tcp_flag::kSyn | kAck, "", 65535, 0, true, 14});
  uint64_t off = 0;
  for (int i = 0; i < 5; ++i) {  // 5 x 1 GiB of unseen data acknowledged
    off += 1ull << 30;
    h.server_window = 0xffff;
    h.server_acks(off);
  }
  h.c(off, "tail");
  BOOST_TEST(h.sink.gap_bytes[0] == 5ull << 30);
  BOOST_TEST(h.sink.data(kC2S) == "tail");
  BOOST_TEST(h.r->stream_info(kC2S).bytes_delivered == 4u);
}

BOOST_AUTO_TEST_CASE(fin_orders_end_each_direction_once_after_its_data) {
  // {description, who closes first, client FIN before its last data?}
  struct Case {
    const char* name;
    bool server_first;
    bool fin_before_data;
  };
  const Case cases[] = {
      {"client FIN first", false, false},
      {"server FIN first", true, false},
      {"client FIN arrives before its last data segment", false, true},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Harness h;
      h.handshake();
      h.s(0, "220\r\n");
      h.c(0, "QUIT");
      auto client_close = [&] {
        if (c.fin_before_data) {
          h.c(6, "", kFinAck);  // FIN at offset 6 while "\r\n" at 4 is still missing
          BOOST_TEST(h.sink.ends[0] == 0);
          h.c(4, "\r\n");
        } else {
          h.c(4, "\r\n");
          h.c(6, "", kFinAck);
        }
      };
      if (c.server_first) {
        h.s(5, "221\r\n");
        h.s(10, "", kFinAck);
        BOOST_TEST(h.sink.ends[1] == 1);
        client_close();
      } else {
        client_close();
        h.s(5, "221\r\n");
        h.s(10, "", kFinAck);
      }
      BOOST_TEST(h.sink.ends[0] == 1);
      BOOST_TEST(h.sink.ends[1] == 1);
      h.r->finish();
      h.c(6, "", kFinAck);  // retransmitted FIN after the end
      BOOST_TEST(h.sink.ends[0] == 1);
      BOOST_TEST(h.sink.ends[1] == 1);
      BOOST_TEST(h.sink.text(kC2S) == "QUIT\r\n");
      BOOST_TEST(h.sink.text(kS2C) == "220\r\n221\r\n");
      BOOST_TEST(h.counters.fins == 2u);
      // on_end is the last event of its direction
      for (Direction d : {kC2S, kS2C}) {
        int last = -1;
        for (size_t i = 0; i < h.sink.events.size(); ++i) {
          if (h.sink.events[i].dir == d) last = static_cast<int>(i);
        }
        BOOST_TEST(h.sink.events[last].kind == test::RecordingSink::Event::kEnd);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(data_after_fin_is_ignored_and_counted) {
  Harness h;
  h.handshake();
  h.c(0, "BYE", kPshAck | tcp_flag::kFin);
  h.c(3, "MORE");
  BOOST_TEST(h.sink.text(kC2S) == "BYE");
  BOOST_TEST(h.counters.data_after_fin == 4u);
  BOOST_TEST(h.sink.ends[0] == 1);
}

BOOST_AUTO_TEST_CASE(fin_then_rst_and_rst_then_fin) {
  {
    Harness h;  // FIN then RST: the FIN direction already ended, the RST ends the other
    h.handshake();
    h.c(0, "QUIT\r\n", kPshAck | tcp_flag::kFin);
    BOOST_TEST(h.sink.ends[0] == 1);
    h.packet(kS2C, {h.server_seq(0), h.client_seq(7), kRstAck, ""});
    BOOST_TEST(h.sink.ends[0] == 1);
    BOOST_TEST(h.sink.ends[1] == 1);
    BOOST_TEST(h.r->closed());
    BOOST_TEST(h.counters.rsts == 1u);
  }
  {
    Harness h;  // RST then FIN: the RST closes both, the FIN is ignored
    h.handshake();
    h.c(0, "DATA");
    h.packet(kC2S, {h.client_seq(4), h.server_seq(0), kRstAck, ""});
    h.s(0, "late", kFinAck | tcp_flag::kPsh);
    BOOST_TEST(h.sink.ends[0] == 1);
    BOOST_TEST(h.sink.ends[1] == 1);
    BOOST_TEST(h.sink.data(kS2C).empty());
    BOOST_TEST(h.counters.packets_after_close == 1u);
    BOOST_TEST(h.counters.fins == 0u);
  }
}

BOOST_AUTO_TEST_CASE(rst_flushes_buffered_data_with_gaps) {
  Harness h;
  h.handshake();
  h.c(0, "AB");
  h.c(4, "EF");  // hole at 2..4
  h.packet(kC2S, {h.client_seq(6), h.server_seq(0), kRstAck, ""});
  BOOST_TEST(h.sink.text(kC2S) == "AB<gap 2>EF");
  BOOST_TEST(h.counters.gaps_close == 1u);
  BOOST_TEST(h.memory.used() == 0u);
}

BOOST_AUTO_TEST_CASE(rst_with_implausible_sequence_is_ignored) {
  Harness h;
  h.handshake();
  h.c(0, "AB");
  h.packet(kC2S, {h.client_seq(0) + 0x40000000u, h.server_seq(0), kRstAck, ""});
  h.packet(kC2S, {h.client_seq(0) - 1000u, h.server_seq(0), kRstAck, ""});
  BOOST_TEST(!h.r->closed());
  BOOST_TEST(h.counters.rsts_out_of_window == 2u);
  h.c(2, "CD");
  BOOST_TEST(h.sink.text(kC2S) == "ABCD");
}

BOOST_AUTO_TEST_CASE(data_far_outside_the_window_is_ignored) {
  Harness h;
  h.handshake(65535, 1000);  // server offers 1000 bytes, no scaling
  h.c(0, "ok");
  h.c(200000, "far away");
  h.c(2, "!");
  h.r->finish();
  BOOST_TEST(h.sink.text(kC2S) == "ok!");
  BOOST_TEST(h.counters.out_of_window == 1u);
  BOOST_TEST(h.sink.gaps[0] == 0);
}

BOOST_AUTO_TEST_CASE(window_scale_from_handshake_widens_the_window) {
  Harness h;
  h.packet(kC2S, {h.cisn, 0, tcp_flag::kSyn, "", 65535, 0, true, 7});
  h.packet(kS2C, {h.sisn, h.cisn + 1, tcp_flag::kSyn | kAck, "", 1000, 0, true, 7});
  h.server_window = 1000;  // 1000 << 7 = 128000 bytes
  h.server_acks(0);
  h.c(200000, "inside 2x window");
  BOOST_TEST(h.counters.out_of_window == 0u);
  BOOST_TEST(h.r->buffered_bytes() == 16u);
}

BOOST_AUTO_TEST_CASE(ack_beyond_anything_sent_is_ignored) {
  Harness h;
  h.handshake(65535, 1000);
  h.c(0, "abc");
  h.c(10, "xyz");
  h.client_window = 1000;
  h.packet(kS2C, {h.server_seq(0), h.client_seq(0) + 0x10000000u, kAck, ""});
  BOOST_TEST(h.counters.acks_out_of_window == 1u);
  BOOST_TEST(h.sink.gaps[0] == 0);
}

BOOST_AUTO_TEST_CASE(keepalive_is_ignored_even_with_a_garbage_byte) {
  Harness h;
  h.handshake();
  h.c(0, "HELO");
  h.c(3, std::string_view("\0", 1));  // keep-alive: one byte at snd_nxt - 1, not the 'O'
  h.c(3, "");                         // zero-length keep-alive
  h.c(4, "!");
  BOOST_TEST(h.sink.text(kC2S) == "HELO!");
  BOOST_TEST(h.counters.keepalives == 1u);
  BOOST_TEST(h.counters.overlap_different_data == 0u);
  BOOST_TEST(h.sink.anomaly_count(TcpAnomaly::overlap_different_data) == 0);
}

BOOST_AUTO_TEST_CASE(keepalive_right_after_handshake) {
  Harness h;
  h.handshake();
  h.packet(kC2S, {h.cisn, h.sisn + 1, kAck, "x"});  // seq = ISN = snd_nxt - 1
  h.c(0, "data");
  BOOST_TEST(h.sink.text(kC2S) == "data");
  BOOST_TEST(h.counters.keepalives == 1u);
}

BOOST_AUTO_TEST_CASE(zero_window_probe_is_ignored) {
  Harness h;
  h.handshake();
  h.c(0, "ABCD");
  h.server_window = 0;
  h.server_acks(4);  // receiver full
  h.c(4, "Z");       // probe carrying a byte the receiver drops
  BOOST_TEST(h.counters.zero_window_probes == 1u);
  h.server_window = 65535;
  h.server_acks(4);  // window opens
  h.c(4, "EFGH");    // the real bytes
  BOOST_TEST(h.sink.text(kC2S) == "ABCDEFGH");
  BOOST_TEST(h.counters.overlap_different_data == 0u);
}

BOOST_AUTO_TEST_CASE(urgent_data_is_delivered_in_line) {
  Harness h;
  h.handshake();
  h.c(0, "ab");
  h.packet(kC2S, {h.client_seq(2), h.server_seq(0), kPshAck | tcp_flag::kUrg, "!cd", 65535, 0,
                  false, 0, 1});
  h.c(5, "ef");
  BOOST_TEST(h.sink.text(kC2S) == "ab!cdef");
  BOOST_TEST(h.counters.urgent_segments == 1u);
}

BOOST_AUTO_TEST_CASE(one_sided_capture_client_only_uses_its_acks_for_the_server_stream) {
  // Only the client's packets are captured: its ACKs show how much server data went
  // by unseen; its own holes can only be closed by the timeout.
  Harness h;
  h.packet(kC2S, {h.cisn, 0, tcp_flag::kSyn, ""});
  h.packet(kC2S, {h.cisn + 1, h.sisn + 1, kAck, ""});
  h.server_acked = 0;
  h.c(0, "EHLO x\r\n");
  h.client_sent = 8;
  h.client_acks(40);  // 40 bytes of unseen server banner and reply
  BOOST_TEST(h.sink.text(kS2C) == "<gap 40>");
  h.c(20, "late");  // hole 8..20 never filled: no server ACK will ever say so
  BOOST_TEST(h.sink.text(kC2S) == "EHLO x\r\n");
  h.now += 11'000'000;
  h.r->on_timeout(h.now);
  BOOST_TEST(h.sink.text(kC2S) == "EHLO x\r\n<gap 12>late");
  BOOST_TEST(h.counters.gaps_timeout == 1u);
  BOOST_TEST(h.counters.gaps_ack == 1u);
}

BOOST_AUTO_TEST_CASE(one_sided_capture_server_only) {
  Harness h;
  h.packet(kS2C, {h.sisn, h.cisn + 1, tcp_flag::kSyn | kAck, ""});
  h.s(0, "220 hello\r\n");
  h.client_acked = 10;
  h.s(11, "250 ok\r\n");  // its ACK says the client sent 10 bytes we never saw
  BOOST_TEST(h.sink.text(kS2C) == "220 hello\r\n250 ok\r\n");
  BOOST_TEST(h.sink.text(kC2S) == "<gap 10>");
  h.r->finish();
  BOOST_TEST(h.sink.ends[0] == 1);
}

BOOST_AUTO_TEST_CASE(syn_with_a_new_isn_after_data_is_ignored) {
  Harness h;
  h.handshake();
  h.c(0, "abc");
  h.packet(kC2S, {h.cisn + 5000, 0, tcp_flag::kSyn, ""});
  h.c(3, "def");
  BOOST_TEST(h.sink.text(kC2S) == "abcdef");
  BOOST_TEST(h.counters.syns_ignored == 1u);
}

BOOST_AUTO_TEST_CASE(non_tcp_and_fragments_are_ignored) {
  Harness h;
  std::vector<uint8_t> storage;
  DecodedPacket udp = test::make_tcp_packet({1, 0, 0, "x"}, storage);
  udp.l4_proto = 17;
  h.r->on_packet(kC2S, udp);
  DecodedPacket frag = test::make_tcp_packet({1, 0, 0, "x"}, storage);
  frag.frag.is_fragment = true;
  h.r->on_packet(kC2S, frag);
  BOOST_TEST(h.counters.not_tcp == 2u);
  BOOST_TEST(h.sink.events.empty());
}

BOOST_AUTO_TEST_CASE(truncated_payload_reports_the_missing_tail_as_a_gap) {
  Harness h;
  h.handshake();
  // A 1000-byte segment of which the capture kept 10 bytes.
  std::vector<uint8_t> frame(20 + 20 + 10, 0);
  frame[0] = 0x45;
  const uint16_t ip_total = 20 + 20 + 1000;
  frame[2] = ip_total >> 8;
  frame[3] = ip_total & 0xff;
  std::memcpy(frame.data() + 40, "0123456789", 10);
  DecodedPacket p;
  std::vector<uint8_t> unused;
  p = test::make_tcp_packet({h.client_seq(0), h.server_seq(0), kPshAck, ""}, unused);
  p.ts_us = h.now;
  p.l3 = std::span<const uint8_t>(frame.data(), frame.size());
  p.payload = std::span<const uint8_t>(frame.data() + 40, 10);
  p.payload_truncated = true;
  h.r->on_packet(kC2S, p);
  h.c(1000, "next");
  BOOST_TEST(h.sink.text(kC2S) == "0123456789<gap 990>next");
  BOOST_TEST(h.counters.truncated_segments == 1u);
  BOOST_TEST(h.counters.gaps_truncated == 1u);
}

BOOST_AUTO_TEST_CASE(move_constructed_reassembler_keeps_its_state) {
  Harness h;
  h.handshake();
  h.c(4, "EFGH");
  TcpReassembler moved(std::move(*h.r));
  h.r.reset();  // destroying the moved-from object must not return the memory twice
  BOOST_TEST(h.memory.used() > 0u);
  std::vector<uint8_t> storage;
  DecodedPacket p = test::make_tcp_packet(
      {h.client_seq(0), h.server_seq(0), kPshAck, "ABCD", 65535, h.now}, storage);
  moved.on_packet(kC2S, p);
  BOOST_TEST(h.sink.text(kC2S) == "ABCDEFGH");
  moved.finish();
  BOOST_TEST(h.memory.used() == 0u);
}

BOOST_AUTO_TEST_CASE(config_validation_names_the_field) {
  TcpReassemblyConfig ok;
  BOOST_TEST(validate(ok).empty());
  TcpReassemblyConfig bad = ok;
  bad.gap_timeout_us = 0;
  BOOST_TEST(validate(bad).find("gap timeout") != std::string::npos);
  bad = ok;
  bad.ooo_max_bytes = 100;
  bad.memcap = 10;
  BOOST_TEST(validate(bad).find("out-of-order") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(counters_merge_sums_and_keeps_high_water) {
  ReassemblyCounters a;
  ReassemblyCounters b;
  a.gaps = 2;
  b.gaps = 3;
  a.ooo_bytes_high_water = 100;
  b.ooo_bytes_high_water = 70;
  a.merge(b);
  BOOST_TEST(a.gaps == 5u);
  BOOST_TEST(a.ooo_bytes_high_water == 100u);
  int n = 0;
  bool saw_gaps = false;
  a.for_each([&](const char* name, uint64_t v, const char* desc) {
    ++n;
    if (std::string(name) == "gaps") saw_gaps = v == 5 && std::string(desc).size() > 0;
  });
  BOOST_TEST(saw_gaps);
  BOOST_TEST(n > 30);
  BOOST_TEST(std::string(tcp_anomaly_name(TcpAnomaly::depth_reached)) == "depth_reached");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

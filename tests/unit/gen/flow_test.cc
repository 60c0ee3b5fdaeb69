#include "tools/gen/datagram_flow.h"
#include "tools/gen/tcp_flow.h"

#include <boost/test/unit_test.hpp>

#include "gen_test_util.h"

using namespace ww::gen;
namespace tf = ww::tcp_flag;

namespace {

struct Emitted {
  int64_t ts;
  std::vector<uint8_t> frame;
  gen_test::Parsed p;
};

std::vector<Emitted> drain(Flow& f, uint32_t link = 1) {
  std::vector<Emitted> out;
  Packet pkt;
  while (!f.done()) {
    const int64_t t = f.next_time_us();
    f.next(pkt);
    BOOST_REQUIRE(pkt.ts_us == t);
    auto p = gen_test::parse_frame(pkt.frame, link);
    BOOST_REQUIRE_MESSAGE(p.error.empty(), p.error);
    BOOST_REQUIRE(p.ip_checksum_ok);
    BOOST_REQUIRE(p.l4_checksum_ok);
    out.push_back({pkt.ts_us, pkt.frame, std::move(p)});
  }
  return out;
}

TcpFlowConfig base_config() {
  TcpFlowConfig c;
  c.client = {ip4(10, 0, 0, 1), 40000, mac_for(ip4(10, 0, 0, 1))};
  c.server = {ip4(192, 0, 2, 80), 80, mac_for(ip4(192, 0, 2, 80))};
  c.client_isn = 1000;
  c.server_isn = 5000;
  c.start_us = 1'000'000;
  c.timestamps = false;
  return c;
}

bool from_client(const Emitted& e) { return e.p.sport == 40000; }

// Checks TCP invariants over a whole conversation: contiguous sequence
// numbers per direction, ACKs equal to what the peer has sent so far, no
// repeated pure ACK, time never going backwards, at most `max_in_flight`
// unacknowledged segments. Expects a handshake. Returns the bytes each side
// delivered.
std::pair<std::vector<uint8_t>, std::vector<uint8_t>> check_conversation(
    const std::vector<Emitted>& pkts, uint32_t client_isn, uint32_t server_isn,
    uint32_t max_in_flight = 2) {
  uint32_t next[2] = {client_isn, server_isn};
  uint32_t last_pure_ack[2] = {0, 0};
  bool had_pure_ack[2] = {false, false};
  uint32_t in_flight[2] = {0, 0};
  std::vector<uint8_t> data[2];
  int64_t last_ts = 0;
  for (const auto& e : pkts) {
    const int d = from_client(e) ? 0 : 1;
    const int o = 1 - d;
    BOOST_TEST(e.ts >= last_ts);
    last_ts = e.ts;
    if (e.p.flags & tf::kSyn) {
      BOOST_TEST(e.p.seq == (d == 0 ? client_isn : server_isn));
      next[d] = e.p.seq + 1;
    } else {
      BOOST_TEST(e.p.seq == next[d]);
      next[d] += static_cast<uint32_t>(e.p.payload.size());
      if (e.p.flags & tf::kFin) next[d] += 1;
    }
    if (e.p.flags & tf::kAck) {
      BOOST_TEST(e.p.ack == next[o]);
      in_flight[o] = 0;
    }
    if (!e.p.payload.empty()) {
      ++in_flight[d];
      BOOST_TEST(in_flight[d] <= max_in_flight);
    }
    const bool pure_ack = e.p.flags == tf::kAck && e.p.payload.empty();
    if (pure_ack) {
      BOOST_TEST(!(had_pure_ack[d] && last_pure_ack[d] == e.p.ack), "duplicate pure ACK");
      had_pure_ack[d] = true;
      last_pure_ack[d] = e.p.ack;
    }
    data[d].insert(data[d].end(), e.p.payload.begin(), e.p.payload.end());
  }
  return {data[0], data[1]};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gen_tcp_flow)

BOOST_AUTO_TEST_CASE(handshake_carries_negotiated_options) {
  auto c = base_config();
  c.timestamps = true;
  c.wscale = 7;
  TcpFlow f(c);
  f.close();
  const auto pkts = drain(f);
  BOOST_REQUIRE(pkts.size() == 6u);
  BOOST_TEST(pkts[0].p.flags == tf::kSyn);
  BOOST_TEST(pkts[0].p.seq == 1000u);
  BOOST_TEST(pkts[0].p.ack == 0u);
  BOOST_TEST(pkts[1].p.flags == (tf::kSyn | tf::kAck));
  BOOST_TEST(pkts[1].p.seq == 5000u);
  BOOST_TEST(pkts[1].p.ack == 1001u);
  BOOST_TEST(pkts[2].p.flags == tf::kAck);
  BOOST_TEST(pkts[2].p.ack == 5001u);
  // SYN options, Linux layout: MSS 1460, SACK-permitted, timestamps, NOP, WS 7.
  const auto& o = pkts[0].p.tcp_options;
  BOOST_REQUIRE(o.size() == 20u);
  BOOST_TEST(o[0] == 2);
  BOOST_TEST(gen_test::be16(&o[2]) == 1460);
  BOOST_TEST(o[4] == 4);
  BOOST_TEST(o[6] == 8);
  BOOST_TEST(o[16] == 1);
  BOOST_TEST(o[17] == 3);
  BOOST_TEST(o[19] == 7);
  // Data-less ACK after the handshake carries NOP NOP TS, echoing the peer.
  BOOST_TEST(pkts[2].p.tcp_options.size() == 12u);
  const uint32_t server_tsval = gen_test::be32(&pkts[1].p.tcp_options[8]);
  BOOST_TEST(gen_test::be32(&pkts[2].p.tcp_options[8]) == server_tsval);
  // SYN-ACK one RTT after SYN.
  BOOST_TEST(pkts[0].ts == 1'000'000);
  BOOST_TEST(pkts[1].ts - pkts[0].ts == c.rtt_us);
  BOOST_TEST((f.truth().end == FlowEnd::kFin));
}

BOOST_AUTO_TEST_CASE(data_is_segmented_at_the_mss_with_exact_numbers) {
  auto c = base_config();
  TcpFlow f(c);
  const Payload up = Payload::random(10000, 1);
  const Payload down = Payload::random(30000, 2);
  f.send(Direction::kToServer, up).send(Direction::kToClient, down).close(Direction::kToServer);
  const auto pkts = drain(f);
  const auto [client_data, server_data] = check_conversation(pkts, 1000, 5000);
  Payload u = up, d = down;
  BOOST_TEST(client_data == u.read_all());
  BOOST_TEST(server_data == d.read_all());
  size_t segments = 0;
  for (const auto& e : pkts) {
    if (e.p.payload.empty()) continue;
    ++segments;
    BOOST_TEST(e.p.payload.size() <= 1460u);
  }
  BOOST_TEST(segments == 7u + 21u);  // ceil(10000/1460) + ceil(30000/1460)
  // PSH on the last segment of each message only.
  size_t psh = 0;
  for (const auto& e : pkts) psh += (e.p.flags & tf::kPsh) != 0;
  BOOST_TEST(psh == 2u);
  // Teardown: FIN from the client, FIN from the server, final ACK.
  const size_t n = pkts.size();
  BOOST_TEST(pkts[n - 3].p.flags == (tf::kFin | tf::kAck));
  BOOST_TEST(from_client(pkts[n - 3]));
  BOOST_TEST(pkts[n - 2].p.flags == (tf::kFin | tf::kAck));
  BOOST_TEST(!from_client(pkts[n - 2]));
  BOOST_TEST(pkts[n - 1].p.flags == tf::kAck);
}

BOOST_AUTO_TEST_CASE(timestamps_shrink_segments_by_twelve_bytes) {
  auto c = base_config();
  c.timestamps = true;
  c.client_mss = 1460;
  c.server_mss = 1400;
  TcpFlow f(c);
  f.send(Direction::kToClient, Payload::random(5000, 3));
  size_t largest = 0;
  for (const auto& e : drain(f)) largest = std::max(largest, e.p.payload.size());
  BOOST_TEST(largest == 1400u - 12u);
}

BOOST_AUTO_TEST_CASE(truth_counts_what_was_emitted) {
  auto c = base_config();
  TcpFlow f(c);
  f.send(Direction::kToServer, "GET / HTTP/1.0\r\n\r\n")
      .send(Direction::kToClient, Payload::random(4000, 9))
      .close(Direction::kToClient, true);
  const auto pkts = drain(f);
  const auto& t = f.truth();
  uint64_t pk[2] = {}, by[2] = {}, pl[2] = {};
  for (const auto& e : pkts) {
    const int d = from_client(e) ? 0 : 1;
    ++pk[d];
    by[d] += e.frame.size();
    pl[d] += e.p.payload.size();
  }
  for (int d = 0; d < 2; ++d) {
    BOOST_TEST(t.dir[d].packets == pk[d]);
    BOOST_TEST(t.dir[d].bytes == by[d]);
    BOOST_TEST(t.dir[d].payload_bytes == pl[d]);
  }
  BOOST_TEST(t.start_us == pkts.front().ts);
  BOOST_TEST(t.end_us == pkts.back().ts);
  BOOST_TEST((t.end == FlowEnd::kFin));
  BOOST_TEST(t.proto == ip_proto::kTcp);
  // Four-way close: server FIN, client ACK, client FIN, server ACK.
  const size_t n = pkts.size();
  BOOST_TEST(pkts[n - 4].p.flags == (tf::kFin | tf::kAck));
  BOOST_TEST(!from_client(pkts[n - 4]));
  BOOST_TEST(pkts[n - 3].p.flags == tf::kAck);
  BOOST_TEST(pkts[n - 2].p.flags == (tf::kFin | tf::kAck));
  BOOST_TEST(from_client(pkts[n - 2]));
  BOOST_TEST(pkts[n - 1].p.flags == tf::kAck);
  check_conversation(pkts, 1000, 5000);
}

BOOST_AUTO_TEST_CASE(reset_ends_the_flow_and_drops_the_rest) {
  auto c = base_config();
  TcpFlow f(c);
  f.send(Direction::kToServer, "hello")
      .reset(Direction::kToClient)
      .send(Direction::kToServer, "never sent");
  const auto pkts = drain(f);
  BOOST_TEST((pkts.back().p.flags & tf::kRst) != 0);
  BOOST_TEST(!from_client(pkts.back()));
  BOOST_TEST((f.truth().end == FlowEnd::kRst));
  BOOST_TEST(f.truth().dir[0].payload_bytes == 5u);
}

BOOST_AUTO_TEST_CASE(without_handshake_the_flow_starts_with_data) {
  auto c = base_config();
  c.handshake = false;
  TcpFlow f(c);
  f.send(Direction::kToServer, "mid-stream").send(Direction::kToClient, "reply");
  const auto pkts = drain(f);
  for (const auto& e : pkts) BOOST_TEST((e.p.flags & tf::kSyn) == 0);
  BOOST_TEST(pkts.front().p.seq == 1001u);
  BOOST_TEST(pkts.front().p.payload.size() == 10u);
  BOOST_TEST((f.truth().end == FlowEnd::kNone));
  // Without a close, the last message is still acknowledged.
  BOOST_TEST(pkts.back().p.flags == tf::kAck);
  BOOST_TEST(from_client(pkts.back()));
  BOOST_TEST(pkts.back().p.ack == 5001u + 5u);
}

BOOST_AUTO_TEST_CASE(ack_every_bounds_segments_in_flight) {
  auto c = base_config();
  c.ack_every = 4;
  TcpFlow f(c);
  f.send(Direction::kToClient, Payload::random(50000, 4)).close();
  check_conversation(drain(f), 1000, 5000, 4);
}

BOOST_AUTO_TEST_CASE(ipv6_and_vlan_link) {
  auto c = base_config();
  c.client.ip = *parse_ip("2001:db8:1::5");
  c.server.ip = *parse_ip("2001:db8:ff::6");
  c.client_mss = c.server_mss = 1440;
  c.link.vlans = {VlanTag{ethertype::kVlan, 42, 0}};
  TcpFlow f(c);
  f.send(Direction::kToClient, Payload::random(3000, 5)).close();
  const auto pkts = drain(f);
  for (const auto& e : pkts) {
    BOOST_TEST(e.p.ip_version == 6);
    BOOST_REQUIRE(e.p.tags.size() == 1u);
    BOOST_TEST(e.p.tags[0].second == 42);
    BOOST_TEST(e.p.payload.size() <= 1440u);
  }
  BOOST_TEST(f.truth().vlans == std::vector<uint16_t>{42}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(same_config_same_frames) {
  auto c = base_config();
  c.seed = 77;
  auto run = [&] {
    TcpFlow f(c);
    f.send(Direction::kToServer, Payload::random(7000, 1)).close();
    std::vector<std::vector<uint8_t>> frames;
    for (auto& e : drain(f)) frames.push_back(e.frame);
    return frames;
  };
  BOOST_TEST((run() == run()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(gen_datagram_flow)

BOOST_AUTO_TEST_CASE(udp_request_response) {
  DatagramFlowConfig c;
  c.client = {ip4(10, 1, 1, 1), 3333, mac_for(ip4(10, 1, 1, 1))};
  c.server = {ip4(10, 1, 0, 53), 53, mac_for(ip4(10, 1, 0, 53))};
  c.start_us = 100;
  UdpFlow f(c);
  f.send(Direction::kToServer, Payload::text("question"), 0)
      .send(Direction::kToClient, Payload::text("answer!"), 250);
  const auto pkts = drain(f);
  BOOST_REQUIRE(pkts.size() == 2u);
  BOOST_TEST(pkts[0].ts == 100);
  BOOST_TEST(pkts[1].ts == 350);
  BOOST_TEST(pkts[0].p.sport == 3333);
  BOOST_TEST(pkts[1].p.sport == 53);
  BOOST_TEST(std::string(pkts[1].p.payload.begin(), pkts[1].p.payload.end()) == "answer!");
  BOOST_TEST(f.truth().dir[0].payload_bytes == 8u);
  BOOST_TEST(f.truth().dir[1].payload_bytes == 7u);
  BOOST_TEST((f.truth().end == FlowEnd::kNone));
}

BOOST_AUTO_TEST_CASE(icmp_echo_pairs) {
  DatagramFlowConfig c;
  c.client = {*parse_ip("2001:db8::1"), 0, {}};
  c.server = {*parse_ip("2001:db8::2"), 0, {}};
  IcmpEchoFlow f(c, 0x77);
  f.echo({1, 2, 3}, 0, 1000).echo({1, 2, 3}, 1'000'000, 1000, false);
  const auto pkts = drain(f);
  BOOST_REQUIRE(pkts.size() == 3u);
  BOOST_TEST(pkts[0].p.icmp_type == 128);
  BOOST_TEST(pkts[1].p.icmp_type == 129);
  BOOST_TEST(pkts[2].p.icmp_type == 128);
  BOOST_TEST(pkts[2].p.icmp_seq == 2);
  BOOST_TEST(pkts[1].p.icmp_id == 0x77);
  BOOST_TEST(f.truth().proto == ip_proto::kIcmpv6);
  BOOST_TEST(f.truth().client_port == 0x77);
}

BOOST_AUTO_TEST_SUITE_END()

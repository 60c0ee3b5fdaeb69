#include <boost/test/unit_test.hpp>

#include <map>
#include <ostream>
#include <vector>

#include "sensor/flow/flow_table.h"

using namespace ww;

namespace ww {
inline std::ostream& operator<<(std::ostream& o, const IpAddress& a) { return o << a.to_string(); }
inline std::ostream& operator<<(std::ostream& o, TcpState s) { return o << tcp_state_name(s); }
}  // namespace ww

namespace {

IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  uint8_t x[4] = {a, b, c, d};
  return IpAddress::v4(x);
}

DecodedPacket tcp(IpAddress s, uint16_t sp, IpAddress d, uint16_t dp, uint8_t flags, int64_t ts_s,
                  uint32_t len = 60) {
  DecodedPacket p;
  p.ip_version = 4;
  p.src = s;
  p.dst = d;
  p.src_port = sp;
  p.dst_port = dp;
  p.l4_proto = 6;
  p.tcp.flags = flags;
  p.ts_us = ts_s * 1'000'000;
  p.wire_len = len;
  return p;
}

DecodedPacket udp(IpAddress s, uint16_t sp, IpAddress d, uint16_t dp, int64_t ts_s) {
  DecodedPacket p = tcp(s, sp, d, dp, 0, ts_s);
  p.l4_proto = 17;
  return p;
}

struct Ended {
  std::vector<std::pair<uint16_t, FlowEndReason>> flows;   // client port, reason
  FlowTable::EndCallback cb() {
    return [this](Flow& f, FlowEndReason r) { flows.emplace_back(f.client_port, r); };
  }
};

const IpAddress kC = v4(10, 0, 0, 1);
const IpAddress kS = v4(192, 0, 2, 25);
using namespace tcp_flag;

}  // namespace

BOOST_AUTO_TEST_SUITE(flow_table)

BOOST_AUTO_TEST_CASE(both_directions_share_one_flow_oriented_by_syn) {
  Ended e;
  FlowTable t(FlowTableConfig{}, e.cb());
  bool ts = false;
  Flow& f1 = t.track(tcp(kC, 40000, kS, 25, kSyn, 1), &ts);
  BOOST_TEST(ts);
  Flow& f2 = t.track(tcp(kS, 25, kC, 40000, kSyn | kAck, 1), &ts);
  BOOST_TEST(!ts);
  BOOST_TEST(&f1 == &f2);
  t.track(tcp(kC, 40000, kS, 25, kAck, 1), &ts);
  BOOST_TEST(t.active() == 1u);
  BOOST_TEST(f1.client_ip == kC);
  BOOST_TEST(f1.server_port == 25);
  BOOST_TEST(f1.pkts_toserver == 2u);
  BOOST_TEST(f1.pkts_toclient == 1u);
  BOOST_TEST(f1.tcp_state == TcpState::kEstablished);
  BOOST_TEST(!f1.midstream);
}

BOOST_AUTO_TEST_CASE(syn_ack_first_makes_its_destination_the_client) {
  Ended e;
  FlowTable t(FlowTableConfig{}, e.cb());
  bool ts = true;
  Flow& f = t.track(tcp(kS, 25, kC, 40000, kSyn | kAck, 1), &ts);
  BOOST_TEST(!ts);
  BOOST_TEST(f.client_ip == kC);
  BOOST_TEST(f.client_port == 40000);
}

BOOST_AUTO_TEST_CASE(midstream_pickup_uses_well_known_port_for_the_server) {
  Ended e;
  FlowTable t(FlowTableConfig{}, e.cb());
  bool ts = true;
  Flow& f = t.track(tcp(kS, 25, kC, 40000, kAck | kPsh, 1), &ts);
  BOOST_TEST(f.midstream);
  BOOST_TEST(f.server_port == 25);
  BOOST_TEST(!ts);
  BOOST_TEST(t.counters().midstream == 1u);
}

BOOST_AUTO_TEST_CASE(tcp_state_machine_fin_fin_ack_closes) {
  Ended e;
  FlowTable t(FlowTableConfig{}, e.cb());
  bool ts;
  Flow& f = t.track(tcp(kC, 1, kS, 2, kSyn, 1), &ts);
  BOOST_TEST(f.tcp_state == TcpState::kSynSent);
  t.track(tcp(kS, 2, kC, 1, kSyn | kAck, 1), &ts);
  BOOST_TEST(f.tcp_state == TcpState::kSynRecv);
  t.track(tcp(kC, 1, kS, 2, kAck, 1), &ts);
  BOOST_TEST(f.tcp_state == TcpState::kEstablished);
  t.track(tcp(kC, 1, kS, 2, kFin | kAck, 2), &ts);
  BOOST_TEST(f.tcp_state == TcpState::kFinWait);
  t.track(tcp(kS, 2, kC, 1, kFin | kAck, 2), &ts);
  BOOST_TEST(f.tcp_state == TcpState::kClosing);
  t.track(tcp(kC, 1, kS, 2, kAck, 2), &ts);
  BOOST_TEST(f.tcp_state == TcpState::kClosed);
  BOOST_TEST(f.tcp_flags_ts == (kSyn | kAck | kFin));
}

BOOST_AUTO_TEST_CASE(rst_closes_from_any_state) {
  Ended e;
  FlowTable t(FlowTableConfig{}, e.cb());
  bool ts;
  Flow& f = t.track(tcp(kC, 1, kS, 2, kSyn, 1), &ts);
  t.track(tcp(kS, 2, kC, 1, kRst | kAck, 1), &ts);
  BOOST_TEST(f.tcp_state == TcpState::kClosed);
}

BOOST_AUTO_TEST_CASE(timeouts_follow_the_state_of_each_flow) {
  Ended e;
  FlowTableConfig cfg;
  cfg.timeout_us[static_cast<size_t>(TimeoutClass::kTcpNew)] = 5'000'000;
  cfg.timeout_us[static_cast<size_t>(TimeoutClass::kTcpEstablished)] = 100'000'000;
  cfg.timeout_us[static_cast<size_t>(TimeoutClass::kTcpClosed)] = 2'000'000;
  cfg.timeout_us[static_cast<size_t>(TimeoutClass::kUdpNew)] = 30'000'000;
  FlowTable t(cfg, e.cb());
  bool ts;
  t.track(tcp(kC, 1, kS, 80, kSyn, 0), &ts);                 // new: 5 s
  t.track(tcp(kC, 2, kS, 80, kSyn, 0), &ts);                 // established: 100 s
  t.track(tcp(kS, 80, kC, 2, kSyn | kAck, 0), &ts);
  t.track(tcp(kC, 2, kS, 80, kAck, 0), &ts);
  t.track(tcp(kC, 3, kS, 80, kSyn, 0), &ts);                 // closed: 2 s
  t.track(tcp(kS, 80, kC, 3, kRst, 0), &ts);
  t.track(udp(kC, 4, kS, 53, 0), &ts);                       // udp new: 30 s

  t.expire(2'000'000);   // exactly at the timeout: nothing ends yet
  BOOST_TEST(e.flows.empty());
  t.expire(2'000'001);
  BOOST_REQUIRE(e.flows.size() == 1u);
  BOOST_TEST(e.flows[0].first == 3);
  t.expire(6'000'000);
  BOOST_REQUIRE(e.flows.size() == 2u);
  BOOST_TEST(e.flows[1].first == 1);
  t.expire(31'000'000);
  BOOST_REQUIRE(e.flows.size() == 3u);
  BOOST_TEST(e.flows[2].first == 4);
  BOOST_TEST(t.active() == 1u);
  t.expire(101'000'000);
  BOOST_TEST(t.active() == 0u);
  for (auto& [port, r] : e.flows) BOOST_TEST((r == FlowEndReason::timeout));
  BOOST_TEST(t.counters().ended[static_cast<size_t>(FlowEndReason::timeout)] == 4u);
}

BOOST_AUTO_TEST_CASE(activity_postpones_expiry) {
  Ended e;
  FlowTableConfig cfg;
  cfg.timeout_us[static_cast<size_t>(TimeoutClass::kTcpNew)] = 5'000'000;
  FlowTable t(cfg, e.cb());
  bool ts;
  t.track(tcp(kC, 1, kS, 80, kSyn, 0), &ts);
  t.track(tcp(kC, 1, kS, 80, kSyn, 4), &ts);   // retransmitted SYN at 4 s
  t.expire(8'000'000);
  BOOST_TEST(e.flows.empty());
  t.expire(9'000'001);
  BOOST_TEST(e.flows.size() == 1u);
}

BOOST_AUTO_TEST_CASE(cap_evicts_the_oldest_idle_flow_across_classes) {
  Ended e;
  FlowTableConfig cfg;
  cfg.max_flows = 3;
  FlowTable t(cfg, e.cb());
  bool ts;
  t.track(udp(kC, 1, kS, 53, 10), &ts);           // udp, touched at 10
  t.track(tcp(kC, 2, kS, 80, kSyn, 5), &ts);      // tcp new, touched at 5: the oldest
  t.track(tcp(kC, 3, kS, 80, kSyn, 20), &ts);
  BOOST_TEST(t.active() == 3u);
  t.track(tcp(kC, 4, kS, 80, kSyn, 30), &ts);     // over the cap
  BOOST_TEST(t.active() == 3u);
  BOOST_REQUIRE(e.flows.size() == 1u);
  BOOST_TEST(e.flows[0].first == 2);
  BOOST_TEST((e.flows[0].second == FlowEndReason::evicted));
  t.track(tcp(kC, 5, kS, 80, kSyn, 31), &ts);
  BOOST_REQUIRE(e.flows.size() == 2u);
  BOOST_TEST(e.flows[1].first == 1);
  BOOST_TEST(t.counters().ended[static_cast<size_t>(FlowEndReason::evicted)] == 2u);
  BOOST_TEST(t.counters().max_active == 3u);
}

BOOST_AUTO_TEST_CASE(many_flows_through_a_small_table_stay_bounded) {
  Ended e;
  FlowTableConfig cfg;
  cfg.max_flows = 64;
  FlowTable t(cfg, e.cb());
  bool ts;
  for (int i = 0; i < 10000; ++i) {
    t.track(tcp(v4(10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)), 1000, kS, 25,
                kSyn, i),
            &ts);
    BOOST_TEST_REQUIRE(t.active() <= 64u);
  }
  BOOST_TEST(e.flows.size() == 10000u - 64u);
  t.end_all();
  BOOST_TEST(e.flows.size() == 10000u);
  BOOST_TEST(t.active() == 0u);
}

BOOST_AUTO_TEST_CASE(vlan_separates_otherwise_equal_flows) {
  Ended e;
  FlowTable t(FlowTableConfig{}, e.cb());
  bool ts;
  DecodedPacket a = tcp(kC, 1, kS, 80, kSyn, 0);
  DecodedPacket b = a;
  b.vlan_count = 1;
  b.vlan[0] = 7;
  t.track(a, &ts);
  t.track(b, &ts);
  BOOST_TEST(t.active() == 2u);
}

BOOST_AUTO_TEST_CASE(end_all_reports_shutdown) {
  Ended e;
  FlowTable t(FlowTableConfig{}, e.cb());
  bool ts;
  t.track(tcp(kC, 1, kS, 80, kSyn, 0), &ts);
  t.end_all();
  BOOST_REQUIRE(e.flows.size() == 1u);
  BOOST_TEST((e.flows[0].second == FlowEndReason::shutdown));
}

BOOST_AUTO_TEST_CASE(flow_key_is_symmetric_and_hash_agrees) {
  DecodedPacket a = tcp(kC, 40000, kS, 25, kSyn, 0);
  DecodedPacket b = tcp(kS, 25, kC, 40000, kAck, 0);
  FlowKey ka = FlowKey::from_packet(a), kb = FlowKey::from_packet(b);
  BOOST_TEST((ka == kb));
  BOOST_TEST(flow_key_hash(ka) == flow_key_hash(kb));
  BOOST_TEST(symmetric_host_pair_hash(kC, kS) == symmetric_host_pair_hash(kS, kC));
  DecodedPacket c = tcp(kC, 40001, kS, 25, kSyn, 0);
  BOOST_TEST(!(FlowKey::from_packet(c) == ka));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(flow_table_revival)

// A packet that arrives after its flow's timeout, before expire() ran, starts a
// new flow instead of extending the stale one.
BOOST_AUTO_TEST_CASE(stale_flow_is_not_revived_by_lookup) {
  Ended e;
  FlowTableConfig cfg;
  cfg.timeout_us[static_cast<size_t>(TimeoutClass::kUdpNew)] = 30'000'000;
  FlowTable t(cfg, e.cb());
  bool ts;
  t.track(udp(kC, 4, kS, 53, 100), &ts);
  Flow& f = t.track(udp(kC, 4, kS, 53, 700), &ts);
  BOOST_REQUIRE(e.flows.size() == 1u);
  BOOST_TEST((e.flows[0].second == FlowEndReason::timeout));
  BOOST_TEST(f.pkts_toserver == 1u);
  BOOST_TEST(f.first_ts_us == 700'000'000);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(flow_table_reuse)

BOOST_AUTO_TEST_CASE(syn_on_closed_connection_starts_a_new_flow) {
  Ended e;
  FlowTable t(FlowTableConfig{}, e.cb());
  bool ts;
  t.track(tcp(kC, 1, kS, 25, kSyn, 0), &ts);
  t.track(tcp(kS, 25, kC, 1, kRst | kAck, 0), &ts);
  Flow& f = t.track(tcp(kC, 1, kS, 25, kSyn, 1), &ts);
  BOOST_REQUIRE(e.flows.size() == 1u);
  BOOST_TEST((e.flows[0].second == FlowEndReason::tcp_reuse));
  BOOST_TEST(f.pkts_toserver == 1u);
  BOOST_TEST(f.tcp_state == TcpState::kSynSent);
  // A retransmitted SYN on an open connection is not reuse.
  t.track(tcp(kC, 1, kS, 25, kSyn, 2), &ts);
  BOOST_TEST(e.flows.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(flow_table_index)

// The open-addressing index under growth and backward-shift deletion: every
// live flow stays reachable, ended ones are gone, for thousands of flows.
BOOST_AUTO_TEST_CASE(index_survives_growth_and_deletion) {
  Ended e;
  FlowTableConfig cfg;
  cfg.max_flows = 100000;
  cfg.timeout_us[static_cast<size_t>(TimeoutClass::kTcpNew)] = 10'000'000;
  FlowTable t(cfg, e.cb());
  bool ts;
  auto host = [](int i) { return v4(10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                                    static_cast<uint8_t>(i)); };
  const int n = 20000;
  // Even flows at time 0, then odd flows at time 8 s (packet time never goes back).
  for (int i = 0; i < n; i += 2) t.track(tcp(host(i), 1000, kS, 25, kSyn, 0), &ts);
  for (int i = 1; i < n; i += 2) t.track(tcp(host(i), 1000, kS, 25, kSyn, 8), &ts);
  BOOST_TEST(t.active() == static_cast<size_t>(n));
  t.expire(10'000'001);   // ends the even ones
  BOOST_TEST(t.active() == static_cast<size_t>(n / 2));
  BOOST_TEST(e.flows.size() == static_cast<size_t>(n / 2));
  for (int i = 0; i < n; ++i) {
    Flow& f = t.track(tcp(host(i), 1000, kS, 25, kSyn, 9), &ts);
    // Odd flows are found again (second packet); even ones start afresh.
    BOOST_TEST_REQUIRE(f.pkts_toserver == ((i % 2) ? 2u : 1u), "flow " << i);
  }
  BOOST_TEST(t.active() == static_cast<size_t>(n));
}

BOOST_AUTO_TEST_SUITE_END()

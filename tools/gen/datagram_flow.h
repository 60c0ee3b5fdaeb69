#pragma once
// Connectionless flows: UDP request/response exchanges and ICMP / ICMPv6
// echo. Each step is one datagram; datagrams are kept whole (callers keep
// them under the path MTU: the generator does not fragment them).

#include <cstdint>
#include <deque>
#include <vector>

#include "tools/gen/flow.h"
#include "tools/gen/payload.h"

namespace ww::gen {

struct DatagramFlowConfig {
  Endpoint client;  // UDP: the side that sends first; ICMP: the pinger
  Endpoint server;
  LinkSpec link;
  int64_t start_us = 0;
  uint8_t client_ttl = 64;
  uint8_t server_ttl = 64;
  uint16_t client_ip_id = 1;
  uint16_t server_ip_id = 1;
};

class DatagramFlow : public Flow {
 public:
  bool done() override { return steps_.empty(); }
  int64_t next_time_us() override { return steps_.front().ts_us; }
  void next(Packet& out) override;

 protected:
  DatagramFlow(const DatagramFlowConfig& cfg, uint8_t proto);
  enum class Kind : uint8_t { kUdp, kEchoRequest, kEchoReply };
  struct Step {
    Direction dir;
    Kind kind;
    int64_t ts_us;
    std::vector<uint8_t> data;
    uint16_t echo_seq = 0;
  };
  // Appends a datagram `gap_us` after the previous one (the first one at
  // start_us + gap_us).
  void add(Direction d, Kind kind, std::vector<uint8_t> data, int64_t gap_us,
           uint16_t echo_seq = 0);

  DatagramFlowConfig cfg_;

 private:
  std::deque<Step> steps_;
  int64_t clock_;
  uint16_t ip_id_[2];
};

class UdpFlow : public DatagramFlow {
 public:
  explicit UdpFlow(const DatagramFlowConfig& cfg) : DatagramFlow(cfg, ip_proto::kUdp) {}
  UdpFlow& send(Direction d, Payload payload, int64_t gap_us = 0) {
    add(d, Kind::kUdp, payload.read_all(), gap_us);
    return *this;
  }
};

// Echo request/reply pairs. The truth's ports both hold the echo identifier
// (as Wireshark and EVE key ICMP echo conversations).
class IcmpEchoFlow : public DatagramFlow {
 public:
  IcmpEchoFlow(const DatagramFlowConfig& cfg, uint16_t echo_id);
  // A request `gap_us` after the previous packet and, when `answered`, its
  // reply `reply_after_us` later. Sequence numbers count from 1.
  IcmpEchoFlow& echo(std::vector<uint8_t> data, int64_t gap_us, int64_t reply_after_us,
                     bool answered = true);

 private:
  uint16_t next_seq_ = 1;
};

}  // namespace ww::gen

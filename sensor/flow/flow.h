#pragma once
// One conversation as the worker sees it. Oriented: `client` is the side that
// opened the flow (the SYN sender, or the first packet's source mid-stream).

#include <cstdint>
#include <memory>
#include <string_view>

#include "sensor/decode/packet.h"
#include "sensor/flow/flow_key.h"

struct ndpi_flow_struct;

namespace ww {

enum class TcpState : uint8_t {
  kNone,         // not TCP, or no flag seen yet
  kSynSent,      // client SYN seen
  kSynRecv,      // server SYN-ACK seen
  kEstablished,  // handshake completed, or data both ways mid-stream
  kFinWait,      // one side sent FIN
  kClosing,      // both sides sent FIN
  kClosed,       // RST, or both FINs acknowledged
};
const char* tcp_state_name(TcpState s);

// Timeout classes: each has its own idle timeout and its own LRU list.
enum class TimeoutClass : uint8_t {
  kTcpNew,
  kTcpEstablished,
  kTcpClosed,
  kUdpNew,
  kUdpEstablished,
  kIcmp,
  kOther,
  kCount
};
const char* timeout_class_name(TimeoutClass c);

// Why a flow ended: each reason has a counter.
#define WW_FLOW_END_REASONS(X)                                           \
  X(timeout, "idle longer than the timeout of its state")                \
  X(evicted, "flow table full: the oldest idle flow made room")          \
  X(shutdown, "capture ended or the sensor stopped")                     \
  X(tcp_reuse, "a new SYN arrived on a closed TCP connection's 5-tuple")
enum class FlowEndReason : uint8_t {
#define WW_X(n, d) n,
  WW_FLOW_END_REASONS(WW_X)
#undef WW_X
      kCount
};
const char* flow_end_reason_name(FlowEndReason r);

// Per-flow application state that later layers hang off a flow (reassembly,
// SMTP). The flow owns it and destroys it when the flow ends.
class FlowApp {
 public:
  virtual ~FlowApp() = default;
};

struct Flow {
  FlowKey key;
  IpAddress client_ip;
  IpAddress server_ip;
  uint16_t client_port = 0;
  uint16_t server_port = 0;
  uint8_t proto = 0;
  uint16_t vlan = 0;
  uint8_t icmp_type = 0;     // first ICMP packet's type and code (community id)
  uint8_t icmp_code = 0;

  uint64_t flow_id = 0;
  int64_t first_ts_us = 0;
  int64_t last_ts_us = 0;
  uint64_t pkts_toserver = 0;
  uint64_t pkts_toclient = 0;
  uint64_t bytes_toserver = 0;
  uint64_t bytes_toclient = 0;

  TcpState tcp_state = TcpState::kNone;
  uint8_t tcp_flags_ts = 0;   // union of flags sent by the client
  uint8_t tcp_flags_tc = 0;   // union of flags sent by the server
  bool fin_ts = false;
  bool fin_tc = false;
  bool midstream = false;     // first packet was not a SYN

  // Protocol identification (nDPI); app_proto is lowercase, empty until known.
  uint16_t ndpi_master = 0;
  uint16_t ndpi_app = 0;
  bool app_done = false;
  uint8_t app_packets = 0;    // payload packets given to nDPI
  char app_proto[24] = {};
  ndpi_flow_struct* ndpi = nullptr;

  std::unique_ptr<FlowApp> app;

  // Host-behaviour events already sent for this flow (sensor/worker: HostFlag).
  uint8_t host_flags = 0;

  // Intrusive LRU list within the flow's timeout class (slot indices).
  TimeoutClass tclass = TimeoutClass::kOther;
  uint32_t lru_prev = 0;
  uint32_t lru_next = 0;
  bool in_use = false;

  std::string_view app_proto_name() const { return std::string_view(app_proto); }
};

}  // namespace ww

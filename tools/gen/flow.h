#pragma once
// A flow is a scripted conversation that yields its packets one at a time, in
// time order, and keeps the ground truth the manifest records for it. The
// mixer interleaves many flows by always taking the one whose next packet is
// earliest, so flows never need to hold more than their next few packets.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/gen/net_types.h"

namespace ww::gen {

struct Packet {
  int64_t ts_us = 0;
  std::vector<uint8_t> frame;
};

enum class FlowEnd : uint8_t {
  kNone,  // no teardown in the capture (UDP, ICMP, or cut by a size limit)
  kFin,   // both sides sent FIN
  kRst,   // a side sent RST
};
const char* flow_end_name(FlowEnd e);

struct DirectionCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;          // frame bytes, as on the wire (what tshark's frame.len sums)
  uint64_t payload_bytes = 0;  // L4 payload bytes (TCP/UDP data, ICMP data)
};

// Ground truth of one flow.
struct FlowTruth {
  uint64_t id = 0;
  uint8_t proto = 0;  // ip_proto::k*
  std::string app;    // "http", "tls", "smtp", "dns", ... ; empty when none
  IpAddress client_ip;
  IpAddress server_ip;
  uint16_t client_port = 0;  // ICMP echo: the echo identifier in both ports
  uint16_t server_port = 0;
  std::vector<uint16_t> vlans;
  std::array<DirectionCounters, 2> dir{};  // indexed by index_of(Direction)
  int64_t start_us = -1;
  int64_t end_us = -1;
  FlowEnd end = FlowEnd::kNone;
  // Scenario-specific truth (SMTP envelope, attachment hashes, ...), copied
  // verbatim into the flow's manifest entry under "app_truth".
  nlohmann::ordered_json app_truth;
  // Times of marked segments (TcpFlow::mark), for scenario truth; not
  // written to the manifest by itself.
  std::vector<int64_t> marks_us;

  uint64_t packets() const { return dir[0].packets + dir[1].packets; }
  uint64_t bytes() const { return dir[0].bytes + dir[1].bytes; }
};

class Flow {
 public:
  virtual ~Flow() = default;
  // True when the flow has no packet left. May expand the script lazily.
  virtual bool done() = 0;
  // Time of the next packet. Precondition: !done().
  virtual int64_t next_time_us() = 0;
  // Builds the next packet into `out` (reusing its buffer) and counts it in
  // the truth. Precondition: !done().
  virtual void next(Packet& out) = 0;

  const FlowTruth& truth() const { return truth_; }
  FlowTruth& truth() { return truth_; }

 protected:
  void count(Direction d, const Packet& p, size_t payload_len);
  void set_endpoints(uint8_t proto, const Endpoint& client, const Endpoint& server,
                     const LinkSpec& link);

  FlowTruth truth_;
};

}  // namespace ww::gen

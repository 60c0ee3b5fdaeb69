#pragma once
// Ground truth written beside a capture (FILE.json): how it was made and, per
// flow, what a correct sensor should report. Later scenarios add fields
// through `params`, FlowTruth::app_truth and `extra`; existing keys keep
// their meaning (bump kFormatVersion when one has to change).
//
// {
//   "format": "wwgen-manifest", "format_version": 1,
//   "generator": "wwgen", "scenario": "mixed", "seed": 1,
//   "params": {...},                     // scenario parameters
//   "link_type": 1, "link_name": "ethernet",
//   "capture": {"packets": N, "bytes": N, "first_us": T, "last_us": T},
//   "totals": {"flows": N, "tcp_flows": N, "udp_flows": N, "icmp_flows": N},
//   "flows": [{"id": 0, "proto": "tcp", "app": "http",
//              "src_ip": ..., "src_port": ..., "dest_ip": ..., "dest_port": ...,
//              "vlan": [..],             // only when tagged
//              "pkts_toserver": N, "pkts_toclient": N,
//              "bytes_toserver": N, "bytes_toclient": N,              // frame bytes
//              "payload_bytes_toserver": N, "payload_bytes_toclient": N,
//              "start_us": T, "end_us": T, "end": "fin" | "rst" | "none",
//              "app_truth": {...}}, ...],
//   "mail": {...},                       // mail scenarios only (office, outbreak, evasion):
//   "hosts": {...},                      // ground truth per message and per host; see NOTES.md
//   "extra": {...}
// }
//
// src is always the client (the side that opened the flow), as in EVE.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/gen/flow.h"

namespace ww::gen {

class Manifest {
 public:
  static constexpr int kFormatVersion = 1;

  std::string scenario;
  uint64_t seed = 0;
  LinkType link = LinkType::kEthernet;
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  // Written only when set (null otherwise): see NOTES.md, "Mail ground truth".
  nlohmann::ordered_json mail;
  nlohmann::ordered_json hosts;

  // Flows are listed by id whatever order they are added in.
  void add_flow(FlowTruth truth) { flows_.push_back(std::move(truth)); }
  const std::vector<FlowTruth>& flows() const { return flows_; }
  void set_capture(uint64_t packets, uint64_t bytes, int64_t first_us, int64_t last_us);
  uint64_t packets() const { return packets_; }

  nlohmann::ordered_json to_json() const;
  // Writes to_json() (indented) to `path`; throws std::runtime_error naming the file.
  void write(const std::string& path) const;

 private:
  std::vector<FlowTruth> flows_;
  uint64_t packets_ = 0;
  uint64_t bytes_ = 0;
  int64_t first_us_ = 0;
  int64_t last_us_ = 0;
};

const char* proto_name(uint8_t ip_proto);
nlohmann::ordered_json flow_to_json(const FlowTruth& f);

}  // namespace ww::gen

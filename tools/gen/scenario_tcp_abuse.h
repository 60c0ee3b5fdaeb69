#pragma once
// "tcp-abuse": TCP conversations shaped to exercise stream reassembly, with
// the bytes a receiver's TCP (first-wins overlap policy) would deliver as
// ground truth. For each case, `flows_per_case` conversations: the client
// sends a few KB of random bytes, the server replies with a few KB, then a
// FIN exchange. Data segments carry 500 bytes; the receiver ACKs every two
// data segments it receives (and after the last), acknowledging only what it
// holds contiguously. Cases (see NOTES.md for the exact expectations):
//
//   reorder            neighbouring data segments swapped (both directions)
//   retransmit         some data segments sent twice with the same bytes
//   overlap-different  segment k+1 first, then a segment inside its range with
//                      other bytes, then k (both directions)
//   lost               one middle data segment per direction missing from the
//                      capture (the receiver got it: ACKs cover it)
//   ip-fragments       every data segment sent as IPv4 fragments
//   one-sided          only the client's packets are captured
//   midstream          the capture starts at the client's data byte 1000
//
// Per flow, app_truth = {"case", "expected": {"toserver": E, "toclient": E}}
// with E = {"bytes", "sha256", "gaps", "gap_bytes", "overlap_different_data",
// "payload_bytes", "payload_sha256"} and, when an overlap carries other
// bytes, "last_wins_sha256" (what overlap policy `last` delivers).

#include <cstdint>
#include <string>
#include <vector>

#include "tools/gen/scenario.h"

namespace ww::gen {

struct TcpAbuseConfig {
  uint64_t flows_per_case = 2;
  std::vector<std::string> cases;  // empty = all; order is always tcp_abuse_case_names()
};

// All case names, in the order they appear in the capture.
const std::vector<std::string>& tcp_abuse_case_names();

class TcpAbuseScenario : public Scenario {
 public:
  // Throws std::invalid_argument on an unknown case name.
  TcpAbuseScenario(const ScenarioOptions& options, const TcpAbuseConfig& config);
  std::string name() const override { return "tcp-abuse"; }
  void run(PcapWriter& out, Manifest& manifest) override;

 private:
  TcpAbuseConfig cfg_;
  Rng rng_;
  AddressPlan plan_;
};

}  // namespace ww::gen

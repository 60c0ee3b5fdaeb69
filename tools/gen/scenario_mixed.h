#pragma once
// "mixed": background traffic of an office network in 2004. Many concurrent
// TCP conversations (HTTP, TLS, SSH, SMB, unknown high ports; both sides send
// data; a few hundred bytes to several MB), UDP (DNS, NTP, syslog) and ICMP
// echo, mostly IPv4 with some IPv6, all well-formed: the clean baseline the
// sensor must digest without a single anomaly.

#include <cstdint>
#include <memory>

#include "tools/gen/scenario.h"

namespace ww::gen {

class Flow;

struct MixedConfig {
  uint64_t flows = 100;     // flows to generate (ignored when size_bytes > 0)
  uint64_t size_bytes = 0;  // stop once the capture reaches this size; 0 = by flow count
  size_t concurrency = 200;
  uint64_t min_flow_bytes = 300;  // TCP application bytes per flow, both ways
  uint64_t max_flow_bytes = uint64_t{8} << 20;
  uint32_t ipv6_percent = 10;
  uint32_t tcp_percent = 70;  // of flows; the rest is UDP and ICMP
  uint32_t icmp_percent = 5;
};

class MixedScenario : public Scenario {
 public:
  MixedScenario(const ScenarioOptions& options, const MixedConfig& config);
  std::string name() const override { return "mixed"; }
  void run(PcapWriter& out, Manifest& manifest) override;
  // One background flow starting at `start_us` (other scenarios mix these
  // in); may return nullptr when no free 5-tuple was found.
  std::unique_ptr<Flow> background_flow(int64_t start_us) { return make_flow(0, start_us); }

 private:
  std::unique_ptr<Flow> make_flow(uint64_t id, int64_t start_us);
  std::unique_ptr<Flow> make_tcp(int64_t start_us);
  std::unique_ptr<Flow> make_udp(int64_t start_us);
  std::unique_ptr<Flow> make_icmp(int64_t start_us);

  MixedConfig cfg_;
  Rng rng_;
  AddressPlan plan_;
};

}  // namespace ww::gen

#pragma once
// A scenario turns options and a seed into a capture plus its manifest.
// Scenarios build flows (TcpFlow, UdpFlow, IcmpEchoFlow, or their own Flow
// subclasses) and usually let a FlowMixer interleave them. See NOTES.md for
// how to add one.

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tools/gen/manifest.h"
#include "tools/gen/pcap_writer.h"
#include "tools/gen/rng.h"

namespace ww::gen {

// 2004-01-27 08:00:00 UTC, the morning the MyDoom outbreak took off.
inline constexpr int64_t kDefaultStartUs = int64_t{1075190400} * 1000000;

struct ScenarioOptions {
  uint64_t seed = 1;
  int64_t start_us = kDefaultStartUs;
  LinkType link = LinkType::kEthernet;  // kEthernet or kRaw
  bool vlan = false;                    // 802.1Q tags (some 802.1ad QinQ); Ethernet only
  uint32_t snaplen = 262144;
  bool nanosecond = false;  // nanosecond pcap magic
  // smtp, office, outbreak: percent of mail-flow data segments swapped with
  // the next one (TcpFlowConfig::reorder_percent); other flows stay in order.
  double reorder_percent = 0;
};

class Scenario {
 public:
  explicit Scenario(const ScenarioOptions& options) : options_(options) {}
  virtual ~Scenario() = default;

  virtual std::string name() const = 0;
  // Writes every packet to `out` and the ground truth to `manifest` (scenario,
  // seed and link are already filled in; fill `params` and the flows).
  virtual void run(PcapWriter& out, Manifest& manifest) = 0;

  const ScenarioOptions& options() const { return options_; }
  PcapWriter::Options writer_options() const;

 protected:
  ScenarioOptions options_;
};

// Writes the capture to `path` and the manifest to `path + ".json"`. Throws
// std::runtime_error (naming the file) on I/O errors.
Manifest write_scenario(Scenario& scenario, const std::string& path);
// Runs into memory (tests); the manifest is returned through `manifest`.
std::vector<uint8_t> run_scenario_in_memory(Scenario& scenario, Manifest* manifest = nullptr);

// Addresses and ports for scenarios: documentation and private ranges only,
// and a registry so no 5-tuple is used twice in one capture (a reused tuple
// would merge two flows in any analyser, and Wireshark flags the port reuse).
class AddressPlan {
 public:
  explicit AddressPlan(Rng& rng) : rng_(rng) {}

  // Internal hosts 10.1.<subnet 1-20>.<2-254>.
  IpAddress internal_v4();
  // External hosts in 192.0.2/24, 198.51.100/24, 203.0.113/24.
  IpAddress external_v4();
  // Internal 2001:db8:1:<subnet>::<host>, external 2001:db8:<80-ff>::<host>.
  IpAddress internal_v6();
  IpAddress external_v6();
  // Windows XP-era ephemeral port (1025-5000) or a Linux one (32768-60999).
  uint16_t ephemeral_port();
  // Reserves the tuple; false if it is already taken.
  bool reserve(uint8_t proto, const IpAddress& client, uint16_t client_port,
               const IpAddress& server, uint16_t server_port);
  // VLAN tags for a flow from `client` (one 802.1Q tag per /24, 1 in 8
  // flows double-tagged under 802.1ad outer tag 100). Empty when !vlan.
  std::vector<VlanTag> vlans_for(const IpAddress& client, bool vlan);

 private:
  Rng& rng_;
  std::set<std::tuple<uint8_t, IpAddress, uint16_t, IpAddress, uint16_t>> used_;
};

}  // namespace ww::gen

#include "tools/gen/scenario.h"

namespace ww::gen {
namespace {

void prepare(const Scenario& s, Manifest& m) {
  m.scenario = s.name();
  m.seed = s.options().seed;
  m.link = s.options().link;
}

}  // namespace

PcapWriter::Options Scenario::writer_options() const {
  PcapWriter::Options o;
  o.link = options_.link;
  o.snaplen = options_.snaplen;
  o.nanosecond = options_.nanosecond;
  return o;
}

Manifest write_scenario(Scenario& scenario, const std::string& path) {
  Manifest manifest;
  prepare(scenario, manifest);
  PcapWriter out(path, scenario.writer_options());
  scenario.run(out, manifest);
  out.close();
  manifest.write(path + ".json");
  return manifest;
}

std::vector<uint8_t> run_scenario_in_memory(Scenario& scenario, Manifest* manifest) {
  std::vector<uint8_t> bytes;
  Manifest local;
  Manifest& m = manifest ? *manifest : local;
  prepare(scenario, m);
  {
    PcapWriter out(bytes, scenario.writer_options());
    scenario.run(out, m);
  }
  return bytes;
}

// One draw per statement throughout: function arguments are evaluated in an
// unspecified order, which would make output differ between compilers.
IpAddress AddressPlan::internal_v4() {
  const auto subnet = static_cast<uint8_t>(rng_.uniform(1, 20));
  const auto host = static_cast<uint8_t>(rng_.uniform(2, 254));
  return ip4(10, 1, subnet, host);
}

IpAddress AddressPlan::external_v4() {
  static constexpr uint8_t kNets[3][3] = {{192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
  const auto& n = kNets[rng_.index(3)];
  const auto host = static_cast<uint8_t>(rng_.uniform(1, 254));
  return ip4(n[0], n[1], n[2], host);
}

IpAddress AddressPlan::internal_v6() {
  const auto subnet = static_cast<uint16_t>(rng_.uniform(1, 20));
  const auto host = static_cast<uint16_t>(rng_.uniform(2, 0xfffe));
  return ip6({0x2001, 0x0db8, 0x0001, subnet, 0, 0, 0, host});
}

IpAddress AddressPlan::external_v6() {
  const auto net = static_cast<uint16_t>(rng_.uniform(0x80, 0xff));
  const auto host = static_cast<uint16_t>(rng_.uniform(1, 0xfff));
  return ip6({0x2001, 0x0db8, net, 0, 0, 0, 0, host});
}

uint16_t AddressPlan::ephemeral_port() {
  return static_cast<uint16_t>(rng_.chance(0.7) ? rng_.uniform(1025, 5000)
                                                : rng_.uniform(32768, 60999));
}

bool AddressPlan::reserve(uint8_t proto, const IpAddress& client, uint16_t client_port,
                          const IpAddress& server, uint16_t server_port) {
  // Both orientations: a tuple seen reversed is the same conversation.
  if (used_.count({proto, server, server_port, client, client_port})) return false;
  return used_.insert({proto, client, client_port, server, server_port}).second;
}

std::vector<VlanTag> AddressPlan::vlans_for(const IpAddress& client, bool vlan) {
  if (!vlan) return {};
  // One VLAN per client subnet: 10.1.S.x -> 100 + S; IPv6 subnet likewise.
  const uint16_t subnet = client.family == 4 ? client.bytes[2] : client.bytes[7];
  const uint16_t id = static_cast<uint16_t>(100 + subnet);
  if (rng_.uniform(0, 7) == 0) {
    return {VlanTag{ethertype::kQinQ, 100, 0}, VlanTag{ethertype::kVlan, id, 0}};
  }
  return {VlanTag{ethertype::kVlan, id, 0}};
}

}  // namespace ww::gen

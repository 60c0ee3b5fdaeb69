#include "tools/gen/manifest.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace ww::gen {
namespace {

// Local on purpose: link_type_name() lives in the decoder library, which the
// generator does not link.
const char* link_type_display(LinkType t) {
  switch (t) {
    case LinkType::kEthernet:
      return "ethernet";
    case LinkType::kRaw:
      return "raw";
    case LinkType::kIpv4:
      return "ipv4";
    case LinkType::kIpv6:
      return "ipv6";
    default:
      return "other";
  }
}

}  // namespace

const char* proto_name(uint8_t p) {
  switch (p) {
    case ip_proto::kTcp:
      return "tcp";
    case ip_proto::kUdp:
      return "udp";
    case ip_proto::kIcmp:
      return "icmp";
    case ip_proto::kIcmpv6:
      return "ipv6-icmp";
    default:
      return "other";
  }
}

nlohmann::ordered_json flow_to_json(const FlowTruth& f) {
  const auto& ts = f.dir[index_of(Direction::kToServer)];
  const auto& tc = f.dir[index_of(Direction::kToClient)];
  nlohmann::ordered_json j;
  j["id"] = f.id;
  j["proto"] = proto_name(f.proto);
  j["app"] = f.app;
  j["ip_version"] = f.client_ip.family;
  j["src_ip"] = format_ip(f.client_ip);
  j["src_port"] = f.client_port;
  j["dest_ip"] = format_ip(f.server_ip);
  j["dest_port"] = f.server_port;
  if (!f.vlans.empty()) j["vlan"] = f.vlans;
  j["pkts_toserver"] = ts.packets;
  j["pkts_toclient"] = tc.packets;
  j["bytes_toserver"] = ts.bytes;
  j["bytes_toclient"] = tc.bytes;
  j["payload_bytes_toserver"] = ts.payload_bytes;
  j["payload_bytes_toclient"] = tc.payload_bytes;
  j["start_us"] = f.start_us;
  j["end_us"] = f.end_us;
  j["end"] = flow_end_name(f.end);
  if (!f.app_truth.is_null()) j["app_truth"] = f.app_truth;
  return j;
}

void Manifest::set_capture(uint64_t packets, uint64_t bytes, int64_t first_us, int64_t last_us) {
  packets_ = packets;
  bytes_ = bytes;
  first_us_ = first_us;
  last_us_ = last_us;
}

nlohmann::ordered_json Manifest::to_json() const {
  std::vector<const FlowTruth*> sorted;
  sorted.reserve(flows_.size());
  for (const auto& f : flows_) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const FlowTruth* a, const FlowTruth* b) { return a->id < b->id; });

  nlohmann::ordered_json j;
  j["format"] = "wwgen-manifest";
  j["format_version"] = kFormatVersion;
  j["generator"] = "wwgen";
  j["scenario"] = scenario;
  j["seed"] = seed;
  j["params"] = params;
  j["link_type"] = static_cast<uint32_t>(link);
  j["link_name"] = link_type_display(link);
  j["capture"] = {
      {"packets", packets_}, {"bytes", bytes_}, {"first_us", first_us_}, {"last_us", last_us_}};
  uint64_t tcp = 0, udp = 0, icmp = 0;
  for (const auto* f : sorted) {
    tcp += f->proto == ip_proto::kTcp;
    udp += f->proto == ip_proto::kUdp;
    icmp += f->proto == ip_proto::kIcmp || f->proto == ip_proto::kIcmpv6;
  }
  j["totals"] = {
      {"flows", sorted.size()}, {"tcp_flows", tcp}, {"udp_flows", udp}, {"icmp_flows", icmp}};
  auto& arr = j["flows"] = nlohmann::ordered_json::array();
  for (const auto* f : sorted) arr.push_back(flow_to_json(*f));
  if (!mail.is_null()) j["mail"] = mail;
  if (!hosts.is_null()) j["hosts"] = hosts;
  j["extra"] = extra;
  return j;
}

void Manifest::write(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw std::runtime_error("cannot create manifest '" + path + "': " + std::strerror(errno));
  }
  out << to_json().dump(1) << '\n';
  out.flush();
  if (!out) throw std::runtime_error("cannot write manifest '" + path + "'");
}

}  // namespace ww::gen

#include "tools/gen/flow.h"

namespace ww::gen {

const char* flow_end_name(FlowEnd e) {
  switch (e) {
    case FlowEnd::kFin:
      return "fin";
    case FlowEnd::kRst:
      return "rst";
    case FlowEnd::kNone:
      break;
  }
  return "none";
}

void Flow::count(Direction d, const Packet& p, size_t payload_len) {
  auto& c = truth_.dir[index_of(d)];
  ++c.packets;
  c.bytes += p.frame.size();
  c.payload_bytes += payload_len;
  if (truth_.start_us < 0) truth_.start_us = p.ts_us;
  truth_.end_us = p.ts_us;
}

void Flow::set_endpoints(uint8_t proto, const Endpoint& client, const Endpoint& server,
                         const LinkSpec& link) {
  truth_.proto = proto;
  truth_.client_ip = client.ip;
  truth_.server_ip = server.ip;
  truth_.client_port = client.port;
  truth_.server_port = server.port;
  truth_.vlans.clear();
  if (link.type == LinkType::kEthernet) {
    for (const auto& v : link.vlans) truth_.vlans.push_back(v.id);
  }
}

}  // namespace ww::gen

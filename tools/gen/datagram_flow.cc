#include "tools/gen/datagram_flow.h"

#include <algorithm>

#include "tools/gen/frame_builder.h"

namespace ww::gen {

DatagramFlow::DatagramFlow(const DatagramFlowConfig& cfg, uint8_t proto)
    : cfg_(cfg), clock_(cfg.start_us), ip_id_{cfg.client_ip_id, cfg.server_ip_id} {
  set_endpoints(proto, cfg_.client, cfg_.server, cfg_.link);
}

void DatagramFlow::add(Direction d, Kind kind, std::vector<uint8_t> data, int64_t gap_us,
                       uint16_t echo_seq) {
  clock_ += std::max<int64_t>(gap_us, 0);
  steps_.push_back(Step{d, kind, clock_, std::move(data), echo_seq});
}

void DatagramFlow::next(Packet& out) {
  const Step& s = steps_.front();
  const bool to_server = s.dir == Direction::kToServer;
  const Endpoint& src = to_server ? cfg_.client : cfg_.server;
  const Endpoint& dst = to_server ? cfg_.server : cfg_.client;

  FrameBuilder fb;
  fb.link_spec(cfg_.link);
  if (cfg_.link.type == LinkType::kEthernet) fb.ethernet(src.mac, dst.mac);
  fb.ip(src.ip, dst.ip)
      .ttl(to_server ? cfg_.client_ttl : cfg_.server_ttl)
      .ip_id(ip_id_[index_of(s.dir)]++);
  switch (s.kind) {
    case Kind::kUdp:
      fb.udp(src.port, dst.port);
      break;
    case Kind::kEchoRequest:
    case Kind::kEchoReply:
      fb.icmp_echo(s.kind == Kind::kEchoReply, truth_.client_port, s.echo_seq);
      break;
  }
  fb.payload(s.data);
  fb.build_into(out.frame);
  out.ts_us = s.ts_us;
  count(s.dir, out, s.data.size());
  steps_.pop_front();
}

IcmpEchoFlow::IcmpEchoFlow(const DatagramFlowConfig& cfg, uint16_t echo_id)
    : DatagramFlow(cfg, cfg.client.ip.family == 6 ? ip_proto::kIcmpv6 : ip_proto::kIcmp) {
  truth_.client_port = echo_id;
  truth_.server_port = echo_id;
}

IcmpEchoFlow& IcmpEchoFlow::echo(std::vector<uint8_t> data, int64_t gap_us, int64_t reply_after_us,
                                 bool answered) {
  const uint16_t seq = next_seq_++;
  if (answered) {
    std::vector<uint8_t> copy = data;
    add(Direction::kToServer, Kind::kEchoRequest, std::move(data), gap_us, seq);
    add(Direction::kToClient, Kind::kEchoReply, std::move(copy), reply_after_us, seq);
  } else {
    add(Direction::kToServer, Kind::kEchoRequest, std::move(data), gap_us, seq);
  }
  return *this;
}

}  // namespace ww::gen

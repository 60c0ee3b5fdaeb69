#include "tools/gen/scenario_mixed.h"

#include <algorithm>

#include "tools/gen/app_payloads.h"
#include "tools/gen/datagram_flow.h"
#include "tools/gen/flow_mixer.h"
#include "tools/gen/tcp_flow.h"

namespace ww::gen {
namespace {

constexpr int kTupleAttempts = 64;

enum class TcpKind { kHttp, kTls, kSsh, kSmb, kOther };

const char* app_name(TcpKind k) {
  switch (k) {
    case TcpKind::kHttp:
      return "http";
    case TcpKind::kTls:
      return "tls";
    case TcpKind::kSsh:
      return "ssh";
    case TcpKind::kSmb:
      return "smb";
    case TcpKind::kOther:
      break;
  }
  return "unknown";
}

// Splits `total` into `n` parts of at least one byte that sum to it.
std::vector<uint64_t> split(Rng& r, uint64_t total, uint64_t n) {
  total = std::max<uint64_t>(total, 1);
  n = std::clamp<uint64_t>(n, 1, total);
  std::vector<uint64_t> parts;
  uint64_t left = total;
  for (uint64_t i = 0; i + 1 < n; ++i) {
    const uint64_t later = n - 1 - i;  // parts still to come, one byte each at least
    const uint64_t mean = left / (n - i);
    const uint64_t p = r.uniform(mean / 2, mean + mean / 2);
    parts.push_back(std::clamp<uint64_t>(p, 1, left - later));
    left -= parts.back();
  }
  parts.push_back(left);
  return parts;
}

// Ports for "unknown" traffic. Analysers pick a dissector by port (Wireshark
// tries the lower port, then the higher one), and random bytes handed to a
// real protocol's dissector come out "malformed". So both ends of an unknown
// flow use ports no Wireshark 4.0 dissector registers: servers from a fixed
// list, clients from the dynamic range 49152-65535 minus the few registered
// there (57000). Fixed lists, so the output does not depend on Wireshark.
uint16_t unknown_server_port(Rng& r) {
  static constexpr uint16_t kPorts[] = {7117,  8442,  9123,  10555, 12741, 15331, 19876,
                                        23457, 28113, 31415, 38201, 51973, 60111};
  return kPorts[r.index(std::size(kPorts))];
}
uint16_t unknown_client_port(Rng& r) {
  for (;;) {
    const auto p = static_cast<uint16_t>(r.uniform(49152, 65535));
    if (p != 57000 && p != 51973 && p != 60111) return p;
  }
}

}  // namespace

MixedScenario::MixedScenario(const ScenarioOptions& options, const MixedConfig& config)
    : Scenario(options), cfg_(config), rng_(options.seed), plan_(rng_) {
  cfg_.min_flow_bytes = std::max<uint64_t>(cfg_.min_flow_bytes, 64);
  cfg_.max_flow_bytes = std::max(cfg_.max_flow_bytes, cfg_.min_flow_bytes);
}

void MixedScenario::run(PcapWriter& out, Manifest& manifest) {
  manifest.params = {{"flows", cfg_.size_bytes ? 0 : cfg_.flows},
                     {"size_bytes", cfg_.size_bytes},
                     {"concurrency", cfg_.concurrency},
                     {"min_flow_bytes", cfg_.min_flow_bytes},
                     {"max_flow_bytes", cfg_.max_flow_bytes},
                     {"ipv6_percent", cfg_.ipv6_percent},
                     {"start_us", options_.start_us},
                     {"vlan", options_.vlan}};
  MixerLimits limits;
  limits.concurrency = cfg_.concurrency;
  if (cfg_.size_bytes) {
    limits.max_bytes = cfg_.size_bytes;
  } else {
    limits.max_flows = cfg_.flows;
  }
  FlowMixer mixer([this](uint64_t id, int64_t at) { return make_flow(id, at); },
                  [this] { return static_cast<int64_t>(rng_.uniform(100, 5000)); }, limits);
  mixer.run(options_.start_us, out, manifest);
}

std::unique_ptr<Flow> MixedScenario::make_flow(uint64_t, int64_t start_us) {
  const uint64_t w = rng_.uniform(0, 99);
  if (w < cfg_.tcp_percent) return make_tcp(start_us);
  if (w < cfg_.tcp_percent + cfg_.icmp_percent) return make_icmp(start_us);
  return make_udp(start_us);
}

std::unique_ptr<Flow> MixedScenario::make_tcp(int64_t start_us) {
  Rng r = rng_.fork();  // everything inside the flow comes from its own stream
  const uint64_t w = r.uniform(0, 99);
  const TcpKind kind = w < 42   ? TcpKind::kHttp
                       : w < 78 ? TcpKind::kTls
                       : w < 86 ? TcpKind::kSsh
                       : w < 94 ? TcpKind::kSmb
                                : TcpKind::kOther;
  const bool v6_capable =
      kind == TcpKind::kHttp || kind == TcpKind::kTls || kind == TcpKind::kOther;
  const bool v6 = v6_capable && r.uniform(0, 99) < cfg_.ipv6_percent;
  const bool internal_server = kind == TcpKind::kSmb || (kind == TcpKind::kSsh && r.chance(0.5));
  uint16_t server_port = 0;
  switch (kind) {
    case TcpKind::kHttp:
      server_port = 80;
      break;
    case TcpKind::kTls:
      server_port = 443;
      break;
    case TcpKind::kSsh:
      server_port = 22;
      break;
    case TcpKind::kSmb:
      server_port = 445;
      break;
    case TcpKind::kOther:
      server_port = unknown_server_port(r);
      break;
  }

  TcpFlowConfig tc;
  bool reserved = false;
  for (int i = 0; i < kTupleAttempts && !reserved; ++i) {
    const IpAddress client = v6 ? plan_.internal_v6() : plan_.internal_v4();
    const IpAddress server = internal_server ? (v6 ? plan_.internal_v6() : plan_.internal_v4())
                                             : (v6 ? plan_.external_v6() : plan_.external_v4());
    if (client == server) continue;
    const uint16_t cport =
        kind == TcpKind::kOther ? unknown_client_port(r) : plan_.ephemeral_port();
    if (!plan_.reserve(ip_proto::kTcp, client, cport, server, server_port)) continue;
    tc.client = {client, cport, mac_for(client)};
    tc.server = {server, server_port, mac_for(server)};
    reserved = true;
  }
  if (!reserved) return nullptr;

  tc.link = {options_.link, plan_.vlans_for(tc.client.ip, options_.vlan)};
  tc.client_isn = r.next_u32();
  tc.server_isn = r.next_u32();
  tc.start_us = start_us;
  const bool windows_client = r.chance(0.7);
  tc.timestamps = !windows_client;
  tc.wscale = windows_client ? -1 : static_cast<int>(r.pick({0, 2, 7}));
  tc.sack_permitted = true;
  tc.client_ttl = windows_client ? 128 : 64;
  // One draw per statement: the order of evaluation of operands is unspecified.
  const int initial_ttl = r.pick({64, 128, 255});
  const uint64_t hops = internal_server ? 1 : r.uniform(8, 20);
  tc.server_ttl = static_cast<uint8_t>(initial_ttl - static_cast<int>(hops));
  tc.client_window = windows_client ? static_cast<uint16_t>(r.pick({64240, 65535, 17520}))
                                    : static_cast<uint16_t>(r.pick({5840, 16384, 65535}));
  tc.server_window = static_cast<uint16_t>(r.pick({5840, 16384, 65535}));
  tc.client_mss = v6 ? 1440 : 1460;
  tc.server_mss = static_cast<uint16_t>(v6 ? 1440 : r.pick({1460, 1460, 1380}));
  tc.rtt_us = internal_server ? static_cast<int64_t>(r.uniform(150, 2000))
                              : static_cast<int64_t>(r.log_uniform(4000, 250000));
  tc.bandwidth_bps = internal_server ? 100'000'000 : r.pick({1'544'000, 10'000'000, 45'000'000});
  tc.seed = r.next();

  auto flow = std::make_unique<TcpFlow>(tc);
  flow->truth().app = app_name(kind);
  const uint64_t total = r.log_uniform(cfg_.min_flow_bytes, cfg_.max_flow_bytes);
  const auto to_server = Direction::kToServer;
  const auto to_client = Direction::kToClient;
  auto think = [&] { return static_cast<int64_t>(r.log_uniform(200, 400000)); };

  switch (kind) {
    case TcpKind::kHttp: {
      const std::string host(app::pick_domain(r));
      const auto parts = split(r, total, r.uniform(1, 3));
      for (size_t i = 0; i < parts.size(); ++i) {
        const uint64_t upload = r.chance(0.15) ? parts[i] / 2 : 0;
        if (i) flow->pause(think());
        flow->send(to_server, app::http_request(r, host, upload));
        flow->send(to_client, app::http_response(r, parts[i] - upload));
      }
      break;
    }
    case TcpKind::kTls: {
      flow->send(to_server, app::tls_client_hello(r, app::pick_domain(r)));
      flow->send(to_client, app::tls_server_hello(r));
      flow->send(to_server, app::tls_client_finish(r));
      flow->send(to_client, app::tls_server_finish(r));
      const bool upload = r.chance(0.15);
      for (uint64_t part : split(r, total, r.uniform(1, 4))) {
        const uint64_t small = r.uniform(37, 1500);
        flow->send(to_server, app::tls_application_data(r, upload ? part : small));
        flow->send(to_client, app::tls_application_data(r, upload ? small : part));
      }
      break;
    }
    case TcpKind::kSsh: {
      flow->send(to_client, app::ssh_banner(true));
      flow->send(to_server, app::ssh_banner(false));
      flow->send(to_server, app::ssh_kexinit(r));
      flow->send(to_client, app::ssh_kexinit(r));
      flow->send(to_server, app::ssh_newkeys(r));
      flow->send(to_client, app::ssh_newkeys(r));
      for (uint64_t part : split(r, total, r.uniform(2, 12))) {
        flow->send(to_server, app::ssh_encrypted(r, r.pick({32, 48, 64, 96})));
        flow->send(to_client, app::ssh_encrypted(r, part));
        flow->pause(think());
      }
      break;
    }
    case TcpKind::kSmb: {
      const bool upload = r.chance(0.2);
      for (uint64_t part : split(r, total, r.uniform(2, 6))) {
        const uint64_t small = r.uniform(60, 400);
        flow->send(to_server, app::nbss_messages(r, upload ? part : small));
        flow->send(to_client, app::nbss_messages(r, upload ? small : part));
      }
      break;
    }
    case TcpKind::kOther: {
      for (uint64_t part : split(r, total, r.uniform(1, 5))) {
        const uint64_t request = r.uniform(20, 2000);
        flow->send(to_server, Payload::random(request, r.next()));
        flow->send(to_client, Payload::random(part, r.next()));
        flow->pause(think());
      }
      break;
    }
  }

  const uint64_t t = r.uniform(0, 99);
  if (t < 55) {
    flow->close(to_server);
  } else if (t < 80) {
    flow->close(to_client);
  } else if (t < 86) {
    flow->close(r.chance(0.5) ? to_server : to_client, true);
  } else if (t < 95) {
    flow->reset(r.chance(0.5) ? to_server : to_client);
  }  // else: no teardown in the capture
  return flow;
}

std::unique_ptr<Flow> MixedScenario::make_udp(int64_t start_us) {
  Rng r = rng_.fork();
  const uint64_t w = r.uniform(0, 99);
  enum class Kind {
    kDns,
    kNtp,
    kSyslog
  } kind = w < 70   ? Kind::kDns
           : w < 85 ? Kind::kNtp
                    : Kind::kSyslog;
  const bool v6 = kind == Kind::kDns && r.uniform(0, 99) < cfg_.ipv6_percent;

  DatagramFlowConfig dc;
  bool reserved = false;
  for (int i = 0; i < kTupleAttempts && !reserved; ++i) {
    IpAddress client = v6 ? plan_.internal_v6() : plan_.internal_v4();
    IpAddress server;
    uint16_t sport = 0;
    uint16_t cport = plan_.ephemeral_port();
    switch (kind) {
      case Kind::kDns:
        server = v6 ? ip6({0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x53})
                    : ip4(10, 1, 0, static_cast<uint8_t>(r.pick({53, 54})));
        sport = 53;
        break;
      case Kind::kNtp:
        server = plan_.external_v4();
        sport = 123;
        if (r.chance(0.5)) cport = 123;
        break;
      case Kind::kSyslog:
        server = ip4(10, 1, 0, 10);
        sport = 514;
        if (r.chance(0.5)) cport = 514;
        break;
    }
    if (!plan_.reserve(ip_proto::kUdp, client, cport, server, sport)) continue;
    dc.client = {client, cport, mac_for(client)};
    dc.server = {server, sport, mac_for(server)};
    reserved = true;
  }
  if (!reserved) return nullptr;
  dc.link = {options_.link, plan_.vlans_for(dc.client.ip, options_.vlan)};
  dc.start_us = start_us;
  dc.client_ttl = static_cast<uint8_t>(r.pick({64, 128}));
  dc.server_ttl = static_cast<uint8_t>(kind == Kind::kNtp ? 64 - r.uniform(8, 20) : 63);
  dc.client_ip_id = static_cast<uint16_t>(r.next());
  dc.server_ip_id = static_cast<uint16_t>(r.next());

  auto flow = std::make_unique<UdpFlow>(dc);
  switch (kind) {
    case Kind::kDns: {
      flow->truth().app = "dns";
      const uint64_t n = r.uniform(1, 3);
      for (uint64_t i = 0; i < n; ++i) {
        const uint64_t t = r.uniform(0, 9);
        const app::DnsType type = t < 7   ? app::DnsType::kA
                                  : t < 8 ? app::DnsType::kAaaa
                                          : app::DnsType::kMx;
        const std::string name(type == app::DnsType::kMx ? "example.org" : app::pick_domain(r));
        const uint16_t id = static_cast<uint16_t>(r.next());
        const int64_t gap = i ? static_cast<int64_t>(r.uniform(1000, 300000)) : 0;
        const int64_t rtt = static_cast<int64_t>(r.log_uniform(200, 80000));
        flow->send(Direction::kToServer, Payload::bytes(app::dns_query(id, name, type)), gap);
        flow->send(Direction::kToClient, Payload::bytes(app::dns_response(r, id, name, type)), rtt);
      }
      break;
    }
    case Kind::kNtp: {
      flow->truth().app = "ntp";
      const uint64_t n = r.uniform(1, 2);
      int64_t t = start_us;
      for (uint64_t i = 0; i < n; ++i) {
        const int64_t gap = i ? static_cast<int64_t>(r.uniform(1'000'000, 2'000'000)) : 0;
        const int64_t rtt = static_cast<int64_t>(r.uniform(5000, 120000));
        t += gap;
        flow->send(Direction::kToServer, Payload::bytes(app::ntp_packet(r, false, t)), gap);
        t += rtt;
        flow->send(Direction::kToClient, Payload::bytes(app::ntp_packet(r, true, t)), rtt);
      }
      break;
    }
    case Kind::kSyslog: {
      flow->truth().app = "syslog";
      const uint64_t n = r.uniform(1, 5);
      int64_t t = start_us;
      const std::string host = "host" + std::to_string(dc.client.ip.bytes[3]);
      for (uint64_t i = 0; i < n; ++i) {
        const int64_t gap = i ? static_cast<int64_t>(r.uniform(10'000, 2'000'000)) : 0;
        t += gap;
        flow->send(Direction::kToServer, Payload::text(app::syslog_line(r, t, host)), gap);
      }
      break;
    }
  }
  return flow;
}

std::unique_ptr<Flow> MixedScenario::make_icmp(int64_t start_us) {
  Rng r = rng_.fork();
  const bool v6 = r.uniform(0, 99) < cfg_.ipv6_percent;
  DatagramFlowConfig dc;
  uint16_t echo_id = 0;
  bool reserved = false;
  for (int i = 0; i < kTupleAttempts && !reserved; ++i) {
    const IpAddress client = v6 ? plan_.internal_v6() : plan_.internal_v4();
    const IpAddress server = v6 ? plan_.external_v6() : plan_.external_v4();
    echo_id = static_cast<uint16_t>(r.uniform(1, 65535));
    const uint8_t proto = v6 ? ip_proto::kIcmpv6 : ip_proto::kIcmp;
    if (!plan_.reserve(proto, client, echo_id, server, echo_id)) continue;
    dc.client = {client, 0, mac_for(client)};
    dc.server = {server, 0, mac_for(server)};
    reserved = true;
  }
  if (!reserved) return nullptr;
  dc.link = {options_.link, plan_.vlans_for(dc.client.ip, options_.vlan)};
  dc.start_us = start_us;
  const bool windows = r.chance(0.6);
  dc.client_ttl = windows ? 128 : 64;
  const int initial_ttl = r.pick({64, 128, 255});
  const uint64_t hops = r.uniform(8, 20);
  dc.server_ttl = static_cast<uint8_t>(initial_ttl - static_cast<int>(hops));
  dc.client_ip_id = static_cast<uint16_t>(r.next());
  dc.server_ip_id = static_cast<uint16_t>(r.next());

  auto flow = std::make_unique<IcmpEchoFlow>(dc, echo_id);
  flow->truth().app = "echo";
  std::vector<uint8_t> data;
  if (windows) {
    const std::string_view w = "abcdefghijklmnopqrstuvwabcdefghi";
    data.assign(w.begin(), w.end());
  } else {
    data.resize(56);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
  }
  const uint64_t n = r.uniform(1, 4);
  for (uint64_t i = 0; i < n; ++i) {
    const int64_t gap = i ? static_cast<int64_t>(r.uniform(990'000, 1'010'000)) : 0;
    const int64_t rtt = static_cast<int64_t>(r.log_uniform(3000, 250000));
    flow->echo(data, gap, rtt);
  }
  return flow;
}

}  // namespace ww::gen

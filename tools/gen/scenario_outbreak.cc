#include "tools/gen/scenario_outbreak.h"

#include <algorithm>
#include <set>

#include "tools/gen/flow_mixer.h"
#include "tools/gen/frame_builder.h"
#include "tools/gen/mail_content.h"
#include "tools/gen/smtp_dialog.h"
#include "tools/gen/tcp_flow.h"

namespace ww::gen {
namespace {

constexpr int kTupleAttempts = 64;
// A worm's mailing run: sessions one after another, 1-4 s apart (15-60 a minute;
// MyDoom's mailer sent as fast as its SMTP sessions completed).
constexpr uint32_t kRunMin = 10;
constexpr uint32_t kRunMax = 14;
constexpr int64_t kRunGapMinUs = 1'000'000;
constexpr int64_t kRunGapMaxUs = 4'000'000;
const IpAddress kRelay = ip4(10, 1, 0, 25);
constexpr const char* kRelayName = "relay.corp.example.org";
constexpr const char* kCorpDomain = "corp.example.org";

constexpr const char* kUsers[] = {"alice", "bob",  "carol", "dave", "erin",  "frank",
                                  "grace", "heidi", "ivan", "judy", "mallory", "oscar",
                                  "peggy", "trent", "victor", "walter"};
constexpr const char* kDomains[] = {"example.com",      "example.net",     "example.org",
                                    "acme.example",     "globex.example",  "initech.example",
                                    "umbrella.example", "hooli.example",   "vandelay.example",
                                    "wonka.example",    "stark.example",   "wayne.example"};
// MyDoom's upload magic on the backdoor port.
constexpr uint8_t kBackdoorMagic[] = {0x85, 0x13, 0x3c, 0x9e, 0xa2};

std::string user(Rng& r) { return kUsers[r.index(std::size(kUsers))]; }
std::string domain(Rng& r) { return kDomains[r.index(std::size(kDomains))]; }

// A probe the target does not accept: SYN, then RST|ACK from the target or
// nothing at all (host down, or filtered).
class SynProbeFlow : public Flow {
 public:
  SynProbeFlow(const Endpoint& c, const Endpoint& s, const LinkSpec& link, int64_t start_us,
               uint32_t isn, bool rst, int64_t rtt_us, uint16_t ip_id)
      : c_(c), s_(s), link_(link), start_(start_us), isn_(isn), rst_(rst), rtt_(rtt_us),
        ip_id_(ip_id) {
    set_endpoints(ip_proto::kTcp, c, s, link);
  }
  bool done() override { return step_ >= (rst_ ? 2 : 1); }
  int64_t next_time_us() override { return step_ == 0 ? start_ : start_ + rtt_; }
  void next(Packet& out) override {
    const bool syn = step_ == 0;
    const Endpoint& src = syn ? c_ : s_;
    const Endpoint& dst = syn ? s_ : c_;
    FrameBuilder fb;
    fb.link_spec(link_);
    if (link_.type == LinkType::kEthernet) fb.ethernet(src.mac, dst.mac);
    fb.ip(src.ip, dst.ip).ttl(syn ? 113 : 128).ip_id(syn ? ip_id_ : 0).ip_dont_fragment(syn);
    fb.tcp(src.port, dst.port);
    if (syn) {
      fb.seq(isn_).ack(0).flags(tcp_flag::kSyn).window(65535).mss(1460).nop().nop().sack_permitted();
    } else {
      fb.seq(0).ack(isn_ + 1).flags(tcp_flag::kRst | tcp_flag::kAck).window(0);
    }
    fb.build_into(out.frame);
    out.ts_us = next_time_us();
    count(syn ? Direction::kToServer : Direction::kToClient, out, 0);
    if (!syn) truth_.end = FlowEnd::kRst;
    ++step_;
  }

 private:
  Endpoint c_, s_;
  LinkSpec link_;
  int64_t start_;
  uint32_t isn_;
  bool rst_;
  int64_t rtt_;
  uint16_t ip_id_;
  int step_ = 0;
};

void stack(TcpFlowConfig& tc, Rng& r, bool internal) {
  const bool windows = r.chance(0.7);
  tc.timestamps = !windows;
  tc.wscale = windows ? -1 : 2;
  tc.client_ttl = windows ? 128 : 64;
  const uint64_t hops = internal ? 1 : r.uniform(8, 20);
  tc.server_ttl = static_cast<uint8_t>(64 - hops);
  tc.rtt_us = internal ? static_cast<int64_t>(r.uniform(200, 2000))
                       : static_cast<int64_t>(r.log_uniform(8000, 250000));
  tc.bandwidth_bps = internal ? 100'000'000 : r.pick({1'544'000, 10'000'000});
}

std::string ip_text(const IpAddress& a) { return format_ip(a); }

}  // namespace

// With a message target the worm mail is known in advance: share x target, split
// into runs of at most kRunMax, at least one per infected host (so every one of
// them mails), the lengths as even as possible.
void OutbreakScenario::Scheduler::plan_runs() {
  runs.clear();
  if (!outbreak || !worm_hosts || !limit) return;
  const auto share_ppm = static_cast<uint64_t>(share * 1e6 + 0.5);
  const uint64_t total = (share_ppm * limit + 500'000) / 1'000'000;
  if (total == 0) return;
  const uint64_t n = std::min<uint64_t>(total, std::max<uint64_t>(worm_hosts, (total + kRunMax - 1) / kRunMax));
  for (uint64_t i = 0; i < n; ++i) runs.push_back(static_cast<uint32_t>(total / n + (i < total % n)));
}

std::optional<OutbreakScenario::Plan> OutbreakScenario::Scheduler::next() {
  if (limit && messages >= limit) return std::nullopt;
  if (run_left > 0) {  // the current mailing run goes on, nothing in between
    Plan p;
    p.kind = Kind::kWorm;
    p.transactions = 1;
    p.worm_host = run_host;
    p.burst_next = true;
    --run_left;
    ++infected;
    ++messages;
    return p;
  }
  if (sweep_left > 0) {
    --sweep_left;
    Plan p;
    p.kind = Kind::kScanProbe;
    p.scanner = sweep_scanner;
    p.to_listener = have_3127_listener && sweep_left == sweep_listener_at;
    return p;
  }
  const uint64_t w = rng.uniform(0, 99);
  if (w < background_percent) return Plan{Kind::kBackground};
  if (outbreak) {
    const uint64_t w2 = rng.uniform(0, 99);
    if (w2 < 3 && scanners > 0) {
      sweep_left = rng.uniform(20, 60);
      sweep_scanner = rng.index(scanners);
      sweep_listener_at = rng.index(sweep_left);
      return next();
    }
    if (w2 < 8) return Plan{Kind::kBackdoorIn};
  }
  Plan p;
  // Integer arithmetic: share in parts per million.
  const auto share_ppm = static_cast<uint64_t>(share * 1e6 + 0.5);
  if (outbreak && worm_hosts && run_left == 0 && run_length == 0) {
    // The next mailing run: planned lengths with a message target, else 10-14.
    if (runs_started < runs.size()) run_length = runs[runs_started];
    else if (runs.empty() || limit == 0) run_length = static_cast<uint32_t>(rng.uniform(kRunMin, kRunMax));
  }
  const bool start_run = outbreak && run_left == 0 && run_length > 0 &&
                         (infected + run_length / 2) * 1'000'000 <= share_ppm * (messages + 1);
  if (start_run) {
    run_host = runs_started++ % worm_hosts;
    run_left = run_length - 1;  // this plan is the run's first session
    run_length = 0;
    p.kind = Kind::kWorm;
    p.transactions = 1;
    p.worm_host = run_host;
    ++infected;
  } else if (relay <= submitted) {
    p.kind = Kind::kRelayOut;
    p.transactions = static_cast<uint32_t>(rng.uniform(1, 4));
  } else {
    p.kind = Kind::kSubmission;
    p.transactions = static_cast<uint32_t>(rng.uniform(1, 3));
  }
  if (limit) p.transactions = static_cast<uint32_t>(std::min<uint64_t>(p.transactions, limit - messages));
  if (p.kind == Kind::kRelayOut) relay += p.transactions;
  if (p.kind == Kind::kSubmission) submitted += p.transactions;
  messages += p.transactions;
  return p;
}

OutbreakScenario::OutbreakScenario(const ScenarioOptions& options, const OutbreakConfig& config)
    : Scenario(options), cfg_(config), rng_(options.seed), plan_(rng_) {
  cfg_.hosts = std::max<uint64_t>(cfg_.hosts, 2);
  if (!cfg_.outbreak) cfg_.infected_hosts = 0;
  else if (cfg_.infected_hosts == 0) cfg_.infected_hosts = std::max<uint64_t>(1, cfg_.hosts / 10);
  cfg_.infected_hosts = std::min(cfg_.infected_hosts, cfg_.hosts - 1);
  if (!cfg_.outbreak) cfg_.scanners = 0;

  // Office hosts: distinct 10.1.<1-20>.<2-254> addresses, infected ones first.
  std::set<IpAddress> seen;
  while (office_.size() < cfg_.hosts) {
    const IpAddress a = plan_.internal_v4();
    if (seen.insert(a).second) office_.push_back(a);
  }
  for (uint64_t i = 0; i < cfg_.infected_hosts; ++i) {
    // MyDoom.A listens on the first free port of 3127-3198; mostly 3127.
    const bool first = i == 0 || rng_.chance(0.7);
    const auto other = static_cast<uint16_t>(rng_.uniform(3128, 3198));
    listen_port_.push_back(first ? 3127 : other);
  }
  for (uint64_t i = 0; i < cfg_.scanners; ++i) {
    scanners_.push_back(ip4(203, 0, 113, static_cast<uint8_t>(200 + i % 50)));
  }
  sched_.rng = rng_.fork();
  sched_.outbreak = cfg_.outbreak;
  sched_.share = cfg_.outbreak ? cfg_.infected_share : 0.0;
  sched_.background_percent = cfg_.background_percent;
  sched_.scanners = cfg_.scanners;
  sched_.have_3127_listener = !listen_port_.empty();
  sched_.worm_hosts = cfg_.outbreak ? listen_port_.size() : 0;

  ScenarioOptions bo = options;
  bo.seed = options.seed ^ 0x6d79646f6f6d3034ull;  // "mydoom04": background differs from mixed
  MixedConfig mc;
  mc.max_flow_bytes = std::max<uint64_t>(cfg_.max_background_bytes, 400);
  background_ = std::make_unique<MixedScenario>(bo, mc);
}

void OutbreakScenario::run(PcapWriter& out, Manifest& manifest) {
  manifest.params = {{"hosts", cfg_.hosts},
                     {"infected_hosts", cfg_.infected_hosts},
                     {"messages", cfg_.size_bytes ? 0 : cfg_.messages},
                     {"size_bytes", cfg_.size_bytes},
                     {"duration_s", cfg_.duration_s},
                     {"infected_share", cfg_.outbreak ? cfg_.infected_share : 0.0},
                     {"background_percent", cfg_.background_percent},
                     {"scanners", cfg_.scanners},
                     {"concurrency", cfg_.concurrency},
                     {"start_us", options_.start_us},
                     {"vlan", options_.vlan}};
  MixerLimits limits;
  limits.concurrency = cfg_.concurrency;
  uint64_t expected_flows = 0;
  if (cfg_.size_bytes) {
    limits.max_bytes = cfg_.size_bytes;
    expected_flows = std::max<uint64_t>(cfg_.size_bytes / 30000, 1);  // ~30 KB per flow
  } else {
    sched_.limit = std::max<uint64_t>(cfg_.messages, 1);
    sched_.plan_runs();
    Scheduler dry = sched_;  // same draws as the real run
    while (dry.next()) ++expected_flows;
    limits.max_flows = expected_flows;
  }
  mean_gap_us_ = std::max<int64_t>(
      static_cast<int64_t>(cfg_.duration_s * 1'000'000 / std::max<uint64_t>(expected_flows, 1)),
      1000);

  auto factory = [this](uint64_t id, int64_t at) -> std::unique_ptr<Flow> {
    if (!pending_) pending_ = sched_.next();
    if (!pending_) return nullptr;
    const Plan p = *pending_;
    pending_.reset();
    return make_flow(p, id, at);
  };
  auto gap = [this]() -> int64_t {
    if (!pending_) pending_ = sched_.next();
    if (pending_ && pending_->kind == Kind::kScanProbe) {
      return static_cast<int64_t>(sched_.rng.uniform(1000, 20000));
    }
    if (pending_ && pending_->kind == Kind::kWorm && pending_->burst_next) {
      return static_cast<int64_t>(sched_.rng.uniform(kRunGapMinUs, kRunGapMaxUs));
    }
    const auto half = static_cast<uint64_t>(mean_gap_us_ / 2);
    return static_cast<int64_t>(sched_.rng.uniform(half, 3 * half));
  };
  FlowMixer mixer(factory, gap, limits);
  mixer.run(options_.start_us, out, manifest);

  manifest.mail = ledger_.build(manifest, cfg_.outbreak ? cfg_.infected_share : 0.0);
  nlohmann::ordered_json hosts;
  hosts["home_net"] = {"10.0.0.0/8", "2001:db8:1::/48"};
  hosts["mail_relays"] = {ip_text(kRelay)};
  auto& inf = hosts["infected"] = nlohmann::ordered_json::array();
  auto& lis = hosts["listeners"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < listen_port_.size(); ++i) {
    inf.push_back(ip_text(office_[i]));
    lis.push_back({{"host", ip_text(office_[i])}, {"port", listen_port_[i]}});
  }
  auto& sc = hosts["scanners"] = nlohmann::ordered_json::array();
  for (const auto& s : scanners_) sc.push_back(ip_text(s));
  std::vector<IpAddress> benign(office_.begin() + static_cast<ptrdiff_t>(listen_port_.size()),
                                office_.end());
  std::sort(benign.begin(), benign.end());
  auto& bn = hosts["benign"] = nlohmann::ordered_json::array();
  for (const auto& b : benign) bn.push_back(ip_text(b));
  manifest.hosts = std::move(hosts);
}

std::unique_ptr<Flow> OutbreakScenario::make_flow(const Plan& p, uint64_t id, int64_t start_us) {
  switch (p.kind) {
    case Kind::kBackground:
      return background_->background_flow(start_us);
    case Kind::kBackdoorIn:
      return make_backdoor(false, 0, start_us);
    case Kind::kScanProbe:
      return p.to_listener ? make_backdoor(true, p.scanner, start_us)
                           : make_probe(p.scanner, start_us);
    default:
      return make_mail(p, id, start_us);
  }
}

std::unique_ptr<Flow> OutbreakScenario::make_mail(const Plan& p, uint64_t id, int64_t start_us) {
  Rng r = rng_.fork();
  TcpFlowConfig tc;
  IpAddress client;
  IpAddress server;
  uint16_t port = 25;
  const bool internal = p.kind == Kind::kSubmission;
  bool reserved = false;
  for (int i = 0; i < kTupleAttempts && !reserved; ++i) {
    switch (p.kind) {
      case Kind::kSubmission:
        client = office_[r.index(office_.size())];
        server = kRelay;
        port = r.chance(0.4) ? 587 : 25;
        break;
      case Kind::kRelayOut:
        client = kRelay;
        server = plan_.external_v4();
        break;
      default:  // worm: an infected host straight to an external MX
        client = office_[p.worm_host % std::max<size_t>(listen_port_.size(), 1)];
        server = plan_.external_v4();
        break;
    }
    const uint16_t cport = plan_.ephemeral_port();
    if (!plan_.reserve(ip_proto::kTcp, client, cport, server, port)) continue;
    tc.client = {client, cport, mac_for(client)};
    tc.server = {server, port, mac_for(server)};
    reserved = true;
  }
  if (!reserved) return nullptr;
  tc.link = {options_.link, plan_.vlans_for(client, options_.vlan)};
  tc.client_isn = r.next_u32();
  tc.server_isn = r.next_u32();
  tc.start_us = start_us;
  stack(tc, r, internal);
  tc.seed = r.next();
  tc.reorder_percent = options_.reorder_percent;

  SmtpDialog d;
  std::vector<MailTransactionTruth> truth;
  const std::string mx_domain = domain(r);
  switch (p.kind) {
    case Kind::kSubmission:
      d.server_name = kRelayName;
      d.client_name = "pc" + std::to_string(client.bytes[2]) + "-" +
                      std::to_string(client.bytes[3]) + "." + kCorpDomain;
      break;
    case Kind::kRelayOut:
      d.server_name = "mx." + mx_domain;
      d.client_name = kRelayName;
      break;
    default:
      d.server_name = "mx." + mx_domain;
      d.banner = r.pick({0, 1}) ? "ESMTP Sendmail 8.12.10/8.12.10" : "ESMTP Postfix";
      {
        const uint64_t len = r.uniform(5, 9);
        d.client_name = r.text(len, "abcdefghijklmnopqrstuvwxyz");
      }
      d.esmtp = r.chance(0.5);
      break;
  }
  const bool pipelining = d.esmtp && p.kind != Kind::kWorm && r.chance(0.5);
  for (uint32_t i = 0; i < p.transactions; ++i) {
    SmtpDialogTransaction t;
    MailTransactionTruth mt;
    const int64_t date = start_us + static_cast<int64_t>(i) * 1'000'000;
    const std::string msgid = std::to_string(start_us / 1000000) + "." + std::to_string(id) + "." +
                              std::to_string(i) + "@" +
                              (p.kind == Kind::kWorm ? mx_domain : std::string(kCorpDomain));
    mail::Message m;
    if (p.kind == Kind::kWorm) {
      // Spoofed sender, harvested recipient.
      const std::string from_user = user(r);
      const std::string from_dom = domain(r);
      t.mail_from = from_user + "@" + from_dom;
      const std::string to_user = user(r);
      t.rcpt_to = {to_user + "@" + mx_domain};
      m = mail::worm_message(r, t.mail_from, t.rcpt_to[0], date, msgid);
    } else {
      t.mail_from = user(r) + "@" + kCorpDomain;
      const uint64_t n = r.uniform(1, p.kind == Kind::kSubmission ? 4 : 3);
      for (uint64_t k = 0; k < n; ++k) {
        const bool external = p.kind == Kind::kRelayOut || r.chance(0.5);
        const std::string who = user(r);
        const std::string dom = !external                   ? std::string(kCorpDomain)
                                : p.kind == Kind::kRelayOut ? mx_domain
                                                            : domain(r);
        t.rcpt_to.push_back(who + "@" + dom);
      }
      m = mail::office_message(r, t.mail_from, t.rcpt_to, date, msgid);
    }
    t.message = std::move(m.text);
    t.pipelined = pipelining;
    mt.mail_from = t.mail_from;
    mt.rcpt_to = t.rcpt_to;
    mt.subject = m.subject;
    mt.attachments = std::move(m.attachments);
    d.transactions.push_back(std::move(t));
    truth.push_back(std::move(mt));
  }
  auto flow = std::make_unique<TcpFlow>(tc);
  add_smtp_dialog(*flow, d, r);
  flow->close(r.chance(0.5) ? Direction::kToClient : Direction::kToServer);
  flow->truth().app = "smtp";
  flow->truth().app_truth = ledger_.add(id, d.client_name, truth);
  flow->truth().app_truth["role"] = p.kind == Kind::kWorm       ? "worm"
                                    : p.kind == Kind::kRelayOut ? "relay"
                                                                : "submission";
  return flow;
}

std::unique_ptr<Flow> OutbreakScenario::make_backdoor(bool from_scanner, uint64_t scanner,
                                                      int64_t start_us) {
  if (listen_port_.empty()) return nullptr;
  Rng r = rng_.fork();
  TcpFlowConfig tc;
  bool reserved = false;
  size_t target = 0;
  for (int i = 0; i < kTupleAttempts && !reserved; ++i) {
    if (from_scanner) {
      // Sweeps hit 3127: one of the hosts listening there.
      std::vector<size_t> on_3127;
      for (size_t k = 0; k < listen_port_.size(); ++k) {
        if (listen_port_[k] == 3127) on_3127.push_back(k);
      }
      target = on_3127[r.index(on_3127.size())];
    } else {
      target = r.index(listen_port_.size());
    }
    const IpAddress client = from_scanner ? scanners_[scanner] : plan_.external_v4();
    const uint16_t cport = plan_.ephemeral_port();
    if (!plan_.reserve(ip_proto::kTcp, client, cport, office_[target], listen_port_[target])) {
      continue;
    }
    tc.client = {client, cport, mac_for(client)};
    tc.server = {office_[target], listen_port_[target], mac_for(office_[target])};
    reserved = true;
  }
  if (!reserved) return nullptr;
  tc.link = {options_.link, plan_.vlans_for(tc.server.ip, options_.vlan)};
  tc.client_isn = r.next_u32();
  tc.server_isn = r.next_u32();
  tc.start_us = start_us;
  stack(tc, r, false);
  tc.client_ttl = 113;
  tc.server_ttl = 128;
  tc.seed = r.next();
  auto flow = std::make_unique<TcpFlow>(tc);
  const bool upload = from_scanner || r.chance(0.6);
  uint64_t size = 0;
  if (upload) {
    size = r.uniform(512, 30000);
    Payload pl;
    pl.append(std::vector<uint8_t>(std::begin(kBackdoorMagic), std::end(kBackdoorMagic)));
    pl.append_random(size, r.next());
    flow->send(Direction::kToServer, std::move(pl));
  } else {
    flow->pause(static_cast<int64_t>(r.uniform(100'000, 2'000'000)));
  }
  flow->close(Direction::kToServer);
  flow->truth().app = "";
  flow->truth().app_truth = {{"role", from_scanner ? "scan-upload" : "backdoor"},
                             {"listener", ip_text(office_[target])},
                             {"port", listen_port_[target]},
                             {"upload", upload},
                             {"upload_bytes", upload ? size + 5 : 0}};
  return flow;
}

std::unique_ptr<Flow> OutbreakScenario::make_probe(uint64_t scanner, int64_t start_us) {
  Rng r = rng_.fork();
  const IpAddress client = scanners_[scanner];
  for (int i = 0; i < kTupleAttempts; ++i) {
    const IpAddress target = plan_.internal_v4();
    if (std::find(office_.begin(), office_.begin() + static_cast<ptrdiff_t>(listen_port_.size()),
                  target) != office_.begin() + static_cast<ptrdiff_t>(listen_port_.size())) {
      continue;  // listeners are probed by the sweep's full connection
    }
    const uint16_t cport = plan_.ephemeral_port();
    if (!plan_.reserve(ip_proto::kTcp, client, cport, target, 3127)) continue;
    const Endpoint c{client, cport, mac_for(client)};
    const Endpoint s{target, 3127, mac_for(target)};
    const bool rst = r.chance(0.7);
    const int64_t rtt = static_cast<int64_t>(r.log_uniform(20000, 200000));
    const uint32_t isn = r.next_u32();
    const auto ip_id = static_cast<uint16_t>(r.next());
    auto flow = std::make_unique<SynProbeFlow>(
        c, s, LinkSpec{options_.link, plan_.vlans_for(target, options_.vlan)}, start_us, isn, rst,
        rtt, ip_id);
    flow->truth().app_truth = {{"role", "scan-probe"}, {"answered", rst}};
    return flow;
  }
  return nullptr;
}

}  // namespace ww::gen

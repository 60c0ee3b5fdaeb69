#include "tools/gen/scenario_smtp.h"

#include "tools/gen/flow_mixer.h"
#include "tools/gen/smtp_session.h"
#include "tools/gen/tcp_flow.h"

namespace ww::gen {
namespace {

constexpr std::string_view kUsers[] = {"alice", "bob",   "carol", "dave", "erin",
                                       "frank", "grace", "heidi", "ivan", "judy"};
constexpr std::string_view kSubjects[] = {
    "Meeting notes",     "Quarterly report", "Lunch on Friday?", "Re: server upgrade",
    "Invoice 2004-0117", "Travel plans",     "Status update",    "Fwd: photos"};
constexpr std::string_view kBodies[] = {
    "Hi,\n\nplease find the notes from this morning below.\n\n- budget approved\n- next review "
    "in two weeks\n\nRegards\n",
    "Hello,\n\nthe report is ready for review. Numbers look fine.\n.\nA line with a single dot "
    "above, to exercise dot-stuffing.\n",
    "Are we still on for Friday? 12:30 at the usual place.\n",
    "The upgrade is scheduled for Saturday 06:00-08:00 UTC.\n..and expect a short outage.\n",
};

}  // namespace

SmtpScenario::SmtpScenario(const ScenarioOptions& options, const SmtpConfig& config)
    : Scenario(options), cfg_(config), rng_(options.seed), plan_(rng_) {}

void SmtpScenario::run(PcapWriter& out, Manifest& manifest) {
  manifest.params = {{"port", cfg_.port},
                     {"sessions", cfg_.sessions},
                     {"concurrency", cfg_.concurrency},
                     {"start_us", options_.start_us},
                     {"vlan", options_.vlan}};
  MixerLimits limits;
  limits.max_flows = cfg_.sessions;
  limits.concurrency = cfg_.concurrency;
  FlowMixer mixer([this](uint64_t id, int64_t at) { return make_session(id, at); },
                  [this] { return static_cast<int64_t>(rng_.uniform(50'000, 2'000'000)); }, limits);
  mixer.run(options_.start_us, out, manifest);
}

std::unique_ptr<Flow> SmtpScenario::make_session(uint64_t id, int64_t start_us) {
  Rng r = rng_.fork();
  const IpAddress server = ip4(192, 0, 2, 25);
  TcpFlowConfig tc;
  bool reserved = false;
  for (int i = 0; i < 64 && !reserved; ++i) {
    const IpAddress client = plan_.internal_v4();
    const uint16_t cport = plan_.ephemeral_port();
    if (!plan_.reserve(ip_proto::kTcp, client, cport, server, cfg_.port)) continue;
    tc.client = {client, cport, mac_for(client)};
    tc.server = {server, cfg_.port, mac_for(server)};
    reserved = true;
  }
  if (!reserved) return nullptr;
  tc.link = {options_.link, plan_.vlans_for(tc.client.ip, options_.vlan)};
  tc.client_isn = r.next_u32();
  tc.server_isn = r.next_u32();
  tc.start_us = start_us;
  const bool windows_client = r.chance(0.7);
  tc.timestamps = !windows_client;
  tc.wscale = windows_client ? -1 : 2;
  tc.client_ttl = windows_client ? 128 : 64;
  tc.server_ttl = 52;
  tc.rtt_us = static_cast<int64_t>(r.log_uniform(2000, 120000));
  tc.bandwidth_bps = 10'000'000;
  tc.seed = r.next();

  SmtpSessionSpec spec;
  spec.server_name = "mail.example.com";
  spec.client_name = "pc" + std::to_string(tc.client.ip.bytes[2]) + "-" +
                     std::to_string(tc.client.ip.bytes[3]) + ".corp.example.org";
  spec.esmtp = true;
  SmtpSessionSpec::Transaction t;
  const std::string sender(kUsers[r.index(std::size(kUsers))]);
  t.mail_from = sender + "@corp.example.org";
  const uint64_t nrcpt = r.uniform(1, 3);
  for (uint64_t i = 0; i < nrcpt; ++i) {
    t.rcpt_to.push_back(std::string(kUsers[r.index(std::size(kUsers))]) + "@example.com");
  }
  TextMail mail;
  mail.from = t.mail_from;
  mail.to = t.rcpt_to;
  mail.subject = std::string(kSubjects[r.index(std::size(kSubjects))]);
  mail.body = std::string(kBodies[r.index(std::size(kBodies))]);
  mail.date_us = start_us;
  mail.message_id = std::to_string(start_us / 1000000) + "." + std::to_string(id) + "." +
                    r.text(8, "0123456789abcdef") + "@corp.example.org";
  t.message = make_text_mail(mail);
  spec.transactions.push_back(std::move(t));

  auto flow = std::make_unique<TcpFlow>(tc);
  add_smtp_session(*flow, spec, r);
  flow->close(r.chance(0.5) ? Direction::kToClient : Direction::kToServer);
  flow->truth().app = "smtp";
  flow->truth().app_truth = smtp_truth(spec);
  flow->truth().app_truth["transactions"][0]["subject"] = mail.subject;
  return flow;
}

}  // namespace ww::gen

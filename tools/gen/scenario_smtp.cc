#include "tools/gen/scenario_smtp.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "tools/gen/flow_mixer.h"
#include "tools/gen/smtp_dialog.h"
#include "tools/gen/smtp_session.h"
#include "tools/gen/tcp_flow.h"
#include "tools/gen/time_format.h"
#include "tools/gen/zip_writer.h"

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

mime::Bytes read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read attachment file " + path);
  return mime::Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

SmtpAttachFile parse_attach_spec(const std::string& spec, bool infected) {
  SmtpAttachFile f;
  f.infected = infected;
  const auto c1 = spec.find(':');
  f.path = spec.substr(0, c1);
  if (c1 != std::string::npos) {
    const auto c2 = spec.find(':', c1 + 1);
    f.encoding = spec.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    if (c2 != std::string::npos) f.name = spec.substr(c2 + 1);
  }
  if (f.path.empty()) throw std::invalid_argument("attachment '" + spec + "' has no path");
  if (f.encoding != "base64" && f.encoding != "quoted-printable" && f.encoding != "7bit" &&
      f.encoding != "binary" && f.encoding != "zip") {
    throw std::invalid_argument("attachment '" + spec + "': encoding '" + f.encoding +
                                "' is not base64, quoted-printable, 7bit, binary or zip");
  }
  if (f.name.empty()) f.name = base_name(f.path) + (f.encoding == "zip" ? ".zip" : "");
  return f;
}

SmtpScenario::SmtpScenario(const ScenarioOptions& options, const SmtpConfig& config)
    : Scenario(options), cfg_(config), rng_(options.seed), plan_(rng_) {}

void SmtpScenario::run(PcapWriter& out, Manifest& manifest) {
  manifest.params = {{"port", cfg_.port},
                     {"sessions", cfg_.sessions},
                     {"concurrency", cfg_.concurrency},
                     {"start_us", options_.start_us},
                     {"vlan", options_.vlan}};
  MixerLimits limits;
  limits.max_flows = cfg_.attach.empty() ? cfg_.sessions : cfg_.attach.size();
  limits.concurrency = cfg_.concurrency;
  if (!cfg_.attach.empty()) {
    auto& files = manifest.params["attach"] = nlohmann::ordered_json::array();
    for (const auto& a : cfg_.attach) {
      files.push_back({{"path", a.path}, {"name", a.name}, {"encoding", a.encoding},
                       {"infected", a.infected}});
    }
  }
  FlowMixer mixer(
      [this](uint64_t id, int64_t at) {
        return cfg_.attach.empty() ? make_session(id, at) : make_attach_session(id, at);
      },
      [this] { return static_cast<int64_t>(rng_.uniform(50'000, 2'000'000)); }, limits);
  mixer.run(options_.start_us, out, manifest);
  if (cfg_.attach.empty()) return;
  manifest.mail = ledger_.build(manifest, 0.0);
  manifest.mail.erase("infected_share");
  manifest.mail.erase("requested_infected_share");
  nlohmann::ordered_json hosts;
  hosts["home_net"] = {"10.0.0.0/8", "2001:db8:1::/48"};
  hosts["mail_relays"] = nlohmann::ordered_json::array();
  hosts["infected"] = nlohmann::ordered_json::array();
  hosts["listeners"] = nlohmann::ordered_json::array();
  hosts["scanners"] = nlohmann::ordered_json::array();
  hosts["benign"] = nlohmann::ordered_json::array();
  manifest.hosts = std::move(hosts);
}

// One session, one transaction, one multipart mail: a text part and the file
// cfg_.attach[id] in its encoding (zip: a stored zip holding it, base64).
std::unique_ptr<Flow> SmtpScenario::make_attach_session(uint64_t id, int64_t start_us) {
  if (id >= cfg_.attach.size()) return nullptr;
  const SmtpAttachFile& file = cfg_.attach[id];
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
  tc.timestamps = false;
  tc.wscale = -1;
  tc.client_ttl = 128;
  tc.server_ttl = 52;
  tc.rtt_us = static_cast<int64_t>(r.log_uniform(2000, 60000));
  tc.bandwidth_bps = 10'000'000;
  tc.seed = r.next();
  tc.reorder_percent = options_.reorder_percent;

  mime::AttachmentSpec spec;
  spec.name = file.name;
  spec.infected = file.infected;
  spec.data = read_whole(file.path);
  spec.encoding = mime::Encoding::kBase64;
  if (file.encoding == "quoted-printable") spec.encoding = mime::Encoding::kQuotedPrintable;
  if (file.encoding == "7bit") spec.encoding = mime::Encoding::k7bit;
  if (file.encoding == "binary") spec.encoding = mime::Encoding::kBinary;
  if (file.encoding == "zip") {
    ZipWriter zip;
    const std::string member = base_name(file.path);
    zip.add(member, spec.data);
    spec.data = zip.finish();
    spec.members = {member};
    spec.content_type = "application/zip";
  }
  std::vector<mime::Attachment> atts;
  mime::Part att = mime::attachment_part(spec, "\r\n", &atts);
  const std::string sender(kUsers[r.index(std::size(kUsers))]);
  const std::string rcpt = std::string(kUsers[r.index(std::size(kUsers))]) + "@example.com";
  mime::Envelope env;
  env.from = "<" + sender + "@corp.example.org>";
  env.to = {"<" + rcpt + ">"};
  env.subject = "file " + std::to_string(id + 1) + " of " + std::to_string(cfg_.attach.size());
  env.date = rfc5322_date(start_us);
  env.message_id = std::to_string(start_us / 1000000) + "." + std::to_string(id) + "@corp.example.org";
  mime::Part body = mime::multipart(
      "mixed", "=_wwgen_attach_" + std::to_string(id),
      {mime::text_part("The file is attached.\n", "\r\n"), std::move(att)});

  SmtpDialog d;
  d.server_name = "mail.example.com";
  d.client_name = "pc" + std::to_string(tc.client.ip.bytes[2]) + "-" +
                  std::to_string(tc.client.ip.bytes[3]) + ".corp.example.org";
  SmtpDialogTransaction t;
  t.mail_from = sender + "@corp.example.org";
  t.rcpt_to = {rcpt};
  t.message = mime::render(mime::message(env, std::move(body)), "\r\n");
  d.transactions.push_back(std::move(t));
  MailTransactionTruth mt;
  mt.mail_from = sender + "@corp.example.org";
  mt.rcpt_to = {rcpt};
  mt.subject = env.subject;
  mt.attachments = std::move(atts);

  auto flow = std::make_unique<TcpFlow>(tc);
  add_smtp_dialog(*flow, d, r);
  flow->close(Direction::kToServer);
  flow->truth().app = "smtp";
  flow->truth().app_truth = ledger_.add(id, d.client_name, {mt});
  return flow;
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
  tc.reorder_percent = options_.reorder_percent;

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

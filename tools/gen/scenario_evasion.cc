#include "tools/gen/scenario_evasion.h"

#include <algorithm>
#include <functional>

#include "tools/gen/flow_mixer.h"
#include "tools/gen/mail_content.h"
#include "tools/gen/smtp_dialog.h"
#include "tools/gen/tcp_flow.h"
#include "tools/gen/time_format.h"
#include "tools/gen/zip_writer.h"

namespace ww::gen {
namespace {

using mime::Attachment;
using mime::Bytes;
using mime::Encoding;
using mime::Part;

constexpr std::string_view kCrlf = "\r\n";
const IpAddress kRelay = ip4(10, 1, 0, 25);

// What one case sends: one or more transactions (only message-partial has two).
struct CaseMail {
  std::vector<SmtpDialogTransaction> txs;
  std::vector<MailTransactionTruth> truth;
  bool chunking = false;
};

struct Ctx {
  Rng& r;
  std::string name;
  int64_t date_us;
  std::string from = "billing@example.net";
  std::string to = "victim@corp.example.org";
};

Bytes payload_exe(Rng& r, size_t min_size = 0) {
  Bytes b = mail::fake_executable(r);
  if (b.size() < min_size) {
    Bytes more(min_size - b.size());
    r.fill(more);
    b.insert(b.end(), more.begin(), more.end());
  }
  return b;
}

Attachment att(std::string name, Bytes data, std::string type, bool required = true) {
  Attachment a;
  a.name = std::move(name);
  a.infected = mail::is_infected(data);
  a.data = std::move(data);
  a.content_type = std::move(type);
  a.required = required;
  return a;
}

mime::Envelope envelope(const Ctx& c, std::string subject) {
  mime::Envelope e;
  e.from = "<" + c.from + ">";
  e.to = {"<" + c.to + ">"};
  e.subject = std::move(subject);
  e.date = rfc5322_date(c.date_us);
  e.message_id = c.name + "." + std::to_string(c.date_us / 1000000) + "@example.net";
  return e;
}

// One transaction carrying `msg` with `atts` as its truth.
CaseMail single(const Ctx& c, const std::string& subject, const std::string& msg,
                std::vector<Attachment> atts) {
  CaseMail m;
  SmtpDialogTransaction t;
  t.mail_from = c.from;
  t.rcpt_to = {c.to};
  t.message = msg;
  // Some cases build the attachment spec without the infected flag; the truth
  // follows the bytes (the test payload or EICAR inside), not the spec.
  for (auto& a : atts) a.infected = a.infected || mail::is_infected(a.data);
  MailTransactionTruth mt;
  mt.mail_from = c.from;
  mt.rcpt_to = {c.to};
  mt.subject = subject;
  mt.evasion_case = c.name;
  mt.attachments = std::move(atts);
  m.txs.push_back(std::move(t));
  m.truth.push_back(std::move(mt));
  return m;
}

// A plain text part plus `attachment` in multipart/mixed.
CaseMail with_attachment(const Ctx& c, const std::string& subject, Part attachment,
                         std::vector<Attachment> atts, const std::string& boundary = "=_evasion_01") {
  Part body = mime::multipart("mixed", boundary,
                              {mime::text_part("Please see the attached file.\n", kCrlf),
                               std::move(attachment)});
  return single(c, subject, mime::render(mime::message(envelope(c, subject), std::move(body)), kCrlf),
                std::move(atts));
}

Part leaf(std::string type_header, std::string cte, std::string disposition, std::string body) {
  Part p;
  p.header("Content-Type", std::move(type_header));
  if (!cte.empty()) p.header("Content-Transfer-Encoding", std::move(cte));
  if (!disposition.empty()) p.header("Content-Disposition", std::move(disposition));
  p.body = std::move(body);
  return p;
}

CaseMail case_rfc2231(Ctx& c) {
  const std::string name =
      "Rechnung f\xc3\xbcr J\xc3\xa4nner 2004 \xe2\x80\x93 \xc3\x9c" "bersicht und Zahlungsplan.exe";
  mime::AttachmentSpec s;
  s.name = name;
  s.data = payload_exe(c.r);
  s.style = mime::NameStyle::kRfc2231;
  s.infected = true;
  std::vector<Attachment> atts;
  Part p = mime::attachment_part(s, kCrlf, &atts);
  return with_attachment(c, "Rechnung", std::move(p), std::move(atts));
}

CaseMail case_hidden_filename(Ctx& c) {
  Bytes exe = payload_exe(c.r);
  Part p = leaf("application/octet-stream; x-note=\"see filename=hidden.exe here\"; name=\"invoice.pdf\"",
                "base64", "attachment; comment=\"filename=hidden.exe\"; filename=\"invoice.pdf\"",
                mime::base64(exe, 76, kCrlf));
  return with_attachment(c, "Invoice", std::move(p),
                         {att("invoice.pdf", std::move(exe), "application/octet-stream")});
}

CaseMail case_long_filename(Ctx& c) {
  const std::string name = "Important_document_" + std::string(290, 'x') + ".exe";
  mime::AttachmentSpec s;
  s.name = name;
  s.data = payload_exe(c.r);
  std::vector<Attachment> atts;
  Part p = mime::attachment_part(s, kCrlf, &atts);
  atts.back().infected = true;
  return with_attachment(c, "Important document", std::move(p), std::move(atts));
}

CaseMail case_duplicate_boundary(Ctx& c) {
  mime::AttachmentSpec s;
  s.name = "data.exe";
  s.data = payload_exe(c.r);
  std::vector<Attachment> atts;
  Part body = mime::multipart("mixed", "=_dup_boundary",
                              {mime::text_part("See attachment.\n", kCrlf),
                               mime::attachment_part(s, kCrlf, &atts)});
  body.headers[0].second =
      "multipart/mixed; boundary=\"=_dup_boundary\"; boundary=\"=_dup_boundary\"";
  atts.back().infected = true;
  return single(c, "Data", mime::render(mime::message(envelope(c, "Data"), std::move(body)), kCrlf),
                std::move(atts));
}

CaseMail case_conflicting_boundary(Ctx& c) {
  // Reading the first boundary (A) finds body.exe; reading the last (B)
  // finds only notes.txt (the A parts are text of B's first part).
  Bytes exe = payload_exe(c.r);
  const std::string notes = "Meeting moved to 3 pm.\r\n";
  std::string b;
  b += "--B_conflict\r\nContent-Type: text/plain\r\n\r\ndecoy text\r\n";
  b += "--A_conflict\r\nContent-Type: application/octet-stream; name=\"body.exe\"\r\n"
       "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; "
       "filename=\"body.exe\"\r\n\r\n" +
       mime::base64(exe, 76, kCrlf) + "\r\n--A_conflict--\r\n";
  b += "--B_conflict\r\nContent-Type: text/plain; name=\"notes.txt\"\r\n"
       "Content-Disposition: attachment; filename=\"notes.txt\"\r\n\r\n" +
       notes + "\r\n--B_conflict--\r\n";
  Part body;
  body.header("Content-Type",
              "multipart/mixed; boundary=\"A_conflict\"; boundary=\"B_conflict\"");
  body.body = b;
  return single(c, "Notes", mime::render(mime::message(envelope(c, "Notes"), std::move(body)), kCrlf),
                {att("body.exe", std::move(exe), "application/octet-stream"),
                 att("notes.txt", mime::to_bytes(notes), "text/plain", false)});
}

CaseMail case_duplicate_content_type(Ctx& c) {
  mime::AttachmentSpec s;
  s.name = "readme.scr";
  s.data = payload_exe(c.r);
  std::vector<Attachment> atts;
  Part body = mime::multipart("mixed", "=_dup_ct",
                              {mime::text_part("Read me.\n", kCrlf),
                               mime::attachment_part(s, kCrlf, &atts)});
  body.header("Content-Type", "text/plain; charset=us-ascii");
  atts.back().infected = true;
  return single(c, "Readme",
                mime::render(mime::message(envelope(c, "Readme"), std::move(body)), kCrlf),
                std::move(atts));
}

CaseMail case_duplicate_cte(Ctx& c) {
  Bytes exe = payload_exe(c.r);
  const std::string b64 = mime::base64(exe, 76, kCrlf);
  Part p = leaf("application/octet-stream; name=\"message.pif\"", "base64",
                "attachment; filename=\"message.pif\"", b64);
  p.header("Content-Transfer-Encoding", "7bit");
  return with_attachment(c, "Message", std::move(p),
                         {att("message.pif", std::move(exe), "application/octet-stream"),
                          att("message.pif", mime::to_bytes(b64), "application/octet-stream", false)});
}

CaseMail case_b64_invalid_chars(Ctx& c) {
  Bytes exe = payload_exe(c.r);
  const std::string raw = mime::base64(exe, 0, kCrlf);
  std::string enc;
  const char junk[] = "!*~.@#";
  size_t col = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (i % 37 == 36) {
      enc += junk[(i / 37) % 6];
      ++col;
    }
    enc += raw[i];
    if (++col >= 76) {
      enc += "\r\n";
      col = 0;
    }
  }
  Part p = leaf("application/octet-stream; name=\"text.cmd\"", "base64",
                "attachment; filename=\"text.cmd\"", enc);
  return with_attachment(c, "Text", std::move(p),
                         {att("text.cmd", std::move(exe), "application/octet-stream")});
}

CaseMail case_b64_padding(Ctx& c) {
  Bytes exe = payload_exe(c.r);
  const Bytes first(exe.begin(), exe.begin() + 100);  // 100 % 3 == 1: ends in "=="
  const Bytes rest(exe.begin() + 100, exe.end());
  const std::string enc = mime::base64(first, 0, kCrlf) + mime::base64(rest, 0, kCrlf);
  std::string wrapped;
  for (size_t i = 0; i < enc.size(); i += 76) {
    if (i) wrapped += "\r\n";
    wrapped += enc.substr(i, 76);
  }
  Part p = leaf("application/octet-stream; name=\"body.exe\"", "base64",
                "attachment; filename=\"body.exe\"", wrapped);
  // RFC 2045 6.8 lets a decoder take "=" as the end of the data, so both
  // readings are correct and neither file is required; the transaction is
  // infected because the whole-body reading finds the payload.
  return with_attachment(c, "Body", std::move(p),
                         {att("body.exe", exe, "application/octet-stream", false),
                          att("body.exe", first, "application/octet-stream", false)});
}

CaseMail case_b64_line_length(Ctx& c) {
  Bytes exe = payload_exe(c.r);
  const std::string raw = mime::base64(exe, 0, kCrlf);
  std::string enc;
  for (size_t i = 0; i < raw.size(); i += 75) {
    if (i) enc += "\r\n";
    enc += raw.substr(i, 75);
  }
  Part p = leaf("application/octet-stream; name=\"document.exe\"", "base64",
                "attachment; filename=\"document.exe\"", enc);
  return with_attachment(c, "Document", std::move(p),
                         {att("document.exe", std::move(exe), "application/octet-stream")});
}

CaseMail case_qp_invalid(Ctx& c) {
  // Invalid escapes (=ZZ, =G1) are kept as they are (RFC 2045 6.7 note 1);
  // =41 is a valid escape; one line with soft breaks, no hard break.
  const std::string decoded = "Total =ZZ due; code =G1 ok; A " + std::string(mail::kTestPayload) +
                              " end of note";
  std::string enc = "Total =ZZ due; code =G1 ok; =41 =\r\n" + std::string(mail::kTestPayload) +
                    "=\r\n end of note";
  Part p = leaf("text/plain; charset=us-ascii; name=\"notes.txt\"", "quoted-printable",
                "attachment; filename=\"notes.txt\"", enc);
  return with_attachment(c, "Notes", std::move(p),
                         {att("notes.txt", mime::to_bytes(decoded), "text/plain")});
}

CaseMail case_long_data_line(Ctx& c) {
  Bytes exe = payload_exe(c.r, 6000);
  mime::AttachmentSpec s;
  s.name = "data.zip.exe";
  s.data = exe;
  s.encoding = Encoding::kBase64OneLine;  // one DATA line of > 8000 bytes
  std::vector<Attachment> atts;
  Part att_part = mime::attachment_part(s, kCrlf, &atts);
  std::string long_text = "Long line: ";
  while (long_text.size() < 5000) long_text += "lorem ipsum dolor sit amet ";
  Part body = mime::multipart("mixed", "=_long_line",
                              {mime::text_part(long_text + "\n", kCrlf), std::move(att_part)});
  return single(c, "Data", mime::render(mime::message(envelope(c, "Data"), std::move(body)), kCrlf),
                std::move(atts));
}

CaseMail case_long_header(Ctx& c) {
  std::string subject = "Status";
  while (subject.size() < 2500) subject += " status report for the quarter";
  mime::AttachmentSpec s;
  s.name = "status.scr";
  s.data = payload_exe(c.r);
  std::vector<Attachment> atts;
  Part body = mime::multipart("mixed", "=_long_header",
                              {mime::text_part("Status.\n", kCrlf), mime::attachment_part(s, kCrlf, &atts)});
  Part msg = mime::message(envelope(c, subject), std::move(body));
  msg.header("X-Padding", std::string(3000, 'P'));
  msg.fold_width = 0;  // header lines of 2500 and 3000 bytes
  return single(c, subject, mime::render(msg, kCrlf), std::move(atts));
}

CaseMail case_long_boundary(Ctx& c) {
  const std::string boundary = "b" + c.r.text(299, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
  mime::AttachmentSpec s;
  s.name = "report.pif";
  s.data = payload_exe(c.r);
  std::vector<Attachment> atts;
  Part a = mime::attachment_part(s, kCrlf, &atts);
  return with_attachment(c, "Server Report", std::move(a), std::move(atts), boundary);
}

CaseMail case_deep_nesting(Ctx& c) {
  mime::AttachmentSpec s;
  s.name = "deep.exe";
  s.data = payload_exe(c.r);
  std::vector<Attachment> atts;
  Part p = mime::multipart("mixed", "=_lvl100", {mime::text_part("level 100\n", kCrlf),
                                                 mime::attachment_part(s, kCrlf, &atts)});
  for (int level = 99; level >= 1; --level) {
    p = mime::multipart("mixed", "=_lvl" + std::to_string(level), {std::move(p)});
  }
  return single(c, "Deep", mime::render(mime::message(envelope(c, "Deep"), std::move(p)), kCrlf),
                std::move(atts));
}

CaseMail case_message_partial(Ctx& c) {
  // RFC 2046 5.2.2: the whole message (with its attachment) split in two
  // message/partial fragments, each its own transaction. Only a sensor that
  // reassembles fragments sees the file, so it is not required.
  mime::AttachmentSpec s;
  s.name = "partial.exe";
  s.data = payload_exe(c.r);
  std::vector<Attachment> atts;
  Part inner = mime::message(envelope(c, "Partial"),
                             mime::multipart("mixed", "=_partial",
                                             {mime::text_part("In two pieces.\n", kCrlf),
                                              mime::attachment_part(s, kCrlf, &atts)}));
  const std::string whole = mime::render(inner, kCrlf);
  size_t cut = whole.find("\r\n", whole.size() / 2);
  cut = cut == std::string::npos ? whole.size() : cut + 2;
  const std::string frag[2] = {whole.substr(0, cut), whole.substr(cut)};
  for (auto& a : atts) {
    a.required = false;
    a.infected = true;
  }
  // Each fragment is itself a file (a non-text leaf, message/partial): required,
  // named "". The fragment that holds the encoded test payload is infected (a
  // scanner that decodes the MIME inside it finds the payload): base64 lines of
  // 76 characters (57 bytes) with CRLF, so byte q ends in line q / 57.
  const std::string encoded = mime::encode_body(s.data, mime::Encoding::kBase64, kCrlf);
  const size_t body_at = whole.find(encoded.substr(0, 76));
  const std::string_view data_view(reinterpret_cast<const char*>(s.data.data()), s.data.size());
  const size_t payload_end = data_view.find(mail::kTestPayloadPrefix) + mail::kTestPayloadPrefix.size();
  const size_t payload_line_end = body_at + (payload_end / 57 + 1) * 78;
  CaseMail m;
  for (int i = 0; i < 2; ++i) {
    Attachment fragment = att("", mime::to_bytes(frag[i]), "message/partial");
    fragment.infected = (i == 0) == (payload_line_end <= cut);
    std::vector<Attachment> fatts{std::move(fragment)};
    if (i == 1) fatts.insert(fatts.end(), atts.begin(), atts.end());
    Part p;
    p.header("Content-Type", "message/partial; id=\"partial." + std::to_string(c.date_us) +
                                 "@example.net\"; number=" + std::to_string(i + 1) + "; total=2");
    p.body = frag[i];
    const std::string subject = "Partial (" + std::to_string(i + 1) + "/2)";
    CaseMail one = single(c, subject, mime::render(mime::message(envelope(c, subject), p), kCrlf),
                          std::move(fatts));
    m.txs.push_back(std::move(one.txs[0]));
    m.truth.push_back(std::move(one.truth[0]));
  }
  return m;
}

CaseMail simple_infected(Ctx& c, const std::string& subject, const std::string& name) {
  mime::AttachmentSpec s;
  s.name = name;
  s.data = payload_exe(c.r);
  s.infected = true;
  std::vector<Attachment> atts;
  Part p = mime::attachment_part(s, kCrlf, &atts);
  return with_attachment(c, subject, std::move(p), std::move(atts));
}

CaseMail case_bdat(Ctx& c) {
  CaseMail m = simple_infected(c, "Chunked", "chunked.exe");
  auto& t = m.txs[0];
  t.bdat = true;
  t.bdat_chunks = {t.message.size() / 3, t.message.size() / 3};
  t.bdat_zero_last = true;
  m.chunking = true;
  return m;
}

CaseMail case_pipelining_rset(Ctx& c) {
  CaseMail m = simple_infected(c, "hello", "hello.scr");
  m.txs[0].pipelined = true;
  m.txs[0].rset_before = true;
  return m;
}

CaseMail case_rejected(Ctx& c) {
  CaseMail m = simple_infected(c, "Mail Transaction Failed", "transcript.pif");
  m.txs[0].rejected = true;
  m.truth[0].accepted = false;
  return m;
}

CaseMail case_mixed_eol(Ctx& c) {
  CaseMail m = simple_infected(c, "Mixed", "mixed.exe");
  // Every other line end becomes a bare LF.
  std::string& s = m.txs[0].message;
  std::string out;
  bool drop = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      if (drop) {
        drop = false;
        continue;
      }
      drop = true;
    }
    out += s[i];
  }
  s = out;
  return m;
}

CaseMail case_uuencode(Ctx& c) {
  Bytes exe = payload_exe(c.r);
  const std::string text = "Here is the file you asked for:\r\n\r\n" +
                           mime::uuencode("body.exe", exe, kCrlf) + "\r\nBye\r\n";
  Part body = leaf("text/plain; charset=us-ascii", "7bit", "", text);
  return single(c, "File", mime::render(mime::message(envelope(c, "File"), std::move(body)), kCrlf),
                {att("body.exe", std::move(exe), "text/plain")});
}

CaseMail case_zip_in_zip(Ctx& c) {
  ZipWriter inner;
  inner.add("readme.exe", payload_exe(c.r));
  const Bytes inner_zip = inner.finish();
  ZipWriter outer;
  outer.add("inner.zip", inner_zip);
  outer.add("readme.txt", "Open inner.zip.\r\n");
  mime::AttachmentSpec s;
  s.name = "archive.zip";
  s.content_type = "application/zip";
  s.data = outer.finish();
  s.infected = true;
  s.members = {"inner.zip", "inner.zip/readme.exe", "readme.txt"};
  std::vector<Attachment> atts;
  Part p = mime::attachment_part(s, kCrlf, &atts);
  return with_attachment(c, "Archive", std::move(p), std::move(atts));
}

CaseMail case_type_mismatch(Ctx& c) {
  mime::AttachmentSpec s;
  s.name = "photo.jpg";
  s.content_type = "image/jpeg";
  s.data = payload_exe(c.r);
  s.infected = true;
  std::vector<Attachment> atts;
  Part p = mime::attachment_part(s, kCrlf, &atts);
  return with_attachment(c, "Photo", std::move(p), std::move(atts));
}

struct CaseDef {
  const char* name;
  CaseMail (*build)(Ctx&);
};
const CaseDef kCases[] = {
    {"rfc2231-continuation", case_rfc2231},
    {"filename-in-quoted-param", case_hidden_filename},
    {"long-filename", case_long_filename},
    {"duplicate-boundary", case_duplicate_boundary},
    {"conflicting-boundary", case_conflicting_boundary},
    {"duplicate-content-type", case_duplicate_content_type},
    {"duplicate-cte", case_duplicate_cte},
    {"base64-invalid-chars", case_b64_invalid_chars},
    {"base64-padding-mid-stream", case_b64_padding},
    {"base64-line-length", case_b64_line_length},
    {"qp-invalid", case_qp_invalid},
    {"long-data-line", case_long_data_line},
    {"long-header", case_long_header},
    {"long-boundary", case_long_boundary},
    {"deep-nesting", case_deep_nesting},
    {"message-partial", case_message_partial},
    {"bdat-chunking", case_bdat},
    {"pipelining-rset", case_pipelining_rset},
    {"rejected-data", case_rejected},
    {"mixed-line-endings", case_mixed_eol},
    {"uuencode", case_uuencode},
    {"zip-in-zip", case_zip_in_zip},
    {"type-mismatch", case_type_mismatch},
};

}  // namespace

const std::vector<std::string>& evasion_case_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& c : kCases) v.emplace_back(c.name);
    return v;
  }();
  return names;
}

EvasionScenario::EvasionScenario(const ScenarioOptions& options, const EvasionConfig& config)
    : Scenario(options), cfg_(config), rng_(options.seed), plan_(rng_) {
  if (cfg_.cases.empty()) {
    cfg_.cases = evasion_case_names();
  } else {  // catalogue order, no duplicates
    std::vector<std::string> picked;
    for (const auto& n : evasion_case_names()) {
      if (std::find(cfg_.cases.begin(), cfg_.cases.end(), n) != cfg_.cases.end()) picked.push_back(n);
    }
    cfg_.cases = std::move(picked);
  }
}

void EvasionScenario::run(PcapWriter& out, Manifest& manifest) {
  manifest.params = {{"cases", cfg_.cases}, {"start_us", options_.start_us}, {"vlan", options_.vlan}};
  MixerLimits limits;
  limits.max_flows = cfg_.cases.size();
  limits.concurrency = 1;
  FlowMixer mixer(
      [this](uint64_t id, int64_t at) { return make_case(cfg_.cases[id], id, at); },
      [this] { return static_cast<int64_t>(rng_.uniform(200'000, 800'000)); }, limits);
  mixer.run(options_.start_us, out, manifest);
  manifest.mail = ledger_.build(manifest, 0.0);
  manifest.mail.erase("infected_share");
  manifest.mail.erase("requested_infected_share");
  nlohmann::ordered_json hosts;
  hosts["home_net"] = {"10.0.0.0/8", "2001:db8:1::/48"};
  hosts["mail_relays"] = {format_ip(kRelay)};
  hosts["infected"] = nlohmann::ordered_json::array();
  hosts["listeners"] = nlohmann::ordered_json::array();
  hosts["scanners"] = nlohmann::ordered_json::array();
  hosts["benign"] = nlohmann::ordered_json::array();
  manifest.hosts = std::move(hosts);
}

std::unique_ptr<Flow> EvasionScenario::make_case(const std::string& name, uint64_t id,
                                                 int64_t start_us) {
  Rng r = rng_.fork();
  const CaseDef* def = nullptr;
  for (const auto& c : kCases) {
    if (name == c.name) def = &c;
  }
  if (!def) return nullptr;
  TcpFlowConfig tc;
  bool reserved = false;
  for (int i = 0; i < 64 && !reserved; ++i) {
    const IpAddress client = plan_.external_v4();
    const uint16_t cport = plan_.ephemeral_port();
    if (!plan_.reserve(ip_proto::kTcp, client, cport, kRelay, 25)) continue;
    tc.client = {client, cport, mac_for(client)};
    tc.server = {kRelay, 25, mac_for(kRelay)};
    reserved = true;
  }
  if (!reserved) return nullptr;
  tc.link = {options_.link, plan_.vlans_for(kRelay, options_.vlan)};
  tc.client_isn = r.next_u32();
  tc.server_isn = r.next_u32();
  tc.start_us = start_us;
  tc.timestamps = false;
  tc.wscale = -1;
  tc.client_ttl = 113;
  tc.server_ttl = 64;
  tc.rtt_us = static_cast<int64_t>(r.log_uniform(10000, 150000));
  tc.bandwidth_bps = 10'000'000;
  tc.seed = r.next();

  Ctx ctx{r, name, start_us};
  CaseMail cm = def->build(ctx);
  SmtpDialog d;
  d.server_name = "relay.corp.example.org";
  d.client_name = "mail" + std::to_string(tc.client.ip.bytes[3]) + ".example.net";
  d.chunking = cm.chunking;
  d.transactions = std::move(cm.txs);
  auto flow = std::make_unique<TcpFlow>(tc);
  add_smtp_dialog(*flow, d, r);
  flow->close(Direction::kToServer);
  flow->truth().app = "smtp";
  flow->truth().app_truth = ledger_.add(id, d.client_name, cm.truth);
  flow->truth().app_truth["evasion_case"] = name;
  return flow;
}

}  // namespace ww::gen

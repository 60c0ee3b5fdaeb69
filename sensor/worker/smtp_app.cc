#include "sensor/worker/smtp_app.h"

#include <algorithm>

namespace ww {

std::vector<std::string> split_address_list(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, escaped = false;
  int angle = 0;
  auto push = [&] {
    size_t b = cur.find_first_not_of(" \t\r\n");
    size_t e = cur.find_last_not_of(" \t\r\n");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char ch : s) {
    if (escaped) {
      escaped = false;
    } else if (quoted && ch == '\\') {
      escaped = true;
    } else if (ch == '"') {
      quoted = !quoted;
    } else if (!quoted && ch == '<') {
      angle++;
    } else if (!quoted && ch == '>' && angle > 0) {
      angle--;
    } else if (!quoted && angle == 0 && ch == ',') {
      push();
      continue;
    }
    cur += ch;
  }
  push();
  return out;
}

SmtpFlowApp::SmtpFlowApp(SmtpAppEnv& env, const Flow& flow)
    : env_(env),
      flow_(flow),
      session_(env.cfg.smtp, env.smtp, *this),
      mime_(env.cfg.mime, env.mime, *this),
      files_(env.cfg.files, env.files, env.sniffer, env.store, *this) {
  ep_.src_ip = flow.client_ip;
  ep_.dest_ip = flow.server_ip;
  ep_.src_port = flow.client_port;
  ep_.dest_port = flow.server_port;
  ep_.proto = flow.proto;
  ep_.vlan = flow.vlan;
  env_.sessions++;
}

SmtpFlowApp::~SmtpFlowApp() {
  // A flow torn down without end() (eviction): drop what is open, report nothing.
  for (auto& t : txns_)
    if (env_.store && t.eml.open()) env_.store->discard(t.eml);
}

void SmtpFlowApp::on_data(Direction dir, std::span<const uint8_t> bytes) { session_.feed(dir, bytes); }
void SmtpFlowApp::on_gap(Direction dir, uint64_t length) { session_.gap(dir, length); }
void SmtpFlowApp::on_end(Direction dir) { session_.end(dir); }

SmtpFlowApp::Txn* SmtpFlowApp::txn(uint32_t id) {
  for (auto& t : txns_)
    if (t.id == id) return &t;
  return nullptr;
}

Json SmtpFlowApp::header(const char* event_type) const {
  return eve_header(env_.now_us, flow_.flow_id, event_type, ep_, "smtp");
}

void SmtpFlowApp::emit_anomaly(const char* type, const char* event, const char* direction,
                               uint32_t txn_id, std::string_view part_id) {
  if (!env_.cfg.eve_enabled) return;
  Json j = header("anomaly");
  if (txn_id) j["tx_id"] = txn_id - 1;
  Json a;
  a["type"] = type;
  a["event"] = event;
  if (direction) a["direction"] = direction;
  if (!part_id.empty()) a["part"] = std::string(part_id);
  j["anomaly"] = std::move(a);
  env_.out.emit("anomaly", eve_dump(j));
}

// ---- SMTP session events ----

void SmtpFlowApp::on_greeting(const SmtpGreeting&) {}

void SmtpFlowApp::on_helo(const SmtpHelo& h) { helo_.assign(h.name); }

void SmtpFlowApp::on_auth(const SmtpAuth& a) {
  auth_mechanism_ = a.mechanism.empty() ? std::string("unknown") : std::string(a.mechanism);
}

void SmtpFlowApp::on_tls_started(uint16_t) { tls_ = true; }

void SmtpFlowApp::on_transaction_began(const SmtpTransactionBegan& b) {
  Txn t;
  t.id = b.transaction;
  t.ts_us = env_.now_us;
  t.mail_from.assign(b.mail_from);
  t.mail_from_seen = b.mail_from_seen;
  t.midstream = b.midstream;
  txns_.push_back(std::move(t));
}

void SmtpFlowApp::on_recipient(const SmtpRecipient& r) {
  Txn* t = txn(r.transaction);
  if (!t) return;
  t->rcpt_to.emplace_back(r.address);
  if (r.outcome == SmtpRecipientOutcome::rejected) t->rcpt_rejected.emplace_back(r.address);
}

void SmtpFlowApp::on_data_began(const SmtpDataBegan& d) {
  Txn* t = txn(d.transaction);
  if (!t) return;
  t->data_began = true;
  t->data_kind = d.kind;
  mime_.reset();
  files_.reset();
  body_txn_ = d.transaction;
  if (env_.store && env_.cfg.files.store_eml) {
    t->eml = env_.store->open();
    t->eml_hash = std::make_unique<FileHasher>(false, false);
  }
}

void SmtpFlowApp::on_body(uint32_t id, std::span<const uint8_t> bytes) {
  if (id != body_txn_) return;
  if (Txn* t = txn(id); t && t->eml_hash) {
    t->eml_hash->update(bytes);
    env_.store->write(t->eml, bytes);
  }
  mime_.feed(bytes);
}

void SmtpFlowApp::on_body_gap(uint32_t id, uint64_t length) {
  if (id != body_txn_) return;
  if (Txn* t = txn(id); t && t->eml_hash) t->eml.failed = true;  // a message with a hole is not stored
  mime_.gap(length);
}

void SmtpFlowApp::on_body_end(const SmtpBodyEnd& b) {
  Txn* t = txn(b.transaction);
  if (t) {
    t->body_ended = true;
    t->body_complete = b.complete;
    t->body_bytes = b.body_bytes;
    t->body_gap_bytes = b.gap_bytes;
  }
  if (b.transaction == body_txn_) {
    mime_.end();  // closes the parts: their files are reported now
    body_txn_ = 0;
  }
  if (t && t->eml_hash) {
    const std::string sha = t->eml_hash->finish().sha256;
    t->eml_hash.reset();
    if (b.complete && !t->eml.failed) {
      Json side = header("email");
      side["tx_id"] = t->id - 1;
      side["sha256"] = sha;
      side["bytes"] = b.body_bytes;
      auto r = env_.store->commit(t->eml, sha, ".eml", eve_dump(side));
      if (r == Filestore::Commit::stored || r == Filestore::Commit::duplicate) t->eml_sha256 = sha;
    } else {
      env_.store->discard(t->eml);  // a message with a hole or cut short is not stored
    }
  }
}

void SmtpFlowApp::on_data_ended(const SmtpDataEnded& d) {
  if (Txn* t = txn(d.transaction)) {
    t->reply_code = d.reply_code;
    t->reply_text.assign(d.reply_text);
  }
}

Json SmtpFlowApp::smtp_object(const Txn& t) const {
  Json s;
  if (!helo_.empty()) s["helo"] = helo_;
  if (t.mail_from_seen) s["mail_from"] = t.mail_from;
  s["rcpt_to"] = t.rcpt_to;
  if (!t.rcpt_rejected.empty()) s["rcpt_rejected"] = t.rcpt_rejected;
  if (!auth_mechanism_.empty()) s["auth"] = auth_mechanism_;
  if (t.midstream) s["midstream"] = true;
  return s;
}

void SmtpFlowApp::on_transaction_ended(const SmtpTransactionEnded& e) {
  auto it = std::find_if(txns_.begin(), txns_.end(), [&](const Txn& t) { return t.id == e.transaction; });
  if (it == txns_.end()) return;
  Txn t = std::move(*it);
  txns_.erase(it);
  if (env_.store && t.eml.open()) env_.store->discard(t.eml);
  if (t.data_began && env_.on_message) env_.on_message(flow_, e.recipients);
  if (env_.mail && (t.tally || t.data_began)) {
    if (!t.tally) t.tally = MailStats::open();
    const auto& home = env_.cfg.hosts.home_net;
    env_.mail->end_message(*t.tally, env_.now_us,
                           mail_direction(home.contains(flow_.client_ip), home.contains(flow_.server_ip)),
                           t.data_began);
  }
  if (!env_.cfg.eve_enabled) return;
  Json j = header("smtp");
  j["tx_id"] = t.id - 1;
  Json s = smtp_object(t);
  s["status"] = smtp_status_name(e.status);
  s["end_reason"] = smtp_end_reason_name(e.reason);
  if (t.data_began) s["data"] = smtp_data_kind_name(t.data_kind);
  if (e.reply_code) {
    Json r;
    r["code"] = e.reply_code;
    if (t.reply_code == e.reply_code && !t.reply_text.empty()) r["text"] = t.reply_text;
    s["reply"] = std::move(r);
  }
  s["recipients"] = e.recipients;
  s["recipients_accepted"] = e.recipients_accepted;
  if (e.recipients_not_reported) s["recipients_not_reported"] = e.recipients_not_reported;
  if (tls_) s["tls"] = true;
  j["smtp"] = std::move(s);
  if (t.data_began) {
    Json em = std::move(t.email);
    em["attachment"] = t.attachments;
    em["status"] = !t.body_ended ? "incomplete" : t.body_complete && t.mime_complete ? "complete"
                   : t.body_gap_bytes ? "gap" : "truncated";
    em["body_bytes"] = e.body_bytes;
    if (e.gap_bytes) em["gap_bytes"] = e.gap_bytes;
    em["files"] = t.files;
    if (t.files_not_reported) em["files_not_reported"] = t.files_not_reported;
    if (!t.eml_sha256.empty()) em["eml_sha256"] = t.eml_sha256;
    j["email"] = std::move(em);
  }
  env_.smtp_records++;
  env_.out.emit("smtp", eve_dump(j));
}

void SmtpFlowApp::on_anomaly(const SmtpAnomalyEvent& a) {
  emit_anomaly("smtp", smtp_anomaly_name(a.kind), direction_name(a.direction), a.transaction);
}

// ---- MIME events (of the message in body_txn_) ----

void SmtpFlowApp::on_header(const MimeHeader& h) {
  if (h.part != 0) return;  // embedded messages' headers are not the envelope's email
  Txn* t = txn(body_txn_);
  if (!t) return;
  const char* name = "";
  switch (h.field) {
    case MimeHeaderField::from: name = "from"; break;
    case MimeHeaderField::to: name = "to"; break;
    case MimeHeaderField::cc: name = "cc"; break;
    case MimeHeaderField::subject: name = "subject"; break;
    case MimeHeaderField::message_id: name = "message_id"; break;
    case MimeHeaderField::date: name = "date"; break;
    case MimeHeaderField::x_mailer: name = "x_mailer"; break;
  }
  std::string v(h.decoded);
  switch (h.field) {
    case MimeHeaderField::to:
    case MimeHeaderField::cc: {
      Json& list = t->email[name];
      if (!list.is_array()) list = Json::array();
      for (auto& a : split_address_list(v)) list.push_back(std::move(a));
      break;
    }
    default:
      if (!t->email.contains(name)) t->email[name] = std::move(v);  // the first one counts
  }
}

void SmtpFlowApp::on_part_begin(const MimePartInfo& p) {
  if (Txn* t = txn(body_txn_); t && p.is_file && !p.file_name.empty()) {
    if (std::find(t->attachments.begin(), t->attachments.end(), p.file_name) == t->attachments.end())
      t->attachments.emplace_back(p.file_name);
  }
  files_.part_begin(p);
}

void SmtpFlowApp::on_part_data(uint32_t part, std::span<const uint8_t> bytes) {
  files_.part_data(part, bytes);
}

void SmtpFlowApp::on_part_gap(uint32_t part, uint64_t lost) { files_.part_gap(part, lost); }

void SmtpFlowApp::on_part_end(const MimePartEnd& e) { files_.part_end(e); }

void SmtpFlowApp::on_anomaly(const MimeAnomalyEvent& a) {
  emit_anomaly("mime", mime_anomaly_name(a.kind), nullptr, body_txn_, a.part_id);
}

void SmtpFlowApp::on_message_end(const MimeMessageEnd& e) {
  if (Txn* t = txn(body_txn_)) {
    t->mime_complete = e.complete;
    t->files_not_reported = files_.files_not_reported();
  }
}

void SmtpFlowApp::on_file(FileReport&& r) {
  Txn* t = txn(body_txn_);
  ExtractedFile x;
  x.ts_us = env_.now_us;
  x.sender = flow_.client_ip;
  x.server = flow_.server_ip;
  x.sender_port = flow_.client_port;
  x.server_port = flow_.server_port;
  Json j = header("fileinfo");
  if (t) {
    t->files++;
    if (env_.mail) {
      if (!t->tally) t->tally = MailStats::open();
      MailStats::add_file(*t->tally);
      x.message = t->tally;
    }
    j["tx_id"] = t->id - 1;
    j["smtp"] = smtp_object(*t);
    Json em;
    for (const char* k : {"from", "to", "subject", "message_id"})
      if (t->email.contains(k)) em[k] = t->email[k];
    if (!em.empty()) j["email"] = std::move(em);
  }
  Json f;
  f["filename"] = r.name;
  if (!r.alternate_names.empty()) f["alternate_names"] = r.alternate_names;
  if (r.name_truncated) f["filename_truncated"] = true;
  f["magic"] = r.sniffed_type;
  if (!r.declared_type.empty()) f["content_type"] = r.declared_type;
  f["encoding"] = r.encoding;
  f["part"] = r.part_id;
  if (r.alternate_reading) f["alternate_reading"] = true;
  if (r.uuencoded) f["uuencoded"] = true;
  if (r.opaque) f["opaque"] = true;
  f["gaps"] = r.gap_bytes > 0;
  if (r.gap_bytes) f["gap_bytes"] = r.gap_bytes;
  f["state"] = r.state == MimePartState::complete ? "CLOSED" : "TRUNCATED";
  if (r.truncated_bytes) f["truncated_bytes"] = r.truncated_bytes;
  if (!r.hashes.md5.empty()) f["md5"] = r.hashes.md5;
  if (!r.hashes.sha1.empty()) f["sha1"] = r.hashes.sha1;
  f["sha256"] = r.hashes.sha256;
  f["stored"] = false;
  f["size"] = r.size;
  if (r.data_cut) f["scan_bytes"] = r.data.size();
  if (t) f["tx_id"] = t->id - 1;
  j["fileinfo"] = std::move(f);
  x.record = std::move(j);
  x.file = std::move(r);
  if (env_.files_out) env_.files_out->on_extracted(std::move(x));
}

}  // namespace ww

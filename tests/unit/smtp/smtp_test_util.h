#pragma once
// Test helpers for the SMTP session parser: a script of (direction, bytes) steps
// as a conversation happens, a sink that renders every event as one line of text
// (and checks the event contract), and a runner that feeds a script with any
// chunking of each step.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "reassembly/smtp/smtp_session.h"
#include "tests/unit/smtp/smtp_fuzz_entry.h"

namespace ww::smtp_test {

struct Step {
  enum Kind { kData, kGap, kEnd } kind = kData;
  Direction dir = Direction::to_server;
  std::string bytes;
  uint64_t length = 0;
};
using Script = std::vector<Step>;

inline Step C(std::string s) { return {Step::kData, Direction::to_server, std::move(s)}; }
inline Step S(std::string s) { return {Step::kData, Direction::to_client, std::move(s)}; }
inline Step CGap(uint64_t n) { return {Step::kGap, Direction::to_server, {}, n}; }
inline Step SGap(uint64_t n) { return {Step::kGap, Direction::to_client, {}, n}; }
inline Step CEnd() { return {Step::kEnd, Direction::to_server, {}, 0}; }
inline Step SEnd() { return {Step::kEnd, Direction::to_client, {}, 0}; }

// "\r" and "\n" made visible, so a log line shows line endings.
inline std::string visible(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

inline std::string bits(uint32_t mask, const char* (*name)(SmtpCapability)) {
  std::string out;
  for (unsigned i = 0; i < static_cast<unsigned>(SmtpCapability::kCount); ++i) {
    if ((mask & (1u << i)) == 0) continue;
    if (!out.empty()) out += '|';
    out += name(static_cast<SmtpCapability>(i));
  }
  return out;
}

inline std::string mechanisms(uint32_t mask) {
  std::string out;
  for (unsigned i = 0; i < static_cast<unsigned>(SmtpAuthMechanism::kCount); ++i) {
    if ((mask & (1u << i)) == 0) continue;
    if (!out.empty()) out += '|';
    out += smtp_auth_mechanism_name(static_cast<SmtpAuthMechanism>(i));
  }
  return out;
}

// Every event as one line: the log two runs are compared on.
class RecordingSink : public SmtpContractSink {
 public:
  explicit RecordingSink(const SmtpConfig& config) : SmtpContractSink(config) {}

  void on_greeting(const SmtpGreeting& g) override {
    SmtpContractSink::on_greeting(g);
    add("greeting " + std::to_string(g.code) + " " + std::string(g.text) +
        cutmark(g.text_truncated));
  }
  void on_helo(const SmtpHelo& h) override {
    SmtpContractSink::on_helo(h);
    std::string s = std::string(h.extended ? "ehlo " : "helo ") + std::string(h.name) +
                    cutmark(h.name_truncated) + " code=" + std::to_string(h.reply_code);
    if (h.capabilities != 0) s += " caps=" + bits(h.capabilities, smtp_capability_name);
    if (h.size_limit != 0) s += " size=" + std::to_string(h.size_limit);
    if (h.auth_mechanisms != 0) s += " auth=" + mechanisms(h.auth_mechanisms);
    add(s);
  }
  void on_auth(const SmtpAuth& a) override {
    SmtpContractSink::on_auth(a);
    add("auth " + std::string(a.mechanism) + " ir=" + std::to_string(a.initial_response) + " " +
        smtp_auth_outcome_name(a.outcome) + " " + std::to_string(a.reply_code));
  }
  void on_tls_started(uint16_t code) override {
    SmtpContractSink::on_tls_started(code);
    add("tls " + std::to_string(code));
  }
  void on_transaction_began(const SmtpTransactionBegan& t) override {
    SmtpContractSink::on_transaction_began(t);
    std::string s = "begin " + std::to_string(t.transaction) + " from=<" +
                    std::string(t.mail_from) + ">" + cutmark(t.mail_from_truncated);
    if (!t.mail_from_seen) s += " no_mail";
    if (t.midstream) s += " midstream";
    add(s);
  }
  void on_recipient(const SmtpRecipient& r) override {
    SmtpContractSink::on_recipient(r);
    add("rcpt " + std::to_string(r.transaction) + " <" + std::string(r.address) + ">" +
        cutmark(r.address_truncated) + " " + smtp_recipient_outcome_name(r.outcome) + " " +
        std::to_string(r.reply_code));
  }
  void on_data_began(const SmtpDataBegan& d) override {
    SmtpContractSink::on_data_began(d);
    add("data " + std::to_string(d.transaction) + " " + smtp_data_kind_name(d.kind) +
        (d.reply_seen ? "" : " no_reply"));
  }
  void on_body(uint32_t id, std::span<const uint8_t> bytes) override {
    SmtpContractSink::on_body(id, bytes);
    const std::string text(bytes.begin(), bytes.end());
    bodies[id] += text;
    // How a body is cut into on_body calls is not part of the contract (BDAT
    // chunks pass through as they arrive): consecutive calls make one log line.
    const std::string head = "body " + std::to_string(id) + " ";
    if (body_open_ && !log.empty() && log.back().rfind(head, 0) == 0) {
      log.back() += visible(text);
    } else {
      add(head + visible(text));
    }
    body_open_ = true;
  }
  void on_body_gap(uint32_t id, uint64_t length) override {
    SmtpContractSink::on_body_gap(id, length);
    bodies[id] += "<gap " + std::to_string(length) + ">";
    add("body_gap " + std::to_string(id) + " " + std::to_string(length));
  }
  void on_body_end(const SmtpBodyEnd& b) override {
    SmtpContractSink::on_body_end(b);
    add("body_end " + std::to_string(b.transaction) + " bytes=" + std::to_string(b.body_bytes) +
        " gaps=" + std::to_string(b.gap_bytes) + (b.complete ? " complete" : " cut"));
  }
  void on_data_ended(const SmtpDataEnded& d) override {
    SmtpContractSink::on_data_ended(d);
    add("data_end " + std::to_string(d.transaction) + " " + std::to_string(d.reply_code) + " " +
        std::string(d.reply_text) + cutmark(d.reply_text_truncated));
  }
  void on_transaction_ended(const SmtpTransactionEnded& e) override {
    SmtpContractSink::on_transaction_ended(e);
    add("end " + std::to_string(e.transaction) + " " + smtp_status_name(e.status) + " " +
        smtp_end_reason_name(e.reason) + " mail=" + std::to_string(e.mail_reply_code) +
        " code=" + std::to_string(e.reply_code) + " rcpt=" + std::to_string(e.recipients) + "/" +
        std::to_string(e.recipients_accepted) + "/" + std::to_string(e.recipients_rejected) + "/" +
        std::to_string(e.recipients_not_reported) + " bytes=" + std::to_string(e.body_bytes) +
        " gaps=" + std::to_string(e.gap_bytes));
  }
  void on_anomaly(const SmtpAnomalyEvent& a) override {
    SmtpContractSink::on_anomaly(a);
    add(std::string("anomaly ") + smtp_anomaly_name(a.kind) + " " + direction_name(a.direction) +
        " " + std::to_string(a.transaction));
  }

  std::vector<std::string> log;
  std::map<uint32_t, std::string> bodies;

 private:
  static std::string cutmark(bool truncated) { return truncated ? "~" : ""; }
  void add(std::string s) {
    body_open_ = false;
    log.push_back(std::move(s));
  }
  bool body_open_ = false;
};

struct Run {
  std::vector<std::string> log;
  std::map<uint32_t, std::string> bodies;
  SmtpCounters counters;
  std::string violation;
  SmtpClientState client = SmtpClientState::start;
  SmtpServerState server = SmtpServerState::greeting;
  size_t max_buffered = 0;
  size_t max_memory = 0;
  std::array<uint64_t, kSmtpAnomalyCount> anomalies{};

  uint64_t anomaly(SmtpAnomaly a) const { return anomalies[static_cast<size_t>(a)]; }
  bool has(std::string_view line) const {
    return std::find(log.begin(), log.end(), line) != log.end();
  }
  // Lines that start with `prefix`.
  std::vector<std::string> lines(std::string_view prefix) const {
    std::vector<std::string> out;
    for (const auto& l : log) {
      if (l.rfind(prefix, 0) == 0) out.push_back(l);
    }
    return out;
  }
  std::string text() const {
    std::string out;
    for (const auto& l : log) out += l + "\n";
    return out;
  }
};

// Sizes of the chunks a step of `length` bytes is fed in (they sum to length).
using Chunker = std::function<std::vector<size_t>(size_t step, size_t length)>;

inline std::vector<size_t> whole(size_t, size_t length) { return {length}; }
inline std::vector<size_t> bytewise(size_t, size_t length) {
  return std::vector<size_t>(length, 1);
}

// Feeds the script; ends both directions afterwards unless `end_both` is false.
inline Run run(const Script& script, const SmtpConfig& config = {}, const Chunker& chunker = whole,
               bool end_both = true) {
  Run r;
  RecordingSink sink(config);
  SmtpSession session(config, r.counters, sink);
  for (size_t i = 0; i < script.size(); ++i) {
    const Step& st = script[i];
    if (st.kind == Step::kGap) {
      session.gap(st.dir, st.length);
    } else if (st.kind == Step::kEnd) {
      session.end(st.dir);
    } else {
      // A fresh copy per chunk, overwritten afterwards: a session that kept a view
      // into its input would show garbage.
      size_t at = 0;
      for (size_t n : chunker(i, st.bytes.size())) {
        std::vector<uint8_t> chunk(st.bytes.begin() + static_cast<ptrdiff_t>(at),
                                   st.bytes.begin() + static_cast<ptrdiff_t>(at + n));
        session.feed(st.dir, chunk);
        std::fill(chunk.begin(), chunk.end(), uint8_t{'#'});
        at += n;
        r.max_buffered = std::max(r.max_buffered, session.buffered_bytes());
        r.max_memory = std::max(r.max_memory, session.memory_bytes());
      }
    }
  }
  r.client = session.client_state();
  r.server = session.server_state();
  if (end_both) {
    session.end(Direction::to_server);
    session.end(Direction::to_client);
    sink.check_finished();
  }
  for (size_t k = 0; k < kSmtpAnomalyCount; ++k) {
    r.anomalies[k] = session.anomaly_count(static_cast<SmtpAnomaly>(k));
  }
  r.log = sink.log;
  r.bodies = sink.bodies;
  r.violation = sink.violation();
  return r;
}

// A conversation's usual opening: greeting, EHLO, a multi-line reply offering `caps`.
inline Script opening(const std::vector<std::string>& caps = {"PIPELINING", "CHUNKING",
                                                              "8BITMIME"}) {
  std::string reply = "250-mx.example.net\r\n";
  for (size_t i = 0; i < caps.size(); ++i) {
    reply += (i + 1 < caps.size() ? "250-" : "250 ") + caps[i] + "\r\n";
  }
  return {S("220 mx.example.net ESMTP\r\n"), C("EHLO client.example\r\n"), S(reply)};
}

inline Script operator+(Script a, const Script& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace ww::smtp_test

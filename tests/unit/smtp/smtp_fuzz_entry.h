#pragma once
// Fuzz entry for the SMTP session parser, header-only so that tests/fuzz can wrap
// it in LLVMFuzzerTestOneInput and the unit tests can drive it from a fixed seed.
//
// Input format: a sequence of operations, each one byte `op` (+ arguments):
//   dir = op & 1 (0: to_server, 1: to_client)
//   (op >> 1) & 3 == 0 or 1: feed the next ((op >> 3) + 1) input bytes (1..32)
//   (op >> 1) & 3 == 2:      gap of (next byte + 1) bytes
//   (op >> 1) & 3 == 3:      end(dir)
// Both directions are ended at the end of the input. The session runs with tiny
// limits so that every limit is reachable. Any broken contract (see
// SmtpContractSink) or buffer beyond its bound aborts.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <span>
#include <string>

#include "reassembly/smtp/smtp_session.h"

namespace ww::smtp_test {

// Checks the event contract of smtp_events.h. Records the first violation.
class SmtpContractSink : public SmtpEventSink {
 public:
  explicit SmtpContractSink(const SmtpConfig& config) : config_(config) {}

  void on_greeting(const SmtpGreeting& g) override {
    check(g.text.size() <= config_.max_reply_text_length, "greeting text over its limit");
    check(!tls_, "greeting after TLS");
  }
  void on_helo(const SmtpHelo& h) override {
    check(h.name.size() <= config_.max_helo_length, "helo name over its limit");
    check(!tls_, "helo after TLS");
  }
  void on_auth(const SmtpAuth& a) override {
    check(a.mechanism.size() <= 20, "auth mechanism over 20 characters");
    check(!tls_, "auth after TLS");
  }
  void on_tls_started(uint16_t) override {
    check(!tls_, "TLS started twice");
    tls_ = true;
  }
  void on_transaction_began(const SmtpTransactionBegan& t) override {
    check(!tls_, "transaction after TLS");
    check(t.transaction > last_id_, "transaction ids not increasing");
    check(t.transaction <= config_.max_transactions, "transaction beyond max_transactions");
    check(t.mail_from.size() <= config_.max_address_length, "mail_from over its limit");
    last_id_ = t.transaction;
    open_[t.transaction] = Track{};
  }
  void on_recipient(const SmtpRecipient& r) override {
    Track* t = live(r.transaction, "recipient");
    check(r.address.size() <= config_.max_address_length, "recipient over its limit");
    if (t != nullptr) {
      ++t->recipients;
      check(t->recipients <= config_.max_recipients, "recipients beyond max_recipients");
    }
  }
  void on_data_began(const SmtpDataBegan& d) override {
    Track* t = live(d.transaction, "data_began");
    if (t != nullptr) {
      check(!t->data_began, "data began twice");
      t->data_began = true;
    }
  }
  void on_body(uint32_t id, std::span<const uint8_t> bytes) override {
    check(!bytes.empty(), "empty body span");
    in_body(id, "body");
  }
  void on_body_gap(uint32_t id, uint64_t length) override {
    check(length > 0, "body gap of 0 bytes");
    in_body(id, "body_gap");
  }
  void on_body_end(const SmtpBodyEnd& b) override {
    Track* t = in_body(b.transaction, "body_end");
    if (t != nullptr) t->body_ended = true;
  }
  void on_data_ended(const SmtpDataEnded& d) override {
    Track* t = live(d.transaction, "data_ended");
    check(d.reply_text.size() <= config_.max_reply_text_length, "reply text over its limit");
    if (t != nullptr) {
      check(t->body_ended, "data ended before body end");
      check(!t->data_ended, "data ended twice");
      t->data_ended = true;
    }
  }
  void on_transaction_ended(const SmtpTransactionEnded& e) override {
    Track* t = live(e.transaction, "transaction_ended");
    if (t != nullptr) {
      check(!t->data_began || t->body_ended, "transaction ended with its body open");
      open_.erase(e.transaction);
    }
  }
  void on_anomaly(const SmtpAnomalyEvent& a) override {
    check(a.kind < SmtpAnomaly::kCount, "anomaly kind out of range");
  }

  // Call after both directions ended.
  void check_finished() { check(open_.empty(), "transaction left open after session end"); }

  const std::string& violation() const { return violation_; }

 protected:
  void check(bool ok, const char* what) {
    if (!ok && violation_.empty()) violation_ = what;
  }

 private:
  struct Track {
    bool data_began = false;
    bool body_ended = false;
    bool data_ended = false;
    uint32_t recipients = 0;
  };
  Track* live(uint32_t id, const char* what) {
    auto it = open_.find(id);
    if (it == open_.end()) {
      check(false, what);
      return nullptr;
    }
    return &it->second;
  }
  Track* in_body(uint32_t id, const char* what) {
    Track* t = live(id, what);
    if (t != nullptr) check(t->data_began && !t->body_ended, what);
    return t;
  }

  const SmtpConfig& config_;
  std::map<uint32_t, Track> open_;
  uint32_t last_id_ = 0;
  bool tls_ = false;
  std::string violation_;
};

inline SmtpConfig smtp_fuzz_config() {
  SmtpConfig c;
  c.max_line_length = 64;
  c.rfc_line_length = 32;
  c.max_body_line_length = 64;
  c.max_pending_commands = 4;
  c.max_held_bytes = 48;
  c.max_recipients = 2;
  c.max_transactions = 3;
  c.max_helo_length = 8;
  c.max_address_length = 8;
  c.max_reply_text_length = 8;
  c.max_anomaly_events = 2;
  return c;
}

// Runs one input; returns "" or what went wrong (a broken contract, a buffer
// beyond its bound).
inline std::string smtp_fuzz_run(const uint8_t* data, size_t size) {
  static const SmtpConfig config = smtp_fuzz_config();
  SmtpCounters counters;
  SmtpContractSink sink(config);
  SmtpSession session(config, counters, sink);
  // Buffers: two partial lines and the held bytes; the queue, its strings and the
  // open transactions are sized from the config too.
  const size_t max_buffered =
      2 * config.max_line_length + config.max_body_line_length + config.max_held_bytes;
  const size_t max_memory = 64 * 1024;

  size_t i = 0;
  while (i < size) {
    const uint8_t op = data[i++];
    const Direction dir = (op & 1) != 0 ? Direction::to_client : Direction::to_server;
    switch ((op >> 1) & 3) {
      case 0:
      case 1: {
        size_t n = static_cast<size_t>(op >> 3) + 1;
        if (n > size - i) n = size - i;
        session.feed(dir, std::span<const uint8_t>(data + i, n));
        i += n;
        break;
      }
      case 2: {
        const uint64_t len = 1 + (i < size ? data[i++] : 0);
        session.gap(dir, len);
        break;
      }
      default:
        session.end(dir);
        break;
    }
    if (session.buffered_bytes() > max_buffered) return "buffered bytes beyond their bound";
    if (session.memory_bytes() > max_memory) return "memory beyond its bound";
    if (session.pending_commands() > config.max_pending_commands + 1) {
      return "pending queue beyond its cap";
    }
  }
  session.end(Direction::to_server);
  session.end(Direction::to_client);
  sink.check_finished();
  if (session.pending_commands() != 0) return "commands pending after the session ended";
  return sink.violation();
}

// The libFuzzer-shaped entry: aborts on anything smtp_fuzz_run reports.
inline int smtp_fuzz_one(const uint8_t* data, size_t size) {
  if (!smtp_fuzz_run(data, size).empty()) std::abort();
  return 0;
}

}  // namespace ww::smtp_test

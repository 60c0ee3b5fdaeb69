// SmtpSession: the public entry points, transactions and shared helpers. The
// client side is in smtp_session_client.cc, the server side in
// smtp_session_server.cc.

#include "reassembly/smtp/smtp_session.h"

#include <algorithm>

namespace ww {

const char* smtp_client_state_name(SmtpClientState s) {
  static constexpr std::array<const char*, 9> kNames{"start",          "command", "awaiting_reply",
                                                     "auth_response",  "body",    "bdat_chunk",
                                                     "command_resync", "tls",     "closed"};
  const auto i = static_cast<size_t>(s);
  return i < kNames.size() ? kNames[i] : "unknown";
}

const char* smtp_server_state_name(SmtpServerState s) {
  static constexpr std::array<const char*, 6> kNames{"greeting", "reply", "continuation",
                                                     "resync",   "tls",   "closed"};
  const auto i = static_cast<size_t>(s);
  return i < kNames.size() ? kNames[i] : "unknown";
}

SmtpSession::SmtpSession(const SmtpConfig& config, SmtpCounters& counters, SmtpEventSink& sink)
    : config_(config),
      counters_(counters),
      sink_(sink),
      client_framer_(config.max_line_length),
      server_framer_(config.max_line_length) {
  ++counters_.sessions;
}

void SmtpSession::feed(Direction dir, std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  if (dir == Direction::to_server) {
    counters_.bytes_to_server += bytes.size();
    if (!client_ended_) client_bytes(bytes);
  } else {
    counters_.bytes_to_client += bytes.size();
    if (!server_ended_) server_bytes(bytes);
  }
}

void SmtpSession::gap(Direction dir, uint64_t length) {
  if (length == 0) return;
  ++counters_.gaps;
  counters_.gap_bytes += length;
  if (dir == Direction::to_server) {
    if (!client_ended_) client_gap(length);
  } else if (!server_ended_) {
    server_gap(length);
  }
}

void SmtpSession::end(Direction dir) {
  if (dir == Direction::to_server) {
    if (client_ended_) return;
    client_ended_ = true;
    if (cstate_ == SmtpClientState::awaiting_reply && !server_ended_) {
      client_end_deferred_ = true;  // the server's answer decides what the held bytes are
    } else {
      close_client();
    }
  } else {
    if (server_ended_) return;
    server_ended_ = true;
    server_end();
  }
  if (client_ended_ && server_ended_ && !client_end_deferred_ && !finished_) finish();
}

size_t SmtpSession::buffered_bytes() const {
  return client_framer_.buffered() + server_framer_.buffered() + held_.size();
}

size_t SmtpSession::memory_bytes() const {
  return client_framer_.capacity() + server_framer_.capacity() + held_.capacity() +
         pending_.memory_bytes() + popped_.arg.capacity() + reply_text_.capacity() +
         txns_.capacity() * sizeof(Txn);
}

// ---- transactions ----

SmtpSession::Txn* SmtpSession::txn(uint32_t id) {
  if (id == 0) return nullptr;
  for (Txn& t : txns_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

uint32_t SmtpSession::begin_txn(std::string_view mail_from, bool truncated, bool mail_seen,
                                bool midstream) {
  Txn t;
  t.id = next_txn_++;
  t.reported = t.id <= config_.max_transactions;
  t.mail_seen = mail_seen;
  ++counters_.transactions;
  txns_.push_back(t);
  current_ = t.id;
  if (!t.reported) {
    ++counters_.transactions_not_reported;
    anomaly(SmtpAnomaly::max_transactions, Direction::to_server, t.id);
    return t.id;
  }
  SmtpTransactionBegan e;
  e.transaction = t.id;
  e.mail_from = mail_from;
  e.mail_from_truncated = truncated;
  e.mail_from_seen = mail_seen;
  e.midstream = midstream;
  sink_.on_transaction_began(e);
  return t.id;
}

void SmtpSession::begin_data(Txn& t, SmtpDataKind kind, bool reply_seen) {
  t.phase = smtp::TxnPhase::body;
  if (t.data_began) return;
  t.data_began = true;
  ++(kind == SmtpDataKind::data ? counters_.messages_data : counters_.messages_bdat);
  if (t.reported) sink_.on_data_began({t.id, kind, reply_seen});
}

// The client's next bytes are the body of transaction `id` (a new one without
// MAIL FROM if there is none).
void SmtpSession::enter_body(uint32_t id, SmtpDataKind kind, bool reply_seen) {
  if (txn(id) == nullptr) id = begin_txn({}, false, false, false);
  begin_data(*txn(id), kind, reply_seen);
  current_ = id;
  body_txn_ = id;
  prev_body_bare_lf_ = false;
  to(SmtpClientState::body);
}

void SmtpSession::deliver_body(uint32_t id, std::span<const uint8_t> bytes) {
  Txn* t = txn(id);
  if (t == nullptr || bytes.empty() || t->body_ended) return;
  t->body_bytes += bytes.size();
  counters_.body_bytes += bytes.size();
  if (t->reported) sink_.on_body(id, bytes);
}

void SmtpSession::body_gap(uint32_t id, uint64_t length) {
  Txn* t = txn(id);
  if (t == nullptr || t->body_ended) return;
  t->gap_bytes += length;
  counters_.body_gap_bytes += length;
  if (t->reported) sink_.on_body_gap(id, length);
}

void SmtpSession::end_body(uint32_t id, bool complete) {
  Txn* t = txn(id);
  if (t == nullptr || !t->data_began || t->body_ended) return;
  t->body_ended = true;
  t->phase = complete ? smtp::TxnPhase::complete : smtp::TxnPhase::cut;
  if (t->reported) sink_.on_body_end({id, t->body_bytes, t->gap_bytes, complete});
}

// The server's final reply to a message. If the client is still sending it (the
// reply came early, or the stream ahead of it was lost), the body is cut here.
void SmtpSession::data_ended(uint32_t id, uint16_t code, std::string_view text, bool truncated) {
  end_body(id, false);
  Txn* t = txn(id);
  if (t == nullptr || !t->reported) return;
  sink_.on_data_ended({id, code, text, truncated});
}

void SmtpSession::end_txn(uint32_t id, SmtpEndReason reason, uint16_t code) {
  Txn* t = txn(id);
  if (t == nullptr) return;
  end_body(id, false);  // a body still under way is cut here
  SmtpTransactionStatus status = SmtpTransactionStatus::incomplete;
  const bool all_rcpt_refused = t->rcpts > 0 && t->rcpt_rejected == t->rcpts;
  if (reason == SmtpEndReason::final_reply) {
    if (code / 100 == 2) {
      status = SmtpTransactionStatus::delivered;
    } else if (code != 0) {
      status = SmtpTransactionStatus::rejected;
    }
  } else if (t->refused || all_rcpt_refused) {
    status = SmtpTransactionStatus::rejected;
    code = t->refused ? t->refusal_code : code;
  } else if (reason != SmtpEndReason::session_end && reason != SmtpEndReason::starttls &&
             t->phase != smtp::TxnPhase::complete) {
    status = SmtpTransactionStatus::aborted;
  }
  switch (status) {
    case SmtpTransactionStatus::delivered:
      ++counters_.transactions_delivered;
      break;
    case SmtpTransactionStatus::rejected:
      ++counters_.transactions_rejected;
      break;
    case SmtpTransactionStatus::aborted:
      ++counters_.transactions_aborted;
      break;
    case SmtpTransactionStatus::incomplete:
      ++counters_.transactions_incomplete;
      break;
  }
  if (t->reported) {
    SmtpTransactionEnded e;
    e.transaction = id;
    e.status = status;
    e.reason = reason;
    e.mail_reply_code = t->mail_code;
    e.reply_code = code;
    e.recipients = t->rcpts;
    e.recipients_accepted = t->rcpt_accepted;
    e.recipients_rejected = t->rcpt_rejected;
    e.recipients_not_reported = t->rcpt_not_reported;
    e.body_bytes = t->body_bytes;
    e.gap_bytes = t->gap_bytes;
    sink_.on_transaction_ended(e);
  }
  txns_.erase(txns_.begin() + (t - txns_.data()));
  if (current_ == id) current_ = 0;
  if (body_txn_ == id) body_txn_ = 0;
  if (speculative_txn_ == id) speculative_txn_ = 0;
}

// STARTTLS accepted (code 0: guessed from the client's bytes). Nothing after this
// point can be read, so everything open ends here.
void SmtpSession::start_tls(uint16_t code) {
  tls_ = true;
  ++counters_.tls_sessions;
  sink_.on_tls_started(code);
  if (!held_.empty()) ignore_tls_bytes(held_);
  held_.clear();
  hold_for_ = HoldFor::none;
  pending_.clear();
  absorb_replies_ = 0;
  server_lost_ = 0;
  while (!txns_.empty()) end_txn(txns_.front().id, SmtpEndReason::starttls, 0);
  cstate_ = SmtpClientState::tls;
  sstate_ = SmtpServerState::tls;
}

// Both directions are over: what is still unanswered never will be.
void SmtpSession::finish() {
  finished_ = true;
  while (!pending_.empty()) {
    pending_.pop_front(popped_);
    if (popped_.kind != smtp::PendingKind::client_gap) ++counters_.replies_lost;
    lose(popped_);
  }
  while (!txns_.empty()) end_txn(txns_.front().id, SmtpEndReason::session_end, 0);
  if (cstate_ != SmtpClientState::tls) cstate_ = SmtpClientState::closed;
  if (sstate_ != SmtpServerState::tls) sstate_ = SmtpServerState::closed;
}

void SmtpSession::anomaly(SmtpAnomaly kind, Direction dir, uint32_t txn_id) {
  const auto i = static_cast<size_t>(kind);
  ++counters_.anomalies[i];
  ++counters_.anomalies_total;
  if (++anomaly_counts_[i] > config_.max_anomaly_events) {
    ++counters_.anomaly_events_suppressed;
    return;
  }
  sink_.on_anomaly({kind, dir, txn_id});
}

std::string_view SmtpSession::cut(std::string_view s, uint32_t limit, bool& truncated) {
  truncated = s.size() > limit;
  if (!truncated) return s;
  ++counters_.strings_truncated;
  return s.substr(0, limit);
}

}  // namespace ww

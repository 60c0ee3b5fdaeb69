// SmtpSession, server side: framing the to_client stream into replies, matching
// each complete reply to the oldest pending command, applying what it says
// (recipient accepted, body may start, TLS begins, ...), gaps and recovery.

#include "reassembly/smtp/smtp_session.h"

#include <algorithm>

#include "reassembly/smtp/smtp_syntax.h"

namespace ww {

using smtp::PendingKind;

namespace {

constexpr Direction kS2C = Direction::to_client;

smtp::Expect expectation(PendingKind k) {
  switch (k) {
    case PendingKind::data:
      return smtp::Expect::data;
    case PendingKind::starttls:
      return smtp::Expect::starttls;
    case PendingKind::auth:
      return smtp::Expect::auth;
    case PendingKind::quit:
      return smtp::Expect::quit;
    default:
      return smtp::Expect::any;
  }
}

// Reply codes that only one command can get: after a server gap they show which
// pending command the server is answering.
bool specific_kind(uint16_t code, PendingKind& kind) {
  switch (code) {
    case 354:
      kind = PendingKind::data;
      return true;
    case 334:
    case 235:
      kind = PendingKind::auth;
      return true;
    case 220:
      kind = PendingKind::starttls;
      return true;
    case 221:
      kind = PendingKind::quit;
      return true;
    default:
      return false;
  }
}

}  // namespace

void SmtpSession::server_bytes(std::span<const uint8_t> in) {
  FramedLine line;
  while (!in.empty()) {
    if (sstate_ == SmtpServerState::tls) {
      counters_.tls_bytes_ignored += in.size();
      return;
    }
    if (sstate_ == SmtpServerState::closed) return;
    if (!server_framer_.next(in, line)) return;
    server_line(line);
  }
}

void SmtpSession::server_line(const FramedLine& line) {
  if (!line.start) {  // rest of an over-long line
    counters_.long_line_bytes_skipped += line.bytes.size();
    return;
  }
  if (line.too_long) {
    anomaly(SmtpAnomaly::line_too_long, kS2C);
  } else if (line.bytes.size() > config_.rfc_line_length) {
    anomaly(SmtpAnomaly::reply_too_long, kS2C);
  }
  if (line.bare_lf) anomaly(SmtpAnomaly::bare_lf, kS2C);

  smtp::ReplyLine r;
  const bool ok = smtp::parse_reply_line(line.text(), r);
  if (sstate_ == SmtpServerState::resync) {
    if (!ok) {
      ++counters_.resync_lines_skipped;
      return;
    }
    if (resume_code_ != 0 && r.code == resume_code_) {
      // Same code as the multi-line reply the gap cut: the gap was inside it.
      sstate_ = SmtpServerState::continuation;
      server_lost_ = 0;
    } else {
      sstate_ = greeting_expected_ ? SmtpServerState::greeting : SmtpServerState::reply;
    }
    resume_code_ = 0;
  }
  if (!ok) {
    anomaly(SmtpAnomaly::invalid_reply, kS2C);
    return;
  }
  if (sstate_ == SmtpServerState::continuation) {
    if (r.code != reply_code_) anomaly(SmtpAnomaly::invalid_reply, kS2C);
    smtp::add_ehlo_keyword(r.text, reply_caps_, reply_size_, reply_mechanisms_);
  } else {
    reply_is_greeting_ = greeting_expected_;
    reply_code_ = r.code;
    reply_text_.assign(cut(r.text, config_.max_reply_text_length, reply_text_truncated_));
    reply_caps_ = 0;
    reply_size_ = 0;
    reply_mechanisms_ = 0;
  }
  if (r.more) {
    sstate_ = SmtpServerState::continuation;
    return;
  }
  sstate_ = SmtpServerState::reply;
  reply_done();
}

void SmtpSession::reply_done() {
  ++counters_.replies;
  any_reply_ = true;
  hold_off_ = false;
  greeting_expected_ = false;
  if (reply_is_greeting_ &&
      (reply_code_ == 220 || ((reply_code_ == 421 || reply_code_ == 554) && pending_.empty()))) {
    greeting_seen_ = true;
    sink_.on_greeting({reply_code_, reply_text_, reply_text_truncated_});
    return;
  }
  match_reply();
}

void SmtpSession::match_reply() {
  if (absorb_replies_ > 0) {
    --absorb_replies_;
    ++counters_.replies_unmatched;
    return;
  }
  if (server_lost_ > 0) drop_lost_replies();
  const uint16_t code = reply_code_;
  for (;;) {
    if (pending_.empty()) {
      unsolicited_reply();
      return;
    }
    smtp::PendingCommand& head = pending_.front();
    if (head.kind == PendingKind::client_gap) {
      // Commands were lost in a client gap. A reply that fits the next known
      // command answers it; any other answers a lost one.
      if (pending_.size() > 1 && smtp::plausible_reply(expectation(pending_.at(1).kind), code)) {
        pending_.pop_front(popped_);
        continue;
      }
      if (cstate_ == SmtpClientState::body && code != 354) {
        // A lost DATA was accepted (below) and the server speaks again: it only
        // does once the body is over, so this is its final reply (the end-of-data
        // line went in the gap or the resync). Without this, the next
        // transaction's commands would be taken for that body.
        pending_.pop_front(popped_);
        unsolicited_reply();
        return;
      }
      ++counters_.replies_unmatched;
      if (code == 354 && cstate_ == SmtpClientState::command_resync) {
        enter_body(current_, SmtpDataKind::data, true);  // a lost DATA was accepted
      }
      return;
    }
    if (head.kind == PendingKind::auth && code == 334) {
      // Continue the SASL exchange: the AUTH stays pending until its final reply.
      if (awaits(head)) {
        hold_for_ = HoldFor::none;
        to(SmtpClientState::auth_response);
        replay_answered();
      }
      return;
    }
    pending_.pop_front(popped_);
    const uint32_t extra = popped_.extra_replies;
    answer(popped_);
    absorb_replies_ += extra;
    return;
  }
}

// First reply after a server gap: the commands that were pending at the gap may
// have been answered inside it. A code only one command can get (354, 334, 235,
// 220, 221) points at that command and everything before it was answered in the
// gap; any other code means all of them were.
void SmtpSession::drop_lost_replies() {
  size_t lost = std::min<size_t>(server_lost_, pending_.size());
  server_lost_ = 0;
  PendingKind kind{};
  if (specific_kind(reply_code_, kind)) {
    for (size_t i = 0; i < lost; ++i) {
      if (pending_.at(i).kind == kind) {
        lost = i;
        break;
      }
    }
  }
  for (size_t i = 0; i < lost; ++i) {
    pending_.pop_front(popped_);
    if (popped_.kind != PendingKind::client_gap) ++counters_.replies_lost;
    lose(popped_);
  }
}

// A reply with nothing waiting for it. If the client is sending a body, the
// server only speaks once the body is over (end-of-data missed in a gap, or the
// server gave up, e.g. 421): end it here.
void SmtpSession::unsolicited_reply() {
  if (cstate_ != SmtpClientState::body) {
    anomaly(SmtpAnomaly::reply_without_command, kS2C, current_);
    return;
  }
  const uint32_t id = body_txn_;
  anomaly(SmtpAnomaly::reply_during_body, kS2C, id);
  body_txn_ = 0;
  to(SmtpClientState::command_resync);
  end_body(id, false);
  data_ended(id, reply_code_, reply_text_, reply_text_truncated_);
  end_txn(id, SmtpEndReason::final_reply, reply_code_);
}

void SmtpSession::answer(smtp::PendingCommand& cmd) {
  const uint16_t code = reply_code_;
  const bool positive = code / 100 == 2;
  switch (cmd.kind) {
    case PendingKind::helo:
    case PendingKind::ehlo: {
      end_txn(cmd.ends_txn, SmtpEndReason::helo, 0);
      SmtpHelo h;
      h.extended = cmd.kind == PendingKind::ehlo;
      h.name = cmd.arg;
      h.name_truncated = cmd.truncated;
      h.reply_code = code;
      if (h.extended && positive) {
        caps_known_ = true;
        caps_ = reply_caps_;
        h.capabilities = reply_caps_;
        h.size_limit = reply_size_;
        h.auth_mechanisms = reply_mechanisms_;
      }
      sink_.on_helo(h);
      return;
    }
    case PendingKind::mail: {
      end_txn(cmd.ends_txn, SmtpEndReason::mail, 0);
      if (Txn* t = txn(cmd.txn)) {
        t->mail_code = code;
        if (!positive && !t->refused) {
          t->refused = true;
          t->refusal_code = code;
        }
      }
      return;
    }
    case PendingKind::rcpt:
      answer_recipient(cmd, code,
                       positive ? SmtpRecipientOutcome::accepted : SmtpRecipientOutcome::rejected);
      return;
    case PendingKind::data:
      answer_data(cmd);
      return;
    case PendingKind::bdat: {
      Txn* t = txn(cmd.txn);
      if (t == nullptr) return;
      if (!positive && !t->refused) {  // RFC 3030: a refused chunk fails the transaction
        t->refused = true;
        t->refusal_code = code;
      }
      if (cmd.last) {
        data_ended(cmd.txn, code, reply_text_, reply_text_truncated_);
        end_txn(cmd.txn, SmtpEndReason::final_reply, code);
      }
      return;
    }
    case PendingKind::end_of_data:
      data_ended(cmd.txn, code, reply_text_, reply_text_truncated_);
      end_txn(cmd.txn, SmtpEndReason::final_reply, code);
      return;
    case PendingKind::rset:
      end_txn(cmd.ends_txn, SmtpEndReason::rset, 0);
      return;
    case PendingKind::quit:
      end_txn(cmd.ends_txn, SmtpEndReason::quit, 0);
      return;
    case PendingKind::auth:
      answer_auth(cmd, code, positive ? SmtpAuthOutcome::succeeded : SmtpAuthOutcome::failed);
      return;
    case PendingKind::starttls:
      if (positive) {
        start_tls(code);
      } else if (awaits(cmd)) {
        hold_for_ = HoldFor::none;  // refused (e.g. 454): inspection goes on
        to(SmtpClientState::command);
        replay_answered();
      }
      return;
    case PendingKind::other:
    case PendingKind::client_gap:
      return;
  }
}

void SmtpSession::answer_recipient(const smtp::PendingCommand& cmd, uint16_t code,
                                   SmtpRecipientOutcome outcome) {
  Txn* t = txn(cmd.txn);
  if (outcome == SmtpRecipientOutcome::accepted) {
    ++counters_.recipients_accepted;
    if (t != nullptr) ++t->rcpt_accepted;
  } else if (outcome == SmtpRecipientOutcome::rejected) {
    ++counters_.recipients_rejected;
    if (t != nullptr) ++t->rcpt_rejected;
  }
  if (t != nullptr && t->reported && cmd.reported) {
    sink_.on_recipient({cmd.txn, cmd.arg, cmd.truncated, outcome, code});
  }
}

void SmtpSession::answer_data(const smtp::PendingCommand& cmd) {
  const uint16_t code = reply_code_;
  const bool waiting = awaits(cmd);
  if (code == 354) {
    if (waiting) {
      hold_for_ = HoldFor::none;
      enter_body(cmd.txn, SmtpDataKind::data, true);
      replay_answered();
    } else if (speculative_txn_ != 0) {
      speculative_txn_ = 0;  // the guess was right
    } else if (cstate_ == SmtpClientState::command || cstate_ == SmtpClientState::command_resync) {
      enter_body(cmd.txn, SmtpDataKind::data, true);  // guessed wrong: the rest is body
    }
    return;
  }
  if (Txn* t = txn(cmd.txn); t != nullptr && !t->refused) {
    t->refused = true;
    t->refusal_code = code;
  }
  if (waiting) {  // the client's next lines are commands again
    hold_for_ = HoldFor::none;
    to(SmtpClientState::command);
    replay_answered();
    return;
  }
  if (speculative_txn_ == 0) return;
  // The bytes were taken as a body on a guess, and the server refused: they were
  // commands to it. The end-of-data line, if sent, gets no reply of its own.
  const uint32_t id = speculative_txn_;
  speculative_txn_ = 0;
  anomaly(SmtpAnomaly::data_rejected_after_body, kS2C, id);
  if (cstate_ == SmtpClientState::body && body_txn_ == id) {
    body_txn_ = 0;
    to(SmtpClientState::command_resync);
  }
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (pending_.at(i).kind == PendingKind::end_of_data && pending_.at(i).txn == id) {
      pending_.erase(i);
      break;
    }
  }
  end_txn(id, SmtpEndReason::final_reply, code);
}

void SmtpSession::answer_auth(const smtp::PendingCommand& cmd, uint16_t code,
                              SmtpAuthOutcome outcome) {
  if (outcome == SmtpAuthOutcome::succeeded) ++counters_.auth_succeeded;
  if (outcome == SmtpAuthOutcome::failed) ++counters_.auth_failed;
  SmtpAuth a;
  a.mechanism = cmd.arg;
  a.known = smtp::auth_mechanism_of(cmd.arg);
  a.initial_response = cmd.initial_response;
  a.outcome = outcome;
  a.reply_code = code;
  sink_.on_auth(a);
  // Outcome unknown (reply lost): held lines may be SASL data, read only commands.
  const SmtpClientState next = outcome == SmtpAuthOutcome::unknown ? SmtpClientState::command_resync
                                                                   : SmtpClientState::command;
  if (awaits(cmd)) {
    hold_for_ = HoldFor::none;
    to(next);
    replay_answered();
  } else if (cstate_ == SmtpClientState::auth_response) {
    to(next);  // the server ended the exchange before a response
  }
}

// The reply to `cmd` will never be seen (lost in a gap, or the session ended).
void SmtpSession::lose(smtp::PendingCommand& cmd) {
  switch (cmd.kind) {
    case PendingKind::helo:
    case PendingKind::ehlo: {
      end_txn(cmd.ends_txn, SmtpEndReason::helo, 0);
      SmtpHelo h;
      h.extended = cmd.kind == PendingKind::ehlo;
      h.name = cmd.arg;
      h.name_truncated = cmd.truncated;
      sink_.on_helo(h);
      return;
    }
    case PendingKind::mail:
      end_txn(cmd.ends_txn, SmtpEndReason::mail, 0);
      return;
    case PendingKind::rset:
      end_txn(cmd.ends_txn, SmtpEndReason::rset, 0);
      return;
    case PendingKind::quit:
      end_txn(cmd.ends_txn, SmtpEndReason::quit, 0);
      return;
    case PendingKind::rcpt:
      answer_recipient(cmd, 0, SmtpRecipientOutcome::unknown);
      return;
    case PendingKind::data:
      if (awaits(cmd)) guess_answer();
      return;
    case PendingKind::bdat:
      if (!cmd.last) return;
      [[fallthrough]];
    case PendingKind::end_of_data:
      data_ended(cmd.txn, 0, {}, false);
      end_txn(cmd.txn, SmtpEndReason::final_reply, 0);
      return;
    case PendingKind::auth:
      answer_auth(cmd, 0, SmtpAuthOutcome::unknown);
      return;
    case PendingKind::starttls:
      if (awaits(cmd)) guess_answer();
      return;
    case PendingKind::other:
    case PendingKind::client_gap:
      return;
  }
}

void SmtpSession::server_gap(uint64_t length) {
  if (sstate_ == SmtpServerState::tls) {
    counters_.tls_bytes_ignored += length;
    return;
  }
  if (sstate_ == SmtpServerState::closed) return;
  server_framer_.gap(length);
  anomaly(SmtpAnomaly::gap_in_reply, kS2C, current_);
  resume_code_ = sstate_ == SmtpServerState::continuation ? reply_code_ : 0;
  sstate_ = SmtpServerState::resync;
  server_lost_ = static_cast<uint32_t>(pending_.size());
  absorb_replies_ = 0;  // those replies were most likely in the gap too
}

void SmtpSession::server_end() {
  if (sstate_ != SmtpServerState::tls) sstate_ = SmtpServerState::closed;
  // No answer will come: decide what held client bytes are.
  while (cstate_ == SmtpClientState::awaiting_reply) guess_answer();
  if (client_end_deferred_) {
    client_end_deferred_ = false;
    close_client();
  }
}

}  // namespace ww

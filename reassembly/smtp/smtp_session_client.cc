// SmtpSession, client side: framing the to_server stream into commands, body
// lines and BDAT chunks; holding bytes while a synchronising command awaits its
// answer; gaps and recovery.

#include "reassembly/smtp/smtp_session.h"

#include <algorithm>
#include <cstring>

#include "reassembly/smtp/smtp_syntax.h"

namespace ww {

using smtp::PendingKind;

namespace {
constexpr Direction kC2S = Direction::to_server;
constexpr uint8_t kTlsHandshakeRecord = 0x16;
}  // namespace

void SmtpSession::to(SmtpClientState s) {
  cstate_ = s;
  client_framer_.set_max_line(s == SmtpClientState::body ? config_.max_body_line_length
                                                         : config_.max_line_length);
}

void SmtpSession::client_bytes(std::span<const uint8_t> in) {
  FramedLine line;
  while (!in.empty()) {
    switch (cstate_) {
      case SmtpClientState::tls:
        ignore_tls_bytes(in);
        return;
      case SmtpClientState::closed:
        return;
      case SmtpClientState::awaiting_reply:
        if (hold(in)) return;
        guess_answer(in);  // replays what was held; `in` follows it
        break;
      case SmtpClientState::body:
        if (const size_t run = body_run(in); run > 0) {
          deliver_body(body_txn_, in.first(run));
          prev_body_bare_lf_ = false;
          in = in.subspan(run);
          break;
        }
        if (!client_framer_.next(in, line)) return;
        client_line(line);
        break;
      default:
        if (!client_framer_.next(in, line)) return;
        client_line(line);
        break;
    }
  }
}

// The leading whole body lines of `in` that body_line() would pass on unchanged:
// CRLF-terminated, within the line limit, not starting with '.' (neither the end of
// the data nor dot-stuffed). They go to the sink as one span instead of one call
// per line; how a body is cut into on_body calls is not part of the contract.
size_t SmtpSession::body_run(std::span<const uint8_t> in) const {
  if (!client_framer_.at_line_start()) return 0;
  const size_t max = client_framer_.line_limit();
  const uint8_t* const base = in.data();
  const uint8_t* p = base;
  const uint8_t* const end = base + in.size();
  while (p < end && *p != '.') {
    const size_t scan = std::min<size_t>(max, static_cast<size_t>(end - p));
    const auto* lf = static_cast<const uint8_t*>(std::memchr(p, '\n', scan));
    if (lf == nullptr || lf == p || lf[-1] != '\r') break;
    p = lf + 1;
  }
  return static_cast<size_t>(p - base);
}

void SmtpSession::ignore_tls_bytes(std::span<const uint8_t> bytes) {
  counters_.tls_bytes_ignored += bytes.size();
  if (tls_checked_ || bytes.empty()) return;
  tls_checked_ = true;
  if (bytes.front() != kTlsHandshakeRecord) anomaly(SmtpAnomaly::plaintext_after_tls, kC2S);
}

void SmtpSession::client_line(const FramedLine& line) {
  switch (cstate_) {
    case SmtpClientState::start:
      if (greeting_seen_ || any_reply_ || smtp::looks_like_command(line.text())) {
        to(SmtpClientState::command);
        command(line);
      } else {
        anomaly(SmtpAnomaly::midstream_pickup, kC2S);
        enter_body(begin_txn({}, false, false, true), SmtpDataKind::data, false);
        body_line(line);
      }
      return;
    case SmtpClientState::command:
      command(line);
      return;
    case SmtpClientState::command_resync:
      if (line.start && smtp::looks_like_command(line.text())) {
        to(SmtpClientState::command);
        command(line);
      } else if (line.end) {
        ++counters_.resync_lines_skipped;
      }
      return;
    case SmtpClientState::auth_response:
      // SASL data: counted, never parsed, never stored.
      if (line.end) {
        ++counters_.auth_lines;
        await(HoldFor::auth, awaited_seq_);  // the AUTH command's answer, again
      }
      return;
    case SmtpClientState::body:
      body_line(line);
      return;
    case SmtpClientState::bdat_chunk:
      bdat_bytes(line);
      return;
    default:
      return;
  }
}

// ---- commands ----

void SmtpSession::command(const FramedLine& line) {
  if (!line.start) {  // rest of an over-long line: the first piece was the command
    counters_.long_line_bytes_skipped += line.bytes.size();
    return;
  }
  ++counters_.commands;
  if (line.too_long) {
    anomaly(SmtpAnomaly::line_too_long, kC2S, current_);
  } else if (line.bytes.size() > config_.rfc_line_length) {
    anomaly(SmtpAnomaly::command_too_long, kC2S, current_);
  }
  if (line.bare_lf) anomaly(SmtpAnomaly::bare_lf, kC2S, current_);

  const smtp::Command cmd = smtp::parse_command(line.text());
  if (cmd.verb != smtp::Verb::unknown && !cmd.syntax_ok && cmd.verb != smtp::Verb::bdat) {
    anomaly(SmtpAnomaly::command_syntax, kC2S, current_);
  }
  switch (cmd.verb) {
    case smtp::Verb::helo:
    case smtp::Verb::ehlo:
      helo_command(cmd.verb == smtp::Verb::ehlo, cmd.args);
      return;
    case smtp::Verb::mail:
      mail_command(cmd.args);
      return;
    case smtp::Verb::rcpt:
      rcpt_command(cmd.args);
      return;
    case smtp::Verb::data:
      data_command();
      return;
    case smtp::Verb::bdat:
      bdat_command(cmd.args);
      return;
    case smtp::Verb::rset:
      reset_command(PendingKind::rset, SmtpEndReason::rset);
      return;
    case smtp::Verb::quit:
      reset_command(PendingKind::quit, SmtpEndReason::quit);
      return;
    case smtp::Verb::auth:
      auth_command(cmd.args);
      return;
    case smtp::Verb::starttls:
      if (const auto* p = push(PendingKind::starttls, true)) await(HoldFor::starttls, p->seq);
      return;  // (not queued: its answer cannot be matched, what follows is commands)
    case smtp::Verb::unknown:
      ++counters_.unknown_commands;
      anomaly(SmtpAnomaly::unknown_command, kC2S, current_);
      push(PendingKind::other);  // the server answers it (500), keep replies aligned
      return;
    default:
      push(PendingKind::other);
      return;
  }
}

// Queues a command for its reply. Null when the queue is full: the command's
// reply will be absorbed unread after the last queued one's.
smtp::PendingCommand* SmtpSession::push(PendingKind kind, bool sync) {
  const bool marker = kind == PendingKind::client_gap;
  if (!marker && caps_known_ && (caps_ & smtp_bit(SmtpCapability::pipelining)) == 0 &&
      !pending_.empty() && pending_.back().kind != PendingKind::client_gap) {
    anomaly(SmtpAnomaly::pipelining_unadvertised, kC2S, current_);
  }
  const size_t limit = size_t{config_.max_pending_commands} + (sync ? 1 : 0);
  if (pending_.size() >= limit) {
    if (marker) return nullptr;
    anomaly(SmtpAnomaly::pipelining_overflow, kC2S, current_);
    ++counters_.commands_not_queued;
    ++pending_.back().extra_replies;
    return nullptr;
  }
  smtp::PendingCommand& p = pending_.push_back();
  p.kind = kind;
  p.seq = next_seq_++;
  counters_.pending_high_water = std::max<uint64_t>(counters_.pending_high_water, pending_.size());
  return &p;
}

// The client leaves the transaction it was building (RSET, MAIL, HELO, QUIT).
// Returns its id, to be ended when the server answers that command.
uint32_t SmtpSession::supersede() {
  Txn* t = txn(current_);
  if (t == nullptr) return 0;
  const uint32_t id = current_;
  if (body_txn_ == id) {  // between BDAT chunks
    end_body(id, false);
    body_txn_ = 0;
  }
  t->phase = smtp::TxnPhase::superseded;
  current_ = 0;
  return id;
}

void SmtpSession::helo_command(bool extended, std::string_view args) {
  const uint32_t ended = supersede();
  smtp::PendingCommand* p = push(extended ? PendingKind::ehlo : PendingKind::helo);
  if (p == nullptr) {
    end_txn(ended, SmtpEndReason::helo, 0);
    return;
  }
  bool truncated = false;
  p->arg.assign(cut(smtp::first_token(args), config_.max_helo_length, truncated));
  p->truncated = truncated;
  p->ends_txn = ended;
  if (truncated) anomaly(SmtpAnomaly::helo_too_long, kC2S);
}

void SmtpSession::mail_command(std::string_view args) {
  std::string_view address;
  smtp::parse_path(args, "FROM:", address);
  // Nested: the server still holds a transaction (its MAIL was not refused).
  const Txn* open = txn(current_);
  if (open != nullptr && open->mail_code / 100 != 4 && open->mail_code / 100 != 5) {
    anomaly(SmtpAnomaly::nested_mail, kC2S, current_);
  }
  const uint32_t ended = supersede();
  bool truncated = false;
  address = cut(address, config_.max_address_length, truncated);
  const uint32_t id = begin_txn(address, truncated, true, false);
  if (truncated) anomaly(SmtpAnomaly::address_too_long, kC2S, id);
  smtp::PendingCommand* p = push(PendingKind::mail);
  if (p == nullptr) {
    end_txn(ended, SmtpEndReason::mail, 0);
    return;
  }
  p->txn = id;
  p->ends_txn = ended;
}

void SmtpSession::rcpt_command(std::string_view args) {
  std::string_view address;
  smtp::parse_path(args, "TO:", address);
  ++counters_.recipients;
  Txn* t = txn(current_);
  if (t == nullptr || t->phase != smtp::TxnPhase::open) {
    anomaly(SmtpAnomaly::rcpt_without_mail, kC2S, current_);
    push(PendingKind::other);
    return;
  }
  const uint32_t id = t->id;
  ++t->rcpts;
  const bool reported = t->rcpts <= config_.max_recipients;
  if (!reported) {
    ++t->rcpt_not_reported;
    ++counters_.recipients_not_reported;
    anomaly(SmtpAnomaly::too_many_recipients, kC2S, id);
  }
  bool truncated = false;
  address = cut(address, config_.max_address_length, truncated);
  if (truncated) anomaly(SmtpAnomaly::address_too_long, kC2S, id);
  smtp::PendingCommand* p = push(PendingKind::rcpt);
  if (p == nullptr) {  // its reply cannot be matched: report it unanswered now
    if (reported && t->reported) {
      sink_.on_recipient({id, address, truncated, SmtpRecipientOutcome::unknown, 0});
    }
    return;
  }
  p->txn = id;
  p->reported = reported;
  p->truncated = truncated;
  p->arg.assign(address);
}

void SmtpSession::data_command() {
  const Txn* t = txn(current_);
  if (t == nullptr) {
    anomaly(SmtpAnomaly::data_without_mail, kC2S);
  } else if (t->rcpts == 0) {
    anomaly(SmtpAnomaly::data_without_rcpt, kC2S, current_);
  }
  smtp::PendingCommand* p = push(PendingKind::data, true);
  if (p == nullptr) {  // no answer can be matched to it
    await(HoldFor::data, 0);
    guess_answer();
    return;
  }
  p->txn = current_;
  await(HoldFor::data, p->seq);
}

void SmtpSession::bdat_command(std::string_view args) {
  smtp::BdatArgs bdat;
  if (!smtp::parse_bdat(args, bdat)) {
    // The server cannot know the chunk's length either: it answers this (501)
    // and reads what follows as commands, so do we.
    anomaly(SmtpAnomaly::bdat_size_invalid, kC2S, current_);
    push(PendingKind::other);
    return;
  }
  if (caps_known_ && (caps_ & smtp_bit(SmtpCapability::chunking)) == 0) {
    anomaly(SmtpAnomaly::bdat_without_chunking, kC2S, current_);
  }
  Txn* t = txn(current_);
  if (t == nullptr) {
    anomaly(SmtpAnomaly::data_without_mail, kC2S);
    t = txn(begin_txn({}, false, false, false));
  } else if (t->rcpts == 0 && !t->data_began) {
    anomaly(SmtpAnomaly::data_without_rcpt, kC2S, t->id);
  }
  const uint32_t id = t->id;
  begin_data(*t, SmtpDataKind::bdat, false);
  ++counters_.bdat_chunks;
  body_txn_ = id;
  bdat_last_ = bdat.last;
  smtp::PendingCommand* p = push(PendingKind::bdat);
  bdat_queued_ = p != nullptr;
  if (p != nullptr) {
    p->txn = id;
    p->last = bdat.last;
  }
  if (bdat.size == 0) {
    bdat_chunk_done();
    return;
  }
  client_framer_.start_plain(bdat.size);
  to(SmtpClientState::bdat_chunk);
}

void SmtpSession::reset_command(PendingKind kind, SmtpEndReason reason) {
  const uint32_t ended = supersede();
  smtp::PendingCommand* p = push(kind);
  if (p == nullptr) {
    end_txn(ended, reason, 0);
    return;
  }
  p->ends_txn = ended;
}

void SmtpSession::auth_command(std::string_view args) {
  ++counters_.auth_attempts;
  const std::string_view mechanism = smtp::first_token(args);
  smtp::PendingCommand* p = push(PendingKind::auth, true);
  if (p == nullptr) return;  // answer cannot be matched: following lines are commands
  if (smtp::is_sasl_mechanism(mechanism)) {
    p->arg.assign(mechanism);
    for (char& c : p->arg) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  // Only the presence of an initial response is kept, never its content.
  p->initial_response = !smtp::first_token(args.substr(mechanism.size())).empty();
  await(HoldFor::auth, p->seq);
}

// ---- bodies ----

void SmtpSession::body_line(const FramedLine& line) {
  const uint32_t id = body_txn_;
  if (line.bare_lf) anomaly(SmtpAnomaly::bare_lf, kC2S, id);
  if (line.start && line.too_long) anomaly(SmtpAnomaly::line_too_long, kC2S, id);
  if (line.start && line.end && line.text() == ".") {
    if (line.bare_lf || prev_body_bare_lf_) anomaly(SmtpAnomaly::end_of_data_bare_lf, kC2S, id);
    finish_data_body();
    return;
  }
  std::span<const uint8_t> bytes = line.bytes;
  if (line.start && !bytes.empty() && bytes.front() == '.') bytes = bytes.subspan(1);
  if (line.end) prev_body_bare_lf_ = line.bare_lf;
  deliver_body(id, bytes);
}

void SmtpSession::finish_data_body() {
  const uint32_t id = body_txn_;
  body_txn_ = 0;
  if (current_ == id) current_ = 0;
  to(SmtpClientState::command);
  end_body(id, true);
  smtp::PendingCommand* p = push(PendingKind::end_of_data);
  if (p == nullptr) {
    end_txn(id, SmtpEndReason::final_reply, 0);
  } else {
    p->txn = id;
  }
}

void SmtpSession::bdat_bytes(const FramedLine& line) {
  deliver_body(body_txn_, line.bytes);
  if (client_framer_.plain_remaining() == 0) bdat_chunk_done();
}

void SmtpSession::bdat_chunk_done() {
  to(SmtpClientState::command);
  if (!bdat_last_) return;
  const uint32_t id = body_txn_;
  body_txn_ = 0;
  if (current_ == id) current_ = 0;
  end_body(id, true);
  if (!bdat_queued_) end_txn(id, SmtpEndReason::final_reply, 0);
}

// ---- holding bytes until the server answers ----

void SmtpSession::await(HoldFor what, uint32_t seq) {
  hold_for_ = what;
  awaited_seq_ = seq;
  to(SmtpClientState::awaiting_reply);
}

// Keeps `in` until the answer comes. False (nothing taken) when it would
// overflow, no answer can come any more, or holding is off: after an overflow
// the client evidently does not wait, and holding again at each later DATA,
// STARTTLS or AUTH would copy up to max_held_bytes per line. It is back on once
// the server speaks.
bool SmtpSession::hold(std::span<const uint8_t>& in) {
  if (server_ended_ || hold_off_) return false;
  if (held_.empty()) {
    if (hold_for_ == HoldFor::data) anomaly(SmtpAnomaly::data_pipelined, kC2S, current_);
    if (hold_for_ == HoldFor::starttls) anomaly(SmtpAnomaly::starttls_pipelined, kC2S);
  }
  if (held_.size() + in.size() > config_.max_held_bytes) {
    anomaly(SmtpAnomaly::hold_overflow, kC2S, current_);
    hold_off_ = true;
    return false;
  }
  held_.insert(held_.end(), in.begin(), in.end());
  counters_.held_high_water = std::max<uint64_t>(counters_.held_high_water, held_.size());
  in = {};
  return true;
}

// Decides without the server's answer what the held bytes (then `next`, the
// bytes not yet held) are, and parses the held ones.
void SmtpSession::guess_answer(std::span<const uint8_t> next) {
  ++counters_.hold_guesses;
  const HoldFor what = hold_for_;
  hold_for_ = HoldFor::none;
  awaited_seq_ = 0;
  switch (what) {
    case HoldFor::data: {
      // A server refuses DATA when MAIL or every RCPT was refused; otherwise go on.
      const Txn* t = txn(current_);
      const bool refused =
          t != nullptr && (t->refused || (t->rcpts > 0 && t->rcpt_rejected == t->rcpts));
      if (refused) {
        to(SmtpClientState::command);
      } else {
        enter_body(current_, SmtpDataKind::data, false);
        speculative_txn_ = body_txn_;
      }
      break;
    }
    case HoldFor::starttls: {
      // A TLS ClientHello right after STARTTLS: the server must have said yes.
      const int first = !held_.empty() ? held_.front() : !next.empty() ? next.front() : -1;
      if (first == kTlsHandshakeRecord) {
        start_tls(0);
        return;
      }
      to(SmtpClientState::command);
      break;
    }
    case HoldFor::auth:
      // Held lines may be SASL data: only a line that looks like a command is read.
      to(SmtpClientState::command_resync);
      break;
    case HoldFor::none:
      to(SmtpClientState::command);
      break;
  }
  replay_held();
}

// The server answered: the held bytes are now what the answer says they are.
void SmtpSession::replay_answered() {
  counters_.held_bytes += held_.size();
  replay_held();
}

// Parses the held bytes in the state the answer (or guess) set. Held bytes are at
// most max_held_bytes, so any new hold they start fits: no deeper recursion.
void SmtpSession::replay_held() {
  if (!held_.empty()) {
    std::vector<uint8_t> bytes;
    bytes.swap(held_);
    client_bytes(bytes);
    if (held_.capacity() == 0) {  // keep the buffer for next time
      bytes.clear();
      held_.swap(bytes);
    }
  }
  if (client_end_deferred_ && cstate_ != SmtpClientState::awaiting_reply) {
    client_end_deferred_ = false;
    close_client();
  }
}

// ---- gaps and end ----

void SmtpSession::client_gap(uint64_t length) {
  while (cstate_ == SmtpClientState::awaiting_reply) guess_answer();
  switch (cstate_) {
    case SmtpClientState::tls:
      counters_.tls_bytes_ignored += length;
      return;
    case SmtpClientState::closed:
      return;
    case SmtpClientState::body: {
      const uint32_t id = body_txn_;
      const FramedLine partial = client_framer_.take_partial();
      if (!partial.bytes.empty()) body_line(partial);
      client_framer_.gap(length);
      anomaly(SmtpAnomaly::gap_in_body, kC2S, id);
      body_gap(id, length);
      return;
    }
    case SmtpClientState::bdat_chunk: {
      const uint32_t id = body_txn_;
      const uint64_t inside = client_framer_.gap(length);
      if (inside > 0) {
        anomaly(SmtpAnomaly::gap_in_body, kC2S, id);
        body_gap(id, inside);
      }
      if (client_framer_.plain_remaining() == 0) bdat_chunk_done();
      if (length > inside) command_gap();  // the gap runs past the chunk
      return;
    }
    default:
      client_framer_.gap(length);
      command_gap();
      return;
  }
}

// Commands may have been lost: their replies are absorbed by a marker in the queue.
void SmtpSession::command_gap() {
  anomaly(SmtpAnomaly::gap_in_command, kC2S, current_);
  to(SmtpClientState::command_resync);
  if (pending_.empty() || pending_.back().kind != PendingKind::client_gap) {
    push(PendingKind::client_gap);
  }
}

void SmtpSession::close_client() {
  while (cstate_ == SmtpClientState::awaiting_reply) guess_answer();
  if (cstate_ == SmtpClientState::tls) return;
  if (cstate_ == SmtpClientState::body) {
    const FramedLine partial = client_framer_.take_partial();
    if (!partial.bytes.empty()) body_line(partial);
  }
  if (cstate_ == SmtpClientState::body || cstate_ == SmtpClientState::bdat_chunk) {
    end_body(body_txn_, false);
    body_txn_ = 0;
  }
  cstate_ = SmtpClientState::closed;
}

}  // namespace ww

#pragma once
// The SMTP session parser for one TCP connection: both byte streams in (as TCP
// reassembly delivers them), session and transaction events out, message bodies
// as dot-unstuffed byte spans for the MIME decoder. A push parser: it keeps only
// what it needs (two partial lines, bytes held while the server has not yet
// answered DATA/STARTTLS/AUTH, the unanswered commands), all bounded by
// SmtpConfig. See NOTES.md.
//
//   SmtpCounters counters;                    // one per worker
//   SmtpSession s(config, counters, sink);    // one per SMTP connection
//   s.feed(Direction::to_server, bytes);      // StreamSink::on_data
//   s.gap(Direction::to_client, 1460);        // StreamSink::on_gap
//   s.end(Direction::to_server);              // StreamSink::on_end, once per direction
//
// Splitting the bytes differently (even one byte per call) gives the same events,
// as long as the order of calls between the two directions is the same. Never
// throws; the sink must not call back into the session. The config, counters and
// sink must outlive it; destroying it sends no event (call end() twice first).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reassembly/smtp/line_framer.h"
#include "reassembly/smtp/smtp_config.h"
#include "reassembly/smtp/smtp_counters.h"
#include "reassembly/smtp/smtp_events.h"
#include "reassembly/smtp/smtp_pending.h"
#include "reassembly/tcp/direction.h"

namespace ww {

// Client (to_server) side. The server side's answers move it between states.
enum class SmtpClientState : uint8_t {
  // Nothing framed yet. The first line decides: a command (or any line once the
  // server has spoken) goes to `command`; anything else is the body of a message
  // already under way when the capture started (midstream pickup) -> `body`.
  start,
  // Command phase: each line is one command, queued until its reply arrives.
  command,
  // DATA, STARTTLS, AUTH or a SASL response line was sent and its answer decides
  // what the next client bytes are: they are held (max_held_bytes) and replayed
  // once the server answers — or parsed on a guess if the hold overflows, a gap
  // hits it or the server's stream ends.
  awaiting_reply,
  // The server answered AUTH with 334: the next line is SASL data, skipped and
  // never recorded; then `awaiting_reply` again.
  auth_response,
  // Message body after a 354 (or a guess, or a midstream pickup): lines are
  // dot-unstuffed and delivered until the end-of-data line ".". After a gap in the
  // body it stays here (the message is marked with the gap) and keeps looking for
  // the end-of-data line; a server reply while here also ends the body.
  body,
  // Inside a BDAT chunk: the announced byte count is delivered as body without
  // line framing; a gap inside it is counted against it.
  bdat_chunk,
  // Recovery: after a gap in command phase (or at the start), after a refused
  // DATA whose bytes had been taken as body, or after an AUTH whose outcome is
  // unknown: lines are skipped (never recorded) until one looks like a command
  // (known verb, well-formed arguments).
  command_resync,
  // STARTTLS was accepted: bytes are counted, not inspected.
  tls,
  // end(to_server) was applied.
  closed,
};

// Server (to_client) side.
enum class SmtpServerState : uint8_t {
  // Nothing answered yet: a 220 (or 421/554 with nothing asked) is the greeting.
  greeting,
  // At the start of a reply; a complete reply answers the oldest pending command.
  reply,
  // Inside a multi-line reply ("250-..." lines) until the "250 ..." line.
  continuation,
  // Recovery after a gap: lines are skipped until one looks like a reply (3 digits
  // then space, dash or end). If the gap cut a multi-line reply and that line has
  // its code, the reply goes on; otherwise the commands that were waiting may have
  // had their replies in the gap: the first reply after it decides (see NOTES.md).
  resync,
  // STARTTLS was accepted: bytes are counted, not inspected.
  tls,
  // end(to_client) was applied.
  closed,
};

const char* smtp_client_state_name(SmtpClientState s);
const char* smtp_server_state_name(SmtpServerState s);

namespace smtp {

enum class TxnPhase : uint8_t {
  open,        // MAIL seen, collecting RCPT, DATA/BDAT not yet begun
  body,        // body under way (DATA body, or between BDAT chunks)
  complete,    // body complete on the wire; waiting for the final reply
  cut,         // body cut (RSET between chunks, client end, gap past the chunk)
  superseded,  // the client moved on (RSET/MAIL/HELO/QUIT); ends at that reply
};

struct Transaction {
  uint32_t id = 0;
  bool reported = true;  // within max_transactions: events are sent
  bool mail_seen = true;
  bool data_began = false;
  bool body_ended = false;
  bool refused = false;  // MAIL, DATA or a BDAT chunk refused
  TxnPhase phase = TxnPhase::open;
  uint16_t mail_code = 0;
  uint16_t refusal_code = 0;
  uint32_t rcpts = 0;
  uint32_t rcpt_accepted = 0;
  uint32_t rcpt_rejected = 0;
  uint32_t rcpt_not_reported = 0;
  uint64_t body_bytes = 0;
  uint64_t gap_bytes = 0;
};

}  // namespace smtp

class SmtpSession {
 public:
  SmtpSession(const SmtpConfig& config, SmtpCounters& counters, SmtpEventSink& sink);
  SmtpSession(const SmtpSession&) = delete;
  SmtpSession& operator=(const SmtpSession&) = delete;

  // Bytes of one direction, consecutive with what came before (gaps aside). The
  // span is read during the call only.
  void feed(Direction dir, std::span<const uint8_t> bytes);
  // `length` bytes of that direction are missing at this point.
  void gap(Direction dir, uint64_t length);
  // That direction is over. Once both are, every open transaction is ended
  // (status incomplete unless decided) and nothing more is reported.
  void end(Direction dir);

  SmtpClientState client_state() const { return cstate_; }
  SmtpServerState server_state() const { return sstate_; }
  bool tls_started() const { return tls_; }
  bool greeting_seen() const { return greeting_seen_; }
  // From the last accepted EHLO reply: smtp_bit(SmtpCapability) flags.
  uint32_t capabilities() const { return caps_; }
  size_t pending_commands() const { return pending_.size(); }
  // Bytes the session holds right now: partial lines and held client bytes.
  size_t buffered_bytes() const;
  // Capacity of every buffer the session owns (bounded by the config).
  size_t memory_bytes() const;
  // Occurrences of an anomaly in this session (events are rate-limited, this is not).
  uint64_t anomaly_count(SmtpAnomaly a) const { return anomaly_counts_[static_cast<size_t>(a)]; }

 private:
  using Txn = smtp::Transaction;
  enum class HoldFor : uint8_t { none, data, starttls, auth };

  // Client side: smtp_session_client.cc.
  void client_bytes(std::span<const uint8_t> in);
  void client_line(const FramedLine& line);
  void command(const FramedLine& line);
  void helo_command(bool extended, std::string_view args);
  void mail_command(std::string_view args);
  void rcpt_command(std::string_view args);
  void data_command();
  void bdat_command(std::string_view args);
  void reset_command(smtp::PendingKind kind, SmtpEndReason reason);
  void auth_command(std::string_view args);
  void body_line(const FramedLine& line);
  size_t body_run(std::span<const uint8_t> in) const;
  void finish_data_body();
  void bdat_bytes(const FramedLine& line);
  void bdat_chunk_done();
  void client_gap(uint64_t length);
  void command_gap();
  void close_client();
  void to(SmtpClientState s);
  void await(HoldFor what, uint32_t seq);
  bool awaits(const smtp::PendingCommand& cmd) const {
    return cstate_ == SmtpClientState::awaiting_reply && cmd.seq == awaited_seq_;
  }
  bool hold(std::span<const uint8_t>& in);
  void guess_answer(std::span<const uint8_t> next = {});
  void replay_held();
  void replay_answered();
  void ignore_tls_bytes(std::span<const uint8_t> bytes);
  smtp::PendingCommand* push(smtp::PendingKind kind, bool sync = false);
  uint32_t supersede();

  // Server side: smtp_session_server.cc.
  void server_bytes(std::span<const uint8_t> in);
  void server_line(const FramedLine& line);
  void reply_done();
  void match_reply();
  void drop_lost_replies();
  void unsolicited_reply();
  void answer(smtp::PendingCommand& cmd);
  void answer_data(const smtp::PendingCommand& cmd);
  void answer_auth(const smtp::PendingCommand& cmd, uint16_t code, SmtpAuthOutcome outcome);
  void answer_recipient(const smtp::PendingCommand& cmd, uint16_t code,
                        SmtpRecipientOutcome outcome);
  void lose(smtp::PendingCommand& cmd);
  void server_gap(uint64_t length);
  void server_end();

  // Transactions and shared helpers: smtp_session.cc.
  Txn* txn(uint32_t id);
  uint32_t begin_txn(std::string_view mail_from, bool truncated, bool mail_seen, bool midstream);
  void enter_body(uint32_t id, SmtpDataKind kind, bool reply_seen);
  void begin_data(Txn& t, SmtpDataKind kind, bool reply_seen);
  void deliver_body(uint32_t id, std::span<const uint8_t> bytes);
  void body_gap(uint32_t id, uint64_t length);
  void end_body(uint32_t id, bool complete);
  void data_ended(uint32_t id, uint16_t code, std::string_view text, bool truncated);
  void end_txn(uint32_t id, SmtpEndReason reason, uint16_t code);
  void start_tls(uint16_t code);
  void finish();
  void anomaly(SmtpAnomaly kind, Direction dir, uint32_t txn_id = 0);
  std::string_view cut(std::string_view s, uint32_t limit, bool& truncated);

  const SmtpConfig& config_;
  SmtpCounters& counters_;
  SmtpEventSink& sink_;
  LineFramer client_framer_;
  LineFramer server_framer_;

  SmtpClientState cstate_ = SmtpClientState::start;
  SmtpServerState sstate_ = SmtpServerState::greeting;
  HoldFor hold_for_ = HoldFor::none;
  std::vector<uint8_t> held_;  // client bytes awaiting the server's answer
  bool client_ended_ = false;
  bool server_ended_ = false;
  bool client_end_deferred_ = false;  // client ended while its bytes were held
  bool hold_off_ = false;             // a hold overflowed; no holding until a reply
  bool finished_ = false;
  bool tls_ = false;
  bool tls_checked_ = false;
  bool greeting_expected_ = true;
  bool greeting_seen_ = false;
  bool any_reply_ = false;
  bool caps_known_ = false;
  bool prev_body_bare_lf_ = false;
  bool bdat_last_ = false;
  bool bdat_queued_ = false;
  uint32_t caps_ = 0;

  uint32_t next_txn_ = 1;
  uint32_t current_ = 0;          // transaction the client is building (0: none)
  uint32_t body_txn_ = 0;         // transaction whose body is under way
  uint32_t speculative_txn_ = 0;  // body taken on a guess; DATA's answer still due
  std::vector<Txn> txns_;         // not yet ended (bounded by the pending queue)

  smtp::PendingQueue pending_;
  uint32_t next_seq_ = 1;
  uint32_t awaited_seq_ = 0;     // the command whose answer the held bytes wait for
  smtp::PendingCommand popped_;  // the entry being answered
  uint32_t absorb_replies_ = 0;  // replies to commands that were not queued
  uint32_t server_lost_ = 0;     // head entries whose reply may be in a server gap
  uint16_t resume_code_ = 0;     // code of the multi-line reply a server gap cut

  // The reply being assembled.
  bool reply_is_greeting_ = false;
  uint16_t reply_code_ = 0;
  std::string reply_text_;
  bool reply_text_truncated_ = false;
  uint32_t reply_caps_ = 0;
  uint64_t reply_size_ = 0;
  uint32_t reply_mechanisms_ = 0;

  std::array<uint64_t, kSmtpAnomalyCount> anomaly_counts_{};
};

}  // namespace ww

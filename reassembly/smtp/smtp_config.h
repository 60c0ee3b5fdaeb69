#pragma once
// Settings of the SMTP session parser: parsed once (sensor/config maps the YAML
// keys), validated, then shared read-only by every SmtpSession of a worker.
// Every limit here has a counter or an anomaly that says how often it was hit
// (see smtp_counters.h) and the event that carries a cut value says so.

#include <cstdint>
#include <string>

namespace ww {

struct SmtpConfig {
  // Longest command or reply line handled whole, line ending included. RFC 5321
  // 4.5.3.1.4/5 allow 512 octets, but real clients exceed it (long ESMTP
  // parameter lists, XCLIENT, AUTH initial responses with big tokens), so a line
  // up to this size is parsed normally and only flagged above rfc_line_length.
  // A longer line is cut: its first max_line_length bytes are parsed, the rest
  // is skipped (anomaly line_too_long). Bounds the framing copy per direction.
  uint32_t max_line_length = 4096;
  // RFC 5321's limit for command and reply lines (CRLF included). Above it:
  // anomaly command_too_long / reply_too_long; the line is still parsed.
  uint32_t rfc_line_length = 512;
  // Longest body line handled whole, line ending included. RFC 5322 2.1.1: 998
  // characters + CRLF. A longer body line is passed through in pieces (nothing
  // is lost, anomaly line_too_long), so this only bounds the copy of a body line
  // split across packets; the RFC value makes the anomaly mean "not RFC 5322".
  uint32_t max_body_line_length = 1000;
  // Commands sent but not yet answered (PIPELINING). A command beyond it is not
  // queued and its reply is absorbed unread (anomaly pipelining_overflow);
  // DATA, STARTTLS and AUTH always get one extra slot.
  uint32_t max_pending_commands = 128;
  // Client bytes kept while waiting for the server's answer to DATA, STARTTLS or
  // AUTH (a client that does not wait for it). Beyond: the answer is guessed
  // (anomaly hold_overflow) and the bytes are parsed accordingly.
  uint32_t max_held_bytes = 16384;
  // Recipients reported (on_recipient) per transaction; later ones are counted in
  // the transaction's recipients_not_reported (anomaly too_many_recipients).
  uint32_t max_recipients = 100;
  // Transactions reported per session; later ones are parsed (to stay in sync)
  // but produce no events (anomaly max_transactions, counter
  // transactions_not_reported).
  uint32_t max_transactions = 100;
  // Stored length of the HELO/EHLO name and of MAIL/RCPT addresses; longer
  // values are cut and flagged (`*_truncated`, anomalies helo_too_long,
  // address_too_long). 256 = RFC 5321's 255-octet domain and 256-octet path.
  uint32_t max_helo_length = 256;
  uint32_t max_address_length = 256;
  // Stored length of the server's reply text (greeting, final reply to a
  // message); longer text is cut and flagged (`text_truncated`).
  uint32_t max_reply_text_length = 256;
  // Anomaly events per kind per session; later occurrences are only counted
  // (SmtpCounters::anomalies, SmtpSession::anomaly_count, and
  // anomaly_events_suppressed). Like Zeek's weird rate limiting.
  uint32_t max_anomaly_events = 1;
};

// Returns an empty string when the config is usable, otherwise one message naming
// the offending field and the accepted range.
std::string validate(const SmtpConfig& config);

}  // namespace ww

#pragma once
// The one list of SMTP anomalies and the one list of SMTP parser counters. Add a
// row and the enum value, its name, its description, its counter and its merge
// rule appear everywhere (stats output iterates with for_each()). Counters of kind
// `sum` add up across workers; kind `max` are high-water marks.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace ww {

// X(name, description). Reported through SmtpEventSink::on_anomaly (rate-limited
// per session by SmtpConfig::max_anomaly_events) and always counted.
#define WW_SMTP_ANOMALIES(X)                                                                     \
  X(bare_lf, "line ended by LF without CR")                                                      \
  X(line_too_long, "line longer than max_line_length (body: max_body_line_length); cut")         \
  X(command_too_long, "command line longer than rfc_line_length (RFC 5321: 512 octets)")         \
  X(reply_too_long, "reply line longer than rfc_line_length (RFC 5321: 512 octets)")             \
  X(unknown_command, "client line that is not a known SMTP command")                             \
  X(command_syntax, "known command with malformed arguments")                                    \
  X(invalid_reply, "server line without a reply code, or a multi-line reply that changes code")  \
  X(reply_without_command, "server reply with no command waiting for it")                        \
  X(pipelining_overflow, "more than max_pending_commands unanswered commands; not matched")      \
  X(pipelining_unadvertised, "command sent before the previous one was answered, no PIPELINING") \
  X(rcpt_without_mail, "RCPT TO with no transaction open")                                       \
  X(data_without_mail, "DATA or BDAT with no MAIL FROM seen")                                    \
  X(data_without_rcpt, "DATA or BDAT in a transaction without RCPT TO")                          \
  X(nested_mail, "MAIL FROM while a transaction was still open")                                 \
  X(bdat_size_invalid, "BDAT with a missing or malformed chunk size; resync")                    \
  X(bdat_without_chunking, "BDAT though the server's EHLO reply did not offer CHUNKING")         \
  X(helo_too_long, "HELO/EHLO name longer than max_helo_length; cut")                            \
  X(address_too_long, "MAIL/RCPT address longer than max_address_length; cut")                   \
  X(too_many_recipients, "more than max_recipients RCPT in one transaction; not reported")       \
  X(max_transactions, "more than max_transactions transactions in a session; not reported")      \
  X(data_pipelined, "client bytes after DATA before the server's answer")                        \
  X(starttls_pipelined, "client bytes after STARTTLS before the server's answer (injection)")    \
  X(hold_overflow, "more than max_held_bytes before the server's answer; answer guessed")        \
  X(data_rejected_after_body, "DATA refused after its bytes had been taken as body")             \
  X(plaintext_after_tls, "client bytes after STARTTLS was accepted do not start a TLS record")   \
  X(end_of_data_bare_lf, "end-of-data dot with a bare LF before or after it (SMTP smuggling)")   \
  X(gap_in_body, "bytes missing inside a message body")                                          \
  X(gap_in_command, "bytes missing in the client's command stream; resync at next command")      \
  X(gap_in_reply, "bytes missing in the server's reply stream; resync at next reply")            \
  X(reply_during_body, "server replied while the client was sending a body; body ended")         \
  X(midstream_pickup, "first client bytes were the body of a message already under way")

enum class SmtpAnomaly : uint8_t {
#define WW_X(name, desc) name,
  WW_SMTP_ANOMALIES(WW_X)
#undef WW_X
      kCount
};

inline constexpr size_t kSmtpAnomalyCount = static_cast<size_t>(SmtpAnomaly::kCount);

const char* smtp_anomaly_name(SmtpAnomaly a);
const char* smtp_anomaly_description(SmtpAnomaly a);

// X(name, kind, description)
#define WW_SMTP_COUNTERS(X)                                                                       \
  X(sessions, sum, "SMTP sessions parsed")                                                        \
  X(bytes_to_server, sum, "client bytes fed to the parser")                                       \
  X(bytes_to_client, sum, "server bytes fed to the parser")                                       \
  X(commands, sum, "client command lines")                                                        \
  X(unknown_commands, sum, "client lines that were not a known command")                          \
  X(replies, sum, "server replies (a multi-line reply counts once)")                              \
  X(transactions, sum, "transactions begun (MAIL FROM, or a body without one)")                   \
  X(transactions_delivered, sum, "transactions whose message the server accepted")                \
  X(transactions_rejected, sum, "transactions the server refused (MAIL, all RCPT, DATA or body)") \
  X(transactions_aborted, sum, "transactions the client dropped (RSET, new MAIL, HELO, QUIT)")    \
  X(transactions_incomplete, sum, "transactions cut by session end, STARTTLS or a lost reply")    \
  X(transactions_not_reported, sum, "transactions beyond max_transactions (parsed, no events)")   \
  X(recipients, sum, "RCPT TO commands")                                                          \
  X(recipients_accepted, sum, "RCPT TO the server accepted")                                      \
  X(recipients_rejected, sum, "RCPT TO the server refused")                                       \
  X(recipients_not_reported, sum, "RCPT beyond max_recipients in a transaction (no event)")       \
  X(messages_data, sum, "bodies sent with DATA")                                                  \
  X(messages_bdat, sum, "bodies sent with BDAT")                                                  \
  X(bdat_chunks, sum, "BDAT chunks")                                                              \
  X(body_bytes, sum, "body bytes delivered (after dot-unstuffing)")                               \
  X(body_gap_bytes, sum, "body bytes missing (gaps)")                                             \
  X(gaps, sum, "gaps in either direction")                                                        \
  X(gap_bytes, sum, "bytes declared missing in either direction")                                 \
  X(resync_lines_skipped, sum, "lines skipped while looking for a command or reply after a gap")  \
  X(long_line_bytes_skipped, sum, "bytes of over-long command/reply lines beyond the cut")        \
  X(held_bytes, sum, "client bytes held until the server's answer to DATA, STARTTLS, AUTH")       \
  X(hold_guesses, sum, "answers to DATA, STARTTLS or AUTH guessed (hold overflow, gap, end)")     \
  X(replies_unmatched, sum, "replies absorbed for commands that were lost or not queued")         \
  X(replies_lost, sum, "commands whose reply was lost in a server gap or never came")             \
  X(commands_not_queued, sum, "commands beyond max_pending_commands (reply not interpreted)")     \
  X(strings_truncated, sum, "helo names, addresses or reply texts cut at their limit")            \
  X(auth_attempts, sum, "AUTH commands")                                                          \
  X(auth_succeeded, sum, "AUTH exchanges the server accepted")                                    \
  X(auth_failed, sum, "AUTH exchanges the server refused or the client cancelled")                \
  X(auth_lines, sum, "SASL response lines skipped (never recorded)")                              \
  X(tls_sessions, sum, "sessions where STARTTLS was accepted")                                    \
  X(tls_bytes_ignored, sum, "bytes after STARTTLS was accepted, not inspected")                   \
  X(anomalies_total, sum, "anomalies of any kind")                                                \
  X(anomaly_events_suppressed, sum, "anomaly events beyond max_anomaly_events per kind")          \
  X(pending_high_water, max, "most unanswered commands in one session")                           \
  X(held_high_water, max, "most client bytes held at once by one session")

struct SmtpCounters {
#define WW_X(name, kind, desc) uint64_t name = 0;
  WW_SMTP_COUNTERS(WW_X)
#undef WW_X
  // Occurrences per anomaly kind (every occurrence, also those not reported).
  std::array<uint64_t, kSmtpAnomalyCount> anomalies{};

  uint64_t anomaly(SmtpAnomaly a) const { return anomalies[static_cast<size_t>(a)]; }

  void merge(const SmtpCounters& o) {
#define WW_X(name, kind, desc) merge_##kind(name, o.name);
    WW_SMTP_COUNTERS(WW_X)
#undef WW_X
    for (size_t i = 0; i < kSmtpAnomalyCount; ++i) anomalies[i] += o.anomalies[i];
  }

  // Calls f(name, value, description) for every counter, in list order.
  template <class F>
  void for_each(F&& f) const {
#define WW_X(name, kind, desc) f(#name, name, desc);
    WW_SMTP_COUNTERS(WW_X)
#undef WW_X
  }

  // Calls f(anomaly_name, count, description) for every anomaly kind.
  template <class F>
  void for_each_anomaly(F&& f) const {
    for (size_t i = 0; i < kSmtpAnomalyCount; ++i) {
      const auto a = static_cast<SmtpAnomaly>(i);
      f(smtp_anomaly_name(a), anomalies[i], smtp_anomaly_description(a));
    }
  }

 private:
  static void merge_sum(uint64_t& a, uint64_t b) { a += b; }
  static void merge_max(uint64_t& a, uint64_t b) { a = std::max(a, b); }
};

}  // namespace ww

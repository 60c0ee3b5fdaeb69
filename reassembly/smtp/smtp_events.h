#pragma once
// What an SmtpSession reports: the event structs and the sink interface the
// session is given. Strings and spans in an event are views valid only during the
// call; copy what must outlive it. Every string that came off the wire is raw
// (not unescaped, not interpreted) and cut at its configured limit, with a
// `*_truncated` flag saying so.
//
// Order guarantees, per transaction id: on_transaction_began comes first and
// on_transaction_ended last; on_data_began < on_body / on_body_gap < on_body_end
// < on_data_ended. on_recipient comes when the server answers the RCPT, so with a
// pipelined BDAT it may follow body bytes. Under PIPELINING the next transaction
// may begin before the previous one has its final reply: use the ids.
//
// What never appears in any event: SASL data (AUTH initial responses and the
// lines after a 334), the text of unknown commands, anything after STARTTLS.

#include <cstdint>
#include <span>
#include <string_view>

#include "reassembly/smtp/smtp_counters.h"
#include "reassembly/tcp/direction.h"

namespace ww {

// X(name, EHLO keyword)
#define WW_SMTP_CAPABILITIES(X) \
  X(pipelining, "PIPELINING")   \
  X(chunking, "CHUNKING")       \
  X(starttls, "STARTTLS")       \
  X(size, "SIZE")               \
  X(eightbitmime, "8BITMIME")   \
  X(auth, "AUTH")               \
  X(smtputf8, "SMTPUTF8")       \
  X(binarymime, "BINARYMIME")   \
  X(dsn, "DSN")                 \
  X(enhancedstatuscodes, "ENHANCEDSTATUSCODES")

enum class SmtpCapability : uint8_t {
#define WW_X(name, keyword) name,
  WW_SMTP_CAPABILITIES(WW_X)
#undef WW_X
      kCount
};

// X(name, SASL mechanism name); `other` collects the rest.
#define WW_SMTP_AUTH_MECHANISMS(X) \
  X(plain, "PLAIN")                \
  X(login, "LOGIN")                \
  X(cram_md5, "CRAM-MD5")          \
  X(digest_md5, "DIGEST-MD5")      \
  X(ntlm, "NTLM")                  \
  X(gssapi, "GSSAPI")              \
  X(xoauth2, "XOAUTH2")            \
  X(oauthbearer, "OAUTHBEARER")    \
  X(scram_sha_1, "SCRAM-SHA-1")    \
  X(scram_sha_256, "SCRAM-SHA-256")

enum class SmtpAuthMechanism : uint8_t {
#define WW_X(name, keyword) name,
  WW_SMTP_AUTH_MECHANISMS(WW_X)
#undef WW_X
      other,
  kCount
};

constexpr uint32_t smtp_bit(SmtpCapability c) { return 1u << static_cast<unsigned>(c); }
constexpr uint32_t smtp_bit(SmtpAuthMechanism m) { return 1u << static_cast<unsigned>(m); }
const char* smtp_capability_name(SmtpCapability c);
const char* smtp_auth_mechanism_name(SmtpAuthMechanism m);

enum class SmtpTransactionStatus : uint8_t {
  delivered,   // the server accepted the message (final reply 2xx)
  rejected,    // the server refused it: final reply 4xx/5xx, or MAIL, DATA, a BDAT
               // chunk or every RCPT refused before the client gave up
  aborted,     // the client dropped it (RSET, new MAIL, HELO/EHLO, QUIT) unrefused
  incomplete,  // the outcome was not seen: session end, STARTTLS, reply lost in a gap
};

// Why a transaction ended.
enum class SmtpEndReason : uint8_t {
  final_reply,  // the server's reply to the end-of-data line or to BDAT LAST
  rset,
  mail,  // a new MAIL FROM
  helo,  // HELO/EHLO (resets the transaction, RFC 5321 4.1.4)
  quit,
  session_end,  // both directions ended (or the reply that would end it never came)
  starttls,     // inspection stopped
};

enum class SmtpRecipientOutcome : uint8_t { accepted, rejected, unknown };
enum class SmtpAuthOutcome : uint8_t { succeeded, failed, unknown };
enum class SmtpDataKind : uint8_t { data, bdat };

const char* smtp_status_name(SmtpTransactionStatus s);
const char* smtp_end_reason_name(SmtpEndReason r);
const char* smtp_recipient_outcome_name(SmtpRecipientOutcome o);
const char* smtp_auth_outcome_name(SmtpAuthOutcome o);
const char* smtp_data_kind_name(SmtpDataKind k);

struct SmtpGreeting {
  uint16_t code = 0;  // 220, or 421/554 for a server that refuses the session
  std::string_view text;
  bool text_truncated = false;
};

// HELO or EHLO and the server's answer (reply_code 0: the answer was not seen).
struct SmtpHelo {
  bool extended = false;  // EHLO
  std::string_view name;  // first argument, raw
  bool name_truncated = false;
  uint16_t reply_code = 0;
  uint32_t capabilities = 0;     // smtp_bit(SmtpCapability) from the EHLO reply
  uint64_t size_limit = 0;       // SIZE n (0: none or not given)
  uint32_t auth_mechanisms = 0;  // smtp_bit(SmtpAuthMechanism) offered with AUTH
};

// One AUTH exchange, reported when its outcome is known. Only the mechanism name
// (validated SASL syntax, upper-cased, max 20 characters) is kept.
struct SmtpAuth {
  std::string_view mechanism;  // empty if the argument was not a mechanism name
  SmtpAuthMechanism known = SmtpAuthMechanism::other;
  bool initial_response = false;  // the command carried one (its content is dropped)
  SmtpAuthOutcome outcome = SmtpAuthOutcome::unknown;
  uint16_t reply_code = 0;
};

struct SmtpTransactionBegan {
  uint32_t transaction = 0;    // 1, 2, ... per session
  std::string_view mail_from;  // contents of <...> without ESMTP parameters
  bool mail_from_truncated = false;
  // False when no MAIL FROM was seen: the transaction was opened by DATA/BDAT, a
  // body picked up midstream, or a DATA accepted after a gap.
  bool mail_from_seen = true;
  bool midstream = false;  // the message started before the capture did
};

struct SmtpRecipient {
  uint32_t transaction = 0;
  std::string_view address;
  bool address_truncated = false;
  SmtpRecipientOutcome outcome = SmtpRecipientOutcome::unknown;
  uint16_t reply_code = 0;  // 0: the reply was not seen
};

struct SmtpDataBegan {
  uint32_t transaction = 0;
  SmtpDataKind kind = SmtpDataKind::data;
  // False when the body began without the server's 354: BDAT (no go-ahead exists),
  // a guessed answer, or a body picked up midstream.
  bool reply_seen = true;
};

// The body is complete on the wire (end-of-data line, last BDAT chunk) or was cut.
// The MIME decoder finishes here; the server's verdict follows in on_data_ended.
struct SmtpBodyEnd {
  uint32_t transaction = 0;
  uint64_t body_bytes = 0;  // delivered through on_body
  uint64_t gap_bytes = 0;   // reported through on_body_gap
  bool complete = false;    // false: cut by RSET/QUIT/session end/STARTTLS/gap
};

// The server's final reply to the message.
struct SmtpDataEnded {
  uint32_t transaction = 0;
  uint16_t reply_code = 0;      // 0: not seen (lost in a gap, session ended)
  std::string_view reply_text;  // first line, after the code ("2.0.0 Ok: queued as X")
  bool reply_text_truncated = false;
};

struct SmtpTransactionEnded {
  uint32_t transaction = 0;
  SmtpTransactionStatus status = SmtpTransactionStatus::incomplete;
  SmtpEndReason reason = SmtpEndReason::session_end;
  uint16_t mail_reply_code = 0;  // the server's answer to MAIL FROM (0: none seen)
  uint16_t reply_code = 0;       // final reply, or the refusal that decided the status
  uint32_t recipients = 0;       // RCPT commands in the transaction
  uint32_t recipients_accepted = 0;
  uint32_t recipients_rejected = 0;
  uint32_t recipients_not_reported = 0;  // beyond max_recipients
  uint64_t body_bytes = 0;
  uint64_t gap_bytes = 0;
};

// No wire text on purpose: an unknown "command" may be a credential.
struct SmtpAnomalyEvent {
  SmtpAnomaly kind = SmtpAnomaly::kCount;
  Direction direction = Direction::to_server;
  uint32_t transaction = 0;  // 0: none open
};

class SmtpEventSink {
 public:
  virtual ~SmtpEventSink() = default;
  // Session facts.
  virtual void on_greeting(const SmtpGreeting& g) = 0;
  virtual void on_helo(const SmtpHelo& h) = 0;
  virtual void on_auth(const SmtpAuth& a) = 0;
  // The server accepted STARTTLS (reply_code 0: guessed); nothing more follows
  // but the end of open transactions.
  virtual void on_tls_started(uint16_t reply_code) = 0;
  // Transactions.
  virtual void on_transaction_began(const SmtpTransactionBegan& t) = 0;
  virtual void on_recipient(const SmtpRecipient& r) = 0;
  virtual void on_data_began(const SmtpDataBegan& d) = 0;
  // Message bytes as the MIME decoder consumes them: dot-unstuffed (DATA) or raw
  // chunk bytes (BDAT), line endings as sent, end-of-data line excluded.
  virtual void on_body(uint32_t transaction, std::span<const uint8_t> bytes) = 0;
  virtual void on_body_gap(uint32_t transaction, uint64_t length) = 0;
  virtual void on_body_end(const SmtpBodyEnd& b) = 0;
  virtual void on_data_ended(const SmtpDataEnded& d) = 0;
  virtual void on_transaction_ended(const SmtpTransactionEnded& t) = 0;
  virtual void on_anomaly(const SmtpAnomalyEvent& a) = 0;
};

}  // namespace ww

#pragma once
// SMTP conversations on a TcpFlow. The building block for SMTP scenarios: the
// plain "smtp" scenario uses it with short text mails; outbreak scenarios
// (mass mailers, MIME attachments) put their own message in `message`.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/gen/rng.h"
#include "tools/gen/tcp_flow.h"

namespace ww::gen {

struct SmtpSessionSpec {
  std::string server_name = "mail.example.com";
  std::string client_name = "client.example.org";  // EHLO / HELO argument
  bool esmtp = true;                               // EHLO with a multi-line 250 reply, else HELO
  // One transaction per message, all in the same session.
  struct Transaction {
    std::string mail_from;             // address without angle brackets
    std::vector<std::string> rcpt_to;  // at least one
    std::string message;               // RFC 5322 text with CRLF line ends, not dot-stuffed
  };
  std::vector<Transaction> transactions;
};

// Appends greeting, EHLO, then per transaction MAIL FROM, RCPT TO, DATA, 354,
// the dot-stuffed message, ".", 250, and finally QUIT and 221. Each command
// and reply is its own send(), in lock-step (no pipelining). Does not close
// the connection: the caller chooses the teardown.
void add_smtp_session(TcpFlow& flow, const SmtpSessionSpec& spec, Rng& rng);

// The DATA body as sent: lines starting with '.' get another '.', the text
// ends with CRLF, followed by the ".\r\n" terminator.
std::string smtp_data_body(std::string_view message);

struct TextMail {
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string body;  // lines joined with CRLF by the caller or "\n" (normalised)
  int64_t date_us = 0;
  std::string message_id;  // without angle brackets
};
// A plain RFC 5322 message (From, To, Subject, Date, Message-ID, MIME-Version,
// Content-Type text/plain) with CRLF line ends.
std::string make_text_mail(const TextMail& mail);

// Ground truth of a session for the manifest's app_truth.
nlohmann::ordered_json smtp_truth(const SmtpSessionSpec& spec);

}  // namespace ww::gen

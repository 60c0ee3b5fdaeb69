#include "tools/gen/smtp_session.h"

#include "tools/gen/time_format.h"

namespace ww::gen {
namespace {

constexpr auto kToServer = Direction::kToServer;
constexpr auto kToClient = Direction::kToClient;

std::string queue_id(Rng& rng) { return rng.text(10, "0123456789ABCDEF"); }

std::string crlf_lines(std::string_view text) {
  // Normalise bare LF (and CRLF) to CRLF.
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string smtp_data_body(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 16);
  bool line_start = true;
  for (const char c : message) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  out += ".\r\n";
  return out;
}

void add_smtp_session(TcpFlow& flow, const SmtpSessionSpec& spec, Rng& rng) {
  flow.send(kToClient, "220 " + spec.server_name + " ESMTP Postfix\r\n");
  if (spec.esmtp) {
    flow.send(kToServer, "EHLO " + spec.client_name + "\r\n");
    flow.send(kToClient, "250-" + spec.server_name +
                             "\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
                             "250-ETRN\r\n250-8BITMIME\r\n250 DSN\r\n");
  } else {
    flow.send(kToServer, "HELO " + spec.client_name + "\r\n");
    flow.send(kToClient, "250 " + spec.server_name + "\r\n");
  }
  for (const auto& t : spec.transactions) {
    flow.send(kToServer, "MAIL FROM:<" + t.mail_from + ">\r\n");
    flow.send(kToClient, "250 2.1.0 Ok\r\n");
    for (const auto& r : t.rcpt_to) {
      flow.send(kToServer, "RCPT TO:<" + r + ">\r\n");
      flow.send(kToClient, "250 2.1.5 Ok\r\n");
    }
    flow.send(kToServer, "DATA\r\n");
    flow.send(kToClient, "354 End data with <CR><LF>.<CR><LF>\r\n");
    flow.send(kToServer, Payload::text(smtp_data_body(t.message)));
    flow.send(kToClient, "250 2.0.0 Ok: queued as " + queue_id(rng) + "\r\n");
  }
  flow.send(kToServer, "QUIT\r\n");
  flow.send(kToClient, "221 2.0.0 Bye\r\n");
}

std::string make_text_mail(const TextMail& m) {
  std::string h;
  h += "From: <" + m.from + ">\r\n";
  h += "To: ";
  for (size_t i = 0; i < m.to.size(); ++i) {
    if (i) h += ",\r\n ";
    h += "<" + m.to[i] + ">";
  }
  h += "\r\nSubject: " + m.subject + "\r\n";
  h += "Date: " + rfc5322_date(m.date_us) + "\r\n";
  h += "Message-ID: <" + m.message_id + ">\r\n";
  h += "MIME-Version: 1.0\r\n";
  h += "Content-Type: text/plain; charset=us-ascii\r\n";
  h += "Content-Transfer-Encoding: 7bit\r\n";
  h += "\r\n";
  h += crlf_lines(m.body);
  if (h.size() < 2 || h.compare(h.size() - 2, 2, "\r\n") != 0) h += "\r\n";
  return h;
}

nlohmann::ordered_json smtp_truth(const SmtpSessionSpec& spec) {
  nlohmann::ordered_json j;
  j["helo"] = spec.client_name;
  auto& txs = j["transactions"] = nlohmann::ordered_json::array();
  for (const auto& t : spec.transactions) {
    txs.push_back(
        {{"mail_from", t.mail_from}, {"rcpt_to", t.rcpt_to}, {"message_bytes", t.message.size()}});
  }
  return j;
}

}  // namespace ww::gen

#include "tools/gen/smtp_dialog.h"

#include "tools/gen/smtp_session.h"

namespace ww::gen {
namespace {

constexpr auto kToServer = Direction::kToServer;
constexpr auto kToClient = Direction::kToClient;

std::string queue_id(Rng& rng) { return rng.text(10, "0123456789ABCDEF"); }

}  // namespace

void add_smtp_dialog(TcpFlow& flow, const SmtpDialog& d, Rng& rng) {
  flow.send(kToClient, "220 " + d.server_name + " " + d.banner + "\r\n");
  if (d.esmtp) {
    flow.send(kToServer, "EHLO " + d.client_name + "\r\n");
    std::string caps = "250-" + d.server_name + "\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n";
    if (d.chunking) caps += "250-CHUNKING\r\n";
    caps += "250-8BITMIME\r\n250 DSN\r\n";
    flow.send(kToClient, caps);
  } else {
    flow.send(kToServer, "HELO " + d.client_name + "\r\n");
    flow.send(kToClient, "250 " + d.server_name + "\r\n");
  }
  for (const auto& t : d.transactions) {
    if (t.rset_before) {
      // An aborted transaction: the client changes its mind.
      flow.send(kToServer, "MAIL FROM:<" + t.mail_from + ">\r\nRCPT TO:<" + t.rcpt_to.front() +
                               ">\r\nRSET\r\n");
      flow.send(kToClient, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n");
    }
    std::vector<std::pair<std::string, std::string>> steps;  // command, reply
    steps.emplace_back("MAIL FROM:<" + t.mail_from + ">\r\n", "250 2.1.0 Ok\r\n");
    for (const auto& r : t.rejected_rcpts) {
      steps.emplace_back("RCPT TO:<" + r + ">\r\n",
                         "550 5.1.1 <" + r + ">: Recipient address rejected: User unknown\r\n");
    }
    for (const auto& r : t.rcpt_to) steps.emplace_back("RCPT TO:<" + r + ">\r\n", "250 2.1.5 Ok\r\n");
    if (!t.bdat) steps.emplace_back("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
    flow.mark();
    if (t.pipelined) {
      std::string cmds, replies;
      for (const auto& [c, r] : steps) {
        cmds += c;
        replies += r;
      }
      flow.send(kToServer, cmds);
      flow.send(kToClient, replies);
    } else {
      for (const auto& [c, r] : steps) {
        flow.send(kToServer, c);
        flow.send(kToClient, r);
      }
    }
    const std::string final_reply =
        t.rejected ? std::string("554 5.7.1 Message rejected: content policy\r\n")
                   : "250 2.0.0 Ok: queued as " + queue_id(rng) + "\r\n";
    if (!t.bdat) {
      flow.send(kToServer, Payload::text(smtp_data_body(t.message)));
      flow.send(kToClient, final_reply);
      continue;
    }
    size_t at = 0;
    for (size_t n : t.bdat_chunks) {
      n = std::min(n, t.message.size() - at);
      const bool last = !t.bdat_zero_last && at + n == t.message.size();
      if (last) break;  // the final chunk below carries LAST
      flow.send(kToServer, "BDAT " + std::to_string(n) + "\r\n" + t.message.substr(at, n));
      flow.send(kToClient, "250 2.0.0 " + std::to_string(n) + " octets received\r\n");
      at += n;
    }
    if (t.bdat_zero_last) {
      if (at < t.message.size()) {
        const size_t n = t.message.size() - at;
        flow.send(kToServer, "BDAT " + std::to_string(n) + "\r\n" + t.message.substr(at));
        flow.send(kToClient, "250 2.0.0 " + std::to_string(n) + " octets received\r\n");
      }
      flow.send(kToServer, "BDAT 0 LAST\r\n");
    } else {
      const size_t n = t.message.size() - at;
      flow.send(kToServer, "BDAT " + std::to_string(n) + " LAST\r\n" + t.message.substr(at));
    }
    flow.send(kToClient, final_reply);
  }
  if (d.quit) {
    flow.send(kToServer, "QUIT\r\n");
    flow.send(kToClient, "221 2.0.0 Bye\r\n");
  }
}

}  // namespace ww::gen

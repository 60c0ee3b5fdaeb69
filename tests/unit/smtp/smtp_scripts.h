#pragma once
// Scripted SMTP conversations, shared by the behaviour tests (which check what
// each one reports) and the property tests (which replay every one of them with
// every split of every step and must get the same events).

#include <string>
#include <vector>

#include "tests/unit/smtp/smtp_test_util.h"

namespace ww::smtp_test {

// Secrets in the AUTH exchanges: they must never show up in an event.
inline const char* const kPlainSecret = "AGFsaWNlAHMzY3IzdFBhc3M=";  // \0alice\0s3cr3tPass
inline const char* const kLoginUser = "YWxpY2U=";                    // alice
inline const char* const kLoginPass = "aHVudGVyMg==";                // hunter2

inline Script message(const std::string& from, const std::vector<std::string>& to,
                      const std::string& body, const std::string& queued = "Ok: queued as X") {
  Script s{C("MAIL FROM:<" + from + ">\r\n"), S("250 2.1.0 Ok\r\n")};
  for (const auto& r : to) {
    s.push_back(C("RCPT TO:<" + r + ">\r\n"));
    s.push_back(S("250 2.1.5 Ok\r\n"));
  }
  s.push_back(C("DATA\r\n"));
  s.push_back(S("354 End data with <CR><LF>.<CR><LF>\r\n"));
  s.push_back(C(body + ".\r\n"));
  s.push_back(S("250 2.0.0 " + queued + "\r\n"));
  return s;
}

inline Script quit() { return {C("QUIT\r\n"), S("221 2.0.0 Bye\r\n")}; }

inline const std::string kBody = "Subject: hi\r\n\r\nHello Bob.\r\n";

struct NamedScript {
  const char* name;
  Script script;
  SmtpConfig config{};
};

// Small limits, so that over-long lines stay short enough to split everywhere.
inline SmtpConfig small_lines_config() {
  SmtpConfig c;
  c.max_line_length = 128;
  c.rfc_line_length = 64;
  c.max_body_line_length = 100;
  c.max_address_length = 16;
  c.max_helo_length = 16;
  c.max_reply_text_length = 20;
  return c;
}

inline Script data_to(const std::string& from, const std::string& to) {
  return {C("MAIL FROM:<" + from + ">\r\n"),
          S("250 ok\r\n"),
          C("RCPT TO:<" + to + ">\r\n"),
          S("250 ok\r\n"),
          C("DATA\r\n"),
          S("354 go\r\n")};
}

inline std::vector<NamedScript> all_scripts() {
  std::vector<NamedScript> v;
  v.push_back(
      {"plain", opening() + message("alice@example.org", {"bob@example.net"}, kBody) + quit()});
  v.push_back({"ehlo_capabilities",
               Script{S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"),
                      S("250-mx.example.net Hello\r\n250-PIPELINING\r\n250-CHUNKING\r\n"
                        "250-STARTTLS\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n"
                        "250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n")} +
                   quit()});
  v.push_back({"helo", Script{S("220 mx\r\n"), C("HELO old.client\r\n"), S("250 mx\r\n")} +
                           message("a@x", {"b@y"}, "x\r\n") + quit()});
  v.push_back({"two_transactions", opening() +
                                       message("a@x", {"b@y", "c@y"}, "one\r\n", "queued as A") +
                                       message("d@x", {"e@y"}, "two\r\n", "queued as B") + quit()});
  v.push_back(
      {"pipelining",
       opening() + Script{C("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nRCPT TO:<c@y>\r\nDATA\r\n"),
                          S("250 ok\r\n250 ok\r\n550 5.1.1 no such user\r\n354 go\r\n"),
                          C("Subject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n"),
                          S("250 2.0.0 Ok: queued as P\r\n221 bye\r\n")}});
  v.push_back(
      {"rejected_rcpt",
       opening() +
           Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<good@y>\r\n"),
                  S("250 ok\r\n"), C("RCPT TO:<bad@y>\r\n"), S("550 5.1.1 <bad@y> unknown\r\n"),
                  C("DATA\r\n"), S("354 go\r\n"), C("x\r\n.\r\n"), S("250 ok queued\r\n")} +
           quit()});
  v.push_back(
      {"rejected_data",
       opening() +
           Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                  S("550 5.1.1 unknown\r\n"), C("DATA\r\n"),
                  S("554 5.5.1 Error: no valid recipients\r\n"), C("RSET\r\n"), S("250 ok\r\n")} +
           quit()});
  v.push_back({"rejected_data_pipelined_body",
               opening() + Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                                  S("550 5.1.1 unknown\r\n"),
                                  C("DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n"),
                                  S("554 5.5.1 no valid recipients\r\n500 5.5.2 syntax\r\n"
                                    "500 5.5.2 syntax\r\n500 5.5.2 syntax\r\n500 5.5.2 syntax\r\n"
                                    "221 bye\r\n")}});
  v.push_back(
      {"accepted_data_pipelined_body",
       opening() + Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                          S("250 ok\r\n"), C("DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n"),
                          S("354 go\r\n250 queued\r\n221 bye\r\n")}});
  v.push_back({"dot_stuffing",
               opening() +
                   message("a@x", {"b@y"}, "..\r\n...x\r\n. not the end\r\nplain\r\n.\r\r\n", "q") +
                   quit()});
  v.push_back({"end_of_data_split",
               opening() +
                   Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                          S("250 ok\r\n"), C("DATA\r\n"), S("354 go\r\n"), C("last line\r\n."),
                          C("\r\n"), S("250 queued\r\n")} +
                   quit()});
  v.push_back({"bdat", opening() +
                           Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                                  S("250 ok\r\n"), C("BDAT 14\r\nSubject: b\r\n\r\n"),
                                  S("250 2.0.0 14 octets\r\n"), C("BDAT 9 LAST\r\n.\r\nbody\r\n"),
                                  S("250 2.0.0 Ok: queued as B\r\n")} +
                           quit()});
  v.push_back({"bdat_zero_last",
               opening() +
                   Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                          S("250 ok\r\n"), C("BDAT 6\r\nhello\n"), S("250 ok\r\n"),
                          C("BDAT 0 LAST\r\n"), S("250 queued as Z\r\n")} +
                   quit()});
  v.push_back({"bdat_pipelined",
               opening() + Script{C("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 7 LAST\r\nhello\r\n"
                                    "MAIL FROM:<c@x>\r\nRCPT TO:<d@y>\r\nBDAT 3 LAST\r\nbye"
                                    "QUIT\r\n"),
                                  S("250 ok\r\n250 ok\r\n250 queued 1\r\n250 ok\r\n250 ok\r\n"
                                    "250 queued 2\r\n221 bye\r\n")}});
  v.push_back({"bdat_bad_size",
               opening() +
                   Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                          S("250 ok\r\n"), C("BDAT 1x2\r\nsome chunk bytes\r\nRSET\r\n"),
                          S("501 5.5.4 bad size\r\n500 unknown\r\n250 ok\r\n")} +
                   message("c@x", {"d@y"}, "x\r\n") + quit()});
  v.push_back({"rset_mid_transaction",
               opening() +
                   Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                          S("250 ok\r\n"), C("RSET\r\n"), S("250 ok\r\n")} +
                   message("c@x", {"d@y"}, "after reset\r\n") + quit()});
  v.push_back({"auth_plain", opening({"PIPELINING", "AUTH PLAIN LOGIN"}) +
                                 Script{C(std::string("AUTH PLAIN ") + kPlainSecret + "\r\n"),
                                        S("235 2.7.0 Authentication successful\r\n")} +
                                 message("alice@x", {"b@y"}, "hi\r\n") + quit()});
  v.push_back(
      {"auth_login",
       opening({"PIPELINING", "AUTH PLAIN LOGIN"}) +
           Script{C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"),
                  C(std::string(kLoginUser) + "\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
                  C(std::string(kLoginPass) + "\r\n"), S("535 5.7.8 failed\r\n"),
                  C("AUTH LOGIN " + std::string(kLoginUser) + "\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
                  C(std::string(kLoginPass) + "\r\n"), S("235 2.7.0 ok\r\n")} +
           quit()});
  v.push_back(
      {"starttls_accepted", opening({"PIPELINING", "STARTTLS"}) +
                                Script{C("STARTTLS\r\n"), S("220 2.0.0 Ready to start TLS\r\n"),
                                       C(std::string("\x16\x03\x01\x00\x05hello", 10)),
                                       S(std::string("\x16\x03\x03\x00\x02hi", 7)),
                                       C("MAIL FROM:<hidden@x>\r\n"), S("250 ok\r\n")}});
  v.push_back(
      {"starttls_refused", opening({"PIPELINING", "STARTTLS"}) +
                               Script{C("STARTTLS\r\n"), S("454 4.7.0 TLS not available\r\n")} +
                               message("a@x", {"b@y"}, "clear\r\n") + quit()});
  v.push_back({"starttls_injection", opening({"PIPELINING", "STARTTLS"}) +
                                         Script{C("STARTTLS\r\nRSET\r\n"), S("220 2.0.0 Ready\r\n"),
                                                C(std::string("\x16\x03\x01", 3))}});
  v.push_back(
      {"bare_lf", Script{S("220 mx\n"), C("EHLO x\n"), S("250 mx\r\n"), C("MAIL FROM:<a@x>\n"),
                         S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"), S("250 ok\r\n"), C("DATA\r\n"),
                         S("354 go\r\n"), C("unix line\nnext\n.\n"), S("250 queued\r\n")} +
                      quit()});
  // ---- gaps, midstream pickup, limits ----
  v.push_back({"gap_in_body", opening() + data_to("a@x", "b@y") +
                                  Script{C("Subject: g\r\n\r\nfirst part\r\nsecond pa"), CGap(500),
                                         C("rt continues\r\nlast\r\n.\r\n"), S("250 queued\r\n")} +
                                  quit()});
  v.push_back({"gap_swallows_end_of_data",
               opening() + data_to("a@x", "b@y") +
                   Script{C("body line\r\n"), CGap(50), S("250 2.0.0 queued as G\r\n"),
                          C("QUIT\r\n"), S("221 bye\r\n")}});
  v.push_back(
      {"gap_in_command",
       opening() +
           Script{C("MAIL FROM:<a@x>\r\nRCPT TO:<b"), S("250 ok\r\n"), CGap(5), S("250 ok\r\n"),
                  C("y>\r\nDATA\r\n"), S("354 go\r\n"), C("body\r\n.\r\n"), S("250 queued\r\n")} +
           quit()});
  v.push_back({"lost_data_command",
               opening() +
                   Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                          S("250 ok\r\n"), CGap(6), S("354 go\r\n"), C("body line\r\n.\r\n"),
                          S("250 queued\r\n")} +
                   quit()});
  v.push_back(
      {"gap_in_reply",
       opening() +
           Script{C("MAIL FROM:<a@x>\r\n"), SGap(30), C("RCPT TO:<b@y>\r\n"), S("250 ok\r\n"),
                  C("DATA\r\n"), S("354 go\r\n"), C("text\r\n.\r\n"), S("250 queued\r\n")} +
           quit()});
  v.push_back({"gap_inside_multiline_reply",
               Script{S("220 mx\r\n"), C("EHLO c\r\n"), S("250-mx\r\n250-PIPEL"), SGap(9),
                      S("NING\r\n250-CHUNKING\r\n250 8BITMIME\r\n")} +
                   quit()});
  v.push_back({"gap_lost_354", opening() +
                                   Script{C("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"),
                                          S("250 ok\r\n250 ok\r\n"), SGap(8),
                                          C("the body\r\n.\r\n"), S("250 queued\r\n")} +
                                   quit()});
  v.push_back({"gap_in_bdat",
               opening() +
                   Script{C("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 20 LAST\r\n1234"), CGap(8),
                          C("abcdefgh"), S("250 ok\r\n250 ok\r\n"), S("250 queued\r\n")} +
                   quit()});
  v.push_back({"gap_past_bdat_chunk",
               opening() + Script{C("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nBDAT 10 LAST\r\n1234"),
                                  CGap(20), S("250 ok\r\n250 ok\r\n250 queued\r\n250 ok\r\n"),
                                  C("QUIT\r\n"), S("221 bye\r\n")}});
  v.push_back({"midstream_body", Script{C("ne of a message\r\nmore body\r\n..stuffed\r\n.\r\n"),
                                        S("250 2.0.0 queued as M\r\n")} +
                                     message("c@x", {"d@y"}, "next\r\n") + quit()});
  v.push_back(
      {"midstream_commands", Script{C("RCPT TO:<b@y>\r\n"), S("250 ok\r\n"), C("DATA\r\n"),
                                    S("354 go\r\n"), C("text\r\n.\r\n"), S("250 queued\r\n")} +
                                 quit()});
  v.push_back({"long_lines",
               Script{S("220 mx\r\n"), C("EHLO " + std::string(80, 'h') + "\r\n"),
                      S("250 " + std::string(70, 'r') + "\r\n"),
                      C("MAIL FROM:<" + std::string(200, 'a') + "@x>\r\n"), S("250 ok\r\n"),
                      C("RCPT TO:<b@y>\r\n"), S("250 ok\r\n"), C("DATA\r\n"), S("354 go\r\n"),
                      C("short\r\n" + std::string(250, 'B') + "\r\n.\r\n"),
                      S("250 " + std::string(200, 'q') + "\r\n")} +
                   quit(),
               small_lines_config()});
  return v;
}

inline Script script_named(std::string_view name) {
  for (auto& s : all_scripts()) {
    if (name == s.name) return s.script;
  }
  return {};
}

}  // namespace ww::smtp_test

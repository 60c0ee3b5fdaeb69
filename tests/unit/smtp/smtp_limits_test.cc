// Limits (each one hit, counted, bounded) and the credential rule: no SASL data
// in any event, whatever the exchange looks like.

#include <boost/test/unit_test.hpp>

#include "tests/unit/smtp/smtp_scripts.h"

namespace ww::smtp_test {
namespace {

const Chunker& bytewise_chunker() {
  static const Chunker c = bytewise;
  return c;
}

Run checked(const Script& s, const SmtpConfig& config = {}, const Chunker& chunker = whole) {
  Run r = run(s, config, chunker);
  BOOST_TEST_MESSAGE(r.text());
  BOOST_CHECK_EQUAL(r.violation, "");
  return r;
}

BOOST_AUTO_TEST_CASE(recipients_beyond_the_limit_are_counted_not_reported) {
  SmtpConfig c;
  c.max_recipients = 2;
  const Run r = checked(
      opening() + Script{C("MAIL FROM:<a@x>\r\nRCPT TO:<1@y>\r\nRCPT TO:<2@y>\r\nRCPT TO:<3@y>\r\n"
                           "RCPT TO:<4@y>\r\nDATA\r\n"),
                         S("250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
                         C("x\r\n.\r\n"), S("250 queued\r\n")},
      c);
  BOOST_CHECK_EQUAL(r.lines("rcpt ").size(), 2u);
  BOOST_CHECK(r.has("end 1 delivered final_reply mail=250 code=250 rcpt=4/3/1/2 bytes=3 gaps=0"));
  BOOST_CHECK_EQUAL(r.counters.recipients_not_reported, 2u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::too_many_recipients), 2u);
}

BOOST_AUTO_TEST_CASE(transactions_beyond_the_limit_are_parsed_not_reported) {
  SmtpConfig c;
  c.max_transactions = 1;
  const Run r = checked(
      opening() + message("a@x", {"b@y"}, "one\r\n") + message("c@x", {"d@y"}, "two\r\n") + quit(),
      c);
  BOOST_CHECK_EQUAL(r.lines("begin ").size(), 1u);
  BOOST_CHECK_EQUAL(r.lines("end ").size(), 1u);
  BOOST_CHECK_EQUAL(r.bodies.size(), 1u);
  BOOST_CHECK_EQUAL(r.counters.transactions, 2u);
  BOOST_CHECK_EQUAL(r.counters.transactions_not_reported, 1u);
  BOOST_CHECK_EQUAL(r.counters.transactions_delivered, 2u);  // still followed
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::max_transactions), 1u);
  BOOST_CHECK(r.has("anomaly max_transactions to_server 2"));
}

BOOST_AUTO_TEST_CASE(pipelining_beyond_the_queue_keeps_replies_aligned) {
  SmtpConfig c;
  c.max_pending_commands = 2;
  const Run r = checked(opening() +
                            Script{C("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nRCPT TO:<c@y>\r\n"
                                     "RCPT TO:<d@y>\r\nDATA\r\n"),
                                   S("250 ok\r\n250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n"),
                                   C("body\r\n.\r\n"), S("250 queued\r\n")} +
                            quit(),
                        c);
  // c and d could not be queued: reported at once, outcome unknown.
  BOOST_CHECK(r.has("rcpt 1 <c@y> unknown 0"));
  BOOST_CHECK(r.has("rcpt 1 <d@y> unknown 0"));
  BOOST_CHECK(r.has("rcpt 1 <b@y> accepted 250"));
  BOOST_CHECK_EQUAL(r.bodies.at(1), "body\r\n");  // DATA still matched its 354
  BOOST_CHECK(r.has("data_end 1 250 queued"));
  BOOST_CHECK_EQUAL(r.counters.commands_not_queued, 2u);
  BOOST_CHECK_EQUAL(r.counters.replies_unmatched, 2u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::pipelining_overflow), 2u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::reply_without_command), 0u);
  BOOST_CHECK_LE(r.counters.pending_high_water, 3u);
}

BOOST_AUTO_TEST_CASE(hold_overflow_guesses_data_accepted) {
  SmtpConfig c;
  c.max_held_bytes = 32;
  const std::string body = "Subject: big\r\n\r\n" + std::string(100, 'z') + "\r\n";
  const Run r =
      checked(opening() + Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                                 S("250 ok\r\n"), C("DATA\r\n" + body + ".\r\n"),
                                 S("354 go\r\n250 queued\r\n")},
              c);
  BOOST_CHECK(r.has("data 1 data no_reply"));
  BOOST_CHECK_EQUAL(r.bodies.at(1), body);
  BOOST_CHECK(r.has("end 1 delivered final_reply mail=250 code=250 rcpt=1/1/0/0 bytes=118 gaps=0"));
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::hold_overflow), 1u);
  BOOST_CHECK_EQUAL(r.counters.hold_guesses, 1u);
  BOOST_CHECK_LE(r.counters.held_high_water, 32u);
}

BOOST_AUTO_TEST_CASE(hold_overflow_then_data_refused) {
  SmtpConfig c;
  c.max_held_bytes = 16;
  const Run r =
      checked(opening() + Script{C("MAIL FROM:<a@x>\r\n"), S("250 ok\r\n"), C("RCPT TO:<b@y>\r\n"),
                                 S("250 ok\r\n"), C("DATA\r\nline one of the body\r\n.\r\n"),
                                 S("451 4.3.0 try later\r\n500 no\r\n500 no\r\n")},
              c);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::data_rejected_after_body), 1u);
  BOOST_CHECK(r.has("end 1 rejected final_reply mail=250 code=451 rcpt=1/1/0/0 bytes=22 gaps=0"));
}

// After an overflow the client evidently does not wait: later synchronising
// commands are guessed at once (no re-holding, linear time) until the server
// speaks again; then holding works as before.
BOOST_AUTO_TEST_CASE(after_a_hold_overflow_holding_is_off_until_a_reply) {
  SmtpConfig c;
  c.max_held_bytes = 64;
  std::string burst = "STARTTLS\r\n" + std::string(100, 'j') + "\r\n";
  std::string answers = "454 no\r\n500 what\r\n";
  for (int i = 0; i < 100; ++i) {
    burst += "STARTTLS\r\n";
    answers += "454 no\r\n";
  }
  const Script s = opening({"PIPELINING", "STARTTLS"}) + Script{C(burst),
                                                                S(answers),
                                                                C("MAIL FROM:<a@x>\r\n"),
                                                                S("250 ok\r\n"),
                                                                C("RCPT TO:<b@y>\r\n"),
                                                                S("250 ok\r\n"),
                                                                C("DATA\r\nbody\r\n.\r\n"),
                                                                S("354 go\r\n250 queued\r\n")};
  for (const Chunker* chunker : {static_cast<const Chunker*>(nullptr), &bytewise_chunker()}) {
    const Run r = chunker != nullptr ? checked(s, c, *chunker) : checked(s, c);
    BOOST_CHECK_EQUAL(r.counters.hold_guesses, 100u);  // the last one is answered
    BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::reply_without_command), 0u);
    BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::hold_overflow), 1u);
    BOOST_CHECK(r.has("data 1 data"));  // held again, and the 354 decided
    BOOST_CHECK_EQUAL(r.bodies.at(1), "body\r\n");
  }
}

BOOST_AUTO_TEST_CASE(anomaly_events_are_rate_limited_counts_are_not) {
  SmtpConfig c;
  c.max_anomaly_events = 2;
  const Run r = checked(
      opening() + Script{C("FOO\r\nBAR\r\nBAZ\r\n"), S("500 no\r\n500 no\r\n500 no\r\n")}, c);
  BOOST_CHECK_EQUAL(r.lines("anomaly unknown_command").size(), 2u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::unknown_command), 3u);
  BOOST_CHECK_EQUAL(r.counters.anomaly_events_suppressed, 1u);
}

// A stream that never ends a line, in every phase: memory stays bounded.
BOOST_AUTO_TEST_CASE(endless_lines_stay_bounded) {
  const SmtpConfig c;
  const std::string mib(1 << 20, 'A');
  const Chunker chunks = [](size_t, size_t n) {
    std::vector<size_t> sizes(n / 4096, 4096);
    if (n % 4096 != 0) sizes.push_back(n % 4096);
    return sizes;
  };

  const Run command = checked(opening() + Script{C("MAIL FROM:<" + mib)}, c, chunks);
  BOOST_CHECK_LT(command.max_buffered, c.max_line_length);
  BOOST_CHECK_GE(command.counters.long_line_bytes_skipped, mib.size() - c.max_line_length);

  const Run body = checked(opening() + data_to("a@x", "b@y") + Script{C(mib)}, c, chunks);
  BOOST_CHECK_LT(body.max_buffered, c.max_line_length);
  BOOST_CHECK_EQUAL(body.bodies.at(1).size(), mib.size());  // passed through in pieces
  BOOST_CHECK_EQUAL(body.anomaly(SmtpAnomaly::line_too_long), 1u);

  const Run reply = checked(opening() + Script{C("NOOP\r\n"), S("250 " + mib)}, c, chunks);
  BOOST_CHECK_LT(reply.max_buffered, c.max_line_length);

  const Run held = checked(opening() + data_to("a@x", "b@y") +
                               Script{C("RSET\r\n"), S("250 ok\r\n"), C("DATA\r\n" + mib)},
                           c, chunks);
  BOOST_CHECK_LE(held.max_buffered, c.max_held_bytes + c.max_line_length);

  for (const Run* r : {&command, &body, &reply, &held}) {
    BOOST_CHECK_LT(r->max_memory, 64u * 1024);
  }
}

BOOST_AUTO_TEST_CASE(thousands_of_pipelined_commands_stay_bounded) {
  const SmtpConfig c;
  std::string cmds = "MAIL FROM:<a@x>\r\n";
  std::string replies = "250 ok\r\n";
  for (int i = 0; i < 5000; ++i) {
    cmds += "RCPT TO:<user" + std::to_string(i) + "@example.com>\r\n";
    replies += "250 ok\r\n";
  }
  const Run r = checked(opening() + Script{C(cmds), S(replies)}, c);
  BOOST_CHECK_LE(r.counters.pending_high_water, c.max_pending_commands);
  BOOST_CHECK_LT(r.max_memory, 64u * 1024);
  BOOST_CHECK_EQUAL(r.lines("rcpt ").size(), c.max_recipients);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::reply_without_command), 0u);
}

// ---- credentials ----

const char* const kSecrets[] = {kPlainSecret, kLoginUser,     kLoginPass, "s3cr3tPass",
                                "hunter2",    "dXNlcm5hbWU=", "c2VjcmV0"};

void expect_no_secret(const Run& r) {
  for (const auto& line : r.log) {
    for (const char* secret : kSecrets) {
      BOOST_CHECK_MESSAGE(line.find(secret) == std::string::npos,
                          "secret " << secret << " in event: " << line);
    }
  }
}

BOOST_AUTO_TEST_CASE(sasl_data_never_appears_in_any_event) {
  SmtpConfig loud;
  loud.max_anomaly_events = 1000;  // every anomaly reported, none hidden by the limit
  SmtpConfig tiny_hold = loud;
  tiny_hold.max_held_bytes = 4;
  const Script auth_opening = opening({"PIPELINING", "AUTH PLAIN LOGIN"});
  const std::vector<Script> exchanges = {
      script_named("auth_plain"),
      script_named("auth_login"),
      // Client does not wait for the 334s.
      auth_opening +
          Script{C("AUTH LOGIN\r\n" + std::string(kLoginUser) + "\r\n" + kLoginPass + "\r\n"),
                 S("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n")},
      // AUTH PLAIN without initial response; empty 334.
      auth_opening + Script{C("AUTH PLAIN\r\n"), S("334 \r\n"),
                            C(std::string(kPlainSecret) + "\r\n"), S("235 ok\r\n")},
      // The 334 is lost in a server gap.
      auth_opening + Script{C("AUTH LOGIN\r\n"), SGap(20), C(std::string(kLoginUser) + "\r\n"),
                            S("334 UGFzc3dvcmQ6\r\n"), C(std::string(kLoginPass) + "\r\n"),
                            S("235 ok\r\n")},
      // The AUTH command itself is lost in a client gap.
      auth_opening + Script{CGap(12), S("334 VXNlcm5hbWU6\r\n"),
                            C(std::string(kLoginUser) + "\r\n"), S("334 UGFzc3dvcmQ6\r\n"),
                            C(std::string(kLoginPass) + "\r\n"), S("235 ok\r\n")},
      // Secrets sent as if they were commands (no AUTH seen at all).
      auth_opening + Script{C(std::string(kLoginUser) + "\r\n" + kLoginPass + "\r\n" +
                              "dXNlcm5hbWU= c2VjcmV0\r\n")},
      // Session ends in the middle of the exchange.
      auth_opening + Script{C("AUTH LOGIN\r\n"), S("334 VXNlcm5hbWU6\r\n"),
                            C(std::string(kLoginUser) + "\r\n"), CEnd()},
  };
  for (size_t i = 0; i < exchanges.size(); ++i) {
    BOOST_TEST_CONTEXT("exchange " << i) {
      for (const SmtpConfig* c : {&loud, &tiny_hold}) {
        expect_no_secret(checked(exchanges[i], *c));
        expect_no_secret(checked(exchanges[i], *c, bytewise));
      }
    }
  }
}

}  // namespace
}  // namespace ww::smtp_test

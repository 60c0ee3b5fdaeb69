// SmtpSession on scripted conversations (smtp_scripts.h): what each one reports.

#include <boost/test/unit_test.hpp>

#include "reassembly/smtp/smtp_stream_adapter.h"
#include "tests/unit/smtp/smtp_scripts.h"

namespace ww::smtp_test {
namespace {

const NamedScript& script(const char* name) {
  static const std::vector<NamedScript> scripts = all_scripts();
  for (const auto& s : scripts) {
    if (std::string_view(s.name) == name) return s;
  }
  BOOST_FAIL("no script " << name);
  return scripts.front();
}

Run run_named(const char* name) {
  const NamedScript& s = script(name);
  Run r = run(s.script, s.config);
  BOOST_TEST_MESSAGE("==== " << name << "\n" << r.text());
  BOOST_CHECK_EQUAL(r.violation, "");
  return r;
}

using Lines = std::vector<std::string>;

void check_lines(const Lines& got, const Lines& want) {
  BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), want.begin(), want.end());
}

BOOST_AUTO_TEST_CASE(every_script_keeps_the_event_contract) {
  for (const auto& ns : all_scripts()) {
    BOOST_TEST_CONTEXT(ns.name) {
      const Run r = run(ns.script, ns.config);
      BOOST_CHECK_EQUAL(r.violation, "");
      // Worker counters and the session's own count agree, kind by kind.
      uint64_t total = 0;
      for (size_t k = 0; k < kSmtpAnomalyCount; ++k) {
        BOOST_CHECK_EQUAL(r.counters.anomalies[k], r.anomalies[k]);
        total += r.anomalies[k];
      }
      BOOST_CHECK_EQUAL(r.counters.anomalies_total, total);
    }
  }
}

BOOST_AUTO_TEST_CASE(plain_session) {
  const Run r = run_named("plain");
  check_lines(r.log,
              {
                  "greeting 220 mx.example.net ESMTP",
                  "ehlo client.example code=250 caps=PIPELINING|CHUNKING|8BITMIME",
                  "begin 1 from=<alice@example.org>",
                  "rcpt 1 <bob@example.net> accepted 250",
                  "data 1 data",
                  "body 1 Subject: hi\\r\\n\\r\\nHello Bob.\\r\\n",
                  "body_end 1 bytes=27 gaps=0 complete",
                  "data_end 1 250 2.0.0 Ok: queued as X",
                  "end 1 delivered final_reply mail=250 code=250 rcpt=1/1/0/0 bytes=27 gaps=0",
              });
  BOOST_CHECK_EQUAL(r.bodies.at(1), kBody);
  BOOST_CHECK_EQUAL(r.counters.commands, 5u);  // EHLO MAIL RCPT DATA QUIT
  BOOST_CHECK_EQUAL(r.counters.replies, 7u);
  BOOST_CHECK_EQUAL(r.counters.transactions_delivered, 1u);
  BOOST_CHECK_EQUAL(r.counters.anomalies_total, 0u);
  BOOST_CHECK(r.client == SmtpClientState::command);
}

BOOST_AUTO_TEST_CASE(ehlo_capabilities_are_recorded) {
  const Run r = run_named("ehlo_capabilities");
  BOOST_CHECK(
      r.has("ehlo client.example code=250 caps=PIPELINING|CHUNKING|STARTTLS|SIZE|8BITMIME|"
            "AUTH|SMTPUTF8 size=10240000 auth=PLAIN|LOGIN"));
}

BOOST_AUTO_TEST_CASE(helo_has_no_capabilities) {
  const Run r = run_named("helo");
  BOOST_CHECK(r.has("helo old.client code=250"));
  BOOST_CHECK_EQUAL(r.lines("end ").size(), 1u);
}

BOOST_AUTO_TEST_CASE(several_transactions_per_session) {
  const Run r = run_named("two_transactions");
  check_lines(r.lines("end "),
              {"end 1 delivered final_reply mail=250 code=250 rcpt=2/2/0/0 bytes=5 gaps=0",
               "end 2 delivered final_reply mail=250 code=250 rcpt=1/1/0/0 bytes=5 gaps=0"});
  check_lines(r.lines("data_end "),
              {"data_end 1 250 2.0.0 queued as A", "data_end 2 250 2.0.0 queued as B"});
  BOOST_CHECK_EQUAL(r.bodies.at(1), "one\r\n");
  BOOST_CHECK_EQUAL(r.bodies.at(2), "two\r\n");
}

BOOST_AUTO_TEST_CASE(pipelined_commands_match_replies_in_order) {
  const Run r = run_named("pipelining");
  check_lines(r.lines("rcpt "), {"rcpt 1 <b@y> accepted 250", "rcpt 1 <c@y> rejected 550"});
  BOOST_CHECK_EQUAL(r.bodies.at(1), "Subject: p\r\n\r\nbody\r\n");
  BOOST_CHECK(r.has("data_end 1 250 2.0.0 Ok: queued as P"));
  BOOST_CHECK_EQUAL(r.counters.anomalies_total, 0u);
  BOOST_CHECK_EQUAL(r.counters.pending_high_water, 4u);
}

BOOST_AUTO_TEST_CASE(rejected_recipient_is_recorded_with_its_code) {
  const Run r = run_named("rejected_rcpt");
  check_lines(r.lines("rcpt "), {"rcpt 1 <good@y> accepted 250", "rcpt 1 <bad@y> rejected 550"});
  BOOST_CHECK(r.has("end 1 delivered final_reply mail=250 code=250 rcpt=2/1/1/0 bytes=3 gaps=0"));
  BOOST_CHECK_EQUAL(r.counters.recipients_rejected, 1u);
}

BOOST_AUTO_TEST_CASE(rejected_data_ends_the_transaction_as_rejected) {
  const Run r = run_named("rejected_data");
  BOOST_CHECK(r.lines("data ").empty());
  BOOST_CHECK(r.lines("body").empty());
  BOOST_CHECK(r.has("end 1 rejected rset mail=250 code=554 rcpt=1/0/1/0 bytes=0 gaps=0"));
}

BOOST_AUTO_TEST_CASE(rejected_data_with_pipelined_body_reads_it_as_commands) {
  const Run r = run_named("rejected_data_pipelined_body");
  BOOST_CHECK(r.lines("body").empty());
  BOOST_CHECK(r.has("end 1 rejected quit mail=250 code=554 rcpt=1/0/1/0 bytes=0 gaps=0"));
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::data_pipelined), 1u);
  // "Subject: x", "", "body", "." were commands to the server, each answered.
  BOOST_CHECK_EQUAL(r.counters.unknown_commands, 4u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::reply_without_command), 0u);
}

BOOST_AUTO_TEST_CASE(accepted_data_with_pipelined_body_is_a_body) {
  const Run r = run_named("accepted_data_pipelined_body");
  BOOST_CHECK(r.has("data 1 data"));  // after the 354: reply seen
  BOOST_CHECK_EQUAL(r.bodies.at(1), "Subject: x\r\n\r\nbody\r\n");
  BOOST_CHECK(r.has("end 1 delivered final_reply mail=250 code=250 rcpt=1/1/0/0 bytes=20 gaps=0"));
  BOOST_CHECK_EQUAL(r.counters.held_bytes, 29u);  // everything after "DATA\r\n"
}

BOOST_AUTO_TEST_CASE(dot_unstuffing) {
  const Run r = run_named("dot_stuffing");
  BOOST_CHECK_EQUAL(r.bodies.at(1), ".\r\n..x\r\n not the end\r\nplain\r\n\r\r\n");
}

BOOST_AUTO_TEST_CASE(end_of_data_line_split_across_feeds) {
  const Run r = run_named("end_of_data_split");
  BOOST_CHECK_EQUAL(r.bodies.at(1), "last line\r\n");
  BOOST_CHECK(r.has("body_end 1 bytes=11 gaps=0 complete"));
  BOOST_CHECK(r.has("data_end 1 250 queued"));
}

BOOST_AUTO_TEST_CASE(bdat_chunks_are_raw_bytes) {
  const Run r = run_named("bdat");
  BOOST_CHECK(r.has("data 1 bdat no_reply"));
  BOOST_CHECK_EQUAL(r.bodies.at(1), "Subject: b\r\n\r\n.\r\nbody\r\n");  // no unstuffing
  BOOST_CHECK(r.has("data_end 1 250 2.0.0 Ok: queued as B"));
  BOOST_CHECK_EQUAL(r.counters.bdat_chunks, 2u);
  BOOST_CHECK_EQUAL(r.counters.messages_bdat, 1u);
}

BOOST_AUTO_TEST_CASE(bdat_zero_last_ends_the_message) {
  const Run r = run_named("bdat_zero_last");
  BOOST_CHECK_EQUAL(r.bodies.at(1), "hello\n");
  BOOST_CHECK(r.has("body_end 1 bytes=6 gaps=0 complete"));
  BOOST_CHECK(r.has("end 1 delivered final_reply mail=250 code=250 rcpt=1/1/0/0 bytes=6 gaps=0"));
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::bare_lf), 0u);  // chunk bytes are not lines
}

BOOST_AUTO_TEST_CASE(bdat_pipelined_transactions_in_flight) {
  const Run r = run_named("bdat_pipelined");
  BOOST_CHECK_EQUAL(r.bodies.at(1), "hello\r\n");
  BOOST_CHECK_EQUAL(r.bodies.at(2), "bye");
  check_lines(r.lines("data_end "), {"data_end 1 250 queued 1", "data_end 2 250 queued 2"});
  check_lines(r.lines("rcpt "), {"rcpt 1 <b@y> accepted 250", "rcpt 2 <d@y> accepted 250"});
}

BOOST_AUTO_TEST_CASE(bdat_with_a_bad_size) {
  const Run r = run_named("bdat_bad_size");
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::bdat_size_invalid), 1u);
  BOOST_CHECK(r.has("end 1 aborted rset mail=250 code=0 rcpt=1/1/0/0 bytes=0 gaps=0"));
  BOOST_CHECK_EQUAL(r.bodies.at(2), "x\r\n");  // replies stayed aligned
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::reply_without_command), 0u);
}

BOOST_AUTO_TEST_CASE(rset_mid_transaction_aborts_it) {
  const Run r = run_named("rset_mid_transaction");
  BOOST_CHECK(r.has("end 1 aborted rset mail=250 code=0 rcpt=1/1/0/0 bytes=0 gaps=0"));
  BOOST_CHECK(r.has("begin 2 from=<c@x>"));
  BOOST_CHECK_EQUAL(r.bodies.at(2), "after reset\r\n");
  BOOST_CHECK_EQUAL(r.counters.transactions_aborted, 1u);
}

BOOST_AUTO_TEST_CASE(auth_records_mechanism_and_outcome_only) {
  const Run plain = run_named("auth_plain");
  BOOST_CHECK(plain.has("auth PLAIN ir=1 succeeded 235"));
  BOOST_CHECK(plain.has("begin 1 from=<alice@x>"));
  const Run login = run_named("auth_login");
  check_lines(login.lines("auth "),
              {"auth LOGIN ir=0 failed 535", "auth LOGIN ir=1 succeeded 235"});
  BOOST_CHECK_EQUAL(login.counters.auth_lines, 3u);
  BOOST_CHECK_EQUAL(login.counters.unknown_commands, 0u);
  BOOST_CHECK_EQUAL(login.counters.auth_failed, 1u);
  BOOST_CHECK_EQUAL(login.counters.auth_succeeded, 1u);
}

BOOST_AUTO_TEST_CASE(starttls_accepted_stops_inspection) {
  const Run r = run_named("starttls_accepted");
  BOOST_CHECK(r.has("tls 220"));
  BOOST_CHECK(r.lines("begin").empty());  // the MAIL after TLS is not seen
  BOOST_CHECK(r.client == SmtpClientState::tls);
  BOOST_CHECK(r.server == SmtpServerState::tls);
  BOOST_CHECK_EQUAL(r.counters.tls_bytes_ignored, 10u + 7u + 22u + 8u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::plaintext_after_tls), 0u);
}

BOOST_AUTO_TEST_CASE(starttls_refused_inspection_goes_on) {
  const Run r = run_named("starttls_refused");
  BOOST_CHECK(r.lines("tls").empty());
  BOOST_CHECK_EQUAL(r.bodies.at(1), "clear\r\n");
}

BOOST_AUTO_TEST_CASE(starttls_command_injection_is_flagged) {
  const Run r = run_named("starttls_injection");
  BOOST_CHECK(r.has("tls 220"));
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::starttls_pipelined), 1u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::plaintext_after_tls), 1u);
  BOOST_CHECK_EQUAL(r.counters.commands, 2u);  // the RSET was never read as a command
}

BOOST_AUTO_TEST_CASE(bare_lf_is_accepted_and_counted) {
  const Run r = run_named("bare_lf");
  BOOST_CHECK_EQUAL(r.bodies.at(1), "unix line\nnext\n");
  BOOST_CHECK(r.has("data_end 1 250 queued"));
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::bare_lf), 6u);  // 220, EHLO, MAIL, 2 body, "."
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::end_of_data_bare_lf), 1u);
  BOOST_CHECK_EQUAL(r.lines("anomaly bare_lf").size(), 1u);  // one event per kind
}

BOOST_AUTO_TEST_CASE(long_lines_are_cut_counted_and_bounded) {
  const NamedScript& s = script("long_lines");
  const Run r = run_named("long_lines");
  BOOST_CHECK(r.has("ehlo hhhhhhhhhhhhhhhh~ code=250"));
  BOOST_CHECK(r.has("begin 1 from=<aaaaaaaaaaaaaaaa>~"));
  BOOST_CHECK_EQUAL(r.bodies.at(1), "short\r\n" + std::string(250, 'B') + "\r\n");
  BOOST_CHECK(r.has("data_end 1 250 qqqqqqqqqqqqqqqqqqqq~"));
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::command_too_long), 1u);  // EHLO: 87 > 64
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::reply_too_long), 1u);    // 250 rrr: 76 > 64
  // MAIL (216 > 128), the body line (252 > 100), the final reply (206 > 128).
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::line_too_long), 3u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::helo_too_long), 1u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::address_too_long), 1u);
  BOOST_CHECK_EQUAL(r.counters.strings_truncated, 4u);  // helo, address, two reply texts
  BOOST_CHECK_LT(r.max_buffered, s.config.max_line_length * 2);
}

BOOST_AUTO_TEST_CASE(gap_in_body_marks_the_message_and_finds_the_end) {
  const Run r = run_named("gap_in_body");
  BOOST_CHECK_EQUAL(r.bodies.at(1),
                    "Subject: g\r\n\r\nfirst part\r\nsecond pa<gap 500>rt continues\r\nlast\r\n");
  BOOST_CHECK(r.has("body_end 1 bytes=55 gaps=500 complete"));
  BOOST_CHECK(
      r.has("end 1 delivered final_reply mail=250 code=250 rcpt=1/1/0/0 bytes=55 gaps=500"));
  BOOST_CHECK_EQUAL(r.counters.body_gap_bytes, 500u);
}

BOOST_AUTO_TEST_CASE(reply_after_a_gap_that_ate_the_end_of_data_ends_the_body) {
  const Run r = run_named("gap_swallows_end_of_data");
  BOOST_CHECK(r.has("body_end 1 bytes=11 gaps=50 cut"));
  BOOST_CHECK(r.has("data_end 1 250 2.0.0 queued as G"));
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::reply_during_body), 1u);
  BOOST_CHECK_EQUAL(r.counters.commands, 5u);  // QUIT read as a command again
  BOOST_CHECK(r.client == SmtpClientState::command);
}

BOOST_AUTO_TEST_CASE(gap_in_command_phase_resyncs_at_the_next_command) {
  const Run r = run_named("gap_in_command");
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::gap_in_command), 1u);
  BOOST_CHECK_EQUAL(r.counters.resync_lines_skipped, 1u);  // "y>"
  BOOST_CHECK_EQUAL(r.counters.replies_unmatched, 1u);     // the lost RCPT's 250
  BOOST_CHECK_EQUAL(r.bodies.at(1), "body\r\n");
  BOOST_CHECK(r.has("data_end 1 250 queued"));
}

BOOST_AUTO_TEST_CASE(data_lost_in_a_client_gap_is_recovered_from_the_354) {
  const Run r = run_named("lost_data_command");
  BOOST_CHECK(r.has("data 1 data"));
  BOOST_CHECK_EQUAL(r.bodies.at(1), "body line\r\n");
  BOOST_CHECK(r.has("end 1 delivered final_reply mail=250 code=250 rcpt=1/1/0/0 bytes=11 gaps=0"));
}

BOOST_AUTO_TEST_CASE(gap_in_server_direction_resyncs_at_the_next_reply) {
  const Run r = run_named("gap_in_reply");
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::gap_in_reply), 1u);
  BOOST_CHECK_EQUAL(r.counters.replies_lost, 1u);  // MAIL's
  BOOST_CHECK(r.has("rcpt 1 <b@y> accepted 250"));
  BOOST_CHECK(r.has("end 1 delivered final_reply mail=0 code=250 rcpt=1/1/0/0 bytes=6 gaps=0"));
}

BOOST_AUTO_TEST_CASE(gap_inside_a_multiline_reply_resumes_it) {
  const Run r = run_named("gap_inside_multiline_reply");
  BOOST_CHECK(r.has("ehlo c code=250 caps=CHUNKING|8BITMIME"));
  BOOST_CHECK_EQUAL(r.counters.replies_lost, 0u);
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::reply_without_command), 0u);
}

BOOST_AUTO_TEST_CASE(lost_354_is_guessed_from_the_recipients) {
  const Run r = run_named("gap_lost_354");
  BOOST_CHECK(r.has("data 1 data no_reply"));
  BOOST_CHECK_EQUAL(r.bodies.at(1), "the body\r\n");
  BOOST_CHECK(r.has("data_end 1 250 queued"));
  BOOST_CHECK_EQUAL(r.counters.hold_guesses, 1u);
}

BOOST_AUTO_TEST_CASE(gap_inside_a_bdat_chunk_counts_against_it) {
  const Run r = run_named("gap_in_bdat");
  BOOST_CHECK_EQUAL(r.bodies.at(1), "1234<gap 8>abcdefgh");
  BOOST_CHECK(r.has("end 1 delivered final_reply mail=250 code=250 rcpt=1/1/0/0 bytes=12 gaps=8"));
  const Run past = run_named("gap_past_bdat_chunk");
  BOOST_CHECK_EQUAL(past.bodies.at(1), "1234<gap 6>");
  BOOST_CHECK(past.has("data_end 1 250 queued"));
  BOOST_CHECK_EQUAL(past.anomaly(SmtpAnomaly::gap_in_command), 1u);
  BOOST_CHECK_EQUAL(past.anomaly(SmtpAnomaly::reply_without_command), 0u);
}

BOOST_AUTO_TEST_CASE(session_picked_up_mid_data) {
  const Run r = run_named("midstream_body");
  BOOST_CHECK(r.has("begin 1 from=<> no_mail midstream"));
  BOOST_CHECK(r.has("data 1 data no_reply"));
  BOOST_CHECK_EQUAL(r.bodies.at(1), "ne of a message\r\nmore body\r\n.stuffed\r\n");
  BOOST_CHECK(r.has("data_end 1 250 2.0.0 queued as M"));
  BOOST_CHECK_EQUAL(r.bodies.at(2), "next\r\n");
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::midstream_pickup), 1u);
}

BOOST_AUTO_TEST_CASE(session_picked_up_in_command_phase) {
  const Run r = run_named("midstream_commands");
  BOOST_CHECK(r.has("begin 1 from=<> no_mail"));
  BOOST_CHECK_EQUAL(r.bodies.at(1), "text\r\n");
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::midstream_pickup), 0u);
}

BOOST_AUTO_TEST_CASE(mail_after_a_refused_mail_is_not_nested) {
  const Run r = run(opening() + Script{C("MAIL FROM:<spam@x>\r\n"), S("550 5.7.1 go away\r\n"),
                                       C("MAIL FROM:<ham@x>\r\n"), S("250 ok\r\n"),
                                       C("MAIL FROM:<again@x>\r\n"), S("503 nested\r\n")});
  BOOST_CHECK_EQUAL(r.violation, "");
  BOOST_CHECK(r.has("end 1 rejected mail mail=550 code=550 rcpt=0/0/0/0 bytes=0 gaps=0"));
  BOOST_CHECK_EQUAL(r.anomaly(SmtpAnomaly::nested_mail), 1u);  // only the third MAIL
  BOOST_CHECK(r.has("end 3 rejected session_end mail=503 code=503 rcpt=0/0/0/0 bytes=0 gaps=0"));
}

BOOST_AUTO_TEST_CASE(stream_adapter_forwards_tcp_reassembly_calls) {
  const SmtpConfig config;
  SmtpCounters counters;
  RecordingSink sink(config);
  SmtpSession session(config, counters, sink);
  SmtpStreamAdapter adapter(session);
  StreamSink& tcp = adapter;
  auto feed = [&](Direction d, std::string_view s) {
    tcp.on_data(d, {reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  };
  feed(Direction::to_client, "220 mx\r\n");
  feed(Direction::to_server, "HELO c\r\nMAIL FROM:<a@x>\r\n");
  feed(Direction::to_client, "250 mx\r\n250 ok\r\n");
  feed(Direction::to_server, "RCPT TO:<b@y>\r\nDATA\r\n");
  feed(Direction::to_client, "250 ok\r\n354 go\r\n");
  feed(Direction::to_server, "part one\r\n");
  tcp.on_gap(Direction::to_server, 100);
  tcp.on_anomaly(Direction::to_server, TcpAnomaly::midstream_pickup);
  tcp.on_end(Direction::to_server);
  tcp.on_end(Direction::to_client);
  sink.check_finished();
  BOOST_CHECK_EQUAL(sink.violation(), "");
  BOOST_CHECK_EQUAL(sink.bodies.at(1), "part one\r\n<gap 100>");
  BOOST_CHECK(session.client_state() == SmtpClientState::closed);
  const std::string last = sink.log.back();
  BOOST_CHECK_EQUAL(last,
                    "end 1 incomplete session_end mail=250 code=0 rcpt=1/1/0/0 bytes=10 gaps=100");
}

BOOST_AUTO_TEST_CASE(config_validation_names_the_field) {
  BOOST_CHECK_EQUAL(validate(SmtpConfig{}), "");
  SmtpConfig c;
  c.max_pending_commands = 0;
  BOOST_CHECK_NE(validate(c).find("max_pending_commands"), std::string::npos);
  c = SmtpConfig{};
  c.rfc_line_length = c.max_line_length + 1;
  BOOST_CHECK_NE(validate(c).find("rfc_line_length"), std::string::npos);
  c = SmtpConfig{};
  c.max_body_line_length = 10;
  BOOST_CHECK_NE(validate(c).find("max_body_line_length"), std::string::npos);
  BOOST_CHECK_EQUAL(validate(smtp_fuzz_config()), "");
}

}  // namespace
}  // namespace ww::smtp_test

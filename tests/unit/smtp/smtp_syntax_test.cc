// Command, reply, address, BDAT and EHLO keyword parsing.

#include <boost/test/unit_test.hpp>

#include "reassembly/smtp/smtp_syntax.h"

namespace ww::smtp {
namespace {

BOOST_AUTO_TEST_CASE(verbs_are_case_insensitive) {
  BOOST_CHECK(parse_command("ehlo x").verb == Verb::ehlo);
  BOOST_CHECK(parse_command("MaIl FROM:<a>").verb == Verb::mail);
  BOOST_CHECK(parse_command("STARTTLS").verb == Verb::starttls);
  BOOST_CHECK(parse_command("DATAX").verb == Verb::unknown);
  BOOST_CHECK(parse_command("").verb == Verb::unknown);
  BOOST_CHECK(parse_command("dXNlcg==").verb == Verb::unknown);
}

BOOST_AUTO_TEST_CASE(command_syntax) {
  BOOST_CHECK(parse_command("MAIL FROM:<a@b> SIZE=10").syntax_ok);
  BOOST_CHECK(parse_command("MAIL FROM: <a@b>").syntax_ok);
  BOOST_CHECK(!parse_command("MAIL a@b").syntax_ok);
  BOOST_CHECK(!parse_command("DATA now").syntax_ok);
  BOOST_CHECK(parse_command("DATA  ").syntax_ok);
  BOOST_CHECK(!parse_command("HELO").syntax_ok);
  BOOST_CHECK(parse_command("AUTH PLAIN AGFsaWNl").syntax_ok);
  BOOST_CHECK(!parse_command("AUTH ***").syntax_ok);
  BOOST_CHECK(looks_like_command("RCPT TO:<x@y>"));
  BOOST_CHECK(!looks_like_command("Subject: DATA"));
  BOOST_CHECK(!looks_like_command("data follows"));
}

BOOST_AUTO_TEST_CASE(paths) {
  std::string_view a;
  BOOST_CHECK(parse_path("FROM:<a@b> SIZE=100 BODY=8BITMIME", "FROM:", a));
  BOOST_CHECK_EQUAL(a, "a@b");
  BOOST_CHECK(parse_path("to:<>", "TO:", a));
  BOOST_CHECK_EQUAL(a, "");
  BOOST_CHECK(parse_path("TO:<\"odd>name\"@x>", "TO:", a));
  BOOST_CHECK_EQUAL(a, "\"odd>name\"@x");
  BOOST_CHECK(!parse_path("TO:bare@x more", "TO:", a));
  BOOST_CHECK_EQUAL(a, "bare@x");
  BOOST_CHECK(!parse_path("TO:<unterminated", "TO:", a));
  BOOST_CHECK_EQUAL(a, "unterminated");
  BOOST_CHECK(!parse_path("FROM:<a>", "TO:", a));
}

BOOST_AUTO_TEST_CASE(bdat_arguments) {
  BdatArgs b;
  BOOST_CHECK(parse_bdat("1000", b));
  BOOST_CHECK_EQUAL(b.size, 1000u);
  BOOST_CHECK(!b.last);
  BOOST_CHECK(parse_bdat("0 LAST", b));
  BOOST_CHECK_EQUAL(b.size, 0u);
  BOOST_CHECK(b.last);
  BOOST_CHECK(parse_bdat("12 last", b));
  BOOST_CHECK(!parse_bdat("", b));
  BOOST_CHECK(!parse_bdat("-1", b));
  BOOST_CHECK(!parse_bdat("12x", b));
  BOOST_CHECK(!parse_bdat("12 FIRST", b));
  BOOST_CHECK(!parse_bdat("99999999999999999999", b));
  BOOST_CHECK(parse_bdat("9999999999999999999", b));
}

BOOST_AUTO_TEST_CASE(reply_lines) {
  ReplyLine r;
  BOOST_CHECK(parse_reply_line("250-PIPELINING", r));
  BOOST_CHECK_EQUAL(r.code, 250);
  BOOST_CHECK(r.more);
  BOOST_CHECK_EQUAL(r.text, "PIPELINING");
  BOOST_CHECK(parse_reply_line("354", r));
  BOOST_CHECK(!r.more);
  BOOST_CHECK(parse_reply_line("250 2.0.0 Ok: queued as X", r));
  BOOST_CHECK_EQUAL(r.text, "2.0.0 Ok: queued as X");
  BOOST_CHECK(!parse_reply_line("25", r));
  BOOST_CHECK(!parse_reply_line("2500", r));
  BOOST_CHECK(!parse_reply_line("150 x", r));
  BOOST_CHECK(!parse_reply_line("hello", r));
}

BOOST_AUTO_TEST_CASE(ehlo_keywords) {
  uint32_t caps = 0;
  uint64_t size = 0;
  uint32_t mechs = 0;
  add_ehlo_keyword("PIPELINING", caps, size, mechs);
  add_ehlo_keyword("SIZE 10240000", caps, size, mechs);
  add_ehlo_keyword("AUTH PLAIN LOGIN XSECRET", caps, size, mechs);
  add_ehlo_keyword("AUTH=CRAM-MD5", caps, size, mechs);
  add_ehlo_keyword("X-UNKNOWN", caps, size, mechs);
  BOOST_CHECK_EQUAL(caps, smtp_bit(SmtpCapability::pipelining) | smtp_bit(SmtpCapability::size) |
                              smtp_bit(SmtpCapability::auth));
  BOOST_CHECK_EQUAL(size, 10240000u);
  BOOST_CHECK_EQUAL(mechs, smtp_bit(SmtpAuthMechanism::plain) | smtp_bit(SmtpAuthMechanism::login) |
                               smtp_bit(SmtpAuthMechanism::other) |
                               smtp_bit(SmtpAuthMechanism::cram_md5));
}

BOOST_AUTO_TEST_CASE(reply_plausibility) {
  BOOST_CHECK(plausible_reply(Expect::data, 354));
  BOOST_CHECK(plausible_reply(Expect::data, 554));
  BOOST_CHECK(!plausible_reply(Expect::data, 250));
  BOOST_CHECK(!plausible_reply(Expect::any, 354));
  BOOST_CHECK(plausible_reply(Expect::starttls, 220));
  BOOST_CHECK(!plausible_reply(Expect::starttls, 250));
}

}  // namespace
}  // namespace ww::smtp

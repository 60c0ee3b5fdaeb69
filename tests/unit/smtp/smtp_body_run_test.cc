// SmtpSession::body_run: whole DATA body lines go to the sink in one call per feed,
// with the same bytes as line-by-line framing (dot-unstuffing, the final dot, bare LF).

#include <boost/test/unit_test.hpp>
#include <string>

#include "tests/unit/smtp/smtp_test_util.h"

namespace ww::smtp_test {
namespace {

struct CountingSink : RecordingSink {
  using RecordingSink::RecordingSink;
  size_t body_calls = 0;
  void on_body(uint32_t id, std::span<const uint8_t> bytes) override {
    ++body_calls;
    RecordingSink::on_body(id, bytes);
  }
};

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

struct Fed {
  std::map<uint32_t, std::string> bodies;
  size_t body_calls = 0;
  uint64_t bare_lf = 0;
};

Fed feed_session(const std::string& body, size_t chunk) {
  SmtpConfig cfg;
  SmtpCounters counters;
  CountingSink sink(cfg);
  SmtpSession s(cfg, counters, sink);
  auto say = [&](Direction d, const std::string& t) { s.feed(d, bytes(t)); };
  say(Direction::to_client, "220 mx ESMTP\r\n");
  say(Direction::to_server, "EHLO c\r\n");
  say(Direction::to_client, "250 mx\r\n");
  say(Direction::to_server, "MAIL FROM:<a@b>\r\n");
  say(Direction::to_client, "250 ok\r\n");
  say(Direction::to_server, "RCPT TO:<c@d>\r\n");
  say(Direction::to_client, "250 ok\r\n");
  say(Direction::to_server, "DATA\r\n");
  say(Direction::to_client, "354 go\r\n");
  for (size_t i = 0; i < body.size(); i += chunk) say(Direction::to_server, body.substr(i, chunk));
  say(Direction::to_client, "250 queued\r\n");
  s.end(Direction::to_server);
  s.end(Direction::to_client);
  return {sink.bodies, sink.body_calls, counters.anomalies[static_cast<size_t>(SmtpAnomaly::bare_lf)]};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_body_run)

BOOST_AUTO_TEST_CASE(runs_of_lines_are_one_call_with_the_same_bytes) {
  std::string body;
  for (int i = 0; i < 200; ++i) body += "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=line " + std::to_string(i) + "\r\n";
  const std::string tricky = "..stuffed\r\nbare lf\nafter\r\n\r\n.x\r\n";
  const std::string client = body + tricky + body + ".\r\n";
  const Fed whole = feed_session(client, client.size());
  const Fed bytewise = feed_session(client, 1);
  const Fed odd = feed_session(client, 37);
  const std::string expected = body + ".stuffed\r\nbare lf\nafter\r\n\r\nx\r\n" + body;
  BOOST_TEST(whole.bodies.at(1) == expected);
  BOOST_TEST(bytewise.bodies.at(1) == expected);
  BOOST_TEST(odd.bodies.at(1) == expected);
  BOOST_TEST(whole.bare_lf == 1u);
  BOOST_TEST(bytewise.bare_lf == 1u);
  // 400 lines fed at once: the two runs plus the five special lines, not one call per line.
  BOOST_TEST(whole.body_calls <= 8u);
  BOOST_TEST(bytewise.body_calls >= 400u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww::smtp_test

// The page and the text helpers: escaping, UTF-8 repair, self-containment.

#include <boost/test/unit_test.hpp>

#include <regex>

#include "sensor/report/eve_time.h"
#include "sensor/report/home_net.h"
#include "sensor/report/html_text.h"
#include "sensor/report/report.h"
#include "sensor/report/top_counter.h"
#include "tests/unit/report/report_test_util.h"

using namespace report_test;
using ww::ReportAggregator;
namespace r = ww::report;

BOOST_AUTO_TEST_SUITE(report_html)

BOOST_AUTO_TEST_CASE(escape_markup_and_quotes) {
  BOOST_TEST(r::html_escape("<script>alert('x')</script>") ==
             "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  BOOST_TEST(r::html_escape("a&b \"c\"") == "a&amp;b &quot;c&quot;");
  BOOST_TEST(r::html_escape("Café report") == "Café report");  // valid UTF-8 kept
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_controls_replaced) {
  const std::string fffd = "\xEF\xBF\xBD";
  BOOST_TEST(r::html_escape("a\xFF"
                            "b") == "a" + fffd + "b");
  BOOST_TEST(r::html_escape("\xC0\xAF") == fffd + fffd);             // overlong '/'
  BOOST_TEST(r::html_escape("\xED\xA0\x80") == fffd + fffd + fffd);  // surrogate
  BOOST_TEST(r::html_escape("x\xE2\x82") == "x" + fffd + fffd);      // truncated at the end
  BOOST_TEST(r::html_escape(std::string("a\0b", 3)) == "a" + fffd + "b");
  BOOST_TEST(r::html_escape("a\x1b[31mb") == "a" + fffd + "[31mb");
  // A right-to-left override cannot make "exe.txt" read as "txt.exe".
  BOOST_TEST(r::html_escape("invoice\xE2\x80\xAEtxt.exe") == "invoice[U+202E]txt.exe");
  BOOST_TEST(r::repair_utf8("ok\xFF") == "ok" + fffd);
  BOOST_TEST(r::terminal_safe("a\x1b]0;pwn\x07z") == "a?]0;pwn?z");
  BOOST_TEST(r::terminal_safe("abcdef", 3) == "abc\xE2\x80\xA6");
}

BOOST_AUTO_TEST_CASE(eve_time_round_trip) {
  auto t = r::parse_eve_time("2004-01-27T08:00:16.970424+0000");
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(*t == 1075190416970424LL);
  BOOST_TEST(r::format_eve_time(*t) == "2004-01-27T08:00:16.970424+0000");
  BOOST_TEST(*r::parse_eve_time("2004-01-27T09:00:16.970424+01:00") == *t);
  BOOST_TEST(*r::parse_eve_time("2004-01-27T08:00:16Z") == 1075190416000000LL);
  BOOST_TEST(*r::parse_eve_time("1969-12-31T23:59:59.5+0000") == -500000LL);
  BOOST_TEST(r::format_utc(-500000) == "1969-12-31 23:59:59");
  BOOST_TEST(!r::parse_eve_time("2004-13-27T08:00:16+0000").has_value());
  BOOST_TEST(!r::parse_eve_time("yesterday").has_value());
  BOOST_TEST(!r::parse_eve_time("2004-01-27T08:00:16+0000 trailing").has_value());
}

BOOST_AUTO_TEST_CASE(home_net_matching) {
  r::HomeNet h;
  std::string err;
  BOOST_TEST(h.add("[10.0.0.0/8, 192.168.1.7] 2001:db8::/32", &err));
  BOOST_TEST(h.contains("10.200.0.1"));
  BOOST_TEST(h.contains("192.168.1.7"));
  BOOST_TEST(!h.contains("192.168.1.8"));
  BOOST_TEST(h.contains("2001:db8:ffff::1"));
  BOOST_TEST(!h.contains("2001:db9::1"));
  BOOST_TEST(h.contains("::ffff:10.0.0.1"));
  BOOST_TEST(!h.contains("not an address"));
  BOOST_TEST(!h.contains(""));
  BOOST_TEST(h.entries().size() == 3u);
  BOOST_TEST(h.entries()[1] == "192.168.1.7/32");
  BOOST_TEST(!h.add("10.0.0.0/8, 300.1.1.1", &err));
  BOOST_TEST(err.find("300.1.1.1") != std::string::npos);
  BOOST_TEST(h.entries().size() == 3u);  // all or nothing
  BOOST_TEST(h.add("10.1.2.3/8", &err));
  BOOST_TEST(h.entries().back() == "10.0.0.0/8");  // host bits ignored
}

BOOST_AUTO_TEST_CASE(space_saving_is_exact_within_capacity_and_keeps_heavy_hitters) {
  r::TopCounter t(4);
  for (int i = 0; i < 3; ++i) t.add("a");
  t.add("b");
  BOOST_TEST(t.top(10).size() == 2u);
  BOOST_TEST(t.top(10)[0].count == 3u);
  BOOST_TEST(t.top(10)[0].error == 0u);
  for (int i = 0; i < 100; ++i) {
    t.add("heavy");
    t.add("noise" + std::to_string(i));
  }
  BOOST_TEST(t.tracked() == 4u);
  auto top = t.top(1);
  BOOST_TEST(top[0].key == "heavy");
  BOOST_TEST(top[0].count >= 100u);
  BOOST_TEST(top[0].count - top[0].error <= 100u);
  BOOST_TEST(t.replacements() > 0u);
}

BOOST_AUTO_TEST_CASE(hostile_strings_are_escaped_in_the_page) {
  ReportAggregator a;
  const std::string subject =
      "<script>document.body.appendChild(document.createElement('x-'+'pwned'))</script>";
  const std::string name =
      "\"><img src=x "
      "onerror=\"document.body.appendChild(document.createElement('x-'+'owned'))\">.exe";
  feed(a, smtp({.flow_id = 1, .files = 1, .subject = subject}));
  feed(a, fileinfo({.flow_id = 1,
                    .name = name,
                    .magic = "text/html<b>",
                    .status = "infected",
                    .signature = "Worm.<i>Mydoom</i>&A",
                    .subject = subject}));
  feed(a, alert(kT0, 1002005,
                {{"ip", "10.1.1.5\"><script>x</script>"},
                 {"infected", true},
                 {"signs", {"<b>mass_mailing</b>"}}}));
  const std::string html = html_of(a);
  // No markup from the wire survives: the page has no script and no img at all.
  BOOST_TEST(html.find("<script") == std::string::npos);
  BOOST_TEST(html.find("<img") == std::string::npos);
  BOOST_TEST(html.find("<i>") == std::string::npos);
  BOOST_TEST(html.find("<b>") == std::string::npos);
  BOOST_TEST(html.find("&lt;script&gt;document.body.appendChild(document.createElement(&#39;x-&#39;"
                       "+&#39;pwned&#39;))&lt;/script&gt;") != std::string::npos);
  BOOST_TEST(html.find("&quot;&gt;&lt;img src=x onerror=&quot;") != std::string::npos);
  BOOST_TEST(html.find("Worm.&lt;i&gt;Mydoom&lt;/i&gt;&amp;A") != std::string::npos);
  // Self-contained: no external reference, scripts forbidden by policy as well.
  BOOST_TEST(html.find("Content-Security-Policy") != std::string::npos);
  BOOST_TEST(!std::regex_search(html, std::regex("(src|href)=\"?(https?:)?//")));
  BOOST_TEST(html.find("@import") == std::string::npos);
  // JSON summary keeps the text as data (escaped by the JSON library).
  BOOST_TEST(a.summary()["mail"]["top_infected_subjects"][0]["subject"] == subject);
}

BOOST_AUTO_TEST_CASE(page_shape) {
  ReportAggregator a;
  feed(a, smtp({.t = kT0, .flow_id = 1, .files = 1}));
  feed(a, fileinfo({.t = kT0, .flow_id = 1, .status = "infected", .signature = "Worm.Mydoom.A"}));
  feed(a, smtp({.t = kT0 + 7200 * kSec, .flow_id = 2}));
  feed(a, smtp({.t = kT0 + 7300 * kSec, .flow_id = 3}));
  feed(a, smtp({.t = kT0 + 7400 * kSec, .flow_id = 4}));
  feed(a, stats(kT0 + 7400 * kSec, 1234));
  const std::string html = html_of(a);
  BOOST_TEST(html.rfind("<!DOCTYPE html>", 0) == 0u);
  BOOST_TEST(html.find("<svg id=\"share-chart\"") != std::string::npos);
  BOOST_TEST(html.find("id=\"infected-share\">25.0&nbsp;%<") != std::string::npos);
  // The line breaks over the empty 09:00 interval: two "M" segments.
  const auto line_at = html.find("<path id=\"share-line\" d=\"");
  BOOST_TEST_REQUIRE(line_at != std::string::npos);
  const std::string d = html.substr(line_at, html.find('"', line_at + 26) - line_at);
  BOOST_TEST(std::count(d.begin(), d.end(), 'M') == 2);
  BOOST_TEST(html.find("<td class=\"t\">2004-01-27 09:00</td><td class=\"n\">0</td>") !=
             std::string::npos);
  BOOST_TEST(html.find("id=\"health-table\"") != std::string::npos);
  BOOST_TEST(html.find("1234") != std::string::npos);
  BOOST_TEST(html.find("</html>") != std::string::npos);
  // Empty input still renders a page with the chart frame.
  ReportAggregator empty;
  const std::string e = html_of(empty);
  BOOST_TEST(e.find("<svg id=\"share-chart\"") != std::string::npos);
  BOOST_TEST(e.find("no mail messages") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(page_size_does_not_grow_with_records) {
  ww::ReportOptions o;
  o.top_n = 5;
  ReportAggregator a(o);
  for (uint64_t i = 0; i < 20000; ++i) {
    feed(a, smtp({.t = kT0 + int64_t(i) * kSec,
                  .flow_id = i + 1,
                  .files = 1,
                  .subject = "s" + std::to_string(i % 7)}));
    feed(a, fileinfo({.t = kT0 + int64_t(i) * kSec,
                      .flow_id = i + 1,
                      .name = "f" + std::to_string(i) + ".zip",
                      .sha256 = std::to_string(i),
                      .status = i % 4 ? "clean" : "infected",
                      .signature = "Worm.Mydoom.A",
                      .subject = "s" + std::to_string(i % 7)}));
  }
  BOOST_TEST(a.messages() == 20000u);
  BOOST_TEST(a.infected_messages() == 5000u);
  const std::string html = html_of(a);
  BOOST_TEST(html.size() < 200000u, html.size());
  BOOST_TEST(a.summary()["bounds"]["open_transactions"] == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

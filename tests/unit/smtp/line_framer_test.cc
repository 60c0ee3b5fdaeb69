// LineFramer: CRLF and bare LF, over-long lines in pieces, plain delivery, gaps,
// and the same output whatever the split of the input.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "reassembly/smtp/line_framer.h"

namespace ww {
namespace {

struct Piece {
  std::string bytes;
  bool start, end, too_long, bare_lf, after_gap, plain;
  uint8_t ending;
  bool operator==(const Piece&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Piece& p) {
  return os << "[" << p.bytes.size() << " bytes s" << p.start << " e" << p.end << " l" << p.too_long
            << " lf" << p.bare_lf << " g" << p.after_gap << " p" << p.plain << " n" << int(p.ending)
            << "]";
}

std::vector<Piece> drain(LineFramer& f, const std::string& s) {
  std::vector<Piece> out;
  std::vector<uint8_t> buf(s.begin(), s.end());
  std::span<const uint8_t> in(buf);
  FramedLine l;
  while (f.next(in, l)) {
    out.push_back({std::string(l.bytes.begin(), l.bytes.end()), l.start, l.end, l.too_long,
                   l.bare_lf, l.after_gap, l.plain, l.ending});
  }
  return out;
}

// All pieces for `input` fed in chunks of `chunk` bytes.
std::vector<Piece> framed(const std::string& input, size_t chunk, uint32_t max = 8) {
  LineFramer f(max);
  std::vector<Piece> out;
  for (size_t at = 0; at < input.size(); at += chunk) {
    auto part = drain(f, input.substr(at, chunk));
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

BOOST_AUTO_TEST_CASE(crlf_and_bare_lf_lines) {
  LineFramer f(100);
  const auto p = drain(f, "HELO a\r\nNOOP\nQUIT\r\n");
  BOOST_REQUIRE_EQUAL(p.size(), 3u);
  BOOST_CHECK_EQUAL(p[0].bytes, "HELO a\r\n");
  BOOST_CHECK_EQUAL(p[0].ending, 2);
  BOOST_CHECK(p[0].start && p[0].end && !p[0].bare_lf);
  BOOST_CHECK_EQUAL(p[1].bytes, "NOOP\n");
  BOOST_CHECK(p[1].bare_lf);
  BOOST_CHECK_EQUAL(p[1].ending, 1);
  BOOST_CHECK_EQUAL(p[2].bytes, "QUIT\r\n");
}

BOOST_AUTO_TEST_CASE(partial_line_is_kept_until_its_end) {
  LineFramer f(100);
  BOOST_CHECK(drain(f, "MAIL FR").empty());
  BOOST_CHECK_EQUAL(f.buffered(), 7u);
  const auto p = drain(f, "OM:<a>\r\nRC");
  BOOST_REQUIRE_EQUAL(p.size(), 1u);
  BOOST_CHECK_EQUAL(p[0].bytes, "MAIL FROM:<a>\r\n");
  BOOST_CHECK_EQUAL(f.buffered(), 2u);
}

BOOST_AUTO_TEST_CASE(over_long_line_comes_in_pieces_of_max) {
  const auto p = framed("0123456789abcdefXYZ\r\nok\r\n", 100, 8);
  BOOST_REQUIRE_EQUAL(p.size(), 4u);
  BOOST_CHECK_EQUAL(p[0].bytes, "01234567");
  BOOST_CHECK(p[0].start && p[0].too_long && !p[0].end);
  BOOST_CHECK_EQUAL(p[1].bytes, "89abcdef");
  BOOST_CHECK(!p[1].start && p[1].too_long);
  BOOST_CHECK_EQUAL(p[2].bytes, "XYZ\r\n");
  BOOST_CHECK(!p[2].start && p[2].end);
  BOOST_CHECK_EQUAL(p[3].bytes, "ok\r\n");
  BOOST_CHECK(p[3].start);
}

BOOST_AUTO_TEST_CASE(crlf_split_by_the_cut_is_not_a_bare_lf) {
  // 7 characters + CR fill the 8-byte piece; the LF comes alone.
  const auto p = framed("1234567\r\nx\r\n", 100, 8);
  BOOST_REQUIRE_EQUAL(p.size(), 3u);
  BOOST_CHECK_EQUAL(p[1].bytes, "\n");
  BOOST_CHECK(p[1].end && !p[1].bare_lf);
  BOOST_CHECK_EQUAL(p[1].ending, 1);
}

BOOST_AUTO_TEST_CASE(a_line_of_exactly_max_bytes_is_whole) {
  const auto p = framed("123456\r\n", 100, 8);
  BOOST_REQUIRE_EQUAL(p.size(), 1u);
  BOOST_CHECK(p[0].start && p[0].end && !p[0].too_long);
}

BOOST_AUTO_TEST_CASE(same_pieces_for_every_chunk_size) {
  const std::string input =
      "EHLO x\r\n0123456789abcdefghij\r\n\r\n.\r\nbare\nlast line without end 0123456789\r\n"
      "1234567\r\n12345678\n";
  const auto reference = framed(input, input.size());
  for (size_t chunk = 1; chunk < input.size(); ++chunk) {
    BOOST_TEST_CONTEXT("chunk " << chunk) {
      const auto p = framed(input, chunk);
      BOOST_REQUIRE_EQUAL(p.size(), reference.size());
      for (size_t i = 0; i < p.size(); ++i) BOOST_CHECK_EQUAL(p[i], reference[i]);
    }
  }
}

BOOST_AUTO_TEST_CASE(never_buffers_more_than_max) {
  LineFramer f(16);
  std::string junk(1000, 'x');
  for (char c : junk) {
    drain(f, std::string(1, c));
    BOOST_REQUIRE_LT(f.buffered(), 16u);
  }
  BOOST_CHECK_LE(f.capacity(), 64u);
}

BOOST_AUTO_TEST_CASE(plain_mode_delivers_exact_counts_then_lines_resume) {
  LineFramer f(100);
  std::vector<uint8_t> buf;
  const std::string s = "BDAT\r\nabc\r\n.\r\nNOOP\r\n";
  buf.assign(s.begin(), s.end());
  std::span<const uint8_t> in(buf);
  FramedLine l;
  BOOST_REQUIRE(f.next(in, l));
  BOOST_CHECK_EQUAL(l.text(), "BDAT");
  f.start_plain(8);  // "abc\r\n.\r\n" raw, dot included
  BOOST_REQUIRE(f.next(in, l));
  BOOST_CHECK(l.plain);
  BOOST_CHECK_EQUAL(std::string(l.bytes.begin(), l.bytes.end()), "abc\r\n.\r\n");
  BOOST_CHECK_EQUAL(f.plain_remaining(), 0u);
  BOOST_REQUIRE(f.next(in, l));
  BOOST_CHECK(!l.plain);
  BOOST_CHECK_EQUAL(l.text(), "NOOP");
}

BOOST_AUTO_TEST_CASE(plain_mode_across_feeds) {
  LineFramer f(100);
  f.start_plain(5);
  auto p = drain(f, "ab");
  BOOST_REQUIRE_EQUAL(p.size(), 1u);
  BOOST_CHECK(p[0].plain);
  p = drain(f, "cdeQUIT\r\n");
  BOOST_REQUIRE_EQUAL(p.size(), 2u);
  BOOST_CHECK_EQUAL(p[0].bytes, "cde");
  BOOST_CHECK_EQUAL(p[1].bytes, "QUIT\r\n");
  BOOST_CHECK(p[1].start);
}

BOOST_AUTO_TEST_CASE(gap_drops_the_partial_line_and_flags_the_next_piece) {
  LineFramer f(100);
  drain(f, "MAIL FR");
  BOOST_CHECK_EQUAL(f.gap(10), 0u);
  BOOST_CHECK_EQUAL(f.buffered(), 0u);
  const auto p = drain(f, "xyz\r\nQUIT\r\n");
  BOOST_REQUIRE_EQUAL(p.size(), 2u);
  BOOST_CHECK(p[0].after_gap);
  BOOST_CHECK_EQUAL(p[0].bytes, "xyz\r\n");
  BOOST_CHECK(!p[1].after_gap);
}

BOOST_AUTO_TEST_CASE(gap_inside_plain_data_counts_against_it) {
  LineFramer f(100);
  f.start_plain(10);
  BOOST_CHECK_EQUAL(f.gap(4), 4u);
  BOOST_CHECK_EQUAL(f.plain_remaining(), 6u);
  BOOST_CHECK_EQUAL(f.gap(10), 6u);  // runs 4 bytes past the chunk
  BOOST_CHECK_EQUAL(f.plain_remaining(), 0u);
  const auto p = drain(f, "x\r\n");
  BOOST_REQUIRE_EQUAL(p.size(), 1u);
  BOOST_CHECK(p[0].after_gap);
}

BOOST_AUTO_TEST_CASE(take_partial_returns_and_forgets_the_partial_line) {
  LineFramer f(100);
  drain(f, "line one\r\nhalf a li");
  const FramedLine l = f.take_partial();
  BOOST_CHECK_EQUAL(l.text(), "half a li");
  BOOST_CHECK(l.start && !l.end);
  BOOST_CHECK_EQUAL(f.buffered(), 0u);
  BOOST_CHECK(f.take_partial().bytes.empty());
}

BOOST_AUTO_TEST_CASE(new_limit_applies_from_the_next_line) {
  LineFramer f(100);
  drain(f, "0123456789");  // buffered under the old limit
  f.set_max_line(8);
  auto p = drain(f, "abc\r\n0123456789\r\n");
  BOOST_REQUIRE_EQUAL(p.size(), 3u);
  BOOST_CHECK_EQUAL(p[0].bytes, "0123456789abc\r\n");
  BOOST_CHECK(!p[0].too_long);
  BOOST_CHECK_EQUAL(p[1].bytes, "01234567");
  BOOST_CHECK(p[1].too_long);
}

}  // namespace
}  // namespace ww

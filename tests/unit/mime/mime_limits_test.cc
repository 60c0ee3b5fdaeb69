// Limits and the two-readings policy: every limit is hit, counted and reported,
// memory stays bounded, and where a message reads two ways both readings reach the
// sink.

#include <boost/test/unit_test.hpp>

#include "tests/unit/mime/mime_corpus.h"
#include "tests/unit/mime/mime_test_util.h"

namespace ww {
namespace {

using namespace mime_test;
using A = MimeAnomaly;

// A multipart nested `levels` deep (boundaries l0, l1, ...) around one base64 file.
std::string nested_body(int level, int levels) {
  const std::string b = "l" + std::to_string(level);
  std::string inner;
  if (level + 1 < levels) {
    inner = "Content-Type: multipart/mixed; boundary=l" + std::to_string(level + 1) + "\r\n\r\n" +
            nested_body(level + 1, levels);
  } else {
    inner =
        "Content-Type: application/octet-stream; name=deep.exe\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" +
        base64(exe_bytes());
    inner.resize(inner.size() - 2);  // the last CRLF belongs to the delimiter
  }
  return "--" + b + "\r\n" + inner + "\r\n--" + b + "--";
}

std::string nested_message(int levels) {
  return "Content-Type: multipart/mixed; boundary=l0\r\n\r\n" + nested_body(0, levels) + "\r\n";
}

BOOST_AUTO_TEST_SUITE(mime_limits)

BOOST_AUTO_TEST_CASE(nesting_100_levels_hits_max_depth) {
  const auto r = parse(nested_message(100));
  BOOST_TEST(r->sink.has(A::depth_exceeded));
  BOOST_TEST(r->counters.depth_exceeded == 1u);
  BOOST_TEST(r->counters.depth_high_water == 20u);
  uint32_t deepest = 0;
  for (const auto& [i, p] : r->sink.parts) deepest = std::max(deepest, p.info.depth);
  BOOST_TEST(deepest == 20u);
  // The multipart at depth 20 is one opaque file with its raw body, which
  // carries the 80 deeper levels and the file.
  std::string id = "1";
  for (int i = 2; i <= 20; ++i) id += ".1";
  const auto& opaque = part_of(*r, id);
  BOOST_TEST(opaque.info.opaque);
  BOOST_TEST(opaque.info.is_file);
  BOOST_TEST(opaque.content_type == "multipart/mixed");
  BOOST_TEST(opaque.data == nested_body(20, 100));
  BOOST_TEST(r->sink.parts.size() == 21u);
  BOOST_TEST(!r->sink.has(A::missing_close_boundary));  // the tracked levels close normally
  // Within the limit, the file at the bottom is extracted.
  const auto shallow = parse(nested_message(10));
  BOOST_TEST(shallow->sink.files().size() == 1u);
  BOOST_TEST(shallow->sink.files()[0]->data == exe_bytes());
  BOOST_TEST(shallow->sink.files()[0]->file_name == "deep.exe");
  BOOST_TEST(shallow->sink.anomalies.empty());
}

BOOST_AUTO_TEST_CASE(boundary_lengths) {
  const std::string b100(100, 'x');
  const auto ok = parse("Content-Type: multipart/mixed; boundary=\"" + b100 + "\"\r\n\r\n--" +
                        b100 + "\r\nContent-Type: image/gif\r\n\r\nGIF89a\r\n--" + b100 + "--\r\n");
  BOOST_TEST(data_of(*ok, "1") == "GIF89a");
  BOOST_TEST(ok->sink.has(A::boundary_over_rfc_length));
  const std::string b254(254, 'y');
  const auto max = parse("Content-Type: multipart/mixed; boundary=" + b254 + "\r\n\r\n--" + b254 +
                         "\r\n\r\nz\r\n--" + b254 + "--\r\n");
  BOOST_TEST(data_of(*max, "1") == "z");
  const std::string b300(300, 'q');
  const std::string body = "--" + b300 + "\r\n\r\nz\r\n--" + b300 + "--\r\n";
  const auto too_long =
      parse("Content-Type: multipart/mixed; boundary=" + b300 + "\r\n\r\n" + body);
  const auto& p = part_of(*too_long, "0");
  BOOST_TEST(p.info.opaque);
  BOOST_TEST(p.info.is_file);
  BOOST_TEST(p.data == body);
  BOOST_TEST(too_long->sink.has(A::boundary_too_long));
  BOOST_TEST(too_long->counters.boundaries_too_long == 1u);
}

BOOST_AUTO_TEST_CASE(file_name_over_limit_cut_at_utf8_boundary) {
  std::string name;
  for (int i = 0; i < 150; ++i) name += "\xC3\xA9";  // 300 bytes
  name += ".exe";
  const auto r = parse(crlf("Content-Type: application/octet-stream\n"
                            "Content-Disposition: attachment; filename=\"") +
                       name + "\"\r\n\r\nMZ\r\n");
  const auto& p = part_of(*r, "0");
  BOOST_TEST(p.file_name.size() == 254u);  // 127 two-byte characters
  BOOST_TEST(p.file_name == name.substr(0, 254));
  BOOST_TEST(p.info.file_name_truncated);
  BOOST_TEST(r->sink.has(A::filename_too_long));
  BOOST_TEST(r->counters.file_names_truncated == 1u);
  // Through RFC 2231 continuations too.
  std::string cont = "Content-Type: application/octet-stream\r\nContent-Disposition: attachment";
  for (int i = 0; i < 40; ++i) {
    cont += ";\r\n filename*" + std::to_string(i) + "*=" + (i == 0 ? "utf-8''" : "") +
            "%E2%82%AC%E2%82%AC%E2%82%AC";
  }
  const auto r2 = parse(cont + "\r\n\r\nMZ\r\n");
  BOOST_TEST(part_of(*r2, "0").file_name.size() == 255u);  // 85 three-byte euros
  BOOST_TEST(r2->sink.has(A::filename_too_long));
}

BOOST_AUTO_TEST_CASE(header_limits) {
  MimeConfig c;
  c.max_header_line_bytes = 200;
  c.max_header_block_bytes = 1000;
  std::string headers = "Subject: " + std::string(500, 's') + "\r\n";
  for (int i = 0; i < 30; ++i)
    headers += "X-Filler-" + std::to_string(i) + ": " + std::string(60, 'f') + "\r\n";
  headers += "Content-Type: application/octet-stream\r\n";  // beyond the block limit: ignored
  const auto r = parse(headers + "\r\nbody\r\n", c);
  BOOST_TEST(r->sink.has(A::header_too_long));
  BOOST_TEST(r->sink.has(A::header_block_too_large));
  BOOST_TEST(r->counters.header_lines_truncated == 1u);
  BOOST_TEST(r->counters.header_blocks_truncated == 1u);
  BOOST_TEST(r->sink.log().find(" cut\n") != std::string::npos);
  BOOST_TEST(r->sink.header_decoded[0].size() == 200u - 9u);  // "Subject: " + value
  BOOST_TEST(part_of(*r, "0").content_type == "text/plain");
  BOOST_TEST(data_of(*r, "0") == "body\r\n");  // the blank line still ends the block
  BOOST_TEST(r->counters.header_block_high_water > 1000u);
}

BOOST_AUTO_TEST_CASE(long_body_lines_are_reported_not_cut) {
  const std::string line(3000, 'a');
  const auto r = parse("Content-Type: text/plain\r\n\r\n" + line + "\r\nshort\r\n" + line + "\r\n");
  BOOST_TEST(data_of(*r, "0") == line + "\r\nshort\r\n" + line + "\r\n");
  BOOST_TEST(r->sink.has(A::line_too_long));
  BOOST_TEST(r->counters.long_lines == 2u);
}

BOOST_AUTO_TEST_CASE(parts_limit_makes_the_rest_opaque) {
  MimeConfig c;
  c.max_parts = 4;
  std::string msg = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (int i = 0; i < 8; ++i)
    msg += "--p\r\nContent-Type: text/plain\r\n\r\npart" + std::to_string(i) + "\r\n";
  msg +=
      "--p\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
      base64(exe_bytes()) + "--p--\r\n";
  const auto r = parse(msg, c);
  BOOST_TEST(r->sink.has(A::parts_exceeded));
  BOOST_TEST(r->counters.parts_exceeded == 1u);
  BOOST_TEST(data_of(*r, "3") == "part2");
  const auto& rest = part_of(*r, "4");
  BOOST_TEST(rest.info.opaque);
  BOOST_TEST(rest.info.is_file);
  // The remainder, delimiters and all, is one file the scanner still sees.
  BOOST_TEST(rest.data.starts_with("--p\r\nContent-Type: text/plain\r\n\r\npart3\r\n--p\r\n"));
  BOOST_TEST(rest.data.find(base64(exe_bytes()).substr(0, 76)) != std::string::npos);
  BOOST_TEST(r->sink.parts.size() == 5u);
  BOOST_TEST(!r->sink.has(A::missing_close_boundary));  // the close delimiter still closes
}

BOOST_AUTO_TEST_CASE(parts_limit_stops_descending_into_messages) {
  MimeConfig c;
  c.max_parts = 1;
  const auto r = parse(crlf("Content-Type: message/rfc822\n\nSubject: x\n\nhi\n"), c);
  const auto& p = part_of(*r, "0");
  BOOST_TEST(p.info.opaque);
  BOOST_TEST(p.info.is_file);
  BOOST_TEST(p.data == crlf("Subject: x\n\nhi\n"));
  BOOST_TEST(r->sink.has(A::parts_exceeded));
  BOOST_TEST(r->sink.parts.size() == 1u);
}

BOOST_AUTO_TEST_CASE(part_size_limit_truncates) {
  MimeConfig c;
  c.max_part_bytes = 100;
  const auto r = parse(msg_mixed_pdf(), c);
  const auto& pdf = part_of(*r, "2");
  BOOST_TEST(pdf.data == pdf_bytes().substr(0, 100));
  BOOST_TEST(pdf.end.state == MimePartState::truncated);
  BOOST_TEST(pdf.end.truncated_bytes == pdf_bytes().size() - 100);
  BOOST_TEST(r->sink.has(A::part_truncated));
  BOOST_TEST(r->counters.parts_truncated == 1u);
  BOOST_TEST(r->counters.truncated_bytes == pdf_bytes().size() - 100);
  BOOST_TEST(!r->sink.message_end.complete);
}

BOOST_AUTO_TEST_CASE(delimiter_padding_limit) {
  MimeConfig c;
  c.max_delimiter_padding = 8;
  const std::string msg = "Content-Type: multipart/mixed; boundary=pad\r\n\r\n--pad" +
                          std::string(50, ' ') + "\r\n\r\none\r\n--pad--" + std::string(9, '\t') +
                          "x\r\n";
  const auto r = parse(msg, c);
  BOOST_TEST(data_of(*r, "1") == "one");
  BOOST_TEST(r->sink.has(A::delimiter_padding_too_long));
  BOOST_TEST(r->counters.delimiter_padding_too_long == 2u);
  BOOST_TEST(!r->sink.has(A::missing_close_boundary));
}

BOOST_AUTO_TEST_CASE(two_boundaries_both_recognised) {
  // Duplicate boundary parameter, and two Content-Type fields: parts split by
  // either boundary are emitted (a reader taking either one sees a subset).
  for (const std::string& ct :
       {std::string("Content-Type: multipart/mixed; boundary=A; boundary=B\r\n"),
        std::string("Content-Type: multipart/mixed; boundary=A\r\n"
                    "Content-Type: multipart/mixed; boundary=B\r\n")}) {
    const std::string msg = ct +
                            "\r\n--A\r\nContent-Type: application/x-a\r\n\r\nfirst\r\n--B\r\n"
                            "Content-Type: application/x-b\r\n\r\nsecond\r\n--A\r\n"
                            "Content-Type: application/x-c\r\n\r\nthird\r\n--B--\r\n";
    const auto r = parse(msg);
    BOOST_TEST(data_of(*r, "1") == "first");
    BOOST_TEST(data_of(*r, "2") == "second");
    BOOST_TEST(data_of(*r, "3") == "third");
    BOOST_TEST(r->sink.files().size() == 3u);
    BOOST_TEST(r->sink.has(A::conflicting_boundary));
  }
}

BOOST_AUTO_TEST_CASE(too_many_boundaries) {
  MimeConfig c;
  c.max_boundaries_per_part = 2;
  const auto r = parse(
      "Content-Type: multipart/mixed; boundary=a; boundary=b; "
      "boundary=c\r\n\r\n--c\r\n\r\nx\r\n--a--\r\n",
      c);
  BOOST_TEST(r->sink.has(A::too_many_boundaries));
  BOOST_TEST(r->counters.boundaries_ignored == 1u);
  BOOST_TEST(r->sink.parts.size() == 1u);  // "--c" is preamble text
}

BOOST_AUTO_TEST_CASE(two_encodings_give_an_alternate_reading) {
  // Base64 first, quoted-printable second: the body is QP that decodes to the
  // payload; a base64-only reader sees noise.
  const std::string payload = exe_bytes().substr(0, 200);
  const std::string msg = crlf(
                              "Content-Type: multipart/mixed; boundary=e\n\n--e\n"
                              "Content-Type: application/octet-stream; name=x.bin\n"
                              "Content-Transfer-Encoding: base64\n"
                              "Content-Transfer-Encoding: quoted-printable\n\n") +
                          quoted_printable(payload) + crlf("--e--\n");
  const auto r = parse(msg);
  const auto& primary = part_of(*r, "1");
  const auto& alt = part_of(*r, "1.alt");
  BOOST_TEST(primary.info.encoding == MimeEncoding::base64);
  BOOST_TEST(!primary.info.alternate_reading);
  BOOST_TEST(alt.info.alternate_reading);
  BOOST_TEST(alt.info.encoding == MimeEncoding::quoted_printable);
  BOOST_TEST(alt.info.parent == primary.info.part);
  BOOST_TEST(alt.info.is_file);
  BOOST_TEST(alt.file_name == "x.bin");
  BOOST_TEST(alt.data == payload);
  BOOST_TEST(!primary.data.empty());
  BOOST_TEST(r->sink.has(A::conflicting_cte));
  BOOST_TEST(r->counters.alternate_readings == 1u);
  // The same encoding twice is a duplicate, not a second reading.
  const auto same =
      parse(crlf("Content-Transfer-Encoding: base64\nContent-Transfer-Encoding: "
                 "Base64\nContent-Type: image/png\n\nQUJD\n"));
  BOOST_TEST(same->sink.find("0.alt") == nullptr);
  BOOST_TEST(same->sink.has(A::duplicate_cte));
  BOOST_TEST(!same->sink.has(A::conflicting_cte));
}

BOOST_AUTO_TEST_CASE(hidden_and_conflicting_file_names) {
  const auto r = parse(msg_evasion());
  const auto& file = part_of(*r, "2");
  BOOST_TEST(file.file_name == "good.txt");  // not the evil.exe inside foo="..."
  BOOST_TEST(file.alternate_names.empty());
  BOOST_TEST(r->sink.has(A::hidden_filename_parameter));
  BOOST_TEST(data_of(*r, "2") == exe_bytes().substr(0, 90));
  BOOST_TEST(r->sink.find("2.alt") != nullptr);
  // An unterminated quote reads two ways: the name from the second reading is
  // reported as an alternate name and makes the part a file.
  const auto& txt = part_of(*r, "3");
  BOOST_TEST(txt.file_name == "a.txt");
  BOOST_TEST(r->sink.has(A::unterminated_quoted_string));
  const auto u =
      parse(crlf("Content-Type: text/plain\n"
                 "Content-Disposition: inline; foo=\"bar; filename=evil.exe\n\nx\n"));
  const auto& up = part_of(*u, "0");
  BOOST_TEST(up.file_name.empty());
  BOOST_TEST(up.alternate_names == std::vector<std::string>{"evil.exe"},
             boost::test_tools::per_element());
  BOOST_TEST(up.info.is_file);
  // filename vs name vs filename*: the RFC 2231 one is chosen, the others reported.
  const auto c =
      parse(crlf("Content-Type: application/octet-stream; name=\"b.exe\"\n"
                 "Content-Disposition: attachment; filename=\"a.txt\";\n"
                 " filename*=utf-8''a.txt\n\nx\n"));
  const auto& cp = part_of(*c, "0");
  BOOST_TEST(cp.file_name == "a.txt");
  BOOST_TEST(cp.alternate_names == std::vector<std::string>{"b.exe"},
             boost::test_tools::per_element());
  BOOST_TEST(c->sink.has(A::conflicting_filename));
  MimeConfig one;
  one.max_file_names = 1;
  const auto capped = parse(crlf("Content-Type: application/octet-stream; name=\"b.exe\"\n"
                                 "Content-Disposition: attachment; filename=\"a.txt\"\n\nx\n"),
                            one);
  BOOST_TEST(part_of(*capped, "0").alternate_names.empty());
  BOOST_TEST(capped->sink.has(A::too_many_file_names));
}

BOOST_AUTO_TEST_CASE(memory_stays_bounded_by_the_limits) {
  // A 4 MiB one-line base64 body and a 1 MiB header line: nothing grows with them.
  const std::string big = random_bytes(3 << 20, 9);
  const std::string msg =
      "Content-Type: application/octet-stream\r\n"
      "Content-Transfer-Encoding: base64\r\nSubject: " +
      std::string(1 << 20, 'x') + "\r\n\r\n" + base64(big, 0);
  const auto r = parse(msg, MimeConfig{}, {65536});
  BOOST_TEST(data_of(*r, "0") == big);
  BOOST_TEST(r->counters.header_block_high_water > (1u << 20));
  BOOST_TEST(r->sink.has(A::header_too_long));
  BOOST_TEST(r->sink.has(A::header_block_too_large));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ww

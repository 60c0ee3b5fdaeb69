// MimeParser on whole messages: headers, multipart structure, message/rfc822,
// encodings, uuencode, line ends. Decoded data is compared with the bytes the
// test encoded.

#include <boost/test/unit_test.hpp>

#include "tests/unit/mime/mime_corpus.h"
#include "tests/unit/mime/mime_test_util.h"

namespace ww {
namespace {

using namespace mime_test;
using A = MimeAnomaly;

BOOST_AUTO_TEST_SUITE(mime_parser)

BOOST_AUTO_TEST_CASE(message_headers_raw_and_decoded) {
  const auto r = parse(msg_headers_only());
  const auto& s = r->sink;
  const std::vector<MimeHeaderField> want = {MimeHeaderField::from,       MimeHeaderField::to,
                                             MimeHeaderField::cc,         MimeHeaderField::subject,
                                             MimeHeaderField::message_id, MimeHeaderField::date,
                                             MimeHeaderField::x_mailer};
  BOOST_TEST(s.headers == want, boost::test_tools::per_element());
  BOOST_TEST(s.header_decoded[0] == "Ren\xC3\xA9 <rene@example.com>");
  BOOST_TEST(s.header_decoded[1] == "a@example.com, b@example.com");  // unfolded
  BOOST_TEST(s.header_decoded[3] == "Caf\xC3\xA9\xC3\xA9\tand more");
  BOOST_TEST(s.header_decoded[4] == "<id@x>");
  BOOST_TEST(s.header_decoded[6] == "Worm 1.0");
  BOOST_TEST(s.log().find("[=?iso-8859-1?Q?Caf=E9?= =?utf-8?B?w6k=?=\tand more]") !=
             std::string::npos);
  const auto& root = part_of(*r, "0");
  BOOST_TEST(root.content_type == "text/plain");
  BOOST_TEST(!root.info.is_file);
  BOOST_TEST(root.data == "body line\r\n");
  BOOST_TEST(s.anomalies.empty());
  BOOST_TEST(s.message_end.complete);
}

BOOST_AUTO_TEST_CASE(multipart_with_base64_attachment) {
  const auto r = parse(msg_mixed_pdf());
  const auto& root = part_of(*r, "0");
  BOOST_TEST(root.info.kind == MimePartKind::multipart);
  BOOST_TEST(root.content_type == "multipart/mixed");
  BOOST_TEST(data_of(*r, "1") == "Hello");  // the CRLF before a delimiter is the delimiter's
  const auto& pdf = part_of(*r, "2");
  BOOST_TEST(pdf.info.is_file);
  BOOST_TEST(pdf.info.is_attachment);
  BOOST_TEST(pdf.file_name == "doc.pdf");
  BOOST_TEST(pdf.info.encoding == MimeEncoding::base64);
  BOOST_TEST(pdf.data == pdf_bytes());
  BOOST_TEST(pdf.end.state == MimePartState::complete);
  BOOST_TEST(pdf.end.decoded_bytes == pdf_bytes().size());
  BOOST_TEST(r->sink.files().size() == 1u);
  BOOST_TEST(r->sink.anomalies.empty());
  BOOST_TEST(r->counters.files == 1u);
  BOOST_TEST(r->counters.parts == 3u);
  BOOST_TEST(r->counters.decoded_bytes == pdf_bytes().size() + 5);
}

BOOST_AUTO_TEST_CASE(nested_multiparts) {
  const auto r = parse(msg_nested());
  struct Want {
    const char* id;
    uint32_t depth;
    MimePartKind kind;
    const char* type;
    bool file;
  };
  const std::vector<Want> want = {
      {"0", 0, MimePartKind::multipart, "multipart/mixed", false},
      {"1", 1, MimePartKind::multipart, "multipart/alternative", false},
      {"1.1", 2, MimePartKind::leaf, "text/plain", false},
      {"1.2", 2, MimePartKind::leaf, "text/html", false},
      {"2", 1, MimePartKind::multipart, "multipart/related", false},
      {"2.1", 2, MimePartKind::leaf, "text/html", false},
      {"2.2", 2, MimePartKind::leaf, "image/png", true},
      {"3", 1, MimePartKind::leaf, "application/zip", true},
  };
  BOOST_TEST(r->sink.parts.size() == want.size());
  for (const Want& w : want) {
    BOOST_TEST_CONTEXT(w.id) {
      const auto& p = part_of(*r, w.id);
      BOOST_TEST(p.info.depth == w.depth);
      BOOST_TEST(p.info.kind == w.kind);
      BOOST_TEST(p.content_type == w.type);
      BOOST_TEST(p.info.is_file == w.file);
      BOOST_TEST(p.end.state == MimePartState::complete);
    }
  }
  BOOST_TEST(data_of(*r, "1.1") == "plain");
  BOOST_TEST(data_of(*r, "1.2") == "<p>caf\xC3\xA9</p>");
  BOOST_TEST(data_of(*r, "2.2") == pdf_bytes());
  BOOST_TEST(data_of(*r, "3") == exe_bytes());
  BOOST_TEST(part_of(*r, "3").file_name == "r\xC3\xA9sum\xC3\xA9.zip");
  BOOST_TEST(part_of(*r, "2.1").info.parent == part_of(*r, "2").info.part);
  BOOST_TEST(r->sink.anomalies.empty());
}

BOOST_AUTO_TEST_CASE(message_rfc822_parsed_recursively) {
  const auto r = parse(msg_rfc822());
  const auto& msg = part_of(*r, "2");
  BOOST_TEST(msg.info.kind == MimePartKind::message);
  BOOST_TEST(msg.info.is_attachment);
  BOOST_TEST(!msg.info.is_file);
  const auto& inner = part_of(*r, "2.0");
  BOOST_TEST(inner.info.kind == MimePartKind::multipart);
  BOOST_TEST(inner.info.depth == 2u);
  BOOST_TEST(inner.info.parent == msg.info.part);
  BOOST_TEST(data_of(*r, "2.1") == "inner body");
  const auto& exe = part_of(*r, "2.2");
  BOOST_TEST(exe.info.depth == 3u);
  BOOST_TEST(exe.info.is_file);
  BOOST_TEST(exe.file_name == "evil.exe");
  BOOST_TEST(exe.data == exe_bytes());
  // The embedded message's headers are reported with its own part id.
  BOOST_TEST(r->sink.log().find("H 3 2.0 from [From] [inner@example.com]") != std::string::npos);
  BOOST_TEST(r->sink.log().find("H 3 2.0 subject") != std::string::npos);
  BOOST_TEST(r->counters.embedded_messages == 1u);
  BOOST_TEST(r->sink.anomalies.empty());
}

BOOST_AUTO_TEST_CASE(uuencode_in_text_body) {
  const auto r = parse(msg_uuencode());
  const auto& text = part_of(*r, "0");
  BOOST_TEST(!text.info.is_file);
  BOOST_TEST(text.data.find("begin 644 virus.exe") != std::string::npos);  // body kept whole
  const auto& uu = part_of(*r, "0.uu1");
  BOOST_TEST(uu.info.kind == MimePartKind::uuencoded);
  BOOST_TEST(uu.info.is_file);
  BOOST_TEST(uu.info.parent == text.info.part);
  BOOST_TEST(uu.file_name == "virus.exe");
  BOOST_TEST(uu.data == exe_bytes());
  BOOST_TEST(uu.end.state == MimePartState::complete);
  BOOST_TEST(r->counters.uuencode_files == 1u);
}

BOOST_AUTO_TEST_CASE(uuencode_inside_base64_text_part_and_missing_end) {
  const std::string text = "hi\r\n" + uuencode(pdf_bytes(), "a b.pdf");
  const std::string cut = text.substr(0, text.size() - 10);  // no "end"
  const std::string msg = crlf("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n") +
                          base64(text) + base64(cut, 60);
  const std::string two = crlf(
                              "Content-Type: multipart/mixed; boundary=z\n\n--z\n"
                              "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n") +
                          base64(cut) + crlf("--z--\n");
  const auto r = parse(msg);
  BOOST_TEST(data_of(*r, "0.uu1") == pdf_bytes());
  BOOST_TEST(part_of(*r, "0.uu1").file_name == "a b.pdf");
  const auto r2 = parse(two);
  const auto& uu = part_of(*r2, "1.uu1");
  BOOST_TEST(uu.end.state == MimePartState::truncated);
  BOOST_TEST(r2->sink.has(A::uuencode_missing_end));
}

struct EncodingCase {
  const char* cte;
  std::string body;
  std::string decoded;
  std::vector<MimeAnomaly> anomalies;
};

BOOST_AUTO_TEST_CASE(transfer_encodings_in_messages) {
  const std::string bin = random_bytes(333, 21);
  const std::vector<EncodingCase> cases = {
      {"7bit", "plain text\r\n", "plain text", {}},
      {"8bit", "caf\xC3\xA9\r\n", "caf\xC3\xA9", {}},
      {"binary", bin + "\r\n", bin, {}},
      {"base64", base64(bin), bin, {}},
      {"BASE64", base64(bin, 0), bin, {}},
      {"base64", base64(bin, 22), bin, {}},
      {"quoted-printable", quoted_printable(bin), bin, {}},
      {"x-gzip64", "QUJD\r\n", "QUJD", {A::unknown_encoding}},
      {"base64",
       "QUJ*D\r\nRA=\r\n=QUJD\r\n",
       "ABCDABC",
       {A::base64_invalid_char, A::base64_padding_mid_stream}},
      {"base64", "QUJDR\r\n", "ABC", {A::base64_incomplete_quantum}},
      {"quoted-printable", "a=ZZb=\r\nc=4\r\n", "a=ZZbc=4", {A::qp_invalid_escape}},
  };
  for (const EncodingCase& c : cases) {
    BOOST_TEST_CONTEXT(c.cte << " " << c.body.substr(0, 20)) {
      const std::string msg = crlf(
                                  "Content-Type: multipart/mixed; boundary=e\n\n--e\n"
                                  "Content-Type: application/octet-stream\n"
                                  "Content-Transfer-Encoding: ") +
                              c.cte + "\r\n\r\n" + c.body + crlf("--e--\n");
      const auto r = parse(msg);
      BOOST_TEST(data_of(*r, "1") == c.decoded);
      const std::vector<MimeAnomaly> got(r->sink.anomaly_list.begin(), r->sink.anomaly_list.end());
      BOOST_TEST(got == c.anomalies, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(malformed_base64_counts_every_occurrence) {
  const std::string msg =
      crlf("Content-Type: application/x\nContent-Transfer-Encoding: base64\n\nQ*U*J*D\nQ!UJD\n");
  const auto r = parse(msg);
  BOOST_TEST(data_of(*r, "0") == "ABCABC");
  BOOST_TEST(r->counters.base64_invalid_chars == 4u);
  BOOST_TEST(r->counters.anomaly(A::base64_invalid_char) == 4u);
  BOOST_TEST(r->sink.anomaly_list.size() == 1u);  // reported once per part
}

BOOST_AUTO_TEST_CASE(lf_only_and_mixed_line_ends) {
  const auto lf = parse(msg_lf_only());
  BOOST_TEST(data_of(*lf, "1") == "text");
  BOOST_TEST(data_of(*lf, "2") == exe_bytes());
  BOOST_TEST(lf->sink.anomalies.empty());
  const auto mixed = parse(msg_mixed_eol());
  BOOST_TEST(data_of(*mixed, "1") == "a\r\nb");
  BOOST_TEST(data_of(*mixed, "2") == pdf_bytes().substr(0, 120));
  BOOST_TEST(part_of(*mixed, "2").info.is_file);
  BOOST_TEST(mixed->sink.anomalies.empty());
}

BOOST_AUTO_TEST_CASE(preamble_epilogue_and_delimiter_forms) {
  const std::string msg = crlf(
      "Content-Type: multipart/mixed; boundary=\"w\"\n\n"
      "--w is in the preamble but is text\n"
      "--w \t \n"
      "\n"
      "one\n"
      "--wX\n"
      "--w-\n"
      "--w\n"
      "\n"
      "two\n"
      "--w-- \n"
      "epilogue --w\n");
  const auto r = parse(msg);
  BOOST_TEST(data_of(*r, "1") == "one\r\n--wX\r\n--w-");
  BOOST_TEST(data_of(*r, "2") == "two");
  BOOST_TEST(r->sink.parts.size() == 3u);
  BOOST_TEST(r->sink.has(A::delimiter_with_trailing_text));
  BOOST_TEST(!r->sink.has(A::missing_close_boundary));
  BOOST_TEST(r->sink.message_end.complete);
}

BOOST_AUTO_TEST_CASE(missing_close_boundary_at_end) {
  std::string msg = msg_mixed_pdf();
  msg = msg.substr(0, msg.find("--b1--"));
  const auto r = parse(msg);
  BOOST_TEST(r->sink.has(A::missing_close_boundary));
  const auto& pdf = part_of(*r, "2");
  BOOST_TEST(pdf.data == pdf_bytes());
  BOOST_TEST(pdf.end.state == MimePartState::truncated);  // the message ended first
  BOOST_TEST(!r->sink.message_end.complete);
  BOOST_TEST(r->counters.missing_close_boundaries == 1u);
  // A close delimiter without its line end at the very end still closes.
  const std::string last = msg_mixed_pdf().substr(0, msg_mixed_pdf().find("--b1--") + 6);
  const auto r2 = parse(last);
  BOOST_TEST(!r2->sink.has(A::missing_close_boundary));
  BOOST_TEST(r2->sink.message_end.complete);
}

BOOST_AUTO_TEST_CASE(gap_inside_base64_part) {
  const std::string msg = msg_mixed_pdf();
  const size_t body = msg.find("\r\n\r\n", msg.find("doc.pdf")) + 4;
  const size_t at = body + 5 * 78 + 30;  // inside the sixth base64 line
  const uint64_t lost = 100;
  auto run = std::make_unique<Run>();
  {
    MimeParser p(run->config, run->counters, run->sink);
    p.feed(bytes_of(msg).first(at));
    p.gap(lost);
    p.feed(bytes_of(msg).subspan(at + lost));
    p.end();
  }
  run->check_contract();
  const auto& pdf = part_of(*run, "2");
  BOOST_TEST(pdf.end.state == MimePartState::gap);
  BOOST_TEST(pdf.end.gap_bytes == lost);
  BOOST_TEST(pdf.gaps == 1u);
  // Five whole lines before the gap decode exactly; after it, decoding resumes at
  // the next line (line 8 here: the gap runs into line 7).
  BOOST_TEST(pdf.data.substr(0, 5 * 57) == pdf_bytes().substr(0, 5 * 57));
  const std::string tail = pdf_bytes().substr(7 * 57);
  BOOST_TEST(pdf.data.size() >= tail.size());
  BOOST_TEST(pdf.data.substr(pdf.data.size() - tail.size()) == tail);
  BOOST_TEST(run->sink.log().find("G 2 100 at ") != std::string::npos);
  BOOST_TEST(!run->sink.message_end.complete);
  BOOST_TEST(run->counters.gap_bytes == lost);
  BOOST_TEST(!run->sink.has(A::missing_close_boundary));  // the structure recovered
}

BOOST_AUTO_TEST_CASE(gap_swallowing_a_delimiter_line_start) {
  // The gap ends right at a delimiter: it is still recognised.
  const std::string msg = msg_mixed_pdf();
  const size_t second = msg.find("--b1\r\nContent-Type: application/pdf");
  auto run = std::make_unique<Run>();
  {
    MimeParser p(run->config, run->counters, run->sink);
    p.feed(bytes_of(msg).first(second - 4));
    p.gap(4);
    p.feed(bytes_of(msg).subspan(second));
    p.end();
  }
  run->check_contract();
  BOOST_TEST(part_of(*run, "1").end.state == MimePartState::gap);
  BOOST_TEST(data_of(*run, "2") == pdf_bytes());
}

BOOST_AUTO_TEST_CASE(part_edge_cases) {
  const auto r = parse(msg_broken());
  const auto& s = r->sink;
  for (A a : {A::encoded_word_invalid, A::duplicate_header, A::header_invalid_line,
              A::header_whitespace_line, A::base64_padding_mid_stream, A::base64_invalid_char,
              A::delimiter_with_trailing_text, A::message_partial, A::part_after_close_delimiter,
              A::missing_close_boundary}) {
    BOOST_TEST(s.has(a), mime_anomaly_name(a));
  }
  // "QQ==QUJD*!\nQUJ\nDRA\n--qX not a delimiter" decodes leniently.
  BOOST_TEST(data_of(*r, "1").substr(0, 7) == "AABCABC");
  // A part whose first line is no header: that line is its body.
  BOOST_TEST(data_of(*r, "2") == "first line is not a header");
  const auto& partial = part_of(*r, "3");
  BOOST_TEST(partial.info.is_file);
  BOOST_TEST(partial.partial_id == "p1");
  BOOST_TEST(partial.info.partial_number == 1u);
  BOOST_TEST(partial.info.partial_total == 2u);
  // A part after the close delimiter is not hidden in the epilogue.
  BOOST_TEST(data_of(*r, "4") == "after close\r\n");
  BOOST_TEST(part_of(*r, "4").info.is_file);
}

BOOST_AUTO_TEST_CASE(part_without_body_and_delimiter_in_headers) {
  const std::string msg = crlf(
      "Content-Type: multipart/mixed; boundary=h\n\n"
      "--h\n"
      "Content-Type: application/octet-stream; name=\"empty.bin\"\n"
      "--h\n"
      "Content-Type: text/plain\n\n"
      "x\n"
      "--h--\n");
  const auto r = parse(msg);
  const auto& empty = part_of(*r, "1");
  BOOST_TEST(empty.info.is_file);
  BOOST_TEST(empty.file_name == "empty.bin");
  BOOST_TEST(empty.data.empty());
  BOOST_TEST(data_of(*r, "2") == "x");
  BOOST_TEST(r->sink.anomalies.empty());
}

BOOST_AUTO_TEST_CASE(digest_default_type_and_encoded_message) {
  const auto r = parse(msg_digest());
  const auto& first = part_of(*r, "1");
  BOOST_TEST(first.info.kind == MimePartKind::message);
  BOOST_TEST(first.content_type == "message/rfc822");
  BOOST_TEST(data_of(*r, "1.0") == "body one");
  BOOST_TEST(r->sink.log().find("H 2 1.0 subject [Subject] [first]") != std::string::npos);
  // message/rfc822 with base64 (not allowed): decoded and handed on whole.
  const auto& enc = part_of(*r, "2");
  BOOST_TEST(enc.info.kind == MimePartKind::leaf);
  BOOST_TEST(enc.info.opaque);
  BOOST_TEST(enc.info.is_file);
  BOOST_TEST(enc.data == "Subject: encoded\r\n\r\nhi\r\n");
  BOOST_TEST(r->sink.has(A::encoded_container));
}

BOOST_AUTO_TEST_CASE(conflicting_content_type_multipart_wins) {
  const std::string msg = crlf(
      "Content-Type: text/plain\n"
      "Content-Type: multipart/mixed; boundary=c\n\n"
      "--c\nContent-Type: application/octet-stream\n\nMZ\n--c--\n");
  const auto r = parse(msg);
  BOOST_TEST(part_of(*r, "0").info.kind == MimePartKind::multipart);
  BOOST_TEST(data_of(*r, "1") == "MZ");
  BOOST_TEST(r->sink.has(A::duplicate_content_type));
  BOOST_TEST(r->sink.has(A::conflicting_content_type));
}

BOOST_AUTO_TEST_CASE(invalid_content_type_and_missing_boundary_are_files) {
  const auto r = parse(crlf("Content-Type: garbage\n\nxyz\n"));
  BOOST_TEST(part_of(*r, "0").info.is_file);
  BOOST_TEST(r->sink.has(A::invalid_content_type));
  const auto m = parse(crlf("Content-Type: multipart/mixed\n\n--x\n\nabc\n--x--\n"));
  const auto& p = part_of(*m, "0");
  BOOST_TEST(p.info.opaque);
  BOOST_TEST(p.info.is_file);
  BOOST_TEST(p.data == crlf("--x\n\nabc\n--x--\n"));
  BOOST_TEST(m->sink.has(A::multipart_without_boundary));
}

BOOST_AUTO_TEST_CASE(reset_reuses_the_parser) {
  auto run = std::make_unique<Run>();
  {
    MimeParser p(run->config, run->counters, run->sink);
    p.feed(bytes_of(msg_mixed_pdf()));
    p.end();
    p.feed(bytes_of("late"));  // after end: ignored, reported once
    p.feed(bytes_of("later"));
    BOOST_TEST(run->sink.has(A::data_after_end));
    BOOST_TEST(run->counters.anomaly(A::data_after_end) == 2u);
  }
  Run second;
  {
    MimeParser p(second.config, second.counters, second.sink);
    p.feed(bytes_of(msg_uuencode()));
    p.reset();  // ends the first message
    p.feed(bytes_of(msg_mixed_pdf()));
    p.end();
    BOOST_TEST(second.counters.messages == 2u);
  }
  // Two messages, each numbering its parts from 0 (the checking sink models one
  // message, so it complains about the second).
  const std::string& log = second.sink.log();
  size_t roots = 0;
  for (size_t at = log.find("B 0 0 parent=-"); at != std::string::npos;
       at = log.find("B 0 0 parent=-", at + 1)) {
    ++roots;
  }
  BOOST_TEST(roots == 2u);
  BOOST_TEST(log.find("0.uu1") != std::string::npos);
  BOOST_TEST(!second.sink.error().empty());
}

BOOST_AUTO_TEST_CASE(counters_and_names) {
  MimeCounters a;
  MimeCounters b;
  a.parts = 2;
  b.parts = 3;
  a.depth_high_water = 4;
  b.depth_high_water = 2;
  b.anomalies[static_cast<size_t>(A::depth_exceeded)] = 1;
  a.merge(b);
  BOOST_TEST(a.parts == 5u);
  BOOST_TEST(a.depth_high_water == 4u);  // max, not sum
  BOOST_TEST(a.anomaly(A::depth_exceeded) == 1u);
  size_t n = 0;
  bool seen = false;
  a.for_each([&](const char* name, uint64_t v, const char*) {
    ++n;
    if (std::string_view(name) == "anomalies.depth_exceeded") seen = v == 1;
  });
  BOOST_TEST(seen);
  BOOST_TEST(n > kMimeAnomalyCount);
  BOOST_TEST(std::string(mime_anomaly_name(A::header_too_long)) == "header_too_long");
  BOOST_TEST(std::string(mime_anomaly_name(MimeAnomaly::kCount)) == "unknown");
  MimeConfig c;
  BOOST_TEST(validate(c).empty());
  c.max_depth = 0;
  BOOST_TEST(validate(c).find("max_depth") != std::string::npos);
  c = MimeConfig{};
  c.max_header_block_bytes = 100;
  BOOST_TEST(validate(c).find("max_header_block_bytes") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ww

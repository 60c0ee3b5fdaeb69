// Table-driven tests of the pieces under the parser: transfer decoders, the
// uuencode scanner, charsets, RFC 2047 encoded words, Content-* parameters with
// RFC 2231.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "reassembly/mime/charset.h"
#include "reassembly/mime/header_params.h"
#include "reassembly/mime/rfc2047.h"
#include "reassembly/mime/transfer_decoder.h"
#include "reassembly/mime/uuencode.h"
#include "tests/unit/mime/mime_test_util.h"

namespace ww {
namespace {

using namespace mime;
using mime_test::bytes_of;

struct Decoded {
  std::string out;
  std::vector<MimeAnomaly> events;
};

// Decodes `in` fed in pieces of `piece` bytes (0: all at once) with small output
// room, so the output-full path is exercised too.
Decoded run_decoder(Encoding e, std::string_view in, size_t piece, size_t room = 7) {
  TransferDecoder d;
  d.reset(e);
  Decoded r;
  std::vector<uint8_t> buf(room);
  auto rest = bytes_of(in);
  while (!rest.empty()) {
    auto chunk = rest.first(piece == 0 ? rest.size() : std::min(piece, rest.size()));
    rest = rest.subspan(chunk.size());
    while (!chunk.empty()) {
      const DecodeStep s = d.decode(chunk, buf);
      r.out.append(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(s.produced));
      chunk = chunk.subspan(s.consumed);
      if (s.event != MimeAnomaly::kCount) r.events.push_back(s.event);
    }
  }
  const DecodeStep s = d.finish(buf);
  r.out.append(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(s.produced));
  if (s.event != MimeAnomaly::kCount) r.events.push_back(s.event);
  return r;
}

struct DecoderCase {
  const char* name;
  Encoding encoding;
  std::string in;
  std::string out;
  std::vector<MimeAnomaly> events;
};

BOOST_AUTO_TEST_SUITE(mime_codec)

BOOST_AUTO_TEST_CASE(transfer_decoders_table) {
  using A = MimeAnomaly;
  const std::string bin = mime_test::random_bytes(1000, 7);
  const std::vector<DecoderCase> cases = {
      {"base64 76-char CRLF lines", Encoding::base64, mime_test::base64(bin), bin, {}},
      {"base64 LF lines", Encoding::base64, mime_test::base64(bin, 76, "\n"), bin, {}},
      {"base64 one long line", Encoding::base64, mime_test::base64(bin, 0), bin, {}},
      {"base64 lines not a multiple of 4", Encoding::base64, mime_test::base64(bin, 37), bin, {}},
      {"base64 padding ==", Encoding::base64, "QQ==\r\n", "A", {}},
      {"base64 padding =", Encoding::base64, "QUI=\r\n", "AB", {}},
      {"base64 no padding", Encoding::base64, "QUI", "AB", {A::base64_incomplete_quantum}},
      {"base64 invalid chars skipped",
       Encoding::base64,
       "QU*J!D",
       "ABC",
       {A::base64_invalid_char, A::base64_invalid_char}},
      {"base64 padding mid-stream resumes",
       Encoding::base64,
       "QQ==QUJD",
       "AABC",
       {A::base64_padding_mid_stream}},
      {"base64 lone char before pad",
       Encoding::base64,
       "QUJDR=QUJD",
       "ABCABC",
       {A::base64_incomplete_quantum, A::base64_padding_mid_stream}},
      {"base64 stray pad", Encoding::base64, "=QUJD", "ABC", {A::base64_invalid_char}},
      {"base64 blanks inside", Encoding::base64, "QU JD\tRA ==", "ABCD", {}},
      {"qp plain", Encoding::quoted_printable, "abc def\r\n", "abc def\r\n", {}},
      {"qp escapes both cases", Encoding::quoted_printable, "=41=3d=3D", "A==", {}},
      {"qp soft break CRLF", Encoding::quoted_printable, "ab=\r\ncd", "abcd", {}},
      {"qp soft break LF", Encoding::quoted_printable, "ab=\ncd", "abcd", {}},
      {"qp invalid escape kept",
       Encoding::quoted_printable,
       "a=ZZb",
       "a=ZZb",
       {A::qp_invalid_escape}},
      {"qp half escape kept", Encoding::quoted_printable, "a=4Zb", "a=4Zb", {A::qp_invalid_escape}},
      {"qp = then CR alone", Encoding::quoted_printable, "a=\rb", "a=\rb", {A::qp_invalid_escape}},
      {"qp == kept", Encoding::quoted_printable, "a==41", "a=A", {A::qp_invalid_escape}},
      {"qp trailing = is a soft break", Encoding::quoted_printable, "abc=", "abc", {}},
      {"qp trailing =4", Encoding::quoted_printable, "abc=4", "abc=4", {A::qp_invalid_escape}},
      {"qp binary round trip",
       Encoding::quoted_printable,
       mime_test::quoted_printable(bin),
       bin + "\r\n",
       {}},
      {"7bit passthrough", Encoding::seven_bit, "a=ZZ\r\n", "a=ZZ\r\n", {}},
      {"binary passthrough", Encoding::binary, bin, bin, {}},
      {"unknown passthrough", Encoding::unknown, "QUJD", "QUJD", {}},
  };
  for (const DecoderCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      for (size_t piece : {size_t{0}, size_t{1}, size_t{3}, size_t{5}}) {
        const Decoded d = run_decoder(c.encoding, c.in, piece);
        BOOST_TEST(d.out == c.out);
        BOOST_TEST(d.events == c.events, "piece " << piece);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(base64_gap_realigns_one_long_line) {
  const std::string bin = mime_test::random_bytes(300, 3);
  const std::string enc = mime_test::base64(bin, 0);
  for (size_t lost : {1u, 2u, 3u, 4u, 5u, 10u}) {
    TransferDecoder d;
    d.reset(Encoding::base64);
    std::vector<uint8_t> buf(1024);
    std::string out;
    auto in = bytes_of(enc);
    DecodeStep s = d.decode(in.first(40), buf);  // 40 chars = 30 bytes
    out.append(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(s.produced));
    d.gap(lost);
    s = d.decode(in.subspan(40 + lost), buf);
    out.append(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(s.produced));
    // After the gap decoding resumes on the next whole group of the original.
    const size_t resume = (40 + lost + 3) / 4 * 4;
    const std::string tail = bin.substr(resume / 4 * 3);
    BOOST_TEST(out.substr(0, 30) == bin.substr(0, 30));
    BOOST_TEST(out.substr(30, tail.size()) == tail, "lost " << lost);
  }
}

BOOST_AUTO_TEST_CASE(base64_gap_resyncs_at_line_end) {
  const std::string bin = mime_test::random_bytes(570, 4);  // 10 lines of 57 bytes
  const std::string enc = mime_test::base64(bin);
  TransferDecoder d;
  d.reset(Encoding::base64);
  std::vector<uint8_t> buf(2048);
  auto in = bytes_of(enc);
  DecodeStep s = d.decode(in.first(78 + 10), buf);  // one line and a bit
  std::string out(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(s.produced));
  d.gap(7);
  s = d.decode(in.subspan(78 + 10 + 7), buf);
  out.append(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(s.produced));
  // Line 1 was lost in part; lines 2.. decode exactly.
  BOOST_TEST(out.substr(0, 57) == bin.substr(0, 57));
  BOOST_TEST(out.substr(out.size() - 8 * 57) == bin.substr(2 * 57));
}

class UuRecorder : public UuencodeScanner::Events {
 public:
  void uu_begin(std::string_view name) override { log += "begin " + std::string(name) + ";"; }
  void uu_data(std::span<const uint8_t> b) override { data.append(b.begin(), b.end()); }
  void uu_end(bool complete) override { log += complete ? "end;" : "end-incomplete;"; }
  void uu_bad_line() override { log += "bad;"; }
  std::string log;
  std::string data;
};

BOOST_AUTO_TEST_CASE(uuencode_scanner) {
  const std::string bin = mime_test::random_bytes(200, 5);
  struct Case {
    const char* name;
    std::string text;
    std::string log;
    std::string data;
  };
  const std::vector<Case> cases = {
      {"block in text", "Hi,\r\nsee file\r\n" + mime_test::uuencode(bin, "a.exe") + "bye\r\n",
       "begin a.exe;end;", bin},
      {"LF only", "x\n" + mime_test::uuencode(bin, "b c.bin", "\n"), "begin b c.bin;end;", bin},
      {"bad line skipped", "begin 644 z\r\n#86)C\r\n!!!\x01\r\nend\r\n", "begin z;bad;end;", "abc"},
      {"no end", "begin 0644 q\r\n#86)C\r\n", "begin q;end-incomplete;", "abc"},
      {"not a begin line", "beginning 644 x\r\nbegin 64 x\r\nbegin 644\r\n", "", ""},
      {"trailing blanks stripped in transit", "begin 644 t\r\n#86)C\r\n\"86(\r\nend\r\n",
       "begin t;end;", "abcab"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      for (size_t piece : {size_t{0}, size_t{1}, size_t{4}}) {
        UuencodeScanner s;
        UuRecorder r;
        auto rest = bytes_of(c.text);
        while (!rest.empty()) {
          const size_t n = piece == 0 ? rest.size() : std::min(piece, rest.size());
          s.feed(rest.first(n), r);
          rest = rest.subspan(n);
        }
        s.finish(r);
        BOOST_TEST(r.log == c.log);
        BOOST_TEST(r.data == c.data);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(charsets_to_utf8) {
  struct Case {
    const char* charset;
    std::string in;
    std::string out;
    uint8_t issues;
  };
  const std::vector<Case> cases = {
      {"utf-8", "caf\xC3\xA9", "caf\xC3\xA9", kTextOk},
      {"UTF8",
       "a\xFF"
       "b",
       "a\xEF\xBF\xBD"
       "b",
       kTextInvalid},
      {"utf-8", "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD", kTextInvalid},                  // overlong
      {"utf-8", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", kTextInvalid},  // surrogate
      {"us-ascii", "abc", "abc", kTextOk},
      {"iso-8859-1", "caf\xE9 \xA4", "caf\xC3\xA9 \xC2\xA4", kTextOk},
      {"latin1", "\xFF", "\xC3\xBF", kTextOk},
      {"ISO-8859-15", "\xA4 \xBD", "\xE2\x82\xAC \xC5\x93", kTextOk},
      {"windows-1252", "\x80 \x93q\x94 \x81", "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D \xC2\x81",
       kTextOk},
      {"cp1252", "\x9F", "\xC5\xB8", kTextOk},
      {"koi8-r", "\xC1", "\xEF\xBF\xBD", kTextUnknownCharset | kTextInvalid},
      {"utf-8*en", "ok", "ok", kTextOk},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.charset << " " << c.in) {
      std::string out;
      BOOST_TEST(append_utf8(out, c.in, charset_from_name(c.charset)) == c.issues);
      BOOST_TEST(out == c.out);
    }
  }
  BOOST_TEST(utf8_prefix_length("ab\xC3\xA9", 3) == 2u);
  BOOST_TEST(utf8_prefix_length("ab\xC3\xA9", 4) == 4u);
  BOOST_TEST(utf8_prefix_length("\xE2\x82\xAC\xE2\x82\xAC", 5) == 3u);
}

BOOST_AUTO_TEST_CASE(rfc2047_table) {
  struct Case {
    const char* name;
    std::string raw;
    std::string decoded;
    bool bad = false;
    bool unknown = false;
    bool invalid = false;
  };
  const std::vector<Case> cases = {
      {"plain", "Hello world", "Hello world"},
      {"B utf-8", "=?UTF-8?B?Y2Fmw6k=?=", "caf\xC3\xA9"},
      {"Q utf-8 underscore", "=?utf-8?q?caf=C3=A9_au_lait?=", "caf\xC3\xA9 au lait"},
      {"Q iso-8859-1", "=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xC3\xA9 Pirard"},
      {"B iso-8859-15 euro", "=?iso-8859-15?B?pA==?=", "\xE2\x82\xAC"},
      {"Q windows-1252 quotes", "=?windows-1252?Q?=93hi=94?=", "\xE2\x80\x9Chi\xE2\x80\x9D"},
      {"us-ascii", "=?us-ascii?Q?plain?=", "plain"},
      {"adjacent words joined", "=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"},
      {"folded adjacent words", "=?utf-8?Q?a?=\r\n =?utf-8?Q?b?=", "ab"},
      {"split multibyte char", "=?utf-8?B?w6?= =?utf-8?B?qQ?=", "\xC3\xA9"},
      {"split char, Q", "=?utf-8?Q?=C3?= =?utf-8?Q?=A9?=", "\xC3\xA9"},
      {"text between words kept", "=?utf-8?Q?a?= x =?utf-8?Q?b?=", "a x b"},
      {"blank before text kept", "=?utf-8?Q?a?= b", "a b"},
      {"charset change", "=?iso-8859-1?Q?=E9?= =?utf-8?Q?=C3=A9?=", "\xC3\xA9\xC3\xA9"},
      {"language suffix", "=?utf-8*fr?Q?oui?=", "oui"},
      {"not delimited by blanks", "x=?utf-8?Q?y?=z", "xyz"},
      {"bad encoding letter", "=?utf-8?X?abc?=", "=?utf-8?X?abc?=", true},
      {"unterminated", "=?utf-8?Q?abc", "=?utf-8?Q?abc", true},
      {"blank inside word", "=?utf-8?Q?a b?=", "=?utf-8?Q?a b?=", true},
      {"bad Q escape", "=?utf-8?Q?a=ZZ?=", "a=ZZ", true},
      {"unknown charset", "=?koi8-r?B?wQ==?=", "\xEF\xBF\xBD", false, true, true},
      {"invalid utf-8 in word", "=?utf-8?B?/w==?=", "\xEF\xBF\xBD", false, false, true},
      {"raw 8-bit utf-8", "Ren\xC3\xA9", "Ren\xC3\xA9"},
      {"raw invalid 8-bit", "Ren\xE9", "Ren\xEF\xBF\xBD", false, false, true},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      std::string out;
      const Rfc2047Result r = decode_rfc2047(c.raw, out);
      BOOST_TEST(out == c.decoded);
      BOOST_TEST(r.bad_word == c.bad);
      BOOST_TEST(r.unknown_charset == c.unknown);
      BOOST_TEST(r.invalid_text == c.invalid);
    }
  }
}

struct ParamCase {
  const char* name;
  const char* field;  // "ct" or "cd"
  std::string value;
  std::string type;                    // expected type (ct) or disposition (cd)
  std::string chosen;                  // best non-alternate name, "" if none
  std::vector<std::string> all_names;  // every candidate, in order found
  std::vector<MimeAnomaly> anomalies;
  std::vector<std::string> boundaries = {};
};

BOOST_AUTO_TEST_CASE(content_parameters_table) {
  using A = MimeAnomaly;
  const std::vector<ParamCase> cases = {
      {"token params", "ct", "text/plain; charset=UTF-8", "text/plain", "", {}, {}},
      {"quoted boundary",
       "ct",
       "Multipart/Mixed; boundary=\"=_a b;c\"",
       "multipart/mixed",
       "",
       {},
       {},
       {"=_a b;c"}},
      {"backslash escapes",
       "cd",
       "attachment; filename=\"a\\\"b\\\\c.txt\"",
       "attachment",
       "a\"b\\c.txt",
       {"a\"b\\c.txt"},
       {}},
      {"unquoted with blanks",
       "cd",
       "attachment; filename=my file.pdf ; size=3",
       "attachment",
       "my file.pdf",
       {"my file.pdf"},
       {}},
      {"rfc2231 charset and percent",
       "cd",
       "attachment; filename*=UTF-8''caf%C3%A9%20bar.txt",
       "attachment",
       "caf\xC3\xA9 bar.txt",
       {"caf\xC3\xA9 bar.txt"},
       {}},
      {"rfc2231 latin1",
       "cd",
       "attachment; filename*=iso-8859-1'fr'%E9t%E9.doc",
       "attachment",
       "\xC3\xA9t\xC3\xA9.doc",
       {"\xC3\xA9t\xC3\xA9.doc"},
       {}},
      {"rfc2231 continuations with charset",
       "cd",
       "attachment; filename*0*=utf-8''a%20b; filename*1*=%20c; filename*2=\" d.txt\"",
       "attachment",
       "a b c d.txt",
       {"a b c d.txt"},
       {}},
      {"rfc2231 plain continuations",
       "ct",
       "application/pdf; name*0=\"long \"; name*1=name; name*2=\".pdf\"",
       "application/pdf",
       "long name.pdf",
       {"long name.pdf"},
       {}},
      {"rfc2231 out of order",
       "ct",
       "application/pdf; name*1=b.pdf; name*0=a",
       "application/pdf",
       "ab.pdf",
       {"ab.pdf"},
       {}},
      {"rfc2231 missing segment",
       "ct",
       "application/pdf; name*0=a; name*2=c",
       "application/pdf",
       "ac",
       {"ac"},
       {A::rfc2231_bad_continuation}},
      {"rfc2231 without charset quotes",
       "cd",
       "attachment; filename*=a%41",
       "attachment",
       "aA",
       {"aA"},
       {A::rfc2231_bad_continuation}},
      {"rfc2231 bad percent",
       "cd",
       "attachment; filename*=utf-8''a%G1",
       "attachment",
       "a%G1",
       {"a%G1"},
       {A::rfc2231_bad_continuation}},
      {"rfc2231 wins over plain",
       "cd",
       "attachment; filename=\"old.txt\"; filename*=utf-8''new.txt",
       "attachment",
       "new.txt",
       {"old.txt", "new.txt"},
       {}},
      {"rfc2047 in quoted name",
       "cd",
       "attachment; filename=\"=?UTF-8?B?w6l0w6kucGRm?=\"",
       "attachment",
       "\xC3\xA9t\xC3\xA9.pdf",
       {"\xC3\xA9t\xC3\xA9.pdf"},
       {}},
      {"hidden filename in other param",
       "cd",
       "attachment; foo=\"bar; filename=evil.exe\"; filename=good.txt",
       "attachment",
       "good.txt",
       {"good.txt"},
       {A::hidden_filename_parameter}},
      {"hidden filename only",
       "cd",
       "inline; x=\"filename=evil.exe\"",
       "inline",
       "",
       {},
       {A::hidden_filename_parameter}},
      {"unterminated quote: second reading",
       "cd",
       "attachment; foo=\"bar; filename=evil.exe",
       "attachment",
       "",
       {"evil.exe"},
       {A::hidden_filename_parameter, A::unterminated_quoted_string}},
      {"unterminated filename",
       "cd",
       "attachment; filename=\"evil.exe",
       "attachment",
       "evil.exe",
       {"evil.exe"},
       {A::unterminated_quoted_string}},
      {"text after closing quote",
       "cd",
       "attachment; filename=\"a.txt\".exe",
       "attachment",
       "a.txt",
       {"a.txt", "a.txt.exe"},
       {}},
      {"duplicate filename",
       "cd",
       "attachment; filename=a.txt; filename=b.exe",
       "attachment",
       "a.txt",
       {"a.txt", "b.exe"},
       {A::duplicate_parameter}},
      {"duplicate boundary param",
       "ct",
       "multipart/mixed; boundary=one; boundary=two",
       "multipart/mixed",
       "",
       {},
       {A::duplicate_parameter, A::conflicting_boundary},
       {"one", "two"}},
      {"same boundary twice",
       "ct",
       "multipart/mixed; boundary=one; boundary=\"one\"",
       "multipart/mixed",
       "",
       {},
       {A::duplicate_parameter},
       {"one"}},
      {"invalid type",
       "ct",
       "application; name=x.exe",
       "",
       "x.exe",
       {"x.exe"},
       {A::invalid_content_type}},
      {"partial",
       "ct",
       "message/partial; id=\"abc@x\"; number=2; total=3",
       "message/partial",
       "",
       {},
       {}},
  };
  for (const ParamCase& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      ContentFields cf;
      AnomalyBits bits;
      if (std::string_view(c.field) == "ct") {
        parse_content_type(c.value, ParamLimits{}, cf, bits);
        BOOST_TEST(cf.type == c.type);
      } else {
        parse_content_disposition(c.value, cf, bits);
        BOOST_TEST(cf.disposition == c.type);
      }
      std::vector<std::string> names;
      std::string chosen;
      uint8_t best = 255;
      for (const NameCandidate& n : cf.names) {
        names.push_back(n.name);
        if (!n.alternate_only && n.rank < best) {
          best = n.rank;
          chosen = n.name;
        }
      }
      BOOST_TEST(names == c.all_names, boost::test_tools::per_element());
      BOOST_TEST(chosen == c.chosen);
      AnomalyBits want;
      for (MimeAnomaly a : c.anomalies) want.set(static_cast<size_t>(a));
      BOOST_TEST(bits.to_string() == want.to_string());
      BOOST_TEST(cf.boundaries == c.boundaries, boost::test_tools::per_element());
    }
  }
  ContentFields cf;
  AnomalyBits bits;
  parse_content_type("message/partial; id=\"abc@x\"; number=2; total=3", ParamLimits{}, cf, bits);
  BOOST_TEST(cf.partial_id == "abc@x");
  BOOST_TEST(cf.partial_number == 2u);
  BOOST_TEST(cf.partial_total == 3u);
}

BOOST_AUTO_TEST_CASE(repeated_content_fields_merge) {
  using A = MimeAnomaly;
  ContentFields cf;
  AnomalyBits bits;
  parse_content_type("text/plain", ParamLimits{}, cf, bits);
  parse_content_type("multipart/mixed; boundary=b2", ParamLimits{}, cf, bits);
  BOOST_TEST(cf.type == "multipart/mixed");  // multipart wins
  BOOST_TEST(bits.test(static_cast<size_t>(A::duplicate_content_type)));
  BOOST_TEST(bits.test(static_cast<size_t>(A::conflicting_content_type)));
  parse_content_transfer_encoding("base64", cf, bits);
  parse_content_transfer_encoding(" BASE64 ", cf, bits);
  BOOST_TEST(cf.encodings.size() == 1u);
  BOOST_TEST(bits.test(static_cast<size_t>(A::duplicate_cte)));
  BOOST_TEST(!bits.test(static_cast<size_t>(A::conflicting_cte)));
  parse_content_transfer_encoding("quoted-printable", cf, bits);
  BOOST_TEST(cf.encodings.size() == 2u);
  BOOST_TEST(bits.test(static_cast<size_t>(A::conflicting_cte)));
  parse_content_transfer_encoding("8bit", cf, bits);  // passthrough: a third class
  BOOST_TEST(cf.encodings.size() == 3u);
  ParamLimits limits;
  limits.max_boundary_bytes = 10;
  limits.max_boundaries = 2;
  ContentFields m;
  AnomalyBits mb;
  parse_content_type("multipart/mixed; boundary=aaaaaaaaaaaa", limits, m, mb);
  BOOST_TEST(m.boundaries.empty());
  BOOST_TEST(m.boundary_too_long);
  BOOST_TEST(mb.test(static_cast<size_t>(A::boundary_too_long)));
  parse_content_type("multipart/mixed; boundary=a; boundary=b; boundary=c", limits, m, mb);
  BOOST_TEST(m.boundaries.size() == 2u);
  BOOST_TEST(mb.test(static_cast<size_t>(A::too_many_boundaries)));
  ContentFields d;
  AnomalyBits db;
  parse_content_disposition("inline", d, db);
  parse_content_disposition("attachment; filename=x", d, db);
  BOOST_TEST(d.disposition == "attachment");  // a file in either reading
  BOOST_TEST(db.test(static_cast<size_t>(A::duplicate_content_disposition)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace ww

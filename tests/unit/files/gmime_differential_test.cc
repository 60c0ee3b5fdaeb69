// Differential test: GMime (a full MIME library, used only here) and our streaming
// decoder must find the same leaf parts with the same decoded bytes on well-formed
// messages. Evasion and broken messages are excluded on purpose: there the two
// readings policy means we extract more than any single reader.

#include <gmime/gmime.h>
#include <openssl/sha.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>

#include "reassembly/files/file_assembler.h"
#include "reassembly/mime/mime_parser.h"
#include "tests/unit/mime/mime_corpus.h"

namespace ww {
namespace {

std::string sha256_hex(const void* p, size_t n) {
  unsigned char md[32];
  SHA256(static_cast<const unsigned char*>(p), n, md);
  return to_hex(md, 32);
}

// Decoded bytes of every leaf part (not multipart, not message/rfc822) that is a
// file by our definition: a file name, an attachment disposition, or a non-text type.
struct GmimeWalk {
  std::vector<std::string> hashes;
  static void visit(GMimeObject*, GMimeObject* part, gpointer data) {
    auto* self = static_cast<GmimeWalk*>(data);
    if (GMIME_IS_MESSAGE_PART(part)) {
      // foreach does not descend into an attached message: walk it too.
      if (GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part)))
        g_mime_message_foreach(inner, &GmimeWalk::visit, data);
      return;
    }
    if (!GMIME_IS_PART(part)) return;
    GMimePart* p = GMIME_PART(part);
    GMimeContentType* ct = g_mime_object_get_content_type(part);
    const char* fname = g_mime_part_get_filename(p);
    const char* disp = g_mime_object_get_disposition(part);
    bool text = ct && g_mime_content_type_is_type(ct, "text", "*");
    bool attach = disp && g_ascii_strcasecmp(disp, "attachment") == 0;
    if (!fname && !attach && text) return;
    GMimeDataWrapper* content = g_mime_part_get_content(p);
    GMimeStream* mem = g_mime_stream_mem_new();
    if (content) g_mime_data_wrapper_write_to_stream(content, mem);
    GByteArray* arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    self->hashes.push_back(sha256_hex(arr->data, arr->len));
    g_object_unref(mem);
  }
  explicit GmimeWalk(const std::string& msg) {
    GMimeStream* s = g_mime_stream_mem_new_with_buffer(msg.data(), msg.size());
    GMimeParser* parser = g_mime_parser_new_with_stream(s);
    GMimeMessage* m = g_mime_parser_construct_message(parser, nullptr);
    if (m) {
      g_mime_message_foreach(m, &GmimeWalk::visit, this);
      g_object_unref(m);
    }
    g_object_unref(parser);
    g_object_unref(s);
    std::sort(hashes.begin(), hashes.end());
  }
};

struct OurWalk : MimeEventSink, FileReportHandler {
  MimeConfig mcfg;
  FileConfig fcfg;
  MimeCounters mc;
  FileCounters fc;
  Sniffer sniffer;
  std::vector<std::string> hashes;
  FileAssembler files{fcfg, fc, sniffer, nullptr, *this};
  MimeParser parser{mcfg, mc, *this};
  void on_header(const MimeHeader&) override {}
  void on_part_begin(const MimePartInfo& p) override { files.part_begin(p); }
  void on_part_data(uint32_t part, std::span<const uint8_t> b) override { files.part_data(part, b); }
  void on_part_gap(uint32_t part, uint64_t n) override { files.part_gap(part, n); }
  void on_part_end(const MimePartEnd& e) override { files.part_end(e); }
  void on_anomaly(const MimeAnomalyEvent&) override {}
  void on_message_end(const MimeMessageEnd&) override {}
  void on_file(FileReport&& r) override {
    // GMime does not extract uuencode blocks from text or read a part twice.
    if (!r.uuencoded && !r.alternate_reading) hashes.push_back(r.hashes.sha256);
  }
  explicit OurWalk(const std::string& msg, size_t split) {
    auto b = mime_test::bytes_of(msg);
    for (size_t o = 0; o < b.size(); o += split) parser.feed(b.subspan(o, std::min(split, b.size() - o)));
    parser.end();
    std::sort(hashes.begin(), hashes.end());
  }
};

// Well-formed messages in the shapes mail clients produce.
std::vector<std::pair<std::string, std::string>> plain_messages() {
  using namespace mime_test;
  std::vector<std::pair<std::string, std::string>> v;
  for (const auto& nm : corpus()) {
    std::string n = nm.name;
    if (n == "evasion" || n == "broken" || n == "uuencode") continue;
    v.emplace_back(n, nm.text);
  }
  const std::string bin = random_bytes(5000, 99);
  const std::string text = "Line one =\r\nwith ümlauts\r\n" + std::string(300, 'x') + "\r\n";
  auto mixed = [&](const std::string& enc, const std::string& body, const std::string& eol) {
    std::string m = "From: a@example.com\nTo: b@example.com\nSubject: t\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/mixed; boundary=\"=_outer\"\n\n--=_outer\n"
                    "Content-Type: text/plain; charset=us-ascii\n\nhello\n--=_outer\n"
                    "Content-Type: application/octet-stream; name=\"f.bin\"\n"
                    "Content-Disposition: attachment; filename=\"f.bin\"\n"
                    "Content-Transfer-Encoding: " + enc + "\n\n";
    std::string out;
    for (char c : m) {
      if (c == '\n') out += eol;
      else out += c;
    }
    return out + body + eol + "--=_outer--" + eol;
  };
  v.emplace_back("base64_76", mixed("base64", base64(bin, 76, "\r\n"), "\r\n"));
  v.emplace_back("base64_one_line", mixed("base64", base64(bin, 1u << 30, "\r\n"), "\r\n"));
  v.emplace_back("base64_lf", mixed("base64", base64(bin, 64, "\n"), "\n"));
  std::string qp = "caf=C3=A9 soft=\r\nbreak and =3D sign\r\nsecond line";
  v.emplace_back("quoted_printable", mixed("quoted-printable", qp, "\r\n"));
  v.emplace_back("eight_bit", mixed("8bit", "ümlaut bytes\r\nmore", "\r\n"));
  v.emplace_back("seven_bit", mixed("7bit", text.substr(0, 20), "\r\n"));
  std::string nested = crlf("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
                            "Content-Type: multipart/alternative; boundary=i\n\n--i\n"
                            "Content-Type: text/plain\n\nplain\n--i\n"
                            "Content-Type: image/png; name=p.png\nContent-Transfer-Encoding: base64\n\n") +
                       base64(bin.substr(0, 1000)) +
                       crlf("--i--\n--o\nContent-Type: message/rfc822\n\n"
                            "Content-Type: multipart/mixed; boundary=e\n\n--e\n"
                            "Content-Type: application/zip; name=z.zip\nContent-Transfer-Encoding: base64\n\n") +
                       base64(bin.substr(1000, 2000)) + crlf("--e--\n--o--\n");
  v.emplace_back("nested_rfc822", nested);
  return v;
}

struct GmimeInit {
  GmimeInit() { g_mime_init(); }
  ~GmimeInit() { g_mime_shutdown(); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(gmime_differential)

BOOST_AUTO_TEST_CASE(same_parts_same_bytes_as_gmime) {
  GmimeInit init;
  for (const auto& [name, msg] : plain_messages()) {
    GmimeWalk theirs(msg);
    BOOST_TEST_CONTEXT("message " << name) {
      if (name != "headers_only") BOOST_TEST(!theirs.hashes.empty());
      for (size_t split : {size_t(1) << 30, size_t(1), size_t(13)}) {
        OurWalk ours(msg, split);
        BOOST_TEST(ours.hashes == theirs.hashes, "split " << split);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

// SmtpFlowApp: SMTP session + MIME + files -> smtp, fileinfo and anomaly records.
// The records must not depend on how the byte streams are split.

#include <openssl/sha.h>

#include <boost/test/unit_test.hpp>

#include "reassembly/files/file_hasher.h"
#include "sensor/worker/smtp_app.h"
#include "tests/unit/mime/mime_corpus.h"

namespace ww {
namespace {

using mime_test::base64;
using mime_test::crlf;

std::string sha256_hex(std::string_view s) {
  unsigned char md[32];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  return to_hex(md, 32);
}

struct Chunk {
  Direction dir;
  std::string bytes;
};

// Records out of one conversation, fed with `split` bytes per call (0 = whole chunks).
struct Harness : ExtractedFileHandler {
  Config cfg;
  OutputHub hub;
  MemorySink* sink = nullptr;
  int64_t now = 1075190400000000;
  std::unique_ptr<SmtpAppEnv> env;
  Flow flow;
  std::vector<ExtractedFile> files;

  Harness() {
    auto s = std::make_unique<MemorySink>();
    sink = s.get();
    hub.add(std::move(s));
    env = std::make_unique<SmtpAppEnv>(cfg, hub, now);
    env->files_out = this;
    const uint8_t c[4] = {10, 1, 2, 3}, sv[4] = {192, 0, 2, 25};
    flow.client_ip = IpAddress::v4(c);
    flow.server_ip = IpAddress::v4(sv);
    flow.client_port = 40000;
    flow.server_port = 25;
    flow.proto = 6;
    flow.flow_id = 42;
  }
  void on_extracted(ExtractedFile&& x) override {
    hub.emit("fileinfo", eve_dump(x.record));
    files.push_back(std::move(x));
  }
  std::vector<std::string> run(const std::vector<Chunk>& chunks, size_t split = 0,
                               std::vector<std::pair<size_t, uint64_t>> gaps_after = {}) {
    SmtpFlowApp app(*env, flow);
    for (size_t i = 0; i < chunks.size(); ++i) {
      const auto& c = chunks[i];
      auto b = mime_test::bytes_of(c.bytes);
      if (split == 0) {
        app.on_data(c.dir, b);
      } else {
        for (size_t o = 0; o < b.size(); o += split)
          app.on_data(c.dir, b.subspan(o, std::min(split, b.size() - o)));
      }
      for (auto& [idx, len] : gaps_after)
        if (idx == i) app.on_gap(c.dir, len);
    }
    app.on_end(Direction::to_server);
    app.on_end(Direction::to_client);
    return sink->lines;
  }
};

Json record_of(const std::vector<std::string>& lines, const std::string& type, size_t nth = 0) {
  for (const auto& l : lines) {
    Json j = Json::parse(l);
    if (j["event_type"] == type && nth-- == 0) return j;
  }
  return Json();
}
size_t count_of(const std::vector<std::string>& lines, const std::string& type) {
  size_t n = 0;
  for (const auto& l : lines) n += Json::parse(l)["event_type"] == type;
  return n;
}

const std::string& attachment() {
  static const std::string s = "MZ\x90\x00" + mime_test::random_bytes(3000, 77);
  return s;
}

std::string message() {
  return crlf("From: =?utf-8?Q?Ren=C3=A9?= <rene@example.com>\n"
              "To: a@example.com, \"Doe, J\" <j@example.com>\n"
              "Cc: c@example.com\n"
              "Subject: =?iso-8859-1?Q?Caf=E9?= report\n"
              "Message-ID: <id1@example.com>\n"
              "Date: Tue, 27 Jan 2004 10:00:00 +0000\n"
              "X-Mailer: Worm 1.0\n"
              "Content-Type: multipart/mixed; boundary=\"b1\"\n"
              "\n"
              "--b1\n"
              "Content-Type: text/plain\n"
              "\n"
              ".a line that starts with a dot\n"
              "--b1\n"
              "Content-Type: application/octet-stream; name=\"body.exe\"\n"
              "Content-Disposition: attachment; filename=\"body.exe\"\n"
              "Content-Transfer-Encoding: base64\n"
              "\n") +
         base64(attachment()) + crlf("--b1--\n");
}

// Dot-stuffs a message for DATA.
std::string stuffed(const std::string& m) {
  std::string out;
  size_t pos = 0;
  while (pos < m.size()) {
    size_t e = m.find("\r\n", pos);
    std::string line = m.substr(pos, e == std::string::npos ? std::string::npos : e + 2 - pos);
    if (!line.empty() && line[0] == '.') out += '.';
    out += line;
    if (e == std::string::npos) break;
    pos = e + 2;
  }
  return out;
}

std::vector<Chunk> conversation() {
  using D = Direction;
  return {
      {D::to_client, "220 mx.example.com ESMTP\r\n"},
      {D::to_server, "EHLO pc1.corp.example.org\r\n"},
      {D::to_client, "250-mx.example.com\r\n250-PIPELINING\r\n250 CHUNKING\r\n"},
      {D::to_server, "MAIL FROM:<rene@example.com>\r\nRCPT TO:<a@example.com>\r\n"
                     "RCPT TO:<nobody@example.com>\r\nDATA\r\n"},
      {D::to_client, "250 ok\r\n250 ok\r\n550 no such user\r\n354 go ahead\r\n"},
      {D::to_server, stuffed(message()) + ".\r\n"},
      {D::to_client, "250 2.0.0 Ok: queued as ABC\r\n"},
      {D::to_server, "MAIL FROM:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nBDAT 5 LAST\r\nhello"},
      {D::to_client, "250 ok\r\n250 ok\r\n250 done\r\n"},
      {D::to_server, "QUIT\r\n"},
      {D::to_client, "221 bye\r\n"},
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_app)

BOOST_AUTO_TEST_CASE(transaction_and_file_records) {
  Harness h;
  auto lines = h.run(conversation());
  BOOST_TEST(count_of(lines, "smtp") == 2u);
  BOOST_TEST(count_of(lines, "fileinfo") == 1u);
  Json s = record_of(lines, "smtp", 0);
  BOOST_TEST(s["tx_id"] == 0);
  BOOST_TEST(s["app_proto"] == "smtp");
  BOOST_TEST(s["smtp"]["helo"] == "pc1.corp.example.org");
  BOOST_TEST(s["smtp"]["mail_from"] == "rene@example.com");
  BOOST_TEST(s["smtp"]["rcpt_to"].size() == 2u);
  BOOST_TEST(s["smtp"]["rcpt_rejected"][0] == "nobody@example.com");
  BOOST_TEST(s["smtp"]["status"] == "delivered");
  BOOST_TEST(s["smtp"]["reply"]["code"] == 250);
  BOOST_TEST(s["smtp"]["reply"]["text"] == "2.0.0 Ok: queued as ABC");
  BOOST_TEST(s["email"]["subject"] == "Caf\xc3\xa9 report");
  BOOST_TEST(s["email"]["from"] == "Ren\xc3\xa9 <rene@example.com>");
  BOOST_TEST(s["email"]["to"].size() == 2u);
  BOOST_TEST(s["email"]["to"][1] == "\"Doe, J\" <j@example.com>");
  BOOST_TEST(s["email"]["cc"][0] == "c@example.com");
  BOOST_TEST(s["email"]["message_id"] == "<id1@example.com>");
  BOOST_TEST(s["email"]["x_mailer"] == "Worm 1.0");
  BOOST_TEST(s["email"]["date"] == "Tue, 27 Jan 2004 10:00:00 +0000");
  BOOST_TEST(s["email"]["attachment"][0] == "body.exe");
  BOOST_TEST(s["email"]["status"] == "complete");
  BOOST_TEST(s["email"]["files"] == 1);

  Json f = record_of(lines, "fileinfo");
  BOOST_TEST(f["fileinfo"]["filename"] == "body.exe");
  BOOST_TEST(f["fileinfo"]["sha256"] == sha256_hex(attachment()));
  BOOST_TEST(f["fileinfo"]["size"] == attachment().size());
  BOOST_TEST(f["fileinfo"]["state"] == "CLOSED");
  BOOST_TEST(f["fileinfo"]["gaps"] == false);
  BOOST_TEST(f["fileinfo"]["magic"] == "application/x-dosexec");
  BOOST_TEST(f["fileinfo"]["content_type"] == "application/octet-stream");
  BOOST_TEST(f["fileinfo"]["md5"].get<std::string>().size() == 32u);
  BOOST_TEST(f["fileinfo"]["sha1"].get<std::string>().size() == 40u);
  BOOST_TEST(f["smtp"]["mail_from"] == "rene@example.com");
  BOOST_TEST(f["email"]["subject"] == "Caf\xc3\xa9 report");
  BOOST_TEST(f["tx_id"] == 0);
  BOOST_REQUIRE(h.files.size() == 1u);
  BOOST_TEST(h.files[0].file.data == attachment());   // the bytes the scanner gets

  Json b = record_of(lines, "smtp", 1);
  BOOST_TEST(b["smtp"]["data"] == "bdat");
  BOOST_TEST(b["smtp"]["status"] == "delivered");
  BOOST_TEST(b["email"]["body_bytes"] == 5);
}

BOOST_AUTO_TEST_CASE(byte_at_a_time_gives_the_same_records) {
  Harness whole;
  auto a = whole.run(conversation());
  for (size_t split : {1, 2, 3, 7, 64, 1460}) {
    Harness h;
    auto b = h.run(conversation(), split);
    BOOST_TEST(a == b, "split " << split);
  }
}

BOOST_AUTO_TEST_CASE(every_split_point_of_the_message_gives_the_same_records) {
  Harness whole;
  auto a = whole.run(conversation());
  auto conv = conversation();
  const std::string data = conv[5].bytes;
  for (size_t cut = 1; cut < data.size(); cut += 7) {
    auto c = conv;
    c[5].bytes = data.substr(0, cut);
    c.insert(c.begin() + 6, Chunk{Direction::to_server, data.substr(cut)});
    Harness h;
    BOOST_TEST((h.run(c) == a), "cut at " << cut);
  }
}

BOOST_AUTO_TEST_CASE(a_gap_inside_the_attachment_marks_the_file) {
  auto conv = conversation();
  const std::string data = conv[5].bytes;
  const size_t at = data.find("base64\r\n\r\n") + 200;
  conv[5].bytes = data.substr(0, at);
  conv.insert(conv.begin() + 6, Chunk{Direction::to_server, data.substr(at + 100)});
  Harness h;
  auto lines = h.run(conv, 0, {{5, 100}});
  Json f = record_of(lines, "fileinfo");
  BOOST_REQUIRE(!f.is_null());
  BOOST_TEST(f["fileinfo"]["gaps"] == true);
  BOOST_TEST(f["fileinfo"]["sha256"] != sha256_hex(attachment()));
  Json s = record_of(lines, "smtp", 0);
  BOOST_TEST(s["email"]["status"] == "gap");
  // The session recovers: the second transaction is still reported.
  BOOST_TEST(count_of(lines, "smtp") == 2u);
}

BOOST_AUTO_TEST_CASE(starttls_stops_inspection) {
  using D = Direction;
  std::vector<Chunk> c = {
      {D::to_client, "220 mx\r\n"},
      {D::to_server, "EHLO x\r\n"},
      {D::to_client, "250-mx\r\n250 STARTTLS\r\n"},
      {D::to_server, "STARTTLS\r\n"},
      {D::to_client, "220 go\r\n"},
      {D::to_server, std::string("\x16\x03\x01\x00\x05hello", 10)},
  };
  Harness h;
  auto lines = h.run(c);
  BOOST_TEST(count_of(lines, "smtp") == 0u);
  BOOST_TEST(count_of(lines, "fileinfo") == 0u);
}

BOOST_AUTO_TEST_CASE(scan_keep_limit_cuts_the_scan_copy_not_the_hash) {
  Harness h;
  h.cfg.files.scan_keep_bytes = 1000;
  auto lines = h.run(conversation());
  Json f = record_of(lines, "fileinfo");
  BOOST_TEST(f["fileinfo"]["sha256"] == sha256_hex(attachment()));
  BOOST_TEST(f["fileinfo"]["scan_bytes"] == 1000);
  BOOST_REQUIRE(h.files.size() == 1u);
  BOOST_TEST(h.files[0].file.data.size() == 1000u);
  BOOST_TEST(h.files[0].file.data_cut);
  BOOST_TEST(h.env->files.scan_cut == 1u);
}

BOOST_AUTO_TEST_CASE(files_per_message_limit) {
  Harness h;
  h.cfg.files.max_files_per_message = 1;
  std::string m = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                       "Content-Type: application/zip; name=a.zip\n\nAAAA\n--b\n"
                       "Content-Type: application/zip; name=b.zip\n\nBBBB\n--b--\n");
  auto c = conversation();
  c[5].bytes = stuffed(m) + ".\r\n";
  auto lines = h.run(c);
  BOOST_TEST(count_of(lines, "fileinfo") == 1u);
  Json s = record_of(lines, "smtp", 0);
  BOOST_TEST(s["email"]["files_not_reported"] == 1);
  BOOST_TEST(h.env->files.per_message_cut == 1u);
}

BOOST_AUTO_TEST_CASE(address_lists_split_outside_quotes_and_brackets) {
  auto v = split_address_list(" a@b , \"Doe, J\" <j@d>,<x,y@z>,, ");
  BOOST_REQUIRE(v.size() == 3u);
  BOOST_TEST(v[0] == "a@b");
  BOOST_TEST(v[1] == "\"Doe, J\" <j@d>");
  BOOST_TEST(v[2] == "<x,y@z>");
  BOOST_TEST(split_address_list("").empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

// MIME builder, MD5 and zip writer against known vectors and against
// Python's decoders (an implementation that shares nothing with ours).

#include "tools/gen/mime_builder.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <fstream>

#include "gen_test_util.h"
#include "tools/gen/mail_content.h"
#include "tools/gen/md5.h"
#include "tools/gen/zip_writer.h"

using namespace ww::gen;
namespace mime = ww::gen::mime;

namespace {

bool have_python() { return access("/usr/bin/python3", X_OK) == 0; }

std::string python(const std::string& script, const std::string& dir) {
  const std::string path = dir + "/t.py";
  std::ofstream(path) << script;
  return gen_test::run_command("/usr/bin/python3 " + path + " 2>&1");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gen_mime)

BOOST_AUTO_TEST_CASE(md5_and_crc32_known_vectors) {
  BOOST_TEST(Md5::hex(mime::to_bytes("")) == "d41d8cd98f00b204e9800998ecf8427e");
  BOOST_TEST(Md5::hex(mime::to_bytes("The quick brown fox jumps over the lazy dog")) ==
             "9e107d9d372bb6826bd81d3542a419d6");
  std::string big(1000, 'a');
  BOOST_TEST(Md5::hex(mime::to_bytes(big)) == "cabe45dcc9ae5b66ba86600cca6b8ba8");
  BOOST_TEST(crc32(mime::to_bytes("123456789")) == 0xcbf43926u);
}

BOOST_AUTO_TEST_CASE(encoders_known_vectors) {
  BOOST_TEST(mime::base64(mime::to_bytes("foobar"), 76, "\r\n") == "Zm9vYmFy");
  BOOST_TEST(mime::base64(mime::to_bytes("fooba"), 76, "\r\n") == "Zm9vYmE=");
  BOOST_TEST(mime::base64(mime::to_bytes("foob"), 4, "\n") == "Zm9v\nYg==");
  BOOST_TEST(mime::quoted_printable(mime::to_bytes("a=b \r\n"), "\r\n", true) == "a=3Db =0D=0A");
  BOOST_TEST(mime::rfc2047("\xc3\xa4") == "=?UTF-8?B?w6Q=?=");
  BOOST_TEST(mime::rfc2231("filename", "a b.txt", 40) == "filename*0*=UTF-8''a%20b.txt");
  const std::string folded =
      mime::header_line("Subject", std::string(50, 'x') + " " + std::string(50, 'y'), "\r\n");
  BOOST_TEST(folded == "Subject: " + std::string(50, 'x') + "\r\n " + std::string(50, 'y') + "\r\n");
}

BOOST_AUTO_TEST_CASE(python_decodes_what_we_encode) {
  if (!have_python()) return;
  const auto dir = gen_test::temp_dir("mime_python").string();
  Rng r(7);
  const mime::Bytes exe = mail::fake_executable(r);
  std::vector<mime::Attachment> atts;
  std::vector<mime::Part> parts = {mime::text_part("hello\n", "\r\n")};
  const mime::Encoding encs[] = {mime::Encoding::kBase64, mime::Encoding::kBase64OneLine,
                                 mime::Encoding::kQuotedPrintable, mime::Encoding::kBinary};
  const mime::NameStyle styles[] = {mime::NameStyle::kPlain, mime::NameStyle::kRfc2047,
                                    mime::NameStyle::kRfc2231, mime::NameStyle::kRfc2231};
  for (int i = 0; i < 4; ++i) {
    mime::AttachmentSpec s;
    s.name = "f\xc3\xbc" "r " + std::to_string(i) + std::string(60, 'n') + ".exe";
    s.data = exe;
    s.encoding = encs[i];
    s.style = styles[i];
    parts.push_back(mime::attachment_part(s, "\r\n", &atts));
  }
  ZipWriter inner;
  inner.add("x.exe", exe);
  ZipWriter outer;
  outer.add("inner.zip", inner.finish());
  mime::AttachmentSpec z;
  z.name = "a.zip";
  z.data = outer.finish();
  parts.push_back(mime::attachment_part(z, "\r\n", &atts));
  mime::Envelope env;
  env.from = "<a@example.com>";
  env.to = {"<b@example.com>"};
  env.subject = mime::rfc2047("Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen", true);
  env.date = "Tue, 27 Jan 2004 08:00:00 +0000";
  env.message_id = "x@example.com";
  const std::string msg =
      mime::render(mime::message(env, mime::multipart("mixed", "=_b", std::move(parts))), "\r\n");
  std::ofstream(dir + "/m.eml", std::ios::binary) << msg;
  std::ofstream(dir + "/z.zip", std::ios::binary)
      .write(reinterpret_cast<const char*>(z.data.data()), static_cast<std::streamsize>(z.data.size()));
  const std::string out = python(
      "import email, email.policy, hashlib, zipfile, io\n"
      "m = email.message_from_bytes(open('" + dir + "/m.eml','rb').read(), policy=email.policy.default)\n"
      "print('S', m['subject'])\n"
      "for p in m.walk():\n"
      "  if p.get_filename(): print('A', p.get_filename(), hashlib.sha256(p.get_payload(decode=True)).hexdigest())\n"
      "z = zipfile.ZipFile('" + dir + "/z.zip'); print('Z', z.testzip(), z.namelist())\n"
      "i = zipfile.ZipFile(io.BytesIO(z.read('inner.zip'))); print('I', i.testzip(), i.namelist())\n",
      dir);
  BOOST_TEST(out.find("S Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen") != std::string::npos, out);
  for (const auto& a : atts) {
    BOOST_TEST(out.find("A " + a.name + " " + a.to_json()["sha256"].get<std::string>()) !=
                   std::string::npos,
               "attachment " << a.name << " in " << out);
  }
  BOOST_TEST(out.find("Z None ['inner.zip']") != std::string::npos, out);
  BOOST_TEST(out.find("I None ['x.exe']") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(payload_only_in_infected_files) {
  Rng r(11);
  for (int i = 0; i < 300; ++i) {
    const auto f = mail::benign_file(r);
    BOOST_TEST(!mail::is_infected(f.data), f.name);
  }
  BOOST_TEST(mail::is_infected(mail::fake_executable(r)));
  BOOST_TEST(mail::is_infected(mime::to_bytes(mail::kEicar)));
}

BOOST_AUTO_TEST_CASE(uuencode_round_trips_through_python) {
  if (!have_python()) return;
  const auto dir = gen_test::temp_dir("mime_uu").string();
  Rng r(3);
  const auto exe = mail::fake_executable(r);
  std::ofstream(dir + "/u.txt", std::ios::binary) << mime::uuencode("body.exe", exe, "\n");
  const std::string out = python(
      "import binascii, hashlib\n"
      "lines = open('" + dir + "/u.txt').read().split('\\n')\n"
      "assert lines[0] == 'begin 644 body.exe'\n"
      "data = b''.join(binascii.a2b_uu(l) for l in lines[1:] if l and l != 'end')\n"
      "print(hashlib.sha256(data).hexdigest())\n",
      dir);
  mime::Attachment a;
  a.data = exe;
  BOOST_TEST(out.find(a.to_json()["sha256"].get<std::string>()) != std::string::npos, out);
}

BOOST_AUTO_TEST_SUITE_END()

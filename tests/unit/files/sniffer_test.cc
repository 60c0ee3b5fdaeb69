// reassembly/files/sniffer: every shortcut answer equals the full libmagic answer.

#include "reassembly/files/sniffer.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <string_view>

#include "tools/gen/mail_content.h"
#include "tools/gen/rng.h"

namespace ww {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::span<const uint8_t> head_of(const std::vector<uint8_t>& d) {
  return std::span<const uint8_t>(d).first(std::min<size_t>(d.size(), 8192));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sniffer)

BOOST_AUTO_TEST_CASE(fast_answers_equal_libmagic_on_generated_files) {
  Sniffer s;
  BOOST_REQUIRE(s.ok());
  gen::Rng r(5);
  for (int i = 0; i < 600; ++i) {
    const gen::mail::File f = gen::mail::benign_file(r);
    const auto head = head_of(f.data);
    BOOST_TEST(s.sniff(head) == s.sniff_libmagic(head), f.name << " (" << f.content_type << ")");
  }
  for (int i = 0; i < 50; ++i) {
    const auto exe = gen::mail::fake_executable(r);
    BOOST_TEST(s.sniff(head_of(exe)) == s.sniff_libmagic(head_of(exe)));
  }
  // The generated text and csv files take the shortcuts, not the full libmagic.
  BOOST_TEST(s.stats().signature > 0u);
  BOOST_TEST(s.stats().text > 0u);
}

BOOST_AUTO_TEST_CASE(signatures) {
  BOOST_TEST(Sniffer::signature_type(bytes("\x89PNG\r\n\x1a\nxxxx")) == std::string("image/png"));
  BOOST_TEST(Sniffer::signature_type(bytes("GIF89a....")) == std::string("image/gif"));
  BOOST_TEST(Sniffer::signature_type(bytes("\xff\xd8\xff\xe0..")) == std::string("image/jpeg"));
  BOOST_TEST(Sniffer::signature_type(bytes("%PDF-1.4\n")) == std::string("application/pdf"));
  BOOST_TEST(Sniffer::signature_type(bytes("PK\x03\x04....")) == nullptr);
  BOOST_TEST(Sniffer::signature_type(bytes("MZ\x90\x00")) == nullptr);
}

BOOST_AUTO_TEST_CASE(prose_and_not_prose) {
  BOOST_TEST(Sniffer::looks_like_prose(bytes("budget meeting report.\r\nplan quarter.\r\n")));
  BOOST_TEST(Sniffer::looks_like_prose(bytes("Hello Bob, the draft is ready.\n\nregards\n")));
  // Each of these is something a soft magic rule may match: libmagic decides.
  for (std::string_view t :
       {"From alice Mon Jan 26\n", "import os\n", "begin 644 x.exe\n", "c comment\n",
        ".TH page\n", "PROC main\n", "hello MODE x\n", "#!/bin/sh\n", "<html>\n",
        "a = b;\n", "x\n", "", "   indented\n", "Subject: hi\n", "MZ header\n",
        "diff a b\n", "caf\xc3\xa9 au lait\n"}) {
    BOOST_TEST(!Sniffer::looks_like_prose(bytes(t)), t);
  }
}

BOOST_AUTO_TEST_CASE(text_shortcut_keeps_libmagic_names) {
  Sniffer s;
  BOOST_REQUIRE(s.ok());
  for (std::string_view t :
       {"budget meeting report.\r\nplan quarter.\r\n", "date,amount\r\n1,2\r\n3,4\r\n5,6\r\n",
        "From alice Mon Jan 26 10:00:00 2004\nSubject: x\n\nhi\n", "<html><body>hi</body></html>\n",
        "#!/bin/sh\necho hi\n", "import os\nprint(1)\n", "{\"a\": [1, 2]}\n"}) {
    BOOST_TEST(s.sniff(bytes(t)) == s.sniff_libmagic(bytes(t)), t);
  }
}

BOOST_AUTO_TEST_CASE(cache_by_sha256) {
  Sniffer s;
  BOOST_REQUIRE(s.ok());
  const std::string_view zip("PK\x03\x04\x14\x00\x00\x00\x00\x00", 10);
  const std::string a = s.sniff(bytes(zip), "aa");
  BOOST_TEST(s.stats().full == 1u);
  BOOST_TEST(s.sniff(bytes(zip), "aa") == a);
  BOOST_TEST(s.stats().cached == 1u);
  BOOST_TEST(s.stats().full == 1u);
  s.sniff(bytes(zip));  // no hash: not cached
  BOOST_TEST(s.stats().full == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

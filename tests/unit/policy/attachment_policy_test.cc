// Attachment policy: a table of attachments and the rules each must (and must
// not) trip, plus the file-name, type and zip-listing pieces on their own.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include "rules/policy/attachment_policy.h"
#include "rules/policy/file_name.h"
#include "rules/policy/file_types.h"
#include "rules/policy/zip_listing.h"
#include "tests/unit/scan/zip_builder.h"

using namespace ww;
using ww::test::ZipBuilder;

namespace {

constexpr EventId kExe = EventId::kPolicyExecutableExtension;
constexpr EventId kDouble = EventId::kPolicyDoubleExtension;
constexpr EventId kArchive = EventId::kPolicyExecutableInArchive;
constexpr EventId kMismatch = EventId::kPolicyTypeMismatch;

const std::string kMz = std::string("MZ\x90\x00\x03\x00\x00\x00", 8) + std::string(120, '\0');
const std::string kJpeg = std::string("\xff\xd8\xff\xe0\x00\x10JFIF", 10) + std::string(50, 'j');

struct Row {
  const char* description;
  std::string name;
  std::string declared;
  std::string sniffed;
  std::string data;
  std::set<EventId> expected;
};

std::string ids(const std::vector<PolicyHit>& hits) {
  std::string s;
  for (const auto& h : hits)
    s += std::to_string(static_cast<uint32_t>(h.event)) + " " + h.detail + "; ";
  return s;
}

std::vector<Row> rows() {
  const std::string zip_exe = ZipBuilder().add("document.txt.exe", kMz).build();
  const std::string zip_clean =
      ZipBuilder().add("report.txt", "numbers").add("img/a.jpg", kJpeg).build();
  const std::string docx =
      ZipBuilder().add("[Content_Types].xml", "<Types/>").add("word/document.xml", "<w/>").build();
  std::string malformed = zip_exe;
  malformed[malformed.find("PK\x01\x02") + 28] = '\xff';  // central name length far past the end
  return {
      // name rules
      {"plain document", "report.pdf", "application/pdf", "application/pdf", "%PDF-1.4", {}},
      {"plain executable",
       "setup.exe",
       "application/octet-stream",
       "application/x-dosexec",
       kMz,
       {kExe}},
      {"upper case", "SETUP.EXE", "application/octet-stream", "", kMz, {kExe}},
      {"each default extension .pif", "a.pif", "", "", "", {kExe}},
      {".scr", "a.scr", "", "", "", {kExe}},
      {".com", "a.com", "", "", "", {kExe}},
      {".bat", "a.bat", "", "", "", {kExe}},
      {".cmd", "a.Cmd", "", "", "", {kExe}},
      {".vbs", "a.vbs", "", "", "", {kExe}},
      {".js", "a.JS", "", "", "", {kExe}},
      {"not executable .json", "a.json", "", "", "", {}},
      {"executable word without a dot", "exe", "", "", "", {}},
      {"trailing dots and spaces", "invoice.exe. . ..  ", "", "", "", {kExe}},
      {"path in the name", "C:\\temp\\x\\run.scr", "", "", "", {kExe}},
      {"NUL cuts the name", std::string("x.exe\0.txt", 10), "", "", "", {kExe}},
      {"double extension (MyDoom)", "document.txt.exe", "", "", "", {kExe, kDouble}},
      {"double extension upper", "Photo.JPG.Scr", "", "", "", {kExe, kDouble}},
      {"space padding (Netsky)", "readme.doc                    .pif", "", "", "", {kExe, kDouble}},
      {"padding, no decoy", "readme          .pif", "", "", "", {kExe, kDouble}},
      {"few spaces, no decoy", "my file  .exe", "", "", "", {kExe}},
      {"version number is no decoy", "setup.v2.exe", "", "", "", {kExe}},
      {"decoy without executable", "archive.tar.gz", "", "", "", {}},
      {"hidden file", ".txt.exe", "", "", "", {kExe}},
      {"RTLO trick", "invoice_\u202Egpj.exe", "", "", "", {kExe, kDouble}},
      {"unicode name", "Отчёт за квартал.doc.exe", "", "", "", {kExe, kDouble}},
      {"unicode clean", "写真.jpg", "image/jpeg", "image/jpeg", kJpeg, {}},
      {"invalid UTF-8", "\xff\xfe\x80.pif", "", "", "", {kExe}},
      {"very long name", std::string(100000, 'a') + ".txt.exe", "", "", "", {kExe, kDouble}},
      {"very long clean name", std::string(100000, 'a') + ".txt", "", "", "", {}},
      {"empty name", "", "", "", "", {}},
      // archives
      {"zip with executable member",
       "photos.zip",
       "application/zip",
       "application/zip",
       zip_exe,
       {kArchive}},
      {"zip, sniffed type unknown", "photos.zip", "application/zip", "", zip_exe, {kArchive}},
      {"zip with clean members", "photos.zip", "application/zip", "application/zip", zip_clean, {}},
      {"streamed zip",
       "a.zip",
       "",
       "",
       ZipBuilder().streamed().add("x.txt", "hi").add("run.bat", "@echo").build(),
       {kArchive}},
      {"truncated zip (no central directory)",
       "a.zip",
       "",
       "",
       ZipBuilder().add("a.txt", "1").add("b.scr", kMz).central_directory(false).build(),
       {kArchive}},
      {"cut inside the second member's data",
       "a.zip",
       "",
       "",
       ZipBuilder().add("a.txt", "1").add("b.exe", kMz).build().substr(0, 30 + 5 + 1 + 30 + 5 + 10),
       {kArchive}},
      {"cut inside the only member's name", "a.zip", "", "", zip_exe.substr(0, 40), {}},
      {"malformed zip", "a.zip", "", "", malformed, {kArchive}},
      {"garbage after PK",
       "a.zip",
       "",
       "",
       std::string("PK\x03\x04", 4) + std::string(10, '\xff'),
       {}},
      {"only an end record",
       "a.zip",
       "",
       "",
       std::string("PK\x05\x06", 4) + std::string(18, '\0'),
       {}},
      {"docx is not an archive mismatch",
       "letter.docx",
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
       "application/zip",
       docx,
       {}},
      // type mismatch
      {"exe declared as jpeg",
       "photo.jpg",
       "image/jpeg",
       "application/x-dosexec",
       kMz,
       {kMismatch}},
      {"exe named .txt",
       "notes.txt",
       "application/octet-stream",
       "application/x-dosexec",
       kMz,
       {kMismatch}},
      {"exe by magic bytes, declared text",
       "notes",
       "text/plain; charset=us-ascii",
       "",
       kMz,
       {kMismatch}},
      {"zip declared as image",
       "photo.jpg",
       "image/jpeg",
       "application/zip",
       zip_clean,
       {kMismatch}},
      {"zip named .txt", "data.txt", "text/plain", "application/zip", zip_clean, {kMismatch}},
      {"exe named .zip", "mail.zip", "application/zip", "application/x-dosexec", kMz, {kMismatch}},
      {"exe named .pif with declared octet-stream",
       "a.pif",
       "application/octet-stream",
       "application/x-dosexec",
       kMz,
       {kExe}},
      {"jpeg that is a jpeg", "a.jpg", "IMAGE/JPEG", "image/jpeg", kJpeg, {}},
      {"zip declared as zip",
       "a.zip",
       "application/x-zip-compressed",
       "application/zip",
       zip_clean,
       {}},
      {"text that is text", "a.txt", "text/plain", "text/plain", "hello", {}},
      {"the MyDoom attachment",
       "document.txt                                                    .scr",
       "application/octet-stream",
       "application/x-dosexec",
       kMz,
       {kExe, kDouble}},
      {"the MyDoom zip",
       "text.zip",
       "application/octet-stream",
       "application/zip",
       ZipBuilder().add("text.pif", kMz).build(),
       {kArchive}},
      {"everything at once",
       "doc.txt.exe",
       "image/gif",
       "application/x-dosexec",
       kMz,
       {kExe, kDouble, kMismatch}},
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(attachment_policy)

BOOST_AUTO_TEST_CASE(table) {
  const PolicyConfig cfg;
  for (const Row& r : rows()) {
    const AttachmentFacts f{r.name, r.declared, r.sniffed, r.data};
    const auto hits = evaluate(f, cfg);
    std::set<EventId> got;
    for (const auto& h : hits) {
      got.insert(h.event);
      BOOST_TEST(!h.detail.empty());
      BOOST_TEST(h.detail.size() < 1024u, r.description << ": detail too long");
    }
    BOOST_TEST((got == r.expected), r.description << ": got " << ids(hits));
    BOOST_TEST(got.size() == hits.size(), r.description << ": a rule fired twice");
  }
}

BOOST_AUTO_TEST_CASE(details_name_the_thing_safely) {
  const PolicyConfig cfg;
  auto hits = evaluate({"readme.doc          .pif", "", "", ""}, cfg);
  BOOST_TEST_REQUIRE(hits.size() == 2u);
  BOOST_TEST(hits[0].detail ==
             "file name 'readme.doc          .pif' ends in the executable extension .pif");
  BOOST_TEST(hits[1].detail.find("10 spaces before .pif") != std::string::npos);
  BOOST_TEST(hits[1].detail.find(".doc before .pif") != std::string::npos);

  hits = evaluate({"invoice_\u202Egpj.exe", "", "", ""}, cfg);
  BOOST_TEST(hits[0].detail.find("<U+202E>") != std::string::npos);  // not the raw override
  BOOST_TEST(hits[1].detail.find("bidirectional") != std::string::npos);

  hits = evaluate({std::string(5000, 'a') + ".exe", "", "", ""}, cfg);
  BOOST_TEST(hits[0].detail.find("...aaa") != std::string::npos);
  BOOST_TEST(hits[0].detail.size() < 300u);

  hits = evaluate({"a\r\nX-Injected: 1.exe", "", "", ""}, cfg);
  BOOST_TEST(hits[0].detail.find("<U+000D><U+000A>") != std::string::npos);

  hits = evaluate(
      {"x.zip", "", "", ZipBuilder().add("a.exe", "1").add("b.txt", "2").add("c.scr", "3").build()},
      cfg);
  BOOST_TEST_REQUIRE(hits.size() == 1u);
  BOOST_TEST(
      hits[0].detail ==
      "archive member 'a.exe' has the executable extension .exe (2 of 3 members are executable)");

  hits = evaluate({"photo.jpg", "image/jpeg", "application/x-dosexec; charset=binary", kMz}, cfg);
  BOOST_TEST_REQUIRE(hits.size() == 1u);
  BOOST_TEST(hits[0].detail ==
             "declared type image/jpeg (image) and extension .jpg (image) contradicts the content, "
             "sniffed as application/x-dosexec (executable)");
}

BOOST_AUTO_TEST_CASE(rules_can_be_switched_off_and_extended) {
  PolicyConfig cfg;
  const AttachmentFacts f{"doc.txt.exe", "image/gif", "application/x-dosexec", kMz};
  BOOST_TEST(evaluate(f, cfg).size() == 3u);
  cfg.double_extension = false;
  cfg.type_mismatch = false;
  BOOST_TEST(evaluate(f, cfg).size() == 1u);
  cfg.executable_extension = false;
  BOOST_TEST(evaluate(f, cfg).empty());
  cfg = PolicyConfig{};
  cfg.enabled = false;
  BOOST_TEST(evaluate(f, cfg).empty());

  cfg = PolicyConfig{};
  const AttachmentFacts hta{"payload.HTA", "", "", ""};
  BOOST_TEST(evaluate(hta, cfg).empty());
  cfg.extra_executable_extensions = {"hta", "lnk"};
  BOOST_TEST(evaluate(hta, cfg).size() == 1u);
  const std::string lnk_zip = ZipBuilder().add("x.lnk", "1").build();  // outlives the view
  const AttachmentFacts zipped{"a.zip", "", "", lnk_zip};
  BOOST_TEST((evaluate(zipped, cfg).at(0).event == kArchive));

  cfg.decoy_extensions = {"invoice"};
  BOOST_TEST(evaluate({"march.invoice.exe", "", "", ""}, cfg).size() == 2u);
  BOOST_TEST(evaluate({"march.txt.exe", "", "", ""}, cfg).size() == 1u);  // list replaced
}

BOOST_AUTO_TEST_CASE(counters_and_limits) {
  PolicyConfig cfg;
  cfg.max_archive_members = 2;
  PolicyCounters n;
  const std::string zip =
      ZipBuilder().add("a.txt", "1").add("b.txt", "2").add("c.exe", "3").build();
  BOOST_TEST(evaluate({"a.zip", "", "", zip}, cfg, &n).empty());  // c.exe beyond the limit
  BOOST_TEST(n.archives_listed == 1u);
  BOOST_TEST(n.archives_truncated == 1u);
  BOOST_TEST(n.archive_members == 2u);

  cfg = PolicyConfig{};
  evaluate({std::string(5000, 'a') + ".exe", "", "", ""}, cfg, &n);
  BOOST_TEST(n.names_cut == 1u);
  BOOST_TEST(n.evaluated == 2u);
  BOOST_TEST(n.hits == 1u);
}

BOOST_AUTO_TEST_CASE(config_validation) {
  PolicyConfig cfg;
  BOOST_TEST(validate(cfg).empty());
  cfg.extra_executable_extensions = {".exe"};
  BOOST_TEST(validate(cfg).find("'.exe' is not an extension") != std::string::npos);
  cfg = PolicyConfig{};
  cfg.padding_spaces = 0;
  BOOST_TEST(validate(cfg).find("padding_spaces") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(policy_parts)

BOOST_AUTO_TEST_CASE(file_name_split) {
  auto p = split_file_name("Readme.DOC    .PiF. .", 1024);
  BOOST_TEST(p.name == "Readme.DOC    .PiF");
  BOOST_TEST(p.extension == "pif");
  BOOST_TEST(p.inner_extension == "doc");
  BOOST_TEST(p.padding == 4u);
  p = split_file_name("dir/sub\\file", 1024);
  BOOST_TEST(p.name == "file");
  BOOST_TEST(p.extension.empty());
  p = split_file_name(std::string(50, 'x') + ".exe", 16);
  BOOST_TEST(p.cut);
  BOOST_TEST(p.extension == "exe");
  BOOST_TEST(p.name.size() == 16u);
}

BOOST_AUTO_TEST_CASE(printable_names_are_valid_utf8) {
  BOOST_TEST(printable_name("Отчёт.doc", 100) == "Отчёт.doc");
  BOOST_TEST(printable_name("a\x01"
                            "b",
                            100) == "a<U+0001>b");
  BOOST_TEST(printable_name("\xc3(", 100) == "<xC3>(");
  BOOST_TEST(printable_name("\xed\xa0\x80", 100) == "<xED><xA0><x80>");  // a surrogate
  // Cut on a character boundary: never half of "ё".
  const std::string cut = printable_name(std::string(10, 'a') + "ёёёё", 8);
  BOOST_TEST(cut.starts_with("..."));
  for (size_t i = 3; i < cut.size(); ++i) BOOST_TEST(static_cast<unsigned char>(cut[i]) >= 0x80);
  BOOST_TEST(cut.size() <= 8u);
}

BOOST_AUTO_TEST_CASE(type_tables) {
  BOOST_TEST((kind_of_mime("Application/X-DOSEXEC; charset=binary") == FileKind::kExecutable));
  BOOST_TEST((kind_of_mime("image/svg+xml") == FileKind::kImage));
  BOOST_TEST((kind_of_mime("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") ==
              FileKind::kContainer));
  BOOST_TEST((kind_of_mime("") == FileKind::kUnknown));
  BOOST_TEST((kind_of_mime("application/x-unheard-of") == FileKind::kUnknown));
  BOOST_TEST((kind_of_extension("jpeg") == FileKind::kImage));
  BOOST_TEST((sniff_kind(kMz) == FileKind::kExecutable));
  BOOST_TEST((sniff_kind("PK\x03\x04") == FileKind::kArchive));
  BOOST_TEST((sniff_kind("hello") == FileKind::kUnknown));
  BOOST_TEST(kinds_contradict(FileKind::kExecutable, FileKind::kImage));
  BOOST_TEST(!kinds_contradict(FileKind::kExecutable, FileKind::kGeneric));
  BOOST_TEST(!kinds_contradict(FileKind::kImage, FileKind::kExecutable));
}

BOOST_AUTO_TEST_CASE(zip_listing_is_bounded_and_never_crashes) {
  const std::string zip = ZipBuilder().add("a.txt", "1").add("dir/b.exe", "22").build();
  ZipListing l = list_zip_members(zip, 100, 1 << 20);
  BOOST_TEST(l.is_zip);
  BOOST_TEST(l.from_central_directory);
  BOOST_TEST((l.names == std::vector<std::string>{"a.txt", "dir/b.exe"}));

  // Prefixed (self-extracting): offsets are off by the stub, still listed.
  l = list_zip_members(kMz + zip, 100, 1 << 20);
  BOOST_TEST(l.names.size() == 2u);

  // Every prefix of a zip, and every single-byte corruption: no crash, bounded output.
  const std::string streamed = ZipBuilder().streamed().add("a.txt", "1").add("b.exe", "22").build();
  for (const std::string& z : {zip, streamed}) {
    for (size_t n = 0; n <= z.size(); ++n) {
      l = list_zip_members(z.substr(0, n), 100, 1 << 20);
      BOOST_TEST(l.names.size() <= 2u);
    }
    for (size_t i = 0; i < z.size(); ++i) {
      for (int v : {0x00, 0xff, 0x7f}) {
        std::string bad = z;
        bad[i] = static_cast<char>(v);
        l = list_zip_members(bad, 100, 1 << 20);
        BOOST_TEST(l.names.size() <= 3u);
      }
    }
  }

  // Many fake end records in a comment-sized tail: a few are tried, then given up.
  std::string fake = zip;
  for (int i = 0; i < 5000; ++i) fake += std::string("PK\x05\x06", 4) + std::string(8, '\xff');
  l = list_zip_members(fake, 100, 1 << 20);
  BOOST_TEST(l.names.size() == 2u);  // local headers still list them

  // max_bytes cuts the listing.
  l = list_zip_members(zip, 100, 40);
  BOOST_TEST(l.truncated);
}

BOOST_AUTO_TEST_SUITE_END()

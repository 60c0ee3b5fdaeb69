// reassembly/files: hashing, the filestore, the assembler over MIME events.

#include <openssl/sha.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "reassembly/files/file_assembler.h"
#include "reassembly/mime/mime_parser.h"
#include "tests/unit/mime/mime_corpus.h"

namespace ww {
namespace {

namespace fs = std::filesystem;

std::string sha256_hex(std::string_view s) {
  unsigned char md[32];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  return to_hex(md, 32);
}

struct TempDir {
  fs::path p;
  TempDir() {
    p = fs::temp_directory_path() / ("ww-files-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::remove_all(p);
    fs::create_directories(p);
  }
  ~TempDir() { fs::remove_all(p); }
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// MIME parser -> assembler -> collected reports.
struct Pipeline : MimeEventSink, FileReportHandler {
  MimeConfig mcfg;
  FileConfig fcfg;
  MimeCounters mc;
  FileCounters fc;
  Sniffer sniffer;
  Filestore* store = nullptr;
  std::vector<FileReport> reports;
  std::unique_ptr<FileAssembler> files;
  std::unique_ptr<MimeParser> parser;
  void start() {
    files = std::make_unique<FileAssembler>(fcfg, fc, sniffer, store, *this);
    parser = std::make_unique<MimeParser>(mcfg, mc, *this);
  }
  void on_header(const MimeHeader&) override {}
  void on_part_begin(const MimePartInfo& p) override { files->part_begin(p); }
  void on_part_data(uint32_t part, std::span<const uint8_t> b) override { files->part_data(part, b); }
  void on_part_gap(uint32_t part, uint64_t n) override { files->part_gap(part, n); }
  void on_part_end(const MimePartEnd& e) override { files->part_end(e); }
  void on_anomaly(const MimeAnomalyEvent&) override {}
  void on_message_end(const MimeMessageEnd&) override {}
  void on_file(FileReport&& r) override { reports.push_back(std::move(r)); }
  void feed(const std::string& m, size_t split = 0) {
    auto b = mime_test::bytes_of(m);
    if (!split) parser->feed(b);
    else
      for (size_t o = 0; o < b.size(); o += split) parser->feed(b.subspan(o, std::min(split, b.size() - o)));
    parser->end();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(files)

BOOST_AUTO_TEST_CASE(hasher_known_vectors) {
  FileHasher h(true, true);
  std::string abc = "abc";
  h.update(mime_test::bytes_of(abc.substr(0, 1)));
  h.update(mime_test::bytes_of(abc.substr(1)));
  auto r = h.finish();
  BOOST_TEST(r.md5 == "900150983cd24fb0d6963f7d28e17f72");
  BOOST_TEST(r.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d");
  BOOST_TEST(r.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  FileHasher only(false, false);
  auto e = only.finish();
  BOOST_TEST(e.md5.empty());
  BOOST_TEST(e.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(assembler_extracts_the_corpus_attachments) {
  Pipeline p;
  p.start();
  p.feed(mime_test::msg_mixed_pdf());
  BOOST_REQUIRE(p.reports.size() == 1u);
  const auto& r = p.reports[0];
  BOOST_TEST(r.name == "doc.pdf");
  BOOST_TEST(r.hashes.sha256 == sha256_hex(mime_test::pdf_bytes()));
  BOOST_TEST(r.size == mime_test::pdf_bytes().size());
  BOOST_TEST(r.sniffed_type == "application/pdf");
  BOOST_TEST(r.declared_type == "application/pdf");
  BOOST_TEST(r.encoding == "base64");
  BOOST_TEST(r.data == mime_test::pdf_bytes());
  BOOST_TEST(!r.data_cut);
  BOOST_TEST(p.fc.files == 1u);
  BOOST_TEST(p.fc.closed == 1u);
}

BOOST_AUTO_TEST_CASE(reports_do_not_depend_on_the_split) {
  for (const auto& nm : mime_test::corpus()) {
    Pipeline whole;
    whole.start();
    whole.feed(nm.text);
    for (size_t split : {1, 3, 17}) {
      Pipeline p;
      p.start();
      p.feed(nm.text, split);
      BOOST_REQUIRE_MESSAGE(p.reports.size() == whole.reports.size(), nm.name << " split " << split);
      for (size_t i = 0; i < p.reports.size(); ++i) {
        BOOST_TEST(p.reports[i].hashes.sha256 == whole.reports[i].hashes.sha256, nm.name);
        BOOST_TEST(p.reports[i].name == whole.reports[i].name, nm.name);
        BOOST_TEST(p.reports[i].sniffed_type == whole.reports[i].sniffed_type, nm.name);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(filestore_writes_under_the_hash_only) {
  TempDir d;
  Filestore store((d.p / "fs").string(), 1 << 20, 1 << 30);
  Pipeline p;
  p.store = &store;
  p.start();
  p.feed(mime_test::msg_mixed_pdf());
  BOOST_REQUIRE(p.reports.size() == 1u);
  auto& r = p.reports[0];
  BOOST_REQUIRE(r.store.open());
  BOOST_TEST((store.commit(r.store, r.hashes.sha256, "", "{\"x\":1}") == Filestore::Commit::stored));
  const std::string path = store.path_for(r.hashes.sha256, "");
  BOOST_TEST(read_file(path) == mime_test::pdf_bytes());
  BOOST_TEST(read_file(path + ".json") == "{\"x\":1}\n");
  // No file carries the wire name anywhere in the store.
  for (auto& e : fs::recursive_directory_iterator(d.p))
    BOOST_TEST(e.path().filename().string().find("doc.pdf") == std::string::npos);
  // Same bytes again: a duplicate, not a second copy; the temp file is gone.
  Pipeline q;
  q.store = &store;
  q.start();
  q.feed(mime_test::msg_mixed_pdf());
  BOOST_TEST((store.commit(q.reports[0].store, q.reports[0].hashes.sha256, "", "") ==
              Filestore::Commit::duplicate));
  BOOST_TEST(fs::is_empty(d.p / "fs" / "tmp"));
  BOOST_TEST(store.counters().stored == 1u);
  BOOST_TEST(store.counters().duplicates == 1u);
}

BOOST_AUTO_TEST_CASE(filestore_limits) {
  TempDir d;
  {
    Filestore small((d.p / "a").string(), 100, 1 << 30);
    auto w = small.open();
    std::string big(200, 'x');
    small.write(w, mime_test::bytes_of(big));
    BOOST_TEST((small.commit(w, sha256_hex(big), "", "") == Filestore::Commit::too_large));
    BOOST_TEST(small.counters().too_large == 1u);
  }
  {
    Filestore tight((d.p / "b").string(), 1 << 20, 150);
    std::string one(100, 'a'), two(100, 'b');
    auto w1 = tight.open();
    tight.write(w1, mime_test::bytes_of(one));
    BOOST_TEST((tight.commit(w1, sha256_hex(one), "", "") == Filestore::Commit::stored));
    auto w2 = tight.open();
    tight.write(w2, mime_test::bytes_of(two));
    BOOST_TEST((tight.commit(w2, sha256_hex(two), "", "") == Filestore::Commit::quota));
    BOOST_TEST(tight.counters().quota == 1u);
    BOOST_TEST(fs::is_empty(d.p / "b" / "tmp"));
  }
  {
    // The quota counts what the directory already held.
    Filestore again((d.p / "b").string(), 1 << 20, 150);
    std::string three(60, 'c');
    auto w = again.open();
    again.write(w, mime_test::bytes_of(three));
    BOOST_TEST((again.commit(w, sha256_hex(three), "", "") == Filestore::Commit::quota));
  }
  // A directory that cannot be created is a clear error.
  BOOST_CHECK_EXCEPTION(Filestore("/proc/ww-no-such/fs", 1, 1), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string(e.what()).find("filestore.dir") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(gap_and_truncation_states) {
  Pipeline p;
  p.mcfg.max_part_bytes = 100;
  p.start();
  p.feed(mime_test::msg_mixed_pdf());
  BOOST_REQUIRE(p.reports.size() == 1u);
  BOOST_TEST((p.reports[0].state == MimePartState::truncated));
  BOOST_TEST(p.reports[0].size == 100u);
  BOOST_TEST(p.reports[0].truncated_bytes == mime_test::pdf_bytes().size() - 100);
  BOOST_TEST(p.fc.truncated == 1u);

  Pipeline g;
  g.start();
  std::string m = mime_test::msg_mixed_pdf();
  size_t at = m.find("base64\r\n\r\n") + 100;
  g.parser->feed(mime_test::bytes_of(m.substr(0, at)));
  g.parser->gap(40);
  g.parser->feed(mime_test::bytes_of(m.substr(at + 40)));
  g.parser->end();
  BOOST_REQUIRE(g.reports.size() == 1u);
  BOOST_TEST(g.reports[0].gap_bytes == 40u);
  BOOST_TEST(g.fc.with_gaps == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

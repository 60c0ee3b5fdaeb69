// Detection through ScanService with the shipped signatures: every ClamAV test
// file, EICAR and the generator's payload plain and zipped, clean files clean.

#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "rules/scan/clam_engine.h"
#include "tests/unit/scan/scan_test_util.h"
#include "tests/unit/scan/zip_builder.h"

using namespace ww;
using namespace ww::test;

BOOST_AUTO_TEST_SUITE(scan_detection)

BOOST_AUTO_TEST_CASE(every_clamav_test_file_is_detected) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kTestFilesDir))
    if (e.is_regular_file()) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  BOOST_TEST_REQUIRE(files.size() == 44u);  // clamav-testfiles ships 44 files

  Collector out;
  ScanConfig cfg = test_config();
  cfg.threads = 2;
  cfg.on_full = QueueFullPolicy::kWait;
  ScanService svc(cfg, out.sink());
  for (const std::string& f : files)
    BOOST_TEST((svc.submit(job(read_file(kTestFilesDir + "/" + f), f)) ==
                ScanService::SubmitResult::kQueued));
  svc.drain();
  BOOST_TEST_REQUIRE(out.size() == files.size());
  for (const std::string& f : files) {
    const auto* r = out.find(f);
    BOOST_TEST_REQUIRE(r != nullptr);
    BOOST_TEST_CONTEXT(f << ": " << scan_status_name(r->verdict.status) << " "
                         << r->verdict.error) {
      BOOST_TEST(r->verdict.infected());
      BOOST_TEST(r->verdict.signature.starts_with("Wormwatch.Test.ClamAVTestFile"));
      BOOST_TEST(!r->verdict.heuristic);
      BOOST_TEST((r->verdict.event() == EventId::kScanMalware));
    }
  }
  const ScanCounters c = svc.counters();
  BOOST_TEST(c.scanned == 44u);
  BOOST_TEST(c.infected == 44u);
  BOOST_TEST(c.errors == 0u);
  BOOST_TEST(c.signatures_loaded >= 4u);  // 2 body, 1 hash, 1 YARA
}

struct Case {
  const char* name;
  std::string data;
  const char* signature_prefix;  // nullptr = clean
};

std::vector<Case> detection_cases() {
  return {
      {"eicar.com", kEicar, "Wormwatch.Test.EICAR"},
      {"eicar-stored.zip", ZipBuilder().add("eicar.com", kEicar).build(), "Wormwatch.Test.EICAR"},
      {"eicar-deflated.zip", ZipBuilder().deflated().add("eicar.com", kEicar).build(),
       "Wormwatch.Test.EICAR"},
      {"payload.txt", kPayload, "Wormwatch.Test.Payload"},
      {"payload-in-text.txt", "Hi,\r\nsee below\r\n" + kPayload + "\r\nbye\r\n",
       "Wormwatch.Test.Payload"},
      {"payload-stored.zip", ZipBuilder().add("readme.txt", kPayload).build(),
       "Wormwatch.Test.Payload"},
      {"payload-deflated.zip",
       ZipBuilder().deflated().add("document.txt                .pif", kPayload).build(),
       "Wormwatch.Test.Payload"},
      {"payload-streamed.zip", ZipBuilder().streamed().deflated().add("a.scr", kPayload).build(),
       "Wormwatch.Test.Payload"},
      {"clean.txt", "Hello,\r\nthe report is attached.\r\n", nullptr},
      {"clean-prefix-only.txt", "WORMWATCH-TEST-PAYLOAD:00000000 not the marker", nullptr},
      {"clean.zip", ZipBuilder().deflated().add("report.txt", "quarterly numbers\n").build(),
       nullptr},
      {"clean-binary.bin", std::string(100000, '\x90') + std::string("MZ\x00\x01", 4), nullptr},
      {"empty.bin", "", nullptr},
  };
}

BOOST_AUTO_TEST_CASE(eicar_payload_and_clean_files) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.on_full = QueueFullPolicy::kWait;
  ScanService svc(cfg, out.sink());
  const auto cases = detection_cases();
  for (const Case& c : cases) svc.submit(job(c.data, c.name));
  svc.drain();
  for (const Case& c : cases) {
    const auto* r = out.find(c.name);
    BOOST_TEST_REQUIRE(r != nullptr);
    BOOST_TEST_CONTEXT(c.name << ": " << scan_status_name(r->verdict.status) << " '"
                              << r->verdict.signature << "' " << r->verdict.error) {
      if (c.signature_prefix) {
        BOOST_TEST(r->verdict.infected());
        BOOST_TEST(r->verdict.signature.starts_with(c.signature_prefix));
      } else {
        BOOST_TEST((r->verdict.status == ScanVerdict::Status::kClean));
        BOOST_TEST(r->verdict.signature.empty());
      }
      BOOST_TEST(r->verdict.engine_generation == 1u);
      BOOST_TEST(!r->verdict.cache_hit);
      BOOST_TEST(r->job.data == c.data);  // handed back intact
    }
  }
}

BOOST_AUTO_TEST_CASE(yara_rule_alone_detects_the_payload) {
  TempDir dir;
  write_file(dir.file("wormwatch.yara"), read_file(signatures_dir() + "/wormwatch.yara"));
  Collector out;
  ScanConfig cfg = test_config({dir.path()});
  ScanService svc(cfg, out.sink());
  svc.submit(job(kPayload, "plain"));
  svc.submit(job(ZipBuilder().deflated().add("x.txt", kPayload).build(), "zipped"));
  svc.submit(job(kEicar, "eicar"));
  svc.drain();
  BOOST_TEST(out.find("plain")->verdict.infected());
  BOOST_TEST(out.find("plain")->verdict.signature.find("Wormwatch_Test_Payload_Yara") !=
             std::string::npos);
  BOOST_TEST(out.find("zipped")->verdict.infected());
  BOOST_TEST(!out.find("eicar")->verdict.infected());  // only the YARA rule is loaded
}

BOOST_AUTO_TEST_CASE(hash_signature_matches_only_the_exact_file) {
  std::string exe = read_file(kTestFilesDir + "/clam.exe");
  exe[0x300 % exe.size()] ^= 1;  // one bit off: md5 differs, not detected by the .hdb
  Collector out;
  ScanService svc(test_config(), out.sink());
  svc.submit(job(exe, "patched.exe"));
  svc.drain();
  BOOST_TEST((out.find("patched.exe")->verdict.status == ScanVerdict::Status::kClean));
}

BOOST_AUTO_TEST_CASE(encrypted_zip_is_a_heuristic_verdict) {
  // A zip whose member has the "encrypted" flag: libclamav's
  // Heuristics.Encrypted.Zip when alert_encrypted_archive is on.
  std::string zip = ZipBuilder().add("secret.exe", std::string(64, 'A')).build();
  zip[6] |= 1;  // local header flags
  const size_t cd = zip.find("PK\x01\x02");
  zip[cd + 8] |= 1;  // central header flags
  Collector out;
  ScanConfig cfg = test_config();
  ScanService svc(cfg, out.sink());
  svc.submit(job(zip, "enc.zip"));
  svc.drain();
  const auto& v = out.find("enc.zip")->verdict;
  BOOST_TEST_CONTEXT(scan_status_name(v.status) << " " << v.signature << " " << v.error) {
    BOOST_TEST(v.infected());
    BOOST_TEST(v.heuristic);
    BOOST_TEST((v.event() == EventId::kScanHeuristic));
    BOOST_TEST(svc.counters().heuristic == 1u);
  }

  cfg.alert_encrypted_archive = false;
  Collector quiet;
  ScanService off(cfg, quiet.sink());
  off.submit(job(zip, "enc.zip"));
  off.drain();
  BOOST_TEST(!quiet.find("enc.zip")->verdict.infected());
}

BOOST_AUTO_TEST_CASE(database_names) {
  BOOST_TEST(is_clam_database_name("wormwatch.ndb"));
  BOOST_TEST(is_clam_database_name("daily.cld"));
  BOOST_TEST(is_clam_database_name("rules.yara"));
  BOOST_TEST(!is_clam_database_name(".wormwatch.ndb.tmp"));
  BOOST_TEST(!is_clam_database_name("README"));
  BOOST_TEST(!is_clam_database_name("notes.txt"));
  BOOST_TEST(!is_clam_database_name(".hidden.ndb"));
}

BOOST_AUTO_TEST_SUITE_END()

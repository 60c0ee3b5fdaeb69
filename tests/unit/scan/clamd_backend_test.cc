// The clamd backend: reply and address parsing, an unreachable clamd, and a
// real clamd (started here on a private socket with a copy of the shipped
// signatures) giving the same verdicts as the embedded engine.

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "rules/scan/clamd_client.h"
#include "tests/unit/scan/scan_test_util.h"
#include "tests/unit/scan/zip_builder.h"

using namespace ww;
using namespace ww::test;
using Status = ScanVerdict::Status;

namespace {

constexpr const char* kClamd = "/usr/sbin/clamd";

// A clamd of our own: config, databases, socket and log in a temp directory.
class ClamdProcess {
 public:
  // stream_max: clamd's StreamMaxLength ("100M" as upstream's default).
  bool start(const std::string& stream_max = "100M") {
    if (::access(kClamd, X_OK) != 0) return false;
    const std::string db = dir_.file("db");
    std::filesystem::create_directory(db);
    for (const auto& e : std::filesystem::directory_iterator(signatures_dir()))
      std::filesystem::copy_file(e.path(), db + "/" + e.path().filename().string());
    socket_ = dir_.file("clamd.sock");
    write_file(dir_.file("clamd.conf"), "LocalSocket " + socket_ + "\n" + "DatabaseDirectory " +
                                            db + "\n" + "TemporaryDirectory " + dir_.path() + "\n" +
                                            "LogFile " + dir_.file("clamd.log") + "\n" +
                                            "Foreground yes\n"
                                            "MaxThreads 4\n" +
                                            "StreamMaxLength " + stream_max + "\n" +
                                            "AlertEncryptedArchive yes\n"
                                            "AlertEncryptedDoc yes\n");
    pid_ = ::fork();
    if (pid_ == 0) {
      // It logs to LogFile; keep the test output clean.
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(kClamd, kClamd, "-c", dir_.file("clamd.conf").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Ready when it answers PING (loading our few signatures takes about a second).
    ScanConfig probe;
    probe.clamd_address = socket_;
    for (int i = 0; i < 300; ++i) {
      try {
        ClamdBackend::connect(probe, 1);
        return true;
      } catch (const ScanSetupError&) {
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  ~ClamdProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  const std::string& socket() const { return socket_; }
  std::string log() const { return read_file(dir_.file("clamd.log")); }

 private:
  TempDir dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

std::map<std::string, std::string> sample_files() {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kTestFilesDir))
    files[e.path().filename().string()] = read_file(e.path().string());
  files["eicar.com"] = kEicar;
  files["eicar.zip"] = ZipBuilder().deflated().add("eicar.com", kEicar).build();
  files["payload.txt"] = kPayload;
  files["payload.zip"] = ZipBuilder().deflated().add("a.txt.scr", kPayload).build();
  files["clean.txt"] = "nothing to see here\r\n";
  files["clean.zip"] = ZipBuilder().add("a.txt", "plain text").build();
  files["empty"] = "";
  return files;
}

std::map<std::string, ScanVerdict> scan_all(const ScanConfig& cfg,
                                            const std::map<std::string, std::string>& files) {
  Collector out;
  ScanService svc(cfg, out.sink());
  for (const auto& [name, data] : files) svc.submit(job(data, name));
  svc.drain();
  std::map<std::string, ScanVerdict> verdicts;
  for (const auto& r : out.results()) verdicts[r.job.file_name] = r.verdict;
  return verdicts;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(clamd_backend)

BOOST_AUTO_TEST_CASE(reply_parsing) {
  auto v = parse_clamd_reply(std::string("stream: OK\0", 11));
  BOOST_TEST((v.status == Status::kClean));
  v = parse_clamd_reply("stream: Wormwatch.Test.EICAR.UNOFFICIAL FOUND");
  BOOST_TEST((v.status == Status::kInfected));
  BOOST_TEST(v.signature == "Wormwatch.Test.EICAR.UNOFFICIAL");
  BOOST_TEST(!v.heuristic);
  v = parse_clamd_reply("stream: Heuristics.Encrypted.Zip FOUND");
  BOOST_TEST(v.heuristic);
  v = parse_clamd_reply("INSTREAM size limit exceeded. ERROR");
  BOOST_TEST((v.status == Status::kError));
  BOOST_TEST(v.error.find("size limit exceeded") != std::string::npos);
  v = parse_clamd_reply("stream: FOUND");  // no name: not a detection
  BOOST_TEST((v.status == Status::kError));
}

BOOST_AUTO_TEST_CASE(address_parsing) {
  std::string err;
  auto a = parse_clamd_address("/run/clamav/clamd.ctl", &err);
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a->unix_socket);
  a = parse_clamd_address("unix:/tmp/x.sock", &err);
  BOOST_TEST(a->path == "/tmp/x.sock");
  a = parse_clamd_address("127.0.0.1:3310", &err);
  BOOST_TEST(!a->unix_socket);
  BOOST_TEST(a->host == "127.0.0.1");
  BOOST_TEST(a->port == "3310");
  a = parse_clamd_address("[::1]:3310", &err);
  BOOST_TEST(a->host == "::1");
  BOOST_TEST(!parse_clamd_address("localhost", &err).has_value());
  BOOST_TEST(err.find("host:port") != std::string::npos);
  BOOST_TEST(!parse_clamd_address("/" + std::string(200, 'x'), &err).has_value());
}

BOOST_AUTO_TEST_CASE(unreachable_clamd_is_one_clear_message) {
  TempDir tmp;
  ScanConfig cfg;
  cfg.backend = ScanBackendKind::kClamd;
  cfg.clamd_address = tmp.file("nobody-listens.sock");
  try {
    ScanService svc(cfg, [](ScanJob&&, const ScanVerdict&) {});
    BOOST_FAIL("expected ScanSetupError");
  } catch (const ScanSetupError& e) {
    const std::string m = e.what();
    BOOST_TEST_MESSAGE(m);
    BOOST_TEST(m.find(cfg.clamd_address) != std::string::npos);
    BOOST_TEST(m.find("unreachable") != std::string::npos);
    BOOST_TEST(m.find("scan.clamd_address") != std::string::npos);
  }
  cfg.clamd_address = "127.0.0.1:1";  // nothing listens on tcpmux
  BOOST_CHECK_THROW(ScanService(cfg, [](ScanJob&&, const ScanVerdict&) {}), ScanSetupError);
}

BOOST_AUTO_TEST_CASE(real_clamd_gives_the_embedded_verdicts) {
  ClamdProcess clamd;
  if (::access(kClamd, X_OK) != 0) {
    BOOST_TEST_MESSAGE("SKIPPED: " << kClamd << " is absent (package clamav-daemon)");
    return;
  }
  BOOST_TEST_REQUIRE(clamd.start(), "clamd did not come up; its log:\n" << clamd.log());

  const auto files = sample_files();
  ScanConfig embedded = test_config();
  embedded.threads = 2;
  embedded.on_full = QueueFullPolicy::kWait;
  ScanConfig remote = embedded;
  remote.backend = ScanBackendKind::kClamd;
  remote.clamd_address = clamd.socket();

  const auto a = scan_all(embedded, files);
  const auto b = scan_all(remote, files);
  BOOST_TEST_REQUIRE(a.size() == files.size());
  BOOST_TEST_REQUIRE(b.size() == files.size());
  size_t infected = 0;
  for (const auto& [name, data] : files) {
    const ScanVerdict& e = a.at(name);
    const ScanVerdict& d = b.at(name);
    BOOST_TEST_CONTEXT(name << ": embedded " << scan_status_name(e.status) << " '" << e.signature
                            << "', clamd " << scan_status_name(d.status) << " '" << d.signature
                            << "' " << d.error) {
      BOOST_TEST((e.status == d.status));
      BOOST_TEST(e.signature == d.signature);
      BOOST_TEST((d.status == Status::kInfected || d.status == Status::kClean));
    }
    infected += d.infected();
  }
  BOOST_TEST(infected == 44u + 4u);  // the test files, EICAR x2, payload x2
}

BOOST_AUTO_TEST_CASE(clamd_errors_become_error_verdicts) {
  ClamdProcess clamd;
  if (::access(kClamd, X_OK) != 0) {
    BOOST_TEST_MESSAGE("SKIPPED: " << kClamd << " is absent (package clamav-daemon)");
    return;
  }
  BOOST_TEST_REQUIRE(clamd.start("1M"), "clamd did not come up; its log:\n" << clamd.log());
  ScanConfig cfg;
  cfg.backend = ScanBackendKind::kClamd;
  cfg.clamd_address = clamd.socket();
  Collector out;
  ScanService svc(cfg, out.sink());
  // Over clamd's StreamMaxLength (1M here): clamd answers and hangs up mid-stream.
  svc.submit(job(std::string(3 << 20, 'z'), "big"));
  svc.drain();
  const auto& v = out.find("big")->verdict;
  BOOST_TEST_MESSAGE(v.error);
  BOOST_TEST((v.status == Status::kError));
  BOOST_TEST(v.error.find("size limit") != std::string::npos);
  BOOST_TEST(svc.counters().errors == 1u);

  // Reload on the clamd backend: a fresh PING, a new generation, the cache cleared.
  std::string why;
  BOOST_TEST(svc.reload(&why));
  BOOST_TEST(svc.engine_generation() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

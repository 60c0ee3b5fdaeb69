#pragma once
// Shared by the scan tests: temporary directories, file reading, sha256, the
// test strings, and a Done sink that collects verdicts and can hold a scanner.

#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "rules/scan/scan_service.h"

namespace ww::test {

inline const std::string kEicar =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
inline const std::string kPayload =
    "WORMWATCH-TEST-PAYLOAD:7f3a9c1e:harmless stand-in for a mass-mailing worm body";
inline const std::string kTestFilesDir = "/usr/share/clamav-testfiles";

inline std::string signatures_dir() { return std::string(WW_SOURCE_DIR) + "/rules/signatures"; }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ww-scan-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Writes then renames, as freshclam and careful operators do.
inline void write_file_atomically(const std::string& dir, const std::string& name,
                                  const std::string& data) {
  write_file(dir + "/." + name + ".tmp", data);
  std::filesystem::rename(dir + "/." + name + ".tmp", dir + "/" + name);
}

inline std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

// A body signature (.ndb line) for an ASCII marker.
inline std::string ndb_line(const std::string& name, const std::string& marker) {
  static const char* hex = "0123456789abcdef";
  std::string h;
  for (unsigned char c : marker) {
    h.push_back(hex[c >> 4]);
    h.push_back(hex[c & 15]);
  }
  return name + ":0:*:" + h + "\n";
}

inline ScanJob job(std::string data, std::string name = "attachment.bin", bool keyed = false) {
  ScanJob j;
  if (keyed) j.sha256_hex = sha256_hex(data);
  j.data = std::move(data);
  j.file_name = std::move(name);
  return j;
}

inline ScanConfig test_config(std::vector<std::string> dirs = {signatures_dir()}) {
  ScanConfig c;
  c.signature_dirs = std::move(dirs);
  c.optional_dirs.clear();  // the machine's /var/lib/clamav must not change the results
  c.watch_dirs = false;
  return c;
}

// Collects every Done call. hold() makes the next callbacks block until release().
class Collector {
 public:
  struct Result {
    ScanJob job;
    ScanVerdict verdict;
  };

  ScanService::Done sink() {
    return [this](ScanJob&& j, const ScanVerdict& v) {
      std::unique_lock lk(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(lk, [&] { return !holding_; });
      results_.push_back({std::move(j), v});
      cv_.notify_all();
    };
  }
  void hold() {
    std::lock_guard lk(mu_);
    holding_ = true;
  }
  void release() {
    std::lock_guard lk(mu_);
    holding_ = false;
    cv_.notify_all();
  }
  // Waits until `n` callbacks have started (true) or 10 s passed (false).
  bool wait_entered(size_t n) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, std::chrono::seconds(10), [&] { return entered_ >= n; });
  }
  std::vector<Result> results() {
    std::lock_guard lk(mu_);
    return results_;
  }
  const Result* find(const std::string& file_name) {
    std::lock_guard lk(mu_);
    for (const Result& r : results_)
      if (r.job.file_name == file_name) return &r;
    return nullptr;
  }
  size_t size() {
    std::lock_guard lk(mu_);
    return results_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool holding_ = false;
  size_t entered_ = 0;
  std::vector<Result> results_;
};

}  // namespace ww::test

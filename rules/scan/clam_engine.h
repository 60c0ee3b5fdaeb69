#pragma once
// The embedded backend: one compiled libclamav engine, shared read-only by every
// scanner thread (libclamav allows concurrent scans on a compiled engine).

#include <string>
#include <string_view>
#include <vector>

#include "rules/scan/scan_backend.h"

struct cl_engine;

namespace ww {

class ClamEngine final : public ScanBackend {
 public:
  // Loads the required and optional directories of `config` into a new engine,
  // applies the limits and compiles it. Throws ScanSetupError naming the
  // directory (missing, not a directory, unreadable, no databases) or the
  // database file libclamav refused, with its message.
  static std::shared_ptr<const ClamEngine> load(const ScanConfig& config, uint64_t generation);
  ~ClamEngine() override;
  ClamEngine(const ClamEngine&) = delete;
  ClamEngine& operator=(const ClamEngine&) = delete;

  ScanVerdict scan(std::string_view data) const noexcept override;
  uint64_t generation() const override { return generation_; }
  unsigned signatures() const override { return signatures_; }
  std::string describe() const override;
  // Directories actually loaded (required ones, then optional ones holding databases).
  const std::vector<std::string>& loaded_dirs() const { return loaded_dirs_; }

 private:
  ClamEngine() = default;
  cl_engine* engine_ = nullptr;
  uint64_t generation_ = 0;
  unsigned signatures_ = 0;
  uint32_t heuristic_options_ = 0;
  std::vector<std::string> loaded_dirs_;
  std::string temp_dir_;  // empty: libclamav's default ($TMPDIR or /tmp)
};

// Where libclamav writes its per-scan directory and extracted members:
// scan.temp_dir, else /dev/shm when it is a writable tmpfs, else "" (libclamav's
// default, $TMPDIR or /tmp).
std::string clam_temp_dir(const ScanConfig& config);

// libclamav's cl_init, once per process, thread-safe. Throws ScanSetupError.
void clam_global_init();

// True for a file name libclamav loads as a database (.ndb .hdb .yara .cvd ...).
bool is_clam_database_name(std::string_view file_name);
// The database files directly in `dir`, sorted. Sets *error (and returns {})
// when the directory cannot be listed.
std::vector<std::string> clam_database_files(const std::string& dir, std::string* error);

}  // namespace ww

#pragma once
// Files written under their sha256, never under a name from the wire:
//   DIR/ab/abcdef...(64 hex)        the decoded bytes
//   DIR/ab/abcdef....json           a sidecar: the fileinfo record of its last sighting
//   DIR/ab/abcdef....eml            a whole message (filestore.eml)
// Bytes stream to DIR/tmp/ while the file is decoded; commit() renames the temp
// file into place (or drops it when the hash is already stored), so a reader never
// sees a partial file. Thread-safe: workers write, a scanner thread may commit
// (mode `alerted`).

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>

#include "reassembly/files/file_config.h"

namespace ww {

struct FilestoreCounters {
  uint64_t stored = 0;        // files and messages written
  uint64_t duplicates = 0;    // already present (same sha256): not written again
  uint64_t too_large = 0;     // over filestore.max_file_bytes
  uint64_t quota = 0;         // refused: filestore.quota_bytes reached
  uint64_t errors = 0;        // open/write/rename failures
  uint64_t bytes = 0;         // bytes written this run
};

class Filestore {
 public:
  struct Writer {
    int fd = -1;
    std::string temp;
    uint64_t bytes = 0;
    bool too_large = false;
    bool failed = false;
    bool open() const { return fd >= 0; }
  };
  enum class Commit : uint8_t { stored, duplicate, too_large, quota, error };

  // Creates DIR and DIR/tmp (leftover temp files of a crashed run are removed) and
  // sums what DIR already holds against the quota. Throws std::runtime_error naming
  // the directory and the system error.
  Filestore(std::string dir, uint64_t max_file_bytes, uint64_t quota_bytes);
  ~Filestore();

  Writer open();
  void write(Writer& w, std::span<const uint8_t> bytes);
  // Moves the temp file to its sha256 name (`ext` "" or ".eml") and writes the
  // sidecar. The writer is closed either way.
  Commit commit(Writer& w, const std::string& sha256, const char* ext, const std::string& sidecar);
  void discard(Writer& w);

  const std::string& dir() const { return dir_; }
  FilestoreCounters counters() const;
  // Path a file with this hash is (or would be) stored at.
  std::string path_for(const std::string& sha256, const char* ext) const;

 private:
  std::string dir_;
  uint64_t max_file_bytes_;
  uint64_t quota_bytes_;
  std::atomic<uint64_t> next_temp_{0};
  mutable std::mutex mu_;
  uint64_t used_bytes_ = 0;
  FilestoreCounters c_;
};

}  // namespace ww

#pragma once
// What the scan service says about one attachment, and the job that carries it.

#include <cstdint>
#include <memory>
#include <string>

#include "rules/events.h"

namespace ww {

// One attachment to scan. The service owns it from submit() until it hands it
// back to the Done callback (moved, with data intact).
struct ScanJob {
  std::string sha256_hex;     // cache key; empty = not cached
  std::string data;           // decoded attachment bytes (whole file; libclamav needs all of it)
  std::string file_name;      // from the wire: never used as a path, not given to libclamav
  std::shared_ptr<void> ctx;  // the caller's record context, opaque here
};

struct ScanVerdict {
  enum class Status : uint8_t {
    kClean,     // scanned, nothing found
    kInfected,  // a signature (or, if heuristic, a heuristic) matched
    kError,     // the engine or clamd failed; `error` says why
    kSkipped,   // not scanned: queue full, too large, scanning disabled (`error` says which)
  };
  Status status = Status::kError;
  std::string signature;   // virus name as libclamav/clamd report it (".UNOFFICIAL" kept)
  bool heuristic = false;  // the name is a "Heuristics.*" one (broken/encrypted archive ...)
  bool cache_hit = false;  // answered from the verdict cache, not scanned again
  std::string error;
  uint64_t engine_generation = 0;  // which engine answered; bumps at every successful reload

  bool infected() const { return status == Status::kInfected; }
  // The alert for an infected verdict.
  EventId event() const { return heuristic ? EventId::kScanHeuristic : EventId::kScanMalware; }
};

const char* scan_status_name(ScanVerdict::Status s);

// True for libclamav's heuristic detections ("Heuristics.Encrypted.Zip", ...).
bool is_heuristic_signature(std::string_view name);

}  // namespace ww

#pragma once
// Settings of the scan service: parsed once (sensor/config maps the `scan.*`
// keys), validated, then read-only. Every limit here has a counter in
// scan_counters.h that says how often it was hit.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ww {

// What submit() does when the queue holds queue_files jobs or queue_bytes bytes.
enum class QueueFullPolicy : uint8_t {
  kSkip,  // never block: the job is not scanned (verdict kSkipped, counted)
  kWait,  // block the submitting thread until there is room (nothing skipped)
};

enum class ScanBackendKind : uint8_t {
  kEmbedded,  // libclamav in this process, engine shared by the scanner threads
  kClamd,     // a clamd daemon over INSTREAM (unix socket or TCP)
};

struct ScanConfig {
  bool enabled = true;
  // Directories of ClamAV databases (.ndb .hdb .yara .cvd ...). Required (embedded
  // backend): each must exist and hold at least one database. The caller
  // resolves the default, "<source>/rules/signatures" (the shipped signatures).
  std::vector<std::string> signature_dirs;
  // Loaded too when they exist and hold databases (freshclam's directory);
  // silently skipped when absent or empty.
  std::vector<std::string> optional_dirs = {"/var/lib/clamav"};
  // Scanner threads sharing one compiled engine (clamd backend: concurrent
  // INSTREAM connections).
  unsigned threads = 1;
  // Jobs waiting for a scanner thread.
  size_t queue_files = 1024;
  // Attachment bytes held by the service (waiting and being scanned). A single
  // attachment larger than this is skipped as too large.
  size_t queue_bytes = size_t{256} << 20;
  QueueFullPolicy on_full = QueueFullPolicy::kSkip;

  // Engine limits, clamd.conf defaults (ClamAV 1.4). An attachment larger than
  // max_filesize is not scanned at all (kSkippedTooLarge); the others bound what
  // libclamav does inside archives and containers.
  uint64_t max_filesize = uint64_t{100} << 20;  // MaxFileSize 100M
  uint64_t max_scansize = uint64_t{400} << 20;  // MaxScanSize 400M
  uint32_t max_recursion = 17;                  // MaxRecursion 17
  uint32_t max_files = 10000;                   // MaxFiles 10000
  uint32_t max_scantime_ms = 120000;            // MaxScanTime 120000

  // Heuristic alerts (reported as heuristic verdicts, event kScanHeuristic).
  // Password-protected zips carried Bagle and later mass-mailers past gateways,
  // so that one is on; the others follow clamd's defaults (off).
  bool alert_encrypted_archive = true;   // AlertEncryptedArchive
  bool alert_broken_executable = false;  // AlertBrokenExecutables
  bool alert_macros = false;             // AlertOLE2Macros
  bool alert_exceeds_max = false;        // AlertExceedsMax

  // Verdict cache keyed by the attachment's sha256: entries, and bytes of
  // memory (key + signature name + bookkeeping per entry). 0 entries = off.
  size_t cache_entries = 65536;
  size_t cache_bytes = size_t{16} << 20;
  // libclamav's own (md5-keyed) clean-file cache; off for benchmarks.
  bool engine_cache = true;
  // Directory where libclamav makes its per-scan directory and extracts PDF
  // objects and archive members; empty = /dev/shm when it is a writable tmpfs
  // (a third less CPU per small attachment than ext4), else $TMPDIR or /tmp.
  // A tmpfs holds them in memory (roughly max_scansize per scanner thread at most).
  std::string temp_dir;

  // Reload when a database file in a signature (or optional) directory changes
  // (inotify), once the directory has been quiet for watch_debounce_ms.
  bool watch_dirs = true;
  uint32_t watch_debounce_ms = 1000;

  ScanBackendKind backend = ScanBackendKind::kEmbedded;
  // clamd backend: a unix socket path ("/run/clamav/clamd.ctl", or
  // "unix:/path") or "host:port" ("127.0.0.1:3310", "[::1]:3310").
  std::string clamd_address = "/var/run/clamav/clamd.ctl";
  // Send/receive timeout per clamd scan; above MaxScanTime so clamd's own limit
  // answers first.
  uint32_t clamd_timeout_ms = 130000;
};

// Returns an empty string when the config is usable, otherwise one message naming
// the offending field and what it accepts. Does not touch the file system.
std::string validate(const ScanConfig& config);

const char* queue_full_policy_name(QueueFullPolicy p);
const char* scan_backend_name(ScanBackendKind b);

}  // namespace ww

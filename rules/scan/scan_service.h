#pragma once
// ScanService: a pool of scanner threads sharing one backend (a compiled
// libclamav engine, or clamd), fed by a queue bounded by jobs and by bytes, with
// a verdict cache in front and signature reload behind (on request, on SIGHUP,
// or when inotify sees the signature directories change). See NOTES.md.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "rules/scan/scan_backend.h"
#include "rules/scan/scan_config.h"
#include "rules/scan/scan_counters.h"
#include "rules/scan/scan_verdict.h"
#include "rules/scan/verdict_cache.h"

namespace ww {

class DirWatcher;

class ScanService {
 public:
  // Called once per submitted job with the job back (data intact) and its
  // verdict: on a scanner thread, or inline from submit() for a cache hit or a
  // skip. Must not call submit() with on_full = kWait (it could wait on itself).
  // An exception it throws is caught and counted (callback_errors).
  using Done = std::function<void(ScanJob&&, const ScanVerdict&)>;
  // Told about every reload attempt (ok, and the backend description or why it
  // failed), on the thread that performed it. For the operator log.
  using ReloadListener = std::function<void(bool ok, const std::string& message)>;

  enum class SubmitResult : uint8_t {
    kQueued,            // a scanner thread will call Done
    kCacheHit,          // Done already called with the cached verdict
    kInFlightMerged,    // same sha256 as a job queued or being scanned: Done is called with
                        // that job's verdict (cache_hit set) when it ends, on its thread
    kSkippedQueueFull,  // Done already called, kSkipped (on_full = kSkip)
    kSkippedTooLarge,   // Done already called, kSkipped (> max_filesize or queue_bytes)
    kSkippedDisabled,   // Done already called, kSkipped (enabled = false)
  };

  // Validates the config, builds the backend (loads and compiles the signatures,
  // or pings clamd) and starts the threads. Throws ScanSetupError with one
  // operator message naming the key, directory, file or address and the fix.
  // With enabled = false nothing is loaded and every job is skipped.
  ScanService(const ScanConfig& config, Done done, ReloadListener on_reload = {});
  // Finishes every queued job (drain()), then stops the threads.
  ~ScanService();
  ScanService(const ScanService&) = delete;
  ScanService& operator=(const ScanService&) = delete;

  // Takes the job. Never blocks with on_full = kSkip; with kWait blocks until
  // the queue has room. Thread-safe.
  SubmitResult submit(ScanJob&& job);

  // Builds a new backend from the same config on the calling thread while the
  // scanner threads go on with the old one, then swaps it in; the old engine is
  // freed when its last in-flight scan ends. Clears the verdict cache. On
  // failure keeps the old backend, sets *why and returns false.
  bool reload(std::string* why = nullptr);
  // Async-signal-safe (a SIGHUP handler may call it): the control thread
  // performs the reload.
  void request_reload() noexcept;

  // Returns when every job submitted before the call has had its Done called.
  void drain();

  ScanCounters counters() const;
  uint64_t engine_generation() const;
  std::string describe() const;  // the current backend, one line
  const ScanConfig& config() const { return config_; }

 private:
  // Jobs that arrived with the sha256 of a job already queued or being scanned
  // (a mass-mailer's copies in one burst): they take that job's verdict instead
  // of a scan of their own. Guarded by cache_mu_.
  struct InFlight;
  struct Queued {
    ScanJob job;
    size_t bytes;
    std::shared_ptr<InFlight> group;  // set for a keyed job when the cache is on
  };
  struct InFlight {
    std::vector<Queued> waiters;
    bool done = false;  // the verdict was handed out; nobody may join any more
  };

  void scanner_loop();
  void control_loop();
  void finish(ScanJob&& job, const ScanVerdict& v);
  void skip(ScanJob&& job, std::string why);
  bool try_merge(ScanJob& job, size_t bytes);
  void complete(Queued& q, const ScanVerdict& v);
  std::shared_ptr<const ScanBackend> backend() const;
  std::vector<std::string> watched_dirs() const;

  const ScanConfig config_;
  const Done done_;
  const ReloadListener on_reload_;

  // The current backend; replaced whole by reload().
  mutable std::mutex backend_mu_;
  std::shared_ptr<const ScanBackend> backend_;
  std::mutex reload_mu_;  // one reload at a time
  uint64_t next_generation_ = 2;

  // Lock order: cache_mu_ before queue_mu_ (never the other way).
  mutable std::mutex cache_mu_;
  VerdictCache cache_;
  std::unordered_map<std::string, std::shared_ptr<InFlight>> in_flight_by_sha_;

  // The queue. held_bytes_ counts jobs waiting and being scanned, so the bytes
  // bound holds for everything the service keeps.
  mutable std::mutex queue_mu_;
  std::condition_variable work_cv_, space_cv_, idle_cv_;
  std::deque<Queued> queue_;
  size_t held_bytes_ = 0;
  size_t in_flight_ = 0;
  size_t merged_waiting_ = 0;  // jobs waiting in an InFlight group (bounded by queue_files)
  bool stopping_ = false;

#define WW_X(name, kind, desc) std::atomic<uint64_t> name##_{0};
  WW_SCAN_COUNTERS(WW_X)
#undef WW_X

  // Reload requests and shutdown reach the control thread through an eventfd.
  int event_fd_ = -1;
  std::atomic<bool> reload_requested_{false};
  std::atomic<bool> control_stop_{false};
  std::unique_ptr<DirWatcher> watcher_;

  std::vector<std::thread> scanners_;
  std::thread control_;
};

const char* submit_result_name(ScanService::SubmitResult r);

}  // namespace ww

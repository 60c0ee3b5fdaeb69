#include "rules/scan/scan_service.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "rules/scan/dir_watcher.h"

namespace ww {

namespace {

void bump_max(std::atomic<uint64_t>& a, uint64_t v) {
  uint64_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

}  // namespace

const char* submit_result_name(ScanService::SubmitResult r) {
  switch (r) {
    case ScanService::SubmitResult::kQueued:
      return "queued";
    case ScanService::SubmitResult::kCacheHit:
      return "cache_hit";
    case ScanService::SubmitResult::kInFlightMerged:
      return "inflight_merged";
    case ScanService::SubmitResult::kSkippedQueueFull:
      return "skipped_queue_full";
    case ScanService::SubmitResult::kSkippedTooLarge:
      return "skipped_too_large";
    case ScanService::SubmitResult::kSkippedDisabled:
      return "skipped_disabled";
  }
  return "unknown";
}

ScanService::ScanService(const ScanConfig& config, Done done, ReloadListener on_reload)
    : config_(config),
      done_(std::move(done)),
      on_reload_(std::move(on_reload)),
      cache_(config.cache_entries, config.cache_bytes, 1) {
  if (const std::string err = validate(config_); !err.empty()) throw ScanSetupError(err);
  if (!config_.enabled) return;

  backend_ = make_scan_backend(config_, 1);  // throws ScanSetupError
  signatures_loaded_ = backend_->signatures();
  engine_generation_ = 1;

  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0)
    throw ScanSetupError(
        fmt::format("scan: eventfd failed: {}: raise the open file limit", std::strerror(errno)));
  if (config_.watch_dirs && config_.backend == ScanBackendKind::kEmbedded) {
    watcher_ = std::make_unique<DirWatcher>();
    watcher_->watch(watched_dirs());  // a directory that cannot be watched: SIGHUP still works
  }

  scanners_.reserve(config_.threads);
  for (unsigned i = 0; i < config_.threads; ++i) scanners_.emplace_back([this] { scanner_loop(); });
  control_ = std::thread([this] { control_loop(); });
}

ScanService::~ScanService() {
  if (!config_.enabled) return;
  drain();
  {
    std::lock_guard lk(queue_mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  space_cv_.notify_all();
  for (std::thread& t : scanners_) t.join();
  control_stop_.store(true);
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t w = ::write(event_fd_, &one, sizeof one);
  control_.join();
  ::close(event_fd_);
}

std::vector<std::string> ScanService::watched_dirs() const {
  std::vector<std::string> dirs = config_.signature_dirs;
  dirs.insert(dirs.end(), config_.optional_dirs.begin(), config_.optional_dirs.end());
  return dirs;
}

std::shared_ptr<const ScanBackend> ScanService::backend() const {
  std::lock_guard lk(backend_mu_);
  return backend_;
}

uint64_t ScanService::engine_generation() const {
  const auto b = backend();
  return b ? b->generation() : 0;
}

std::string ScanService::describe() const {
  const auto b = backend();
  return b ? b->describe() : "scanning disabled";
}

void ScanService::finish(ScanJob&& job, const ScanVerdict& v) {
  try {
    done_(std::move(job), v);
  } catch (...) {
    callback_errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

void ScanService::skip(ScanJob&& job, std::string why) {
  ScanVerdict v;
  v.status = ScanVerdict::Status::kSkipped;
  v.error = std::move(why);
  v.engine_generation = engine_generation();
  finish(std::move(job), v);
}

ScanService::SubmitResult ScanService::submit(ScanJob&& job) {
  submitted_.fetch_add(1, std::memory_order_relaxed);
  if (!config_.enabled) {
    skipped_disabled_.fetch_add(1, std::memory_order_relaxed);
    skip(std::move(job), "scanning disabled");
    return SubmitResult::kSkippedDisabled;
  }
  const size_t bytes = job.data.size();
  if (bytes > config_.max_filesize || bytes > config_.queue_bytes) {
    skipped_too_large_.fetch_add(1, std::memory_order_relaxed);
    skip(std::move(job),
         fmt::format("too large to scan: {} bytes (max_filesize {}, queue_bytes {})", bytes,
                     config_.max_filesize, config_.queue_bytes));
    return SubmitResult::kSkippedTooLarge;
  }

  const bool keyed = !job.sha256_hex.empty() && cache_.enabled();
  if (keyed) {
    std::optional<ScanVerdict> hit;
    {
      std::lock_guard lk(cache_mu_);
      hit = cache_.find(job.sha256_hex);
      if (!hit && try_merge(job, bytes)) {
        inflight_merged_.fetch_add(1, std::memory_order_relaxed);
        return SubmitResult::kInFlightMerged;
      }
    }
    if (hit) {
      cache_hits_.fetch_add(1, std::memory_order_relaxed);
      finish(std::move(job), *hit);
      return SubmitResult::kCacheHit;
    }
    cache_misses_.fetch_add(1, std::memory_order_relaxed);
  }

  std::shared_ptr<InFlight> group;
  std::string sha;
  if (keyed) {
    group = std::make_shared<InFlight>();
    sha = job.sha256_hex;
  }
  {
    std::unique_lock lk(queue_mu_);
    auto full = [&] {
      return queue_.size() >= config_.queue_files || held_bytes_ + bytes > config_.queue_bytes;
    };
    if (full()) {
      if (config_.on_full == QueueFullPolicy::kSkip) {
        lk.unlock();
        skipped_queue_full_.fetch_add(1, std::memory_order_relaxed);
        skip(std::move(job), "scan queue full");
        return SubmitResult::kSkippedQueueFull;
      }
      // bytes <= queue_bytes, so an empty service always has room: no deadlock.
      // (Merged waiters hold bytes too, but only until their job, already
      // queued, ends.)
      space_cv_.wait(lk, [&] { return !full() || stopping_; });
    }
    queue_.push_back(Queued{std::move(job), bytes, group});
    held_bytes_ += bytes;
    bump_max(queue_high_water_, queue_.size());
    bump_max(queue_bytes_high_water_, held_bytes_);
    if (keyed) {
      // Announced after the push (lock order: cache_mu_ before queue_mu_); the
      // scanner may already have finished it, hence `done`. When a copy is
      // already announced (two first copies raced), this one scans alone.
      lk.unlock();
      work_cv_.notify_one();
      std::lock_guard ck(cache_mu_);
      if (!group->done) in_flight_by_sha_.try_emplace(sha, group);
      return SubmitResult::kQueued;
    }
  }
  work_cv_.notify_one();
  return SubmitResult::kQueued;
}

// Under cache_mu_. Joins the job to the group of a queued or running job with
// the same sha256 when the service has room for its bytes (the waiter keeps its
// data, for the caller's filestore); otherwise the caller queues it normally.
bool ScanService::try_merge(ScanJob& job, size_t bytes) {
  const auto it = in_flight_by_sha_.find(job.sha256_hex);
  if (it == in_flight_by_sha_.end() || it->second->done) return false;
  {
    std::lock_guard lk(queue_mu_);
    if (merged_waiting_ >= config_.queue_files || held_bytes_ + bytes > config_.queue_bytes)
      return false;
    ++merged_waiting_;
    held_bytes_ += bytes;
    bump_max(queue_bytes_high_water_, held_bytes_);
  }
  it->second->waiters.push_back(Queued{std::move(job), bytes, nullptr});
  return true;
}

void ScanService::scanner_loop() {
  for (;;) {
    Queued q;
    {
      std::unique_lock lk(queue_mu_);
      work_cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      q = std::move(queue_.front());
      queue_.pop_front();
      ++in_flight_;
    }
    space_cv_.notify_one();  // a job slot is free (its bytes are released after the scan)

    // The snapshot keeps this engine alive until the scan ends, whatever reload does.
    const std::shared_ptr<const ScanBackend> b = backend();
    ScanVerdict v = b->scan(q.job.data);  // noexcept

    scanned_.fetch_add(1, std::memory_order_relaxed);
    bytes_scanned_.fetch_add(q.bytes, std::memory_order_relaxed);
    switch (v.status) {
      case ScanVerdict::Status::kInfected:
        infected_.fetch_add(1, std::memory_order_relaxed);
        if (v.heuristic) heuristic_.fetch_add(1, std::memory_order_relaxed);
        break;
      case ScanVerdict::Status::kClean:
        clean_.fetch_add(1, std::memory_order_relaxed);
        break;
      default:
        errors_.fetch_add(1, std::memory_order_relaxed);
        break;
    }
    complete(q, v);
  }
}

// Stores the verdict, closes the job's in-flight group, calls Done for the job
// and every copy that waited for it, then releases their bytes.
void ScanService::complete(Queued& q, const ScanVerdict& v) {
  std::vector<Queued> waiters;
  if (!q.job.sha256_hex.empty() && cache_.enabled()) {
    std::lock_guard lk(cache_mu_);
    cache_evictions_.fetch_add(cache_.insert(q.job.sha256_hex, v), std::memory_order_relaxed);
    if (q.group) {
      q.group->done = true;
      const auto it = in_flight_by_sha_.find(q.job.sha256_hex);
      if (it != in_flight_by_sha_.end() && it->second == q.group) in_flight_by_sha_.erase(it);
      waiters = std::move(q.group->waiters);
    }
  }

  size_t bytes = q.bytes;
  finish(std::move(q.job), v);
  if (!waiters.empty()) {
    ScanVerdict copy = v;
    copy.cache_hit = true;  // not scanned again
    for (Queued& w : waiters) {
      bytes += w.bytes;
      finish(std::move(w.job), copy);
    }
  }

  bool idle;
  {
    std::lock_guard lk(queue_mu_);
    held_bytes_ -= bytes;
    merged_waiting_ -= waiters.size();
    --in_flight_;
    idle = queue_.empty() && in_flight_ == 0;
  }
  space_cv_.notify_all();  // bytes released: several small waiting jobs may fit now
  if (idle) idle_cv_.notify_all();
}

void ScanService::drain() {
  if (!config_.enabled) return;
  std::unique_lock lk(queue_mu_);
  idle_cv_.wait(lk, [&] { return queue_.empty() && in_flight_ == 0; });
}

bool ScanService::reload(std::string* why) {
  if (!config_.enabled) {
    if (why) *why = "scanning disabled";
    return false;
  }
  std::lock_guard reload_lock(reload_mu_);
  const uint64_t generation = next_generation_;
  std::shared_ptr<const ScanBackend> fresh;
  std::string error;
  try {
    fresh = make_scan_backend(config_, generation);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (watcher_) watcher_->watch(watched_dirs());  // renew: a directory may have been replaced
  if (!fresh) {
    reloads_failed_.fetch_add(1, std::memory_order_relaxed);
    const std::string msg = fmt::format("signature reload failed, keeping generation {}: {}",
                                        engine_generation(), error);
    if (why) *why = msg;
    if (on_reload_) on_reload_(false, msg);
    return false;
  }
  ++next_generation_;
  std::shared_ptr<const ScanBackend> old;
  {
    // Cache first: from here on only verdicts of the new generation are stored,
    // so a scan finishing on the old engine cannot refill it.
    std::scoped_lock lk(backend_mu_, cache_mu_);
    cache_.clear(generation);
    // Copies submitted from now on must not take a verdict of a scan queued
    // before the swap; the copies already waiting still get theirs.
    in_flight_by_sha_.clear();
    old = std::exchange(backend_, fresh);
  }
  signatures_loaded_.store(fresh->signatures(), std::memory_order_relaxed);
  engine_generation_.store(generation, std::memory_order_relaxed);
  reloads_ok_.fetch_add(1, std::memory_order_relaxed);
  old.reset();  // freed here, or by the last scan still using it
  if (why) why->clear();
  if (on_reload_) on_reload_(true, fresh->describe());
  return true;
}

void ScanService::request_reload() noexcept {
  if (event_fd_ < 0) return;
  reload_requested_.store(true, std::memory_order_relaxed);
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t w = ::write(event_fd_, &one, sizeof one);  // async-signal-safe
}

void ScanService::control_loop() {
  using Clock = std::chrono::steady_clock;
  bool change_pending = false;
  Clock::time_point reload_at{};
  for (;;) {
    pollfd fds[2] = {{event_fd_, POLLIN, 0}, {watcher_ ? watcher_->fd() : -1, POLLIN, 0}};
    int timeout_ms = -1;
    if (change_pending) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(reload_at - Clock::now()).count();
      timeout_ms = left > 0 ? static_cast<int>(left) : 0;
    }
    const int n = ::poll(fds, 2, timeout_ms);
    if (n < 0 && errno != EINTR) return;  // cannot wait any more; reload() still works
    if (fds[0].revents & POLLIN) {
      uint64_t v;
      [[maybe_unused]] const ssize_t r = ::read(event_fd_, &v, sizeof v);
    }
    if (control_stop_.load()) return;
    if (reload_requested_.exchange(false)) {
      change_pending = false;  // this reload sees the directory changes too
      reload(nullptr);
    }
    if ((fds[1].revents & POLLIN) && watcher_->consume()) {
      change_pending = true;  // debounce: wait until writes stop
      reload_at = Clock::now() + std::chrono::milliseconds(config_.watch_debounce_ms);
    }
    if (change_pending && Clock::now() >= reload_at) {
      change_pending = false;
      reload(nullptr);
    }
  }
}

ScanCounters ScanService::counters() const {
  ScanCounters c;
#define WW_X(name, kind, desc) c.name = name##_.load(std::memory_order_relaxed);
  WW_SCAN_COUNTERS(WW_X)
#undef WW_X
  std::lock_guard lk(cache_mu_);
  c.cache_entries = cache_.size();
  c.cache_bytes = cache_.bytes();
  return c;
}

}  // namespace ww

#include "rules/hosts/host_tracker_thread.h"

#include <chrono>

namespace ww {

namespace {
constexpr size_t kBatchPerRing = 1024;  // fairness: one busy worker cannot starve the others
}

HostTrackerThread::HostTrackerThread(const HostConfig& cfg, size_t producers,
                                     HostTracker::EmitFn emit)
    : queue_(producers, cfg.queue_capacity), tracker_(cfg, std::move(emit)) {}

HostTrackerThread::~HostTrackerThread() {
  // A started thread is stopped (drained, final inventory) so it never outlives
  // us; one never started emits nothing here: `emit` may point at objects
  // already gone. Callers that want the records call stop() themselves.
  if (started_) stop();
}

void HostTrackerThread::start() {
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

void HostTrackerThread::run() {
  auto handle = [this](const HostEvent& e) {
    tracker_.on_event(e);
    if (e.ts_us > max_ts_) max_ts_ = e.ts_us;
  };
  // Idle back-off: spin briefly, then sleep up to 1 ms. The workers never wait
  // on us, so a sleeping tracker only delays alerts, never packets.
  auto idle = std::chrono::microseconds(0);
  for (;;) {
    const bool stopping = stopping_.load(std::memory_order_acquire);
    const size_t n = queue_.drain(handle, kBatchPerRing);
    if (n) {
      tracker_.tick(max_ts_);
      publish();
      idle = std::chrono::microseconds(0);
      continue;
    }
    if (stopping) break;  // drained after the stop request was seen
    idle = std::min(std::chrono::microseconds(1000), idle + std::chrono::microseconds(50));
    std::this_thread::sleep_for(idle);
  }
  tracker_.finish(max_ts_ == INT64_MIN ? 0 : max_ts_);
  publish();
}

void HostTrackerThread::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (!started_) {
    // Never started: drain on the caller's thread so nothing queued is lost.
    started_ = true;
    stopping_.store(true, std::memory_order_release);
    run();
    return;
  }
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

void HostTrackerThread::publish() {
  HostCounters c = tracker_.counters();
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = c;
}

HostCounters HostTrackerThread::counters() const {
  HostCounters c;
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    c = snapshot_;
  }
  c.queue_events = queue_.pushed();
  c.queue_overflow = queue_.overflow();
  return c;
}

}  // namespace ww

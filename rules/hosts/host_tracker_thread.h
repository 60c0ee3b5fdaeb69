#pragma once
// The host tracker on its own thread, fed by one bounded ring per worker.
// Workers call try_push (never blocks); the thread drains the rings, advances
// packet time from the events it sees and runs the tracker. stop() drains what
// is queued, writes the final inventory and joins.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>

#include "rules/hosts/host_event_queue.h"
#include "rules/hosts/host_tracker.h"

namespace ww {

class HostTrackerThread {
 public:
  // `emit` runs on the tracker thread; it must be safe against the workers' own output.
  HostTrackerThread(const HostConfig& cfg, size_t producers, HostTracker::EmitFn emit);
  ~HostTrackerThread();  // stop() if started
  HostTrackerThread(const HostTrackerThread&) = delete;
  HostTrackerThread& operator=(const HostTrackerThread&) = delete;

  void start();
  // Worker `producer` only. False when its ring is full (counted as queue_overflow).
  bool try_push(size_t producer, const HostEvent& e) { return queue_.try_push(producer, e); }
  // Call after the workers stopped pushing: drains every ring, then finish(). Idempotent.
  void stop();

  // A snapshot, safe from any thread: the tracker's counters as of its last
  // batch plus the queues' live totals.
  HostCounters counters() const;

 private:
  void run();
  void publish();

  HostEventQueue queue_;
  HostTracker tracker_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  bool stopped_ = false;
  int64_t max_ts_ = INT64_MIN;
  mutable std::mutex snapshot_mu_;
  HostCounters snapshot_;
};

}  // namespace ww

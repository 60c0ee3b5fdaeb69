#pragma once
// The host tracker on its own thread, fed by one bounded ring per worker plus
// one for deferred events (scan verdicts). The thread merges the rings in
// packet-time order behind a watermark, so that the tracker sees the same event
// sequence whatever the number of workers and however fast the scanners are:
//
//   * each worker pushes its events in its own packet-time order and, after each
//     batch, advance()s its progress: "all my events before this time are queued";
//   * a file under scan defer()s its packet time before the worker advances past
//     it, and resolve()s it (with the infected-attachment event, or without) when
//     the verdict is known;
//   * the tracker releases an event once every worker's progress and every
//     unresolved deferred time is past it, in the order (ts, flow_id, kind, ...).
//
// Workers never wait: a full ring drops the event (queue_overflow). The thread
// never lets a ring fill while it waits for a slow producer: a ring three
// quarters full, or (live capture) a watermark stuck for a second of wall time,
// releases the held events early (events_released_early; order across producers
// then follows arrival). stop() releases everything in order, then finish().

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "rules/hosts/host_event_queue.h"
#include "rules/hosts/host_tracker.h"

namespace ww {

// The tracker's canonical order: packet time, then flow, kind and the rest, so
// equal-time events from different workers are ordered the same in every run.
bool host_event_before(const HostEvent& a, const HostEvent& b);

class HostTrackerThread {
 public:
  // `producers` packet workers (0..producers-1). `emit` runs on the tracker
  // thread; it must be safe against the workers' own output. `live`: packet time
  // may stand still (idle link), so held events are also released after a second.
  HostTrackerThread(const HostConfig& cfg, size_t producers, HostTracker::EmitFn emit,
                    bool live = false);
  ~HostTrackerThread();  // stop() if started
  HostTrackerThread(const HostTrackerThread&) = delete;
  HostTrackerThread& operator=(const HostTrackerThread&) = delete;

  void start();
  // Worker `producer` only. False when its ring is full (counted as queue_overflow).
  bool try_push(size_t producer, const HostEvent& e) { return queue_.try_push(producer, e); }
  // Worker `producer` only: every event it will push from now on has ts_us >= `ts_us`.
  void advance(size_t producer, int64_t ts_us) {
    progress_[producer].ts.store(ts_us, std::memory_order_release);
  }
  // Any thread: an event for packet time `ts_us` may follow; holds the watermark
  // there until the matching resolve(). Call before the producer advances past it.
  void defer(int64_t ts_us);
  // Any thread: the deferred result for `ts_us`: `e` (pushed) or nothing (nullptr).
  void resolve(int64_t ts_us, const HostEvent* e);
  // Call after the workers stopped pushing: releases every queued event in
  // order, then finish(). Idempotent.
  void stop();

  // A snapshot, safe from any thread: the tracker's counters as of its last
  // batch plus the queues' live totals.
  HostCounters counters() const;

 private:
  void run();
  // Releases what the watermark allows (everything when `final`); returns the
  // number of events handed to the tracker.
  size_t round(bool final);
  void flush();  // batch_ to the tracker
  void publish();

  struct alignas(64) Progress {
    std::atomic<int64_t> ts{INT64_MIN};
  };

  const size_t workers_;
  const bool live_;
  HostEventQueue queue_;  // rings 0..workers_-1: workers; ring workers_: deferred events
  std::unique_ptr<Progress[]> progress_;
  std::mutex defer_mu_;  // deferred_, and the single producer of the deferred ring
  std::multiset<int64_t> deferred_;
  std::atomic<int64_t> deferred_min_{INT64_MAX};

  // Tracker thread only.
  HostTracker tracker_;
  std::vector<uint64_t> next_;          // per worker ring: next sequence number to read
  std::vector<uint64_t> tail_;          // per worker ring: end of what this round reads
  std::vector<HostEvent> late_heap_;    // deferred events, a min-heap in canonical order
  std::vector<HostEvent> batch_;        // released, in order, not yet handed over
  int64_t max_ts_ = INT64_MIN;
  // Live capture: (wall time, newest packet time queued then), so that events
  // queued more than a second ago are released even when the watermark is stuck.
  std::vector<std::pair<std::chrono::steady_clock::time_point, int64_t>> arrivals_;
  int64_t live_release_ = INT64_MIN;  // events before this have waited a second
  uint64_t released_early_ = 0;

  std::thread thread_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  bool stopped_ = false;
  mutable std::mutex snapshot_mu_;
  HostCounters snapshot_;
};

}  // namespace ww

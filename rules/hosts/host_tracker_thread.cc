#include "rules/hosts/host_tracker_thread.h"

#include <algorithm>
#include <tuple>

namespace ww {

namespace {
constexpr size_t kMaxPerRound = 4096;  // ring slots go back to the workers at least this often
constexpr size_t kBatch = 256;         // events handed to HostTracker::on_events at once
constexpr size_t kMaxDeferredHeld = 1 << 16;
constexpr auto kLiveHold = std::chrono::seconds(1);

auto order_key(const HostEvent& e) {
  return std::tie(e.ts_us, e.flow_id, e.kind, e.client, e.server, e.client_port, e.server_port,
                  e.count, e.magic, e.flags);
}

bool heap_after(const HostEvent& a, const HostEvent& b) { return host_event_before(b, a); }
}  // namespace

bool host_event_before(const HostEvent& a, const HostEvent& b) {
  return order_key(a) < order_key(b);
}

HostTrackerThread::HostTrackerThread(const HostConfig& cfg, size_t producers,
                                     HostTracker::EmitFn emit, bool live)
    : workers_(std::max<size_t>(producers, 1)),
      live_(live),
      queue_(workers_ + 1, cfg.queue_capacity),
      progress_(new Progress[workers_]),
      tracker_(cfg, std::move(emit)),
      next_(workers_, 0),
      tail_(workers_, 0) {}

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

void HostTrackerThread::defer(int64_t ts_us) {
  std::lock_guard<std::mutex> lock(defer_mu_);
  deferred_.insert(ts_us);
  deferred_min_.store(*deferred_.begin(), std::memory_order_release);
}

void HostTrackerThread::resolve(int64_t ts_us, const HostEvent* e) {
  std::lock_guard<std::mutex> lock(defer_mu_);
  // Pushed before the hold is lifted: a watermark past ts_us implies the event is queued.
  if (e) queue_.try_push(workers_, *e);
  if (auto it = deferred_.find(ts_us); it != deferred_.end()) deferred_.erase(it);
  deferred_min_.store(deferred_.empty() ? INT64_MAX : *deferred_.begin(),
                      std::memory_order_release);
}

void HostTrackerThread::flush() {
  if (batch_.empty()) return;
  tracker_.on_events(batch_.data(), batch_.size());
  for (const HostEvent& e : batch_) max_ts_ = std::max(max_ts_, e.ts_us);
  batch_.clear();
}

size_t HostTrackerThread::round(bool final) {
  // The watermark: read the workers' progress before the deferred holds (a file
  // is deferred before its worker advances past it), and both before the rings
  // (an event is queued before its producer's progress or hold moves past it).
  int64_t watermark = INT64_MAX;
  if (!final) {
    for (size_t i = 0; i < workers_; ++i)
      watermark = std::min(watermark, progress_[i].ts.load(std::memory_order_acquire));
    watermark = std::min(watermark, deferred_min_.load(std::memory_order_acquire));
  }
  int64_t release = watermark;  // events with ts_us < release go to the tracker

  // Deferred events arrive in verdict order: into the heap.
  HostEventRing& d = queue_.ring(workers_);
  const uint64_t dt = d.tail();
  for (uint64_t s = d.head(); s < dt; ++s) {
    late_heap_.push_back(d.at(s));
    std::push_heap(late_heap_.begin(), late_heap_.end(), heap_after);
  }
  d.release(dt);
  if (late_heap_.size() > kMaxDeferredHeld)
    release = std::max(release, late_heap_.front().ts_us == INT64_MAX ? INT64_MAX
                                                                      : late_heap_.front().ts_us + 1);

  // Worker rings: a ring three quarters full is drained to half, whatever the watermark.
  int64_t newest = INT64_MIN;
  std::vector<uint64_t>& tail = tail_;
  for (size_t i = 0; i < workers_; ++i) {
    HostEventRing& r = queue_.ring(i);
    tail[i] = r.tail();
    const uint64_t held = tail[i] - next_[i];
    if (held == 0) continue;
    newest = std::max(newest, r.at(tail[i] - 1).ts_us);
    if (held > r.capacity() * 3 / 4) {
      const int64_t t = r.at(tail[i] - r.capacity() / 2).ts_us;
      release = std::max(release, t == INT64_MAX ? t : t + 1);
    }
  }
  if (live_) {
    const auto now = std::chrono::steady_clock::now();
    if (newest != INT64_MIN && (arrivals_.empty() || arrivals_.back().second < newest))
      arrivals_.emplace_back(now, newest);
    size_t old = 0;
    while (old < arrivals_.size() && now - arrivals_[old].first > kLiveHold) ++old;
    if (old) {
      const int64_t t = arrivals_[old - 1].second;
      live_release_ = std::max(live_release_, t == INT64_MAX ? t : t + 1);
      arrivals_.erase(arrivals_.begin(), arrivals_.begin() + static_cast<ptrdiff_t>(old));
    }
    release = std::max(release, live_release_);
  }

  // Merge: the earliest time among the ring heads and the heap; all events at
  // that time in canonical order.
  size_t n = 0;
  while (n < kMaxPerRound) {
    int64_t t = INT64_MAX;
    bool any = !late_heap_.empty();
    if (any) t = late_heap_.front().ts_us;
    for (size_t i = 0; i < workers_; ++i) {
      if (next_[i] == tail[i]) continue;
      any = true;
      t = std::min(t, queue_.ring(i).at(next_[i]).ts_us);
    }
    if (!any || (!final && t >= release)) break;
    const size_t g0 = batch_.size();
    for (size_t i = 0; i < workers_; ++i) {
      const HostEventRing& r = queue_.ring(i);
      uint64_t s = next_[i];
      while (s < tail[i] && r.at(s).ts_us == t) batch_.push_back(r.at(s++));
      next_[i] = s;
    }
    while (!late_heap_.empty() && late_heap_.front().ts_us == t) {
      std::pop_heap(late_heap_.begin(), late_heap_.end(), heap_after);
      batch_.push_back(late_heap_.back());
      late_heap_.pop_back();
    }
    const size_t g = batch_.size() - g0;
    if (g > 1) std::sort(batch_.begin() + static_cast<ptrdiff_t>(g0), batch_.end(), host_event_before);
    if (!final && t >= watermark) released_early_ += g;
    n += g;
    if (batch_.size() >= kBatch) flush();
  }
  flush();
  for (size_t i = 0; i < workers_; ++i) queue_.ring(i).release(next_[i]);
  return n;
}

void HostTrackerThread::run() {
  // Idle back-off: spin briefly, then sleep up to 1 ms. The workers never wait
  // on us, so a sleeping tracker only delays alerts, never packets.
  auto idle = std::chrono::microseconds(0);
  for (;;) {
    const bool stopping = stopping_.load(std::memory_order_acquire);
    const size_t n = round(stopping);
    if (n) {
      publish();
      idle = std::chrono::microseconds(0);
      continue;
    }
    if (stopping) break;  // everything released after the stop request was seen
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
  c.events_released_early = released_early_;
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

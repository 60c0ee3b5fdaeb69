#include "sensor/worker/engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "sensor/flow/flow_key.h"
#include "sensor/output/eve.h"

namespace ww {
namespace {
constexpr size_t kBatchArenaBytes = 1 << 20;   // a batch holds at most 1 MiB of frames
constexpr size_t kBatchesPerLane = 8;          // bounded: the reader waits when all are in use
}  // namespace

uint32_t effective_workers(const Config& cfg) {
  return cfg.workers ? cfg.workers : std::max(1u, std::thread::hardware_concurrency());
}

Engine::Engine(const Config& cfg, OutputHub& out, uint32_t queue_workers)
    : cfg_(cfg),
      out_(out),
      services_(cfg, out, queue_workers ? queue_workers : effective_workers(cfg)) {
  uint32_t n = queue_workers ? queue_workers : effective_workers(cfg);
  queue_mode_ = queue_workers > 0;
  // One queue: its worker runs on the calling thread, like the inline mode.
  inline_ = (n == 1);
  for (uint32_t i = 0; i < n; ++i) {
    auto lane = std::make_unique<Lane>();
    lane->worker = std::make_unique<Worker>(cfg, out, i, services_);
    workers_.push_back(lane->worker.get());
    if (!inline_ && !queue_mode_) {
      for (size_t b = 0; b < kBatchesPerLane; ++b) {
        auto batch = std::make_unique<Batch>();
        batch->arena.resize(kBatchArenaBytes);
        batch->metas.reserve(cfg.batch_packets);
        lane->free.push_back(batch.get());
        lane->owned.push_back(std::move(batch));
      }
    }
    lanes_.push_back(std::move(lane));
  }
  if (!inline_ && !queue_mode_) {
    for (auto& l : lanes_) {
      Lane* lp = l.get();
      lp->thread = std::thread([this, lp] { lane_loop(*lp); });
    }
  }
}

Engine::~Engine() {
  for (auto& l : lanes_) {
    if (l->thread.joinable()) {
      {
        std::lock_guard lk(l->mu);
        l->closing = true;
      }
      l->cv.notify_all();
      l->thread.join();
    }
  }
}

void Engine::lane_loop(Lane& lane) {
  for (;;) {
    Batch* b = nullptr;
    {
      std::unique_lock lk(lane.mu);
      lane.cv.wait(lk, [&] { return !lane.full.empty() || lane.closing; });
      if (lane.full.empty()) return;
      b = lane.full.front();
      lane.full.pop_front();
    }
    for (const auto& m : b->metas) {
      CapturedPacket cp{m.link, m.ts_us, m.cap_len, m.wire_len, b->arena.data() + m.offset};
      lane.worker->handle(cp);
    }
    // Packet time is global: a worker that sees few packets still expires its
    // flows as time passes on other workers, so records do not depend on the
    // number of workers.
    lane.worker->tick(std::max(b->now_us, lane.worker->last_ts_us()));
    lane.worker->publish();
    for (uint32_t i = 0; i < lanes_.size(); ++i)  // host tracker watermark (services.h)
      if (lanes_[i].get() == &lane) services_.host_progress(i, lane.worker->last_ts_us());
    b->metas.clear();
    b->used = 0;
    {
      std::lock_guard lk(lane.mu);
      lane.free.push_back(b);
    }
    lane.cv.notify_all();
  }
}

namespace {
void raise_to(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}
void lower_to(std::atomic<int64_t>& a, int64_t v) {  // 0 = unset
  int64_t cur = a.load(std::memory_order_relaxed);
  while ((cur == 0 || v < cur) && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}
int64_t wall_clock_us() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::microseconds>(now).count();
}
}  // namespace

void Engine::run_queues(MultiQueueSource& src) {
  if (src.queue_count() != workers_.size())
    throw CaptureError("engine: the source has a different number of queues than workers");
  src.run_on_queues([this, &src](uint32_t q) {
    try {
      queue_loop(q, src);
    } catch (...) {
      // Nothing may escape a DPDK lcore function; stop every queue and let the
      // control thread (queue 0) report it.
      stop_.store(true, std::memory_order_relaxed);
      if (q == 0) throw;
    }
  });
  last_ts_us_ = queue_last_ts_us_.load();
  first_ts_us_ = queue_first_ts_us_.load();
}

// One queue, one worker, one core. Queue 0 also runs the control work: SIGHUP,
// periodic stats records and the end of an offline replay (src.done()).
void Engine::queue_loop(uint32_t q, MultiQueueSource& src) {
  struct QueueHandler : PacketHandler {
    Worker& w;
    int64_t first = 0;
    int64_t last = 0;
    explicit QueueHandler(Worker& wk) : w(wk) {}
    void on_packet(const CapturedPacket& p) override {
      if (p.ts_us > last) last = p.ts_us;
      if (first == 0) first = p.ts_us;
      w.handle(p);
    }
  } h(*workers_[q]);
  Worker& w = *workers_[q];
  const bool control = (q == 0);
  const bool publish_self = !inline_;  // inline: gather() publishes on this thread
  using Clock = std::chrono::steady_clock;
  auto last_publish = Clock::now();
  auto last_control = Clock::now();
  uint32_t empty_polls = 0;
  int64_t ticked_to = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    if (control && hup_.exchange(false, std::memory_order_relaxed)) {
      out_.reopen();
      if (services_.scan()) services_.scan()->request_reload();
    }
    size_t n = src.next_burst(q, cfg_.batch_packets, h);
    auto now = Clock::now();
    if (n > 0) {
      empty_polls = 0;
      lower_to(queue_first_ts_us_, h.first);
      raise_to(queue_last_ts_us_, h.last);
      // This queue's own time only: another queue may be ahead (it read its share
      // of a replayed file faster) and its time would expire flows here before
      // their later packets, still waiting in this queue, arrive.
      w.tick(h.last);
      ticked_to = h.last;
      services_.host_progress(q, w.last_ts_us());  // host tracker watermark
      if (control) maybe_emit_stats(queue_last_ts_us_.load(std::memory_order_relaxed), src);
    } else {
      // Nothing waits on this queue, so the time seen on the others is safe here:
      // a worker whose queue is quiet still expires its flows (packet time is
      // global, records do not depend on the number of queues). A live source
      // with quiet links also follows the wall clock, as the single-queue loop does.
      int64_t g = queue_last_ts_us_.load(std::memory_order_relaxed);
      if (src.live()) g = std::max(g, wall_clock_us());
      if (g > ticked_to && g > w.last_ts_us()) {
        w.tick(g);
        ticked_to = g;
      }
      if (control && now - last_control >= std::chrono::milliseconds(1)) {
        last_control = now;
        if (src.done()) {
          stop_.store(true, std::memory_order_relaxed);
          break;
        }
        if (src.live()) maybe_emit_stats(g, src);
      }
      // Poll mode spins; after a quiet stretch yield the core a little (shared
      // machines, replay tails). 20 us is far below an RX ring's worth of packets
      // at 10 Gbit/s (1024 descriptors ~ 70 us at 14.8 Mpps).
      if (++empty_polls > 256) std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    if (publish_self && now - last_publish >= std::chrono::milliseconds(100)) {
      w.publish();
      last_publish = now;
    }
  }
  if (publish_self) w.publish();
}

void Engine::submit(Lane& lane) {
  if (!lane.filling || lane.filling->metas.empty()) return;
  lane.filling->now_us = last_ts_us_;
  {
    std::lock_guard lk(lane.mu);
    lane.full.push_back(lane.filling);
  }
  lane.filling = nullptr;
  lane.cv.notify_all();
}

void Engine::on_packet(const CapturedPacket& p) {
  if (p.ts_us > last_ts_us_) last_ts_us_ = p.ts_us;
  if (first_ts_us_ == 0) first_ts_us_ = p.ts_us;
  if (inline_) {
    workers_[0]->handle(p);
    return;
  }
  // Pick the lane from the address pair (see symmetric_host_pair_hash).
  size_t lane_idx = 0;
  DecodeResult r = decode_frame(p.link, std::span<const uint8_t>(p.data, p.cap_len), p.wire_len,
                                p.ts_us, scratch_, scratch_counters_);
  if (r == DecodeResult::kOk || scratch_.ip_version != 0) {
    lane_idx = symmetric_host_pair_hash(scratch_.src, scratch_.dst) % lanes_.size();
  }
  Lane& lane = *lanes_[lane_idx];
  if (lane.filling && (lane.filling->used + p.cap_len > lane.filling->arena.size() ||
                       lane.filling->metas.size() >= cfg_.batch_packets)) {
    submit(lane);
  }
  if (!lane.filling) {
    std::unique_lock lk(lane.mu);
    lane.cv.wait(lk, [&] { return !lane.free.empty(); });
    lane.filling = lane.free.front();
    lane.free.pop_front();
  }
  Batch& b = *lane.filling;
  size_t len = std::min<size_t>(p.cap_len, b.arena.size());
  std::memcpy(b.arena.data() + b.used, p.data, len);
  b.metas.push_back({p.link, p.ts_us, static_cast<uint32_t>(len), p.wire_len, b.used});
  b.used += len;
}

WorkerCounters Engine::gather() {
  WorkerCounters total;
  for (Worker* w : workers_) {
    if (inline_) w->publish();
    total.merge(w->snapshot());
  }
  if (services_.store()) total.filestore = services_.store()->counters();
  total.scan = services_.scan_counters();
  total.alerts = services_.alert_counts();
  total.hosts = services_.host_counters();
  // Host alerts are written by the tracker; count them with the others.
  auto add = [&](EventId id, uint64_t n) {
    if (n) total.alerts[static_cast<uint32_t>(id)] += n;
  };
  add(EventId::kHostBackdoorListener, total.hosts.alerts_listener);
  add(EventId::kHostBackdoorUpload, total.hosts.alerts_upload);
  add(EventId::kHostBackdoorSweep, total.hosts.alerts_sweep);
  add(EventId::kHostMassMailing, total.hosts.alerts_mass_mailing);
  add(EventId::kHostInfected, total.hosts.alerts_infected);
  return total;
}

void Engine::emit_stats(int64_t ts_us, PacketSource& src, bool final) {
  if (!cfg_.eve_enabled) return;
  WorkerCounters w = gather();
  int64_t uptime = first_ts_us_ ? (ts_us - first_ts_us_) / 1'000'000 : 0;
  const CaptureStats cap = src.stats();
  Json j = build_stats_record(ts_us, uptime, worker_count(), cap, w);
  if (cap.live) {
    // Change since the previous stats record, so a SIEM can alert on drops per interval.
    Json& c = j["stats"]["capture"];
    c["kernel_packets_delta"] = cap.kernel_packets - reported_capture_.kernel_packets;
    c["kernel_drops_delta"] = cap.kernel_drops - reported_capture_.kernel_drops;
    c["kernel_ifdrops_delta"] = cap.kernel_ifdrops - reported_capture_.kernel_ifdrops;
    reported_capture_ = cap;
  }
  Json outs = out_.sink_stats();
  if (!outs.empty()) j["stats"]["outputs"] = std::move(outs);
  if (cfg_.smtp_enabled) j["stats"]["mail"] = services_.mail().to_json(ts_us, final);
  out_.emit("stats", eve_dump(j));
}

void Engine::maybe_emit_stats(int64_t now_us, PacketSource& src) {
  if (cfg_.stats_interval_s <= 0 || now_us == 0) return;
  const int64_t interval = cfg_.stats_interval_s * 1'000'000;
  if (next_stats_us_ == 0) {
    next_stats_us_ = (now_us / interval + 1) * interval;
    return;
  }
  if (now_us >= next_stats_us_) {
    emit_stats(now_us, src);
    // Live: a SIEM tailing eve.json gets each interval's records (and drop deltas) now,
    // not when the stdio buffer happens to fill.
    if (src.live()) out_.flush();
    next_stats_us_ = (now_us / interval + 1) * interval;
  }
}

EngineTotals Engine::run(PacketSource& src) {
  auto wall0 = std::chrono::steady_clock::now();
  const size_t burst = cfg_.batch_packets;
  if (queue_mode_) run_queues(dynamic_cast<MultiQueueSource&>(src));
  while (!queue_mode_ && !stop_.load(std::memory_order_relaxed)) {
    if (hup_.exchange(false, std::memory_order_relaxed)) {
      out_.reopen();
      if (services_.scan()) services_.scan()->request_reload();
    }
    size_t n = src.next_burst(burst, *this);
    if (n == 0) {
      if (src.done()) break;
      if (src.live()) {
        // Idle live link: packet time stands still, so wall time drives stats.
        auto now = std::chrono::system_clock::now().time_since_epoch();
        int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
        if (inline_) workers_[0]->tick(now_us);
        maybe_emit_stats(now_us, src);
      }
      continue;
    }
    if (inline_) {
      workers_[0]->tick(last_ts_us_);
      services_.host_progress(0, workers_[0]->last_ts_us());  // host tracker watermark
    }
    maybe_emit_stats(last_ts_us_, src);
  }
  // Drain: hand over partial batches, let workers finish, end every flow.
  if (!inline_ && !queue_mode_) {
    for (auto& l : lanes_) submit(*l);
    for (auto& l : lanes_) {
      {
        std::lock_guard lk(l->mu);
        l->closing = true;
      }
      l->cv.notify_all();
      l->thread.join();
    }
  }
  for (Worker* w : workers_) {
    w->expire_now(last_ts_us_);
    w->finish();
  }
  services_.drain();  // every file's verdict and records before the final stats
  EngineTotals t;
  t.capture = src.stats();
  t.workers = gather();
  t.first_ts_us = first_ts_us_;
  t.last_ts_us = last_ts_us_;
  t.mail = services_.mail().totals();
  emit_stats(last_ts_us_ ? last_ts_us_ : first_ts_us_, src, /*final=*/true);
  out_.flush();
  t.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return t;
}

}  // namespace ww

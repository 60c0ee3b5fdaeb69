#pragma once
// The packet loop: a capture source feeds bursts; with one worker the capture
// thread runs the worker inline (no copy, fully deterministic); with N workers
// the capture thread copies each frame into the batch of the worker that owns
// its address pair and hands full batches over bounded queues.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sensor/capture/packet_source.h"
#include "sensor/config/config.h"
#include "sensor/output/sink.h"
#include "sensor/worker/worker.h"

namespace ww {

struct EngineTotals {
  CaptureStats capture;
  WorkerCounters workers;
  int64_t first_ts_us = 0;
  int64_t last_ts_us = 0;
  double wall_seconds = 0;
  MailCounts mail;  // messages and infected messages, by direction
};

// Worker threads the config asks for (engine.workers, 0 = one per core).
uint32_t effective_workers(const Config& cfg);

class Engine : public PacketHandler {
 public:
  // queue_workers > 0: multi-queue mode for a MultiQueueSource (DPDK) with that
  // many queues: one worker per queue, each polling its own queue on its own core
  // (no lanes, no copies); run() must then be given that source.
  Engine(const Config& cfg, OutputHub& out, uint32_t queue_workers = 0);
  ~Engine() override;

  // Runs `src` to its end or until stop(); emits periodic and final stats.
  EngineTotals run(PacketSource& src);
  // Async-signal-safe.
  void stop() { stop_.store(true, std::memory_order_relaxed); }
  // Async-signal-safe (SIGHUP): reopen log files, reload signatures.
  void request_reload() { hup_.store(true, std::memory_order_relaxed); }
  uint32_t worker_count() const { return static_cast<uint32_t>(workers_.size()); }

  void on_packet(const CapturedPacket& p) override;

 private:
  struct Batch {
    struct Meta {
      LinkType link;
      int64_t ts_us;
      uint32_t cap_len;
      uint32_t wire_len;
      size_t offset;
    };
    std::vector<uint8_t> arena;
    std::vector<Meta> metas;
    size_t used = 0;
    int64_t now_us = 0;   // the capture's packet time when the batch was handed over
  };
  struct Lane {
    std::unique_ptr<Worker> worker;
    std::thread thread;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Batch*> full;
    std::deque<Batch*> free;
    std::vector<std::unique_ptr<Batch>> owned;
    Batch* filling = nullptr;
    bool closing = false;
  };

  void lane_loop(Lane& lane);
  void run_queues(MultiQueueSource& src);
  void queue_loop(uint32_t q, MultiQueueSource& src);
  void submit(Lane& lane);
  void maybe_emit_stats(int64_t now_us, PacketSource& src);
  void emit_stats(int64_t ts_us, PacketSource& src, bool final = false);
  WorkerCounters gather();

  const Config& cfg_;
  OutputHub& out_;
  EngineServices services_;  // before the lanes: workers refer to it
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<Worker*> workers_;
  bool inline_ = true;
  bool queue_mode_ = false;
  // Multi-queue mode: the newest and first packet time over all queues.
  std::atomic<int64_t> queue_last_ts_us_{0};
  std::atomic<int64_t> queue_first_ts_us_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> hup_{false};
  int64_t first_ts_us_ = 0;
  int64_t last_ts_us_ = 0;
  int64_t next_stats_us_ = 0;
  CaptureStats reported_capture_;  // live counters at the previous stats record
  DecodedPacket scratch_;
  DecodeCounters scratch_counters_;
};

}  // namespace ww

#pragma once
// A worker owns everything on the packet path for its share of flows: decoder
// counters, flow table, protocol identification. Shared-nothing: the only
// thing it touches outside itself is the output hub (records) and its own
// published counter snapshot.

#include <cstdint>
#include <memory>
#include <mutex>
#include <array>

#include "reassembly/ip/defragmenter.h"
#include "reassembly/tcp/reassembly_memory.h"
#include "reassembly/tcp/tcp_reassembly_counters.h"
#include "sensor/capture/packet_source.h"
#include "sensor/config/config.h"
#include "sensor/decode/decoder.h"
#include "sensor/flow/flow_table.h"
#include "sensor/flow/ndpi_detector.h"
#include "sensor/output/sink.h"
#include "sensor/stats/engine_counters.h"
#include "sensor/worker/services.h"
#include "sensor/worker/smtp_app.h"
#include "sensor/worker/stream_app.h"

namespace ww {


class Worker : private ExtractedFileHandler {
 public:
  Worker(const Config& cfg, OutputHub& out, uint32_t id, EngineServices& services);
  ~Worker();

  void handle(const CapturedPacket& p);
  // Packet-time housekeeping (flow expiry); cheap, call often.
  void tick(int64_t now_us);
  // Ends, without rate limit, every flow idle past its timeout at `now_us`.
  void expire_now(int64_t now_us);
  // Ends every flow (records emitted) and publishes final counters.
  void finish();
  // Copies counters into the published snapshot (the worker's thread).
  void publish();
  // Reads the last published snapshot (any thread).
  WorkerCounters snapshot() const;
  int64_t last_ts_us() const { return last_ts_us_; }

 private:
  void handle_ip(DecodedPacket& p);
  bool wants_reassembly(const Flow& f) const;
  void attach_smtp(Flow& f, TcpStreamApp& app);
  void host_events(Flow& f, const DecodedPacket& p, bool to_server);
  void send_host_event(const Flow& f, HostEvent::Kind kind, int64_t ts_us, uint32_t count = 0,
                       bool magic = false, uint8_t flags = 0);
  void on_extracted(ExtractedFile&& x) override;
  void on_flow_end(Flow& f, FlowEndReason reason);
  void emit_flow_record(const Flow& f, FlowEndReason reason);
  void emit_anomaly(const Flow* f, const DecodedPacket* p, const char* type, const char* event,
                    const char* direction);

  const Config& cfg_;
  OutputHub& out_;
  uint32_t id_;
  EngineServices& services_;
  WorkerCounters c_;
  FlowTable flows_;
  std::unique_ptr<NdpiDetector> ndpi_;
  int64_t last_ts_us_ = 0;
  int64_t last_expire_us_ = 0;
  DecodedPacket pkt_;

  std::unique_ptr<ReassemblyMemory> reasm_mem_;
  ReassemblyCounters reasm_counters_;
  std::unique_ptr<Defragmenter> defrag_;
  std::vector<uint8_t> defrag_buf_;
  DecodedPacket defrag_pkt_;
  std::array<bool, 65536> reasm_port_{};
  std::array<bool, 65536> smtp_port_{};
  std::array<bool, 65536> smtp_count_port_{};
  uint64_t host_events_sent_ = 0;
  std::unique_ptr<SmtpAppEnv> smtp_env_;
  PolicyCounters policy_counters_;
  uint64_t reasm_flows_port_ = 0;
  uint64_t reasm_flows_ndpi_ = 0;
  uint64_t reasm_flows_released_ = 0;

  mutable std::mutex pub_mu_;
  WorkerCounters published_;
};

FlowTableConfig flow_table_config(const Config& cfg);

}  // namespace ww

#include "sensor/worker/worker.h"

#include <fmt/format.h>

#include "sensor/output/eve.h"

namespace ww {

FlowTableConfig flow_table_config(const Config& cfg) {
  FlowTableConfig f;
  f.max_flows = cfg.max_flows;
  auto s = [](int64_t sec) { return sec * 1'000'000; };
  f.timeout_us = {s(cfg.timeout_tcp_new_s),        s(cfg.timeout_tcp_established_s),
                  s(cfg.timeout_tcp_closed_s),     s(cfg.timeout_udp_new_s),
                  s(cfg.timeout_udp_established_s), s(cfg.timeout_icmp_s),
                  s(cfg.timeout_other_s)};
  return f;
}

Worker::Worker(const Config& cfg, OutputHub& out, uint32_t id)
    : cfg_(cfg),
      out_(out),
      id_(id),
      flows_(flow_table_config(cfg), [this](Flow& f, FlowEndReason r) { on_flow_end(f, r); }) {
  if (cfg.ndpi_enabled) ndpi_ = std::make_unique<NdpiDetector>(cfg.ndpi_max_packets);
}

Worker::~Worker() { finish(); }

void Worker::handle(const CapturedPacket& cp) {
  c_.packets++;
  c_.bytes += cp.wire_len;
  DecodeResult r = decode_frame(cp.link, std::span<const uint8_t>(cp.data, cp.cap_len),
                                cp.wire_len, cp.ts_us, pkt_, c_.decode);
  if (cp.ts_us > last_ts_us_) last_ts_us_ = cp.ts_us;
  tick(last_ts_us_);   // expire before lookup, so an idle flow is not revived
  if (r != DecodeResult::kOk) return;
  if (pkt_.frag.is_fragment) return;   // defragmentation comes with reassembly/ip

  bool to_server = true;
  Flow& f = flows_.track(pkt_, &to_server);
  if (f.pkts_toserver + f.pkts_toclient == 1 && (pkt_.l4_proto == 1 || pkt_.l4_proto == 58)) {
    f.icmp_type = pkt_.icmp_type;
    f.icmp_code = pkt_.icmp_code;
  }
  if (ndpi_ && !f.app_done && (f.proto == 6 || f.proto == 17)) ndpi_->process(f, pkt_);
}

void Worker::tick(int64_t now_us) {
  // Expiry walks only list heads, but there is no point doing it more often
  // than once per second of packet time.
  if (now_us - last_expire_us_ >= 1'000'000) {
    flows_.expire(now_us);
    last_expire_us_ = now_us;
  }
}

void Worker::expire_now(int64_t now_us) {
  flows_.expire(now_us);
  last_expire_us_ = now_us;
}

void Worker::finish() {
  flows_.end_all(FlowEndReason::shutdown);
  publish();
}

void Worker::publish() {
  std::lock_guard lk(pub_mu_);
  published_.packets = c_.packets;
  published_.bytes = c_.bytes;
  published_.decode = c_.decode;
  published_.flow = flows_.counters();
  if (ndpi_) published_.ndpi = ndpi_->counters();
  published_.app_proto_flows = c_.app_proto_flows;
}

WorkerCounters Worker::snapshot() const {
  std::lock_guard lk(pub_mu_);
  return published_;
}

void Worker::on_flow_end(Flow& f, FlowEndReason reason) {
  if (ndpi_) ndpi_->release(f);
  if (f.app_proto[0]) c_.app_proto_flows[f.app_proto]++;
  if (cfg_.flow_records && cfg_.eve_enabled) emit_flow_record(f, reason);
}

void Worker::emit_flow_record(const Flow& f, FlowEndReason reason) {
  EveEndpoints ep;
  ep.src_ip = f.client_ip;
  ep.dest_ip = f.server_ip;
  ep.src_port = f.client_port;
  ep.dest_port = f.server_port;
  if (f.proto == 1 || f.proto == 58) {
    ep.src_port = f.icmp_type;
    ep.dest_port = f.icmp_code;
  }
  ep.proto = f.proto;
  ep.vlan = f.vlan;
  std::string_view app = f.app_proto_name();
  Json j = eve_header(f.last_ts_us, f.flow_id, "flow", ep, app);
  Json fl;
  fl["pkts_toserver"] = f.pkts_toserver;
  fl["pkts_toclient"] = f.pkts_toclient;
  fl["bytes_toserver"] = f.bytes_toserver;
  fl["bytes_toclient"] = f.bytes_toclient;
  fl["start"] = format_eve_timestamp(f.first_ts_us);
  fl["end"] = format_eve_timestamp(f.last_ts_us);
  fl["age"] = (f.last_ts_us - f.first_ts_us) / 1'000'000;
  const char* state = "new";
  if (f.proto == 6) {
    if (f.tcp_state == TcpState::kClosed) state = "closed";
    else if (f.tcp_state >= TcpState::kEstablished) state = "established";
  } else if (f.pkts_toserver && f.pkts_toclient) {
    state = "established";
  }
  fl["state"] = state;
  fl["reason"] = flow_end_reason_name(reason);
  fl["alerted"] = false;
  j["flow"] = std::move(fl);
  if (f.proto == 6) {
    Json t;
    t["tcp_flags"] = fmt::format("{:02x}", f.tcp_flags_ts | f.tcp_flags_tc);
    t["tcp_flags_ts"] = fmt::format("{:02x}", f.tcp_flags_ts);
    t["tcp_flags_tc"] = fmt::format("{:02x}", f.tcp_flags_tc);
    const uint8_t all = f.tcp_flags_ts | f.tcp_flags_tc;
    if (all & tcp_flag::kSyn) t["syn"] = true;
    if (all & tcp_flag::kFin) t["fin"] = true;
    if (all & tcp_flag::kRst) t["rst"] = true;
    if (all & tcp_flag::kPsh) t["psh"] = true;
    if (all & tcp_flag::kAck) t["ack"] = true;
    if (all & tcp_flag::kUrg) t["urg"] = true;
    t["state"] = tcp_state_name(f.tcp_state);
    if (f.midstream) t["midstream"] = true;
    j["tcp"] = std::move(t);
  }
  out_.emit("flow", eve_dump(j));
}

}  // namespace ww

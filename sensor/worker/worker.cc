#include "sensor/worker/worker.h"

#include <fmt/format.h>

#include <algorithm>

#include "sensor/output/eve.h"
#include "sensor/worker/stream_app.h"

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

Worker::Worker(const Config& cfg, OutputHub& out, uint32_t id, EngineServices& services)
    : cfg_(cfg),
      out_(out),
      id_(id),
      services_(services),
      flows_(flow_table_config(cfg), [this](Flow& f, FlowEndReason r) { on_flow_end(f, r); }) {
  if (cfg.ndpi_enabled) ndpi_ = std::make_unique<NdpiDetector>(cfg.ndpi_max_packets);
  if (cfg.reassembly_enabled) {
    reasm_mem_ = std::make_unique<ReassemblyMemory>(cfg.tcp_reassembly.memcap);
    for (uint16_t port : cfg.reassembly_ports) reasm_port_[port] = true;
    if (cfg.smtp_enabled) {
      for (uint16_t port : cfg.smtp_ports) smtp_port_[port] = true;
      smtp_env_ = std::make_unique<SmtpAppEnv>(cfg, out, last_ts_us_);
      smtp_env_->store = services.store();
      smtp_env_->files_out = this;
      smtp_env_->mail = &services.mail();
    }
  }
  if (cfg.defrag_enabled) defrag_ = std::make_unique<Defragmenter>(cfg.defrag);
  for (uint16_t port : cfg.smtp_count_ports) smtp_count_port_[port] = true;
  if (smtp_env_ && services.hosts_on()) {
    smtp_env_->on_message = [this](const Flow& f, uint32_t recipients) {
      send_host_event(f, HostEvent::Kind::kSmtpMessage, last_ts_us_, recipients);
    };
  }
}

namespace {
// Host events already sent for a flow (Flow::host_flags).
enum HostFlag : uint8_t {
  kHostSynAck = 1,
  kHostClientData = 2,
  kHostServerData = 4,
  kHostSmtp = 8,
  kHostHandshake = 16,
};
}  // namespace

void Worker::send_host_event(const Flow& f, HostEvent::Kind kind, int64_t ts_us, uint32_t count,
                             bool magic, uint8_t flags) {
  HostEvent e;
  e.kind = kind;
  e.ts_us = ts_us;
  e.flow_id = f.flow_id;
  e.client = f.client_ip;
  e.server = f.server_ip;
  e.client_port = f.client_port;
  e.server_port = f.server_port;
  e.count = count;
  e.magic = magic;
  e.flags = flags;
  services_.host_event(id_, e);
  host_events_sent_++;
}

// Connection facts the host tracker needs, for TCP flows on a backdoor port or
// SMTP only: a few events per flow, never one per packet.
void Worker::host_events(Flow& f, const DecodedPacket& p, bool to_server) {
  const bool backdoor = cfg_.hosts.backdoor_ports.contains(f.server_port);
  const bool smtp = smtp_count_port_[f.server_port] || f.app_proto_name() == "smtp";
  if (!backdoor && !smtp) return;
  const uint8_t fl = p.tcp.flags;
  const bool syn = fl & tcp_flag::kSyn, ack = fl & tcp_flag::kAck;
  if (smtp && !(f.host_flags & kHostSmtp)) {
    f.host_flags |= kHostSmtp;
    send_host_event(f, HostEvent::Kind::kSmtpSession, p.ts_us);
  }
  if (!backdoor) return;
  if (syn && !ack && to_server) {
    send_host_event(f, HostEvent::Kind::kSyn, p.ts_us);
  } else if (syn && ack && !to_server && !(f.host_flags & kHostSynAck)) {
    f.host_flags |= kHostSynAck;
    send_host_event(f, HostEvent::Kind::kSynAck, p.ts_us);
  } else if (!syn && ack && to_server && (f.host_flags & kHostSynAck) &&
             !(f.host_flags & kHostHandshake)) {
    f.host_flags |= kHostHandshake;
    send_host_event(f, HostEvent::Kind::kHandshake, p.ts_us);
  }
  if (!p.payload.empty()) {
    if (to_server && !(f.host_flags & kHostClientData)) {
      f.host_flags |= kHostClientData;
      const bool magic = p.payload.size() >= sizeof kMyDoomMagic &&
                         std::equal(std::begin(kMyDoomMagic), std::end(kMyDoomMagic), p.payload.begin());
      const uint8_t answered = (f.host_flags & (kHostSynAck | kHostServerData)) || f.pkts_toclient
                                   ? HostEvent::kServerAnswered : 0;
      send_host_event(f, HostEvent::Kind::kClientPayload, p.ts_us, 0, magic, answered);
    } else if (!to_server && !(f.host_flags & kHostServerData)) {
      f.host_flags |= kHostServerData;
      send_host_event(f, HostEvent::Kind::kServerPayload, p.ts_us);
    }
  }
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
  if (pkt_.frag.is_fragment) {
    if (!defrag_) return;
    DefragResult dr = defrag_->add(pkt_, defrag_buf_);
    for (size_t i = 0; i < kDefragAnomalyCount; ++i) {
      if (dr.has(static_cast<DefragAnomaly>(i)))
        emit_anomaly(nullptr, &pkt_, "defrag", defrag_anomaly_name(static_cast<DefragAnomaly>(i)),
                     nullptr);
    }
    if (dr.status != DefragStatus::kComplete) return;
    // The whole datagram, rebuilt as a raw IP packet, takes the normal path.
    DecodeResult r2 = decode_frame(LinkType::kRaw, {defrag_buf_.data(), defrag_buf_.size()},
                                   static_cast<uint32_t>(defrag_buf_.size()), cp.ts_us,
                                   defrag_pkt_, c_.decode);
    if (r2 != DecodeResult::kOk || defrag_pkt_.frag.is_fragment) return;
    handle_ip(defrag_pkt_);
    return;
  }
  handle_ip(pkt_);
}

bool Worker::wants_reassembly(const Flow& f) const {
  if (!reasm_mem_ || f.proto != 6) return false;
  return cfg_.reassembly_all_tcp || reasm_port_[f.server_port];
}

void Worker::handle_ip(DecodedPacket& p) {
  bool to_server = true;
  Flow& f = flows_.track(p, &to_server);
  const bool first = f.pkts_toserver + f.pkts_toclient == 1;
  if (first && (p.l4_proto == 1 || p.l4_proto == 58)) {
    f.icmp_type = p.icmp_type;
    f.icmp_code = p.icmp_code;
  }
  if (first && f.proto == 6 && reasm_mem_) {
    // A flow on a reassembled port is reassembled for good. Any other TCP flow is
    // reassembled speculatively while nDPI looks at it, so that SMTP on any port
    // (2525, 3127, ...) keeps its first bytes; it is released once nDPI decides
    // it is something else.
    const bool by_port = wants_reassembly(f);
    if (by_port || (ndpi_ && !f.app_done)) {
      auto app = std::make_unique<TcpStreamApp>(cfg_.tcp_reassembly, *reasm_mem_, reasm_counters_,
                                                cfg_.reassembly_stream_hashes);
      app->speculative = !by_port;
      if (by_port) reasm_flows_port_++;
      if (by_port && smtp_env_ && smtp_port_[f.server_port]) attach_smtp(f, *app);
      f.app = std::move(app);
    }
  }
  if (ndpi_ && !f.app_done && (f.proto == 6 || f.proto == 17)) ndpi_->process(f, p);
  if (f.proto != 6) return;
  if (services_.hosts_on()) host_events(f, p, to_server);
  // One type check per packet (it was two).
  auto* app = dynamic_cast<TcpStreamApp*>(f.app.get());
  if (app && app->speculative && f.app_done) {
    if (f.app_proto_name() == "smtp") {
      app->speculative = false;
      reasm_flows_ndpi_++;
      if (smtp_env_) attach_smtp(f, *app);
    } else {
      app->reassembler().release();
      f.app.reset();
      app = nullptr;
      reasm_flows_released_++;
    }
  }
  if (app) {
    const Direction dir = to_server ? Direction::to_server : Direction::to_client;
    app->reassembler().on_packet(dir, p);
    if (uint32_t bits = app->take_new_anomalies(dir)) {
      const uint32_t overlap = 1u << static_cast<unsigned>(TcpAnomaly::overlap_different_data);
      if (bits & overlap)
        emit_anomaly(&f, &p, "stream", "overlap_different_data", direction_name(dir));
    }
  }
}

void Worker::attach_smtp(Flow& f, TcpStreamApp& app) {
  if (app.upper()) return;
  app.attach(std::make_unique<SmtpFlowApp>(*smtp_env_, f));
}

void Worker::on_extracted(ExtractedFile&& x) {
  services_.submit_file(std::move(x), policy_counters_);
}

void Worker::emit_anomaly(const Flow* f, const DecodedPacket* p, const char* type,
                          const char* event, const char* direction) {
  if (!cfg_.eve_enabled) return;
  EveEndpoints ep;
  if (f) {
    ep.src_ip = f->client_ip;
    ep.dest_ip = f->server_ip;
    ep.src_port = f->client_port;
    ep.dest_port = f->server_port;
    ep.proto = f->proto;
    ep.vlan = f->vlan;
  } else if (p) {
    ep.src_ip = p->src;
    ep.dest_ip = p->dst;
    ep.proto = p->l4_proto;
    ep.vlan = p->vlan_count ? p->vlan[0] : 0;
  }
  Json j = eve_header(p ? p->ts_us : last_ts_us_, f ? f->flow_id : 0, "anomaly", ep,
                      f ? f->app_proto_name() : std::string_view());
  Json a;
  a["type"] = type;
  a["event"] = event;
  if (direction) a["direction"] = direction;
  j["anomaly"] = std::move(a);
  out_.emit("anomaly", eve_dump(j));
}

void Worker::tick(int64_t now_us) {
  // Expiry walks only list heads, but there is no point doing it more often
  // than once per second of packet time.
  if (now_us - last_expire_us_ >= 1'000'000) {
    flows_.expire(now_us);
    if (defrag_) defrag_->on_timeout(now_us);
    last_expire_us_ = now_us;
  }
}

void Worker::expire_now(int64_t now_us) {
  if (defrag_) defrag_->on_timeout(now_us);
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
  published_.reassembly = reasm_counters_;
  published_.reassembly_flows_port = reasm_flows_port_;
  published_.reassembly_flows_ndpi = reasm_flows_ndpi_;
  published_.reassembly_flows_released = reasm_flows_released_;
  if (reasm_mem_) {
    published_.reassembly_memory_high_water = reasm_mem_->high_water();
    published_.reassembly_memcap_hits = reasm_mem_->hits();
  }
  if (defrag_) published_.defrag = defrag_->counters();
  if (smtp_env_) {
    published_.smtp_sessions = smtp_env_->sessions;
    published_.smtp_records = smtp_env_->smtp_records;
    published_.smtp = smtp_env_->smtp;
    published_.mime = smtp_env_->mime;
    published_.files = smtp_env_->files;
    published_.policy = policy_counters_;
  }
  published_.app_proto_flows = c_.app_proto_flows;
  published_.host_events = host_events_sent_;
}

WorkerCounters Worker::snapshot() const {
  std::lock_guard lk(pub_mu_);
  return published_;
}

void Worker::on_flow_end(Flow& f, FlowEndReason reason) {
  if (ndpi_) ndpi_->release(f);
  if (auto* app = dynamic_cast<TcpStreamApp*>(f.app.get()); app && app->speculative) {
    // nDPI decided only now, at the end (giving up): keep the streams of SMTP.
    if (f.app_proto_name() == "smtp") {
      app->speculative = false;
      reasm_flows_ndpi_++;
      if (smtp_env_) attach_smtp(f, *app);
    } else {
      app->reassembler().release();
      f.app.reset();
      reasm_flows_released_++;
    }
  }
  if (auto* app = dynamic_cast<TcpStreamApp*>(f.app.get())) {
    // Evicted flows are released without flushing: the table needs the room now,
    // and what was buffered behind holes is counted, not delivered.
    if (reason == FlowEndReason::evicted) app->reassembler().release();
    else app->reassembler().finish();
  }
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
    if (auto* app = dynamic_cast<const TcpStreamApp*>(f.app.get())) {
      Json st;
      for (Direction d : {Direction::to_server, Direction::to_client}) {
        const auto& fa = app->facts(d);
        const auto info = app->reassembler().stream_info(d);
        Json o;
        o["bytes"] = fa.bytes;
        o["gaps"] = fa.gaps;
        o["gap_bytes"] = fa.gap_bytes;
        if (info.depth_dropped_bytes) o["depth_dropped_bytes"] = info.depth_dropped_bytes;
        if (!fa.sha256.empty()) o["sha256"] = fa.sha256;
        Json an = Json::array();
        for (size_t i = 0; i < kTcpAnomalyCount; ++i)
          if (app->anomalies(d) & (1u << i)) an.push_back(tcp_anomaly_name(static_cast<TcpAnomaly>(i)));
        if (!an.empty()) o["anomalies"] = std::move(an);
        st[d == Direction::to_server ? "toserver" : "toclient"] = std::move(o);
      }
      j["stream"] = std::move(st);
    }
  }
  out_.emit("flow", eve_dump(j));
}

}  // namespace ww

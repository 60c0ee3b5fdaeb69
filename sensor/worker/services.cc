#include "sensor/worker/services.h"

#include <spdlog/spdlog.h>

namespace ww {

Json make_alert_record(const Json& base, EventId id, std::string_view detail) {
  const EventInfo& e = event_info(id);
  Json j = base;
  j["event_type"] = "alert";
  Json a;
  a["action"] = "allowed";
  a["gid"] = 1;
  a["signature_id"] = e.id;
  a["rev"] = 1;
  std::string sig(e.signature);
  if (!detail.empty()) sig += ": " + std::string(detail);
  a["signature"] = sig;
  a["category"] = std::string(e.category);
  a["severity"] = e.severity;
  j["alert"] = std::move(a);
  return j;
}

struct EngineServices::PendingFile {
  Json record;
  std::vector<PolicyHit> hits;
  Filestore::Writer store;
  std::string sha256;
  IpAddress sender, server;
  uint16_t sender_port = 0, server_port = 0;
  int64_t ts_us = 0;
  uint64_t flow_id = 0;
  bool host_deferred = false;  // the host tracker waits for this verdict
  std::shared_ptr<MailTally> message;
};

EngineServices::EngineServices(const Config& cfg, OutputHub& out, uint32_t workers)
    : cfg_(cfg), out_(out), workers_(workers), mail_(cfg.stats_mail_interval_s) {
  if (cfg.hosts_enabled) {
    // One producer per worker; infected-attachment events are deferred (see finish).
    const bool eve = cfg.eve_enabled;
    hosts_ = std::make_unique<HostTrackerThread>(
        cfg.hosts, workers,
        [&out, eve](std::string_view type, std::string line) {
          if (eve) out.emit(type, line);
        },
        /*live=*/!cfg.interface.empty());
    hosts_->start();
  }
  if (cfg.files.store_mode != FilestoreMode::none || cfg.files.store_eml) {
    std::string dir = cfg.files.store_dir;
    if (dir.empty()) dir = (cfg.log_dir.empty() ? std::string(".") : cfg.log_dir) + "/filestore";
    store_ = std::make_unique<Filestore>(dir, cfg.files.store_max_file_bytes,
                                         cfg.files.store_quota_bytes);
  }
  if (cfg.smtp_enabled && cfg.scan.enabled) {
    scan_ = std::make_unique<ScanService>(
        cfg.scan,
        [this](ScanJob&& job, const ScanVerdict& v) {
          auto p = std::static_pointer_cast<PendingFile>(job.ctx);
          finish(*p, &v);
        },
        [](bool ok, const std::string& msg) {
          if (ok) spdlog::info("signatures reloaded: {}", msg);
          else spdlog::error("signature reload failed, old signatures kept: {}", msg);
        });
  }
}

EngineServices::~EngineServices() { drain(); }

void EngineServices::drain() {
  if (drained_) return;
  drained_ = true;
  if (scan_) scan_->drain();
  if (hosts_) hosts_->stop();  // drains the queues, then the final inventory
}

HostCounters EngineServices::host_counters() const {
  return hosts_ ? hosts_->counters() : HostCounters{};
}

void EngineServices::submit_file(ExtractedFile&& x, PolicyCounters& pc) {
  auto p = std::make_shared<PendingFile>();
  FileReport& f = x.file;
  if (cfg_.policy.enabled) {
    AttachmentFacts facts;
    facts.file_name = f.name;
    facts.declared_type = f.declared_type;
    facts.sniffed_type = f.sniffed_type;
    facts.data = f.data;
    p->hits = evaluate(facts, cfg_.policy, &pc);
    // Every name the part declared is judged: an attacker must not pick the one we see.
    for (const auto& alt : f.alternate_names) {
      facts.file_name = alt;
      for (auto& h : evaluate(facts, cfg_.policy, &pc)) {
        bool dup = false;
        for (const auto& have : p->hits) dup = dup || have.event == h.event;
        if (!dup) p->hits.push_back(std::move(h));
      }
    }
  }
  p->record = std::move(x.record);
  p->store = std::move(f.store);
  p->sha256 = f.hashes.sha256;
  p->sender = x.sender;
  p->server = x.server;
  p->sender_port = x.sender_port;
  p->server_port = x.server_port;
  p->ts_us = x.ts_us;
  p->flow_id = p->record.value("flow_id", uint64_t{0});
  // The host tracker holds its packet-time watermark here until the verdict is known
  // (finish resolves it), so an infected attachment is ordered with the packets.
  p->host_deferred = hosts_ && scan_;
  if (p->host_deferred) hosts_->defer(p->ts_us);
  p->message = std::move(x.message);

  if (!scan_) {
    finish(*p, nullptr);
    return;
  }
  ScanJob job;
  job.sha256_hex = f.hashes.sha256;
  job.data = std::move(f.data);
  job.file_name = f.name;
  job.ctx = p;
  scan_->submit(std::move(job));  // Done (finish) runs inline or on a scanner thread
}

void EngineServices::finish(PendingFile& p, const ScanVerdict* v) {
  Json& fi = p.record["fileinfo"];
  if (v) {
    Json s;
    s["status"] = scan_status_name(v->status);
    if (!v->signature.empty()) s["signature"] = v->signature;
    if (v->cache_hit) s["cache_hit"] = true;
    if (!v->error.empty()) s["error"] = v->error;
    s["engine"] = v->engine_generation;
    fi["scan"] = std::move(s);
  }
  const bool infected = v && v->infected();
  const bool alerted = infected || !p.hits.empty();
  if (p.host_deferred) {
    p.host_deferred = false;
    HostEvent e;
    e.kind = HostEvent::Kind::kInfectedAttachment;
    e.ts_us = p.ts_us;
    e.flow_id = p.flow_id;
    e.client = p.sender;  // the flow of the mail that carried it: the alert's header
    e.server = p.server;
    e.client_port = p.sender_port;
    e.server_port = p.server_port;
    hosts_->resolve(p.ts_us, infected ? &e : nullptr);
  }
  if (p.message) {
    mail_.file_done(*p.message, infected);
    p.message.reset();
  }
  if (!p.hits.empty()) {
    Json pol = Json::array();
    for (const auto& h : p.hits) pol.push_back(event_info(h.event).id);
    fi["policy"] = std::move(pol);
  }
  if (store_ && p.store.open()) {
    const bool keep = cfg_.files.store_mode == FilestoreMode::all ||
                      (cfg_.files.store_mode == FilestoreMode::alerted && alerted);
    if (keep) {
      fi["stored"] = true;  // the sidecar says so too
      auto r = store_->commit(p.store, p.sha256, "", eve_dump(p.record));
      if (r != Filestore::Commit::stored && r != Filestore::Commit::duplicate) fi["stored"] = false;
    } else {
      store_->discard(p.store);
    }
  }
  if (!cfg_.eve_enabled) return;
  out_.emit("fileinfo", eve_dump(p.record));
  std::vector<Json> alerts;
  if (infected) alerts.push_back(make_alert_record(p.record, v->event(), v->signature));
  for (const auto& h : p.hits) alerts.push_back(make_alert_record(p.record, h.event, h.detail));
  for (auto& a : alerts) {
    a.erase("tx_id");  // keep tx_id inside fileinfo; Suricata alerts carry it top-level too
    a["tx_id"] = p.record.value("tx_id", 0);
    {
      std::lock_guard lk(alerts_mu_);
      alerts_[a["alert"]["signature_id"].get<uint32_t>()]++;
    }
    out_.emit("alert", eve_dump(a));
  }
}

ScanCounters EngineServices::scan_counters() const { return scan_ ? scan_->counters() : ScanCounters{}; }

std::map<uint32_t, uint64_t> EngineServices::alert_counts() const {
  std::lock_guard lk(alerts_mu_);
  return alerts_;
}

}  // namespace ww

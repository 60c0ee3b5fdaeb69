#pragma once
// What every worker shares, owned by the engine: the filestore, the scan service
// and the last step of every extracted file (attachment policy, scan verdict,
// the fileinfo record, alerts, the filestore decision). All thread-safe: workers
// submit files, scanner threads finish them.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "reassembly/files/filestore.h"
#include "rules/events.h"
#include "rules/hosts/host_tracker_thread.h"
#include "rules/policy/attachment_policy.h"
#include "rules/scan/scan_service.h"
#include "sensor/config/config.h"
#include "sensor/output/sink.h"
#include "sensor/stats/mail_stats.h"
#include "sensor/worker/smtp_app.h"

namespace ww {

// An EVE alert record: `base` (a record with the flow header) with event_type
// "alert" and an `alert` object from the event catalogue.
Json make_alert_record(const Json& base, EventId id, std::string_view detail);

class EngineServices {
 public:
  // Builds what the config turns on. Throws std::runtime_error (ScanSetupError
  // among them) with an operator message: a filestore directory that cannot be
  // created, a missing signature directory, clamd unreachable, ...
  EngineServices(const Config& cfg, OutputHub& out, uint32_t workers);
  ~EngineServices();  // waits for scans in flight (their records are written)

  Filestore* store() const { return store_.get(); }
  ScanService* scan() const { return scan_.get(); }

  // A worker's finished file: the policy runs here (on the worker), the scan
  // asynchronously; the fileinfo record and alerts follow the verdict.
  void submit_file(ExtractedFile&& x, PolicyCounters& policy_counters);
  // Returns when every submitted file has its records written and the host
  // tracker has processed every event (its final inventory written). Once only.
  void drain();

  // A worker's connection event for the host tracker; never blocks (overflow counted).
  void host_event(uint32_t worker, const HostEvent& e) {
    if (hosts_) hosts_->try_push(worker, e);
  }
  // After each batch: `worker` has sent every host event (and submitted every
  // file) stamped before `ts_us`; the tracker orders events behind this watermark.
  void host_progress(uint32_t worker, int64_t ts_us) {
    if (hosts_) hosts_->advance(worker, ts_us);
  }
  bool hosts_on() const { return hosts_ != nullptr; }
  HostCounters host_counters() const;

  ScanCounters scan_counters() const;
  MailStats& mail() { return mail_; }
  std::map<uint32_t, uint64_t> alert_counts() const;

 private:
  struct PendingFile;
  void finish(PendingFile& p, const ScanVerdict* v);

  const Config& cfg_;
  OutputHub& out_;
  std::unique_ptr<Filestore> store_;
  std::unique_ptr<ScanService> scan_;
  std::unique_ptr<HostTrackerThread> hosts_;
  uint32_t workers_ = 1;
  bool drained_ = false;
  mutable std::mutex alerts_mu_;
  std::map<uint32_t, uint64_t> alerts_;
  MailStats mail_;
};

}  // namespace ww

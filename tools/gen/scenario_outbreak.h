#pragma once
// "office" and "outbreak": the mail of a 2004 office network with ground
// truth per message and per host.
//
// office: internal clients submit mail (benign attachments of many types)
// to the internal relay 10.1.0.25 on port 25 or 587 (EHLO, PIPELINING,
// several recipients); the relay delivers outbound to external MX hosts;
// background TCP/UDP/ICMP flows of the "mixed" scenario in between.
// outbreak: the same plus infected hosts that mail MyDoom-like messages
// straight to many external MX hosts (a configurable share of all mail),
// backdoor listeners on 3127-3198 that outside hosts connect to (some
// uploading data that starts with 85 13 3c 9e a2), and outside scanners
// sweeping port 3127 across the home network. The relay always sends more
// messages than any infected host (it must not be flagged as a mass mailer).

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tools/gen/mail_truth.h"
#include "tools/gen/scenario.h"
#include "tools/gen/scenario_mixed.h"

namespace ww::gen {

class Flow;

struct OutbreakConfig {
  bool outbreak = true;          // false: the "office" scenario
  uint64_t hosts = 40;           // internal mail clients
  uint64_t infected_hosts = 0;   // 0: max(1, hosts / 10)
  uint64_t messages = 200;       // mail transactions (ignored when size_bytes > 0)
  uint64_t size_bytes = 0;       // stop once the capture reaches this size
  uint64_t duration_s = 3600;    // about how long the capture lasts
  double infected_share = 0.25;  // of all mail transactions (outbreak only)
  uint32_t background_percent = 40;
  uint64_t scanners = 2;
  size_t concurrency = 20;
  uint64_t max_background_bytes = 512 * 1024;
};

class OutbreakScenario : public Scenario {
 public:
  OutbreakScenario(const ScenarioOptions& options, const OutbreakConfig& config);
  std::string name() const override { return cfg_.outbreak ? "outbreak" : "office"; }
  void run(PcapWriter& out, Manifest& manifest) override;

  enum class Kind : uint8_t { kSubmission, kRelayOut, kWorm, kBackdoorIn, kScanProbe, kBackground };
  struct Plan {
    Kind kind = Kind::kBackground;
    uint32_t transactions = 0;  // mail flows
    uint64_t scanner = 0;       // probes: which scanner
    bool to_listener = false;   // probes: the target listens on 3127
    uint64_t worm_host = 0;     // worm: which infected host (index into the office hosts)
    bool burst_next = false;    // worm: a later session of the host's mailing run
  };

 private:
  // Decides what the next flow is; keeps the infected share and the relay's
  // volume on target. A value type so a dry run can count flows in advance.
  struct Scheduler {
    Rng rng;
    bool outbreak = true;
    double share = 0.25;
    uint32_t background_percent = 40;
    uint64_t scanners = 0;
    bool have_3127_listener = false;
    uint64_t limit = 0;  // message target; 0 = unlimited
    uint64_t messages = 0, infected = 0, relay = 0, submitted = 0;
    uint64_t sweep_left = 0, sweep_scanner = 0, sweep_listener_at = 0;
    // Worm mail comes in mailing runs (one infected host, one session every few
    // seconds), the hosts taking turns; a run starts once the infected-share
    // quota is behind by half the run, so the share stays on target.
    uint64_t worm_hosts = 0;
    std::vector<uint32_t> runs;  // message target: every run's length, planned up front
    uint64_t runs_started = 0;
    uint32_t run_length = 0;     // the next or current run
    uint32_t run_left = 0;       // sessions still to send in the current run
    uint64_t run_host = 0;
    std::optional<Plan> next();
    void plan_runs();
  };

  std::unique_ptr<Flow> make_flow(const Plan& p, uint64_t id, int64_t start_us);
  std::unique_ptr<Flow> make_mail(const Plan& p, uint64_t id, int64_t start_us);
  std::unique_ptr<Flow> make_backdoor(bool from_scanner, uint64_t scanner, int64_t start_us);
  std::unique_ptr<Flow> make_probe(uint64_t scanner, int64_t start_us);

  OutbreakConfig cfg_;
  Rng rng_;
  AddressPlan plan_;
  Scheduler sched_;
  std::optional<Plan> pending_;
  int64_t mean_gap_us_ = 1'000'000;
  std::unique_ptr<MixedScenario> background_;
  MailLedger ledger_;
  std::vector<IpAddress> office_;    // mail clients, infected ones first
  std::vector<uint16_t> listen_port_;  // per infected host
  std::vector<IpAddress> scanners_;
};

}  // namespace ww::gen

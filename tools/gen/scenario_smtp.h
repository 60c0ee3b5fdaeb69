#pragma once
// "smtp": plain SMTP sessions (one short text mail each) from internal
// clients to one mail server on a configurable port, a few at a time. Used
// to check SMTP reassembly and that protocol identification labels SMTP by
// content, e.g. on port 2525.

#include <cstdint>
#include <memory>

#include "tools/gen/scenario.h"

namespace ww::gen {

class Flow;

struct SmtpConfig {
  uint16_t port = 25;
  uint64_t sessions = 10;
  size_t concurrency = 4;
};

class SmtpScenario : public Scenario {
 public:
  SmtpScenario(const ScenarioOptions& options, const SmtpConfig& config);
  std::string name() const override { return "smtp"; }
  void run(PcapWriter& out, Manifest& manifest) override;

 private:
  std::unique_ptr<Flow> make_session(uint64_t id, int64_t start_us);

  SmtpConfig cfg_;
  Rng rng_;
  AddressPlan plan_;
};

}  // namespace ww::gen

#pragma once
// "evasion": one SMTP session per case of a message crafted to make MIME and
// SMTP parsers disagree (continuations, duplicate or conflicting parameters
// and headers, malformed encodings, oversized lines, deep nesting, BDAT,
// pipelining, rejected data, mixed line ends, uuencode, nested zips, a
// declared type that lies). The manifest records, per case, every file a
// correct reading yields (`required`: true) and the files only an
// alternate reading yields (`required`: false). See NOTES.md for each case.

#include <cstdint>
#include <string>
#include <vector>

#include "tools/gen/mail_truth.h"
#include "tools/gen/scenario.h"

namespace ww::gen {

class Flow;

struct EvasionConfig {
  std::vector<std::string> cases;  // empty: all, in the catalogue's order
};

const std::vector<std::string>& evasion_case_names();

class EvasionScenario : public Scenario {
 public:
  EvasionScenario(const ScenarioOptions& options, const EvasionConfig& config);
  std::string name() const override { return "evasion"; }
  void run(PcapWriter& out, Manifest& manifest) override;

 private:
  std::unique_ptr<Flow> make_case(const std::string& name, uint64_t id, int64_t start_us);

  EvasionConfig cfg_;
  Rng rng_;
  AddressPlan plan_;
  MailLedger ledger_;
};

}  // namespace ww::gen

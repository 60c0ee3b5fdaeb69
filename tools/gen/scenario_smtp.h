#pragma once
// "smtp": plain SMTP sessions (one short text mail each) from internal
// clients to one mail server on a configurable port, a few at a time. Used
// to check SMTP reassembly and that protocol identification labels SMTP by
// content, e.g. on port 2525.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tools/gen/mail_truth.h"
#include "tools/gen/scenario.h"

namespace ww::gen {

class Flow;

// A file from disk sent as the attachment of one session (`wwgen smtp --attach`).
struct SmtpAttachFile {
  std::string path;
  std::string name;                  // file name in the mail (default: the path's base name)
  std::string encoding = "base64";  // base64, quoted-printable, 7bit, binary, zip (stored zip, base64)
  bool infected = true;              // the manifest's truth: the caller knows what the file is
};

struct SmtpConfig {
  uint16_t port = 25;
  uint64_t sessions = 10;
  size_t concurrency = 4;
  // Non-empty: one session per file (sessions = files), each a multipart mail
  // carrying it; the manifest gets "mail" and "hosts" as for the mail scenarios.
  std::vector<SmtpAttachFile> attach;
};
// Parses "PATH[:ENCODING[:NAME]]"; throws std::invalid_argument naming the problem.
SmtpAttachFile parse_attach_spec(const std::string& spec, bool infected);

class SmtpScenario : public Scenario {
 public:
  SmtpScenario(const ScenarioOptions& options, const SmtpConfig& config);
  std::string name() const override { return "smtp"; }
  void run(PcapWriter& out, Manifest& manifest) override;

 private:
  std::unique_ptr<Flow> make_session(uint64_t id, int64_t start_us);
  std::unique_ptr<Flow> make_attach_session(uint64_t id, int64_t start_us);

  SmtpConfig cfg_;
  Rng rng_;
  AddressPlan plan_;
  MailLedger ledger_;
};

}  // namespace ww::gen

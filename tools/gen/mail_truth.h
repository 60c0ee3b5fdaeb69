#pragma once
// Collects the mail ground truth of a scenario while flows are made, and
// writes the manifest's "mail" object once the capture is done (only then
// are the flows' packet times, hence the MAIL FROM times, known).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/gen/manifest.h"
#include "tools/gen/mime_builder.h"

namespace ww::gen {

struct MailTransactionTruth {
  std::string mail_from;
  std::vector<std::string> rcpt_to;  // accepted recipients
  std::string subject;               // decoded UTF-8
  bool accepted = true;              // false: the server rejected the message after its data
  std::string evasion_case;          // empty: null in the manifest
  std::vector<mime::Attachment> attachments;
};

class MailLedger {
 public:
  // Records the transactions of flow `flow_id` (in the order they are sent;
  // each was marked with TcpFlow::mark at its MAIL FROM). Hashes are taken
  // now and the bytes dropped. Returns the flow's short app_truth.
  nlohmann::ordered_json add(uint64_t flow_id, const std::string& helo,
                             const std::vector<MailTransactionTruth>& txs);
  // The manifest's "mail" object: transactions of every flow that was
  // written whole (a flow cut by --size counts under "cut_transactions"),
  // ordered by the time of their MAIL FROM.
  nlohmann::ordered_json build(const Manifest& m, double infected_share) const;

 private:
  struct Entry {
    std::string helo;
    std::vector<nlohmann::ordered_json> txs;  // without client/server/ts
  };
  std::map<uint64_t, Entry> entries_;
};

}  // namespace ww::gen

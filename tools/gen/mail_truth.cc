#include "tools/gen/mail_truth.h"

#include <algorithm>
#include <tuple>

#include "tools/gen/time_format.h"

namespace ww::gen {

nlohmann::ordered_json MailLedger::add(uint64_t flow_id, const std::string& helo,
                                       const std::vector<MailTransactionTruth>& txs) {
  Entry e;
  e.helo = helo;
  nlohmann::ordered_json small;
  small["helo"] = helo;
  auto& arr = small["transactions"] = nlohmann::ordered_json::array();
  for (const auto& t : txs) {
    nlohmann::ordered_json j;
    j["mail_from"] = t.mail_from;
    j["rcpt_to"] = t.rcpt_to;
    j["subject"] = t.subject;
    j["accepted"] = t.accepted;
    bool infected = false;
    auto& atts = j["attachments"] = nlohmann::ordered_json::array();
    for (const auto& a : t.attachments) {
      atts.push_back(a.to_json());
      infected = infected || a.infected;
    }
    j["infected"] = infected;
    j["evasion_case"] = t.evasion_case.empty() ? nlohmann::ordered_json(nullptr)
                                               : nlohmann::ordered_json(t.evasion_case);
    arr.push_back({{"mail_from", t.mail_from},
                   {"rcpt_to", t.rcpt_to},
                   {"subject", t.subject},
                   {"accepted", t.accepted},
                   {"infected", infected},
                   {"attachments", t.attachments.size()}});
    e.txs.push_back(std::move(j));
  }
  entries_[flow_id] = std::move(e);
  return small;
}

nlohmann::ordered_json MailLedger::build(const Manifest& m, double infected_share) const {
  struct Row {
    int64_t ts;
    uint64_t flow;
    size_t index;
    nlohmann::ordered_json j;
  };
  std::vector<Row> rows;
  uint64_t cut = 0;
  for (const auto& f : m.flows()) {
    const auto it = entries_.find(f.id);
    if (it == entries_.end()) continue;
    const Entry& e = it->second;
    if (f.end == FlowEnd::kNone) {  // cut by the size limit
      cut += e.txs.size();
      continue;
    }
    for (size_t i = 0; i < e.txs.size() && i < f.marks_us.size(); ++i) {
      nlohmann::ordered_json j;
      j["client"] = format_ip(f.client_ip);
      j["client_port"] = f.client_port;
      j["server"] = format_ip(f.server_ip);
      j["server_port"] = f.server_port;
      j["helo"] = e.helo;
      for (const auto& [k, v] : e.txs[i].items()) {
        if (k == "attachments" || k == "infected" || k == "evasion_case") continue;
        j[k] = v;
      }
      j["infected"] = e.txs[i]["infected"];
      j["evasion_case"] = e.txs[i]["evasion_case"];
      j["ts"] = eve_timestamp(f.marks_us[i]);
      j["flow_id"] = f.id;
      j["attachments"] = e.txs[i]["attachments"];
      rows.push_back({f.marks_us[i], f.id, i, std::move(j)});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.ts, a.flow, a.index) < std::tie(b.ts, b.flow, b.index);
  });
  nlohmann::ordered_json mail;
  uint64_t infected = 0;
  for (const auto& r : rows) infected += r.j["infected"].get<bool>();
  mail["messages"] = rows.size();
  mail["infected_messages"] = infected;
  // The share of the messages actually in the capture (a message count or size limit can
  // end the schedule early); the share asked for is kept beside it.
  mail["infected_share"] =
      rows.empty() ? 0.0 : static_cast<double>(infected) / static_cast<double>(rows.size());
  mail["requested_infected_share"] = infected_share;
  mail["cut_transactions"] = cut;
  auto& arr = mail["transactions"] = nlohmann::ordered_json::array();
  for (auto& r : rows) arr.push_back(std::move(r.j));
  return mail;
}

}  // namespace ww::gen

#pragma once
// Internal: the aggregator's state, shared by report.cc (ingest, JSON,
// terminal) and html_report.cc (the page). Everything here is bounded: maps
// have caps with counters of what the cap refused, top tables are Space-Saving.

#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "sensor/report/home_net.h"
#include "sensor/report/report.h"
#include "sensor/report/top_counter.h"

namespace ww {

using Json = nlohmann::ordered_json;

namespace report {

enum Direction : uint8_t { kInbound, kOutbound, kInternal, kExternal, kDirections };
inline constexpr const char* kDirectionNames[kDirections] = {"inbound", "outbound", "internal",
                                                             "external"};

struct MailCounts {
  std::array<uint64_t, kDirections> messages{};
  std::array<uint64_t, kDirections> infected{};
  uint64_t total_messages() const {
    uint64_t n = 0;
    for (auto v : messages) n += v;
    return n;
  }
  uint64_t total_infected() const {
    uint64_t n = 0;
    for (auto v : infected) n += v;
    return n;
  }
  void add(const MailCounts& o) {
    for (size_t i = 0; i < kDirections; ++i)
      messages[i] += o.messages[i], infected[i] += o.infected[i];
  }
};

inline double share(uint64_t part, uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

struct TxKey {
  uint64_t flow_id;
  uint64_t tx_id;
  bool operator==(const TxKey&) const = default;
};
struct TxKeyHash {
  size_t operator()(const TxKey& k) const {
    return std::hash<uint64_t>()(k.flow_id * 0x9E3779B97F4A7C15ull ^ k.tx_id);
  }
};

// A transaction whose smtp record and fileinfo records have not all been seen.
struct OpenTx {
  int64_t ts_us = 0;       // the smtp record's packet time
  int64_t touched_us = 0;  // last record about it (packet time), for the age limit
  std::string src_ip;      // the sending client
  uint32_t files_seen = 0;
  uint32_t files_expected = 0;  // email.files of the smtp record
  Direction dir = kExternal;
  bool smtp_seen = false;
  bool message = false;  // smtp.data present
  bool has_ts = false;
  bool infected_pending = false;  // an infected file arrived before the smtp record
  bool infected_counted = false;
  std::list<TxKey>::iterator lru;
};

struct InfectedHost {
  std::string ip;
  bool from_alert = false;  // a 1002005 alert was seen (else only an inventory)
  int64_t verdict_us = 0;   // the alert's time
  std::string first_seen, last_seen;
  std::vector<std::string> signs;
  std::vector<uint16_t> listener_ports;
  uint64_t sessions_total = 0, messages_total = 0, recipients_total = 0, distinct_servers_total = 0;
  uint64_t infected_attachments = 0;
  std::string infected_attachments_first;
};

struct Listener {
  std::string ip;
  uint16_t port = 0;
  std::string first_seen, last_seen;
  uint64_t connections = 0, peer_count = 0;
  std::vector<std::string> peers;
  bool data_exchanged = false;
  uint64_t alerts = 0;
  uint64_t uploads = 0;  // 1002002 alerts to this host and port
  std::string last_uploader;
};

struct Sweep {
  std::string ip;
  bool home = false;
  uint64_t alerts = 0;
  uint64_t targets = 0, targets_total = 0, probes = 0;
  bool targets_total_exact = true;
  std::vector<uint16_t> ports;
  std::vector<std::string> targets_sample;
  std::string first_seen, last_seen;
};

struct MassMailer {
  std::string ip;
  uint64_t alerts = 0;
  std::vector<std::string> triggers;
  uint64_t distinct_servers = 0, sessions = 0, recipients = 0;  // in the alert's window
  uint64_t sessions_total = 0, messages_total = 0, recipients_total = 0, distinct_servers_total = 0;
  std::vector<std::string> servers_sample;
  std::string first_seen, last_seen;
};

struct AlertKind {
  uint64_t count = 0;
  int severity = 0;
  std::string name;       // catalogue key without the leading k ("ScanMalware")
  std::string signature;  // catalogue signature text (or the first record's, unknown ids)
  std::string category;
};

// A bounded map from key to row: at the cap new keys are refused and counted.
template <typename K, typename V>
struct CappedMap {
  std::map<K, V> rows;
  uint64_t refused = 0;
  V* get(const K& k, size_t cap) {
    if (auto it = rows.find(k); it != rows.end()) return &it->second;
    if (rows.size() >= cap) {
      ++refused;
      return nullptr;
    }
    return &rows[k];
  }
};

struct JoinCounters {
  uint64_t joined_after_smtp = 0;      // infected files that arrived after their smtp record
  uint64_t joined_before_smtp = 0;     // ... before it
  uint64_t evicted_capacity = 0;       // keys dropped at max_open_transactions
  uint64_t evicted_age = 0;            // keys dropped after open_transaction_timeout_s
  uint64_t files_without_message = 0;  // fileinfo records whose smtp record never came
  uint64_t infected_files_without_message = 0;
  uint64_t duplicate_smtp = 0;    // a second smtp record for an open key
  uint64_t smtp_without_key = 0;  // no flow_id/tx_id: counted, never joined
  uint64_t high_water = 0;
};

}  // namespace report

struct ReportAggregator::State {
  explicit State(const ReportOptions& o);

  const ReportOptions& opts;
  mutable std::mutex mu;
  report::HomeNet home;

  // Records.
  uint64_t lines = 0;
  uint64_t bad_lines = 0;
  uint64_t bad_timestamps = 0;
  std::map<std::string, uint64_t, std::less<>> by_type;  // at most 64 types, then "other"
  std::optional<int64_t> first_us, last_us;              // record time range

  // Mail.
  uint64_t smtp_records = 0;
  uint64_t untimed_messages = 0;  // messages without a usable timestamp (totals only)
  report::MailCounts totals;
  int64_t interval_s;  // effective (may have been widened)
  uint32_t widenings = 0;
  std::map<int64_t, report::MailCounts> intervals;  // key: start / interval_s
  std::map<int64_t, report::MailCounts> days;       // key: UTC day number
  uint64_t days_dropped = 0;

  // Join of fileinfo to smtp.
  std::unordered_map<report::TxKey, report::OpenTx, report::TxKeyHash> open;
  std::list<report::TxKey> lru;  // least recently touched first
  report::JoinCounters join;

  // Files.
  uint64_t files = 0;
  std::map<std::string, uint64_t> scan_status;  // clean, infected, error, skipped, none, other
  report::TopCounter names, types, hashes, signatures, infected_senders, infected_subjects;

  // Alerts.
  uint64_t alerts = 0;
  std::map<uint32_t, report::AlertKind> alert_kinds;  // at most 256 ids
  uint64_t alert_kinds_refused = 0;
  report::TopCounter alert_signatures;

  // Hosts.
  report::CappedMap<std::string, report::InfectedHost> infected;
  report::CappedMap<std::pair<std::string, uint16_t>, report::Listener> listeners;
  report::CappedMap<std::string, report::Sweep> sweeps;
  report::CappedMap<std::string, report::MassMailer> mass_mailers;
  uint64_t host_records = 0;

  // Capture health: the last stats record, kept as text and parsed on demand.
  std::string last_stats;
  uint64_t stats_records = 0;

  // Ingest (mu held).
  void ingest(std::string_view type, std::string_view line);
  std::optional<int64_t> record_time(const nlohmann::json& j);
  void on_smtp(const nlohmann::json& j);
  void on_fileinfo(const nlohmann::json& j);
  void on_alert(const nlohmann::json& j);
  void on_host(const nlohmann::json& j);
  void count_message(const report::OpenTx& tx);
  void count_infected(report::OpenTx& tx, std::string_view subject);
  void add_to_bucket(int64_t ts_us, report::Direction d, bool infected);
  void touch(const report::TxKey& k, report::OpenTx& tx, int64_t now);
  void close_if_done(const report::TxKey& k);
  void evict_open(int64_t now);
  void drop_open(std::unordered_map<report::TxKey, report::OpenTx, report::TxKeyHash>::iterator it);
  report::Direction direction(std::string_view src, std::string_view dst) const;
  void update_listener(const std::string& ip, const nlohmann::json& l, bool alert);

  // Rendering helpers (mu held).
  struct IntervalRow {
    int64_t start_us;
    report::MailCounts counts;
  };
  std::vector<IntervalRow> interval_rows() const;  // first..last, gaps as zeros
  std::vector<IntervalRow> day_rows() const;       // first..last day kept, gaps as zeros
  Json capture_health() const;                     // from last_stats; null if none
  Json summary_locked() const;
  std::vector<const report::InfectedHost*> infected_sorted() const;
};

}  // namespace ww

#include "sensor/report/report.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "rules/events.h"
#include "sensor/report/eve_time.h"
#include "sensor/report/html_text.h"
#include "sensor/report/report_state.h"

namespace ww {

using nlohmann::json;
using report::Direction;
using report::OpenTx;
using report::TxKey;

namespace {

constexpr size_t kMaxEventTypes = 64;
constexpr size_t kMaxAlertKinds = 256;
constexpr size_t kMaxSample = 10;
constexpr size_t kMaxPorts = 8;

// Field access that never throws: a missing or mistyped field reads as empty.
const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
const json& object(const json& j, const char* key) {
  static const json kEmpty = json::object();
  const json* m = member(j, key);
  return m && m->is_object() ? *m : kEmpty;
}
std::string_view str(const json& j, const char* key) {
  const json* m = member(j, key);
  return m && m->is_string() ? std::string_view(m->get_ref<const std::string&>())
                             : std::string_view{};
}
std::optional<uint64_t> unum(const json& j, const char* key) {
  const json* m = member(j, key);
  if (!m) return std::nullopt;
  if (m->is_number_unsigned()) return m->get<uint64_t>();
  if (m->is_number_integer() && m->get<int64_t>() >= 0)
    return static_cast<uint64_t>(m->get<int64_t>());
  return std::nullopt;
}
uint64_t num(const json& j, const char* key) { return unum(j, key).value_or(0); }
bool flag(const json& j, const char* key) {
  const json* m = member(j, key);
  return m && m->is_boolean() && m->get<bool>();
}
std::vector<std::string> strings(const json& j, const char* key, size_t max) {
  std::vector<std::string> out;
  const json* m = member(j, key);
  if (!m || !m->is_array()) return out;
  for (const auto& v : *m) {
    if (out.size() >= max) break;
    if (v.is_string())
      out.push_back(report::repair_utf8(v.get_ref<const std::string&>()).substr(0, 256));
  }
  return out;
}
std::vector<uint16_t> ports(const json& j, const char* key) {
  std::vector<uint16_t> out;
  const json* m = member(j, key);
  if (!m || !m->is_array()) return out;
  for (const auto& v : *m)
    if (v.is_number_unsigned() && out.size() < kMaxPorts) out.push_back(v.get<uint16_t>());
  return out;
}
void keep_min(std::string& cur, std::string_view v) {
  if (!v.empty() && (cur.empty() || v < cur)) cur = v;
}
void keep_max(std::string& cur, std::string_view v) {
  if (!v.empty() && v > cur) cur = v;
}
void keep_max(uint64_t& cur, uint64_t v) { cur = std::max(cur, v); }

// The event_type of an EVE line without parsing it: `"event_type":"x"`, white
// space allowed around the colon. Empty when absent.
std::string_view sniff_event_type(std::string_view line) {
  constexpr std::string_view kKey = "\"event_type\"";
  size_t p = line.find(kKey);
  if (p == std::string_view::npos) return {};
  p += kKey.size();
  while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
  if (p >= line.size() || line[p] != ':') return {};
  ++p;
  while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
  if (p >= line.size() || line[p] != '"') return {};
  const size_t start = ++p;
  while (p < line.size() && line[p] != '"' && line[p] != '\\') ++p;
  if (p >= line.size() || line[p] != '"' || p - start > 32) return {};
  return line.substr(start, p - start);
}

bool parsed_type(std::string_view t) {
  return t == "smtp" || t == "fileinfo" || t == "alert" || t == "host";
}

}  // namespace

// ---------------------------------------------------------------------------
// Options

std::string validate_report_options(const ReportOptions& o) {
  if (o.interval_s < 1 || o.interval_s > 366 * 86400)
    return fmt::format("report interval {} s is out of range (1 s to 366 days)", o.interval_s);
  if (o.top_n < 1 || o.top_n > 10000)
    return fmt::format("report top_n {} is out of range (1 to 10000)", o.top_n);
  if (o.top_capacity < o.top_n)
    return fmt::format("report top_capacity {} must be at least top_n ({})", o.top_capacity,
                       o.top_n);
  if (o.max_open_transactions < 1 || o.max_intervals < 2 || o.max_days < 1 || o.max_hosts < 1)
    return "report limits (max_open_transactions, max_intervals >= 2, max_days, max_hosts) must "
           "be positive";
  if (o.open_transaction_timeout_s < 1)
    return "report open_transaction_timeout_s must be at least 1 s";
  report::HomeNet h;
  std::string err;
  for (const auto& e : o.home_net)
    if (!h.add(e, &err)) return err;
  return {};
}

ReportAggregator::State::State(const ReportOptions& o)
    : opts(o),
      interval_s(o.interval_s),
      names(o.top_capacity),
      types(o.top_capacity),
      hashes(o.top_capacity),
      signatures(o.top_capacity),
      infected_senders(o.top_capacity),
      infected_subjects(o.top_capacity),
      alert_signatures(o.top_capacity) {
  std::string err;
  if (o.home_net.empty()) {
    home.add(report::kDefaultHomeNet, &err);
  } else {
    for (const auto& e : o.home_net) home.add(e, &err);
  }
}

ReportAggregator::ReportAggregator(ReportOptions opts) : opts_(std::move(opts)) {
  if (auto err = validate_report_options(opts_); !err.empty()) throw std::invalid_argument(err);
  st_ = std::make_unique<State>(opts_);
}

ReportAggregator::~ReportAggregator() = default;

// ---------------------------------------------------------------------------
// Ingest

void ReportAggregator::write(std::string_view event_type, std::string_view line) {
  std::lock_guard lk(st_->mu);
  st_->ingest(event_type, line);
}

bool ReportAggregator::feed_line(std::string_view line, std::string* error) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  std::lock_guard lk(st_->mu);
  auto bad = [&](std::string why) {
    ++st_->lines;
    ++st_->bad_lines;
    if (error) *error = std::move(why);
    return false;
  };
  if (line.size() < 2 || line.front() != '{' || line.back() != '}')
    return bad("not a JSON object (a record is one {...} per line; the line may be cut)");
  std::string_view type = sniff_event_type(line);
  if (type.empty()) {
    // Unusual spacing or escapes: find the type the slow way.
    json j = json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad("not valid JSON");
    std::string t(str(j, "event_type"));
    if (t.empty()) return bad("no event_type");
    const uint64_t before = st_->bad_lines;
    st_->ingest(t, line);
    return st_->bad_lines == before;
  }
  const uint64_t before = st_->bad_lines;
  st_->ingest(type, line);
  if (st_->bad_lines != before) {
    if (error) {
      try {
        const json parsed = json::parse(line.begin(), line.end());
        (void)parsed;
        *error = fmt::format("{} record without the expected fields", type);
      } catch (const json::parse_error& e) {
        *error = fmt::format("not valid JSON ({})", e.what());
      }
    }
    return false;
  }
  return true;
}

void ReportAggregator::State::ingest(std::string_view type, std::string_view line) {
  ++lines;
  if (auto it = by_type.find(type); it != by_type.end())
    ++it->second;
  else if (by_type.size() < kMaxEventTypes)
    by_type.emplace(std::string(type), 1);
  else
    ++by_type["other"];

  if (type == "stats") {
    last_stats.assign(line);
    ++stats_records;
    return;
  }
  if (!parsed_type(type)) return;
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    ++bad_lines;
    return;
  }
  if (type == "smtp")
    on_smtp(j);
  else if (type == "fileinfo")
    on_fileinfo(j);
  else if (type == "alert")
    on_alert(j);
  else
    on_host(j);
}

std::optional<int64_t> ReportAggregator::State::record_time(const json& j) {
  auto t = report::parse_eve_time(str(j, "timestamp"));
  if (!t) {
    ++bad_timestamps;
    return std::nullopt;
  }
  if (!first_us || *t < *first_us) first_us = *t;
  if (!last_us || *t > *last_us) last_us = *t;
  return t;
}

Direction ReportAggregator::State::direction(std::string_view src, std::string_view dst) const {
  const bool s = home.contains(src), d = home.contains(dst);
  if (s && d) return report::kInternal;
  if (s) return report::kOutbound;
  if (d) return report::kInbound;
  return report::kExternal;
}

void ReportAggregator::State::add_to_bucket(int64_t ts_us, Direction d, bool infected_msg) {
  const int64_t sec = report::floor_div(ts_us, 1000000);
  auto& c = intervals[report::floor_div(sec, interval_s)];
  (infected_msg ? c.infected : c.messages)[d]++;
  // Bounded: when the records span more than max_intervals intervals, every
  // interval doubles (buckets stay aligned to the epoch, so pairs merge).
  while (intervals.rbegin()->first - intervals.begin()->first + 1 >
         static_cast<int64_t>(opts.max_intervals)) {
    std::map<int64_t, report::MailCounts> wider;
    for (const auto& [k, v] : intervals) wider[report::floor_div(k, 2)].add(v);
    intervals.swap(wider);
    interval_s *= 2;
    ++widenings;
  }
  auto& day = days[report::floor_div(sec, 86400)];
  (infected_msg ? day.infected : day.messages)[d]++;
  while (days.size() > opts.max_days) {
    days.erase(days.begin());
    ++days_dropped;
  }
}

void ReportAggregator::State::count_message(const OpenTx& tx) {
  totals.messages[tx.dir]++;
  if (tx.has_ts)
    add_to_bucket(tx.ts_us, tx.dir, false);
  else
    ++untimed_messages;
}

void ReportAggregator::State::count_infected(OpenTx& tx, std::string_view subject) {
  if (!tx.message || tx.infected_counted) return;
  tx.infected_counted = true;
  totals.infected[tx.dir]++;
  if (tx.has_ts) add_to_bucket(tx.ts_us, tx.dir, true);
  if (!tx.src_ip.empty()) infected_senders.add(tx.src_ip, true);
  infected_subjects.add(subject.empty() ? std::string_view("(no subject)") : subject, true);
}

void ReportAggregator::State::touch(const TxKey& k, OpenTx& tx, int64_t now) {
  tx.touched_us = now;
  lru.splice(lru.end(), lru, tx.lru);
}

void ReportAggregator::State::drop_open(
    std::unordered_map<TxKey, OpenTx, report::TxKeyHash>::iterator it) {
  const OpenTx& tx = it->second;
  if (!tx.smtp_seen) {
    join.files_without_message += tx.files_seen;
    if (tx.infected_pending) ++join.infected_files_without_message;
  }
  lru.erase(tx.lru);
  open.erase(it);
}

void ReportAggregator::State::close_if_done(const TxKey& k) {
  auto it = open.find(k);
  if (it != open.end() && it->second.smtp_seen &&
      it->second.files_seen >= it->second.files_expected)
    drop_open(it);
}

void ReportAggregator::State::evict_open(int64_t now) {
  join.high_water = std::max<uint64_t>(join.high_water, open.size());
  while (open.size() > opts.max_open_transactions) {
    drop_open(open.find(lru.front()));
    ++join.evicted_capacity;
  }
  const int64_t horizon = now - opts.open_transaction_timeout_s * 1000000;
  while (!lru.empty()) {
    auto it = open.find(lru.front());
    if (it->second.touched_us >= horizon) break;
    drop_open(it);
    ++join.evicted_age;
  }
}

void ReportAggregator::State::on_smtp(const json& j) {
  ++smtp_records;
  const auto ts = record_time(j);
  const json& smtp = object(j, "smtp");
  const bool has_data = member(smtp, "data") != nullptr;
  OpenTx fresh;
  fresh.smtp_seen = true;
  fresh.message = has_data;
  fresh.has_ts = ts.has_value();
  fresh.ts_us = ts.value_or(0);
  fresh.src_ip = std::string(str(j, "src_ip").substr(0, 64));
  fresh.dir = direction(str(j, "src_ip"), str(j, "dest_ip"));
  fresh.files_expected =
      static_cast<uint32_t>(std::min<uint64_t>(num(object(j, "email"), "files"), 1u << 30));
  const auto flow_id = unum(j, "flow_id");
  const auto tx_id = unum(j, "tx_id");
  if (!flow_id || !tx_id) {
    ++join.smtp_without_key;
    if (has_data) count_message(fresh);
    return;
  }
  const TxKey key{*flow_id, *tx_id};
  const int64_t now = ts.value_or(last_us.value_or(0));
  auto it = open.find(key);
  if (it != open.end() && it->second.smtp_seen) {
    ++join.duplicate_smtp;  // the same capture appended twice, or a flow id reused
    drop_open(it);
    it = open.end();
  }
  if (it == open.end()) {
    lru.push_back(key);
    it = open.emplace(key, OpenTx{}).first;
    it->second.lru = std::prev(lru.end());
  }
  OpenTx& tx = it->second;
  const bool pending = tx.infected_pending;
  const uint32_t files_seen = tx.files_seen;
  const auto lru_it = tx.lru;
  tx = std::move(fresh);
  tx.files_seen = files_seen;
  tx.infected_pending = pending;
  tx.lru = lru_it;
  if (has_data) {
    count_message(tx);
    if (pending) {
      count_infected(tx, str(object(j, "email"), "subject"));
      ++join.joined_before_smtp;
    }
  }
  touch(key, tx, now);
  close_if_done(key);
  evict_open(now);
}

void ReportAggregator::State::on_fileinfo(const json& j) {
  ++files;
  const auto ts = record_time(j);
  const json& fi = object(j, "fileinfo");
  const json& scan = object(fi, "scan");
  std::string_view status = str(scan, "status");
  if (!member(fi, "scan"))
    ++scan_status["not_scanned"];
  else if (status == "clean" || status == "infected" || status == "error" || status == "skipped")
    ++scan_status[std::string(status)];
  else
    ++scan_status["other"];
  const bool infected_file = status == "infected";
  const std::string_view sig = str(scan, "signature");
  const std::string_view filename = str(fi, "filename");
  const std::string_view magic = str(fi, "magic");
  const std::string_view sha = str(fi, "sha256");
  const auto size = unum(fi, "size");
  names.add(filename.empty() ? std::string_view("(no name)") : filename, infected_file, sig);
  types.add(magic.empty() ? std::string_view("(unknown)") : magic, infected_file, sig);
  if (!sha.empty())
    hashes.add(sha, infected_file, sig, filename, size ? static_cast<int64_t>(*size) : -1, magic);
  if (infected_file && !sig.empty()) signatures.add(sig, true, {}, filename);

  const auto flow_id = unum(j, "flow_id");
  auto tx_id = unum(fi, "tx_id");
  if (!tx_id) tx_id = unum(j, "tx_id");
  if (!flow_id || !tx_id) {
    ++join.files_without_message;
    if (infected_file) ++join.infected_files_without_message;
    return;
  }
  const TxKey key{*flow_id, *tx_id};
  const int64_t now = ts.value_or(last_us.value_or(0));
  auto it = open.find(key);
  if (it == open.end()) {
    lru.push_back(key);
    it = open.emplace(key, OpenTx{}).first;
    it->second.lru = std::prev(lru.end());
  }
  OpenTx& tx = it->second;
  ++tx.files_seen;
  if (infected_file) {
    if (tx.smtp_seen) {
      if (tx.message && !tx.infected_counted) ++join.joined_after_smtp;
      count_infected(tx, str(object(j, "email"), "subject"));
    } else {
      tx.infected_pending = true;
    }
  }
  touch(key, tx, now);
  close_if_done(key);
  evict_open(now);
}

namespace {

void update_infected(report::InfectedHost& h, const json& host) {
  keep_min(h.first_seen, str(host, "first_seen"));
  keep_max(h.last_seen, str(host, "last_seen"));
  if (auto s = strings(host, "signs", 8); !s.empty()) h.signs = std::move(s);
  if (const json* ls = member(host, "listeners"); ls && ls->is_array()) {
    for (const auto& l : *ls) {
      auto p = unum(l, "port");
      if (!p || *p > 65535) continue;
      if (std::find(h.listener_ports.begin(), h.listener_ports.end(), *p) ==
              h.listener_ports.end() &&
          h.listener_ports.size() < kMaxPorts)
        h.listener_ports.push_back(static_cast<uint16_t>(*p));
    }
  }
  const json& mail = object(host, "mail");
  keep_max(h.sessions_total, num(mail, "sessions_total"));
  keep_max(h.messages_total, num(mail, "messages_total"));
  keep_max(h.recipients_total, num(mail, "recipients_total"));
  keep_max(h.distinct_servers_total, num(mail, "distinct_servers_total"));
  const json& att = object(host, "infected_attachments");
  keep_max(h.infected_attachments, num(att, "count"));
  keep_min(h.infected_attachments_first, str(att, "first_seen"));
}

void update_mass_mailer(report::MassMailer& m, const json& burst, const json& totals_from) {
  keep_min(m.first_seen, str(burst, "first_seen"));
  keep_max(m.last_seen, str(burst, "last_seen"));
  for (auto& t : strings(burst, "triggers", 4))
    if (std::find(m.triggers.begin(), m.triggers.end(), t) == m.triggers.end())
      m.triggers.push_back(std::move(t));
  keep_max(m.distinct_servers, num(burst, "distinct_servers"));
  keep_max(m.sessions, num(burst, "sessions"));
  keep_max(m.recipients, num(burst, "recipients"));
  if (auto s = strings(burst, "servers_sample", kMaxSample); !s.empty())
    m.servers_sample = std::move(s);
  keep_max(m.sessions_total, num(totals_from, "sessions_total"));
  keep_max(m.messages_total, num(totals_from, "messages_total"));
  keep_max(m.recipients_total, num(totals_from, "recipients_total"));
  keep_max(m.distinct_servers_total, num(totals_from, "distinct_servers_total"));
}

}  // namespace

void ReportAggregator::State::update_listener(const std::string& ip, const json& l, bool alert) {
  const auto port = unum(l, "port");
  if (!port || *port > 65535 || ip.empty()) return;
  auto* row = listeners.get({ip, static_cast<uint16_t>(*port)}, opts.max_hosts);
  if (!row) return;
  row->ip = ip;
  row->port = static_cast<uint16_t>(*port);
  if (alert) ++row->alerts;
  keep_min(row->first_seen, str(l, "first_seen"));
  keep_max(row->last_seen, str(l, "last_seen"));
  keep_max(row->connections, num(l, "connections"));
  keep_max(row->peer_count, num(l, "peer_count"));
  if (auto p = strings(l, "peers", kMaxSample); !p.empty()) row->peers = std::move(p);
  row->data_exchanged = row->data_exchanged || flag(l, "data_exchanged");
}

void ReportAggregator::State::on_alert(const json& j) {
  ++alerts;
  const auto ts = record_time(j);
  const json& a = object(j, "alert");
  const uint64_t id = num(a, "signature_id");
  const std::string_view sig = str(a, "signature");
  auto kind = alert_kinds.find(static_cast<uint32_t>(id));
  if (kind == alert_kinds.end() && alert_kinds.size() < kMaxAlertKinds && id <= UINT32_MAX) {
    report::AlertKind k;
    k.severity = static_cast<int>(num(a, "severity"));
    k.category = report::repair_utf8(str(a, "category").substr(0, 128));
    k.signature = report::repair_utf8(sig.substr(0, sig.find(": ")).substr(0, 200));
    k.name = fmt::format("sid {}", id);
    for (const auto& e : kEventCatalogue) {
      if (e.id != id) continue;
      k.name = std::string(e.key.substr(1));
      k.signature = std::string(e.signature);
      k.category = std::string(e.category);
      k.severity = e.severity;
    }
    kind = alert_kinds.emplace(static_cast<uint32_t>(id), std::move(k)).first;
  }
  if (kind != alert_kinds.end())
    ++kind->second.count;
  else
    ++alert_kinds_refused;
  if (!sig.empty()) alert_signatures.add(sig);

  const json& host = object(j, "host");
  const std::string ip(str(host, "ip").substr(0, 64));
  if (ip.empty()) return;
  switch (id) {
    case static_cast<uint32_t>(EventId::kHostInfected):
      if (auto* h = infected.get(ip, opts.max_hosts)) {
        h->ip = ip;
        if (!h->from_alert || (ts && *ts < h->verdict_us)) h->verdict_us = ts.value_or(0);
        h->from_alert = true;
        update_infected(*h, host);
      }
      break;
    case static_cast<uint32_t>(EventId::kHostBackdoorListener):
      update_listener(ip, host, true);
      break;
    case static_cast<uint32_t>(EventId::kHostBackdoorUpload): {
      const auto port = unum(host, "port");
      if (!port || *port > 65535) break;
      if (auto* row = listeners.get({ip, static_cast<uint16_t>(*port)}, opts.max_hosts)) {
        row->ip = ip;
        row->port = static_cast<uint16_t>(*port);
        ++row->uploads;
        if (auto c = str(host, "client"); !c.empty())
          row->last_uploader = std::string(c.substr(0, 64));
      }
      break;
    }
    case static_cast<uint32_t>(EventId::kHostBackdoorSweep):
      if (auto* s = sweeps.get(ip, opts.max_hosts)) {
        s->ip = ip;
        ++s->alerts;
        s->home = flag(host, "home");
        keep_max(s->targets, num(host, "targets"));
        if (num(host, "targets_total") >= s->targets_total) {
          s->targets_total = num(host, "targets_total");
          s->targets_total_exact = flag(host, "targets_total_exact");
        }
        keep_max(s->probes, num(host, "probes"));
        if (auto p = ports(host, "ports"); !p.empty()) s->ports = std::move(p);
        if (auto t = strings(host, "targets_sample", kMaxSample); !t.empty())
          s->targets_sample = std::move(t);
        keep_min(s->first_seen, str(host, "first_seen"));
        keep_max(s->last_seen, str(host, "last_seen"));
      }
      break;
    case static_cast<uint32_t>(EventId::kHostMassMailing):
      if (auto* m = mass_mailers.get(ip, opts.max_hosts)) {
        m->ip = ip;
        ++m->alerts;
        update_mass_mailer(*m, host, host);
      }
      break;
    default:
      break;
  }
}

void ReportAggregator::State::on_host(const json& j) {
  ++host_records;
  record_time(j);
  const json& host = object(j, "host");
  const std::string ip(str(host, "ip").substr(0, 64));
  if (ip.empty()) return;
  if (flag(host, "infected")) {
    if (auto* h = infected.get(ip, opts.max_hosts)) {
      h->ip = ip;
      update_infected(*h, host);
    }
  } else if (auto it = infected.rows.find(ip); it != infected.rows.end()) {
    update_infected(it->second, host);
  }
  if (const json* ls = member(host, "listeners"); ls && ls->is_array())
    for (const auto& l : *ls) update_listener(ip, l, false);
  const auto signs = strings(host, "signs", 8);
  if (std::find(signs.begin(), signs.end(), "mass_mailing") != signs.end()) {
    const json& mail = object(host, "mail");
    if (auto* m = mass_mailers.get(ip, opts.max_hosts)) {
      m->ip = ip;
      update_mass_mailer(*m, object(mail, "last_burst"), mail);
    }
  }
}

// ---------------------------------------------------------------------------
// Reading a file

ReportAggregator::FeedResult ReportAggregator::feed_file(const std::string& path) {
  FeedResult r;
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    r.error = fmt::format("cannot open EVE file {}: {}", path, std::strerror(errno));
    return r;
  }
  r.opened = true;
  constexpr size_t kMaxLine = size_t(64) << 20;
  std::vector<char> buf(1 << 20);
  std::string line;
  bool overlong = false;
  uint64_t line_no = 0;
  auto finish_line = [&] {
    ++line_no;
    std::string_view v(line);
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
    if (overlong) {
      ++r.lines;
      ++r.bad_lines;
      {
        std::lock_guard lk(st_->mu);
        ++st_->lines;
        ++st_->bad_lines;
      }
      if (r.bad_line_messages.size() < 10)
        r.bad_line_messages.push_back(fmt::format("line {}: longer than 64 MiB", line_no));
    } else if (!v.empty()) {
      ++r.lines;
      std::string why;
      if (!feed_line(v, &why)) {
        ++r.bad_lines;
        if (r.bad_line_messages.size() < 10)
          r.bad_line_messages.push_back(fmt::format("line {}: {}", line_no, why));
      }
    }
    line.clear();
    overlong = false;
  };
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    size_t start = 0;
    for (const char* nl; (nl = static_cast<const char*>(
                              std::memchr(buf.data() + start, '\n', n - start))) != nullptr;) {
      const size_t i = static_cast<size_t>(nl - buf.data());
      if (!overlong) line.append(buf.data() + start, i - start);
      if (line.size() > kMaxLine) overlong = true;
      finish_line();
      start = i + 1;
    }
    if (!overlong) line.append(buf.data() + start, n - start);
    if (line.size() > kMaxLine) {
      overlong = true;
      line.clear();
    }
  }
  const bool read_error = std::ferror(f);
  const int err = errno;
  if (!line.empty() || overlong) finish_line();
  if (f != stdin) std::fclose(f);
  if (read_error) {
    r.opened = false;
    r.error = fmt::format("cannot read EVE file {}: {}", path, std::strerror(err));
  }
  return r;
}

// ---------------------------------------------------------------------------
// Totals

uint64_t ReportAggregator::messages() const {
  std::lock_guard lk(st_->mu);
  return st_->totals.total_messages();
}

uint64_t ReportAggregator::infected_messages() const {
  std::lock_guard lk(st_->mu);
  return st_->totals.total_infected();
}

double ReportAggregator::infected_share() const {
  std::lock_guard lk(st_->mu);
  return report::share(st_->totals.total_infected(), st_->totals.total_messages());
}

// A sink the hub owns that forwards to an aggregator the caller owns.
namespace {
class ReportSinkRef : public RecordSink {
 public:
  explicit ReportSinkRef(ReportAggregator& a) : a_(a) {}
  void write(std::string_view event_type, std::string_view line) override {
    a_.write(event_type, line);
  }
  void flush() override {}
  std::string name() const override { return "report"; }

 private:
  ReportAggregator& a_;
};
}  // namespace

std::unique_ptr<RecordSink> make_report_sink(ReportAggregator& aggregator) {
  return std::make_unique<ReportSinkRef>(aggregator);
}

}  // namespace ww

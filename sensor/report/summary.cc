// The aggregate as JSON (summary()) and as terminal lines (terminal_summary()).

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "sensor/report/eve_time.h"
#include "sensor/report/html_text.h"
#include "sensor/report/report.h"
#include "sensor/report/report_state.h"

namespace ww {

using nlohmann::json;
using report::kDirectionNames;
using report::kDirections;

namespace {

constexpr size_t kMaxLimitRows = 64;

// Counter names that mean "a limit was hit / something was cut or lost"
// (stats leaves; docs/records.md). Anomaly kinds are not limits.
bool is_limit_counter(std::string_view path, std::string_view leaf) {
  if (path.find("anomalies") != std::string_view::npos) return false;
  if (leaf.find("high_water") != std::string_view::npos) return false;
  static constexpr std::string_view kWords[] = {
      "limit",  "truncated",     "evicted",      "dropped",   "drops",    "overflow",
      "memcap", "_cut",          "exceeded",     "too_large", "too_long", "too_many",
      "quota",  "depth_reached", "not_reported", "skipped",   "refused"};
  for (auto w : kWords)
    if (leaf.find(w) != std::string_view::npos) return true;
  return false;
}

void collect_limits(const json& j, const std::string& path, Json& out) {
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string p = path.empty() ? it.key() : path + "." + it.key();
    if (it->is_object()) {
      if (path.empty() && it.key() == "outputs") continue;  // reported as outputs_dropped
      collect_limits(*it, p, out);
    } else if (it->is_number_unsigned() && it->get<uint64_t>() > 0 &&
               is_limit_counter(p, it.key()) && out.size() < kMaxLimitRows) {
      out[p] = it->get<uint64_t>();
    }
  }
}

uint64_t u(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return 0;
    auto it = cur->find(k);
    if (it == cur->end()) return 0;
    cur = &*it;
  }
  return cur->is_number_unsigned() ? cur->get<uint64_t>() : 0;
}

Json counts_json(const report::MailCounts& c, bool with_directions) {
  Json o;
  o["messages"] = c.total_messages();
  o["infected_messages"] = c.total_infected();
  o["infected_share"] = report::share(c.total_infected(), c.total_messages());
  if (with_directions) {
    Json d = Json::object();
    for (size_t i = 0; i < kDirections; ++i)
      d[kDirectionNames[i]] = {{"messages", c.messages[i]}, {"infected_messages", c.infected[i]}};
    o["by_direction"] = std::move(d);
  }
  return o;
}

Json top_json(const report::TopCounter& t, size_t n, const char* key_name, const char* label_name,
              const char* detail_name, const char* extra_name) {
  Json rows = Json::array();
  for (const auto& e : t.top(n)) {
    Json r;
    r[key_name] = report::repair_utf8(e.key);
    r["count"] = e.count;
    if (e.error) r["count_error"] = e.error;
    r["infected"] = e.infected;
    if (label_name && !e.label.empty()) r[label_name] = report::repair_utf8(e.label);
    if (detail_name && !e.detail.empty()) r[detail_name] = report::repair_utf8(e.detail);
    if (extra_name && !e.extra.empty()) r[extra_name] = report::repair_utf8(e.extra);
    if (e.size >= 0) r["size"] = e.size;
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string pct(double v) { return fmt::format("{:.1f} %", v * 100.0); }

}  // namespace

std::vector<ReportAggregator::State::IntervalRow> ReportAggregator::State::interval_rows() const {
  std::vector<IntervalRow> out;
  if (intervals.empty()) return out;
  const int64_t first = intervals.begin()->first, last = intervals.rbegin()->first;
  out.reserve(static_cast<size_t>(last - first + 1));
  auto it = intervals.begin();
  for (int64_t k = first; k <= last; ++k) {
    IntervalRow r{k * interval_s * 1000000, {}};
    if (it != intervals.end() && it->first == k) r.counts = (it++)->second;
    out.push_back(r);
  }
  return out;
}

std::vector<ReportAggregator::State::IntervalRow> ReportAggregator::State::day_rows() const {
  std::vector<IntervalRow> out;
  if (days.empty()) return out;
  const int64_t first = days.begin()->first, last = days.rbegin()->first;
  const bool fill = last - first + 1 <= static_cast<int64_t>(opts.max_days);
  auto it = days.begin();
  for (int64_t k = first; k <= last && it != days.end(); ++k) {
    if (it->first == k) {
      out.push_back({k * 86400 * 1000000, (it++)->second});
    } else if (fill) {
      out.push_back({k * 86400 * 1000000, {}});
    } else {
      k = it->first - 1;
    }
  }
  return out;
}

Json ReportAggregator::State::capture_health() const {
  if (last_stats.empty()) return nullptr;
  json j = json::parse(last_stats, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("stats") || !j["stats"].is_object())
    return nullptr;
  const json& s = j["stats"];
  Json h;
  if (j.contains("timestamp") && j["timestamp"].is_string()) h["timestamp"] = j["timestamp"];
  h["stats_records"] = stats_records;
  h["uptime_s"] = u(s, {"uptime"});
  h["workers"] = u(s, {"workers"});
  h["packets"] = u(s, {"capture", "packets"});
  h["bytes"] = u(s, {"capture", "bytes"});
  h["kernel_drops"] = u(s, {"capture", "kernel_drops"});
  h["kernel_ifdrops"] = u(s, {"capture", "kernel_ifdrops"});
  h["files_truncated"] = u(s, {"capture", "files_truncated"});
  h["decoder_anomalies"] = u(s, {"decoder", "anomalies_total"});
  h["reassembly_gaps"] = u(s, {"reassembly", "gaps"});
  h["reassembly_gap_bytes"] = u(s, {"reassembly", "gap_bytes"});
  h["smtp_gaps"] = u(s, {"smtp", "gaps"});
  h["smtp_transactions_not_reported"] = u(s, {"smtp", "transactions_not_reported"});
  h["scan_skipped"] = u(s, {"scan", "skipped_queue_full"}) + u(s, {"scan", "skipped_too_large"}) +
                      u(s, {"scan", "skipped_disabled"});
  h["scan_errors"] = u(s, {"scan", "errors"});
  h["host_queue_overflow"] = u(s, {"hosts", "queue_overflow"});
  uint64_t out_dropped = 0;
  if (s.contains("outputs") && s["outputs"].is_object())
    for (const auto& [name, c] : s["outputs"].items()) out_dropped += u(c, {"dropped"});
  h["outputs_dropped"] = out_dropped;
  Json limits = Json::object();
  collect_limits(s, "", limits);
  h["limits_hit"] = std::move(limits);
  return h;
}

std::vector<const report::InfectedHost*> ReportAggregator::State::infected_sorted() const {
  std::vector<const report::InfectedHost*> v;
  for (const auto& [ip, h] : infected.rows) v.push_back(&h);
  std::sort(v.begin(), v.end(), [](auto* a, auto* b) {
    if (a->from_alert != b->from_alert) return a->from_alert;
    if (a->verdict_us != b->verdict_us) return a->verdict_us < b->verdict_us;
    return a->ip < b->ip;
  });
  return v;
}

Json ReportAggregator::State::summary_locked() const {
  Json o;
  Json rep;
  rep["format"] = "wormwatch-report";
  rep["version"] = 1;
  rep["title"] = report::repair_utf8(opts.title);
  rep["first"] = first_us ? Json(report::format_eve_time(*first_us)) : Json(nullptr);
  rep["last"] = last_us ? Json(report::format_eve_time(*last_us)) : Json(nullptr);
  rep["interval_s"] = interval_s;
  rep["interval_s_requested"] = opts.interval_s;
  rep["home_net"] = home.entries();
  o["report"] = std::move(rep);

  Json recs;
  recs["lines"] = lines;
  recs["bad_lines"] = bad_lines;
  recs["bad_timestamps"] = bad_timestamps;
  Json bt = Json::object();
  for (const auto& [k, v] : by_type) bt[report::repair_utf8(k)] = v;
  recs["by_type"] = std::move(bt);
  o["records"] = std::move(recs);

  Json mail = counts_json(totals, true);
  mail["smtp_records"] = smtp_records;
  mail["untimed_messages"] = untimed_messages;
  mail["top_infected_subjects"] =
      top_json(infected_subjects, opts.top_n, "subject", nullptr, nullptr, nullptr);
  o["mail"] = std::move(mail);

  Json iv = Json::array();
  for (const auto& r : interval_rows()) {
    Json row{{"start", report::format_eve_time(r.start_us)}};
    row.update(counts_json(r.counts, true));
    iv.push_back(std::move(row));
  }
  o["intervals"] = std::move(iv);
  Json dv = Json::array();
  for (const auto& r : day_rows()) {
    Json row{{"day", report::format_utc(r.start_us, false)}};
    row.update(counts_json(r.counts, true));
    dv.push_back(std::move(row));
  }
  o["days"] = std::move(dv);

  const size_t n = opts.top_n;
  Json fl;
  fl["files"] = files;
  Json ss = Json::object();
  for (const auto& [k, v] : scan_status) ss[k] = v;
  fl["scan"] = std::move(ss);
  fl["top_names"] = top_json(names, n, "name", "signature", nullptr, nullptr);
  fl["top_types"] = top_json(types, n, "type", "signature", nullptr, nullptr);
  fl["top_sha256"] = top_json(hashes, n, "sha256", "signature", "filename", "type");
  fl["top_signatures"] = top_json(signatures, n, "signature", nullptr, "filename", nullptr);
  o["files"] = std::move(fl);

  Json al;
  al["total"] = alerts;
  Json kinds = Json::array();
  for (const auto& [id, k] : alert_kinds)
    kinds.push_back({{"signature_id", id},
                     {"name", k.name},
                     {"signature", k.signature},
                     {"category", k.category},
                     {"severity", k.severity},
                     {"count", k.count}});
  al["by_signature_id"] = std::move(kinds);
  al["top_signatures"] = top_json(alert_signatures, n, "signature", nullptr, nullptr, nullptr);
  o["alerts"] = std::move(al);

  Json hosts;
  Json inf = Json::array();
  for (const auto* h : infected_sorted()) {
    Json r{{"ip", h->ip}, {"verdict_alert", h->from_alert}};
    r["verdict"] = h->from_alert ? Json(report::format_eve_time(h->verdict_us)) : Json(nullptr);
    r["first_seen"] = h->first_seen;
    r["last_seen"] = h->last_seen;
    r["signs"] = h->signs;
    r["listener_ports"] = h->listener_ports;
    r["mail"] = {{"sessions_total", h->sessions_total},
                 {"messages_total", h->messages_total},
                 {"recipients_total", h->recipients_total},
                 {"distinct_servers_total", h->distinct_servers_total}};
    r["infected_attachments"] = h->infected_attachments;
    inf.push_back(std::move(r));
  }
  hosts["infected"] = std::move(inf);
  Json ls = Json::array();
  for (const auto& [k, l] : listeners.rows)
    ls.push_back({{"ip", l.ip},
                  {"port", l.port},
                  {"alerts", l.alerts},
                  {"uploads", l.uploads},
                  {"last_uploader", l.last_uploader},
                  {"first_seen", l.first_seen},
                  {"last_seen", l.last_seen},
                  {"connections", l.connections},
                  {"peer_count", l.peer_count},
                  {"peers", l.peers},
                  {"data_exchanged", l.data_exchanged}});
  hosts["listeners"] = std::move(ls);
  Json sw = Json::array();
  for (const auto& [k, s] : sweeps.rows)
    sw.push_back({{"ip", s.ip},
                  {"home", s.home},
                  {"alerts", s.alerts},
                  {"targets", s.targets},
                  {"targets_total", s.targets_total},
                  {"targets_total_exact", s.targets_total_exact},
                  {"probes", s.probes},
                  {"ports", s.ports},
                  {"targets_sample", s.targets_sample},
                  {"first_seen", s.first_seen},
                  {"last_seen", s.last_seen}});
  hosts["sweeps"] = std::move(sw);
  Json mm = Json::array();
  for (const auto& [k, m] : mass_mailers.rows)
    mm.push_back({{"ip", m.ip},
                  {"alerts", m.alerts},
                  {"triggers", m.triggers},
                  {"distinct_servers", m.distinct_servers},
                  {"sessions", m.sessions},
                  {"recipients", m.recipients},
                  {"sessions_total", m.sessions_total},
                  {"messages_total", m.messages_total},
                  {"recipients_total", m.recipients_total},
                  {"distinct_servers_total", m.distinct_servers_total},
                  {"servers_sample", m.servers_sample},
                  {"first_seen", m.first_seen},
                  {"last_seen", m.last_seen}});
  hosts["mass_mailing"] = std::move(mm);
  hosts["top_infected_senders"] = top_json(infected_senders, n, "ip", nullptr, nullptr, nullptr);
  hosts["host_records"] = host_records;
  hosts["rows_refused"] = {{"infected", infected.refused},
                           {"listeners", listeners.refused},
                           {"sweeps", sweeps.refused},
                           {"mass_mailing", mass_mailers.refused}};
  o["hosts"] = std::move(hosts);

  o["capture"] = capture_health();

  Json b;
  b["open_transactions"] = open.size();
  size_t waiting = 0;
  for (const auto& [k, tx] : open) waiting += tx.smtp_seen ? 0 : 1;
  b["open_without_smtp"] = waiting;
  b["open_high_water"] = join.high_water;
  b["infected_joined_after_smtp"] = join.joined_after_smtp;
  b["infected_joined_before_smtp"] = join.joined_before_smtp;
  b["evicted_capacity"] = join.evicted_capacity;
  b["evicted_age"] = join.evicted_age;
  b["files_without_message"] = join.files_without_message;
  b["infected_files_without_message"] = join.infected_files_without_message;
  b["duplicate_smtp"] = join.duplicate_smtp;
  b["smtp_without_key"] = join.smtp_without_key;
  b["interval_widenings"] = widenings;
  b["day_rows_dropped"] = days_dropped;
  b["alert_ids_refused"] = alert_kinds_refused;
  b["top_replacements"] = {{"names", names.replacements()},
                           {"types", types.replacements()},
                           {"sha256", hashes.replacements()},
                           {"signatures", signatures.replacements()},
                           {"senders", infected_senders.replacements()},
                           {"subjects", infected_subjects.replacements()},
                           {"alert_signatures", alert_signatures.replacements()}};
  o["bounds"] = std::move(b);
  return o;
}

nlohmann::ordered_json ReportAggregator::summary() const {
  std::lock_guard lk(st_->mu);
  return st_->summary_locked();
}

std::string ReportAggregator::terminal_summary() const {
  std::lock_guard lk(st_->mu);
  const State& s = *st_;
  std::string out;
  const auto& t = s.totals;
  std::string period;
  if (s.first_us && s.last_us)
    period = fmt::format(" ({} to {} UTC)", report::format_utc(*s.first_us),
                         report::format_utc(*s.last_us));
  out += fmt::format("wormwatch report{}\n", period);
  out +=
      fmt::format("  mail         {} messages, {} infected ({})", t.total_messages(),
                  t.total_infected(), pct(report::share(t.total_infected(), t.total_messages())));
  std::string dirs;
  for (size_t i = 0; i < kDirections; ++i)
    if (t.messages[i])
      dirs += fmt::format("{}{} {}/{} ({})", dirs.empty() ? "" : ", ", kDirectionNames[i],
                          t.infected[i], t.messages[i],
                          pct(report::share(t.infected[i], t.messages[i])));
  out += dirs.empty() ? "\n" : fmt::format(": {}\n", dirs);
  // The worst interval says when the outbreak peaked.
  const State::IntervalRow* peak = nullptr;
  auto rows = s.interval_rows();
  for (const auto& r : rows)
    if (r.counts.total_infected() &&
        (!peak || report::share(r.counts.total_infected(), r.counts.total_messages()) >
                      report::share(peak->counts.total_infected(), peak->counts.total_messages())))
      peak = &r;
  if (peak)
    out += fmt::format(
        "  peak         {} in the {} s from {} UTC ({}/{} messages)\n",
        pct(report::share(peak->counts.total_infected(), peak->counts.total_messages())),
        s.interval_s, report::format_utc(peak->start_us), peak->counts.total_infected(),
        peak->counts.total_messages());
  std::string by;
  for (const auto& [id, k] : s.alert_kinds) by += fmt::format(" {}={}", k.name, k.count);
  out += fmt::format("  alerts       {}{}\n", s.alerts, by.empty() ? "" : ":" + by);
  auto inf = s.infected_sorted();
  std::string hosts;
  for (size_t i = 0; i < inf.size() && i < 8; ++i) {
    std::string signs;
    for (const auto& x : inf[i]->signs) signs += (signs.empty() ? "" : "+") + x;
    hosts += fmt::format(" {}{}", report::terminal_safe(inf[i]->ip, 64),
                         signs.empty() ? "" : " (" + report::terminal_safe(signs, 80) + ")");
  }
  if (inf.size() > 8) hosts += fmt::format(" +{} more", inf.size() - 8);
  out += fmt::format("  infected     {} host{}{}\n", inf.size(), inf.size() == 1 ? "" : "s",
                     hosts.empty() ? "" : ":" + hosts);
  std::string ls;
  size_t shown = 0;
  for (const auto& [k, l] : s.listeners.rows)
    if (l.alerts && shown++ < 6)
      ls += fmt::format(" {}:{}", report::terminal_safe(l.ip, 64), l.port);
  size_t alerted = 0;
  for (const auto& [k, l] : s.listeners.rows) alerted += l.alerts || l.connections ? 1 : 0;
  std::string sw;
  for (const auto& [k, w] : s.sweeps.rows) sw += " " + report::terminal_safe(w.ip, 64);
  out += fmt::format("  backdoors    {} listener{}{}; {} sweep source{}{}\n", alerted,
                     alerted == 1 ? "" : "s", ls, s.sweeps.rows.size(),
                     s.sweeps.rows.size() == 1 ? "" : "s", sw);
  if (!s.mass_mailers.rows.empty()) {
    std::string mm;
    size_t i = 0;
    for (const auto& [k, m] : s.mass_mailers.rows)
      if (i++ < 8) mm += " " + report::terminal_safe(m.ip, 64);
    out += fmt::format("  mass mailers {}:{}\n", s.mass_mailers.rows.size(), mm);
  }
  Json h = s.capture_health();
  if (!h.is_null()) {
    out += fmt::format(
        "  capture      {} packets, {} kernel drops, {} decoder anomalies, {} reassembly gaps, "
        "{} limits hit, {} scans skipped\n",
        h["packets"].get<uint64_t>(), h["kernel_drops"].get<uint64_t>(),
        h["decoder_anomalies"].get<uint64_t>(), h["reassembly_gaps"].get<uint64_t>(),
        h["limits_hit"].size(), h["scan_skipped"].get<uint64_t>());
  }
  if (s.bad_lines)
    out += fmt::format("  input        {} bad lines skipped of {}\n", s.bad_lines, s.lines);
  return out;
}

}  // namespace ww

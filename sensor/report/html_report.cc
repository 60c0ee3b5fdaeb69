// The HTML page: one self-contained file (inline CSS, inline SVG, no script,
// and a Content-Security-Policy that forbids scripts and fetches anyway). Every
// string that came from a record goes through html_escape(); numbers are ours.
// The page is built from the aggregate only, so its size is bounded by the
// options (max_intervals rows, top_n rows per table, max_hosts rows per host
// table), not by the number of records.

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>

#include "sensor/report/eve_time.h"
#include "sensor/report/html_text.h"
#include "sensor/report/report.h"
#include "sensor/report/report_state.h"

namespace ww {

using report::kDirectionNames;
using report::kDirections;

namespace {

std::string esc(std::string_view s) { return report::html_escape(s); }

// EVE times shown as "2004-01-27 08:02:06" (UTC); anything else escaped as is.
std::string when_text(std::string_view eve) {
  if (eve.empty()) return {};
  if (auto t = report::parse_eve_time(eve)) return report::format_utc(*t);
  return report::html_escape(eve);
}

std::string pct(double v) { return fmt::format("{:.1f}&nbsp;%", v * 100.0); }

std::string duration(int64_t s) {
  if (s % 86400 == 0) return fmt::format("{} d", s / 86400);
  if (s % 3600 == 0) return fmt::format("{} h", s / 3600);
  if (s % 60 == 0) return fmt::format("{} min", s / 60);
  return fmt::format("{} s", s);
}

std::string join_esc(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += esc(s);
  }
  return out;
}

std::string join_ports(const std::vector<uint16_t>& v) {
  std::string out;
  for (auto p : v) out += (out.empty() ? "" : ", ") + std::to_string(p);
  return out;
}

// A count from a Space-Saving table: "≈" when it may be over-estimated.
std::string top_count(const report::TopCounter::Entry& e) {
  return e.error ? fmt::format("&asymp;{}", e.count) : std::to_string(e.count);
}

constexpr std::string_view kCss = R"css(
:root{--fg:#1d2330;--muted:#5b6475;--line:#d8dde6;--bg:#f6f7f9;--card:#fff;--bad:#b3261e;--badbg:#fbe9e7;--msg:#9aa5b8;--ok:#2e7d32}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header,section,footer{max-width:1180px;margin:0 auto;padding:0 20px}
header{padding-top:22px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.muted,.period{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin-top:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .v{font-size:26px;font-weight:650}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card.bad .v{color:var(--bad)}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);margin:6px 0 10px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600;font-size:12px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.ip{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;white-space:nowrap}
td.t{white-space:nowrap}
td.mono,span.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
tr.hot td{background:var(--badbg)}
.bar{position:relative;height:12px;min-width:160px;background:#eef1f5;border-radius:3px;overflow:hidden}
.bar span{position:absolute;left:0;top:0;bottom:0}
.bar .m{background:var(--msg)}
.bar .i{background:var(--bad)}
.tag{display:inline-block;padding:0 6px;margin:1px 2px;border-radius:9px;background:var(--badbg);color:var(--bad);font-size:12px}
.ok{color:var(--ok)}
.warn{color:var(--bad);font-weight:600}
svg{background:var(--card);border:1px solid var(--line);border-radius:8px;width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:var(--muted)}
details summary{cursor:pointer;color:var(--muted);margin:4px 0}
footer{color:var(--muted);font-size:12px;padding:24px 20px 40px}
)css";

}  // namespace

void ReportAggregator::write_html(std::ostream& os) const {
  std::lock_guard lk(st_->mu);
  const State& s = *st_;
  std::string h;
  h.reserve(1 << 16);
  auto out = std::back_inserter(h);
  const auto& t = s.totals;
  const double total_share = report::share(t.total_infected(), t.total_messages());
  const auto rows = s.interval_rows();
  const auto inf = s.infected_sorted();
  const Json health = s.capture_health();
  const bool day_buckets = s.interval_s % 86400 == 0;
  auto when = [&](int64_t us) {
    return day_buckets ? report::format_utc(us, false) : report::format_utc(us).substr(0, 16);
  };

  // ---- head
  fmt::format_to(out,
                 "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                 "style-src 'unsafe-inline'; img-src data:\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<meta name=\"generator\" content=\"wormwatch report\">\n"
                 "<title>{}</title>\n<style>{}</style></head>\n<body>\n",
                 esc(s.opts.title), kCss);
  fmt::format_to(out, "<header><h1>{}</h1>\n<p class=\"period\">", esc(s.opts.title));
  if (s.first_us && s.last_us)
    fmt::format_to(out, "Packet time {} to {} UTC &middot; ", esc(report::format_utc(*s.first_us)),
                   esc(report::format_utc(*s.last_us)));
  fmt::format_to(out, "{} records &middot; interval {}{} &middot; home_net {}</p></header>\n",
                 s.lines, duration(s.interval_s),
                 s.interval_s != s.opts.interval_s
                     ? fmt::format(" (widened from {} to keep at most {} intervals)",
                                   duration(s.opts.interval_s), s.opts.max_intervals)
                     : std::string(),
                 join_esc(s.home.entries()));

  // ---- headline cards
  size_t listener_hosts = 0;
  for (const auto& [k, l] : s.listeners.rows) listener_hosts += (l.alerts || l.connections) ? 1 : 0;
  fmt::format_to(out, "<section class=\"cards\">\n");
  auto card = [&](std::string_view key, std::string value, bool bad, std::string_view id = {}) {
    fmt::format_to(
        out, "<div class=\"card{}\"><div class=\"k\">{}</div><div class=\"v\"{}>{}</div></div>\n",
        bad ? " bad" : "", key, id.empty() ? "" : fmt::format(" id=\"{}\"", id), value);
  };
  card("Messages", std::to_string(t.total_messages()), false, "messages");
  card("Infected messages", std::to_string(t.total_infected()), t.total_infected() > 0,
       "infected-messages");
  card("Infected share", pct(total_share), t.total_infected() > 0, "infected-share");
  card("Infected hosts", std::to_string(inf.size()), !inf.empty(), "infected-hosts-count");
  card("Backdoor listeners", std::to_string(listener_hosts), listener_hosts > 0);
  card("Alerts", std::to_string(s.alerts), s.alerts > 0);
  fmt::format_to(out, "</section>\n");

  // ---- chart: infected share (line) over message volume (bars)
  {
    constexpr double W = 960, H = 300, L = 56, R = 56, T = 20, B = 46;
    const double pw = W - L - R, ph = H - T - B;
    const size_t n = rows.size();
    uint64_t max_msgs = 0;
    for (const auto& r : rows) max_msgs = std::max(max_msgs, r.counts.total_messages());
    fmt::format_to(out,
                   "<section id=\"chart\"><h2>Infected share over time</h2>\n"
                   "<svg id=\"share-chart\" viewBox=\"0 0 {} {}\" role=\"img\" "
                   "aria-label=\"Infected share of messages per interval\" "
                   "xmlns=\"http://www.w3.org/2000/svg\">\n",
                   W, H);
    // Grid and the share axis (left).
    for (int p = 0; p <= 100; p += 25) {
      const double y = T + ph - ph * p / 100.0;
      fmt::format_to(
          out,
          "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e3e7ee\"/>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{} %</text>\n",
          L, y, L + pw, y, L - 6, y + 4, p);
    }
    if (n == 0 || max_msgs == 0) {
      fmt::format_to(out,
                     "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">no mail messages in "
                     "these records</text>\n",
                     L + pw / 2, T + ph / 2);
    } else {
      // Message volume axis (right).
      for (int k = 0; k <= 2; ++k) {
        const double y = T + ph - ph * k / 2.0;
        fmt::format_to(out, "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", L + pw + 6, y + 4,
                       max_msgs * k / 2);
      }
      const double step = pw / static_cast<double>(n);
      const double bw = std::max(step * 0.8, 0.6);
      std::string bars_m, bars_i, line, dots;
      bool in_segment = false;
      for (size_t i = 0; i < n; ++i) {
        const auto& c = rows[i].counts;
        const double x = L + step * static_cast<double>(i) + (step - bw) / 2;
        const uint64_t m = c.total_messages(), v = c.total_infected();
        if (m) {
          const double hm = ph * static_cast<double>(m) / static_cast<double>(max_msgs);
          const double hi = ph * static_cast<double>(v) / static_cast<double>(max_msgs);
          fmt::format_to(std::back_inserter(bars_m),
                         "<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\"/>", x,
                         T + ph - hm, bw, hm);
          if (v)
            fmt::format_to(std::back_inserter(bars_i),
                           "<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\"/>",
                           x, T + ph - hi, bw, hi);
          const double cx = L + step * (static_cast<double>(i) + 0.5);
          const double cy = T + ph - ph * report::share(v, m);
          // An interval without mail has no share: the line breaks there.
          fmt::format_to(std::back_inserter(line), "{}{:.2f},{:.2f}", in_segment ? " L" : " M", cx,
                         cy);
          in_segment = true;
          if (n <= 400)
            fmt::format_to(std::back_inserter(dots),
                           "<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"2.5\"><title>{} UTC: {}/{} "
                           "infected ({:.1f} %)</title></circle>",
                           cx, cy, when(rows[i].start_us), v, m, report::share(v, m) * 100);
        } else {
          in_segment = false;
        }
      }
      fmt::format_to(out, "<g fill=\"#c9d0dc\">{}</g>\n<g fill=\"#f2b8b5\">{}</g>\n", bars_m,
                     bars_i);
      fmt::format_to(out,
                     "<path id=\"share-line\" d=\"{}\" fill=\"none\" stroke=\"#b3261e\" "
                     "stroke-width=\"2\" stroke-linejoin=\"round\"/>\n<g fill=\"#b3261e\">{}</g>\n",
                     line, dots);
      // Time labels: at most 8, evenly spaced.
      const size_t labels = std::min<size_t>(n, 8);
      for (size_t k = 0; k < labels; ++k) {
        const size_t i = labels == 1 ? 0 : k * (n - 1) / (labels - 1);
        const double x = L + step * (static_cast<double>(i) + 0.5);
        fmt::format_to(out, "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x,
                       T + ph + 16, when(rows[i].start_us));
      }
    }
    fmt::format_to(
        out,
        "<text x=\"{:.1f}\" y=\"{:.1f}\">infected share (line, left axis) &#183; messages "
        "(grey bars) and infected messages (red bars), right axis &#183; one bar per {} "
        "(UTC)</text>\n</svg></section>\n",
        L, H - 8, duration(s.interval_s));
  }

  // ---- infected hosts, first: they are what to act on
  fmt::format_to(out, "<section id=\"infected-hosts\"><h2>Infected hosts ({})</h2>\n", inf.size());
  if (inf.empty()) {
    fmt::format_to(
        out, "<p class=\"ok\">No infected-host verdict (alert 1002005) in these records.</p>\n");
  } else {
    fmt::format_to(out,
                   "<p class=\"muted\">Hosts with two or more independent signs of infection "
                   "(alert 1002005), earliest verdict first, with the evidence from the alert and "
                   "the latest host inventory.</p>\n<table><tr><th>host</th><th>verdict (UTC)</th>"
                   "<th>signs</th><th>backdoor ports</th><th class=\"n\">infected attachments "
                   "sent</th><th class=\"n\">SMTP sessions</th><th class=\"n\">messages</th>"
                   "<th class=\"n\">recipients</th><th class=\"n\">distinct servers</th>"
                   "<th>first / last seen</th></tr>\n");
    for (const auto* x : inf) {
      std::string signs;
      for (const auto& sg : x->signs)
        signs += fmt::format("<span class=\"tag\">{}</span>", esc(sg));
      fmt::format_to(
          out,
          "<tr class=\"hot\"><td class=\"ip\">{}</td><td class=\"t\">{}</td><td>{}</td><td>{}</td>"
          "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
          "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"t\">{}<br>{}</td></tr>\n",
          esc(x->ip), x->from_alert ? esc(report::format_utc(x->verdict_us)) : "(inventory only)",
          signs, join_ports(x->listener_ports), x->infected_attachments, x->sessions_total,
          x->messages_total, x->recipients_total, x->distinct_servers_total,
          when_text(x->first_seen), when_text(x->last_seen));
    }
    fmt::format_to(out, "</table>\n");
  }
  if (s.infected.refused)
    fmt::format_to(out,
                   "<p class=\"warn\">{} further infected hosts not listed (max_hosts {}).</p>\n",
                   s.infected.refused, s.opts.max_hosts);
  fmt::format_to(out, "</section>\n");

  // ---- messages per interval
  {
    uint64_t max_msgs = 0;
    for (const auto& r : rows) max_msgs = std::max(max_msgs, r.counts.total_messages());
    fmt::format_to(out,
                   "<section id=\"intervals\"><h2>Messages per interval ({})</h2>\n"
                   "<p class=\"muted\">A message is an SMTP transaction that carried a body; it is "
                   "infected when at least one of its attachments was detected by the scanner. "
                   "Intervals without mail show 0.</p>\n",
                   duration(s.interval_s));
    const bool open = rows.size() <= 168;
    fmt::format_to(out, "<details{}><summary>{} intervals</summary>\n", open ? " open" : "",
                   rows.size());
    fmt::format_to(
        out,
        "<table id=\"interval-table\"><tr><th>start (UTC)</th><th class=\"n\">messages</th>"
        "<th class=\"n\">infected</th><th class=\"n\">share</th><th>volume</th>");
    for (size_t d = 0; d < kDirections; ++d)
      fmt::format_to(out, "<th class=\"n\">{}<br><span class=\"muted\">infected / all</span></th>",
                     kDirectionNames[d]);
    fmt::format_to(out, "</tr>\n");
    for (const auto& r : rows) {
      const uint64_t m = r.counts.total_messages(), v = r.counts.total_infected();
      const double wm =
          max_msgs ? 100.0 * static_cast<double>(m) / static_cast<double>(max_msgs) : 0;
      const double wi =
          max_msgs ? 100.0 * static_cast<double>(v) / static_cast<double>(max_msgs) : 0;
      fmt::format_to(out,
                     "<tr><td class=\"t\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
                     "class=\"n\">{}</td>"
                     "<td><div class=\"bar\"><span class=\"m\" style=\"width:{:.1f}%\"></span>"
                     "<span class=\"i\" style=\"width:{:.1f}%\"></span></div></td>",
                     when(r.start_us), m, v, m ? pct(report::share(v, m)) : "&ndash;", wm, wi);
      for (size_t d = 0; d < kDirections; ++d)
        fmt::format_to(out, "<td class=\"n\">{} / {}</td>", r.counts.infected[d],
                       r.counts.messages[d]);
      fmt::format_to(out, "</tr>\n");
    }
    fmt::format_to(out, "</table></details>\n");
    if (s.untimed_messages)
      fmt::format_to(out,
                     "<p class=\"warn\">{} messages had no usable timestamp: in the totals, "
                     "not in any interval.</p>\n",
                     s.untimed_messages);

    // Direction totals and days.
    fmt::format_to(out,
                   "<h3>By direction</h3><table id=\"direction-table\"><tr><th>direction</th>"
                   "<th class=\"n\">messages</th><th class=\"n\">infected</th><th "
                   "class=\"n\">share</th></tr>\n");
    static constexpr const char* kMeaning[kDirections] = {
        "client outside home_net, server inside", "client inside home_net, server outside",
        "both inside home_net", "neither inside home_net"};
    for (size_t d = 0; d < kDirections; ++d)
      fmt::format_to(out,
                     "<tr><td>{} <span class=\"muted\">({})</span></td><td class=\"n\">{}</td>"
                     "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                     kDirectionNames[d], kMeaning[d], t.messages[d], t.infected[d],
                     t.messages[d] ? pct(report::share(t.infected[d], t.messages[d])) : "&ndash;");
    fmt::format_to(out, "</table>\n");
    const auto drows = s.day_rows();
    fmt::format_to(
        out,
        "<h3>By day (UTC)</h3><details{}><summary>{} days</summary><table id=\"day-table\">"
        "<tr><th>day</th><th class=\"n\">messages</th><th class=\"n\">infected</th>"
        "<th class=\"n\">share</th></tr>\n",
        drows.size() <= 62 ? " open" : "", drows.size());
    for (const auto& r : drows) {
      const uint64_t m = r.counts.total_messages(), v = r.counts.total_infected();
      fmt::format_to(out,
                     "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
                     "class=\"n\">{}</td></tr>\n",
                     report::format_utc(r.start_us, false), m, v,
                     m ? pct(report::share(v, m)) : "&ndash;");
    }
    fmt::format_to(out, "</table></details>\n");
    if (s.days_dropped)
      fmt::format_to(out, "<p class=\"warn\">{} older day rows dropped (max_days {}).</p>\n",
                     s.days_dropped, s.opts.max_days);
    fmt::format_to(out, "</section>\n");
  }

  // ---- backdoors
  fmt::format_to(out, "<section id=\"backdoors\"><h2>Backdoor listeners and sweeps</h2>\n");
  if (s.listeners.rows.empty()) {
    fmt::format_to(
        out, "<p class=\"ok\">No backdoor listener (alert 1002001) or upload (1002002).</p>\n");
  } else {
    fmt::format_to(
        out,
        "<table id=\"listener-table\"><tr><th>home host</th><th class=\"n\">port</th>"
        "<th class=\"n\">listener alerts</th><th class=\"n\">upload attempts</th>"
        "<th>last uploader</th><th class=\"n\">connections</th><th class=\"n\">peers</th>"
        "<th>peer sample</th><th>data</th><th>first / last seen</th></tr>\n");
    for (const auto& [k, l] : s.listeners.rows)
      fmt::format_to(out,
                     "<tr{}><td class=\"ip\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                     "<td class=\"n\">{}</td><td class=\"ip\">{}</td><td class=\"n\">{}</td>"
                     "<td class=\"n\">{}</td><td class=\"mono\">{}</td><td>{}</td><td "
                     "class=\"t\">{}<br>{}</td></tr>\n",
                     l.alerts ? " class=\"hot\"" : "", esc(l.ip), l.port, l.alerts, l.uploads,
                     esc(l.last_uploader), l.connections, l.peer_count, join_esc(l.peers),
                     l.data_exchanged ? "exchanged" : "", when_text(l.first_seen),
                     when_text(l.last_seen));
    fmt::format_to(out, "</table>\n");
  }
  if (s.sweeps.rows.empty()) {
    fmt::format_to(out, "<p class=\"ok\">No backdoor port sweep (alert 1002003).</p>\n");
  } else {
    fmt::format_to(out,
                   "<h3>Sweeps (alert 1002003)</h3><table id=\"sweep-table\"><tr><th>source</th>"
                   "<th>home</th><th class=\"n\">alerts</th><th class=\"n\">targets in window</th>"
                   "<th class=\"n\">targets total</th><th class=\"n\">probes</th><th>ports</th>"
                   "<th>target sample</th><th>first / last seen</th></tr>\n");
    for (const auto& [k, w] : s.sweeps.rows)
      fmt::format_to(
          out,
          "<tr><td class=\"ip\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
          "<td class=\"n\">{}{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"mono\">{}</td>"
          "<td class=\"t\">{}<br>{}</td></tr>\n",
          esc(w.ip), w.home ? "yes" : "no", w.alerts, w.targets,
          w.targets_total_exact ? "" : "&asymp;", w.targets_total, w.probes, join_ports(w.ports),
          join_esc(w.targets_sample), when_text(w.first_seen), when_text(w.last_seen));
    fmt::format_to(out, "</table>\n");
  }
  if (s.listeners.refused || s.sweeps.refused)
    fmt::format_to(
        out, "<p class=\"warn\">{} listener and {} sweep rows not listed (max_hosts {}).</p>\n",
        s.listeners.refused, s.sweeps.refused, s.opts.max_hosts);
  fmt::format_to(out, "</section>\n");

  // ---- mass mailing
  fmt::format_to(out, "<section id=\"mass-mailing\"><h2>Mass-mailing sources</h2>\n");
  if (s.mass_mailers.rows.empty()) {
    fmt::format_to(out, "<p class=\"ok\">No mass outbound SMTP burst (alert 1002004).</p>\n");
  } else {
    fmt::format_to(
        out,
        "<table id=\"mass-mailing-table\"><tr><th>host</th><th class=\"n\">alerts</th>"
        "<th>triggers</th><th class=\"n\">servers in window</th><th class=\"n\">sessions "
        "in window</th><th class=\"n\">recipients in window</th><th class=\"n\">sessions "
        "total</th><th class=\"n\">messages total</th><th class=\"n\">recipients total</th>"
        "<th class=\"n\">servers total</th><th>server sample</th><th>first / last "
        "seen</th></tr>\n");
    for (const auto& [k, m] : s.mass_mailers.rows)
      fmt::format_to(out,
                     "<tr class=\"hot\"><td class=\"ip\">{}</td><td class=\"n\">{}</td><td>{}</td>"
                     "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
                     "class=\"n\">{}</td>"
                     "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                     "<td class=\"mono\">{}</td><td class=\"t\">{}<br>{}</td></tr>\n",
                     esc(m.ip), m.alerts, join_esc(m.triggers), m.distinct_servers, m.sessions,
                     m.recipients, m.sessions_total, m.messages_total, m.recipients_total,
                     m.distinct_servers_total, join_esc(m.servers_sample), when_text(m.first_seen),
                     when_text(m.last_seen));
    fmt::format_to(out, "</table>\n");
  }
  {
    const auto senders = s.infected_senders.top(s.opts.top_n);
    if (!senders.empty()) {
      fmt::format_to(out,
                     "<h3>Top senders of infected messages</h3><table id=\"sender-table\"><tr>"
                     "<th>client</th><th class=\"n\">infected messages</th></tr>\n");
      for (const auto& e : senders)
        fmt::format_to(out, "<tr><td class=\"ip\">{}</td><td class=\"n\">{}</td></tr>\n",
                       esc(e.key), top_count(e));
      fmt::format_to(out, "</table>\n");
    }
  }
  {
    const auto subjects = s.infected_subjects.top(s.opts.top_n);
    if (!subjects.empty()) {
      fmt::format_to(out,
                     "<h3>Top subjects of infected messages</h3><table id=\"subject-table\"><tr>"
                     "<th>subject</th><th class=\"n\">infected messages</th></tr>\n");
      for (const auto& e : subjects)
        fmt::format_to(out, "<tr><td>{}</td><td class=\"n\">{}</td></tr>\n", esc(e.key),
                       top_count(e));
      fmt::format_to(out, "</table>\n");
    }
  }
  fmt::format_to(out, "</section>\n");

  // ---- attachments
  fmt::format_to(out,
                 "<section id=\"attachments\"><h2>Attachments ({} files)</h2>\n<p "
                 "class=\"muted\">Scan results:",
                 s.files);
  if (s.scan_status.empty()) fmt::format_to(out, " none");
  for (const auto& [k, v] : s.scan_status) fmt::format_to(out, " {} {} &middot;", esc(k), v);
  fmt::format_to(out,
                 " Counts marked &asymp; are upper bounds (more distinct values than the "
                 "{} tracked).</p>\n",
                 s.opts.top_capacity);
  auto simple_top = [&](const char* id, const char* title, const char* col,
                        const report::TopCounter& tc, bool with_sig) {
    const auto top = tc.top(s.opts.top_n);
    fmt::format_to(out, "<h3>{}</h3>", title);
    if (top.empty()) {
      fmt::format_to(out, "<p class=\"muted\">none</p>\n");
      return;
    }
    fmt::format_to(out,
                   "<table id=\"{}\"><tr><th>{}</th><th class=\"n\">files</th><th class=\"n\">"
                   "infected</th>{}</tr>\n",
                   id, col, with_sig ? "<th>signature</th>" : "");
    for (const auto& e : top) {
      fmt::format_to(
          out, "<tr{}><td class=\"mono\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
          e.infected ? " class=\"hot\"" : "", esc(e.key), top_count(e), e.infected);
      if (with_sig) fmt::format_to(out, "<td class=\"mono\">{}</td>", esc(e.label));
      fmt::format_to(out, "</tr>\n");
    }
    fmt::format_to(out, "</table>\n");
  };
  simple_top("name-table", "Top attachment names", "file name", s.names, true);
  simple_top("type-table", "Top sniffed types", "type (libmagic)", s.types, true);
  {
    const auto top = s.hashes.top(s.opts.top_n);
    fmt::format_to(out, "<h3>Top files by SHA-256</h3>");
    if (top.empty()) {
      fmt::format_to(out, "<p class=\"muted\">none</p>\n");
    } else {
      fmt::format_to(out,
                     "<table id=\"sha256-table\"><tr><th>sha256</th><th class=\"n\">files</th>"
                     "<th class=\"n\">infected</th><th>signature</th><th>example name</th>"
                     "<th>type</th><th class=\"n\">size</th></tr>\n");
      for (const auto& e : top)
        fmt::format_to(
            out,
            "<tr{}><td class=\"mono\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
            "<td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td "
            "class=\"n\">{}</td></tr>\n",
            e.infected ? " class=\"hot\"" : "", esc(e.key), top_count(e), e.infected, esc(e.label),
            esc(e.detail), esc(e.extra), e.size >= 0 ? std::to_string(e.size) : std::string());
      fmt::format_to(out, "</table>\n");
    }
  }
  {
    const auto top = s.signatures.top(s.opts.top_n);
    fmt::format_to(out, "<h3>Top ClamAV signatures</h3>");
    if (top.empty()) {
      fmt::format_to(out, "<p class=\"muted\">none</p>\n");
    } else {
      fmt::format_to(out,
                     "<table id=\"signature-table\"><tr><th>signature</th><th class=\"n\">"
                     "infected files</th><th>example name</th></tr>\n");
      for (const auto& e : top)
        fmt::format_to(out,
                       "<tr class=\"hot\"><td class=\"mono\">{}</td><td class=\"n\">{}</td>"
                       "<td class=\"mono\">{}</td></tr>\n",
                       esc(e.key), top_count(e), esc(e.detail));
      fmt::format_to(out, "</table>\n");
    }
  }
  fmt::format_to(out, "</section>\n");

  // ---- alerts
  fmt::format_to(out, "<section id=\"alerts\"><h2>Alerts ({})</h2>\n", s.alerts);
  if (!s.alert_kinds.empty()) {
    fmt::format_to(out,
                   "<table id=\"alert-table\"><tr><th class=\"n\">signature_id</th><th>name</th>"
                   "<th>signature</th><th>category</th><th class=\"n\">severity</th>"
                   "<th class=\"n\">alerts</th></tr>\n");
    for (const auto& [id, k] : s.alert_kinds)
      fmt::format_to(out,
                     "<tr{}><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
                     "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                     k.severity == 1 ? " class=\"hot\"" : "", id, esc(k.name), esc(k.signature),
                     esc(k.category), k.severity, k.count);
    fmt::format_to(out, "</table>\n");
    const auto top = s.alert_signatures.top(s.opts.top_n);
    fmt::format_to(out,
                   "<h3>Top alert texts</h3><table id=\"alert-text-table\"><tr><th>alert.signature"
                   "</th><th class=\"n\">alerts</th></tr>\n");
    for (const auto& e : top)
      fmt::format_to(out, "<tr><td>{}</td><td class=\"n\">{}</td></tr>\n", esc(e.key),
                     top_count(e));
    fmt::format_to(out, "</table>\n");
  } else {
    fmt::format_to(out, "<p class=\"ok\">No alerts.</p>\n");
  }
  fmt::format_to(out, "</section>\n");

  // ---- capture health
  fmt::format_to(out, "<section id=\"health\"><h2>Capture health</h2>\n");
  if (health.is_null()) {
    fmt::format_to(
        out, "<p class=\"muted\">No stats record in these records: capture health unknown.</p>\n");
  } else {
    auto g = [&](const char* k) { return health[k].get<uint64_t>(); };
    auto row = [&](std::string_view name, uint64_t v, bool bad_if_nonzero, std::string_view why) {
      fmt::format_to(out,
                     "<tr><td>{}</td><td class=\"n{}\">{}</td><td class=\"muted\">{}</td></tr>\n",
                     name, bad_if_nonzero && v ? " warn" : "", v, why);
    };
    fmt::format_to(out,
                   "<p class=\"muted\">From the last stats record ({}; totals since the sensor "
                   "started).</p>\n<table id=\"health-table\"><tr><th>counter</th><th class=\"n\">"
                   "value</th><th>meaning</th></tr>\n",
                   health.contains("timestamp") ? esc(health["timestamp"].get<std::string>()) : "");
    row("packets", g("packets"), false, "read from the source");
    row("bytes", g("bytes"), false, "wire bytes");
    row("kernel drops", g("kernel_drops"), true,
        "live capture: packets the kernel dropped (lost to the sensor)");
    row("interface drops", g("kernel_ifdrops"), true, "live capture: dropped by the interface");
    row("truncated capture files", g("files_truncated"), true, "files that ended mid-record");
    row("decoder anomalies", g("decoder_anomalies"), true, "malformed packets");
    row("reassembly gaps", g("reassembly_gaps"), true, "holes in TCP streams (bytes never seen)");
    row("reassembly gap bytes", g("reassembly_gap_bytes"), true, "");
    row("SMTP gaps", g("smtp_gaps"), true, "gaps inside SMTP sessions");
    row("SMTP transactions not reported", g("smtp_transactions_not_reported"), true,
        "transactions cut by a limit: not counted as messages");
    row("scans skipped", g("scan_skipped"), true,
        "attachments not scanned (queue full, too large, disabled)");
    row("scan errors", g("scan_errors"), true, "");
    row("host event queue overflow", g("host_queue_overflow"), true, "host behaviour events lost");
    row("output records dropped", g("outputs_dropped"), true, "records a sink could not deliver");
    fmt::format_to(out, "</table>\n");
    const Json& lim = health["limits_hit"];
    if (lim.empty()) {
      fmt::format_to(out, "<p class=\"ok\">No limit was hit.</p>\n");
    } else {
      fmt::format_to(out,
                     "<h3>Limits hit</h3><table id=\"limits-table\"><tr><th>counter</th>"
                     "<th class=\"n\">value</th></tr>\n");
      for (const auto& [k, v] : lim.items())
        fmt::format_to(out,
                       "<tr><td class=\"mono\">stats.{}</td><td class=\"n warn\">{}</td></tr>\n",
                       esc(k), v.get<uint64_t>());
      fmt::format_to(out, "</table>\n");
    }
  }
  // The report's own bounds: if any of these is non-zero a number above is a lower bound.
  size_t waiting = 0;
  for (const auto& [k, tx] : s.open) waiting += tx.smtp_seen ? 0 : 1;
  fmt::format_to(
      out,
      "<h3>Report input</h3><table id=\"input-table\"><tr><th>counter</th><th class=\"n\">"
      "value</th><th>meaning</th></tr>\n"
      "<tr><td>records</td><td class=\"n\">{}</td><td class=\"muted\">lines read</td></tr>\n"
      "<tr><td>bad lines</td><td class=\"n{}\">{}</td><td class=\"muted\">not a JSON record: "
      "skipped</td></tr>\n"
      "<tr><td>bad timestamps</td><td class=\"n{}\">{}</td><td class=\"muted\">records without a "
      "usable timestamp</td></tr>\n"
      "<tr><td>files without their message</td><td class=\"n{}\">{}</td><td "
      "class=\"muted\">fileinfo "
      "records whose smtp record never came (or came after {} s / {} open transactions); "
      "{} of them infected</td></tr>\n"
      "<tr><td>transactions still waiting</td><td class=\"n\">{}</td><td class=\"muted\">files "
      "seen, smtp record not (yet)</td></tr>\n"
      "</table>\n</section>\n",
      s.lines, s.bad_lines ? " warn" : "", s.bad_lines, s.bad_timestamps ? " warn" : "",
      s.bad_timestamps, s.join.files_without_message ? " warn" : "", s.join.files_without_message,
      s.opts.open_transaction_timeout_s, s.opts.max_open_transactions,
      s.join.infected_files_without_message, waiting);

  fmt::format_to(
      out,
      "<footer>Generated by <code>wormwatch report</code> from EVE records; all times are "
      "packet times in UTC. The page is self-contained (no script, no network fetch). "
      "Strings from the network are shown escaped; bidirectional control characters are "
      "shown as [U+XXXX].</footer>\n</body></html>\n");
  os.write(h.data(), static_cast<std::streamsize>(h.size()));
}

}  // namespace ww

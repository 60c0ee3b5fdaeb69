#pragma once
// The outbreak report: aggregates EVE records (mail volume and infected share
// over packet time, alerts, infected hosts, backdoor listeners, sweeps,
// mass mailers, attachments, capture health) in bounded memory, and renders
// them as JSON, a few terminal lines, or one self-contained HTML page.
//
// Two ways in:
//  * during a run, as a sink on the OutputHub (make_report_sink), so every
//    record the sensor writes is counted as it is written;
//  * afterwards, from an EVE file (feed_file / report_main: `wormwatch report`).
// Both give the same numbers for the same records.
//
// Thread safety: every public member takes an internal mutex, so the
// aggregator may be written from the hub (which already serialises sinks) while
// another thread reads summary(). Parsing happens in write(), i.e. under the
// hub's lock: only smtp, fileinfo, alert and host lines are parsed (a few µs
// each); stats lines are copied and parsed only when a report is rendered; all
// other types are only counted.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sensor/output/sink.h"

namespace ww {

struct ReportOptions {
  // Width of a chart/table interval, seconds of packet time, aligned to the
  // Unix epoch (UTC): 3600 = on the hour. Widened (doubled) automatically when
  // the records span more than max_intervals intervals.
  int64_t interval_s = 3600;
  // Which addresses are ours, for the inbound/outbound/internal split. Entries
  // may hold several CIDRs separated by commas. Empty = the host tracker's
  // default (10/8, 172.16/12, 192.168/16, fc00::/7); the lead passes
  // cfg.hosts.home_net.entries() so both agree.
  std::vector<std::string> home_net;
  size_t top_n = 20;                          // rows per "top" table
  size_t top_capacity = 2000;                 // keys tracked per top table (Space-Saving)
  size_t max_open_transactions = 65536;       // (flow_id, tx_id) keys awaiting their join
  int64_t open_transaction_timeout_s = 3600;  // packet time an unjoined key is kept
  size_t max_intervals = 10000;               // intervals spanned before widening
  size_t max_days = 3660;                     // day rows kept (oldest dropped beyond)
  size_t max_hosts = 10000;                   // rows per host table (infected, listeners, ...)
  std::string title = "wormwatch outbreak report";
  bool quiet = false;  // report_main: no terminal summary, no warnings per bad line
};

// Checks the options; returns an empty string or one sentence naming the bad
// value and what is accepted.
std::string validate_report_options(const ReportOptions& opts);

class ReportAggregator : public RecordSink {
 public:
  // Throws std::invalid_argument with validate_report_options()'s message.
  explicit ReportAggregator(ReportOptions opts = {});
  ~ReportAggregator() override;
  ReportAggregator(const ReportAggregator&) = delete;
  ReportAggregator& operator=(const ReportAggregator&) = delete;

  // RecordSink: `line` is one EVE JSON record of type `event_type`.
  void write(std::string_view event_type, std::string_view line) override;
  void flush() override {}
  std::string name() const override { return "report"; }

  // One EVE line whose type is read from the line itself. Returns false (and
  // counts it in records.bad_lines) when the line is not a JSON object with an
  // event_type; *error then says why.
  bool feed_line(std::string_view line, std::string* error = nullptr);

  struct FeedResult {
    bool opened = false;     // false: the file could not be opened or read (see error)
    std::string error;       // why it could not be opened/read
    uint64_t lines = 0;      // non-empty lines read
    uint64_t bad_lines = 0;  // lines counted and skipped
    std::vector<std::string> bad_line_messages;  // the first 10, "line N: why"
  };
  // Reads a whole EVE file ("-" = standard input). Lines longer than 64 MiB are
  // bad lines; reading continues after them.
  FeedResult feed_file(const std::string& path);

  // Machine-readable aggregate (schema in docs/report.md).
  nlohmann::ordered_json summary() const;
  // A few lines for the end of a run: messages, infected share, alerts by kind,
  // infected hosts, listeners/sweeps, capture health.
  std::string terminal_summary() const;
  // One self-contained HTML page (inline CSS and SVG, no script, no fetch).
  void write_html(std::ostream& out) const;

  // Totals, for tests and callers that only need the headline.
  uint64_t messages() const;
  uint64_t infected_messages() const;
  double infected_share() const;  // 0 when no message was seen

  struct State;

 private:
  ReportOptions opts_;
  std::unique_ptr<State> st_;
};

// A sink that forwards to an aggregator the caller keeps (the hub owns its
// sinks; main keeps the aggregator to render it after the run).
std::unique_ptr<RecordSink> make_report_sink(ReportAggregator& aggregator);

// Writes the HTML page to `path` through a temporary file and a rename, so a
// failed write never leaves half a report. "-" = standard output. On failure
// returns false and sets *error (names the path and the system's reason).
bool write_report_html(const ReportAggregator& aggregator, const std::string& path,
                       std::string* error);

// For `--report FILE` before a run starts: false (and *error naming the path and
// the fix) when FILE's directory does not exist or is not writable, or FILE is a
// directory, so a bad path fails before any packet is read. "-" is accepted.
bool report_path_writable(const std::string& path, std::string* error);

// `wormwatch report EVE.json -o report.html [--interval S] [--home-net CIDRS]`:
// reads the EVE file, writes the page, prints terminal_summary() on stderr
// (unless opts.quiet). Bad lines are counted, the first few named on stderr,
// and skipped. Returns 0 on success, 1 when the EVE file cannot be read, holds
// no EVE record at all, the options are bad, or the page cannot be written.
int report_main(const std::string& eve_path, const std::string& html_out,
                const ReportOptions& opts);

}  // namespace ww

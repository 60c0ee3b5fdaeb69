#pragma once
// Synthetic EVE records for the report tests, shaped like the sensor's
// (docs/records.md, docs/alerts.md, docs/hosts.md).

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sensor/report/eve_time.h"
#include "sensor/report/report.h"

namespace report_test {

using nlohmann::json;

// 2004-01-27T08:00:00Z, the MyDoom morning.
inline constexpr int64_t kT0 = 1075190400LL * 1000000;
inline constexpr int64_t kSec = 1000000;

inline std::string ts(int64_t us) { return ww::report::format_eve_time(us); }

inline json header(const char* type, int64_t t, uint64_t flow_id, const std::string& src,
                   const std::string& dst) {
  return json{{"timestamp", ts(t)}, {"flow_id", flow_id}, {"event_type", type},
              {"src_ip", src},      {"src_port", 40000},  {"dest_ip", dst},
              {"dest_port", 25},    {"proto", "TCP"},     {"app_proto", "smtp"}};
}

struct Smtp {
  int64_t t = kT0;
  uint64_t flow_id = 1;
  uint64_t tx_id = 0;
  std::string src = "10.1.1.5";
  std::string dst = "192.0.2.25";
  bool data = true;
  unsigned files = 0;
  std::string subject = "hello";
};

inline std::string smtp(const Smtp& s) {
  json j = header("smtp", s.t, s.flow_id, s.src, s.dst);
  j["tx_id"] = s.tx_id;
  j["smtp"] = {{"helo", "pc1"},
               {"mail_from", "a@example.com"},
               {"rcpt_to", {"b@example.org"}},
               {"status", "delivered"}};
  if (s.data) j["smtp"]["data"] = "data";
  j["email"] = {{"subject", s.subject}, {"files", s.files}, {"status", "complete"}};
  return j.dump();
}

struct File {
  int64_t t = kT0;
  uint64_t flow_id = 1;
  uint64_t tx_id = 0;
  std::string src = "10.1.1.5";
  std::string dst = "192.0.2.25";
  std::string name = "document.zip";
  std::string magic = "application/zip";
  std::string sha256 = std::string(64, 'a');
  std::string status = "clean";  // "" = no scan object
  std::string signature{};
  std::string subject = "hello";
};

inline std::string fileinfo(const File& f) {
  json j = header("fileinfo", f.t, f.flow_id, f.src, f.dst);
  j["tx_id"] = f.tx_id;
  j["email"] = {{"subject", f.subject}};
  j["fileinfo"] = {{"filename", f.name}, {"magic", f.magic},  {"sha256", f.sha256},
                   {"size", 3004},       {"state", "CLOSED"}, {"tx_id", f.tx_id}};
  if (!f.status.empty()) {
    j["fileinfo"]["scan"] = {{"status", f.status}};
    if (!f.signature.empty()) j["fileinfo"]["scan"]["signature"] = f.signature;
  }
  return j.dump();
}

inline std::string alert(int64_t t, uint32_t sid, const json& host, const std::string& sig = {}) {
  json j = header("alert", t, 77, "203.0.113.7", "10.1.2.3");
  j["alert"] = {{"action", "allowed"},
                {"gid", 1},
                {"signature_id", sid},
                {"rev", 1},
                {"signature", sig.empty() ? "WORMWATCH test" : sig},
                {"category", "Trojan Activity"},
                {"severity", 1}};
  if (!host.is_null()) j["host"] = host;
  return j.dump();
}

inline std::string stats(int64_t t, uint64_t packets, uint64_t gaps = 0, uint64_t evicted = 0) {
  json j{{"timestamp", ts(t)}, {"event_type", "stats"}};
  j["stats"] = {
      {"uptime", 10},
      {"workers", 1},
      {"capture",
       {{"packets", packets}, {"bytes", packets * 100}, {"files_read", 1}, {"files_truncated", 0}}},
      {"decoder", {{"anomalies_total", 3}, {"anomalies", {{"ipv4_truncated", 3}}}}},
      {"flow", {{"end", {{"evicted", evicted}}}}},
      {"reassembly", {{"gaps", gaps}, {"gap_bytes", gaps * 10}, {"memory_high_water", 99}}},
      {"scan",
       {{"skipped_queue_full", 2},
        {"skipped_too_large", 0},
        {"skipped_disabled", 0},
        {"errors", 0}}}};
  return j.dump();
}

// Feeds lines the way the hub does (event type known).
inline void feed(ww::ReportAggregator& a, const std::string& line) {
  auto j = json::parse(line);
  a.write(j["event_type"].get<std::string>(), line);
}

inline std::string html_of(const ww::ReportAggregator& a) {
  std::ostringstream os;
  a.write_html(os);
  return os.str();
}

// A fresh directory under the build tree for files a test writes.
inline std::filesystem::path temp_dir(const std::string& name) {
  const std::filesystem::path d =
      std::filesystem::path(WW_BINARY_DIR) / "tests" / "tmp" / "report" / name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace report_test

#include "sensor/output/syslog.h"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "sensor/output/cef.h"

namespace ww {

int syslog_facility_from_name(std::string_view name) {
  static constexpr std::string_view kNames[] = {"kern", "user",   "mail",     "daemon",
                                                "auth", "syslog", "lpr",      "news",
                                                "uucp", "cron",   "authpriv", "ftp"};
  for (size_t i = 0; i < std::size(kNames); ++i)
    if (name == kNames[i]) return static_cast<int>(i);
  if (name.size() == 6 && name.substr(0, 5) == "local" && name[5] >= '0' && name[5] <= '7')
    return 16 + (name[5] - '0');
  return -1;
}

int syslog_severity(std::string_view event_type, const nlohmann::json* rec) {
  if (event_type == "alert") {
    if (rec && rec->is_object()) {
      auto a = rec->find("alert");
      if (a != rec->end() && a->is_object()) {
        auto s = a->find("severity");
        if (s != a->end() && s->is_number_integer()) {
          switch (s->get<int64_t>()) {
            case 1: return 2;
            case 2: return 3;
            case 3: return 4;
            default: break;
          }
        }
      }
    }
    return 4;
  }
  if (event_type == "anomaly") return 5;
  return 6;
}

std::string syslog_timestamp(std::string_view eve_ts) {
  int64_t us = 0;
  if (!parse_eve_timestamp(eve_ts, us)) {
    us = std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count();
  }
  int64_t secs = us / 1'000'000, frac = us % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    secs -= 1;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

std::string syslog_header_field(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() == max) break;
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 33 && u <= 126) ? c : '_';
  }
  return out.empty() ? std::string("-") : out;
}

std::string rfc5424_message(const SyslogOptions& o, int severity, std::string_view eve_ts,
                            std::string_view msgid, std::string_view msg) {
  int pri = o.facility * 8 + severity;
  std::string out = fmt::format("<{}>1 {} {} {} {} {} - ", pri, syslog_timestamp(eve_ts),
                                syslog_header_field(o.hostname, 255),
                                syslog_header_field(o.app_name, 48),
                                syslog_header_field(o.procid, 128),
                                syslog_header_field(msgid, 32));
  // JSON and CEF bodies never hold CR, LF or NUL; a body from elsewhere is
  // made safe here rather than trusted.
  if (msg.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos) {
    out += msg;
  } else {
    for (char c : msg) {
      if (c == '\r' || c == '\n' || c == '\0')
        out += "\xEF\xBF\xBD";
      else
        out += c;
    }
  }
  return out;
}

std::string octet_counted(std::string_view msg) { return fmt::format("{} {}", msg.size(), msg); }

std::string_view eve_line_timestamp(std::string_view line) {
  constexpr std::string_view kPrefix = "{\"timestamp\":\"";
  if (line.substr(0, kPrefix.size()) != kPrefix) return {};
  size_t end = line.find('"', kPrefix.size());
  if (end == std::string_view::npos) return {};
  return line.substr(kPrefix.size(), end - kPrefix.size());
}

SyslogOptions resolve_syslog_options(SyslogOptions o) {
  if (o.hostname.empty()) {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) == 0) o.hostname = buf;
  }
  if (o.procid.empty()) o.procid = std::to_string(getpid());
  return o;
}

}  // namespace ww

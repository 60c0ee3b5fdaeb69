#pragma once
// RFC 5424 syslog messages carrying an EVE JSON or CEF record:
//   <PRI>1 TIMESTAMP HOSTNAME wormwatch PROCID MSGID - MSG
// PRI = facility * 8 + severity. TIMESTAMP is the record's own (packet) time
// in RFC 3339 with microseconds; MSGID is the event type. Header fields are
// reduced to printable US-ASCII as RFC 5424 requires; MSG never contains CR,
// LF or NUL (JSON and CEF escape them; anything else is replaced), so a record
// can never end early or forge a second message, with or without RFC 6587
// octet-counting.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ww {

constexpr int kSyslogFacilityLocal5 = 21;

struct SyslogOptions {
  int facility = kSyslogFacilityLocal5;  // 0..23
  std::string hostname;                  // "" = gethostname()
  std::string app_name = "wormwatch";
  std::string procid;                    // "" = getpid()
};

// "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
// "cron", "authpriv", "ftp", "local0".."local7" → code; -1 when unknown.
int syslog_facility_from_name(std::string_view name);

// Syslog severity of a record: alert.severity 1→2 (crit), 2→3 (err),
// 3→4 (warning), other alerts 4; anomaly 5 (notice); everything else 6 (info).
// `rec` may be null (then only the event type counts).
int syslog_severity(std::string_view event_type, const nlohmann::json* rec);

// EVE timestamp → RFC 3339 ("…T08:00:00.123456+00:00"); when `eve_ts` is not
// an EVE timestamp, the current wall-clock time in UTC.
std::string syslog_timestamp(std::string_view eve_ts);

// Printable US-ASCII (33..126), at most `max` characters; "-" when empty.
std::string syslog_header_field(std::string_view s, size_t max);

// The full message (no framing). `msg` is the record body (JSON or CEF).
std::string rfc5424_message(const SyslogOptions& o, int severity, std::string_view eve_ts,
                            std::string_view msgid, std::string_view msg);

// RFC 6587 octet-counting: "LEN SP MSG".
std::string octet_counted(std::string_view msg);

// The "timestamp" value when `line` starts with {"timestamp":"…" (every EVE
// record does); empty otherwise.
std::string_view eve_line_timestamp(std::string_view line);

// Fills in hostname and procid when empty.
SyslogOptions resolve_syslog_options(SyslogOptions o);

}  // namespace ww

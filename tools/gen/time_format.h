#pragma once
// UTC date formatting from packet time, without the C library's time zone or
// locale state (the output must not depend on the machine).

#include <cstdint>
#include <string>

namespace ww::gen {

struct CivilTime {
  int year, month, day, hour, minute, second, weekday;  // month 1-12, weekday 0 = Sunday
};
CivilTime civil_time(int64_t ts_us);

// "Tue, 27 Jan 2004 08:00:00 +0000" (RFC 5322 date-time).
std::string rfc5322_date(int64_t ts_us);
// "2004-01-27T08:00:00.123456+0000" (EVE JSON timestamp).
std::string eve_timestamp(int64_t ts_us);
// "Jan 27 08:00:00" (RFC 3164 timestamp).
std::string syslog_date(int64_t ts_us);

}  // namespace ww::gen

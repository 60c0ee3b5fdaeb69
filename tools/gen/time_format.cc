#include "tools/gen/time_format.h"

#include <cstdio>

namespace ww::gen {
namespace {

constexpr const char* kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kDays[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

CivilTime civil_time(int64_t ts_us) {
  const int64_t secs = floor_div(ts_us, 1000000);
  const int64_t days = floor_div(secs, 86400);
  const int64_t sod = secs - days * 86400;
  // Howard Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  CivilTime t;
  t.year = static_cast<int>(y);
  t.month = static_cast<int>(m);
  t.day = static_cast<int>(d);
  t.hour = static_cast<int>(sod / 3600);
  t.minute = static_cast<int>(sod / 60 % 60);
  t.second = static_cast<int>(sod % 60);
  t.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  return t;
}

std::string rfc5322_date(int64_t ts_us) {
  const CivilTime t = civil_time(ts_us);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s, %d %s %04d %02d:%02d:%02d +0000", kDays[t.weekday], t.day,
                kMonths[t.month - 1], t.year, t.hour, t.minute, t.second);
  return buf;
}

std::string eve_timestamp(int64_t ts_us) {
  const CivilTime t = civil_time(ts_us);
  const int64_t us = ts_us - floor_div(ts_us, 1000000) * 1000000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+0000", t.year, t.month,
                t.day, t.hour, t.minute, t.second, static_cast<long long>(us));
  return buf;
}

std::string syslog_date(int64_t ts_us) {
  const CivilTime t = civil_time(ts_us);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %2d %02d:%02d:%02d", kMonths[t.month - 1], t.day, t.hour,
                t.minute, t.second);
  return buf;
}

}  // namespace ww::gen

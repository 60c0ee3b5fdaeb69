#pragma once
// EVE timestamps ("2004-01-27T08:00:16.970424+0000") to and from microseconds
// since the Unix epoch, UTC. Packet time: the report never reads the clock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ww::report {

// Accepts the EVE form, an optional fraction (1-9 digits), and an offset of
// +HHMM, +HH:MM, -HHMM or Z. Returns nothing for anything else.
std::optional<int64_t> parse_eve_time(std::string_view s);

// "2004-01-27 08:00:00" (seconds) or "2004-01-27" (day) in UTC.
std::string format_utc(int64_t us, bool with_time = true);
// "2004-01-27T08:00:00.000000+0000", the EVE form.
std::string format_eve_time(int64_t us);

// Floor division (pre-1970 times stay in the right bucket).
inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace ww::report

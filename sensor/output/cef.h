#pragma once
// ArcSight Common Event Format (CEF) from EVE records:
//   CEF:0|wormwatch|wormwatch|VERSION|signature_id|name|severity|extension
// Header fields escape `\` and `|`; extension values escape `\`, `=`, and
// carry CR/LF as the two-character sequences `\r`/`\n`. Every other control
// character (NUL, tab, …) and every invalid UTF-8 sequence becomes U+FFFD, so a
// CEF line is always one line of valid UTF-8 whatever came off the wire.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ww {

struct CefOptions {
  std::string vendor = "wormwatch";
  std::string product = "wormwatch";
  std::string version = "0.1.0";
};

std::string cef_escape_header(std::string_view s);
std::string cef_escape_extension(std::string_view s);

// Replaces invalid UTF-8 sequences with U+FFFD (used by the escapers).
std::string utf8_sanitize(std::string_view s);

// "2004-01-27T08:00:00.123456+0000" (or "+00:00", "Z") → microseconds since
// the epoch. False when the text is not such a timestamp.
bool parse_eve_timestamp(std::string_view s, int64_t& us);

// CEF severity 0..10: alerts 1→10, 2→7, 3→4 (unknown 5); anomaly 3;
// fileinfo/smtp/email 2; everything else 1.
int cef_severity(const nlohmann::json& rec);

std::string eve_to_cef(const nlohmann::json& rec, const CefOptions& o);

// Parses `line` as JSON and converts it. A line that is not a JSON object
// still becomes one CEF line (signature_id = event type, msg = the line).
std::string line_to_cef(std::string_view event_type, std::string_view line, const CefOptions& o);

}  // namespace ww

#pragma once
// Text to UTF-8 for header values and file names. The few charsets seen in mail
// headers are converted with small tables (no iconv); anything else keeps its bytes
// as UTF-8 with U+FFFD for what is invalid, and says so. Output is always valid
// UTF-8.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ww::mime {

enum class Charset : uint8_t { utf8, us_ascii, iso_8859_1, iso_8859_15, windows_1252, unknown };

// Case-insensitive, with the usual aliases (latin1, cp1252, utf8, ...). An RFC 2231
// language suffix ("utf-8*en") is ignored. Empty → us_ascii.
Charset charset_from_name(std::string_view name);

// What converting text found. Bit flags.
enum TextIssue : uint8_t {
  kTextOk = 0,
  kTextInvalid = 1,         // bytes invalid in the charset, replaced with U+FFFD
  kTextUnknownCharset = 2,  // charset not converted
};

// Appends `bytes` in charset `cs` to `out` as UTF-8. Returns TextIssue bits.
uint8_t append_utf8(std::string& out, std::string_view bytes, Charset cs);

// Appends the code point as UTF-8 (cp must be a scalar value).
void append_code_point(std::string& out, uint32_t cp);

// Length of the longest prefix of valid UTF-8 `s` that is at most max_bytes and does
// not split a character.
size_t utf8_prefix_length(std::string_view s, size_t max_bytes);

// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 when the bytes there are
// not a valid sequence (overlong, surrogate, beyond U+10FFFF, truncated).
size_t utf8_sequence_length(std::string_view s, size_t i);

bool ascii_iequals(std::string_view a, std::string_view b);
void ascii_lower(std::string& s);

}  // namespace ww::mime

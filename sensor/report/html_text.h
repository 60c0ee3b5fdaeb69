#pragma once
// Text from the wire, made safe for the page and the terminal. Strings in EVE
// records are JSON-escaped UTF-8, but once decoded they may hold markup, control
// characters, bidirectional overrides ("invoice\u202Etxt.exe") or, when a record
// was produced by something else, invalid UTF-8.

#include <cstdint>
#include <string>
#include <string_view>

namespace ww::report {

// HTML text and attribute values: & < > " ' become entities; invalid UTF-8
// bytes, C0/C1 control characters (except tab and newline) and NUL become
// U+FFFD; bidirectional formatting characters become a visible "[U+202E]" so a
// file name cannot display reversed. Appends to `out`.
void append_html_escaped(std::string& out, std::string_view s);
std::string html_escape(std::string_view s);

// For the terminal summary: the same UTF-8 repair, control characters (ESC
// included) and bidi controls replaced by '?', at most `max_bytes` bytes kept
// (cut on a character boundary, "…" appended).
std::string terminal_safe(std::string_view s, size_t max_bytes = 120);

// Replaces invalid UTF-8 sequences by U+FFFD (nothing else changes).
std::string repair_utf8(std::string_view s);

// Decodes one UTF-8 character at s[i]: returns the code point and sets `len`,
// or returns -1 (len = 1) for an invalid sequence (overlong, surrogate, beyond
// U+10FFFF, truncated).
int32_t decode_utf8(std::string_view s, size_t i, size_t& len);

}  // namespace ww::report

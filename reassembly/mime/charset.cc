#include "reassembly/mime/charset.h"

#include <array>

namespace ww::mime {

namespace {

// Windows-1252 0x80..0x9F. The five unassigned bytes map to the C1 control of the
// same value, as the WHATWG encoding standard does.
constexpr std::array<uint16_t, 32> kCp1252High{
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// ISO-8859-15 differs from ISO-8859-1 in eight positions.
uint32_t latin9_code_point(uint8_t b) {
  switch (b) {
    case 0xA4:
      return 0x20AC;
    case 0xA6:
      return 0x0160;
    case 0xA8:
      return 0x0161;
    case 0xB4:
      return 0x017D;
    case 0xB8:
      return 0x017E;
    case 0xBC:
      return 0x0152;
    case 0xBD:
      return 0x0153;
    case 0xBE:
      return 0x0178;
    default:
      return b;
  }
}

constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

uint8_t append_valid_utf8(std::string& out, std::string_view s) {
  uint8_t issues = kTextOk;
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    const size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      append_code_point(out, 0xFFFD);
      issues |= kTextInvalid;
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return issues;
}

}  // namespace

bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

void ascii_lower(std::string& s) {
  for (char& c : s) c = lower(c);
}

Charset charset_from_name(std::string_view name) {
  if (const size_t star = name.find('*'); star != std::string_view::npos) {
    name = name.substr(0, star);
  }
  if (name.empty()) return Charset::us_ascii;
  struct Alias {
    std::string_view name;
    Charset cs;
  };
  static constexpr std::array<Alias, 20> kAliases{{
      {"utf-8", Charset::utf8},
      {"utf8", Charset::utf8},
      {"us-ascii", Charset::us_ascii},
      {"ascii", Charset::us_ascii},
      {"ansi_x3.4-1968", Charset::us_ascii},
      {"iso-8859-1", Charset::iso_8859_1},
      {"iso8859-1", Charset::iso_8859_1},
      {"iso_8859-1", Charset::iso_8859_1},
      {"latin1", Charset::iso_8859_1},
      {"latin-1", Charset::iso_8859_1},
      {"l1", Charset::iso_8859_1},
      {"cp819", Charset::iso_8859_1},
      {"iso-8859-15", Charset::iso_8859_15},
      {"iso8859-15", Charset::iso_8859_15},
      {"iso_8859-15", Charset::iso_8859_15},
      {"latin-9", Charset::iso_8859_15},
      {"latin9", Charset::iso_8859_15},
      {"windows-1252", Charset::windows_1252},
      {"cp1252", Charset::windows_1252},
      {"x-cp1252", Charset::windows_1252},
  }};
  for (const Alias& a : kAliases) {
    if (ascii_iequals(a.name, name)) return a.cs;
  }
  return Charset::unknown;
}

void append_code_point(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b = at(i);
  if (b < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;  // overlong
    if (b == 0xED) hi = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;  // overlong
    if (b == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

uint8_t append_utf8(std::string& out, std::string_view bytes, Charset cs) {
  switch (cs) {
    case Charset::utf8:
    case Charset::us_ascii: {
      const uint8_t issues = append_valid_utf8(out, bytes);
      if (cs == Charset::us_ascii) {
        for (char c : bytes) {
          if (static_cast<uint8_t>(c) >= 0x80) return issues | kTextInvalid;
        }
      }
      return issues;
    }
    case Charset::iso_8859_1:
      for (char c : bytes) append_code_point(out, static_cast<uint8_t>(c));
      return kTextOk;
    case Charset::iso_8859_15:
      for (char c : bytes) append_code_point(out, latin9_code_point(static_cast<uint8_t>(c)));
      return kTextOk;
    case Charset::windows_1252:
      for (char c : bytes) {
        const auto b = static_cast<uint8_t>(c);
        append_code_point(out, (b >= 0x80 && b <= 0x9F) ? kCp1252High[b - 0x80] : b);
      }
      return kTextOk;
    case Charset::unknown:
      return append_valid_utf8(out, bytes) | kTextUnknownCharset;
  }
  return kTextOk;
}

size_t utf8_prefix_length(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s.size();
  size_t i = 0;
  while (i < s.size()) {
    size_t n = utf8_sequence_length(s, i);
    if (n == 0) n = 1;  // callers pass valid UTF-8; be safe anyway
    if (i + n > max_bytes) break;
    i += n;
  }
  return i;
}

}  // namespace ww::mime

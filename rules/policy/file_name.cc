#include "rules/policy/file_name.h"

#include <fmt/format.h>

namespace ww {

namespace {

// Length of the valid UTF-8 sequence at s[i] and its code point; 0 if invalid.
size_t utf8_at(std::string_view s, size_t i, char32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  size_t n;
  char32_t v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    n = 2, v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, v = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, v = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3F);
  }
  if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
      (v >= 0xD800 && v <= 0xDFFF))
    return 0;  // overlong, out of range, surrogate
  *cp = v;
  return n;
}

bool is_bidi_control(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F;
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp < 0xA0); }

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

FileNameParts split_file_name(std::string_view raw, size_t max_bytes) {
  FileNameParts p;
  if (const auto nul = raw.find('\0'); nul != std::string_view::npos) raw = raw.substr(0, nul);
  if (const auto slash = raw.find_last_of("/\\"); slash != std::string_view::npos)
    raw = raw.substr(slash + 1);
  while (!raw.empty() && (raw.back() == '.' || raw.back() == ' ' || raw.back() == '\t' ||
                          raw.back() == '\r' || raw.back() == '\n'))
    raw.remove_suffix(1);
  if (raw.size() > max_bytes) {
    raw = raw.substr(raw.size() - max_bytes);
    p.cut = true;
  }
  p.name = std::string(raw);

  for (size_t i = 0; i < raw.size();) {
    char32_t cp = 0;
    const size_t n = utf8_at(raw, i, &cp);
    if (n == 0) {
      ++i;
      continue;
    }
    if (is_bidi_control(cp)) p.bidi_control = true;
    i += n;
  }

  const auto dot = raw.rfind('.');
  if (dot == std::string_view::npos) return p;
  p.extension = ascii_lower(raw.substr(dot + 1));
  std::string_view before = raw.substr(0, dot);
  while (!before.empty() && before.back() == ' ') {
    before.remove_suffix(1);
    ++p.padding;
  }
  const auto dot2 = before.rfind('.');
  if (dot2 != std::string_view::npos && dot2 > 0) {  // ".hidden.exe": no inner extension
    std::string_view inner = before.substr(dot2 + 1);
    while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
    p.inner_extension = ascii_lower(inner);
  }
  return p;
}

std::string printable_name(std::string_view raw, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < raw.size();) {
    char32_t cp = 0;
    const size_t n = utf8_at(raw, i, &cp);
    if (n == 0) {
      out += fmt::format("<x{:02X}>", static_cast<unsigned char>(raw[i]));
      ++i;
      continue;
    }
    if (is_control(cp) || is_bidi_control(cp))
      out += fmt::format("<U+{:04X}>", static_cast<uint32_t>(cp));
    else
      out.append(raw.substr(i, n));
    i += n;
  }
  if (out.size() <= max_bytes) return out;
  // Keep the tail (the extension is what matters); start on a character boundary.
  size_t start = out.size() - (max_bytes > 3 ? max_bytes - 3 : 0);
  while (start < out.size() && (static_cast<unsigned char>(out[start]) & 0xC0) == 0x80) ++start;
  return "..." + out.substr(start);
}

}  // namespace ww

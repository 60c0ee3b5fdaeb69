#include "sensor/report/html_text.h"

namespace ww::report {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_bidi_control(int32_t cp) {
  return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061C;
}

bool is_control(int32_t cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F);
}

void append_hex_marker(std::string& out, int32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += "[U+";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
  out += ']';
}

}  // namespace

int32_t decode_utf8(std::string_view s, size_t i, size_t& len) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  len = 1;
  if (b0 < 0x80) return b0;
  size_t need;
  int32_t cp;
  int32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  if (i + need >= s.size()) return -1;  // truncated at the end
  for (size_t k = 1; k <= need; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  len = need + 1;
  return cp;
}

void append_html_escaped(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size());
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    switch (c) {
      case '&':
        out += "&amp;";
        ++i;
        continue;
      case '<':
        out += "&lt;";
        ++i;
        continue;
      case '>':
        out += "&gt;";
        ++i;
        continue;
      case '"':
        out += "&quot;";
        ++i;
        continue;
      case '\'':
        out += "&#39;";
        ++i;
        continue;
      default:
        break;
    }
    size_t len;
    const int32_t cp = decode_utf8(s, i, len);
    if (cp < 0 || cp == 0 || is_control(cp)) {
      out += kReplacement;
    } else if (is_bidi_control(cp)) {
      append_hex_marker(out, cp);
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
}

std::string html_escape(std::string_view s) {
  std::string out;
  append_html_escaped(out, s);
  return out;
}

std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len;
    if (decode_utf8(s, i, len) < 0)
      out += kReplacement;
    else
      out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string terminal_safe(std::string_view s, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t len;
    const int32_t cp = decode_utf8(s, i, len);
    std::string_view piece = s.substr(i, len);
    if (cp < 0 || cp == 0 || is_control(cp) || cp == '\t' || cp == '\n' || is_bidi_control(cp))
      piece = "?";
    if (out.size() + piece.size() > max_bytes) {
      out += "\xE2\x80\xA6";  // …
      break;
    }
    out.append(piece);
    i += len;
  }
  return out;
}

}  // namespace ww::report

#include "sensor/output/cef.h"

#include <ctime>

#include <fmt/format.h>

namespace ww {
namespace {

using nlohmann::json;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_seq_len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0, cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }

// Shared walk: valid UTF-8 is copied, invalid bytes and controls become
// U+FFFD unless `special` handled them.
template <typename Special>
std::string escape_walk(std::string_view s, Special special) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_seq_len(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (n == 1) {
      char c = s[i];
      if (!special(c, out)) {
        if (is_control(static_cast<unsigned char>(c)))
          out += kReplacement;
        else
          out += c;
      }
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string s;
    for (const auto& e : v) {
      if (!s.empty()) s += ", ";
      s += value_text(e);
    }
    return s;
  }
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

const json* find_path(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(k);
    if (it == cur->end() || it->is_null()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string event_type_of(const json& rec) {
  const json* e = find_path(rec, {"event_type"});
  return e && e->is_string() ? e->get<std::string>() : std::string("unknown");
}

void add_ext(std::string& ext, std::string_view key, std::string_view value) {
  if (!ext.empty()) ext += ' ';
  ext += key;
  ext += '=';
  ext += cef_escape_extension(value);
}

void add_ext_field(std::string& ext, std::string_view key, const json& rec,
                   std::initializer_list<const char*> path) {
  if (const json* v = find_path(rec, path)) add_ext(ext, key, value_text(*v));
}

void add_custom(std::string& ext, int n, std::string_view label, const json* v) {
  if (!v) return;
  add_ext(ext, fmt::format("cs{}Label", n), label);
  add_ext(ext, fmt::format("cs{}", n), value_text(*v));
}

std::string header(const CefOptions& o, std::string_view sig_id, std::string_view name,
                   int severity) {
  return fmt::format("CEF:0|{}|{}|{}|{}|{}|{}|", cef_escape_header(o.vendor),
                     cef_escape_header(o.product), cef_escape_header(o.version),
                     cef_escape_header(sig_id), cef_escape_header(name), severity);
}

}  // namespace

std::string utf8_sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_seq_len(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string cef_escape_header(std::string_view s) {
  return escape_walk(s, [](char c, std::string& out) {
    if (c == '\\' || c == '|') {
      out += '\\';
      out += c;
      return true;
    }
    return false;
  });
}

std::string cef_escape_extension(std::string_view s) {
  return escape_walk(s, [](char c, std::string& out) {
    switch (c) {
      case '\\': out += "\\\\"; return true;
      case '=': out += "\\="; return true;
      case '\n': out += "\\n"; return true;
      case '\r': out += "\\r"; return true;
      default: return false;
    }
  });
}

bool parse_eve_timestamp(std::string_view s, int64_t& us) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hhmm|+hh:mm|-…)
  auto digits = [&](size_t pos, size_t n, int& v) {
    if (pos + n > s.size()) return false;
    v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s[pos + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    return true;
  };
  int Y, M, D, h, m, sec;
  if (!digits(0, 4, Y) || s.size() < 19 || s[4] != '-' || !digits(5, 2, M) || s[7] != '-' ||
      !digits(8, 2, D) || (s[10] != 'T' && s[10] != ' ') || !digits(11, 2, h) || s[13] != ':' ||
      !digits(14, 2, m) || s[16] != ':' || !digits(17, 2, sec))
    return false;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return false;
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale > 0) frac_us += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  int offset_s = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(pos + 1, 2, oh)) return false;
    size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    if (!digits(mpos, 2, om)) return false;
    offset_s = sign * (oh * 3600 + om * 60);
    pos = mpos + 2;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  struct tm tm {};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_s;
  us = secs * 1'000'000 + frac_us;
  return true;
}

int cef_severity(const json& rec) {
  std::string et = event_type_of(rec);
  if (et == "alert") {
    const json* s = find_path(rec, {"alert", "severity"});
    if (s && s->is_number_integer()) {
      switch (s->get<int64_t>()) {
        case 1: return 10;
        case 2: return 7;
        case 3: return 4;
        default: break;
      }
    }
    return 5;
  }
  if (et == "anomaly") return 3;
  if (et == "fileinfo" || et == "smtp" || et == "email") return 2;
  return 1;
}

std::string eve_to_cef(const json& rec, const CefOptions& o) {
  std::string et = event_type_of(rec);
  std::string sig_id = et, name = et;
  if (et == "alert") {
    if (const json* v = find_path(rec, {"alert", "signature_id"})) sig_id = value_text(*v);
    if (const json* v = find_path(rec, {"alert", "signature"})) name = value_text(*v);
  } else if (et == "anomaly") {
    const json* t = find_path(rec, {"anomaly", "type"});
    const json* e = find_path(rec, {"anomaly", "event"});
    std::string ts = t ? value_text(*t) : "", es = e ? value_text(*e) : "";
    sig_id = fmt::format("anomaly:{}:{}", ts, es);
    name = fmt::format("anomaly {} {}", ts, es);
  }

  std::string ext;
  if (const json* ts = find_path(rec, {"timestamp"}); ts && ts->is_string()) {
    int64_t us = 0;
    if (parse_eve_timestamp(ts->get<std::string>(), us)) add_ext(ext, "rt", std::to_string(us / 1000));
  }
  add_ext(ext, "cat", et);
  add_ext_field(ext, "src", rec, {"src_ip"});
  add_ext_field(ext, "spt", rec, {"src_port"});
  add_ext_field(ext, "dst", rec, {"dest_ip"});
  add_ext_field(ext, "dpt", rec, {"dest_port"});
  add_ext_field(ext, "proto", rec, {"proto"});
  add_ext_field(ext, "app", rec, {"app_proto"});
  if (et == "alert") add_ext_field(ext, "act", rec, {"alert", "action"});
  add_custom(ext, 1, "flow_id", find_path(rec, {"flow_id"}));
  add_custom(ext, 2, "community_id", find_path(rec, {"community_id"}));
  add_custom(ext, 3, "file_name", find_path(rec, {"fileinfo", "filename"}));
  add_custom(ext, 4, "sha256", find_path(rec, {"fileinfo", "sha256"}));
  const json* from = find_path(rec, {"smtp", "mail_from"});
  if (!from) from = find_path(rec, {"email", "from"});
  add_custom(ext, 5, "smtp_from", from);
  add_custom(ext, 6, "smtp_subject", find_path(rec, {"email", "subject"}));
  return header(o, sig_id, name, cef_severity(rec)) + ext;
}

std::string line_to_cef(std::string_view event_type, std::string_view line, const CefOptions& o) {
  json rec = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (rec.is_object()) {
    if (!rec.contains("event_type")) rec["event_type"] = std::string(event_type);
    return eve_to_cef(rec, o);
  }
  std::string ext;
  add_ext(ext, "cat", event_type);
  add_ext(ext, "msg", line);
  return header(o, event_type, event_type, 1) + ext;
}

}  // namespace ww

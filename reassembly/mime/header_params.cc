#include "reassembly/mime/header_params.h"

#include <algorithm>

#include "reassembly/mime/charset.h"
#include "reassembly/mime/rfc2047.h"

namespace ww::mime {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_token_char(char c) {
  const auto b = static_cast<uint8_t>(c);
  if (b <= 0x20 || b >= 0x7F) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (ascii_iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// One name=value as written. RFC 2231 pieces keep their base name and section.
struct RawParam {
  std::string name;  // lower case, as written ("filename*0*")
  std::string base;  // lower case, without the RFC 2231 suffix
  std::string value;
  std::string trailing;   // text between a closing quote and the next ';'
  int section = -1;       // RFC 2231 continuation index, -1 when none
  bool extended = false;  // RFC 2231 charset'lang'%xx value
};

// Splits "filename*0*" into base/section/extended.
void split_rfc2231_name(RawParam& p) {
  const size_t star = p.name.find('*');
  if (star == std::string::npos) {
    p.base = p.name;
    return;
  }
  p.base = p.name.substr(0, star);
  std::string_view rest = std::string_view(p.name).substr(star + 1);
  if (rest.empty()) {
    p.extended = true;
    return;
  }
  int section = 0;
  size_t i = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && section < 100000) {
    section = section * 10 + (rest[i] - '0');
    ++i;
  }
  if (i == 0) return;  // "name*x": not RFC 2231, keep as a plain odd name
  p.section = section;
  if (i < rest.size() && rest[i] == '*') {
    p.extended = true;
    ++i;
  }
}

// Tokenizes the parameters after the main value. An unterminated quoted string runs
// to the end; its inside is returned in `reparse` for a second reading.
void tokenize(std::string_view s, std::vector<RawParam>& out, AnomalyBits& issues,
              std::string* reparse) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_blank(s[i]) || s[i] == ';')) ++i;
    if (i >= s.size()) break;
    const size_t name_begin = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
    if (i >= s.size() || s[i] == ';') continue;  // attribute without value: ignored
    RawParam p;
    p.name = std::string(trim_blanks(s.substr(name_begin, i - name_begin)));
    ascii_lower(p.name);
    ++i;  // '='
    while (i < s.size() && is_blank(s[i])) ++i;
    if (i < s.size() && s[i] == '"') {
      const size_t open = i++;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          p.value.push_back(s[i + 1]);
          i += 2;
        } else if (s[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          p.value.push_back(s[i++]);
        }
      }
      if (!closed) {
        issues.set(static_cast<size_t>(MimeAnomaly::unterminated_quoted_string));
        if (reparse != nullptr) *reparse = std::string(s.substr(open + 1));
      }
      const size_t after = i;
      while (i < s.size() && s[i] != ';') ++i;
      p.trailing = std::string(trim_blanks(s.substr(after, i - after)));
    } else {
      const size_t begin = i;
      while (i < s.size() && s[i] != ';') ++i;
      p.value = std::string(trim_blanks(s.substr(begin, i - begin)));
    }
    split_rfc2231_name(p);
    out.push_back(std::move(p));
  }
}

// Appends the percent-decoded bytes of s; false when a '%' was not followed by hex.
bool percent_decode(std::string_view s, std::string& out) {
  bool ok = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      if (s[i] == '%') ok = false;
      out.push_back(s[i]);
    }
  }
  return ok;
}

struct LogicalParam {
  std::string base;
  std::string value;  // UTF-8 for RFC 2231 values; as written otherwise
  std::string trailing;
  bool rfc2231 = false;
};

void note_text(uint8_t text_issues, AnomalyBits& issues) {
  if (text_issues & kTextInvalid) issues.set(static_cast<size_t>(MimeAnomaly::invalid_utf8));
  if (text_issues & kTextUnknownCharset) {
    issues.set(static_cast<size_t>(MimeAnomaly::unknown_charset));
  }
}

// Joins RFC 2231 pieces (by base name, in section order) and decodes them.
void assemble(std::vector<RawParam>& raw, std::vector<LogicalParam>& out, AnomalyBits& issues) {
  const auto bad = [&] { issues.set(static_cast<size_t>(MimeAnomaly::rfc2231_bad_continuation)); };
  std::vector<bool> used(raw.size(), false);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (used[i]) continue;
    RawParam& p = raw[i];
    LogicalParam lp;
    lp.base = p.base;
    lp.trailing = p.trailing;
    if (p.section < 0 && !p.extended) {
      lp.value = std::move(p.value);
      out.push_back(std::move(lp));
      continue;
    }
    lp.rfc2231 = true;
    std::vector<RawParam*> pieces;
    if (p.section < 0) {
      pieces.push_back(&p);
    } else {
      for (size_t k = i; k < raw.size(); ++k) {
        if (!used[k] && raw[k].section >= 0 && raw[k].base == p.base) {
          pieces.push_back(&raw[k]);
          used[k] = true;
        }
      }
      std::stable_sort(pieces.begin(), pieces.end(), [](const RawParam* a, const RawParam* b) {
        return a->section < b->section;
      });
      for (size_t k = 0; k < pieces.size(); ++k) {
        if (pieces[k]->section != static_cast<int>(k)) bad();
      }
    }
    std::string bytes;
    Charset cs = Charset::utf8;
    for (size_t k = 0; k < pieces.size(); ++k) {
      std::string_view v = pieces[k]->value;
      if (!pieces[k]->extended) {
        bytes.append(v);
        continue;
      }
      if (k == 0) {
        const size_t q1 = v.find('\'');
        const size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
        if (q2 == std::string_view::npos) {
          bad();
        } else {
          cs = charset_from_name(v.substr(0, q1));
          v = v.substr(q2 + 1);
        }
      }
      if (!percent_decode(v, bytes)) bad();
    }
    note_text(append_utf8(lp.value, bytes, cs), issues);
    out.push_back(std::move(lp));
  }
}

void add_name(ContentFields& cf, std::string_view raw_name, uint8_t rank, bool alternate_only,
              bool decode_words, AnomalyBits& issues) {
  std::string name;
  if (decode_words) {
    const Rfc2047Result r = decode_rfc2047(raw_name, name);
    if (r.bad_word) issues.set(static_cast<size_t>(MimeAnomaly::encoded_word_invalid));
    if (r.unknown_charset) issues.set(static_cast<size_t>(MimeAnomaly::unknown_charset));
    if (r.invalid_text) issues.set(static_cast<size_t>(MimeAnomaly::invalid_utf8));
  } else {
    name = std::string(raw_name);
  }
  const std::string_view trimmed = trim_blanks(name);
  if (trimmed.empty()) return;
  cf.names.push_back({std::string(trimmed), rank, alternate_only});
}

uint32_t parse_number(std::string_view s) {
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    n = std::min<uint64_t>(n * 10 + static_cast<uint64_t>(c - '0'), UINT32_MAX);
  }
  return static_cast<uint32_t>(n);
}

// The parameters of one field, in the two readings where they differ.
struct Params {
  std::vector<LogicalParam> params;
  std::vector<LogicalParam> reparsed;  // second reading of an unterminated quote
};

Params parse_params(std::string_view s, AnomalyBits& issues) {
  Params out;
  std::vector<RawParam> raw;
  std::string reparse;
  tokenize(s, raw, issues, &reparse);
  assemble(raw, out.params, issues);
  if (!reparse.empty()) {
    std::vector<RawParam> raw2;
    AnomalyBits ignored;
    tokenize(reparse, raw2, ignored, nullptr);
    assemble(raw2, out.reparsed, ignored);
  }
  return out;
}

bool is_name_param(std::string_view base) { return base == "filename" || base == "name"; }

// Names from a field: the chosen reading of `name_param` plus every second reading.
void collect_names(const Params& ps, std::string_view name_param, uint8_t rank_2231,
                   ContentFields& cf, AnomalyBits& issues) {
  int plain_seen = 0;
  int ext_seen = 0;
  for (const LogicalParam& p : ps.params) {
    if (!is_name_param(p.base)) {
      if (contains_ci(p.value, "name=") || contains_ci(p.trailing, "name=")) {
        issues.set(static_cast<size_t>(MimeAnomaly::hidden_filename_parameter));
      }
      continue;
    }
    if (p.base != name_param) continue;
    int& seen = p.rfc2231 ? ext_seen : plain_seen;
    if (++seen > 1) issues.set(static_cast<size_t>(MimeAnomaly::duplicate_parameter));
    const uint8_t rank = p.rfc2231 ? rank_2231 : static_cast<uint8_t>(rank_2231 + 1);
    add_name(cf, p.value, rank, false, !p.rfc2231, issues);
    // `filename="a.txt".exe`: some readers append the text after the quote.
    if (!p.trailing.empty()) add_name(cf, p.value + p.trailing, rank, true, !p.rfc2231, issues);
  }
  for (const LogicalParam& p : ps.reparsed) {
    if (is_name_param(p.base)) add_name(cf, p.value, 4, true, !p.rfc2231, issues);
  }
}

std::string_view main_value(std::string_view value, std::string_view& rest) {
  const size_t semi = value.find(';');
  rest = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
  return trim_blanks(value.substr(0, semi));
}

bool valid_media_type(std::string_view t) {
  const size_t slash = t.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == t.size()) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i != slash && !is_token_char(t[i])) return false;
  }
  return true;
}

}  // namespace

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

const char* encoding_name(Encoding e) { return mime_encoding_name(e); }

Encoding encoding_from_token(std::string_view t) {
  struct Entry {
    std::string_view token;
    Encoding e;
  };
  static constexpr Entry kTable[] = {
      {"7bit", Encoding::seven_bit},
      {"8bit", Encoding::eight_bit},
      {"binary", Encoding::binary},
      {"base64", Encoding::base64},
      {"quoted-printable", Encoding::quoted_printable},
      {"x-uuencode", Encoding::uuencode},
      {"uuencode", Encoding::uuencode},
      {"x-uue", Encoding::uuencode},
      {"uue", Encoding::uuencode},
  };
  for (const Entry& e : kTable) {
    if (ascii_iequals(e.token, t)) return e.e;
  }
  return Encoding::unknown;
}

int encoding_class(Encoding e) {
  switch (e) {
    case Encoding::base64:
      return 1;
    case Encoding::quoted_printable:
      return 2;
    case Encoding::uuencode:
      return 3;
    default:
      return 0;
  }
}

void ContentFields::clear() {
  ct_seen = false;
  ct_invalid = false;
  type.clear();
  charset.clear();
  boundaries.clear();
  boundary_too_long = false;
  cd_seen = false;
  disposition.clear();
  encodings.clear();
  encoding_token.clear();
  names.clear();
  partial_id.clear();
  partial_number = 0;
  partial_total = 0;
}

void parse_content_type(std::string_view value, const ParamLimits& limits, ContentFields& cf,
                        AnomalyBits& issues) {
  const auto flag = [&](MimeAnomaly a) { issues.set(static_cast<size_t>(a)); };
  std::string_view rest;
  std::string type(main_value(value, rest));
  ascii_lower(type);
  const bool valid = valid_media_type(type);
  if (!valid) {
    cf.ct_invalid = true;
    flag(MimeAnomaly::invalid_content_type);
  }
  const bool first = !cf.ct_seen;
  cf.ct_seen = true;
  if (!first) flag(MimeAnomaly::duplicate_content_type);
  if (valid) {
    if (cf.type.empty()) {
      cf.type = type;
    } else if (cf.type != type) {
      flag(MimeAnomaly::conflicting_content_type);
      if (type.starts_with("multipart/") && !cf.type.starts_with("multipart/")) cf.type = type;
    }
  }
  const Params ps = parse_params(rest, issues);
  int charsets = 0;
  int boundaries = 0;
  for (const LogicalParam& p : ps.params) {
    if (p.base == "charset") {
      if (++charsets > 1) flag(MimeAnomaly::duplicate_parameter);
      if (first && charsets == 1) {
        cf.charset = std::string(trim_blanks(p.value));
        ascii_lower(cf.charset);
      }
    } else if (p.base == "boundary") {
      if (++boundaries > 1) flag(MimeAnomaly::duplicate_parameter);
      std::string_view b = p.value;
      while (!b.empty() && (b.back() == ' ' || b.back() == '\t')) b.remove_suffix(1);
      if (b.empty()) continue;
      if (b.size() > limits.max_boundary_bytes) {
        cf.boundary_too_long = true;
        flag(MimeAnomaly::boundary_too_long);
        continue;
      }
      if (std::find(cf.boundaries.begin(), cf.boundaries.end(), b) != cf.boundaries.end()) {
        continue;
      }
      if (!cf.boundaries.empty()) flag(MimeAnomaly::conflicting_boundary);
      if (cf.boundaries.size() >= limits.max_boundaries) {
        flag(MimeAnomaly::too_many_boundaries);
        continue;
      }
      if (b.size() > 70) flag(MimeAnomaly::boundary_over_rfc_length);
      cf.boundaries.emplace_back(b);
    } else if (p.base == "id") {
      if (cf.partial_id.empty()) cf.partial_id = p.value;
    } else if (p.base == "number") {
      if (cf.partial_number == 0) cf.partial_number = parse_number(trim_blanks(p.value));
    } else if (p.base == "total") {
      if (cf.partial_total == 0) cf.partial_total = parse_number(trim_blanks(p.value));
    }
  }
  collect_names(ps, "name", 2, cf, issues);
}

void parse_content_disposition(std::string_view value, ContentFields& cf, AnomalyBits& issues) {
  std::string_view rest;
  std::string disposition(main_value(value, rest));
  ascii_lower(disposition);
  if (cf.cd_seen) {
    issues.set(static_cast<size_t>(MimeAnomaly::duplicate_content_disposition));
    // A file in either reading is a file.
    if (disposition == "attachment") cf.disposition = disposition;
  } else {
    cf.disposition = disposition;
  }
  cf.cd_seen = true;
  const Params ps = parse_params(rest, issues);
  collect_names(ps, "filename", 0, cf, issues);
}

void parse_content_transfer_encoding(std::string_view value, ContentFields& cf,
                                     AnomalyBits& issues) {
  std::string_view v = trim_blanks(value);
  size_t end = 0;
  while (end < v.size() && !is_blank(v[end]) && v[end] != ';' && v[end] != '(') ++end;
  std::string token(v.substr(0, end));
  ascii_lower(token);
  const Encoding e = encoding_from_token(token);
  if (e == Encoding::unknown) issues.set(static_cast<size_t>(MimeAnomaly::unknown_encoding));
  if (cf.encodings.empty()) {
    cf.encodings.push_back(e);
    cf.encoding_token = token;
    return;
  }
  issues.set(static_cast<size_t>(MimeAnomaly::duplicate_cte));
  for (Encoding seen : cf.encodings) {
    if (encoding_class(seen) == encoding_class(e)) return;
  }
  issues.set(static_cast<size_t>(MimeAnomaly::conflicting_cte));
  cf.encodings.push_back(e);
}

}  // namespace ww::mime

#include "reassembly/mime/rfc2047.h"

#include "reassembly/mime/charset.h"

namespace ww::mime {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Lenient: characters outside the alphabet are skipped (and reported), padding ends
// a group. Returns false when something was skipped or a group was incomplete.
bool decode_b(std::string_view in, std::string& out) {
  bool ok = true;
  uint32_t acc = 0;
  int n = 0;
  for (char c : in) {
    const int v = base64_value(c);
    if (v < 0) {
      if (c != '=') ok = false;
      continue;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    if (++n == 4) {
      out.push_back(static_cast<char>(acc >> 16));
      out.push_back(static_cast<char>(acc >> 8));
      out.push_back(static_cast<char>(acc));
      acc = 0;
      n = 0;
    }
  }
  if (n == 2) {
    out.push_back(static_cast<char>(acc >> 4));
  } else if (n == 3) {
    out.push_back(static_cast<char>(acc >> 10));
    out.push_back(static_cast<char>(acc >> 2));
  } else if (n == 1) {
    ok = false;
  }
  return ok;
}

bool decode_q(std::string_view in, std::string& out) {
  bool ok = true;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      if (c == '=') ok = false;
      out.push_back(c);
    }
  }
  return ok;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool all_blank(std::string_view s) {
  for (char c : s) {
    if (!is_blank(c)) return false;
  }
  return true;
}

struct Word {
  std::string_view charset;
  char encoding = 0;
  std::string_view text;
  size_t end = 0;  // index just past "?="
};

// Parses an encoded word starting at s[at] == '='.
bool parse_word(std::string_view s, size_t at, Word& w) {
  if (at + 1 >= s.size() || s[at] != '=' || s[at + 1] != '?') return false;
  const size_t cs_begin = at + 2;
  const size_t q1 = s.find('?', cs_begin);
  if (q1 == std::string_view::npos || q1 == cs_begin || q1 - cs_begin > 64) return false;
  for (size_t i = cs_begin; i < q1; ++i) {
    if (is_blank(s[i]) || s[i] == '=') return false;
  }
  if (q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
  const char enc = s[q1 + 1];
  if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q') return false;
  const size_t text_begin = q1 + 3;
  const size_t close = s.find("?=", text_begin);
  if (close == std::string_view::npos) return false;
  for (size_t i = text_begin; i < close; ++i) {
    if (is_blank(s[i])) return false;
  }
  w.charset = s.substr(cs_begin, q1 - cs_begin);
  w.encoding = static_cast<char>(enc | 0x20);
  w.text = s.substr(text_begin, close - text_begin);
  w.end = close + 2;
  return true;
}

class Joiner {
 public:
  Joiner(std::string& out, Rfc2047Result& r) : out_(out), r_(r) {}

  void literal(std::string_view s) {
    flush();
    note(append_utf8(out_, s, Charset::utf8));
  }
  void word_bytes(Charset cs, std::string_view bytes) {
    if (has_pending_ && cs != pending_cs_) flush();
    pending_cs_ = cs;
    has_pending_ = true;
    pending_.append(bytes);
  }
  void flush() {
    if (!has_pending_) return;
    note(append_utf8(out_, pending_, pending_cs_));
    pending_.clear();
    has_pending_ = false;
  }

 private:
  void note(uint8_t issues) {
    if (issues & kTextInvalid) r_.invalid_text = true;
    if (issues & kTextUnknownCharset) r_.unknown_charset = true;
  }

  std::string& out_;
  Rfc2047Result& r_;
  std::string pending_;
  Charset pending_cs_ = Charset::utf8;
  bool has_pending_ = false;
};

}  // namespace

Rfc2047Result decode_rfc2047(std::string_view raw, std::string& out) {
  Rfc2047Result r;
  Joiner join(out, r);
  std::string bytes;
  size_t i = 0;
  bool after_word = false;
  while (i < raw.size()) {
    const size_t at = raw.find("=?", i);
    if (at == std::string_view::npos) break;
    Word w;
    if (!parse_word(raw, at, w)) {
      r.bad_word = true;
      // Kept literally; resume after "=?" (a real word may start inside).
      join.literal(raw.substr(i, at + 2 - i));
      i = at + 2;
      after_word = false;
      continue;
    }
    const std::string_view between = raw.substr(i, at - i);
    if (!(after_word && all_blank(between))) join.literal(between);
    bytes.clear();
    const bool ok = w.encoding == 'b' ? decode_b(w.text, bytes) : decode_q(w.text, bytes);
    if (!ok) r.bad_word = true;
    join.word_bytes(charset_from_name(w.charset), bytes);
    i = w.end;
    after_word = true;
  }
  join.literal(raw.substr(std::min(i, raw.size())));
  join.flush();
  return r;
}

}  // namespace ww::mime

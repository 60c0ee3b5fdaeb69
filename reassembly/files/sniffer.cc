#include "reassembly/files/sniffer.h"

#include <magic.h>

#include <array>
#include <cstring>

namespace ww {

namespace {

// No decompression, no ELF details: type only, and bounded work.
constexpr int kFlags = MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF;

magic_t open_magic(int flags) {
  magic_t m = magic_open(flags);
  if (m && magic_load(m, nullptr) != 0) {
    magic_close(m);
    m = nullptr;
  }
  return m;
}

bool starts_with(std::span<const uint8_t> b, std::string_view s) {
  return b.size() >= s.size() && std::memcmp(b.data(), s.data(), s.size()) == 0;
}

bool is_alpha(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

constexpr std::array<bool, 256> make_prose_table() {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (char c : std::string_view(" .,'?-\r\n")) t[static_cast<uint8_t>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kProse = make_prose_table();

// Words that text rules look for at a line start (mailboxes, news, uuencode, diff,
// scripts and program sources), compared without case.
constexpr std::string_view kLineStartWords[] = {
    "from", "article", "begin", "diff", "only", "index", "import", "package", "program",
    "module", "class", "def", "function", "use", "require", "include", "proc", "mode",
    "subroutine", "implicit", "dim", "sub", "set", "echo", "print", "title", "section",
    "define", "library", "unit", "interface", "procedure", "entity", "architecture"};

// Printable ASCII and CR, LF, HT only: worth asking the handle without soft magic.
bool looks_like_text(std::span<const uint8_t> b) {
  for (uint8_t c : b)
    if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c > 0x7e) return false;
  return true;
}

bool word_is(std::span<const uint8_t> w, std::string_view s) {
  if (w.size() != s.size()) return false;
  for (size_t i = 0; i < w.size(); ++i) {
    uint8_t c = w[i];
    if (is_upper(c)) c = static_cast<uint8_t>(c - 'A' + 'a');
    if (c != static_cast<uint8_t>(s[i])) return false;
  }
  return true;
}

}  // namespace

Sniffer::Sniffer() {
  magic_t m = open_magic(kFlags);
  cookie_ = m;
  if (m) text_cookie_ = open_magic(kFlags | MAGIC_NO_CHECK_SOFT);
}

Sniffer::~Sniffer() {
  if (cookie_) magic_close(static_cast<magic_t>(cookie_));
  if (text_cookie_) magic_close(static_cast<magic_t>(text_cookie_));
}

const char* Sniffer::signature_type(std::span<const uint8_t> b) {
  if (starts_with(b, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a")) return "image/gif";
  if (b.size() >= 4 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
  if (starts_with(b, "%PDF-")) return "application/pdf";
  return nullptr;
}

bool Sniffer::looks_like_prose(std::span<const uint8_t> b) {
  if (b.empty()) return false;
  size_t i = 0;
  const size_t n = b.size();
  while (i < n) {
    const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(b.data() + i, '\n', n - i));
    const size_t line_end = nl ? static_cast<size_t>(nl - b.data()) : n;
    size_t e = line_end;
    if (e > i && b[e - 1] == '\r') --e;
    if (e > i) {
      // A line starts with a word of two or more letters, not one text rules key on.
      size_t w = i;
      while (w < e && is_alpha(b[w])) ++w;
      if (w - i < 2) return false;
      const std::span<const uint8_t> first = b.subspan(i, w - i);
      for (std::string_view k : kLineStartWords)
        if (word_is(first, k)) return false;
      // Allowed bytes only, no all-capitals word of two or more letters.
      size_t word_start = i;
      bool word_upper = true;
      for (size_t j = i; j <= e; ++j) {
        const uint8_t c = j < e ? b[j] : ' ';
        if (!kProse[c] || c == '\r' || c == '\n') return false;
        if (is_alpha(c) || is_digit(c)) {
          if (!is_upper(c)) word_upper = false;
          continue;
        }
        if (word_upper && j - word_start >= 2) return false;
        word_start = j + 1;
        word_upper = true;
      }
    }
    i = line_end + 1;
  }
  return true;
}

std::string Sniffer::sniff_libmagic(std::span<const uint8_t> head) {
  if (!cookie_) return {};
  if (head.empty()) return "application/x-empty";
  const char* t = magic_buffer(static_cast<magic_t>(cookie_), head.data(), head.size());
  return t ? std::string(t) : std::string();
}

std::string Sniffer::sniff(std::span<const uint8_t> head, std::string_view sha256) {
  if (!cookie_) return {};
  if (head.empty()) return "application/x-empty";
  if (const char* t = signature_type(head)) {
    stats_.signature++;
    return t;
  }
  std::string key(sha256);
  if (!key.empty()) {
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      stats_.cached++;
      return it->second;
    }
  }
  if (text_cookie_ && looks_like_text(head)) {
    // CSV (and JSON, tar) are decided before the soft magic: libmagic's own answer
    // without it is the full answer. Plain text only when no soft rule can match.
    const char* t = magic_buffer(static_cast<magic_t>(text_cookie_), head.data(), head.size());
    if (t && (std::strcmp(t, "text/csv") == 0 ||
              (std::strcmp(t, "text/plain") == 0 && looks_like_prose(head)))) {
      stats_.text++;
      return t;
    }
  }
  stats_.full++;
  std::string t = sniff_libmagic(head);
  if (!key.empty() && !t.empty()) {
    if (cache_.size() >= kCacheEntries) cache_.clear();  // bounded; refilled by repeats
    cache_.emplace(std::move(key), t);
  }
  return t;
}

}  // namespace ww

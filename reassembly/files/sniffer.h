#pragma once
// Content type from the bytes (libmagic, MIME type form "application/zip").
// One per worker: a magic_t is not shared between threads.
//
// libmagic with all its checks costs 0.03-4 ms per file (plain text is the worst:
// every text rule of the database, many of them regexes, runs over the head), which
// was half the CPU of the SMTP pipeline. So sniff() answers the common cases itself,
// with the name libmagic gives them, and asks libmagic only for the rest:
//  * a head that starts with the PNG, GIF, JPEG or PDF signature: libmagic's strongest
//    rule for those bytes gives image/png, image/gif, image/jpeg, application/pdf;
//  * text (printable ASCII): a second handle without the soft magic
//    (MAGIC_NO_CHECK_SOFT, the other flags the same) runs libmagic's encoding, JSON,
//    CSV and tar checks, which come before the soft magic; its text/csv is the full
//    answer. Its text/plain is taken only for plain prose (letters, digits, blanks and
//    . , ' ? - only; each line starts with a word of two or more letters, not one
//    that text rules key on such as "From" or "import"; no all-capitals word; see
//    looks_like_prose()), chosen so that no soft magic rule matches it;
//  * a file sniffed before: results of the full libmagic are kept per sha256 (the same
//    bytes give the same answer), so a worm mailed a thousand times is sniffed once.
// tests/unit/files compares every fast answer with the full libmagic on generated files.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ww {

class Sniffer {
 public:
  // Loads libmagic's default database; on failure every sniff returns "" and
  // ok() is false (the caller counts it; files are still reported).
  Sniffer();
  ~Sniffer();
  Sniffer(const Sniffer&) = delete;
  Sniffer& operator=(const Sniffer&) = delete;

  bool ok() const { return cookie_ != nullptr; }
  // "" when libmagic is unavailable or fails. `sha256` (hex, may be empty) keys the
  // cache of full libmagic answers.
  std::string sniff(std::span<const uint8_t> head, std::string_view sha256 = {});
  // The full libmagic answer, no shortcut (for tests and comparisons).
  std::string sniff_libmagic(std::span<const uint8_t> head);

  // How the answers were found (per worker; for benchmarks and tests).
  struct Stats {
    uint64_t signature = 0;  // leading signature
    uint64_t text = 0;       // prose, libmagic without soft magic
    uint64_t cached = 0;     // sha256 seen before
    uint64_t full = 0;       // full libmagic
  };
  const Stats& stats() const { return stats_; }

  // Exposed for tests: the type a leading signature decides, or nullptr.
  static const char* signature_type(std::span<const uint8_t> head);
  // Exposed for tests: true when no soft magic rule can match `head`.
  static bool looks_like_prose(std::span<const uint8_t> head);

 private:
  static constexpr size_t kCacheEntries = 4096;  // ~0.5 MiB at most

  void* cookie_ = nullptr;  // magic_t, full checks
  void* text_cookie_ = nullptr;  // magic_t, no soft magic
  std::unordered_map<std::string, std::string> cache_;  // sha256 -> type (full libmagic)
  Stats stats_;
};

}  // namespace ww

#pragma once
// Content type from the bytes (libmagic, MIME type form "application/zip").
// One per worker: a magic_t is not shared between threads.

#include <span>
#include <string>

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
  // "" when libmagic is unavailable or fails.
  std::string sniff(std::span<const uint8_t> head);

 private:
  void* cookie_ = nullptr;  // magic_t
};

}  // namespace ww

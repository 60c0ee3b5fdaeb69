#include "reassembly/files/sniffer.h"

#include <magic.h>

namespace ww {

Sniffer::Sniffer() {
  // No decompression, no ELF details: type only, and bounded work.
  magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS |
                         MAGIC_NO_CHECK_ELF);
  if (m && magic_load(m, nullptr) != 0) {
    magic_close(m);
    m = nullptr;
  }
  cookie_ = m;
}

Sniffer::~Sniffer() {
  if (cookie_) magic_close(static_cast<magic_t>(cookie_));
}

std::string Sniffer::sniff(std::span<const uint8_t> head) {
  if (!cookie_) return {};
  if (head.empty()) return "application/x-empty";
  const char* t = magic_buffer(static_cast<magic_t>(cookie_), head.data(), head.size());
  return t ? std::string(t) : std::string();
}

}  // namespace ww

#include "reassembly/mime/uuencode.h"

#include <cstring>

namespace ww::mime {

namespace {

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// "begin 644 name": returns the name, or empty when the line is not a begin line.
std::string_view begin_line_name(std::string_view l) {
  if (!l.starts_with("begin ")) return {};
  l.remove_prefix(6);
  size_t digits = 0;
  while (digits < l.size() && l[digits] >= '0' && l[digits] <= '7') ++digits;
  if (digits < 3 || digits > 4 || digits >= l.size() || l[digits] != ' ') return {};
  l.remove_prefix(digits + 1);
  while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
  return trim_right(l);
}

}  // namespace

void UuencodeScanner::feed(std::span<const uint8_t> text, Events& ev) {
  const auto* p = reinterpret_cast<const char*>(text.data());
  const char* const end = p + text.size();
  while (p < end) {
    if (at_line_start_) {
      at_line_start_ = false;
      buffering_ = in_block_ || *p == 'b';
      len_ = 0;
      overflow_ = false;
    }
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* stop = nl != nullptr ? nl : end;
    if (buffering_ && !overflow_) {
      const size_t n = static_cast<size_t>(stop - p);
      if (len_ + n > kMaxLine) {
        overflow_ = true;
      } else {
        std::memcpy(buf_.data() + len_, p, n);
        len_ += n;
      }
    }
    if (nl == nullptr) break;
    p = nl + 1;
    at_line_start_ = true;
    if (!buffering_) continue;
    if (overflow_) {
      if (in_block_) ev.uu_bad_line();
      continue;
    }
    line(std::string_view(buf_.data(), len_), ev);
  }
}

void UuencodeScanner::line(std::string_view l, Events& ev) {
  l = trim_right(l);
  if (!in_block_) {
    const std::string_view name = begin_line_name(l);
    if (name.empty()) return;
    in_block_ = true;
    ev.uu_begin(name);
    return;
  }
  if (l == "end") {
    in_block_ = false;
    ev.uu_end(true);
    return;
  }
  if (l.empty()) return;
  data_line(l, ev);
}

void UuencodeScanner::data_line(std::string_view l, Events& ev) {
  for (char c : l) {
    if (c < 0x20 || c > 0x60) {
      ev.uu_bad_line();
      return;
    }
  }
  const auto value = [](char c) { return static_cast<uint8_t>((c - 0x20) & 0x3F); };
  const size_t count = value(l[0]);
  const size_t chars = (count + 2) / 3 * 4;
  // Allow what transit does to trailing blanks, nothing more.
  if (l.size() - 1 > chars + 1) {
    ev.uu_bad_line();
    return;
  }
  std::array<uint8_t, 66> out{};
  size_t o = 0;
  for (size_t i = 0; i < chars && o < count; i += 4) {
    uint8_t v[4];
    for (size_t k = 0; k < 4; ++k) {
      const size_t at = 1 + i + k;
      v[k] = at < l.size() ? value(l[at]) : 0;
    }
    const uint8_t b[3] = {static_cast<uint8_t>((v[0] << 2) | (v[1] >> 4)),
                          static_cast<uint8_t>((v[1] << 4) | (v[2] >> 2)),
                          static_cast<uint8_t>((v[2] << 6) | v[3])};
    for (size_t k = 0; k < 3 && o < count; ++k) out[o++] = b[k];
  }
  if (o > 0) ev.uu_data(std::span<const uint8_t>(out.data(), o));
}

void UuencodeScanner::finish(Events& ev) {
  if (!at_line_start_ && buffering_ && !overflow_) line(std::string_view(buf_.data(), len_), ev);
  at_line_start_ = true;
  if (in_block_) {
    in_block_ = false;
    ev.uu_end(false);
  }
}

void UuencodeScanner::gap() {
  // Resume at the next line; the partial line is not trusted.
  at_line_start_ = false;
  buffering_ = false;
}

}  // namespace ww::mime

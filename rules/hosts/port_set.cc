#include "rules/hosts/port_set.h"

#include <bit>
#include <charconv>
#include <vector>

namespace ww {

namespace {

bool parse_port(std::string_view s, unsigned& out) {
  if (s.empty() || s.size() > 5) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 1 && out <= 65535;
}

}  // namespace

bool PortSet::add(std::string_view entry, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error) *error = "'" + std::string(entry) + "': " + why;
    return false;
  };
  if (entry.empty()) return fail("empty entry (expected a port or a range like 3127-3198)");
  unsigned lo = 0, hi = 0;
  const size_t dash = entry.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_port(entry, lo)) return fail("not a port number from 1 to 65535");
    hi = lo;
  } else {
    if (!parse_port(entry.substr(0, dash), lo) || !parse_port(entry.substr(dash + 1), hi))
      return fail("expected a range LO-HI of port numbers from 1 to 65535");
    if (lo > hi) return fail("range start is above its end");
  }
  for (unsigned p = lo; p <= hi; ++p) bits_[p >> 6] |= uint64_t(1) << (p & 63);
  return true;
}

bool PortSet::parse(std::string_view list, PortSet& out, std::string* error) {
  PortSet s;
  size_t i = 0;
  auto is_sep = [](char c) { return c == ',' || c == ' ' || c == '\t'; };
  while (i < list.size()) {
    while (i < list.size() && is_sep(list[i])) ++i;
    size_t j = i;
    while (j < list.size() && !is_sep(list[j])) ++j;
    if (j > i && !s.add(list.substr(i, j - i), error)) return false;
    i = j;
  }
  out = s;
  return true;
}

size_t PortSet::count() const {
  size_t n = 0;
  for (uint64_t w : bits_) n += static_cast<size_t>(std::popcount(w));
  return n;
}

std::string PortSet::to_string() const {
  std::string out;
  unsigned p = 1;
  while (p <= 65535) {
    if (!contains(static_cast<uint16_t>(p))) {
      ++p;
      continue;
    }
    unsigned q = p;
    while (q < 65535 && contains(static_cast<uint16_t>(q + 1))) ++q;
    if (!out.empty()) out += ',';
    out += std::to_string(p);
    if (q > p) out += "-" + std::to_string(q);
    p = q + 1;
  }
  return out;
}

}  // namespace ww

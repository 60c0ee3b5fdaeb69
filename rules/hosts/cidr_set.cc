#include "rules/hosts/cidr_set.h"

#include <algorithm>
#include <charconv>

namespace ww {

namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Splits on commas and white space; drops one pair of surrounding brackets.
std::vector<std::string_view> split_list(std::string_view list) {
  auto is_sep = [](char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!list.empty() && is_sep(list.front())) list.remove_prefix(1);
  while (!list.empty() && is_sep(list.back())) list.remove_suffix(1);
  if (list.size() >= 2 && list.front() == '[' && list.back() == ']')
    list = list.substr(1, list.size() - 2);
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_sep(list[i])) ++i;
    size_t j = i;
    while (j < list.size() && !is_sep(list[j])) ++j;
    if (j > i) out.push_back(list.substr(i, j - i));
    i = j;
  }
  return out;
}

bool parse_uint(std::string_view s, unsigned& out) {
  if (s.empty() || s.size() > 5) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

bool CidrSet::add(std::string_view entry, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error) *error = quoted(entry) + ": " + why;
    return false;
  };
  if (entry.empty()) return fail("empty entry (expected an address or address/prefix)");
  std::string_view addr_text = entry;
  std::string_view len_text;
  const size_t slash = entry.find('/');
  if (slash != std::string_view::npos) {
    addr_text = entry.substr(0, slash);
    len_text = entry.substr(slash + 1);
    if (len_text.empty()) return fail("missing prefix length after '/'");
  }
  IpAddress a;
  if (addr_text.empty() || !IpAddress::parse(std::string(addr_text), a))
    return fail(quoted(addr_text) +
                " is not an IPv4 or IPv6 address (expected e.g. 10.0.0.0/8, 2001:db8::/32, "
                "192.0.2.1)");
  const unsigned max_len = a.family == 4 ? 32 : 128;
  unsigned len = max_len;
  if (slash != std::string_view::npos) {
    if (!parse_uint(len_text, len))
      return fail("prefix length " + quoted(len_text) + " is not a number");
    if (len > max_len)
      return fail("prefix length " + std::to_string(len) + " is out of range for " +
                  (a.family == 4 ? "IPv4 (0..32)" : "IPv6 (0..128)"));
  }
  if (a.family == 4) {
    uint32_t v = (uint32_t(a.bytes[0]) << 24) | (uint32_t(a.bytes[1]) << 16) |
                 (uint32_t(a.bytes[2]) << 8) | a.bytes[3];
    const uint32_t host_mask = len == 0 ? ~0u : (len == 32 ? 0u : (~0u >> len));
    insert_v4(v & ~host_mask, v | host_mask);
    v &= ~host_mask;
    uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    entries_.push_back(IpAddress::v4(b).to_string() + "/" + std::to_string(len));
  } else {
    U128 v = 0;
    for (uint8_t byte : a.bytes) v = (v << 8) | byte;
    const U128 all = ~U128(0);
    const U128 host_mask = len == 0 ? all : (len == 128 ? U128(0) : (all >> len));
    insert_v6(v & ~host_mask, v | host_mask);
    v &= ~host_mask;
    uint8_t b[16];
    for (int i = 15; i >= 0; --i) {
      b[i] = uint8_t(v);
      v >>= 8;
    }
    entries_.push_back(IpAddress::v6(b).to_string() + "/" + std::to_string(len));
  }
  return true;
}

void CidrSet::insert_v4(uint32_t lo, uint32_t hi) {
  // Start-up only: insert, sort, merge overlapping and adjacent ranges.
  v4_.push_back({lo, hi});
  std::sort(v4_.begin(), v4_.end(), [](const V4Range& x, const V4Range& y) { return x.lo < y.lo; });
  std::vector<V4Range> merged;
  for (const auto& r : v4_) {
    if (!merged.empty() && (merged.back().hi == UINT32_MAX || r.lo <= merged.back().hi + 1)) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  v4_ = std::move(merged);
}

void CidrSet::insert_v6(U128 lo, U128 hi) {
  v6_.push_back({lo, hi});
  std::sort(v6_.begin(), v6_.end(), [](const V6Range& x, const V6Range& y) { return x.lo < y.lo; });
  std::vector<V6Range> merged;
  const U128 all = ~U128(0);
  for (const auto& r : v6_) {
    if (!merged.empty() && (merged.back().hi == all || r.lo <= merged.back().hi + 1)) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  v6_ = std::move(merged);
}

bool CidrSet::parse(std::string_view list, CidrSet& out, std::string* error) {
  CidrSet s;
  for (std::string_view e : split_list(list))
    if (!s.add(e, error)) return false;
  out = std::move(s);
  return true;
}

bool CidrSet::parse(const std::vector<std::string>& entries, CidrSet& out, std::string* error) {
  CidrSet s;
  for (const std::string& e : entries)
    if (!s.add(e, error)) return false;
  out = std::move(s);
  return true;
}

bool CidrSet::contains(const IpAddress& a) const {
  const uint8_t* b = a.bytes.data();
  bool as_v4 = a.family == 4;
  if (a.family == 6) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(b, b + 12, kMapped)) {
      as_v4 = true;
      b += 12;
    }
  } else if (a.family != 4) {
    return false;
  }
  if (as_v4) {
    if (v4_.empty()) return false;
    const uint32_t v =
        (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
    // The last range whose lo <= v.
    auto it = std::upper_bound(v4_.begin(), v4_.end(), v,
                               [](uint32_t x, const V4Range& r) { return x < r.lo; });
    return it != v4_.begin() && v <= std::prev(it)->hi;
  }
  if (v6_.empty()) return false;
  U128 v = 0;
  for (int i = 0; i < 16; ++i) v = (v << 8) | b[i];
  auto it = std::upper_bound(v6_.begin(), v6_.end(), v,
                             [](U128 x, const V6Range& r) { return x < r.lo; });
  return it != v6_.begin() && v <= std::prev(it)->hi;
}

}  // namespace ww

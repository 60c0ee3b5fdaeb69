#include "sensor/report/home_net.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace ww::report {

bool HomeNet::parse_address(std::string_view s, std::array<uint8_t, 16>& out, bool& v4) {
  if (s.empty() || s.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  out.fill(0);
  uint8_t a4[4];
  if (inet_pton(AF_INET, buf, a4) == 1) {
    out[10] = out[11] = 0xFF;
    std::memcpy(&out[12], a4, 4);
    v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out.data()) != 1) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  v4 = std::memcmp(out.data(), kMapped, 12) == 0;
  return true;
}

bool HomeNet::add_one(std::string_view entry, std::string* error) {
  auto fail = [&](const char* why) {
    if (error)
      *error = "bad home_net entry '" + std::string(entry) + "': " + why +
               " (expected an IPv4 or IPv6 address or CIDR such as 10.0.0.0/8 or 2001:db8::/32)";
    return false;
  };
  std::string_view addr = entry;
  int len = -1;
  if (auto slash = entry.find('/'); slash != std::string_view::npos) {
    addr = entry.substr(0, slash);
    auto p = entry.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), len);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty())
      return fail("bad prefix length");
  }
  Net n;
  bool v4 = false;
  if (!parse_address(addr, n.addr, v4)) return fail("not an address");
  const int max = v4 ? 32 : 128;
  if (len < 0) len = max;
  if (len > max) return fail("prefix length too long");
  n.prefix = v4 ? len + 96 : len;
  // Host bits below the prefix are ignored, as CidrSet does.
  for (int bit = n.prefix; bit < 128; ++bit) n.addr[bit / 8] &= ~(0x80 >> (bit % 8));
  char text[INET6_ADDRSTRLEN];
  if (v4)
    inet_ntop(AF_INET, &n.addr[12], text, sizeof text);
  else
    inet_ntop(AF_INET6, n.addr.data(), text, sizeof text);
  text_.push_back(std::string(text) + "/" + std::to_string(len));
  nets_.push_back(n);
  return true;
}

bool HomeNet::add(std::string_view list, std::string* error) {
  HomeNet copy = *this;
  size_t i = 0;
  auto sep = [](char c) { return c == ',' || c == ' ' || c == '\t' || c == '[' || c == ']'; };
  while (i < list.size()) {
    while (i < list.size() && sep(list[i])) ++i;
    size_t j = i;
    while (j < list.size() && !sep(list[j])) ++j;
    if (j > i && !copy.add_one(list.substr(i, j - i), error)) return false;
    i = j;
  }
  *this = std::move(copy);
  return true;
}

bool HomeNet::contains(std::string_view address) const {
  std::array<uint8_t, 16> a;
  bool v4;
  if (nets_.empty() || !parse_address(address, a, v4)) return false;
  for (const auto& n : nets_) {
    const int whole = n.prefix / 8, rest = n.prefix % 8;
    if (std::memcmp(a.data(), n.addr.data(), whole) != 0) continue;
    if (rest && ((a[whole] ^ n.addr[whole]) & (0xFF00 >> rest) & 0xFF)) continue;
    return true;
  }
  return false;
}

}  // namespace ww::report

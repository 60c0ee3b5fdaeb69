#pragma once
// The report's own address matcher: which side of a mail transaction is ours.
// Text in, text out (EVE addresses are strings), a linear scan over a handful of
// prefixes; no dependency on the packet decoder or the host tracker's CidrSet.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ww::report {

class HomeNet {
 public:
  // Entries: "10.0.0.0/8", "2001:db8::/32", a bare address, or several of them
  // separated by commas/white space, optionally in [brackets] (Suricata style).
  // Returns false with one sentence in *error naming the bad entry.
  bool add(std::string_view list, std::string* error);
  bool contains(std::string_view address) const;
  bool empty() const { return nets_.empty(); }
  // Canonical "network/len" text of every entry, for the report header.
  const std::vector<std::string>& entries() const { return text_; }

  // Parses an address; IPv4 and IPv4-mapped IPv6 become ::ffff:a.b.c.d.
  static bool parse_address(std::string_view s, std::array<uint8_t, 16>& out, bool& v4);

 private:
  bool add_one(std::string_view entry, std::string* error);
  struct Net {
    std::array<uint8_t, 16> addr;
    int prefix;  // over the 128-bit form (IPv4 /8 = 104)
  };
  std::vector<Net> nets_;
  std::vector<std::string> text_;
};

// The default home_net of the host tracker (docs/hosts.md).
inline constexpr std::string_view kDefaultHomeNet =
    "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7";

}  // namespace ww::report

#pragma once
// Address sets for configuration: home_net, mail_relays, listener_allow.
// Parsed once at start-up; contains() is a binary search over merged ranges,
// so it costs O(log ranges) whatever the operator wrote.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/decode/packet.h"

namespace ww {

class CidrSet {
 public:
  // Adds one entry: "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or
  // /128). Host bits below the prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8),
  // as Suricata and Zeek do. On bad input returns false and sets *error to one
  // sentence that quotes the entry and says what is accepted.
  bool add(std::string_view entry, std::string* error);

  // A list separated by commas and/or white space, optionally in [brackets]
  // (Suricata's HOME_NET style): "[10.0.0.0/8, 192.168.0.0/16]". Empty = empty set.
  // All or nothing: on error `out` is left unchanged.
  static bool parse(std::string_view list, CidrSet& out, std::string* error);
  static bool parse(const std::vector<std::string>& entries, CidrSet& out, std::string* error);

  // IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are looked up as IPv4.
  bool contains(const IpAddress& a) const;

  bool empty() const { return v4_.empty() && v6_.empty(); }
  // Merged ranges (adjacent and overlapping entries are joined).
  size_t range_count() const { return v4_.size() + v6_.size(); }
  // The entries as added, in canonical "network/len" form, for records and docs.
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  using U128 = unsigned __int128;
  struct V4Range {
    uint32_t lo, hi;
  };
  struct V6Range {
    U128 lo, hi;
  };
  void insert_v4(uint32_t lo, uint32_t hi);
  void insert_v6(U128 lo, U128 hi);

  std::vector<V4Range> v4_;  // sorted by lo, disjoint, non-adjacent
  std::vector<V6Range> v6_;
  std::vector<std::string> entries_;
};

}  // namespace ww

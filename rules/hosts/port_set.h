#pragma once
// A set of TCP ports from configuration ("3127-3198,1080").

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ww {

// Backdoor ports: "3127-3198,1080". A bitmap, so contains() is one load.
class PortSet {
 public:
  // Adds "N" or "LO-HI" (1..65535, LO <= HI). False and *error on bad input.
  bool add(std::string_view entry, std::string* error);
  // Comma and/or space separated; all or nothing.
  static bool parse(std::string_view list, PortSet& out, std::string* error);

  bool contains(uint16_t port) const { return (bits_[port >> 6] >> (port & 63)) & 1; }
  size_t count() const;
  bool empty() const { return count() == 0; }
  // Canonical text: ascending, runs as ranges ("1080,3127-3198").
  std::string to_string() const;

 private:
  uint64_t bits_[1024] = {};
};

}  // namespace ww

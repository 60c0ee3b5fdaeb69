#include "reassembly/tcp/tcp_overlap_policy.h"

#include <array>
#include <utility>

namespace ww {

bool tcp_overlap_new_wins(TcpOverlapPolicy policy, uint64_t old_start, uint64_t old_end,
                          uint64_t new_start, uint64_t new_end) {
  const bool starts_before = new_start < old_start;
  const bool same_start = new_start == old_start;
  switch (policy) {
    case TcpOverlapPolicy::kFirst:
      return false;
    case TcpOverlapPolicy::kLast:
      return true;
    case TcpOverlapPolicy::kBsd:
    case TcpOverlapPolicy::kWindows:
      return starts_before;
    case TcpOverlapPolicy::kLinux:
      return starts_before || (same_start && new_end > old_end);
    case TcpOverlapPolicy::kOldLinux:
      return starts_before || (same_start && new_end >= old_end);
    case TcpOverlapPolicy::kSolaris: {
      const bool covers = new_start <= old_start && new_end >= old_end;
      const bool starts_inside_ends_after = new_start > old_start && new_end > old_end;
      return covers || starts_inside_ends_after;
    }
  }
  return false;
}

const char* tcp_overlap_policy_name(TcpOverlapPolicy policy) {
  switch (policy) {
    case TcpOverlapPolicy::kFirst:
      return "first";
    case TcpOverlapPolicy::kLast:
      return "last";
    case TcpOverlapPolicy::kBsd:
      return "bsd";
    case TcpOverlapPolicy::kLinux:
      return "linux";
    case TcpOverlapPolicy::kOldLinux:
      return "old-linux";
    case TcpOverlapPolicy::kWindows:
      return "windows";
    case TcpOverlapPolicy::kSolaris:
      return "solaris";
  }
  return "unknown";
}

bool parse_tcp_overlap_policy(std::string_view name, TcpOverlapPolicy& out) {
  static constexpr std::array<std::pair<std::string_view, TcpOverlapPolicy>, 13> kNames{{
      {"first", TcpOverlapPolicy::kFirst},
      {"vista", TcpOverlapPolicy::kFirst},
      {"last", TcpOverlapPolicy::kLast},
      {"bsd", TcpOverlapPolicy::kBsd},
      {"macos", TcpOverlapPolicy::kBsd},
      {"linux", TcpOverlapPolicy::kLinux},
      {"hpux10", TcpOverlapPolicy::kLinux},
      {"irix", TcpOverlapPolicy::kLinux},
      {"old-linux", TcpOverlapPolicy::kOldLinux},
      {"windows", TcpOverlapPolicy::kWindows},
      {"windows2k3", TcpOverlapPolicy::kWindows},
      {"solaris", TcpOverlapPolicy::kSolaris},
      {"hpux11", TcpOverlapPolicy::kSolaris},
  }};
  for (const auto& [n, p] : kNames) {
    if (n == name) {
      out = p;
      return true;
    }
  }
  return false;
}

}  // namespace ww

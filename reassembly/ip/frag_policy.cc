#include "reassembly/ip/frag_policy.h"

#include <array>
#include <utility>

namespace ww {

bool frag_overlap_new_wins(FragPolicy policy, uint32_t old_start, uint32_t old_end,
                           uint32_t new_start, uint32_t new_end) {
  switch (policy) {
    case FragPolicy::kFirst:
      return false;
    case FragPolicy::kLast:
      return true;
    case FragPolicy::kBsd:
      return new_start < old_start;
    case FragPolicy::kLinux:
      return new_start <= old_start;
    case FragPolicy::kWindows:
      return new_start < old_start && new_end > old_end;
    case FragPolicy::kSolaris:
      return new_start < old_start && new_end >= old_end;
  }
  return false;
}

const char* frag_policy_name(FragPolicy policy) {
  switch (policy) {
    case FragPolicy::kFirst:
      return "first";
    case FragPolicy::kLast:
      return "last";
    case FragPolicy::kBsd:
      return "bsd";
    case FragPolicy::kLinux:
      return "linux";
    case FragPolicy::kWindows:
      return "windows";
    case FragPolicy::kSolaris:
      return "solaris";
  }
  return "unknown";
}

bool parse_frag_policy(std::string_view name, FragPolicy& out) {
  static constexpr std::array<std::pair<std::string_view, FragPolicy>, 13> kNames{{
      {"first", FragPolicy::kFirst},
      {"macos", FragPolicy::kFirst},
      {"hpux11", FragPolicy::kFirst},
      {"last", FragPolicy::kLast},
      {"bsd", FragPolicy::kBsd},
      {"hpux10", FragPolicy::kBsd},
      {"irix", FragPolicy::kBsd},
      {"linux", FragPolicy::kLinux},
      {"old-linux", FragPolicy::kLinux},
      {"windows", FragPolicy::kWindows},
      {"vista", FragPolicy::kWindows},
      {"windows2k3", FragPolicy::kWindows},
      {"solaris", FragPolicy::kSolaris},
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

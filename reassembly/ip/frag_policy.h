#pragma once
// How to resolve an IP fragment that overlaps bytes already held for the same
// datagram with DIFFERENT data: the target-based policies of Novak's "Target-Based
// Fragmentation Reassembly" (2005), as Snort's frag3 and Suricata's defrag.c apply
// them. NOTES.md has the table. Identical overlapping bytes never consult the policy.

#include <cstdint>
#include <string_view>

namespace ww {

enum class FragPolicy : uint8_t {
  kFirst,    // bytes received first always stay (Solaris before 10, HP-UX 11, macOS)
  kLast,     // bytes received last always win (Cisco IOS)
  kBsd,      // new wins only where it starts before the old piece (BSD, HP-UX 10, IRIX)
  kLinux,    // new wins where it starts before or at the same offset as the old piece
  kWindows,  // new wins only where it starts before AND ends after the old piece
  kSolaris,  // new wins only where it starts before and ends at or after the old piece
};

// Decides one overlap between a held piece [old_start, old_end) and a new fragment
// [new_start, new_end) (offsets in the datagram payload). True: the new bytes win.
bool frag_overlap_new_wins(FragPolicy policy, uint32_t old_start, uint32_t old_end,
                           uint32_t new_start, uint32_t new_end);

const char* frag_policy_name(FragPolicy policy);

// first, last, bsd, linux, windows, solaris; aliases as Suricata's host-os-policy
// maps them: macos and hpux11 (first), hpux10 and irix (bsd), old-linux (linux),
// vista and windows2k3 (windows). False on an unknown name.
bool parse_frag_policy(std::string_view name, FragPolicy& out);

}  // namespace ww

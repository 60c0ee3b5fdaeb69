#pragma once
// How to resolve a TCP segment that overlaps bytes already held in the out-of-order
// buffer with DIFFERENT data. The target-based policies reproduce what Snort 3
// (stream_tcp tcp_overlap_resolver.cc) and Suricata (stream-tcp-list.c) document for
// each receiving TCP stack; NOTES.md has the full table. Identical overlapping bytes
// are never a conflict and never consult the policy.

#include <cstdint>
#include <string_view>

namespace ww {

enum class TcpOverlapPolicy : uint8_t {
  kFirst,     // the bytes received first always stay (Snort/Suricata "first", "vista")
  kLast,      // the bytes received last always win
  kBsd,       // new wins only where it starts before the old piece ("bsd", "macos")
  kLinux,     // bsd, plus new wins when it starts at the same place and reaches further
  kOldLinux,  // linux, plus new wins on an exact same-range duplicate ("old-linux")
  kWindows,   // same decisions as bsd for TCP in both Snort and Suricata
  kSolaris,   // new wins where it ends beyond the old piece or covers it ("hpux11")
};

// Decides one overlap between a buffered piece [old_start, old_end) and a new segment
// [new_start, new_end) (absolute stream offsets, original segment extent). Returns
// true when the new segment's bytes replace the buffered ones over the overlap.
bool tcp_overlap_new_wins(TcpOverlapPolicy policy, uint64_t old_start, uint64_t old_end,
                          uint64_t new_start, uint64_t new_end);

const char* tcp_overlap_policy_name(TcpOverlapPolicy policy);

// Parses a policy name as used in Snort/Suricata configuration: first, last, bsd,
// linux, old-linux, windows, solaris, and the aliases vista (first), macos (bsd),
// windows2k3 (windows), hpux10 and irix (linux), hpux11 (solaris). Returns false on
// an unknown name.
bool parse_tcp_overlap_policy(std::string_view name, TcpOverlapPolicy& out);

}  // namespace ww

#pragma once
// Dropping root after the capture is open (--user / --group). The capture socket
// (or DPDK port) stays usable; everything opened afterwards (eve.json, its reopen
// on SIGHUP, the filestore, spools, signature reloads) runs as the named user.

#include <sys/types.h>

#include <stdexcept>
#include <string>

namespace ww {

class PrivDropError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunAs {
  std::string user_name;   // as given
  std::string group_name;  // as given, or the user's primary group's name
  uid_t uid = 0;
  gid_t gid = 0;
};

// Looks up the user and (optionally) the group; an empty group means the user's
// primary group. Throws PrivDropError naming the unknown user or group.
RunAs resolve_run_as(const std::string& user, const std::string& group);

// setgroups({gid}), setgid, setuid, PR_SET_NO_NEW_PRIVS; then verifies that the
// real, effective and saved ids are the target ones, that setuid(0)/setgid(0)
// fail and that no capability is left (CapEff/CapPrm/CapAmb = 0). Throws
// PrivDropError with the fix (e.g. "needs root or CAP_SETUID/CAP_SETGID").
void drop_privileges(const RunAs& to);

// The effective/permitted/ambient capability masks of this process (from
// /proc/self/status); false if they cannot be read.
bool current_capabilities(uint64_t* eff, uint64_t* prm, uint64_t* amb);

}  // namespace ww

#include "sensor/capture/privdrop.h"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

namespace ww {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

RunAs resolve_run_as(const std::string& user, const std::string& group) {
  RunAs r;
  r.user_name = user;
  std::vector<char> buf(16384);
  struct passwd pw {};
  struct passwd* pwp = nullptr;
  int rc = getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &pwp);
  if (rc != 0 || !pwp) {
    throw PrivDropError(fmt::format("user '{}' (--user) does not exist; create it (useradd "
                                    "--system --no-create-home {}) or name another",
                                    user, user));
  }
  r.uid = pw.pw_uid;
  r.gid = pw.pw_gid;
  struct group gr {};
  struct group* grp = nullptr;
  if (!group.empty()) {
    rc = getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &grp);
    if (rc != 0 || !grp) {
      throw PrivDropError(fmt::format("group '{}' (--group) does not exist; create it (groupadd "
                                      "--system {}) or name another",
                                      group, group));
    }
    r.gid = gr.gr_gid;
    r.group_name = group;
  } else {
    rc = getgrgid_r(r.gid, &gr, buf.data(), buf.size(), &grp);
    r.group_name = (rc == 0 && grp) ? std::string(gr.gr_name) : std::to_string(r.gid);
  }
  return r;
}

bool current_capabilities(uint64_t* eff, uint64_t* prm, uint64_t* amb) {
  std::ifstream in("/proc/self/status");
  std::string line;
  int found = 0;
  while (std::getline(in, line)) {
    auto take = [&](const char* key, uint64_t* out) {
      size_t n = std::strlen(key);
      if (line.compare(0, n, key) == 0) {
        *out = std::stoull(line.substr(n), nullptr, 16);
        ++found;
      }
    };
    take("CapEff:", eff);
    take("CapPrm:", prm);
    take("CapAmb:", amb);
  }
  return found == 3;
}

void drop_privileges(const RunAs& to) {
  const std::string who = fmt::format("{}:{} (uid {}, gid {})", to.user_name, to.group_name,
                                      to.uid, to.gid);
  const char* fix = "start wormwatch as root (or with CAP_SETUID and CAP_SETGID) when using "
                    "--user/--group";
  if (to.uid == 0) {
    throw PrivDropError(fmt::format("--user {} is root; name an unprivileged user",
                                    to.user_name));
  }
  // Supplementary groups first (needs CAP_SETGID), then the group, then the user:
  // after setuid the process can no longer change its groups.
  if (setgroups(1, &to.gid) != 0) {
    throw PrivDropError(fmt::format("cannot drop privileges to {}: setgroups: {}; {}", who,
                                    errno_text(errno), fix));
  }
  if (setresgid(to.gid, to.gid, to.gid) != 0) {
    throw PrivDropError(fmt::format("cannot drop privileges to {}: setgid: {}; {}", who,
                                    errno_text(errno), fix));
  }
  if (setresuid(to.uid, to.uid, to.uid) != 0) {
    throw PrivDropError(fmt::format("cannot drop privileges to {}: setuid: {}; {}", who,
                                    errno_text(errno), fix));
  }
  // No exec'd program may gain privileges back (set-uid binaries, file capabilities).
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    throw PrivDropError(fmt::format("cannot set no_new_privs after dropping to {}: {}", who,
                                    errno_text(errno)));
  }

  // Verify, do not trust: every id is the target and root cannot be regained.
  uid_t ru, eu, su;
  gid_t rg, eg, sg;
  if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 || ru != to.uid ||
      eu != to.uid || su != to.uid || rg != to.gid || eg != to.gid || sg != to.gid) {
    throw PrivDropError(fmt::format("privilege drop to {} incomplete (uids {}/{}/{}, gids "
                                    "{}/{}/{})",
                                    who, ru, eu, su, rg, eg, sg));
  }
  if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0) {
    throw PrivDropError(fmt::format("privilege drop to {} failed: the process could regain root",
                                    who));
  }
  uint64_t eff = 0, prm = 0, amb = 0;
  if (!current_capabilities(&eff, &prm, &amb)) {
    throw PrivDropError("cannot read the capabilities from /proc/self/status after the drop");
  }
  if (eff || prm || amb) {
    throw PrivDropError(fmt::format("privilege drop to {} left capabilities (effective {:#x}, "
                                    "permitted {:#x}, ambient {:#x}); remove SECBIT_KEEP_CAPS / "
                                    "ambient capabilities from the service manager",
                                    who, eff, prm, amb));
  }
}

}  // namespace ww

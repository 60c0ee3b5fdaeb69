#include "rules/scan/dir_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rules/scan/clam_engine.h"

namespace ww {

namespace {

constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE |
                           IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

}  // namespace

DirWatcher::DirWatcher() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

DirWatcher::~DirWatcher() {
  if (fd_ >= 0) ::close(fd_);
}

std::string DirWatcher::watch(const std::vector<std::string>& dirs) {
  if (fd_ < 0) return std::string("inotify unavailable: ") + std::strerror(errno);
  std::string problems;
  for (const std::string& d : dirs) {
    if (::inotify_add_watch(fd_, d.c_str(), kMask) < 0 && errno != ENOENT) {
      if (!problems.empty()) problems += "; ";
      problems += "cannot watch '" + d + "': " + std::strerror(errno);
    }
  }
  return problems;
}

bool DirWatcher::consume() {
  if (fd_ < 0) return false;
  bool relevant = false;
  alignas(inotify_event) char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;  // EAGAIN: drained
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW)) {
        relevant = true;
      } else if (e->len > 0 && !(e->mask & IN_ISDIR) && is_clam_database_name(e->name)) {
        // IN_CREATE alone is followed by IN_CLOSE_WRITE; counting both is harmless
        // (debounced) and catches a hard link or an empty file created in place.
        relevant = true;
      }
    }
  }
  return relevant;
}

}  // namespace ww

#pragma once
// inotify on the signature directories: tells the scan service's control thread
// that a database file was written, renamed in or out, or deleted. freshclam
// and operators replace databases by rename, so IN_MOVED_TO counts as a write;
// names that are not databases (freshclam's hidden temp files) are ignored.

#include <string>
#include <vector>

namespace ww {

class DirWatcher {
 public:
  DirWatcher();  // an inotify instance; fd() < 0 if the kernel refused one
  ~DirWatcher();
  DirWatcher(const DirWatcher&) = delete;
  DirWatcher& operator=(const DirWatcher&) = delete;

  // Adds (or renews) a watch on every directory that exists. Call again after a
  // reload: a directory deleted and recreated needs a new watch. Returns a
  // message for directories that could not be watched, empty if all were.
  std::string watch(const std::vector<std::string>& dirs);
  int fd() const { return fd_; }
  // Reads every pending event (non-blocking). True if one concerns a database
  // file, or a watched directory itself went away or was replaced.
  bool consume();

 private:
  int fd_ = -1;
};

}  // namespace ww

#pragma once
// Per-worker counters of the file assembler and filestore.

#include <cstdint>

namespace ww {

#define WW_FILE_COUNTERS(X)                                                          \
  X(files, "files reported (fileinfo records)")                                      \
  X(bytes, "decoded attachment bytes hashed")                                        \
  X(closed, "files complete")                                                        \
  X(truncated, "files cut by a limit or the end of the message")                     \
  X(with_gaps, "files with bytes lost in TCP gaps")                                  \
  X(scan_cut, "files longer than files.scan_keep_bytes (only the head is scanned)")  \
  X(per_message_cut, "parts not reported past files.max_files_per_message")          \
  X(magic_errors, "libmagic failures (type left empty)")

struct FileCounters {
#define WW_X(name, desc) uint64_t name = 0;
  WW_FILE_COUNTERS(WW_X)
#undef WW_X
  void merge(const FileCounters& o) {
#define WW_X(name, desc) name += o.name;
    WW_FILE_COUNTERS(WW_X)
#undef WW_X
  }
};

}  // namespace ww

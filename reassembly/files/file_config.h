#pragma once
// What the file assembler keeps of each attachment, and the filestore settings.
// Every limit has a counter in FileCounters and a mark on the file it cut.

#include <cstdint>
#include <string>

namespace ww {

enum class FilestoreMode : uint8_t { none, all, alerted };
const char* filestore_mode_name(FilestoreMode m);
bool parse_filestore_mode(const std::string& s, FilestoreMode& out);

struct FileConfig {
  // md5 and sha1 beside sha256 (always computed). Each costs a pass over the bytes.
  bool md5 = true;
  bool sha1 = true;
  // Leading decoded bytes kept in memory for the scanner. A longer file is still
  // hashed whole; only the first scan_keep_bytes are scanned (files.scan_cut,
  // fileinfo.scan_bytes). clamd's MaxFileSize is 100 MB; a worm is a few KiB.
  uint64_t scan_keep_bytes = 32ull << 20;
  // Leading bytes handed to libmagic to sniff the type.
  uint32_t magic_bytes = 8192;
  // Files reported per message; later parts are still decoded but not hashed or
  // reported (files.per_message_cut, email.files_not_reported).
  uint32_t max_files_per_message = 256;

  // Filestore: files written under their sha256 (never under a wire name).
  FilestoreMode store_mode = FilestoreMode::none;
  std::string store_dir;                      // "" = <log_dir>/filestore
  uint64_t store_max_file_bytes = 64ull << 20;  // a larger file is not stored
  uint64_t store_quota_bytes = 1ull << 30;    // total stored this run; past it, nothing new
  bool store_eml = false;                     // whole messages as <sha256>.eml
};

}  // namespace ww

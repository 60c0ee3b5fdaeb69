#pragma once
// From MIME part events to files: every part the MIME decoder marks as a file
// (MimePartInfo::is_file) is hashed as its decoded bytes stream by (md5, sha1,
// sha256, each byte once), its head is kept for libmagic and for the scanner, and
// it may stream into the filestore. At the part's end a FileReport goes to the
// injected handler. One assembler per SMTP session; reset between messages.
//
// Bytes are copied at most twice: into the scan buffer (bounded by
// files.scan_keep_bytes; the scanner runs later, on another thread) and into the
// filestore's temp file when the store is on. Hashing reads the MIME decoder's
// span in place.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "reassembly/files/file_config.h"
#include "reassembly/files/file_counters.h"
#include "reassembly/files/file_hasher.h"
#include "reassembly/files/filestore.h"
#include "reassembly/files/sniffer.h"
#include "reassembly/mime/mime_events.h"

namespace ww {

struct FileReport {
  uint32_t file_index = 0;  // 0, 1, ... within the message
  uint32_t part = 0;
  std::string part_id;
  std::string name;                          // UTF-8, cut at mime.max_file_name_bytes
  std::vector<std::string> alternate_names;  // other names the part declared
  bool name_truncated = false;
  std::string declared_type;  // lower-case type/subtype, "" when none
  std::string sniffed_type;   // libmagic's MIME type
  std::string encoding;       // transfer encoding that decoded it
  bool attachment = false;    // Content-Disposition: attachment
  bool alternate_reading = false;
  bool uuencoded = false;
  bool opaque = false;        // a container kept whole (depth/part limits)
  uint64_t size = 0;          // decoded bytes delivered (and hashed)
  uint64_t truncated_bytes = 0;  // decoded but dropped (mime.max_part_bytes)
  uint64_t gap_bytes = 0;        // encoded bytes lost in TCP gaps
  MimePartState state = MimePartState::complete;
  FileHashes hashes;
  std::string data;        // the first min(size, files.scan_keep_bytes) bytes
  bool data_cut = false;   // size > data.size()
  Filestore::Writer store; // open temp file when the filestore takes it
};

class FileReportHandler {
 public:
  virtual ~FileReportHandler() = default;
  virtual void on_file(FileReport&& report) = 0;
};

class FileAssembler {
 public:
  // `store` may be null (filestore off). All references must outlive the assembler.
  FileAssembler(const FileConfig& cfg, FileCounters& counters, Sniffer& sniffer,
                Filestore* store, FileReportHandler& handler);
  ~FileAssembler();

  void part_begin(const MimePartInfo& info);
  void part_data(uint32_t part, std::span<const uint8_t> bytes);
  void part_gap(uint32_t part, uint64_t lost);
  void part_end(const MimePartEnd& end);
  // Next message: files still open (none after a MIME end()) are dropped.
  void reset();

  uint32_t files_reported() const { return reported_; }
  uint32_t files_not_reported() const { return not_reported_; }

 private:
  struct Open {
    FileReport r;
    std::unique_ptr<FileHasher> hasher;
    std::string head;  // for libmagic when the scan buffer is smaller
  };
  static constexpr size_t kSpares = 4;
  Open* find(uint32_t part);

  const FileConfig& cfg_;
  FileCounters& c_;
  Sniffer& sniffer_;
  Filestore* store_;
  FileReportHandler& handler_;
  std::vector<std::unique_ptr<Open>> open_;  // a leaf, its .alt and uuencode blocks
  std::vector<std::unique_ptr<Open>> spare_;  // finished, reused (hashers keep their contexts)
  uint32_t reported_ = 0;
  uint32_t not_reported_ = 0;
};

}  // namespace ww

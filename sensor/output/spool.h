#pragma once
// The bounded backlog of an asynchronous sink: memory first, then an optional
// disk file. Workers push (short lock, never I/O unless the memory part is
// full); the sink's sender thread takes from the front.
//
// Order: records leave in the order they came. While the disk part holds
// anything, new records go to disk too, so memory (older) always drains
// before disk (newer).
//
// Disk file: "WWSPOOL1" + u64 read offset, then records
// (u32 type length, u32 line length, type, line; host byte order). The read
// offset advances as the sender takes records; the file is truncated to its
// header whenever it drains. At shutdown, persist() writes everything still
// pending (sender's batch first) into the file; the next start replays it.
// The file is flock()ed: two sinks or two sensors cannot share one.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace ww {

struct SpoolLimits {
  uint64_t memory_bytes = 64ull << 20;
  std::string disk_path;  // "" = memory only
  uint64_t disk_bytes = 1ull << 30;
};

struct SpoolRecord {
  std::string event_type;
  std::string line;
  // What the record costs against either bound (framing included).
  size_t bytes() const { return event_type.size() + line.size() + 8; }
};

class Spool {
 public:
  enum class PushResult { memory, disk, dropped };

  // Opens (creating) and locks the disk file when configured; throws
  // std::runtime_error naming the path and the fix.
  explicit Spool(SpoolLimits limits);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Worker side, thread-safe.
  PushResult push(std::string_view event_type, std::string_view line);

  // Sender side: moves records from the front into `out` (appended) until
  // `max_records` or `max_bytes` (at least one record when any is pending).
  size_t take(std::deque<SpoolRecord>& out, size_t max_records, size_t max_bytes);

  // Waits until a record is pending, interrupt() is called, or `timeout`.
  void wait(std::chrono::milliseconds timeout);
  void interrupt();

  bool empty() const;
  uint64_t memory_bytes() const;
  uint64_t disk_file_bytes() const;
  // Records the disk file held at start (left by the previous run).
  uint64_t replayed() const { return replayed_; }
  const SpoolLimits& limits() const { return limits_; }
  // Records lost to disk write errors since the last call (the sink adds
  // them to its dropped counter) and the last error text.
  uint64_t take_io_losses(std::string* error);

  struct PersistResult {
    uint64_t persisted = 0;  // records from `front` and memory written to the disk file
    uint64_t carried = 0;    // records that were already on disk and stay there
    uint64_t dropped = 0;    // records that had no room (or no disk spool)
    std::string error;       // I/O error text, when one happened
  };
  // Shutdown: `front` (the sender's unsent records, oldest first), then the
  // memory part, then what is already on disk, all end up in the disk file
  // in that order, within disk_bytes. Leaves the spool empty.
  PersistResult persist(std::deque<SpoolRecord>& front);

 private:
  bool disk_pending_locked() const { return read_off_ < file_end_ || !wbuf_.empty(); }
  void open_disk();
  void flush_wbuf_locked();
  void write_header_locked();
  void reset_disk_locked();
  size_t read_disk_locked(std::deque<SpoolRecord>& out, size_t max_records, size_t max_bytes);
  static void append_framed(std::string& buf, std::string_view et, std::string_view line);

  SpoolLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool waiting_ = false;
  bool interrupted_ = false;

  std::deque<SpoolRecord> mem_;
  uint64_t mem_bytes_ = 0;

  int fd_ = -1;
  uint64_t read_off_ = 0;   // next record to take
  uint64_t file_end_ = 0;   // bytes in the file
  std::string wbuf_;        // appended records not yet written
  uint64_t wbuf_records_ = 0;
  uint64_t replayed_ = 0;
  uint64_t lost_on_io_error_ = 0;
  std::string io_error_;
};

}  // namespace ww

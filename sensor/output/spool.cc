#include "sensor/output/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace ww {
namespace {

constexpr char kMagic[8] = {'W', 'W', 'S', 'P', 'O', 'O', 'L', '1'};
constexpr uint64_t kHeader = 16;
constexpr size_t kWbufFlush = 256 << 10;
constexpr uint32_t kMaxType = 1024;
constexpr uint32_t kMaxLine = 256u << 20;

bool pread_all(int fd, void* buf, size_t n, uint64_t off) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r, n -= static_cast<size_t>(r), off += static_cast<uint64_t>(r);
  }
  return true;
}

bool pwrite_all(int fd, const void* buf, size_t n, uint64_t off) {
  auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t r = ::pwrite(fd, p, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r, n -= static_cast<size_t>(r), off += static_cast<uint64_t>(r);
  }
  return true;
}

// Parses whole records from buf[0..n); returns bytes consumed. Stops at a
// partial record; sets `corrupt` when a length is impossible.
size_t parse_records(const char* buf, size_t n, std::deque<SpoolRecord>* out, size_t max_records,
                     size_t max_bytes, size_t& count, bool& corrupt) {
  size_t pos = 0, bytes = 0;
  count = 0;
  while (pos + 8 <= n && count < max_records) {
    uint32_t tl, ll;
    std::memcpy(&tl, buf + pos, 4);
    std::memcpy(&ll, buf + pos + 4, 4);
    if (tl > kMaxType || ll > kMaxLine) {
      corrupt = true;
      break;
    }
    size_t rec = 8 + size_t{tl} + ll;
    if (pos + rec > n) break;
    if (count > 0 && bytes + rec > max_bytes) break;
    if (out) {
      out->push_back({std::string(buf + pos + 8, tl), std::string(buf + pos + 8 + tl, ll)});
    }
    pos += rec, bytes += rec, ++count;
  }
  return pos;
}

}  // namespace

Spool::Spool(SpoolLimits limits) : limits_(std::move(limits)) {
  if (!limits_.disk_path.empty()) open_disk();
}

Spool::~Spool() {
  if (fd_ >= 0) {
    std::lock_guard lk(mu_);
    flush_wbuf_locked();
    write_header_locked();
    ::close(fd_);
  }
}

void Spool::open_disk() {
  const std::string& p = limits_.disk_path;
  fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw std::runtime_error(fmt::format(
        "cannot open disk spool {}: {} (create the directory, make it writable for the sensor, "
        "or remove spool.disk_path)",
        p, std::strerror(errno)));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(fmt::format(
        "disk spool {} is in use by another sink or another wormwatch (give each sink its own "
        "spool.disk_path)",
        p));
  }
  struct stat st {};
  ::fstat(fd_, &st);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < kHeader) {
    // New (or cut before its header was written: nothing to replay).
    reset_disk_locked();
    return;
  }
  char hdr[kHeader];
  if (!pread_all(fd_, hdr, kHeader, 0) || std::memcmp(hdr, kMagic, 8) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(fmt::format(
        "{} is not a wormwatch disk spool (move it away or choose another spool.disk_path)", p));
  }
  std::memcpy(&read_off_, hdr + 8, 8);
  if (read_off_ < kHeader || read_off_ > size) read_off_ = kHeader;
  // Count the records to replay and cut a torn or corrupt tail (a crash
  // mid-write); what precedes it is kept.
  std::string buf;
  uint64_t off = read_off_;
  while (off < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(size - off, 4u << 20));
    buf.resize(want);
    if (!pread_all(fd_, buf.data(), want, off)) break;
    size_t count = 0;
    bool corrupt = false;
    size_t used = parse_records(buf.data(), want, nullptr, SIZE_MAX, SIZE_MAX, count, corrupt);
    replayed_ += count;
    off += used;
    if (corrupt) break;
    if (used == 0) {
      // A record larger than the chunk: read exactly it, or stop at a torn tail.
      uint32_t len[2];
      if (size - off < 8 || !pread_all(fd_, len, 8, off)) break;
      uint64_t rec = 8ull + len[0] + len[1];
      if (len[0] > kMaxType || len[1] > kMaxLine || off + rec > size) break;
      off += rec;
      ++replayed_;
    }
  }
  if (off < size) (void)::ftruncate(fd_, static_cast<off_t>(off));
  file_end_ = off;
  if (read_off_ == file_end_) reset_disk_locked();
}

void Spool::reset_disk_locked() {
  (void)::ftruncate(fd_, static_cast<off_t>(kHeader));
  read_off_ = file_end_ = kHeader;
  write_header_locked();
}

void Spool::write_header_locked() {
  char hdr[kHeader];
  std::memcpy(hdr, kMagic, 8);
  std::memcpy(hdr + 8, &read_off_, 8);
  (void)pwrite_all(fd_, hdr, kHeader, 0);
}

void Spool::append_framed(std::string& buf, std::string_view et, std::string_view line) {
  uint32_t len[2] = {static_cast<uint32_t>(et.size()), static_cast<uint32_t>(line.size())};
  buf.append(reinterpret_cast<const char*>(len), 8);
  buf.append(et);
  buf.append(line);
}

void Spool::flush_wbuf_locked() {
  if (wbuf_.empty() || fd_ < 0) return;
  if (pwrite_all(fd_, wbuf_.data(), wbuf_.size(), file_end_)) {
    file_end_ += wbuf_.size();
  } else {
    // Disk full or failing: these records are lost; cut any partial write.
    io_error_ = std::strerror(errno);
    lost_on_io_error_ += wbuf_records_;
    (void)::ftruncate(fd_, static_cast<off_t>(file_end_));
  }
  wbuf_.clear();
  wbuf_records_ = 0;
}

Spool::PushResult Spool::push(std::string_view et, std::string_view line) {
  const size_t bytes = et.size() + line.size() + 8;  // SpoolRecord::bytes()
  PushResult r = PushResult::dropped;
  {
    std::lock_guard lk(mu_);
    if (!disk_pending_locked() && mem_bytes_ + bytes <= limits_.memory_bytes) {
      mem_.push_back({std::string(et), std::string(line)});
      mem_bytes_ += bytes;
      r = PushResult::memory;
    } else if (fd_ >= 0 && file_end_ + wbuf_.size() + bytes <= limits_.disk_bytes &&
               et.size() <= kMaxType && line.size() <= kMaxLine) {
      append_framed(wbuf_, et, line);
      ++wbuf_records_;
      if (wbuf_.size() >= kWbufFlush) flush_wbuf_locked();
      r = PushResult::disk;
    }
    if (r != PushResult::dropped && waiting_) {
      waiting_ = false;
      cv_.notify_one();
    }
  }
  return r;
}

size_t Spool::read_disk_locked(std::deque<SpoolRecord>& out, size_t max_records,
                               size_t max_bytes) {
  if (read_off_ >= file_end_) flush_wbuf_locked();
  if (read_off_ >= file_end_) return 0;
  uint64_t avail = file_end_ - read_off_;
  size_t want = static_cast<size_t>(std::min<uint64_t>(avail, std::max<size_t>(max_bytes, 65536)));
  std::string buf(want, '\0');
  if (!pread_all(fd_, buf.data(), want, read_off_)) {
    io_error_ = std::strerror(errno);
    reset_disk_locked();
    return 0;
  }
  size_t count = 0;
  bool corrupt = false;
  size_t used = parse_records(buf.data(), want, &out, max_records, max_bytes, count, corrupt);
  if (used == 0 && !corrupt && avail >= 8) {
    // One record larger than the read: fetch it whole.
    uint32_t len[2];
    std::memcpy(len, buf.data(), 8);
    uint64_t rec = 8ull + len[0] + len[1];
    if (rec <= avail) {
      buf.resize(static_cast<size_t>(rec));
      if (pread_all(fd_, buf.data(), buf.size(), read_off_))
        used = parse_records(buf.data(), buf.size(), &out, 1, SIZE_MAX, count, corrupt);
    } else {
      corrupt = true;
    }
  }
  if (corrupt && used == 0) {
    io_error_ = "corrupt record in the disk spool; the rest of the file was discarded";
    reset_disk_locked();
    return 0;
  }
  read_off_ += used;
  if (read_off_ >= file_end_ && wbuf_.empty())
    reset_disk_locked();
  else
    write_header_locked();
  return count;
}

size_t Spool::take(std::deque<SpoolRecord>& out, size_t max_records, size_t max_bytes) {
  std::lock_guard lk(mu_);
  size_t n = 0, bytes = 0;
  while (!mem_.empty() && n < max_records && (n == 0 || bytes + mem_.front().bytes() <= max_bytes)) {
    bytes += mem_.front().bytes();
    mem_bytes_ -= mem_.front().bytes();
    out.push_back(std::move(mem_.front()));
    mem_.pop_front();
    ++n;
  }
  if (n == 0 && fd_ >= 0) n = read_disk_locked(out, max_records, max_bytes);
  return n;
}

void Spool::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  if (!mem_.empty() || disk_pending_locked() || interrupted_) {
    interrupted_ = false;
    return;
  }
  waiting_ = true;
  cv_.wait_for(lk, timeout, [&] { return !waiting_ || interrupted_; });
  waiting_ = false;
  interrupted_ = false;
}

void Spool::interrupt() {
  std::lock_guard lk(mu_);
  interrupted_ = true;
  cv_.notify_all();
}

bool Spool::empty() const {
  std::lock_guard lk(mu_);
  return mem_.empty() && !disk_pending_locked();
}

uint64_t Spool::memory_bytes() const {
  std::lock_guard lk(mu_);
  return mem_bytes_;
}

uint64_t Spool::disk_file_bytes() const {
  std::lock_guard lk(mu_);
  return fd_ >= 0 ? file_end_ + wbuf_.size() : 0;
}

uint64_t Spool::take_io_losses(std::string* error) {
  std::lock_guard lk(mu_);
  uint64_t n = lost_on_io_error_;
  lost_on_io_error_ = 0;
  if (error) *error = io_error_;
  return n;
}

Spool::PersistResult Spool::persist(std::deque<SpoolRecord>& front) {
  std::lock_guard lk(mu_);
  PersistResult res;
  if (fd_ < 0) {
    res.dropped = front.size() + mem_.size();
    front.clear();
    mem_.clear();
    mem_bytes_ = 0;
    return res;
  }
  flush_wbuf_locked();
  const bool disk_has_records = read_off_ < file_end_;
  // New content: front, memory, then the disk records not yet sent. When the
  // disk part is empty the file is rewritten in place; otherwise through a
  // temporary file renamed over it, so a failure leaves the old spool intact.
  std::string tmp_path = limits_.disk_path + ".tmp";
  int out = fd_;
  if (disk_has_records) {
    out = ::open(tmp_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
      res.error = fmt::format("cannot create {}: {}", tmp_path, std::strerror(errno));
      res.dropped = front.size() + mem_.size();
      front.clear();
      mem_.clear();
      mem_bytes_ = 0;
      return res;
    }
  } else {
    (void)::ftruncate(fd_, static_cast<off_t>(kHeader));
  }
  uint64_t end = kHeader;
  std::string buf;
  bool io_ok = true;
  auto put = [&](std::string_view et, std::string_view line, bool carried) {
    uint64_t rec = 8 + et.size() + line.size();
    if (end + buf.size() + rec > limits_.disk_bytes) {
      ++res.dropped;
      return;
    }
    append_framed(buf, et, line);
    ++(carried ? res.carried : res.persisted);
    if (buf.size() >= (1u << 20)) {
      io_ok = io_ok && pwrite_all(out, buf.data(), buf.size(), end);
      end += buf.size();
      buf.clear();
    }
  };
  for (auto& r : front) put(r.event_type, r.line, false);
  for (auto& r : mem_) put(r.event_type, r.line, false);
  front.clear();
  mem_.clear();
  mem_bytes_ = 0;
  // Copy the pending disk records chunk by chunk (they re-enter the cap check).
  uint64_t off = read_off_;
  std::string chunk;
  while (disk_has_records && off < file_end_) {
    std::deque<SpoolRecord> recs;
    size_t want = static_cast<size_t>(std::min<uint64_t>(file_end_ - off, 4u << 20));
    chunk.resize(want);
    if (!pread_all(fd_, chunk.data(), want, off)) break;
    size_t count = 0;
    bool corrupt = false;
    size_t used = parse_records(chunk.data(), want, &recs, SIZE_MAX, SIZE_MAX, count, corrupt);
    if (used == 0) {
      uint32_t len[2];
      std::memcpy(len, chunk.data(), 8);
      uint64_t rec = 8ull + len[0] + len[1];
      if (corrupt || off + rec > file_end_) break;
      chunk.resize(static_cast<size_t>(rec));
      if (!pread_all(fd_, chunk.data(), chunk.size(), off)) break;
      used = parse_records(chunk.data(), chunk.size(), &recs, 1, SIZE_MAX, count, corrupt);
      if (used == 0) break;
    }
    for (auto& r : recs) put(r.event_type, r.line, true);
    off += used;
  }
  if (!buf.empty()) {
    io_ok = io_ok && pwrite_all(out, buf.data(), buf.size(), end);
    end += buf.size();
  }
  char hdr[kHeader];
  std::memcpy(hdr, kMagic, 8);
  uint64_t start = kHeader;
  std::memcpy(hdr + 8, &start, 8);
  io_ok = io_ok && pwrite_all(out, hdr, kHeader, 0);
  io_ok = io_ok && ::ftruncate(out, static_cast<off_t>(end)) == 0;
  io_ok = io_ok && ::fsync(out) == 0;
  if (!io_ok) {
    res.error = fmt::format("writing the disk spool {}: {}", limits_.disk_path,
                            std::strerror(errno));
  }
  if (disk_has_records) {
    if (io_ok && ::rename(tmp_path.c_str(), limits_.disk_path.c_str()) == 0) {
      ::close(fd_);  // the lock goes with the old inode; the new file takes its place
      fd_ = out;
      (void)::flock(fd_, LOCK_EX | LOCK_NB);
    } else {
      if (res.error.empty())
        res.error = fmt::format("renaming {}: {}", tmp_path, std::strerror(errno));
      ::close(out);
      ::unlink(tmp_path.c_str());
      // The old file still holds its own records; what came from memory is lost.
      res.dropped += res.persisted;
      res.persisted = 0;
      res.carried = 0;
      return res;
    }
  }
  if (!io_ok) {
    res.dropped += res.persisted + res.carried;
    res.persisted = res.carried = 0;
  }
  read_off_ = kHeader;
  file_end_ = end;
  // The records are now in the file for the next start, not for this run.
  return res;
}

}  // namespace ww

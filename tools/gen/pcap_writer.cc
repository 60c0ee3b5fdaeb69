#include "tools/gen/pcap_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ww::gen {
namespace {

void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

std::runtime_error io_error(const std::string& what, const std::string& path, int err) {
  return std::runtime_error(what + " '" + path + "': " + std::strerror(err));
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path, Options options) : options_(options), path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw io_error("cannot create capture file", path, errno);
  buffer_.reserve(std::max<size_t>(options_.buffer_bytes, 64 * 1024));
  write_header();
}

PcapWriter::PcapWriter(std::vector<uint8_t>& memory, Options options)
    : options_(options), path_("<memory>"), memory_(&memory) {
  memory_->clear();
  write_header();
}

PcapWriter::~PcapWriter() {
  try {
    close();
  } catch (...) {
  }
}

void PcapWriter::write_header() {
  uint8_t h[kFileHeaderBytes];
  put32(h, options_.nanosecond ? kMagicNano : kMagicMicro);
  put16(h + 4, 2);  // version 2.4
  put16(h + 6, 4);
  put32(h + 8, 0);   // thiszone
  put32(h + 12, 0);  // sigfigs
  put32(h + 16, options_.snaplen);
  put32(h + 20, static_cast<uint32_t>(options_.link));
  append(h, sizeof h);
}

void PcapWriter::append(const uint8_t* p, size_t n) {
  bytes_ += n;
  if (memory_) {
    memory_->insert(memory_->end(), p, p + n);
    return;
  }
  if (buffer_.size() + n > buffer_.capacity()) {
    flush();
    if (n >= buffer_.capacity()) {
      // Larger than the whole buffer: write straight through.
      while (n > 0) {
        const ssize_t w = ::write(fd_, p, n);
        if (w < 0) {
          if (errno == EINTR) continue;
          throw io_error("cannot write capture file", path_, errno);
        }
        p += w;
        n -= static_cast<size_t>(w);
      }
      return;
    }
  }
  buffer_.insert(buffer_.end(), p, p + n);
}

void PcapWriter::write_record(uint32_t sec, uint32_t frac, std::span<const uint8_t> frame,
                              uint32_t wire_len) {
  if (closed_) throw std::runtime_error("write to closed capture '" + path_ + "'");
  const uint32_t orig = std::max<uint32_t>(wire_len, static_cast<uint32_t>(frame.size()));
  const uint32_t incl = std::min<uint32_t>(static_cast<uint32_t>(frame.size()), options_.snaplen);
  uint8_t h[kRecordHeaderBytes];
  put32(h, sec);
  put32(h + 4, frac);
  put32(h + 8, incl);
  put32(h + 12, orig);
  append(h, sizeof h);
  append(frame.data(), incl);
  ++packets_;
}

void PcapWriter::write(int64_t ts_us, std::span<const uint8_t> frame, uint32_t wire_len) {
  if (ts_us < 0) ts_us = 0;
  const auto sec = static_cast<uint32_t>(ts_us / 1000000);
  const auto us = static_cast<uint32_t>(ts_us % 1000000);
  write_record(sec, options_.nanosecond ? us * 1000 : us, frame, wire_len);
}

void PcapWriter::write_ns(int64_t ts_ns, std::span<const uint8_t> frame, uint32_t wire_len) {
  if (ts_ns < 0) ts_ns = 0;
  const auto sec = static_cast<uint32_t>(ts_ns / 1000000000);
  const auto ns = static_cast<uint32_t>(ts_ns % 1000000000);
  write_record(sec, options_.nanosecond ? ns : ns / 1000, frame, wire_len);
}

void PcapWriter::flush() {
  if (memory_ || fd_ < 0) return;
  const uint8_t* p = buffer_.data();
  size_t n = buffer_.size();
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      buffer_.clear();
      throw io_error("cannot write capture file", path_, errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  buffer_.clear();
}

void PcapWriter::close() {
  if (closed_) return;
  closed_ = true;
  if (fd_ >= 0) {
    const int fd = fd_;
    try {
      flush();
    } catch (...) {
      ::close(fd);
      fd_ = -1;
      throw;
    }
    fd_ = -1;
    if (::close(fd) != 0) throw io_error("cannot close capture file", path_, errno);
  }
}

}  // namespace ww::gen

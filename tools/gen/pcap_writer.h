#pragma once
// Classic libpcap file writer (not pcapng), to a file or to memory.
//
// The file is always written little-endian, whatever the host, so one seed
// gives byte-identical files everywhere. Writes go through a large buffer and
// plain write(2) calls: generating gigabytes is bounded by the disk.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sensor/decode/packet.h"

namespace ww::gen {

class PcapWriter {
 public:
  struct Options {
    LinkType link = LinkType::kEthernet;
    uint32_t snaplen = 262144;
    bool nanosecond = false;                // magic 0xa1b23c4d instead of 0xa1b2c3d4
    size_t buffer_bytes = size_t{4} << 20;  // file mode only
  };

  static constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
  static constexpr uint32_t kMagicNano = 0xa1b23c4d;
  static constexpr size_t kFileHeaderBytes = 24;
  static constexpr size_t kRecordHeaderBytes = 16;

  // Creates (truncates) `path`. Throws std::runtime_error naming the file and
  // the reason when it cannot be opened.
  PcapWriter(const std::string& path, Options options);
  // Appends to `memory` (which is cleared first); `memory` must outlive the writer.
  PcapWriter(std::vector<uint8_t>& memory, Options options);
  ~PcapWriter();  // flushes; errors at this point are lost, call close() to see them
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // One record; `ts_us` is microseconds since the Unix epoch (>= 0). The
  // frame is cut to the snaplen; the original length is frame.size() unless
  // `wire_len` is larger.
  void write(int64_t ts_us, std::span<const uint8_t> frame, uint32_t wire_len = 0);
  // Same with a nanosecond timestamp (kept in full by a nanosecond file,
  // rounded down to the microsecond otherwise).
  void write_ns(int64_t ts_ns, std::span<const uint8_t> frame, uint32_t wire_len = 0);

  // Bytes in the capture so far, file header and buffered bytes included.
  uint64_t bytes_written() const { return bytes_; }
  uint64_t packets_written() const { return packets_; }
  const Options& options() const { return options_; }

  // Pushes buffered bytes to the file. Throws std::runtime_error on failure.
  void flush();
  // Flushes and closes; further writes are errors. Throws on failure.
  void close();

 private:
  void write_header();
  void append(const uint8_t* p, size_t n);
  void write_record(uint32_t sec, uint32_t frac, std::span<const uint8_t> frame, uint32_t wire_len);

  Options options_;
  std::string path_;
  int fd_ = -1;
  std::vector<uint8_t> buffer_;
  std::vector<uint8_t>* memory_ = nullptr;
  uint64_t bytes_ = 0;
  uint64_t packets_ = 0;
  bool closed_ = false;
};

}  // namespace ww::gen

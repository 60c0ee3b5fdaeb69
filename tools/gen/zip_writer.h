#pragma once
// A tiny ZIP archive writer (PKWARE APPNOTE 6.3): stored (uncompressed)
// entries with correct CRC-32, local headers, central directory and end
// record. Enough for worm-style "document.zip" attachments, docx-like
// benign files and a zip inside a zip. No compression on purpose: the bytes
// the scanner must find stay visible, and no zlib is linked.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ww::gen {

// CRC-32 (ISO-HDLC, as ZIP and PNG use it) of `data`, continuing from `crc`.
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc = 0);

class ZipWriter {
 public:
  // `dos_time` and `dos_date` stamp every entry (MS-DOS format); the default
  // is 2004-01-27 08:00:00.
  explicit ZipWriter(uint16_t dos_date = ((2004 - 1980) << 9) | (1 << 5) | 27,
                     uint16_t dos_time = 8 << 11)
      : date_(dos_date), time_(dos_time) {}

  // Adds a stored entry. Names are bytes; set utf8 to flag them as UTF-8 (bit 11).
  ZipWriter& add(std::string_view name, std::span<const uint8_t> data, bool utf8 = false);
  ZipWriter& add(std::string_view name, std::string_view text, bool utf8 = false);
  // The archive (central directory and end record appended).
  std::vector<uint8_t> finish() const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  struct Entry {
    std::string name;
    uint32_t crc;
    uint32_t size;
    uint32_t offset;
    uint16_t flags;
  };
  std::vector<uint8_t> body_;
  std::vector<Entry> entries_;
  std::vector<std::string> names_;
  uint16_t date_;
  uint16_t time_;
};

}  // namespace ww::gen

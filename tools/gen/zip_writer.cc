#include "tools/gen/zip_writer.h"

#include <array>

namespace ww::gen {
namespace {

std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

void put16(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v));
  o.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>& o, uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> data, uint32_t crc) {
  static const std::array<uint32_t, 256> kTable = make_table();
  crc = ~crc;
  for (uint8_t b : data) crc = kTable[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

ZipWriter& ZipWriter::add(std::string_view name, std::string_view text, bool utf8) {
  return add(name, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()),
                                            text.size()),
             utf8);
}

ZipWriter& ZipWriter::add(std::string_view name, std::span<const uint8_t> data, bool utf8) {
  Entry e{std::string(name), crc32(data), static_cast<uint32_t>(data.size()),
          static_cast<uint32_t>(body_.size()), static_cast<uint16_t>(utf8 ? 0x0800 : 0)};
  put32(body_, 0x04034b50);
  put16(body_, 10);  // version needed: 1.0 (stored)
  put16(body_, e.flags);
  put16(body_, 0);  // method: stored
  put16(body_, time_);
  put16(body_, date_);
  put32(body_, e.crc);
  put32(body_, e.size);
  put32(body_, e.size);
  put16(body_, static_cast<uint16_t>(e.name.size()));
  put16(body_, 0);  // extra length
  body_.insert(body_.end(), e.name.begin(), e.name.end());
  body_.insert(body_.end(), data.begin(), data.end());
  names_.push_back(e.name);
  entries_.push_back(std::move(e));
  return *this;
}

std::vector<uint8_t> ZipWriter::finish() const {
  std::vector<uint8_t> out = body_;
  const auto cd_start = static_cast<uint32_t>(out.size());
  for (const auto& e : entries_) {
    put32(out, 0x02014b50);
    put16(out, 20);  // made by: MS-DOS, 2.0
    put16(out, 10);
    put16(out, e.flags);
    put16(out, 0);
    put16(out, time_);
    put16(out, date_);
    put32(out, e.crc);
    put32(out, e.size);
    put32(out, e.size);
    put16(out, static_cast<uint16_t>(e.name.size()));
    put16(out, 0);  // extra
    put16(out, 0);  // comment
    put16(out, 0);  // disk
    put16(out, 0);  // internal attributes
    put32(out, 0x20);  // external attributes: archive
    put32(out, e.offset);
    out.insert(out.end(), e.name.begin(), e.name.end());
  }
  const auto cd_size = static_cast<uint32_t>(out.size() - cd_start);
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint16_t>(entries_.size()));
  put16(out, static_cast<uint16_t>(entries_.size()));
  put32(out, cd_size);
  put32(out, cd_start);
  put16(out, 0);
  return out;
}

}  // namespace ww::gen

#pragma once
// Builds small zip files in memory for tests: stored members (no compression),
// optionally with the sizes in a data descriptor (streamed zips), optionally
// without the central directory (a truncated attachment).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ww::test {

inline uint32_t crc32(std::string_view data) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// Raw deflate (RFC 1951) of `data` as one fixed-Huffman block of literals: no
// compression to speak of, but a real deflate stream that unzip must inflate.
inline std::string deflate_literals(std::string_view data) {
  std::string out;
  uint32_t acc = 0;
  int nbits = 0;
  auto bits_lsb = [&](uint32_t v, int n) {  // header fields: least significant bit first
    acc |= v << nbits;
    nbits += n;
    while (nbits >= 8) {
      out.push_back(static_cast<char>(acc & 0xFF));
      acc >>= 8;
      nbits -= 8;
    }
  };
  auto code = [&](uint32_t c, int n) {  // Huffman codes: most significant bit first
    for (int i = n - 1; i >= 0; --i) bits_lsb((c >> i) & 1, 1);
  };
  bits_lsb(1, 1);  // BFINAL
  bits_lsb(1, 2);  // BTYPE = 01, fixed Huffman
  for (unsigned char b : data) {
    if (b < 144)
      code(0x30 + b, 8);
    else
      code(0x190 + (b - 144), 9);
  }
  code(0, 7);  // end of block (256)
  if (nbits > 0) out.push_back(static_cast<char>(acc & 0xFF));
  return out;
}

class ZipBuilder {
 public:
  // Members added after this are deflated (method 8) instead of stored.
  ZipBuilder& deflated(bool on = true) {
    deflate_ = on;
    return *this;
  }
  ZipBuilder& add(std::string name, std::string data) {
    members_.push_back(Member{std::move(name), std::move(data), deflate_});
    return *this;
  }
  // Sizes and CRC after the data (general purpose flag bit 3), as streaming zippers write.
  ZipBuilder& streamed(bool on = true) {
    streamed_ = on;
    return *this;
  }
  ZipBuilder& central_directory(bool on) {
    central_ = on;
    return *this;
  }

  std::string build() const {
    std::string out, cd;
    for (const auto& [name, data, deflate] : members_) {
      const uint32_t offset = static_cast<uint32_t>(out.size());
      const uint32_t crc = crc32(data);
      const std::string body = deflate ? deflate_literals(data) : data;
      const uint16_t method = deflate ? 8 : 0;
      const uint32_t csize = static_cast<uint32_t>(body.size());
      const uint32_t usize = static_cast<uint32_t>(data.size());
      const uint16_t flags = streamed_ ? 0x0008 : 0;
      put32(out, 0x04034b50);
      put16(out, 20), put16(out, flags), put16(out, method), put16(out, 0), put16(out, 0x21);
      put32(out, streamed_ ? 0 : crc);
      put32(out, streamed_ ? 0 : csize);
      put32(out, streamed_ ? 0 : usize);
      put16(out, static_cast<uint16_t>(name.size())), put16(out, 0);
      out += name;
      out += body;
      if (streamed_) put32(out, 0x08074b50), put32(out, crc), put32(out, csize), put32(out, usize);
      put32(cd, 0x02014b50);
      put16(cd, 20), put16(cd, 20), put16(cd, flags), put16(cd, method), put16(cd, 0);
      put16(cd, 0x21), put32(cd, crc), put32(cd, csize), put32(cd, usize);
      put16(cd, static_cast<uint16_t>(name.size())), put16(cd, 0), put16(cd, 0), put16(cd, 0);
      put16(cd, 0), put32(cd, 0), put32(cd, offset);
      cd += name;
    }
    if (!central_) return out;
    const uint32_t cd_offset = static_cast<uint32_t>(out.size());
    out += cd;
    put32(out, 0x06054b50);
    put16(out, 0), put16(out, 0);
    put16(out, static_cast<uint16_t>(members_.size())),
        put16(out, static_cast<uint16_t>(members_.size()));
    put32(out, static_cast<uint32_t>(cd.size())), put32(out, cd_offset), put16(out, 0);
    return out;
  }

 private:
  static void put16(std::string& s, uint16_t v) {
    s.push_back(static_cast<char>(v & 0xFF));
    s.push_back(static_cast<char>(v >> 8));
  }
  static void put32(std::string& s, uint32_t v) {
    put16(s, static_cast<uint16_t>(v & 0xFFFF));
    put16(s, static_cast<uint16_t>(v >> 16));
  }

  struct Member {
    std::string name, data;
    bool deflate;
  };
  std::vector<Member> members_;
  bool deflate_ = false;
  bool streamed_ = false;
  bool central_ = true;
};

}  // namespace ww::test

#pragma once
// MD5 (RFC 1321), for the ground truth's attachment hashes (EVE fileinfo
// records carry md5 as well as sha256). Not for anything security-relevant.

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace ww::gen {

class Md5 {
 public:
  Md5();
  void update(std::span<const uint8_t> data);
  std::array<uint8_t, 16> finish();
  // Lower-case hex digest of `data`.
  static std::string hex(std::span<const uint8_t> data);

 private:
  void block(const uint8_t* p);
  uint32_t h_[4];
  uint8_t buf_[64];
  size_t used_ = 0;
  uint64_t total_ = 0;
};

}  // namespace ww::gen

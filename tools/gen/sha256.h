#pragma once
// SHA-256 (FIPS 180-4), for ground truth in manifests (expected stream
// hashes). Small and dependency-free: ww_pktgen links no crypto library.

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace ww::gen {

class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> data);
  std::array<uint8_t, 32> finish();
  // Lower-case hex digest of `data`.
  static std::string hex(std::span<const uint8_t> data);

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t used_ = 0;
  uint64_t total_ = 0;
};

}  // namespace ww::gen

#include "tools/gen/rng.h"

#include <bit>

namespace ww::gen {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed) {
  uint64_t sm = seed;
  for (auto& s : s_) s = splitmix64(sm);
}

uint64_t Rng::next() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

uint64_t Rng::uniform(uint64_t lo, uint64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = hi - lo;
  if (span == UINT64_MAX) return next();
  const uint64_t range = span + 1;
  // Lemire: multiply into 128 bits, reject the small biased zone.
  unsigned __int128 m = static_cast<unsigned __int128>(next()) * range;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < range) {
    const uint64_t threshold = (0 - range) % range;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next()) * range;
      low = static_cast<uint64_t>(m);
    }
  }
  return lo + static_cast<uint64_t>(m >> 64);
}

int64_t Rng::uniform_signed(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + uniform(0, span));
}

double Rng::real01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

uint64_t Rng::log_uniform(uint64_t lo, uint64_t hi) {
  if (lo == 0) lo = 1;
  if (hi <= lo) return lo;
  const int lo_bit = 63 - std::countl_zero(lo);
  const int hi_bit = 63 - std::countl_zero(hi);
  for (;;) {
    const int bit = static_cast<int>(uniform(lo_bit, hi_bit));
    const uint64_t base = uint64_t{1} << bit;
    const uint64_t top = bit == 63 ? UINT64_MAX : (base << 1) - 1;
    const uint64_t v = uniform(base, top);
    if (v >= lo && v <= hi) return v;
  }
}

void Rng::fill(std::span<uint8_t> out) {
  size_t i = 0;
  while (i + 8 <= out.size()) {
    uint64_t v = next();
    for (int k = 0; k < 8; ++k) out[i + k] = static_cast<uint8_t>(v >> (8 * k));
    i += 8;
  }
  if (i < out.size()) {
    uint64_t v = next();
    for (; i < out.size(); ++i, v >>= 8) out[i] = static_cast<uint8_t>(v);
  }
}

std::string Rng::text(size_t n, std::string_view alphabet) {
  std::string s(n, ' ');
  for (auto& c : s) c = alphabet[index(alphabet.size())];
  return s;
}

void RandomBytes::fill(std::span<uint8_t> out) {
  size_t i = 0;
  // Drain the partial draw left by the previous call first.
  while (i < out.size() && cached_ > 0) {
    out[i++] = static_cast<uint8_t>(cache_);
    cache_ >>= 8;
    --cached_;
  }
  const size_t whole = (out.size() - i) / 8 * 8;
  rng_.fill(out.subspan(i, whole));
  i += whole;
  if (i < out.size()) {
    cache_ = rng_.next();
    cached_ = 8;
    while (i < out.size()) {
      out[i++] = static_cast<uint8_t>(cache_);
      cache_ >>= 8;
      --cached_;
    }
  }
}

}  // namespace ww::gen

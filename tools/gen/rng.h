#pragma once
// Deterministic pseudo-random numbers for the traffic generator.
//
// xoshiro256** seeded through splitmix64, with our own range helpers. The
// standard <random> distributions are not used because their algorithms are
// implementation-defined: the same seed would give different captures with
// libstdc++ and libc++. Everything here is integer arithmetic (real01 is an
// exact power-of-two scaling), so the same seed gives the same sequence on
// every machine and compiler.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ww::gen {

// One splitmix64 step: advances `state` and returns the mixed output.
uint64_t splitmix64(uint64_t& state);

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);

  // Next raw 64-bit output of xoshiro256**.
  uint64_t next();
  uint32_t next_u32() { return static_cast<uint32_t>(next() >> 32); }

  // Uniform integer in [lo, hi] (inclusive), unbiased (Lemire's method with
  // rejection). hi < lo is treated as hi == lo.
  uint64_t uniform(uint64_t lo, uint64_t hi);
  int64_t uniform_signed(int64_t lo, int64_t hi);
  // Uniform index in [0, n); n == 0 returns 0.
  size_t index(size_t n) { return n == 0 ? 0 : static_cast<size_t>(uniform(0, n - 1)); }
  // Uniform real in [0, 1) with 53 random bits.
  double real01();
  // True with probability p (p <= 0 never, p >= 1 always).
  bool chance(double p) { return real01() < p; }
  // Log-uniform integer in [lo, hi]: every power of two in the range is about
  // equally likely. Integer-only, used for flow sizes that span decades.
  uint64_t log_uniform(uint64_t lo, uint64_t hi);

  // Fills `out` with random bytes (little-endian order of each 64-bit output,
  // independent of the host byte order).
  void fill(std::span<uint8_t> out);
  // Random string of `n` characters from `alphabet`.
  std::string text(size_t n, std::string_view alphabet);

  // A new, independent generator seeded from this one (one draw).
  Rng fork() { return Rng(next()); }

  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[index(items.size())];
  }
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[index(N)];
  }

 private:
  uint64_t s_[4];
};

// A stream of random bytes whose content does not depend on how it is read:
// reading 10 000 bytes at once or in MSS-sized pieces gives the same bytes
// (Rng::fill would discard the unused tail of each 64-bit draw).
class RandomBytes {
 public:
  explicit RandomBytes(uint64_t seed) : rng_(seed) {}
  explicit RandomBytes(const Rng& rng) : rng_(rng) {}
  void fill(std::span<uint8_t> out);

 private:
  Rng rng_;
  uint64_t cache_ = 0;
  int cached_ = 0;  // bytes of cache_ not yet handed out
};

}  // namespace ww::gen

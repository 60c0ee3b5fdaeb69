#pragma once
// Serial-number arithmetic on 32-bit TCP sequence numbers (RFC 1982): two numbers
// are compared by the sign of their 32-bit difference, so comparisons stay right
// across the wrap at 2^32 as long as the two are less than 2^31 apart. Nothing in
// reassembly compares raw sequence numbers with < or >.

#include <cstdint>

namespace ww::tcp_seq {

// a - b as a signed distance (C++20 defines the modular conversion).
constexpr int32_t diff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }
constexpr bool lt(uint32_t a, uint32_t b) { return diff(a, b) < 0; }
constexpr bool leq(uint32_t a, uint32_t b) { return diff(a, b) <= 0; }
constexpr bool gt(uint32_t a, uint32_t b) { return diff(a, b) > 0; }
constexpr bool geq(uint32_t a, uint32_t b) { return diff(a, b) >= 0; }

}  // namespace ww::tcp_seq

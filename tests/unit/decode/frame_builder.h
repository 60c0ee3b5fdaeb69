#pragma once
// Byte builders for the decoder tests. Each layer wraps the bytes of the layer
// above it, so a frame reads outside-in:
//   ethernet(kEtherIpv4, ipv4({}, tcp({}, payload)))
// Checksums stay zero: the decoder does not verify them.

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "sensor/decode/packet.h"

namespace ww::test {

using Bytes = std::vector<uint8_t>;

inline constexpr uint16_t kEtherIpv4 = 0x0800;
inline constexpr uint16_t kEtherIpv6 = 0x86dd;
inline constexpr uint16_t kEtherArp = 0x0806;
inline constexpr uint16_t kEtherLldp = 0x88cc;
inline constexpr uint16_t kTpid8021q = 0x8100;
inline constexpr uint16_t kTpid8021ad = 0x88a8;
inline constexpr uint16_t kTpid9100 = 0x9100;

inline void put8(Bytes& b, uint8_t v) { b.push_back(v); }
inline void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void put32(Bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
inline void append(Bytes& b, const Bytes& tail) { b.insert(b.end(), tail.begin(), tail.end()); }
inline Bytes concat(Bytes a, const Bytes& b) {
  append(a, b);
  return a;
}
inline Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline Bytes filled(size_t n, uint8_t v = 0xab) { return Bytes(n, v); }
inline Bytes prefix(const Bytes& b, size_t n) {
  if (n > b.size()) throw std::invalid_argument("prefix longer than the bytes");
  return Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
}

// A heap block of exactly the frame's size, so AddressSanitizer catches a read
// one byte past the end (a vector's spare capacity would hide it).
class ExactBuffer {
 public:
  explicit ExactBuffer(const Bytes& b) : data_(new uint8_t[b.size()]), size_(b.size()) {
    if (size_ != 0) std::memcpy(data_.get(), b.data(), size_);
  }
  std::span<const uint8_t> span() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t size_;
};

// ---- L4 -------------------------------------------------------------------

struct TcpSpec {
  uint16_t sport = 40000;
  uint16_t dport = 25;
  uint32_t seq = 1000;
  uint32_t ack = 0;
  uint8_t flags = tcp_flag::kAck;
  uint16_t window = 65535;
  uint16_t urgent = 0;
  Bytes options;                       // padded with EOL to a multiple of 4
  std::optional<uint8_t> data_offset;  // in 32-bit words; default from the options
};

inline Bytes tcp(const TcpSpec& s, const Bytes& payload = {}) {
  Bytes opts = s.options;
  while (opts.size() % 4 != 0) opts.push_back(0);
  const uint8_t words = s.data_offset.value_or(static_cast<uint8_t>(5 + opts.size() / 4));
  Bytes b;
  put16(b, s.sport);
  put16(b, s.dport);
  put32(b, s.seq);
  put32(b, s.ack);
  put8(b, static_cast<uint8_t>(words << 4));
  put8(b, s.flags);
  put16(b, s.window);
  put16(b, 0);  // checksum
  put16(b, s.urgent);
  append(b, opts);
  append(b, payload);
  return b;
}

// TCP option encoders.
inline Bytes opt_mss(uint16_t mss) { return {2, 4, static_cast<uint8_t>(mss >> 8), uint8_t(mss)}; }
inline Bytes opt_wscale(uint8_t shift) { return {3, 3, shift}; }
inline Bytes opt_sack_permitted() { return {4, 2}; }
inline Bytes opt_timestamp(uint32_t val, uint32_t ecr) {
  Bytes b{8, 10};
  put32(b, val);
  put32(b, ecr);
  return b;
}
inline Bytes opt_nop() { return {1}; }

inline Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload,
                 std::optional<uint16_t> length = {}) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, length.value_or(static_cast<uint16_t>(8 + payload.size())));
  put16(b, 0);
  append(b, payload);
  return b;
}

// ICMP and ICMPv6 share the layout: type, code, checksum, 4 bytes of rest-of-header.
inline Bytes icmp(uint8_t type, uint8_t code, const Bytes& payload = {}) {
  Bytes b{type, code, 0, 0, 0x12, 0x34, 0x00, 0x01};
  append(b, payload);
  return b;
}

// ---- L3 -------------------------------------------------------------------

struct Ipv4Spec {
  uint8_t proto = 6;
  uint8_t ttl = 64;
  uint16_t id = 0x1234;
  bool dont_fragment = false;
  bool more_fragments = false;
  uint16_t frag_offset = 0;           // bytes, a multiple of 8
  Bytes options;                      // padded with EOL to a multiple of 4
  std::optional<uint16_t> total_len;  // default: header + payload
  std::optional<uint8_t> ihl;         // in 32-bit words; default from the options
  uint8_t version = 4;
  std::array<uint8_t, 4> src{192, 0, 2, 1};
  std::array<uint8_t, 4> dst{198, 51, 100, 2};
};

inline Bytes ipv4(const Ipv4Spec& s, const Bytes& payload) {
  Bytes opts = s.options;
  while (opts.size() % 4 != 0) opts.push_back(0);
  const uint8_t ihl = s.ihl.value_or(static_cast<uint8_t>(5 + opts.size() / 4));
  Bytes b;
  put8(b, static_cast<uint8_t>((s.version << 4) | (ihl & 0x0f)));
  put8(b, 0);
  put16(b, s.total_len.value_or(static_cast<uint16_t>(20 + opts.size() + payload.size())));
  put16(b, s.id);
  put16(b, static_cast<uint16_t>((s.dont_fragment ? 0x4000 : 0) | (s.more_fragments ? 0x2000 : 0) |
                                 (s.frag_offset / 8)));
  put8(b, s.ttl);
  put8(b, s.proto);
  put16(b, 0);
  b.insert(b.end(), s.src.begin(), s.src.end());
  b.insert(b.end(), s.dst.begin(), s.dst.end());
  append(b, opts);
  append(b, payload);
  return b;
}

struct Ipv6Spec {
  uint8_t next = 6;
  uint8_t hop_limit = 64;
  std::optional<uint16_t> payload_len;  // default: the bytes given
  uint8_t version = 6;
  std::array<uint8_t, 16> src{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  std::array<uint8_t, 16> dst{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
};

inline Bytes ipv6(const Ipv6Spec& s, const Bytes& payload) {
  Bytes b;
  put32(b, static_cast<uint32_t>(s.version) << 28);
  put16(b, s.payload_len.value_or(static_cast<uint16_t>(payload.size())));
  put8(b, s.next);
  put8(b, s.hop_limit);
  b.insert(b.end(), s.src.begin(), s.src.end());
  b.insert(b.end(), s.dst.begin(), s.dst.end());
  append(b, payload);
  return b;
}

// IPv6 extension headers; `next` names the header that follows, `rest` is
// appended after this header.
inline constexpr uint8_t kHopByHop = 0;
inline constexpr uint8_t kRouting = 43;
inline constexpr uint8_t kFragment = 44;
inline constexpr uint8_t kAh = 51;
inline constexpr uint8_t kEsp = 50;
inline constexpr uint8_t kNoNext = 59;
inline constexpr uint8_t kDstOpts = 60;

// Hop-by-hop or destination options of (len + 1) * 8 bytes, filled with PadN.
inline Bytes ext_options(uint8_t next, uint8_t len, const Bytes& rest) {
  const size_t total = (size_t{len} + 1) * 8;
  Bytes b{next, len, 1, static_cast<uint8_t>(total - 4)};
  b.resize(total, 0);
  append(b, rest);
  return b;
}
// Type 2 routing header (Mobile IPv6): one home address, 24 bytes.
inline Bytes ext_routing(uint8_t next, const Bytes& rest) {
  Bytes b{next, 2, 2, 1, 0, 0, 0, 0};
  b.resize(24, 0x11);
  append(b, rest);
  return b;
}
inline Bytes ext_fragment(uint8_t next, uint16_t offset, bool more, uint32_t id,
                          const Bytes& rest) {
  Bytes b{next, 0};
  put16(b, static_cast<uint16_t>((offset & 0xfff8) | (more ? 1 : 0)));
  put32(b, id);
  append(b, rest);
  return b;
}
// Authentication header of (len + 2) * 4 bytes: SPI, sequence, ICV.
inline Bytes ext_ah(uint8_t next, uint8_t len, const Bytes& rest) {
  Bytes b{next, len, 0, 0};
  put32(b, 0x1000);  // SPI
  put32(b, 1);       // sequence
  b.resize((size_t{len} + 2) * 4, 0x5a);
  append(b, rest);
  return b;
}

// ---- link -----------------------------------------------------------------

struct VlanTag {
  uint16_t tpid;
  uint16_t tci;
};

inline Bytes ethernet(uint16_t type, const Bytes& l3, const std::vector<VlanTag>& tags = {}) {
  Bytes b{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xaa};
  for (const VlanTag& t : tags) {
    put16(b, t.tpid);
    put16(b, t.tci);
  }
  put16(b, type);
  append(b, l3);
  return b;
}

inline Bytes sll(uint16_t proto, const Bytes& l3) {
  Bytes b;
  put16(b, 0);  // packet type: to us
  put16(b, 1);  // ARPHRD_ETHER
  put16(b, 6);  // address length
  append(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00});
  put16(b, proto);
  append(b, l3);
  return b;
}

inline Bytes sll2(uint16_t proto, const Bytes& l3) {
  Bytes b;
  put16(b, proto);
  put16(b, 0);  // reserved
  put32(b, 3);  // interface index
  put16(b, 1);  // ARPHRD_ETHER
  put8(b, 0);   // packet type
  put8(b, 6);   // address length
  append(b, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00});
  append(b, l3);
  return b;
}

// DLT_NULL: the family in the capturing host's byte order.
inline Bytes null_header(uint32_t family, bool little_endian, const Bytes& l3) {
  Bytes b;
  if (little_endian) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(family >> (8 * i)));
  } else {
    put32(b, family);
  }
  append(b, l3);
  return b;
}

// DLT_LOOP: the family in network byte order.
inline Bytes loop_header(uint32_t family, const Bytes& l3) {
  return null_header(family, /*little_endian=*/false, l3);
}

}  // namespace ww::test

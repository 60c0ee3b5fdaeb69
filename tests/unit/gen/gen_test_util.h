#pragma once
// Helpers for the generator tests, written independently of the generator:
// a pcap reader, a frame parser and checksum verification that share no code
// with tools/gen, so a bug there cannot hide itself here.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace gen_test {

struct Record {
  uint32_t sec = 0;
  uint32_t frac = 0;
  uint32_t incl = 0;
  uint32_t orig = 0;
  std::vector<uint8_t> data;
  int64_t ts_us(bool nano) const { return int64_t{sec} * 1000000 + (nano ? frac / 1000 : frac); }
};

struct Capture {
  uint32_t magic = 0;
  uint32_t snaplen = 0;
  uint32_t linktype = 0;
  bool nano = false;
  std::vector<Record> records;
};

inline uint32_t le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// Parses a little-endian classic pcap; throws on anything unexpected.
inline Capture parse_pcap(const std::vector<uint8_t>& b) {
  if (b.size() < 24) throw std::runtime_error("pcap: short header");
  Capture c;
  c.magic = le32(b.data());
  if (c.magic != 0xa1b2c3d4 && c.magic != 0xa1b23c4d) throw std::runtime_error("pcap: magic");
  c.nano = c.magic == 0xa1b23c4d;
  c.snaplen = le32(b.data() + 16);
  c.linktype = le32(b.data() + 20);
  size_t at = 24;
  while (at < b.size()) {
    if (at + 16 > b.size()) throw std::runtime_error("pcap: short record header");
    Record r;
    r.sec = le32(&b[at]);
    r.frac = le32(&b[at + 4]);
    r.incl = le32(&b[at + 8]);
    r.orig = le32(&b[at + 12]);
    at += 16;
    if (at + r.incl > b.size()) throw std::runtime_error("pcap: short record");
    r.data.assign(b.begin() + static_cast<ptrdiff_t>(at),
                  b.begin() + static_cast<ptrdiff_t>(at + r.incl));
    at += r.incl;
    c.records.push_back(std::move(r));
  }
  return c;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Plain RFC 1071 sum, folded at every step (deliberately unlike the generator's).
inline uint32_t sum16(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i < n; i += 2) {
    const uint32_t word = (uint32_t{p[i]} << 8) | (i + 1 < n ? p[i + 1] : 0);
    sum += word;
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return sum;
}
// True when the one's-complement sum over the data (checksum field included) is 0xffff.
inline bool sum_ok(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

struct Parsed {
  std::vector<std::pair<uint16_t, uint16_t>> tags;  // (tpid, vid)
  int ip_version = 0;
  std::array<uint8_t, 16> src{}, dst{};
  size_t addr_len = 0;
  uint8_t proto = 0;  // final L4 protocol
  uint8_t ttl = 0;
  uint16_t ip_id = 0;
  bool df = false, mf = false;
  uint16_t frag_offset = 0;  // bytes
  bool v6_fragment = false;
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  std::vector<uint8_t> tcp_options;
  uint8_t icmp_type = 0, icmp_code = 0;
  uint16_t icmp_id = 0, icmp_seq = 0;
  std::vector<uint8_t> payload;  // L4 payload
  bool ip_checksum_ok = true;
  bool l4_checksum_ok = true;
  std::string error;  // non-empty when the frame could not be parsed
  std::string key_src() const { return addr_string(src) + ":" + std::to_string(sport); }
  std::string key_dst() const { return addr_string(dst) + ":" + std::to_string(dport); }
  std::string addr_string(const std::array<uint8_t, 16>& a) const {
    std::ostringstream s;
    for (size_t i = 0; i < addr_len; ++i) s << (i ? "." : "") << int(a[i]);
    return s.str();
  }
};

// Parses Ethernet (linktype 1, with any number of 802.1Q/802.1ad tags) or raw
// IP (101) frames with IPv4/IPv6 (+ extension headers) and TCP/UDP/ICMP, and
// verifies every checksum.
inline Parsed parse_frame(const std::vector<uint8_t>& f, uint32_t linktype) {
  Parsed p;
  auto fail = [&p](const char* why) {
    p.error = why;
    return p;
  };
  size_t at = 0;
  if (linktype == 1) {
    if (f.size() < 14) return fail("short ethernet");
    uint16_t type = be16(&f[12]);
    at = 14;
    while (type == 0x8100 || type == 0x88a8) {
      if (f.size() < at + 4) return fail("short vlan");
      p.tags.emplace_back(type, be16(&f[at]) & 0x0fff);
      type = be16(&f[at + 2]);
      at += 4;
    }
    if (type != 0x0800 && type != 0x86dd) return fail("not ip");
  }
  if (f.size() < at + 20) return fail("short ip");
  p.ip_version = f[at] >> 4;
  size_t l4 = 0;
  size_t ip_end = 0;
  if (p.ip_version == 4) {
    const size_t ihl = (f[at] & 0xf) * 4u;
    const size_t total = be16(&f[at + 2]);
    if (ihl < 20 || f.size() < at + total || total < ihl) return fail("bad ipv4 lengths");
    p.ip_checksum_ok = sum_ok(sum16(&f[at], ihl));
    p.ip_id = be16(&f[at + 4]);
    const uint16_t ff = be16(&f[at + 6]);
    p.df = ff & 0x4000;
    p.mf = ff & 0x2000;
    p.frag_offset = static_cast<uint16_t>((ff & 0x1fff) * 8);
    p.ttl = f[at + 8];
    p.proto = f[at + 9];
    p.addr_len = 4;
    std::copy_n(&f[at + 12], 4, p.src.begin());
    std::copy_n(&f[at + 16], 4, p.dst.begin());
    l4 = at + ihl;
    ip_end = at + total;
  } else if (p.ip_version == 6) {
    if (f.size() < at + 40) return fail("short ipv6");
    const size_t plen = be16(&f[at + 4]);
    if (f.size() < at + 40 + plen) return fail("bad ipv6 length");
    uint8_t next = f[at + 6];
    p.ttl = f[at + 7];
    p.addr_len = 16;
    std::copy_n(&f[at + 8], 16, p.src.begin());
    std::copy_n(&f[at + 24], 16, p.dst.begin());
    l4 = at + 40;
    ip_end = at + 40 + plen;
    while (next == 0 || next == 43 || next == 60 || next == 44) {
      if (l4 + 8 > ip_end) return fail("short extension header");
      const uint8_t this_type = next;
      next = f[l4];
      if (this_type == 44) {
        p.v6_fragment = true;
        const uint16_t off = be16(&f[l4 + 2]);
        p.frag_offset = off & 0xfff8;
        p.mf = off & 1;
        p.ip_id = static_cast<uint16_t>(be32(&f[l4 + 4]));
        l4 += 8;
      } else {
        l4 += 8 + 8u * f[l4 + 1];
      }
    }
    p.proto = next;
  } else {
    return fail("bad ip version");
  }
  if (p.mf || p.frag_offset) {  // a fragment: no L4 header to check
    p.payload.assign(f.begin() + static_cast<ptrdiff_t>(l4),
                     f.begin() + static_cast<ptrdiff_t>(ip_end));
    return p;
  }
  const size_t l4_len = ip_end - l4;
  auto pseudo = [&](uint8_t proto) {
    uint32_t s = sum16(p.src.data(), p.addr_len);
    s = sum16(p.dst.data(), p.addr_len, s);
    const uint8_t tail[8] = {
        0, 0, static_cast<uint8_t>(l4_len >> 8), static_cast<uint8_t>(l4_len), 0, 0, 0, proto};
    // v4 and v6 pseudo-headers sum the same: zero, proto, 16-bit length.
    return sum16(tail, 8, s);
  };
  if (p.proto == 6) {
    if (l4_len < 20) return fail("short tcp");
    const size_t doff = (f[l4 + 12] >> 4) * 4u;
    if (doff < 20 || doff > l4_len) return fail("bad tcp offset");
    p.sport = be16(&f[l4]);
    p.dport = be16(&f[l4 + 2]);
    p.seq = be32(&f[l4 + 4]);
    p.ack = be32(&f[l4 + 8]);
    p.flags = f[l4 + 13];
    p.window = be16(&f[l4 + 14]);
    p.tcp_options.assign(f.begin() + static_cast<ptrdiff_t>(l4 + 20),
                         f.begin() + static_cast<ptrdiff_t>(l4 + doff));
    p.payload.assign(f.begin() + static_cast<ptrdiff_t>(l4 + doff),
                     f.begin() + static_cast<ptrdiff_t>(ip_end));
    p.l4_checksum_ok = sum_ok(sum16(&f[l4], l4_len, pseudo(6)));
  } else if (p.proto == 17) {
    if (l4_len < 8 || be16(&f[l4 + 4]) != l4_len) return fail("bad udp length");
    p.sport = be16(&f[l4]);
    p.dport = be16(&f[l4 + 2]);
    p.payload.assign(f.begin() + static_cast<ptrdiff_t>(l4 + 8),
                     f.begin() + static_cast<ptrdiff_t>(ip_end));
    p.l4_checksum_ok = be16(&f[l4 + 6]) != 0 && sum_ok(sum16(&f[l4], l4_len, pseudo(17)));
  } else if (p.proto == 1 || p.proto == 58) {
    if (l4_len < 8) return fail("short icmp");
    p.icmp_type = f[l4];
    p.icmp_code = f[l4 + 1];
    p.icmp_id = be16(&f[l4 + 4]);
    p.icmp_seq = be16(&f[l4 + 6]);
    p.sport = p.dport = p.icmp_id;
    p.payload.assign(f.begin() + static_cast<ptrdiff_t>(l4 + 8),
                     f.begin() + static_cast<ptrdiff_t>(ip_end));
    p.l4_checksum_ok = sum_ok(sum16(&f[l4], l4_len, p.proto == 58 ? pseudo(58) : 0));
  }
  return p;
}

// Runs a shell command and returns its standard output.
inline std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

// A fresh directory under the build tree for files a test writes.
inline std::filesystem::path temp_dir(const std::string& name) {
  const std::filesystem::path d =
      std::filesystem::path(WW_BINARY_DIR) / "tests" / "tmp" / "gen" / name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace gen_test

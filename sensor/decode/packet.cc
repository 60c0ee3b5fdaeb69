#include "sensor/decode/packet.h"

#include <arpa/inet.h>

#include <cstdio>

namespace ww {

bool link_type_from_pcap(int dlt, LinkType& out) {
  switch (dlt) {
    case 0:
      out = LinkType::kNull;
      return true;
    case 1:
      out = LinkType::kEthernet;
      return true;
    case 12:  // DLT_RAW on most BSDs
    case 14:  // DLT_RAW on OpenBSD
    case 101:
      out = LinkType::kRaw;
      return true;
    case 108:
      out = LinkType::kLoop;
      return true;
    case 113:
      out = LinkType::kLinuxSll;
      return true;
    case 228:
      out = LinkType::kIpv4;
      return true;
    case 229:
      out = LinkType::kIpv6;
      return true;
    case 276:
      out = LinkType::kLinuxSll2;
      return true;
    default:
      return false;
  }
}

const char* link_type_name(LinkType t) {
  switch (t) {
    case LinkType::kNull:
      return "null";
    case LinkType::kEthernet:
      return "ethernet";
    case LinkType::kRaw:
      return "raw";
    case LinkType::kLoop:
      return "loop";
    case LinkType::kLinuxSll:
      return "linux_sll";
    case LinkType::kIpv4:
      return "ipv4";
    case LinkType::kIpv6:
      return "ipv6";
    case LinkType::kLinuxSll2:
      return "linux_sll2";
  }
  return "unknown";
}

namespace {

// RFC 5952 text, written here rather than by inet_ntop: glibc prints some
// addresses outside ::ffff:0:0/96 in dotted form (::1:2 becomes ::0.1.0.2),
// which RFC 5952 section 5 reserves for addresses that embed IPv4.
std::string ipv6_to_string(const std::array<uint8_t, 16>& b) {
  uint16_t words[8];
  for (int i = 0; i < 8; ++i) words[i] = static_cast<uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);

  // The longest run of two or more zero words; the first one on a tie (4.2.2, 4.2.3).
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = -1;

  const bool v4_mapped = best_start == 0 && best_len == 5 && words[5] == 0xffff;
  char buf[64];
  size_t n = 0;
  const int last_word = v4_mapped ? 6 : 8;
  for (int i = 0; i < last_word;) {
    if (i == best_start) {
      buf[n++] = ':';
      if (i == 0) buf[n++] = ':';
      i += best_len;
      continue;
    }
    n += static_cast<size_t>(std::snprintf(buf + n, sizeof(buf) - n, "%x", words[i]));
    if (++i < 8) buf[n++] = ':';
  }
  if (v4_mapped) {
    n += static_cast<size_t>(
        std::snprintf(buf + n, sizeof(buf) - n, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]));
  }
  return std::string(buf, n);
}

}  // namespace

std::string IpAddress::to_string() const {
  if (family == 4) {
    char buf[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf)) == nullptr) return {};
    return buf;
  }
  if (family == 6) return ipv6_to_string(bytes);
  return {};
}

bool IpAddress::parse(const std::string& text, IpAddress& out) {
  IpAddress a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = 4;
    out = a;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = 6;
    out = a;
    return true;
  }
  return false;
}

}  // namespace ww

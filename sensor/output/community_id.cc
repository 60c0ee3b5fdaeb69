#include "sensor/output/community_id.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <utility>

namespace ww {
namespace {

// The spec's ICMP request/response pairs; a type outside these is one-way.
bool icmp_counterpart(uint8_t proto, uint16_t type, uint16_t* other) {
  static constexpr std::pair<uint16_t, uint16_t> kV4[] = {
      {8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16}, {16, 15}, {10, 9}, {9, 10}, {17, 18}, {18, 17}};
  static constexpr std::pair<uint16_t, uint16_t> kV6[] = {
      {128, 129}, {129, 128}, {133, 134}, {134, 133}, {135, 136}, {136, 135},
      {130, 131}, {131, 130}, {144, 145}, {145, 144}};
  if (proto == 1) {
    for (auto [a, b] : kV4)
      if (a == type) { *other = b; return true; }
  } else {
    for (auto [a, b] : kV6)
      if (a == type) { *other = b; return true; }
  }
  return false;
}

}  // namespace

std::string community_id_v1(const IpAddress& src, const IpAddress& dst, uint16_t sport,
                            uint16_t dport, uint8_t proto, uint16_t seed) {
  bool one_way = false;
  if (proto == 1 || proto == 58) {
    uint16_t type = sport, code = dport, other = 0;
    if (icmp_counterpart(proto, type, &other)) {
      sport = type;
      dport = other;
    } else {
      one_way = true;
      sport = type;
      dport = code;
    }
  }
  const IpAddress* a = &src;
  const IpAddress* b = &dst;
  uint16_t pa = sport, pb = dport;
  const size_t n = src.length();
  int cmp = std::memcmp(a->bytes.data(), b->bytes.data(), n);
  bool ordered = one_way || cmp < 0 || (cmp == 0 && pa <= pb);
  if (!ordered) {
    std::swap(a, b);
    std::swap(pa, pb);
  }
  uint8_t buf[2 + 16 + 16 + 2 + 4];
  size_t len = 0;
  buf[len++] = static_cast<uint8_t>(seed >> 8);
  buf[len++] = static_cast<uint8_t>(seed);
  std::memcpy(buf + len, a->bytes.data(), n);
  len += n;
  std::memcpy(buf + len, b->bytes.data(), n);
  len += n;
  buf[len++] = proto;
  buf[len++] = 0;
  const bool has_ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
  if (has_ports) {
    buf[len++] = static_cast<uint8_t>(pa >> 8);
    buf[len++] = static_cast<uint8_t>(pa);
    buf[len++] = static_cast<uint8_t>(pb >> 8);
    buf[len++] = static_cast<uint8_t>(pb);
  }
  // Fetch the digest once: OpenSSL 3's one-shot SHA1() looks the algorithm up
  // on every call, which costs more than the hashing itself.
  static EVP_MD* const kSha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  unsigned char digest[SHA_DIGEST_LENGTH];
  unsigned int dlen = 0;
  if (!kSha1 || !EVP_Digest(buf, len, digest, &dlen, kSha1, nullptr)) SHA1(buf, len, digest);
  unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  int m = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
  std::string out = "1:";
  out.append(reinterpret_cast<const char*>(b64), static_cast<size_t>(m));
  return out;
}

}  // namespace ww

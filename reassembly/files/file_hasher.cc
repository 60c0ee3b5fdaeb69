#include "reassembly/files/file_hasher.h"

namespace ww {

namespace {
EVP_MD_CTX* start(const EVP_MD* md) {
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  if (c && EVP_DigestInit_ex(c, md, nullptr) != 1) {
    EVP_MD_CTX_free(c);
    c = nullptr;
  }
  return c;
}
std::string done(EVP_MD_CTX*& c) {
  if (!c) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  std::string out;
  if (EVP_DigestFinal_ex(c, md, &n) == 1) out = to_hex(md, n);
  EVP_MD_CTX_free(c);
  c = nullptr;
  return out;
}
}  // namespace

std::string to_hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kHex[p[i] >> 4];
    s[2 * i + 1] = kHex[p[i] & 15];
  }
  return s;
}

FileHasher::FileHasher(bool md5, bool sha1) {
  if (md5) md5_ = start(EVP_md5());
  if (sha1) sha1_ = start(EVP_sha1());
  sha256_ = start(EVP_sha256());
}

FileHasher::~FileHasher() {
  EVP_MD_CTX_free(md5_);
  EVP_MD_CTX_free(sha1_);
  EVP_MD_CTX_free(sha256_);
}

void FileHasher::update(std::span<const uint8_t> b) {
  if (b.empty()) return;
  if (md5_) EVP_DigestUpdate(md5_, b.data(), b.size());
  if (sha1_) EVP_DigestUpdate(sha1_, b.data(), b.size());
  if (sha256_) EVP_DigestUpdate(sha256_, b.data(), b.size());
}

FileHashes FileHasher::finish() {
  FileHashes h;
  h.md5 = done(md5_);
  h.sha1 = done(sha1_);
  h.sha256 = done(sha256_);
  return h;
}

}  // namespace ww

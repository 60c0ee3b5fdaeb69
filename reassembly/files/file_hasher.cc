#include "reassembly/files/file_hasher.h"

namespace ww {

namespace {

// Digests fetched once per process (OpenSSL 3: EVP_md5() and friends make each
// EVP_DigestInit_ex fetch the implementation again, with a lock and a property
// query; an explicitly fetched EVP_MD is used as is). Immutable once made.
struct Digests {
  EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
};
const Digests& digests() {
  static const Digests d;
  return d;
}

// (Re)starts `c` on `md`; a context that already ran `md` keeps its provider state.
bool start(EVP_MD_CTX*& c, const EVP_MD* md) {
  if (!md) return false;
  if (!c) c = EVP_MD_CTX_new();
  return c && EVP_DigestInit_ex2(c, md, nullptr) == 1;
}

std::string done(EVP_MD_CTX* c, bool& active) {
  if (!active) return {};
  active = false;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(c, md, &n) != 1) return {};
  return to_hex(md, n);
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

FileHasher::FileHasher(bool md5, bool sha1) { reset(md5, sha1); }

FileHasher::~FileHasher() {
  EVP_MD_CTX_free(md5_);
  EVP_MD_CTX_free(sha1_);
  EVP_MD_CTX_free(sha256_);
}

void FileHasher::reset(bool md5, bool sha1) {
  const Digests& d = digests();
  md5_on_ = md5 && start(md5_, d.md5);
  sha1_on_ = sha1 && start(sha1_, d.sha1);
  sha256_on_ = start(sha256_, d.sha256);
}

void FileHasher::update(std::span<const uint8_t> b) {
  if (b.empty()) return;
  if (md5_on_) EVP_DigestUpdate(md5_, b.data(), b.size());
  if (sha1_on_) EVP_DigestUpdate(sha1_, b.data(), b.size());
  if (sha256_on_) EVP_DigestUpdate(sha256_, b.data(), b.size());
}

FileHashes FileHasher::finish() {
  FileHashes h;
  h.md5 = done(md5_, md5_on_);
  h.sha1 = done(sha1_, sha1_on_);
  h.sha256 = done(sha256_, sha256_on_);
  return h;
}

}  // namespace ww

#pragma once
// md5, sha1 and sha256 of one file, streamed (OpenSSL EVP). Each byte passes
// through each digest once; nothing is buffered here. Reusable: reset() starts
// the next file on the same contexts (the file assembler keeps spare hashers).

#include <openssl/evp.h>

#include <span>
#include <string>

namespace ww {

struct FileHashes {
  std::string md5, sha1, sha256;  // lower-case hex; "" when not computed
};

class FileHasher {
 public:
  FileHasher(bool md5, bool sha1);
  ~FileHasher();
  FileHasher(const FileHasher&) = delete;
  FileHasher& operator=(const FileHasher&) = delete;

  void update(std::span<const uint8_t> bytes);
  // Finishes the digests (the hasher is spent until reset()).
  FileHashes finish();
  // Starts over for the next file, reusing the contexts (no allocation).
  void reset(bool md5, bool sha1);

 private:
  EVP_MD_CTX* md5_ = nullptr;
  EVP_MD_CTX* sha1_ = nullptr;
  EVP_MD_CTX* sha256_ = nullptr;
  bool md5_on_ = false;
  bool sha1_on_ = false;
  bool sha256_on_ = false;
};

std::string to_hex(const unsigned char* p, size_t n);

}  // namespace ww

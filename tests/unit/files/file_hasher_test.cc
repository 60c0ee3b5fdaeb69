// reassembly/files/file_hasher: a reused hasher gives the digests of a fresh one.

#include "reassembly/files/file_hasher.h"

#include <boost/test/unit_test.hpp>
#include <string_view>

namespace ww {
namespace {
std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(file_hasher)

BOOST_AUTO_TEST_CASE(known_digests_and_reuse) {
  FileHasher h(true, true);
  h.update(bytes("ab"));
  h.update(bytes("c"));
  const FileHashes a = h.finish();
  BOOST_TEST(a.md5 == "900150983cd24fb0d6963f7d28e17f72");
  BOOST_TEST(a.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d");
  BOOST_TEST(a.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Reused, half-way through a file and after a finish: the same as a fresh hasher.
  h.reset(true, true);
  h.update(bytes("junk"));
  h.reset(false, true);
  h.update(bytes("abc"));
  const FileHashes b = h.finish();
  BOOST_TEST(b.md5.empty());
  BOOST_TEST(b.sha1 == a.sha1);
  BOOST_TEST(b.sha256 == a.sha256);
  BOOST_TEST(h.finish().sha256.empty());  // spent until reset()
  h.reset(true, false);
  const FileHashes e = h.finish();
  BOOST_TEST(e.md5 == "d41d8cd98f00b204e9800998ecf8427e");
  BOOST_TEST(e.sha1.empty());
  BOOST_TEST(e.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ww

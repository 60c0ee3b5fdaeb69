#include "tools/gen/rng.h"

#include <boost/test/unit_test.hpp>

#include <array>
#include <set>
#include <span>
#include <vector>

using ww::gen::Rng;

BOOST_AUTO_TEST_SUITE(gen_rng)

// Reference values from an independent implementation of splitmix64 and
// xoshiro256** (and of Lemire's bounded draw): if these change, every capture
// every test and benchmark relies on changes with them.
BOOST_AUTO_TEST_CASE(matches_reference_sequence) {
  uint64_t sm = 0;
  BOOST_TEST(ww::gen::splitmix64(sm) == 0xe220a8397b1dcdafULL);

  Rng zero(0);
  BOOST_TEST(zero.next() == 0x99ec5f36cb75f2b4ULL);
  BOOST_TEST(zero.next() == 0xbf6e1f784956452aULL);

  Rng r(42);
  BOOST_TEST(r.next() == 0x15780b2e0c2ec716ULL);
  BOOST_TEST(r.next() == 0x6104d9866d113a7eULL);
  BOOST_TEST(r.next() == 0xae17533239e499a1ULL);

  Rng u(42);
  const std::array<uint64_t, 8> expected = {8, 37, 68, 92, 99, 76, 71, 85};
  for (uint64_t e : expected) BOOST_TEST(u.uniform(0, 99) == e);
}

BOOST_AUTO_TEST_CASE(same_seed_same_stream_different_seed_different) {
  Rng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = a.next();
    BOOST_TEST(x == b.next());
    differs |= x != c.next();
  }
  BOOST_TEST(differs);
}

BOOST_AUTO_TEST_CASE(uniform_is_inclusive_and_unbiased_enough) {
  Rng r(1);
  std::array<int, 10> buckets{};
  bool saw_lo = false, saw_hi = false;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = r.uniform(10, 19);
    BOOST_REQUIRE(v >= 10);
    BOOST_REQUIRE(v <= 19);
    saw_lo |= v == 10;
    saw_hi |= v == 19;
    ++buckets[v - 10];
  }
  BOOST_TEST(saw_lo);
  BOOST_TEST(saw_hi);
  for (int n : buckets) {
    BOOST_TEST(n > 9500);
    BOOST_TEST(n < 10500);
  }
  BOOST_TEST(r.uniform(5, 5) == 5u);
  BOOST_TEST(r.uniform(9, 3) == 9u);  // hi < lo collapses to lo
  r.uniform(0, UINT64_MAX);           // full range must not hang or trap
  for (int i = 0; i < 1000; ++i) {
    const int64_t s = r.uniform_signed(-3, 3);
    BOOST_REQUIRE(s >= -3);
    BOOST_REQUIRE(s <= 3);
  }
}

BOOST_AUTO_TEST_CASE(real_and_log_uniform_stay_in_range) {
  Rng r(3);
  std::set<int> decades;
  for (int i = 0; i < 20000; ++i) {
    const double d = r.real01();
    BOOST_REQUIRE(d >= 0.0);
    BOOST_REQUIRE(d < 1.0);
    const uint64_t v = r.log_uniform(300, 8u << 20);
    BOOST_REQUIRE(v >= 300u);
    BOOST_REQUIRE(v <= (8u << 20));
    int decade = 0;
    for (uint64_t x = v; x >= 10; x /= 10) ++decade;
    decades.insert(decade);
  }
  // Sizes span every decade from hundreds of bytes to megabytes.
  BOOST_TEST(decades.size() == 5u);
}

BOOST_AUTO_TEST_CASE(fill_is_little_endian_of_next) {
  Rng a(99), b(99);
  std::array<uint8_t, 11> buf{};
  a.fill(buf);
  const uint64_t first = b.next();
  for (int i = 0; i < 8; ++i) BOOST_TEST(buf[i] == static_cast<uint8_t>(first >> (8 * i)));
  const uint64_t second = b.next();
  for (int i = 0; i < 3; ++i) BOOST_TEST(buf[8 + i] == static_cast<uint8_t>(second >> (8 * i)));
}

BOOST_AUTO_TEST_CASE(fork_gives_independent_reproducible_streams) {
  Rng a(5), b(5);
  Rng fa = a.fork(), fb = b.fork();
  BOOST_TEST(fa.next() == fb.next());
  BOOST_TEST(a.next() == b.next());
  Rng c(5);
  Rng fc = c.fork();
  BOOST_TEST(fc.next() != c.next());
}

BOOST_AUTO_TEST_CASE(random_bytes_do_not_depend_on_read_sizes) {
  ww::gen::RandomBytes whole(17), pieces(17);
  std::vector<uint8_t> a(10000), b(10000);
  whole.fill(a);
  size_t at = 0;
  for (size_t n : {1, 7, 1448, 3, 8, 1460, 5000}) {
    pieces.fill(std::span<uint8_t>(b).subspan(at, n));
    at += n;
  }
  pieces.fill(std::span<uint8_t>(b).subspan(at));
  BOOST_TEST(a == b, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

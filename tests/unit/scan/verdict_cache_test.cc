// VerdictCache on its own: LRU order, entry and byte bounds, generations.

#include <boost/test/unit_test.hpp>

#include "rules/scan/verdict_cache.h"

using namespace ww;
using Status = ScanVerdict::Status;

namespace {

ScanVerdict verdict(Status s, std::string sig = "", uint64_t gen = 1) {
  ScanVerdict v;
  v.status = s;
  v.signature = std::move(sig);
  v.engine_generation = gen;
  return v;
}

std::string key(int i) { return std::string(63, 'a') + static_cast<char>('0' + i); }

}  // namespace

BOOST_AUTO_TEST_SUITE(verdict_cache)

BOOST_AUTO_TEST_CASE(stores_clean_and_infected_only) {
  VerdictCache c(10, 1 << 20);
  c.insert(key(0), verdict(Status::kClean));
  c.insert(key(1), verdict(Status::kInfected, "Eicar"));
  c.insert(key(2), verdict(Status::kError));
  c.insert(key(3), verdict(Status::kSkipped));
  c.insert("", verdict(Status::kClean));
  BOOST_TEST(c.size() == 2u);
  auto hit = c.find(key(1));
  BOOST_TEST_REQUIRE(hit.has_value());
  BOOST_TEST((hit->status == Status::kInfected));
  BOOST_TEST(hit->signature == "Eicar");
  BOOST_TEST(hit->cache_hit);
  BOOST_TEST(!c.find(key(2)).has_value());
}

BOOST_AUTO_TEST_CASE(least_recently_used_goes_first) {
  VerdictCache c(3, 1 << 20);
  for (int i = 0; i < 3; ++i) c.insert(key(i), verdict(Status::kClean));
  BOOST_TEST(c.find(key(0)).has_value());  // 0 is now the most recent; 1 the least
  BOOST_TEST(c.insert(key(3), verdict(Status::kClean)) == 1u);
  BOOST_TEST(!c.find(key(1)).has_value());
  BOOST_TEST(c.find(key(0)).has_value());
  BOOST_TEST(c.find(key(2)).has_value());
  BOOST_TEST(c.find(key(3)).has_value());
  BOOST_TEST(c.size() == 3u);
}

BOOST_AUTO_TEST_CASE(bounded_by_bytes) {
  const size_t one = VerdictCache::entry_bytes(key(0), "Sig");
  VerdictCache c(1000, 3 * one);
  size_t evicted = 0;
  for (int i = 0; i < 8; ++i) evicted += c.insert(key(i), verdict(Status::kInfected, "Sig"));
  BOOST_TEST(c.size() == 3u);
  BOOST_TEST(c.bytes() == 3 * one);
  BOOST_TEST(evicted == 5u);
  // An entry bigger than the whole cache is not stored (and evicts nothing).
  BOOST_TEST(c.insert(key(9), verdict(Status::kInfected, std::string(4 * one, 'x'))) == 0u);
  BOOST_TEST(c.size() == 3u);
}

BOOST_AUTO_TEST_CASE(generation_guards_against_stale_verdicts) {
  VerdictCache c(10, 1 << 20, 1);
  c.insert(key(0), verdict(Status::kClean, "", 1));
  c.clear(2);
  BOOST_TEST(c.size() == 0u);
  BOOST_TEST(c.bytes() == 0u);
  c.insert(key(1), verdict(Status::kClean, "", 1));  // scanned by the replaced engine
  BOOST_TEST(!c.find(key(1)).has_value());
  c.insert(key(1), verdict(Status::kClean, "", 2));
  auto hit = c.find(key(1));
  BOOST_TEST_REQUIRE(hit.has_value());
  BOOST_TEST(hit->engine_generation == 2u);
}

BOOST_AUTO_TEST_CASE(disabled_when_zero) {
  VerdictCache c(0, 1 << 20);
  BOOST_TEST(!c.enabled());
  c.insert(key(0), verdict(Status::kClean));
  BOOST_TEST(c.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

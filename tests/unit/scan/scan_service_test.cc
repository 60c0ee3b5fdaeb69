// ScanService mechanics: verdict cache, queue bounds under skip and wait,
// size limits, configuration errors, callback exceptions, shutdown.

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

#include "tests/unit/scan/scan_test_util.h"

using namespace ww;
using namespace ww::test;
using SR = ScanService::SubmitResult;
using Status = ScanVerdict::Status;

BOOST_AUTO_TEST_SUITE(scan_service)

BOOST_AUTO_TEST_CASE(second_identical_submit_is_a_cache_hit) {
  Collector out;
  ScanService svc(test_config(), out.sink());
  BOOST_TEST((svc.submit(job(kEicar, "first", true)) == SR::kQueued));
  BOOST_TEST((svc.submit(job("clean words", "clean-first", true)) == SR::kQueued));
  svc.drain();
  BOOST_TEST((svc.submit(job(kEicar, "second", true)) == SR::kCacheHit));
  BOOST_TEST((svc.submit(job("clean words", "clean-second", true)) == SR::kCacheHit));
  BOOST_TEST((svc.submit(job(kEicar, "unkeyed")) == SR::kQueued));  // no sha256: not cached
  svc.drain();

  const auto* first = out.find("first");
  const auto* second = out.find("second");
  BOOST_TEST(first->verdict.infected());
  BOOST_TEST(!first->verdict.cache_hit);
  BOOST_TEST(second->verdict.infected());
  BOOST_TEST(second->verdict.cache_hit);
  BOOST_TEST(second->verdict.signature == first->verdict.signature);
  BOOST_TEST(second->job.data == kEicar);
  BOOST_TEST((out.find("clean-second")->verdict.status == Status::kClean));
  BOOST_TEST(out.find("clean-second")->verdict.cache_hit);
  BOOST_TEST(!out.find("unkeyed")->verdict.cache_hit);

  const ScanCounters c = svc.counters();
  BOOST_TEST(c.submitted == 5u);
  BOOST_TEST(c.scanned == 3u);
  BOOST_TEST(c.cache_hits == 2u);
  BOOST_TEST(c.cache_misses == 2u);
  BOOST_TEST(c.cache_entries == 2u);
  BOOST_TEST(c.infected == 2u);
  BOOST_TEST(c.clean == 1u);
}

// The scanner is held busy (in the Done of an unkeyed job), so the first copy
// of each file stays queued while its copies arrive: deterministic.
BOOST_AUTO_TEST_CASE(copies_of_a_file_in_flight_take_its_verdict) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.threads = 1;
  ScanService svc(cfg, out.sink());
  out.hold();
  BOOST_TEST((svc.submit(job("blocker", "blocker")) == SR::kQueued));
  BOOST_TEST_REQUIRE(out.wait_entered(1));
  BOOST_TEST((svc.submit(job(kEicar, "c1", true)) == SR::kQueued));
  BOOST_TEST((svc.submit(job(kEicar, "c2", true)) == SR::kInFlightMerged));
  BOOST_TEST((svc.submit(job(kEicar, "c3", true)) == SR::kInFlightMerged));
  BOOST_TEST((svc.submit(job("clean words", "k1", true)) == SR::kQueued));
  BOOST_TEST((svc.submit(job("clean words", "k2", true)) == SR::kInFlightMerged));
  BOOST_TEST((svc.submit(job(kEicar, "unkeyed")) == SR::kQueued));  // no sha256: scanned
  // Waiters hold their bytes: blocker + c1 + c2 + c3 + k1 + k2 + unkeyed.
  BOOST_TEST(svc.counters().queue_bytes_high_water ==
             7 + 4 * kEicar.size() + 2 * std::string("clean words").size());
  out.release();
  svc.drain();
  BOOST_TEST((svc.submit(job(kEicar, "c4", true)) == SR::kCacheHit));
  svc.drain();

  BOOST_TEST(out.size() == 8u);  // one Done per job
  BOOST_TEST(!out.find("c1")->verdict.cache_hit);
  for (const char* n : {"c2", "c3", "c4"}) {
    BOOST_TEST_CONTEXT(n) {
      BOOST_TEST(out.find(n)->verdict.infected());
      BOOST_TEST(out.find(n)->verdict.cache_hit);
      BOOST_TEST(out.find(n)->verdict.signature == out.find("c1")->verdict.signature);
      BOOST_TEST(out.find(n)->job.data == kEicar);  // handed back intact
    }
  }
  BOOST_TEST((out.find("k2")->verdict.status == Status::kClean));
  BOOST_TEST(out.find("k2")->verdict.cache_hit);
  const ScanCounters c = svc.counters();
  BOOST_TEST(c.submitted == 8u);
  BOOST_TEST(c.scanned == 4u);  // blocker, c1, k1, unkeyed
  BOOST_TEST(c.inflight_merged == 3u);
  BOOST_TEST(c.cache_misses == 2u);
  BOOST_TEST(c.cache_hits == 1u);
  BOOST_TEST(c.infected == 2u);
}

BOOST_AUTO_TEST_CASE(in_flight_merge_is_off_with_the_cache) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.threads = 1;
  cfg.cache_entries = 0;
  ScanService svc(cfg, out.sink());
  out.hold();
  BOOST_TEST((svc.submit(job("blocker", "blocker")) == SR::kQueued));
  BOOST_TEST_REQUIRE(out.wait_entered(1));
  BOOST_TEST((svc.submit(job(kEicar, "c1", true)) == SR::kQueued));
  BOOST_TEST((svc.submit(job(kEicar, "c2", true)) == SR::kQueued));
  out.release();
  svc.drain();
  BOOST_TEST(svc.counters().scanned == 3u);
  BOOST_TEST(svc.counters().inflight_merged == 0u);
  BOOST_TEST(!out.find("c2")->verdict.cache_hit);
}

BOOST_AUTO_TEST_CASE(in_flight_waiters_are_bounded_by_queue_bytes) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.threads = 1;
  cfg.queue_bytes = 10 + 2 * 60;  // the blocker, the first copy and one waiter
  cfg.on_full = QueueFullPolicy::kSkip;
  ScanService svc(cfg, out.sink());
  const std::string data = kPayload.substr(0, 60);
  out.hold();
  BOOST_TEST((svc.submit(job(std::string(10, 'x'), "blocker")) == SR::kQueued));
  BOOST_TEST_REQUIRE(out.wait_entered(1));
  BOOST_TEST((svc.submit(job(data, "c1", true)) == SR::kQueued));
  BOOST_TEST((svc.submit(job(data, "c2", true)) == SR::kInFlightMerged));
  // No room for a third copy's bytes: it goes the normal way, and the queue is
  // full, so it is skipped (inline Done, blocked by the held collector).
  std::atomic<bool> skipped{false};
  std::thread t([&] { skipped = svc.submit(job(data, "c3", true)) == SR::kSkippedQueueFull; });
  BOOST_TEST_REQUIRE(out.wait_entered(2));
  out.release();
  t.join();
  svc.drain();
  BOOST_TEST(skipped.load());
  const ScanCounters c = svc.counters();
  BOOST_TEST(c.inflight_merged == 1u);
  BOOST_TEST(c.skipped_queue_full == 1u);
  BOOST_TEST(c.queue_bytes_high_water == 130u);
  BOOST_TEST(out.find("c2")->verdict.infected());
}

BOOST_AUTO_TEST_CASE(copies_submitted_after_a_reload_are_scanned_again) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.threads = 1;
  ScanService svc(cfg, out.sink());
  out.hold();
  BOOST_TEST((svc.submit(job("blocker", "blocker")) == SR::kQueued));
  BOOST_TEST_REQUIRE(out.wait_entered(1));
  BOOST_TEST((svc.submit(job(kEicar, "before", true)) == SR::kQueued));
  BOOST_TEST((svc.submit(job(kEicar, "merged", true)) == SR::kInFlightMerged));
  std::string why;
  BOOST_TEST_REQUIRE(svc.reload(&why), why);
  BOOST_TEST((svc.submit(job(kEicar, "after", true)) == SR::kQueued));
  out.release();
  svc.drain();
  BOOST_TEST(svc.counters().scanned == 3u);
  BOOST_TEST(out.find("merged")->verdict.cache_hit);
  BOOST_TEST(!out.find("after")->verdict.cache_hit);
  BOOST_TEST(out.find("after")->verdict.engine_generation == 2u);
}

BOOST_AUTO_TEST_CASE(many_copies_from_two_producers_each_get_one_verdict) {
  std::atomic<int> done{0}, infected{0};
  ScanConfig cfg = test_config();
  cfg.threads = 2;
  cfg.on_full = QueueFullPolicy::kWait;
  cfg.queue_files = 4;
  ScanCounters c;
  {
    ScanService svc(cfg, [&](ScanJob&&, const ScanVerdict& v) {
      ++done;
      if (v.infected()) ++infected;
    });
    auto produce = [&](int seed) {
      for (int i = 0; i < 300; ++i)
        svc.submit(job(i % 3 == 0 ? kPayload + std::to_string((i + seed) % 7)
                                  : "clean " + std::to_string((i + seed) % 11),
                       "f", true));
    };
    std::thread a(produce, 0), b(produce, 1);
    a.join();
    b.join();
    svc.drain();
    c = svc.counters();
  }
  BOOST_TEST(done.load() == 600);
  BOOST_TEST(infected.load() == 200);
  BOOST_TEST(c.scanned + c.cache_hits + c.inflight_merged == 600u);
  BOOST_TEST(c.scanned == c.cache_misses);
  BOOST_TEST(c.scanned >= 18u);  // every distinct file at least once
}

BOOST_AUTO_TEST_CASE(cache_is_bounded_and_evicts_least_recently_used) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.cache_entries = 3;
  ScanService svc(cfg, out.sink());
  for (int i = 0; i < 5; ++i)
    svc.submit(job("file " + std::to_string(i), "a" + std::to_string(i), true));
  svc.drain();
  ScanCounters c = svc.counters();
  BOOST_TEST(c.cache_entries == 3u);
  BOOST_TEST(c.cache_evictions == 2u);
  // 0 and 1 were evicted, 2..4 are cached.
  BOOST_TEST((svc.submit(job("file 4", "b4", true)) == SR::kCacheHit));
  BOOST_TEST((svc.submit(job("file 0", "b0", true)) == SR::kQueued));
  svc.drain();
  c = svc.counters();
  BOOST_TEST(c.cache_entries == 3u);
  BOOST_TEST(c.cache_evictions == 3u);  // "file 2" (least recently used) made room for "file 0"
  BOOST_TEST((svc.submit(job("file 2", "c2", true)) == SR::kQueued));
  svc.drain();
}

BOOST_AUTO_TEST_CASE(cache_bounded_by_bytes) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.cache_entries = 1000;
  cfg.cache_bytes = 2 * VerdictCache::entry_bytes(std::string(64, 'x'), "") + 10;
  ScanService svc(cfg, out.sink());
  for (int i = 0; i < 4; ++i) svc.submit(job("clean " + std::to_string(i), "n", true));
  svc.drain();
  const ScanCounters c = svc.counters();
  BOOST_TEST(c.cache_entries == 2u);
  BOOST_TEST(c.cache_bytes <= cfg.cache_bytes);
  BOOST_TEST(c.cache_evictions == 2u);
}

BOOST_AUTO_TEST_CASE(queue_full_under_skip_is_counted_and_not_blocking) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.threads = 1;
  cfg.queue_files = 1;
  cfg.on_full = QueueFullPolicy::kSkip;
  ScanService svc(cfg, out.sink());
  out.hold();
  BOOST_TEST((svc.submit(job(kEicar, "j0")) == SR::kQueued));
  BOOST_TEST_REQUIRE(out.wait_entered(1));  // the scanner is busy in the callback
  BOOST_TEST((svc.submit(job(kEicar, "j1")) == SR::kQueued));  // fills the queue
  // Skips call Done inline, which the held collector blocks too: submit them
  // from other threads and see each one enter its callback.
  std::vector<std::thread> skippers;
  std::atomic<int> skipped_results{0};
  for (int i = 2; i < 5; ++i) {
    skippers.emplace_back([&svc, &skipped_results, i] {
      if (svc.submit(job(kEicar, "j" + std::to_string(i))) == SR::kSkippedQueueFull)
        ++skipped_results;
    });
    BOOST_TEST_REQUIRE(out.wait_entered(static_cast<size_t>(i)));
  }
  out.release();
  for (std::thread& t : skippers) t.join();
  BOOST_TEST(skipped_results.load() == 3);
  svc.drain();
  BOOST_TEST(out.size() == 5u);
  BOOST_TEST(out.find("j0")->verdict.infected());
  BOOST_TEST(out.find("j1")->verdict.infected());
  for (const char* n : {"j2", "j3", "j4"}) {
    BOOST_TEST((out.find(n)->verdict.status == Status::kSkipped));
    BOOST_TEST(out.find(n)->verdict.error == "scan queue full");
    BOOST_TEST(out.find(n)->job.data == kEicar);
  }
  const ScanCounters c = svc.counters();
  BOOST_TEST(c.skipped_queue_full == 3u);
  BOOST_TEST(c.scanned == 2u);
  BOOST_TEST(c.queue_high_water == 1u);
}

BOOST_AUTO_TEST_CASE(queue_full_under_wait_blocks_and_scans_everything) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.threads = 1;
  cfg.queue_files = 2;
  cfg.on_full = QueueFullPolicy::kWait;
  ScanService svc(cfg, out.sink());
  out.hold();
  std::atomic<int> submitted{0};
  std::thread producer([&] {
    for (int i = 0; i < 20; ++i) {
      svc.submit(job(i % 2 ? kEicar : "clean " + std::to_string(i), "w" + std::to_string(i)));
      ++submitted;
    }
  });
  BOOST_TEST_REQUIRE(out.wait_entered(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  BOOST_TEST(submitted.load() == 3);  // 1 in the scanner, 2 queued, the 4th waits
  out.release();
  producer.join();
  svc.drain();
  BOOST_TEST(out.size() == 20u);
  const ScanCounters c = svc.counters();
  BOOST_TEST(c.scanned == 20u);
  BOOST_TEST(c.infected == 10u);
  BOOST_TEST(c.skipped_queue_full == 0u);
  BOOST_TEST(c.queue_high_water == 2u);
}

BOOST_AUTO_TEST_CASE(queue_bounded_by_bytes) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.threads = 1;
  cfg.queue_files = 100;
  cfg.queue_bytes = 100;
  ScanService svc(cfg, out.sink());
  out.hold();
  BOOST_TEST((svc.submit(job(std::string(60, 'a'), "a")) == SR::kQueued));
  BOOST_TEST_REQUIRE(out.wait_entered(1));  // 60 bytes held while it is scanned
  std::atomic<bool> b_skipped{false};
  std::thread t(
      [&] { b_skipped = svc.submit(job(std::string(60, 'b'), "b")) == SR::kSkippedQueueFull; });
  BOOST_TEST_REQUIRE(out.wait_entered(2));
  BOOST_TEST((svc.submit(job(std::string(40, 'c'), "c")) == SR::kQueued));  // 60 + 40 fits
  out.release();
  t.join();
  BOOST_TEST(b_skipped.load());
  svc.drain();
  BOOST_TEST(svc.counters().queue_bytes_high_water == 100u);
  BOOST_TEST(svc.counters().skipped_queue_full == 1u);
}

BOOST_AUTO_TEST_CASE(too_large_is_skipped_with_a_reason) {
  Collector out;
  ScanConfig cfg = test_config();
  cfg.max_filesize = 50;
  ScanService svc(cfg, out.sink());
  BOOST_TEST((svc.submit(job(std::string(51, 'x') + kEicar, "big", true)) == SR::kSkippedTooLarge));
  BOOST_TEST((svc.submit(job(std::string(50, 'x'), "fits")) == SR::kQueued));
  svc.drain();
  const auto& v = out.find("big")->verdict;
  BOOST_TEST((v.status == Status::kSkipped));
  BOOST_TEST(v.error.find("too large") != std::string::npos);
  BOOST_TEST(svc.counters().skipped_too_large == 1u);
  BOOST_TEST(svc.counters().cache_entries == 0u);  // skips are never cached
}

BOOST_AUTO_TEST_CASE(many_jobs_two_threads_none_lost) {
  std::atomic<int> done{0}, infected{0};
  ScanConfig cfg = test_config();
  cfg.threads = 2;
  cfg.on_full = QueueFullPolicy::kWait;
  cfg.queue_files = 8;
  {
    ScanService svc(cfg, [&](ScanJob&&, const ScanVerdict& v) {
      ++done;
      if (v.infected()) ++infected;
    });
    for (int i = 0; i < 500; ++i)
      svc.submit(job(i % 5 == 0 ? kPayload + std::to_string(i) : "clean " + std::to_string(i)));
    // The destructor drains: nothing submitted is lost at shutdown.
  }
  BOOST_TEST(done.load() == 500);
  BOOST_TEST(infected.load() == 100);
}

BOOST_AUTO_TEST_CASE(callback_exception_is_caught_and_counted) {
  ScanService svc(test_config(),
                  [](ScanJob&&, const ScanVerdict&) { throw std::runtime_error("boom"); });
  svc.submit(job(kEicar));
  svc.submit(job("clean"));
  svc.drain();
  BOOST_TEST(svc.counters().callback_errors == 2u);
  BOOST_TEST(svc.counters().scanned == 2u);
}

BOOST_AUTO_TEST_CASE(disabled_service_skips_everything) {
  Collector out;
  ScanConfig cfg;
  cfg.enabled = false;  // no directory needed
  ScanService svc(cfg, out.sink());
  BOOST_TEST((svc.submit(job(kEicar, "x")) == SR::kSkippedDisabled));
  BOOST_TEST((out.find("x")->verdict.status == Status::kSkipped));
  BOOST_TEST(svc.counters().skipped_disabled == 1u);
  std::string why;
  BOOST_TEST(!svc.reload(&why));
}

std::string setup_error(const ScanConfig& cfg) {
  try {
    ScanService svc(cfg, [](ScanJob&&, const ScanVerdict&) {});
  } catch (const ScanSetupError& e) {
    return e.what();
  }
  return "";
}

BOOST_AUTO_TEST_CASE(missing_empty_and_bad_directories_are_one_clear_message) {
  TempDir tmp;
  const std::string missing = tmp.file("no-such-dir");
  std::string m = setup_error(test_config({missing}));
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(m.find("'" + missing + "'") != std::string::npos);
  BOOST_TEST(m.find("No such file or directory") != std::string::npos);
  BOOST_TEST(m.find("scan.signature_dirs") != std::string::npos);

  const std::string empty = tmp.file("empty");
  std::filesystem::create_directory(empty);
  write_file(empty + "/README", "not a database");
  m = setup_error(test_config({empty}));
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(m.find("'" + empty + "' holds no ClamAV databases") != std::string::npos);
  BOOST_TEST(m.find("scan.signature_dirs") != std::string::npos);

  const std::string file = tmp.file("plain-file");
  write_file(file, "x");
  m = setup_error(test_config({file}));
  BOOST_TEST(m.find("is not a directory") != std::string::npos);

  const std::string bad = tmp.file("bad");
  std::filesystem::create_directory(bad);
  write_file(bad + "/good.ndb", ndb_line("Good.Sig", "GOOD-MARKER-123456"));
  write_file(bad + "/broken.ndb", "this is not a signature line\n");
  m = setup_error(test_config({bad}));
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(m.find(bad + "/broken.ndb") != std::string::npos);
  BOOST_TEST(m.find("fix or remove the file") != std::string::npos);

  ScanConfig none = test_config({});
  m = setup_error(none);
  BOOST_TEST(m.find("signature_dirs is empty") != std::string::npos);

  ScanConfig zero_threads = test_config();
  zero_threads.threads = 0;
  BOOST_TEST(setup_error(zero_threads).find("threads must be between 1 and") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(optional_dirs_are_loaded_only_when_they_hold_databases) {
  TempDir tmp;
  const std::string extra = tmp.file("extra");
  std::filesystem::create_directory(extra);
  write_file(extra + "/extra.ndb", ndb_line("Extra.Sig", "OPTIONAL-DIR-MARKER-42"));
  ScanConfig cfg = test_config();
  cfg.optional_dirs = {tmp.file("absent"), tmp.path() /* no databases */, extra};
  Collector out;
  ScanService svc(cfg, out.sink());
  svc.submit(job("xx OPTIONAL-DIR-MARKER-42 xx", "m"));
  svc.drain();
  BOOST_TEST(out.find("m")->verdict.signature.starts_with("Extra.Sig"));
  BOOST_TEST(svc.describe().find(extra) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(config_validation) {
  ScanConfig c = test_config();
  BOOST_TEST(validate(c).empty());
  c.queue_files = 0;
  BOOST_TEST(validate(c).find("queue_files") != std::string::npos);
  c = test_config();
  c.backend = ScanBackendKind::kClamd;
  c.signature_dirs.clear();
  BOOST_TEST(validate(c).empty());  // clamd has its own databases
  c.clamd_address.clear();
  BOOST_TEST(validate(c).find("clamd_address") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// Signature reload: explicit, failed, requested (SIGHUP path) and
// inotify-triggered, with jobs in flight.

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <thread>

#include "tests/unit/scan/scan_test_util.h"

using namespace ww;
using namespace ww::test;
using Status = ScanVerdict::Status;

namespace {

const std::string kNewMarker = "WW-RELOAD-TEST-MARKER-5d1e";

// A signature directory holding a copy of the shipped body signatures.
void seed(const TempDir& dir) {
  write_file(dir.file("wormwatch.ndb"), read_file(signatures_dir() + "/wormwatch.ndb"));
}

// Records reload notifications; waits for the n-th.
struct ReloadLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<bool, std::string>> events;
  ScanService::ReloadListener listener() {
    return [this](bool ok, const std::string& m) {
      std::lock_guard lk(mu);
      events.emplace_back(ok, m);
      cv.notify_all();
    };
  }
  bool wait(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, limit, [&] { return events.size() >= n; });
  }
  size_t size() {
    std::lock_guard lk(mu);
    return events.size();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(scan_reload)

BOOST_AUTO_TEST_CASE(reload_adds_a_signature_while_jobs_are_in_flight) {
  TempDir dir;
  seed(dir);
  Collector out;
  ScanConfig cfg = test_config({dir.path()});
  cfg.threads = 2;
  cfg.queue_files = 16;
  cfg.on_full = QueueFullPolicy::kWait;
  ScanService svc(cfg, out.sink());

  // Before: the marker is unknown.
  svc.submit(job("x " + kNewMarker, "before", true));
  svc.drain();
  BOOST_TEST((out.find("before")->verdict.status == Status::kClean));

  std::atomic<bool> stop{false};
  std::atomic<int> produced{0};
  std::thread producer([&] {
    for (int i = 0; !stop; ++i) {
      svc.submit(job(i % 3 ? "clean " + std::to_string(i) : kEicar, "flight" + std::to_string(i)));
      ++produced;
    }
  });
  while (produced < 50) std::this_thread::yield();

  write_file(dir.file("extra.ndb"), ndb_line("Wormwatch.Test.Reloaded", kNewMarker));
  std::string why = "unchanged";
  BOOST_TEST_REQUIRE(svc.reload(&why));
  BOOST_TEST(why.empty());
  const int at_reload = produced.load();
  while (produced < at_reload + 50) std::this_thread::yield();
  stop = true;
  producer.join();

  // After: the same bytes (same sha256: the cache was cleared) are detected.
  svc.submit(job("x " + kNewMarker, "after", true));
  svc.drain();

  const auto* after = out.find("after");
  BOOST_TEST(after->verdict.infected());
  BOOST_TEST(after->verdict.signature.starts_with("Wormwatch.Test.Reloaded"));
  BOOST_TEST(!after->verdict.cache_hit);
  BOOST_TEST(after->verdict.engine_generation == 2u);

  // No job lost, and every in-flight job got a right answer from one engine or the other.
  BOOST_TEST(out.size() == static_cast<size_t>(produced.load()) + 2);
  size_t gen1 = 0, gen2 = 0;
  for (const auto& r : out.results()) {
    if (!r.job.file_name.starts_with("flight")) continue;
    const int i = std::stoi(r.job.file_name.substr(6));
    BOOST_TEST_CONTEXT(r.job.file_name) {
      BOOST_TEST(r.verdict.infected() == (i % 3 == 0));
      BOOST_TEST((r.verdict.status != Status::kError));
    }
    (r.verdict.engine_generation == 1 ? gen1 : gen2)++;
  }
  BOOST_TEST(gen1 > 0u);
  BOOST_TEST(gen2 > 0u);
  const ScanCounters c = svc.counters();
  BOOST_TEST(c.reloads_ok == 1u);
  BOOST_TEST(c.engine_generation == 2u);
  BOOST_TEST(c.errors == 0u);
}

BOOST_AUTO_TEST_CASE(failed_reload_keeps_the_old_engine_and_says_why) {
  TempDir dir;
  seed(dir);
  Collector out;
  ReloadLog log;
  ScanService svc(test_config({dir.path()}), out.sink(), log.listener());
  svc.submit(job(kEicar, "warm", true));
  svc.drain();
  BOOST_TEST(svc.counters().cache_entries == 1u);

  write_file(dir.file("zz-broken.hdb"), "not:a:valid:hash:line:at:all\n");
  std::string why;
  BOOST_TEST(!svc.reload(&why));
  BOOST_TEST_MESSAGE(why);
  BOOST_TEST(why.find("keeping generation 1") != std::string::npos);
  BOOST_TEST(why.find(dir.file("zz-broken.hdb")) != std::string::npos);
  BOOST_TEST(log.size() == 1u);
  BOOST_TEST(!log.events[0].first);

  svc.submit(job(kEicar, "still", true));
  svc.submit(job(kEicar, "still-unkeyed"));
  svc.drain();
  BOOST_TEST(out.find("still")->verdict.cache_hit);  // the cache survives a failed reload
  BOOST_TEST(out.find("still-unkeyed")->verdict.infected());
  BOOST_TEST(out.find("still-unkeyed")->verdict.engine_generation == 1u);
  ScanCounters c = svc.counters();
  BOOST_TEST(c.reloads_failed == 1u);
  BOOST_TEST(c.reloads_ok == 0u);
  BOOST_TEST(c.engine_generation == 1u);

  // Emptied directory: also refused with the directory named.
  std::filesystem::remove(dir.file("zz-broken.hdb"));
  std::filesystem::remove(dir.file("wormwatch.ndb"));
  BOOST_TEST(!svc.reload(&why));
  BOOST_TEST(why.find("holds no ClamAV databases") != std::string::npos);

  // Fixed: the next reload works and empties the cache.
  seed(dir);
  BOOST_TEST(svc.reload(&why));
  c = svc.counters();
  BOOST_TEST(c.engine_generation == 2u);
  BOOST_TEST(c.cache_entries == 0u);
}

BOOST_AUTO_TEST_CASE(request_reload_is_performed_by_the_service_thread) {
  TempDir dir;
  seed(dir);
  Collector out;
  ReloadLog log;
  ScanService svc(test_config({dir.path()}), out.sink(), log.listener());
  write_file(dir.file("extra.ndb"), ndb_line("Wormwatch.Test.Requested", kNewMarker));

  // The SIGHUP path: a handler that only calls request_reload().
  static ScanService* target = nullptr;
  target = &svc;
  struct sigaction sa {
  }, old{};
  sa.sa_handler = [](int) { target->request_reload(); };
  sigemptyset(&sa.sa_mask);
  sigaction(SIGHUP, &sa, &old);
  ::raise(SIGHUP);
  sigaction(SIGHUP, &old, nullptr);

  BOOST_TEST_REQUIRE(log.wait(1));
  BOOST_TEST(log.events[0].first);
  svc.submit(job(kNewMarker, "m"));
  svc.drain();
  BOOST_TEST(out.find("m")->verdict.signature.starts_with("Wormwatch.Test.Requested"));
}

BOOST_AUTO_TEST_CASE(inotify_change_triggers_one_debounced_reload) {
  TempDir dir;
  seed(dir);
  Collector out;
  ReloadLog log;
  ScanConfig cfg = test_config({dir.path()});
  cfg.watch_dirs = true;
  cfg.watch_debounce_ms = 300;
  ScanService svc(cfg, out.sink(), log.listener());

  // Not a database: ignored.
  write_file(dir.file("README.txt"), "notes");
  // Three quick writes of databases: one reload after the directory is quiet.
  write_file_atomically(dir.path(), "a.ndb", ndb_line("Wormwatch.Test.A", "WW-INOTIFY-A-123456"));
  write_file_atomically(dir.path(), "b.ndb", ndb_line("Wormwatch.Test.B", "WW-INOTIFY-B-123456"));
  write_file(dir.file("c.ndb"), ndb_line("Wormwatch.Test.C", "WW-INOTIFY-C-123456"));
  BOOST_TEST_REQUIRE(log.wait(1));
  BOOST_TEST(log.events[0].first);
  BOOST_TEST_MESSAGE(log.events[0].second);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  BOOST_TEST(log.size() == 1u);

  svc.submit(job("WW-INOTIFY-A-123456", "a"));
  svc.submit(job("WW-INOTIFY-B-123456", "b"));
  svc.submit(job("WW-INOTIFY-C-123456", "c"));
  svc.drain();
  for (const char* n : {"a", "b", "c"}) BOOST_TEST(out.find(n)->verdict.infected());

  // A deletion reloads too, and the signature is gone.
  std::filesystem::remove(dir.file("a.ndb"));
  BOOST_TEST_REQUIRE(log.wait(2));
  svc.submit(job("WW-INOTIFY-A-123456", "a-after"));
  svc.drain();
  BOOST_TEST(!out.find("a-after")->verdict.infected());
  BOOST_TEST(svc.counters().engine_generation == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

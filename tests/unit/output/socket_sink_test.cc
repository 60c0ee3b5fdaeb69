// Asynchronous socket sinks against listeners the test owns: unix stream and
// datagram, event-type filters, the spool (memory, disk overflow, shutdown
// persistence and replay), bounded drops, and the counters.

#include <boost/test/unit_test.hpp>

#include <set>

#include <nlohmann/json.hpp>

#include "sensor/output/async_sink.h"
#include "sensor/output/sink_spec.h"
#include "sensor/output/spool.h"
#include "tests/unit/output/output_test_util.h"

using namespace ww;
using namespace ww::test;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

AsyncSinkOptions fast_options(const std::string& name) {
  AsyncSinkOptions o;
  o.name = name;
  o.backoff.initial = std::chrono::milliseconds(20);
  o.backoff.max = std::chrono::milliseconds(200);
  o.shutdown_timeout = std::chrono::milliseconds(2000);
  return o;
}

int id_of(const std::string& line) { return json::parse(line).at("test_id").get<int>(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(socket_sinks)

BOOST_AUTO_TEST_CASE(unix_stream_delivers_every_record_in_order) {
  TempDir d;
  UnixStreamListener l(d.str("s.sock"));
  SocketSink sink(fast_options("unix-stream"), SocketKind::unix_stream, d.str("s.sock"),
                  StreamFraming::newline);
  const int n = 2000;
  for (int i = 0; i < n; ++i) sink.write("flow", plain_record(i));
  sink.write("alert", hostile_record(n));
  BOOST_REQUIRE(wait_until([&] { return l.count() >= n + 1; }, 10s));
  auto lines = l.lines();
  for (int i = 0; i < n; ++i) BOOST_REQUIRE_EQUAL(id_of(lines[i]), i);
  BOOST_TEST(json::parse(lines[n]) == json::parse(hostile_record(n)));
  sink.close(Clock::now() + 2s);
  auto c = sink.counters();
  BOOST_TEST(c.written == n + 1u);
  BOOST_TEST(c.sent == n + 1u);
  BOOST_TEST(c.dropped == 0u);
}

BOOST_AUTO_TEST_CASE(unix_dgram_one_record_per_datagram) {
  TempDir d;
  UnixDgramListener l(d.str("d.sock"));
  SocketSink sink(fast_options("unix-dgram"), SocketKind::unix_dgram, d.str("d.sock"),
                  StreamFraming::newline);
  const int n = 500;
  for (int i = 0; i < n; ++i) sink.write("flow", plain_record(i));
  sink.write("alert", hostile_record(n));
  BOOST_REQUIRE(wait_until([&] { return l.count() >= n + 1; }, 10s));
  auto msgs = l.msgs();
  for (int i = 0; i < n; ++i) BOOST_REQUIRE_EQUAL(id_of(msgs[i]), i);
  BOOST_TEST(msgs[n] == hostile_record(n));  // byte for byte, no framing added
  sink.close(Clock::now() + 2s);
  BOOST_TEST(sink.counters().dropped == 0u);
}

BOOST_AUTO_TEST_CASE(unix_dgram_listener_appearing_late_gets_everything) {
  TempDir d;
  SocketSink sink(fast_options("unix-dgram"), SocketKind::unix_dgram, d.str("late.sock"),
                  StreamFraming::newline);
  for (int i = 0; i < 100; ++i) sink.write("flow", plain_record(i));
  std::this_thread::sleep_for(300ms);  // several failed connects
  UnixDgramListener l(d.str("late.sock"));
  BOOST_REQUIRE(wait_until([&] { return l.count() >= 100; }, 10s));
  auto msgs = l.msgs();
  for (int i = 0; i < 100; ++i) BOOST_REQUIRE_EQUAL(id_of(msgs[i]), i);
  sink.close(Clock::now() + 2s);
}

BOOST_AUTO_TEST_CASE(event_type_filter_per_sink) {
  TempDir d;
  UnixDgramListener alerts_l(d.str("a.sock"));
  UnixDgramListener some_l(d.str("b.sock"));
  auto oa = fast_options("alerts");
  oa.filter = EventFilter({"alerts"});
  auto ob = fast_options("some");
  ob.filter = EventFilter({"flow", "anomaly"});
  SocketSink a(oa, SocketKind::unix_dgram, d.str("a.sock"), StreamFraming::newline);
  SocketSink b(ob, SocketKind::unix_dgram, d.str("b.sock"), StreamFraming::newline);
  OutputHub hub;
  auto mem = std::make_unique<FilteredSink>("mem", EventFilter({"stats"}), MessageOptions{},
                                            std::make_unique<MemorySink>());
  // Hub-owned sinks: wrap the stack sinks by forwarding.
  struct Fwd : RecordSink {
    RecordSink* to;
    explicit Fwd(RecordSink* t) : to(t) {}
    void write(std::string_view e, std::string_view l) override { to->write(e, l); }
    void flush() override {}
    std::string name() const override { return to->name(); }
    SinkCounters counters() const override { return to->counters(); }
  };
  hub.add(std::make_unique<Fwd>(&a));
  hub.add(std::make_unique<Fwd>(&b));
  hub.add(std::move(mem));
  const char* types[] = {"flow", "alert", "anomaly", "stats", "fileinfo"};
  for (int i = 0; i < 50; ++i) hub.emit(types[i % 5], plain_record(i, types[i % 5]));
  BOOST_REQUIRE(wait_until([&] { return alerts_l.count() >= 10 && some_l.count() >= 20; }, 10s));
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(alerts_l.count() == 10u);
  BOOST_TEST(some_l.count() == 20u);
  for (const auto& m : alerts_l.msgs()) BOOST_TEST(json::parse(m)["event_type"] == "alert");
  for (const auto& m : some_l.msgs()) {
    auto et = json::parse(m)["event_type"].get<std::string>();
    BOOST_TEST((et == "flow" || et == "anomaly"));
  }
  auto stats = hub.sink_stats();
  BOOST_TEST(stats["alerts"]["written"] == 10);
  BOOST_TEST(stats["some"]["written"] == 20);
  BOOST_TEST(stats["mem"]["written"] == 10);
  BOOST_TEST(stats["mem"]["sent"] == 10);
  a.close(Clock::now() + 1s);
  b.close(Clock::now() + 1s);
}

BOOST_AUTO_TEST_CASE(peer_restart_loses_nothing_on_unix_stream) {
  TempDir d;
  auto l = std::make_unique<UnixStreamListener>(d.str("r.sock"));
  SocketSink sink(fast_options("unix-stream"), SocketKind::unix_stream, d.str("r.sock"),
                  StreamFraming::newline);
  std::set<int> seen;
  auto collect = [&] {
    for (const auto& line : l->lines()) seen.insert(id_of(line));
  };
  for (int i = 0; i < 300; ++i) sink.write("flow", plain_record(i));
  BOOST_REQUIRE(wait_until([&] { return l->count() >= 300; }, 10s));
  collect();
  l->stop();  // peer goes away
  for (int i = 300; i < 600; ++i) sink.write("flow", plain_record(i));
  std::this_thread::sleep_for(300ms);
  l = std::make_unique<UnixStreamListener>(d.str("r.sock"));  // and comes back
  for (int i = 600; i < 900; ++i) sink.write("flow", plain_record(i));
  BOOST_REQUIRE(wait_until(
      [&] {
        collect();
        return seen.size() >= 900;
      },
      15s));
  BOOST_TEST(seen.size() == 900u);
  sink.close(Clock::now() + 2s);
  auto c = sink.counters();
  BOOST_TEST(c.reconnects >= 1u);
  BOOST_TEST(c.dropped == 0u);
}

BOOST_AUTO_TEST_CASE(tiny_memory_bound_counts_every_drop) {
  TempDir d;
  auto o = fast_options("tiny");
  o.spool.memory_bytes = 3000;  // about ten records
  SocketSink sink(o, SocketKind::unix_dgram, d.str("t.sock"), StreamFraming::newline);
  const int n = 100;
  for (int i = 0; i < n; ++i) sink.write("flow", plain_record(i));  // nobody listens
  auto mid = sink.counters();
  BOOST_TEST(mid.dropped > 0u);
  BOOST_TEST(mid.spooled_bytes <= 3000u);
  UnixDgramListener l(d.str("t.sock"));
  BOOST_REQUIRE(wait_until([&] { return l.count() + sink.counters().dropped >= n; }, 10s));
  sink.close(Clock::now() + 2s);
  auto c = sink.counters();
  // Every record either arrived or was counted as dropped.
  BOOST_TEST(l.count() + c.dropped == static_cast<uint64_t>(n));
  BOOST_TEST(l.count() >= 5u);
  BOOST_TEST(c.written == static_cast<uint64_t>(n));
}

BOOST_AUTO_TEST_CASE(memory_overflow_goes_to_disk_and_keeps_order) {
  TempDir d;
  auto o = fast_options("overflow");
  o.spool.memory_bytes = 4000;
  o.spool.disk_path = d.str("overflow.spool");
  o.spool.disk_bytes = 10 << 20;
  SocketSink sink(o, SocketKind::unix_stream, d.str("o.sock"), StreamFraming::newline);
  const int n = 1000;
  for (int i = 0; i < n; ++i) sink.write("flow", plain_record(i));
  BOOST_TEST(sink.counters().disk_spooled > 900u);
  UnixStreamListener l(d.str("o.sock"));
  BOOST_REQUIRE(wait_until([&] { return l.count() >= n; }, 10s));
  auto lines = l.lines();
  for (int i = 0; i < n; ++i) BOOST_REQUIRE_EQUAL(id_of(lines[i]), i);
  sink.close(Clock::now() + 2s);
  BOOST_TEST(sink.counters().dropped == 0u);
  BOOST_TEST(sink.counters().disk_bytes == 16u);  // drained: header only
}

BOOST_AUTO_TEST_CASE(disk_spool_persisted_at_shutdown_is_replayed_at_next_start) {
  TempDir d;
  const std::string spool = d.str("siem.spool");
  const int n = 400;
  {
    auto o = fast_options("first-run");
    o.spool.disk_path = spool;
    SocketSink sink(o, SocketKind::unix_stream, d.str("p.sock"), StreamFraming::newline);
    for (int i = 0; i < n; ++i) sink.write("flow", plain_record(i));
    sink.write("alert", hostile_record(n));
    sink.close(Clock::now() + 300ms);  // peer down the whole time
    auto c = sink.counters();
    BOOST_TEST(c.sent == 0u);
    BOOST_TEST(c.dropped == 0u);
    BOOST_TEST(c.disk_spooled == n + 1u);
  }
  BOOST_TEST(std::filesystem::file_size(spool) > 16u);
  UnixStreamListener l(d.str("p.sock"));
  auto o = fast_options("second-run");
  o.spool.disk_path = spool;
  SocketSink sink(o, SocketKind::unix_stream, d.str("p.sock"), StreamFraming::newline);
  BOOST_TEST(sink.counters().replayed == n + 1u);
  sink.write("flow", plain_record(n + 1));  // new records queue behind the replay
  BOOST_REQUIRE(wait_until([&] { return l.count() >= n + 2; }, 10s));
  auto lines = l.lines();
  for (int i = 0; i < n; ++i) BOOST_REQUIRE_EQUAL(id_of(lines[i]), i);
  BOOST_TEST(json::parse(lines[n]) == json::parse(hostile_record(n)));
  BOOST_TEST(id_of(lines[n + 1]) == n + 1);
  sink.close(Clock::now() + 2s);
  BOOST_TEST(std::filesystem::file_size(spool) == 16u);
}

BOOST_AUTO_TEST_CASE(spool_without_disk_counts_shutdown_losses) {
  TempDir d;
  auto o = fast_options("nodisk");
  SocketSink sink(o, SocketKind::unix_stream, d.str("x.sock"), StreamFraming::newline);
  for (int i = 0; i < 20; ++i) sink.write("flow", plain_record(i));
  auto t0 = Clock::now();
  sink.close(Clock::now() + 200ms);
  BOOST_TEST((Clock::now() - t0 < 3s));  // the deadline holds with the peer down
  BOOST_TEST(sink.counters().dropped == 20u);
}

BOOST_AUTO_TEST_CASE(spool_file_is_locked_and_validated) {
  TempDir d;
  SpoolLimits lim;
  lim.disk_path = d.str("l.spool");
  Spool a(lim);
  BOOST_CHECK_THROW(Spool b(lim), std::runtime_error);
  {
    std::ofstream f(d.str("junk.spool"));
    f << "this is not a spool file at all";
  }
  lim.disk_path = d.str("junk.spool");
  BOOST_CHECK_THROW(Spool c(lim), std::runtime_error);
  lim.disk_path = "/nonexistent-dir/x.spool";
  try {
    Spool e(lim);
    BOOST_FAIL("no error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent-dir/x.spool") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(spool_cuts_a_torn_tail_and_keeps_whole_records) {
  TempDir d;
  SpoolLimits lim;
  lim.memory_bytes = 0;  // everything on disk
  lim.disk_path = d.str("torn.spool");
  {
    Spool s(lim);
    for (int i = 0; i < 10; ++i)
      BOOST_TEST((s.push("flow", plain_record(i)) == Spool::PushResult::disk));
  }
  // A crash in the middle of a write: half a record at the end.
  {
    std::ofstream f(lim.disk_path, std::ios::app | std::ios::binary);
    uint32_t len[2] = {4, 1000};
    f.write(reinterpret_cast<const char*>(len), 8);
    f << "flow{\"partial";
  }
  Spool s(lim);
  BOOST_TEST(s.replayed() == 10u);
  std::deque<SpoolRecord> out;
  while (s.take(out, 3, 1 << 20) > 0) {
  }
  BOOST_REQUIRE(out.size() == 10u);
  for (int i = 0; i < 10; ++i) BOOST_TEST(id_of(out[i].line) == i);
}

BOOST_AUTO_TEST_CASE(concurrent_writers_never_block_on_a_dead_peer) {
  TempDir d;
  auto o = fast_options("concurrent");
  o.spool.memory_bytes = 1 << 20;
  SocketSink sink(o, SocketKind::unix_stream, d.str("dead.sock"), StreamFraming::newline);
  OutputHub hub;
  struct Fwd : RecordSink {
    RecordSink* to;
    explicit Fwd(RecordSink* t) : to(t) {}
    void write(std::string_view e, std::string_view l) override { to->write(e, l); }
    void flush() override {}
  };
  hub.add(std::make_unique<Fwd>(&sink));
  const std::string rec = plain_record(1);
  auto t0 = Clock::now();
  std::vector<std::thread> th;
  for (int t = 0; t < 4; ++t)
    th.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) hub.emit("flow", rec);
    });
  for (auto& t : th) t.join();
  auto took = Clock::now() - t0;
  BOOST_TEST((took < 5s));
  auto c = sink.counters();
  BOOST_TEST(c.written == 80000u);
  BOOST_TEST(c.dropped > 0u);  // 1 MiB holds ~3000 records
  BOOST_TEST(c.spooled_bytes <= (1u << 20));
  sink.close(Clock::now() + 100ms);
  BOOST_TEST(sink.counters().dropped == 80000u);
}

BOOST_AUTO_TEST_SUITE_END()

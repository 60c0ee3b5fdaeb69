// Signature reload in the real binary while it reads a capture: wormwatch reads
// a generated outbreak capture from a fifo that this test feeds. Part way, a
// hash signature for a clean attachment that comes later is added to a copy of
// the signature directory and wormwatch gets SIGHUP; the test feeds on only once
// wormwatch says the new signatures are in. That attachment must then be
// detected, and nothing may be lost: the packets, the fileinfo records (by
// sha256) and the scan counters equal a run on the plain file without reload.

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/unit/scan/scan_test_util.h"

using namespace ww::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kWormwatch = std::string(WW_BINARY_DIR) + "/sensor/wormwatch";
const std::string kWwgen = std::string(WW_BINARY_DIR) + "/tools/gen/wwgen";

// Runs argv with stdout and stderr to `log`; returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run(const std::vector<std::string>& argv, const std::string& log) {
  return wait_exit(spawn(argv, log));
}

std::vector<json> read_eve(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

struct Packet {
  int64_t ts_us;
  size_t offset, length;  // of the whole record (header + data) in the file
};

// The records of a classic pcap file (microsecond, little-endian, as wwgen writes).
std::vector<Packet> pcap_records(const std::string& data) {
  std::vector<Packet> out;
  size_t off = 24;
  while (off + 16 <= data.size()) {
    uint32_t h[4];
    std::memcpy(h, data.data() + off, sizeof h);
    out.push_back({int64_t{h[0]} * 1000000 + h[1], off, 16 + size_t{h[2]}});
    off += 16 + h[2];
  }
  return out;
}

// "2004-01-27T08:00:01.316077+0000" -> microseconds since the epoch (UTC).
int64_t eve_time_us(const std::string& s) {
  std::tm tm{};
  ::strptime(s.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  return int64_t{::timegm(&tm)} * 1000000 + std::stoll(s.substr(20, 6));
}

std::vector<std::string> wormwatch_args(const std::string& read, const std::string& log_dir,
                                        const std::string& sig_dir) {
  return {kWormwatch,
          "-r",
          read,
          "--workers",
          "1",
          "-l",
          log_dir,
          "--set",
          "scan.signature_dirs=" + sig_dir,
          "--set",
          "scan.optional_dirs=/nonexistent-wormwatch-test",
          "--set",
          "scan.watch_dirs=false",  // SIGHUP is the trigger under test, not inotify
          "--set",
          "scan.on_full=wait",  // nothing skipped: the two runs must scan the same files
          "--set",
          "hosts.enabled=false"};
}

const json& last_stats(const std::vector<json>& eve) {
  static const json none;
  const json* last = &none;
  for (const json& r : eve)
    if (r.value("event_type", "") == "stats") last = &r;
  return *last;
}

std::multiset<std::string> file_hashes(const std::vector<json>& eve) {
  std::multiset<std::string> out;
  for (const json& r : eve)
    if (r.value("event_type", "") == "fileinfo") out.insert(r["fileinfo"].value("sha256", ""));
  return out;
}

bool file_contains(const std::string& path, const std::string& needle) {
  return read_file(path).find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scan_reload_binary)

BOOST_AUTO_TEST_CASE(sighup_during_a_capture_adds_a_signature_and_loses_nothing) {
  BOOST_TEST_REQUIRE(fs::exists(kWormwatch), kWormwatch << " not built");
  BOOST_TEST_REQUIRE(fs::exists(kWwgen), kWwgen << " not built");
  TempDir tmp;
  const std::string cap = tmp.file("outbreak.pcap");
  BOOST_TEST_REQUIRE(run({kWwgen, "outbreak", "--seed", "1", "--messages", "300",
                          "--max-background-bytes", "65536", "--out", cap},
                         tmp.file("gen.log")) == 0,
                     read_file(tmp.file("gen.log")));
  const std::string sigs = tmp.file("sigs");
  fs::create_directory(sigs);
  for (const auto& e : fs::directory_iterator(signatures_dir()))
    fs::copy_file(e.path(), sigs + "/" + e.path().filename().string());

  // Baseline: the plain file, the shipped signatures.
  const std::string base_dir = tmp.file("base");
  fs::create_directory(base_dir);
  BOOST_TEST_REQUIRE(run(wormwatch_args(cap, base_dir, sigs), tmp.file("base.log")) == 0,
                     read_file(tmp.file("base.log")));
  const std::vector<json> base = read_eve(base_dir + "/eve.json");

  // Split the capture at 40 % of its packets; the target is a clean attachment
  // sent once, in a flow that starts after 60 % (packets in between are fed
  // while the reload is pending: the worker sees the request between bursts).
  const std::string pcap = read_file(cap);
  const std::vector<Packet> pkts = pcap_records(pcap);
  BOOST_TEST_REQUIRE(pkts.size() > 1000u);
  const size_t split = pkts.size() * 4 / 10;
  std::map<uint64_t, int64_t> flow_start;
  std::map<std::string, int> copies;
  for (const json& r : base) {
    if (r.value("event_type", "") == "flow")
      flow_start[r.value("flow_id", uint64_t{0})] = eve_time_us(r["flow"].value("start", ""));
    if (r.value("event_type", "") == "fileinfo") ++copies[r["fileinfo"].value("sha256", "")];
  }
  const json* target = nullptr;
  for (const json& r : base) {
    if (r.value("event_type", "") != "fileinfo") continue;
    const json& fi = r["fileinfo"];
    const auto fs_it = flow_start.find(r.value("flow_id", uint64_t{0}));
    if (fi.contains("scan") && fi["scan"].value("status", "") == "clean" &&
        copies[fi.value("sha256", "")] == 1 && fs_it != flow_start.end() &&
        fs_it->second > pkts[pkts.size() * 6 / 10].ts_us) {
      target = &r;
      break;
    }
  }
  BOOST_TEST_REQUIRE(target != nullptr, "no clean attachment sent once after the split");
  const std::string target_sha = (*target)["fileinfo"].value("sha256", "");
  const int64_t target_flow_start = flow_start[target->value("flow_id", uint64_t{0})];
  const std::string hdb_line = (*target)["fileinfo"].value("md5", "") + ":" +
                               std::to_string((*target)["fileinfo"].value("size", 0)) +
                               ":Wormwatch.Test.ReloadTarget\n";

  // The run with a reload: wormwatch reads a fifo.
  const std::string fifo = tmp.file("capture.fifo");
  BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string run_dir = tmp.file("reload");
  fs::create_directory(run_dir);
  const std::string log = tmp.file("reload.log");
  const pid_t pid = spawn(wormwatch_args(fifo, run_dir, sigs), log);
  ::signal(SIGPIPE, SIG_IGN);
  const int fd = ::open(fifo.c_str(), O_WRONLY);  // returns once wormwatch opened it
  BOOST_TEST_REQUIRE(fd >= 0);
  auto feed = [&](size_t from, size_t to) {  // packets [from, to); the header with the first
    size_t a = from == 0 ? 0 : pkts[from].offset;
    const size_t b = to < pkts.size() ? pkts[to].offset : pcap.size();
    while (a < b) {
      const ssize_t w = ::write(fd, pcap.data() + a, b - a);
      if (w <= 0) return false;
      a += static_cast<size_t>(w);
    }
    return true;
  };
  // Once this write returns, wormwatch is reading packets (the pipe holds only
  // 64 KiB), so it is past installing its SIGHUP handler.
  BOOST_TEST_REQUIRE(feed(0, split));
  write_file_atomically(sigs, "reload.hdb", hdb_line);
  BOOST_TEST_REQUIRE(::kill(pid, SIGHUP) == 0);
  // The worker notices the request between bursts (a burst waits for up to
  // engine.batch_packets packets): feed packets from before the target's flow,
  // a few at a time, until the reload is logged.
  size_t next = split;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool reloaded = false;
  while (!(reloaded = file_contains(log, "signatures reloaded")) &&
         std::chrono::steady_clock::now() < deadline) {
    size_t upto = next;
    while (upto < pkts.size() && upto < next + 16 && pkts[upto].ts_us < target_flow_start) ++upto;
    BOOST_TEST_REQUIRE(feed(next, upto));
    next = upto;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  BOOST_TEST_REQUIRE(reloaded, "no reload logged after feeding " << next << " of " << pkts.size()
                                                                 << " packets: " << read_file(log));
  BOOST_TEST_REQUIRE(feed(next, pkts.size()));
  ::close(fd);
  const int rc = wait_exit(pid);
  BOOST_TEST_REQUIRE(rc == 0, read_file(log));

  const std::vector<json> got = read_eve(run_dir + "/eve.json");
  // The target, sent after the reload, is detected by the new signature.
  const json* hit = nullptr;
  for (const json& r : got)
    if (r.value("event_type", "") == "fileinfo" && r["fileinfo"].value("sha256", "") == target_sha)
      hit = &r;
  BOOST_TEST_REQUIRE(hit != nullptr);
  const json& scan = (*hit)["fileinfo"]["scan"];
  BOOST_TEST(scan.value("status", "") == "infected");
  BOOST_TEST(scan.value("signature", "").starts_with("Wormwatch.Test.ReloadTarget"));
  BOOST_TEST(scan.value("engine", 0) == 2);
  // Nothing lost: packets, files and scans as without the reload.
  const json& sb = last_stats(base);
  const json& sg = last_stats(got);
  BOOST_TEST_REQUIRE(sg.contains("stats"));
  BOOST_TEST(sg["stats"]["capture"]["packets"] == sb["stats"]["capture"]["packets"]);
  BOOST_TEST(sg["stats"]["capture"]["packets"] == pkts.size());
  BOOST_TEST(sg["stats"]["scan"]["submitted"] == sb["stats"]["scan"]["submitted"]);
  BOOST_TEST(sg["stats"]["scan"]["skipped_queue_full"] == 0);
  BOOST_TEST(sg["stats"]["scan"]["reloads_ok"] == 1);
  BOOST_TEST(sg["stats"]["scan"]["infected"].get<uint64_t>() >=
             sb["stats"]["scan"]["infected"].get<uint64_t>() + 1);
  BOOST_TEST((file_hashes(got) == file_hashes(base)));
}

BOOST_AUTO_TEST_SUITE_END()

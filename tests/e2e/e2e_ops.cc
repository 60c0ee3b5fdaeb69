// Live operation: one clear message (and exit status 1) for a missing interface, a link that is
// down and missing permission; privilege drop with --user/--group; periodic stats on wall time
// and per-interval kernel drop deltas; --test-config. See NOTES.md.

#include <grp.h>
#include <pwd.h>

#include "tests/e2e/e2e_support.h"

using namespace e2e;

namespace {

// Error lines ("wormwatch: error: ...") in a process's stderr.
std::vector<std::string> error_lines(const std::string& err) {
  std::vector<std::string> out;
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line))
    if (line.find("error") != std::string::npos) out.push_back(line);
  return out;
}

// wormwatch must exit 1 within 15 s with exactly one error line containing `needle`.
void require_one_error(Proc& p, const std::string& needle) {
  auto st = p.wait_for(15s);
  BOOST_REQUIRE_MESSAGE(st.has_value(), "wormwatch kept running: " + p.report());
  BOOST_CHECK_MESSAGE(exit_code(p) == 1, "expected exit status 1: " + p.report());
  auto lines = error_lines(p.err());
  BOOST_CHECK_MESSAGE(lines.size() == 1, "expected one error line: " + p.report());
  BOOST_CHECK_MESSAGE(p.err().find(needle) != std::string::npos,
                      "expected '" + needle + "' in: " + p.report());
}

struct Ids {
  uid_t uid;
  gid_t gid;
};
Ids nobody_ids() {
  struct passwd* pw = ::getpwnam("nobody");
  struct group* gr = ::getgrnam("nogroup");
  BOOST_REQUIRE_MESSAGE(pw && gr, "user nobody / group nogroup missing on this machine");
  return {pw->pw_uid, gr->gr_gid};
}

// "Uid:" / "Gid:" / "CapEff:" ... lines of /proc/PID/status.
std::string proc_status_field(pid_t pid, const std::string& key) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return line.substr(key.size() + 1);
  return "";
}

std::vector<Json> stats_records(const Eve& e) { return of_type(e.records, "stats"); }

}  // namespace

BOOST_AUTO_TEST_SUITE(e2e_live)

BOOST_AUTO_TEST_CASE(error_missing_interface) {
  Env env("error_missing_interface");
  auto ww = env.sensor_args("wormwatch", {"-i", "nosuch0", "-l", (env.out / "log").string()});
  require_one_error(*ww, "interface nosuch0 not found");
  BOOST_CHECK(!fs::exists(env.eve_path()));
}

BOOST_AUTO_TEST_CASE(error_link_down) {
  Env env("error_link_down");
  auto down = env.run(env.ns_a, "link-down", {kIp, "link", "set", kIfA, "down"});
  BOOST_REQUIRE_EQUAL(exit_code(*down), 0);
  auto ww = env.sensor_args("wormwatch", {"-i", kIfA, "-l", (env.out / "log").string()});
  require_one_error(*ww, fmt::format("interface {} is down; bring it up with 'ip link set {} up'",
                                     kIfA, kIfA));
}

// Without CAP_NET_RAW (setpriv to nobody, every capability cleared) libpcap cannot open the
// packet socket.
BOOST_AUTO_TEST_CASE(error_no_permission) {
  Env env("error_no_permission");
  auto ww = env.exec_in(env.ns_a, "wormwatch",
                        {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                         "--inh-caps=-all", "--", kBinary, "-i", kIfA, "-l",
                         (env.out / "log").string()});
  require_one_error(*ww, fmt::format("no permission to capture on {}", kIfA));
  BOOST_CHECK_MESSAGE(ww->err().find("CAP_NET_RAW") != std::string::npos,
                      "the message should name the capability: " + ww->report());
}

// --user nobody --group nogroup: capture opened as root, then every id is nobody's and no
// capability is left; the capture still works, SIGHUP reopens eve.json as nobody, and the
// kernel counters are still read.
BOOST_AUTO_TEST_CASE(privilege_drop_user) {
  Env env("privilege_drop_user");
  const Ids ids = nobody_ids();
  BOOST_REQUIRE(::chown((env.out / "log").c_str(), ids.uid, ids.gid) == 0);
  auto ww = env.sensor_args("wormwatch", {"-i", kIfA, "-l", (env.out / "log").string(),
                                          "--workers", "1", "--user", "nobody", "--group",
                                          "nogroup"});
  BOOST_REQUIRE_MESSAGE(ww->running(), "wormwatch did not start: " + ww->report());
  BOOST_CHECK_MESSAGE(ww->err().find("running as user nobody group nogroup") != std::string::npos,
                      ww->report());
  const std::string want_uid = fmt::format("{0}\t{0}\t{0}\t{0}", ids.uid);
  const std::string want_gid = fmt::format("{0}\t{0}\t{0}\t{0}", ids.gid);
  BOOST_CHECK_EQUAL(proc_status_field(ww->pid(), "Uid"), "\t" + want_uid);
  BOOST_CHECK_EQUAL(proc_status_field(ww->pid(), "Gid"), "\t" + want_gid);
  BOOST_CHECK_EQUAL(proc_status_field(ww->pid(), "Groups"), fmt::format("\t{} ", ids.gid));
  for (const char* cap : {"CapEff", "CapPrm", "CapAmb"})
    BOOST_CHECK_EQUAL(proc_status_field(ww->pid(), cap), "\t0000000000000000");
  BOOST_CHECK_EQUAL(proc_status_field(ww->pid(), "NoNewPrivs"), "\t1");

  auto srv = env.server("tcp4-server", {"tcp-server", kV4B, "5001", "1", "1000"});
  auto cli = env.peer(env.ns_a, "tcp4-client", {"tcp-client", kV4B, "5001", "5000", "1000"});
  require_clean_exit(*cli, 20s);
  require_clean_exit(*srv, 20s);

  // Log rotation: move eve.json away, SIGHUP; the new file is created by the dropped process.
  std::this_thread::sleep_for(300ms);
  fs::rename(env.eve_path(), env.out / "log" / "eve.json.1");
  ww->signal(SIGHUP);
  const bool reopened = wait_until([&] { return fs::exists(env.eve_path()); }, 5s);
  BOOST_CHECK_MESSAGE(reopened, "eve.json not reopened after SIGHUP: " + ww->report());
  stop_sensor(*ww, SIGTERM);

  struct stat st {};
  BOOST_REQUIRE(::stat(env.eve_path().c_str(), &st) == 0);
  BOOST_CHECK_EQUAL(st.st_uid, ids.uid);
  Eve eve = read_eve(env.eve_path());
  const Json& cap = require_final_stats(eve).at("stats").at("capture");
  BOOST_CHECK_GT(cap.at("kernel_packets").get<uint64_t>(), 0u);
  BOOST_CHECK_EQUAL(cap.at("packets").get<uint64_t>(), cap.at("kernel_packets").get<uint64_t>());
  // The flow record is in one of the two files (eve.json.1 may be empty: records before the
  // rotation may still have been in the buffer that the reopen flushed into it, or none yet).
  const std::string before = slurp(env.out / "log" / "eve.json.1");
  size_t flows_before = 0;
  for (size_t p = before.find("\"event_type\":\"flow\""); p != std::string::npos;
       p = before.find("\"event_type\":\"flow\"", p + 1))
    ++flows_before;
  BOOST_CHECK_EQUAL(flows_before + eve.flows.size(), 1u);
}

// A log directory the --user cannot write is refused before any record (and names the fix).
BOOST_AUTO_TEST_CASE(privilege_drop_unwritable_log_dir) {
  Env env("privilege_drop_unwritable_log_dir");
  BOOST_REQUIRE(::chmod((env.out / "log").c_str(), 0755) == 0);  // root's, not nobody's
  auto ww = env.sensor_args("wormwatch", {"-i", kIfA, "-l", (env.out / "log").string(),
                                          "--user", "nobody"});
  require_one_error(*ww, "is not writable by user nobody");
  BOOST_CHECK(!fs::exists(env.eve_path()));
  auto bad = env.sensor_args("wormwatch-bad-user", {"-i", kIfA, "--user", "no-such-user-ww"});
  require_one_error(*bad, "user 'no-such-user-ww' (--user) does not exist");
}

// stats.interval=1 on an idle link: stats records keep coming on wall time. Then, with a 1 MiB
// ring and the sensor stopped (SIGSTOP) while 20 000 datagrams arrive, the kernel drops; the
// drops appear as kernel_drops_delta in an interval record, and the deltas add up to the total.
BOOST_AUTO_TEST_CASE(stats_idle_and_drop_deltas) {
  Env env("stats_idle_and_drop_deltas");
  auto ww = env.sensor({"--set", "stats.interval=1", "--set", "capture.buffer_size_mib=1"});
  BOOST_CHECK_MESSAGE(ww->err().find("buffer 1 MiB") != std::string::npos,
                      "the buffer size is not reported: " + ww->report());
  std::this_thread::sleep_for(3500ms);
  size_t idle_stats = 0;
  {
    std::istringstream in(slurp(env.eve_path()));
    std::string line;
    while (std::getline(in, line)) idle_stats += line.find("\"event_type\":\"stats\"") != std::string::npos;
  }
  BOOST_CHECK_MESSAGE(idle_stats >= 2, fmt::format("{} stats records in 3.5 s idle", idle_stats));

  ww->signal(SIGSTOP);
  auto blast = env.peer(env.ns_a, "udp-blast", {"udp-blast", kV4B, "41999", "20000", "1200"});
  require_clean_exit(*blast, 30s);
  ww->signal(SIGCONT);
  std::this_thread::sleep_for(2500ms);
  stop_sensor(*ww, SIGTERM);

  Eve eve = read_eve(env.eve_path());
  const Json& final_cap = require_final_stats(eve).at("stats").at("capture");
  const uint64_t drops = final_cap.at("kernel_drops").get<uint64_t>();
  BOOST_CHECK_MESSAGE(drops > 0, "no kernel drops with a 1 MiB ring: " + final_cap.dump());
  uint64_t sum_drops = 0, sum_pkts = 0;
  bool interval_saw_drops = false;
  auto all = stats_records(eve);
  for (size_t i = 0; i < all.size(); ++i) {
    const Json& c = all[i].at("stats").at("capture");
    BOOST_REQUIRE_MESSAGE(c.contains("kernel_drops_delta") && c.contains("kernel_packets_delta"),
                          "no delta in a live stats record: " + c.dump());
    sum_drops += c.at("kernel_drops_delta").get<uint64_t>();
    sum_pkts += c.at("kernel_packets_delta").get<uint64_t>();
    if (i + 1 < all.size() && c.at("kernel_drops_delta").get<uint64_t>() > 0)
      interval_saw_drops = true;
  }
  BOOST_CHECK_EQUAL(sum_drops, drops);
  BOOST_CHECK_EQUAL(sum_pkts, final_cap.at("kernel_packets").get<uint64_t>());
  BOOST_CHECK_MESSAGE(interval_saw_drops, "no periodic stats record reported the drops");
}

// --test-config: 0 and "configuration OK" with the signatures loaded; 1 and one
// "configuration error" line naming the problem; nothing captured, nothing written.
BOOST_AUTO_TEST_CASE(test_config_exit_status) {
  fs::path out = kOutRoot / "test_config_exit_status";
  std::error_code ec;
  fs::remove_all(out, ec);
  fs::create_directories(out / "log");
  auto run = [&](const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> argv = {kBinary, "--test-config"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = std::make_unique<Proc>(name, std::move(argv), out / (name + ".out"),
                                    out / (name + ".err"));
    BOOST_REQUIRE_MESSAGE(p->wait_for(60s).has_value(), p->report());
    return p;
  };
  const std::string sample = std::string(WW_SOURCE_DIR) + "/docs/wormwatch-span.yaml";
  auto ok = run("ok", {"-c", sample, "--set", "outputs.log_dir=" + (out / "log").string()});
  BOOST_CHECK_MESSAGE(exit_code(*ok) == 0 && ok->out().rfind("configuration OK: ", 0) == 0,
                      ok->report());
  BOOST_CHECK_MESSAGE(ok->out().find("signatures") != std::string::npos,
                      "signatures not loaded: " + ok->report());
  auto bad_sigs = run("bad-sigs", {"-c", sample, "--set",
                                   "outputs.log_dir=" + (out / "log").string(), "--set",
                                   "scan.signature_dirs=/nonexistent-ww-sigs"});
  BOOST_CHECK_MESSAGE(exit_code(*bad_sigs) == 1 &&
                          bad_sigs->out().rfind("configuration error: ", 0) == 0 &&
                          bad_sigs->out().find("/nonexistent-ww-sigs") != std::string::npos,
                      bad_sigs->report());
  auto bad_key = run("bad-key", {"--set", "capture.snaplen=1"});
  BOOST_CHECK_MESSAGE(exit_code(*bad_key) == 1 &&
                          bad_key->out().find("capture.snaplen") != std::string::npos,
                      bad_key->report());
  auto no_dir = run("no-log-dir", {"-c", sample, "--set", "outputs.log_dir=/nonexistent-ww-log"});
  BOOST_CHECK_MESSAGE(exit_code(*no_dir) == 1 &&
                          no_dir->out().find("/nonexistent-ww-log") != std::string::npos,
                      no_dir->report());
  BOOST_CHECK(fs::is_empty(out / "log"));
}

BOOST_AUTO_TEST_SUITE_END()

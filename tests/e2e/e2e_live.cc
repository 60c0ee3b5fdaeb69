// Live-capture end-to-end tests: wormwatch captures with libpcap on a veth link between two
// network namespaces while real TCP/UDP peers (tests/e2e/peer.py) talk across it; the EVE
// output it writes on SIGTERM/SIGINT is checked record by record. See NOTES.md.
//
// Needs root (CAP_NET_ADMIN to create namespaces, CAP_NET_RAW to capture). Without it every case
// FAILS with a message saying so; it never skips.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// The sensor under test: the build's wormwatch, or WW_E2E_BINARY from the environment (to run
// these tests against another build or an installed binary).
std::string sensor_binary() {
  const char* e = std::getenv("WW_E2E_BINARY");
  return e && *e ? e : WW_BINARY;
}
const std::string kBinary = sensor_binary();
const fs::path kE2eDir = WW_E2E_DIR;
const fs::path kOutRoot = WW_E2E_OUT;
constexpr const char* kPython = "/usr/bin/python3";  // Debian's interpreter, not a user shim

// Addresses and names fixed by netns.sh.
constexpr const char* kIfA = "vethA";
constexpr const char* kV4A = "198.18.0.1";
constexpr const char* kV4B = "198.18.0.2";
constexpr const char* kV6A = "fd00:77::1";
constexpr const char* kV6B = "fd00:77::2";

// ---------------------------------------------------------------------------------------------
// small helpers

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tail(const std::string& s, size_t n = 2000) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

// Poll pred every 20 ms until it holds or the timeout passes. Never waits unbounded.
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::string find_ip_tool() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (::access(p, X_OK) == 0) return p;
  return "ip";
}
const std::string kIp = find_ip_tool();

std::string find_tcpdump() {
  for (const char* p : {"/usr/bin/tcpdump", "/usr/sbin/tcpdump", "/sbin/tcpdump"})
    if (::access(p, X_OK) == 0) return p;
  return "tcpdump";
}

std::string describe_status(int st) {
  if (WIFEXITED(st)) return fmt::format("exit status {}", WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return fmt::format("killed by signal {} ({})", WTERMSIG(st),
                                          strsignal(WTERMSIG(st)));
  return fmt::format("wait status {:#x}", st);
}

// Does this process hold the capabilities the tests need? (bit 12 CAP_NET_ADMIN, 13 CAP_NET_RAW)
bool have_net_caps(std::string& why) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      uint64_t caps = std::stoull(line.substr(7), nullptr, 16);
      bool admin = caps & (1ull << 12), raw = caps & (1ull << 13);
      if (admin && raw) return true;
      why = fmt::format("effective capabilities {:#x} lack{}{}", caps,
                        admin ? "" : " CAP_NET_ADMIN", raw ? "" : " CAP_NET_RAW");
      return false;
    }
  }
  why = "cannot read CapEff from /proc/self/status";
  return false;
}

// ---------------------------------------------------------------------------------------------
// A child process with stdout/stderr in files. The destructor kills (SIGKILL) and reaps it if it
// is still running, so an assertion that aborts a test case never leaves a process behind; the
// child also gets SIGKILL if the test process itself dies (PR_SET_PDEATHSIG).

class Proc {
 public:
  Proc(std::string name, std::vector<std::string> argv, fs::path out, fs::path err)
      : name_(std::move(name)), out_(std::move(out)), err_(std::move(err)) {
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const std::string out_s = out_.string(), err_s = err_.string();
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(fmt::format("fork for {}: {}", name_, strerror(errno)));
    if (pid_ == 0) {
      // Child: async-signal-safe calls only.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      int in = ::open("/dev/null", O_RDONLY);
      int o = ::open(out_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = ::open(err_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || o < 0 || e < 0) ::_exit(125);
      ::dup2(in, 0);
      ::dup2(o, 1);
      ::dup2(e, 2);
      // Default signal dispositions and mask for the child (SIGINT must reach wormwatch).
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      ::execvp(cargv[0], cargv.data());
      ::_exit(127);
    }
  }
  Proc(const Proc&) = delete;
  Proc& operator=(const Proc&) = delete;
  ~Proc() { kill_hard(); }

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

  bool running() {
    if (status_) return false;
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = st;
      return false;
    }
    return r == 0;
  }

  // The wait status once the process has exited, or nullopt if it is still running at timeout.
  std::optional<int> wait_for(std::chrono::milliseconds timeout) {
    wait_until([&] { return !running(); }, timeout);
    return status_;
  }

  void signal(int sig) {
    if (running()) ::kill(pid_, sig);
  }

  void kill_hard() {
    if (pid_ > 0 && running()) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      if (::waitpid(pid_, &st, 0) == pid_) status_ = st;
    }
  }

  // Human-readable account for assertion messages.
  std::string report() {
    std::string s = running() ? "still running" : describe_status(*status_);
    return fmt::format("{} ({}); stdout: [{}] stderr: [{}]", name_, s, tail(out()), tail(err()));
  }

 private:
  std::string name_;
  fs::path out_, err_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Require that p exits with status 0 within timeout.
void require_clean_exit(Proc& p, std::chrono::milliseconds timeout) {
  auto st = p.wait_for(timeout);
  BOOST_REQUIRE_MESSAGE(st.has_value(), fmt::format("{} did not exit within {} ms: {}", p.name(),
                                                    timeout.count(), p.report()));
  BOOST_REQUIRE_MESSAGE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0,
                        fmt::format("{} failed: {}", p.name(), p.report()));
}

// ---------------------------------------------------------------------------------------------
// Per-test-case environment: output directory and the two namespaces. Declared first in each
// test case so it is destroyed last, after every Proc: its destructor runs `netns.sh down`.

std::atomic<int> g_case_seq{0};

class Env {
 public:
  explicit Env(const std::string& case_name) {
    std::string why;
    const bool caps_ok = have_net_caps(why);
    BOOST_REQUIRE_MESSAGE(
        caps_ok,
        fmt::format("e2e_live must run as root: it creates network namespaces and captures live "
                    "({}; uid {}). Run it as root, e.g. `sudo ctest -L e2e` in the build "
                    "directory; CI runs it as root. This is a failure, not a skip.",
                    why, ::getuid()));
    out = kOutRoot / case_name;
    std::error_code ec;
    fs::remove_all(out, ec);
    fs::create_directories(out / "log");
    prefix = fmt::format("wwe2e-{}-{}", ::getpid(), ++g_case_seq);
    ns_a = prefix + "-a";
    ns_b = prefix + "-b";
    // Sweep namespaces left by crashed runs (their pid is gone), then create ours.
    script({"gc"}, "gc");
    auto [ok, msg] = script({"up", prefix}, "up");
    if (!ok) script({"down", prefix}, "down");  // the destructor does not run if we throw here
    BOOST_REQUIRE_MESSAGE(ok, "netns.sh up " + prefix + " failed: " + msg);
    up_ = true;
  }
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  ~Env() {
    if (!up_) return;
    auto [ok, msg] = script({"down", prefix}, "down");
    if (!ok) BOOST_TEST_MESSAGE("warning: netns.sh down " + prefix + " failed: " + msg);
  }

  // Run `ip netns exec NS argv...`
  std::unique_ptr<Proc> exec_in(const std::string& ns, const std::string& name,
                                std::vector<std::string> argv) {
    std::vector<std::string> full = {kIp, "netns", "exec", ns};
    full.insert(full.end(), argv.begin(), argv.end());
    return std::make_unique<Proc>(name, std::move(full), out / (name + ".out"),
                                  out / (name + ".err"));
  }

  std::unique_ptr<Proc> peer(const std::string& ns, const std::string& name,
                             std::vector<std::string> args) {
    std::vector<std::string> argv = {kPython, "-I", (kE2eDir / "peer.py").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return exec_in(ns, name, std::move(argv));
  }

  // A server peer in namespace B, returned once it has bound its socket.
  std::unique_ptr<Proc> server(const std::string& name, std::vector<std::string> args) {
    auto p = peer(ns_b, name, std::move(args));
    bool ok = wait_until([&] { return p->out().find("listening") != std::string::npos ||
                                      !p->running(); },
                         10s);
    BOOST_REQUIRE_MESSAGE(ok && p->running(), "server did not start: " + p->report());
    return p;
  }

  // wormwatch capturing on vethA in namespace A, returned once it logs "capturing on vethA".
  std::unique_ptr<Proc> sensor(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {kBinary, "-i", kIfA, "-l", (out / "log").string(),
                                     "--workers", "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = exec_in(ns_a, "wormwatch", std::move(argv));
    const std::string ready = fmt::format("capturing on {}", kIfA);
    bool ok = wait_until(
        [&] { return p->err().find(ready) != std::string::npos || !p->running(); }, 15s);
    BOOST_REQUIRE_MESSAGE(ok && p->running(),
                          "wormwatch did not report '" + ready + "': " + p->report());
    return p;
  }

  fs::path eve_path() const { return out / "log" / "eve.json"; }

  fs::path out;
  std::string prefix, ns_a, ns_b;

 private:
  std::pair<bool, std::string> script(std::vector<std::string> args, const std::string& tag) {
    std::vector<std::string> argv = {"/bin/sh", (kE2eDir / "netns.sh").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    Proc p("netns.sh " + tag, std::move(argv), out / ("netns-" + tag + ".out"),
           out / ("netns-" + tag + ".err"));
    auto st = p.wait_for(30s);
    if (!st) return {false, "timed out: " + p.report()};
    if (!WIFEXITED(*st) || WEXITSTATUS(*st) != 0) return {false, p.report()};
    return {true, ""};
  }
  bool up_ = false;
};

// Stop wormwatch with sig and require a clean exit (status 0) within 20 s.
void stop_sensor(Proc& ww, int sig) {
  ww.signal(sig);
  require_clean_exit(ww, 20s);
}

// Parse "... port N" from a peer's output.
int peer_port(Proc& p) {
  std::string o = p.out();
  auto pos = o.rfind("port ");
  BOOST_REQUIRE_MESSAGE(pos != std::string::npos, "no port in peer output: " + p.report());
  return std::stoi(o.substr(pos + 5));
}

// ---------------------------------------------------------------------------------------------
// EVE output

struct Eve {
  std::vector<Json> records;
  std::vector<Json> flows;
};

Eve read_eve(const fs::path& path) {
  Eve e;
  BOOST_REQUIRE_MESSAGE(fs::exists(path), "no EVE output at " + path.string());
  std::string all = slurp(path);
  BOOST_REQUIRE_MESSAGE(!all.empty(), "EVE output is empty: " + path.string());
  BOOST_CHECK_MESSAGE(all.back() == '\n', "EVE output does not end with a newline (cut short)");
  std::istringstream in(all);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    try {
      Json j = Json::parse(line);
      BOOST_CHECK_MESSAGE(j.is_object() && j.contains("event_type"),
                          fmt::format("line {} is not an EVE record: {}", n, line));
      if (j.value("event_type", "") == "flow") e.flows.push_back(j);
      e.records.push_back(std::move(j));
    } catch (const Json::exception& ex) {
      BOOST_ERROR(fmt::format("line {} of {} is not valid JSON ({}): {}", n, path.string(),
                              ex.what(), line));
    }
  }
  BOOST_TEST_MESSAGE(fmt::format("{}: {} records, {} flow", path.string(), e.records.size(),
                                 e.flows.size()));
  return e;
}

// The flow records matching src/dest address and destination port (and source port if > 0).
std::vector<Json> find_flows(const Eve& e, const std::string& proto, const std::string& src,
                             const std::string& dst, int dport, int sport = 0) {
  std::vector<Json> r;
  for (const auto& f : e.flows) {
    if (f.value("proto", "") == proto && f.value("src_ip", "") == src &&
        f.value("dest_ip", "") == dst && f.value("dest_port", -1) == dport &&
        (sport <= 0 || f.value("src_port", -1) == sport))
      r.push_back(f);
  }
  return r;
}

std::string flow_list(const Eve& e) {
  std::string s;
  for (const auto& f : e.flows)
    s += fmt::format("\n  {} {}:{} -> {}:{} reason={}", f.value("proto", "?"),
                     f.value("src_ip", "?"), f.value("src_port", 0), f.value("dest_ip", "?"),
                     f.value("dest_port", 0), f.at("flow").value("reason", "?"));
  return s.empty() ? " (none)" : s;
}

// The last line must be the final stats record with live kernel counters.
const Json& require_final_stats(const Eve& e) {
  BOOST_REQUIRE(!e.records.empty());
  const Json& last = e.records.back();
  BOOST_REQUIRE_MESSAGE(last.value("event_type", "") == "stats",
                        "last EVE line is not a stats record: " + last.dump());
  BOOST_REQUIRE_MESSAGE(last.contains("stats") && last.at("stats").contains("capture"),
                        "stats record without stats.capture: " + last.dump());
  const Json& cap = last.at("stats").at("capture");
  for (const char* k : {"packets", "kernel_packets", "kernel_drops", "kernel_ifdrops"})
    BOOST_REQUIRE_MESSAGE(cap.contains(k) && cap.at(k).is_number_unsigned(),
                          fmt::format("stats.capture.{} missing in live stats: {}", k, cap.dump()));
  return last;
}

// ---------------------------------------------------------------------------------------------
// Reference capture (tcpdump) reader: per-direction packet and wire-byte counts of an IPv4 pcap.

struct DirCounts {
  uint64_t pkts_from_a = 0, bytes_from_a = 0, pkts_from_b = 0, bytes_from_b = 0;
};

DirCounts count_pcap_v4(const fs::path& path, const std::string& a_ip) {
  DirCounts c;
  std::string d = slurp(path);
  BOOST_REQUIRE_MESSAGE(d.size() >= 24, "reference capture too short: " + path.string());
  uint32_t magic;
  std::memcpy(&magic, d.data(), 4);
  BOOST_REQUIRE_MESSAGE(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d,
                        fmt::format("reference capture is not a native-endian pcap ({:#x})", magic));
  uint32_t a = 0;
  {
    unsigned b[4];
    BOOST_REQUIRE(std::sscanf(a_ip.c_str(), "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) == 4);
    a = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
  }
  size_t off = 24;
  while (off + 16 <= d.size()) {
    uint32_t incl, orig;
    std::memcpy(&incl, d.data() + off + 8, 4);
    std::memcpy(&orig, d.data() + off + 12, 4);
    const auto* pkt = reinterpret_cast<const uint8_t*>(d.data() + off + 16);
    if (off + 16 + incl > d.size()) break;
    if (incl >= 34 && pkt[12] == 0x08 && pkt[13] == 0x00) {
      uint32_t src = (uint32_t(pkt[26]) << 24) | (pkt[27] << 16) | (pkt[28] << 8) | pkt[29];
      if (src == a) {
        c.pkts_from_a++;
        c.bytes_from_a += orig;
      } else {
        c.pkts_from_b++;
        c.bytes_from_b += orig;
      }
    }
    off += 16 + incl;
  }
  return c;
}

}  // namespace

// =============================================================================================

BOOST_AUTO_TEST_SUITE(e2e_live)

// TCP over IPv4 (100 000 bytes up, 4 000 down), UDP over IPv4 (5 echoed datagrams) and TCP over
// IPv6 cross the veth while wormwatch captures on it; tcpdump records the IPv4 TCP connection
// independently as the reference for packet and byte counts.
BOOST_AUTO_TEST_CASE(live_capture_records_tcp_and_udp_flows) {
  Env env("live_capture_records_tcp_and_udp_flows");

  // Independent reference capture of the IPv4 TCP connection.
  auto ref = env.exec_in(env.ns_a, "tcpdump",
                         {find_tcpdump(), "-i", kIfA, "-nn", "--immediate-mode", "-U", "-Z", "root", "-w",
                          (env.out / "ref.pcap").string(), "tcp port 5001"});
  // (Conditions are computed before the assertion: Boost may build the message first.)
  const bool ref_up = wait_until(
      [&] { return ref->err().find("listening on") != std::string::npos || !ref->running(); },
      15s);
  BOOST_REQUIRE_MESSAGE(ref_up && ref->running(), "tcpdump did not start: " + ref->report());

  auto ww = env.sensor();

  // IPv4 TCP: 100000 bytes to the server, 4000 back, orderly close.
  constexpr int kUp = 100000, kDown = 4000;
  auto srv4 = env.server("tcp4-server", {"tcp-server", kV4B, "5001", "1", std::to_string(kDown)});
  auto cli4 = env.peer(env.ns_a, "tcp4-client",
                       {"tcp-client", kV4B, "5001", std::to_string(kUp), std::to_string(kDown)});
  require_clean_exit(*cli4, 20s);
  require_clean_exit(*srv4, 20s);
  BOOST_CHECK_MESSAGE(srv4->out().find(fmt::format("received {}", kUp)) != std::string::npos,
                      "server did not receive every byte: " + srv4->report());
  const int cport4 = peer_port(*cli4);

  // IPv4 UDP: 5 datagrams of 200 bytes, each echoed.
  constexpr int kDgrams = 5;
  auto usrv = env.server("udp4-server", {"udp-server", kV4B, "41000", std::to_string(kDgrams)});
  auto ucli = env.peer(env.ns_a, "udp4-client",
                       {"udp-client", kV4B, "41000", std::to_string(kDgrams), "200"});
  require_clean_exit(*ucli, 20s);
  require_clean_exit(*usrv, 20s);
  const int uport4 = peer_port(*ucli);

  // IPv6 TCP: 20000 bytes up, 3000 down.
  auto srv6 = env.server("tcp6-server", {"tcp-server", kV6B, "5002", "1", "3000"});
  auto cli6 = env.peer(env.ns_a, "tcp6-client", {"tcp-client", kV6B, "5002", "20000", "3000"});
  require_clean_exit(*cli6, 20s);
  require_clean_exit(*srv6, 20s);
  const int cport6 = peer_port(*cli6);

  // Let both captures read the last packets, then stop them.
  std::this_thread::sleep_for(500ms);
  stop_sensor(*ww, SIGTERM);
  ref->signal(SIGINT);
  require_clean_exit(*ref, 20s);

  const std::string ww_err = ww->err();
  BOOST_CHECK_MESSAGE(ww_err.find("wormwatch summary") != std::string::npos &&
                          ww_err.find("kernel       received=") != std::string::npos,
                      "no live summary on stderr: " + tail(ww_err));

  Eve eve = read_eve(env.eve_path());
  const Json& stats = require_final_stats(eve);
  const Json& cap = stats.at("stats").at("capture");
  BOOST_CHECK_MESSAGE(cap.at("kernel_packets").get<uint64_t>() > 0, "kernel_packets is 0");
  BOOST_CHECK_EQUAL(cap.at("kernel_drops").get<uint64_t>(), 0u);
  BOOST_CHECK_EQUAL(cap.at("kernel_ifdrops").get<uint64_t>(), 0u);
  // Every packet the kernel delivered reached the engine (none left behind at shutdown).
  BOOST_CHECK_EQUAL(cap.at("packets").get<uint64_t>(), cap.at("kernel_packets").get<uint64_t>());

  // --- IPv4 TCP
  auto t4 = find_flows(eve, "TCP", kV4A, kV4B, 5001, cport4);
  BOOST_REQUIRE_MESSAGE(t4.size() == 1,
                        fmt::format("expected 1 flow {}:{} -> {}:5001, got {}; flows:{}", kV4A,
                                    cport4, kV4B, t4.size(), flow_list(eve)));
  {
    const Json& f = t4[0];
    const Json& fl = f.at("flow");
    BOOST_CHECK_GE(fl.at("bytes_toserver").get<uint64_t>(), uint64_t(kUp));
    BOOST_CHECK_GE(fl.at("bytes_toclient").get<uint64_t>(), uint64_t(kDown));
    BOOST_CHECK_GE(fl.at("pkts_toserver").get<uint64_t>(), 3u);  // SYN, data, FIN at least
    BOOST_CHECK_GE(fl.at("pkts_toclient").get<uint64_t>(), 3u);  // SYN-ACK, data, FIN at least
    BOOST_CHECK_MESSAGE(f.at("tcp").value("syn", false), "tcp.syn not set: " + f.dump());
    BOOST_CHECK_MESSAGE(f.at("tcp").value("fin", false), "tcp.fin not set: " + f.dump());
    BOOST_CHECK_MESSAGE(!f.at("tcp").value("rst", false), "tcp.rst set: " + f.dump());
    BOOST_CHECK_MESSAGE(!f.at("tcp").value("midstream", false), "flow picked up midstream");
    BOOST_CHECK_EQUAL(fl.value("state", ""), "closed");
    BOOST_CHECK_MESSAGE(f.contains("flow_id") && f.contains("community_id"),
                        "flow_id/community_id missing: " + f.dump());
    BOOST_CHECK_MESSAGE(f.contains("app_proto"), "app_proto missing: " + f.dump());

    // Exactly what the independent capture saw, packet for packet and byte for byte. First make
    // sure the reference itself is complete: tcpdump wrote every packet the kernel gave it.
    const std::string ref_err = ref->err();
    long captured = -1, by_filter = -1;
    if (auto p = ref_err.find(" packets captured"); p != std::string::npos)
      captured = std::stol(ref_err.substr(ref_err.rfind('\n', p) + 1));
    if (auto p = ref_err.find(" packets received by filter"); p != std::string::npos)
      by_filter = std::stol(ref_err.substr(ref_err.rfind('\n', p) + 1));
    BOOST_REQUIRE_MESSAGE(captured > 0 && captured == by_filter,
                          "reference capture (tcpdump) is incomplete: " + ref->report());
    DirCounts r = count_pcap_v4(env.out / "ref.pcap", kV4A);
    BOOST_CHECK_EQUAL(r.pkts_from_a + r.pkts_from_b, uint64_t(captured));
    BOOST_TEST_MESSAGE(fmt::format("tcpdump reference: {} pkts/{} B to server, {} pkts/{} B back",
                                   r.pkts_from_a, r.bytes_from_a, r.pkts_from_b, r.bytes_from_b));
    BOOST_CHECK_EQUAL(fl.at("pkts_toserver").get<uint64_t>(), r.pkts_from_a);
    BOOST_CHECK_EQUAL(fl.at("bytes_toserver").get<uint64_t>(), r.bytes_from_a);
    BOOST_CHECK_EQUAL(fl.at("pkts_toclient").get<uint64_t>(), r.pkts_from_b);
    BOOST_CHECK_EQUAL(fl.at("bytes_toclient").get<uint64_t>(), r.bytes_from_b);
  }

  // --- IPv4 UDP
  auto u4 = find_flows(eve, "UDP", kV4A, kV4B, 41000, uport4);
  BOOST_REQUIRE_MESSAGE(u4.size() == 1, fmt::format("expected 1 UDP flow to {}:41000, got {}; "
                                                    "flows:{}", kV4B, u4.size(), flow_list(eve)));
  {
    const Json& fl = u4[0].at("flow");
    BOOST_CHECK_EQUAL(fl.at("pkts_toserver").get<uint64_t>(), uint64_t(kDgrams));
    BOOST_CHECK_EQUAL(fl.at("pkts_toclient").get<uint64_t>(), uint64_t(kDgrams));
    // 200 B payload + 8 UDP + 20 IPv4 + 14 Ethernet per datagram.
    BOOST_CHECK_EQUAL(fl.at("bytes_toserver").get<uint64_t>(), uint64_t(kDgrams) * 242);
    BOOST_CHECK_EQUAL(fl.at("bytes_toclient").get<uint64_t>(), uint64_t(kDgrams) * 242);
    BOOST_CHECK_EQUAL(fl.value("reason", ""), "shutdown");
    BOOST_CHECK_MESSAGE(!u4[0].contains("tcp"), "UDP flow carries a tcp object");
  }

  // --- IPv6 TCP
  auto t6 = find_flows(eve, "TCP", kV6A, kV6B, 5002, cport6);
  BOOST_REQUIRE_MESSAGE(t6.size() == 1, fmt::format("expected 1 IPv6 TCP flow to [{}]:5002, got "
                                                    "{}; flows:{}", kV6B, t6.size(),
                                                    flow_list(eve)));
  {
    const Json& f = t6[0];
    BOOST_CHECK_GE(f.at("flow").at("bytes_toserver").get<uint64_t>(), 20000u);
    BOOST_CHECK_GE(f.at("flow").at("bytes_toclient").get<uint64_t>(), 3000u);
    BOOST_CHECK_GE(f.at("flow").at("pkts_toclient").get<uint64_t>(), 3u);
    BOOST_CHECK_MESSAGE(f.at("tcp").value("syn", false) && f.at("tcp").value("fin", false),
                        "IPv6 flow lacks syn/fin: " + f.dump());
  }

  // The decoder saw both IP versions.
  const Json& dec = stats.at("stats").at("decoder");
  BOOST_CHECK_GT(dec.value("ipv4", 0u), 0u);
  BOOST_CHECK_GT(dec.value("ipv6", 0u), 0u);
  BOOST_CHECK_EQUAL(dec.value("anomalies_total", 1u), 0u);
}

// A TCP connection still open (no FIN, no RST) when SIGINT arrives: its flow must be ended with
// reason "shutdown" and written, and the final stats record must be the last line.
BOOST_AUTO_TEST_CASE(sigint_flushes_every_record) {
  Env env("sigint_flushes_every_record");
  auto ww = env.sensor();

  auto sink = env.server("tcp-sink", {"tcp-sink", kV4B, "5003"});
  auto hold = env.peer(env.ns_a, "tcp-hold", {"tcp-hold", kV4B, "5003", "30000", "60"});
  const bool connected = wait_until(
      [&] { return hold->out().find("holding") != std::string::npos || !hold->running(); }, 15s);
  BOOST_REQUIRE_MESSAGE(connected && hold->running(), "client did not connect: " + hold->report());
  const int cport = peer_port(*hold);

  std::this_thread::sleep_for(500ms);
  stop_sensor(*ww, SIGINT);
  // The connection really was open across the signal.
  BOOST_CHECK_MESSAGE(hold->running() && sink->running(),
                      "the long-lived connection ended before SIGINT: " + hold->report());

  const std::string ww_err = ww->err();
  BOOST_CHECK_MESSAGE(ww_err.find("wormwatch summary") != std::string::npos,
                      "no summary on stderr: " + tail(ww_err));

  Eve eve = read_eve(env.eve_path());
  require_final_stats(eve);
  size_t stats_records = 0;
  for (const auto& r : eve.records) stats_records += r.value("event_type", "") == "stats";
  BOOST_CHECK_GE(stats_records, 1u);

  auto f = find_flows(eve, "TCP", kV4A, kV4B, 5003, cport);
  BOOST_REQUIRE_MESSAGE(f.size() == 1, fmt::format("open connection {}:{} -> {}:5003 has {} flow "
                                                   "records; flows:{}", kV4A, cport, kV4B,
                                                   f.size(), flow_list(eve)));
  const Json& fl = f[0].at("flow");
  BOOST_CHECK_EQUAL(fl.value("reason", ""), "shutdown");
  BOOST_CHECK_EQUAL(fl.value("state", ""), "established");
  BOOST_CHECK_GE(fl.at("bytes_toserver").get<uint64_t>(), 30000u);
  BOOST_CHECK_GE(fl.at("pkts_toclient").get<uint64_t>(), 1u);
  BOOST_CHECK_MESSAGE(f[0].at("tcp").value("syn", false), "tcp.syn not set: " + f[0].dump());
  BOOST_CHECK_MESSAGE(!f[0].at("tcp").value("fin", false), "tcp.fin set on an open connection");
  // Every flow still open at shutdown is ended by shutdown (nothing timed out in ~2 s).
  for (const auto& r : eve.flows)
    BOOST_CHECK_MESSAGE(r.at("flow").value("reason", "") == "shutdown",
                        "flow ended for another reason: " + r.dump());
}

// --bpf "udp": the kernel filter lets only UDP through, so TCP (IPv4) and ICMPv6 neighbour
// discovery leave no record while UDP over IPv4 and IPv6 does.
BOOST_AUTO_TEST_CASE(bpf_filter_live) {
  Env env("bpf_filter_live");
  auto ww = env.sensor({"--bpf", "udp"});

  auto srv = env.server("tcp4-server", {"tcp-server", kV4B, "5001", "1", "1000"});
  auto cli = env.peer(env.ns_a, "tcp4-client", {"tcp-client", kV4B, "5001", "10000", "1000"});
  require_clean_exit(*cli, 20s);
  require_clean_exit(*srv, 20s);

  auto usrv4 = env.server("udp4-server", {"udp-server", kV4B, "41000", "4"});
  auto ucli4 = env.peer(env.ns_a, "udp4-client", {"udp-client", kV4B, "41000", "4", "100"});
  require_clean_exit(*ucli4, 20s);
  require_clean_exit(*usrv4, 20s);
  const int uport4 = peer_port(*ucli4);

  auto usrv6 = env.server("udp6-server", {"udp-server", kV6B, "41001", "3"});
  auto ucli6 = env.peer(env.ns_a, "udp6-client", {"udp-client", kV6B, "41001", "3", "100"});
  require_clean_exit(*ucli6, 20s);
  require_clean_exit(*usrv6, 20s);
  const int uport6 = peer_port(*ucli6);

  std::this_thread::sleep_for(500ms);
  stop_sensor(*ww, SIGTERM);

  Eve eve = read_eve(env.eve_path());
  const Json& stats = require_final_stats(eve);

  for (const auto& f : eve.flows)
    BOOST_CHECK_MESSAGE(f.value("proto", "") == "UDP",
                        "non-UDP flow recorded through --bpf udp: " + f.dump());
  auto u4 = find_flows(eve, "UDP", kV4A, kV4B, 41000, uport4);
  auto u6 = find_flows(eve, "UDP", kV6A, kV6B, 41001, uport6);
  BOOST_REQUIRE_MESSAGE(u4.size() == 1 && u6.size() == 1,
                        fmt::format("expected one IPv4 and one IPv6 UDP flow, got {} and {}; "
                                    "flows:{}", u4.size(), u6.size(), flow_list(eve)));
  BOOST_CHECK_EQUAL(u4[0].at("flow").at("pkts_toserver").get<uint64_t>(), 4u);
  BOOST_CHECK_EQUAL(u4[0].at("flow").at("pkts_toclient").get<uint64_t>(), 4u);
  BOOST_CHECK_EQUAL(u6[0].at("flow").at("pkts_toserver").get<uint64_t>(), 3u);
  BOOST_CHECK_EQUAL(u6[0].at("flow").at("pkts_toclient").get<uint64_t>(), 3u);
  BOOST_CHECK_EQUAL(eve.flows.size(), 2u);

  // The filter ran in the kernel: no TCP reached the decoder, and only the 14 UDP packets were
  // delivered at all.
  const Json& dec = stats.at("stats").at("decoder");
  BOOST_CHECK_EQUAL(dec.value("tcp", 1u), 0u);
  BOOST_CHECK_EQUAL(dec.value("udp", 0u), 14u);
  const Json& cap = stats.at("stats").at("capture");
  BOOST_CHECK_EQUAL(cap.at("kernel_packets").get<uint64_t>(), 14u);
  BOOST_CHECK_EQUAL(cap.at("packets").get<uint64_t>(), 14u);
  BOOST_CHECK_EQUAL(cap.at("kernel_drops").get<uint64_t>(), 0u);
}

BOOST_AUTO_TEST_SUITE_END()

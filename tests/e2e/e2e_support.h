#pragma once
// Helpers shared by the live-capture e2e tests: child processes, the two-namespace environment,
// EVE and pcap readers. See NOTES.md.

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
#include <openssl/evp.h>

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace e2e {

// The sensor under test: the build's wormwatch, or WW_E2E_BINARY from the environment (to run
// these tests against another build or an installed binary).
inline std::string sensor_binary() {
  const char* e = std::getenv("WW_E2E_BINARY");
  return e && *e ? e : WW_BINARY;
}
inline const std::string kBinary = sensor_binary();
inline const fs::path kE2eDir = WW_E2E_DIR;
inline const fs::path kOutRoot = WW_E2E_OUT;
constexpr const char* kPython = "/usr/bin/python3";  // Debian's interpreter, not a user shim

// Addresses and names fixed by netns.sh.
constexpr const char* kIfA = "vethA";
constexpr const char* kV4A = "198.18.0.1";
constexpr const char* kV4B = "198.18.0.2";
constexpr const char* kV6A = "fd00:77::1";
constexpr const char* kV6B = "fd00:77::2";

// ---------------------------------------------------------------------------------------------
// small helpers

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string tail(const std::string& s, size_t n = 2000) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

// Poll pred every 20 ms until it holds or the timeout passes. Never waits unbounded.
inline bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

inline std::string find_ip_tool() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (::access(p, X_OK) == 0) return p;
  return "ip";
}
inline const std::string kIp = find_ip_tool();

inline std::string find_tcpdump() {
  for (const char* p : {"/usr/bin/tcpdump", "/usr/sbin/tcpdump", "/sbin/tcpdump"})
    if (::access(p, X_OK) == 0) return p;
  return "tcpdump";
}

inline std::string describe_status(int st) {
  if (WIFEXITED(st)) return fmt::format("exit status {}", WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return fmt::format("killed by signal {} ({})", WTERMSIG(st),
                                          strsignal(WTERMSIG(st)));
  return fmt::format("wait status {:#x}", st);
}

// Does this process hold the capabilities the tests need? (bit 12 CAP_NET_ADMIN, 13 CAP_NET_RAW)
inline bool have_net_caps(std::string& why) {
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
inline void require_clean_exit(Proc& p, std::chrono::milliseconds timeout) {
  auto st = p.wait_for(timeout);
  BOOST_REQUIRE_MESSAGE(st.has_value(), fmt::format("{} did not exit within {} ms: {}", p.name(),
                                                    timeout.count(), p.report()));
  BOOST_REQUIRE_MESSAGE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0,
                        fmt::format("{} failed: {}", p.name(), p.report()));
}

// ---------------------------------------------------------------------------------------------
// Per-test-case environment: output directory and the two namespaces. Declared first in each
// test case so it is destroyed last, after every Proc: its destructor runs `netns.sh down`.

inline std::atomic<int> g_case_seq{0};

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

  // wormwatch with a full argument list (after the binary) in namespace A, returned once it
  // logs "capturing on IF" (or has exited: the caller then checks why).
  std::unique_ptr<Proc> sensor_args(const std::string& name, std::vector<std::string> args,
                                    const std::string& iface = kIfA) {
    std::vector<std::string> argv = {kBinary};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = exec_in(ns_a, name, std::move(argv));
    const std::string ready = fmt::format("capturing on {}", iface);
    wait_until([&] { return p->err().find(ready) != std::string::npos || !p->running(); }, 15s);
    return p;
  }

  // Runs argv in a namespace to completion (bounded) and returns the finished process.
  std::unique_ptr<Proc> run(const std::string& ns, const std::string& name,
                            std::vector<std::string> argv,
                            std::chrono::milliseconds timeout = 30s) {
    auto p = exec_in(ns, name, std::move(argv));
    auto st = p->wait_for(timeout);
    BOOST_REQUIRE_MESSAGE(st.has_value(), fmt::format("{} did not finish within {} ms: {}", name,
                                                      timeout.count(), p->report()));
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
inline void stop_sensor(Proc& ww, int sig) {
  ww.signal(sig);
  require_clean_exit(ww, 20s);
}

// Parse "... port N" from a peer's output.
inline int peer_port(Proc& p) {
  std::string o = p.out();
  auto pos = o.rfind("port ");
  BOOST_REQUIRE_MESSAGE(pos != std::string::npos, "no port in peer output: " + p.report());
  return std::stoi(o.substr(pos + 5));
}

// Exit code of a finished process (-1 when it was killed by a signal).
inline int exit_code(Proc& p) {
  auto st = p.wait_for(0ms);
  return st && WIFEXITED(*st) ? WEXITSTATUS(*st) : -1;
}

inline std::string find_ss() {
  for (const char* p : {"/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss"})
    if (::access(p, X_OK) == 0) return p;
  return "ss";
}

// True once a TCP socket listens on `port` inside namespace `ns`.
inline bool tcp_listening(Env& env, const std::string& ns, int port) {
  auto p = env.exec_in(ns, fmt::format("ss-{}", port),
                       {find_ss(), "-Hltn", fmt::format("sport = :{}", port)});
  p->wait_for(5s);
  return p->out().find(fmt::format(":{}", port)) != std::string::npos;
}

// Lower-case hex sha256 of a file's bytes (computed here, independently of wormwatch).
inline std::string sha256_file(const fs::path& p) {
  std::string d = slurp(p);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(d.data(), d.size(), md, &n, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < n; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

// Records of one event type.
inline std::vector<Json> of_type(const std::vector<Json>& records, const std::string& type) {
  std::vector<Json> r;
  for (const auto& j : records)
    if (j.value("event_type", "") == type) r.push_back(j);
  return r;
}

// ---------------------------------------------------------------------------------------------
// EVE output

struct Eve {
  std::vector<Json> records;
  std::vector<Json> flows;
};

inline Eve read_eve(const fs::path& path) {
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
inline std::vector<Json> find_flows(const Eve& e, const std::string& proto, const std::string& src,
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

inline std::string flow_list(const Eve& e) {
  std::string s;
  for (const auto& f : e.flows)
    s += fmt::format("\n  {} {}:{} -> {}:{} reason={}", f.value("proto", "?"),
                     f.value("src_ip", "?"), f.value("src_port", 0), f.value("dest_ip", "?"),
                     f.value("dest_port", 0), f.at("flow").value("reason", "?"));
  return s.empty() ? " (none)" : s;
}

// The last line must be the final stats record with live kernel counters (DPDK: the
// port's counters instead).
inline const Json& require_final_stats(const Eve& e, bool dpdk = false) {
  BOOST_REQUIRE(!e.records.empty());
  const Json& last = e.records.back();
  BOOST_REQUIRE_MESSAGE(last.value("event_type", "") == "stats",
                        "last EVE line is not a stats record: " + last.dump());
  BOOST_REQUIRE_MESSAGE(last.contains("stats") && last.at("stats").contains("capture"),
                        "stats record without stats.capture: " + last.dump());
  const Json& cap = last.at("stats").at("capture");
  const auto keys = dpdk ? std::vector<const char*>{"packets", "dpdk_ipackets", "drops", "imissed",
                                                    "ierrors", "rx_nombuf"}
                        : std::vector<const char*>{"packets", "kernel_packets", "kernel_drops",
                                                    "kernel_ifdrops"};
  for (const char* k : keys)
    BOOST_REQUIRE_MESSAGE(cap.contains(k) && cap.at(k).is_number_unsigned(),
                          fmt::format("stats.capture.{} missing in live stats: {}", k, cap.dump()));
  return last;
}

// ---------------------------------------------------------------------------------------------
// Reference capture (tcpdump) reader: per-direction packet and wire-byte counts of an IPv4 pcap.

struct DirCounts {
  uint64_t pkts_from_a = 0, bytes_from_a = 0, pkts_from_b = 0, bytes_from_b = 0;
};

inline DirCounts count_pcap_v4(const fs::path& path, const std::string& a_ip) {
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

}  // namespace e2e

#pragma once
// Helpers for the delivery tests: temporary directories, free ports, bounded
// waits, listeners on unix sockets, a real rsyslogd, and records with hostile
// strings. Every wait has a timeout.

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sensor/output/eve.h"

namespace ww::test {

using namespace std::chrono_literals;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/ww-output-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    if (!p) throw std::runtime_error("mkdtemp failed");
    path = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string str(const std::string& name) const { return (path / name).string(); }
};

inline bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

// A port that was free a moment ago (TCP and UDP both).
inline int free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t l = sizeof a;
    ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &l);
    int port = ntohs(a.sin_port);
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    bool ok = ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(u);
    ::close(t);
    if (ok) return port;
  }
  throw std::runtime_error("no free port");
}

// Is something listening on 127.0.0.1:port (tcp: LISTEN; udp: bound)?
inline bool port_bound(bool tcp, int port) {
  std::ifstream f(tcp ? "/proc/net/tcp" : "/proc/net/udp");
  std::string line;
  std::getline(f, line);
  char want[16];
  std::snprintf(want, sizeof want, ":%04X", port);
  while (std::getline(f, line)) {
    std::istringstream ss(line);
    std::string sl, local, remote, st;
    ss >> sl >> local >> remote >> st;
    if (local.size() > 5 && local.substr(local.size() - 5) == want &&
        (!tcp || st == "0A"))
      return true;
  }
  return false;
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> v;
  std::ifstream f(path, std::ios::binary);
  std::string line;
  while (std::getline(f, line)) v.push_back(line);
  return v;
}

// A record whose wire strings try every trick: line breaks, NUL, CEF
// separators, a forged syslog header, bytes that are not UTF-8.
inline std::string hostile_record(int id) {
  EveEndpoints ep;
  IpAddress::parse("10.1.1.5", ep.src_ip);
  IpAddress::parse("192.0.2.25", ep.dest_ip);
  ep.src_port = 40000;
  ep.dest_port = 25;
  ep.proto = 6;
  Json j = eve_header(1075190400'123456, 1000 + id, "alert", ep, "smtp");
  j["alert"] = {{"action", "allowed"},
                {"gid", 1},
                {"signature_id", 1000001},
                {"rev", 1},
                {"signature", "WORMWATCH attachment | detected = by\\ClamAV"},
                {"category", "Malware"},
                {"severity", 1}};
  static const char kEvil[] =
      "line1\nline2\r\n<13>1 2004-01-27T08:00:00Z forged - - - -\0nul|pipe=eq\\bs\xff\xfe\xc3";
  const std::string evil(kEvil, sizeof kEvil - 1);
  j["smtp"] = {{"mail_from", "worm\n@example.com|x=y"}};
  j["email"] = {{"from", "a@b"}, {"subject", evil}};
  j["fileinfo"] = {{"filename", std::string("doc.txt\r\n\0.pif", 14)}, {"sha256", "ab|=\\cd"}};
  j["test_id"] = id;
  return eve_dump(j);
}

inline std::string plain_record(int id, const char* event_type = "flow") {
  EveEndpoints ep;
  IpAddress::parse("10.1.1.5", ep.src_ip);
  IpAddress::parse("192.0.2.25", ep.dest_ip);
  ep.src_port = static_cast<uint16_t>(1024 + id % 60000);
  ep.dest_port = 25;
  ep.proto = 6;
  Json j = eve_header(1075190400'000000 + id, 5000 + id, event_type, ep, "smtp");
  j["test_id"] = id;
  j["pad"] = std::string(200, 'x');
  return eve_dump(j);
}

// Accepts connections on a unix stream socket and collects newline-terminated
// lines; stop() closes the listener (a peer going away).
class UnixStreamListener {
 public:
  explicit UnixStreamListener(std::string path) : path_(std::move(path)) { start(); }
  ~UnixStreamListener() { stop(); }
  void start() {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 8) != 0)
      throw std::runtime_error("unix listener: " + std::string(std::strerror(errno)));
    run_ = true;
    th_ = std::thread([this] { loop(); });
  }
  void stop() {
    if (!run_) return;
    run_ = false;
    th_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  std::vector<std::string> lines() {
    std::lock_guard lk(mu_);
    return lines_;
  }
  size_t count() {
    std::lock_guard lk(mu_);
    return lines_.size();
  }

 private:
  void loop() {
    std::vector<int> conns;
    std::vector<std::string> partial;
    while (run_) {
      std::vector<pollfd> p{{fd_, POLLIN, 0}};
      for (int c : conns) p.push_back({c, POLLIN, 0});
      if (::poll(p.data(), p.size(), 20) <= 0) continue;
      if (p[0].revents & POLLIN) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c >= 0) {
          conns.push_back(c);
          partial.emplace_back();
        }
      }
      for (size_t i = 1; i < p.size(); ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buf[65536];
        ssize_t n = ::read(conns[i - 1], buf, sizeof buf);
        if (n <= 0) {
          ::close(conns[i - 1]);
          conns[i - 1] = -1;
          continue;
        }
        std::string& acc = partial[i - 1];
        acc.append(buf, static_cast<size_t>(n));
        size_t pos;
        std::lock_guard lk(mu_);
        while ((pos = acc.find('\n')) != std::string::npos) {
          lines_.push_back(acc.substr(0, pos));
          acc.erase(0, pos + 1);
        }
      }
      for (size_t i = conns.size(); i-- > 0;) {
        if (conns[i] < 0) {
          conns.erase(conns.begin() + static_cast<long>(i));
          partial.erase(partial.begin() + static_cast<long>(i));
        }
      }
    }
    for (int c : conns) ::close(c);
  }
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> run_{false};
  std::thread th_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

class UnixDgramListener {
 public:
  explicit UnixDgramListener(std::string path) : path_(std::move(path)) {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("unix dgram listener: " + std::string(std::strerror(errno)));
    run_ = true;
    th_ = std::thread([this] {
      std::vector<char> buf(1 << 20);
      while (run_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n >= 0) {
          std::lock_guard lk(mu_);
          msgs_.emplace_back(buf.data(), static_cast<size_t>(n));
        }
      }
    });
  }
  ~UnixDgramListener() {
    run_ = false;
    th_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  std::vector<std::string> msgs() {
    std::lock_guard lk(mu_);
    return msgs_;
  }
  size_t count() {
    std::lock_guard lk(mu_);
    return msgs_.size();
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> run_{false};
  std::thread th_;
  std::mutex mu_;
  std::vector<std::string> msgs_;
};

// A real rsyslogd on loopback, started by the test: imudp and imtcp on the
// given ports, every message's MSG part appended to out.log, one per line.
class Rsyslogd {
 public:
  static constexpr const char* kBinary = "/usr/sbin/rsyslogd";
  static bool available() { return ::access(kBinary, X_OK) == 0; }

  Rsyslogd(const TempDir& dir, int udp_port, int tcp_port, std::string name = "r")
      : dir_(dir), udp_port_(udp_port), tcp_port_(tcp_port), name_(std::move(name)) {
    out_ = dir_.str("out.log");
  }
  ~Rsyslogd() { kill(SIGKILL); }

  // Starts and waits until both ports are bound (10 s at most).
  bool start() {
    std::string work = dir_.str(name_ + "-work");
    std::filesystem::create_directories(work);
    std::string conf = dir_.str(name_ + ".conf");
    std::ofstream c(conf);
    c << "global(workDirectory=\"" << work << "\" maxMessageSize=\"256k\")\n"
      << "module(load=\"imudp\")\n"
      << "module(load=\"imtcp\")\n"
      << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << udp_port_
      << "\" rcvbufSize=\"4m\")\n"
      << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << tcp_port_ << "\")\n"
      << "template(name=\"msgonly\" type=\"string\" string=\"%msg%\\n\")\n"
      << "template(name=\"hdr\" type=\"string\" "
         "string=\"%pri% %timereported:::date-rfc3339% %hostname% %app-name% %procid% %msgid%\\n\")\n"
      << "*.* action(type=\"omfile\" file=\"" << out_ << "\" template=\"msgonly\")\n"
      << "*.* action(type=\"omfile\" file=\"" << dir_.str("hdr.log") << "\" template=\"hdr\")\n";
    c.close();
    std::string pidfile = dir_.str(name_ + ".pid");
    std::string log = dir_.str(name_ + ".stderr");
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execl(kBinary, kBinary, "-n", "-f", conf.c_str(), "-i", pidfile.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid_ < 0) return false;
    return wait_until([&] { return port_bound(true, tcp_port_) && port_bound(false, udp_port_); },
                      10s);
  }

  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int st;
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
  }

  const std::string& out() const { return out_; }
  std::string header_log() const { return dir_.str("hdr.log"); }
  std::string stderr_text() const {
    std::ifstream f(dir_.str(name_ + ".stderr"));
    return std::string(std::istreambuf_iterator<char>(f), {});
  }

 private:
  const TempDir& dir_;
  int udp_port_, tcp_port_;
  std::string name_;
  std::string out_;
  pid_t pid_ = -1;
};

}  // namespace ww::test

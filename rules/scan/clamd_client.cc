#include "rules/scan/clamd_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ww {

namespace {

// clamd reads INSTREAM in chunks; 64 KiB keeps syscalls few and stays far below
// any StreamMaxLength.
constexpr size_t kChunkBytes = 64 * 1024;
// Replies are one short line ("stream: <name> FOUND"); more is not clamd.
constexpr size_t kMaxReplyBytes = 4096;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void set_timeouts(int fd, uint32_t timeout_ms) {
  timeval tv{};
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>(timeout_ms % 1000) * 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // Linux: also bounds connect()
}

bool send_all(int fd, const void* p, size_t n, std::string* error) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t w = ::send(fd, c, n, MSG_NOSIGNAL);  // a closed peer is EPIPE, not SIGPIPE
    if (w < 0) {
      if (errno == EINTR) continue;
      *error = errno == EAGAIN ? "timed out sending to clamd"
                               : fmt::format("sending to clamd: {}", std::strerror(errno));
      return false;
    }
    c += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads up to the NUL terminator (or EOF). Returns nullopt with *error set when
// nothing usable came back.
std::optional<std::string> read_reply(int fd, std::string* error) {
  std::string reply;
  char buf[512];
  while (reply.size() < kMaxReplyBytes) {
    const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      *error = errno == EAGAIN ? "timed out waiting for clamd's reply"
                               : fmt::format("reading clamd's reply: {}", std::strerror(errno));
      return std::nullopt;
    }
    if (r == 0) break;
    reply.append(buf, static_cast<size_t>(r));
    if (reply.find('\0') != std::string::npos) break;
  }
  if (const auto nul = reply.find('\0'); nul != std::string::npos) reply.resize(nul);
  while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) reply.pop_back();
  if (reply.empty()) {
    *error = "clamd closed the connection without a reply";
    return std::nullopt;
  }
  return reply;
}

}  // namespace

std::optional<ClamdAddress> parse_clamd_address(std::string_view text, std::string* error) {
  ClamdAddress a;
  a.text = std::string(text);
  std::string_view t = text;
  if (t.starts_with("unix:")) t.remove_prefix(5);
  if (t.starts_with("/")) {
    if (t.size() >= sizeof(sockaddr_un{}.sun_path)) {
      *error = fmt::format("clamd socket path '{}' is longer than {} bytes", t,
                           sizeof(sockaddr_un{}.sun_path) - 1);
      return std::nullopt;
    }
    a.unix_socket = true;
    a.path = std::string(t);
    return a;
  }
  const auto colon = t.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == t.size()) {
    *error = fmt::format(
        "clamd address '{}' is neither a socket path (/run/clamav/clamd.ctl) nor host:port "
        "(127.0.0.1:3310)",
        text);
    return std::nullopt;
  }
  std::string_view host = t.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  a.host = std::string(host);
  a.port = std::string(t.substr(colon + 1));
  return a;
}

ScanVerdict parse_clamd_reply(std::string_view reply) {
  ScanVerdict v;
  while (!reply.empty() && (reply.back() == '\0' || reply.back() == '\n')) reply.remove_suffix(1);
  std::string_view body = reply;
  if (body.starts_with("stream: ")) body.remove_prefix(8);
  if (body == "OK") {
    v.status = ScanVerdict::Status::kClean;
  } else if (body.ends_with(" FOUND") && body.size() > 6) {
    v.status = ScanVerdict::Status::kInfected;
    v.signature = std::string(body.substr(0, body.size() - 6));
    v.heuristic = is_heuristic_signature(v.signature);
  } else {
    v.status = ScanVerdict::Status::kError;
    v.error = fmt::format("clamd: {}", reply);
  }
  return v;
}

int ClamdBackend::open_connection(std::string* error) const {
  if (address_.unix_socket) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      *error = fmt::format("socket: {}", std::strerror(errno));
      return -1;
    }
    set_timeouts(fd, timeout_ms_);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, address_.path.data(), address_.path.size());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      *error = fmt::format("connect to {}: {}", address_.path, std::strerror(errno));
      ::close(fd);
      return -1;
    }
    return fd;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(address_.host.c_str(), address_.port.c_str(), &hints, &res);
      rc != 0) {
    *error = fmt::format("resolve {}: {}", address_.text, ::gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    set_timeouts(fd, timeout_ms_);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    *error = fmt::format("connect to {}: {}", address_.text, std::strerror(errno));
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  return fd;
}

std::optional<std::string> ClamdBackend::command(std::string_view cmd, std::string* error) const {
  Fd fd(open_connection(error));
  if (fd.get() < 0) return std::nullopt;
  std::string z(cmd);
  z.push_back('\0');
  if (!send_all(fd.get(), z.data(), z.size(), error)) return std::nullopt;
  return read_reply(fd.get(), error);
}

std::shared_ptr<const ClamdBackend> ClamdBackend::connect(const ScanConfig& config,
                                                          uint64_t generation) {
  std::string error;
  auto address = parse_clamd_address(config.clamd_address, &error);
  if (!address) throw ScanSetupError("scan: " + error + ": fix scan.clamd_address");
  std::shared_ptr<ClamdBackend> self(
      new ClamdBackend(std::move(*address), config.clamd_timeout_ms, generation));
  const auto pong = self->command("zPING", &error);
  if (!pong || *pong != "PONG")
    throw ScanSetupError(fmt::format(
        "scan: clamd at '{}' is unreachable ({}): start clamd (systemctl start clamav-daemon) "
        "or set scan.clamd_address to its LocalSocket path or TCPAddr:TCPSocket",
        config.clamd_address, pong ? "answered '" + *pong + "' to PING" : error));
  if (auto version = self->command("zVERSION", &error)) self->version_ = *version;
  return self;
}

std::string ClamdBackend::describe() const {
  return fmt::format("clamd at {} ({}, generation {})", address_.text,
                     version_.empty() ? "version unknown" : version_, generation_);
}

ScanVerdict ClamdBackend::scan(std::string_view data) const noexcept {
  ScanVerdict v;
  try {
    std::string error;
    Fd fd(open_connection(&error));
    bool sent = fd.get() >= 0;
    if (sent) sent = send_all(fd.get(), "zINSTREAM", 10, &error);  // 9 chars + NUL
    for (size_t off = 0; sent && off < data.size(); off += kChunkBytes) {
      const size_t n = std::min(kChunkBytes, data.size() - off);
      const uint32_t be = htonl(static_cast<uint32_t>(n));
      sent = send_all(fd.get(), &be, 4, &error) && send_all(fd.get(), data.data() + off, n, &error);
    }
    if (sent) {
      const uint32_t zero = 0;
      sent = send_all(fd.get(), &zero, 4, &error);
    }
    // clamd answers and closes early when the stream exceeds StreamMaxLength: the
    // send fails, but its reply explains why, so read it either way.
    std::optional<std::string> reply;
    if (fd.get() >= 0) {
      std::string read_error;
      reply = read_reply(fd.get(), &read_error);
      if (sent && !reply) error = read_error;
    }
    if (reply) {
      v = parse_clamd_reply(*reply);
    } else {
      v.status = ScanVerdict::Status::kError;
      v.error = fmt::format("clamd at {}: {}", address_.text, error);
    }
  } catch (...) {
    v.status = ScanVerdict::Status::kError;
    v.signature.clear();
    v.error = "out of memory";
  }
  v.engine_generation = generation_;
  return v;
}

}  // namespace ww

#include "sensor/output/socket_transport.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ww {
namespace {

constexpr int kPollSliceMs = 100;
constexpr unsigned kTcpUserTimeoutMs = 30000;  // unacknowledged data this long = peer dead

bool wait_fd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int r = ::poll(&p, 1, timeout_ms);
  return r > 0;
}

}  // namespace

bool split_host_port(std::string_view a, std::string& host, std::string& port) {
  if (a.empty()) return false;
  size_t colon;
  if (a.front() == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos || close + 1 >= a.size() || a[close + 1] != ':')
      return false;
    host = std::string(a.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = a.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    host = std::string(a.substr(0, colon));
    if (host.find(':') != std::string::npos) return false;  // bare IPv6 needs brackets
  }
  port = std::string(a.substr(colon + 1));
  if (port.empty() || port.size() > 5) return false;
  unsigned v = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v >= 1 && v <= 65535;
}

SocketTransport::SocketTransport(SocketKind kind, std::string address)
    : kind_(kind), address_(std::move(address)) {}

SocketTransport::~SocketTransport() { close(); }

void SocketTransport::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool SocketTransport::connect(std::chrono::milliseconds timeout, std::string& err) {
  close();
  const int type = stream() ? SOCK_STREAM : SOCK_DGRAM;
  auto finish_connect = [&](int fd, const sockaddr* sa, socklen_t len) -> bool {
    if (::connect(fd, sa, len) == 0) return true;
    if (errno != EINPROGRESS && errno != EAGAIN) {
      err = std::strerror(errno);
      return false;
    }
    if (!wait_fd(fd, POLLOUT, static_cast<int>(timeout.count()))) {
      err = "connect timed out";
      return false;
    }
    int so = 0;
    socklen_t sl = sizeof so;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl);
    if (so != 0) {
      err = std::strerror(so);
      return false;
    }
    return true;
  };

  if (kind_ == SocketKind::unix_stream || kind_ == SocketKind::unix_dgram) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (address_.size() >= sizeof sa.sun_path) {
      err = "socket path too long";
      return false;
    }
    std::memcpy(sa.sun_path, address_.data(), address_.size());
    int fd = ::socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = std::strerror(errno);
      return false;
    }
    if (!finish_connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa)) {
      ::close(fd);
      return false;
    }
    fd_ = fd;
    return true;
  }

  std::string host, port;
  if (!split_host_port(address_, host, port)) {
    err = "address is not host:port";
    return false;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  addrinfo* res = nullptr;
  int gai = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (gai != 0) {
    err = fmt::format("cannot resolve {}: {}", host, gai_strerror(gai));
    return false;
  }
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      ai->ai_protocol);
    if (fd < 0) {
      err = std::strerror(errno);
      continue;
    }
    if (kind_ == SocketKind::tcp) {
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
      unsigned uto = kTcpUserTimeoutMs;
      ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &uto, sizeof uto);
    }
    if (finish_connect(fd, ai->ai_addr, ai->ai_addrlen)) {
      fd_ = fd;
      break;
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  return fd_ >= 0;
}

bool SocketTransport::write_all(std::string_view data, const std::function<bool()>& keep_going,
                                std::string& err) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_fd(fd_, POLLOUT, kPollSliceMs) && !keep_going()) {
        err = "peer is not reading (gave up)";
        return false;
      }
      continue;
    }
    err = n < 0 ? std::strerror(errno) : "connection closed";
    return false;
  }
  return true;
}

SocketTransport::DgramResult SocketTransport::send_datagram(
    std::string_view msg, const std::function<bool()>& keep_going, std::string& err) {
  for (;;) {
    ssize_t n = ::send(fd_, msg.data(), msg.size(), MSG_NOSIGNAL);
    if (n >= 0) return DgramResult::sent;
    if (errno == EINTR) continue;
    if (errno == EMSGSIZE) {
      err = fmt::format("message of {} bytes is too big for one datagram", msg.size());
      return DgramResult::too_big;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
      if (!wait_fd(fd_, POLLOUT, kPollSliceMs) && !keep_going()) {
        err = "peer is not reading (gave up)";
        return DgramResult::failed;
      }
      continue;
    }
    err = std::strerror(errno);
    return errno == ECONNREFUSED ? DgramResult::refused : DgramResult::failed;
  }
}

int SocketTransport::take_error() {
  if (fd_ < 0) return 0;
  int so = 0;
  socklen_t sl = sizeof so;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so, &sl) != 0) return errno;
  return so;
}

int64_t SocketTransport::unacked_bytes() const {
  if (fd_ < 0 || !stream()) return -1;
  int n = 0;
  if (::ioctl(fd_, SIOCOUTQ, &n) != 0) return -1;
  return n;
}

SocketTransport::PeerState SocketTransport::peer_state(std::string* err) {
  if (fd_ < 0) return PeerState::error;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;  // a syslog peer has nothing to say; discard
    if (n == 0) return PeerState::closed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return PeerState::open;
    if (err) *err = std::strerror(errno);
    return PeerState::error;
  }
}

}  // namespace ww

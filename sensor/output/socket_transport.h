#pragma once
// One client socket of an asynchronous sink: TCP, UDP, unix stream or unix
// datagram. Non-blocking underneath; every wait is a poll() slice after which
// the caller's keep_going() decides, so a stalled peer never hangs shutdown.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ww {

enum class SocketKind { tcp, udp, unix_stream, unix_dgram };

// "host:port", "[v6addr]:port" → host, port; false when malformed.
bool split_host_port(std::string_view address, std::string& host, std::string& port);

class SocketTransport {
 public:
  SocketTransport(SocketKind kind, std::string address);
  ~SocketTransport();
  SocketTransport(const SocketTransport&) = delete;
  SocketTransport& operator=(const SocketTransport&) = delete;

  SocketKind kind() const { return kind_; }
  bool stream() const { return kind_ == SocketKind::tcp || kind_ == SocketKind::unix_stream; }
  const std::string& address() const { return address_; }
  bool connected() const { return fd_ >= 0; }

  bool connect(std::chrono::milliseconds timeout, std::string& err);
  void close();

  // Stream: writes every byte. False (err set) on a socket error, or when
  // keep_going() turns false while the peer is not reading.
  bool write_all(std::string_view data, const std::function<bool()>& keep_going,
                 std::string& err);

  // refused: the host answered an earlier datagram with ICMP port
  // unreachable (UDP) or nobody is bound (unix); `msg` was not sent.
  enum class DgramResult { sent, too_big, refused, failed };
  DgramResult send_datagram(std::string_view msg, const std::function<bool()>& keep_going,
                            std::string& err);

  // Stream: bytes written but not yet acknowledged by the peer's TCP (or, on
  // a unix socket, not yet read by the peer, measured in kernel buffer units,
  // which over-estimates); -1 when unknown.
  int64_t unacked_bytes() const;

  // Datagram: the pending socket error (SO_ERROR, cleared by reading it),
  // e.g. ECONNREFUSED after an ICMP port unreachable; 0 when none.
  int take_error();

  enum class PeerState { open, closed, error };
  // Stream: has the peer closed (FIN, or EOF on a unix socket) or reset the
  // connection? Never blocks; bytes the peer sent are read and discarded.
  PeerState peer_state(std::string* err = nullptr);

 private:
  SocketKind kind_;
  std::string address_;
  int fd_ = -1;
};

}  // namespace ww

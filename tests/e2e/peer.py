"""Traffic peers for the wormwatch live-capture e2e tests.

Run with the system interpreter inside a test namespace, e.g.
    ip netns exec NS /usr/bin/python3 peer.py tcp-server 198.18.0.2 5001 1 4000

Only the standard library is used. Every mode is bounded in time (socket timeouts and an overall
deadline) so a broken run can never hang: a peer that waits too long exits with status 3.
Servers print "listening" (flushed) once their socket is bound, which the test polls for.

Modes
  tcp-server ADDR PORT CONNS REPLY_BYTES
      accept CONNS connections one after the other; for each, read until the client half-closes,
      then send REPLY_BYTES bytes and close. Prints "conn N received B" per connection.
  tcp-client ADDR PORT SEND_BYTES REPLY_BYTES
      connect, send SEND_BYTES, half-close, read until EOF; exit 0 only if exactly REPLY_BYTES
      came back. Prints "sent S received R port P" (P = the client's local port).
  tcp-hold ADDR PORT SEND_BYTES HOLD_SECONDS
      connect, send SEND_BYTES, print "holding port P", then keep the connection open (no FIN) until
      killed or HOLD_SECONDS elapse.
  tcp-sink ADDR PORT
      accept one connection and read from it until EOF or the deadline; never closes first.
  udp-server ADDR PORT COUNT
      echo COUNT datagrams back to their senders, then exit.
  udp-client ADDR PORT COUNT SIZE
      send COUNT datagrams of SIZE bytes, each waiting for its echo; exit 0 if all came back.
      Prints "sent C echoed E port P".
  udp-blast ADDR PORT COUNT SIZE
      send COUNT datagrams of SIZE bytes as fast as possible, no replies expected (to overrun a
      small capture buffer). Prints "blasted C port P".
"""

import socket
import sys
import time

DEADLINE_S = 30.0
IO_TIMEOUT_S = 10.0


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def say(msg):
    print(msg, flush=True)


def pattern(n):
    block = bytes(range(256))
    return (block * (n // 256 + 1))[:n]


def listener(addr, port, kind):
    s = socket.socket(family(addr), kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(8)
    s.settimeout(IO_TIMEOUT_S)
    say("listening")
    return s


def read_to_eof(c):
    total = 0
    while True:
        b = c.recv(65536)
        if not b:
            return total
        total += len(b)


def tcp_server(addr, port, conns, reply):
    s = listener(addr, int(port), socket.SOCK_STREAM)
    for i in range(int(conns)):
        c, _ = s.accept()
        c.settimeout(IO_TIMEOUT_S)
        got = read_to_eof(c)
        c.sendall(pattern(int(reply)))
        c.close()
        say(f"conn {i} received {got}")
    s.close()
    return 0


def tcp_client(addr, port, send, reply):
    c = socket.create_connection((addr, int(port)), timeout=IO_TIMEOUT_S)
    local_port = c.getsockname()[1]
    c.sendall(pattern(int(send)))
    c.shutdown(socket.SHUT_WR)
    got = read_to_eof(c)
    c.close()
    say(f"sent {send} received {got} port {local_port}")
    return 0 if got == int(reply) else 1


def tcp_hold(addr, port, send, hold):
    c = socket.create_connection((addr, int(port)), timeout=IO_TIMEOUT_S)
    c.sendall(pattern(int(send)))
    say(f"holding port {c.getsockname()[1]}")
    time.sleep(float(hold))
    c.close()
    return 0


def tcp_sink(addr, port):
    s = listener(addr, int(port), socket.SOCK_STREAM)
    c, _ = s.accept()
    c.settimeout(DEADLINE_S)
    try:
        got = read_to_eof(c)
        say(f"received {got}")
    except socket.timeout:
        pass
    return 0


def udp_server(addr, port, count):
    s = listener(addr, int(port), socket.SOCK_DGRAM)
    for _ in range(int(count)):
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)
    say(f"echoed {count}")
    return 0


def udp_client(addr, port, count, size):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(2.0)
    payload = pattern(int(size))
    ok = 0
    for _ in range(int(count)):
        s.sendto(payload, (addr, int(port)))
        try:
            data, _ = s.recvfrom(65535)
            ok += data == payload
        except socket.timeout:
            pass
    say(f"sent {count} echoed {ok} port {s.getsockname()[1]}")
    return 0 if ok == int(count) else 1


def udp_blast(addr, port, count, size):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    payload = pattern(int(size))
    for _ in range(int(count)):
        try:
            s.sendto(payload, (addr, int(port)))
        except ConnectionRefusedError:
            pass  # an ICMP port unreachable from the previous datagram
    say(f"blasted {count} port {s.getsockname()[1]}")
    return 0


MODES = {
    "tcp-server": tcp_server,
    "tcp-client": tcp_client,
    "tcp-hold": tcp_hold,
    "tcp-sink": tcp_sink,
    "udp-server": udp_server,
    "udp-client": udp_client,
    "udp-blast": udp_blast,
}


def main(argv):
    if len(argv) < 2 or argv[1] not in MODES:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return MODES[argv[1]](*argv[2:])
    except socket.timeout:
        print(f"peer {argv[1]}: timed out", file=sys.stderr)
        return 3
    except OSError as e:
        print(f"peer {argv[1]}: {e}", file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main(sys.argv))

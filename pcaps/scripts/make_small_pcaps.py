#!/usr/bin/python3
"""Writes the small hand-shaped captures in pcaps/ (link types, tags, malformed
frames, a truncated file). Deterministic: fixed timestamps, no randomness.
Run with Debian's interpreter (it has scapy): /usr/bin/python3 pcaps/scripts/make_small_pcaps.py
"""
import os
import struct
import subprocess
import sys

from scapy.all import (DNS, DNSQR, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, ICMP, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw, raw)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
T0 = 1075190400.0  # 2004-01-27 08:00:00 UTC
ETH = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def tcp_conversation(ip_c, ip_s, cport, sport, exchanges, ipcls=IP):
    """SYN, SYN-ACK, ACK, data both ways, FIN/FIN/ACK as IP-layer packets."""
    c_seq, s_seq = 1000, 5000
    pkts = []
    mk = lambda s, d: ipcls(src=s, dst=d)
    pkts.append(mk(ip_c, ip_s) / TCP(sport=cport, dport=sport, flags="S", seq=c_seq))
    pkts.append(mk(ip_s, ip_c) / TCP(sport=sport, dport=cport, flags="SA", seq=s_seq, ack=c_seq + 1))
    c_seq += 1
    s_seq += 1
    pkts.append(mk(ip_c, ip_s) / TCP(sport=cport, dport=sport, flags="A", seq=c_seq, ack=s_seq))
    for who, data in exchanges:
        if who == "c":
            pkts.append(mk(ip_c, ip_s) / TCP(sport=cport, dport=sport, flags="PA", seq=c_seq, ack=s_seq) / data)
            c_seq += len(data)
        else:
            pkts.append(mk(ip_s, ip_c) / TCP(sport=sport, dport=cport, flags="PA", seq=s_seq, ack=c_seq) / data)
            s_seq += len(data)
    pkts.append(mk(ip_c, ip_s) / TCP(sport=cport, dport=sport, flags="FA", seq=c_seq, ack=s_seq))
    pkts.append(mk(ip_s, ip_c) / TCP(sport=sport, dport=cport, flags="FA", seq=s_seq, ack=c_seq + 1))
    pkts.append(mk(ip_c, ip_s) / TCP(sport=cport, dport=sport, flags="A", seq=c_seq + 1, ack=s_seq + 1))
    return pkts


SMTP = [("s", b"220 mx.example.org ESMTP\r\n"), ("c", b"EHLO pc1.example.com\r\n"),
        ("s", b"250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),
        ("c", b"MAIL FROM:<alice@example.com>\r\n"), ("s", b"250 2.1.0 Ok\r\n"),
        ("c", b"RCPT TO:<bob@example.org>\r\n"), ("s", b"250 2.1.5 Ok\r\n"),
        ("c", b"DATA\r\n"), ("s", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
        ("c", b"From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hello\r\n\r\nhi\r\n.\r\n"),
        ("s", b"250 2.0.0 Ok: queued\r\n"), ("c", b"QUIT\r\n"), ("s", b"221 2.0.0 Bye\r\n")]

HTTP = [("c", b"GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"),
        ("s", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]


def write(name, frames, linktype=1, offsets=None):
    """Classic pcap, microsecond stamps 10 ms apart (or at the given second offsets)."""
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for i, fr in enumerate(frames):
            data = fr if isinstance(fr, bytes) else raw(fr)
            usec_total = int(T0 * 1_000_000) + (int(offsets[i] * 1_000_000) if offsets else i * 10_000)
            f.write(struct.pack("<IIII", usec_total // 1_000_000, usec_total % 1_000_000,
                                len(data), len(data)))
            f.write(data)
    return path


def eth(pkts):
    return [Ether(**ETH) / p for p in pkts]


def dns_query():
    return IP(src="10.1.1.5", dst="10.1.1.53") / UDP(sport=33000, dport=53) / DNS(rd=1, qd=DNSQR(qname="example.org"))


def main():
    conv = tcp_conversation("10.1.1.5", "192.0.2.80", 40001, 80, HTTP)
    base = conv + [dns_query()]

    # SMTP on a non-standard port: nDPI must still call it smtp.
    write("smtp-2525.pcap", eth(tcp_conversation("10.1.1.5", "192.0.2.25", 40000, 2525, SMTP)))

    # Link types.
    write("linktype-ethernet.pcap", eth(base))
    write("linktype-raw.pcap", [raw(p) for p in base], linktype=101)
    write("linktype-null.pcap", [struct.pack("<I", 2) + raw(p) for p in base], linktype=0)
    write("linktype-loop.pcap", [struct.pack(">I", 2) + raw(p) for p in base], linktype=108)
    sll = lambda p: struct.pack(">HHH8sH", 0, 1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00", 0x0800) + raw(p)
    write("linktype-sll.pcap", [sll(p) for p in base], linktype=113)
    sll2 = lambda p: struct.pack(">HHIHBB8s", 0x0800, 0, 2, 1, 0, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00") + raw(p)
    write("linktype-sll2.pcap", [sll2(p) for p in base], linktype=276)
    write("linktype-user0.pcap", [raw(p) for p in base[:2]], linktype=147)

    # VLAN and QinQ: the same conversation on VLAN 10 and on 100/20 are two flows.
    v1 = [Ether(**ETH) / Dot1Q(vlan=10) / p for p in conv]
    v2 = [Ether(**ETH, type=0x88a8) / Dot1AD(vlan=100) / Dot1Q(vlan=20) / p for p in conv]
    write("vlan-qinq.pcap", v1 + v2)

    # IPv6 with extension headers in front of TCP, and ICMPv6 echo.
    c6, s6 = "2001:db8:1::5", "2001:db8:2::80"
    v6 = tcp_conversation(c6, s6, 40002, 80, HTTP, ipcls=IPv6)
    v6 = [IPv6(src=p[IPv6].src, dst=p[IPv6].dst) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / p[TCP]
          for p in v6]
    write("ipv6-exthdr.pcap", eth(v6))

    # Malformed frames among good traffic: each must be counted, none may crash.
    good = eth(conv)
    ip_ok = raw(IP(src="10.9.9.9", dst="10.9.9.10") / TCP(sport=1, dport=2) / b"x")
    bad = [
        bytes(raw(Ether(**ETH))[:10]),                                         # link_truncated
        raw(Ether(**ETH, type=0x0800)) + ip_ok[:12],                          # ipv4_truncated
        raw(Ether(**ETH, type=0x0800)) + bytes([0x44]) + ip_ok[1:],           # ipv4_bad_ihl
        raw(Ether(**ETH, type=0x0800)) + bytes([0x65]) + ip_ok[1:],           # ipv4_bad_version
        raw(Ether(**ETH, type=0x0800)) + ip_ok[:2] + b"\x00\x05" + ip_ok[4:], # ipv4_bad_total_len
        raw(Ether(**ETH, type=0x0800)) + ip_ok[:24],                          # tcp_truncated
        raw(Ether(**ETH, type=0x86dd)) + raw(IPv6(src="::1", dst="::2"))[:20],  # ipv6_truncated
        raw(Ether(**ETH) / IP(src="10.9.9.9", dst="10.9.9.10") / TCP(sport=1, dport=2, dataofs=15)),  # tcp_bad_offset
    ]
    write("malformed.pcap", good[:3] + bad + good[3:])

    # Timeouts: a closed conversation and a half-open SYN at 0 s, then a DNS query
    # at 100 s, then another at 700 s: packet time ends the first two by timeout.
    syn = IP(src="10.1.1.6", dst="192.0.2.80") / TCP(sport=40009, dport=80, flags="S", seq=1)
    frames = eth(conv + [syn, dns_query(), dns_query()])
    offs = [i * 0.01 for i in range(len(conv) + 1)] + [100.0, 700.0]
    write("timeouts.pcap", frames, offsets=offs)

    # A capture cut off in the middle of its last record.
    full = write("truncated-full.tmp", eth(base))
    data = open(full, "rb").read()
    os.remove(full)
    with open(os.path.join(OUT, "truncated.pcap"), "wb") as f:
        f.write(data[:-20])

    # The same traffic as pcapng.
    eth_path = os.path.join(OUT, "linktype-ethernet.pcap")
    subprocess.run(["editcap", "-F", "pcapng", eth_path, os.path.join(OUT, "linktype-ethernet.pcapng")],
                   check=True)


if __name__ == "__main__":
    sys.exit(main())

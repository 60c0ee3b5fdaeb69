#!/usr/bin/python3
"""SMTP dialogues for the regression cases: one capture per SMTP feature.

  /usr/bin/python3 tests/regress/smtp/dialogues.py NAME OUT.pcap   # write one capture
  /usr/bin/python3 tests/regress/smtp/dialogues.py --hashes        # sha256 of every attachment

Deterministic (fixed timestamps, no randomness). Each dialogue is a list of
("c"|"s", bytes) exchanges played as one TCP connection 10.1.1.10:40000 ->
192.0.2.25:PORT; ("gap-c", n) drops the next n client bytes from the capture
(the server's ACKs still cover them, as on a lossy span port). Segments are cut
at 1400 bytes.
"""
import base64
import hashlib
import io
import struct
import sys
import zipfile

from scapy.all import IP, TCP, Ether, wrpcap

T0 = 1075190400.0
ETH = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
CLIENT, SERVER = "10.1.1.10", "192.0.2.25"

# Attachments (deterministic bytes).
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes((i * 37 + 11) % 256 for i in range(3000))
PAYLOAD = b"WORMWATCH-TEST-PAYLOAD:7f3a9c1e:harmless stand-in for a mass-mailing worm body"
PDF = b"%PDF-1.4\n" + bytes((i * 13 + 7) % 256 for i in range(2000)) + b"\n%%EOF\n"
DOTS = b"line one\r\n.starts with a dot\r\n..two dots\r\n.\r\nnot the end\r\n"


def zipped(name, data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        zi = zipfile.ZipInfo(name, date_time=(2004, 1, 27, 8, 0, 0))
        z.writestr(zi, data)
    return buf.getvalue()


ZIP = zipped("readme.pif", EXE + PAYLOAD)
ATTACHMENTS = {"body.exe": EXE, "doc.pdf": PDF, "dots.txt": DOTS, "document.zip": ZIP}


def b64(data, width=76):
    s = base64.b64encode(data)
    return b"\r\n".join(s[i:i + width] for i in range(0, len(s), width)) + b"\r\n"


def message(name="body.exe", data=EXE, subject=b"hello", eol=b"\r\n", extra_headers=b""):
    m = (b"From: alice@example.com\r\nTo: bob@example.org\r\nSubject: " + subject + b"\r\n" +
         extra_headers + b"MIME-Version: 1.0\r\n"
         b"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\n"
         b"Content-Type: text/plain\r\n\r\nsee attachment\r\n--XX\r\n"
         b"Content-Type: application/octet-stream; name=\"" + name.encode() + b"\"\r\n"
         b"Content-Disposition: attachment; filename=\"" + name.encode() + b"\"\r\n"
         b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(data) + b"--XX--\r\n")
    if eol != b"\r\n":
        m = m.replace(b"\r\n", eol)
    return m


def stuff(m):
    out = []
    for line in m.split(b"\r\n"):
        out.append(b"." + line if line.startswith(b".") else line)
    return b"\r\n".join(out)


def dotted_message():
    # An attachment in 7bit whose lines start with dots: unstuffing must restore them.
    return (b"From: alice@example.com\r\nSubject: dots\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"D\"\r\n\r\n--D\r\n"
            b"Content-Type: text/plain; name=\"dots.txt\"\r\n"
            b"Content-Disposition: attachment; filename=\"dots.txt\"\r\n\r\n" + DOTS +
            b"\r\n--D--\r\n")


GREET = [("s", b"220 mx.example.org ESMTP\r\n"), ("c", b"EHLO pc1.example.com\r\n"),
         ("s", b"250-mx.example.org\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-STARTTLS\r\n"
               b"250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")]
END = [("c", b"QUIT\r\n"), ("s", b"221 2.0.0 Bye\r\n")]


def data_txn(msg, frm=b"alice@example.com", rcpts=(b"bob@example.org",), final=b"250 2.0.0 Ok: queued as A1\r\n"):
    ex = [("c", b"MAIL FROM:<" + frm + b">\r\n"), ("s", b"250 2.1.0 Ok\r\n")]
    for r in rcpts:
        ex += [("c", b"RCPT TO:<" + r + b">\r\n"), ("s", b"250 2.1.5 Ok\r\n")]
    ex += [("c", b"DATA\r\n"), ("s", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
           ("c", stuff(msg) + b".\r\n"), ("s", final)]
    return ex


M = message()
DIALOGUES = {
    # EHLO, MAIL, RCPT, DATA, a base64 attachment, multi-line EHLO reply, QUIT.
    "basic": GREET + data_txn(M) + END,
    # HELO instead of EHLO.
    "helo": [("s", b"220 mx\r\n"), ("c", b"HELO oldpc\r\n"), ("s", b"250 mx\r\n")] + data_txn(M) + END,
    # BDAT in two chunks, the last with LAST.
    "bdat": GREET + [("c", b"MAIL FROM:<alice@example.com>\r\n"), ("s", b"250 Ok\r\n"),
                     ("c", b"RCPT TO:<bob@example.org>\r\n"), ("s", b"250 Ok\r\n"),
                     ("c", b"BDAT 1000\r\n" + M[:1000]), ("s", b"250 2.0.0 1000 octets\r\n"),
                     ("c", b"BDAT %d LAST\r\n" % (len(M) - 1000) + M[1000:]),
                     ("s", b"250 2.0.0 Ok: queued\r\n")] + END,
    # BDAT with the whole message, then an empty BDAT 0 LAST.
    "bdat-zero-last": GREET + [("c", b"MAIL FROM:<alice@example.com>\r\n"), ("s", b"250 Ok\r\n"),
                               ("c", b"RCPT TO:<bob@example.org>\r\n"), ("s", b"250 Ok\r\n"),
                               ("c", b"BDAT %d\r\n" % len(M) + M), ("s", b"250 Ok\r\n"),
                               ("c", b"BDAT 0 LAST\r\n"), ("s", b"250 2.0.0 Ok: queued\r\n")] + END,
    # PIPELINING: MAIL/RCPT/RSET/MAIL/RCPT/DATA in one segment, replies in one.
    "pipelining-rset": GREET + [
        ("c", b"MAIL FROM:<first@example.com>\r\nRCPT TO:<x@example.org>\r\nRSET\r\n"
              b"MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"),
        ("s", b"250 Ok\r\n250 Ok\r\n250 Reset\r\n250 Ok\r\n250 Ok\r\n354 go\r\n"),
        ("c", stuff(M) + b".\r\n"), ("s", b"250 2.0.0 Ok: queued\r\n")] + END,
    # NOOP and VRFY between transactions do not disturb them.
    "noop-vrfy": GREET + [("c", b"NOOP\r\n"), ("s", b"250 Ok\r\n"), ("c", b"VRFY bob\r\n"),
                          ("s", b"252 2.0.0 bob\r\n")] + data_txn(M) + END,
    # AUTH PLAIN with an initial response: the mechanism is recorded, the secret never.
    "auth": GREET + [("c", b"AUTH PLAIN AGFsaWNlAHMzY3JldC1wYXNzd29yZA==\r\n"),
                     ("s", b"235 2.7.0 Authentication successful\r\n")] + data_txn(M) + END,
    # STARTTLS accepted: nothing after it is inspected.
    "starttls-accepted": GREET + [("c", b"STARTTLS\r\n"), ("s", b"220 2.0.0 Ready to start TLS\r\n"),
                                  ("c", b"\x16\x03\x01\x00\x30" + bytes(48)),
                                  ("s", b"\x16\x03\x01\x00\x30" + bytes(48))],
    # STARTTLS refused: inspection goes on and the message is seen.
    "starttls-refused": GREET + [("c", b"STARTTLS\r\n"), ("s", b"454 4.7.0 TLS not available\r\n")]
                        + data_txn(M) + END,
    # One recipient refused, one accepted.
    "rcpt-rejected": GREET + [("c", b"MAIL FROM:<alice@example.com>\r\n"), ("s", b"250 Ok\r\n"),
                              ("c", b"RCPT TO:<nobody@example.org>\r\n"),
                              ("s", b"550 5.1.1 <nobody@example.org>: Recipient address rejected\r\n"),
                              ("c", b"RCPT TO:<bob@example.org>\r\n"), ("s", b"250 Ok\r\n"),
                              ("c", b"DATA\r\n"), ("s", b"354 go\r\n"), ("c", stuff(M) + b".\r\n"),
                              ("s", b"250 Ok: queued\r\n")] + END,
    # The server refuses the message after the data: status rejected, file still extracted.
    "data-rejected": GREET + data_txn(M, final=b"554 5.7.1 Message rejected: virus found\r\n") + END,
    # The server refuses DATA itself (no 354): what follows is not a message.
    "data-refused": GREET + [("c", b"MAIL FROM:<alice@example.com>\r\n"), ("s", b"250 Ok\r\n"),
                             ("c", b"RCPT TO:<bob@example.org>\r\n"), ("s", b"250 Ok\r\n"),
                             ("c", b"DATA\r\n"), ("s", b"554 5.5.1 No valid recipients\r\n")] + END,
    # Dot-stuffed lines inside the attachment come out unstuffed.
    "dot-unstuffing": GREET + data_txn(dotted_message()) + END,
    # Three transactions in one session.
    "multi-transaction": GREET + data_txn(M) +
        data_txn(message("doc.pdf", PDF, b"second"), frm=b"carol@example.com", rcpts=(b"dan@example.org", b"eve@example.org")) +
        data_txn(message("document.zip", ZIP, b"third")) + END,
    # Bare LF line ends in the whole dialogue and message.
    "bare-lf": [("s", b"220 mx\n"), ("c", b"EHLO lfpc\n"), ("s", b"250 mx\n"),
                ("c", b"MAIL FROM:<alice@example.com>\n"), ("s", b"250 Ok\n"),
                ("c", b"RCPT TO:<bob@example.org>\n"), ("s", b"250 Ok\n"), ("c", b"DATA\n"),
                ("s", b"354 go\n"), ("c", message(eol=b"\n") + b".\n"), ("s", b"250 Ok\n"),
                ("c", b"QUIT\n"), ("s", b"221 Bye\n")],
    # A command line over 4096 bytes: cut, flagged, the session goes on.
    "long-command": GREET + [("c", b"MAIL FROM:<" + b"a" * 5000 + b"@example.com>\r\n"),
                             ("s", b"501 5.1.7 Bad sender address syntax\r\n")] + data_txn(M) + END,
    # Multi-line replies everywhere (greeting, MAIL, final reply).
    "multiline-replies": [("s", b"220-mx.example.org ESMTP\r\n220-no UCE\r\n220 welcome\r\n"),
                          ("c", b"EHLO pc1\r\n"), ("s", b"250-mx\r\n250-SIZE 1000000\r\n250 HELP\r\n"),
                          ("c", b"MAIL FROM:<alice@example.com>\r\n"), ("s", b"250-Sender\r\n250 ok\r\n"),
                          ("c", b"RCPT TO:<bob@example.org>\r\n"), ("s", b"250 ok\r\n"),
                          ("c", b"DATA\r\n"), ("s", b"354-go\r\n354 on\r\n"), ("c", stuff(M) + b".\r\n"),
                          ("s", b"250-2.0.0 Ok\r\n250 queued as B2\r\n")] + END,
    # Bytes lost in the command phase: the parser re-synchronises and the next
    # transaction is reported with its attachment.
    "gap-resync": GREET + [("c", b"MAIL FROM:<lost@example.com>\r\n"), ("s", b"250 Ok\r\n"),
                           ("gap-c", 200),
                           ("c", b"RCPT TO:<lost2@example.org>\r\nDATA\r\n" + b"x" * 166 +
                                 b"\r\nmore lost body\r\n.\r\n"),
                           ("s", b"250 Ok\r\n354 go\r\n250 Ok: queued\r\n")] + data_txn(M) + END,
}
PORTS = {"any-port": 3127}
DIALOGUES["any-port"] = DIALOGUES["basic"]


def packets(exchanges, sport=40000, dport=25):
    c_seq, s_seq = 1000, 5000
    t = T0
    out = []

    def add(src, dst, sp, dp, flags, seq, ack, data=b""):
        nonlocal t
        p = Ether(**ETH) / IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack, window=65535)
        if data:
            p = p / data
        p.time = t
        t += 0.001
        out.append(p)

    add(CLIENT, SERVER, sport, dport, "S", c_seq, 0)
    add(SERVER, CLIENT, dport, sport, "SA", s_seq, c_seq + 1)
    c_seq += 1
    s_seq += 1
    add(CLIENT, SERVER, sport, dport, "A", c_seq, s_seq)
    skip = 0
    for who, data in exchanges:
        if who == "gap-c":
            skip = data
            continue
        for i in range(0, len(data), 1400):
            seg = data[i:i + 1400]
            if who == "c":
                if skip:
                    drop = min(skip, len(seg))
                    skip -= drop
                    c_seq += drop
                    seg = seg[drop:]
                    if not seg:
                        continue
                add(CLIENT, SERVER, sport, dport, "PA", c_seq, s_seq, seg)
                c_seq += len(seg)
            else:
                add(SERVER, CLIENT, dport, sport, "PA", s_seq, c_seq, seg)
                s_seq += len(seg)
        # The receiver acknowledges what it got.
        if who == "c":
            add(SERVER, CLIENT, dport, sport, "A", s_seq, c_seq)
        else:
            add(CLIENT, SERVER, sport, dport, "A", c_seq, s_seq)
    add(CLIENT, SERVER, sport, dport, "FA", c_seq, s_seq)
    add(SERVER, CLIENT, dport, sport, "FA", s_seq, c_seq + 1)
    add(CLIENT, SERVER, sport, dport, "A", c_seq + 1, s_seq + 1)
    return out


def main():
    if sys.argv[1:] == ["--hashes"]:
        for n, d in ATTACHMENTS.items():
            print(n, hashlib.sha256(d).hexdigest(), len(d))
        return
    name, out = sys.argv[1], sys.argv[2]
    wrpcap(out, packets(DIALOGUES[name], dport=PORTS.get(name, 25)))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Seed corpora for the libFuzzer harnesses, cut from the committed captures.

fuzz_decode: one file per frame, first byte = link type index as the harness maps it.
fuzz_packet_path: one file per raw-IP capture, each packet as [flags][len16][bytes].
Usage: make_seeds.py PCAP_DIR OUT_DIR
"""
import os
import struct
import sys

# Index in fuzz_decode.cc's kLinks for each pcap link type.
LINK_INDEX = {1: 0, 101: 1, 0: 2, 108: 3, 113: 4, 276: 5, 228: 6, 229: 7}
HDR_LEN = {1: 14, 101: 0, 0: 4, 108: 4, 113: 16, 276: 20}


def frames(path):
    data = open(path, "rb").read()
    if len(data) < 24 or struct.unpack("<I", data[:4])[0] != 0xA1B2C3D4:
        return None, []
    link = struct.unpack("<I", data[20:24])[0]
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        off += 16
        out.append(data[off:off + incl])
        off += incl
    return link, out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    dec, path = os.path.join(dst, "decode"), os.path.join(dst, "packet_path")
    smtp = os.path.join(dst, "smtp")
    mime = os.path.join(dst, "mime")
    for d in (dec, path, smtp, mime):
        os.makedirs(d, exist_ok=True)
    # SMTP seeds: the payload bytes of the SMTP capture, in capture order.
    # Encoded as the harness reads it: op byte = ((len-1) << 3) | dir, then len bytes.
    link, fs = frames(os.path.join(src, "smtp-2525.pcap"))
    ops = b""
    for f in fs:
        ip = f[14:]
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        off = (tcp[12] >> 4) * 4
        data = tcp[off:]
        direction = 0 if struct.unpack(">H", tcp[2:4])[0] == 2525 else 1
        for i in range(0, len(data), 32):
            chunk = data[i:i + 32]
            ops += bytes([((len(chunk) - 1) << 3) | direction]) + chunk
    with open(os.path.join(smtp, "session"), "wb") as o:
        o.write(ops)
    # MIME seed: two limit bytes, then a small multipart message with a base64 file.
    msg = (b"From: a@example.com\r\nSubject: =?UTF-8?B?aGk=?=\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npre\r\n--b1\r\n"
           b"Content-Type: text/plain\r\n\r\nhello\r\n--b1\r\n"
           b"Content-Type: application/octet-stream; name=\"a.exe\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename*0*=utf-8''a%20b; filename*1=.zip\r\n\r\n"
           b"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\r\n--b1--\r\n")
    with open(os.path.join(mime, "multipart"), "wb") as o:
        o.write(b"\x00\x00" + msg)
    n = 0
    for name in sorted(os.listdir(src)):
        if not name.endswith(".pcap"):
            continue
        link, fs = frames(os.path.join(src, name))
        if link not in LINK_INDEX:
            continue
        rec = b""
        for i, f in enumerate(fs):
            with open(os.path.join(dec, f"{name}-{i}"), "wb") as o:
                o.write(bytes([LINK_INDEX[link]]) + f)
            n += 1
            ip = f[HDR_LEN.get(link, 0):]
            if link == 1 and len(f) >= 14 and f[12:14] not in (b"\x08\x00", b"\x86\xdd"):
                continue
            rec += bytes([(i % 2)]) + struct.pack(">H", len(ip)) + ip
        with open(os.path.join(path, name), "wb") as o:
            o.write(rec)
    print(f"seeds: {n} frames")


if __name__ == "__main__":
    main()

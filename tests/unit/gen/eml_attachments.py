#!/usr/bin/python3
"""Independent decoder for the generator tests: reads every .eml file in a
directory (what `tshark --export-objects imf,DIR` writes) with Python's
`email` package and prints one JSON object per file: the decoded subject and,
per attachment (a part with a file name or a non-text type, message/rfc822
parts excepted: their inner parts are listed instead), its decoded name,
transfer encoding,
declared type, size and SHA-256. Shares no code with tools/gen.

Usage: /usr/bin/python3 eml_attachments.py DIR
"""
import email
import email.policy
import hashlib
import json
import os
import re
import sys


def attachments(msg):
    out = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        name = part.get_filename()
        if name is None and ctype.startswith("text/"):
            continue
        data = part.get_payload(decode=True) or b""
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        out.append({"name": name or "", "content_type": ctype, "cte": cte, "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest()})
    return out


def main():
    d = sys.argv[1]
    for f in sorted(os.listdir(d)):
        with open(os.path.join(d, f), "rb") as fh:
            raw = fh.read()
        # Wireshark exports the DATA bytes still dot-stuffed (RFC 5321 4.5.2):
        # remove the first "." of every line that starts with one.
        raw = re.sub(rb"(^|\n)\.", rb"\1", raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        print(json.dumps({"file": f, "subject": str(msg.get("subject", "")),
                          "message_id": str(msg.get("message-id", "")),
                          "attachments": attachments(msg)}, ensure_ascii=False))


if __name__ == "__main__":
    main()

#!/bin/bash
# Records SMTP between real peers for pcaps/: swaks (client) mails three
# attachments (a clean text file, EICAR inside a zip, a fake executable
# carrying the WORMWATCH test payload) to a real server, captured with
# tcpdump on a veth pair between two network namespaces. Servers:
#   aiosmtpd  (/usr/bin/python3 -m aiosmtpd -n -l ADDR:2525)  -> real-aiosmtpd.pcap
#   postfix   (postfix -c TMPDIR start, port 25, mail discarded) -> real-postfix.pcap
# Each capture gets a manifest FILE.json in the wwgen "mail"/"hosts" shape
# (hashes computed from the attachment files, endpoints and MAIL FROM times
# read back from the capture with tshark).
#
# Run as root: sudo pcaps/scripts/record_real_peers.sh [OUT_DIR]   (default: pcaps/)
# Everything it creates (namespaces, veth, temp dir, processes) is removed at
# exit, also on failure. Addresses exist only inside the namespaces.
set -euo pipefail

OUT=$(cd "${1:-$(dirname "$0")/..}" && pwd)
ID=$$
NS_S=ww-srv-$ID
NS_C=ww-cli-$ID
VS=wws$ID
VC=wwc$ID
SRV=10.99.0.25
CLI=10.99.0.10
TMP=$(mktemp -d /tmp/ww-real-peers.XXXXXX)
PIDS=()

cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  if [ -f "$TMP/pf/main.cf" ]; then ip netns exec "$NS_S" postfix -c "$TMP/pf" stop >/dev/null 2>&1; fi
  ip netns del "$NS_S" 2>/dev/null
  ip netns del "$NS_C" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "record_real_peers.sh: run as root (namespaces, tcpdump)" >&2; exit 1; }
for t in ip tcpdump swaks postfix tshark /usr/bin/python3; do
  command -v "$t" >/dev/null || { echo "record_real_peers.sh: $t not installed" >&2; exit 1; }
done

ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$VC" type veth peer name "$VS"
ip link set "$VC" netns "$NS_C"
ip link set "$VS" netns "$NS_S"
ip -n "$NS_S" addr add $SRV/24 dev "$VS"
ip -n "$NS_C" addr add $CLI/24 dev "$VC"
for ns_dev in "$NS_S $VS" "$NS_C $VC"; do
  set -- $ns_dev
  ip -n "$1" link set "$2" mtu 9000 up
  ip -n "$1" link set lo up
  # Real checksums on the wire (no offload), so the capture checks clean.
  ip netns exec "$1" ethtool -K "$2" tx off rx off >/dev/null 2>&1 || true
done

# The attachments.
/usr/bin/python3 - "$TMP" <<'PY'
import sys, zipfile, os
d = sys.argv[1]
open(os.path.join(d, "notes.txt"), "wb").write(b"Minutes of the 27 January meeting.\r\nBudget approved.\r\n")
eicar = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
with zipfile.ZipFile(os.path.join(d, "eicar.zip"), "w", zipfile.ZIP_STORED) as z:
    zi = zipfile.ZipInfo("eicar.com", date_time=(2004, 1, 27, 8, 0, 0))
    z.writestr(zi, eicar)
exe = bytearray(b"MZ\x90\x00" + b"\x00" * 252)
exe += b"WORMWATCH-TEST-PAYLOAD:7f3a9c1e:harmless stand-in for a mass-mailing worm body"
exe += bytes((i * 131 + 7) % 256 for i in range(4096))
open(os.path.join(d, "document.scr"), "wb").write(bytes(exe))
PY

send_three() {  # server port
  local port=$1
  ip netns exec "$NS_C" swaks --server $SRV --port "$port" --helo pc1.corp.example.org \
    --from alice@corp.example.org --to bob@test.example --header "Subject: notes" \
    --body "Clean text attachment." --attach-type text/plain --attach-name notes.txt \
    --attach @"$TMP/notes.txt" >/dev/null
  ip netns exec "$NS_C" swaks --server $SRV --port "$port" --helo pc1.corp.example.org \
    --from alice@corp.example.org --to bob@test.example --header "Subject: eicar" \
    --body "EICAR in a zip." --attach-type application/zip --attach-name eicar.zip \
    --attach @"$TMP/eicar.zip" >/dev/null
  ip netns exec "$NS_C" swaks --server $SRV --port "$port" --helo pc1.corp.example.org \
    --from alice@corp.example.org --to bob@test.example --header "Subject: hello" \
    --body "The message contains Unicode characters and has been sent as a binary attachment." \
    --attach-type application/octet-stream --attach-name document.scr \
    --attach @"$TMP/document.scr" >/dev/null
}

capture_start() {  # file filter
  ip netns exec "$NS_S" tcpdump -i "$VS" -s 0 --immediate-mode -U -w "$1" "$2" >/dev/null 2>&1 &
  PIDS+=($!)
  sleep 1
}
capture_stop() {
  sleep 1
  kill "${PIDS[-1]}"
  wait "${PIDS[-1]}" 2>/dev/null || true
  unset 'PIDS[-1]'
}

write_manifest() {  # pcap server_label
  /usr/bin/python3 - "$1" "$2" "$TMP" <<'PY'
import hashlib, json, subprocess, sys, os, datetime
pcap, label, d = sys.argv[1:4]
def h(name):
    b = open(os.path.join(d, name), "rb").read()
    return {"size": len(b), "md5": hashlib.md5(b).hexdigest(), "sha256": hashlib.sha256(b).hexdigest()}
files = {"notes": ("notes.txt", "text/plain", False, None),
         "eicar": ("eicar.zip", "application/zip", True, ["eicar.com"]),
         "hello": ("document.scr", "application/octet-stream", True, None)}
out = subprocess.run(["tshark", "-n", "-r", pcap, "-o", "smtp.tcp.port:25,2525" if False else "tcp.desegment_tcp_streams:TRUE",
                      "-d", "tcp.port==2525,smtp", "-Y", "smtp.req.command == \"MAIL\"", "-T", "fields",
                      "-e", "frame.time_epoch", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport"],
                     capture_output=True, text=True, check=True).stdout.split("\n")
rows = [l.split("\t") for l in out if l.strip()]
subjects = ["notes", "eicar", "hello"]
txs = []
for subj, r in zip(subjects, rows):
    ts = datetime.datetime.fromtimestamp(float(r[0]), datetime.timezone.utc)
    name, ctype, inf, members = files[subj]
    a = {"name": name, **h(name), "content_type": ctype, "infected": inf, "required": True}
    if members: a["members"] = members
    txs.append({"client": r[1], "client_port": int(r[2]), "server": r[3], "server_port": int(r[4]),
                "helo": "pc1.corp.example.org", "mail_from": "alice@corp.example.org",
                "rcpt_to": ["bob@test.example"], "subject": subj, "accepted": True, "infected": inf,
                "evasion_case": None, "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%f+0000"), "attachments": [a]})
m = {"format": "wwgen-manifest", "format_version": 1, "generator": "record_real_peers.sh",
     "scenario": "real-peers", "server": label,
     "mail": {"messages": len(txs), "infected_messages": sum(t["infected"] for t in txs),
              "transactions": txs},
     "hosts": {"home_net": ["10.99.0.0/24"], "mail_relays": [], "infected": [], "listeners": [],
               "scanners": [], "benign": ["10.99.0.10"]}}
json.dump(m, open(pcap + ".json", "w"), indent=1)
open(pcap + ".json", "a").write("\n")
PY
}

# --- aiosmtpd on 2525 ---
ip netns exec "$NS_S" /usr/bin/python3 -m aiosmtpd -n -l $SRV:2525 >/dev/null 2>&1 &
PIDS+=($!)
sleep 2
capture_start "$OUT/real-aiosmtpd.pcap" "tcp port 2525"
send_three 2525
capture_stop
write_manifest "$OUT/real-aiosmtpd.pcap" "aiosmtpd"

# --- postfix on 25 ---
mkdir -p "$TMP/pf" "$TMP/pf-queue" "$TMP/pf-data"
chmod 755 "$TMP"
chown postfix "$TMP/pf-data"
cat >"$TMP/pf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $TMP/pf-queue
data_directory = $TMP/pf-data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = $SRV
inet_protocols = ipv4
myhostname = mx.test.example
mydestination = test.example
mynetworks = 10.99.0.0/24
local_transport = discard:
default_transport = discard:
alias_maps =
alias_database =
local_recipient_maps =
smtpd_banner = \$myhostname ESMTP Postfix
maillog_file = /dev/stdout
CF
cat >"$TMP/pf/master.cf" <<'CF'
smtp      inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000    0       flush
proxymap  unix  -       -       n       -       -       proxymap
discard   unix  -       -       n       -       -       discard
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
postlog   unix-dgram n  -       n       -       1       postlogd
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
CF
ip netns exec "$NS_S" postfix -c "$TMP/pf" check
ip netns exec "$NS_S" postfix -c "$TMP/pf" start 2>&1 | tail -5
sleep 2
capture_start "$OUT/real-postfix.pcap" "tcp port 25"
send_three 25
capture_stop
write_manifest "$OUT/real-postfix.pcap" "postfix"
ls -l "$OUT"/real-*.pcap

#!/usr/bin/python3
"""Differential test of the DPDK capture source (ctest label dpdk).

For every regression case under tests/regress/cases whose capture is a plain
Ethernet pcap, the records of

    wormwatch -r CAP --workers 1 ARGS                         (reference)
    wormwatch --vdev net_pcap0,rx_pcap=CAP ARGS               (1 RX queue)
    wormwatch --vdev net_pcap0,rx_pcap=A,rx_pcap=B ARGS       (2 RX queues, 2 lcores)

must be the same, where A and B split CAP by the engine's symmetric host-pair hash
(pcap_split), as a NIC with symmetric RSS on IP addresses would. ARGS are the case's
own arguments (home_net, reassembly settings, ...). Records are compared after
dropping `stats` records, sorted line by line (several workers write). A chained-mbuf
pass repeats the 1-queue run with capture.dpdk.mbuf_size=256, so every full-size frame
arrives as a chain of mbufs and is linearised.

  dpdk_diff.py --wormwatch BIN --wwgen BIN --split BIN --src ROOT --out DIR [--dpdk ON|OFF]

Exit 0 = pass, 1 = a difference or a failed run, 77 = skipped (no DPDK in this build).
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import time

import yaml

# --file-prefix per run: the test runs two wormwatch processes at a time.
EAL_1 = "--no-huge --no-pci --no-shconf -l 0 -m 128 --file-prefix"
EAL_2 = "--no-huge --no-pci --no-shconf -l 0-1 -m 128 --file-prefix"
IDLE = ["--set", "capture.dpdk.idle_exit_ms=300"]


def plain_ethernet_pcap(path):
    try:
        with open(path, "rb") as f:
            hdr = f.read(24)
    except OSError:
        return False
    if len(hdr) < 24:
        return False
    magic = struct.unpack("<I", hdr[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        link = struct.unpack("<I", hdr[20:24])[0]
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        link = struct.unpack(">I", hdr[20:24])[0]
    else:
        return False  # pcapng or not a capture
    return (link & 0xFFFF) == 1


def subst(s, pcap, out, src, gen):
    return (s.replace("${PCAP}", pcap or "").replace("${OUT}", out)
            .replace("${SRC}", src).replace("${GEN}", gen))


def collect_cases(a):
    """(name, capture, args) for every case with one plain Ethernet pcap."""
    cases, skipped, seen = [], [], {}
    root = os.path.join(a.src, "tests", "regress", "cases")
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name, "test.yaml")
        if not os.path.isfile(path):
            continue
        if a.only and name not in a.only.split(","):
            continue
        t = yaml.safe_load(open(path))
        if t.get("exit_code", 0) != 0 or t.get("prefix") or name.startswith("error-"):
            skipped.append((name, "an error or privilege case"))
            continue
        out = os.path.join(a.out, "cases", name)
        os.makedirs(out, exist_ok=True)
        pcap = None
        if t.get("generate"):
            pcap = os.path.join(out, "gen.pcap")
            cmd = [a.wwgen] + [str(x) for x in t["generate"]] + ["--out", pcap]
            if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
                print(f"FAIL {name}: wwgen {' '.join(cmd)} failed")
                return None, None
        elif t.get("pcap"):
            pcap = os.path.join(a.src, t["pcap"])
        for c in t.get("setup") or []:
            c = subst(c, pcap, out, a.src, a.wwgen)
            if subprocess.run(c, shell=True, stdout=subprocess.DEVNULL).returncode:
                print(f"FAIL {name}: setup {c} failed")
                return None, None
        args, reads, i = [], [], 0
        raw = [subst(str(x), pcap, out, a.src, a.wwgen) for x in (t.get("args") or [])]
        while i < len(raw):
            if raw[i] in ("-r", "--read"):
                reads.append(raw[i + 1])
                i += 2
            elif raw[i] in ("--workers", "-l", "--log-dir"):
                i += 2
            else:
                args.append(raw[i])
                i += 1
        if reads:
            pcap = reads[0] if len(reads) == 1 else None
        if not pcap or not os.path.isfile(pcap):
            skipped.append((name, "several captures or a directory"))
            continue
        if any(x in ("--bpf", "-F") for x in args):
            skipped.append((name, "BPF filter (not applied to DPDK ports)"))
            continue
        if "scan.on_full=skip" in args:
            skipped.append((name, "which files are skipped depends on scan timing by design"))
            continue
        if not plain_ethernet_pcap(pcap):
            skipped.append((name, "not a plain Ethernet pcap"))
            continue
        # One run per capture: several cases share a generated capture with other
        # settings (home_net, scan queue); the first case's arguments are used.
        digest = hashlib.sha256(open(pcap, "rb").read()).hexdigest()
        if digest in seen:
            skipped.append((name, f"same capture as {seen[digest]}"))
            continue
        seen[digest] = name
        cases.append((name, pcap, args))
    return cases, skipped


def run_ww(a, args, logdir):
    os.makedirs(logdir, exist_ok=True)
    cmd = [a.wormwatch, "-q", "-l", logdir] + args
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-2000:]}")
    recs = [json.loads(line) for line in open(os.path.join(logdir, "eve.json"))]
    return recs, p.stderr


def normalise(recs):
    """Records without `stats` and without fileinfo.scan.cache_hit: which of two
    identical attachments in flight at once is the verdict cache hit depends on
    the scan threads' timing, not on the capture (tests/regress turns the cache off
    for the same reason)."""
    out = []
    for r in recs:
        if r.get("event_type") == "stats":
            continue
        scan = (r.get("fileinfo") or {}).get("scan")
        if isinstance(scan, dict):
            scan.pop("cache_hit", None)
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)


def final_capture_stats(recs):
    stats = [r for r in recs if r.get("event_type") == "stats"]
    return stats[-1]["stats"]["capture"] if stats else {}


def compare(name, label, ref, got):
    a, b = normalise(ref), normalise(got)
    if a == b:
        return []
    only_ref = sorted(set(a) - set(b))[:3]
    only_got = sorted(set(b) - set(a))[:3]
    msg = [f"FAIL {name} [{label}]: {len(a)} reference records, {len(b)} from DPDK"]
    msg += [f"  only -r:   {x[:400]}" for x in only_ref]
    msg += [f"  only dpdk: {x[:400]}" for x in only_got]
    return msg


def check_case(a, case):
    name, pcap, args = case
    out = os.path.join(a.out, "runs", name)
    shutil.rmtree(out, ignore_errors=True)
    errors = []
    ref, _ = run_ww(a, ["-r", pcap, "--workers", "1"] + args, os.path.join(out, "ref"))
    if not normalise(ref):
        errors.append(f"FAIL {name}: the reference run wrote no records")

    eal1 = ["--set", f"capture.dpdk.eal_args={EAL_1} ww-{name}-1"]
    one, err1 = run_ww(a, ["--vdev", f"net_pcap0,rx_pcap={pcap}"] + eal1 + IDLE + args,
                       os.path.join(out, "q1"))
    errors += compare(name, "1 queue", ref, one)
    ref_cap = final_capture_stats(ref)

    def check_capture(label, cap, want_err):
        # net_pcap counts a record cut off at the end of a file as an ierror.
        if (cap.get("packets") != ref_cap.get("packets") or cap.get("ierrors") != want_err or
                cap.get("imissed") != 0 or cap.get("rx_nombuf") != 0 or
                cap.get("dpdk_ipackets") != cap.get("packets")):
            errors.append(f"FAIL {name} [{label}]: capture stats {cap} vs -r {ref_cap}")

    check_capture("1 queue", final_capture_stats(one), ref_cap.get("files_truncated", 0))

    parts = os.path.join(out, "part")
    os.makedirs(out, exist_ok=True)
    p = subprocess.run([a.split, pcap, "2", parts], capture_output=True, text=True)
    if p.returncode:
        return errors + [f"FAIL {name}: pcap_split: {p.stderr}"]
    vdev = f"net_pcap0,rx_pcap={parts}.0.pcap,rx_pcap={parts}.1.pcap"
    two, err2 = run_ww(a, ["--vdev", vdev, "--set", f"capture.dpdk.eal_args={EAL_2} ww-{name}-2"] + IDLE + args,
                       os.path.join(out, "q2"))
    ref2 = ref
    if any(x.startswith("flow.max_flows=") for x in args):
        # The flow table cap is per worker: two queues have twice the table, as
        # -r --workers 2 (same host-pair split) has.
        ref2, _ = run_ww(a, ["-r", pcap, "--workers", "2"] + args, os.path.join(out, "ref2"))
    errors += compare(name, f"2 queues, split {p.stdout.strip()}", ref2, two)
    check_capture("2 queues", final_capture_stats(two), 0)  # the split files are whole
    if "2 workers, one per RX queue" not in err2:
        errors.append(f"FAIL {name} [2 queues]: expected 2 workers; stderr:\n{err2[-1500:]}")

    chained = None
    if a.chained_names is None or name in a.chained_names:
        ch, _ = run_ww(a, ["--vdev", f"net_pcap0,rx_pcap={pcap}"] + eal1 + IDLE +
                       ["--set", "capture.dpdk.mbuf_size=256"] + args, os.path.join(out, "chained"))
        errors += compare(name, "chained mbufs (mbuf_size 256)", ref, ch)
        chained = final_capture_stats(ch).get("linearised", 0)
    return errors, chained, p.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wormwatch", required=True)
    ap.add_argument("--wwgen", required=True)
    ap.add_argument("--split", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dpdk", default="ON")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated case names")
    a = ap.parse_args()
    # The chained-mbuf pass (mbuf_size 256: every full-size frame is a chain) on
    # the captures with mail and attachments, to keep the test short.
    a.chained_names = {"smtp-basic", "smtp-bdat", "smtp-dot-unstuffing", "eicar",
                       "real-peers-postfix", "real-peers-aiosmtpd", "outbreak-detections",
                       "evasion-zip-in-zip", "clamav-testfiles", "generated-mixed"}
    if a.dpdk.upper() not in ("ON", "1", "TRUE", "YES"):
        p = subprocess.run([a.wormwatch, "--dpdk"], capture_output=True, text=True)
        ok = p.returncode != 0 and "this build has no DPDK support" in p.stderr
        print(("checked: " if ok else "FAIL: ") + "--dpdk without DPDK says: " + p.stderr.strip())
        print("SKIP: this build has no DPDK (install libdpdk-dev and rebuild); "
              "the differential test needs it")
        return 77 if ok else 1
    if os.geteuid() != 0:
        print("SKIP: DPDK (even --no-huge) needs root here")
        return 77
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    cases, skipped = collect_cases(a)
    if cases is None:
        return 1
    for name, why in skipped:
        print(f"skip {name}: {why}")
    print(f"{len(cases)} captures to compare")
    failures, linearised = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(check_case, a, c): c[0] for c in cases}
        for f in concurrent.futures.as_completed(futs):
            name = futs[f]
            try:
                errs, chained, split = f.result()
            except Exception as e:  # a failed run is a failure of this case
                errs, chained, split = [f"FAIL {name}: {e}"], None, "-"
            linearised += chained or 0
            print(f"{'FAIL' if errs else 'ok  '} {name} (split {split}, linearised {chained})")
            failures += errs
    for e in failures:
        print(e)
    if len(cases) < 15:
        failures.append(f"FAIL: only {len(cases)} plain pcaps among the regression cases (want 15)")
        print(failures[-1])
    if linearised == 0:
        failures.append("FAIL: no chained mbuf was linearised with capture.dpdk.mbuf_size=256")
        print(failures[-1])
    print(f"{len(cases)} captures, {len(failures)} failures, {linearised} chained mbufs "
          f"linearised, {time.time() - t0:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

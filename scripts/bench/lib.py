#!/usr/bin/env python3
"""Helpers for scripts/bench.sh: timing records, pcap prefixes, EVE stats, the report.

  lib.py record OUT.jsonl LABEL WALL TIMEV_FILE RC [EVE_DIR] [extra JSON]
      append one run (wall from the shell's clock; CPU and peak RSS from
      /usr/bin/time -v; the final EVE stats record when EVE_DIR is given)
  lib.py prefix IN OUT BYTES      copy whole pcap records until OUT holds BYTES
  lib.py pcapinfo FILE            {"packets", "wire_bytes", "file_bytes"} of a classic pcap
  lib.py perf-top REPORT_TXT N    top N symbols of `perf report --stdio` as JSON
  lib.py report WORK ROOT ...     build bench/results.json and the results.md section
"""
import json
import os
import re
import struct
import sys
import time


def parse_timev(path):
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("User time (seconds):"):
                out["user"] = float(line.split(":")[1])
            elif line.startswith("System time (seconds):"):
                out["sys"] = float(line.split(":")[1])
            elif line.startswith("Maximum resident set size (kbytes):"):
                out["peak_rss_kib"] = int(line.split(":")[1])
            elif line.startswith("Command terminated by signal"):
                out["signal"] = line
    out["cpu"] = round(out.get("user", 0) + out.get("sys", 0), 3)
    return out


def last_stats(eve_dir):
    path = os.path.join(eve_dir, "eve.json")
    last = None
    with open(path, "rb") as f:
        # The final stats record is written last; read only the tail of big logs.
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - (8 << 20)))
        for line in f:
            if b'"event_type":"stats"' in line:
                last = line
    if last is None:
        return None
    return json.loads(last)["stats"]


def cmd_record(args):
    out, label, wall, timev, rc = args[:5]
    rec = {"label": label, "wall": round(float(wall), 3), "rc": int(rc)}
    rec.update(parse_timev(timev))
    if len(args) > 5 and args[5]:
        st = last_stats(args[5])
        if st is not None:
            rec["stats"] = st
    if len(args) > 6 and args[6]:
        rec.update(json.loads(args[6]))
    with open(out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    summary = f"  {label}: wall {rec['wall']:.2f} s, CPU {rec['cpu']:.2f} s, peak RSS {rec.get('peak_rss_kib', 0) // 1024} MiB"
    if rec["rc"] != 0:
        summary += f", exit status {rec['rc']}"
    print(summary, file=sys.stderr)


def pcap_records(path):
    """Yields (offset, record_length, wire_len) for a classic pcap."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        off = 24
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                return
            _, _, incl, orig = struct.unpack(endian + "IIII", rh)
            f.seek(incl, 1)
            yield off, 16 + incl, orig
            off += 16 + incl


def cmd_prefix(args):
    src, dst, limit = args[0], args[1], int(args[2])
    end = 24
    for off, n, _ in pcap_records(src):
        if off + n > limit:
            break
        end = off + n
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        left = end
        while left:
            chunk = fi.read(min(left, 8 << 20))
            if not chunk:
                break
            fo.write(chunk)
            left -= len(chunk)


def cmd_pcapinfo(args):
    packets = wire = 0
    for _, _, orig in pcap_records(args[0]):
        packets += 1
        wire += orig
    print(json.dumps({"packets": packets, "wire_bytes": wire, "file_bytes": os.path.getsize(args[0])}))


def cmd_perf_top(args):
    rows = []
    pat = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+(\S+)\s+\[[.k]\]\s+(.*)$")
    with open(args[0], errors="replace") as f:
        for line in f:
            m = pat.match(line)
            if m:
                rows.append({"self_percent": float(m.group(1)), "command": m.group(2),
                             "object": m.group(3), "symbol": re.sub(r"(\s+-)*\s*$", "", m.group(4))})
    print(json.dumps(rows[: int(args[1])]))


# Groups of work the issue asks about: (name, test on (symbol, dso)).
PERF_GROUPS = [
    ("sha256", lambda s, d: "sha256" in s.lower()),
    ("sha1", lambda s, d: "sha1" in s.lower() and "sha1" not in d),
    ("md5", lambda s, d: "md5" in s.lower()),
    ("base64 decode", lambda s, d: "base64" in s.lower()),
    ("libcrypto (all)", lambda s, d: "libcrypto" in d),
    ("libmagic (all)", lambda s, d: "libmagic" in d),
    ("libclamav (all)", lambda s, d: "libclamav" in d),
    ("libndpi (all)", lambda s, d: "libndpi" in d),
    ("JSON output (nlohmann)", lambda s, d: "nlohmann" in s),
    ("malloc/free", lambda s, d: "libc.so" in d and any(k in s for k in ("malloc", "free", "_int_", "cfree"))),
    ("regex (libc)", lambda s, d: "libc.so" in d and ("re_search" in s or "regexec" in s or "re_" in s[:3])),
]


def short(sym):
    sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
    sym = re.sub(r"\(.*\)$", "", sym) if sym.startswith("ww::") else sym
    return sym[:70]


def cmd_perf_callers(args):
    """perf script output -> per group: self and inclusive share of samples, and
    the wormwatch functions the inclusive samples come through (nearest ww:: frame)."""
    path = args[0]
    frame = re.compile(r"^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$")
    samples, cur = [], []
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                if cur:
                    samples.append(cur)
                    cur = []
                continue
            m = frame.match(line)
            if m:
                cur.append((m.group(1), os.path.basename(m.group(2))))
    if cur:
        samples.append(cur)
    total = len(samples) or 1
    out = {"samples": len(samples), "groups": []}
    for name, test in PERF_GROUPS:
        self_n = incl_n = 0
        via = {}
        for st in samples:
            if test(*st[0]):
                self_n += 1
            idx = next((i for i, fr in enumerate(st) if test(*fr)), None)
            if idx is None:
                continue
            incl_n += 1
            # The two nearest wormwatch functions above the matched frame.
            ww = [short(s) for s, d in st[idx + 1:] if s.startswith("ww::")][:2]
            key = " <- ".join(ww) or "(no wormwatch frame)"
            via[key] = via.get(key, 0) + 1
        top = sorted(via.items(), key=lambda kv: -kv[1])[:4]
        out["groups"].append({"group": name, "self_percent": round(100.0 * self_n / total, 2),
                              "inclusive_percent": round(100.0 * incl_n / total, 2),
                              "via": [{"callers": k, "percent": round(100.0 * v / total, 2)} for k, v in top]})
    print(json.dumps(out))


# ---------------------------------------------------------------- report

def load_runs(work, name):
    path = os.path.join(work, "runs", name + ".jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def best(runs):
    """Best run by wall time, with the lowest CPU time of all runs beside it."""
    ok = [r for r in runs if r["rc"] == 0] or runs
    if not ok:
        return None
    b = dict(min(ok, key=lambda r: r["wall"]))
    b["runs"] = len(runs)
    b["best_cpu"] = min(r["cpu"] for r in ok)
    b["all_wall"] = [r["wall"] for r in runs]
    b["all_cpu"] = [r["cpu"] for r in runs]
    return b


def rate(wire_bytes, seconds):
    return round(wire_bytes * 8 / seconds / 1e9, 4) if seconds > 0 else None


def contender(b, wire_bytes, loop, keep_stats=()):
    """Figures of one contender against the read loop on the same file."""
    if b is None:
        return None
    out = {
        "wall_s": b["wall"], "cpu_s": b["cpu"], "best_cpu_s": b["best_cpu"], "runs": b["runs"],
        "all_wall_s": b["all_wall"], "all_cpu_s": b["all_cpu"],
        "peak_rss_mib": round(b.get("peak_rss_kib", 0) / 1024, 1),
        "gbps_wall": rate(wire_bytes, b["wall"]), "gbps_cpu": rate(wire_bytes, b["best_cpu"]),
        "exit_status": b["rc"],
    }
    if loop:
        out["ratio_to_readloop_wall"] = round(loop["wall"] / b["wall"], 4)
        out["ratio_to_readloop_cpu"] = (round(loop["best_cpu"] / b["best_cpu"], 4)
                                        if b["best_cpu"] and loop["best_cpu"] >= 0.05 else None)
    for k in ("timed_out", "cap_s", "note"):
        if k in b:
            out[k] = b[k]
    st = b.get("stats")
    if st:
        for path in keep_stats:
            v = st
            for p in path.split("."):
                v = v.get(p) if isinstance(v, dict) else None
            out["stats." + path] = v
    return out


def read_json(path, default=None):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return default


def fmt(v, nd=3):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def row(name, c, loop_row=False):
    if c is None:
        return f"| {name} | not run | | | | | |"
    ratio = "1.000" if loop_row else f"{fmt(c.get('ratio_to_readloop_wall'))} / {fmt(c.get('ratio_to_readloop_cpu'))}"
    rss = "-" if loop_row else f"{c['peak_rss_mib']:.0f} MiB"
    return (f"| {name} | {c['wall_s']:.2f} | {c['best_cpu_s']:.2f} | {fmt(c['gbps_wall'])} | "
            f"{fmt(c['gbps_cpu'])} | {rss} | {ratio} |")


TABLE_HEAD = ("| contender | wall s (best) | CPU s (best) | Gbit/s wall | Gbit/s per CPU-s | peak RSS | "
              "rate vs read loop (wall / CPU) |\n|---|---|---|---|---|---|---|")

SMTP_STATS = ("capture.packets", "capture.bytes", "smtp.transactions", "files.files", "files.bytes",
              "mime.decoded_bytes", "reassembly.bytes_delivered")
SCAN_STATS = ("files.files", "scan.submitted", "scan.scanned", "scan.infected", "scan.clean",
              "scan.cache_hits", "scan.cache_misses", "scan.skipped_queue_full", "scan.bytes_scanned",
              "scan.queue_high_water", "scan.errors", "scan.inflight_merged")
REASM_STATS = ("reassembly.data_segments", "reassembly.segments_out_of_order", "reassembly.bytes_delivered",
               "reassembly.gaps", "reassembly.memory_high_water", "reassembly.ooo_segments_high_water",
               "flow.max_active", "smtp.transactions", "files.files")


def figure_smtp(work, md):
    info = read_json(os.path.join(work, "smtp.info.json"))
    if not info:
        return None
    wire = info["capture"]["wire_bytes"]
    loop = best(load_runs(work, "smtp.readloop"))
    ww = best(load_runs(work, "smtp.wormwatch"))
    fig = {"capture": info["capture"], "commands": info["commands"],
           "readloop": contender(loop, wire, None),
           "wormwatch_1_worker_scan_off": contender(ww, wire, loop, SMTP_STATS)}
    pre = info.get("prefix")
    if pre:
        pwire = pre["wire_bytes"]
        ploop = best(load_runs(work, "smtp.prefix.readloop"))
        fig["prefix"] = {"capture": pre,
                         "readloop": contender(ploop, pwire, None),
                         "wormwatch_1_worker_scan_off": contender(best(load_runs(work, "smtp.prefix.wormwatch")), pwire, ploop, SMTP_STATS),
                         "tshark_export_objects_imf": contender(best(load_runs(work, "smtp.prefix.tshark")), pwire, ploop),
                         "tcpflow": contender(best(load_runs(work, "smtp.prefix.tcpflow")), pwire, ploop)}
        for k in ("tshark_export_objects_imf", "tcpflow"):
            c = fig["prefix"][k]
            if c and c["gbps_wall"]:
                c["extrapolated_full_capture_wall_s"] = round(wire * 8 / (c["gbps_wall"] * 1e9), 1)
    w = fig["wormwatch_1_worker_scan_off"]
    if w:
        fig["target"] = {"ratio_min": 0.20, "peak_rss_max_mib": 150,
                         "met_wall": bool(w["ratio_to_readloop_wall"] >= 0.20 and w["peak_rss_mib"] < 150),
                         "met_cpu": bool((w["ratio_to_readloop_cpu"] or 0) >= 0.20 and w["peak_rss_mib"] < 150)}
    fig["profile"] = read_json(os.path.join(work, "smtp.profile.json"))

    md.append("### SMTP pipeline (issue 5)\n")
    c = info["capture"]
    md.append(f"Capture: `{info['commands']['generate']}` — {c['packets']} packets, "
              f"{c['wire_bytes']} wire bytes ({c['file_bytes'] / 2**30:.2f} GiB file), "
              f"{info.get('smtp_share_percent', '?')} % of its bytes SMTP.\n")
    md.append(TABLE_HEAD)
    md.append(row("bare libpcap read loop", fig["readloop"], True))
    md.append(row("wormwatch -r, 1 worker, scan off", w))
    md.append("")
    if w:
        md.append(f"Target ≥ 0.20 of the read loop and < 150 MiB: wall ratio {fmt(w['ratio_to_readloop_wall'])}, "
                  f"CPU ratio {fmt(w['ratio_to_readloop_cpu'])}, peak {w['peak_rss_mib']:.0f} MiB → "
                  f"**{'met' if fig['target']['met_cpu'] else 'not met'}** (CPU), "
                  f"**{'met' if fig['target']['met_wall'] else 'not met'}** (wall). "
                  f"{w.get('stats.files.files')} attachments, {w.get('stats.smtp.transactions')} transactions.\n")
    if pre:
        p = fig["prefix"]
        md.append(f"Slow tools, on the first {pre['file_bytes'] / 2**20:.0f} MiB of the same capture "
                  f"(`lib.py prefix`, whole packets; {pre['packets']} packets), each with a "
                  f"{info.get('tool_cap_s')} s cap; the full-capture time is extrapolated from the rate:\n")
        md.append(TABLE_HEAD.replace("| contender |", "| contender (prefix) |"))
        md.append(row("bare libpcap read loop", p["readloop"], True))
        md.append(row("wormwatch -r, 1 worker, scan off", p["wormwatch_1_worker_scan_off"]))
        for k, name in (("tshark_export_objects_imf", "tshark -q --export-objects imf"), ("tcpflow", "tcpflow -r")):
            cc = p[k]
            extra = ""
            if cc and cc.get("timed_out"):
                extra = " (hit the cap)"
            md.append(row(name + extra, cc))
        md.append("")
        for k, name in (("tshark_export_objects_imf", "tshark"), ("tcpflow", "tcpflow")):
            cc = p[k]
            if cc and cc.get("extrapolated_full_capture_wall_s"):
                md.append(f"* {name}: extrapolated {cc['extrapolated_full_capture_wall_s']:.0f} s for the full capture.")
        md.append("")
    render_profile(fig["profile"], md)
    return fig


def render_profile(prof, md):
    if not prof:
        return
    md.append(f"Profile (`{prof['command']}`), top functions by self time (libmagic and libcrypto "
              "have no symbols here, hence the addresses):\n")
    md.append("| self % | object | symbol |\n|---|---|---|")
    for r in prof["top"][:15]:
        md.append(f"| {r['self_percent']:.2f} | {r['object']} | `{r['symbol'][:90]}` |")
    md.append("")
    cl = prof.get("callers")
    if cl:
        md.append(f"Where the time goes by kind of work ({cl['samples']} samples, DWARF call graphs; "
                  "inclusive = the sample is anywhere inside that work; via = the nearest wormwatch "
                  "functions above it):\n")
        md.append("| work | self % | inclusive % | via (share of all samples) |\n|---|---|---|---|")
        for g in cl["groups"]:
            if g["inclusive_percent"] == 0:
                continue
            via = "; ".join(f"`{v['callers']}` {v['percent']:.1f}" for v in g["via"])
            md.append(f"| {g['group']} | {g['self_percent']:.1f} | {g['inclusive_percent']:.1f} | {via} |")
        md.append("")


def figure_scan(work, md):
    info = read_json(os.path.join(work, "scan.info.json"))
    if not info:
        return None
    wire = info["capture"]["wire_bytes"]
    loop = best(load_runs(work, "scan.readloop"))
    fig = {"capture": info["capture"], "commands": info["commands"], "readloop": contender(loop, wire, None),
           "runs": {}}
    md.append("### Scanning (issue 6)\n")
    c = info["capture"]
    md.append(f"Capture: `{info['commands']['generate']}` — {c['packets']} packets, {c['wire_bytes']} wire bytes. "
              f"Signatures: {info.get('signatures')}. Every run: `{info['commands']['base']}` plus the settings "
              f"in the row (`scan.on_full=wait`, so no attachment is skipped and the rate is the real one).\n")
    md.append("| configuration | wall s | CPU s | Gbit/s wall | attachments/s (wall) | scanned/s | cache hits + in-flight merged | peak RSS | vs scan off (wall / CPU) |")
    md.append("|---|---|---|---|---|---|---|---|---|")
    off = None
    for key, label, settings in info["configs"]:
        b = best(load_runs(work, "scan." + key))
        cc = contender(b, wire, loop, SCAN_STATS)
        if cc is None:
            continue
        cc["settings"] = settings
        files = cc.get("stats.files.files") or 0
        scanned = cc.get("stats.scan.scanned") or 0
        cc["attachments_per_s_wall"] = round(files / cc["wall_s"], 1)
        cc["attachments_per_cpu_s"] = round(files / cc["best_cpu_s"], 1)
        cc["scanned_per_s_wall"] = round(scanned / cc["wall_s"], 1)
        if key == "off":
            off = cc
        if off is not None:
            cc["ratio_to_scan_off_wall"] = round(off["wall_s"] / cc["wall_s"], 4)
            cc["ratio_to_scan_off_cpu"] = round(off["best_cpu_s"] / cc["best_cpu_s"], 4)
        fig["runs"][key] = cc
        md.append(f"| {label} (`{settings or '-'}`) | {cc['wall_s']:.2f} | {cc['best_cpu_s']:.2f} | {fmt(cc['gbps_wall'])} | "
                  f"{cc['attachments_per_s_wall']:.0f} | {cc['scanned_per_s_wall']:.0f} | {cc.get('stats.scan.cache_hits')} + {cc.get('stats.scan.inflight_merged') or 0} | "
                  f"{cc['peak_rss_mib']:.0f} MiB | {fmt(cc.get('ratio_to_scan_off_wall'))} / {fmt(cc.get('ratio_to_scan_off_cpu'))} |")
    md.append("")
    tgt = {}
    for key in ("t1_cache", "t2_cache"):
        cc = fig["runs"].get(key)
        if cc and cc.get("ratio_to_scan_off_wall") is not None:
            tgt[key] = {"ratio_wall": cc["ratio_to_scan_off_wall"], "ratio_cpu": cc["ratio_to_scan_off_cpu"],
                        "met_wall": cc["ratio_to_scan_off_wall"] >= 0.80, "met_cpu": cc["ratio_to_scan_off_cpu"] >= 0.80}
    fig["target"] = {"ratio_min": 0.80, **tgt}
    if tgt:
        md.append("Target: with the verdict cache on, ≥ 80 % of the rate with scanning off: " + "; ".join(
            f"{k}: wall {v['ratio_wall']:.2f} ({'met' if v['met_wall'] else 'not met'}), CPU {v['ratio_cpu']:.2f} "
            f"({'met' if v['met_cpu'] else 'not met'})" for k, v in tgt.items()) + ".\n")
    fig["profile"] = read_json(os.path.join(work, "scan.profile.json"))
    render_profile(fig["profile"], md)
    sb = read_json(os.path.join(work, "scan.scan_bench.json"))
    if sb:
        fig["scan_bench"] = sb
        md.append(f"`{sb['command']}` (engine only, cache off):\n\n```\n{sb['output'].strip()}\n```\n")
    return fig


def figure_hosts(work, md):
    info = read_json(os.path.join(work, "hosts.info.json"))
    if not info:
        return None
    fig = {"command": info["command"], "result": info["result"],
           "target": {"events_per_s_min": 1_000_000}}
    r = info["result"]
    fig["target"]["met_wall_best"] = r["core_best_eps"] >= 1e6
    fig["target"]["met_cpu"] = r["core_cpu_eps"] >= 1e6
    md.append("### Host tracker (issue 7)\n")
    md.append(f"`{info['command']}`\n\n```\n{info['output'].strip()}\n```\n")
    md.append(f"One core: best {r['core_best_eps'] / 1e6:.2f} M events/s wall, median {r['core_median_eps'] / 1e6:.2f} M/s, "
              f"{r['core_cpu_eps'] / 1e6:.2f} M/s per CPU-second; through the rings and tracker thread "
              f"{r['thread_eps'] / 1e6:.2f} M/s. Target ≥ 1 M/s: "
              f"**{'met' if fig['target']['met_cpu'] else 'not met'}** (CPU), "
              f"**{'met' if fig['target']['met_wall_best'] else 'not met'}** (wall, best).\n")
    return fig


def figure_reassembly(work, md):
    info = read_json(os.path.join(work, "reassembly.info.json"))
    if not info:
        return None
    fig = {"commands": info["commands"], "captures": info["captures"], "runs": {}}
    md.append("### Reassembly (issue 4)\n")
    md.append("SMTP-only captures (office mail with attachments, no background), the same seed in order and "
              f"with `--reorder-percent {info['reorder_percent']:g}` (the same packets; a data segment swapped with "
              "the data segment right after it with that probability; the last column shows the share the sensor "
              "saw out of order):\n")
    for k, v in info["captures"].items():
        md.append(f"* {k}: `{info['commands']['generate_' + k]}` — {v['packets']} packets, {v['wire_bytes']} wire bytes")
    md.append("")
    md.append(TABLE_HEAD.replace("|---|---|---|---|---|---|---|", "|---|---|---|---|---|---|---|") .replace(
        "rate vs read loop (wall / CPU) |", "rate vs read loop (wall / CPU) | segments out of order |") + "---|")
    for cap in ("in_order", "reordered"):
        wire = info["captures"][cap]["wire_bytes"]
        loop = best(load_runs(work, f"reasm.{cap}.readloop"))
        fig["runs"][cap] = {"readloop": contender(loop, wire, None)}
        md.append(row(f"{cap}: read loop", fig["runs"][cap]["readloop"], True) + " |")
        for mode, label in (("full", "wormwatch, scan off"), ("reasm", "wormwatch, reassembly only (smtp off)")):
            cc = contender(best(load_runs(work, f"reasm.{cap}.{mode}")), wire, loop, REASM_STATS)
            fig["runs"][cap][mode] = cc
            if cc:
                ooo = cc.get("stats.reassembly.segments_out_of_order")
                segs = cc.get("stats.reassembly.data_segments")
                share = f"{ooo} ({100.0 * ooo / segs:.1f} %)" if ooo is not None and segs else "-"
                md.append(row(f"{cap}: {label}", cc) + f" {share} |")
    md.append("")
    md.append(f"Settings: full = `{info['commands']['full']}`; reassembly only = `{info['commands']['reasm']}`.\n")
    idle = info.get("idle")
    if idle:
        small = best(load_runs(work, "reasm.idle.small"))
        big = best(load_runs(work, "reasm.idle.big"))
        if small and big:
            ns, nb = idle["small_sessions"], idle["big_sessions"]
            d_kib = big["peak_rss_kib"] - small["peak_rss_kib"]
            per = d_kib * 1024 / (nb - ns)
            hw_b = (big.get("stats") or {}).get("reassembly", {}).get("memory_high_water")
            act_b = (big.get("stats") or {}).get("flow", {}).get("max_active")
            fig["idle_flows"] = {"command_generate": idle["generate"], "command_run": idle["run"],
                                 "small_sessions": ns, "big_sessions": nb,
                                 "peak_rss_small_kib": small["peak_rss_kib"], "peak_rss_big_kib": big["peak_rss_kib"],
                                 "bytes_per_idle_flow_rss": round(per),
                                 "reassembly_memory_high_water_big": hw_b, "flow_max_active_big": act_b,
                                 "reassembly_bytes_per_flow_high_water": round(hw_b / nb) if hw_b else None}
            md.append(f"Memory per idle flow: `{idle['generate']}` (N SMTP sessions all open at once, idle mid-attachment "
                      f"for {idle['pause_s']} s of packet time), `{idle['run']}`: peak RSS {small['peak_rss_kib'] // 1024} MiB "
                      f"with N={ns}, {big['peak_rss_kib'] // 1024} MiB with N={nb} (flow.max_active {act_b}) → "
                      f"**{per / 1024:.1f} KiB per idle SMTP flow** (flow table, reassembly, SMTP/MIME/hash state); "
                      f"`stats.reassembly.memory_high_water` {hw_b} bytes = "
                      f"{(hw_b or 0) / nb:.0f} bytes per flow of buffered segments.\n")
    return fig


def figure_mixed(work, md):
    info = read_json(os.path.join(work, "mixed.info.json"))
    if not info:
        return None
    wire = info["capture"]["wire_bytes"]
    loop = best(load_runs(work, "mixed.readloop"))
    fig = {"capture": info["capture"], "commands": info["commands"], "readloop": contender(loop, wire, None),
           "wormwatch_1_worker": contender(best(load_runs(work, "mixed.w1")), wire, loop, ("capture.packets",)),
           "wormwatch_2_workers": contender(best(load_runs(work, "mixed.w2")), wire, loop, ("capture.packets",))}
    md.append("### Mixed background (the foundation benchmark)\n")
    md.append(f"Capture: `{info['commands']['generate']}` — {info['capture']['packets']} packets, "
              f"{wire} wire bytes.\n")
    md.append(TABLE_HEAD)
    md.append(row("bare libpcap read loop", fig["readloop"], True))
    md.append(row("wormwatch -r, 1 worker", fig["wormwatch_1_worker"]))
    md.append(row("wormwatch -r, 2 workers", fig["wormwatch_2_workers"]))
    md.append("")
    return fig


def figure_dpdk(work, md):
    info = read_json(os.path.join(work, "dpdk.info.json"))
    if not info:
        return None
    wire, pkts = info["capture"]["wire_bytes"], info["capture"]["packets"]
    idle = info["idle_exit_ms"] / 1000.0
    loop = best(load_runs(work, "dpdk.readloop"))
    fig = {"capture": info["capture"], "commands": info["commands"], "split_packets": info["split_packets"],
           "eal_args": info["eal_args"], "idle_exit_ms": info["idle_exit_ms"],
           "readloop": contender(loop, wire, None)}
    keep = ("capture.packets", "capture.drops", "capture.imissed", "capture.rx_nombuf")
    for key, label in (("r1", "r_1_worker"), ("r2", "r_2_workers"), ("q1", "dpdk_1_queue"),
                       ("q2", "dpdk_2_queues")):
        b = best(load_runs(work, "dpdk." + key))
        if b is not None and key.startswith("q"):
            b["wall"] = max(b["wall"] - idle, 1e-6)  # the idle-exit wait is not work
        c = contender(b, wire, loop, keep)
        if c is not None:
            c["packets_per_s_wall"] = round(pkts / c["wall_s"]) if c["wall_s"] > 0 else None
            c["packets_per_cpu_s"] = round(pkts / c["best_cpu_s"]) if c["best_cpu_s"] > 0 else None
        fig[label] = c
    md.append("### DPDK capture source (net_pcap) against -r\n")
    md.append(f"Capture: `{info['commands']['generate']}` — {pkts} packets, {wire} wire bytes; split by "
              f"host pair for 2 queues: {info['split_packets']} packets. EAL: `{info['eal_args']['1_queue']}` "
              f"(2 queues: `-l 0-1`). DPDK wall times exclude the {info['idle_exit_ms']} ms idle-exit wait; "
              "they include EAL start-up.\n")
    md.append("| contender | wall s (best) | CPU s (best) | packets/s wall | packets per CPU-s | Gbit/s wall | "
              "Gbit/s per CPU-s | peak RSS | drops |\n|---|---|---|---|---|---|---|---|---|")
    names = (("readloop", "bare libpcap read loop"), ("r_1_worker", "wormwatch -r, 1 worker"),
             ("r_2_workers", "wormwatch -r, 2 workers"), ("dpdk_1_queue", "wormwatch --dpdk, 1 queue"),
             ("dpdk_2_queues", "wormwatch --dpdk, 2 queues / 2 lcores"))
    for key, label in names:
        c = fig.get(key)
        if c is None:
            md.append(f"| {label} | not run | | | | | | | |")
            continue
        pps = pkts / c["wall_s"] if c["wall_s"] > 0 else 0
        ppc = pkts / c["best_cpu_s"] if c["best_cpu_s"] > 0 else 0
        rss = "-" if key == "readloop" else f"{c['peak_rss_mib']:.0f} MiB"
        drops = fmt(c.get("stats.capture.drops")) if key.startswith("dpdk") else "-"
        md.append(f"| {label} | {c['wall_s']:.2f} | {c['best_cpu_s']:.2f} | {pps:,.0f} | {ppc:,.0f} | "
                  f"{fmt(c['gbps_wall'])} | {fmt(c['gbps_cpu'])} | {rss} | {drops} |")
    md.append("")
    return fig


FIGURES = {"smtp": figure_smtp, "scan": figure_scan, "hosts": figure_hosts,
           "reassembly": figure_reassembly, "mixed": figure_mixed, "dpdk": figure_dpdk}


def cmd_report(args):
    work, root, command, figures = args[0], args[1], args[2], args[3].split(",")
    meta = read_json(os.path.join(work, "meta.json"), {})
    loads = []
    lp = os.path.join(work, "load.log")
    if os.path.exists(lp):
        with open(lp) as f:
            loads = [l.rstrip("\n") for l in f if l.strip()]
    md = []
    out = {"date": meta.get("date"), "commit": meta.get("commit"), "cpu": meta.get("cpu"),
           "cores": meta.get("cores"), "command": command, "load": loads, "figures": {}}
    for name in figures:
        fig = FIGURES[name](work, md)
        if fig is not None:
            out["figures"][name] = fig
    out["elapsed_s"] = round(time.time() - meta.get("start_epoch", time.time()))
    # A run of some figures (--only) keeps the other figures of the previous
    # results.json, each marked with the run it came from.
    try:
        old = read_json(os.path.join(root, "bench", "results.json"), {})
    except ValueError:  # not JSON (results.json of the older script had numbers like .39)
        old = {}
    for name, fig in (old.get("figures") or {}).items():
        if name not in out["figures"] and isinstance(fig, dict):
            fig.setdefault("from_run", {"date": old.get("date"), "commit": old.get("commit"),
                                        "command": old.get("command")})
            out["figures"][name] = fig
    with open(os.path.join(root, "bench", "results.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    head = [f"\n## {meta.get('date')} (commit {meta.get('commit')})\n",
            f"Command: `{command}` ({out['elapsed_s']} s in all). Machine: {meta.get('cpu')}, {meta.get('cores')} cores, "
            f"shared with other builds: load averages (1/5/15 min) during the run:\n",
            "```\n" + "\n".join(loads) + "\n```\n",
            "Best of N by wall time; CPU s is the lowest user+system time of the N runs (under load "
            "the more trustworthy figure). Gbit/s counts wire bytes (the pcap records' original lengths). "
            "Peak RSS from `/usr/bin/time -v`. Page cache warm for every contender.\n"]
    with open(os.path.join(root, "bench", "results.md"), "a") as f:
        f.write("\n".join(head + md) + "\n")
    print("\n".join(head + md))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"record": cmd_record, "prefix": cmd_prefix, "pcapinfo": cmd_pcapinfo,
     "perf-top": cmd_perf_top, "perf-callers": cmd_perf_callers, "report": cmd_report}[cmd](args)


if __name__ == "__main__":
    main()

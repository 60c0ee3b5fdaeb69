# Figure 1, the SMTP pipeline (issue 5). Sourced by scripts/bench.sh.
# A capture of about half SMTP with attachments, half other TCP; on it, in one run:
# the bare read loop, wormwatch -r --workers 1 with scanning off; on its first
# $TOOL_PREFIX bytes also tshark's IMF export and tcpflow (capped at $TOOL_CAP s)
# and a perf profile of wormwatch.
fig_smtp() {
  local cap="$WORK/office-$SIZE.pcap" prefix="$WORK/office-$SIZE-prefix.pcap"
  local gen_args=(office --seed 11 --size "$SIZE" --background-percent 50 --out "$cap")
  local ww_args=(--workers 1 --set scan.enabled=false)
  say "smtp: generating $(rel "$cap")"
  if [[ ! -s "$cap" ]]; then "$GEN" "${gen_args[@]}" 2>> "$WORK/gen.log"; fi
  local info share
  info=$(capture_info "$cap")
  # Share of the capture's bytes in SMTP flows, from the generator's manifest.
  share=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
t = s = 0
for f in m["flows"]:
    b = f["bytes_toserver"] + f["bytes_toclient"]
    t += b
    s += b if f["app"] == "smtp" else 0
print(round(100.0 * s / max(t, 1), 1))' "$cap.json")
  warm "$cap"
  load_mark "smtp: start"
  say "smtp: read loop x$RUNS"
  readloop_runs smtp.readloop "$cap"
  say "smtp: wormwatch --workers 1, scan off x$WW_RUNS"
  best_of "$WW_RUNS" smtp.wormwatch --eve "$WORK/out/smtp" -- \
    "$BIN" -r "$cap" "${ww_args[@]}" -l "$WORK/out/smtp"
  load_mark "smtp: wormwatch done"

  local pinfo="null"
  if ((TOOL_PREFIX > 0)); then
    python3 "$LIB_PY" prefix "$cap" "$prefix" "$TOOL_PREFIX"
    pinfo=$(capture_info "$prefix")
    warm "$prefix"
    say "smtp: on the first $((TOOL_PREFIX >> 20)) MiB: read loop, wormwatch, tshark, tcpflow"
    readloop_runs smtp.prefix.readloop "$prefix"
    best_of "$WW_RUNS" smtp.prefix.wormwatch --eve "$WORK/out/smtp-prefix" -- \
      "$BIN" -r "$prefix" "${ww_args[@]}" -l "$WORK/out/smtp-prefix"
    if command -v tshark > /dev/null; then
      rm -rf "$WORK/out/tshark"; mkdir -p "$WORK/out/tshark"
      best_of 1 smtp.prefix.tshark --cap "$TOOL_CAP" -- \
        tshark -r "$prefix" -q --export-objects "imf,$WORK/out/tshark"
    fi
    if command -v tcpflow > /dev/null; then
      rm -rf "$WORK/out/tcpflow"; mkdir -p "$WORK/out/tcpflow"
      best_of 1 smtp.prefix.tcpflow --cap "$TOOL_CAP" -- tcpflow -r "$prefix" -o "$WORK/out/tcpflow"
    fi
    rm -rf "$WORK/out/tshark" "$WORK/out/tcpflow"
    load_mark "smtp: tools done"
    profile_run smtp "$prefix" --workers 1 --set scan.enabled=false
  fi
  python3 - "$WORK/smtp.info.json" "$info" "$pinfo" "$share" "$TOOL_CAP" \
    "wwgen ${gen_args[*]/#$ROOT\//}" "wormwatch -r FILE ${ww_args[*]} -l DIR" <<'PY'
import json, sys
out, info, pinfo, share, cap, gen, ww = sys.argv[1:]
d = {"capture": json.loads(info), "prefix": json.loads(pinfo), "smtp_share_percent": float(share),
     "tool_cap_s": int(cap),
     "commands": {"generate": gen, "readloop": "pcap_readloop FILE", "wormwatch": ww,
                  "tshark": "tshark -r PREFIX -q --export-objects imf,DIR", "tcpflow": "tcpflow -r PREFIX -o DIR"}}
json.dump(d, open(out, "w"))
PY
}

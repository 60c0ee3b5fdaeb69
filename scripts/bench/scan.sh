# Figure 2, scanning (issue 6). Sourced by scripts/bench.sh.
# An outbreak capture; wormwatch with scanning off, then on with 1 and 2
# scanner threads, the verdict cache on and off. libclamav's own clean-file
# cache is off whenever scanning is on, and a full scan queue makes the worker
# wait (scan.on_full=wait), so every attachment is scanned and the rate is real.
fig_scan() {
  local cap="$WORK/outbreak-$SCAN_SIZE.pcap"
  local gen_args=(outbreak --seed 12 --size "$SCAN_SIZE" --out "$cap")
  local base=(--workers 1)
  local on=(--set scan.enabled=true --set scan.engine_cache=false --set scan.on_full=wait)
  say "scan: generating $(rel "$cap")"
  if [[ ! -s "$cap" ]]; then "$GEN" "${gen_args[@]}" 2>> "$WORK/gen.log"; fi
  local info
  info=$(capture_info "$cap")
  warm "$cap"
  load_mark "scan: start"
  readloop_runs scan.readloop "$cap"
  # key|label|settings
  local configs=(
    "off|scanning off|--set scan.enabled=false"
    "t1_cache|1 scanner thread, verdict cache on|${on[*]} --set scan.threads=1"
    "t2_cache|2 scanner threads, verdict cache on|${on[*]} --set scan.threads=2"
    "t1_nocache|1 scanner thread, verdict cache off|${on[*]} --set scan.threads=1 --set scan.cache_entries=0"
    "t2_nocache|2 scanner threads, verdict cache off|${on[*]} --set scan.threads=2 --set scan.cache_entries=0"
  )
  local c key label settings
  for c in "${configs[@]}"; do
    IFS='|' read -r key label settings <<< "$c"
    say "scan: $label x$WW_RUNS"
    # shellcheck disable=SC2086  # settings is a list of --set KEY=VALUE words
    best_of "$WW_RUNS" "scan.$key" --eve "$WORK/out/scan-$key" -- \
      "$BIN" -r "$cap" "${base[@]}" $settings -l "$WORK/out/scan-$key"
  done
  load_mark "scan: wormwatch done"
  # Where the scanning time goes (1 scanner thread, cache on), on the first quarter.
  local prefix="$WORK/outbreak-$SCAN_SIZE-prefix.pcap"
  python3 "$LIB_PY" prefix "$cap" "$prefix" $((SCAN_SIZE / 4))
  # shellcheck disable=SC2086
  profile_run scan "$prefix" "${base[@]}" ${configs[1]##*|}
  rm -f "$prefix"
  # Large files (MB/s of the matchers) and outbreak-sized ones (per-file cost).
  local sb_out sb_cmd="scan_bench --mib 64 --file-kib 256; scan_bench --mib 16 --file-kib 32"
  say "scan: $sb_cmd"
  sb_out=$("$SCAN_BENCH" --mib 64 --file-kib 256 2>&1 || true)
  sb_out+=$'\n'$("$SCAN_BENCH" --mib 16 --file-kib 32 2>&1 || true)
  python3 - "$WORK/scan.info.json" "$info" "wwgen ${gen_args[*]/#$ROOT\//}" "wormwatch -r FILE ${base[*]} -l DIR" \
    "$sb_cmd" "$sb_out" "${configs[@]}" <<'PY'
import json, os, sys
out, info, gen, base, sb_cmd, sb_out, *configs = sys.argv[1:]
sigs = "rules/signatures (wormwatch.hdb, .ndb, .yara)"
if os.path.isdir("/var/lib/clamav") and any(os.scandir("/var/lib/clamav")):
    sigs += " + /var/lib/clamav"
else:
    sigs += " only (no ClamAV official databases in /var/lib/clamav)"
json.dump({"capture": json.loads(info), "signatures": sigs,
           "commands": {"generate": gen, "base": base},
           "configs": [c.split("|") for c in configs]}, open(out, "w"))
json.dump({"command": sb_cmd, "output": sb_out}, open(os.path.join(os.path.dirname(out), "scan.scan_bench.json"), "w"))
PY
}

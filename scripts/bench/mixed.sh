# The foundation benchmark: clean mixed TCP/UDP background, wormwatch with 1
# and 2 workers against the read loop. Sourced by scripts/bench.sh.
fig_mixed() {
  local cap="$WORK/mixed-$SIZE.pcap"
  local gen_args=(mixed --seed 7 --size "$SIZE" --concurrency 2000 --out "$cap")
  say "mixed: generating $(rel "$cap")"
  if [[ ! -s "$cap" ]]; then "$GEN" "${gen_args[@]}" 2>> "$WORK/gen.log"; fi
  local info
  info=$(capture_info "$cap")
  warm "$cap"
  load_mark "mixed: start"
  readloop_runs mixed.readloop "$cap"
  best_of "$WW_RUNS" mixed.w1 --eve "$WORK/out/mixed-1" -- "$BIN" -r "$cap" --workers 1 -l "$WORK/out/mixed-1"
  best_of "$WW_RUNS" mixed.w2 --eve "$WORK/out/mixed-2" -- "$BIN" -r "$cap" --workers 2 -l "$WORK/out/mixed-2"
  load_mark "mixed: done"
  python3 - "$WORK/mixed.info.json" "$info" "wwgen ${gen_args[*]/#$ROOT\//}" <<'PY'
import json, sys
out, info, gen = sys.argv[1:]
json.dump({"capture": json.loads(info), "commands": {"generate": gen}}, open(out, "w"))
PY
}

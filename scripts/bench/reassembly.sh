# Figure 4, reassembly (issue 4). Sourced by scripts/bench.sh.
# SMTP-only office captures (same seed) in order and with ~5 % of the data
# segments swapped with their successor; wormwatch with scanning off (the whole
# mail path) and with the SMTP parser off (reassembly of the port-25/587 flows
# only). Then the memory of one idle reassembled flow: N SMTP sessions held
# open mid-attachment, peak RSS at two values of N.
fig_reassembly() {
  # A swap needs two data segments in a row (the receiver ACKs every second one), so
  # about a third of the segments are candidates: 15 gives ~5 % out of order, which
  # the results show as the sensor counts it (stats.reassembly.segments_out_of_order).
  local reorder=15
  local in_cap="$WORK/smtp-only-$REASM_SIZE.pcap" re_cap="$WORK/smtp-only-$REASM_SIZE-reorder$reorder.pcap"
  local gen_in=(office --seed 13 --size "$REASM_SIZE" --background-percent 0 --out "$in_cap")
  local gen_re=(office --seed 13 --size "$REASM_SIZE" --background-percent 0 --reorder-percent "$reorder" --out "$re_cap")
  local full=(--workers 1 --set scan.enabled=false)
  local reasm=(--workers 1 --set scan.enabled=false --set app_layer.smtp.enabled=false)
  say "reassembly: generating the in-order and reordered captures"
  if [[ ! -s "$in_cap" ]]; then "$GEN" "${gen_in[@]}" 2>> "$WORK/gen.log"; fi
  if [[ ! -s "$re_cap" ]]; then "$GEN" "${gen_re[@]}" 2>> "$WORK/gen.log"; fi
  local info_in info_re
  info_in=$(capture_info "$in_cap")
  info_re=$(capture_info "$re_cap")
  load_mark "reassembly: start"
  local name cap
  for name in in_order reordered; do
    if [[ $name == in_order ]]; then cap="$in_cap"; else cap="$re_cap"; fi
    warm "$cap"
    say "reassembly: $name: read loop, wormwatch full path, reassembly only"
    readloop_runs "reasm.$name.readloop" "$cap"
    best_of "$WW_RUNS" "reasm.$name.full" --eve "$WORK/out/reasm-$name-full" -- \
      "$BIN" -r "$cap" "${full[@]}" -l "$WORK/out/reasm-$name-full"
    best_of "$RUNS" "reasm.$name.reasm" --eve "$WORK/out/reasm-$name-reasm" -- \
      "$BIN" -r "$cap" "${reasm[@]}" -l "$WORK/out/reasm-$name-reasm"
  done
  load_mark "reassembly: throughput done"

  local small=2000 big=20000 pause=120
  local idle_small="$WORK/idle-smtp-$small.pcap" idle_big="$WORK/idle-smtp-$big.pcap"
  say "reassembly: idle flows ($small and $big SMTP sessions held open)"
  "$IDLE_GEN" --sessions "$small" --pause-s "$pause" --out "$idle_small" 2>> "$WORK/gen.log"
  "$IDLE_GEN" --sessions "$big" --pause-s "$pause" --out "$idle_big" 2>> "$WORK/gen.log"
  best_of 2 reasm.idle.small --eve "$WORK/out/idle-small" -- \
    "$BIN" -r "$idle_small" "${full[@]}" -l "$WORK/out/idle-small"
  best_of 2 reasm.idle.big --eve "$WORK/out/idle-big" -- \
    "$BIN" -r "$idle_big" "${full[@]}" -l "$WORK/out/idle-big"
  rm -f "$idle_small" "$idle_big"
  load_mark "reassembly: idle flows done"
  python3 - "$WORK/reassembly.info.json" "$info_in" "$info_re" "$reorder" \
    "wwgen ${gen_in[*]/#$ROOT\//}" "wwgen ${gen_re[*]/#$ROOT\//}" \
    "wormwatch -r FILE ${full[*]} -l DIR" "wormwatch -r FILE ${reasm[*]} -l DIR" \
    "$small" "$big" "$pause" <<'PY'
import json, sys
out, i_in, i_re, reorder, g_in, g_re, full, reasm, small, big, pause = sys.argv[1:]
json.dump({"reorder_percent": float(reorder),
           "captures": {"in_order": json.loads(i_in), "reordered": json.loads(i_re)},
           "commands": {"generate_in_order": g_in, "generate_reordered": g_re, "full": full, "reasm": reasm},
           "idle": {"small_sessions": int(small), "big_sessions": int(big), "pause_s": int(pause),
                    "generate": f"idle_smtp_gen --sessions N --pause-s {pause} --out FILE",
                    "run": full.replace("FILE", "FILE")}}, open(out, "w"))
PY
}

# DPDK capture source (issue 9): the same capture through `-r` and through
# `--dpdk` with net_pcap (1 queue; 2 queues = the capture split in two by the
# engine's host-pair hash, one rx_pcap per queue, one worker per lcore), against
# the read loop. net_pcap reads the file with libpcap inside rte_eth_rx_burst, so
# this measures the DPDK path (mbufs, bursts, per-queue workers), not a NIC.
# The DPDK runs end capture.dpdk.idle_exit_ms (200 ms) after the last packet;
# lib.py takes that off their wall time. Sourced by scripts/bench.sh.
DPDK_IDLE_MS=200
fig_dpdk() {
  local size=$((SIZE / 4))
  local cap="$WORK/dpdk-$size.pcap"
  local gen_args=(mixed --seed 7 --size "$size" --concurrency 2000 --out "$cap")
  say "dpdk: generating $(rel "$cap")"
  if [[ ! -s "$cap" ]]; then "$GEN" "${gen_args[@]}" 2>> "$WORK/gen.log"; fi
  "$BUILD/tests/dpdk/pcap_split" "$cap" 2 "$WORK/dpdk-split" > "$WORK/dpdk-split.txt"
  local info
  info=$(capture_info "$cap")
  warm "$cap"
  warm "$WORK/dpdk-split.0.pcap"
  warm "$WORK/dpdk-split.1.pcap"
  local eal1="--no-huge --no-pci --no-shconf -l 0 -m 256"
  local eal2="--no-huge --no-pci --no-shconf -l 0-1 -m 256"
  local idle=(--set "capture.dpdk.idle_exit_ms=$DPDK_IDLE_MS")
  load_mark "dpdk: start"
  readloop_runs dpdk.readloop "$cap"
  best_of "$WW_RUNS" dpdk.r1 --eve "$WORK/out/dpdk-r1" -- "$BIN" -r "$cap" --workers 1 -l "$WORK/out/dpdk-r1"
  best_of "$WW_RUNS" dpdk.r2 --eve "$WORK/out/dpdk-r2" -- "$BIN" -r "$cap" --workers 2 -l "$WORK/out/dpdk-r2"
  best_of "$WW_RUNS" dpdk.q1 --eve "$WORK/out/dpdk-q1" -- "$BIN" --vdev "net_pcap0,rx_pcap=$cap" \
    --set "capture.dpdk.eal_args=$eal1" "${idle[@]}" -l "$WORK/out/dpdk-q1"
  best_of "$WW_RUNS" dpdk.q2 --eve "$WORK/out/dpdk-q2" -- "$BIN" \
    --vdev "net_pcap0,rx_pcap=$WORK/dpdk-split.0.pcap,rx_pcap=$WORK/dpdk-split.1.pcap" \
    --set "capture.dpdk.eal_args=$eal2" "${idle[@]}" -l "$WORK/out/dpdk-q2"
  load_mark "dpdk: done"
  python3 - "$WORK/dpdk.info.json" "$info" "wwgen ${gen_args[*]/#$ROOT\//}" "$(cat "$WORK/dpdk-split.txt")" \
    "$DPDK_IDLE_MS" "$eal1" "$eal2" <<'PY'
import json, sys
out, info, gen, split, idle, eal1, eal2 = sys.argv[1:]
json.dump({"capture": json.loads(info), "split_packets": [int(x) for x in split.split()],
           "idle_exit_ms": int(idle), "eal_args": {"1_queue": eal1, "2_queues": eal2},
           "commands": {"generate": gen}}, open(out, "w"))
PY
  rm -f "$WORK"/dpdk-split.*.pcap
}

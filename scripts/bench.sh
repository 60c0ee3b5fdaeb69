#!/usr/bin/env bash
# The foundation benchmark. Generates a capture of mixed TCP/UDP traffic (1 GiB by
# default) and measures, in one run and on the same file:
#   * the bare libpcap read loop (tools/bench/pcap_readloop): the ceiling of this path;
#   * wormwatch -r with 1 and with 2 workers (packets/s, Gbit/s, peak resident memory);
#   * wormwatch's peak memory on a quarter-size capture of the same mix, to show memory
#     follows concurrent flows, not the capture's length.
# Writes bench/results.json and appends a section to bench/results.md.
#
#   scripts/bench.sh [--size BYTES] [--work DIR] [--keep]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIZE=$((1024 * 1024 * 1024))
WORK="${TMPDIR:-/tmp}/wormwatch-bench"
KEEP=0
while (($#)); do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: scripts/bench.sh [--size BYTES] [--work DIR] [--keep]" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
bash scripts/install-deps.sh --build-only >/dev/null
WW_TARGETS="wormwatch wwgen pcap_readloop" bash scripts/build.sh "$ROOT/build" >/dev/null
BIN="$ROOT/build/sensor/wormwatch"
GEN="$ROOT/build/tools/gen/wwgen"
LOOP="$ROOT/build/tools/bench/pcap_readloop"
mkdir -p "$WORK"
CAP="$WORK/mixed-$SIZE.pcap"
SMALL="$WORK/mixed-$((SIZE / 4)).pcap"
SEED=7
CONC=2000
if [[ ! -s "$CAP" ]]; then
  echo "generating $CAP ($SIZE bytes)"
  "$GEN" mixed --seed $SEED --size "$SIZE" --concurrency $CONC --out "$CAP" >/dev/null
fi
if [[ ! -s "$SMALL" ]]; then
  "$GEN" mixed --seed $SEED --size $((SIZE / 4)) --concurrency $CONC --out "$SMALL" >/dev/null
fi
cat "$CAP" > /dev/null   # page cache warm for every contender

# run_ww FILE WORKERS -> prints "wall_seconds cpu_seconds peak_kib packets bytes"
run_ww() {
  local out="$WORK/out-$2"
  rm -rf "$out"; mkdir -p "$out"
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time-$2" "$BIN" -r "$1" --workers "$2" -l "$out" \
    2> "$WORK/summary-$2" >/dev/null
  local pk by e u sy m
  pk=$(grep -o '"capture":{"packets":[0-9]*' "$out/eve.json" | tail -1 | cut -d: -f3)
  by=$(grep -o '"capture":{"packets":[0-9]*,"bytes":[0-9]*' "$out/eve.json" | tail -1 | cut -d: -f4)
  read -r e u sy m < <(tail -1 "$WORK/time-$2")
  echo "$e $(echo "$u + $sy" | bc -l) $m $pk $by"
}

echo "bare libpcap read loop (best of 5)"
best_loop=""
for i in 1 2 3 4 5; do
  loop_json_i=$(/usr/bin/time -f "%e %U %S" -o "$WORK/time-loop" "$LOOP" "$CAP")
  read -r e u sy < <(tail -1 "$WORK/time-loop")
  if [[ -z "$best_loop" ]] || (( $(echo "$e < $best_loop" | bc -l) )); then
    best_loop=$e; loop_cpu=$(echo "$u + $sy" | bc -l); loop_json=$loop_json_i
  fi
done
packets=$(echo "$loop_json" | sed 's/.*"packets":\([0-9]*\).*/\1/')
bytes=$(echo "$loop_json" | sed 's/.*"bytes":\([0-9]*\).*/\1/')

best_ww() {  # best of 5 runs by wall time, as for the read loop
  local best="" r
  for i in 1 2 3 4 5; do
    r=$(run_ww "$1" "$2")
    if [[ -z "$best" ]] || (( $(echo "${r%% *} < ${best%% *}" | bc -l) )); then best=$r; fi
  done
  echo "$best"
}
echo "wormwatch --workers 1"
read -r s1 c1 m1 p1 b1 < <(best_ww "$CAP" 1)
echo "wormwatch --workers 2"
read -r s2 c2 m2 p2 b2 < <(best_ww "$CAP" 2)
echo "wormwatch --workers 1 on the quarter-size capture"
read -r sq cq mq pq bq < <(run_ww "$SMALL" 1)

rate() { echo "scale=0; $1 / $2" | bc -l; }
gbps() { echo "scale=3; $1 * 8 / $2 / 1000000000" | bc -l; }
loop_pps=$(rate "$packets" "$best_loop"); loop_gbps=$(gbps "$bytes" "$best_loop")
w1_pps=$(rate "$p1" "$s1"); w1_gbps=$(gbps "$b1" "$s1")
w2_pps=$(rate "$p2" "$s2"); w2_gbps=$(gbps "$b2" "$s2")
ratio1=$(echo "scale=3; $w1_pps / $loop_pps" | bc -l)
ratio2=$(echo "scale=3; $w2_pps / $loop_pps" | bc -l)
cpu_ratio1=$(echo "scale=3; $loop_cpu / $c1" | bc -l)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
date_s=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)

mkdir -p "$ROOT/bench"
cat > "$ROOT/bench/results.json" <<JSON
{"date":"$date_s","commit":"$commit","cpu":"$cpu","cores":$(nproc),
 "capture":{"file":"$(basename "$CAP")","bytes_on_disk":$(stat -c %s "$CAP"),"packets":$packets,"wire_bytes":$bytes,"generator":"wwgen mixed --seed $SEED --size $SIZE --concurrency $CONC"},
 "readloop":{"seconds":$best_loop,"cpu_seconds":$loop_cpu,"pps":$loop_pps,"gbps":$loop_gbps},
 "wormwatch_1_worker":{"seconds":$s1,"cpu_seconds":$c1,"pps":$w1_pps,"gbps":$w1_gbps,"peak_rss_kib":$m1,"ratio_to_readloop":$ratio1,"cpu_ratio_to_readloop":$cpu_ratio1},
 "wormwatch_2_workers":{"seconds":$s2,"cpu_seconds":$c2,"pps":$w2_pps,"gbps":$w2_gbps,"peak_rss_kib":$m2,"ratio_to_readloop":$ratio2},
 "memory_vs_length":{"quarter_capture_peak_rss_kib":$mq,"full_capture_peak_rss_kib":$m1}}
JSON
{
  echo
  echo "## $date_s (commit $commit)"
  echo
  echo "Machine: $cpu, $(nproc) cores. Capture: \`wwgen mixed --seed $SEED --size $SIZE --concurrency $CONC\`,"
  echo "$packets packets, $bytes wire bytes. Page cache warm. Command: \`scripts/bench.sh --size $SIZE\`."
  echo
  echo "| contender | wall s | CPU s | packets/s | Gbit/s | peak RSS | rate vs read loop |"
  echo "|---|---|---|---|---|---|---|"
  echo "| bare libpcap read loop | $best_loop | $loop_cpu | $loop_pps | $loop_gbps | - | 1.000 |"
  echo "| wormwatch -r, 1 worker | $s1 | $c1 | $w1_pps | $w1_gbps | $((m1 / 1024)) MiB | $ratio1 |"
  echo "| wormwatch -r, 2 workers | $s2 | $c2 | $w2_pps | $w2_gbps | $((m2 / 1024)) MiB | $ratio2 |"
  echo
  echo "Peak RSS with 1 worker: $((mq / 1024)) MiB on the quarter-size capture, $((m1 / 1024)) MiB on the full one."
} >> "$ROOT/bench/results.md"
cat "$ROOT/bench/results.json"
if [[ $KEEP -eq 0 ]]; then rm -f "$CAP" "$SMALL"; fi

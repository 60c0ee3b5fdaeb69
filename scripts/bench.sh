#!/usr/bin/env bash
# The benchmark: every figure the open issues ask for, in one run, on generated
# captures, each contender on the same file in the same run and compared with
# the bare libpcap read loop (tools/bench/pcap_readloop) on that file.
#
#   smtp        issue 5: ~half SMTP-with-attachments capture (--size, default 1 GiB):
#               read loop, wormwatch --workers 1 scan off; tshark --export-objects imf
#               and tcpflow on the first --tool-prefix bytes (capped, extrapolated);
#               a perf profile of wormwatch
#   scan        issue 6: outbreak capture (--size / 4): scanning off, on with 1 and 2
#               scanner threads, verdict cache on and off; attachments/s
#   hosts       issue 7: host_bench events/s on one core
#   reassembly  issue 4: SMTP-only captures (--size / 4) in order and with 5 % of the
#               data segments reordered; memory per idle reassembled SMTP flow
#   mixed       the foundation benchmark (clean mixed traffic, 1 and 2 workers); not
#               in the default set
#   dpdk        issue 9: mixed capture (--size / 4) through -r (1, 2 workers) and
#               --dpdk net_pcap (1 queue; 2 queues on 2 lcores); packets/s, Gbit/s;
#               needs root and a DPDK build; not in the default set
#
# Writes bench/results.json and appends a dated section to bench/results.md.
# Timing lives here, never in tests.
#
#   scripts/bench.sh [--size BYTES] [--work DIR] [--keep] [--only LIST] [--runs N]
#                    [--ww-runs N] [--tool-prefix BYTES] [--tool-cap SECONDS]
#                    [--build DIR] [--no-build]
#
#   --only LIST     comma-separated figures (smtp,scan,hosts,reassembly,mixed,dpdk; "all");
#                   default smtp,scan,hosts,reassembly
#   --runs N        read-loop runs per file (best of N; default 5)
#   --ww-runs N     wormwatch runs per configuration (best of N; default 3)
#   --keep          keep the generated captures in --work (reused by the next run)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIZE=$((1024 * 1024 * 1024))
WORK="$ROOT/bench/work"
BUILD="$ROOT/build-bench"
KEEP=0
ONLY="smtp,scan,hosts,reassembly"
RUNS=5
WW_RUNS=3
TOOL_PREFIX=$((100 * 1024 * 1024))
TOOL_CAP=300
DO_BUILD=1
ARGS="$*"
usage() {
  sed -n '/^#   scripts\/bench.sh/,/^#   --keep/p' "$0" | sed 's/^#//' >&2
  exit 2
}
bytes_arg() {  # 1G, 256M, 100k or a byte count
  local v="$1"
  case "$v" in
    *[kK]) echo $((${v%?} * 1024)) ;;
    *M) echo $((${v%?} * 1024 * 1024)) ;;
    *G) echo $((${v%?} * 1024 * 1024 * 1024)) ;;
    *[!0-9]* | "") echo "scripts/bench.sh: '$v' is not a byte count (e.g. 1073741824, 256M, 1G)" >&2; exit 2 ;;
    *) echo "$v" ;;
  esac
}
while (($#)); do
  case "$1" in
    --size) SIZE=$(bytes_arg "$2"); shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --ww-runs) WW_RUNS="$2"; shift 2 ;;
    --tool-prefix) TOOL_PREFIX=$(bytes_arg "$2"); shift 2 ;;
    --tool-cap) TOOL_CAP="$2"; shift 2 ;;
    --build) BUILD="$2"; shift 2 ;;
    --no-build) DO_BUILD=0; shift ;;
    -h | --help) usage ;;
    *) echo "scripts/bench.sh: unknown option '$1'" >&2; usage ;;
  esac
done
[[ "$ONLY" == all ]] && ONLY="smtp,scan,hosts,reassembly,mixed,dpdk"
IFS=',' read -r -a FIGS <<< "$ONLY"
for f in "${FIGS[@]}"; do
  case "$f" in
    smtp | scan | hosts | reassembly | mixed | dpdk) ;;
    *) echo "scripts/bench.sh: unknown figure '$f' (smtp, scan, hosts, reassembly, mixed, dpdk, all)" >&2; exit 2 ;;
  esac
done
SCAN_SIZE=$((SIZE / 4))
REASM_SIZE=$((SIZE / 4))
((TOOL_PREFIX > SIZE)) && TOOL_PREFIX=$SIZE

cd "$ROOT"
if ((DO_BUILD)); then
  bash scripts/install-deps.sh --build-only > /dev/null
  echo "[bench] building in $BUILD" >&2
  WW_TARGETS="wormwatch wwgen pcap_readloop host_bench scan_bench idle_smtp_gen pcap_split" JOBS=2 \
    nice bash scripts/build.sh "$BUILD" > "$BUILD.log" 2>&1 ||
    { tail -30 "$BUILD.log" >&2; echo "scripts/bench.sh: build failed (log: $BUILD.log)" >&2; exit 1; }
fi
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
rm -rf "$WORK/runs" "$WORK/out" "$WORK"/*.info.json "$WORK/load.log" "$WORK"/*.profile.json
mkdir -p "$WORK/runs" "$WORK/out"
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
for f in "${FIGS[@]}"; do
  # shellcheck source=/dev/null
  source "$ROOT/scripts/bench/$f.sh"
done

python3 - "$WORK/meta.json" <<PY
import json, sys, time
json.dump({"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
           "commit": "$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- 2> /dev/null || echo '+dirty')",
           "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')",
           "cores": $(nproc), "start_epoch": time.time()}, open(sys.argv[1], "w"))
PY
load_mark "start"
for f in "${FIGS[@]}"; do
  "fig_$f"
done
load_mark "end"

python3 "$ROOT/scripts/bench/lib.py" report "$WORK" "$ROOT" "scripts/bench.sh${ARGS:+ $ARGS}" "$ONLY" > /dev/null
echo "[bench] wrote bench/results.json and a new section at the end of bench/results.md" >&2
tail -n +"$(grep -n '^## ' "$ROOT/bench/results.md" | tail -1 | cut -d: -f1)" "$ROOT/bench/results.md"
rm -rf "$WORK/out" "$WORK/perf.data" "$WORK/perf.data.old"
if ((KEEP == 0)); then
  rm -f "$WORK"/*.pcap "$WORK"/*.pcap.json
fi

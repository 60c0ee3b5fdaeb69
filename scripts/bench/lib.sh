# Shared helpers for scripts/bench.sh and scripts/bench/*.sh (sourced, not run).
# Expects ROOT, WORK, BUILD, RUNS, WW_RUNS to be set by scripts/bench.sh.

BIN="$BUILD/sensor/wormwatch"
GEN="$BUILD/tools/gen/wwgen"
LOOP="$BUILD/tools/bench/pcap_readloop"
HOST_BENCH="$BUILD/tools/bench/host_bench"
SCAN_BENCH="$BUILD/tools/bench/scan_bench"
IDLE_GEN="$BUILD/tools/bench/idle_smtp_gen"
LIB_PY="$ROOT/scripts/bench/lib.py"

# Paths as the results show them: relative to the source root.
rel() { echo "${1#"$ROOT"/}"; }

say() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }

# Notes the machine load (1/5/15-minute load averages) with a label.
load_mark() {
  echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)  $*" >> "$WORK/load.log"
}

# run_timed LABEL [--eve DIR] [--cap SECONDS] -- COMMAND...
# Runs COMMAND once under /usr/bin/time -v and appends a record (wall from the
# shell's clock, CPU = user + system, peak RSS, and the final EVE stats record
# when --eve names the command's log directory) to $WORK/runs/LABEL.jsonl.
run_timed() {
  local label="$1" eve="" cap=""
  shift
  while [[ "$1" != "--" ]]; do
    case "$1" in
      --eve) eve="$2"; shift 2 ;;
      --cap) cap="$2"; shift 2 ;;
      *) echo "run_timed: bad option $1" >&2; return 2 ;;
    esac
  done
  shift
  local tv="$WORK/runs/$label.timev" rc=0 t0 t1 extra=""
  if [[ -n "$eve" ]]; then rm -rf "$eve"; mkdir -p "$eve"; fi
  local pre=()
  if [[ -n "$cap" ]]; then pre=(timeout --signal=KILL "$cap"); fi
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$tv" "${pre[@]}" "$@" > "$WORK/runs/$label.out" 2> "$WORK/runs/$label.err" || rc=$?
  t1=$(date +%s.%N)
  if [[ -n "$cap" ]]; then
    if ((rc == 124 || rc == 137)); then
      extra="{\"timed_out\":true,\"cap_s\":$cap}"
    else
      extra="{\"timed_out\":false,\"cap_s\":$cap}"
    fi
  fi
  python3 "$LIB_PY" record "$WORK/runs/$label.jsonl" "$label" "$(echo "$t1 - $t0" | bc -l)" "$tv" "$rc" \
    "$eve" "$extra"
}

# best_of N LABEL [run_timed options] -- COMMAND...: N runs of the same command.
best_of() {
  local n="$1"
  shift
  rm -f "$WORK/runs/$1.jsonl"
  for ((i = 0; i < n; i++)); do run_timed "$@"; done
}

# readloop_runs LABEL FILE: the bare libpcap read loop, best of $RUNS.
readloop_runs() {
  best_of "$RUNS" "$1" -- "$LOOP" "$2"
}

# capture_info FILE -> JSON {"packets", "wire_bytes", "file_bytes"}
capture_info() { python3 "$LIB_PY" pcapinfo "$1"; }

# warm FILE: read it once so every contender starts with it in the page cache.
warm() { cat "$1" > /dev/null; }

# A perf profile of wormwatch on FILE with the given arguments: top functions by self time, and how much
# of the time is hashing, base64 decoding, libmagic, nDPI, JSON output, and
# through which wormwatch functions (DWARF call graphs: the build has no frame
# pointers).
#   profile_run NAME FILE WORMWATCH_ARGS... -> $WORK/NAME.profile.json
profile_run() {
  local name="$1" file="$2"
  shift 2
  local ww_args=("$@")
  local out="$WORK/$name.profile.json"
  rm -f "$out"
  if ! command -v perf > /dev/null || ! perf record -o /dev/null -- true > /dev/null 2>&1; then
    say "$name: perf is not available: no profile (apt-get install linux-perf)"
    return 0
  fi
  say "$name: perf profile"
  rm -rf "$WORK/out/perf"; mkdir -p "$WORK/out/perf"
  perf record -F 499 --call-graph dwarf,16384 -o "$WORK/perf.data" -- \
    "$BIN" -r "$file" "${ww_args[@]}" -l "$WORK/out/perf" > /dev/null 2> "$WORK/perf.err" ||
    { say "$name: perf record failed (see $WORK/perf.err)"; return 0; }
  perf report -i "$WORK/perf.data" --no-children --sort comm,dso,symbol --stdio -g none \
    > "$WORK/perf.top.txt" 2> /dev/null
  perf script -i "$WORK/perf.data" -F ip,sym,dso > "$WORK/perf.script.txt" 2> /dev/null
  python3 "$LIB_PY" perf-top "$WORK/perf.top.txt" 25 > "$WORK/perf.top.json"
  python3 "$LIB_PY" perf-callers "$WORK/perf.script.txt" > "$WORK/perf.callers.json"
  rm -f "$WORK/perf.script.txt"
  python3 - "$out" "$WORK" "perf record -F 499 --call-graph dwarf -- wormwatch -r $(rel "$file") ${ww_args[*]}" <<'PY'
import json, sys
out, work, cmd = sys.argv[1:]
json.dump({"tool": "perf", "command": cmd, "top": json.load(open(work + "/perf.top.json")),
           "callers": json.load(open(work + "/perf.callers.json"))}, open(out, "w"))
PY
}

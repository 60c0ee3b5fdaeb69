# Figure 3, the host tracker (issue 7). Sourced by scripts/bench.sh.
fig_hosts() {
  local json="$WORK/hosts.jsonl" out cmd="host_bench --events 2000000 --repeat 5"
  rm -f "$json"
  load_mark "hosts: start"
  say "hosts: $cmd"
  out=$("$HOST_BENCH" --events 2000000 --repeat 5 --json "$json")
  echo "$out" >&2
  python3 - "$WORK/hosts.info.json" "$(rel "$HOST_BENCH") --events 2000000 --repeat 5" "$out" "$json" <<'PY'
import json, sys
out, cmd, text, js = sys.argv[1:]
res = [json.loads(l) for l in open(js) if l.strip()][-1]
json.dump({"command": cmd, "output": text, "result": res}, open(out, "w"))
PY
}

#!/usr/bin/env bash
# Installs what is missing, builds wormwatch, and runs it on the bundled demo
# captures, then shows what it found. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/install-deps.sh --build-only
WW_TARGETS="wormwatch" bash scripts/build.sh "$ROOT/build" >/dev/null
OUT="$ROOT/out/demo"
rm -rf "$OUT"
mkdir -p "$OUT"
CAPTURES=(pcaps/smtp-2525.pcap pcaps/linktype-ethernet.pcap pcaps/vlan-qinq.pcap
          pcaps/ipv6-exthdr.pcap pcaps/malformed.pcap)
echo "== wormwatch -r ${CAPTURES[*]} -l $OUT --workers 1"
ARGS=()
for c in "${CAPTURES[@]}"; do ARGS+=(-r "$c"); done
./build/sensor/wormwatch "${ARGS[@]}" -l "$OUT" --workers 1
echo
echo "== records in $OUT/eve.json (first 5 flow records):"
grep '"event_type":"flow"' "$OUT/eve.json" | head -5

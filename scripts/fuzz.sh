#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan, UBSan) and runs each for a bounded
# time on a seed corpus cut from pcaps/. Any crash fails the script and leaves the
# reproducer in build-fuzz/crashes/.
#   scripts/fuzz.sh [SECONDS_PER_HARNESS]   (default 60)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECS="${1:-60}"
cd "$ROOT"
B="$ROOT/build-fuzz"
source "$ROOT/scripts/ccache-env.sh"
if [[ ! -f "$B/CMakeCache.txt" ]]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWW_FUZZ=ON -DWW_TESTS=ON "${WW_LAUNCHER[@]}" >/dev/null
fi
HARNESSES=(fuzz_decode fuzz_packet_path fuzz_smtp fuzz_mime)
cmake --build "$B" -j"$(nproc)" --target "${HARNESSES[@]}"
/usr/bin/python3 tests/fuzz/make_seeds.py pcaps "$B/seeds"
mkdir -p "$B/crashes"
for h in "${HARNESSES[@]}"; do
  corpus="$B/corpus/$h"
  mkdir -p "$corpus"
  seeds="$B/seeds/${h#fuzz_}"
  echo "== $h for ${SECS}s"
  "$B/tests/fuzz/$h" "$corpus" "$seeds" -max_total_time="$SECS" -max_len=65536 \
    -artifact_prefix="$B/crashes/$h-" -print_final_stats=1 2>&1 | tail -12
done

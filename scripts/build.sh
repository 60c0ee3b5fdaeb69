#!/usr/bin/env bash
# Configures and builds wormwatch. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# Default BUILD_DIR is build/; WW_TARGETS limits what is built. Incremental: a second run only rebuilds what changed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${1:-$ROOT/build}"
shift || true
JOBS="${JOBS:-$(nproc)}"
GEN=()
if command -v ninja >/dev/null 2>&1; then GEN=(-G Ninja); fi
# ccache (when installed) with paths made relative to the checkout, so a fresh clone in
# another folder reuses what an earlier build compiled. WW_NO_CCACHE=1 turns it off.
source "$ROOT/scripts/ccache-env.sh"
if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" "${GEN[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${WW_LAUNCHER[@]}" "$@"
elif (($#)); then
  cmake -S "$ROOT" -B "$BUILD_DIR" "$@"
fi
# WW_TARGETS="a b" builds only those targets.
TARGETS=()
for t in ${WW_TARGETS:-}; do TARGETS+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"$JOBS" "${TARGETS[@]}"

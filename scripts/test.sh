#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
#   1. the release build: every ctest test (unit, regression, end-to-end);
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build: unit and regression tests.
# Idempotent. Set WW_SKIP_SANITIZE=1 to skip the second build while iterating.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/install-deps.sh
JOBS="${JOBS:-$(nproc)}"

echo "== release build"
bash scripts/build.sh "$ROOT/build"
echo "== tests (release build)"
(cd build && ctest --output-on-failure -j"$JOBS" --timeout 900)

if [[ "${WW_SKIP_SANITIZE:-0}" != "1" ]]; then
  echo "== sanitizer build (ASan + UBSan)"
  bash scripts/build.sh "$ROOT/build-asan" -DWW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  echo "== unit and regression tests (sanitizer build)"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd build-asan && ctest --output-on-failure -j"$JOBS" --timeout 1800 -L "unit|regress")
fi

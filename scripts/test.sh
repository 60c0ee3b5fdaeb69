#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
#   1. the release build: every ctest test (unit, regression, end-to-end);
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build: unit and regression tests;
#   3. the libFuzzer harnesses (clang) for a bounded time on a seed corpus.
# Idempotent. WW_SKIP_SANITIZE=1 / WW_SKIP_FUZZ=1 skip stages 2 / 3 while iterating;
# WW_FUZZ_SECONDS sets the time per harness (default 30).
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

if [[ "${WW_SKIP_FUZZ:-0}" != "1" ]]; then
  echo "== fuzzing (libFuzzer, ASan, UBSan): ${WW_FUZZ_SECONDS:-30}s per harness on the seed corpus"
  bash scripts/fuzz.sh "${WW_FUZZ_SECONDS:-30}"
fi

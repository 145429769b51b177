#!/bin/sh
# Fuzz smoke test (CI): builds the project with clang and libFuzzer into ./build-fuzz, then runs
# the engine fuzzer for a bounded time over a copy of the seed corpus. Fails on any crash,
# sanitizer report, invariant violation, timeout or memory blow-up; the failing input is kept
# in build-fuzz/artifacts/. FUZZ_SECONDS sets the run time (default 60).
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DROOTD_FUZZ=ON -DROOTD_SANITIZE=ON -DROOTD_WERROR=ON >/dev/null
# All targets, not just the fuzzer: this is also CI's check that the project builds with clang.
ninja -C build-fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp fuzz/corpus/engine/* "$corpus/"
mkdir -p build-fuzz/artifacts
# libFuzzer reports every new input; the log keeps that, CI shows its end.
log=build-fuzz/engine_fuzzer.log
if ! ./build-fuzz/fuzz/engine_fuzzer -max_total_time="${FUZZ_SECONDS:-60}" -timeout=5 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ "$corpus" 2>"$log"; then
  tail -n 60 "$log" >&2
  echo "fuzz_smoke: engine_fuzzer failed; reproduce with ./build-fuzz/fuzz/engine_fuzzer build-fuzz/artifacts/<file>" >&2
  exit 1
fi
tail -n 12 "$log"

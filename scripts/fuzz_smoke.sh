#!/bin/sh
# Fuzz smoke test (CI): builds the project with clang and libFuzzer into ./build-fuzz, then runs
# each fuzzer for a bounded time over a copy of its seed corpus: the engine FUZZ_SECONDS
# (default 60), each SKR reader and the dataplane's packet parser a third of that. Fails on any
# crash, sanitizer report, invariant violation, timeout or memory blow-up; the failing input is
# kept in build-fuzz/artifacts/.
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DROOTD_FUZZ=ON -DROOTD_SANITIZE=ON -DROOTD_WERROR=ON >/dev/null
# All targets, not just the fuzzers: this is also CI's check that the project builds with clang.
ninja -C build-fuzz
mkdir -p build-fuzz/artifacts
seconds=${FUZZ_SECONDS:-60}

# fuzz NAME CORPUS SECONDS
fuzz() {
  corpus=$(mktemp -d)
  cp "fuzz/corpus/$2"/* "$corpus/"
  # libFuzzer reports every new input; the log keeps that, CI shows its end.
  log=build-fuzz/$1.log
  if ! "./build-fuzz/fuzz/$1" -max_total_time="$3" -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ "$corpus" 2>"$log"; then
    rm -rf "$corpus"
    tail -n 60 "$log" >&2
    echo "fuzz_smoke: $1 failed; reproduce with ./build-fuzz/fuzz/$1 build-fuzz/artifacts/<file>" >&2
    exit 1
  fi
  rm -rf "$corpus"
  tail -n 12 "$log"
}

fuzz engine_fuzzer engine "$seconds"
# The readers are small and fast: a third of the time reaches their corners (30 s found none).
fuzz skr_xml_fuzzer skr_xml $((seconds / 3))
fuzz knot_skr_fuzzer knot_skr $((seconds / 3))
# The L2-L4 parser is small: a third of the time too.
fuzz packet_fuzzer packet $((seconds / 3))

#!/bin/sh
# Sanitizer stage of CI, after scripts/fuzz_smoke.sh has built ./build-fuzz:
#   1. the whole test suite in ./build-fuzz (clang, ASan + UBSan; rootd, rootctl and the tools
#      the tests start are instrumented too);
#   2. the threaded tests in ./build-tsan (clang, ThreadSanitizer), which builds only them.
# Any sanitizer report fails the test that triggered it, with the report in ctest's output.
set -eu
cd "$(dirname "$0")/.."

# ASan + UBSan: the fuzz tree, not a tree of its own. Its coverage instrumentation
# (-fsanitize=fuzzer-no-link) makes the suite about 2.6x slower than gcc's (3 min vs 68 s on
# 2 cores), far less than the ~8 min a second clang tree would take to build.
if [ ! -f build-fuzz/build.ninja ]; then
  echo "sanitize: ./build-fuzz is missing; run scripts/fuzz_smoke.sh first (it configures and builds it)" >&2
  exit 2
fi
ninja -C build-fuzz
# Stop at the first report, with a stack; leaks fail the process (LeakSanitizer, exit 23). The
# runtime is linked statically into the instrumented binaries, not preloaded, so the peer servers
# the tests start (nsd, knot, named) run unchanged; they ignore these variables.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
(cd build-fuzz && ctest --output-on-failure -j2 --timeout 900)

# TSan cannot share a process with ASan, hence a tree of its own: server_tests, and the rootd
# and rootctl binaries the reload test starts. Only the tests with threads run in it.
cmake -S . -B build-tsan -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DROOTD_TSAN=ON -DROOTD_WERROR=ON >/dev/null
ninja -C build-tsan server_tests rootd rootctl dataplane_service_tests
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# Image publication (readers vs. writer), statistics merged while workers count, the server core
# with a transport of its own across reloads, every transport counting into one stats path,
# bundles swapped by the bundle thread, the clock and pins while workers serve, reload under load,
# the DPDK lcores (image readers, their counters read by the control thread, the hand-over of the
# queues at start and stop).
(cd build-tsan && ctest --output-on-failure -j1 --timeout 900 \
  -R '^(ImagePublisherTest\.|StatsTest\.|ServerTest\.|RootdStatsTest\.|RootdBundleTest\.|RootdReloadTest\.|RealZoneTest\.RootctlStatusAndStats$|DpdkPcapTest\.)')

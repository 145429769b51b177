#!/bin/sh
# Installs dependencies, builds, and runs the whole test suite (unit, integration, fuzz smoke),
# then runs it again under the sanitizers (ASan + UBSan; the threaded tests under TSan).
set -eu
cd "$(dirname "$0")/.."
# Each stage's wall time goes to the log, to keep an eye on CI's budget on 2 cores.
stage() {
  start=$(date +%s)
  "$@"
  echo "test.sh: '$*' took $(($(date +%s) - start)) s"
}
stage ./scripts/setup.sh
stage ./scripts/build.sh
stage sh -c 'cd build && ctest --output-on-failure -j2 --timeout 900'
# After ctest, not inside it: the fuzz build is a second, clang build tree of its own.
stage ./scripts/fuzz_smoke.sh
# Last, because it reuses the fuzz tree: the suite under ASan + UBSan, the threaded tests under TSan.
stage ./scripts/sanitize.sh

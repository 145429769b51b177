#!/bin/sh
# Installs dependencies, builds, and runs the whole test suite (unit, integration, fuzz smoke).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
(cd build && ctest --output-on-failure -j2 --timeout 900)
# After ctest, not inside it: the fuzz build is a second, clang build tree of its own.
./scripts/fuzz_smoke.sh

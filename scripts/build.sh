#!/bin/sh
# Configures and builds rootd into ./build (Release with debug info, warnings as errors).
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DROOTD_WERROR=ON "$@" >/dev/null
ninja -C build

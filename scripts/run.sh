#!/bin/sh
# Installs dependencies, builds, and runs rootd on its default lab root zone.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec ./build/server/rootd "$@"

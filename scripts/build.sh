#!/usr/bin/env bash
# Builds MLLab: native (CLI + tests) into build/, web (app + wasm tests) into build-web/.
# Usage: scripts/build.sh [native|web|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
JOBS="${JOBS:-$(nproc)}"
# The benchmark programs (and the web build's node CLI, which only the benchmarks run);
# scripts/test.sh builds without them.
BENCH="${MLLAB_BUILD_BENCH:-ON}"
# Emscripten's JS tools need Debian's node modules (acorn) when node is not Debian's.
export NODE_PATH=/usr/share/nodejs
# A developer's ccache, when there is one, serves repeated builds (and other work trees).
if command -v ccache >/dev/null 2>&1; then
  export CMAKE_CXX_COMPILER_LAUNCHER="${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}" CMAKE_C_COMPILER_LAUNCHER="${CMAKE_C_COMPILER_LAUNCHER:-ccache}"
fi

if [ "$what" = native ] || [ "$what" = all ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMLLAB_BUILD_TESTS=ON "-DMLLAB_BUILD_BENCH=$BENCH" >/dev/null
  cmake --build build -j "$JOBS"
fi
if [ "$what" = web ] || [ "$what" = all ]; then
  emcmake cmake -S . -B build-web -DCMAKE_BUILD_TYPE=Release -DMLLAB_BUILD_TESTS=ON "-DMLLAB_BUILD_BENCH=$BENCH" \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node;--no-experimental-fetch" >/dev/null
  cmake --build build-web -j "$JOBS"
fi

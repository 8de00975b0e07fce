#!/usr/bin/env bash
# Sets up, builds everything and runs every test: the GoogleTest suite natively and as wasm
# under node, the CLI tests, and the browser end-to-end tests (Playwright + Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
MLLAB_BUILD_BENCH=OFF ./scripts/build.sh all  # no test runs the benchmark programs

mkdir -p test-artifacts
passed=0
failed=0
count_gtest() {  # adds a GoogleTest log's counts to the totals
  local p f
  p=$( (grep -Eo '\[  PASSED  \] [0-9]+' "$1" || true) | awk '{s+=$4} END {print s+0}')
  f=$( (grep -Eo '\[  FAILED  \] [0-9]+ test' "$1" || true) | awk '{s+=$4} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}
count_node() {  # adds a node --test log's counts to the totals
  local p f
  p=$( (grep -E '^# pass ' "$1" || true) | awk '{s+=$3} END {print s+0}')
  f=$( (grep -E '^# fail ' "$1" || true) | awk '{s+=$3} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}
status=0

echo "== GoogleTest, native"
ctest --test-dir build --output-on-failure -V > test-artifacts/gtest-native.log 2>&1 || status=1
tail -n 3 test-artifacts/gtest-native.log; count_gtest test-artifacts/gtest-native.log

echo "== GoogleTest, native under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan)"
# Tests only (no benchmarks, no CLI), -O1; any sanitizer report fails the run. (g++'s "undefined"
# leaves out float-cast-overflow; the clang fuzzers check it.)
sanitize="-O1 -g1 -DNDEBUG -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
asan_start=$SECONDS
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Asan "-DCMAKE_CXX_FLAGS_ASAN=$sanitize" "-DCMAKE_C_FLAGS_ASAN=$sanitize" \
  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" -DMLLAB_BUILD_BENCH=OFF -DMLLAB_BUILD_TESTS=ON >/dev/null
cmake --build build-asan -j "${JOBS:-$(nproc)}" --target mllab_tests > test-artifacts/build-asan.log 2>&1 || {
  tail -n 20 test-artifacts/build-asan.log; status=1; }
asan_built=$SECONDS
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  build-asan/mllab_tests > test-artifacts/gtest-asan.log 2>&1 || status=1
tail -n 3 test-artifacts/gtest-asan.log; count_gtest test-artifacts/gtest-asan.log
(grep -E '^(SUMMARY|==[0-9]+==ERROR)|runtime error' test-artifacts/gtest-asan.log || true) | head -n 5
echo "sanitizer step: build $((asan_built - asan_start)) s, run $((SECONDS - asan_built)) s"

echo "== GoogleTest, wasm under node"
ctest --test-dir build-web --output-on-failure -V > test-artifacts/gtest-wasm.log 2>&1 || status=1
tail -n 3 test-artifacts/gtest-wasm.log; count_gtest test-artifacts/gtest-wasm.log

echo "== CLI and browser end-to-end (node --test)"
node --test --test-reporter=tap tests/cli/*.test.mjs tests/e2e/*.test.mjs > test-artifacts/node-tests.log 2>&1 || status=1
grep -E '^(not ok|# (tests|pass|fail))' test-artifacts/node-tests.log || true
count_node test-artifacts/node-tests.log

if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo
echo "summary: ${passed} passed, ${failed} failed"
exit "$status"

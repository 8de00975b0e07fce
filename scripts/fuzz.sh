#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang + ASan + UBSan) into build-fuzz/ and runs each
# for SECONDS (default 600), FUZZ_PARALLEL at a time, from its seed corpus (tests/fuzz/corpus/<target>/,
# read only: new inputs go to build-fuzz/corpus/<target>/), with tests/fuzz/<target>.dict when there is one. Crash inputs land in
# build-fuzz/crashes/<target>/; keep each as a regression in tests/fuzz/regressions/<target>/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: csv pipeline_spec model_doc
#        store_records filter model_uri; default all)
# Env: JOBS (build), FUZZ_PARALLEL (targets at once, default 1), FUZZ_ARGS (extra libFuzzer flags)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
if [ "${#targets[@]}" = 0 ]; then
  targets=(csv pipeline_spec model_doc store_records filter model_uri)
fi
JOBS="${JOBS:-$(nproc)}"
./scripts/setup.sh

# -O1 (as libFuzzer's docs suggest): a third of -O3's compile time, most of its speed.
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Fuzz "-DCMAKE_CXX_FLAGS_FUZZ=-O1 -DNDEBUG" "-DCMAKE_C_FLAGS_FUZZ=-O1 -DNDEBUG" \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DMLLAB_BUILD_FUZZERS=ON -DMLLAB_BUILD_TESTS=OFF -DMLLAB_BUILD_BENCH=OFF >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("mllab_${t}_fuzzer"); done
cmake --build build-fuzz -j "$JOBS" --target "${build_targets[@]}"

fuzz_one() {  # runs one target; writes its summary line to build-fuzz/fuzz-$1.summary
  local t="$1" corpus="build-fuzz/corpus/$1" artifacts="build-fuzz/crashes/$1" log="build-fuzz/fuzz-$1.log"
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzzing $t for ${seconds} s (log: $log)"
  # -fork=1 with -ignore_crashes=1: a crash is saved and the run goes on to the time limit.
  # -rss_limit_mb: a browser tab has ~2 GB; inputs are capped at 64 KB.
  local rc=0 dict=()
  if [ -f "tests/fuzz/$t.dict" ]; then dict=(-dict="tests/fuzz/$t.dict"); fi
  "build-fuzz/mllab_${t}_fuzzer" "$corpus" "tests/fuzz/corpus/$t" "${dict[@]}" -max_total_time="$seconds" \
    -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
  # Fork mode's last status line "#<executions>: cov: ..." holds the total.
  local execs
  execs=$( (grep -Eo '^#[0-9]+' "$log" || true) | tail -n1 | tr -d '#')
  echo "$t: ${seconds} s, ${execs:-0} executions, $(find "$corpus" -type f | wc -l) corpus files," \
    "$(find "$artifacts" -type f | wc -l) crash files in $artifacts (exit $rc)" > "build-fuzz/fuzz-$t.summary"
  cat "build-fuzz/fuzz-$t.summary"
}

# FUZZ_PARALLEL targets at a time (default 1: each gets a core of a 2-core machine to itself).
parallel="${FUZZ_PARALLEL:-1}"
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$parallel" ]; then wait -n || true; running=$((running - 1)); fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait

status=0
echo
echo "fuzz summary:"
for t in "${targets[@]}"; do
  echo "  $(cat "build-fuzz/fuzz-$t.summary")"
  if [ -n "$(find "build-fuzz/crashes/$t" -type f)" ]; then status=1; fi
done
exit "$status"

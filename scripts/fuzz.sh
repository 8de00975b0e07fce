#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang + ASan + UBSan) into build-fuzz/ and runs each
# for SECONDS (default 600), one after another, from its seed corpus (tests/fuzz/corpus/<target>/,
# read only: new inputs go to build-fuzz/corpus/<target>/). Crash inputs land in
# build-fuzz/crashes/<target>/; keep each as a regression in tests/fuzz/regressions/<target>/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: csv pipeline_spec model_doc
#        store_records filter model_uri; default all)   Env: JOBS (build), FUZZ_ARGS (extra flags)
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

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DMLLAB_BUILD_FUZZERS=ON -DMLLAB_BUILD_TESTS=OFF -DMLLAB_BUILD_BENCH=OFF >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("mllab_${t}_fuzzer"); done
cmake --build build-fuzz -j "$JOBS" --target "${build_targets[@]}"

status=0
summary=()
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t"
  artifacts="build-fuzz/crashes/$t"
  log="build-fuzz/fuzz-$t.log"
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzzing $t for ${seconds} s (log: $log)"
  # -fork=1 with -ignore_crashes=1: a crash is saved and the run goes on to the time limit.
  # -rss_limit_mb: a browser tab has ~2 GB; inputs are capped at 64 KB.
  rc=0
  build-fuzz/mllab_${t}_fuzzer "$corpus" "tests/fuzz/corpus/$t" -max_total_time="$seconds" \
    -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$artifacts/" -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
  execs=$( (grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
  if [ "$execs" = 0 ]; then  # fork mode reports the total in its last status line
    execs=$( (grep -Eo '#[0-9]+' "$log" || true) | tail -n1 | tr -d '#')
  fi
  crashes=$(find "$artifacts" -type f | wc -l)
  line="$t: ${seconds} s, ${execs:-0} executions, $(find "$corpus" -type f | wc -l) corpus files, ${crashes} crash files in $artifacts (exit $rc)"
  summary+=("$line")
  echo "$line"
  if [ "$crashes" != 0 ]; then status=1; fi
done
echo
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit "$status"

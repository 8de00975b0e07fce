#!/usr/bin/env bash
# Benchmarks MLLab natively, as wasm under node, and scikit-learn (plus XGBoost for gradient
# boosting) on the same data in one run, single-threaded, and prints the comparison table.
# Results also land in test-artifacts/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
dpkg-query -W -f='${Status}' python3-xgboost 2>/dev/null | grep -q "install ok installed" || \
  { [ "$(id -u)" = 0 ] && apt-get install -y -qq --no-install-recommends python3-xgboost >/dev/null || true; }
./scripts/build.sh all

out=test-artifacts/bench
rm -rf "$out" && mkdir -p "$out"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
store=$(mktemp -d)

# Runs a spec through a CLI and prints a RESULT line from its run: the final fit's time (tag
# mllab.fit_ms; for a search, the whole run, which is what GridSearchCV.fit does) and accuracy.
pipeline() {  # pipeline CASE SPEC CLI...
  local case=$1 spec=$2; shift 2
  rm -rf "$store" && mkdir -p "$store"
  "$@" run "$spec" --store "$store" --json | /usr/bin/python3 -c "
import json, sys
r = json.load(sys.stdin)
fit = (r['end_time'] - r['start_time']) / 1000 if 'search' in r['params'] else int(r['tags']['mllab.fit_ms']) / 1000
print('RESULT case=$case fit_s=%.4f quality=%.4f peak_mb=0' % (fit, r['metrics']['accuracy']))"
}

# Reads a run (`run --json`) on stdin, copies its split.json to SPLIT_DIR/SUBDIR/ (scikit-learn
# then fits on exactly the same rows) and prints a RESULT line with the final fit's time.
same_split_result() {  # same_split_result CASE SPLIT_DIR SUBDIR
  /usr/bin/python3 -c '
import json, os, shutil, sys
case, splits, sub, store = sys.argv[1:5]
r = json.load(sys.stdin)
os.makedirs(os.path.join(splits, sub), exist_ok=True)
shutil.copy(os.path.join(store, "artifacts", r["run_id"], "split.json"), os.path.join(splits, sub, "split.json"))
print("RESULT case=%s fit_s=%.4f quality=%.4f peak_mb=0" % (case, int(r["tags"]["mllab.fit_ms"]) / 1000, r["metrics"]["accuracy"]))
' "$1" "$2" "$3" "$store"
}

# Birdstrikes "was the aircraft damaged?": the target is a derived dataset version (damaged =
# Effect Amount of damage != "None"); splits go to SPLIT_DIR/<model>/.
birdstrikes() {  # birdstrikes SPLIT_DIR CLI...
  local splits=$1; shift
  rm -rf "$store" && mkdir -p "$store"
  "$@" datasets add assets/datasets/birdstrikes.csv --store "$store" >/dev/null
  "$@" datasets derive birdstrikes_damage --from birdstrikes --steps bench/specs/birdstrikes-damaged-steps.json --store "$store" >/dev/null
  for m in rf hgb; do
    "$@" run "bench/specs/birdstrikes-damaged-$m.json" --store "$store" --json |
      same_split_result "birdstrikes_damaged_$m" "$splits" "$m"
  done
}

# The sentiment pipeline with a forest and with gradient boosting; splits go to
# SPLIT_DIR/sentiment_<model>/.
sentiment_same_split() {  # sentiment_same_split SPLIT_DIR CLI...
  local splits=$1; shift
  rm -rf "$store" && mkdir -p "$store"
  "$@" run examples/sentiment-rf-baseline.json --store "$store" --json |
    same_split_result sentiment_same_split_rf "$splits" sentiment_rf
  "$@" run bench/specs/sentiment-hgb.json --store "$store" --json |
    same_split_result sentiment_same_split_hgb "$splits" sentiment_hgb
}

echo "== MLLab native"
{ build/mllab_bench_trees all
  build/mllab_bench_trees sentiment 15
  pipeline grid_search_rf_3x3_cv5 examples/breast-cancer-grid-search.json build/mllab
  birdstrikes "$out/splits" build/mllab
  sentiment_same_split "$out/splits" build/mllab
  build/mllab_bench_drift all
  build/mllab_bench_tracking; } | tee "$out/native.txt"

echo "== MLLab wasm (node)"
{ node build-web/mllab_bench_trees.js all
  node build-web/mllab_bench_trees.js sentiment 15
  pipeline grid_search_rf_3x3_cv5 examples/breast-cancer-grid-search.json node build-web/mllab.js
  birdstrikes "$out/splits-wasm" node build-web/mllab.js
  sentiment_same_split "$out/splits-wasm" node build-web/mllab.js
  node build-web/mllab_bench_drift.js all
  node build-web/mllab_bench_tracking.js; } | tee "$out/wasm.txt"

echo "== scikit-learn"
# OpenBLAS may be pinned to an old kernel on this machine; let numpy pick its own for the timing.
{ env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/bench_trees_sklearn.py all
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/bench_pipelines_sklearn.py all "$out/splits"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/bench_drift_scipy.py all; } | tee "$out/sklearn.txt"

echo
/usr/bin/python3 bench/report.py "$out" | tee "$out/table.txt"

#!/usr/bin/python3
"""Writes tests/data/hgb_reference.json: scikit-learn 1.2.1's HistGradientBoostingClassifier /
HistGradientBoostingRegressor(early_stopping=False, random_state=0, **params) on the reference
splits and a few synthetic sets, for the exact-agreement tests in
tests/core/ml/hist_gradient_boosting_test.cpp.

Run from the repository root, single-threaded (scikit-learn sums the root gradients with an
OpenMP reduction whose rounding depends on the thread count; everything else is deterministic):
  OMP_NUM_THREADS=1 /usr/bin/python3 tests/data/make_hgb_reference.py [--all-trees OUT.json]

Per case (a dataset and extra parameters, see CASES): the test-set predict_proba (classifiers)
or predict (regressor), the predicted labels, n_iter, the baseline, and the nodes of the trees of
the first two iterations in scikit-learn's depth-first order (root, left subtree, right
subtree). --all-trees also dumps every tree's nodes to OUT.json (a debugging aid, not
committed).
"""
import json
import os
import sys

import numpy as np
import scipy
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor


def uniform(i, j, salt):
    """SplitMix64 finalizer of i * 0x9E3779B97F4A7C15 + j * 0xC2B2AE3D27D4EB4F + salt as a double
    in [0, 1) (the synthetic set of tests/data/tree_reference.json)."""
    with np.errstate(over="ignore"):
        z = i * np.uint64(0x9E3779B97F4A7C15) + np.uint64(j) * np.uint64(0xC2B2AE3D27D4EB4F) \
            + np.uint64(salt)
        z = z ^ (z >> np.uint64(30))
        z = z * np.uint64(0xBF58476D1CE4E5B9)
        z = z ^ (z >> np.uint64(27))
        z = z * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def regression_set(n_rows=3000, n_features=6, salt=777):
    """As tests/data/tree_reference.json's synthetic_regression (rows 0..1999 train)."""
    i = np.arange(n_rows, dtype=np.uint64)
    x = np.empty((n_rows, n_features))
    for j in range(n_features):
        x[:, j] = 2.0 * uniform(i, j, salt) - 1.0
    y = 3.0 * x[:, 0] * x[:, 1]
    y = y + 2.0 * x[:, 2] * x[:, 2]
    y = y - x[:, 3]
    y = y + 0.5 * (x[:, 4] > 0).astype(np.float64)
    y = y + 0.2 * (uniform(i, n_features, salt) - 0.5)
    return x, y


def ties_set():
    """80 rows, x0 = i, x1 = 2 i, y = |2 i - 79| (odd integers, mirror-symmetric): every split on
    x0 ties with the same split on x1 and the two halves of the root split tie, with exact float32
    gradients, so the tie-breaking (first feature; heapq order between nodes) decides the trees."""
    i = np.arange(80, dtype=np.float64)
    return np.column_stack([i, 2.0 * i]), np.abs(2.0 * i - 79.0)


def load(name):
    data = np.loadtxt("assets/datasets/%s.csv" % name, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1].astype(int)


def r12(v):
    return float(round(float(v), 12))


def tree_nodes(predictor):
    """Nodes in scikit-learn's depth-first order; leaves carry only value and count."""
    out = []
    for nd in predictor.nodes:
        if nd["is_leaf"]:
            out.append({"leaf": True, "value": r12(nd["value"]), "count": int(nd["count"])})
        else:
            out.append({
                "leaf": False,
                "feature": int(nd["feature_idx"]),
                "threshold": float(nd["num_threshold"]),  # exact: a bin edge of the training data
                "bin": int(nd["bin_threshold"]),
                "count": int(nd["count"]),
                "left": int(nd["left"]),
                "right": int(nd["right"]),
                "gain": r12(nd["gain"]),
            })
    return out


def describe(est, n_first):
    return {
        "n_iter": int(est.n_iter_),
        "baseline": [float(v) for v in np.ravel(est._baseline_prediction)],
        "first_trees": [[tree_nodes(p) for p in it] for it in est._predictors[:n_first]],
    }


# (case name, dataset, extra parameters beyond early_stopping=False, random_state=0). The
# variants exercise repeated percentile thresholds (iris has many ties; max_bins 8), the depth /
# leaf / l2 / min_samples_leaf limits and an unlimited leaf count.
CASES = [
    ("breast_cancer", "breast_cancer", {}),
    ("iris", "iris", {}),
    ("wine", "wine", {}),
    ("synthetic_regression", "synthetic_regression", {}),
    ("iris_max_bins_8", "iris", {"max_bins": 8, "max_iter": 30}),
    ("breast_cancer_limits", "breast_cancer",
     {"max_leaf_nodes": 8, "max_depth": 3, "min_samples_leaf": 10, "l2_regularization": 0.5,
      "learning_rate": 0.2, "max_bins": 32, "max_iter": 50}),
    ("synthetic_regression_limits", "synthetic_regression",
     {"max_leaf_nodes": None, "max_depth": 4, "min_samples_leaf": 5, "l2_regularization": 1.0,
      "learning_rate": 0.3, "max_iter": 30}),
    ("ties_regression", "ties", {"max_leaf_nodes": 3, "min_samples_leaf": 5, "max_iter": 3}),
]


def main():
    all_trees_path = None
    if len(sys.argv) == 3 and sys.argv[1] == "--all-trees":
        all_trees_path = sys.argv[2]
    splits = json.load(open("tests/data/logreg_splits.json"))
    out = {
        "schema": 1,
        "meta": {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "python": sys.version.split()[0],
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
            "command": "OMP_NUM_THREADS=1 /usr/bin/python3 tests/data/make_hgb_reference.py",
            "note": "HistGradientBoosting{Classifier,Regressor}(early_stopping=False, "
                    "random_state=0, **params). Classification: train/test indices of "
                    "tests/data/logreg_splits.json; regression: the synthetic set of "
                    "tree_reference.json, rows 0..1999 train, 2000..2999 test; ties: see ties_set "
                    "in the script (train = test = all 80 rows). first_trees: the trees of the "
                    "first two iterations (one per class for multiclass), nodes in depth-first "
                    "order (root, left subtree, right subtree); values and gains rounded to "
                    "1e-12, thresholds exact.",
        },
    }
    dump = {}
    for case, dataset, params in CASES:
        if dataset in ("synthetic_regression", "ties"):
            if dataset == "ties":
                x, y = ties_set()
                x_train, y_train, x_test, y_test = x, y, x, y
            else:
                x, y = regression_set()
                x_train, y_train, x_test, y_test = x[:2000], y[:2000], x[2000:], y[2000:]
            est = HistGradientBoostingRegressor(early_stopping=False, random_state=0, **params)
            est.fit(x_train, y_train)
            pred = est.predict(x_test)
            rec = {"dataset": dataset, "params": params}
            rec.update(describe(est, 2))
            rec["test_predictions"] = [float(v) for v in pred]
            yt = y_test
            rec["test_r2"] = float(1.0 - np.sum((yt - pred) ** 2) / np.sum((yt - yt.mean()) ** 2))
            print("%-28s n_iter %3d R2 %.6f" % (case, est.n_iter_, rec["test_r2"]))
        else:
            x, y = load(dataset)
            tr = splits[dataset]["train_indices"]
            te = splits[dataset]["test_indices"]
            est = HistGradientBoostingClassifier(early_stopping=False, random_state=0, **params)
            est.fit(x[tr], y[tr])
            proba = est.predict_proba(x[te])
            pred = est.predict(x[te])
            rec = {"dataset": dataset, "params": params}
            rec.update(describe(est, 2))
            rec.update({
                "classes": [int(c) for c in est.classes_],
                "test_proba": [[float(v) for v in row] for row in proba],
                "test_predictions": [int(v) for v in pred],
                "test_accuracy": float(np.mean(pred == y[te])),
            })
            thresholds = est._bin_mapper.bin_thresholds_
            rec["n_repeated_thresholds"] = int(sum(len(t) - len(np.unique(t)) for t in thresholds))
            print("%-28s n_iter %3d accuracy %.4f (repeated bin thresholds: %d)"
                  % (case, est.n_iter_, rec["test_accuracy"], rec["n_repeated_thresholds"]))
        out[case] = rec
        dump[case] = [[tree_nodes(p) for p in it] for it in est._predictors]
    with open("tests/data/hgb_reference.json", "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("provenance:", json.dumps(out["meta"]))
    if all_trees_path:
        with open(all_trees_path, "w") as f:
            json.dump(dump, f)


if __name__ == "__main__":
    main()

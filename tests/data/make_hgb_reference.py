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

The key "missing_values" holds the cases with NaN inputs (NAN_CASES): the same records plus,
per split node, missing_go_to_left (a split on the last non-missing bin, "non-missing left, NaN
right", has threshold +inf, written as null), the NaN cells of the dataset ("nan_cells": per
column, the row indices set to NaN, from a fixed numpy RandomState mask) and, for the tiny
hand-checkable sets, the rows themselves.
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


def tree_nodes(predictor, with_missing=False):
    """Nodes in scikit-learn's depth-first order; leaves carry only value and count. With
    with_missing, split nodes also carry missing_go_to_left, and a +inf threshold (a split on
    missing values) is written as None (JSON has no infinity)."""
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
            if with_missing:
                out[-1]["missing_go_to_left"] = bool(nd["missing_go_to_left"])
                if np.isinf(nd["num_threshold"]):
                    out[-1]["threshold"] = None
    return out


def describe(est, n_first, with_missing=False):
    return {
        "n_iter": int(est.n_iter_),
        "baseline": [float(v) for v in np.ravel(est._baseline_prediction)],
        "first_trees": [[tree_nodes(p, with_missing) for p in it]
                        for it in est._predictors[:n_first]],
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


def nan_mask(shape, seed, rate=0.1):
    """A fixed missing-value mask: RandomState(seed).rand(*shape) < rate."""
    return np.random.RandomState(seed).rand(*shape) < rate


def cells(mask):
    """Per column, the row indices where mask is set."""
    return [[int(i) for i in np.flatnonzero(mask[:, j])] for j in range(mask.shape[1])]


def breast_cancer_nan(splits):
    """breast_cancer with ~10% NaN cells (RandomState(42)); column 0 has none, column 1 NaN only in
    test rows, columns 2 and 3 NaN only in training rows, the others in both."""
    x, y = load("breast_cancer")
    tr = splits["breast_cancer"]["train_indices"]
    te = splits["breast_cancer"]["test_indices"]
    mask = nan_mask(x.shape, 42)
    mask[:, 0] = False
    mask[tr, 1] = False
    mask[te, 2] = False
    mask[te, 3] = False
    x = x.copy()
    x[mask] = np.nan
    return x, y, mask


def iris_nan(splits):
    """iris with ~15% NaN cells (RandomState(3)) in every column: multiclass trees."""
    x, y = load("iris")
    mask = nan_mask(x.shape, 3, 0.15)
    x = x.copy()
    x[mask] = np.nan
    return x, y, mask


def regression_nan():
    """The synthetic regression set with ~10% NaN cells (RandomState(7)), rows 0..1999 train."""
    x, y = regression_set()
    mask = nan_mask(x.shape, 7)
    x = x.copy()
    x[mask] = np.nan
    return x, y, mask


def tiny_nan():
    """8 rows, hand-checkable: x0 = 1..6 then NaN, NaN; x1 = 1 (constant) with the same NaN
    rows; x2 all NaN; x3 = 0..7 (no NaN); y = 0, 0, 0, 10, 10, 10, 0, 0. With min_samples_leaf 1
    and max_iter 1 the root splits x0 at 3.5 with NaN to the left (see the C++ test)."""
    nan = np.nan
    x = np.array([[1, 1, nan, 0], [2, 1, nan, 1], [3, 1, nan, 2], [4, 1, nan, 3],
                  [5, 1, nan, 4], [6, 1, nan, 5], [nan, nan, nan, 6], [nan, nan, nan, 7]],
                 dtype=np.float64)
    y = np.array([0, 0, 0, 10, 10, 10, 0, 0], dtype=np.float64)
    x_test = np.array([[nan, 1, nan, 0], [3, nan, nan, 7], [4, 1, nan, nan], [nan] * 4])
    return x, y, x_test


def tiny_no_nan_at_fit():
    """10 rows x = 0..9 without NaN, y = 10 for x >= 7: one split at 6.5 (7 rows left, 3 right),
    so a NaN at predict time goes to the left child, which had more training rows."""
    x = np.arange(10, dtype=np.float64).reshape(-1, 1)
    y = np.where(x[:, 0] >= 7, 10.0, 0.0)
    x_test = np.array([[np.nan], [0.0], [9.0]])
    return x, y, x_test


def tiny_split_on_nan():
    """8 rows: x0 = 1 for rows 0..5, NaN for rows 6, 7 (one non-missing bin); x1 all NaN; y = 10
    exactly where x0 is NaN: the root splits "non-missing left, NaN right" (threshold +inf)."""
    nan = np.nan
    x = np.array([[1.0, nan]] * 6 + [[nan, nan]] * 2)
    y = np.array([0.0] * 6 + [10.0] * 2)
    x_test = np.array([[1.0, nan], [nan, nan], [5.0, 0.0]])
    return x, y, x_test


# Cases with NaN inputs: (case name, dataset, extra parameters).
NAN_CASES = [
    ("breast_cancer_nan", "breast_cancer_nan", {}),
    ("breast_cancer_nan_limits", "breast_cancer_nan",
     {"max_leaf_nodes": 8, "min_samples_leaf": 5, "max_bins": 16, "l2_regularization": 0.5,
      "max_iter": 40}),
    ("iris_nan", "iris_nan", {"max_iter": 30}),
    ("synthetic_regression_nan", "synthetic_regression_nan", {"max_iter": 50}),
    ("tiny_nan", "tiny_nan", {"max_iter": 1, "min_samples_leaf": 1}),
    ("tiny_no_nan_at_fit", "tiny_no_nan_at_fit", {"max_iter": 1, "min_samples_leaf": 1}),
    ("tiny_split_on_nan", "tiny_split_on_nan", {"max_iter": 1, "min_samples_leaf": 1}),
]


def nan_cases(splits, dump):
    out = {}
    for case, dataset, params in NAN_CASES:
        rec = {"dataset": dataset, "params": params}
        if dataset in ("breast_cancer_nan", "iris_nan"):
            base = dataset[:-len("_nan")]
            x, y, mask = breast_cancer_nan(splits) if base == "breast_cancer" else iris_nan(splits)
            tr = splits[base]["train_indices"]
            te = splits[base]["test_indices"]
            est = HistGradientBoostingClassifier(early_stopping=False, random_state=0, **params)
            est.fit(x[tr], y[tr])
            proba = est.predict_proba(x[te])
            pred = est.predict(x[te])
            rec.update(describe(est, 2, True))
            rec.update({
                "nan_cells": cells(mask),
                "classes": [int(c) for c in est.classes_],
                "test_proba": [[float(v) for v in row] for row in proba],
                "test_predictions": [int(v) for v in pred],
                "test_accuracy": float(np.mean(pred == y[te])),
                "train_has_missing": [bool(v) for v in np.isnan(x[tr]).any(axis=0)],
            })
            print("%-28s n_iter %3d accuracy %.4f" % (case, est.n_iter_, rec["test_accuracy"]))
        else:
            if dataset == "synthetic_regression_nan":
                x, y, mask = regression_nan()
                x_train, y_train, x_test, y_test = x[:2000], y[:2000], x[2000:], y[2000:]
                rec["nan_cells"] = cells(mask)
            else:
                x_train, y_train, x_test = {"tiny_nan": tiny_nan,
                                            "tiny_no_nan_at_fit": tiny_no_nan_at_fit,
                                            "tiny_split_on_nan": tiny_split_on_nan}[dataset]()
                y_test = None
                nn = lambda m: [[None if np.isnan(v) else float(v) for v in row] for row in m]
                rec.update({"x_train": nn(x_train), "y_train": [float(v) for v in y_train],
                            "x_test": nn(x_test)})
            est = HistGradientBoostingRegressor(early_stopping=False, random_state=0, **params)
            est.fit(x_train, y_train)
            pred = est.predict(x_test)
            rec.update(describe(est, 2 if est.n_iter_ >= 2 else 1, True))
            rec["test_predictions"] = [float(v) for v in pred]
            if y_test is not None:
                yt = y_test
                rec["test_r2"] = float(1.0 - np.sum((yt - pred) ** 2)
                                       / np.sum((yt - yt.mean()) ** 2))
            print("%-28s n_iter %3d" % (case, est.n_iter_))
        rec["n_bins_non_missing"] = [int(v) for v in est._bin_mapper.n_bins_non_missing_]
        out[case] = rec
        dump[case] = [[tree_nodes(p, True) for p in it] for it in est._predictors]
    return out


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
    out["missing_values"] = nan_cases(splits, dump)
    with open("tests/data/hgb_reference.json", "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("provenance:", json.dumps(out["meta"]))
    if all_trees_path:
        with open(all_trees_path, "w") as f:
            json.dump(dump, f)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes tests/data/split_reference.json: scikit-learn 1.2.1's train_test_split (ShuffleSplit /
StratifiedShuffleSplit), KFold(shuffle=True) and StratifiedKFold(shuffle=True) on fixed labels,
drawn from numpy 1.24's legacy RandomState (MT19937), which MLLab reproduces. Includes labels
whose class counts tie in _approximate_mode (numpy's rng.choice breaks those ties).
Run: /usr/bin/python3 tests/data/make_split_reference.py (Debian bookworm's python3-sklearn)."""
import csv
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def labels(name, target):
    with open(os.path.join(ROOT, "assets/datasets", name + ".csv"), newline="", encoding="utf-8") as f:
        values = [r[target] for r in csv.DictReader(f)]
    classes = sorted(set(values))
    return [classes.index(v) for v in values]


def main():
    cases = []
    sets = {
        "breast_cancer": labels("breast_cancer", "target"),
        "sentiment": labels("sentiment", "label"),
        "ties_4x5": [c for c in range(4) for _ in range(5)],
        "ties_3_classes": [0] * 7 + [1] * 7 + [2] * 7 + [0] * 2,
        "odd_23": [0, 1] * 11 + [1],
    }
    sets["iris"] = labels("iris", "target")
    for name, y in sets.items():
        y = np.array(y)
        idx = np.arange(len(y))
        for test_size, seed, stratify in [(0.2, 42, True), (0.3, 0, True), (0.2, 42, False), (0.3, 123456789, False),
                                          (0.25, 4294967295, True)]:
            try:
                tr, te = train_test_split(idx, test_size=test_size, random_state=seed,
                                          stratify=y if stratify else None)
            except ValueError:  # too few rows per class for this size
                continue
            cases.append({"labels": name, "test_size": test_size, "random_state": seed, "stratify": stratify,
                          "train": tr.tolist(), "test": te.tolist()})
    folds = []
    for name in ("iris", "ties_3_classes", "odd_23"):
        y = np.array(sets[name])
        for seed in (0, 7):
            kf = [te.tolist() for _, te in KFold(5, shuffle=True, random_state=seed).split(y)]
            skf = [te.tolist() for _, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(y, y)]
            folds.append({"labels": name, "random_state": seed, "kfold_test": kf, "stratified_kfold_test": skf})
    out = {"provenance": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, Python "
                         f"{sys.version.split()[0]}; tests/data/make_split_reference.py",
           "labels": {k: v for k, v in sets.items()}, "train_test_split": cases, "folds": folds}
    with open(os.path.join(HERE, "split_reference.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes tests/data/naive_bayes_reference.json: scikit-learn's MultinomialNB on a tiny
hand-made count matrix (fitted attributes, predict_proba, predict_log_proba, predict) for a few
parameter settings. Run with Debian's python3-sklearn:

    /usr/bin/python3 tests/data/make_naive_bayes_reference.py
"""
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.naive_bayes import MultinomialNB

X_TRAIN = [
    [2, 1, 0, 0, 3],
    [3, 0, 1, 0, 1],
    [0, 4, 0, 1, 0],
    [1, 3, 0, 2, 0],
    [0, 0, 5, 1, 1],
    [0, 1, 4, 0, 2],
    [4, 0, 0, 0, 2],
    [0, 2, 1, 3, 0],
    [1, 0, 3, 0, 0],
    [0, 0, 0, 0, 7],
]
Y_TRAIN = [0, 0, 1, 1, 2, 2, 0, 1, 2, 0]
X_TEST = [
    [1, 0, 0, 0, 1],
    [0, 2, 0, 1, 0],
    [0, 0, 2, 0, 1],
    [0, 0, 0, 0, 0],
    [5, 5, 5, 5, 5],
    [30, 0, 0, 0, 0],
    [0.5, 1.5, 0, 2.25, 0],
]
CASES = [
    ("default", {}),
    ("alpha_0.5", {"alpha": 0.5}),
    ("alpha_1e-12_forced", {"alpha": 1e-12, "force_alpha": True}),
    ("alpha_0_clipped", {"alpha": 0.0, "force_alpha": False}),
    ("no_fit_prior", {"fit_prior": False}),
    ("class_prior", {"class_prior": [0.2, 0.5, 0.3]}),
]


def as_list(a):
    return np.asarray(a, dtype=float).tolist()


def main():
    out = {
        "meta": {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "generated_by": "tests/data/make_naive_bayes_reference.py (/usr/bin/python3)",
            "float_format": "JSON numbers written with Python repr (round-trip exact)",
        },
        "X_train": X_TRAIN,
        "y_train": Y_TRAIN,
        "X_test": X_TEST,
        "cases": [],
    }
    for name, params in CASES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MultinomialNB(**params).fit(np.array(X_TRAIN, dtype=float), Y_TRAIN)
            x = np.array(X_TEST, dtype=float)
            out["cases"].append({
                "name": name,
                "params": params,
                "class_count": as_list(model.class_count_),
                "feature_count": as_list(model.feature_count_),
                "class_log_prior": as_list(model.class_log_prior_),
                "feature_log_prob": as_list(model.feature_log_prob_),
                "predict_log_proba": as_list(model.predict_log_proba(x)),
                "predict_proba": as_list(model.predict_proba(x)),
                "predict": [int(c) for c in model.predict(x)],
            })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "naive_bayes_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""scikit-learn timings of the course's pipelines, the same work as the mllab specs
examples/sentiment-rf-baseline.json and examples/breast-cancer-grid-search.json.

Run single-threaded: OMP_NUM_THREADS=1 /usr/bin/python3 bench/bench_pipelines_sklearn.py
train_test_split(random_state=42, stratify=y) gives the same rows as MLLab's split of the same
spec (MLLab draws from numpy's RandomState algorithm).
"""
import csv
import json
import os
import resource
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def result(tag, seconds, quality):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("RESULT case=%s fit_s=%.4f quality=%.4f peak_mb=%.1f" % (tag, seconds, quality, peak), flush=True)


def sentiment():
    with open(os.path.join(ROOT, "assets/datasets/sentiment.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    text = [r["text"] for r in rows]
    y = np.array([int(r["label"]) for r in rows])
    x_tr, x_te, y_tr, y_te = train_test_split(text, y, test_size=0.2, random_state=42, stratify=y)
    model = Pipeline([("tfidf", TfidfVectorizer(max_features=1000)), ("scaler", StandardScaler(with_mean=False)),
                      ("model", RandomForestClassifier(n_estimators=100, max_depth=10, min_samples_split=2,
                                                       random_state=42, n_jobs=1))])
    times = []
    for _ in range(5):  # the first fit, then the median of five (as MLLab's bench_trees sentiment)
        t = time.perf_counter()
        model.fit(x_tr, y_tr)
        times.append(time.perf_counter() - t)
    acc = float(np.mean(model.predict(x_te) == y_te))
    result("sentiment_tfidf_rf_first", times[0], acc)
    result("sentiment_tfidf_rf", float(np.median(times)), acc)


def grid_search():
    data = np.loadtxt(os.path.join(ROOT, "assets/datasets/breast_cancer.csv"), delimiter=",", skiprows=1)
    x, y = data[:, :-1], data[:, -1].astype(int)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=42, stratify=y)
    search = GridSearchCV(RandomForestClassifier(random_state=42, n_jobs=1),
                          {"n_estimators": [50, 100, 200], "max_depth": [5, 10, 15]}, cv=5, scoring="accuracy",
                          n_jobs=1)
    t = time.perf_counter()
    search.fit(x_tr, y_tr)
    result("grid_search_rf_3x3_cv5", time.perf_counter() - t, float(np.mean(search.predict(x_te) == y_te)))


def birdstrikes(split_dir):
    """Did a bird strike damage the aircraft? The same derived target, columns and steps as
    bench/specs/birdstrikes-damaged-*.json, on MLLab's exact split (its run's split.json)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder
    with open(os.path.join(ROOT, "assets/datasets/birdstrikes.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    y = np.array([int(r["Effect Amount of damage"] != "None") for r in rows])
    cats = ["Wildlife Size", "Phase of flight", "Time of day", "Wildlife Species", "Aircraft Airline Operator",
            "Origin State"]
    missing = {"", "NA", "NaN", "null"}
    x = np.empty((len(rows), len(cats) + 1), dtype=object)
    for i, r in enumerate(rows):
        x[i, :len(cats)] = [r[c] for c in cats]
        x[i, len(cats)] = np.nan if r["Speed IAS in knots"] in missing else float(r["Speed IAS in knots"])
    for model_name, model in [("rf", RandomForestClassifier(n_estimators=100, max_depth=10, random_state=42, n_jobs=1)),
                              ("hgb", HistGradientBoostingClassifier(max_iter=100, random_state=0))]:
        with open(os.path.join(split_dir, model_name, "split.json")) as f:
            split = json.load(f)
        pre = ColumnTransformer([("cats", OneHotEncoder(handle_unknown="ignore", sparse_output=model_name == "rf"),
                                  list(range(len(cats)))),
                                 ("speed", SimpleImputer(strategy="median"), [len(cats)])])
        pipe = Pipeline([("pre", pre), ("model", model)])
        tr, te = split["train"], split["test"]
        t = time.perf_counter()
        pipe.fit(x[tr], y[tr])
        secs = time.perf_counter() - t
        result("birdstrikes_damaged_" + model_name, secs, float(np.mean(pipe.predict(x[te]) == y[te])))


def sentiment_same_split(split_dir):
    """The course's sentiment pipeline with a forest (examples/sentiment-rf-baseline.json) and with
    gradient boosting (bench/specs/sentiment-hgb.json) on MLLab's exact split. scikit-learn's
    HistGradientBoosting takes dense input only, so its TF-IDF matrix is densified first."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.preprocessing import FunctionTransformer
    with open(os.path.join(ROOT, "assets/datasets/sentiment.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    text = np.array([r["text"] for r in rows], dtype=object)
    y = np.array([int(r["label"]) for r in rows])
    for model_name in ("rf", "hgb"):
        with open(os.path.join(split_dir, "sentiment_" + model_name, "split.json")) as f:
            split = json.load(f)
        steps = [("tfidf", TfidfVectorizer(max_features=1000)), ("scaler", StandardScaler(with_mean=False))]
        if model_name == "rf":
            steps.append(("model", RandomForestClassifier(n_estimators=100, max_depth=10, min_samples_split=2,
                                                          random_state=42, n_jobs=1)))
        else:
            steps += [("dense", FunctionTransformer(lambda m: m.toarray(), accept_sparse=True)),
                      ("model", HistGradientBoostingClassifier(max_iter=100, random_state=0))]
        pipe = Pipeline(steps)
        tr, te = split["train"], split["test"]
        t = time.perf_counter()
        pipe.fit(text[tr], y[tr])
        secs = time.perf_counter() - t
        result("sentiment_same_split_" + model_name, secs, float(np.mean(pipe.predict(text[te]) == y[te])))


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which in ("sentiment", "all"):
        sentiment()
    if which in ("grid", "all"):
        grid_search()
    if which in ("birdstrikes", "all") and len(sys.argv) > 2:
        birdstrikes(sys.argv[2])
    if which in ("sentiment_same_split", "all") and len(sys.argv) > 2:
        sentiment_same_split(sys.argv[2])

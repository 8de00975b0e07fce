#!/usr/bin/python3
"""scikit-learn timings of the course's pipelines, the same work as the mllab specs
examples/sentiment-rf-baseline.json and examples/breast-cancer-grid-search.json.

Run single-threaded: OMP_NUM_THREADS=1 /usr/bin/python3 bench/bench_pipelines_sklearn.py
The train/test split uses numpy's stream (MLLab's own RNG gives a different split of the same
sizes and stratification), so accuracies are compared, not predictions.
"""
import csv
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
    t = time.perf_counter()
    model.fit(x_tr, y_tr)
    result("sentiment_tfidf_rf", time.perf_counter() - t, float(np.mean(model.predict(x_te) == y_te)))


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


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which in ("sentiment", "all"):
        sentiment()
    if which in ("grid", "all"):
        grid_search()

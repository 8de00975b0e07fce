#!/usr/bin/python3
"""scikit-learn (and, if installed, XGBoost) timings for the set of bench/bench_trees.cpp.

Run single-threaded:  OMP_NUM_THREADS=1 /usr/bin/python3 bench/bench_trees_sklearn.py [rf|hgb|xgb|all]
(Debian bookworm: python3-sklearn 1.2.1, python3-xgboost 1.7.4.)
"""
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_synthetic  # noqa: E402

import numpy as np  # noqa: E402


def report(name, fit_seconds, model, x_test, y_test, tag=None):
    t = time.perf_counter()
    accuracy = float(np.mean(model.predict(x_test) == y_test))
    predict_seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("%-36s fit %7.3f s  predict %6.3f s  test accuracy %.4f  peak RSS %.1f MB"
          % (name, fit_seconds, predict_seconds, accuracy, peak), flush=True)
    if tag:
        print("RESULT case=%s fit_s=%.4f quality=%.4f peak_mb=%.1f" % (tag, fit_seconds, accuracy, peak),
              flush=True)


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    x, y = make_synthetic.make()
    print("checksum sum(x) = %.17g, sum(y) = %d" % (float(np.sum(x)), int(y.sum())))
    n = make_synthetic.N_TRAIN
    x_train, y_train, x_test, y_test = x[:n], y[:n], x[n:], y[n:]
    import sklearn
    print("scikit-learn", sklearn.__version__, "OMP_NUM_THREADS=%s" % os.environ.get("OMP_NUM_THREADS"))
    if which in ("rf", "all"):
        from sklearn.ensemble import RandomForestClassifier
        model = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0, n_jobs=1)
        t = time.perf_counter()
        model.fit(x_train, y_train)
        report("sklearn RandomForest(100, depth 10)", time.perf_counter() - t, model, x_test, y_test, "rf")
    if which in ("hgb", "all"):
        from sklearn.ensemble import HistGradientBoostingClassifier
        model = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0)
        t = time.perf_counter()
        model.fit(x_train, y_train)
        report("sklearn HistGradientBoosting(100)", time.perf_counter() - t, model, x_test, y_test, "hgb")
    if which in ("logreg", "all"):
        from sklearn.linear_model import LogisticRegression
        model = LogisticRegression()
        times = []
        for _ in range(5):  # the first fit, then the median of five (as MLLab's bench_trees)
            t = time.perf_counter()
            model.fit(x_train, y_train)
            times.append(time.perf_counter() - t)
        report("sklearn LogisticRegression", float(np.median(times)), model, x_test, y_test, "logreg")
        report("sklearn LogisticRegression, first fit", times[0], model, x_test, y_test, "logreg_first")
    if which in ("xgb", "all"):
        try:
            import xgboost
        except ImportError:
            print("xgboost not installed (apt-get install python3-xgboost)")
            return
        model = xgboost.XGBClassifier(n_estimators=100, tree_method="hist", nthread=1,
                                      max_depth=6, learning_rate=0.3)
        t = time.perf_counter()
        model.fit(x_train, y_train)
        report("xgboost %s hist(100, nthread=1)" % xgboost.__version__, time.perf_counter() - t,
               model, x_test, y_test, "xgb_hgb")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reads the RESULT lines that scripts/bench.sh collected (one file per implementation) and
prints the comparison table: times, peak memory, quality and ratios."""
import re
import sys

IMPLS = ["native", "wasm", "sklearn", "xgboost"]
CASES = [
    ("rf", "RF(100, depth 10), 100,000 x 20"),
    ("sentiment_tfidf_rf", "TF-IDF(1000) + RF(100, depth 10), sentiment"),
    ("sentiment_tfidf_rf_first", "  the same, first fit in a fresh process"),
    ("grid_search_rf_3x3_cv5", "GridSearchCV RF 3x3, cv=5, breast_cancer"),
    ("logreg", "LogisticRegression, 100,000 x 20"),
    ("logreg_first", "  the same, first fit in a fresh process"),
    ("hgb", "HistGradientBoosting(100), 100,000 x 20"),
    ("sentiment_same_split_rf", "sentiment RF, same split (one CLI run)"),
    ("sentiment_same_split_hgb", "sentiment TF-IDF + HGB(100), same split"),
    ("birdstrikes_damaged_rf", "RF(100, depth 10), birdstrikes damaged"),
    ("birdstrikes_damaged_hgb", "HistGradientBoosting(100), birdstrikes damaged"),
    ("drift_ks_50x100k", "ks_2samp x 50 cols, 100k vs 100k [#p<.05]"),
    ("drift_report_50x100k", "drift report 50 x 100k [#drifted]"),
    ("search_10k_runs", "list + search 10,000 runs, 3 clauses [#hits]"),
    ("list_10k_runs", "first load: parse 10,000 runs [#runs]"),
    ("log_100k_metric_points", "log 100k metric points, folder [#batches]"),
    ("reload_100k_metric_points", "reopen + read 100k points [#points]"),
]


def load(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r"RESULT (.*)", line.strip())
                if not m:
                    continue
                kv = dict(p.split("=", 1) for p in m.group(1).split())
                case = kv.pop("case")
                out[case] = {k: float(v) for k, v in kv.items()}
    except FileNotFoundError:
        pass
    return out


def main(folder):
    data = {impl: load(f"{folder}/{impl}.txt") for impl in IMPLS}
    # XGBoost is the reference for gradient boosting.
    if "xgb_hgb" in data["sklearn"]:
        data["xgboost"]["hgb"] = data["sklearn"].pop("xgb_hgb")
    print(f"{'case':44} {'native s':>9} {'wasm s':>8} {'sklearn s':>10} {'xgb s':>7} "
          f"{'skl/native':>10} {'wasm/native':>11} {'acc native':>10} {'acc wasm':>9} {'acc skl':>8} "
          f"{'peak MB':>8}")
    for case, title in CASES:
        n, w, s, x = (data[i].get(case) for i in IMPLS)
        def t(r):
            return f"{r['fit_s']:.3f}" if r else "-"
        def q(r):
            return f"{r['quality']:.4f}" if r else "-"
        ratio = f"{s['fit_s'] / n['fit_s']:.1f}x" if n and s else "-"
        wratio = f"{w['fit_s'] / n['fit_s']:.2f}x" if n and w else "-"
        peak = f"{n['peak_mb'] - n.get('base_mb', 0):.0f}" if n and "base_mb" in n else "-"
        print(f"{title:44} {t(n):>9} {t(w):>8} {t(s):>10} {t(x):>7} {ratio:>10} {wratio:>11} "
              f"{q(n):>10} {q(w):>9} {q(s if case != 'hgb' or not x else s):>8} {peak:>8}")
    if data["xgboost"].get("hgb") and data["native"].get("hgb"):
        x, n = data["xgboost"]["hgb"], data["native"]["hgb"]
        print(f"\nHistGradientBoosting vs XGBoost hist: native {n['fit_s']:.3f} s vs {x['fit_s']:.3f} s "
              f"({n['fit_s'] / x['fit_s']:.2f}x), accuracy {n['quality']:.4f} vs {x['quality']:.4f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "test-artifacts/bench")

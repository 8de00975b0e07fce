#!/usr/bin/python3
"""scipy timings for the data of bench/bench_drift.cpp (50 numeric columns x 100,000 reference
and 100,000 current rows, built from the same closed-form generator, so the checksum matches):

  drift_ks_50x100k      scipy.stats.ks_2samp over the 50 columns (method auto -> asymp);
                        quality = columns with p < 0.05
  drift_report_50x100k  what Evidently's default computes for these sizes, with scipy directly:
                        wasserstein_distance(ref, cur) / max(np.std(ref), 0.001) >= 0.1 per column
                        (Evidently's own pandas overhead not included); quality = drifted columns

Run:  /usr/bin/python3 bench/bench_drift_scipy.py [ks|report|all]
(Debian bookworm: python3-scipy 1.10.1, python3-numpy 1.24.2.)
"""
import sys
import time

import numpy as np
from scipy import stats

COLUMNS = 50
ROWS = 100000  # per sample

M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def uniform(i, j):
    """u(i, j) of bench/make_synthetic.py: SplitMix64 finalizer of (i, j) as a double in [0, 1)."""
    with np.errstate(over="ignore"):
        z = (i * np.uint64(0x9E3779B97F4A7C15) + np.uint64(j) * np.uint64(0xC2B2AE3D27D4EB4F)
             + np.uint64(12345)) & M64
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & M64
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & M64
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def shift(col):
    return 0.004 * float(col // 2 + 1) if col % 2 == 1 else 0.0


def make_column(col, current):
    j = 100 + col
    row = np.arange(ROWS, dtype=np.uint64) + np.uint64(ROWS if current else 0)
    four = np.uint64(4)
    x = uniform(four * row, j) + uniform(four * row + np.uint64(1), j)
    x = x + uniform(four * row + np.uint64(2), j)
    x = x + uniform(four * row + np.uint64(3), j)
    x = x - 2.0
    if current:
        x = x + shift(col)
    return x


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    ref = [make_column(c, False) for c in range(COLUMNS)]
    cur = [make_column(c, True) for c in range(COLUMNS)]
    checksum = 0.0
    for c in range(COLUMNS):
        checksum += float(np.sum(ref[c]))
        checksum += float(np.sum(cur[c]))
    print("checksum %.17g (%d columns x %d + %d rows)" % (checksum, COLUMNS, ROWS, ROWS))
    import scipy
    print("scipy", scipy.__version__, "numpy", np.__version__)

    if which in ("ks", "all"):
        t = time.perf_counter()
        significant = 0
        d_sum = 0.0
        for c in range(COLUMNS):
            r = stats.ks_2samp(ref[c], cur[c])
            significant += int(r.pvalue < 0.05)
            d_sum += float(r.statistic)
        s = time.perf_counter() - t
        print("ks_2samp x %d columns: %.3f s, %d with p < 0.05, sum of D %.17g" % (COLUMNS, s, significant, d_sum))
        print("RESULT case=drift_ks_50x100k fit_s=%.4f quality=%d peak_mb=0" % (s, significant), flush=True)

    if which in ("report", "all"):
        t = time.perf_counter()
        drifted = 0
        score_sum = 0.0
        for c in range(COLUMNS):
            score = stats.wasserstein_distance(ref[c], cur[c]) / max(np.std(ref[c]), 0.001)
            drifted += int(score >= 0.1)
            score_sum += float(score)
        s = time.perf_counter() - t
        print("wasserstein (normed) x %d columns: %.3f s, %d drifted, sum of scores %.17g"
              % (COLUMNS, s, drifted, score_sum))
        print("RESULT case=drift_report_50x100k fit_s=%.4f quality=%d peak_mb=0" % (s, drifted), flush=True)


if __name__ == "__main__":
    main()

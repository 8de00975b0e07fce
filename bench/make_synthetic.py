#!/usr/bin/python3
"""The synthetic benchmark set of bench/bench_trees.cpp, bit for bit (integer hashing and IEEE
+, *, comparisons only, evaluated in the same order as the C++ code).

  u(i, j) = (splitmix64_mix(i * 0x9E3779B97F4A7C15 + j * 0xC2B2AE3D27D4EB4F + 12345) >> 11) / 2^53
  x[i, j] = 2 u(i, j) - 1                             for j < 20
  s       = x0*x1 + x2*x2 - x3 + 0.5*(x4*x5)*x6 + 0.3*(x7 > 0) - 0.25 + 0.8*(u(i, 20) - 0.5)
  y[i]    = 1 if s > 0 else 0
Rows 0..99,999 are the training set, rows 100,000..119,999 the test set.

Usage: make_synthetic.py [out.csv]   (without an argument, only prints a checksum)
"""
import sys

import numpy as np

N_ROWS, N_FEATURES, N_TRAIN = 120_000, 20, 100_000
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def mix(z):
    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform(i, j):
    with np.errstate(over="ignore"):
        key = i * np.uint64(0x9E3779B97F4A7C15) + np.uint64(j) * np.uint64(0xC2B2AE3D27D4EB4F) \
            + np.uint64(12345)
        return (mix(key) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def make(n_rows=N_ROWS):
    i = np.arange(n_rows, dtype=np.uint64)
    x = np.empty((n_rows, N_FEATURES))
    for j in range(N_FEATURES):
        x[:, j] = 2.0 * uniform(i, j) - 1.0
    s = x[:, 0] * x[:, 1] + x[:, 2] * x[:, 2]
    s = s - x[:, 3]
    s = s + 0.5 * (x[:, 4] * x[:, 5]) * x[:, 6]
    s = s + 0.3 * (x[:, 7] > 0).astype(np.float64)
    s = s - 0.25
    s = s + 0.8 * (uniform(i, 20) - 0.5)
    y = (s > 0).astype(np.int64)
    return x, y


if __name__ == "__main__":
    x, y = make()
    print("checksum sum(x) = %.17g, sum(y) = %d" % (float(np.sum(x)), int(y.sum())))
    if len(sys.argv) > 1:
        np.savetxt(sys.argv[1], np.column_stack([x, y]), delimiter=",", fmt="%.17g")

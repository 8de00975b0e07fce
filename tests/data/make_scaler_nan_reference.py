"""Reference values for StandardScaler / MinMaxScaler on data with NaN (missing values).

scikit-learn's scalers ignore NaN when fitting (np.nanmean / np.nanvar / np.nanmin / np.nanmax,
per column over its non-NaN rows) and keep NaN in transform; an all-NaN column gets NaN
statistics. Writes tests/data/scaler_nan_reference.json (NaN as null).

Run from the repository root with a Python that has scikit-learn 1.2.1:
    /usr/bin/python3 tests/data/make_scaler_nan_reference.py
"""
import json
import warnings

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.preprocessing import MinMaxScaler, StandardScaler


def to_json(a):
    """Arrays as nested lists with NaN -> None (JSON null)."""
    if a is None:
        return None
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return None if np.isnan(a) else float(a)
    return [to_json(v) for v in a]


def dataset():
    rng = np.random.RandomState(0)
    x = rng.normal(loc=[0.0, 5.0, -3.0, 100.0, 0.0], scale=[1.0, 2.0, 0.5, 30.0, 1.0], size=(40, 5))
    x[:, 4] = np.round(x[:, 4])  # many repeated values (and exact zeros for the sparse case)
    x[rng.rand(40, 5) < 0.2] = np.nan
    x[0, 1] = np.nan  # first row missing: sums must start at the first non-NaN value
    return x


def main():
    x = dataset()
    x_all_nan = x[:, :3].copy()
    x_all_nan[:, 1] = np.nan
    x_new = np.array([[0.5, np.nan, -2.0, 250.0, 3.0], [np.nan, 4.0, -10.0, 0.0, -1.0]])
    out = {
        "generator": "tests/data/make_scaler_nan_reference.py",
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
        "X": to_json(x),
        "X_all_nan_column": to_json(x_all_nan),
        "X_new": to_json(x_new),
        "cases": [],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the all-NaN column's RuntimeWarnings
        for params in [{}, {"with_mean": False}, {"with_std": False}]:
            for name, data in [("X", x), ("X_all_nan_column", x_all_nan)]:
                s = StandardScaler(**params).fit(data)
                scale = s.scale_ if s.scale_ is not None else np.ones(data.shape[1])
                out["cases"].append({
                    "estimator": "StandardScaler", "params": params, "fit": name, "sparse": False,
                    "mean_": to_json(s.mean_), "var_": to_json(s.var_), "scale_": to_json(scale),
                    "n_samples_seen_": np.asarray(s.n_samples_seen_).tolist(),
                    "transform_fit": to_json(s.transform(data)),
                    "transform_new": to_json(s.transform(x_new)) if name == "X" else None,
                })
        for params in [{"with_mean": False}, {"with_mean": False, "with_std": False}]:
            xs = sp.csr_matrix(np.where(np.isnan(x), np.nan, x))  # zeros implicit, NaN stored
            s = StandardScaler(**params).fit(xs)
            _, var, n_seen = sklearn.utils.sparsefuncs.mean_variance_axis(xs, axis=0, return_sum_weights=True)
            mean, _ = sklearn.utils.sparsefuncs.mean_variance_axis(xs, axis=0)
            scale = s.scale_ if s.scale_ is not None else np.ones(x.shape[1])
            out["cases"].append({
                "estimator": "StandardScaler", "params": params, "fit": "X", "sparse": True,
                "mean_": to_json(mean), "var_": to_json(var), "scale_": to_json(scale),
                "n_samples_seen_": np.asarray(n_seen).tolist(),
                "transform_fit": to_json(s.transform(xs).toarray()),
                "transform_new": None,
            })
        for params in [{}, {"feature_range": [-1, 2]}, {"clip": True}]:
            for name, data in [("X", x), ("X_all_nan_column", x_all_nan)]:
                kw = dict(params)
                if "feature_range" in kw:
                    kw["feature_range"] = tuple(kw["feature_range"])
                m = MinMaxScaler(**kw).fit(data)
                out["cases"].append({
                    "estimator": "MinMaxScaler", "params": params, "fit": name, "sparse": False,
                    "data_min_": to_json(m.data_min_), "data_max_": to_json(m.data_max_),
                    "data_range_": to_json(m.data_range_), "scale_": to_json(m.scale_),
                    "min_": to_json(m.min_),
                    "transform_fit": to_json(m.transform(data)),
                    "transform_new": to_json(m.transform(x_new)) if name == "X" else None,
                })
    with open("tests/data/scaler_nan_reference.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

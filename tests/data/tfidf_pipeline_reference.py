#!/usr/bin/python3
"""Regenerates tests/data/tfidf_pipeline_reference.json (run from the repository root with
Debian's python3-sklearn: /usr/bin/python3 tests/data/tfidf_pipeline_reference.py).

The course's pipeline
    Pipeline([("tfidf", TfidfVectorizer(max_features=1000)),
              ("scaler", StandardScaler(with_mean=False))])
fitted on the `text` column of assets/datasets/sentiment.csv (all 3,000 rows, read with the
csv module, so every text is kept verbatim). Stored: versions, shape, nonzero count, sums, the
vocabulary, idf and scaler statistics, a few whole rows and sampled entries (exact doubles).
"""
import csv
import json
import math

import numpy as np
import scipy
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

SOURCE = "assets/datasets/sentiment.csv"
OUTPUT = "tests/data/tfidf_pipeline_reference.json"


def main():
    with open(SOURCE, newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    pipe = Pipeline(
        [("tfidf", TfidfVectorizer(max_features=1000)), ("scaler", StandardScaler(with_mean=False))]
    )
    x = pipe.fit_transform(texts).tocsr()
    x.sort_indices()
    tfidf = pipe.named_steps["tfidf"]
    scaler = pipe.named_steps["scaler"]
    coo = x.tocoo()
    rng = np.random.default_rng(20240101)
    picks = sorted(rng.choice(coo.nnz, size=200, replace=False).tolist())
    rows = {}
    for i in range(5):
        start, end = x.indptr[i], x.indptr[i + 1]
        rows[str(i)] = {
            "indices": x.indices[start:end].tolist(),
            "values": x.data[start:end].tolist(),
        }
    out = {
        "generator": "tests/data/tfidf_pipeline_reference.py",
        "versions": {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "source": SOURCE,
        "column": "text",
        "n_documents": len(texts),
        "pipeline": "Pipeline([('tfidf', TfidfVectorizer(max_features=1000)), "
        "('scaler', StandardScaler(with_mean=False))])",
        "shape": list(x.shape),
        "nnz": int(x.nnz),
        "sum": float(math.fsum(x.data)),
        "sum_of_squares": float(math.fsum(v * v for v in x.data)),
        "feature_names": tfidf.get_feature_names_out().tolist(),
        "idf": tfidf.idf_.tolist(),
        "scaler_mean": scaler.mean_.tolist(),
        "scaler_var": scaler.var_.tolist(),
        "scaler_scale": scaler.scale_.tolist(),
        "rows": rows,
        "entries": [[int(coo.row[k]), int(coo.col[k]), float(coo.data[k])] for k in picks],
    }
    with open(OUTPUT, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUTPUT}: shape {x.shape}, nnz {x.nnz}")


if __name__ == "__main__":
    main()

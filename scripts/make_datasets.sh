#!/usr/bin/env bash
# Regenerates every file under assets/datasets/ from packages:
#   - iris.csv, wine.csv, breast_cancer.csv  <- Debian package python3-sklearn
#   - sentiment.csv                          <- npm package sentiment@5.0.2
#   - birdstrikes.csv                        <- npm package vega-datasets@3.2.1
#   - datasets.json (catalog) and PROVENANCE.md (sources, licences, SHA-256)
#
# Usage: scripts/make_datasets.sh            (from anywhere; run as root if
#                                            python3-sklearn must be installed)
# The npm packages go to a temporary directory that is removed on exit; nothing
# is installed into the repository. The output is deterministic: running the
# script twice gives byte-identical files.
set -euo pipefail

SENTIMENT_VERSION="5.0.2"
VEGA_DATASETS_VERSION="3.2.1"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="$REPO_ROOT/assets/datasets"
SKLEARN_DIR="/usr/lib/python3/dist-packages/sklearn"
# Debian's interpreter (stdlib only), not whatever python3 is first on PATH.
PYTHON=/usr/bin/python3

log() { printf '[make_datasets] %s\n' "$*" >&2; }

# --- 1. Debian package python3-sklearn -------------------------------------
if [ ! -d "$SKLEARN_DIR/datasets/data" ]; then
    log "installing python3-sklearn from the Debian archive"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3-sklearn
fi
if [ ! -x "$PYTHON" ]; then
    log "error: $PYTHON not found"
    exit 1
fi
SKLEARN_DEB_VERSION="$(dpkg-query -W -f='${Version}' python3-sklearn)"
log "python3-sklearn $SKLEARN_DEB_VERSION"

# --- 2. npm packages into a throw-away prefix -------------------------------
if ! command -v npm >/dev/null 2>&1; then
    log "error: npm not found (apt-get install -y --no-install-recommends npm)"
    exit 1
fi
WORK_DIR="$(mktemp -d -t mllab-datasets.XXXXXX)"
trap 'rm -rf "$WORK_DIR"' EXIT
log "npm install sentiment@$SENTIMENT_VERSION vega-datasets@$VEGA_DATASETS_VERSION into $WORK_DIR"
npm install --no-save --no-audit --no-fund --ignore-scripts --prefix "$WORK_DIR" \
    "sentiment@$SENTIMENT_VERSION" "vega-datasets@$VEGA_DATASETS_VERSION" >&2

# --- 3. Convert ------------------------------------------------------------
mkdir -p "$OUT_DIR"
"$PYTHON" - "$SKLEARN_DIR" "$SKLEARN_DEB_VERSION" "$WORK_DIR/node_modules" \
    "$OUT_DIR" "$SENTIMENT_VERSION" "$VEGA_DATASETS_VERSION" <<'PY'
import ast
import csv
import hashlib
import io
import json
import os
import sys

(sklearn_dir, sklearn_deb_version, node_modules, out_dir,
 sentiment_version, vega_version) = sys.argv[1:7]


def fail(msg):
    sys.stderr.write("[make_datasets] error: %s\n" % msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return sha256_bytes(f.read())


def csv_field(value):
    """RFC 4180 quoting: quote a field containing a comma, a double quote,
    CR or LF, and double the quotes inside it."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_csv(name, header, rows):
    """Write UTF-8 (no BOM), LF line endings, one header row, trailing LF."""
    out = io.StringIO()
    for row in [header] + rows:
        check(len(row) == len(header), "%s: ragged row %r" % (name, row))
        out.write(",".join(csv_field(v) for v in row))
        out.write("\n")
    data = out.getvalue().encode("utf-8")
    path = os.path.join(out_dir, name)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    # Round-trip check with the stdlib parser.
    with open(path, newline="", encoding="utf-8") as f:
        parsed = list(csv.reader(f))
    check(parsed == [header] + rows, "%s: csv round-trip mismatch" % name)
    return sha256_bytes(data)


# ---- scikit-learn feature names, read from sklearn/datasets/_base.py ------
EXPECTED_NAMES = {
    "load_iris": [
        "sepal length (cm)", "sepal width (cm)",
        "petal length (cm)", "petal width (cm)",
    ],
    "load_wine": [
        "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium",
        "total_phenols", "flavanoids", "nonflavanoid_phenols",
        "proanthocyanins", "color_intensity", "hue",
        "od280/od315_of_diluted_wines", "proline",
    ],
    "load_breast_cancer": [
        "mean radius", "mean texture", "mean perimeter", "mean area",
        "mean smoothness", "mean compactness", "mean concavity",
        "mean concave points", "mean symmetry", "mean fractal dimension",
        "radius error", "texture error", "perimeter error", "area error",
        "smoothness error", "compactness error", "concavity error",
        "concave points error", "symmetry error", "fractal dimension error",
        "worst radius", "worst texture", "worst perimeter", "worst area",
        "worst smoothness", "worst compactness", "worst concavity",
        "worst concave points", "worst symmetry", "worst fractal dimension",
    ],
}


def sklearn_feature_names(func_name):
    """The literal `feature_names = [...]` (or np.array([...])) assigned in
    sklearn.datasets._base.<func_name>."""
    with open(os.path.join(sklearn_dir, "datasets", "_base.py"),
              encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == func_name:
            for stmt in ast.walk(node):
                if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                        and isinstance(stmt.targets[0], ast.Name)
                        and stmt.targets[0].id == "feature_names"):
                    value = stmt.value
                    if isinstance(value, ast.Call):  # np.array([...])
                        value = value.args[0]
                    return ast.literal_eval(value)
    fail("feature_names not found in %s" % func_name)


def convert_sklearn(raw_name, func_name, out_name, target_names):
    raw_path = os.path.join(sklearn_dir, "datasets", "data", raw_name)
    names = sklearn_feature_names(func_name)
    check(names == EXPECTED_NAMES[func_name],
          "%s: feature names in _base.py changed: %r" % (func_name, names))
    with open(raw_path, "rb") as f:
        raw = f.read()
    raw_sha = sha256_bytes(raw)
    text = raw.decode("ascii")
    check("\r" not in text and '"' not in text, raw_name + ": unexpected bytes")
    lines = text.split("\n")
    check(lines[-1] == "", raw_name + ": no trailing newline")
    lines = lines[:-1]
    first = lines[0].split(",")
    n_samples, n_features = int(first[0]), int(first[1])
    check(first[2:] == target_names,
          "%s: class names %r" % (raw_name, first[2:]))
    check(n_features == len(names), raw_name + ": feature count")
    body = lines[1:]
    check(len(body) == n_samples, raw_name + ": row count")
    rows = []
    for i, line in enumerate(body):
        tokens = line.split(",")  # verbatim text tokens, never reformatted
        check(len(tokens) == n_features + 1, "%s row %d" % (raw_name, i))
        for t in tokens[:-1]:
            float(t)  # must be a number
        check(tokens[-1] in [str(k) for k in range(len(target_names))],
              "%s row %d: target %r" % (raw_name, i, tokens[-1]))
        rows.append(tokens)
    sha = write_csv(out_name, names + ["target"], rows)
    return {
        "rows": len(rows), "columns": len(names) + 1, "sha256": sha,
        "source_sha256": raw_sha,
        "source_path": "/usr/lib/python3/dist-packages/sklearn/datasets/data/"
                       + raw_name,
    }


results = {}
results["iris"] = convert_sklearn(
    "iris.csv", "load_iris", "iris.csv",
    ["setosa", "versicolor", "virginica"])
results["wine"] = convert_sklearn(
    "wine_data.csv", "load_wine", "wine.csv",
    ["class_0", "class_1", "class_2"])
results["breast_cancer"] = convert_sklearn(
    "breast_cancer.csv", "load_breast_cancer", "breast_cancer.csv",
    ["malignant", "benign"])
check(results["iris"]["rows"] == 150, "iris rows")
check(results["wine"]["rows"] == 178, "wine rows")
check(results["breast_cancer"]["rows"] == 569, "breast_cancer rows")


# ---- sentiment (UCI Sentiment Labelled Sentences) --------------------------
def package_version(pkg):
    with open(os.path.join(node_modules, pkg, "package.json"),
              encoding="utf-8") as f:
        return json.load(f)


sent_pkg = package_version("sentiment")
check(sent_pkg["version"] == sentiment_version, "sentiment version")
sent_rows = []
sent_sources = {}
for source in ["amazon", "imdb", "yelp"]:
    rel = "test/fixtures/%s.json" % source
    path = os.path.join(node_modules, "sentiment", rel)
    sent_sources[source] = {"path": rel, "sha256": sha256_file(path)}
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)
    check(isinstance(entries, list), rel + ": not a list")
    # Each fixture ends with an empty placeholder entry; drop exactly that.
    check(entries[-1] == {"text": "", "class": None},
          rel + ": unexpected last entry %r" % (entries[-1],))
    entries = entries[:-1]
    check(len(entries) == 1000, rel + ": %d entries" % len(entries))
    for i, e in enumerate(entries):
        check(set(e) == {"text", "class"}, "%s[%d]: keys" % (rel, i))
        check(isinstance(e["text"], str) and e["text"].strip() != "",
              "%s[%d]: text" % (rel, i))
        check(e["class"] in (0, 1) and not isinstance(e["class"], bool),
              "%s[%d]: class %r" % (rel, i, e["class"]))
        sent_rows.append([e["text"], str(e["class"]), source])
check(len(sent_rows) == 3000, "sentiment rows %d" % len(sent_rows))
results["sentiment"] = {
    "rows": len(sent_rows), "columns": 3,
    "sha256": write_csv("sentiment.csv", ["text", "label", "source"],
                        sent_rows),
}

# ---- birdstrikes (vega-datasets) -------------------------------------------
vega_pkg = package_version("vega-datasets")
check(vega_pkg["version"] == vega_version, "vega-datasets version")
bird_rel = "data/birdstrikes.csv"
bird_path = os.path.join(node_modules, "vega-datasets", bird_rel)
with open(bird_path, "rb") as f:
    bird_raw = f.read()
# datapackage.json records a git blob SHA-1 of each file: verify it.
with open(os.path.join(node_modules, "vega-datasets", "datapackage.json"),
          encoding="utf-8") as f:
    datapackage = json.load(f)
bird_res = [r for r in datapackage["resources"] if r["path"] == "birdstrikes.csv"]
check(len(bird_res) == 1, "birdstrikes not in datapackage.json")
bird_res = bird_res[0]
blob_sha1 = hashlib.sha1(b"blob %d\0" % len(bird_raw) + bird_raw).hexdigest()
check(bird_res.get("hash") == "sha1:" + blob_sha1,
      "birdstrikes hash %s != %s" % (bird_res.get("hash"), blob_sha1))
bird = list(csv.reader(io.StringIO(bird_raw.decode("utf-8"), newline="")))
bird_header, bird_rows = bird[0], bird[1:]
check(bird_header == [fld["name"] for fld in bird_res["schema"]["fields"]],
      "birdstrikes header differs from datapackage schema")
check("Effect Amount of damage" in bird_header, "birdstrikes target column")
check(len(bird_rows) == 10000, "birdstrikes rows %d" % len(bird_rows))
results["birdstrikes"] = {
    "rows": len(bird_rows), "columns": len(bird_header),
    "sha256": write_csv("birdstrikes.csv", bird_header, bird_rows),
}

# ---- catalog ----------------------------------------------------------------
catalog_entries = [
    {
        "name": "iris",
        "title": "Iris flowers",
        "description": "Fisher's iris data: 4 sepal/petal measurements (cm) "
                       "of 150 flowers from 3 species.",
        "task": "classification",
        "target": "target",
        "target_names": ["setosa", "versicolor", "virginica"],
    },
    {
        "name": "wine",
        "title": "Wine recognition",
        "description": "13 chemical measurements of 178 Italian wines from "
                       "3 cultivars.",
        "task": "classification",
        "target": "target",
        "target_names": ["class_0", "class_1", "class_2"],
    },
    {
        "name": "breast_cancer",
        "title": "Breast cancer Wisconsin (diagnostic)",
        "description": "30 features of cell nuclei from 569 breast mass "
                       "images; malignant (0) or benign (1).",
        "task": "classification",
        "target": "target",
        "target_names": ["malignant", "benign"],
    },
    {
        "name": "sentiment",
        "title": "Sentiment labelled sentences",
        "description": "3,000 review sentences from Amazon, IMDb and Yelp, "
                       "labelled negative (0) or positive (1).",
        "task": "classification",
        "target": "label",
        "target_names": ["negative", "positive"],
    },
    {
        "name": "birdstrikes",
        "title": "FAA wildlife strikes",
        "description": "10,000 reported wildlife strikes on aircraft (FAA), "
                       "with the amount of damage, costs and flight details.",
        "task": "classification",
        "target": "Effect Amount of damage",
    },
]
datasets = []
for entry in catalog_entries:
    name = entry["name"]
    r = results[name]
    item = {"name": name, "path": "assets/datasets/%s.csv" % name}
    item.update({k: entry[k] for k in
                 ["title", "description", "task", "target"]})
    if "target_names" in entry:
        item["target_names"] = entry["target_names"]
    item.update({"rows": r["rows"], "columns": r["columns"],
                 "sha256": r["sha256"]})
    datasets.append(item)
catalog = {"schema": "mllab.dataset_catalog", "schema_version": 1,
           "datasets": datasets}
with open(os.path.join(out_dir, "datasets.json"), "w", encoding="utf-8",
          newline="\n") as f:
    f.write(json.dumps(catalog, indent=2, ensure_ascii=False) + "\n")

# ---- PROVENANCE.md ----------------------------------------------------------
R = results
sk = "python3-sklearn " + sklearn_deb_version
bird_counts = {}
target_idx = bird_header.index("Effect Amount of damage")
for row in bird_rows:
    bird_counts[row[target_idx]] = bird_counts.get(row[target_idx], 0) + 1
bird_counts_text = ", ".join(
    "`%s` %d" % (k, v) for k, v in
    sorted(bird_counts.items(), key=lambda kv: (-kv[1], kv[0])))
missing = {c: sum(1 for row in bird_rows if row[i] == "")
           for i, c in enumerate(bird_header)}
missing_text = ", ".join("`%s` %d" % (c, n) for c, n in missing.items() if n)


def sklearn_section(name, raw_name, title, original):
    r = R[name]
    return f"""## {name}.csv — {title}

- Source package: Debian `{sk}` (`dpkg-query -W python3-sklearn`).
- Original path: `{r['source_path']}`
  (SHA-256 `{r['source_sha256']}`).
- Licence: BSD-3-Clause (scikit-learn; see
  `/usr/share/doc/python3-sklearn/copyright`). {original}
- Transformation: the raw first line (`n_samples,n_features,<class names>`) is
  replaced by a header with scikit-learn's feature names, read from
  `load_{name}` in `sklearn/datasets/_base.py`, plus a last column `target`.
  Data rows are copied verbatim: same order, same number text (no float
  reformatting); `target` is the integer class code as in the raw file.
- Output: {r['rows']} rows × {r['columns']} columns.
- SHA-256: `{r['sha256']}`
"""


sent_src_lines = "\n".join(
    "  - `test/fixtures/%s.json` (SHA-256 `%s`)" % (s, v["sha256"])
    for s, v in sent_sources.items())

provenance = f"""# Built-in datasets: provenance

Every file in this directory is regenerated by `scripts/make_datasets.sh`
(do not edit them by hand). The script installs what it needs
(`python3-sklearn` from Debian; `sentiment@{sentiment_version}` and
`vega-datasets@{vega_version}` from npm into a temporary directory, never into
the repository), converts with Debian's `/usr/bin/python3` (stdlib only), and
is deterministic: two runs give byte-identical files.

All CSV files are UTF-8 without BOM, LF line endings, a header row, and RFC
4180 quoting (a field containing a comma, a double quote, CR or LF is quoted,
with quotes doubled). `datasets.json` is the catalog
(`schema: mllab.dataset_catalog`, `schema_version: 1`); its `sha256` values
are those of the CSV bytes listed below.

{sklearn_section("iris", "iris.csv", "Iris",
                 "The data are Fisher's iris measurements (1936), as "
                 "distributed with scikit-learn.")}
{sklearn_section("wine", "wine_data.csv", "Wine recognition",
                 "Originally the UCI ML Wine data set (Forina et al.), as "
                 "distributed with scikit-learn.")}
{sklearn_section("breast_cancer", "breast_cancer.csv",
                 "Breast cancer Wisconsin (diagnostic)",
                 "Originally the UCI ML Breast Cancer Wisconsin (Diagnostic) "
                 "data set (Wolberg, Street, Mangasarian), as distributed "
                 "with scikit-learn. Target 0 = malignant, 1 = benign.")}
## sentiment.csv — Sentiment labelled sentences

- Source package: npm `sentiment@{sent_pkg['version']}` (test fixtures).
- Original paths inside the package:
{sent_src_lines}
- Licence: the npm package is MIT (`package.json` `license`, `LICENSE.md`,
  Copyright (c) 2016 Andrew Sliwinski); the package states no separate
  licence for the fixtures. The data are the UCI ML Repository "Sentiment
  Labelled Sentences" data set by D. Kotzias, M. Denil, N. de Freitas and
  P. Smyth, "From Group to Individual Labels using Deep Features", KDD 2015
  (cite it when using the data).
- Transformation: each fixture is a JSON array of `{{"text", "class"}}`
  objects ending with an empty placeholder `{{"text": "", "class": null}}`,
  which is dropped. The remaining 1,000 entries of each file are written in
  file order, amazon then imdb then yelp, as `text,label,source` with
  `label` the integer 0 (negative) / 1 (positive) and `source`
  amazon/imdb/yelp. Text is copied verbatim, including quirks of the
  original: every imdb sentence ends with two spaces, some imdb sentences
  contain C1 control characters U+0085/U+0096/U+0097 (Windows-1252 "…", "–",
  "—" mis-decoded as Latin-1), and a few sentences are duplicated.
- Output: {R['sentiment']['rows']} rows × {R['sentiment']['columns']} columns (500 negative + 500 positive per source).
- SHA-256: `{R['sentiment']['sha256']}`

## birdstrikes.csv — FAA wildlife strikes

- Source package: npm `vega-datasets@{vega_pkg['version']}`.
- Original path: `{bird_rel}` inside the package (git blob
  `{bird_res['hash']}` as recorded in the package's `datapackage.json`, and
  checked by the script; SHA-256 `{sha256_bytes(bird_raw)}`).
- Licence: the package is BSD-3-Clause (`package.json`), which its
  `datapackage.json` says applies to the package code only; for this
  resource `datapackage.json` lists the licence "{bird_res['licenses'][0]['title']}"
  ({bird_res['licenses'][0]['path']}) and the source
  "{bird_res['sources'][0]['title']}" ({bird_res['sources'][0]['path']}):
  "{bird_res['description']}".
- Transformation: the original is already CSV (CRLF line endings, no
  quoting needed). It is parsed and rewritten with LF line endings and a
  trailing newline; all {len(bird_header)} columns and all rows are kept in
  order, field text unchanged, missing values stay empty fields
  ({missing_text}).
- Target column `Effect Amount of damage`; its values: {bird_counts_text}.
- Output: {R['birdstrikes']['rows']} rows × {R['birdstrikes']['columns']} columns.
- SHA-256: `{R['birdstrikes']['sha256']}`
"""
with open(os.path.join(out_dir, "PROVENANCE.md"), "w", encoding="utf-8",
          newline="\n") as f:
    f.write(provenance)

for name in ["iris", "wine", "breast_cancer", "sentiment", "birdstrikes"]:
    sys.stderr.write("[make_datasets] %-14s %6d rows x %2d cols  sha256 %s\n"
                     % (name, R[name]["rows"], R[name]["columns"],
                        R[name]["sha256"]))
PY
log "done: $OUT_DIR"

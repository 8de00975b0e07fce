// Benchmark of the tree models on a deterministic 100,000 x 20 synthetic classification set plus
// 20,000 test rows (bench/make_synthetic.py builds the identical set for scikit-learn / XGBoost,
// see bench/bench_trees_sklearn.py): trains RandomForestClassifier(n_estimators=100, max_depth=10)
// and HistGradientBoostingClassifier(max_iter=100) single-threaded on rows 0..99,999 and prints
// training time, peak RSS and accuracy on rows 100,000..119,999.
//
// The "sentiment" case times the course's text pipeline (examples/sentiment-rf-baseline.json:
// TF-IDF + StandardScaler(with_mean=False) + RandomForestClassifier on
// assets/datasets/sentiment.csv; scikit-learn's side is bench/bench_pipelines_sklearn.py
// sentiment): the median over repeated fits of the whole pipeline fit (what a run's
// mllab.fit_ms measures; the process's first fit is printed too), of the forest alone on the sparse features and on their dense copy,
// and of predict_proba on the test rows; it checks that the sparse and dense forests agree.
// Run it from the repository root.
//
// Built by CMake as mllab_bench_trees (native, and wasm under node); run by scripts/bench.sh.
// Run: mllab_bench_trees [rf|hgb|logreg|sentiment|all] [repeats (sentiment, default 15)]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/data/csv.hpp"
#include "core/ml/forest.hpp"
#include "core/ml/logistic_regression.hpp"
#include "core/ml/hist_gradient_boosting.hpp"
#include "core/ml/split.hpp"
#include "core/pipeline/fitted_pipeline.hpp"
#include "core/pipeline/spec.hpp"

namespace {

using mllab::ml::Matrix;

constexpr int kRows = 120000;
constexpr int kFeatures = 20;
constexpr int kTrain = 100000;

// u(i, j) of bench/make_synthetic.py: a SplitMix64 finalizer of (i, j) as a double in [0, 1).
double uniform(uint64_t i, uint64_t j) {
  uint64_t z = i * 0x9E3779B97F4A7C15ULL + j * 0xC2B2AE3D27D4EB4FULL + 12345ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

void make_synthetic(Matrix* x, std::vector<int>* y) {
  x->resize(kRows, kFeatures);
  y->resize(kRows);
  for (int i = 0; i < kRows; ++i) {
    for (int j = 0; j < kFeatures; ++j) (*x)(i, j) = 2.0 * uniform(i, j) - 1.0;
    const auto r = x->row(i);
    double s = r(0) * r(1) + r(2) * r(2);
    s = s - r(3);
    s = s + 0.5 * (r(4) * r(5)) * r(6);
    s = s + 0.3 * (r(7) > 0 ? 1.0 : 0.0);
    s = s - 0.25;
    s = s + 0.8 * (uniform(i, 20) - 0.5);
    (*y)[i] = s > 0 ? 1 : 0;
  }
}

// Peak resident set size in MB (VmHWM of /proc/self/status), or -1.
double peak_rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1.0;
}

double current_rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1.0;
}

double accuracy(const std::vector<int>& pred, const std::vector<int>& y) {
  int ok = 0;
  for (size_t i = 0; i < y.size(); ++i) ok += pred[i] == y[i] ? 1 : 0;
  return static_cast<double>(ok) / static_cast<double>(y.size());
}

// The median of v.
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

template <typename Model>
void run(const char* name, const char* tag, Model& model, const Matrix& xtr, const std::vector<int>& ytr,
         const Matrix& xte, const std::vector<int>& yte, int repeats = 1) {
  const double rss_before = current_rss_mb();
  // A short fit is repeated: its median is the steady state, the first also counts compiling
  // (wasm: V8 compiles functions on their first call, then optimizes the hot ones).
  std::vector<double> fits;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    model.fit(xtr, ytr, 2);
    fits.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const double fit_s = median(fits);
  const double peak = peak_rss_mb();
  auto t1 = std::chrono::steady_clock::now();
  const std::vector<int> pred = model.predict(xte);
  auto t2 = std::chrono::steady_clock::now();
  std::printf("%-28s fit %7.3f s  predict %6.3f s  test accuracy %.4f  peak RSS %.1f MB "
              "(%.1f MB before fit)\n",
              name, fit_s, std::chrono::duration<double>(t2 - t1).count(), accuracy(pred, yte), peak,
              rss_before);
  // Machine-readable lines for scripts/bench.sh.
  std::printf("RESULT case=%s fit_s=%.4f quality=%.4f peak_mb=%.1f base_mb=%.1f\n", tag, fit_s,
              accuracy(pred, yte), peak, rss_before);
  if (repeats > 1) {
    std::printf("  (median of %d fits; the first took %.3f s)\n", repeats, fits.front());
    std::printf("RESULT case=%s_first fit_s=%.4f quality=%.4f peak_mb=0\n", tag, fits.front(),
                accuracy(pred, yte));
  }
}

// The bytes of `path` (relative to the working directory); exits when it cannot be read.
std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (run from the repository root)\n", path);
    std::exit(1);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of `r`; exits with its message on an error.
template <typename T>
T value_or_exit(mllab::Result<T> r) {
  if (!r) {
    std::fprintf(stderr, "%s\n", r.status().message().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

// Seconds elapsed since t0.
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}


// The course's TF-IDF + random forest pipeline on the sentiment sentences (see the top).
void run_sentiment(int repeats) {
  using mllab::pipeline::FittedPipeline;
  const auto spec = value_or_exit(
      mllab::pipeline::parse_pipeline_spec(read_file("examples/sentiment-rf-baseline.json")));
  const std::string csv = read_file(spec.dataset_path.c_str());
  const auto table = value_or_exit(mllab::data::read_csv(csv));
  const auto labels = value_or_exit(mllab::pipeline::encode_labels(table, spec.target));
  const int k = static_cast<int>(labels.classes.size());
  const auto split = mllab::ml::train_test_split(labels.y, k, spec.test_size, spec.random_state,
                                                 spec.stratify);
  const mllab::data::Table xtr = table.take_rows(split.train), xte = table.take_rows(split.test);
  std::vector<int> ytr, yte;
  for (size_t i : split.train) ytr.push_back(labels.y[i]);
  for (size_t i : split.test) yte.push_back(labels.y[i]);

  std::vector<double> t_pipeline, t_sparse, t_dense, t_predict;
  double acc = 0.0;
  bool same = true;
  for (int rep = 0; rep < repeats; ++rep) {
    FittedPipeline model = value_or_exit(FittedPipeline::from_spec(spec));
    auto t0 = std::chrono::steady_clock::now();
    model.fit(xtr, ytr, k);
    t_pipeline.push_back(seconds_since(t0));
    t0 = std::chrono::steady_clock::now();
    const Matrix proba = model.predict_proba(xte);
    t_predict.push_back(seconds_since(t0));
    acc = accuracy(model.predict(xte), yte);
    // The forest alone, on the features it saw (sparse) and on their dense copy.
    const auto features = model.transform(xtr);
    const auto test_features = model.transform(xte);
    const auto params = model.steps.back().classifier->params();
    mllab::ml::RandomForestClassifier sparse(params), dense(params);
    t0 = std::chrono::steady_clock::now();
    sparse.fit_sparse(features.sp, ytr, k);
    t_sparse.push_back(seconds_since(t0));
    const Matrix xd = features.to_dense();
    t0 = std::chrono::steady_clock::now();
    dense.fit(xd, ytr, k);
    t_dense.push_back(seconds_since(t0));
    same = same && sparse.predict_proba_sparse(test_features.sp) == proba &&
           dense.predict_proba(test_features.to_dense()) == proba;
  }
  std::printf("sentiment: %zu train / %zu test rows, %d repeats (medians)\n", ytr.size(),
              yte.size(), repeats);
  std::printf("  pipeline fit %7.4f s (first %7.4f s)  (forest on sparse features %7.4f s, on the "
              "dense copy %7.4f s)\n",
              median(t_pipeline), t_pipeline.front(), median(t_sparse), median(t_dense));
  std::printf("  predict_proba on the test rows %7.4f s  test accuracy %.4f  sparse == dense: %s\n",
              median(t_predict), acc, same ? "yes" : "NO");
  // Steady state (the median) and the process's first fit (wasm: before V8 has optimized the
  // hot functions).
  std::printf("RESULT case=sentiment_tfidf_rf fit_s=%.4f quality=%.4f peak_mb=0\n",
              median(t_pipeline), acc);
  std::printf("RESULT case=sentiment_tfidf_rf_first fit_s=%.4f quality=%.4f peak_mb=0\n",
              t_pipeline.front(), acc);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "all";
  if (which == "sentiment") {
    run_sentiment(argc > 2 ? std::max(1, std::atoi(argv[2])) : 15);
    return 0;
  }
  Matrix x;
  std::vector<int> y;
  make_synthetic(&x, &y);
  std::printf("checksum sum(x) = %.17g, sum(y) = %d\n", x.sum(),
              [&] { int s = 0; for (int v : y) s += v; return s; }());
  const Matrix xtr = x.topRows(kTrain);
  const Matrix xte = x.bottomRows(kRows - kTrain);
  const std::vector<int> ytr(y.begin(), y.begin() + kTrain);
  const std::vector<int> yte(y.begin() + kTrain, y.end());
  x.resize(0, 0);
  std::printf("train %d x %d (%.1f MB of doubles), test %d rows\n", kTrain, kFeatures,
              kTrain * kFeatures * 8.0 / 1e6, kRows - kTrain);
  if (which == "rf" || which == "all") {
    mllab::ml::RandomForestClassifier rf(
        {{"n_estimators", 100}, {"max_depth", 10}, {"random_state", 0}});
    run("RandomForest(100, depth 10)", "rf", rf, xtr, ytr, xte, yte);
  }
  if (which == "hgb" || which == "all") {
    mllab::ml::HistGradientBoostingClassifier hgb({{"max_iter", 100}, {"random_state", 0}});
    run("HistGradientBoosting(100)", "hgb", hgb, xtr, ytr, xte, yte);
  }
  if (which == "logreg" || which == "all") {
    mllab::ml::LogisticRegression lr(mllab::ml::json::object());
    run("LogisticRegression", "logreg", lr, xtr, ytr, xte, yte, 5);
  }
  return 0;
}

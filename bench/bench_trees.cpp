// Benchmark of the tree models on a deterministic 100,000 x 20 synthetic classification set plus
// 20,000 test rows (bench/make_synthetic.py builds the identical set for scikit-learn / XGBoost,
// see bench/bench_trees_sklearn.py): trains RandomForestClassifier(n_estimators=100, max_depth=10)
// and HistGradientBoostingClassifier(max_iter=100) single-threaded on rows 0..99,999 and prints
// training time, peak RSS and accuracy on rows 100,000..119,999.
//
// Built by CMake as mllab_bench_trees (native, and wasm under node); run by scripts/bench.sh.
// Run: mllab_bench_trees [rf|hgb|logreg|all]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/ml/forest.hpp"
#include "core/ml/logistic_regression.hpp"
#include "core/ml/hist_gradient_boosting.hpp"

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

template <typename Model>
void run(const char* name, const char* tag, Model& model, const Matrix& xtr, const std::vector<int>& ytr,
         const Matrix& xte, const std::vector<int>& yte) {
  const double rss_before = current_rss_mb();
  auto t0 = std::chrono::steady_clock::now();
  model.fit(xtr, ytr, 2);
  auto t1 = std::chrono::steady_clock::now();
  const double peak = peak_rss_mb();
  const std::vector<int> pred = model.predict(xte);
  auto t2 = std::chrono::steady_clock::now();
  std::printf("%-28s fit %7.3f s  predict %6.3f s  test accuracy %.4f  peak RSS %.1f MB "
              "(%.1f MB before fit)\n",
              name, std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count(), accuracy(pred, yte), peak,
              rss_before);
  // One machine-readable line for scripts/bench.sh.
  std::printf("RESULT case=%s fit_s=%.4f quality=%.4f peak_mb=%.1f base_mb=%.1f\n", tag,
              std::chrono::duration<double>(t1 - t0).count(), accuracy(pred, yte), peak, rss_before);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "all";
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
    run("LogisticRegression", "logreg", lr, xtr, ytr, xte, yte);
  }
  return 0;
}

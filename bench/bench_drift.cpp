// Benchmark of the drift statistics on 50 numeric columns x 100,000 reference rows and 100,000
// current rows (deterministic; bench/bench_drift_scipy.py builds the identical data for scipy):
//   drift_ks_50x100k      scipy.stats.ks_2samp over the 50 columns (method auto -> asymp, as
//                         scipy at these sizes); quality = columns with p < 0.05
//   drift_report_50x100k  the full default compute_drift report (Evidently's defaults pick the
//                         normed Wasserstein distance for > 1000 reference rows); quality =
//                         drifted columns
//
// Data: value(row, col) = u(4 row, col) + u(4 row + 1, col) + u(4 row + 2, col) + u(4 row + 3,
// col) - 2 (an Irwin–Hall bell, sd 0.577) with u a SplitMix64 finalizer of (i, j) as a double in
// [0, 1) (the same u as bench/make_synthetic.py, j offset by 100); rows 0..99,999 are the
// reference and 100,000..199,999 the current sample; odd columns of the current sample are
// shifted by 0.004 * (col / 2 + 1) (0.004 .. 0.1). Only exactly rounded operations, so Python
// gets the same doubles (compare the printed checksum).
//
// Run: mllab_bench_drift [ks|report|all]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/data/table.hpp"
#include "core/monitoring/drift.hpp"
#include "core/monitoring/stats.hpp"

namespace {

constexpr int kColumns = 50;
constexpr int kRows = 100000;  // per sample

double uniform(uint64_t i, uint64_t j) {
  uint64_t z = i * 0x9E3779B97F4A7C15ULL + j * 0xC2B2AE3D27D4EB4FULL + 12345ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

double shift(int col) { return col % 2 == 1 ? 0.004 * double(col / 2 + 1) : 0.0; }

// Column `col` of the reference (rows 0..kRows-1) or the current sample (kRows..2 kRows-1).
std::vector<double> make_column(int col, bool current) {
  std::vector<double> v(kRows);
  const uint64_t j = 100 + uint64_t(col);
  for (int r = 0; r < kRows; ++r) {
    const uint64_t row = uint64_t(r) + (current ? kRows : 0);
    double x = uniform(4 * row, j) + uniform(4 * row + 1, j);
    x = x + uniform(4 * row + 2, j);
    x = x + uniform(4 * row + 3, j);
    x = x - 2.0;
    if (current) x = x + shift(col);
    v[size_t(r)] = x;
  }
  return v;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "all";
  mllab::data::Table reference, current;
  double checksum = 0;
  for (int c = 0; c < kColumns; ++c) {
    for (int side = 0; side < 2; ++side) {
      mllab::data::Column col;
      col.name = "f" + std::to_string(c);
      col.type = mllab::data::ColumnType::kNumeric;
      col.numbers = make_column(c, side == 1);
      checksum += mllab::monitoring::numpy_sum(col.numbers.data(), col.numbers.size());
      (void)(side == 0 ? reference : current).add_column(std::move(col));
    }
  }
  std::printf("checksum %.17g (%d columns x %d + %d rows)\n", checksum, kColumns, kRows, kRows);

  if (which == "ks" || which == "all") {
    int significant = 0;
    double d_sum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int c = 0; c < kColumns; ++c) {
      auto r = mllab::monitoring::ks_2samp(reference.column(size_t(c)).numbers, current.column(size_t(c)).numbers);
      if (!r) {
        std::fprintf(stderr, "%s\n", r.status().to_string().c_str());
        return 1;
      }
      if (r->pvalue < 0.05) ++significant;
      d_sum += r->statistic;
    }
    const double s = seconds_since(t0);
    std::printf("ks_2samp x %d columns: %.3f s, %d with p < 0.05, sum of D %.17g\n", kColumns, s, significant, d_sum);
    std::printf("RESULT case=drift_ks_50x100k fit_s=%.4f quality=%d peak_mb=0\n", s, significant);
  }
  if (which == "report" || which == "all") {
    const auto t0 = std::chrono::steady_clock::now();
    auto report = mllab::monitoring::compute_drift(reference, current);
    const double s = seconds_since(t0);
    if (!report) {
      std::fprintf(stderr, "%s\n", report.status().to_string().c_str());
      return 1;
    }
    double score_sum = 0;
    for (const auto& col : report->columns) score_sum += col.statistic;
    std::printf("compute_drift (%s): %.3f s, %zu of %zu columns drifted, sum of scores %.17g\n",
                report->columns.front().test.c_str(), s, report->number_of_drifted_columns,
                report->number_of_columns, score_sum);
    std::printf("RESULT case=drift_report_50x100k fit_s=%.4f quality=%zu peak_mb=0\n", s,
                report->number_of_drifted_columns);
  }
  return 0;
}

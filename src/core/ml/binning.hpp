// Histogram binning of numeric features, shared by the tree models: each feature is cut once
// into at most 255 bins (uint8 codes) so that split search scans bin histograms instead of
// sorted values, as LightGBM and scikit-learn's HistGradientBoosting do.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <Eigen/Dense>
#include <Eigen/Sparse>

namespace mllab::ml {

// Per-feature bin edges with scikit-learn's _BinMapper rules (without its 200,000-row
// subsample and its missing-value bin): a feature with at most `max_bins` distinct values gets
// the midpoints between consecutive distinct values as edges (so every value has its own bin
// and a split on an edge is the exact split scikit-learn's trees would choose); otherwise the
// edges are the 'midpoint' percentiles at 100 k / max_bins, k = 1..max_bins-1 (duplicates
// dropped). Bin b holds the values x <= edges[b] (and > edges[b-1]); the last bin is open.
class FeatureBinner {
 public:
  // Largest supported number of bins per feature (codes are uint8).
  static constexpr int kMaxBins = 255;

  // Learns the edges from the columns of `x` (finite values; not checked); 2 <= max_bins <= 255.
  void fit(const Eigen::MatrixXd& x, int max_bins);
  // The same from sparse rows (CSR; finite values, not checked): absent entries are zeros, and
  // the edges are exactly those fit() learns from the densified matrix.
  void fit(const Eigen::SparseMatrix<double, Eigen::RowMajor>& x, int max_bins);
  // Bin codes of `x`, column-major: out[j * x.rows() + i] is the bin of x(i, j).
  std::vector<uint8_t> transform(const Eigen::MatrixXd& x) const;
  // Bin code of value `v` of feature `j`.
  uint8_t code(int j, double v) const {
    const std::vector<double>& e = edges_[static_cast<size_t>(j)];
    return static_cast<uint8_t>(std::lower_bound(e.begin(), e.end(), v) - e.begin());
  }
  // Bin upper edges of feature `j`, ascending (n_bins(j) - 1 values).
  const std::vector<double>& edges(int j) const { return edges_[static_cast<size_t>(j)]; }
  // Number of bins of feature `j` (1 for a constant feature).
  int n_bins(int j) const { return static_cast<int>(edges_[static_cast<size_t>(j)].size()) + 1; }
  // Number of features seen at fit.
  int n_features() const { return static_cast<int>(edges_.size()); }

 private:
  std::vector<std::vector<double>> edges_;
};

}  // namespace mllab::ml

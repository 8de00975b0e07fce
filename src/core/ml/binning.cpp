#include "core/ml/binning.hpp"

#include <algorithm>
#include <cmath>

namespace mllab::ml {
namespace {

// A column's sorted values, held as its sorted non-zero values plus a count of zeros (TF-IDF
// and one-hot columns are mostly zeros, which then need no sorting).
struct SortedColumn {
  std::vector<double> nonzero;  // sorted
  size_t n_negative = 0;        // nonzero values below 0
  size_t zeros = 0;
  size_t size() const { return nonzero.size() + zeros; }
  double operator[](size_t i) const {
    if (i < n_negative) return nonzero[i];
    if (i < n_negative + zeros) return 0.0;
    return nonzero[i - zeros];
  }
};

// np.percentile(sorted, q, method="midpoint") for one q in [0, 100]: the value at virtual index
// q / 100 * (n - 1), or the midpoint of its two neighbours when the index is fractional.
double percentile_midpoint(const SortedColumn& sorted, double q) {
  const double n1 = static_cast<double>(sorted.size() - 1);
  const double index = q / 100.0 * n1;
  const double lo = std::floor(index);
  const auto i = static_cast<size_t>(lo);
  if (index == lo || i + 1 >= sorted.size()) return sorted[std::min(i, sorted.size() - 1)];
  const double a = sorted[i];
  const double b = sorted[i + 1];
  return b - (b - a) * 0.5;  // numpy's _lerp at t = 0.5
}

// The edges of one column from its values (see FeatureBinner); `col.nonzero` is sorted here.
// `distinct` is scratch space.
void column_edges(SortedColumn& col, int max_bins, std::vector<double>* distinct,
                  std::vector<double>* out) {
  std::sort(col.nonzero.begin(), col.nonzero.end());
  col.n_negative = static_cast<size_t>(
      std::lower_bound(col.nonzero.begin(), col.nonzero.end(), 0.0) - col.nonzero.begin());
  std::vector<double>& edges = *out;
  edges.clear();
  // The distinct values, ascending (zero between the negative and positive ones); stop early
  // once there are too many.
  std::vector<double>& u = *distinct;
  u.clear();
  const auto limit = static_cast<size_t>(max_bins);
  for (size_t i = 0; i < col.nonzero.size() && u.size() <= limit; ++i) {
    if (i == col.n_negative && col.zeros > 0) u.push_back(0.0);
    if (u.empty() || col.nonzero[i] != u.back()) u.push_back(col.nonzero[i]);
  }
  if (col.n_negative == col.nonzero.size() && col.zeros > 0) u.push_back(0.0);
  if (u.size() <= limit) {
    for (size_t i = 1; i < u.size(); ++i) edges.push_back((u[i - 1] + u[i]) * 0.5);
  } else {
    for (int k = 1; k < max_bins; ++k) {
      // np.linspace(0, 100, max_bins + 1)[k]
      double q = 100.0 * static_cast<double>(k) / static_cast<double>(max_bins);
      double e = percentile_midpoint(col, q);
      if (edges.empty() || e > edges.back()) edges.push_back(e);
    }
    // The top edge must leave the maximum in the last bin.
    while (!edges.empty() && edges.back() >= col[col.size() - 1]) edges.pop_back();
  }
}

}  // namespace

void FeatureBinner::fit(const Eigen::MatrixXd& x, int max_bins) {
  max_bins = std::clamp(max_bins, 2, kMaxBins);
  edges_.assign(static_cast<size_t>(x.cols()), {});
  SortedColumn col;
  std::vector<double> distinct;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    col.nonzero.clear();
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (x(i, j) != 0.0) col.nonzero.push_back(x(i, j));
    }
    col.zeros = static_cast<size_t>(x.rows()) - col.nonzero.size();
    column_edges(col, max_bins, &distinct, &edges_[static_cast<size_t>(j)]);
  }
}

void FeatureBinner::fit(const Eigen::SparseMatrix<double, Eigen::RowMajor>& x, int max_bins) {
  max_bins = std::clamp(max_bins, 2, kMaxBins);
  const auto n_cols = static_cast<size_t>(x.cols());
  edges_.assign(n_cols, {});
  // Gather each column's non-zero values (a column-major copy, without Eigen's conversion so
  // that stored zeros are dropped on the way).
  std::vector<size_t> start(n_cols + 1, 0);
  for (Eigen::Index i = 0; i < x.outerSize(); ++i) {
    for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(x, i); it; ++it) {
      if (it.value() != 0.0) ++start[static_cast<size_t>(it.col()) + 1];
    }
  }
  for (size_t j = 0; j < n_cols; ++j) start[j + 1] += start[j];
  std::vector<double> values(start[n_cols]);
  std::vector<size_t> fill(start.begin(), start.end() - 1);
  for (Eigen::Index i = 0; i < x.outerSize(); ++i) {
    for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(x, i); it; ++it) {
      if (it.value() != 0.0) values[fill[static_cast<size_t>(it.col())]++] = it.value();
    }
  }
  SortedColumn col;
  std::vector<double> distinct;
  for (size_t j = 0; j < n_cols; ++j) {
    col.nonzero.assign(values.begin() + static_cast<ptrdiff_t>(start[j]),
                       values.begin() + static_cast<ptrdiff_t>(start[j + 1]));
    col.zeros = static_cast<size_t>(x.rows()) - col.nonzero.size();
    column_edges(col, max_bins, &distinct, &edges_[j]);
  }
}

std::vector<uint8_t> FeatureBinner::transform(const Eigen::MatrixXd& x) const {
  const auto n = static_cast<size_t>(x.rows());
  std::vector<uint8_t> codes(n * static_cast<size_t>(x.cols()));
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const std::vector<double>& e = edges_[static_cast<size_t>(j)];
    uint8_t* out = codes.data() + static_cast<size_t>(j) * n;
    const double* col = x.data() + j * x.rows();
    // First edge >= value: values <= edges[b] fall in bin b. Zeros (most of a sparse column)
    // share one look-up.
    const auto zero_code = static_cast<uint8_t>(std::lower_bound(e.begin(), e.end(), 0.0) - e.begin());
    for (size_t i = 0; i < n; ++i) {
      out[i] = col[i] == 0.0
                   ? zero_code
                   : static_cast<uint8_t>(std::lower_bound(e.begin(), e.end(), col[i]) - e.begin());
    }
  }
  return codes;
}

}  // namespace mllab::ml

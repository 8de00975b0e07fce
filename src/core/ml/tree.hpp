// Decision trees: DecisionTreeClassifier and DecisionTreeRegressor with scikit-learn's names and
// semantics, plus the building blocks the forests and gradient boosting share (the fitted tree
// arrays, the histogram tree grower and the parameter helpers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/ml/binning.hpp"
#include "core/ml/model.hpp"
#include "core/util/rng.hpp"

namespace mllab::ml {

// A fitted binary tree in flat arrays, as scikit-learn's Tree: node 0 is the root; a split node
// sends rows with x[feature] <= threshold to `left`, others to `right`; children always have
// larger ids than their parent. Leaves have feature -1 and `n_values` outputs each.
struct TreeModel {
  // Split feature per node (-1 for a leaf).
  std::vector<int32_t> feature;
  // Split threshold per node (0 for a leaf).
  std::vector<double> threshold;
  // Child ids per node (-1 for a leaf).
  std::vector<int32_t> left;
  std::vector<int32_t> right;
  // Outputs per node, node-major (n_nodes * n_values): class probabilities or a value.
  std::vector<double> value;
  // Outputs per node.
  int n_values = 1;

  // Number of nodes.
  int n_nodes() const { return static_cast<int>(feature.size()); }
  // Id of the leaf reached by the row x[0], x[stride], ... .
  int leaf(const double* x, int64_t stride) const {
    int node = 0;
    while (feature[static_cast<size_t>(node)] >= 0) {
      const auto k = static_cast<size_t>(node);
      node = x[feature[k] * stride] <= threshold[k] ? left[k] : right[k];
    }
    return node;
  }
  // Appends a node and returns its id.
  int add_node(int n_outputs);
  // Maximum depth (root = depth 0).
  int depth() const;
  // {"feature", "threshold", "left", "right", "value", "n_values"}.
  json to_json() const;
  // Reads a tree written by to_json, checking shapes, child ids and features < n_features.
  static Result<TreeModel> from_json(const json& j, int n_features, int n_values,
                                     const std::string& who);
};

// Split criteria of the histogram tree grower.
enum class Criterion { kGini, kEntropy, kSquaredError };

// Growth limits and feature sampling for grow_tree, scikit-learn's names.
struct TreeGrowOptions {
  Criterion criterion = Criterion::kGini;
  // Depth limit (root = 0); a very large value means none.
  int max_depth = 1 << 30;
  int min_samples_split = 2;
  int min_samples_leaf = 1;
  // Features drawn per node (in [1, n_features]); more are drawn while the drawn ones are
  // constant in the node, as scikit-learn.
  int max_features = 1;
};

// Binned training data shared by the trees of a model. A feature whose most frequent bin holds
// more than half of the rows (a TF-IDF, one-hot or mostly-zero column) is stored sparse: only
// its entries off that bin are kept, listed per feature (rows ascending) and per row, and the
// grower adds that bin's rows by subtraction. The other features keep one code per row.
// from_dense and from_sparse give the same BinnedData for the same values, so a model fitted
// on a sparse matrix is identical to the one fitted on its dense copy.
struct BinnedData {
  int64_t n_rows = 0;
  int n_features = 0;
  const FeatureBinner* binner = nullptr;
  // Per feature, its most frequent code (the lowest on ties).
  std::vector<uint8_t> major_bin;
  // Per feature, 1 when it is stored sparse.
  std::vector<uint8_t> is_sparse;
  // Codes of the dense features: feature f's n_rows codes start at dense_offset[f] (-1 for a
  // sparse feature).
  std::vector<uint8_t> dense_codes;
  std::vector<int64_t> dense_offset;
  // Entries of the sparse features off their major bin, per feature: feature f's are
  // [col_start[f], col_start[f + 1]) of col_row (ascending) / col_code.
  std::vector<int32_t> col_start;
  std::vector<int32_t> col_row;
  std::vector<uint8_t> col_code;
  // The same entries per row: row r's are [row_start[r], row_start[r + 1]) of row_feature
  // (ascending) / row_code (empty when no feature is sparse).
  std::vector<int32_t> row_start;
  std::vector<int32_t> row_feature;
  std::vector<uint8_t> row_code;

  // Bins the columns of `x` with `binner` (fitted on x; kept by pointer).
  static BinnedData from_dense(const Eigen::MatrixXd& x, const FeatureBinner& binner);
  // Bins sparse rows with `binner` (fitted on x; kept by pointer); absent entries are zeros.
  static BinnedData from_sparse(const SparseMatrix& x, const FeatureBinner& binner);
  // The n_rows codes of dense feature `f`.
  const uint8_t* dense_column(int f) const {
    return dense_codes.data() + dense_offset[static_cast<size_t>(f)];
  }
  // Number of stored sparse entries.
  int64_t n_entries() const { return static_cast<int64_t>(col_row.size()); }
};

// Grows one tree depth-first (as scikit-learn's DepthFirstTreeBuilder with the "best" splitter)
// on the rows with positive `weight` (bootstrap counts times class weights). Each node's split
// is the best bin edge of the sampled features by the criterion's proxy improvement, scanning
// per-node histograms; thresholds are real bin edges. Classification (gini / entropy): `cls`
// holds class indices in [0, n_classes), leaves hold the weighted class frequencies normalized
// to sum 1. Regression (squared_error): `target` holds y, leaves hold the weighted mean.
// min_samples_* count distinct rows (rows with positive weight), as scikit-learn. Adds each
// split's weighted impurity decrease to `importance` (size n_features, not normalized).
TreeModel grow_tree(const BinnedData& data, const int* cls, int n_classes, const double* target,
                    const std::vector<double>& weight, const TreeGrowOptions& options, Rng& rng,
                    std::vector<double>* importance);

namespace detail {
class Grower;
}  // namespace detail

// Grows trees one after another on the same binned data, as grow_tree does, reusing its work
// buffers between trees (a forest's trees). `data`, `cls` / `target` and `options` must outlive
// it.
class TreeGrower {
 public:
  TreeGrower(const BinnedData& data, const int* cls, int n_classes, const double* target,
             const TreeGrowOptions& options);
  ~TreeGrower();
  TreeGrower(const TreeGrower&) = delete;
  TreeGrower& operator=(const TreeGrower&) = delete;
  // One tree for sample weights `weight` (see grow_tree); `importance` is reset first.
  TreeModel grow(const std::vector<double>& weight, Rng& rng, std::vector<double>* importance);

 private:
  std::unique_ptr<detail::Grower> impl_;
};

// Helpers shared by the tree models.
namespace tree_params {
// The criterion parameter of classification trees and forests ("gini", "entropy", "log_loss").
ParamSpec classification_criterion_spec();
// The criterion parameter of regression trees and forests ("squared_error").
ParamSpec regression_criterion_spec();
// The ParamSpec of max_features with default `def`, as scikit-learn: a JSON integer (a feature
// count >= 1), a JSON float (a fraction in (0, 1]), "sqrt", "log2" or null (all features). The
// older string spellings "all" / "None" (null), "5" and "0.5" are still read (see
// ParamSpec::Kind::kIntFloatStringOrNull).
ParamSpec max_features_spec(const json& def);
// max_features (a value resolved by max_features_spec) as a feature count for `n_features`
// features, like scikit-learn 1.2's BaseDecisionTree.fit: null -> n, "sqrt" -> max(1,
// floor(sqrt(n))), "log2" -> max(1, floor(log2(n))), an integer k -> k, a float f ->
// max(1, floor(f * n)). Throws mllab::Error naming `who`, max_features and the value when it is
// none of these, or when an integer count exceeds n_features (naming both numbers).
int parse_max_features(const std::string& who, const json& value, int n_features);
// The seed for random_state (an integer or null = fresh entropy each fit, as scikit-learn).
uint64_t seed_from(const json& random_state);
// Common input checks of fit: rows >= 1, cols >= 1, finite X (naming column and row); with
// `allow_nan`, NaN (a missing value) passes and only infinity is refused.
void check_fit_input(const std::string& who, const Matrix& x, size_t n_targets, bool allow_nan = false);
// The same for sparse rows (the first non-finite stored value by column, then row, is named).
void check_fit_input(const std::string& who, const SparseMatrix& x, size_t n_targets);
// Checks a fit's input (check_fit_input), bins it with a FeatureBinner fitted on it
// (kMaxBins per feature) and calls fit(binned data) while the binner lives; dense or sparse.
template <typename X, typename Fit>
void fit_on_bins(const std::string& who, const X& x, size_t n_targets, Fit&& fit) {
  check_fit_input(who, x, n_targets);
  FeatureBinner binner;
  binner.fit(x, FeatureBinner::kMaxBins);
  if constexpr (std::is_same_v<X, SparseMatrix>) {
    fit(BinnedData::from_sparse(x, binner));
  } else {
    fit(BinnedData::from_dense(x, binner));
  }
}
// Labels in [0, n_classes), at least 2 distinct; returns per-class counts.
std::vector<int64_t> check_labels(const std::string& who, const std::vector<int>& y,
                                  int n_classes);
// Predict-time checks: fitted, column count, finite X (NaN passes with `allow_nan`).
void check_predict_input(const std::string& who, bool fitted, const char* method,
                         const Matrix& x, int n_features, bool allow_nan = false);
// The same for sparse rows.
void check_predict_input(const std::string& who, bool fitted, const char* method,
                         const SparseMatrix& x, int n_features);
// scikit-learn's normalized impurity importances: sum 1, or all zeros when there is no split.
std::vector<double> normalized(const std::vector<double>& importance);
// Reads the common state header {"version", "n_features"} (and n_classes / classes for
// classifiers when `classes` is non-null).
Status read_header(const json& state, const std::string& who, int* n_features, int* n_classes,
                   std::vector<int>* classes);
// ParamSpecs max_depth (int >= 1 or null), min_samples_split (>= 2, 2), min_samples_leaf (>= 1, 1).
std::vector<ParamSpec> common_specs();
// ParamSpec random_state (int >= 0 or null, null).
ParamSpec random_state_spec();
// max_depth, min_samples_split and min_samples_leaf of resolved params.
TreeGrowOptions read_options(const json& resolved);
// resolve_params, throwing mllab::Error on a bad parameter.
json resolve_or_throw(const std::string& who, const std::vector<ParamSpec>& specs,
                      const json& params);
// Leaf outputs of `tree` for the rows of `x`: x.rows() x tree.n_values.
void tree_outputs(const TreeModel& tree, const Matrix& x, Matrix* out);
// Mean over trees[0..n_trees) of the leaf outputs for the rows of `x` (x.rows() x n_values).
// The trees are copied once into a compact node array that blocks of rows walk in lockstep;
// each row's sums run over the trees in order.
// With `cache`, the compact copy is kept there between calls (a forest predicting in row chunks
// copies its trees once); the model resets the cache whenever its trees change.
struct FlatForestCache {
  std::shared_ptr<const void> flat;
  const TreeModel* trees = nullptr;
  size_t n_trees = 0;
  void reset() { *this = FlatForestCache(); }
};
Matrix mean_outputs(const TreeModel* trees, size_t n_trees, const Matrix& x, int n_values,
                    FlatForestCache* cache = nullptr);
// The same for sparse rows: each block of rows is scattered once into dense buffers and sent
// down every tree, so the result equals the dense computation bit for bit.
Matrix mean_outputs(const TreeModel* trees, size_t n_trees, const SparseMatrix& x, int n_values,
                    FlatForestCache* cache = nullptr);
// Reads the number array 'feature_importances' of length n_features.
Status read_importances(const json& state, const std::string& who, int n_features,
                        std::vector<double>* out);
}  // namespace tree_params

// A decision tree classifier (CART) with histogram splits: features are binned once into at
// most 255 bins (see FeatureBinner), so a split threshold is a bin edge. Where a feature has at
// most 255 distinct values the candidate thresholds are exactly scikit-learn's (midpoints of
// consecutive values) and the fitted tree is scikit-learn's up to tie-breaking between equally
// good splits; with more distinct values the thresholds are quantile edges (as LightGBM /
// HistGradientBoosting), not exact splits. Labels are class indices; classes absent at fit get
// probability 0.
class DecisionTreeClassifier : public Classifier {
 public:
  // The parameter table: criterion ("gini" | "entropy" | "log_loss", "gini"), max_depth (int >= 1
  // or null), min_samples_split (>= 2, 2), min_samples_leaf (>= 1, 1), max_features (null = all),
  // random_state (int or null), class_weight ("none" | "balanced", "none").
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit DecisionTreeClassifier(const json& params = json::object());

  // "DecisionTreeClassifier".
  std::string type() const override { return "DecisionTreeClassifier"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values) with labels `y` in [0, n_classes) (>= 2 present).
  void fit(const Matrix& x, const std::vector<int>& y, int n_classes) override;
  // n_rows x n_classes leaf class frequencies.
  Matrix predict_proba(const Matrix& x) const override;
  // fit on sparse rows (CSR) without densifying: the same tree as fit on the dense copy.
  void fit_sparse(const SparseMatrix& x, const std::vector<int>& y, int n_classes) override;
  // predict_proba on sparse rows: the same values as on the dense copy.
  Matrix predict_proba_sparse(const SparseMatrix& x) const override;
  // predict on sparse rows (the most probable class, lowest index on ties).
  std::vector<int> predict_sparse(const SparseMatrix& x) const override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"version": 1, "n_features", "n_classes", "classes", "tree", "feature_importances"}.
  json state() const override;
  // Restores a state written by state(); validates it.
  Status load_state(const json& state) override;

  // Normalized total impurity decrease per feature (sums to 1 unless the tree is one leaf).
  const std::vector<double>& feature_importances() const { return importances_; }
  // The fitted tree.
  const TreeModel& tree() const { return tree_; }
  // Class indices present at fit, ascending.
  const std::vector<int>& classes() const { return classes_; }
  // Number of features seen at fit.
  int n_features() const { return n_features_; }

 private:
  // Grows the tree on binned data (labels checked by the caller).
  void fit_binned(const BinnedData& data, const std::vector<int>& y, int n_classes,
                  const std::vector<int64_t>& count);

  json params_;
  TreeGrowOptions options_;
  json max_features_;  // resolved: null, an integer, a fraction, "sqrt" or "log2"
  bool balanced_ = false;
  bool fitted_ = false;
  int n_features_ = 0;
  int n_classes_ = 0;
  std::vector<int> classes_;
  TreeModel tree_;
  std::vector<double> importances_;
};

// A regression tree (squared error) with histogram splits; see DecisionTreeClassifier.
class DecisionTreeRegressor : public Regressor {
 public:
  // The parameter table: criterion ("squared_error"), max_depth, min_samples_split,
  // min_samples_leaf, max_features (null = all), random_state.
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit DecisionTreeRegressor(const json& params = json::object());

  // "DecisionTreeRegressor".
  std::string type() const override { return "DecisionTreeRegressor"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values) with finite targets `y`.
  void fit(const Matrix& x, const Vector& y) override;
  // The leaf mean per row.
  Vector predict(const Matrix& x) const override;
  // fit on sparse rows (CSR) without densifying: the same tree as fit on the dense copy.
  void fit_sparse(const SparseMatrix& x, const Vector& y) override;
  // predict on sparse rows: the same values as on the dense copy.
  Vector predict_sparse(const SparseMatrix& x) const override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"version": 1, "n_features", "tree", "feature_importances"}.
  json state() const override;
  // Restores a state written by state(); validates it.
  Status load_state(const json& state) override;

  // Normalized total impurity decrease per feature.
  const std::vector<double>& feature_importances() const { return importances_; }
  // The fitted tree.
  const TreeModel& tree() const { return tree_; }
  // Number of features seen at fit.
  int n_features() const { return n_features_; }

 private:
  // Grows the tree on binned data (targets checked by the caller).
  void fit_binned(const BinnedData& data, const Vector& y);

  json params_;
  TreeGrowOptions options_;
  json max_features_;  // resolved: null, an integer, a fraction, "sqrt" or "log2"
  bool fitted_ = false;
  int n_features_ = 0;
  TreeModel tree_;
  std::vector<double> importances_;
};

}  // namespace mllab::ml

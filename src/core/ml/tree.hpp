// Decision trees: DecisionTreeClassifier and DecisionTreeRegressor with scikit-learn's names and
// semantics, plus the building blocks the forests and gradient boosting share (the fitted tree
// arrays, the histogram tree grower and the parameter helpers).
#pragma once

#include <cstdint>
#include <string>
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

// Binned training data shared by the trees of a model.
struct BinnedData {
  // Column-major codes (FeatureBinner::transform).
  const uint8_t* codes = nullptr;
  int64_t n_rows = 0;
  int n_features = 0;
  const FeatureBinner* binner = nullptr;
  // Per feature, its most frequent code (filled by compute_major_bins; the grower adds that
  // bin's rows by subtraction).
  std::vector<int> major_bin;
  // Per feature, whether its most frequent code holds more than half of the rows (sparse data);
  // only then is the subtraction worth it.
  std::vector<uint8_t> major_dominant;
  // Fills major_bin from the codes.
  void compute_major_bins();
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

// Helpers shared by the tree models.
namespace tree_params {
// The criterion parameter of classification trees and forests ("gini", "entropy", "log_loss").
ParamSpec classification_criterion_spec();
// The criterion parameter of regression trees and forests ("squared_error").
ParamSpec regression_criterion_spec();
// The ParamSpec of max_features with default `def` (a string: "all", "sqrt", "log2", an
// integer count such as "5" or a fraction such as "0.5"; see parse_max_features).
ParamSpec max_features_spec(const std::string& def);
// max_features as a feature count for `n_features` features, like scikit-learn: "all" (None) ->
// n, "sqrt" -> max(1, floor(sqrt(n))), "log2" -> max(1, floor(log2(n))), an integer text -> that
// count (capped at n), a number text with '.' or 'e' in (0, 1] -> max(1, floor(f * n)).
// Throws mllab::Error naming `who`, max_features and the value when it is none of these.
int parse_max_features(const std::string& who, const std::string& value, int n_features);
// The seed for random_state (an integer or null = fresh entropy each fit, as scikit-learn).
uint64_t seed_from(const json& random_state);
// Common input checks of fit: rows >= 1, cols >= 1, finite X (naming column and row).
void check_fit_input(const std::string& who, const Matrix& x, size_t n_targets);
// Labels in [0, n_classes), at least 2 distinct; returns per-class counts.
std::vector<int64_t> check_labels(const std::string& who, const std::vector<int>& y,
                                  int n_classes);
// Predict-time checks: fitted, column count, finite X.
void check_predict_input(const std::string& who, bool fitted, const char* method,
                         const Matrix& x, int n_features);
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
  // or null), min_samples_split (>= 2, 2), min_samples_leaf (>= 1, 1), max_features ("all"),
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
  json params_;
  TreeGrowOptions options_;
  std::string max_features_;
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
  // min_samples_leaf, max_features ("all"), random_state.
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
  json params_;
  TreeGrowOptions options_;
  std::string max_features_;
  bool fitted_ = false;
  int n_features_ = 0;
  TreeModel tree_;
  std::vector<double> importances_;
};

}  // namespace mllab::ml

// Histogram gradient boosting: HistGradientBoostingClassifier (binary log-loss, multiclass
// softmax) and HistGradientBoostingRegressor (squared error) with scikit-learn 1.2's names and
// semantics (LightGBM-style leaf-wise trees on binned features).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ml/model.hpp"
#include "core/ml/tree.hpp"

namespace mllab::ml {

class HistGradientBoostingClassifierFitTask;
class HistGradientBoostingRegressorFitTask;

// Settings shared by both boosting models (resolved params).
struct BoostingOptions {
  double learning_rate = 0.1;
  int max_iter = 100;
  // Leaf limit per tree; a very large value means none.
  int max_leaf_nodes = 31;
  // Depth limit (root = 0); a very large value means none.
  int max_depth = 1 << 30;
  int min_samples_leaf = 20;
  double l2_regularization = 0.0;
  int max_bins = 255;
  bool early_stopping = false;
  double validation_fraction = 0.1;
  int n_iter_no_change = 10;
  double tol = 1e-7;
};

// Gradient boosting of histogram trees, as scikit-learn 1.2's HistGradientBoostingClassifier, step
// for step so that it builds the same trees (tests/data/hgb_reference.json): features are binned
// once like scikit-learn's _BinMapper (from the non-missing values, midpoints of the distinct
// values when there are at most max_bins, else the 'midpoint' percentiles at np.linspace(0, 100,
// max_bins + 1)[1:-1], repeats kept; no 200,000-row subsample; NaN in its own bin max_bins); each
// iteration fits one tree per class (one for binary problems) to the log-loss gradients and
// hessians, computed in double and stored as float32, and summed per bin in double (the larger
// child's histogram = parent - smaller child's, the right child counting as the smaller one on a
// tie). Trees grow best-first (a binary heap on the gain, ties in Python heapq's order) up to
// max_leaf_nodes leaves; a node's value is v = -G / (H + l2 + 1e-15) (0 for the root), a split's
// gain G v - G_L v_L - G_R v_R must be > 0 with min_samples_leaf rows and a hessian sum >= 1e-3
// on both sides, and the first feature, then the first bin, with the largest gain wins. Missing
// values (NaN) are handled as scikit-learn's: for a feature with NaN in the training rows, the
// bins are scanned left to right with NaN on the right (the last candidate being "non-missing
// left, NaN right", threshold +inf), then right to left with NaN on the left, and
// missing_go_to_left records the winner's side; a split on a feature without NaN at fit sends NaN
// to the child that had more training rows (the right one on a tie). Prediction sends NaN along
// missing_go_to_left. Leaf values are learning_rate * v; the baseline is the log-odds of the
// class prior (binary) or the centred log priors (multiclass). scikit-learn's only
// thread-dependent step (the OpenMP sum of the root's gradients) is matched as run with
// OMP_NUM_THREADS=1. Differences from scikit-learn: early_stopping defaults to false
// (scikit-learn's "auto" enables it above 10,000 samples) and, when enabled, uses the validation
// loss (scoring="loss") on a validation_fraction split drawn with mllab::Rng; infinity is refused
// (scikit-learn bins it as a value).
class HistGradientBoostingClassifier : public Classifier {
 public:
  // The parameter table: loss ("log_loss"), learning_rate (0.1), max_iter (100), max_leaf_nodes
  // (31, or null), max_depth (null), min_samples_leaf (20), l2_regularization (0), max_bins
  // (255), early_stopping (false), validation_fraction (0.1), n_iter_no_change (10), tol (1e-7),
  // random_state (null).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit HistGradientBoostingClassifier(const json& params = json::object());

  // "HistGradientBoostingClassifier".
  std::string type() const override { return "HistGradientBoostingClassifier"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values or NaN = missing) with labels `y` in [0, n_classes)
  // (>= 2 present); throws mllab::Error naming the column and row of an infinite value.
  void fit(const Matrix& x, const std::vector<int>& y, int n_classes) override;
  // The fit one boosting iteration (its trees) per unit; fit() runs it to the end.
  std::unique_ptr<FitTask> fit_task(const Matrix& x, const std::vector<int>& y, int n_classes) override;
  // n_rows x n_classes probabilities (sigmoid / softmax of the raw scores; absent classes 0).
  // NaN is taken as missing (refused, as before, by a model loaded from a version-1 state).
  Matrix predict_proba(const Matrix& x) const override;
  // Raw scores: n_rows x 1 (binary) or n_rows x classes().size().
  Matrix decision_function(const Matrix& x) const;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"version": 2, "n_features", "n_classes", "classes", "baseline", "n_iter", "trees",
  // "missing_go_to_left"}: per tree, 0 or 1 per node; a +inf threshold (a split on missing values)
  // is written as the largest double (JSON has no infinity). A model loaded from version 1
  // writes version 1.
  json state() const override;
  // Restores a state written by state() (version 2, or version 1 without missing_go_to_left,
  // whose model refuses NaN inputs as it did); validates it.
  Status load_state(const json& state) override;

  // Boosting iterations done (less than max_iter after early stopping).
  int n_iter() const { return n_iter_; }
  // Trees per iteration (1 for binary problems, else the number of classes present).
  int n_trees_per_iteration() const { return static_cast<int>(baseline_.size()); }
  // The fitted trees, iteration-major, nodes in scikit-learn's depth-first order (root, left
  // subtree, right subtree); leaves hold learning_rate * v, split nodes their unshrunk v (0 at
  // the root), as scikit-learn's predictor nodes.
  const std::vector<TreeModel>& trees() const { return trees_; }
  // Per tree of trees(), per node: 1 when NaN goes to the left child (scikit-learn's
  // missing_go_to_left; 0 for leaves). TreeModel::leaf ignores it: NaN rows must be routed with
  // it.
  const std::vector<std::vector<uint8_t>>& missing_go_to_left() const {
    return missing_go_to_left_;
  }
  // Class indices present at fit, ascending.
  const std::vector<int>& classes() const { return classes_; }
  // Number of features seen at fit.
  int n_features() const { return n_features_; }

 private:
  friend class HistGradientBoostingClassifierFitTask;
  json params_;
  BoostingOptions options_;
  bool fitted_ = false;
  int n_features_ = 0;
  int n_classes_ = 0;
  std::vector<int> classes_;
  std::vector<double> baseline_;
  int n_iter_ = 0;
  std::vector<TreeModel> trees_;
  std::vector<std::vector<uint8_t>> missing_go_to_left_;
  // False for a model loaded from a version-1 state (no missing_go_to_left): NaN is refused.
  bool takes_missing_ = false;
};

// Gradient boosting of histogram trees for the squared error (scikit-learn 1.2's
// HistGradientBoostingRegressor, loss="squared_error"): baseline = mean(y), float32 gradients
// prediction - y, constant hessian 1 (hessian sums are row counts). See
// HistGradientBoostingClassifier for the trees, which equal scikit-learn's.
class HistGradientBoostingRegressor : public Regressor {
 public:
  // The parameter table: as HistGradientBoostingClassifier with loss ("squared_error").
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit HistGradientBoostingRegressor(const json& params = json::object());

  // "HistGradientBoostingRegressor".
  std::string type() const override { return "HistGradientBoostingRegressor"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values or NaN = missing) with finite targets `y`; throws
  // mllab::Error naming the column and row of an infinite value.
  void fit(const Matrix& x, const Vector& y) override;
  // The fit one boosting iteration per unit; fit() runs it to the end.
  std::unique_ptr<FitTask> fit_task(const Matrix& x, const Vector& y) override;
  // baseline + the sum of the trees' leaf values per row (NaN as in the classifier).
  Vector predict(const Matrix& x) const override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"version": 2, "n_features", "baseline", "n_iter", "trees", "missing_go_to_left"} (as the
  // classifier's).
  json state() const override;
  // Restores a state written by state() (version 2 or 1, as the classifier); validates it.
  Status load_state(const json& state) override;

  // Boosting iterations done.
  int n_iter() const { return n_iter_; }
  // The fitted trees (node order and values as HistGradientBoostingClassifier::trees()).
  const std::vector<TreeModel>& trees() const { return trees_; }
  // Per tree, per node: 1 when NaN goes left (see HistGradientBoostingClassifier).
  const std::vector<std::vector<uint8_t>>& missing_go_to_left() const {
    return missing_go_to_left_;
  }
  // Number of features seen at fit.
  int n_features() const { return n_features_; }

 private:
  friend class HistGradientBoostingRegressorFitTask;
  json params_;
  BoostingOptions options_;
  bool fitted_ = false;
  int n_features_ = 0;
  double baseline_ = 0.0;
  int n_iter_ = 0;
  std::vector<TreeModel> trees_;
  std::vector<std::vector<uint8_t>> missing_go_to_left_;
  bool takes_missing_ = false;
};

}  // namespace mllab::ml

// Random forests: RandomForestClassifier and RandomForestRegressor with scikit-learn's names and
// semantics, built from the histogram trees of tree.hpp.
#pragma once

#include <string>
#include <vector>

#include "core/ml/model.hpp"
#include "core/ml/tree.hpp"

namespace mllab::ml {

class RandomForestClassifierFitTask;
class RandomForestRegressorFitTask;

// A random forest of histogram trees (scikit-learn's RandomForestClassifier semantics): each tree
// is grown depth-first on a bootstrap sample (drawn as per-row multiplicity weights with
// mllab::Rng) considering max_features randomly drawn features per node. Features are binned
// once for the whole forest into at most 255 quantile bins (see FeatureBinner), so split
// thresholds are bin edges (the histogram splits of LightGBM / HistGradientBoosting, not
// scikit-learn's exact splits); this is what makes training fast. Sparse input (fit_sparse) is
// binned without densifying and mostly-zero features are read through their non-zero entries
// only (see BinnedData); the forest is the one fit gives on the dense copy. predict_proba is the
// mean of the trees' leaf class frequencies and feature_importances the mean of the trees'
// normalized impurity importances, as scikit-learn. Training is single-threaded: n_jobs is accepted for
// compatibility and ignored. The same random_state gives identical forests natively and in
// WebAssembly.
class RandomForestClassifier : public Classifier {
 public:
  // The parameter table: n_estimators (>= 1, 100), criterion ("gini" | "entropy" | "log_loss"),
  // max_depth (int >= 1 or null), min_samples_split (2), min_samples_leaf (1), max_features
  // ("sqrt"; an integer count, a fraction, "log2" or null), bootstrap (true), class_weight ("none" | "balanced" | "balanced_subsample"),
  // random_state (int or null), n_jobs (accepted, ignored).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit RandomForestClassifier(const json& params = json::object());

  // "RandomForestClassifier".
  std::string type() const override { return "RandomForestClassifier"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values) with labels `y` in [0, n_classes) (>= 2 present).
  void fit(const Matrix& x, const std::vector<int>& y, int n_classes) override;
  // n_rows x n_classes: the mean over trees of the leaf class frequencies.
  Matrix predict_proba(const Matrix& x) const override;
  // fit on sparse rows (CSR) without densifying: the same forest as fit on the dense copy.
  void fit_sparse(const SparseMatrix& x, const std::vector<int>& y, int n_classes) override;
  // predict_proba on sparse rows: the same values as on the dense copy.
  Matrix predict_proba_sparse(const SparseMatrix& x) const override;
  // predict on sparse rows (the most probable class, lowest index on ties).
  std::vector<int> predict_sparse(const SparseMatrix& x) const override;
  // The fit one tree per unit (binning comes with the first tree); fit() runs it to the end.
  std::unique_ptr<FitTask> fit_task(const Matrix& x, const std::vector<int>& y, int n_classes) override;
  std::unique_ptr<FitTask> fit_task_sparse(const SparseMatrix& x, const std::vector<int>& y,
                                           int n_classes) override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"version": 1, "n_features", "n_classes", "classes", "trees", "feature_importances"}.
  json state() const override;
  // Restores a state written by state(); validates it.
  Status load_state(const json& state) override;
  // state() without "trees" (a writer adds them one at a time: see ModelTextWriter).
  json state_without_trees() const;

  // Mean of the trees' normalized impurity importances, normalized to sum 1.
  const std::vector<double>& feature_importances() const { return importances_; }
  // The fitted trees.
  const std::vector<TreeModel>& trees() const { return trees_; }
  // Class indices present at fit, ascending.
  const std::vector<int>& classes() const { return classes_; }
  // Number of features seen at fit.
  int n_features() const { return n_features_; }

 private:
  friend class RandomForestClassifierFitTask;

  json params_;
  TreeGrowOptions options_;
  int n_estimators_ = 100;
  json max_features_;  // resolved: null, an integer, a fraction, "sqrt" or "log2"
  bool bootstrap_ = true;
  std::string class_weight_;
  bool fitted_ = false;
  int n_features_ = 0;
  int n_classes_ = 0;
  std::vector<int> classes_;
  std::vector<TreeModel> trees_;
  std::vector<double> importances_;
  mutable tree_params::FlatForestCache flat_;  // the trees laid out for prediction
};

// A random forest regressor (squared error); see RandomForestClassifier. predict is the mean of
// the trees' leaf means; max_features defaults to 1.0 (all features), as scikit-learn 1.2.
class RandomForestRegressor : public Regressor {
 public:
  // The parameter table: n_estimators (100), criterion ("squared_error"), max_depth,
  // min_samples_split, min_samples_leaf, max_features (1.0), bootstrap (true), random_state,
  // n_jobs (accepted, ignored).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit RandomForestRegressor(const json& params = json::object());

  // "RandomForestRegressor".
  std::string type() const override { return "RandomForestRegressor"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values) with finite targets `y`.
  void fit(const Matrix& x, const Vector& y) override;
  // The mean of the trees' predictions per row.
  Vector predict(const Matrix& x) const override;
  // fit on sparse rows (CSR) without densifying: the same forest as fit on the dense copy.
  void fit_sparse(const SparseMatrix& x, const Vector& y) override;
  // predict on sparse rows: the same values as on the dense copy.
  Vector predict_sparse(const SparseMatrix& x) const override;
  // The fit one tree per unit; fit() runs it to the end.
  std::unique_ptr<FitTask> fit_task(const Matrix& x, const Vector& y) override;
  std::unique_ptr<FitTask> fit_task_sparse(const SparseMatrix& x, const Vector& y) override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"version": 1, "n_features", "trees", "feature_importances"}.
  json state() const override;
  // Restores a state written by state(); validates it.
  Status load_state(const json& state) override;
  // state() without "trees" (a writer adds them one at a time: see ModelTextWriter).
  json state_without_trees() const;

  // Mean of the trees' normalized impurity importances, normalized to sum 1.
  const std::vector<double>& feature_importances() const { return importances_; }
  // The fitted trees.
  const std::vector<TreeModel>& trees() const { return trees_; }
  // Number of features seen at fit.
  int n_features() const { return n_features_; }

 private:
  friend class RandomForestRegressorFitTask;

  json params_;
  TreeGrowOptions options_;
  int n_estimators_ = 100;
  json max_features_;  // resolved: null, an integer, a fraction, "sqrt" or "log2"
  bool bootstrap_ = true;
  bool fitted_ = false;
  int n_features_ = 0;
  std::vector<TreeModel> trees_;
  std::vector<double> importances_;
  mutable tree_params::FlatForestCache flat_;  // the trees laid out for prediction
};

}  // namespace mllab::ml

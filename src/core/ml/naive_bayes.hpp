// MultinomialNB: naive Bayes for count features (word counts, TF-IDF), with scikit-learn 1.2's
// smoothing, priors and probability arithmetic.
#pragma once

#include <string>
#include <vector>

#include "core/ml/model.hpp"

namespace mllab::ml {

// feature_log_prob[c][j] = log(N_cj + alpha) - log(sum_j (N_cj + alpha)), where N_cj is the
// total of feature j over the training rows of class c; the joint log-likelihood of a row x is
// x . feature_log_prob[c] + class_log_prior[c], normalized with log-sum-exp as scikit-learn's
// predict_proba (subtract the row maximum, exp, numpy-ordered sum, log).
//
// Parameters: alpha (>= 0, 1.0; values below 1e-10 become 1e-10 unless force_alpha, as
// scikit-learn 1.2's default force_alpha="warn"), force_alpha (false), fit_prior (true: class
// frequencies; false: uniform), class_prior (null, or the prior of every class 0..n_classes-1
// as a JSON array of numbers or a comma-separated string "0.2,0.8"; entries must be > 0 and are
// used as given, not renormalized).
//
// Labels are class indices 0..n_classes-1; classes without training rows get probability 0
// (scikit-learn only knows the classes it saw; its class_prior covers those, ours covers all
// n_classes and the entries of absent classes are ignored). fit rejects negative values,
// naming the column and row; predict accepts any finite values, as scikit-learn.
class MultinomialNB : public Classifier {
 public:
  // The parameter table: alpha, force_alpha, fit_prior, class_prior (kString or null; the
  // constructor also accepts a JSON array of numbers).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit MultinomialNB(const json& params = json::object());

  // "MultinomialNB".
  std::string type() const override { return "MultinomialNB"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite, non-negative) with labels `y` in [0, n_classes).
  void fit(const Matrix& x, const std::vector<int>& y, int n_classes) override;
  // n_rows x n_classes probabilities (columns of classes absent at fit are 0).
  Matrix predict_proba(const Matrix& x) const override;
  // Class with the highest joint log-likelihood per row (ties: lowest class), as scikit-learn.
  std::vector<int> predict(const Matrix& x) const override;
  // Joint log-likelihoods, n_rows x classes().size() (scikit-learn's _joint_log_likelihood).
  Matrix joint_log_likelihood(const Matrix& x) const;
  // Log of predict_proba over the classes present at fit: n_rows x classes().size().
  Matrix predict_log_proba(const Matrix& x) const;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"n_classes", "classes", "n_features", "class_count", "feature_count", "class_log_prior",
  // "feature_log_prob"} (doubles round-trip exactly).
  json state() const override;
  // Restores a state written by state(); validates its shape.
  Status load_state(const json& state) override;

  // The class indices present at fit, ascending (scikit-learn's classes_).
  const std::vector<int>& classes() const { return classes_; }
  // The n_classes given to fit.
  int n_classes() const { return n_classes_; }
  // Number of features seen at fit.
  int n_features() const { return static_cast<int>(feature_count_.cols()); }
  // Training rows per present class.
  const Vector& class_count() const { return class_count_; }
  // Per present class and feature: summed feature values (classes().size() x n_features).
  const Matrix& feature_count() const { return feature_count_; }
  // Log prior per present class.
  const Vector& class_log_prior() const { return class_log_prior_; }
  // Smoothed log probability of each feature given each present class.
  const Matrix& feature_log_prob() const { return feature_log_prob_; }

 private:
  void check_fitted(const char* method) const;

  json params_;
  double alpha_ = 1.0;
  bool fit_prior_ = true;
  std::vector<double> class_prior_;  // empty: none given

  bool fitted_ = false;
  int n_classes_ = 0;
  std::vector<int> classes_;
  Vector class_count_;
  Matrix feature_count_;
  Vector class_log_prior_;
  Matrix feature_log_prob_;
};

}  // namespace mllab::ml

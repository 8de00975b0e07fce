// Ordinary least squares (LinearRegression) and L2-regularized least squares (Ridge) with
// scikit-learn 1.2's definitions: with fit_intercept, X and y are centred first and the
// intercept (not penalized) is y_mean - x_mean . coef.
#pragma once

#include <string>
#include <vector>

#include "core/ml/model.hpp"

namespace mllab::ml {

// Minimizes ||y - X w - b||^2. The centred least-squares problem is solved with a complete
// orthogonal decomposition (column-pivoting QR + rank detection), which gives the minimum-norm
// solution on rank-deficient data, as scipy's lstsq (gelsd) that scikit-learn calls.
class LinearRegression : public Regressor {
 public:
  // The parameter table: fit_intercept (bool, true).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit LinearRegression(const json& params = json::object());

  // "LinearRegression".
  std::string type() const override { return "LinearRegression"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values, at least one row and column) and targets `y`.
  void fit(const Matrix& x, const Vector& y) override;
  // x * coef + intercept (same column count as at fit).
  Vector predict(const Matrix& x) const override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"n_features", "coef", "intercept", "rank"} (doubles round-trip exactly).
  json state() const override;
  // Restores a state written by state(); validates its shape.
  Status load_state(const json& state) override;

  // Coefficients, one per feature (scikit-learn's coef_).
  const Vector& coef() const { return coef_; }
  // The intercept (0 when fit_intercept is false).
  double intercept() const { return intercept_; }
  // Numerical rank of the (centred) design matrix (scikit-learn's rank_).
  int rank() const { return rank_; }
  // Number of features seen at fit.
  int n_features() const { return static_cast<int>(coef_.size()); }

 private:
  json params_;
  bool fit_intercept_ = true;
  bool fitted_ = false;
  Vector coef_;
  double intercept_ = 0.0;
  int rank_ = 0;
};

// Minimizes ||y - X w - b||^2 + alpha * ||w||^2 (intercept not penalized), as scikit-learn's
// Ridge with solver "auto" (= "cholesky" for dense X): the normal equations
// (X^T X + alpha I) w = X^T y, or their kernel form when there are more features than samples,
// solved by Cholesky (LLT). If the system is singular (alpha = 0 on rank-deficient data) it
// falls back, as scikit-learn, to the SVD solution (singular values <= 1e-15 dropped).
class Ridge : public Regressor {
 public:
  // The parameter table: alpha (>= 0, 1.0), fit_intercept (bool, true).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params ("Ridge: parameter
  // 'alpha' must be >= 0 (received -1)").
  explicit Ridge(const json& params = json::object());

  // "Ridge".
  std::string type() const override { return "Ridge"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values, at least one row and column) and targets `y`.
  void fit(const Matrix& x, const Vector& y) override;
  // x * coef + intercept (same column count as at fit).
  Vector predict(const Matrix& x) const override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"n_features", "coef", "intercept"} (doubles round-trip exactly).
  json state() const override;
  // Restores a state written by state(); validates its shape.
  Status load_state(const json& state) override;

  // Coefficients, one per feature (scikit-learn's coef_).
  const Vector& coef() const { return coef_; }
  // The intercept (0 when fit_intercept is false).
  double intercept() const { return intercept_; }
  // The regularization strength.
  double alpha() const { return alpha_; }
  // Number of features seen at fit.
  int n_features() const { return static_cast<int>(coef_.size()); }

 private:
  json params_;
  double alpha_ = 1.0;
  bool fit_intercept_ = true;
  bool fitted_ = false;
  Vector coef_;
  double intercept_ = 0.0;
};

}  // namespace mllab::ml

// LogisticRegression: L2-regularized logistic regression with scikit-learn's objective
// (solver 'lbfgs'): binary problems use one coefficient row and the sigmoid, problems with more
// classes the multinomial (softmax) loss with one coefficient row per class.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ml/model.hpp"

namespace mllab::ml {

// Minimizes  sum_i logloss_i + 1/(2C) * ||W||^2  (the intercept is not penalized), the objective
// scikit-learn 1.2 gives to L-BFGS; its minimizer equals that of C * sum_i logloss_i + ||W||^2/2.
//
// Solvers (param "solver"):
// - "lbfgs" (default, as scikit-learn): L-BFGS following scipy's L-BFGS-B iterates and stopping
//   rules (Moré–Thuente line search; stop after max_iter iterations, when max_j |gradient_j| <=
//   tol, or when an iteration reduces the objective by less than ~2.2e-9 relative). It stops
//   where scikit-learn stops, so coefficients agree with scikit-learn to ~1e-12 rather than
//   just to its stopping accuracy (~1e-4 for the bundled datasets at C=1).
// - "newton-cholesky": Newton's method with the exact Hessian (Cholesky solve) and a
//   backtracking (Armijo) line search. Converges to max_j |gradient_j| <= tol in a few
//   iterations, i.e. to the exact optimum, which can differ from scikit-learn's early-stopped
//   L-BFGS result by its stopping error. max_iter counts Newton iterations. When the Hessian
//   would be large (more than newton_max_params() parameters) or costly to form
//   (n_samples * n_params^2 beyond ~1e9 operations), L-BFGS is used instead (see solver()).
//   Multiclass problems use the multinomial loss (scikit-learn 1.2's newton-cholesky would
//   fit one-vs-rest there).
//
// Labels are class indices 0..n_classes-1. Classes without training samples get probability 0
// (as scikit-learn, which only knows the classes it saw); at least 2 classes must be present.
// With an intercept in the multinomial case, the softmax is invariant to a shift of all
// intercepts; the solution has intercepts summing to 0, as scikit-learn's L-BFGS (which starts
// from 0 and never leaves that subspace).
class LogisticRegression : public Classifier {
 public:
  // Default limit on the number of parameters for the Newton solver.
  static constexpr int64_t kNewtonMaxParams = 4000;

  // The parameter table: C (> 0, 1.0), max_iter (>= 1, 100), tol (> 0, 1e-4),
  // fit_intercept (true), solver ("lbfgs" | "newton-cholesky", "lbfgs").
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted model; throws mllab::Error on invalid params.
  explicit LogisticRegression(const json& params = json::object());

  // "LogisticRegression".
  std::string type() const override { return "LogisticRegression"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Fits on the rows of `x` (finite values) with labels `y` in [0, n_classes).
  void fit(const Matrix& x, const std::vector<int>& y, int n_classes) override;
  // n_rows x n_classes probabilities (columns of classes absent at fit are 0).
  Matrix predict_proba(const Matrix& x) const override;
  // Class with the highest decision value per row (ties: lowest class), as scikit-learn.
  std::vector<int> predict(const Matrix& x) const override;
  // Raw scores x * coef^T + intercept: n_rows x 1 (binary) or n_rows x classes().size().
  Matrix decision_function(const Matrix& x) const;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"n_classes", "classes", "n_features", "coef", "intercept", "n_iter", "converged", "solver"}.
  json state() const override;
  // Restores a state written by state(); validates its shape.
  Status load_state(const json& state) override;

  // Coefficients: 1 x n_features (binary; positive class = classes()[1]) or
  // classes().size() x n_features.
  const Matrix& coef() const { return coef_; }
  // Intercepts, one per coefficient row (zeros when fit_intercept is false).
  const Vector& intercept() const { return intercept_; }
  // The class indices present at fit, ascending (scikit-learn's classes_).
  const std::vector<int>& classes() const { return classes_; }
  // The n_classes given to fit.
  int n_classes() const { return n_classes_; }
  // Number of features seen at fit.
  int n_features() const { return static_cast<int>(coef_.cols()); }
  // Solver iterations taken by the last fit.
  int n_iter() const { return n_iter_; }
  // False when the last fit stopped at max_iter (or its line search failed), as scikit-learn's
  // ConvergenceWarning.
  bool converged() const { return converged_; }
  // "lbfgs" or "newton-cholesky": the solver used by the last fit.
  const std::string& solver() const { return solver_; }
  // Parameter-count limit for the Newton solver (default kNewtonMaxParams); 0 forces L-BFGS.
  void set_newton_max_params(int64_t n) { newton_max_params_ = n; }
  // The current Newton parameter-count limit.
  int64_t newton_max_params() const { return newton_max_params_; }

 private:
  void check_fitted(const char* method) const;
  void check_input(const Matrix& x) const;

  json params_;
  double c_ = 1.0;
  int max_iter_ = 100;
  double tol_ = 1e-4;
  bool fit_intercept_ = true;
  bool newton_ = false;
  int64_t newton_max_params_ = kNewtonMaxParams;

  bool fitted_ = false;
  int n_classes_ = 0;
  std::vector<int> classes_;
  Matrix coef_;
  Vector intercept_;
  int n_iter_ = 0;
  bool converged_ = false;
  std::string solver_;
};

}  // namespace mllab::ml

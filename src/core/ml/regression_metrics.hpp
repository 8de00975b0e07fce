// Regression metrics with scikit-learn 1.2's definitions and arithmetic (numpy's pairwise
// summation order): mean squared error, its root, mean absolute error and R^2. Inputs are
// equally long, non-empty vectors of finite numbers; anything else throws mllab::Error
// (kInvalidParameterValue) naming the metric and the problem.
#pragma once

#include <vector>

namespace mllab::ml {

// mean((y_true - y_pred)^2).
double mean_squared_error(const std::vector<double>& y_true, const std::vector<double>& y_pred);
// sqrt(mean_squared_error) (scikit-learn 1.2: mean_squared_error(..., squared=False)).
double root_mean_squared_error(const std::vector<double>& y_true,
                               const std::vector<double>& y_pred);
// mean(|y_true - y_pred|).
double mean_absolute_error(const std::vector<double>& y_true, const std::vector<double>& y_pred);
// 1 - sum((y_true - y_pred)^2) / sum((y_true - mean(y_true))^2). With constant y_true
// (denominator 0) the score is 1.0 for a perfect prediction and 0.0 otherwise
// (scikit-learn's force_finite=True).
double r2_score(const std::vector<double>& y_true, const std::vector<double>& y_pred);

// All four at once.
struct RegressionMetrics {
  // Mean squared error.
  double mse = 0.0;
  // Root mean squared error.
  double rmse = 0.0;
  // Mean absolute error.
  double mae = 0.0;
  // Coefficient of determination.
  double r2 = 0.0;
};

// Computes mse, rmse, mae and r2 of the same predictions.
RegressionMetrics regression_metrics(const std::vector<double>& y_true,
                                     const std::vector<double>& y_pred);

}  // namespace mllab::ml

#include "core/ml/regression_metrics.hpp"

#include <cmath>
#include <string>

#include "core/ml/numeric.hpp"

namespace mllab::ml {
namespace {

// scikit-learn's _check_reg_targets plus check_array's finiteness test.
void check_targets(const char* who, const std::vector<double>& y_true,
                   const std::vector<double>& y_pred) {
  if (y_true.size() != y_pred.size()) {
    throw_invalid(who, "y_true has " + std::to_string(y_true.size()) + " values but y_pred has " +
                           std::to_string(y_pred.size()));
  }
  if (y_true.empty()) throw_invalid(who, "needs at least one sample (received 0)");
  for (size_t i = 0; i < y_true.size(); ++i) {
    for (const auto* v : {&y_true, &y_pred}) {
      double x = (*v)[i];
      if (!std::isfinite(x)) {
        throw_invalid(who, std::string(v == &y_true ? "y_true" : "y_pred") + " contains " +
                               (std::isnan(x) ? "NaN" : "infinity") + " (row " +
                               std::to_string(i) + ")");
      }
    }
  }
}

double mse_unchecked(const std::vector<double>& y_true, const std::vector<double>& y_pred) {
  std::vector<double> sq(y_true.size());
  for (size_t i = 0; i < sq.size(); ++i) {
    double d = y_true[i] - y_pred[i];
    sq[i] = d * d;
  }
  return numpy_mean(sq);
}

double mae_unchecked(const std::vector<double>& y_true, const std::vector<double>& y_pred) {
  std::vector<double> ab(y_true.size());
  for (size_t i = 0; i < ab.size(); ++i) ab[i] = std::fabs(y_pred[i] - y_true[i]);
  return numpy_mean(ab);
}

// scikit-learn's r2_score and _assemble_r2_explained_variance (force_finite=True).
double r2_unchecked(const std::vector<double>& y_true, const std::vector<double>& y_pred) {
  const size_t n = y_true.size();
  std::vector<double> res(n), tot(n);
  double mean = numpy_mean(y_true);
  for (size_t i = 0; i < n; ++i) {
    double d = y_true[i] - y_pred[i];
    res[i] = d * d;
    double t = y_true[i] - mean;
    tot[i] = t * t;
  }
  double numerator = numpy_sum(res);
  double denominator = numpy_sum(tot);
  if (denominator != 0.0) return 1.0 - numerator / denominator;
  return numerator != 0.0 ? 0.0 : 1.0;
}

}  // namespace

double mean_squared_error(const std::vector<double>& y_true, const std::vector<double>& y_pred) {
  check_targets("mean_squared_error", y_true, y_pred);
  return mse_unchecked(y_true, y_pred);
}

double root_mean_squared_error(const std::vector<double>& y_true,
                               const std::vector<double>& y_pred) {
  check_targets("root_mean_squared_error", y_true, y_pred);
  return std::sqrt(mse_unchecked(y_true, y_pred));
}

double mean_absolute_error(const std::vector<double>& y_true, const std::vector<double>& y_pred) {
  check_targets("mean_absolute_error", y_true, y_pred);
  return mae_unchecked(y_true, y_pred);
}

double r2_score(const std::vector<double>& y_true, const std::vector<double>& y_pred) {
  check_targets("r2_score", y_true, y_pred);
  return r2_unchecked(y_true, y_pred);
}

RegressionMetrics regression_metrics(const std::vector<double>& y_true,
                                     const std::vector<double>& y_pred) {
  check_targets("regression_metrics", y_true, y_pred);
  RegressionMetrics m;
  m.mse = mse_unchecked(y_true, y_pred);
  m.rmse = std::sqrt(m.mse);
  m.mae = mae_unchecked(y_true, y_pred);
  m.r2 = r2_unchecked(y_true, y_pred);
  return m;
}

}  // namespace mllab::ml

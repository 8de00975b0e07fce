#include "core/ml/regression_metrics.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "core/util/status.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::json;
using testing::load_json;

std::vector<double> doubles(const json& a) { return a.get<std::vector<double>>(); }

TEST(RegressionMetrics, MatchScikitLearnReference) {
  const json ref = load_json("tests/data/reference_values.json").at("regression_metrics");
  double max_dev = 0.0;
  for (const auto& c : ref.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    auto t = doubles(c.at("y_true"));
    auto p = doubles(c.at("y_pred"));
    const double values[4] = {mean_squared_error(t, p), root_mean_squared_error(t, p),
                              mean_absolute_error(t, p), r2_score(t, p)};
    const char* keys[4] = {"mse", "rmse", "mae", "r2"};
    RegressionMetrics all = regression_metrics(t, p);
    const double combined[4] = {all.mse, all.rmse, all.mae, all.r2};
    for (int k = 0; k < 4; ++k) {
      double e = c.at(keys[k]).get<double>();
      EXPECT_NEAR(values[k], e, 1e-9) << name << " " << keys[k];
      EXPECT_EQ(values[k], combined[k]) << name << " " << keys[k];
      max_dev = std::max(max_dev, std::abs(values[k] - e));
    }
  }
  std::printf("[regression_metrics] max |deviation| from scikit-learn: %.3g\n", max_dev);
}

TEST(RegressionMetrics, ConstantTruthAndPerfectPrediction) {
  EXPECT_EQ(r2_score({2, 2, 2}, {2, 2, 2}), 1.0);
  EXPECT_EQ(r2_score({2, 2, 2}, {1, 2, 3}), 0.0);
  EXPECT_EQ(r2_score({1, 2, 3}, {1, 2, 3}), 1.0);
  EXPECT_EQ(mean_squared_error({1, 2}, {1, 2}), 0.0);
  EXPECT_DOUBLE_EQ(r2_score({1, 2, 3}, {2, 2, 2}), 0.0);  // predicting the mean
  EXPECT_DOUBLE_EQ(root_mean_squared_error({0, 0}, {3, 4}), std::sqrt(12.5));
}

TEST(RegressionMetrics, ErrorsNameTheMetricAndProblem) {
  try {
    mean_squared_error({1, 2, 3}, {1, 2});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(), "mean_squared_error: y_true has 3 values but y_pred has 2");
  }
  try {
    r2_score({1, NAN}, {1, 2});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(), "r2_score: y_true contains NaN (row 1)");
  }
  EXPECT_THROW(mean_absolute_error({}, {}), Error);
  EXPECT_THROW(root_mean_squared_error({1}, {INFINITY}), Error);
}

}  // namespace
}  // namespace mllab::ml

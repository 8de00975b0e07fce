#include "core/ml/standard_scaler.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/ml/logistic_regression.hpp"
#include "core/ml/preprocessing.hpp"
#include "core/util/rng.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::expect_close;
using testing::json_matrix;
using testing::load_json;

TEST(StandardScaler, MatchesScikitLearnReference) {
  const json ref = load_json("tests/data/reference_values.json").at("standard_scaler");
  Matrix x = json_matrix(ref.at("X"));
  StandardScaler scaler;
  scaler.fit(x);
  ASSERT_TRUE(scaler.is_fitted());
  ASSERT_EQ(scaler.n_features(), 3);
  for (int j = 0; j < 3; ++j) {
    expect_close(scaler.mean()(j), ref.at("mean")[j].get<double>(), 1e-12, "mean");
    expect_close(scaler.var()(j), ref.at("var")[j].get<double>(), 1e-12, "var");
    expect_close(scaler.scale()(j), ref.at("scale")[j].get<double>(), 1e-12, "scale");
  }
  EXPECT_EQ(scaler.scale()(2), 1.0);  // constant column
  Matrix z = scaler.transform(x);
  Matrix expected = json_matrix(ref.at("transformed"));
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
      expect_close(z(i, j), expected(i, j), 1e-12, "transformed");
    }
  }
}

TEST(StandardScaler, Params) {
  Matrix x(3, 2);
  x << 1, 10, 2, 20, 6, 60;
  StandardScaler no_mean(json{{"with_mean", false}});
  no_mean.fit(x);
  Matrix z = no_mean.transform(x);
  EXPECT_DOUBLE_EQ(z(0, 0), 1.0 / no_mean.scale()(0));
  EXPECT_DOUBLE_EQ(no_mean.mean()(0), 3.0);  // still learned, as scikit-learn
  StandardScaler no_std(json{{"with_std", false}});
  no_std.fit(x);
  Matrix c = no_std.transform(x);
  EXPECT_DOUBLE_EQ(c(0, 0), -2.0);
  EXPECT_DOUBLE_EQ(c(2, 1), 30.0);
  EXPECT_THROW(StandardScaler(json{{"with_mean", "yes"}}), Error);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A JSON matrix whose nulls are NaN.
Matrix json_matrix_nan(const json& rows) {
  Matrix m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].size(); ++j) {
      m(Eigen::Index(i), Eigen::Index(j)) = rows[i][j].is_null() ? kNaN : rows[i][j].get<double>();
    }
  }
  return m;
}

// `got` equals the reference within 1e-12 (relative above 1); a null reference means NaN.
void expect_matches(double got, const json& want, const std::string& what) {
  if (want.is_null()) {
    EXPECT_TRUE(std::isnan(got)) << what << ": expected NaN, got " << got;
  } else {
    expect_close(got, want.get<double>(), 1e-12, what);
  }
}

void expect_matches(const Vector& got, const json& want, const std::string& what) {
  ASSERT_EQ(got.size(), static_cast<Eigen::Index>(want.size())) << what;
  for (Eigen::Index j = 0; j < got.size(); ++j) {
    expect_matches(got(j), want[size_t(j)], what + "[" + std::to_string(j) + "]");
  }
}

void expect_matches(const Matrix& got, const json& want, const std::string& what) {
  ASSERT_EQ(got.rows(), static_cast<Eigen::Index>(want.size())) << what;
  for (Eigen::Index i = 0; i < got.rows(); ++i) {
    for (Eigen::Index j = 0; j < got.cols(); ++j) {
      expect_matches(got(i, j), want[size_t(i)][size_t(j)],
                     what + "(" + std::to_string(i) + ", " + std::to_string(j) + ")");
    }
  }
}

// scikit-learn 1.2.1's StandardScaler on data with NaN (tests/data/scaler_nan_reference.json,
// written by tests/data/make_scaler_nan_reference.py): statistics over each column's non-NaN
// rows, NaN kept by transform, an all-NaN column with NaN mean_, var_ and scale_.
TEST(StandardScaler, IgnoresNaNAsScikitLearn) {
  const json ref = load_json("tests/data/scaler_nan_reference.json");
  const Matrix x_new = json_matrix_nan(ref.at("X_new"));
  int checked = 0;
  for (const auto& c : ref.at("cases")) {
    if (c.at("estimator") != "StandardScaler" || c.at("sparse").get<bool>()) continue;
    SCOPED_TRACE(c.at("params").dump() + " on " + c.at("fit").get<std::string>());
    const Matrix x = json_matrix_nan(ref.at(c.at("fit").get<std::string>()));
    ASSERT_TRUE(x.array().isNaN().any());
    StandardScaler scaler(c.at("params"));
    scaler.fit(x);
    expect_matches(scaler.mean(), c.at("mean_"), "mean_");
    if (!c.at("var_").is_null()) expect_matches(scaler.var(), c.at("var_"), "var_");
    expect_matches(scaler.scale(), c.at("scale_"), "scale_");
    const auto seen = c.at("n_samples_seen_").get<std::vector<int64_t>>();
    EXPECT_EQ(scaler.n_samples_seen(), seen);
    expect_matches(scaler.transform(x), c.at("transform_fit"), "transform(X)");
    if (!c.at("transform_new").is_null()) {
      expect_matches(scaler.transform(x_new), c.at("transform_new"), "transform(X_new)");
    }
    // The state keeps NaN statistics (written as null) and transforms the same after loading.
    StandardScaler loaded(c.at("params"));
    ASSERT_TRUE(loaded.load_state(json::parse(scaler.state().dump())).is_ok());
    expect_matches(loaded.transform(x), c.at("transform_fit"), "loaded transform(X)");
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

// The sparse path (with_mean=False) also skips stored NaN: sklearn's mean_variance_axis.
TEST(StandardScaler, SparseIgnoresNaNAsScikitLearn) {
  const json ref = load_json("tests/data/scaler_nan_reference.json");
  int checked = 0;
  for (const auto& c : ref.at("cases")) {
    if (c.at("estimator") != "StandardScaler" || !c.at("sparse").get<bool>()) continue;
    SCOPED_TRACE(c.at("params").dump());
    const Matrix dense = json_matrix_nan(ref.at("X"));
    SparseMatrix x = dense.sparseView();  // keeps NaN entries (NaN != 0), drops zeros
    ASSERT_LT(x.nonZeros(), dense.size()) << "the data must have implicit zeros";
    Vector mean, var;
    const bool with_std = c.at("params").value("with_std", true);
    Vector scale = scaler_fit_sparse(x, with_std, &mean, &var);
    expect_matches(mean, c.at("mean_"), "mean_");
    expect_matches(var, c.at("var_"), "var_");
    expect_matches(scale, c.at("scale_"), "scale_");
    expect_matches(Matrix(scale_sparse(x, scale)), c.at("transform_fit"), "transform(X)");
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

// A NaN kept by the scaler still stops an estimator that cannot take missing values, with the
// error naming the column and row; an imputer after the scaler fills it.
TEST(StandardScaler, NaNReachesTheNextStepWhichMustHandleIt) {
  Matrix x(6, 2);
  x << 1, 10, 2, kNaN, 3, 30, 4, 40, 5, 50, 6, 60;
  const std::vector<int> y = {0, 0, 0, 1, 1, 1};
  StandardScaler scaler;
  scaler.fit(x);
  const Matrix z = scaler.transform(x);
  EXPECT_TRUE(std::isnan(z(1, 1)));
  // Mean of the non-NaN values (10 + 30 + 40 + 50 + 60) / 5 = 38.
  EXPECT_EQ(scaler.mean()(1), 38.0);
  LogisticRegression model;
  try {
    model.fit(z, y, 2);
    FAIL() << "NaN must reach the model and be refused";
  } catch (const Error& e) {
    EXPECT_NE(e.status().message().find("NaN in column 1 (row 1)"), std::string::npos)
        << e.status().message();
  }
  SimpleImputer imputer;  // strategy "mean" of the scaled column: 0 (standardized data)
  imputer.fit(z);
  const Matrix filled = imputer.transform(z);
  EXPECT_FALSE(filled.array().isNaN().any());
  EXPECT_NEAR(filled(1, 1), 0.0, 1e-15);
  model.fit(filled, y, 2);
  EXPECT_TRUE(model.is_fitted());
}

TEST(StandardScaler, Errors) {
  StandardScaler scaler;
  Matrix x(2, 3);
  x << 1, 2, 3, 4, 5, 6;
  try {
    scaler.transform(x);
    FAIL() << "transform before fit must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kInvalidParameterValue);
    EXPECT_NE(std::string(e.what()).find("before fit"), std::string::npos) << e.what();
  }
  Matrix bad = x;
  bad(1, 2) = -std::numeric_limits<double>::infinity();
  try {
    scaler.fit(bad);
    FAIL() << "infinity must throw (NaN is a missing value; infinity is not)";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(), "StandardScaler: X contains infinity in column 2 (row 1)");
  }
  EXPECT_FALSE(scaler.is_fitted());
  scaler.fit(x);
  Matrix narrow(2, 2);
  narrow << 1, 2, 3, 4;
  try {
    scaler.transform(narrow);
    FAIL() << "column mismatch must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(),
              "StandardScaler: X has 2 features, but the scaler was fitted with 3 features");
  }
  EXPECT_THROW(scaler.fit(Matrix(0, 3)), Error);
}

TEST(StandardScaler, JsonDoublesRoundTripExactly) {
  // nlohmann/json writes the shortest representation that parses back to the same double.
  Rng rng(7);
  for (int i = 0; i < 20000; ++i) {
    double v = (rng.uniform() - 0.5) * std::pow(10.0, static_cast<int>(rng.below(40)) - 20);
    json j = v;
    double back = json::parse(j.dump()).get<double>();
    ASSERT_EQ(back, v) << j.dump();
  }
  for (double v : {0.1, 1.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 2.0 / 7.0}) {
    EXPECT_EQ(json::parse(json(v).dump()).get<double>(), v);
  }
}

TEST(StandardScaler, StateRoundTrip) {
  Rng rng(3);
  Matrix x(20, 4);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) x(i, j) = rng.uniform() * 100.0 / (j + 1);
  }
  StandardScaler a;
  a.fit(x);
  std::string text = a.state().dump();
  StandardScaler b;
  ASSERT_TRUE(b.load_state(json::parse(text)).is_ok());
  EXPECT_TRUE(b.is_fitted());
  Matrix za = a.transform(x);
  Matrix zb = b.transform(x);
  EXPECT_TRUE((za.array() == zb.array()).all());
  EXPECT_EQ(a.state(), b.state());
  // Malformed states are rejected with a message.
  json broken = a.state();
  broken["mean"].erase(0);
  Status st = StandardScaler().load_state(broken);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'mean'"), std::string::npos) << st.message();
  EXPECT_FALSE(StandardScaler().load_state(json::object()).is_ok());
}

}  // namespace
}  // namespace mllab::ml

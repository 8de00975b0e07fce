#include "core/ml/standard_scaler.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

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
  bad(1, 2) = std::numeric_limits<double>::quiet_NaN();
  try {
    scaler.fit(bad);
    FAIL() << "NaN must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(), "StandardScaler: X contains NaN in column 2 (row 1)");
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

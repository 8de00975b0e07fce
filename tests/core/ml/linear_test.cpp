#include "core/ml/linear.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::expect_close;
using testing::json_matrix;
using testing::load_json;

// Largest |a - b| seen by check_against, reported at the end of the reference tests.
double g_max_dev = 0.0;

template <typename Model>
void check_against(const Model& model, const Matrix& x, const json& ref, const std::string& what) {
  ASSERT_EQ(model.coef().size(), 3);
  for (int j = 0; j < 3; ++j) {
    double e = ref.at("coef")[j].get<double>();
    expect_close(model.coef()(j), e, 1e-9, what + " coef");
    g_max_dev = std::max(g_max_dev, std::abs(model.coef()(j) - e));
  }
  double ei = ref.at("intercept").get<double>();
  expect_close(model.intercept(), ei, 1e-9, what + " intercept");
  g_max_dev = std::max(g_max_dev, std::abs(model.intercept() - ei));
  Vector pred = model.predict(x);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double e = ref.at("pred")[i].get<double>();
    expect_close(pred(i), e, 1e-9, what + " pred");
    g_max_dev = std::max(g_max_dev, std::abs(pred(i) - e));
  }
}

Vector json_vector(const json& a) {
  Vector v(static_cast<Eigen::Index>(a.size()));
  for (size_t i = 0; i < a.size(); ++i) v(static_cast<Eigen::Index>(i)) = a[i].get<double>();
  return v;
}

TEST(LinearRegression, MatchesScikitLearnReference) {
  const json ref = load_json("tests/data/reference_values.json").at("linear_models");
  Matrix x = json_matrix(ref.at("X"));
  Vector y = json_vector(ref.at("y"));
  LinearRegression model;
  EXPECT_FALSE(model.is_fitted());
  model.fit(x, y);
  EXPECT_TRUE(model.is_fitted());
  EXPECT_EQ(model.rank(), 3);
  check_against(model, x, ref.at("LinearRegression"), "LinearRegression");
}

TEST(Ridge, MatchesScikitLearnReference) {
  const json ref = load_json("tests/data/reference_values.json").at("linear_models");
  Matrix x = json_matrix(ref.at("X"));
  Vector y = json_vector(ref.at("y"));
  for (const char* alpha : {"0.1", "1.0", "10.0"}) {
    Ridge model(json{{"alpha", std::stod(alpha)}});
    model.fit(x, y);
    check_against(model, x, ref.at(std::string("Ridge_alpha_") + alpha),
                  std::string("Ridge alpha=") + alpha);
  }
  std::printf("[linear] max |deviation| from scikit-learn: %.3g\n", g_max_dev);
}

TEST(Ridge, AlphaZeroEqualsLeastSquaresAndKernelFormMatchesPrimal) {
  const json ref = load_json("tests/data/reference_values.json").at("linear_models");
  Matrix x = json_matrix(ref.at("X"));
  Vector y = json_vector(ref.at("y"));
  Ridge ridge0(json{{"alpha", 0.0}});
  ridge0.fit(x, y);
  LinearRegression ols;
  ols.fit(x, y);
  for (int j = 0; j < 3; ++j) expect_close(ridge0.coef()(j), ols.coef()(j), 1e-10, "alpha=0");
  // More features than samples: the kernel form gives the same minimizer as the primal one.
  Matrix xt = x.topRows(2);
  Vector yt = y.head(2);
  Ridge wide(json{{"alpha", 0.5}});
  wide.fit(xt, yt);
  Matrix xc = xt.rowwise() - xt.colwise().mean();
  Vector yc = yt.array() - yt.mean();
  Matrix a = xc.transpose() * xc + 0.5 * Matrix::Identity(3, 3);
  Vector primal = a.ldlt().solve(xc.transpose() * yc);
  for (int j = 0; j < 3; ++j) expect_close(wide.coef()(j), primal(j), 1e-12, "kernel form");
}

TEST(LinearRegression, RankDeficientGivesMinimumNormSolution) {
  // Column 2 = 2 * column 0: lstsq returns the minimum-norm coefficients.
  Matrix x(5, 3);
  x << 1, 0, 2, 2, 1, 4, 3, 0, 6, 4, 1, 8, 5, 3, 10;
  Vector y(5);
  y << 1, 3, 2, 5, 7;
  LinearRegression model;
  model.fit(x, y);
  EXPECT_EQ(model.rank(), 2);
  // Minimum norm: coef0 / coef2 = 1 / 2 (the null space is (2, 0, -1)).
  EXPECT_NEAR(model.coef()(2), 2.0 * model.coef()(0), 1e-12);
  // /usr/bin/python3: LinearRegression().fit(X, y) with scikit-learn 1.2.1 (scipy lstsq).
  EXPECT_NEAR(model.coef()(0), 0.15, 1e-12);
  EXPECT_NEAR(model.coef()(1), 1.0833333333333335, 1e-12);
  EXPECT_NEAR(model.coef()(2), 0.2999999999999997, 1e-12);
  EXPECT_NEAR(model.intercept(), 0.2666666666666684, 1e-12);
  // Same fitted values as the full-rank problem without the duplicate column.
  LinearRegression reduced;
  reduced.fit(x.leftCols(2), y);
  Vector p1 = model.predict(x);
  Vector p2 = reduced.predict(x.leftCols(2));
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(p1(i), p2(i), 1e-12);
}

TEST(LinearRegression, NoInterceptFitsThroughOrigin) {
  Matrix x(4, 1);
  x << 1, 2, 3, 4;
  Vector y(4);
  y << 2, 4, 6, 8.4;
  LinearRegression model(json{{"fit_intercept", false}});
  model.fit(x, y);
  EXPECT_EQ(model.intercept(), 0.0);
  EXPECT_NEAR(model.coef()(0), (2 + 8 + 18 + 33.6) / 30.0, 1e-14);
  Ridge ridge(json{{"fit_intercept", false}, {"alpha", 2.0}});
  ridge.fit(x, y);
  EXPECT_EQ(ridge.intercept(), 0.0);
  EXPECT_NEAR(ridge.coef()(0), (2 + 8 + 18 + 33.6) / 32.0, 1e-14);
}

TEST(Ridge, NegativeAlphaNamesParameterAndValue) {
  try {
    Ridge model(json{{"alpha", -1}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kInvalidParameterValue);
    EXPECT_NE(e.status().message().find("'alpha'"), std::string::npos) << e.what();
    EXPECT_NE(e.status().message().find("-1"), std::string::npos) << e.what();
    EXPECT_NE(e.status().message().find("Ridge"), std::string::npos) << e.what();
  }
  EXPECT_THROW(LinearRegression(json{{"fit_intercept", 1}}), Error);
  EXPECT_THROW(Ridge(json{{"alpha", 1.0}, {"solver", "svd"}}), Error);
}

TEST(LinearModels, ErrorsNameTheProblem) {
  LinearRegression ols;
  Ridge ridge;
  Matrix x(3, 2);
  x << 1, 2, 3, 4, 5, 7;
  Vector y(3);
  y << 1, 2, 3;
  for (Regressor* m : std::vector<Regressor*>{&ols, &ridge}) {
    try {
      m->predict(x);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(e.status().message().find("before fit"), std::string::npos) << e.what();
      EXPECT_NE(e.status().message().find(m->type()), std::string::npos) << e.what();
    }
    EXPECT_THROW(m->state(), Error);
    EXPECT_THROW(m->fit(x, Vector(2)), Error);
    Matrix bad = x;
    bad(1, 1) = std::nan("");
    try {
      m->fit(bad, y);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(e.status().message().find("column 1"), std::string::npos) << e.what();
    }
    Vector bad_y = y;
    bad_y(2) = INFINITY;
    EXPECT_THROW(m->fit(x, bad_y), Error);
    m->fit(x, y);
    EXPECT_THROW(m->predict(Matrix::Ones(2, 3)), Error);
  }
}

TEST(LinearModels, StateRoundTripsBitIdentically) {
  const json ref = load_json("tests/data/reference_values.json").at("linear_models");
  Matrix x = json_matrix(ref.at("X"));
  Vector y = json_vector(ref.at("y"));
  LinearRegression ols;
  ols.fit(x, y);
  LinearRegression ols2;
  ASSERT_TRUE(ols2.load_state(json::parse(ols.state().dump())).is_ok());
  EXPECT_EQ(ols2.state(), ols.state());
  EXPECT_EQ(ols2.rank(), ols.rank());
  Vector p1 = ols.predict(x), p2 = ols2.predict(x);
  for (Eigen::Index i = 0; i < p1.size(); ++i) EXPECT_EQ(p1(i), p2(i));

  Ridge ridge(json{{"alpha", 0.1}});
  ridge.fit(x, y);
  Ridge ridge2;
  ASSERT_TRUE(ridge2.load_state(json::parse(ridge.state().dump())).is_ok());
  EXPECT_EQ(ridge2.state().dump(), ridge.state().dump());
  for (int j = 0; j < 3; ++j) EXPECT_EQ(ridge2.coef()(j), ridge.coef()(j));
  EXPECT_EQ(ridge2.intercept(), ridge.intercept());

  EXPECT_FALSE(ridge2.load_state(json{{"n_features", 3}, {"coef", {1, 2}}, {"intercept", 0}})
                   .is_ok());
  EXPECT_FALSE(ridge2.load_state(json{{"n_features", 2}, {"coef", {1, 2}}}).is_ok());
  EXPECT_FALSE(ols2.load_state(json::array()).is_ok());
}

TEST(LinearModels, ParamSpecsDefaults) {
  EXPECT_EQ(LinearRegression().params(), (json{{"fit_intercept", true}}));
  EXPECT_EQ(Ridge().params(), (json{{"alpha", 1.0}, {"fit_intercept", true}}));
  EXPECT_EQ(Ridge().type(), "Ridge");
  EXPECT_EQ(LinearRegression().type(), "LinearRegression");
}

}  // namespace
}  // namespace mllab::ml

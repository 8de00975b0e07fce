#include "core/ml/naive_bayes.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::expect_close;
using testing::json_matrix;
using testing::load_json;

// tests/data/naive_bayes_reference.json, written by tests/data/make_naive_bayes_reference.py
// (scikit-learn 1.2.1, Debian's python3-sklearn).
const json& reference() {
  static const json ref = load_json("tests/data/naive_bayes_reference.json");
  return ref;
}

double max_dev_matrix(const Matrix& got, const json& expected, const std::string& what) {
  Matrix e = json_matrix(expected);
  EXPECT_EQ(got.rows(), e.rows()) << what;
  EXPECT_EQ(got.cols(), e.cols()) << what;
  double dev = 0.0;
  for (Eigen::Index i = 0; i < e.rows(); ++i) {
    for (Eigen::Index j = 0; j < e.cols(); ++j) {
      expect_close(got(i, j), e(i, j), 1e-12, what);
      dev = std::max(dev, std::abs(got(i, j) - e(i, j)));
    }
  }
  return dev;
}

TEST(MultinomialNB, MatchesScikitLearnReference) {
  const json& ref = reference();
  EXPECT_EQ(ref.at("meta").at("sklearn"), "1.2.1");
  Matrix x = json_matrix(ref.at("X_train"));
  std::vector<int> y = ref.at("y_train").get<std::vector<int>>();
  Matrix xt = json_matrix(ref.at("X_test"));
  double max_dev = 0.0;
  for (const auto& c : ref.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    MultinomialNB model(c.at("params"));
    model.fit(x, y, 3);
    ASSERT_EQ(model.classes(), (std::vector<int>{0, 1, 2}));
    Matrix class_count = model.class_count().transpose();
    Matrix class_log_prior = model.class_log_prior().transpose();
    max_dev = std::max(max_dev, max_dev_matrix(class_count, json::array({c.at("class_count")}),
                                               name + " class_count"));
    max_dev = std::max(max_dev, max_dev_matrix(model.feature_count(), c.at("feature_count"),
                                               name + " feature_count"));
    max_dev = std::max(max_dev, max_dev_matrix(class_log_prior,
                                               json::array({c.at("class_log_prior")}),
                                               name + " class_log_prior"));
    max_dev = std::max(max_dev, max_dev_matrix(model.feature_log_prob(), c.at("feature_log_prob"),
                                               name + " feature_log_prob"));
    max_dev = std::max(max_dev, max_dev_matrix(model.predict_log_proba(xt),
                                               c.at("predict_log_proba"),
                                               name + " predict_log_proba"));
    max_dev = std::max(max_dev, max_dev_matrix(model.predict_proba(xt), c.at("predict_proba"),
                                               name + " predict_proba"));
    EXPECT_EQ(model.predict(xt), c.at("predict").get<std::vector<int>>()) << name;
  }
  std::printf("[naive_bayes] max |deviation| from scikit-learn: %.3g\n", max_dev);
}

TEST(MultinomialNB, ClassPriorAsStringEqualsArray) {
  const json& ref = reference();
  Matrix x = json_matrix(ref.at("X_train"));
  std::vector<int> y = ref.at("y_train").get<std::vector<int>>();
  MultinomialNB a(json{{"class_prior", {0.2, 0.5, 0.3}}});
  MultinomialNB b(json{{"class_prior", "0.2, 0.5,0.3"}});
  a.fit(x, y, 3);
  b.fit(x, y, 3);
  EXPECT_EQ(a.class_log_prior(), b.class_log_prior());
  EXPECT_EQ(b.params().at("class_prior"), "0.2, 0.5,0.3");
  EXPECT_TRUE(MultinomialNB().params().at("class_prior").is_null());
  // The registry path resolves params through the table first: a string passes, null too.
  EXPECT_TRUE(resolve_params("MultinomialNB", MultinomialNB::param_specs(),
                             json{{"class_prior", "0.5,0.5"}})
                  .is_ok());
}

TEST(MultinomialNB, AbsentClassGetsZeroProbability) {
  Matrix x(4, 2);
  x << 3, 0, 2, 1, 0, 4, 1, 3;
  std::vector<int> y = {0, 0, 2, 2};
  MultinomialNB model(json{{"fit_prior", false}});
  model.fit(x, y, 3);
  EXPECT_EQ(model.classes(), (std::vector<int>{0, 2}));
  Matrix p = model.predict_proba(x);
  ASSERT_EQ(p.cols(), 3);
  for (Eigen::Index i = 0; i < 4; ++i) {
    EXPECT_EQ(p(i, 1), 0.0);
    EXPECT_NEAR(p(i, 0) + p(i, 2), 1.0, 1e-15);
  }
  EXPECT_EQ(model.predict(x), (std::vector<int>{0, 0, 2, 2}));
  // One class only: probability 1 (scikit-learn's degenerate case).
  MultinomialNB one;
  one.fit(x, {1, 1, 1, 1}, 2);
  Matrix q = one.predict_proba(x);
  EXPECT_EQ(q(0, 1), 1.0);
  EXPECT_EQ(q(0, 0), 0.0);
}

TEST(MultinomialNB, ErrorsNameTheProblem) {
  Matrix x(3, 2);
  x << 1, 2, 0, -3, 4, 5;
  MultinomialNB model;
  try {
    model.fit(x, {0, 1, 0}, 2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(),
              "MultinomialNB: X must be non-negative (counts); column 1 has -3 at row 1");
  }
  try {
    model.predict_proba(x);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.status().message().find("before fit"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model.predict(x), Error);
  EXPECT_THROW(model.state(), Error);
  try {
    MultinomialNB bad(json{{"alpha", -0.5}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.status().message().find("'alpha'"), std::string::npos) << e.what();
    EXPECT_NE(e.status().message().find("-0.5"), std::string::npos) << e.what();
  }
  try {
    MultinomialNB bad(json{{"class_prior", "0.5,x"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.status().message().find("'class_prior'"), std::string::npos) << e.what();
    EXPECT_NE(e.status().message().find("0.5,x"), std::string::npos) << e.what();
  }
  EXPECT_THROW(MultinomialNB(json{{"class_prior", {0.5, -0.5}}}), Error);
  EXPECT_THROW(MultinomialNB(json{{"class_prior", 3}}), Error);
  Matrix ok = x.cwiseAbs();
  MultinomialNB wrong_prior(json{{"class_prior", {0.5, 0.25, 0.25}}});
  EXPECT_THROW(wrong_prior.fit(ok, {0, 1, 0}, 2), Error);
  EXPECT_THROW(model.fit(ok, {0, 2, 0}, 2), Error);
  model.fit(ok, {0, 1, 0}, 2);
  EXPECT_THROW(model.predict(Matrix::Ones(1, 3)), Error);
}

TEST(MultinomialNB, StateRoundTripsBitIdentically) {
  const json& ref = reference();
  Matrix x = json_matrix(ref.at("X_train"));
  std::vector<int> y = ref.at("y_train").get<std::vector<int>>();
  Matrix xt = json_matrix(ref.at("X_test"));
  MultinomialNB model(json{{"alpha", 0.5}});
  model.fit(x, y, 3);
  MultinomialNB loaded;
  ASSERT_TRUE(loaded.load_state(json::parse(model.state().dump())).is_ok());
  EXPECT_EQ(loaded.state().dump(), model.state().dump());
  EXPECT_EQ(loaded.predict_proba(xt), model.predict_proba(xt));
  EXPECT_EQ(loaded.predict(xt), model.predict(xt));
  json broken = model.state();
  broken["feature_log_prob"].erase(0);
  EXPECT_FALSE(loaded.load_state(broken).is_ok());
  broken = model.state();
  broken["classes"] = {2, 1, 0};
  EXPECT_FALSE(loaded.load_state(broken).is_ok());
}

}  // namespace
}  // namespace mllab::ml

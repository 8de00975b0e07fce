#include "core/ml/logistic_regression.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include <gtest/gtest.h>

#include "core/ml/metrics.hpp"
#include "core/ml/standard_scaler.hpp"
#include "core/util/rng.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::expect_close;
using testing::json_matrix;
using testing::load_dataset;
using testing::load_json;
using testing::take;
using testing::take_rows;

// Largest |a - b| / max(1, |b|) over all entries.
double max_deviation(const Matrix& a, const Matrix& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  double dev = 0.0;
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      dev = std::max(dev, std::abs(a(i, j) - b(i, j)) / std::max(1.0, std::abs(b(i, j))));
    }
  }
  return dev;
}

std::vector<size_t> indices(const json& arr) { return arr.get<std::vector<size_t>>(); }

// A JSON array of numbers as a 1 x n matrix.
Matrix row_of(const json& arr) {
  Matrix m(1, static_cast<Eigen::Index>(arr.size()));
  for (size_t k = 0; k < arr.size(); ++k) m(0, static_cast<Eigen::Index>(k)) = arr[k].get<double>();
  return m;
}

// max_j |gradient_j| of sum_i logloss_i + ||W||^2 / (2C) at the model's coefficients, computed
// independently of the solver code.
double objective_gradient(const LogisticRegression& model, const Matrix& x,
                          const std::vector<int>& y, double c) {
  const Matrix proba = model.predict_proba(x);
  const Eigen::Index k = model.coef().rows();
  Matrix r(x.rows(), k);  // d loss / d decision
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    if (k == 1) {
      r(i, 0) = proba(i, 1) - (y[i] == 1 ? 1.0 : 0.0);
    } else {
      for (Eigen::Index j = 0; j < k; ++j) r(i, j) = proba(i, j) - (y[i] == j ? 1.0 : 0.0);
    }
  }
  Matrix gw = r.transpose() * x + model.coef() / c;
  Vector gb = r.colwise().sum().transpose();
  return std::max(gw.cwiseAbs().maxCoeff(), gb.cwiseAbs().maxCoeff());
}

// StandardScaler + LogisticRegression(C=1) on the reference split of a bundled dataset, compared
// with scikit-learn 1.2.1 (tests/data/logreg_splits.json).
// `sklearn_n_iter`: scikit-learn 1.2.1's n_iter_ for this fit (python3-sklearn on bookworm; not
// part of the reference file).
void check_against_scikit_learn(const std::string& name, int sklearn_n_iter) {
  SCOPED_TRACE(name);
  const json ref = load_json("tests/data/logreg_splits.json").at(name);
  const auto data = load_dataset(name);
  ASSERT_EQ(data.feature_names, ref.at("feature_names").get<std::vector<std::string>>());
  const auto train = indices(ref.at("train_indices"));
  const auto test = indices(ref.at("test_indices"));
  const auto target_names = ref.at("target_names").get<std::vector<std::string>>();
  const int n_classes = static_cast<int>(target_names.size());
  const Matrix x_train = take_rows(data.x, train);
  const Matrix x_test = take_rows(data.x, test);
  const std::vector<int> y_train = take(data.y, train);
  const std::vector<int> y_test = take(data.y, test);

  StandardScaler scaler;
  scaler.fit(x_train);
  for (Eigen::Index j = 0; j < x_train.cols(); ++j) {
    double mean = ref.at("scaler_mean")[j].get<double>();
    double scale = ref.at("scaler_scale")[j].get<double>();
    EXPECT_LE(std::abs(scaler.mean()(j) - mean), 1e-12 * std::abs(mean)) << "mean " << j;
    EXPECT_LE(std::abs(scaler.scale()(j) - scale), 1e-12 * std::abs(scale)) << "scale " << j;
  }

  LogisticRegression model(json{{"C", 1.0}, {"tol", 1e-10}, {"max_iter", 1000}});
  model.fit(scaler.transform(x_train), y_train, n_classes);
  EXPECT_TRUE(model.converged());
  EXPECT_EQ(model.solver(), "lbfgs");
  EXPECT_EQ(model.n_iter(), sklearn_n_iter);

  const Matrix coef_ref = json_matrix(ref.at("coef"));
  const Matrix intercept_ref = row_of(ref.at("intercept"));
  const double coef_dev = max_deviation(model.coef(), coef_ref);
  const double intercept_dev = max_deviation(model.intercept().transpose(), intercept_ref);
  std::printf(
      "[ %s ] lbfgs: max deviation from scikit-learn: coef %.3g, intercept %.3g "
      "(%d iterations)\n",
      name.c_str(), coef_dev, intercept_dev, model.n_iter());
  EXPECT_LE(coef_dev, 1e-9);
  EXPECT_LE(intercept_dev, 1e-9);

  const Matrix z_test = scaler.transform(x_test);
  const std::vector<int> pred = model.predict(z_test);
  EXPECT_EQ(pred, ref.at("test_predictions").get<std::vector<int>>());
  const Matrix proba = model.predict_proba(z_test);
  EXPECT_LE(max_deviation(proba, json_matrix(ref.at("test_proba"))), 1e-9);
  EXPECT_EQ(model.Classifier::predict(z_test), pred);  // argmax of the probabilities agrees

  EXPECT_EQ(accuracy_score(y_test, pred), ref.at("accuracy").get<double>());
  const ClassificationMetrics m = classification_metrics(y_test, pred, n_classes);
  EXPECT_EQ(m.accuracy, ref.at("accuracy").get<double>());
  expect_close(m.f1_weighted, ref.at("f1_weighted").get<double>(), 1e-12, "f1_weighted");
  expect_close(m.f1_macro, ref.at("f1_macro").get<double>(), 1e-12, "f1_macro");
  expect_close(m.precision_macro, ref.at("precision_macro").get<double>(), 1e-12,
               "precision_macro");
  expect_close(m.recall_macro, ref.at("recall_macro").get<double>(), 1e-12, "recall_macro");
  EXPECT_EQ(m.confusion_matrix,
            ref.at("confusion_matrix").get<std::vector<std::vector<int64_t>>>());
  EXPECT_EQ(classification_report(y_test, pred, n_classes, target_names),
            ref.at("classification_report").get<std::string>());
  if (n_classes == 2) {
    std::vector<double> score(proba.rows());
    for (Eigen::Index i = 0; i < proba.rows(); ++i) score[i] = proba(i, 1);
    expect_close(roc_auc_score(y_test, score), ref.at("roc_auc").get<double>(), 1e-12, "roc_auc");
  } else {
    expect_close(roc_auc_score_ovr(y_test, proba), ref.at("roc_auc_ovr_macro").get<double>(), 1e-12,
                 "roc_auc_ovr_macro");
  }

  // Newton reaches the exact optimum (gradient ~0). scikit-learn's L-BFGS stopped earlier, on
  // its relative-reduction test, with a gradient of up to 2.3e-4: the two differ by that much.
  LogisticRegression newton(
      json{{"C", 1.0}, {"tol", 1e-10}, {"max_iter", 100}, {"solver", "newton-cholesky"}});
  newton.fit(scaler.transform(x_train), y_train, n_classes);
  EXPECT_EQ(newton.solver(), "newton-cholesky");
  EXPECT_TRUE(newton.converged());
  EXPECT_LT(newton.n_iter(), 20);
  EXPECT_LE(objective_gradient(newton, scaler.transform(x_train), y_train, 1.0), 1e-9);
  EXPECT_GT(objective_gradient(model, scaler.transform(x_train), y_train, 1.0), 1e-6);
  const double newton_dev = max_deviation(newton.coef(), coef_ref);
  std::printf(
      "[ %s ] newton-cholesky: max deviation from scikit-learn: coef %.3g, intercept "
      "%.3g (%d iterations)\n",
      name.c_str(), newton_dev, max_deviation(newton.intercept().transpose(), intercept_ref),
      newton.n_iter());
  EXPECT_LE(newton_dev, 2e-4);
  EXPECT_EQ(newton.predict(z_test), pred);
}

TEST(LogisticRegression, BreastCancerMatchesScikitLearn) {
  check_against_scikit_learn("breast_cancer", 33);
}

TEST(LogisticRegression, IrisMatchesScikitLearn) { check_against_scikit_learn("iris", 22); }

TEST(LogisticRegression, WineMatchesScikitLearn) { check_against_scikit_learn("wine", 25); }

TEST(LogisticRegression, ReferenceValuesC1) {
  const json lm = load_json("tests/data/reference_values.json").at("linear_models");
  const json ref = lm.at("LogisticRegression_C1");
  const Matrix x = json_matrix(lm.at("X"));
  const auto y = ref.at("y").get<std::vector<int>>();
  LogisticRegression model(json{{"C", 1.0}, {"tol", 1e-12}, {"max_iter", 1000}});
  model.fit(x, y, 2);
  EXPECT_TRUE(model.converged());
  ASSERT_EQ(model.coef().rows(), 1);
  // Following scikit-learn's L-BFGS iterates, the fit stops where it stopped (gradient norm
  // 2.6e-6), so it agrees far better than the ~1e-6 the note expects of an exact optimum.
  for (int j = 0; j < 3; ++j) {
    expect_close(model.coef()(0, j), ref.at("coef")[j].get<double>(), 1e-9, "coef");
  }
  expect_close(model.intercept()(0), ref.at("intercept").get<double>(), 1e-9, "intercept");
  const Matrix proba = model.predict_proba(x);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    expect_close(proba(i, 1), ref.at("proba_pos")[i].get<double>(), 1e-9, "proba_pos");
    EXPECT_EQ(proba(i, 0), 1.0 - proba(i, 1));
  }
  // The exact optimum is within the note's ~1e-6.
  LogisticRegression newton(json{{"tol", 1e-12}, {"solver", "newton-cholesky"}});
  newton.fit(x, y, 2);
  for (int j = 0; j < 3; ++j) {
    expect_close(newton.coef()(0, j), ref.at("coef")[j].get<double>(), 1e-5, "newton coef");
  }
  expect_close(newton.intercept()(0), ref.at("intercept").get<double>(), 1e-5, "newton b");
}

TEST(LogisticRegression, MaxIterCountsIterations) {
  const auto data = load_dataset("iris");
  StandardScaler scaler;
  scaler.fit(data.x);
  for (const char* solver : {"lbfgs", "newton-cholesky"}) {
    SCOPED_TRACE(solver);
    LogisticRegression model(json{{"max_iter", 2}, {"tol", 1e-12}, {"solver", solver}});
    model.fit(scaler.transform(data.x), data.y, 3);
    EXPECT_EQ(model.n_iter(), 2);
    EXPECT_FALSE(model.converged());
    EXPECT_EQ(model.solver(), solver);
  }
}

TEST(LogisticRegression, NoInterceptAndAbsentClass) {
  Matrix x(6, 2);
  x << 0, 1, 1, 0, 2, 2, 3, 1, -1, 2, 0.5, 0.5;
  const std::vector<int> y = {0, 0, 2, 2, 0, 2};
  LogisticRegression model(json{{"fit_intercept", false}, {"tol", 1e-10}});
  model.fit(x, y, 3);  // class 1 has no samples: binary model over classes 0 and 2
  EXPECT_EQ(model.classes(), (std::vector<int>{0, 2}));
  EXPECT_EQ(model.coef().rows(), 1);
  EXPECT_EQ(model.intercept()(0), 0.0);
  const Matrix proba = model.predict_proba(x);
  ASSERT_EQ(proba.cols(), 3);
  for (Eigen::Index i = 0; i < proba.rows(); ++i) {
    EXPECT_EQ(proba(i, 1), 0.0);
    EXPECT_NEAR(proba(i, 0) + proba(i, 2), 1.0, 1e-15);
  }
  for (int p : model.predict(x)) EXPECT_TRUE(p == 0 || p == 2);
}

TEST(LogisticRegression, MultinomialInterceptsSumToZero) {
  const auto data = load_dataset("wine");
  StandardScaler scaler;
  scaler.fit(data.x);
  for (const char* solver : {"lbfgs", "newton-cholesky"}) {
    SCOPED_TRACE(solver);
    LogisticRegression model(json{{"C", 0.1}, {"tol", 1e-10}, {"solver", solver}});
    model.fit(scaler.transform(data.x), data.y, 3);
    EXPECT_NEAR(model.intercept().sum(), 0.0, 1e-12);
    // The L2 penalty makes the coefficient rows sum to zero at the optimum (L-BFGS: its
    // iterates stay in that subspace too).
    EXPECT_LE(model.coef().colwise().sum().cwiseAbs().maxCoeff(), 1e-9);
  }
}

TEST(LogisticRegression, Errors) {
  Matrix x(4, 2);
  x << 1, 2, 3, 4, 5, 6, 7, 8;
  LogisticRegression model;
  try {
    model.predict(x);
    FAIL() << "predict before fit must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(), "LogisticRegression: predict called before fit");
  }
  EXPECT_THROW(model.predict_proba(x), Error);
  EXPECT_THROW(model.state(), Error);
  try {
    model.fit(x, {0, 0, 0, 0}, 2);
    FAIL() << "one class must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(e.status().message(),
              "LogisticRegression: needs samples of at least 2 classes; the data contains only "
              "one class: 0");
  }
  Matrix bad = x;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  try {
    model.fit(bad, {0, 1, 0, 1}, 2);
    FAIL() << "NaN must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(), "LogisticRegression: X contains NaN in column 1 (row 2)");
  }
  EXPECT_THROW(model.fit(x, {0, 1, 0}, 2), Error);     // length mismatch
  EXPECT_THROW(model.fit(x, {0, 1, 0, 2}, 2), Error);  // label out of range
  EXPECT_FALSE(model.is_fitted());
  model.fit(x, {0, 1, 0, 1}, 2);
  try {
    model.predict(Matrix::Zero(2, 3));
    FAIL() << "column mismatch must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(),
              "LogisticRegression: X has 3 features, but the model was fitted with 2 features");
  }
}

TEST(LogisticRegression, LargeProblemUsesLbfgs) {
  // 60 features x 70 classes = 4270 parameters: beyond the Newton limit.
  Rng rng(11);
  const int n = 700, d = 60, k = 70;
  Matrix x(n, d);
  std::vector<int> y(n);
  for (int i = 0; i < n; ++i) {
    y[i] = i % k;
    for (int j = 0; j < d; ++j) x(i, j) = rng.uniform() - 0.5 + (j == y[i] % d ? 1.0 : 0.0);
  }
  LogisticRegression model(json{{"tol", 1e-3}, {"max_iter", 500}, {"solver", "newton-cholesky"}});
  model.fit(x, y, k);
  EXPECT_EQ(model.solver(), "lbfgs");  // the Hessian would be 4270 x 4270
  EXPECT_TRUE(model.converged());
  EXPECT_GT(accuracy_score(y, model.predict(x)), 0.5);
}

}  // namespace
}  // namespace mllab::ml

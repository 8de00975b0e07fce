// A fit cut into units (ml::FitTask) gives exactly the model of the one-shot fit.
#include "core/ml/fit_task.hpp"

#include <gtest/gtest.h>

#include "core/ml/forest.hpp"
#include "core/ml/hist_gradient_boosting.hpp"
#include "core/ml/logistic_regression.hpp"
#include "core/util/rng.hpp"

namespace mllab::ml {
namespace {

struct Data {
  Matrix x;
  std::vector<int> y;
  Vector yr;
};

Data make_data(int n, int d, uint64_t seed) {
  Rng rng(seed);
  Data out;
  out.x.resize(n, d);
  out.y.resize(size_t(n));
  out.yr.resize(n);
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < d; ++j) {
      out.x(i, j) = rng.uniform() * 4 - 2;
      s += (j % 2 ? -1 : 1) * out.x(i, j);
    }
    out.y[size_t(i)] = s > 0.3 ? 2 : s > -0.3 ? 1 : 0;
    out.yr[i] = s + 0.1 * rng.uniform();
  }
  return out;
}

// Steps a task to its end, checking the units count up one at a time; returns the steps taken.
int step_all(FitTask& task) {
  int steps = 0;
  int64_t last = task.units_done();
  while (task.step()) {
    ++steps;
    EXPECT_FALSE(task.done());
    EXPECT_LE(task.units_done() - last, 1) << "one unit per step";
    last = task.units_done();
  }
  EXPECT_TRUE(task.done());
  EXPECT_EQ(task.units_done(), task.units_total());
  EXPECT_FALSE(task.step()) << "a finished task does nothing";
  return steps + 1;
}

TEST(FitTaskTest, ForestClassifierOneTreePerUnitEqualsTheOneShotFit) {
  const Data d = make_data(300, 6, 7);
  const json params = {{"n_estimators", 25}, {"random_state", 3}, {"class_weight", "balanced_subsample"}};
  RandomForestClassifier one(params), sliced(params), other(params);
  one.fit(d.x, d.y, 3);
  auto task = sliced.fit_task(d.x, d.y, 3);
  auto interleaved = other.fit_task(d.x, d.y, 3);  // a second task stepped in between shares nothing
  EXPECT_EQ(task->units_total(), 25);
  EXPECT_STREQ(task->unit_name(), "tree");
  ASSERT_TRUE(task->step());
  EXPECT_EQ(task->describe(), "tree 1/25");
  EXPECT_FALSE(sliced.is_fitted()) << "the model is set only by the last unit";
  interleaved->step();
  EXPECT_EQ(step_all(*task), 24);
  interleaved->run_to_end();
  EXPECT_EQ(sliced.state().dump(), one.state().dump());
  EXPECT_EQ(other.state().dump(), one.state().dump());
}

TEST(FitTaskTest, ForestSparseAndRegressorTasksEqualTheOneShotFits) {
  Data d = make_data(200, 8, 11);
  for (Eigen::Index i = 0; i < d.x.rows(); ++i)
    for (Eigen::Index j = 0; j < d.x.cols(); ++j)
      if (d.x(i, j) < 0.5) d.x(i, j) = 0;
  const SparseMatrix sp = d.x.sparseView();
  RandomForestClassifier a({{"n_estimators", 12}, {"random_state", 1}}), b({{"n_estimators", 12}, {"random_state", 1}});
  a.fit_sparse(sp, d.y, 3);
  auto t = b.fit_task_sparse(sp, d.y, 3);
  EXPECT_EQ(step_all(*t), 12);
  EXPECT_EQ(a.state().dump(), b.state().dump());
  EXPECT_EQ(a.predict_proba_sparse(sp), b.predict_proba(d.x));

  RandomForestRegressor r1({{"n_estimators", 9}, {"random_state", 5}, {"max_depth", 6}}),
      r2({{"n_estimators", 9}, {"random_state", 5}, {"max_depth", 6}});
  r1.fit(d.x, d.yr);
  auto rt = r2.fit_task(d.x, d.yr);
  EXPECT_EQ(step_all(*rt), 9);
  EXPECT_EQ(r1.state().dump(), r2.state().dump());
}

TEST(FitTaskTest, ForestTaskErrorsAreTheFitsErrors) {
  Data d = make_data(50, 3, 2);
  d.x(4, 1) = std::nan("");
  RandomForestClassifier m(json{{"n_estimators", 5}});
  auto t = m.fit_task(d.x, d.y, 3);
  std::string sliced_error, fit_error;
  try { t->step(); } catch (const Error& e) { sliced_error = e.status().message(); }
  try { m.fit(d.x, d.y, 3); } catch (const Error& e) { fit_error = e.status().message(); }
  EXPECT_FALSE(fit_error.empty());
  EXPECT_EQ(sliced_error, fit_error);
  EXPECT_FALSE(m.is_fitted());
}

TEST(FitTaskTest, BoostingOneIterationPerUnitEqualsTheOneShotFit) {
  Data d = make_data(400, 5, 13);
  d.x(3, 2) = std::nan("");  // missing values take their learned side
  for (bool early : {false, true}) {
    const json params = {{"max_iter", 30}, {"random_state", 0}, {"early_stopping", early}, {"n_iter_no_change", 3}};
    HistGradientBoostingClassifier a(params), b(params);
    a.fit(d.x, d.y, 3);
    auto t = b.fit_task(d.x, d.y, 3);
    EXPECT_STREQ(t->unit_name(), "iteration");
    const int steps = step_all(*t);
    EXPECT_EQ(steps, a.n_iter()) << "one iteration (three trees) per unit";
    EXPECT_EQ(a.state().dump(), b.state().dump());
    HistGradientBoostingRegressor r1(params), r2(params);
    r1.fit(d.x, d.yr);
    auto rt = r2.fit_task(d.x, d.yr);
    EXPECT_EQ(step_all(*rt), r1.n_iter());
    EXPECT_EQ(r1.state().dump(), r2.state().dump());
  }
}

TEST(FitTaskTest, ForestPredictionsInChunksReuseTheFlatTreesUntilARefitReplacesThem) {
  const Data a = make_data(300, 5, 21), b = make_data(300, 5, 22);
  RandomForestClassifier m(json{{"n_estimators", 15}, {"random_state", 4}}), fresh(json{{"n_estimators", 15}, {"random_state", 4}});
  m.fit(a.x, a.y, 3);
  const Matrix before = m.predict_proba(b.x);
  EXPECT_EQ(m.predict_proba(b.x.topRows(40)), before.topRows(40)) << "a chunk's rows equal the whole call's";
  m.fit(b.x, b.y, 3);  // new trees: the cached layout must not be used
  fresh.fit(b.x, b.y, 3);
  EXPECT_EQ(m.predict_proba(a.x), fresh.predict_proba(a.x));
  EXPECT_NE(m.predict_proba(b.x), before);
  RandomForestClassifier loaded;
  ASSERT_TRUE(loaded.load_state(fresh.state()).is_ok());
  EXPECT_EQ(loaded.predict_proba(a.x), fresh.predict_proba(a.x));
}

TEST(FitTaskTest, CheapEstimatorsFitInOneUnit) {
  const Data d = make_data(120, 4, 9);
  LogisticRegression a(json{{"max_iter", 200}}), b(json{{"max_iter", 200}});
  a.fit(d.x, d.y, 3);
  auto t = b.fit_task(d.x, d.y, 3);
  EXPECT_EQ(t->units_total(), 1);
  EXPECT_EQ(t->describe(), "fit");
  EXPECT_EQ(step_all(*t), 1);
  EXPECT_EQ(a.state().dump(), b.state().dump());
}

}  // namespace
}  // namespace mllab::ml

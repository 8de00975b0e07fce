#include "core/ml/tree.hpp"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "core/ml/binning.hpp"
#include "core/util/rng.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::expect_error;

// Rows of (x0, x1) with labels; the columns are the features.
Matrix rows_of(std::initializer_list<std::initializer_list<double>> rows) {
  Matrix m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& r : rows) {
    Eigen::Index j = 0;
    for (double v : r) m(i, j++) = v;
    ++i;
  }
  return m;
}

TEST(FeatureBinnerTest, FewDistinctValuesGetMidpointEdges) {
  Matrix x = rows_of({{1.0}, {3.0}, {3.0}, {4.0}});
  FeatureBinner b;
  b.fit(x, 255);
  ASSERT_EQ(b.n_bins(0), 3);
  EXPECT_EQ(b.edges(0), (std::vector<double>{2.0, 3.5}));
  EXPECT_EQ(b.transform(x), (std::vector<uint8_t>{0, 1, 1, 2}));
}

TEST(FeatureBinnerTest, ManyDistinctValuesGetAtMostMaxBins) {
  Matrix x(1000, 1);
  for (int i = 0; i < 1000; ++i) x(i, 0) = i;
  FeatureBinner b;
  b.fit(x, 10);
  EXPECT_EQ(b.n_bins(0), 10);
  // np.percentile(range(1000), [10, 20, ...], method="midpoint") = 99.5, 199.5, ...
  EXPECT_DOUBLE_EQ(b.edges(0)[0], 99.5);
  EXPECT_DOUBLE_EQ(b.edges(0)[8], 899.5);
}

TEST(DecisionTreeClassifierTest, SeparableStumpSplitsAtMidpoint) {
  const Matrix x = rows_of({{1}, {2}, {3}, {4}, {5}, {6}});
  const std::vector<int> y{0, 0, 0, 1, 1, 1};
  DecisionTreeClassifier tree(json{{"max_depth", 1}});
  tree.fit(x, y, 2);
  const TreeModel& t = tree.tree();
  ASSERT_EQ(t.n_nodes(), 3);
  EXPECT_EQ(t.feature[0], 0);
  EXPECT_EQ(t.threshold[0], 3.5);  // scikit-learn's threshold
  EXPECT_EQ(tree.predict(x), y);
  const Matrix p = tree.predict_proba(rows_of({{3.5}, {3.6}}));
  EXPECT_EQ(p(0, 0), 1.0);
  EXPECT_EQ(p(1, 1), 1.0);
  EXPECT_EQ(tree.feature_importances(), std::vector<double>{1.0});
}

// Gini decreases by hand: root 3 zeros / 5 ones, W * gini = 8 * 30/64 = 3.75. Split x0 <= 0.5:
// left [0,0,0,1] (4 * 6/16 = 1.5), right pure: decrease 2.25 (x1 would give 0.25). Left node,
// x1 <= 0.5: [0,0] pure, [0,1] (2 * 0.5 = 1): decrease 0.5. Importances 2.25/2.75, 0.5/2.75.
TEST(DecisionTreeClassifierTest, GiniDecreaseByHand) {
  const Matrix x = rows_of({{0, 0}, {0, 0}, {0, 1}, {0, 1}, {1, 0}, {1, 0}, {1, 1}, {1, 1}});
  const std::vector<int> y{0, 0, 0, 1, 1, 1, 1, 1};
  DecisionTreeClassifier tree(json{{"random_state", 0}});
  tree.fit(x, y, 2);
  const TreeModel& t = tree.tree();
  EXPECT_EQ(t.feature[0], 0);
  EXPECT_EQ(t.threshold[0], 0.5);
  EXPECT_EQ(t.n_nodes(), 5);
  EXPECT_EQ(t.depth(), 2);
  ASSERT_EQ(tree.feature_importances().size(), 2u);
  EXPECT_NEAR(tree.feature_importances()[0], 2.25 / 2.75, 1e-15);
  EXPECT_NEAR(tree.feature_importances()[1], 0.5 / 2.75, 1e-15);
  // The impure leaf (x0 = 0, x1 = 1) predicts its class frequencies.
  const Matrix p = tree.predict_proba(rows_of({{0, 1}}));
  EXPECT_EQ(p(0, 0), 0.5);
  EXPECT_EQ(p(0, 1), 0.5);
}

// 300 rows of 4 uniform features; the label depends on feature 2 only.
void only_feature_two(Matrix* x, std::vector<int>* y) {
  Rng rng(7);
  x->resize(300, 4);
  y->clear();
  for (int i = 0; i < 300; ++i) {
    for (int j = 0; j < 4; ++j) (*x)(i, j) = rng.uniform();
    y->push_back((*x)(i, 2) > 0.4 ? 1 : 0);
  }
}

TEST(DecisionTreeClassifierTest, ImportanceOnTheOnlyRelevantFeature) {
  Matrix x;
  std::vector<int> y;
  only_feature_two(&x, &y);
  DecisionTreeClassifier tree(json{{"random_state", 3}});
  tree.fit(x, y, 2);
  EXPECT_EQ(tree.tree().n_nodes(), 3);
  EXPECT_NEAR(tree.feature_importances()[2], 1.0, 1e-12);
  EXPECT_EQ(tree.predict(x), y);
}

TEST(DecisionTreeClassifierTest, EntropyAndClassWeightAndMaxFeatures) {
  Matrix x;
  std::vector<int> y;
  only_feature_two(&x, &y);
  for (const char* mf : {"sqrt", "log2", "2", "0.5", "all"}) {
    DecisionTreeClassifier tree(json{{"criterion", "entropy"},
                                 {"class_weight", "balanced"},
                                 {"max_features", mf},
                                 {"random_state", 1}});
    tree.fit(x, y, 2);
    EXPECT_EQ(tree.predict(x), y) << mf;
  }
}

// 200 rows of 6 noisy features; the label depends on features 1 and 4, so trees grown with
// different feature subsets differ.
void six_features(Matrix* x, std::vector<int>* y) {
  Rng rng(17);
  x->resize(200, 6);
  y->resize(200);
  for (Eigen::Index i = 0; i < 200; ++i) {
    for (Eigen::Index j = 0; j < 6; ++j) (*x)(i, j) = rng.uniform();
    (*y)[static_cast<size_t>(i)] = ((*x)(i, 1) + 0.5 * (*x)(i, 4) + 0.3 * rng.uniform()) > 0.9;
  }
}

// The feature count each max_features value stands for (scikit-learn 1.2's rules for
// n_features = 6): null / 1.0 / 6 -> 6, "sqrt" -> floor(sqrt(6)) = 2, "log2" -> floor(log2(6))
// = 2, 0.5 -> floor(0.5 * 6) = 3, 0.1 -> max(1, floor(0.6)) = 1. Trees grown with the same seed
// and the same count are identical, so each form is compared with its integer count.
TEST(DecisionTreeClassifierTest, MaxFeaturesIntFloatStringAndNullAsScikitLearn) {
  EXPECT_EQ(tree_params::parse_max_features("t", json(nullptr), 6), 6);
  EXPECT_EQ(tree_params::parse_max_features("t", json(1.0), 6), 6);
  EXPECT_EQ(tree_params::parse_max_features("t", json(6), 6), 6);
  EXPECT_EQ(tree_params::parse_max_features("t", json("sqrt"), 6), 2);
  EXPECT_EQ(tree_params::parse_max_features("t", json("log2"), 6), 2);
  EXPECT_EQ(tree_params::parse_max_features("t", json(0.5), 6), 3);
  EXPECT_EQ(tree_params::parse_max_features("t", json(0.1), 6), 1);
  EXPECT_EQ(tree_params::parse_max_features("t", json(4), 6), 4);
  Matrix x;
  std::vector<int> y;
  six_features(&x, &y);
  auto grown = [&](const json& mf) {
    DecisionTreeClassifier tree(json{{"max_features", mf}, {"random_state", 5}});
    tree.fit(x, y, 2);
    return tree.state();
  };
  const json all = grown(6);
  EXPECT_EQ(grown(nullptr), all);
  EXPECT_EQ(grown(1.0), all);
  EXPECT_EQ(grown("all"), all);  // an older spec's spelling
  const json two = grown(2);
  EXPECT_NE(two, all) << "a feature subset must change the tree for this test to mean anything";
  EXPECT_EQ(grown("sqrt"), two);
  EXPECT_EQ(grown("log2"), two);
  EXPECT_EQ(grown(0.5), grown(3));
  EXPECT_EQ(grown("0.5"), grown(3));
  EXPECT_EQ(grown(0.1), grown(1));
  // Defaults as scikit-learn 1.2: DecisionTree* None.
  EXPECT_TRUE(DecisionTreeClassifier().params().at("max_features").is_null());
  EXPECT_TRUE(DecisionTreeRegressor().params().at("max_features").is_null());
  // Older spellings are normalized in params() (so they log and save in the new form).
  EXPECT_TRUE(DecisionTreeClassifier(json{{"max_features", "all"}}).params().at("max_features").is_null());
  EXPECT_EQ(DecisionTreeClassifier(json{{"max_features", "5"}}).params().at("max_features"), json(5));
}

TEST(DecisionTreeClassifierTest, MaxFeaturesErrorsNameTheValue) {
  expect_error([] { DecisionTreeClassifier(json{{"max_features", 0}}); },
               {"'max_features'", "(received 0)"});
  expect_error([] { DecisionTreeClassifier(json{{"max_features", 1.5}}); },
               {"'max_features'", "(received 1.5)"});
  expect_error([] { DecisionTreeRegressor(json{{"max_features", "foo"}}); },
               {"DecisionTreeRegressor", "'max_features'", "(received \"foo\")"});
  // A count above the number of features fails at fit, naming both numbers.
  Matrix x;
  std::vector<int> y;
  six_features(&x, &y);
  DecisionTreeClassifier tree(json{{"max_features", 7}});
  expect_error([&] { tree.fit(x, y, 2); },
               {"DecisionTreeClassifier", "max_features=7", "6 features"});
  DecisionTreeRegressor reg(json{{"max_features", 9}});
  Vector yr = Vector::LinSpaced(200, 0.0, 1.0);
  expect_error([&] { reg.fit(x, yr); }, {"DecisionTreeRegressor", "max_features=9", "6 features"});
}

TEST(DecisionTreeClassifierTest, MinSamplesLeafAndDepth) {
  Matrix x;
  std::vector<int> y;
  only_feature_two(&x, &y);
  for (auto& v : y) v = (v + (x.row(&v - y.data())(0) > 0.7 ? 1 : 0)) % 2;  // needs depth 2
  DecisionTreeClassifier deep(json{{"random_state", 0}});
  deep.fit(x, y, 2);
  EXPECT_EQ(deep.predict(x), y);
  DecisionTreeClassifier shallow(json{{"max_depth", 1}, {"random_state", 0}});
  shallow.fit(x, y, 2);
  EXPECT_EQ(shallow.tree().depth(), 1);
  DecisionTreeClassifier leafy(json{{"min_samples_leaf", 40}, {"random_state", 0}});
  leafy.fit(x, y, 2);
  // Every leaf holds >= 40 rows: count rows per leaf on the training data.
  std::vector<int> per_leaf(static_cast<size_t>(leafy.tree().n_nodes()), 0);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    ++per_leaf[static_cast<size_t>(leafy.tree().leaf(x.data() + i, x.rows()))];
  }
  for (int k = 0; k < leafy.tree().n_nodes(); ++k) {
    if (leafy.tree().feature[static_cast<size_t>(k)] < 0) {
      EXPECT_GE(per_leaf[static_cast<size_t>(k)], 40);
    }
  }
}

TEST(DecisionTreeClassifierTest, SameSeedSameTreeAndStateRoundTrip) {
  Matrix x;
  std::vector<int> y;
  only_feature_two(&x, &y);
  for (Eigen::Index i = 0; i < x.rows(); ++i) y[static_cast<size_t>(i)] ^= (i % 7 == 0);  // noise
  const json params = {{"max_features", "sqrt"}, {"random_state", 42}};
  DecisionTreeClassifier a(params), b(params);
  a.fit(x, y, 3);  // class 2 absent: probability 0
  b.fit(x, y, 3);
  EXPECT_EQ(a.state(), b.state());
  const Matrix pa = a.predict_proba(x);
  EXPECT_EQ(pa.cols(), 3);
  EXPECT_EQ(pa.col(2).maxCoeff(), 0.0);
  DecisionTreeClassifier c;
  ASSERT_TRUE(c.load_state(json::parse(a.state().dump())).is_ok());
  EXPECT_TRUE(c.is_fitted());
  EXPECT_EQ(c.predict_proba(x), pa);
  EXPECT_EQ(c.feature_importances(), a.feature_importances());
}

TEST(DecisionTreeClassifierTest, Errors) {
  const Matrix x = rows_of({{1, 2}, {3, 4}, {5, std::numeric_limits<double>::quiet_NaN()}});
  DecisionTreeClassifier tree;
  expect_error([&] { tree.predict(x); }, {"DecisionTreeClassifier", "before fit"});
  expect_error([&] { tree.state(); }, {"before fit"});
  expect_error([&] { tree.fit(x, {0, 1, 0}, 2); }, {"NaN", "column 1", "row 2"});
  expect_error([&] { tree.fit(rows_of({{1}, {2}}), {1, 1}, 2); }, {"only one class"});
  expect_error([&] { tree.fit(Matrix(0, 2), {}, 2); }, {"at least one sample"});
  expect_error([&] { tree.fit(rows_of({{1}, {2}}), {0, 2}, 2); }, {"label 2", "row 1"});
  expect_error([] { DecisionTreeClassifier(json{{"max_depth", 0}}); }, {"'max_depth'", "0"});
  expect_error([] { DecisionTreeClassifier(json{{"min_samples_split", 1}}); },
               {"'min_samples_split'", "1"});
  expect_error([] { DecisionTreeClassifier(json{{"max_features", "half"}}); },
               {"'max_features'", "half"});
  expect_error([] { DecisionTreeClassifier(json{{"max_features", "1.5"}}); }, {"1.5"});
  expect_error([] { DecisionTreeClassifier(json{{"criterion", "mse"}}); }, {"'criterion'"});
  tree.fit(rows_of({{1, 1}, {2, 2}}), {0, 1}, 2);
  expect_error([&] { tree.predict(rows_of({{1}})); }, {"1 features", "2 features"});
  EXPECT_FALSE(tree.load_state(json{{"version", 1}}).is_ok());
  json s = tree.state();
  s["tree"]["left"][0] = 0;  // a cycle
  EXPECT_FALSE(DecisionTreeClassifier().load_state(s).is_ok());
  s = tree.state();
  s["version"] = 2;
  EXPECT_FALSE(DecisionTreeClassifier().load_state(s).is_ok());
}

TEST(DecisionTreeRegressorTest, FitsAStepFunctionExactly) {
  Matrix x(40, 1);
  Vector y(40);
  for (int i = 0; i < 40; ++i) {
    x(i, 0) = i;
    y(i) = i < 10 ? 1.0 : (i < 25 ? -2.0 : 5.5);
  }
  DecisionTreeRegressor tree(json{{"random_state", 0}});
  tree.fit(x, y);
  EXPECT_EQ(tree.predict(x), y);
  EXPECT_EQ(tree.tree().n_nodes(), 5);
  EXPECT_EQ(tree.tree().threshold[0], 24.5);  // the larger variance decrease first
  DecisionTreeRegressor stump(json{{"max_depth", 1}, {"random_state", 0}});
  stump.fit(x, y);
  const Vector p = stump.predict(x);
  // Left leaf: mean of 10 * 1 and 15 * -2 = -20 / 25.
  EXPECT_DOUBLE_EQ(p(0), -0.8);
  EXPECT_DOUBLE_EQ(p(39), 5.5);
  DecisionTreeRegressor c;
  ASSERT_TRUE(c.load_state(json::parse(stump.state().dump())).is_ok());
  EXPECT_EQ(c.predict(x), p);
}

TEST(DecisionTreeRegressorTest, Errors) {
  DecisionTreeRegressor tree;
  expect_error([&] { tree.predict(rows_of({{1}})); }, {"DecisionTreeRegressor", "before fit"});
  Vector y(2);
  y << 1.0, std::numeric_limits<double>::infinity();
  expect_error([&] { tree.fit(rows_of({{1}, {2}}), y); }, {"y", "row 1"});
  expect_error([] { DecisionTreeRegressor(json{{"min_samples_leaf", 0}}); },
               {"'min_samples_leaf'", "0"});
}

}  // namespace
}  // namespace mllab::ml

#include "core/ml/model_selection.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "core/ml/linear.hpp"
#include "core/ml/regression_metrics.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::expect_error;
using testing::json_matrix;
using testing::load_json;

const json& cv_reference() {
  static const json ref = load_json("tests/data/reference_values.json").at("cv_splits");
  return ref;
}

// Every row is in exactly one test part; train = the other rows; both ascending.
void expect_partition(const std::vector<Fold>& folds, size_t n) {
  std::vector<int> seen(n, 0);
  for (const Fold& f : folds) {
    EXPECT_TRUE(std::is_sorted(f.test.begin(), f.test.end()));
    EXPECT_TRUE(std::is_sorted(f.train.begin(), f.train.end()));
    EXPECT_EQ(f.train.size() + f.test.size(), n);
    std::set<size_t> all(f.train.begin(), f.train.end());
    all.insert(f.test.begin(), f.test.end());
    EXPECT_EQ(all.size(), n);
    for (size_t i : f.test) ++seen[i];
  }
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "row " << i;
}

TEST(KFold, MatchesScikitLearnTestIndicesExactly) {
  const json& ref = cv_reference();
  struct Case {
    const char* key;
    size_t n;
    int k;
  };
  for (const Case& c : {Case{"KFold_n10_k3_test_indices", 10, 3},
                        Case{"KFold_n23_k5_test_indices", 23, 5},
                        Case{"KFold_n569_k5_test_indices", 569, 5}}) {
    auto folds = KFold(c.k).split(c.n);
    ASSERT_EQ(folds.size(), static_cast<size_t>(c.k));
    for (int f = 0; f < c.k; ++f) {
      EXPECT_EQ(folds[f].test, ref.at(c.key)[f].get<std::vector<size_t>>()) << c.key << " " << f;
    }
    expect_partition(folds, c.n);
  }
}

std::vector<int> fold_of_each_sample(const std::vector<Fold>& folds, size_t n) {
  std::vector<int> out(n, -1);
  for (size_t f = 0; f < folds.size(); ++f) {
    for (size_t i : folds[f].test) out[i] = static_cast<int>(f);
  }
  return out;
}

TEST(StratifiedKFold, MatchesScikitLearnSmall) {
  const json& ref = cv_reference().at("StratifiedKFold_k5_small");
  auto y = ref.at("y").get<std::vector<int>>();
  StratifiedKFold skf(5);
  auto expected = ref.at("test_fold_of_each_sample").get<std::vector<int>>();
  EXPECT_EQ(skf.test_folds(y), expected);
  auto folds = skf.split(y);
  EXPECT_EQ(fold_of_each_sample(folds, y.size()), expected);
  expect_partition(folds, y.size());
}

TEST(StratifiedKFold, MatchesScikitLearnBreastCancer) {
  const json& ref = cv_reference().at("StratifiedKFold_k5_breast_cancer");
  auto data = testing::load_dataset("breast_cancer");
  ASSERT_EQ(data.y.size(), 569u);
  auto folds = StratifiedKFold(5).split(data.y);
  EXPECT_EQ(fold_of_each_sample(folds, data.y.size()),
            ref.at("test_fold_of_each_sample").get<std::vector<int>>());
  auto sizes = ref.at("fold_sizes").get<std::vector<size_t>>();
  for (size_t f = 0; f < 5; ++f) EXPECT_EQ(folds[f].test.size(), sizes[f]);
  expect_partition(folds, data.y.size());
}

TEST(StratifiedKFold, LabelsAreEncodedByFirstAppearance) {
  // Relabelling the classes (keeping their order of appearance) does not change the folds.
  const json& ref = cv_reference().at("StratifiedKFold_k5_small");
  auto y = ref.at("y").get<std::vector<int>>();
  std::vector<int> relabelled;
  for (int v : y) relabelled.push_back(v == 0 ? 7 : (v == 1 ? -3 : 40));
  EXPECT_EQ(StratifiedKFold(5).test_folds(relabelled), StratifiedKFold(5).test_folds(y));
  EXPECT_EQ(StratifiedKFold::least_populated_class_count(y), 7u);
}

TEST(KFold, ShuffleIsDeterministicPerSeedAndStillPartitions) {
  auto a = KFold(4, true, 7).split(50);
  auto b = KFold(4, true, 7).split(50);
  auto c = KFold(4, true, 8).split(50);
  expect_partition(a, 50);
  for (size_t f = 0; f < 4; ++f) EXPECT_EQ(a[f].test, b[f].test);
  bool differs = false;
  for (size_t f = 0; f < 4; ++f) differs = differs || a[f].test != c[f].test;
  EXPECT_TRUE(differs);
  EXPECT_NE(a[0].test, KFold(4).split(50)[0].test);
  EXPECT_EQ(a[0].test.size(), 13u);
  EXPECT_EQ(a[3].test.size(), 12u);
  // random_state is ignored without shuffle.
  EXPECT_EQ(KFold(4, false, 99).split(50)[1].test, KFold(4).split(50)[1].test);
}

TEST(StratifiedKFold, ShuffleKeepsClassCountsPerFold) {
  const json& ref = cv_reference().at("StratifiedKFold_k5_small");
  auto y = ref.at("y").get<std::vector<int>>();
  auto plain = StratifiedKFold(5).split(y);
  auto shuffled = StratifiedKFold(5, true, 3).split(y);
  auto again = StratifiedKFold(5, true, 3).split(y);
  expect_partition(shuffled, y.size());
  bool differs = false;
  for (size_t f = 0; f < 5; ++f) {
    EXPECT_EQ(shuffled[f].test, again[f].test);
    differs = differs || shuffled[f].test != plain[f].test;
    for (int cls = 0; cls < 3; ++cls) {
      auto count = [&](const std::vector<size_t>& rows) {
        return std::count_if(rows.begin(), rows.end(), [&](size_t i) { return y[i] == cls; });
      };
      EXPECT_EQ(count(shuffled[f].test), count(plain[f].test));
    }
  }
  EXPECT_TRUE(differs);
}

TEST(ModelSelection, SplitterErrorsNameNSplits) {
  try {
    KFold bad(1);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kInvalidParameterValue);
    EXPECT_NE(e.status().message().find("n_splits=1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(StratifiedKFold(0), Error);
  try {
    KFold(5).split(4);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().message(),
              "KFold: Cannot have number of splits n_splits=5 greater than the number of "
              "samples: n_samples=4");
  }
  EXPECT_THROW(StratifiedKFold(5).split({0, 1, 0, 1}), Error);
  // Every class smaller than n_splits: an error naming n_splits and the class sizes.
  try {
    StratifiedKFold(4).split({0, 0, 0, 1, 1, 1});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.status().message().find("n_splits=4"), std::string::npos) << e.what();
    EXPECT_NE(e.status().message().find("least populated class has 3"), std::string::npos)
        << e.what();
  }
  // Only some classes smaller (scikit-learn warns): the folds are still returned.
  std::vector<int> y = {0, 0, 0, 0, 0, 1, 1};
  auto folds = StratifiedKFold(3).split(y);
  expect_partition(folds, y.size());
  EXPECT_EQ(StratifiedKFold::least_populated_class_count(y), 2u);
  // /usr/bin/python3: StratifiedKFold(3)._make_test_folds(np.zeros(7), [0,0,0,0,0,1,1])
  //   == [0 0 1 1 2 0 2] (with a UserWarning).
  EXPECT_EQ(StratifiedKFold(3).test_folds(y), (std::vector<int>{0, 0, 1, 1, 2, 0, 2}));
}

TEST(CrossValidate, MeanAndPopulationStd) {
  auto folds = KFold(4).split(8);
  std::vector<double> fake = {0.5, 0.75, 1.0, 0.25};
  size_t calls = 0;
  CvResult r = cross_validate(
      [&](const std::vector<size_t>& train, const std::vector<size_t>& test) {
        EXPECT_EQ(train.size(), 6u);
        EXPECT_EQ(test.size(), 2u);
        return fake[calls++];
      },
      folds);
  EXPECT_EQ(r.scores, fake);
  EXPECT_EQ(r.mean, 0.625);
  EXPECT_DOUBLE_EQ(r.std, std::sqrt(0.078125));  // ddof = 0
  EXPECT_THROW(cross_validate([](const auto&, const auto&) { return 0.0; }, {}), Error);
}

// Data of reference_values.json's linear_models section.
struct LinearData {
  Matrix x;
  Vector y;
};
LinearData linear_data() {
  const json ref = load_json("tests/data/reference_values.json").at("linear_models");
  LinearData d{json_matrix(ref.at("X")), Vector()};
  auto y = ref.at("y").get<std::vector<double>>();
  d.y = Eigen::Map<Vector>(y.data(), static_cast<Eigen::Index>(y.size()));
  return d;
}

// R^2 of `model` fitted on rows `train`, scored on rows `test` (scikit-learn's default scorer
// for regressors).
double fit_and_r2(Regressor& model, const LinearData& d, const std::vector<size_t>& train,
                  const std::vector<size_t>& test) {
  Vector ytr(static_cast<Eigen::Index>(train.size()));
  for (size_t i = 0; i < train.size(); ++i) ytr(static_cast<Eigen::Index>(i)) = d.y(train[i]);
  model.fit(testing::take_rows(d.x, train), ytr);
  Vector pred = model.predict(testing::take_rows(d.x, test));
  std::vector<double> t, p;
  for (size_t i = 0; i < test.size(); ++i) {
    t.push_back(d.y(test[i]));
    p.push_back(pred(static_cast<Eigen::Index>(i)));
  }
  return r2_score(t, p);
}

TEST(CrossValidate, MatchesScikitLearnCrossValScore) {
  // /usr/bin/python3: cross_val_score(LinearRegression(), X, y, cv=KFold(4)) on linear_models.
  const std::vector<double> expected = {0.08694427368645385, 0.4362522800832228,
                                        0.7955297368990348, -6.90295634257766};
  LinearData d = linear_data();
  CvResult r = cross_validate(
      [&](const std::vector<size_t>& train, const std::vector<size_t>& test) {
        LinearRegression model;
        return fit_and_r2(model, d, train, test);
      },
      KFold(4).split(8));
  for (size_t f = 0; f < 4; ++f) EXPECT_NEAR(r.scores[f], expected[f], 1e-9);
  EXPECT_NEAR(r.mean, -1.396057512977237, 1e-9);
  EXPECT_NEAR(r.std, 3.189264918059792, 1e-9);
}

TEST(ParameterGrid, OrderMatchesScikitLearn) {
  // /usr/bin/python3 -c "from sklearn.model_selection import ParameterGrid; print(list(
  //   ParameterGrid({'model__n_estimators': [50,100,200], 'model__max_depth': [5,10,15]})))"
  // (scikit-learn 1.2.1): keys sorted, the last key varies fastest.
  const std::vector<json> expected = {
      {{"model__max_depth", 5}, {"model__n_estimators", 50}},
      {{"model__max_depth", 5}, {"model__n_estimators", 100}},
      {{"model__max_depth", 5}, {"model__n_estimators", 200}},
      {{"model__max_depth", 10}, {"model__n_estimators", 50}},
      {{"model__max_depth", 10}, {"model__n_estimators", 100}},
      {{"model__max_depth", 10}, {"model__n_estimators", 200}},
      {{"model__max_depth", 15}, {"model__n_estimators", 50}},
      {{"model__max_depth", 15}, {"model__n_estimators", 100}},
      {{"model__max_depth", 15}, {"model__n_estimators", 200}},
  };
  ParameterGrid grid(
      json{{"model__n_estimators", {50, 100, 200}}, {"model__max_depth", {5, 10, 15}}});
  EXPECT_EQ(grid.size(), 9u);
  EXPECT_EQ(grid.candidates(), expected);
  EXPECT_EQ(grid.at(4), expected[4]);
  EXPECT_THROW(grid.at(9), Error);
}

TEST(ParameterGrid, ListOfGridsAndEmptyGrid) {
  // /usr/bin/python3: list(ParameterGrid([{'b':[1,2],'a':['x']},{},{'c':[True]}]))
  //   == [{'a': 'x', 'b': 1}, {'a': 'x', 'b': 2}, {}, {'c': True}]
  ParameterGrid grid(json::parse(R"([{"b": [1, 2], "a": ["x"]}, {}, {"c": [true]}])"));
  std::vector<json> expected = {json{{"a", "x"}, {"b", 1}}, json{{"a", "x"}, {"b", 2}},
                                json::object(), json{{"c", true}}};
  EXPECT_EQ(grid.candidates(), expected);
}

TEST(ParameterGrid, ErrorsNameTheParameter) {
  try {
    ParameterGrid grid(json{{"alpha", 1.0}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.status().message().find("'alpha'"), std::string::npos) << e.what();
    EXPECT_NE(e.status().message().find("wrapped in a list"), std::string::npos) << e.what();
  }
  try {
    ParameterGrid grid(json{{"C", json::array()}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.status().message().find("'C'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ParameterGrid(json(3)), Error);
  EXPECT_THROW(ParameterGrid(json::array({1})), Error);
}

TEST(ParameterSampler, DrawsDistinctCandidatesDeterministically) {
  json dist = {{"a", {1, 2, 3, 4}}, {"b", {"x", "y", "z"}}};
  ParameterSampler s(dist, 5, 42);
  EXPECT_EQ(s.size(), 5u);
  auto c = s.candidates();
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c, ParameterSampler(dist, 5, 42).candidates());
  EXPECT_NE(c, ParameterSampler(dist, 5, 43).candidates());
  std::set<std::string> distinct;
  auto all = ParameterGrid(dist).candidates();
  for (const auto& cand : c) {
    distinct.insert(cand.dump());
    EXPECT_NE(std::find(all.begin(), all.end(), cand), all.end());
  }
  EXPECT_EQ(distinct.size(), 5u);
  // n_iter larger than the grid: the whole grid once (scikit-learn warns and does the same).
  ParameterSampler whole(dist, 100, 1);
  EXPECT_EQ(whole.size(), 12u);
  auto w = whole.candidates();
  std::set<std::string> ws;
  for (const auto& cand : w) ws.insert(cand.dump());
  EXPECT_EQ(ws.size(), 12u);
  EXPECT_THROW(ParameterSampler(dist, 0), Error);
}

// The error message of parse_distribution(d) ("" when it parses).
std::string distribution_error(const json& d) {
  auto r = parse_distribution(d);
  return r.is_ok() ? "" : r.status().message();
}

TEST(ParamDistribution, ParsesScipyNamesAndParameterization) {
  auto u = parse_distribution(json{{"distribution", "uniform"}, {"loc", 2}, {"scale", 3}});
  ASSERT_TRUE(u.is_ok()) << u.status().to_string();
  EXPECT_EQ(u->lowest(), json(2.0));
  EXPECT_EQ(u->highest(), json(5.0));  // scipy's uniform is [loc, loc + scale]
  EXPECT_FALSE(u->integer());
  EXPECT_EQ(u->to_string(), "uniform(loc=2, scale=3)");
  // scipy's defaults: loc 0, scale 1.
  EXPECT_EQ(parse_distribution(json{{"distribution", "uniform"}})->to_string(),
            "uniform(loc=0, scale=1)");
  auto lu = parse_distribution(json{{"distribution", "loguniform"}, {"a", 0.01}, {"b", 100}});
  ASSERT_TRUE(lu.is_ok());
  EXPECT_EQ(lu->to_string(), "loguniform(a=0.01, b=100)");
  EXPECT_EQ(lu->lowest(), json(0.01));
  EXPECT_EQ(lu->highest(), json(100.0));
  EXPECT_EQ(parse_distribution(json{{"distribution", "reciprocal"}, {"a", 1}, {"b", 2}})->to_string(),
            "reciprocal(a=1, b=2)");
  auto ri = parse_distribution(json{{"distribution", "randint"}, {"low", 10}, {"high", 200}});
  ASSERT_TRUE(ri.is_ok());
  EXPECT_TRUE(ri->integer());
  EXPECT_EQ(ri->to_string(), "randint(low=10, high=200)");
  EXPECT_EQ(ri->lowest(), json(10));
  EXPECT_EQ(ri->highest(), json(199));  // high is exclusive
  EXPECT_EQ(param_distribution_text(json{{"distribution", "randint"}, {"low", 1}, {"high", 3}}),
            "randint(low=1, high=3)");
  EXPECT_EQ(param_distribution_text(json{0.1, 1, 10}), "[0.1,1,10]");
  EXPECT_EQ(search_space_text(json{{"model__C", {{"distribution", "loguniform"}, {"a", 0.01}, {"b", 100}}},
                                   {"model__max_depth", {5, 10}}}),
            "{\"model__C\": loguniform(a=0.01, b=100), \"model__max_depth\": [5,10]}");
  EXPECT_EQ(search_space_text(json::array({json{{"a", {1}}}, json{{"b", {2, 3}}}})),
            "[{\"a\": [1]}, {\"b\": [2,3]}]");
}

TEST(ParamDistribution, ErrorsNameTheFieldAndValue) {
  EXPECT_EQ(distribution_error(json{{"distribution", "loguniform"}, {"a", 0}, {"b", 100}}),
            "loguniform needs 0 < a < b (received a=0, b=100)");
  EXPECT_EQ(distribution_error(json{{"distribution", "loguniform"}, {"a", 5.5}, {"b", 2}}),
            "loguniform needs 0 < a < b (received a=5.5, b=2)");
  EXPECT_EQ(distribution_error(json{{"distribution", "loguniform"}, {"a", 1}}),
            "loguniform needs fields a and b (missing 'b')");
  EXPECT_EQ(distribution_error(json{{"distribution", "uniform"}, {"loc", 0}, {"scale", 0}}),
            "uniform needs scale > 0 and a finite loc + scale (received loc=0, scale=0)");
  EXPECT_EQ(distribution_error(json{{"distribution", "randint"}, {"low", 5}, {"high", 5}}),
            "randint needs low < high (high is exclusive; received low=5, high=5)");
  EXPECT_EQ(distribution_error(json{{"distribution", "randint"}, {"low", 1.5}, {"high", 5}}),
            "randint: 'low' must be an integer (received 1.5)");
  EXPECT_EQ(distribution_error(json{{"distribution", "uniform"}, {"loc", "0"}}),
            "uniform: 'loc' must be a finite number (received \"0\")");
  EXPECT_EQ(distribution_error(json{{"distribution", "norm"}, {"loc", 0}}),
            "unknown distribution 'norm' (available: uniform, loguniform, reciprocal, randint)");
  EXPECT_EQ(distribution_error(json{{"distribution", "uniform"}, {"low", 0}}),
            "unknown field 'low' in a uniform distribution (known: loc, scale)");
  EXPECT_NE(distribution_error(json{{"a", 1}, {"b", 2}}).find("\"distribution\""), std::string::npos);
  // Integral floats are integers for randint.
  EXPECT_EQ(distribution_error(json{{"distribution", "randint"}, {"low", 1.0}, {"high", 4}}), "");
}

TEST(ParameterSampler, DistributionsDrawWithReplacementInRange) {
  const json dist = {{"C", {{"distribution", "loguniform"}, {"a", 0.01}, {"b", 100}}},
                     {"alpha", {{"distribution", "uniform"}, {"loc", -1}, {"scale", 3}}},
                     {"depth", {{"distribution", "randint"}, {"low", 10}, {"high", 13}}},
                     {"kernel", {"a", "b"}}};
  ParameterSampler s(dist, 2000, 7);
  EXPECT_TRUE(s.has_distributions());
  EXPECT_EQ(s.size(), 2000u);  // with replacement: n_iter even beyond the 2 kernels
  auto c = s.candidates();
  ASSERT_EQ(c.size(), 2000u);
  EXPECT_EQ(c, ParameterSampler(dist, 2000, 7).candidates());
  EXPECT_NE(c, ParameterSampler(dist, 2000, 8).candidates());
  std::set<int64_t> depths;
  std::set<std::string> kernels;
  int c_below_1 = 0, alpha_below_half = 0;
  for (const auto& cand : c) {
    ASSERT_EQ(cand.size(), 4u);
    const double cv = cand.at("C").get<double>();
    EXPECT_TRUE(cand.at("C").is_number_float());
    EXPECT_GE(cv, 0.01);
    EXPECT_LE(cv, 100.0);
    c_below_1 += cv < 1.0;
    const double av = cand.at("alpha").get<double>();
    EXPECT_GE(av, -1.0);
    EXPECT_LE(av, 2.0);
    alpha_below_half += av < 0.5;
    ASSERT_TRUE(cand.at("depth").is_number_integer()) << cand.dump();
    depths.insert(cand.at("depth").get<int64_t>());
    kernels.insert(cand.at("kernel").get<std::string>());
  }
  // Every integer of randint(10, 13) and every list value is drawn; 13 (exclusive) never.
  EXPECT_EQ(depths, (std::set<int64_t>{10, 11, 12}));
  EXPECT_EQ(kernels, (std::set<std::string>{"a", "b"}));
  // Log-uniform: half of the draws below the geometric mean sqrt(0.01 * 100) = 1 (a uniform on
  // [0.01, 100] would put 1% there). Uniform on [-1, 2]: half below the midpoint 0.5. Bounds of
  // +-5 points are > 4 standard deviations (sqrt(0.25 / 2000) = 1.1 points).
  EXPECT_NEAR(c_below_1 / 2000.0, 0.5, 0.05);
  EXPECT_NEAR(alpha_below_half / 2000.0, 0.5, 0.05);
}

TEST(ParameterSampler, ListOfDictsWithDistributionsPicksOneDictPerCandidate) {
  const json dists = json::array(
      {{{"kernel", {"linear"}}, {"C", {{"distribution", "uniform"}, {"loc", 1}, {"scale", 1}}}},
       {{"kernel", {"rbf"}}, {"gamma", {{"distribution", "randint"}, {"low", 1}, {"high", 4}}}}});
  auto c = ParameterSampler(dists, 200, 3).candidates();
  ASSERT_EQ(c.size(), 200u);
  int linear = 0;
  for (const auto& cand : c) {
    ASSERT_EQ(cand.size(), 2u) << cand.dump();
    if (cand.at("kernel") == "linear") {
      ++linear;
      EXPECT_TRUE(cand.contains("C"));
    } else {
      EXPECT_EQ(cand.at("kernel"), "rbf");
      EXPECT_TRUE(cand.contains("gamma"));
    }
  }
  EXPECT_GT(linear, 50);
  EXPECT_LT(linear, 150);
}

TEST(ParameterSampler, BadDistributionsNameTheParameter) {
  expect_error(
      [] { ParameterSampler(json{{"C", {{"distribution", "loguniform"}, {"a", 0}, {"b", 1}}}}, 5); },
      {"'C'", "loguniform needs 0 < a < b", "a=0"});
  expect_error(
      [] {
        ParameterSampler(json{{"C", {{"distribution", "uniform"}}}, {"kernel", json::array()}}, 5);
      },
      {"'kernel'"});
  expect_error(
      [] { ParameterSampler(json{{"C", {{"distribution", "uniform"}}}, {"kernel", "rbf"}}, 5); },
      {"'kernel'", "rbf"});
  EXPECT_THROW(ParameterSampler(json{{"C", {{"distribution", "uniform"}}}}, 0), Error);
  EXPECT_THROW(ParameterSampler(json::array(), 3), Error);
  // Lists only keep sampling without replacement (no distributions).
  EXPECT_FALSE(ParameterSampler(json{{"a", {1, 2}}}, 5).has_distributions());
  EXPECT_EQ(ParameterSampler(json{{"a", {1, 2}}}, 5).size(), 2u);
}

TEST(Search, RanksTiesWithMinAsScikitLearn) {
  // /usr/bin/python3: scipy.stats.rankdata(-np.array([0.5,0.9,0.9,0.7,0.5,0.9]), method='min')
  //   == [5 1 1 4 5 1]
  EXPECT_EQ(rank_descending_min({0.5, 0.9, 0.9, 0.7, 0.5, 0.9}),
            (std::vector<int>{5, 1, 1, 4, 5, 1}));
  EXPECT_EQ(rank_descending_min({NAN, 0.3, 0.1}), (std::vector<int>{3, 1, 2}));
  EXPECT_EQ(rank_descending_min({NAN, NAN}), (std::vector<int>{1, 1}));
  EXPECT_EQ(rank_descending_min({0.1, NAN, -0.9}), (std::vector<int>{1, 3, 2}));

  std::vector<json> candidates = {{{"k", 0}}, {{"k", 1}}, {{"k", 2}}, {{"k", 3}}};
  auto folds = KFold(2).split(4);
  const double mean_of[4] = {0.5, 0.8, 0.8, 0.1};
  SearchResult r = search_cv(candidates, folds,
                          [&](const json& p, const std::vector<size_t>&,
                              const std::vector<size_t>& test) {
                            // Fold-dependent scores with the given means.
                            double m = mean_of[p.at("k").get<int>()];
                            return test[0] == 0 ? m - 0.25 : m + 0.25;
                          });
  EXPECT_EQ(r.cv_results.at("rank_test_score"), json({3, 1, 1, 4}));
  EXPECT_EQ(r.best_index, 1u);
  EXPECT_EQ(r.best_params, candidates[1]);
  EXPECT_DOUBLE_EQ(r.best_score, 0.8);
  EXPECT_EQ(r.cv_results.at("std_test_score")[0].get<double>(), 0.25);
  EXPECT_EQ(r.cv_results.at("param_k"), json({0, 1, 2, 3}));
  EXPECT_EQ(r.cv_results.at("split0_test_score")[0].get<double>(), 0.25);
  EXPECT_EQ(r.cv_results.at("split1_test_score")[0].get<double>(), 0.75);
}

TEST(Search, MatchesScikitLearnGridSearchCV) {
  // /usr/bin/python3: GridSearchCV(Ridge(), {'alpha': [0.1, 1.0, 10.0],
  //   'fit_intercept': [True, False]}, cv=KFold(4)).fit(X, y) on linear_models' X, y.
  const std::vector<double> mean = {-1.2159204767309413, -2.0291338348724706,
                                    -0.4184697265643848, -0.9217654593227492,
                                    -6.02289997895915,   0.20043059256427564};
  const std::vector<double> stdev = {2.8838356102827176, 3.935749892299693,
                                     1.5108215508685066, 2.1201908774052542,
                                     8.841160433891204,  0.3743483172284259};
  const std::vector<double> split0 = {0.0665707632699718,   -0.16483901121221067,
                                      -0.17042702567446621, -0.15880419900040255,
                                      -4.941783723074527,   -0.22609646821594231};
  LinearData d = linear_data();
  auto candidates =
      ParameterGrid(json{{"alpha", {0.1, 1.0, 10.0}}, {"fit_intercept", {true, false}}})
          .candidates();
  SearchResult r = search_cv(candidates, KFold(4).split(8),
                          [&](const json& params, const std::vector<size_t>& train,
                              const std::vector<size_t>& test) {
                            Ridge model(params);
                            return fit_and_r2(model, d, train, test);
                          });
  const json& cv = r.cv_results;
  EXPECT_EQ(cv.at("params"), json(candidates));
  EXPECT_EQ(candidates[1], (json{{"alpha", 0.1}, {"fit_intercept", false}}));
  double max_dev = 0.0;
  for (size_t c = 0; c < 6; ++c) {
    for (auto [key, ref] : {std::pair{"mean_test_score", &mean},
                            std::pair{"std_test_score", &stdev},
                            std::pair{"split0_test_score", &split0}}) {
      double got = cv.at(key)[c].get<double>();
      EXPECT_NEAR(got, (*ref)[c], 1e-9) << key << " " << c;
      max_dev = std::max(max_dev, std::abs(got - (*ref)[c]));
    }
  }
  EXPECT_EQ(cv.at("rank_test_score"), json({4, 5, 2, 3, 6, 1}));
  EXPECT_EQ(cv.at("param_alpha"), json({0.1, 0.1, 1.0, 1.0, 10.0, 10.0}));
  EXPECT_EQ(r.best_index, 5u);
  EXPECT_EQ(r.best_params, (json{{"alpha", 10.0}, {"fit_intercept", false}}));
  EXPECT_NEAR(r.best_score, 0.20043059256427564, 1e-9);
  for (const char* key : {"split1_test_score", "split2_test_score", "split3_test_score"}) {
    EXPECT_TRUE(cv.contains(key)) << key;
  }
  EXPECT_FALSE(cv.contains("split4_test_score"));
  std::printf("[search] max |deviation| from scikit-learn: %.3g\n", max_dev);
}

TEST(Search, MissingParametersAndErrors) {
  std::vector<json> candidates = ParameterGrid(json::parse(R"([{"a": [1]}, {"b": [2, 3]}])"))
                                     .candidates();
  auto folds = KFold(2).split(4);
  SearchResult r = search_cv(candidates, folds,
                          [](const json&, const std::vector<size_t>&,
                             const std::vector<size_t>&) { return 1.0; });
  EXPECT_EQ(r.cv_results.at("param_a"), json({1, nullptr, nullptr}));
  EXPECT_EQ(r.cv_results.at("param_b"), json({nullptr, 2, 3}));
  EXPECT_EQ(r.cv_results.at("rank_test_score"), json({1, 1, 1}));
  EXPECT_EQ(r.best_index, 0u);
  auto eval = [](const json&, const std::vector<size_t>&, const std::vector<size_t>&) {
    return 0.0;
  };
  EXPECT_THROW(search_cv({}, folds, eval), Error);
  EXPECT_THROW(search_cv(candidates, {}, eval), Error);
  EXPECT_THROW(search_cv({json(1)}, folds, eval), Error);
}

}  // namespace
}  // namespace mllab::ml

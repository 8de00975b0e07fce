#include "core/ml/split.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "core/ml/model_selection.hpp"
#include "core/util/status.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using json = nlohmann::json;
using testing::load_dataset;
using testing::load_json;

std::vector<int> class_counts(const std::vector<int>& y, const std::vector<size_t>& rows, int k) {
  std::vector<int> counts(static_cast<size_t>(k), 0);
  for (size_t r : rows) ++counts[static_cast<size_t>(y[r])];
  return counts;
}

void expect_partition(const SplitIndices& s, size_t n) {
  std::vector<size_t> all = s.train;
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), n);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(all[i], i) << "rows must be disjoint and covering";
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), ErrorCode::kInvalidParameterValue);
    return e.status().message();
  }
  ADD_FAILURE() << "expected mllab::Error";
  return "";
}

TEST(TrainTestSplit, SameRowsAsScikitLearn) {
  // scikit-learn's own train_test_split(test_size=0.2, random_state=42, stratify=y) rows
  // (tests/data/logreg_splits.json), in its order.
  const json ref = load_json("tests/data/logreg_splits.json");
  for (const char* name : {"breast_cancer", "iris", "wine"}) {
    SCOPED_TRACE(name);
    const auto data = load_dataset(name);
    const int k = static_cast<int>(ref.at(name).at("target_names").size());
    const SplitIndices s = train_test_split(data.y, k, 0.2, 42, true);
    EXPECT_EQ(s.train, ref.at(name).at("train_indices").get<std::vector<size_t>>());
    EXPECT_EQ(s.test, ref.at(name).at("test_indices").get<std::vector<size_t>>());
    expect_partition(s, data.y.size());
  }
}

// tests/data/split_reference.json: stratified and plain splits of several label sets (class
// counts that tie in _approximate_mode included; the largest seed numpy takes), and shuffled
// KFold / StratifiedKFold test folds, all from scikit-learn 1.2.1 with numpy 1.24.
TEST(TrainTestSplit, SameRowsAsScikitLearnForEverySeedAndLabelSet) {
  const json ref = load_json("tests/data/split_reference.json");
  size_t checked = 0;
  for (const auto& c : ref.at("train_test_split")) {
    const auto y = ref.at("labels").at(c.at("labels").get<std::string>()).get<std::vector<int>>();
    const int k = *std::max_element(y.begin(), y.end()) + 1;
    SCOPED_TRACE(c.at("labels").get<std::string>() + " test_size " + c.at("test_size").dump() +
                 " seed " + c.at("random_state").dump() + (c.at("stratify").get<bool>() ? " stratified" : ""));
    const SplitIndices s = train_test_split(y, k, c.at("test_size").get<double>(),
                                            c.at("random_state").get<uint64_t>(), c.at("stratify").get<bool>());
    EXPECT_EQ(s.train, c.at("train").get<std::vector<size_t>>());
    EXPECT_EQ(s.test, c.at("test").get<std::vector<size_t>>());
    ++checked;
  }
  EXPECT_EQ(checked, ref.at("train_test_split").size());
  EXPECT_GE(checked, 25u);
  for (const auto& c : ref.at("folds")) {
    const auto y = ref.at("labels").at(c.at("labels").get<std::string>()).get<std::vector<int>>();
    SCOPED_TRACE(c.at("labels").get<std::string>() + " seed " + c.at("random_state").dump());
    const auto seed = c.at("random_state").get<uint64_t>();
    const auto kf = KFold(5, true, seed).split(y.size());
    const auto skf = StratifiedKFold(5, true, seed).split(y);
    ASSERT_EQ(kf.size(), 5u);
    ASSERT_EQ(skf.size(), 5u);
    for (size_t f = 0; f < 5; ++f) {
      EXPECT_EQ(kf[f].test, c.at("kfold_test")[f].get<std::vector<size_t>>()) << "KFold fold " << f;
      EXPECT_EQ(skf[f].test, c.at("stratified_kfold_test")[f].get<std::vector<size_t>>())
          << "StratifiedKFold fold " << f;
    }
  }
}

TEST(TrainTestSplit, DeterministicPerSeed) {
  const auto data = load_dataset("iris");
  for (bool stratify : {false, true}) {
    const SplitIndices a = train_test_split(data.y, 3, 0.25, 123, stratify);
    const SplitIndices b = train_test_split(data.y, 3, 0.25, 123, stratify);
    const SplitIndices c = train_test_split(data.y, 3, 0.25, 124, stratify);
    EXPECT_EQ(a.train, b.train);
    EXPECT_EQ(a.test, b.test);
    EXPECT_NE(a.test, c.test);
    EXPECT_EQ(a.test.size(), 38u);  // ceil(0.25 * 150)
    EXPECT_EQ(a.train.size(), 112u);
    expect_partition(a, 150);
    expect_partition(c, 150);
    // The parts come in shuffled order, not sorted.
    EXPECT_FALSE(std::is_sorted(a.train.begin(), a.train.end()));
  }
}

TEST(TrainTestSplit, SizesFollowScikitLearn) {
  std::vector<int> y(10, 0);
  for (size_t i = 5; i < 10; ++i) y[i] = 1;
  EXPECT_EQ(train_test_split(y, 2, 0.1, 1, false).test.size(), 1u);
  EXPECT_EQ(train_test_split(y, 2, 0.11, 1, false).test.size(), 2u);  // ceil(1.1)
  EXPECT_EQ(train_test_split(y, 2, 0.5, 1, true).test.size(), 5u);
  const SplitIndices s = train_test_split(y, 2, 0.5, 1, true);
  // 5 + 5 rows into 5 train / 5 test: one class gets 3 test rows, the other 2.
  auto counts = class_counts(y, s.test, 2);
  std::sort(counts.begin(), counts.end());
  EXPECT_EQ(counts, (std::vector<int>{2, 3}));
}

TEST(TrainTestSplit, Errors) {
  const std::vector<int> y = {0, 0, 1, 1, 1, 2};
  EXPECT_EQ(message_of([&] { train_test_split(y, 3, 0.5, 0, true); }),
            "train_test_split: the least populated class in y has only 1 member (class 2), which "
            "is too few to stratify; every class needs at least 2 members");
  EXPECT_EQ(message_of([&] { train_test_split(y, 3, 1.5, 0, false); }),
            "train_test_split: test_size must be in (0, 1) (received 1.5)");
  EXPECT_EQ(message_of([&] { train_test_split(y, 3, 0.0, 0, false); }),
            "train_test_split: test_size must be in (0, 1) (received 0)");
  EXPECT_NE(message_of([&] {
              train_test_split(y, 3, std::numeric_limits<double>::quiet_NaN(), 0, false);
            }).find("received nan"),
            std::string::npos);
  EXPECT_EQ(message_of([&] { train_test_split({0}, 1, 0.5, 0, false); }),
            "train_test_split: with n_samples=1 and test_size=0.5, the train set would be empty");
  EXPECT_NE(message_of([&] {
              train_test_split({0, 3}, 2, 0.5, 0, false);
            }).find("label 3"),
            std::string::npos);
  std::vector<int> five(10);
  for (size_t i = 0; i < 10; ++i) five[i] = static_cast<int>(i / 2);
  EXPECT_NE(message_of([&] {
              train_test_split(five, 5, 0.1, 0, true);
            }).find("fewer than the number of classes (5)"),
            std::string::npos);
  EXPECT_THROW(train_test_split({}, 2, 0.5, 0, false), Error);
}

}  // namespace
}  // namespace mllab::ml

// Saving a fitted scaler + model as JSON text and loading it again gives bit-identical output.
#include <gtest/gtest.h>

#include "core/ml/logistic_regression.hpp"
#include "core/ml/model.hpp"
#include "core/ml/standard_scaler.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using testing::load_dataset;

void check_round_trip(const std::string& dataset, int n_classes) {
  SCOPED_TRACE(dataset);
  const auto data = load_dataset(dataset);
  auto scaler = make_transformer("StandardScaler", json::object());
  auto model = make_classifier("LogisticRegression", json{{"C", 0.7}});
  ASSERT_TRUE(scaler.is_ok() && model.is_ok());
  (*scaler)->fit(data.x);
  (*model)->fit((*scaler)->transform(data.x), data.y, n_classes);

  // Through text, as a store would keep it.
  const std::string saved =
      json{{"scaler", (*scaler)->state()}, {"model", (*model)->state()}}.dump();
  const json loaded = json::parse(saved);
  auto scaler2 = make_transformer("StandardScaler", (*scaler)->params());
  auto model2 = make_classifier("LogisticRegression", (*model)->params());
  ASSERT_TRUE(scaler2.is_ok() && model2.is_ok());
  ASSERT_TRUE((*scaler2)->load_state(loaded.at("scaler")).is_ok());
  Status st = (*model2)->load_state(loaded.at("model"));
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  EXPECT_TRUE((*model2)->is_fitted());

  const Matrix p1 = (*model)->predict_proba((*scaler)->transform(data.x));
  const Matrix p2 = (*model2)->predict_proba((*scaler2)->transform(data.x));
  ASSERT_EQ(p1.rows(), p2.rows());
  ASSERT_EQ(p1.cols(), p2.cols());
  EXPECT_TRUE((p1.array() == p2.array()).all()) << "probabilities must be bit-identical";
  EXPECT_EQ((*model)->predict((*scaler)->transform(data.x)),
            (*model2)->predict((*scaler2)->transform(data.x)));
  EXPECT_EQ((*model)->state(), (*model2)->state());
}

TEST(ModelState, BinaryRoundTripIsBitIdentical) { check_round_trip("breast_cancer", 2); }

TEST(ModelState, MulticlassRoundTripIsBitIdentical) { check_round_trip("wine", 3); }

TEST(ModelState, StateLayoutAndValidation) {
  const auto data = load_dataset("iris");
  LogisticRegression model;
  model.fit(data.x, data.y, 3);
  const json s = model.state();
  EXPECT_EQ(s.at("n_classes"), 3);
  EXPECT_EQ(s.at("classes"), json::array({0, 1, 2}));
  EXPECT_EQ(s.at("n_features"), 4);
  EXPECT_EQ(s.at("coef").size(), 3u);
  EXPECT_EQ(s.at("coef")[0].size(), 4u);
  EXPECT_EQ(s.at("intercept").size(), 3u);
  EXPECT_EQ(s.at("n_iter"), model.n_iter());

  LogisticRegression other;
  json wrong = s;
  wrong["coef"][1].erase(0);
  Status st = other.load_state(wrong);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("'coef' row 1"), std::string::npos) << st.message();
  EXPECT_FALSE(other.is_fitted());
  json missing = s;
  missing.erase("intercept");
  EXPECT_FALSE(other.load_state(missing).is_ok());
  EXPECT_FALSE(other.load_state(json::array()).is_ok());
}

TEST(ModelState, DefaultPredictIsArgmaxWithLowestIndexOnTies) {
  // A classifier that only provides probabilities uses Classifier::predict.
  class Fixed : public Classifier {
   public:
    std::string type() const override { return "Fixed"; }
    const json& params() const override { return params_; }
    void fit(const Matrix&, const std::vector<int>&, int) override {}
    Matrix predict_proba(const Matrix&) const override {
      Matrix p(3, 3);
      p << 0.2, 0.5, 0.3, 0.4, 0.2, 0.4, 1.0 / 3, 1.0 / 3, 1.0 / 3;
      return p;
    }
    bool is_fitted() const override { return true; }
    json state() const override { return json::object(); }
    Status load_state(const json&) override { return Status::ok(); }

   private:
    json params_ = json::object();
  };
  Fixed f;
  EXPECT_EQ(f.predict(Matrix(3, 1)), (std::vector<int>{1, 0, 0}));
}

}  // namespace
}  // namespace mllab::ml

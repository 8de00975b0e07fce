#include "core/monitoring/prediction_log.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../registry/registry_test_util.hpp"
#include "core/util/clock.hpp"
#include "core/util/sha256.hpp"

namespace mllab::monitoring {
namespace {

using registry::testing::contains;
using registry::testing::Snapshot;
using registry::testing::snapshot;

// A classification entry of model "iris".
PredictionEntry entry(const std::string& id, const std::string& label, int version, int64_t t,
                      const json& input = nullptr) {
  PredictionEntry e;
  e.prediction_id = id;
  e.model_uri = "models:/iris/" + std::to_string(version);
  e.model_name = "iris";
  e.model_version = version;
  e.run_id = "run" + std::to_string(version);
  e.timestamp_ms = t;
  e.prediction = label;
  e.probability = 0.75;
  if (!input.is_null()) e.input = input;
  return e;
}

class PredictionLogTest : public ::testing::Test {
 protected:
  void SetUp() override { set_clock_for_testing([this] { return now_ += 10; }); }
  void TearDown() override { set_clock_for_testing(nullptr); }

  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  PredictionLog log_{store_};
};

TEST_F(PredictionLogTest, DigestIsSha256OfTheCanonicalRow) {
  data::Table t;
  data::Column a;
  a.name = "a";
  a.numbers = {1.5};
  data::Column b;
  b.name = "b";
  b.type = data::ColumnType::kCategorical;
  b.strings = {"x"};
  b.missing = {0};
  data::Column c;
  c.name = "c";
  c.numbers = {std::nan("")};
  // Column order does not matter: keys are sorted.
  ASSERT_TRUE(t.add_column(c).is_ok());
  ASSERT_TRUE(t.add_column(b).is_ok());
  ASSERT_TRUE(t.add_column(a).is_ok());
  const json row = row_json(t, 0);
  EXPECT_EQ(row.dump(), R"({"a":1.5,"b":"x","c":null})");
  // Python: hashlib.sha256(json.dumps({"a": 1.5, "b": "x", "c": None}, sort_keys=True,
  //                                   separators=(",", ":")).encode()).hexdigest()
  EXPECT_EQ(input_digest(row), "f493e82caee0ec29d0da9379bc6ce123982523883c65add6ec78e0481601d7e2");
}

TEST_F(PredictionLogTest, TenThousandPredictionsInFourCallsAreFourRecords) {
  std::vector<PredictionEntry> all;
  for (int i = 0; i < 10000; ++i) {
    all.push_back(entry("p" + std::to_string(i), i % 3 == 0 ? "setosa" : "virginica", i < 5000 ? 1 : 2, 1000 + i,
                        json{{"x", double(i)}, {"kind", i % 2 ? "odd" : "even"}}));
  }
  for (int call = 0; call < 4; ++call) {
    std::vector<PredictionEntry> part(all.begin() + call * 2500, all.begin() + (call + 1) * 2500);
    ASSERT_TRUE(log_.log(part).is_ok());
  }
  EXPECT_EQ(store_.size(), 4u);
  EXPECT_EQ(store_.keys("predictions/iris/"),
            (std::vector<std::string>{"predictions/iris/00000000", "predictions/iris/00000001",
                                      "predictions/iris/00000002", "predictions/iris/00000003"}));

  auto listed = log_.list("iris");
  ASSERT_TRUE(listed.is_ok()) << listed.status().to_string();
  ASSERT_EQ(listed->size(), 10000u);
  for (size_t i = 0; i < listed->size(); i += 997) {
    EXPECT_EQ((*listed)[i].prediction_id, "p" + std::to_string(i));
    EXPECT_EQ((*listed)[i].input_digest, input_digest(*(*listed)[i].input));
    EXPECT_EQ((*listed)[i].probability, 0.75);
    EXPECT_FALSE((*listed)[i].actual.has_value());
    EXPECT_FALSE((*listed)[i].error.has_value());
  }

  // Filter by version, and keep the newest entries.
  auto v2 = log_.list("iris", 2);
  ASSERT_TRUE(v2.is_ok());
  ASSERT_EQ(v2->size(), 5000u);
  EXPECT_EQ(v2->front().prediction_id, "p5000");
  auto last = log_.list("iris", 1, 3);
  ASSERT_TRUE(last.is_ok());
  ASSERT_EQ(last->size(), 3u);
  EXPECT_EQ((*last)[0].prediction_id, "p4997");
  EXPECT_EQ((*last)[2].prediction_id, "p4999");
  EXPECT_TRUE(log_.list("iris", 3)->empty());
  EXPECT_TRUE(log_.list("wine")->empty());

  // The inputs as a table: what the model saw, for drift.
  auto table = log_.to_table("iris", 2);
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  ASSERT_EQ(table->num_rows(), 5000u);
  ASSERT_EQ(table->num_columns(), 2u);
  EXPECT_EQ(table->column(0).name, "kind");
  EXPECT_EQ(table->column(0).type, data::ColumnType::kCategorical);
  EXPECT_EQ(table->column(1).name, "x");
  EXPECT_EQ(table->column(1).type, data::ColumnType::kNumeric);
  EXPECT_EQ(table->column(1).numbers[0], 5000.0);
  EXPECT_EQ(table->column(0).strings[1], "odd");
}

// The log keeps its next record number between calls (a scoring server must not list its log
// per request) but notices records another writer appended meanwhile: nothing is overwritten.
TEST_F(PredictionLogTest, AppendsAfterRecordsOfAnotherWriter) {
  ASSERT_TRUE(log_.log({entry("a", "setosa", 1, 1)}).is_ok());
  PredictionLog other(store_);  // e.g. another process on the same store
  ASSERT_TRUE(other.log({entry("b", "setosa", 1, 2)}).is_ok());
  ASSERT_TRUE(other.log({entry("c", "setosa", 1, 3)}).is_ok());
  ASSERT_TRUE(log_.log({entry("d", "setosa", 1, 4)}).is_ok());
  ASSERT_TRUE(log_.record_actual("a", "setosa", 5).is_ok());
  ASSERT_TRUE(other.record_actual("b", "setosa", 6).is_ok());
  ASSERT_TRUE(log_.record_actual("d", "virginica", 7).is_ok());
  EXPECT_EQ(store_.keys("predictions/iris/").size(), 4u);
  EXPECT_EQ(store_.keys("prediction_actuals/iris/").size(), 3u);
  auto listed = log_.list("iris");
  ASSERT_TRUE(listed.is_ok());
  std::vector<std::string> ids;
  int with_actual = 0;
  for (const auto& e : *listed) {
    ids.push_back(e.prediction_id);
    with_actual += e.actual.has_value();
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(with_actual, 3);
}

TEST_F(PredictionLogTest, FindTakesTheIdOrAUniquePrefix) {
  ASSERT_TRUE(log_.log({entry("abc123", "setosa", 1, 1), entry("abd456", "virginica", 1, 2)}).is_ok());
  ASSERT_TRUE(log_.log({entry("xyz789", "setosa", 2, 3)}).is_ok());
  auto exact = log_.find("abd456");
  ASSERT_TRUE(exact.is_ok()) << exact.status().to_string();
  EXPECT_EQ(exact->prediction, json("virginica"));
  auto prefix = log_.find("xy");
  ASSERT_TRUE(prefix.is_ok()) << prefix.status().to_string();
  EXPECT_EQ(prefix->prediction_id, "xyz789");
  EXPECT_EQ(prefix->model_version, 2);
  auto ambiguous = log_.find("ab");
  ASSERT_FALSE(ambiguous.is_ok());
  EXPECT_NE(ambiguous.status().message().find("matches 2 predictions"), std::string::npos) << ambiguous.status().message();
  auto none = log_.find("q");
  ASSERT_FALSE(none.is_ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_FALSE(log_.find("").is_ok());
}

TEST_F(PredictionLogTest, ActualsJoinLaterAndGiveErrors) {
  std::vector<PredictionEntry> cls = {entry("a", "setosa", 1, 1), entry("b", "virginica", 1, 2),
                                      entry("c", "1", 2, 3)};
  ASSERT_TRUE(log_.log(cls).is_ok());
  PredictionEntry reg;
  reg.prediction_id = "r1";
  reg.run_id = "0123abcd";  // a model loaded by runs:/ URI logs under its run id
  reg.model_uri = "runs:/0123abcd/model";
  reg.prediction = 2.5;
  reg.timestamp_ms = 4;
  ASSERT_TRUE(log_.log({reg}).is_ok());
  EXPECT_EQ(store_.keys("predictions/0123abcd/").size(), 1u);

  ASSERT_TRUE(log_.record_actual("a", "setosa", 100).is_ok());
  ASSERT_TRUE(log_.record_actuals({{"b", "setosa", 101}, {"c", 1, 102}, {"r1", 4.0, 103}}).is_ok());
  // One record per call and log.
  EXPECT_EQ(store_.keys("prediction_actuals/iris/").size(), 2u);
  EXPECT_EQ(store_.keys("prediction_actuals/0123abcd/").size(), 1u);

  auto listed = log_.list("iris");
  ASSERT_TRUE(listed.is_ok()) << listed.status().to_string();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].actual, json("setosa"));
  EXPECT_EQ((*listed)[0].actual_timestamp_ms, 100);
  EXPECT_EQ((*listed)[0].error, 0.0);  // right
  EXPECT_EQ((*listed)[1].error, 1.0);  // virginica predicted, setosa true
  EXPECT_EQ((*listed)[2].error, 0.0);  // label "1" and the number 1 agree
  auto r = log_.list("0123abcd");
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].error, 1.5);  // |2.5 - 4|

  // A later actual replaces an earlier one.
  ASSERT_TRUE(log_.record_actual("b", "virginica", 200).is_ok());
  EXPECT_EQ((*log_.list("iris"))[1].error, 0.0);

  auto table = log_.to_table("0123abcd", std::nullopt, 0, true);
  ASSERT_TRUE(table.is_ok());
  EXPECT_EQ(table->num_rows(), 0u);  // logged without inputs

  const Snapshot before = snapshot(store_);
  Status st = log_.record_actual("zzz", "setosa", 300);
  EXPECT_EQ(st.code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_EQ(st.message(), "no logged prediction with id 'zzz'");
  // One unknown id refuses the whole call.
  st = log_.record_actuals({{"a", "setosa", 1}, {"zzz", "x", 2}});
  EXPECT_EQ(st.message(), "no logged prediction with id 'zzz'");
  EXPECT_TRUE(contains(log_.record_actual("a", nullptr, 1).message(), "must be a label or a value"));
  EXPECT_EQ(snapshot(store_), before);
}

TEST_F(PredictionLogTest, RefusesBadEntriesWithoutWriting) {
  const Snapshot before = snapshot(store_);
  PredictionEntry no_id = entry("", "x", 1, 1);
  EXPECT_TRUE(contains(log_.log({entry("a", "x", 1, 1), no_id}).message(), "prediction 1: the prediction id is empty"));
  EXPECT_TRUE(contains(log_.log({entry("a", "x", 1, 1), entry("a", "y", 1, 2)}).message(), "repeated"));
  PredictionEntry no_model = entry("b", "x", 1, 1);
  no_model.model_name.clear();
  no_model.run_id.clear();
  EXPECT_TRUE(contains(log_.log({no_model}).message(), "prediction log name is empty"));
  PredictionEntry null_pred = entry("c", "x", 1, 1);
  null_pred.prediction = nullptr;
  EXPECT_TRUE(contains(log_.log({null_pred}).message(), "a label (string) or a value (number)"));
  EXPECT_EQ(snapshot(store_), before);
  EXPECT_TRUE(log_.log({}).is_ok());
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(PredictionLogTest, EntryJsonRoundTrips) {
  PredictionEntry e = entry("id1", "setosa", 3, 1234, json{{"a", 1.5}});
  e.input_digest = input_digest(*e.input);
  e.actual = "virginica";
  e.actual_timestamp_ms = 2000;
  e.error = 1.0;
  const json j = prediction_entry_to_json(e);
  auto back = prediction_entry_from_json(j);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(prediction_entry_to_json(back.value()), j);
  EXPECT_EQ(back->model_version, 3);
  EXPECT_EQ(back->probability, 0.75);
  json bad = j;
  bad["model_version"] = "3";
  EXPECT_TRUE(contains(prediction_entry_from_json(bad).status().message(), "'model_version' must be an integer"));
}

TEST_F(PredictionLogTest, LogsRealPredictionsOfARegisteredModel) {
  tracking::TrackingClient client(store_);
  registry::ModelRegistry reg(store_, client);
  const std::string run = registry::testing::train_run(client, registry::testing::iris_logreg_spec(),
                                                       registry::testing::iris_csv());
  ASSERT_TRUE(reg.register_model("runs:/" + run + "/model", "iris").is_ok());
  auto model = reg.load_model("models:/iris/1");
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  const data::Table full = registry::testing::read_table(registry::testing::iris_csv());
  auto p = registry::predict(model.value(), full.take_rows({0, 50, 100}));
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();

  auto entries = make_entries(model.value(), p.value(), now_);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_NE(entries[0].prediction_id, entries[1].prediction_id);
  EXPECT_EQ(entries[0].model_name, "iris");
  EXPECT_EQ(entries[0].model_version, 1);
  EXPECT_EQ(entries[0].run_id, run);
  EXPECT_EQ(entries[0].model_uri, "models:/iris/1");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(entries[i].prediction, json(p->labels[i]));
    EXPECT_EQ(entries[i].probability, p->probabilities(Eigen::Index(i), p->class_indices[i]));
    ASSERT_TRUE(entries[i].input.has_value());
    EXPECT_EQ(entries[i].input_digest, sha256_hex(entries[i].input->dump()));
    EXPECT_EQ((*entries[i].input)["sepal length (cm)"], full.column("sepal length (cm)")->numbers[i * 50]);
  }
  const size_t records = store_.size();
  ASSERT_TRUE(log_.log(entries).is_ok());
  EXPECT_EQ(store_.size(), records + 1);
  // The true classes of rows 0, 50, 100 are 0, 1, 2.
  ASSERT_TRUE(log_.record_actuals({{entries[0].prediction_id, 0, now_},
                                   {entries[1].prediction_id, 1, now_},
                                   {entries[2].prediction_id, 2, now_}})
                  .is_ok());
  auto listed = log_.list("iris", 1);
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const double right = p->labels[i] == std::to_string(i) ? 0.0 : 1.0;
    EXPECT_EQ((*listed)[i].error, right);
  }
  auto table = log_.to_table("iris", 1, 0, true);
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  EXPECT_EQ(table->num_rows(), 3u);
  EXPECT_EQ(table->num_columns(), 6u);  // four features + prediction + actual
  EXPECT_EQ(table->column("petal width (cm)")->numbers[2], full.column("petal width (cm)")->numbers[100]);
  EXPECT_EQ(table->column("actual")->numbers, (std::vector<double>{0, 1, 2}));

  // Without inputs, only the digest is kept.
  auto lean = make_entries(model.value(), p.value(), now_, false);
  EXPECT_FALSE(lean[0].input.has_value());
  EXPECT_EQ(lean[0].input_digest, entries[0].input_digest);
}

}  // namespace
}  // namespace mllab::monitoring

namespace mllab::monitoring {
namespace {

PredictionEntry entry(int64_t t, std::optional<double> error) {
  PredictionEntry e;
  e.timestamp_ms = t;
  e.error = error;
  return e;
}

TEST(PredictionLogErrorTest, ErrorPerLoggedBatchOverKnownActuals) {
  // Batch 100: 3 predictions, 2 with actuals (one wrong) -> accuracy 0.5; batch 50 earlier:
  // one right -> 1; batch 200: no actuals.
  const std::vector<PredictionEntry> es = {entry(100, 0.0), entry(100, 1.0), entry(100, std::nullopt),
                                           entry(50, 0.0), entry(200, std::nullopt)};
  auto b = error_by_batch(es, false);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].timestamp_ms, 50);
  EXPECT_EQ(b[0].value, 1.0);
  EXPECT_EQ(b[1].predictions, 3u);
  EXPECT_EQ(b[1].with_actual, 2u);
  EXPECT_EQ(b[1].value, 0.5);
  EXPECT_EQ(b[2].with_actual, 0u);
  auto reg = error_by_batch({entry(1, 2.0), entry(1, 4.0)}, true);
  ASSERT_EQ(reg.size(), 1u);
  EXPECT_EQ(reg[0].value, 3.0);  // mean absolute error
}

}  // namespace
}  // namespace mllab::monitoring

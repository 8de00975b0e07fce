// Training in units: a pipeline's fit task and the model writer equal their one-shot versions,
// and a TrainJob advances through folds, trees and row chunks with smooth progress, stage text
// naming the unit, and a clean KILLED run when cancelled mid-fit.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/pipeline/fitted_pipeline.hpp"
#include "core/pipeline/train_job.hpp"
#include "core/store/store.hpp"
#include "core/util/clock.hpp"

namespace mllab::pipeline {
namespace {

using tracking::RunStatus;

const std::string& birdstrikes_bytes() {
  static const std::string bytes = [] {
    std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/assets/datasets/birdstrikes.csv", std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return bytes;
}

// birdstrikes' damage class from one-hot categories and the imputed speed (the example spec),
// with the estimator `model`.
PipelineSpec birdstrikes_spec(const json& model, int cv = 0) {
  json doc = {{"schema", "mllab.pipeline"},
              {"schema_version", 1},
              {"experiment", "birdstrikes"},
              {"run_name", "sliced"},
              {"dataset", {{"path", "assets/datasets/birdstrikes.csv"}, {"target", "Effect Amount of damage"}}},
              {"split", {{"test_size", 0.2}, {"random_state", 42}, {"stratify", false}}},
              {"steps",
               {{{"name", "cats"}, {"type", "OneHotEncoder"},
                 {"columns", {"Wildlife Size", "Phase of flight", "Time of day"}},
                 {"params", {{"handle_unknown", "ignore"}}}},
                {{"name", "speed"}, {"type", "SimpleImputer"}, {"columns", {"Speed IAS in knots"}},
                 {"params", {{"strategy", "median"}}}},
                model}}};
  if (cv > 0) doc["evaluate"] = {{"cv", cv}};
  auto r = parse_pipeline_spec(doc);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.value();
}

json forest(int n) {
  return {{"name", "model"}, {"type", "RandomForestClassifier"}, {"params", {{"n_estimators", n}, {"random_state", 0}}}};
}

DatasetSource birdstrikes_source() {
  DatasetSource src;
  src.name = "birdstrikes";
  src.path = "assets/datasets/birdstrikes.csv";
  src.source_type = "builtin";
  src.bytes = birdstrikes_bytes();
  return src;
}

struct Training {
  data::Table x;
  std::vector<int> y;
  int k = 0;
};

Training training_table(size_t rows) {
  auto table = data::read_csv(birdstrikes_bytes(), {});
  EXPECT_TRUE(table.is_ok());
  auto labels = encode_labels(*table, "Effect Amount of damage");
  EXPECT_TRUE(labels.is_ok());
  std::vector<size_t> keep;
  Training t;
  for (size_t i = 0; i < labels->y.size() && keep.size() < rows; ++i) {
    if (labels->y[i] >= 0) { keep.push_back(i); t.y.push_back(labels->y[i]); }
  }
  t.x = table->take_rows(keep);
  t.k = int(labels->classes.size());
  return t;
}

TEST(PipelineFitTaskTest, StepsThenTreesOneUnitEachGiveTheOneShotModel) {
  const Training t = training_table(3000);
  auto one = FittedPipeline::from_spec(birdstrikes_spec(forest(15)));
  auto sliced = FittedPipeline::from_spec(birdstrikes_spec(forest(15)));
  ASSERT_TRUE(one.is_ok() && sliced.is_ok());
  one->fit(t.x, t.y, t.k);
  auto task = sliced->fit_task(t.x, t.y, t.k);
  EXPECT_EQ(task->describe(), "step 'cats' (OneHotEncoder)");
  std::vector<std::string> seen;
  double last = fit_fraction(*task);
  int steps = 0;
  while (task->step()) {
    ++steps;
    seen.push_back(task->describe());
    EXPECT_GE(fit_fraction(*task), last);
    last = fit_fraction(*task);
  }
  ++steps;
  EXPECT_EQ(steps, 2 + 15) << "two column steps, then one tree per unit";
  EXPECT_EQ(seen.front(), "step 'speed' (SimpleImputer)");
  EXPECT_EQ(seen[1], "tree 0/15");
  EXPECT_EQ(seen[2], "tree 1/15");
  EXPECT_EQ(fit_fraction(*task), 1.0);
  EXPECT_EQ(sliced->to_json().dump(), one->to_json().dump());
}

TEST(PipelineFitTaskTest, MatrixStepsAreUnitsToo) {
  const Training t = training_table(800);
  json doc = pipeline_spec_to_json(birdstrikes_spec(forest(4)));
  json scale = json::object();
  scale["name"] = "scale";
  scale["type"] = "StandardScaler";
  scale["params"] = json::object({{"with_mean", false}});
  doc["steps"].insert(doc["steps"].begin() + 2, scale);
  auto spec = parse_pipeline_spec(doc);
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  auto one = FittedPipeline::from_spec(*spec), sliced = FittedPipeline::from_spec(*spec);
  one->fit(t.x, t.y, t.k);
  auto task = sliced->fit_task(t.x, t.y, t.k);
  int steps = 1;
  while (task->step()) ++steps;
  EXPECT_EQ(steps, 3 + 4);
  EXPECT_EQ(sliced->to_json().dump(), one->to_json().dump());
}

TEST(ModelTextWriterTest, WritesExactlyTheDocumentsDumpOneTreePerUnit) {
  const Training t = training_table(2000);
  for (const json& model : {forest(7), json{{"name", "model"}, {"type", "LogisticRegression"}, {"params", {{"max_iter", 300}}}}}) {
    auto p = FittedPipeline::from_spec(birdstrikes_spec(model));
    ASSERT_TRUE(p.is_ok());
    p->classes = {"a", "b"};
    p->fit(t.x, t.y, t.k);
    ModelTextWriter w(*p);
    int steps = 1;
    while (w.step()) ++steps;
    const bool is_forest = model["type"] == "RandomForestClassifier";
    EXPECT_EQ(steps, is_forest ? 1 + 7 : 1);
    EXPECT_EQ(w.trees(), is_forest ? 7 : 0);
    const std::string text = w.take_text();
    EXPECT_EQ(text, p->to_json().dump()) << model["type"];
    EXPECT_TRUE(FittedPipeline::from_json(json::parse(text)).is_ok());
  }
}

class TrainJobSlicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_clock_for_testing([this] { return now_ += 10; });
  }
  void TearDown() override { set_clock_for_testing(nullptr); }
  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  tracking::TrackingClient client_{store_};
};

TEST_F(TrainJobSlicesTest, FoldsTreesAndRowChunksAdvanceSmoothlyToTheSameModel) {
  TrainJob job(birdstrikes_spec(forest(20), 3), birdstrikes_source(), client_, "test");
  std::set<std::string> texts;
  double last = 0, max_jump = 0;
  int steps = 0;
  while (job.step()) {
    ++steps;
    texts.insert(job.stage_text());
    EXPECT_GE(job.progress(), last) << job.stage_text();
    max_jump = std::max(max_jump, job.progress() - last);
    last = job.progress();
  }
  ASSERT_TRUE(job.status().is_ok()) << job.status().to_string();
  EXPECT_GT(steps, 4 * 20) << "three folds and the final fit, a tree per step";
  EXPECT_LT(max_jump, 0.06) << "progress moves in small steps";
  for (const char* want : {"fold 2/3 \u00b7 tree 7/20", "fold 3/3 \u00b7 scoring", "fitting \u00b7 tree 19/20",
                           "saving model \u00b7 tree 10/20"}) {
    EXPECT_TRUE(texts.count(want)) << want;
  }
  const size_t n_rows = std::stoul(client_.get_run(job.run_id())->params.at("n_train")) +
                        std::stoul(client_.get_run(job.run_id())->params.at("n_test"));
  EXPECT_TRUE(texts.count("evaluating \u00b7 rows 256/" + std::to_string(n_rows)));
  auto run = client_.get_run(job.run_id());
  ASSERT_TRUE(run.is_ok());
  EXPECT_EQ(run->status, RunStatus::kFinished);
  EXPECT_EQ(run->tags.at("mllab.model_trees"), "20");
  // The saved model is the forest a one-shot fit grows on the run's own training rows.
  json split = json::parse(client_.get_artifact(job.run_id(), "split.json").value());
  auto table = data::read_csv(birdstrikes_bytes(), {});
  auto labels = encode_labels(*table, "Effect Amount of damage");
  std::vector<size_t> train = split["train"].get<std::vector<size_t>>();
  std::vector<int> y;
  for (size_t r : train) y.push_back(labels->y[r]);
  auto one = FittedPipeline::from_spec(birdstrikes_spec(forest(20)));
  one->fit(table->take_rows(train), y, int(labels->classes.size()));
  json saved = json::parse(client_.get_artifact(job.run_id(), "model/pipeline.json").value());
  EXPECT_EQ(saved["steps"].dump(), one->to_json()["steps"].dump());
  // And its metrics are the one-shot model's on the test rows.
  std::vector<size_t> test = split["test"].get<std::vector<size_t>>();
  auto pred = one->predict(table->take_rows(test));
  size_t right = 0;
  for (size_t i = 0; i < test.size(); ++i) right += pred[i] == labels->y[test[i]] ? 1 : 0;
  EXPECT_DOUBLE_EQ(run->metrics.at("accuracy").value, double(right) / double(test.size()));
}

TEST_F(TrainJobSlicesTest, CancelMidFitEndsKilledWithNothingHalfWritten) {
  TrainJob job(birdstrikes_spec(forest(40)), birdstrikes_source(), client_, "test");
  while (job.step() && job.stage_text() != "fitting \u00b7 tree 12/40") {
  }
  ASSERT_EQ(job.stage_text(), "fitting \u00b7 tree 12/40");
  const double at = job.progress();
  EXPECT_GT(at, 0.3);
  EXPECT_LT(at, 0.5);
  job.cancel();
  EXPECT_FALSE(job.step());
  EXPECT_TRUE(job.done());
  auto run = client_.get_run(job.run_id());
  ASSERT_TRUE(run.is_ok());
  EXPECT_EQ(run->status, RunStatus::kKilled);
  EXPECT_NE(run->tags.at("mllab.error").find("cancel"), std::string::npos);
  EXPECT_TRUE(run->metrics.empty());
  EXPECT_TRUE(run->artifacts.empty());
  EXPECT_TRUE(store_.keys("artifacts/" + job.run_id() + "/").empty());
  EXPECT_TRUE(store_.keys("metrics/" + job.run_id() + "/").empty());
}

TEST_F(TrainJobSlicesTest, AdvanceKeepsToItsBudgetAtTreeGranularity) {
  TrainJob job(birdstrikes_spec(forest(30)), birdstrikes_source(), client_, "test");
  // With a tiny budget each advance() does one unit: the job needs about as many calls as units.
  int calls = 0;
  while (job.advance(0.0)) ++calls;
  EXPECT_GT(calls, 30 + 30);  // trees of the fit and of the saved document, row chunks, stages
  EXPECT_TRUE(job.status().is_ok()) << job.status().to_string();
}

}  // namespace
}  // namespace mllab::pipeline

namespace mllab::pipeline {
namespace {

// Measures (prints, does not assert) the longest unit of each stage of RandomForest(300) on
// birdstrikes: what a browser frame may have to wait for.
TEST(TrainJobUnitTimesTest, PrintsTheLongestUnitPerStageOfAForestOf300) {
  store::MemoryStore store;
  tracking::TrackingClient client{store};
  TrainJob job(birdstrikes_spec(forest(300)), birdstrikes_source(), client, "test");
  std::map<std::string, std::pair<double, int>> longest;  // stage -> (ms, units)
  while (!job.done()) {
    std::string stage = job.stage_text();
    stage = stage.substr(0, stage.find(" \u00b7"));
    const auto t0 = std::chrono::steady_clock::now();
    job.step();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    auto& [max_ms, units] = longest[stage];
    max_ms = std::max(max_ms, ms);
    ++units;
  }
  ASSERT_TRUE(job.status().is_ok()) << job.status().to_string();
  for (const auto& [stage, v] : longest) {
    std::printf("  %-30s longest unit %7.2f ms over %d units\n", stage.c_str(), v.first, v.second);
  }
}

}  // namespace
}  // namespace mllab::pipeline

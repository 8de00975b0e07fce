// The memory budget of runs: estimates of large fits refused before fitting, fits under budget
// that finish with their model's size, the spec's "resources" field and the budget override,
// and the bounded counts (search candidates, folds, n_estimators, max_iter).
#include "core/pipeline/memory_budget.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/ml/model.hpp"
#include "core/pipeline/train_job.hpp"
#include "core/store/store.hpp"
#include "core/util/clock.hpp"

namespace mllab::pipeline {
namespace {

using tracking::RunStatus;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

json resolved(const std::string& type, const json& params) {
  auto r = ml::validate_step_params(type, params);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.value();
}

// The issue's case: 200,000 rows x 20 features, two classes, nothing measured.
FitShape issue_shape() {
  FitShape s;
  s.rows = 200000;
  s.cols = 20;
  s.n_classes = 2;
  s.held_bytes = 40 << 20;  // a ~40 MB CSV and its tables
  return s;
}

TEST(MemoryBudget, TheIssuesDefaultForestIsRefusedBeforeFittingNamingNumbersAndParameters) {
  const FitShape shape = issue_shape();
  const MemoryEstimate e = estimate_fit_memory("RandomForestClassifier", resolved("RandomForestClassifier", {}), shape);
  // A bootstrap sample holds about 0.64 n distinct rows, one leaf each at most: 2 * 128,001 - 1.
  EXPECT_EQ(e.node_bound, 256001);
  EXPECT_EQ(e.nodes_per_tree, e.node_bound) << "nothing measured: the bound";
  EXPECT_EQ(e.trees, 100);
  EXPECT_GT(e.bytes, int64_t(2) << 30) << "the issue measured 2.1 GB with fewer nodes than the bound";
  Status st = check_memory_budget(e, shape, kDefaultMemoryBudgetMb);
  ASSERT_FALSE(st.is_ok());
  const std::string& m = st.message();
  for (const char* part : {"RandomForestClassifier(n_estimators=100) on 200,000 rows x 20 features needs about ",
                           " GB", "100 trees of up to 256,001 nodes each", "the memory budget is 1.0 GB",
                           "set max_depth or min_samples_leaf, or fewer n_estimators",
                           "\"resources\": {\"memory_budget_mb\": ", "--memory-budget"}) {
    EXPECT_TRUE(contains(m, part)) << "missing '" << part << "' in: " << m;
  }
  // The budget it suggests is enough.
  const int64_t suggested = std::stoll(m.substr(m.find("--memory-budget ") + 16));
  EXPECT_TRUE(check_memory_budget(e, shape, suggested).is_ok()) << suggested;
  EXPECT_FALSE(check_memory_budget(e, shape, suggested - 2).is_ok()) << suggested;
}

TEST(MemoryBudget, DepthLeafSizeDistinctRowsAndAMeasuredTreeShrinkTheEstimate) {
  FitShape shape = issue_shape();
  auto bound = [&](const json& params) {
    return tree_node_bound("RandomForestClassifier", resolved("RandomForestClassifier", params), shape);
  };
  EXPECT_EQ(bound({{"max_depth", 10}}), 2047);
  EXPECT_EQ(bound({{"min_samples_leaf", 50}}), 7999);  // 200,000 / 50 leaves
  EXPECT_EQ(bound({{"bootstrap", false}}), 399999);    // every row
  shape.distinct_rows = 500;
  EXPECT_EQ(bound({}), 999);
  shape.distinct_rows = 0;

  const json depth10 = resolved("RandomForestClassifier", {{"max_depth", 10}});
  const MemoryEstimate e = estimate_fit_memory("RandomForestClassifier", depth10, shape);
  EXPECT_TRUE(check_memory_budget(e, shape, kDefaultMemoryBudgetMb).is_ok()) << format_bytes(e.bytes);
  // More trees, more memory; a measured probe tree (x 1.25) replaces the bound when smaller.
  const MemoryEstimate more = estimate_fit_memory(
      "RandomForestClassifier", resolved("RandomForestClassifier", {{"max_depth", 10}, {"n_estimators", 1000}}), shape);
  EXPECT_GT(more.bytes, e.bytes);
  shape.measured_nodes_per_tree = 1000;
  const MemoryEstimate measured = estimate_fit_memory("RandomForestClassifier", resolved("RandomForestClassifier", {}), shape);
  EXPECT_EQ(measured.nodes_per_tree, 1266);
  shape.measured_nodes_per_tree = 100000;
  EXPECT_EQ(estimate_fit_memory("RandomForestClassifier", depth10, shape).nodes_per_tree, 2047) << "never above the bound";
}

TEST(MemoryBudget, OtherEstimatorsAreEstimatedAndAdvisedByTheirOwnParameters) {
  FitShape shape = issue_shape();
  shape.cols = 5000;  // 200,000 x 5,000 dense: 8 GB of features
  for (const char* type : {"LogisticRegression", "HistGradientBoostingClassifier", "DecisionTreeClassifier"}) {
    const MemoryEstimate e = estimate_fit_memory(type, resolved(type, {}), shape);
    EXPECT_GT(e.bytes, int64_t(8) << 30) << type;
    Status st = check_memory_budget(e, shape, kDefaultMemoryBudgetMb);
    ASSERT_FALSE(st.is_ok()) << type;
    EXPECT_TRUE(contains(st.message(), std::string(type) + "(")) << st.message();
    EXPECT_TRUE(contains(st.message(), "200,000 rows x 5,000 features")) << st.message();
  }
  EXPECT_TRUE(contains(estimate_fit_memory("HistGradientBoostingClassifier",
                                           resolved("HistGradientBoostingClassifier", {}), shape).advice, "max_iter"));
  // Gradient boosting: max_iter trees per class (more than two classes).
  shape.cols = 20;
  shape.n_classes = 5;
  const MemoryEstimate hgb = estimate_fit_memory("HistGradientBoostingClassifier",
                                                 resolved("HistGradientBoostingClassifier", {{"max_iter", 200}}), shape);
  EXPECT_EQ(hgb.trees, 1000);
  EXPECT_EQ(hgb.node_bound, 61) << "max_leaf_nodes 31";
}

TEST(MemoryBudget, SizesAndCountsFormat) {
  EXPECT_EQ(format_bytes(512), "512 bytes");
  EXPECT_EQ(format_bytes(1536), "1.5 KB");
  EXPECT_EQ(format_bytes(int64_t(1) << 30), "1.0 GB");
  EXPECT_EQ(format_count(200000), "200,000");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1234567), "1,234,567");
}

TEST(MemoryBudget, ModelSizeCountsTheTreesOfTheFinalStep) {
  json tree = {{"n_values", 1}, {"feature", {0, -1, -1}}, {"threshold", {0.5, 0, 0}}, {"left", {1, -1, -1}},
               {"right", {2, -1, -1}}, {"value", {1, 2, 3}}};
  json doc = {{"steps", {{{"state", {{"trees", {tree, tree}}}}}}}};
  const ModelSize s = model_size(doc, 1234);
  EXPECT_EQ(s.document_bytes, 1234);
  EXPECT_EQ(s.trees, 2);
  EXPECT_EQ(s.nodes, 6);
  EXPECT_EQ(model_size(json{{"steps", {{{"state", {{"coef", {1, 2}}}}}}}}, 10).trees, 0);
}

// ---------------------------------------------------------------------------------------------
// The spec's field and the bounded counts

json base_spec() {
  return {{"schema", "mllab.pipeline"},
          {"schema_version", 1},
          {"experiment", "budget"},
          {"run_name", "rf"},
          {"dataset", {{"path", "assets/datasets/breast_cancer.csv"}, {"target", "target"}}},
          {"split", {{"test_size", 0.2}, {"random_state", 42}, {"stratify", true}}},
          {"steps", {{{"name", "model"}, {"type", "RandomForestClassifier"},
                      {"params", {{"n_estimators", 20}, {"random_state", 0}}}}}}};
}

std::string spec_error(const json& doc) {
  auto r = parse_pipeline_spec(doc);
  return r.is_ok() ? std::string("(accepted)") : r.status().message();
}

TEST(MemoryBudgetSpec, ResourcesMemoryBudgetIsReadValidatedAndWrittenBack) {
  json doc = base_spec();
  doc["resources"] = {{"memory_budget_mb", 4096}};
  auto spec = parse_pipeline_spec(doc);
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  EXPECT_EQ(spec->resources.memory_budget_mb, 4096);
  EXPECT_EQ(pipeline_spec_to_json(*spec)["resources"]["memory_budget_mb"], 4096);
  EXPECT_FALSE(pipeline_spec_to_json(parse_pipeline_spec(base_spec()).value()).contains("resources"))
      << "specs without the field keep their canonical form (and digest)";

  for (const json& bad : {json(0), json(-5), json("big"), json(1.5), json(true), json(1e9)}) {
    doc["resources"] = {{"memory_budget_mb", bad}};
    const std::string m = spec_error(doc);
    EXPECT_TRUE(contains(m, "resources.memory_budget_mb: must be")) << bad.dump() << ": " << m;
  }
  doc["resources"] = {{"memory_budget_mb", 1e9}};
  EXPECT_TRUE(contains(spec_error(doc), "[1, 1,048,576]")) << spec_error(doc);
  doc["resources"] = {{"memory_budget", 10}};
  EXPECT_TRUE(contains(spec_error(doc), "unknown field 'memory_budget' in resources")) << spec_error(doc);
  doc["resources"] = 5;
  EXPECT_EQ(spec_error(doc), "resources: must be an object");
}

TEST(MemoryBudgetSpec, SearchCandidatesAndFoldsAreBoundedNamingTheLimit) {
  json doc = base_spec();
  doc["search"] = {{"type", "random"}, {"n_iter", 1e9}, {"param_grid", {{"model__max_depth", {2, 3}}}}};
  std::string m = spec_error(doc);
  EXPECT_TRUE(contains(m, "search.n_iter: must be in [")) << m;
  EXPECT_TRUE(contains(m, "10,000]")) << m;
  EXPECT_TRUE(contains(m, "1000000000")) << m;
  doc["search"]["n_iter"] = 10000;
  EXPECT_EQ(spec_error(doc), "(accepted)");

  // A grid of 5 x 10 x 10 x 10 x 10 = 50,000 candidates.
  json grid = {{"model__max_depth", json::array()}, {"model__min_samples_leaf", json::array()},
               {"model__min_samples_split", json::array()}, {"model__n_estimators", json::array()},
               {"model__criterion", {"gini", "entropy", "log_loss", "gini", "entropy"}}};
  for (int i = 1; i <= 10; ++i) {
    grid["model__max_depth"].push_back(i);
    grid["model__min_samples_leaf"].push_back(i);
    grid["model__min_samples_split"].push_back(i + 1);
    grid["model__n_estimators"].push_back(i);
  }
  doc["search"] = {{"type", "grid"}, {"param_grid", grid}};
  m = spec_error(doc);
  EXPECT_TRUE(contains(m, "more than 10,000 candidates")) << m;

  doc = base_spec();
  doc["evaluate"] = {{"cv", 1e9}};
  m = spec_error(doc);
  EXPECT_TRUE(contains(m, "evaluate.cv: must be in [")) << m;
  EXPECT_TRUE(contains(m, "1,000]")) << m;
  doc["evaluate"] = {{"cv", 5}};
  doc["search"] = {{"type", "grid"}, {"cv", 100000}, {"param_grid", {{"model__max_depth", {2, 3}}}}};
  EXPECT_TRUE(contains(spec_error(doc), "search.cv: must be in [")) << spec_error(doc);
  doc["search"]["cv"] = "5";
  EXPECT_TRUE(contains(spec_error(doc), "search.cv: must be an integer")) << spec_error(doc);
}

TEST(MemoryBudgetSpec, ParameterTablesBoundCountsThatMultiplyWork) {
  auto error = [](const std::string& type, const json& params) {
    auto r = ml::validate_step_params(type, params);
    return r.is_ok() ? std::string("(accepted)") : r.status().message();
  };
  EXPECT_TRUE(contains(error("RandomForestClassifier", {{"n_estimators", 10001}}), "'n_estimators' must be in [1, 10000]"));
  EXPECT_EQ(error("RandomForestRegressor", {{"n_estimators", 10000}}), "(accepted)");
  EXPECT_TRUE(contains(error("HistGradientBoostingClassifier", {{"max_iter", 1000000}}), "'max_iter' must be in [1, 10000]"));
  EXPECT_TRUE(contains(error("HistGradientBoostingRegressor", {{"n_iter_no_change", 20000}}), "in [1, 10000]"));
  EXPECT_TRUE(contains(error("LogisticRegression", {{"max_iter", 1e9}}), "'max_iter' must be in [1, 100000]"));
  // The tables carry the limits the UI forms show.
  for (const auto& p : *ml::param_specs_for("RandomForestClassifier")) {
    if (p.name == "n_estimators") { EXPECT_EQ(p.max, 10000); }
  }
}

// ---------------------------------------------------------------------------------------------
// Runs

std::string breast_cancer_bytes() {
  std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/assets/datasets/breast_cancer.csv", std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class MemoryBudgetRun : public ::testing::Test {
 protected:
  void SetUp() override {
    set_clock_for_testing([this] { return now_ += 10; });
  }
  void TearDown() override { set_clock_for_testing(nullptr); }

  std::unique_ptr<TrainJob> run(const json& doc, int64_t override_mb = 0) {
    auto spec = parse_pipeline_spec(doc);
    EXPECT_TRUE(spec.is_ok()) << spec.status().to_string();
    DatasetSource src;
    src.name = "breast_cancer";
    src.path = "assets/datasets/breast_cancer.csv";
    src.source_type = "builtin";
    src.bytes = breast_cancer_bytes();
    auto job = std::make_unique<TrainJob>(spec.value(), src, client_, "test");
    job->set_memory_budget_mb(override_mb);
    job->run_to_end();
    return job;
  }

  tracking::Run get(const TrainJob& job) {
    auto r = client_.get_run(job.run_id());
    EXPECT_TRUE(r.is_ok());
    return r.value();
  }

  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  tracking::TrackingClient client_{store_};
};

TEST_F(MemoryBudgetRun, AForestUnderBudgetFitsAndTheRunShowsItsModelsSize) {
  auto job = run(base_spec());
  ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
  const tracking::Run r = get(*job);
  EXPECT_EQ(r.status, RunStatus::kFinished);
  const std::string text = client_.get_artifact(r.run_id, "model/pipeline.json").value();
  EXPECT_EQ(r.tags.at("mllab.model_size_bytes"), std::to_string(text.size()));
  const ModelSize size = model_size(json::parse(text), int64_t(text.size()));
  EXPECT_EQ(size.trees, 20);
  EXPECT_GT(size.nodes, 20 * 3);
  EXPECT_EQ(r.tags.at("mllab.model_trees"), "20");
  EXPECT_EQ(r.tags.at("mllab.model_nodes"), std::to_string(size.nodes));
  EXPECT_EQ(r.tags.at("mllab.memory_budget_mb"), "1024");
  const int64_t estimate = std::stoll(r.tags.at("mllab.memory_estimate_bytes"));
  // Upper-ish: at least the model's text, far below the budget.
  EXPECT_GT(estimate, int64_t(text.size()));
  EXPECT_LT(estimate, int64_t(256) << 20);
  std::printf("breast_cancer RF(20): estimate %s, pipeline.json %s, %lld nodes\n", format_bytes(estimate).c_str(),
              format_bytes(int64_t(text.size())).c_str(), static_cast<long long>(size.nodes));

  // A model without trees has a size but no tree tags.
  json lr = base_spec();
  lr["steps"] = {{{"name", "model"}, {"type", "LogisticRegression"}, {"params", {{"max_iter", 1000}}}}};
  auto job2 = run(lr);
  ASSERT_TRUE(job2->status().is_ok()) << job2->status().to_string();
  const tracking::Run r2 = get(*job2);
  EXPECT_GT(std::stoll(r2.tags.at("mllab.model_size_bytes")), 0);
  EXPECT_FALSE(r2.tags.count("mllab.model_trees"));
}

TEST_F(MemoryBudgetRun, OverBudgetFailsCleanlyBeforeFittingAndTheOverrideWins) {
  json doc = base_spec();
  doc["steps"][0]["params"]["n_estimators"] = 2000;
  doc["resources"] = {{"memory_budget_mb", 8}};
  auto job = run(doc);
  ASSERT_FALSE(job->status().is_ok());
  const std::string& m = job->status().message();
  EXPECT_TRUE(contains(m, "RandomForestClassifier(n_estimators=2000) on 455 rows x 30 features needs about")) << m;
  EXPECT_TRUE(contains(m, "the memory budget is 8.0 MB")) << m;
  const tracking::Run r = get(*job);
  EXPECT_EQ(r.status, RunStatus::kFailed);
  EXPECT_EQ(r.tags.at("mllab.error"), m);
  EXPECT_EQ(r.tags.at("mllab.memory_budget_mb"), "8");
  EXPECT_TRUE(r.artifacts.empty()) << "nothing fitted, nothing saved";
  EXPECT_TRUE(r.metrics.empty());
  EXPECT_FALSE(r.params.count("model__n_estimators")) << "the fit stage was never reached";

  // The caller's budget (mllab run --memory-budget) overrides the spec's, both ways.
  auto raised = run(doc, 4096);
  EXPECT_TRUE(raised->status().is_ok()) << raised->status().to_string();
  EXPECT_EQ(get(*raised).tags.at("mllab.memory_budget_mb"), "4096");
  auto lowered = run(base_spec(), 1);
  EXPECT_FALSE(lowered->status().is_ok());
  EXPECT_TRUE(contains(lowered->status().message(), "the memory budget is 1.0 MB")) << lowered->status().message();
}

TEST_F(MemoryBudgetRun, ASearchNamesTheCandidateThatDoesNotFit) {
  json doc = base_spec();
  doc["search"] = {{"type", "grid"}, {"cv", 3}, {"param_grid", {{"model__n_estimators", {5, 3000}}}}};
  doc["resources"] = {{"memory_budget_mb", 24}};
  auto job = run(doc);
  ASSERT_FALSE(job->status().is_ok());
  const std::string& m = job->status().message();
  EXPECT_TRUE(contains(m, "search candidate {\"model__n_estimators\":3000}: "
                          "RandomForestClassifier(n_estimators=3000)")) << m;
  doc["search"]["param_grid"]["model__n_estimators"] = {5, 10};
  auto ok = run(doc);
  EXPECT_TRUE(ok->status().is_ok()) << ok->status().to_string();
}

TEST_F(MemoryBudgetRun, MoreFoldsThanTrainingRowsFailNamingBoth) {
  json doc = base_spec();
  doc["evaluate"] = {{"cv", 500}};
  auto job = run(doc);
  ASSERT_FALSE(job->status().is_ok());
  EXPECT_EQ(job->status().message(),
            "evaluate.cv: 500 folds need at least 500 training rows (the training split has 455)");
}

}  // namespace
}  // namespace mllab::pipeline

// The tracking entities' JSON shapes (run_json.hpp): the whole run (artifacts as MLflow's
// FileInfo, inputs as MLflow's DatasetInput), metrics and experiments with MLflow's names.
#include "core/tracking/run_json.hpp"

#include <set>

#include <gtest/gtest.h>

namespace mllab::tracking {
namespace {

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

Run sample_run() {
  Run r;
  r.run_id = "abc123";
  r.experiment_id = "1";
  r.run_name = "rf-100";
  r.status = RunStatus::kFinished;
  r.start_time = 1000;
  r.end_time = 2500;
  r.params = {{"model__n_estimators", "100"}};
  r.tags = {{"mlflow.runName", "rf-100"}};
  r.metrics["accuracy"] = {"accuracy", 0.875, 2400, 3};
  r.artifacts.push_back({"model/pipeline.json", "application/json", 2048, "ff00"});
  DatasetInput in;
  in.name = "sentiment";
  in.digest = "d1g3st";
  in.source_type = "builtin";
  in.source = "assets/datasets/sentiment.csv";
  in.schema = {{"columns", json::array({{{"name", "text"}, {"type", "string"}}})}};
  in.num_rows = 2000;
  in.context = "training";
  r.inputs.push_back(in);
  return r;
}

TEST(RunJsonTest, FullRunIsTheSummaryPlusArtifactsAndInputs) {
  const auto r = sample_run();
  const json j = run_to_json(r);
  EXPECT_EQ(keys(j), (std::set<std::string>{"run_id", "experiment_id", "run_name", "status", "start_time", "end_time",
                                            "lifecycle_stage", "params", "metrics", "tags", "artifacts", "inputs"}));
  json summary = j;
  summary.erase("artifacts");
  summary.erase("inputs");
  EXPECT_EQ(summary, run_to_summary_json(r)) << "the summary is the same fields, not a second shape";
  EXPECT_EQ(j["metrics"], json({{"accuracy", 0.875}}));
  EXPECT_EQ(j["artifacts"], json::parse(R"([{"path": "model/pipeline.json", "media_type": "application/json",
                                              "file_size": 2048, "sha256": "ff00"}])"));
  EXPECT_EQ(j["inputs"][0], json::parse(R"({"dataset": {"name": "sentiment", "digest": "d1g3st", "source_type": "builtin",
      "source": "assets/datasets/sentiment.csv", "schema": {"columns": [{"name": "text", "type": "string"}]}, "num_rows": 2000},
      "tags": {"mlflow.data.context": "training", "mllab.data.context": "training"}})"));
}

TEST(RunJsonTest, ListsMetricsAndExperiments) {
  const json list = runs_to_summary_json({sample_run(), sample_run()});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_FALSE(list[0].contains("artifacts")) << "lists hold summaries";
  EXPECT_EQ(metric_to_json({"loss", 0.25, 77, 4}), json::parse(R"({"key": "loss", "value": 0.25, "timestamp": 77, "step": 4})"));
  Experiment e;
  e.experiment_id = "3";
  e.name = "sweep";
  e.creation_time = 5;
  e.last_update_time = 6;
  e.tags = {{"team", "a"}};
  EXPECT_EQ(experiment_to_json(e), json::parse(R"({"experiment_id": "3", "name": "sweep", "lifecycle_stage": "active",
      "creation_time": 5, "last_update_time": 6, "tags": {"team": "a"}})"));
}

}  // namespace
}  // namespace mllab::tracking

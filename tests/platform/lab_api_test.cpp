// The JSON entry point window.mllab uses, driven through a whole MLOps workflow.
#include "platform/lab_api.hpp"

#include <gtest/gtest.h>

#include <set>

namespace mllab::platform {
namespace {

using json = nlohmann::json;

class LabApiTest : public ::testing::Test {
 protected:
  LabApiTest() : lab_(std::make_unique<store::MemoryStore>(), MLLAB_SOURCE_DIR) {}

  json call(const std::string& method, const json& args) {
    json r = lab_api_call(lab_, method, args);
    EXPECT_TRUE(r["ok"].get<bool>()) << method << ": " << r.dump();
    return r["result"];
  }
  std::string error(const std::string& method, const json& args) {
    json r = lab_api_call(lab_, method, args);
    EXPECT_FALSE(r["ok"].get<bool>()) << method << " should fail";
    return r.value("error", "");
  }
  std::string train_iris() {
    auto job = lab_.make_train_job(R"({"schema": "mllab.pipeline", "schema_version": 1, "experiment": "iris",
      "dataset": {"path": "assets/datasets/iris.csv", "target": "target"},
      "steps": [{"type": "StandardScaler"}, {"type": "LogisticRegression"}]})", "test");
    EXPECT_TRUE(job.is_ok());
    (*job)->run_to_end();
    EXPECT_TRUE((*job)->status().is_ok());
    return (*job)->run_id();
  }
  Lab lab_;
};

TEST_F(LabApiTest, RegistryPredictAndDriftThroughJson) {
  const std::string run = train_iris();
  json v = call("registerModel", {{"model_uri", "runs:/" + run + "/model"}, {"name", "iris"}});
  EXPECT_EQ(v["version"], "1");
  call("transitionModelVersionStage", {{"name", "iris"}, {"version", 1}, {"stage", "Staging"}});
  call("setRegisteredModelAlias", {{"name", "iris"}, {"alias", "champion"}, {"version", "1"}});
  json rows = json::array({{{"sepal length (cm)", 5.1}, {"sepal width (cm)", 3.5}, {"petal length (cm)", 1.4}, {"petal width (cm)", 0.2}},
                           {{"sepal length (cm)", 6.7}, {"sepal width (cm)", 3.0}, {"petal length (cm)", 5.2}, {"petal width (cm)", 2.3}}});
  json p = call("predict", {{"model_uri", "models:/iris@champion"}, {"data", {{"records", rows}}}, {"log", true}});
  // Labels typed as the training target: iris' target is numeric (it was the strings "0", "2").
  EXPECT_EQ(p["predictions"], json::parse("[0, 2]"));
  EXPECT_EQ(p["classes"], json::parse("[0, 1, 2]"));
  EXPECT_GT(p["probabilities"][1]["2"].get<double>(), 0.5) << "probabilities keyed by class";
  EXPECT_EQ(call("getPredictionLog", {{"model_name", "iris"}}).size(), 2u);
  json mv = call("getModelVersion", {{"name", "iris"}, {"version", 1}});
  EXPECT_EQ(mv["current_stage"], "Staging");
  EXPECT_EQ(mv["training_inputs"][0]["dataset"]["name"], "iris");
  EXPECT_EQ(mv["model_doc"]["signature"]["inputs"].size(), 4u);
  EXPECT_EQ(call("getRegisteredModel", {{"name", "iris"}})["versions"][0]["model_doc"], mv["model_doc"]);
  // Drift of the first 60 iris rows (all setosa/versicolor) against the training data.
  json d = call("computeDrift", {{"model_uri", "models:/iris/1"}, {"current", {{"dataset", "assets/datasets/iris.csv"}}}});
  EXPECT_FALSE(d["dataset_drift"].get<bool>()) << "the training data against itself";
  EXPECT_EQ(call("listDriftReports", {{"model_name", "iris"}}).size(), 1u);
  // Errors name what is wrong.
  EXPECT_NE(error("predict", {{"model_uri", "models:/iris/7"}, {"data", {{"records", rows}}}}).find("no version 7"), std::string::npos);
  json missing = json::array({{{"sepal length (cm)", 5.1}}});
  EXPECT_NE(error("predict", {{"model_uri", "models:/iris/1"}, {"data", {{"records", missing}}}}).find("petal width (cm)"), std::string::npos);
}

TEST_F(LabApiTest, FeaturesDatasetsAndRunsThroughJson) {
  const std::string run = train_iris();
  EXPECT_EQ(call("searchRuns", {{"filter", "metrics.accuracy > 0.5"}}).size(), 1u);
  call("setNote", {{"run_id", run}, {"note", "first"}});
  call("deleteRun", {{"run_id", run}});
  EXPECT_EQ(call("searchRuns", json::object()).size(), 0u);
  EXPECT_EQ(call("searchRuns", {{"view_type", "deleted_only"}}).size(), 1u);
  call("restoreRun", {{"run_id", run}});

  call("addDataset", {{"name", "birds"}, {"csv", "damage,speed\nNone,1\nMinor,2\n"}});
  json d = call("deriveDataset", {{"name", "birds_flag"}, {"from", "birds:1"},
                                  {"steps", json::parse(R"([{"op":"flag","column":"damage","operator":"!=","value":"None","as":"damaged"}])")}});
  EXPECT_EQ(d["version"]["lineage"]["parent"]["name"], "birds");
  EXPECT_EQ(call("getDataset", {{"name", "birds_flag"}})["version"]["num_rows"], 2);

  call("registerFeatures", {{"name", "stats"}, {"entity_keys", "user_id"}, {"ttl", "2d"},
                            {"data", {{"csv", "user_id,event_timestamp,total\n1,2024-01-01,10\n1,2024-01-03,12\n"}}}});
  json joined = call("getHistoricalFeatures", {{"features", {"stats:total"}},
                                               {"entity_df", {{"csv", "user_id,event_timestamp\n1,2024-01-02\n1,2024-01-06\n"}}}});
  ASSERT_EQ(joined.size(), 2u);
  EXPECT_EQ(joined[0]["total"], 10);
  EXPECT_TRUE(joined[1]["total"].is_null()) << "3 days after the last row, TTL 2d";
  EXPECT_EQ(call("getFeatures", {{"name", "stats"}}).size(), 2u);
}

// The verbs window.mllab's synchronous helpers call (listDatasets, listRuns, getRun), with the
// shapes of core's JSON homes.
TEST_F(LabApiTest, ListDatasetsListRunsAndGetRunWithItsReportAndMatrix) {
  const std::string run = train_iris();
  call("addDataset", {{"name", "birds"}, {"csv", "damage,speed\nNone,1\nMinor,2\n"}});
  json ds = call("listDatasets", json::object());
  ASSERT_GE(ds.size(), 2u);
  EXPECT_EQ(ds[0]["source_type"], "builtin");
  EXPECT_EQ(ds.back()["name"], "birds");
  EXPECT_EQ(ds.back()["rows"], 2);
  EXPECT_EQ(ds.back()["path"], "datasets:/birds");

  json runs = call("listRuns", json::object());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["run_id"], run);
  EXPECT_EQ(runs[0]["status"], "FINISHED");
  EXPECT_FALSE(runs[0]["artifacts"].empty());
  EXPECT_EQ(runs[0]["inputs"][0]["dataset"]["name"], "iris");

  json r = call("getRun", {{"run_id", run}});
  EXPECT_EQ(r["run_id"], run);
  EXPECT_GT(r["metrics"]["accuracy"].get<double>(), 0.8);
  EXPECT_NE(r["classification_report"].get<std::string>().find("precision"), std::string::npos);
  ASSERT_TRUE(r["confusion_matrix"].is_object()) << r["confusion_matrix"].dump();
  EXPECT_EQ(r["artifacts"], runs[0]["artifacts"]);
  EXPECT_NE(error("getRun", {{"run_id", "nope"}}).find("getRun: "), std::string::npos);
}

// JSON booleans, one rule (table_json.hpp): the text "true" / "false" in tables; a model's
// numeric column refuses them with the scoring server's message.
TEST_F(LabApiTest, BooleansInRecordsAreTextAndNumericModelColumnsRefuseThem) {
  const std::string run = train_iris();
  json rows = json::array({{{"sepal length (cm)", 5.1}, {"sepal width (cm)", 3.5}, {"petal length (cm)", true}, {"petal width (cm)", 0.2}}});
  EXPECT_NE(error("predict", {{"model_uri", "runs:/" + run + "/model"}, {"data", {{"records", rows}}}})
                .find("column 'petal length (cm)' expects double, got boolean (true in row 1)"), std::string::npos);
  call("registerFeatures", {{"name", "flags"}, {"entity_keys", "user_id"},
                            {"data", {{"records", json::parse(R"([{"user_id": 1, "event_timestamp": "2024-01-01", "active": true}])")}}}});
  json got = call("getFeatures", {{"name", "flags"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["active"], "true");
}

TEST_F(LabApiTest, UnknownMethodsAndBadArgumentsAreOneLineErrors) {
  EXPECT_NE(error("fly", json::object()).find("unknown method 'fly'"), std::string::npos);
  EXPECT_NE(error("registerModel", {{"name", "x"}}).find("missing field 'model_uri'"), std::string::npos);
  EXPECT_NE(error("registerModel", {{"name", 3}, {"model_uri", "runs:/x/model"}}).find("'name' must be a string"), std::string::npos);
  EXPECT_NE(error("predict", {{"model_uri", "runs:/x/model"}, {"data", 5}}).find("field 'data'"), std::string::npos);
  EXPECT_NE(error("searchRuns", {{"filter", "metrics.a >"}}).find("searchRuns: "), std::string::npos);
}

// Issue 9: whatever a handler meets (a library exception, a value beyond range, a column
// spanning double's whole range) comes back as {"ok": false, "error"} or a result, never a throw
// or the library's raw text.
TEST_F(LabApiTest, LibraryExceptionsBecomeErrorObjectsWithoutRawText) {
  const json iris = {{"dataset", "assets/datasets/iris.csv"}};
  json r;
  ASSERT_NO_THROW(r = lab_api_call(lab_, "computeDrift", {{"reference", iris}, {"current", iris}, {"options", {{"drift_share", "half"}}}}));
  ASSERT_FALSE(r["ok"].get<bool>());
  const std::string m = r["error"];
  EXPECT_EQ(m.rfind("computeDrift: drift options: ", 0), 0u) << m;
  EXPECT_EQ(m.find("[json.exception"), std::string::npos) << m;
  std::string csv = "a\n";
  for (int i = 0; i < 40; ++i) csv += i % 2 ? "1e308\n" : "-1e308\n";
  const json extreme = {{"csv", csv}};
  ASSERT_NO_THROW(r = lab_api_call(lab_, "computeDrift", {{"reference", extreme}, {"current", extreme}}));
  EXPECT_TRUE(r["ok"].get<bool>()) << r.dump();
  const std::string bad_name = error("getPredictionLog", {{"model_name", std::string(100000, 'x') + "\x1b"}});
  EXPECT_LT(bad_name.size(), 2000u);
}

}  // namespace
}  // namespace mllab::platform

namespace mllab::platform {
namespace {

// createRun / logBatch / updateRun with MLflow's argument names and limits.
class LabApiRunVerbs : public LabApiTest {};

TEST_F(LabApiRunVerbs, CreateLogAndUpdateARun) {
  json e = call("createExperiment", {{"name", "sweep"}});
  EXPECT_NE(error("createExperiment", {{"name", "sweep"}}).find("already exists"), std::string::npos);
  json run = call("createRun", {{"experiment_id", e["experiment_id"]}, {"run_name", "rf-50"}, {"start_time", 1000},
                                {"tags", json::array({{{"key", "team"}, {"value", "alpha"}}})}});
  const std::string id = run["run_id"];
  EXPECT_EQ(run["run_name"], "rf-50");
  EXPECT_EQ(run["status"], "RUNNING");
  EXPECT_EQ(run["start_time"], 1000);
  EXPECT_EQ(run["tags"]["team"], "alpha");
  EXPECT_EQ(run["tags"]["mlflow.runName"], "rf-50");
  // By experiment name (created when missing), tags as an object.
  json other = call("createRun", {{"experiment_name", "new-exp"}, {"tags", {{"mlflow.parentRunId", id}}}});
  EXPECT_EQ(other["tags"]["mlflow.parentRunId"], id);
  std::set<std::string> names;
  for (const auto& x : call("listExperiments", json::object())) names.insert(x["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"sweep", "new-exp"}));
  EXPECT_EQ(other["experiment_id"], call("listExperiments", json::object())[1]["experiment_id"]);

  call("logBatch", {{"run_id", id},
                    {"metrics", json::array({{{"key", "accuracy"}, {"value", 0.5}, {"timestamp", 10}, {"step", 0}},
                                             {{"key", "accuracy"}, {"value", 0.8}, {"timestamp", 20}, {"step", 1}}})},
                    {"params", json::array({{{"key", "model__n_estimators"}, {"value", "50"}}})},
                    {"tags", json::array({{{"key", "stage"}, {"value", "cv"}}})}});
  json got = call("searchRuns", {{"filter", "metrics.accuracy > 0.5 and params.model__n_estimators = '50'"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["metrics"]["accuracy"], 0.8);  // the latest step
  EXPECT_EQ(got[0]["tags"]["stage"], "cv");
  EXPECT_EQ(call("getMetricHistory", {{"run_id", id}, {"key", "accuracy"}}).size(), 2u);
  // Params are immutable: the same value again is fine, another is an error (and nothing of the batch is kept).
  call("logBatch", {{"run_id", id}, {"params", json::array({{{"key", "model__n_estimators"}, {"value", "50"}}})}});
  std::string err = error("logBatch", {{"run_id", id},
                                       {"metrics", json::array({{{"key", "loss"}, {"value", 1.0}}})},
                                       {"params", json::array({{{"key", "model__n_estimators"}, {"value", "100"}}})}});
  EXPECT_NE(err.find("immutable"), std::string::npos) << err;
  EXPECT_TRUE(call("getMetricHistory", {{"run_id", id}, {"key", "loss"}}).empty());

  json u = call("updateRun", {{"run_id", id}, {"status", "FINISHED"}, {"end_time", 5000}, {"run_name", "rf-50-final"}});
  EXPECT_EQ(u["status"], "FINISHED");
  EXPECT_EQ(u["end_time"], 5000);
  EXPECT_EQ(u["run_name"], "rf-50-final");
  EXPECT_EQ(u["tags"]["mlflow.runName"], "rf-50-final");
  // Only what is given changes.
  json u2 = call("updateRun", {{"run_id", id}, {"status", "KILLED"}});
  EXPECT_EQ(u2["end_time"], 5000);
  EXPECT_EQ(u2["run_name"], "rf-50-final");
}

TEST_F(LabApiRunVerbs, ErrorsNameTheFieldAndTheLimit) {
  const std::string id = call("createRun", {{"run_name", "x"}})["run_id"];
  EXPECT_NE(error("createRun", {{"experiment_id", "42"}}).find("42"), std::string::npos);
  EXPECT_NE(error("logBatch", {{"run_id", id}, {"metrics", json::array({{{"key", "acc"}, {"value", "high"}}})}}).find("metrics[0] ('acc')"),
            std::string::npos);
  EXPECT_NE(error("logBatch", {{"run_id", id}, {"params", json::array({{{"key", "p"}, {"value", 3}}})}}).find("params[0] ('p')"),
            std::string::npos);
  json many = json::array();
  for (int i = 0; i < 1001; ++i) many.push_back({{"key", "m"}, {"value", i}, {"step", i}});
  EXPECT_NE(error("logBatch", {{"run_id", id}, {"metrics", many}}).find("at most 1000 metrics"), std::string::npos);
  json params = json::array();
  for (int i = 0; i < 101; ++i) params.push_back({{"key", "p" + std::to_string(i)}, {"value", "1"}});
  EXPECT_NE(error("logBatch", {{"run_id", id}, {"params", params}}).find("at most 100 params"), std::string::npos);
  EXPECT_NE(error("logBatch", {{"run_id", id}, {"params", json::array({{{"key", "p"}, {"value", std::string(6001, 'x')}}})}})
                .find("6001 bytes"),
            std::string::npos);
  EXPECT_NE(error("updateRun", {{"run_id", id}, {"status", "DONE"}}).find("unknown status 'DONE'"), std::string::npos);
  EXPECT_NE(error("updateRun", {{"run_id", "nope"}, {"status", "FINISHED"}}).find("nope"), std::string::npos);
  EXPECT_NE(error("updateRun", {{"run_id", id}, {"run_name", std::string(251, 'n')}}).find("run name"), std::string::npos);
  EXPECT_EQ(call("searchRuns", json::object())[0]["status"], "RUNNING") << "failed calls changed nothing";
}

}  // namespace
}  // namespace mllab::platform

// Fixtures for the registry and prediction-log tests: real runs trained by TrainJob in a
// MemoryStore, with the model document written the way a run writes it (model/MLmodel +
// model/input_example.json built by build_model_doc).
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/csv.hpp"
#include "core/pipeline/train_job.hpp"
#include "core/registry/model_doc.hpp"
#include "core/store/store.hpp"
#include "core/tracking/tracking_store.hpp"

namespace mllab::registry::testing {

using json = nlohmann::json;
using Snapshot = std::map<std::string, std::string>;

// Every record of a store, for byte-identical comparisons.
inline Snapshot snapshot(const store::Store& s) {
  Snapshot out;
  for (const auto& k : s.keys("")) out[k] = *s.get(k);
  return out;
}

// Reads a file below the source tree, e.g. "assets/datasets/iris.csv".
inline std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << relative;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A CSV as a table (fails the test on a parse error).
inline data::Table read_table(const std::string& csv) {
  auto t = data::read_csv(csv);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.is_ok() ? t.value() : data::Table();
}

inline const std::string& iris_csv() {
  static const std::string bytes = read_source_file("assets/datasets/iris.csv");
  return bytes;
}

// A pipeline spec document on a dataset with the given steps.
inline json spec_doc(const std::string& path, const std::string& target, const json& steps,
                     const std::string& run_name = "r", const json& features = nullptr) {
  json dataset = {{"path", path}, {"target", target}};
  if (!features.is_null()) dataset["features"] = features;
  return {{"schema", "mllab.pipeline"},
          {"schema_version", 1},
          {"experiment", "registry-tests"},
          {"run_name", run_name},
          {"dataset", dataset},
          {"split", {{"test_size", 0.2}, {"random_state", 42}, {"stratify", false}}},
          {"steps", steps}};
}

// StandardScaler + LogisticRegression(C) on iris.
inline json iris_logreg_spec(double c = 1.0) {
  return spec_doc("assets/datasets/iris.csv", "target",
                  json::array({{{"name", "scaler"}, {"type", "StandardScaler"}},
                               {{"name", "model"}, {"type", "LogisticRegression"}, {"params", {{"C", c}}}}}));
}

// Trains `spec` on `csv` into a finished run and returns its id. A run logs model/MLmodel and
// model/input_example.json itself; without `write_mlmodel` they are removed afterwards, which is
// what a run recorded before MLLab wrote model documents looks like.
inline std::string train_run(tracking::TrackingClient& client, const json& spec, const std::string& csv,
                             bool write_mlmodel = true) {
  auto parsed = pipeline::parse_pipeline_spec(spec);
  EXPECT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  if (!parsed.is_ok()) return "";
  pipeline::DatasetSource src;
  src.path = parsed->dataset_path;
  src.name = src.path.substr(src.path.find_last_of('/') + 1);
  src.name = src.name.substr(0, src.name.find('.'));
  src.source_type = "builtin";
  src.bytes = csv;
  pipeline::TrainJob job(parsed.value(), src, client, "test");
  job.run_to_end();
  EXPECT_TRUE(job.status().is_ok()) << job.status().to_string();
  const std::string run_id = job.run_id();
  EXPECT_TRUE(client.get_artifact(run_id, "model/MLmodel").is_ok()) << "a run writes its model document";
  if (write_mlmodel || !job.status().is_ok()) return run_id;
  auto run = client.get_run(run_id);
  EXPECT_TRUE(run.is_ok());
  store::Batch b;
  std::vector<tracking::ArtifactInfo> kept;
  for (const auto& a : run->artifacts) {
    if (a.path == "model/MLmodel" || a.path == "model/input_example.json") b.erase("artifacts/" + run_id + "/" + a.path);
    else kept.push_back(a);
  }
  run->artifacts = kept;
  b.put("runs/" + run_id, tracking::write_run_record(run.value()));
  Status st = client.store().commit(b);
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  return run_id;
}

// The fitted pipeline a run saved.
inline pipeline::FittedPipeline run_pipeline(tracking::TrackingClient& client, const std::string& run_id) {
  auto bytes = client.get_artifact(run_id, "model/pipeline.json");
  EXPECT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  auto p = pipeline::FittedPipeline::from_json(json::parse(bytes.value()));
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  return std::move(p).value();
}

}  // namespace mllab::registry::testing

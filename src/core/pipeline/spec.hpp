// The pipeline spec: a versioned JSON document naming a dataset, a split and the steps,
// shared by the CLI, the browser and (later) bundles. Field reference: README.md.
//
//   {"schema": "mllab.pipeline", "schema_version": 1,
//    "experiment": "breast-cancer", "run_name": "logreg-baseline",
//    "dataset": {"path": "assets/datasets/breast_cancer.csv", "target": "target",
//                "features": ["mean radius", ...]},          // optional; default: all others
//    "split": {"test_size": 0.2, "random_state": 42, "stratify": true},
//    "steps": [{"name": "scaler", "type": "StandardScaler", "params": {}},
//              {"name": "model", "type": "LogisticRegression", "params": {"C": 1.0}}]}
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/status.hpp"

namespace mllab::pipeline {

using json = nlohmann::json;

// One pipeline step: a transformer, or the final estimator.
struct StepSpec {
  std::string name;  // unique within the pipeline, used in param names "name__param"
  std::string type;  // scikit-learn class name
  json params = json::object();  // as given; defaults are filled in when the step is built
};

// A parsed, validated pipeline spec.
struct PipelineSpec {
  std::string experiment = "Default";
  std::string run_name;
  std::string dataset_path;
  std::string target;
  std::vector<std::string> features;  // empty: every column but the target
  double test_size = 0.25;
  uint64_t random_state = 0;
  bool stratify = true;
  std::vector<StepSpec> steps;
  // Tags given in the spec, logged on the run.
  std::map<std::string, std::string> tags;
};

// Parses and validates a spec. Errors name the field ("steps[1].type: unknown step type
// 'LogisticRegresion'", "unknown field 'tes_size' in split") and unknown step parameters.
Result<PipelineSpec> parse_pipeline_spec(const std::string& json_text);
Result<PipelineSpec> parse_pipeline_spec(const json& doc);
// The spec as its canonical JSON document.
json pipeline_spec_to_json(const PipelineSpec& spec);

}  // namespace mllab::pipeline

// The pipeline spec: a versioned JSON document naming a dataset, a split and the steps,
// shared by the CLI, the browser and (later) bundles. Field reference: README.md.
//
//   {"schema": "mllab.pipeline", "schema_version": 1,
//    "experiment": "breast-cancer", "run_name": "logreg-baseline",
//    "dataset": {"path": "assets/datasets/breast_cancer.csv", "target": "target",
//                "features": ["mean radius", ...]},          // optional; default: all others
//    "split": {"test_size": 0.2, "random_state": 42, "stratify": true},
//    "steps": [{"name": "scaler", "type": "StandardScaler", "params": {}},
//              {"name": "model", "type": "LogisticRegression", "params": {"C": 1.0}}],
//    "resources": {"memory_budget_mb": 2048}}                 // optional; default 1024
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/status.hpp"

namespace mllab::pipeline {

using json = nlohmann::json;

// One pipeline step: a column step (reads named table columns: vectorizers, encoders,
// imputers, scalers — together they act as scikit-learn's ColumnTransformer with
// remainder="drop"), a transformer of the feature matrix, or the final estimator.
struct StepSpec {
  std::string name;  // unique within the pipeline, used in param names "name__param"
  std::string type;  // scikit-learn class name
  json params = json::object();  // as given; defaults are filled in when the step is built
  std::vector<std::string> columns;  // set for column steps only
};

// Cross-validation of the pipeline on the training split ("evaluate": {"cv": 5}).
struct EvaluateSpec {
  int cv = 0;                  // folds; 0 = no cross-validation
  std::string scoring;         // "" = accuracy for classifiers, r2 for regressors
};

// Hyper-parameter search on the training split, then a refit of the best candidate
// ("search": {"type": "grid", "param_grid": {"model__max_depth": [5, 10]}, "cv": 5}).
struct SearchSpec {
  std::string type;            // "grid" | "random"; "" = no search
  json param_grid = json::object();  // "step__param" -> list of values, or (random) a distribution
  int cv = 5;
  std::string scoring;
  int n_iter = 10;             // random search only
  uint64_t random_state = 0;   // random search only
};

// Resources a run may use ("resources": {"memory_budget_mb": 2048}); see memory_budget.hpp.
struct ResourcesSpec {
  int64_t memory_budget_mb = 0;  // 0 = the default (kDefaultMemoryBudgetMb)
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
  EvaluateSpec evaluate;
  SearchSpec search;
  ResourcesSpec resources;
  // Tags given in the spec, logged on the run.
  std::map<std::string, std::string> tags;
};

// Parses and validates a spec. Errors name the field ("steps[1].type: unknown step type
// 'LogisticRegresion'", "unknown field 'tes_size' in split") and unknown step parameters.
Result<PipelineSpec> parse_pipeline_spec(const std::string& json_text);
Result<PipelineSpec> parse_pipeline_spec(const json& doc);
// The spec as its canonical JSON document.
json pipeline_spec_to_json(const PipelineSpec& spec);
// True when the spec's final step is a regressor.
bool is_regression(const PipelineSpec& spec);
// Sets "step__param" to `value` in the spec (for searches); errors name an unknown step.
Status set_step_param(PipelineSpec& spec, const std::string& step_param, const json& value);
// The scoring a spec uses: its own, or accuracy (classifiers) / r2 (regressors).
std::string scoring_of(const PipelineSpec& spec, const std::string& requested);

}  // namespace mllab::pipeline

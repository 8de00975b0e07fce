// Tracking entities with MLflow's names and semantics: experiments, runs, params (immutable),
// metrics (append-only, with step and timestamp), tags, artifacts and dataset inputs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mllab::tracking {

using json = nlohmann::json;

// MLflow's RunStatus.
enum class RunStatus { kRunning, kScheduled, kFinished, kFailed, kKilled };
// "RUNNING", "FINISHED", ...
const char* run_status_name(RunStatus s);
// Parses a status name; nullopt if unknown.
std::optional<RunStatus> parse_run_status(const std::string& s);

// An experiment: a named group of runs.
struct Experiment {
  std::string experiment_id;
  std::string name;
  std::string lifecycle_stage = "active";
  int64_t creation_time = 0;
  int64_t last_update_time = 0;
  std::map<std::string, std::string> tags;
};

// One metric point.
struct Metric {
  std::string key;
  double value = 0;
  int64_t timestamp = 0;
  int64_t step = 0;
};

// A stored artifact's description (its bytes live in the store under the run).
struct ArtifactInfo {
  std::string path;        // e.g. "model/pipeline.json"
  std::string media_type;  // e.g. "application/json"
  int64_t file_size = 0;
  std::string sha256;
};

// A dataset a run used (mlflow.log_input): Dataset + the context tag.
struct DatasetInput {
  std::string name;
  std::string digest;       // SHA-256 hex of the CSV bytes
  std::string source_type;  // "builtin" | "upload" | "local"
  std::string source;       // path or file name
  json schema;              // {"columns": [{"name", "type"}]}
  int64_t num_rows = 0;
  std::string context;      // "training" | "evaluation"
};

// A run: info, data and inputs.
struct Run {
  std::string run_id;
  std::string experiment_id;
  std::string run_name;
  RunStatus status = RunStatus::kRunning;
  int64_t start_time = 0;
  std::optional<int64_t> end_time;
  std::string lifecycle_stage = "active";
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> tags;
  // Latest value per key (MLflow: max by (step, timestamp, value)).
  std::map<std::string, Metric> metrics;
  std::vector<ArtifactInfo> artifacts;
  std::vector<DatasetInput> inputs;
};

// The JSON shapes of these entities: core/tracking/run_json.hpp.

}  // namespace mllab::tracking

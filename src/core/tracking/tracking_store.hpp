// Tracking on top of the Store: the record layout, and a client with MLflow's verbs.
//
// Record layout (every record is versioned JSON except artifact bytes):
//   experiments/<experiment_id>           mllab.experiment
//   runs/<run_id>                         mllab.run      (info, params, tags, artifacts, inputs)
//   metrics/<run_id>/<seq>                mllab.metrics  (a batch of points; append-only)
//   artifacts/<run_id>/<artifact path>    raw bytes
#pragma once

#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "core/tracking/entities.hpp"
#include "core/util/status.hpp"

namespace mllab::tracking {

// Everything a run accumulates before it is committed.
struct RunData {
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> tags;
  std::vector<Metric> metrics;
  std::vector<std::pair<ArtifactInfo, std::string>> artifacts;  // info + bytes
  std::vector<DatasetInput> inputs;
};

// MLflow's client verbs over a Store. Each call is one store batch.
class TrackingClient {
 public:
  explicit TrackingClient(store::Store& store) : store_(store) {}

  // The experiment named `name`, created if missing ("Default" has id "0").
  Result<Experiment> get_or_create_experiment(const std::string& name);
  Result<Experiment> get_experiment(const std::string& experiment_id) const;
  Result<Experiment> get_experiment_by_name(const std::string& name) const;
  std::vector<Experiment> list_experiments() const;

  // Starts a run: writes it with status RUNNING. An empty name gets a generated one.
  Result<Run> create_run(const std::string& experiment_id, const std::string& run_name,
                         int64_t start_time);
  // Adds params (immutable: re-logging the same value is fine, a different one is an error),
  // tags (overwrite), metric points (appended), artifacts and inputs, in one batch.
  Status log_batch(const std::string& run_id, const RunData& data);
  // Logs `data` and sets the final status and end time, in one batch.
  Status end_run(const std::string& run_id, const RunData& data, RunStatus status, int64_t end_time);

  Result<Run> get_run(const std::string& run_id) const;
  // Every metric point of `key` in a run, in logging order.
  std::vector<Metric> get_metric_history(const std::string& run_id, const std::string& key) const;
  // Runs of the given experiments (all when empty), newest first (start_time DESC, run_id).
  std::vector<Run> list_runs(const std::vector<std::string>& experiment_ids = {}) const;
  // An artifact's bytes.
  Result<std::string> get_artifact(const std::string& run_id, const std::string& path) const;

  store::Store& store() { return store_; }

 private:
  Status write_run_batch(Run run, const RunData& data, store::Batch& batch);
  store::Store& store_;
};

// Parses / writes the run record (with migration hook; newer schema versions are refused).
Result<Run> parse_run_record(const std::string& bytes);
std::string write_run_record(const Run& run);

}  // namespace mllab::tracking

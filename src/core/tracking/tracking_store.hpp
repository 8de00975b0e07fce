// Tracking on top of the Store: the record layout, and a client with MLflow's verbs.
//
// Record layout (every record is versioned JSON except artifact bytes):
//   experiments/<experiment_id>           mllab.experiment
//   runs/<run_id>                         mllab.run      (info, params, tags, artifacts, inputs)
//   metrics/<run_id>/<seq>                mllab.metrics  (a batch of points; append-only)
//   artifacts/<run_id>/<artifact path>    raw bytes
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "core/tracking/entities.hpp"
#include "core/tracking/run_json.hpp"  // the entities' JSON shapes, for every caller of the client
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

// Which runs / experiments a listing returns (MLflow's ViewType).
enum class ViewType { kActiveOnly, kDeletedOnly, kAll };
// Parses "active_only" | "deleted_only" | "all" (case-insensitive); an error names the value.
Result<ViewType> parse_view_type(const std::string& s);

// MLflow's system tag names a run carries.
inline constexpr const char* kParentRunIdTag = "mlflow.parentRunId";
inline constexpr const char* kRunNameTag = "mlflow.runName";
inline constexpr const char* kNoteTag = "mlflow.note.content";
// Who runs a RUNNING run (every tag under this prefix; natively mllab.owner.host, .pid, .start and
// .boot_id, in the browser mllab.owner.session), so a later session can tell that it is gone.
inline constexpr const char* kOwnerTagPrefix = "mllab.owner.";
// Why a run was marked KILLED by kill_runs_of_gone_owners.
inline constexpr const char* kKilledReasonTag = "mllab.killed_reason";

// A run owner's liveness, supplied by the platform: given a run's owner tags, the reason the owner
// is known to be gone (e.g. "process 12 on host h has exited"), or nullopt when it is alive or
// cannot be told (another host, no way to check).
using OwnerGone = std::function<std::optional<std::string>(const std::map<std::string, std::string>& owner_tags)>;

// MLflow's client verbs over a Store. Each call is one store batch.
class TrackingClient {
 public:
  explicit TrackingClient(store::Store& store) : store_(store) {}

  // The experiment named `name`, created if missing ("Default" has id "0").
  Result<Experiment> get_or_create_experiment(const std::string& name);
  Result<Experiment> get_experiment(const std::string& experiment_id) const;
  Result<Experiment> get_experiment_by_name(const std::string& name) const;
  // Experiments, ordered by id (active ones unless `view` says otherwise).
  std::vector<Experiment> list_experiments(ViewType view = ViewType::kActiveOnly) const;
  // Soft delete (lifecycle_stage "deleted", with its runs) and restore, as MLflow; the
  // Default experiment "0" cannot be deleted. One batch each.
  Status delete_experiment(const std::string& experiment_id);
  Status restore_experiment(const std::string& experiment_id);
  // Renames an experiment; the new name must be free (also among deleted experiments).
  Status rename_experiment(const std::string& experiment_id, const std::string& new_name);
  // Sets an experiment tag (its note is the tag mlflow.note.content).
  Status set_experiment_tag(const std::string& experiment_id, const std::string& key, const std::string& value);

  // Tags every run created from now on carries: its owner (keys start with kOwnerTagPrefix).
  void set_owner_tags(std::map<std::string, std::string> tags) { owner_tags_ = std::move(tags); }
  // Marks every RUNNING run (of any experiment or lifecycle stage) whose owner `gone` reports
  // gone as KILLED, with `end_time` and the reason in the tag mllab.killed_reason, in one batch.
  // Runs without owner tags, and runs `gone` cannot judge, are left alone. Returns their ids.
  Result<std::vector<std::string>> kill_runs_of_gone_owners(const OwnerGone& gone, int64_t end_time);

  // Starts a run: writes it with status RUNNING and the owner tags. An empty name gets a
  // generated one.
  Result<Run> create_run(const std::string& experiment_id, const std::string& run_name,
                         int64_t start_time);
  // The same with `data` (tags, params, metrics) logged in the same batch (MLflow's CreateRun
  // with tags): all of it or nothing.
  Result<Run> create_run_with(const std::string& experiment_id, const std::string& run_name,
                              int64_t start_time, const RunData& data);
  // Writes a whole finished run (a nested fold or search candidate) in one batch.
  Result<Run> log_finished_run(const std::string& experiment_id, const std::string& run_name,
                               int64_t start_time, int64_t end_time, const RunData& data);
  // Adds params (immutable: re-logging the same value is fine, a different one is an error),
  // tags (overwrite), metric points (appended), artifacts and inputs, in one batch.
  Status log_batch(const std::string& run_id, const RunData& data);
  // Logs `data` and sets the final status and end time, in one batch.
  Status end_run(const std::string& run_id, const RunData& data, RunStatus status, int64_t end_time);

  // Soft delete / restore of a run (lifecycle_stage "deleted" / "active"; data kept).
  Status delete_run(const std::string& run_id);
  Status restore_run(const std::string& run_id);
  // Renames a run (run_name and the tag mlflow.runName).
  Status rename_run(const std::string& run_id, const std::string& new_name);
  // MLflow's UpdateRun: sets whichever of status, end time and run name are given, in one batch
  // (the run name also as the tag mlflow.runName).
  Status update_run_info(const std::string& run_id, std::optional<RunStatus> status,
                         std::optional<int64_t> end_time, std::optional<std::string> run_name);
  // Sets or removes one tag; a run's note is the tag mlflow.note.content.
  Status set_tag(const std::string& run_id, const std::string& key, const std::string& value);
  Status delete_tag(const std::string& run_id, const std::string& key);
  // The runs whose mlflow.parentRunId is `run_id` (nested runs: folds, search candidates), oldest first.
  std::vector<Run> child_runs(const std::string& run_id, ViewType view = ViewType::kActiveOnly) const;
  // Runs (of any experiment) that recorded a dataset input with this digest, newest first.
  std::vector<Run> runs_with_input(const std::string& digest, ViewType view = ViewType::kActiveOnly) const;

  Result<Run> get_run(const std::string& run_id) const;
  // The run with this id, or the one run (active or deleted) whose id starts with it, as
  // `runs show PREFIX` and `runs:/PREFIX/model` accept; an error when a prefix matches several
  // runs or none.
  Result<Run> find_run(const std::string& id_or_prefix) const;
  // Every metric point of `key` in a run, in logging order.
  std::vector<Metric> get_metric_history(const std::string& run_id, const std::string& key) const;
  // Runs of the given experiments (all when empty), newest first (start_time DESC, run_id);
  // active runs of active experiments unless `view` says otherwise.
  std::vector<Run> list_runs(const std::vector<std::string>& experiment_ids = {},
                             ViewType view = ViewType::kActiveOnly) const;
  // An artifact's bytes.
  Result<std::string> get_artifact(const std::string& run_id, const std::string& path) const;

  store::Store& store() { return store_; }

 private:
  Status write_run_batch(Run run, const RunData& data, store::Batch& batch);
  // Reads a run, lets `edit` change it, and writes it back in one batch.
  template <typename Edit>
  Status update_run(const std::string& run_id, Edit edit);
  template <typename Edit>
  Status update_experiment(const std::string& experiment_id, Edit edit);
  store::Store& store_;
  std::map<std::string, std::string> owner_tags_;
  // Parsed run records by key, reused while the stored bytes are unchanged (listing 10,000 runs
  // then costs a compare per record instead of a JSON parse). Not thread-safe, like the client.
  mutable std::map<std::string, std::pair<std::string, Run>> run_cache_;
};

// Parses / writes the run record (with migration hook; newer schema versions are refused).
// `what` names the record in errors ("run record 'runs/abc'").
Result<Run> parse_run_record(const std::string& bytes, const std::string& what = "run record");
std::string write_run_record(const Run& run);

}  // namespace mllab::tracking

#include "core/tracking/entities.hpp"

namespace mllab::tracking {

const char* run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::kRunning: return "RUNNING";
    case RunStatus::kScheduled: return "SCHEDULED";
    case RunStatus::kFinished: return "FINISHED";
    case RunStatus::kFailed: return "FAILED";
    case RunStatus::kKilled: return "KILLED";
  }
  return "RUNNING";
}

std::optional<RunStatus> parse_run_status(const std::string& s) {
  for (auto st : {RunStatus::kRunning, RunStatus::kScheduled, RunStatus::kFinished,
                  RunStatus::kFailed, RunStatus::kKilled}) {
    if (s == run_status_name(st)) return st;
  }
  return std::nullopt;
}

json run_to_summary_json(const Run& run) {
  json metrics = json::object();
  for (const auto& [k, m] : run.metrics) metrics[k] = m.value;
  json j = {{"run_id", run.run_id},
            {"experiment_id", run.experiment_id},
            {"run_name", run.run_name},
            {"status", run_status_name(run.status)},
            {"start_time", run.start_time},
            {"end_time", run.end_time ? json(*run.end_time) : json(nullptr)},
            {"lifecycle_stage", run.lifecycle_stage},
            {"params", run.params},
            {"metrics", metrics},
            {"tags", run.tags}};
  return j;
}

json experiment_to_json(const Experiment& e) {
  return {{"experiment_id", e.experiment_id}, {"name", e.name},
          {"lifecycle_stage", e.lifecycle_stage}, {"creation_time", e.creation_time},
          {"last_update_time", e.last_update_time}, {"tags", e.tags}};
}

}  // namespace mllab::tracking

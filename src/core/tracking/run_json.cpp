#include "core/tracking/run_json.hpp"

namespace mllab::tracking {

json run_to_summary_json(const Run& run) {
  json metrics = json::object();
  for (const auto& [k, m] : run.metrics) metrics[k] = m.value;
  return {{"run_id", run.run_id},
          {"experiment_id", run.experiment_id},
          {"run_name", run.run_name},
          {"status", run_status_name(run.status)},
          {"start_time", run.start_time},
          {"end_time", run.end_time ? json(*run.end_time) : json(nullptr)},
          {"lifecycle_stage", run.lifecycle_stage},
          {"params", run.params},
          {"metrics", metrics},
          {"tags", run.tags}};
}

json artifact_to_json(const ArtifactInfo& a) {
  return {{"path", a.path}, {"media_type", a.media_type}, {"file_size", a.file_size}, {"sha256", a.sha256}};
}

json dataset_input_to_json(const DatasetInput& in) {
  return {{"dataset",
           {{"name", in.name}, {"digest", in.digest}, {"source_type", in.source_type}, {"source", in.source},
            {"schema", in.schema}, {"num_rows", in.num_rows}}},
          {"tags", {{"mlflow.data.context", in.context}, {"mllab.data.context", in.context}}}};
}

json run_to_json(const Run& run) {
  json j = run_to_summary_json(run);
  json arts = json::array();
  for (const auto& a : run.artifacts) arts.push_back(artifact_to_json(a));
  j["artifacts"] = std::move(arts);
  json inputs = json::array();
  for (const auto& in : run.inputs) inputs.push_back(dataset_input_to_json(in));
  j["inputs"] = std::move(inputs);
  return j;
}

json runs_to_summary_json(const std::vector<Run>& runs) {
  json arr = json::array();
  for (const auto& r : runs) arr.push_back(run_to_summary_json(r));
  return arr;
}

json metric_to_json(const Metric& m) {
  return {{"key", m.key}, {"value", m.value}, {"timestamp", m.timestamp}, {"step", m.step}};
}

json experiment_to_json(const Experiment& e) {
  return {{"experiment_id", e.experiment_id}, {"name", e.name},
          {"lifecycle_stage", e.lifecycle_stage}, {"creation_time", e.creation_time},
          {"last_update_time", e.last_update_time}, {"tags", e.tags}};
}

}  // namespace mllab::tracking

// The JSON shapes of tracking entities, one home for the CLI's --json, lab_api (window.mllab)
// and the JS API. Field names follow MLflow's REST API (RunInfo, RunData, Metric, Dataset,
// DatasetInput, FileInfo, Experiment); params, metrics and tags are objects {key: value} as in
// `mlflow runs describe` rather than REST's [{key, value}] lists.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "core/tracking/entities.hpp"

namespace mllab::tracking {

// A run's summary: {run_id, experiment_id, run_name, status, start_time, end_time (null while
// running), lifecycle_stage, params, metrics: {key: latest value}, tags}.
json run_to_summary_json(const Run& run);
// The whole run: the summary plus "artifacts" (artifact_to_json each) and "inputs"
// (dataset_input_to_json each).
json run_to_json(const Run& run);
// Summaries of `runs`, in order.
json runs_to_summary_json(const std::vector<Run>& runs);
// {path, media_type, file_size, sha256} (MLflow's FileInfo: path, file_size; is_dir never).
json artifact_to_json(const ArtifactInfo& a);
// MLflow's DatasetInput: {dataset: {name, digest, source_type, source, schema, num_rows},
// tags: {"mlflow.data.context": context, "mllab.data.context": context}}.
json dataset_input_to_json(const DatasetInput& in);
// MLflow's Metric: {key, value, timestamp, step}.
json metric_to_json(const Metric& m);
// {experiment_id, name, lifecycle_stage, creation_time, last_update_time, tags}.
json experiment_to_json(const Experiment& e);

}  // namespace mllab::tracking

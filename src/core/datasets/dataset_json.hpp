// The JSON shapes of datasets, one home for the CLI's --json, lab_api (window.mllab) and the JS
// API. A stored version is dataset_version_to_json (dataset_store.hpp): {version, digest,
// source_type, source, num_rows, schema, created_time, profile, lineage} (MLflow's Dataset
// fields plus what the lab keeps).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "core/datasets/catalog.hpp"
#include "core/datasets/dataset_store.hpp"
#include "core/tracking/entities.hpp"

namespace mllab::datasets {

// One version of a stored dataset, as `datasets add` / `derive` / addDataset / deriveDataset
// answer: {name, uri: "datasets:/<name>:<version>", version: dataset_version_to_json}.
nlohmann::json dataset_version_entry_json(const std::string& name, const DatasetVersion& v);
// A dataset shown at one version, as `datasets show` / getDataset answer: the version entry plus
// "versions" [{version, digest, num_rows}] (oldest first) and "runs" that used this version
// [{run_id, run_name, experiment_id, status}].
nlohmann::json dataset_to_json(const DatasetRecord& rec, const DatasetVersion& v,
                               const std::vector<tracking::Run>& runs_with_input);
// One line of the dataset list (`datasets list`, listDatasets), the same fields for a built-in
// dataset and a stored one: {name, uri, path (= uri), source_type ("builtin" | the latest
// version's), source, title, target, rows, columns, digest, version (null for built-ins)}.
nlohmann::json dataset_list_entry_json(const CatalogEntry& builtin);
nlohmann::json dataset_list_entry_json(const DatasetRecord& stored);
// The built-in datasets, then the stored ones.
nlohmann::json dataset_list_json(const std::vector<CatalogEntry>& builtins, const std::vector<DatasetRecord>& stored);

}  // namespace mllab::datasets

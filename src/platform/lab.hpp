// A lab session: the store, tracking client, dataset store and built-in catalog, with dataset
// path resolution. The CLI and the web app each hold one and call the same core through it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/datasets/catalog.hpp"
#include "core/datasets/dataset_store.hpp"
#include "core/features/feature_store.hpp"
#include "core/monitoring/prediction_log.hpp"
#include "core/monitoring/report_store.hpp"
#include "core/registry/registry.hpp"
#include "core/pipeline/train_job.hpp"
#include "core/store/store.hpp"
#include "core/tracking/tracking_store.hpp"
#include "platform/run_owner.hpp"

namespace mllab::platform {

// Everything a front end needs to work with one store.
class Lab {
 public:
  // `assets_root` is the folder holding assets/datasets/ (the repo root natively, "/" on the web).
  Lab(std::unique_ptr<store::Store> store, std::filesystem::path assets_root);

  // Resolves a spec's dataset path: "datasets:/NAME" -> a stored dataset; a path of the built-in
  // catalog (assets/datasets/...) -> the bundled file; otherwise a file relative to the working
  // folder or to `spec_dir`. Errors name the path.
  Result<pipeline::DatasetSource> resolve_dataset(const std::string& path,
                                                  const std::filesystem::path& spec_dir = {}) const;
  // Parses a spec and resolves its dataset, ready to train.
  Result<std::unique_ptr<pipeline::TrainJob>> make_train_job(const std::string& spec_json,
                                                             const std::string& source,
                                                             const std::filesystem::path& spec_dir = {});

  // Who owns the runs this session creates (their owner tags) and how to tell an owner is gone.
  void set_run_ownership(RunOwnership ownership);
  // Marks RUNNING runs whose owner is known gone (a killed process, a closed or reloaded page)
  // as KILLED, with the reason in the tag mllab.killed_reason; returns their ids. Nothing is
  // judged (or written) without an ownership that can tell.
  Result<std::vector<std::string>> reap_orphaned_runs();

  // The built-in datasets (empty if the catalog is missing).
  const std::vector<datasets::CatalogEntry>& catalog() const { return catalog_; }
  const std::string& catalog_error() const { return catalog_error_; }
  tracking::TrackingClient& tracking() { return tracking_; }
  datasets::DatasetStore& datasets() { return datasets_; }
  registry::ModelRegistry& registry() { return registry_; }
  features::FeatureStore& features() { return features_; }
  monitoring::PredictionLog& predictions() { return predictions_; }
  monitoring::DriftReportStore& drift_reports() { return drift_reports_; }
  store::Store& store() { return *store_; }

  // The CSV bytes a run was trained on (its "training" input): from the store when it holds
  // them by digest, else the built-in / stored / local source, checked against the digest.
  Result<std::string> training_data(const tracking::Run& run) const;
  // Records the true outcome of a logged prediction, given by its id or a unique prefix of it.
  // `actual` (text, or a JSON number or string) is read against the model that made the
  // prediction (registry::parse_actual): a classifier's actual must be one of its classes and is
  // stored typed as its labels, a regressor's must be a number. Returns the prediction id and the
  // actual as stored.
  Result<std::pair<std::string, nlohmann::json>> record_actual(const std::string& prediction_id,
                                                               const nlohmann::json& actual);
  // Drift of `current` against the training data of the model `model_uri`, over the columns the
  // model reads, its predictions ("prediction") and the target when both tables have it (unless
  // `options.columns` names others); the report is stored under the model version.
  Result<monitoring::StoredDriftReport> drift_against_model(const std::string& model_uri, data::Table current,
                                                            monitoring::DriftOptions options,
                                                            const std::string& current_name);

 private:
  std::unique_ptr<store::Store> store_;
  std::filesystem::path assets_root_;
  tracking::TrackingClient tracking_;
  datasets::DatasetStore datasets_;
  registry::ModelRegistry registry_;
  features::FeatureStore features_;
  monitoring::PredictionLog predictions_;
  monitoring::DriftReportStore drift_reports_;
  std::vector<datasets::CatalogEntry> catalog_;
  std::string catalog_error_;
  RunOwnership ownership_;
};

}  // namespace mllab::platform

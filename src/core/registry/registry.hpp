// The model registry, with MLflow Model Registry semantics: registered models with numbered
// versions (max + 1 from 1), stages (None, Staging, Production, Archived), aliases, tags and
// descriptions; model URIs resolved to a run's model folder; loading and predicting.
//
// Store layout: one record per registered model, holding its versions, so that every change
// (a stage transition that archives other versions, deleting a version and its aliases) is
// one write of one key:
//   registered_models/<name>   mllab.registered_model {name, creation_timestamp,
//                              last_updated_timestamp, description, tags, aliases
//                              {alias: version}, last_version, versions: [{version, ...,
//                              model_doc}]}
// Deleted versions are removed from the record; `last_version` keeps their numbers from being
// given out again (MLflow keeps deleted versions hidden for the same reason). The registry may
// live in the tracking store or in another one (MLflow's separate registry URI).
//
// Every mutating call is one store batch; a failed call writes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/ml/model.hpp"
#include "core/pipeline/fitted_pipeline.hpp"
#include "core/registry/model_doc.hpp"
#include "core/registry/model_uri.hpp"
#include "core/store/store.hpp"
#include "core/tracking/tracking_store.hpp"
#include "core/util/status.hpp"

namespace mllab::registry {

// One version of a registered model (MLflow ModelVersion).
struct ModelVersion {
  std::string name;
  int version = 0;
  int64_t creation_timestamp = 0;
  int64_t last_updated_timestamp = 0;
  std::string current_stage = "None";
  std::string description;
  std::string source;                 // "runs:/<run_id>/<artifact path>"
  std::string run_id;
  std::string status = "READY";
  std::map<std::string, std::string> tags;
  std::vector<std::string> aliases;   // derived from the registered model's aliases, sorted
  ModelDoc model_doc;                 // the run's MLmodel, or one built from its pipeline
};

// A registered model (MLflow RegisteredModel) and its live versions, oldest first.
struct RegisteredModel {
  std::string name;
  int64_t creation_timestamp = 0;
  int64_t last_updated_timestamp = 0;
  std::string description;
  std::map<std::string, std::string> tags;
  std::map<std::string, int> aliases;  // alias -> version
  int last_version = 0;                // highest version number ever given
  std::vector<ModelVersion> versions;

  // The version numbered `version`, or nullptr.
  const ModelVersion* find_version(int version) const;
  // MLflow's latest_versions: the newest version in each stage, in stage order.
  std::vector<ModelVersion> latest_versions() const;
};

// Where a model URI points.
struct ResolvedModel {
  std::optional<std::string> name;  // models:/ URIs
  std::optional<int> version;       // models:/ URIs
  std::string run_id;
  std::string artifact_path;        // the model folder in the run ("model")
  // The canonical source, "runs:/<run_id>/<artifact_path>".
  std::string source() const { return "runs:/" + run_id + "/" + artifact_path; }
};

// A model ready to predict.
struct LoadedModel {
  std::string uri;  // as given to load_model
  ResolvedModel resolved;
  std::shared_ptr<const pipeline::FittedPipeline> pipeline;
  // The run's MLmodel document, or (doc_from_artifact false) one built from the pipeline, whose
  // signature types come from the pipeline's steps.
  ModelDoc doc;
  bool doc_from_artifact = false;
};

// Predictions for a table of rows.
struct Predictions {
  bool regression = false;
  std::vector<std::string> classes;  // classification: labels, the columns of `probabilities`
  std::vector<int> class_indices;    // classification: predicted class index per row
  std::vector<std::string> labels;   // classification: predicted class label per row (as text)
  std::string label_dtype;           // classification: the target's type, "int64" | "float64" | "str"
  ml::Matrix probabilities;          // classification: rows x classes
  std::vector<double> values;        // regression: predicted value per row
  data::Table inputs;                // the rows as the model saw them (conformed to the signature)
};

// Model registry verbs over a Store (registry records) and a TrackingClient (runs, artifacts).
class ModelRegistry {
 public:
  // Registry records go to `store` (usually the tracking client's store); runs and their
  // artifacts are read through `tracking`.
  ModelRegistry(store::Store& store, tracking::TrackingClient& tracking) : store_(store), tracking_(tracking) {}

  // Creates an empty registered model; the name must be valid and unused.
  Result<RegisteredModel> create_registered_model(const std::string& name, const std::string& description = "",
                                                  const std::map<std::string, std::string>& tags = {});
  // Like mlflow.register_model: creates the registered model if missing, then a new version
  // whose source is the run model folder `model_uri` points to (runs:/ or models:/). The run
  // must have `<folder>/pipeline.json`; the version's document is `<folder>/MLmodel` when the run
  // has one, else built from the pipeline.
  Result<ModelVersion> register_model(const std::string& model_uri, const std::string& name,
                                      const std::map<std::string, std::string>& tags = {},
                                      const std::string& description = "");
  // A registered model with its versions; an error names a missing model.
  Result<RegisteredModel> get_registered_model(const std::string& name) const;
  // Every registered model, by name.
  std::vector<RegisteredModel> list_registered_models() const;
  // Registered models matching a filter, by name: "" (all), or clauses joined by AND of
  // name = | != | LIKE | ILIKE '<value>' and tags.<key> = | != | LIKE | ILIKE '<value>'
  // (LIKE: % any run, _ one character). At most `max_results` (1..1000).
  Result<std::vector<RegisteredModel>> search_registered_models(const std::string& filter,
                                                                int max_results = 100) const;
  // Sets a registered model's description.
  Result<RegisteredModel> update_registered_model(const std::string& name, const std::string& description);
  // Sets / removes a registered model tag.
  Status set_registered_model_tag(const std::string& name, const std::string& key, const std::string& value);
  Status delete_registered_model_tag(const std::string& name, const std::string& key);
  // Deletes a registered model with all its versions and aliases.
  Status delete_registered_model(const std::string& name);

  // One version; errors name the model and the version.
  Result<ModelVersion> get_model_version(const std::string& name, int version) const;
  // The newest version in each of `stages` (canonicalised; all stages when empty) that has one.
  Result<std::vector<ModelVersion>> get_latest_versions(const std::string& name,
                                                        const std::vector<std::string>& stages = {}) const;
  // Moves a version to a stage (any letter case). With `archive_existing_versions` (only for
  // Staging and Production) the other versions in that stage move to Archived, in the same write.
  Result<ModelVersion> transition_model_version_stage(const std::string& name, int version, const std::string& stage,
                                                      bool archive_existing_versions);
  // Sets a version's description.
  Result<ModelVersion> update_model_version(const std::string& name, int version, const std::string& description);
  // Sets / removes a version tag.
  Status set_model_version_tag(const std::string& name, int version, const std::string& key, const std::string& value);
  Status delete_model_version_tag(const std::string& name, int version, const std::string& key);
  // Deletes a version and the aliases pointing at it.
  Status delete_model_version(const std::string& name, int version);

  // Points `alias` at a version (moving it if it pointed elsewhere).
  Status set_registered_model_alias(const std::string& name, const std::string& alias, int version);
  // Removes an alias.
  Status delete_registered_model_alias(const std::string& name, const std::string& alias);
  // The version an alias points to.
  Result<ModelVersion> get_model_version_by_alias(const std::string& name, const std::string& alias) const;

  // Where a URI points: models:/ URIs through the registry (a stage to its newest version in
  // that stage, "latest" to the newest version), runs:/ URIs to the run (which must exist).
  Result<ResolvedModel> resolve(const ModelUri& uri) const;
  // Resolves a URI and loads the pipeline and its document.
  Result<LoadedModel> load_model(const std::string& model_uri) const;
  // The input example saved beside a version's model (MLflow's `input_example.json`, pandas
  // "split" orient: {columns, data}), read from its run's artifacts; null when none was saved.
  Result<nlohmann::json> input_example(const std::string& name, int version) const;
  // The run's dataset inputs with context "training": the data that trained this version.
  Result<std::vector<tracking::DatasetInput>> training_inputs(const std::string& name, int version) const;

 private:
  Result<RegisteredModel> read(const std::string& name) const;
  Status write(const RegisteredModel& model);
  // Reads model `name`, applies `edit` (an error from it writes nothing), stamps the model's
  // last update and writes it back.
  Result<RegisteredModel> update(const std::string& name, const std::function<Status(RegisteredModel&)>& edit);
  // The same for one version (its own last update is stamped); returns the edited version.
  Result<ModelVersion> update_version(const std::string& name, int version,
                                      const std::function<Status(ModelVersion&)>& edit);
  store::Store& store_;
  tracking::TrackingClient& tracking_;
};

// Conforms `input` to the model's signature, then predicts: class labels, indices and
// probabilities for a classifier, values for a regressor. Errors (signature mismatch, missing
// values the pipeline cannot take) are one message.
Result<Predictions> predict(const LoadedModel& model, const data::Table& input);

// MLflow REST shapes: a registered model {name, creation_timestamp, last_updated_timestamp,
// description, latest_versions, tags: [{key, value}], aliases: [{alias, version}]}, and a
// version {name, version (a string, as MLflow), creation_timestamp, last_updated_timestamp,
// current_stage, description, source, run_id, status, tags: [{key, value}], aliases}.
nlohmann::json registered_model_to_json(const RegisteredModel& model);
// See registered_model_to_json.
nlohmann::json model_version_to_json(const ModelVersion& version);
// A version with its model document: model_version_to_json plus "model_doc"
// (model_doc_to_json: flavors, signature, input example, ...).
nlohmann::json model_version_to_detail_json(const ModelVersion& version);
// A registered model with every version (oldest first) as model_version_to_detail_json, under
// "versions".
nlohmann::json registered_model_to_detail_json(const RegisteredModel& model);
// The datasets a version's run trained on, each as tracking::dataset_input_to_json.
nlohmann::json training_inputs_to_json(const std::vector<tracking::DatasetInput>& inputs);
// A class label as JSON, typed as the training target (`dtype` from Predictions::label_dtype or
// the signature's output): a number for "int64" / "float64" labels, else the string.
nlohmann::json class_label_json(const std::string& label, const std::string& dtype);
// Predictions, one shape for the CLI, lab_api, the JS API and the scoring server: a regressor's
// {"predictions": [values]}; a classifier's {"predictions": [labels], "classes": [labels],
// "probabilities": [{label: p, ...} per row]} with labels typed as the training target (iris'
// 0 / 1 / 2 are numbers, sentiment's "neg" / "pos" strings) and each row's probabilities keyed
// by the class label's text. `with_probabilities` false leaves out classes and probabilities
// (the scoring server without predict_proba, as MLflow's).
nlohmann::json predictions_to_json(const Predictions& p, bool with_probabilities = true);

// Parses the registry record (newer schema versions are refused). `what` names the record in
// errors.
Result<RegisteredModel> parse_registered_model_record(const std::string& bytes,
                                                      const std::string& what = "registered model record");
// Writes the registry record ("mllab.registered_model").
std::string write_registered_model_record(const RegisteredModel& model);

}  // namespace mllab::registry

// What the pipeline builder decides, as core functions the app's form calls (and native tests
// check): which steps exist and what each reads (from the step registries), a starting spec for
// a dataset (a ColumnTransformer by column type), adding / moving / removing steps, swapping the
// estimator, re-deriving the column steps when the target or the feature columns change, the
// scorings a task offers, starting search spaces and a parameter's one-line help.
// The form's model is a PipelineSpec; the JSON editor round-trips it through
// pipeline_spec_to_json / parse_pipeline_spec, so form and JSON are one document.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/data/table.hpp"
#include "core/ml/params.hpp"
#include "core/pipeline/spec.hpp"

namespace mllab::pipeline {

// What a step type reads and where it may stand in a pipeline.
enum class StepRole {
  kTextColumns,         // vectorizers: one text column each
  kCategoricalColumns,  // OneHotEncoder: string columns
  kNumericColumns,      // a transformer applied to named numeric columns (a column step)
  kMatrix,              // a transformer of the whole stacked feature matrix
  kClassifier,
  kRegressor,
};

struct StepType {
  std::string type;  // scikit-learn class name
  StepRole role;
};

// Every step type of the registries with its role, in registry order. A numeric transformer
// appears twice: as a column step (kNumericColumns) and as a matrix step (kMatrix).
std::vector<StepType> step_catalog();
// The step types a pipeline may add before its estimator (column steps and matrix steps).
std::vector<StepType> addable_steps();
// True for a role whose step reads named table columns.
bool reads_columns(StepRole role);
// A short label of a role for forms: "text columns", "categorical columns", "numeric columns",
// "feature matrix", "classifier", "regressor".
const char* step_role_label(StepRole role);

// The scorings a task offers, in scikit-learn's names; the first is the default.
const std::vector<std::string>& scorings_for(bool regression);
// A starting search space for an estimator (the course's grid for random forests), with keys
// "<step>__<param>"; an empty object for estimators without one.
json default_search_space(const std::string& estimator_type, const std::string& step_name = "model");

// A parameter's help: its doc, default and bounds in one line ("Inverse of regularization
// strength. Default 1.0; > 0.").
std::string param_help(const ml::ParamSpec& spec);

// A starting spec for training on `table` (at spec path `dataset_path`) to predict `target`:
// text columns -> TfidfVectorizer(max_features=1000) each, categorical -> OneHotEncoder
// (handle_unknown="ignore"), numeric columns with missing values -> SimpleImputer(median),
// other numeric columns passed through; a StandardScaler (with_mean=false when the features are
// sparse) and LogisticRegression; split test_size 0.2, random_state 42.
PipelineSpec default_spec_for(const data::Table& table, const std::string& dataset_path, const std::string& target);

// Re-derives the column steps' columns and the passthrough features for `target` and the
// feature columns not in `excluded`, keeping each kind of column step's type and parameters
// (a CountVectorizer stays a CountVectorizer), adding the kinds newly needed and dropping
// those left without columns. Matrix steps, the estimator, split, evaluation and search stay.
void retarget(PipelineSpec& spec, const data::Table& table, const std::string& target,
              const std::set<std::string>& excluded);

// Adds a step of `type` in `role` before the estimator, named after the type and unique in
// the pipeline; a column step reads the matching columns of `table` not yet read by a step of
// its role (for a vectorizer, the first such text column). Column steps go after the last
// column step, matrix steps right before the estimator. Errors name an unknown type, a role
// the type cannot take, or a column step with no column left to read.
Status add_step(PipelineSpec& spec, const std::string& type, StepRole role, const data::Table* table);
// Moves step `index` one place up (delta -1) or down (+1) when the result is a valid order
// (column steps before matrix steps, the estimator last); returns whether it moved.
bool move_step(PipelineSpec& spec, size_t index, int delta);
// Removes step `index` (never the estimator); returns whether it did.
bool remove_step(PipelineSpec& spec, size_t index);
// Gives step `index` (not the estimator) another type of the same role ("TfidfVectorizer" ->
// "CountVectorizer"), its parameters reset (vectorizers keep max_features) and its name
// re-derived when it was the default one ("tfidf_text" -> "counts_text").
Status change_step_type(PipelineSpec& spec, size_t index, const std::string& type);
// The role step `index` of `spec` plays (the last step is the estimator).
StepRole role_of(const PipelineSpec& spec, size_t index);
// Makes `type` the estimator (its parameters reset); when a search is set, its space becomes
// the new estimator's default. Errors name an unknown estimator.
Status set_estimator(PipelineSpec& spec, const std::string& type);

// The spec's JSON text for the editor (pretty, 2-space indent).
std::string spec_text(const PipelineSpec& spec);

}  // namespace mllab::pipeline

// What the web app holds between frames: the Lab (core objects), UI selections, the job queue
// and the widget rectangles tests click on. Panels draw it; they hold no business logic.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/pipeline/train_job.hpp"
#include "platform/lab.hpp"

namespace mllab::app {

using json = nlohmann::json;

// A rectangle in CSS pixels, for tests that click widgets.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

// A training job started from the UI or the JS API.
struct JobEntry {
  int id = 0;
  std::unique_ptr<pipeline::TrainJob> job;
  std::string error;  // set when the job could not even start
  bool finished = false;
};

// The dataset shown in the Datasets panel.
struct DatasetView {
  std::string uri;       // spec path: "assets/datasets/iris.csv" or "datasets:/name"
  std::string name;
  std::string source_type;
  data::Table table;     // parsed for preview and column types
  std::vector<std::string> target_names;
};

// The whole UI state.
struct AppState {
  std::unique_ptr<platform::Lab> lab;

  // Datasets panel.
  std::vector<datasets::DatasetRecord> stored_datasets;
  bool datasets_dirty = true;
  std::optional<DatasetView> dataset;
  std::string dataset_error;  // e.g. a CSV parse error naming line and column
  std::string target;

  // Train panel: the form, in scikit-learn's names.
  std::string experiment = "Default";
  char run_name[128] = "";
  double test_size = 0.2;
  int random_state = 42;
  bool stratify = true;
  // The estimator and its parameters (edited through its parameter table).
  std::string model_type = "LogisticRegression";
  json model_params = json::object();
  // "StandardScaler", "MinMaxScaler" or "None"; on sparse features StandardScaler never centers.
  std::string scaler_type = "StandardScaler";
  json scaler_params = json::object();
  // Column steps, as a ColumnTransformer by column type: text columns -> the vectorizer
  // ("TfidfVectorizer" or "CountVectorizer"), categorical -> OneHotEncoder, numeric columns with
  // missing values -> SimpleImputer; each with its parameters.
  std::string vectorizer_type = "TfidfVectorizer";
  json vectorizer_params = {{"max_features", 1000}};
  json onehot_params = {{"handle_unknown", "ignore"}};
  json imputer_params = {{"strategy", "median"}};
  // Feature columns the user unticked.
  std::set<std::string> excluded_columns;
  // Cross-validation folds on the training split (0 = none).
  int cv = 0;
  // Hyper-parameter search: "None", "GridSearchCV" or "RandomizedSearchCV"; the space as JSON
  // text (param_grid / param_distributions, "step__param" keys), cv, scoring ("" = default),
  // n_iter and random_state (random search).
  std::string search_type = "None";
  char search_space[1024] = "";
  int search_cv = 5;
  std::string search_scoring;
  int search_n_iter = 10;
  int search_random_state = 0;
  // Why search_space does not parse ("" when it does).
  std::string search_space_error;

  // Jobs: started in order, one at a time, a stage per frame.
  std::deque<JobEntry> jobs;
  int next_job_id = 1;
  std::string last_job_message;

  // Runs panel.
  std::vector<tracking::Run> runs;
  bool runs_dirty = true;
  std::string selected_run;

  // Problems to show the user (storage failures).
  std::string storage_error;
  // Runs ended FAILED after their save failed (tried once each: that write may fail too).
  std::set<std::string> failed_saves;

  // Widget rectangles by name, refreshed every frame.
  std::map<std::string, Rect> widgets;
  int frame = 0;
};

// Selects a dataset by spec path, parsing it for the preview; errors go to dataset_error.
void select_dataset(AppState& app, const std::string& uri);
// Stores uploaded CSV bytes as a dataset (nothing is stored if they do not parse) and selects it.
// Returns the error, or ok.
Status add_uploaded_dataset(AppState& app, const std::string& file_name, const std::string& bytes);
// The spec the Train form describes.
json spec_from_form(const AppState& app);
// A starting search space for an estimator (the course's grid for random forests), as JSON text.
std::string default_search_space(const std::string& model_type);
// Queues a training job for a spec; returns the job id (the job may fail to start: see error).
int start_job(AppState& app, const std::string& spec_json, const std::string& source);
// Advances the current job by one stage (called once per frame).
void advance_jobs(AppState& app);
// Drops selections whose dataset or run no longer exists (after a rolled-back write).
void revalidate_selection(AppState& app);
// A write failed and was rolled back (`keys`: what it wrote): tells the user, reloads the lists,
// and ends FAILED a run whose job is over but whose save failed (it would stay RUNNING).
void on_storage_failure(AppState& app, const Status& st, const std::vector<std::string>& keys);
// Marks RUNNING runs of gone pages (closed or reloaded mid-job) KILLED.
void reap_orphaned_runs(AppState& app);
// Reloads the runs list from the store if it changed; true when it did.
bool refresh_runs(AppState& app);
// The stored (uploaded) datasets, reloaded from the store only after a change.
const std::vector<datasets::DatasetRecord>& stored_datasets(AppState& app);
// Remembers a widget's rectangle (call right after drawing it).
void track_widget(AppState& app, const std::string& name);

}  // namespace mllab::app

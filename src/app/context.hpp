// What the app's views share: the Lab, the selection, the job runner, the store revision their
// caches key on, the error banner and the widget rectangles tests click on. Views talk to each
// other only through this and the Lab, never through each other's fields.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/jobs.hpp"
#include "core/data/table.hpp"
#include "core/util/cached.hpp"
#include "platform/lab.hpp"

namespace mllab::app {

using json = nlohmann::json;

// A rectangle in CSS pixels, for tests that click widgets.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

// The workspaces, in the order of the tab bar.
enum class Workspace { kData, kTrain, kRuns, kCompare, kModels, kFeatures, kMonitoring, kStorage };
const char* workspace_name(Workspace w);

// The dataset picked in a Datasets list, parsed for previews, the schema and the Train form.
struct LoadedDataset {
  std::string uri;          // spec path: "assets/datasets/iris.csv" or "datasets:/name"
  std::string name;
  std::string source_type;  // "builtin" | "upload" | ...
  data::Table table;
  std::vector<std::string> target_names;
  std::string target;                      // the column to predict
  std::set<std::string> excluded_columns;  // feature columns the user unticked
};

// What is selected, shared by the workspaces.
struct Selection {
  std::string run_id;                // the run Run detail shows
  int dataset_version = 0;           // the version a link asked for (Run detail's inputs; 0: latest)
  std::vector<std::string> compare;  // runs picked for Compare
  std::string experiment_id;         // the experiment the Runs table shows ("" = all)
  std::string model_name;            // the registered model the Models workspace shows
  int model_version = 0;
};

class AppContext {
 public:
  explicit AppContext(std::unique_ptr<platform::Lab> lab);

  platform::Lab& lab() { return *lab_; }
  // Grows with every change to the store (ours, rolled back, or another tab's): key caches on it.
  uint64_t revision() const { return lab_->store().revision(); }
  // Every run, reloaded only after the store changed.
  const std::vector<tracking::Run>& runs();
  // The stored (uploaded and derived) datasets, reloaded only after the store changed.
  const std::vector<datasets::DatasetRecord>& stored_datasets();

  // The selected dataset (nullptr when none), and why the last selection failed ("" if it did not).
  const LoadedDataset* dataset() const { return dataset_ ? &*dataset_ : nullptr; }
  LoadedDataset* dataset() { return dataset_ ? &*dataset_ : nullptr; }
  const std::string& dataset_error() const { return dataset_error_; }
  // Selects a dataset by spec path, parsing it; errors go to dataset_error().
  void select_dataset(const std::string& uri);
  // Stores uploaded CSV bytes as a dataset (nothing is stored if they do not parse) and selects it.
  Status add_uploaded_dataset(const std::string& file_name, const std::string& bytes);

  Selection selection;
  JobRunner& jobs() { return jobs_; }
  // Queues a training job for a spec; returns the job id (see JobRunner::start_train).
  int start_train(const std::string& spec_json, const std::string& source);

  Workspace workspace() const { return workspace_; }
  void go_to(Workspace w) { workspace_ = w; }

  // The banner: messages shown until dismissed, newest last (full text, never only the console).
  void report_error(const std::string& message);
  std::vector<std::string>& errors() { return errors_; }
  // The last storage failure ("" once dismissed), for tests and the banner.
  const std::string& storage_error() const { return storage_error_; }
  void clear_storage_error() { storage_error_.clear(); }

  // A write failed and was rolled back (`keys`: what it wrote): tells the user, drops selections
  // of what no longer exists, and ends FAILED a run whose job is over but whose save failed.
  void on_storage_failure(const Status& st, const std::vector<std::string>& keys);
  // Marks RUNNING runs of gone pages (closed or reloaded mid-job) KILLED.
  void reap_orphaned_runs();
  // Drops selections whose dataset or run no longer exists.
  void revalidate_selection();

  // Remembers the last drawn widget's rectangle under `name` (for tests that click it).
  void track(const std::string& name);
  const std::map<std::string, Rect>& widgets() const { return widgets_; }
  void begin_frame() { widgets_.clear(); }
  void end_frame() { ++frame_; }
  int frame() const { return frame_; }
  // The frames' own work (events, ImGui, drawing; not the job's slice), smoothed; for uiState().
  void set_frame_work_ms(double ms) { frame_work_ms_ = ms; }
  double frame_work_ms() const { return frame_work_ms_; }
  // Frames whose picture changed and was drawn (the others issue no GL calls; main.cpp).
  void set_frames_drawn(int n) { frames_drawn_ = n; }
  int frames_drawn() const { return frames_drawn_; }

 private:
  std::unique_ptr<platform::Lab> lab_;
  Cached<std::vector<tracking::Run>> runs_;
  Cached<std::vector<datasets::DatasetRecord>> stored_datasets_;
  std::optional<LoadedDataset> dataset_;
  std::string dataset_error_;
  JobRunner jobs_;
  Workspace workspace_ = Workspace::kData;
  std::vector<std::string> errors_;
  std::string storage_error_;
  std::set<std::string> failed_saves_;  // runs ended FAILED after their save failed (tried once)
  std::map<std::string, Rect> widgets_;
  int frame_ = 0;
  double frame_work_ms_ = 0;
  int frames_drawn_ = 0;
};

}  // namespace mllab::app

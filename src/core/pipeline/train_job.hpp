// Training a pipeline spec as a resumable job: each step() does one unit of work (a pipeline
// step, a tree of a forest, a boosting iteration, a chunk of prediction rows, a tree of the
// model document), so the browser can draw a frame (and a progress bar) between units;
// advance(budget) runs units for about `budget` ms; the CLI calls run_to_end().
//
// One run = create (RUNNING) -> load CSV -> split -> [cross-validate: each fold's fit in units,
// then its scoring in row chunks] -> [search: the same per candidate fold, then the best
// candidate's params] -> fit (in units) -> evaluate (row chunks) -> save the model document
// (a tree per unit) -> commit (params, metrics, tags, artifacts, inputs and FINISHED in one batch). Any error ends
// the run FAILED with the message in the tag "mllab.error" and nothing else half-logged.
// Each cross-validation fold and each search candidate is also a nested run (tag
// mlflow.parentRunId), written when it finishes; the parent records the best candidate.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/table.hpp"
#include "core/ml/model_selection.hpp"
#include "core/pipeline/fitted_pipeline.hpp"
#include "core/pipeline/job.hpp"
#include "core/pipeline/spec.hpp"
#include "core/tracking/tracking_store.hpp"

namespace mllab::pipeline {

// The dataset bytes a spec's path resolved to, with where they came from.
struct DatasetSource {
  std::string name;         // e.g. "breast_cancer"
  std::string path;         // as written in the spec
  std::string source_type;  // "builtin" | "upload" | "local"
  std::string bytes;        // the CSV file
  std::vector<std::string> target_names;  // display names of the classes, if known
  // A stored dataset version's schema ({"columns": [{"name", "type"}]}): the column types the
  // user set (a set_type step) are applied after parsing, as DatasetStore::table does. Null for
  // files, whose types are inferred.
  nlohmann::json schema = nullptr;
};

// Trains one spec into one tracked run.
class TrainJob : public Job {
 public:
  // `source` tells the run where it was started ("cli", "web", "js-api").
  TrainJob(PipelineSpec spec, DatasetSource dataset, tracking::TrackingClient& client,
           std::string source = "cli");
  ~TrainJob() override;

  // Runs the next stage. Returns false once the job has finished (successfully or not).
  bool step();
  // Runs stages until about `budget_ms` has passed (at least one); false once finished.
  bool advance(double budget_ms) override;
  // Runs every remaining stage.
  void run_to_end();
  // Overrides the spec's memory budget (MiB; 0 keeps the spec's or the default), e.g. from
  // `mllab run --memory-budget`. Call before the first step.
  void set_memory_budget_mb(int64_t mb) { memory_budget_override_mb_ = mb; }
  // Stops the job at the next stage: the run ends KILLED.
  void cancel() override { cancel_requested_ = true; }

  bool done() const override { return stage_ == Stage::kDone; }
  // Progress in [0, 1] and the current stage's name.
  double progress() const override;
  const char* stage_name() const;
  // The stage with what is being done in it: "fold 2/5 · tree 140/300".
  std::string stage_text() const override;
  double eta_seconds() const override;
  // The run id once created ("" before).
  const std::string& run_id() const override { return run_id_; }
  // After done(): the ok status, or the error that failed the run.
  const Status& status() const override { return status_; }
  double longest_unit_ms() const override { return longest_unit_ms_; }
  std::string longest_unit() const override { return longest_unit_; }

 private:
  enum class Stage { kCreate, kLoad, kSplit, kCheck, kCrossValidate, kSearch, kFit, kEvaluate, kSave, kCommit, kDone };
  struct ChunkedPredict;
  // A cross-validation or search fold in progress: its fit (in units), then its scoring.
  struct FoldWork;
  void fail(const Status& st, tracking::RunStatus status = tracking::RunStatus::kFailed);
  void run_stage();
  // Starts fitting `spec` on training rows `train`, to be scored on training rows `test`.
  void start_fold(const PipelineSpec& spec, const std::vector<size_t>& train, const std::vector<size_t>& test);
  // One unit of the fold in progress; true once it is scored (the score in *score).
  bool advance_fold(const std::string& scoring, double* score);
  // The fraction of the fold in progress done.
  double fold_fraction() const;
  // The spec of search candidate `c`.
  PipelineSpec candidate_spec(size_t c) const;
  // Folds over the training split for `n_splits` (stratified for classification, as sklearn).
  std::vector<ml::Fold> folds(int n_splits) const;
  // Records a finished nested run (a fold or a search candidate) under this run.
  void log_child_run(const std::string& name, int64_t start_time, tracking::RunData data);
  // Estimates the fit's memory (see memory_budget.hpp) and checks the folds against the rows.
  Status check_resources();
  // Logs the artifacts of the fitted model: the pipeline, feature importances.
  void log_model_artifacts();
  void evaluate_classifier();
  void evaluate_regressor();

  PipelineSpec spec_;
  DatasetSource dataset_;
  tracking::TrackingClient& client_;
  std::string source_;
  int64_t memory_budget_override_mb_ = 0;
  Stage stage_ = Stage::kCreate;
  bool cancel_requested_ = false;
  Status status_;
  std::string run_id_;
  std::string run_name_;
  std::string experiment_id_;
  int64_t start_time_ = 0;
  int64_t work_start_ = 0;  // when the current fold / candidate began
  double advance_started_ms_ = -1;  // steady-clock time of the first advance()
  double last_unit_ms_ = 0;         // the previous step's duration
  double longest_unit_ms_ = 0;
  std::string longest_unit_;

  // Working state.
  bool regression_ = false;
  data::Table table_;
  std::string digest_;
  LabelEncoding labels_;
  data::Table x_train_, x_test_;          // feature/input columns of the split rows
  std::vector<int> y_train_, y_test_;     // classification
  ml::Vector yr_train_, yr_test_;         // regression
  std::vector<std::string> passthrough_;  // numeric features not read by column steps
  std::optional<FittedPipeline> model_;
  tracking::RunData data_;
  // Cross-validation / search progress.
  std::vector<ml::Fold> folds_;
  std::vector<double> cv_scores_;
  std::vector<json> candidates_;
  std::vector<std::vector<double>> candidate_scores_;
  std::vector<std::string> candidate_runs_;  // child run id per finished candidate
  size_t work_index_ = 0;
  // Units in progress.
  std::unique_ptr<FoldWork> fold_;
  std::unique_ptr<ml::FitTask> fit_task_;  // the final fit
  double fit_busy_ms_ = 0;                 // time spent in the final fit's units
  std::unique_ptr<ChunkedPredict> eval_test_, eval_train_;
  std::unique_ptr<ModelTextWriter> writer_;
  size_t fits_total_ = 1, fits_done_ = 0;  // fits of the run (folds, candidate folds, final)
};

}  // namespace mllab::pipeline

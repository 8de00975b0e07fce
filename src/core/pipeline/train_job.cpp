#include "core/pipeline/train_job.hpp"

#include <algorithm>
#include <numeric>

#include "core/data/csv.hpp"
#include "core/ml/metrics.hpp"
#include "core/ml/split.hpp"
#include "core/util/clock.hpp"
#include "core/util/sha256.hpp"

namespace mllab::pipeline {
namespace {

ml::Matrix take_rows(const ml::Matrix& x, const std::vector<size_t>& rows) {
  ml::Matrix out(Eigen::Index(rows.size()), x.cols());
  for (size_t i = 0; i < rows.size(); ++i) out.row(Eigen::Index(i)) = x.row(Eigen::Index(rows[i]));
  return out;
}

std::string fmt_double(double v) {
  data::Column c;
  c.numbers = {v};
  return c.value_string(0);
}

}  // namespace

TrainJob::TrainJob(PipelineSpec spec, DatasetSource dataset, tracking::TrackingClient& client,
                   std::string source)
    : spec_(std::move(spec)), dataset_(std::move(dataset)), client_(client), source_(std::move(source)) {}

double TrainJob::progress() const {
  switch (stage_) {
    case Stage::kCreate: return 0.0;
    case Stage::kLoad: return 0.1;
    case Stage::kSplit: return 0.3;
    case Stage::kFit: return 0.4;
    case Stage::kEvaluate: return 0.8;
    case Stage::kCommit: return 0.9;
    case Stage::kDone: return 1.0;
  }
  return 0;
}

const char* TrainJob::stage_name() const {
  switch (stage_) {
    case Stage::kCreate: return "starting run";
    case Stage::kLoad: return "reading dataset";
    case Stage::kSplit: return "splitting train/test";
    case Stage::kFit: return "fitting pipeline";
    case Stage::kEvaluate: return "evaluating on the test split";
    case Stage::kCommit: return "saving run";
    case Stage::kDone: return "done";
  }
  return "";
}

void TrainJob::fail(const Status& st, tracking::RunStatus status) {
  status_ = st;
  stage_ = Stage::kDone;
  if (run_id_.empty()) return;
  // Record the failure without the half-computed metrics or artifacts.
  tracking::RunData failed;
  failed.params = data_.params;
  failed.tags = data_.tags;
  failed.inputs = data_.inputs;
  failed.tags["mllab.error"] = st.message();
  Status end = client_.end_run(run_id_, failed, status, now_ms());
  if (!end.is_ok()) status_ = Status(st.code(), st.message() + " (and the run could not be closed: " + end.message() + ")");
}

bool TrainJob::step() {
  if (stage_ == Stage::kDone) return false;
  if (cancel_requested_ && stage_ != Stage::kCreate) {
    fail(Status::invalid("cancelled by the user"), tracking::RunStatus::kKilled);
    return false;
  }
  try {
    run_stage();
  } catch (const Error& e) {
    fail(e.status());
  } catch (const std::exception& e) {
    fail(Status::internal(e.what()));
  }
  return stage_ != Stage::kDone;
}

void TrainJob::run_to_end() {
  while (step()) {
  }
}

void TrainJob::run_stage() {
  switch (stage_) {
    case Stage::kCreate: {
      auto exp = client_.get_or_create_experiment(spec_.experiment);
      if (!exp) return fail(exp.status());
      start_time_ = now_ms();
      auto run = client_.create_run(exp->experiment_id, spec_.run_name, start_time_);
      if (!run) return fail(run.status());
      run_id_ = run->run_id;
      // Params known before any data is read: the spec's split and every step's full config.
      data_.params["dataset"] = spec_.dataset_path;
      data_.params["target"] = spec_.target;
      data_.params["test_size"] = fmt_double(spec_.test_size);
      data_.params["random_state"] = std::to_string(spec_.random_state);
      data_.params["stratify"] = spec_.stratify ? "True" : "False";
      std::string steps;
      for (const auto& s : spec_.steps) steps += (steps.empty() ? "" : " -> ") + s.name + ":" + s.type;
      data_.params["steps"] = steps;
      auto model = FittedPipeline::from_spec(spec_);
      if (!model) return fail(model.status());
      for (auto& [k, v] : model->flat_params()) data_.params[k] = v;
      model_ = std::move(model).value();
      data_.tags["mllab.source"] = source_;
      data_.tags["mlflow.source.type"] = "LOCAL";
      data_.tags["mllab.version"] = MLLAB_VERSION;
      data_.tags["mllab.seed"] = std::to_string(spec_.random_state);
      data_.tags["mllab.pipeline_digest"] = sha256_hex(pipeline_spec_to_json(spec_).dump()).substr(0, 16);
      for (const auto& [k, v] : spec_.tags) data_.tags[k] = v;
      stage_ = Stage::kLoad;
      return;
    }
    case Stage::kLoad: {
      digest_ = sha256_hex(dataset_.bytes);
      data::CsvOptions opts;
      opts.source = dataset_.path;
      auto table = data::read_csv(dataset_.bytes, opts);
      if (!table) return fail(table.status());
      table_ = std::move(table).value();
      tracking::DatasetInput in;
      in.name = dataset_.name;
      in.digest = digest_;
      in.source_type = dataset_.source_type;
      in.source = dataset_.path;
      in.num_rows = int64_t(table_.num_rows());
      json cols = json::array();
      for (const auto& c : table_.columns()) cols.push_back({{"name", c.name}, {"type", data::column_type_name(c.type)}});
      in.schema = {{"columns", cols}};
      in.context = "training";
      data_.inputs.push_back(in);
      data_.tags["mllab.dataset_digest"] = digest_;
      stage_ = Stage::kSplit;
      return;
    }
    case Stage::kSplit: {
      auto labels = encode_labels(table_, spec_.target);
      if (!labels) return fail(labels.status());
      labels_ = std::move(labels).value();
      std::vector<std::string> features = spec_.features;
      if (features.empty()) {
        for (const auto& c : table_.columns()) {
          if (c.name != spec_.target) features.push_back(c.name);
        }
      }
      if (std::find(features.begin(), features.end(), spec_.target) != features.end()) {
        return fail(Status::invalid("dataset.features: the target column '" + spec_.target + "' cannot be a feature"));
      }
      // Rows without a label cannot be used for training or evaluation.
      std::vector<size_t> labelled;
      std::vector<int> y;
      for (size_t i = 0; i < labels_.y.size(); ++i) {
        if (labels_.y[i] >= 0) { labelled.push_back(i); y.push_back(labels_.y[i]); }
      }
      if (labelled.size() < labels_.y.size()) {
        data_.tags["mllab.rows_without_target"] = std::to_string(labels_.y.size() - labelled.size());
      }
      auto x_all = feature_matrix(table_.take_rows(labelled), features);
      if (!x_all) return fail(x_all.status());
      int n_classes = int(labels_.classes.size());
      auto split = ml::train_test_split(y, n_classes, spec_.test_size, spec_.random_state, spec_.stratify);
      train_rows_ = split.train;
      test_rows_ = split.test;
      x_train_ = take_rows(*x_all, train_rows_);
      x_test_ = take_rows(*x_all, test_rows_);
      y_train_.clear(); y_test_.clear();
      for (size_t r : train_rows_) y_train_.push_back(y[r]);
      for (size_t r : test_rows_) y_test_.push_back(y[r]);
      model_->features = features;
      model_->classes = labels_.classes;
      model_->target_names = dataset_.target_names.size() == labels_.classes.size() ? dataset_.target_names : labels_.classes;
      data_.params["n_features"] = std::to_string(features.size());
      data_.params["n_train"] = std::to_string(train_rows_.size());
      data_.params["n_test"] = std::to_string(test_rows_.size());
      stage_ = Stage::kFit;
      return;
    }
    case Stage::kFit: {
      model_->fit(x_train_, y_train_, int(labels_.classes.size()));
      stage_ = Stage::kEvaluate;
      return;
    }
    case Stage::kEvaluate: {
      const int k = int(labels_.classes.size());
      ml::Matrix proba = model_->predict_proba(x_test_);
      std::vector<int> pred = model_->predict(x_test_);
      std::vector<int> train_pred = model_->predict(x_train_);
      auto cm = ml::classification_metrics(y_test_, pred, k);
      int64_t ts = now_ms();
      auto metric = [&](const std::string& key, double v) { data_.metrics.push_back({key, v, ts, 0}); };
      metric("accuracy", cm.accuracy);
      metric("precision_macro", cm.precision_macro);
      metric("recall_macro", cm.recall_macro);
      metric("f1_macro", cm.f1_macro);
      metric("precision_weighted", cm.precision_weighted);
      metric("recall_weighted", cm.recall_weighted);
      metric("f1_weighted", cm.f1_weighted);
      metric("f1_score", cm.f1_weighted);  // the course's name: f1_score(average='weighted')
      metric("train_accuracy", ml::accuracy_score(y_train_, train_pred));
      metric("log_loss", ml::log_loss(y_test_, proba));
      bool all_present = true;
      for (int c = 0; c < k; ++c) {
        if (std::find(y_test_.begin(), y_test_.end(), c) == y_test_.end()) all_present = false;
      }
      if (all_present) {
        if (k == 2) {
          std::vector<double> score(proba.rows());
          for (Eigen::Index i = 0; i < proba.rows(); ++i) score[size_t(i)] = proba(i, 1);
          metric("roc_auc", ml::roc_auc_score(y_test_, score));
        } else {
          metric("roc_auc_ovr", ml::roc_auc_score_ovr(y_test_, proba));
        }
      }
      std::string report = ml::format_classification_report(cm, model_->target_names, 2);
      json cmj = {{"labels", model_->target_names}, {"matrix", cm.confusion_matrix}};
      data_.artifacts.push_back({{"model/pipeline.json", "application/json", 0, ""}, model_->to_json().dump()});
      data_.artifacts.push_back({{"classification_report.txt", "text/plain", 0, ""}, report});
      data_.artifacts.push_back({{"confusion_matrix.json", "application/json", 0, ""}, cmj.dump()});
      stage_ = Stage::kCommit;
      return;
    }
    case Stage::kCommit: {
      Status st = client_.end_run(run_id_, data_, tracking::RunStatus::kFinished, now_ms());
      if (!st.is_ok()) return fail(st);
      status_ = Status::ok();
      stage_ = Stage::kDone;
      return;
    }
    case Stage::kDone:
      return;
  }
}

}  // namespace mllab::pipeline

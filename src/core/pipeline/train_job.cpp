#include "core/pipeline/train_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>

#include "core/data/csv.hpp"
#include "core/datasets/profile.hpp"
#include "core/ml/metrics.hpp"
#include "core/ml/regression_metrics.hpp"
#include "core/ml/split.hpp"
#include "core/pipeline/memory_budget.hpp"
#include "core/registry/model_doc.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"
#include "core/util/sha256.hpp"

namespace mllab::pipeline {
namespace {

std::string fmt_double(double v) { return data::format_number(v); }

double steady_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

std::vector<double> to_std(const ml::Vector& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

template <typename T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<size_t>& rows) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (size_t r : rows) out.push_back(v[r]);
  return out;
}

ml::Vector pick(const ml::Vector& v, const std::vector<size_t>& rows) {
  ml::Vector out(Eigen::Index(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) out[Eigen::Index(i)] = v[Eigen::Index(rows[i])];
  return out;
}

// Scores classification predictions by a scikit-learn scoring name.
double classification_score(const std::string& scoring, const std::vector<int>& y, const std::vector<int>& pred,
                            const ml::Matrix& proba, int n_classes) {
  if (scoring == "neg_log_loss") return -ml::log_loss(y, proba);
  if (scoring == "roc_auc") {
    if (n_classes != 2) return ml::roc_auc_score_ovr(y, proba);
    std::vector<double> score(size_t(proba.rows()));
    for (Eigen::Index i = 0; i < proba.rows(); ++i) score[size_t(i)] = proba(i, 1);
    return ml::roc_auc_score(y, score);
  }
  auto m = ml::classification_metrics(y, pred, n_classes);
  if (scoring == "f1_macro") return m.f1_macro;
  if (scoring == "f1_weighted") return m.f1_weighted;
  if (scoring == "precision_macro") return m.precision_macro;
  if (scoring == "recall_macro") return m.recall_macro;
  return m.accuracy;
}

double regression_score(const std::string& scoring, const std::vector<double>& y, const std::vector<double>& pred) {
  if (scoring == "neg_mean_squared_error") return -ml::mean_squared_error(y, pred);
  if (scoring == "neg_root_mean_squared_error") return -ml::root_mean_squared_error(y, pred);
  if (scoring == "neg_mean_absolute_error") return -ml::mean_absolute_error(y, pred);
  return ml::r2_score(y, pred);
}

double population_std(const std::vector<double>& v) {
  double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / double(v.size()));
}

// predict_proba and predict of one transform of `x`: the same values as the two calls (the
// classifiers whose predict is not most_probable(predict_proba) are asked for both).
void predict_both(const FittedPipeline& model, const data::Table& x, ml::Matrix* proba, std::vector<int>* pred) {
  const Features f = model.transform(x);
  const ml::Classifier& c = *model.steps.back().classifier;
  *proba = f.sparse ? c.predict_proba_sparse(f.sp) : c.predict_proba(f.dense);
  const bool own_predict = c.type() == "LogisticRegression" || c.type() == "MultinomialNB";
  if (!own_predict) *pred = ml::most_probable(*proba);
  else *pred = f.sparse ? c.predict_sparse(f.sp) : c.predict(f.dense);
}

}  // namespace

// Predictions of a fitted pipeline on a table, kRows rows per unit: row-wise steps and models
// give the same rows as one call on the whole table.
struct TrainJob::ChunkedPredict {
  static constexpr size_t kRows = 256;
  ChunkedPredict(const FittedPipeline& m, const data::Table& t, bool regression, bool with_proba)
      : model(m), x(t), regression(regression), with_proba(with_proba) {}
  const FittedPipeline& model;
  const data::Table& x;
  bool regression, with_proba;
  size_t next = 0;
  bool done = false;
  ml::Matrix proba;
  std::vector<int> pred;
  std::vector<double> values;

  bool step() {
    if (done) return false;
    const size_t n = x.num_rows();
    const size_t end = std::min(n, next + kRows);
    std::vector<size_t> rows(end - next);
    std::iota(rows.begin(), rows.end(), next);
    const data::Table part = n == 0 ? x : x.take_rows(rows);
    if (regression) {
      const ml::Vector v = model.predict_values(part);
      values.insert(values.end(), v.data(), v.data() + v.size());
    } else {
      std::vector<int> c;
      if (with_proba) {
        ml::Matrix p;
        predict_both(model, part, &p, &c);
        if (next == 0) proba.resize(Eigen::Index(n), p.cols());
        if (p.rows() > 0) proba.middleRows(Eigen::Index(next), p.rows()) = p;
      } else {
        c = model.predict(part);
      }
      pred.insert(pred.end(), c.begin(), c.end());
    }
    next = end;
    done = next >= n;
    return !done;
  }
  double fraction() const { return done ? 1.0 : x.num_rows() == 0 ? 0.0 : double(next) / double(x.num_rows()); }
};

struct TrainJob::FoldWork {
  std::optional<FittedPipeline> model;
  data::Table xtr, xte;
  std::vector<int> ytr, yte;
  ml::Vector yrtr, yrte;
  std::unique_ptr<ml::FitTask> fit;
  std::unique_ptr<ChunkedPredict> predict;
};

TrainJob::TrainJob(PipelineSpec spec, DatasetSource dataset, tracking::TrackingClient& client,
                   std::string source)
    : spec_(std::move(spec)), dataset_(std::move(dataset)), client_(client), source_(std::move(source)) {
  regression_ = is_regression(spec_);
}

TrainJob::~TrainJob() = default;

double TrainJob::progress() const {
  // Every fit of the run (folds, candidate folds, the final fit) gets an equal part of 10%-90%.
  auto fits = [&](double part) { return 0.1 + 0.8 * std::min(1.0, part / double(std::max<size_t>(fits_total_, 1))); };
  switch (stage_) {
    case Stage::kCreate: return 0.0;
    case Stage::kLoad: return 0.02;
    case Stage::kSplit: return 0.05;
    case Stage::kCheck: return 0.07;
    case Stage::kCrossValidate:
    case Stage::kSearch: return fits(double(fits_done_) + fold_fraction());
    case Stage::kFit: return fits(double(fits_done_) + (fit_task_ ? fit_fraction(*fit_task_) : 0.0));
    case Stage::kEvaluate: {
      const double f = eval_test_ ? 0.5 * (eval_test_->fraction() + eval_train_->fraction()) : 0.0;
      return 0.9 + 0.04 * f;
    }
    case Stage::kSave: return 0.95 + 0.03 * (writer_ ? writer_->fraction() : 0.0);
    case Stage::kCommit: return 0.98;
    case Stage::kDone: return 1.0;
  }
  return 0;
}

double TrainJob::fold_fraction() const {
  if (!fold_) return 0.0;
  if (fold_->fit) return 0.9 * fit_fraction(*fold_->fit);
  return 0.9 + 0.1 * (fold_->predict ? fold_->predict->fraction() : 0.0);
}

std::string TrainJob::stage_text() const {
  const std::string dot = " \u00b7 ";
  auto fold_detail = [&]() -> std::string {
    if (!fold_) return "";
    if (fold_->fit) return dot + fold_->fit->describe();
    return dot + "scoring";
  };
  switch (stage_) {
    case Stage::kCrossValidate:
      if (folds_.empty()) break;
      return "fold " + std::to_string(work_index_ + 1) + "/" + std::to_string(folds_.size()) + fold_detail();
    case Stage::kSearch: {
      if (candidates_.empty() || folds_.empty()) break;
      const size_t c = work_index_ / folds_.size(), f = work_index_ % folds_.size();
      return "candidate " + std::to_string(c + 1) + "/" + std::to_string(candidates_.size()) + dot + "fold " +
             std::to_string(f + 1) + "/" + std::to_string(folds_.size()) + fold_detail();
    }
    case Stage::kFit:
      if (fit_task_) return "fitting" + dot + fit_task_->describe();
      break;
    case Stage::kEvaluate:
      if (eval_test_) {
        const size_t n = x_test_.num_rows() + x_train_.num_rows();
        const size_t at = eval_test_->next + eval_train_->next;
        return "evaluating" + dot + "rows " + std::to_string(at) + "/" + std::to_string(n);
      }
      break;
    case Stage::kSave:
      if (writer_ && writer_->trees() > 0) {
        return "saving model" + dot + "tree " + std::to_string(size_t(writer_->fraction() * double(writer_->trees()))) +
               "/" + std::to_string(writer_->trees());
      }
      break;
    default:
      break;
  }
  return stage_name();
}

const char* TrainJob::stage_name() const {
  switch (stage_) {
    case Stage::kCreate: return "starting run";
    case Stage::kLoad: return "reading dataset";
    case Stage::kSplit: return "splitting train/test";
    case Stage::kCheck: return "checking memory";
    case Stage::kCrossValidate: return "cross-validating";
    case Stage::kSearch: return "searching parameters";
    case Stage::kFit: return "fitting pipeline";
    case Stage::kEvaluate: return "evaluating on the test split";
    case Stage::kSave: return "saving model";
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
  failed.tags["mllab.error"] = quote_for_message(st.message(), 4000);  // within MLflow's tag limit
  Status end = client_.end_run(run_id_, failed, status, now_ms());
  if (!end.is_ok()) {
    // What the run knew may be what cannot be stored (a value over MLflow's limits): close it
    // with the error alone rather than leave it RUNNING.
    tracking::RunData bare;
    bare.tags["mllab.error"] = failed.tags["mllab.error"];
    end = client_.end_run(run_id_, bare, status, now_ms());
  }
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

bool TrainJob::advance(double budget_ms) {
  const double start = steady_ms();
  if (advance_started_ms_ < 0) advance_started_ms_ = start;
  bool more = true;
  double now = start;
  // At least one unit; then another only while it is likely to end within the budget (units
  // of a stage take about the same time: trees, row chunks).
  do {
    const std::string what = stage_text();
    const double t0 = now;
    more = step();
    now = steady_ms();
    last_unit_ms_ = now - t0;
    if (last_unit_ms_ > longest_unit_ms_) {
      longest_unit_ms_ = last_unit_ms_;
      longest_unit_ = what;
    }
  } while (more && now - start + last_unit_ms_ <= budget_ms);
  return more;
}

double TrainJob::eta_seconds() const {
  const double p = progress();
  if (advance_started_ms_ < 0 || p <= 0.02 || p >= 1.0) return -1;
  const double elapsed = (steady_ms() - advance_started_ms_) / 1000.0;
  return elapsed * (1.0 - p) / p;
}

void TrainJob::run_to_end() {
  while (step()) {
  }
}

std::vector<ml::Fold> TrainJob::folds(int n_splits) const {
  // cross_val_score(cv=int): StratifiedKFold for classifiers, KFold otherwise; no shuffle.
  if (regression_) return ml::KFold(n_splits).split(size_t(yr_train_.size()));
  return ml::StratifiedKFold(n_splits).split(y_train_);
}

void TrainJob::start_fold(const PipelineSpec& spec, const std::vector<size_t>& train,
                          const std::vector<size_t>& test) {
  auto w = std::make_unique<FoldWork>();
  auto model = FittedPipeline::from_spec(spec);
  if (!model) throw Error(model.status());
  w->model = std::move(model).value();
  w->model->features = passthrough_;
  w->xtr = x_train_.take_rows(train);
  w->xte = x_train_.take_rows(test);
  if (regression_) {
    w->yrtr = pick(yr_train_, train);
    w->yrte = pick(yr_train_, test);
    w->fit = w->model->fit_task(w->xtr, w->yrtr);
  } else {
    w->ytr = pick(y_train_, train);
    w->yte = pick(y_train_, test);
    w->fit = w->model->fit_task(w->xtr, w->ytr, int(labels_.classes.size()));
  }
  fold_ = std::move(w);
}

bool TrainJob::advance_fold(const std::string& scoring, double* score) {
  FoldWork& w = *fold_;
  if (w.fit) {
    if (!w.fit->step()) {
      w.fit.reset();
      w.predict = std::make_unique<ChunkedPredict>(*w.model, w.xte, regression_, true);
    }
    return false;
  }
  if (w.predict->step()) return false;
  if (regression_) {
    *score = regression_score(scoring, to_std(w.yrte), w.predict->values);
  } else {
    *score = classification_score(scoring, w.yte, w.predict->pred, w.predict->proba, int(labels_.classes.size()));
  }
  fold_.reset();
  ++fits_done_;
  return true;
}

PipelineSpec TrainJob::candidate_spec(size_t c) const {
  PipelineSpec candidate = spec_;
  for (auto it = candidates_[c].begin(); it != candidates_[c].end(); ++it) {
    Status st = set_step_param(candidate, it.key(), it.value());
    if (!st.is_ok()) throw Error(st);
  }
  return candidate;
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
      run_name_ = run->run_name;
      experiment_id_ = exp->experiment_id;
      // Params known before any data is read: the spec's split and every step's full config.
      data_.params["dataset"] = spec_.dataset_path;
      data_.params["target"] = spec_.target;
      data_.params["test_size"] = fmt_double(spec_.test_size);
      data_.params["random_state"] = std::to_string(spec_.random_state);
      data_.params["stratify"] = spec_.stratify && !regression_ ? "True" : "False";
      std::string steps;
      for (const auto& s : spec_.steps) steps += (steps.empty() ? "" : " -> ") + s.name + ":" + s.type;
      data_.params["steps"] = steps;
      if (spec_.evaluate.cv > 0) data_.params["cv"] = std::to_string(spec_.evaluate.cv);
      data_.tags["mllab.source"] = source_;
      data_.tags["mlflow.source.type"] = "LOCAL";
      data_.tags["mllab.version"] = MLLAB_VERSION;
      data_.tags["mllab.seed"] = std::to_string(spec_.random_state);
      data_.tags["mllab.task"] = regression_ ? "regression" : "classification";
      data_.tags["mllab.pipeline_digest"] = sha256_hex(pipeline_spec_to_json(spec_).dump()).substr(0, 16);
      for (const auto& [k, v] : spec_.tags) data_.tags[k] = v;
      auto model = FittedPipeline::from_spec(spec_);
      if (!model) return fail(model.status());
      model_ = std::move(model).value();
      stage_ = Stage::kLoad;
      return;
    }
    case Stage::kLoad: {
      // Two units: the digest, then the parse.
      if (digest_.empty()) {
        digest_ = sha256_hex(dataset_.bytes);
        return;
      }
      data::CsvOptions opts;
      opts.source = dataset_.path;
      auto table = data::read_csv(dataset_.bytes, opts);
      if (!table) return fail(table.status());
      if (!dataset_.schema.is_null()) {
        Status st = datasets::apply_schema_types(*table, dataset_.schema);
        if (!st.is_ok()) return fail(Status(st.code(), dataset_.path + ": " + st.message()));
      }
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
      const data::Column* target = table_.column(spec_.target);
      if (!target) return fail(Status::invalid("target column '" + spec_.target + "' is not in the dataset"));
      // Which input columns the pipeline reads.
      std::vector<std::string> inputs;
      if (model_->has_column_steps()) {
        std::set<std::string> consumed;
        for (const auto& s : spec_.steps) for (const auto& c : s.columns) consumed.insert(c);
        inputs.assign(consumed.begin(), consumed.end());
        for (const auto& f : spec_.features) {
          if (!consumed.count(f)) { passthrough_.push_back(f); inputs.push_back(f); }
        }
      } else {
        passthrough_ = spec_.features;
        if (passthrough_.empty()) {
          for (const auto& c : table_.columns()) if (c.name != spec_.target) passthrough_.push_back(c.name);
        }
        inputs = passthrough_;
      }
      for (const auto& c : inputs) {
        if (c == spec_.target) return fail(Status::invalid("the target column '" + spec_.target + "' cannot be a feature"));
        if (!table_.column(c)) return fail(Status::invalid("feature column '" + c + "' is not in the dataset"));
      }
      // Rows without a target cannot be used for training or evaluation.
      std::vector<size_t> labelled;
      std::vector<int> y;
      std::vector<double> yr;
      if (regression_) {
        if (target->type != data::ColumnType::kNumeric) {
          return fail(Status::invalid("target column '" + spec_.target + "' is " + data::column_type_name(target->type) +
                                      "; a regressor needs a numeric target"));
        }
        for (size_t i = 0; i < target->size(); ++i) {
          if (!std::isnan(target->numbers[i])) { labelled.push_back(i); yr.push_back(target->numbers[i]); }
        }
      } else {
        auto labels = encode_labels(table_, spec_.target);
        if (!labels) return fail(labels.status());
        labels_ = std::move(labels).value();
        for (size_t i = 0; i < labels_.y.size(); ++i) {
          if (labels_.y[i] >= 0) { labelled.push_back(i); y.push_back(labels_.y[i]); }
        }
      }
      if (labelled.size() < table_.num_rows()) {
        data_.tags["mllab.rows_without_target"] = std::to_string(table_.num_rows() - labelled.size());
      }
      data::Table x_all;
      for (const auto& c : inputs) {
        Status st = x_all.add_column(*table_.column(c));
        if (!st.is_ok()) return fail(st);
      }
      x_all = x_all.take_rows(labelled);
      const int n_classes = regression_ ? 1 : int(labels_.classes.size());
      auto split = ml::train_test_split(regression_ ? std::vector<int>(labelled.size(), 0) : y, n_classes,
                                        spec_.test_size, spec_.random_state, spec_.stratify && !regression_);
      x_train_ = x_all.take_rows(split.train);
      x_test_ = x_all.take_rows(split.test);
      if (regression_) {
        ml::Vector all = Eigen::Map<ml::Vector>(yr.data(), Eigen::Index(yr.size()));
        yr_train_ = pick(all, split.train);
        yr_test_ = pick(all, split.test);
      } else {
        y_train_ = pick(y, split.train);
        y_test_ = pick(y, split.test);
        if (!y_train_.empty() && std::all_of(y_train_.begin(), y_train_.end(), [&](int c) { return c == y_train_[0]; })) {
          return fail(Status::invalid("the training split of target column '" + quote_for_message(spec_.target) +
                                      "' holds only one class: '" +
                                      quote_for_message(labels_.classes.at(size_t(y_train_[0]))) +
                                      "' (stratify the split or give more rows of the other classes)"));
        }
        model_->classes = labels_.classes;
        model_->target_names = dataset_.target_names.size() == labels_.classes.size() ? dataset_.target_names
                                                                                       : labels_.classes;
      }
      model_->features = passthrough_;
      // The same dataset evaluates the model (its test split): a second input, MLflow's context tag.
      tracking::DatasetInput evaluation = data_.inputs.front();
      evaluation.context = "evaluation";
      data_.inputs.push_back(evaluation);
      // The split as dataset row numbers (0-based), so any tool can reproduce it exactly.
      json split_rows = {{"train", pick(labelled, split.train)}, {"test", pick(labelled, split.test)}};
      data_.artifacts.push_back({{"split.json", "application/json", 0, ""}, split_rows.dump()});
      data_.params["n_features_in"] = std::to_string(inputs.size());
      data_.params["n_train"] = std::to_string(split.train.size());
      data_.params["n_test"] = std::to_string(split.test.size());
      stage_ = Stage::kCheck;  // the resource check (a probe fit) is the next unit
      return;
    }
    case Stage::kCheck: {
      if (Status st = check_resources(); !st.is_ok()) return fail(st);
      if (spec_.evaluate.cv > 0) {
        folds_ = folds(spec_.evaluate.cv);
        stage_ = Stage::kCrossValidate;
      } else if (!spec_.search.type.empty()) {
        stage_ = Stage::kSearch;
      } else {
        stage_ = Stage::kFit;
      }
      return;
    }
    case Stage::kCrossValidate: {
      const std::string scoring = scoring_of(spec_, spec_.evaluate.scoring);
      const auto& f = folds_[work_index_];
      if (!fold_) {
        work_start_ = now_ms();
        start_fold(spec_, f.train, f.test);
        return;
      }
      double score = 0;
      if (!advance_fold(scoring, &score)) return;
      const int64_t fold_start = work_start_;
      cv_scores_.push_back(score);
      // Metrics by step: one point per fold.
      data_.metrics.push_back({"cv_" + scoring, score, now_ms(), int64_t(work_index_)});
      tracking::RunData fold;
      fold.params = {{"fold", std::to_string(work_index_)}, {"cv", std::to_string(spec_.evaluate.cv)},
                     {"n_train", std::to_string(f.train.size())}, {"n_test", std::to_string(f.test.size())}};
      fold.metrics.push_back({"cv_" + scoring, score, now_ms(), 0});
      log_child_run(run_name_ + "-fold-" + std::to_string(work_index_), fold_start, std::move(fold));
      if (stage_ == Stage::kDone) return;
      if (++work_index_ < folds_.size()) return;
      int64_t ts = now_ms();
      double mean = std::accumulate(cv_scores_.begin(), cv_scores_.end(), 0.0) / double(cv_scores_.size());
      data_.metrics.push_back({"cv_" + scoring + "_mean", mean, ts, 0});
      data_.metrics.push_back({"cv_" + scoring + "_std", population_std(cv_scores_), ts, 0});
      work_index_ = 0;
      folds_.clear();
      stage_ = spec_.search.type.empty() ? Stage::kFit : Stage::kSearch;
      return;
    }
    case Stage::kSearch: {
      const std::string scoring = scoring_of(spec_, spec_.search.scoring);
      if (candidates_.empty()) {
        candidates_ = spec_.search.type == "grid"
                          ? ml::ParameterGrid(spec_.search.param_grid).candidates()
                          : ml::ParameterSampler(spec_.search.param_grid, spec_.search.n_iter,
                                                 spec_.search.random_state).candidates();
        folds_ = folds(spec_.search.cv);
        candidate_scores_.assign(candidates_.size(), {});
        return;
      }
      // One (candidate, fold) after the other, each fit in units.
      const size_t c = work_index_ / folds_.size(), f = work_index_ % folds_.size();
      if (!fold_) {
        if (f == 0) work_start_ = now_ms();
        start_fold(candidate_spec(c), folds_[f].train, folds_[f].test);
        return;
      }
      double score = 0;
      if (!advance_fold(scoring, &score)) return;
      candidate_scores_[c].push_back(score);
      if (f + 1 == folds_.size()) {
        // The candidate is complete: its nested run has its full config and per-fold scores.
        auto cand = FittedPipeline::from_spec(candidate_spec(c));
        if (!cand) return fail(cand.status());
        tracking::RunData child;
        child.params = cand->flat_params();
        child.params["search_candidate"] = std::to_string(c);
        const auto& scores = candidate_scores_[c];
        int64_t ts = now_ms();
        for (size_t k = 0; k < scores.size(); ++k) child.metrics.push_back({"test_score", scores[k], ts, int64_t(k)});
        double mean = std::accumulate(scores.begin(), scores.end(), 0.0) / double(scores.size());
        child.metrics.push_back({"mean_test_score", mean, ts, 0});
        child.metrics.push_back({"std_test_score", population_std(scores), ts, 0});
        log_child_run(run_name_ + "-candidate-" + std::to_string(c), work_start_, std::move(child));
        if (stage_ == Stage::kDone) return;
      }
      if (++work_index_ < candidates_.size() * folds_.size()) return;
      // Every score is known: let the shared search code rank them and build cv_results_.
      auto lookup = [&](const json& params, const std::vector<size_t>&, const std::vector<size_t>& test) {
        size_t ci = size_t(std::find(candidates_.begin(), candidates_.end(), params) - candidates_.begin());
        size_t fi = 0;
        while (fi < folds_.size() && folds_[fi].test != test) ++fi;
        return candidate_scores_[ci][fi];
      };
      auto result = ml::search_cv(candidates_, folds_, lookup);
      int64_t ts = now_ms();
      data_.metrics.push_back({"best_cv_score", result.best_score, ts, 0});
      for (size_t i = 0; i < candidates_.size(); ++i) {
        double mean = std::accumulate(candidate_scores_[i].begin(), candidate_scores_[i].end(), 0.0) /
                      double(candidate_scores_[i].size());
        data_.metrics.push_back({"search_mean_" + scoring, mean, ts, int64_t(i)});
      }
      data_.params["search"] = spec_.search.type;
      data_.params["search_cv"] = std::to_string(spec_.search.cv);
      data_.params["search_scoring"] = scoring;
      data_.params[spec_.search.type == "random" ? "search_param_distributions" : "search_param_grid"] =
          ml::search_space_text(spec_.search.param_grid);
      data_.params["search_candidates"] = std::to_string(candidates_.size());
      data_.tags["mllab.best_child_run_id"] = candidate_runs_.at(size_t(result.best_index));
      for (auto it = result.best_params.begin(); it != result.best_params.end(); ++it) {
        data_.params["best_" + it.key()] = param_text(it.value());
        Status st = set_step_param(spec_, it.key(), it.value());
        if (!st.is_ok()) return fail(st);
      }
      data_.artifacts.push_back({{"search/cv_results.json", "application/json", 0, ""}, result.cv_results.dump()});
      // Refit the best candidate on the whole training split (refit=True).
      auto model = FittedPipeline::from_spec(spec_);
      if (!model) return fail(model.status());
      model->classes = model_->classes;
      model->target_names = model_->target_names;
      model->features = passthrough_;
      model_ = std::move(model).value();
      work_index_ = 0;
      stage_ = Stage::kFit;
      return;
    }
    case Stage::kFit: {
      const double t0 = steady_ms();
      if (!fit_task_) {
        for (auto& [k, v] : model_->flat_params()) data_.params[k] = v;
        fit_task_ = regression_ ? model_->fit_task(x_train_, yr_train_)
                                : model_->fit_task(x_train_, y_train_, int(labels_.classes.size()));
        return;
      }
      const bool more = fit_task_->step();
      fit_busy_ms_ += steady_ms() - t0;
      if (more) return;
      // Time spent in the final fit's units (a tag, not a metric: metrics stay reproducible).
      data_.tags["mllab.fit_ms"] = std::to_string(int64_t(std::llround(fit_busy_ms_)));
      fit_task_.reset();
      ++fits_done_;
      stage_ = Stage::kEvaluate;
      return;
    }
    case Stage::kEvaluate: {
      if (!eval_test_) {
        eval_test_ = std::make_unique<ChunkedPredict>(*model_, x_test_, regression_, true);
        eval_train_ = std::make_unique<ChunkedPredict>(*model_, x_train_, regression_, false);
      }
      if (!eval_test_->done) { eval_test_->step(); return; }
      if (!eval_train_->done) { eval_train_->step(); return; }
      if (regression_) evaluate_regressor();
      else evaluate_classifier();
      eval_test_.reset();
      eval_train_.reset();
      stage_ = Stage::kSave;
      return;
    }
    case Stage::kSave: {
      if (!writer_) writer_ = std::make_unique<ModelTextWriter>(*model_);
      if (writer_->step()) return;
      log_model_artifacts();
      writer_.reset();
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

void TrainJob::log_child_run(const std::string& name, int64_t start_time, tracking::RunData data) {
  data.tags[tracking::kParentRunIdTag] = run_id_;
  for (const char* key : {"mllab.source", "mlflow.source.type", "mllab.version", "mllab.seed", "mllab.task",
                          "mllab.pipeline_digest", "mllab.dataset_digest"}) {
    auto it = data_.tags.find(key);
    if (it != data_.tags.end()) data.tags[key] = it->second;
  }
  auto child = client_.log_finished_run(experiment_id_, name, start_time, now_ms(), data);
  if (!child) return fail(child.status());
  if (stage_ == Stage::kSearch) candidate_runs_.push_back(child->run_id);
}

Status TrainJob::check_resources() {
  const size_t n_train = regression_ ? size_t(yr_train_.size()) : y_train_.size();
  for (const auto& [field, cv] : {std::pair<const char*, int>{"evaluate.cv", spec_.evaluate.cv},
                                  std::pair<const char*, int>{"search.cv", spec_.search.type.empty() ? 0 : spec_.search.cv}}) {
    if (size_t(cv) > n_train) {
      return Status::invalid(std::string(field) + ": " + std::to_string(cv) + " folds need at least " +
                             std::to_string(cv) + " training rows (the training split has " + std::to_string(n_train) + ")");
    }
  }
  std::vector<json> candidates;
  if (spec_.search.type == "grid") candidates = ml::ParameterGrid(spec_.search.param_grid).candidates();
  else if (spec_.search.type == "random") {
    candidates = ml::ParameterSampler(spec_.search.param_grid, spec_.search.n_iter, spec_.search.random_state).candidates();
  }
  fits_total_ = size_t(std::max(spec_.evaluate.cv, 0)) + 1 +
                (spec_.search.type.empty() ? 0 : candidates.size() * size_t(std::max(spec_.search.cv, 0)));
  const int64_t held = int64_t(dataset_.bytes.size()) + table_bytes(table_) + table_bytes(x_train_) + table_bytes(x_test_);
  const int n_classes = regression_ ? 0 : int(labels_.classes.size());
  RunMemoryPlan plan = plan_run_memory(spec_, candidates, x_train_, passthrough_, regression_ ? nullptr : &y_train_,
                                       n_classes, regression_ ? &yr_train_ : nullptr, held);
  const int64_t budget_mb = memory_budget_override_mb_ > 0 ? memory_budget_override_mb_
                            : spec_.resources.memory_budget_mb > 0 ? spec_.resources.memory_budget_mb
                                                                   : kDefaultMemoryBudgetMb;
  data_.tags["mllab.memory_budget_mb"] = std::to_string(budget_mb);
  data_.tags["mllab.memory_estimate_bytes"] = std::to_string(plan.estimate.bytes);
  Status st = check_memory_budget(plan.estimate, plan.shape, budget_mb);
  if (!st.is_ok() && !plan.candidate.is_null()) {
    return Status::invalid("search candidate " + json_for_message(plan.candidate, 200) + ": " + st.message());
  }
  return st;
}

void TrainJob::log_model_artifacts() {
  // The document was written by writer_ (a forest's trees one per unit); its skeleton has the rest.
  const json& doc = writer_->skeleton();
  // feature_importances_ of tree ensembles, with the names of the features they rank.
  const json& state = doc["steps"].back()["state"];
  if (state.is_object() && state.contains("feature_importances")) {
    auto names = model_->feature_names_out();
    auto values = state["feature_importances"].get<std::vector<double>>();
    if (names.size() == values.size()) {
      std::vector<size_t> order(values.size());
      std::iota(order.begin(), order.end(), size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] > values[b]; });
      json rows = json::array();
      for (size_t i : order) rows.push_back({{"feature", names[i]}, {"importance", values[i]}});
      data_.artifacts.push_back({{"feature_importances.json", "application/json", 0, ""}, rows.dump()});
    }
  }
  std::string text = writer_->take_text();
  // The model's size: its document and, for tree models, the trees and nodes in it.
  ModelSize size = model_size(doc, int64_t(text.size()));
  size.trees += writer_->trees();
  size.nodes += writer_->nodes();
  data_.tags["mllab.model_size_bytes"] = std::to_string(size.document_bytes);
  if (size.trees > 0) {
    data_.tags["mllab.model_trees"] = std::to_string(size.trees);
    data_.tags["mllab.model_nodes"] = std::to_string(size.nodes);
  }
  data_.artifacts.push_back({{"model/pipeline.json", "application/json", 0, ""}, std::move(text)});
  // MLflow's model layout: the MLmodel document (flavors, signature) and an input example.
  registry::ModelDoc mlmodel = registry::build_model_doc(*model_, x_train_, run_id_, now_ms(), MLLAB_VERSION);
  data_.artifacts.push_back({{"model/MLmodel", "application/json", 0, ""}, registry::model_doc_to_json(mlmodel).dump()});
  data_.artifacts.push_back({{"model/input_example.json", "application/json", 0, ""},
                             registry::input_example_to_json(mlmodel).dump()});
}

void TrainJob::evaluate_classifier() {
  const int k = int(labels_.classes.size());
  const ml::Matrix& proba = eval_test_->proba;
  const std::vector<int>& pred = eval_test_->pred;
  const std::vector<int>& train_pred = eval_train_->pred;
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
      std::vector<double> score(size_t(proba.rows()));
      for (Eigen::Index i = 0; i < proba.rows(); ++i) score[size_t(i)] = proba(i, 1);
      metric("roc_auc", ml::roc_auc_score(y_test_, score));
      auto roc = ml::roc_curve(y_test_, score);
      data_.artifacts.push_back({{"roc_curve.json", "application/json", 0, ""},
                                 json({{"fpr", roc.fpr}, {"tpr", roc.tpr}, {"thresholds", roc.thresholds}}).dump()});
    } else {
      metric("roc_auc_ovr", ml::roc_auc_score_ovr(y_test_, proba));
    }
  }
  std::string report = ml::format_classification_report(cm, model_->target_names, 2);
  json cmj = {{"labels", model_->target_names}, {"matrix", cm.confusion_matrix}};
  data_.artifacts.push_back({{"classification_report.txt", "text/plain", 0, ""}, report});
  data_.artifacts.push_back({{"confusion_matrix.json", "application/json", 0, ""}, cmj.dump()});
  // The test split's predictions: true and predicted labels and each row's class probabilities.
  json y_true = json::array(), y_pred = json::array(), probs = json::array();
  for (size_t i = 0; i < pred.size(); ++i) {
    y_true.push_back(model_->classes[size_t(y_test_[i])]);
    y_pred.push_back(model_->classes[size_t(pred[i])]);
    json row = json::array();
    for (Eigen::Index c = 0; c < proba.cols(); ++c) row.push_back(proba(Eigen::Index(i), c));
    probs.push_back(std::move(row));
  }
  json preds = {{"classes", model_->classes}, {"y_true", y_true}, {"y_pred", y_pred}, {"probabilities", probs}};
  data_.artifacts.push_back({{"predictions.json", "application/json", 0, ""}, preds.dump()});
}

void TrainJob::evaluate_regressor() {
  auto y = to_std(yr_test_);
  const std::vector<double>& pred = eval_test_->values;
  const std::vector<double>& train_pred = eval_train_->values;
  int64_t ts = now_ms();
  auto metric = [&](const std::string& key, double v) { data_.metrics.push_back({key, v, ts, 0}); };
  metric("r2", ml::r2_score(y, pred));
  metric("rmse", ml::root_mean_squared_error(y, pred));
  metric("mse", ml::mean_squared_error(y, pred));
  metric("mae", ml::mean_absolute_error(y, pred));
  metric("train_r2", ml::r2_score(to_std(yr_train_), train_pred));
  json preds = {{"y_true", y}, {"y_pred", pred}};
  data_.artifacts.push_back({{"predictions.json", "application/json", 0, ""}, preds.dump()});
}

}  // namespace mllab::pipeline

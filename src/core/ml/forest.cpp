#include "core/ml/forest.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <type_traits>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"

namespace mllab::ml {
namespace {

const char* const kClassifier = "RandomForestClassifier";
const char* const kRegressor = "RandomForestRegressor";

// The forest parameters shared by both models, in scikit-learn's order.
std::vector<ParamSpec> forest_specs(const ParamSpec& criterion, const json& max_features) {
  ParamSpec n_estimators;
  n_estimators.name = "n_estimators";
  n_estimators.kind = ParamSpec::Kind::kInt;
  n_estimators.default_value = 100;
  n_estimators.min = 1;
  n_estimators.max = 10000;
  n_estimators.doc = "Number of trees (at most 10,000: every tree is held in memory and saved in the model).";
  std::vector<ParamSpec> s{n_estimators, criterion};
  for (auto& c : tree_params::common_specs()) s.push_back(c);
  s.push_back(tree_params::max_features_spec(max_features));
  ParamSpec bootstrap;
  bootstrap.name = "bootstrap";
  bootstrap.kind = ParamSpec::Kind::kBool;
  bootstrap.default_value = true;
  bootstrap.doc = "Grow each tree on a bootstrap sample (else on all rows).";
  s.push_back(bootstrap);
  ParamSpec random_state = tree_params::random_state_spec();
  random_state.doc = "Seed of the bootstrap samples and feature sampling; null: fresh each fit.";
  s.push_back(random_state);
  ParamSpec n_jobs;
  n_jobs.name = "n_jobs";
  n_jobs.kind = ParamSpec::Kind::kIntOrNull;
  n_jobs.default_value = nullptr;
  n_jobs.doc = "Accepted for scikit-learn compatibility; training always uses one thread.";
  s.push_back(n_jobs);
  return s;
}

// Bootstrap multiplicities: n draws with replacement from n rows (scikit-learn's
// _generate_sample_indices + bincount, with mllab::Rng instead of numpy's generator).
void bootstrap_counts(Rng& rng, size_t n, std::vector<double>* counts) {
  counts->assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) (*counts)[rng.below(static_cast<uint32_t>(n))] += 1.0;
}

// Mean of the per-tree normalized importances over trees with at least one split, normalized
// (scikit-learn's BaseForest.feature_importances_).
std::vector<double> forest_importances(const std::vector<double>& sum, int n_split_trees) {
  std::vector<double> mean(sum.size(), 0.0);
  if (n_split_trees == 0) return mean;
  for (size_t j = 0; j < sum.size(); ++j) mean[j] = sum[j] / n_split_trees;
  return tree_params::normalized(mean);
}

// Reads 'trees' (a non-empty array of trees with `n_values` outputs).
Status read_trees(const json& state, const std::string& who, int n_features, int n_values,
                  std::vector<TreeModel>* out) {
  if (!state.contains("trees") || !state.at("trees").is_array() || state.at("trees").empty()) {
    return Status::invalid(who + ": missing 'trees'");
  }
  out->clear();
  for (const auto& t : state.at("trees")) {
    auto tree = TreeModel::from_json(t, n_features, n_values, who);
    if (!tree) return tree.status();
    out->push_back(std::move(tree.value()));
  }
  return Status::ok();
}

json trees_to_json(const std::vector<TreeModel>& trees) {
  json arr = json::array();
  for (const auto& t : trees) arr.push_back(t.to_json());
  return arr;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RandomForestClassifier

const std::vector<ParamSpec>& RandomForestClassifier::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    const ParamSpec criterion = tree_params::classification_criterion_spec();
    std::vector<ParamSpec> s = forest_specs(criterion, "sqrt");
    ParamSpec class_weight;
    class_weight.name = "class_weight";
    class_weight.kind = ParamSpec::Kind::kString;
    class_weight.default_value = "none";
    class_weight.choices = {"none", "balanced", "balanced_subsample"};
    class_weight.doc =
        "\"balanced\": weight classes by n_samples / (n_classes * count); \"balanced_subsample\": "
        "the same per bootstrap sample; \"none\" (scikit-learn's None): weight 1.";
    s.push_back(class_weight);
    return s;
  }();
  return specs;
}

RandomForestClassifier::RandomForestClassifier(const json& params) {
  params_ = tree_params::resolve_or_throw(kClassifier, param_specs(), params);
  options_ = tree_params::read_options(params_);
  options_.criterion =
      params_.at("criterion").get<std::string>() == "gini" ? Criterion::kGini : Criterion::kEntropy;
  n_estimators_ = static_cast<int>(params_.at("n_estimators").get<int64_t>());
  max_features_ = params_.at("max_features");
  bootstrap_ = params_.at("bootstrap").get<bool>();
  class_weight_ = params_.at("class_weight").get<std::string>();
}

// Bins the training input on the first step (check_fit_input, then a FeatureBinner fitted on
// it, as tree_params::fit_on_bins), then grows one tree per step.
class ForestFitTaskBase : public FitTask {
 public:
  bool done() const override { return done_; }
  int64_t units_done() const override { return done_ ? n_estimators_ : int64_t(trees_.size()); }
  int64_t units_total() const override { return n_estimators_; }
  const char* unit_name() const override { return "tree"; }

 protected:
  template <typename X>
  ForestFitTaskBase(const std::string& who, const X& x, size_t n_targets, int n_estimators)
      : n_estimators_(n_estimators) {
    bin_ = [this, who, &x, n_targets] {
      tree_params::check_fit_input(who, x, n_targets);
      binner_.fit(x, FeatureBinner::kMaxBins);
      if constexpr (std::is_same_v<X, SparseMatrix>) {
        data_ = BinnedData::from_sparse(x, binner_);
      } else {
        data_ = BinnedData::from_dense(x, binner_);
      }
    };
  }
  // Adds a grown tree's importances (scikit-learn's BaseForest.feature_importances_).
  void add_tree(TreeModel tree) {
    trees_.push_back(std::move(tree));
    if (trees_.back().n_nodes() > 1) {
      const std::vector<double> norm = tree_params::normalized(importance_);
      for (size_t j = 0; j < norm.size(); ++j) importance_sum_[j] += norm[j];
      ++n_split_trees_;
    }
  }
  void draw_seeds(const json& random_state) {
    Rng master(tree_params::seed_from(random_state));
    seeds_.resize(static_cast<size_t>(n_estimators_));
    for (auto& s : seeds_) s = master.next_u64();
    trees_.reserve(seeds_.size());
    importance_sum_.assign(static_cast<size_t>(data_.n_features), 0.0);
  }

  int n_estimators_;
  bool started_ = false;
  bool done_ = false;
  std::function<void()> bin_;
  FeatureBinner binner_;
  BinnedData data_;
  std::unique_ptr<TreeGrower> grower_;
  std::vector<uint64_t> seeds_;
  std::vector<double> weight_, importance_, importance_sum_;
  std::vector<TreeModel> trees_;
  int n_split_trees_ = 0;
};

class RandomForestClassifierFitTask : public ForestFitTaskBase {
 public:
  template <typename X>
  RandomForestClassifierFitTask(RandomForestClassifier* model, const X& x, const std::vector<int>& y, int n_classes)
      : ForestFitTaskBase(kClassifier, x, y.size(), model->n_estimators_), model_(model), y_(y), n_classes_(n_classes) {}

  bool step() override {
    if (done_) return false;
    if (!started_) {
      bin_();
      start();
      started_ = true;
    }
    grow_one();
    if (trees_.size() < seeds_.size()) return true;
    finish();
    return false;
  }

 private:
  void start() {
    const std::vector<int64_t> count = tree_params::check_labels(kClassifier, y_, n_classes_);
    const int n_features = data_.n_features;
    TreeGrowOptions options = model_->options_;
    options.max_features = tree_params::parse_max_features(kClassifier, model_->max_features_, n_features);
    for (int c = 0; c < n_classes_; ++c) {
      if (count[static_cast<size_t>(c)] > 0) classes_.push_back(c);
    }
    const size_t n = y_.size();
    class_weight_.assign(static_cast<size_t>(n_classes_), 1.0);
    const std::string& cw = model_->class_weight_;
    if (cw == "balanced" || (cw == "balanced_subsample" && !model_->bootstrap_)) {
      std::vector<double> cc(count.begin(), count.end());
      class_weight_ = balanced(cc, static_cast<double>(n));
    }
    draw_seeds(model_->params_.at("random_state"));
    weight_.assign(n, 0.0);
    grower_ = std::make_unique<TreeGrower>(data_, y_.data(), n_classes_, nullptr, options);
  }
  // compute_class_weight("balanced") over `counts` (per class, possibly bootstrap-weighted).
  std::vector<double> balanced(const std::vector<double>& class_count, double total) const {
    int present = 0;
    for (double c : class_count) present += c > 0.0 ? 1 : 0;
    std::vector<double> cw(static_cast<size_t>(n_classes_), 0.0);
    for (size_t c = 0; c < cw.size(); ++c) {
      if (class_count[c] > 0.0) cw[c] = total / (present * class_count[c]);
    }
    return cw;
  }
  void grow_one() {
    const size_t n = y_.size();
    Rng rng(seeds_[trees_.size()]);
    if (model_->bootstrap_) {
      bootstrap_counts(rng, n, &weight_);
    } else {
      std::fill(weight_.begin(), weight_.end(), 1.0);
    }
    const std::string& cwt = model_->class_weight_;
    std::vector<double> cw = class_weight_;
    if (cwt == "balanced_subsample" && model_->bootstrap_) {
      std::vector<double> cc(static_cast<size_t>(n_classes_), 0.0);
      for (size_t i = 0; i < n; ++i) cc[static_cast<size_t>(y_[i])] += weight_[i];
      cw = balanced(cc, static_cast<double>(n));
    }
    if (cwt != "none") {
      for (size_t i = 0; i < n; ++i) weight_[i] *= cw[static_cast<size_t>(y_[i])];
    }
    add_tree(grower_->grow(weight_, rng, &importance_));
  }
  void finish() {
    grower_.reset();
    model_->trees_ = std::move(trees_);
    model_->flat_.reset();
    model_->importances_ = forest_importances(importance_sum_, n_split_trees_);
    model_->n_features_ = data_.n_features;
    model_->n_classes_ = n_classes_;
    model_->classes_ = std::move(classes_);
    model_->fitted_ = true;
    done_ = true;
  }

  RandomForestClassifier* model_;
  std::vector<int> y_;
  int n_classes_;
  std::vector<int> classes_;
  std::vector<double> class_weight_;
};

std::unique_ptr<FitTask> RandomForestClassifier::fit_task(const Matrix& x, const std::vector<int>& y, int n_classes) {
  return std::make_unique<RandomForestClassifierFitTask>(this, x, y, n_classes);
}

std::unique_ptr<FitTask> RandomForestClassifier::fit_task_sparse(const SparseMatrix& x, const std::vector<int>& y,
                                                                 int n_classes) {
  return std::make_unique<RandomForestClassifierFitTask>(this, x, y, n_classes);
}

void RandomForestClassifier::fit(const Matrix& x, const std::vector<int>& y, int n_classes) {
  fit_task(x, y, n_classes)->run_to_end();
}

void RandomForestClassifier::fit_sparse(const SparseMatrix& x, const std::vector<int>& y, int n_classes) {
  fit_task_sparse(x, y, n_classes)->run_to_end();
}

Matrix RandomForestClassifier::predict_proba(const Matrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "predict_proba", x, n_features_);
  return tree_params::mean_outputs(trees_.data(), trees_.size(), x, n_classes_, &flat_);
}

Matrix RandomForestClassifier::predict_proba_sparse(const SparseMatrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "predict_proba", x, n_features_);
  return tree_params::mean_outputs(trees_.data(), trees_.size(), x, n_classes_, &flat_);
}

std::vector<int> RandomForestClassifier::predict_sparse(const SparseMatrix& x) const {
  return most_probable(predict_proba_sparse(x));
}

json RandomForestClassifier::state() const {
  json s = state_without_trees();
  s["trees"] = trees_to_json(trees_);
  return s;
}

json RandomForestClassifier::state_without_trees() const {
  if (!fitted_) throw_invalid(kClassifier, "state called before fit");
  return json{{"version", 1},
              {"n_features", n_features_},
              {"n_classes", n_classes_},
              {"classes", classes_},
              {"feature_importances", importances_}};
}

Status RandomForestClassifier::load_state(const json& state) {
  const std::string who = std::string(kClassifier) + " state";
  int n_features = 0, n_classes = 0;
  std::vector<int> classes;
  MLLAB_RETURN_IF_ERROR(tree_params::read_header(state, who, &n_features, &n_classes, &classes));
  std::vector<TreeModel> trees;
  MLLAB_RETURN_IF_ERROR(read_trees(state, who, n_features, n_classes, &trees));
  std::vector<double> importances;
  MLLAB_RETURN_IF_ERROR(tree_params::read_importances(state, who, n_features, &importances));
  n_features_ = n_features;
  n_classes_ = n_classes;
  classes_ = std::move(classes);
  trees_ = std::move(trees);
  flat_.reset();
  importances_ = std::move(importances);
  fitted_ = true;
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// RandomForestRegressor

const std::vector<ParamSpec>& RandomForestRegressor::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    const ParamSpec criterion = tree_params::regression_criterion_spec();
    return forest_specs(criterion, json(1.0));
  }();
  return specs;
}

RandomForestRegressor::RandomForestRegressor(const json& params) {
  params_ = tree_params::resolve_or_throw(kRegressor, param_specs(), params);
  options_ = tree_params::read_options(params_);
  options_.criterion = Criterion::kSquaredError;
  n_estimators_ = static_cast<int>(params_.at("n_estimators").get<int64_t>());
  max_features_ = params_.at("max_features");
  bootstrap_ = params_.at("bootstrap").get<bool>();
}

namespace {

// Throws when a target is not finite.
void check_targets(const Vector& y) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y(i))) {
      throw_invalid(kRegressor, "y contains a non-finite value at row " + std::to_string(i));
    }
  }
}

}  // namespace

class RandomForestRegressorFitTask : public ForestFitTaskBase {
 public:
  template <typename X>
  RandomForestRegressorFitTask(RandomForestRegressor* model, const X& x, const Vector& y)
      : ForestFitTaskBase(kRegressor, x, static_cast<size_t>(y.size()), model->n_estimators_), model_(model), y_(y) {}

  bool step() override {
    if (done_) return false;
    if (!started_) {
      bin_();
      check_targets(y_);
      TreeGrowOptions options = model_->options_;
      options.max_features = tree_params::parse_max_features(kRegressor, model_->max_features_, data_.n_features);
      draw_seeds(model_->params_.at("random_state"));
      weight_.assign(static_cast<size_t>(y_.size()), 1.0);
      grower_ = std::make_unique<TreeGrower>(data_, nullptr, 0, y_.data(), options);
      started_ = true;
    }
    Rng rng(seeds_[trees_.size()]);
    if (model_->bootstrap_) bootstrap_counts(rng, static_cast<size_t>(y_.size()), &weight_);
    add_tree(grower_->grow(weight_, rng, &importance_));
    if (trees_.size() < seeds_.size()) return true;
    grower_.reset();
    model_->trees_ = std::move(trees_);
    model_->flat_.reset();
    model_->importances_ = forest_importances(importance_sum_, n_split_trees_);
    model_->n_features_ = data_.n_features;
    model_->fitted_ = true;
    done_ = true;
    return false;
  }

 private:
  RandomForestRegressor* model_;
  Vector y_;
};

std::unique_ptr<FitTask> RandomForestRegressor::fit_task(const Matrix& x, const Vector& y) {
  return std::make_unique<RandomForestRegressorFitTask>(this, x, y);
}

std::unique_ptr<FitTask> RandomForestRegressor::fit_task_sparse(const SparseMatrix& x, const Vector& y) {
  return std::make_unique<RandomForestRegressorFitTask>(this, x, y);
}

void RandomForestRegressor::fit(const Matrix& x, const Vector& y) { fit_task(x, y)->run_to_end(); }

void RandomForestRegressor::fit_sparse(const SparseMatrix& x, const Vector& y) { fit_task_sparse(x, y)->run_to_end(); }

Vector RandomForestRegressor::predict(const Matrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_);
  return tree_params::mean_outputs(trees_.data(), trees_.size(), x, 1, &flat_).col(0);
}

Vector RandomForestRegressor::predict_sparse(const SparseMatrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_);
  return tree_params::mean_outputs(trees_.data(), trees_.size(), x, 1, &flat_).col(0);
}

json RandomForestRegressor::state() const {
  json s = state_without_trees();
  s["trees"] = trees_to_json(trees_);
  return s;
}

json RandomForestRegressor::state_without_trees() const {
  if (!fitted_) throw_invalid(kRegressor, "state called before fit");
  return json{{"version", 1}, {"n_features", n_features_}, {"feature_importances", importances_}};
}

Status RandomForestRegressor::load_state(const json& state) {
  const std::string who = std::string(kRegressor) + " state";
  int n_features = 0;
  MLLAB_RETURN_IF_ERROR(tree_params::read_header(state, who, &n_features, nullptr, nullptr));
  std::vector<TreeModel> trees;
  MLLAB_RETURN_IF_ERROR(read_trees(state, who, n_features, 1, &trees));
  std::vector<double> importances;
  MLLAB_RETURN_IF_ERROR(tree_params::read_importances(state, who, n_features, &importances));
  n_features_ = n_features;
  trees_ = std::move(trees);
  flat_.reset();
  importances_ = std::move(importances);
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

#include "core/ml/forest.hpp"

#include <algorithm>
#include <cmath>

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

void RandomForestClassifier::fit(const Matrix& x, const std::vector<int>& y, int n_classes) {
  tree_params::fit_on_bins(kClassifier, x, y.size(), [&](const BinnedData& data) {
    fit_binned(data, y, n_classes, tree_params::check_labels(kClassifier, y, n_classes));
  });
}

void RandomForestClassifier::fit_sparse(const SparseMatrix& x, const std::vector<int>& y,
                                        int n_classes) {
  tree_params::fit_on_bins(kClassifier, x, y.size(), [&](const BinnedData& data) {
    fit_binned(data, y, n_classes, tree_params::check_labels(kClassifier, y, n_classes));
  });
}

void RandomForestClassifier::fit_binned(const BinnedData& data, const std::vector<int>& y,
                                        int n_classes, const std::vector<int64_t>& count) {
  const int n_features = data.n_features;
  TreeGrowOptions options = options_;
  options.max_features = tree_params::parse_max_features(kClassifier, max_features_, n_features);
  std::vector<int> classes;
  for (int c = 0; c < n_classes; ++c) {
    if (count[static_cast<size_t>(c)] > 0) classes.push_back(c);
  }
  const size_t n = y.size();
  // compute_class_weight("balanced") over `counts` (per class, possibly bootstrap-weighted).
  auto balanced = [&](const std::vector<double>& class_count, double total) {
    int present = 0;
    for (double c : class_count) present += c > 0.0 ? 1 : 0;
    std::vector<double> cw(static_cast<size_t>(n_classes), 0.0);
    for (size_t c = 0; c < cw.size(); ++c) {
      if (class_count[c] > 0.0) cw[c] = total / (present * class_count[c]);
    }
    return cw;
  };
  std::vector<double> class_weight(static_cast<size_t>(n_classes), 1.0);
  if (class_weight_ == "balanced" || (class_weight_ == "balanced_subsample" && !bootstrap_)) {
    std::vector<double> cc(count.begin(), count.end());
    class_weight = balanced(cc, static_cast<double>(n));
  }
  Rng master(tree_params::seed_from(params_.at("random_state")));
  std::vector<uint64_t> seeds(static_cast<size_t>(n_estimators_));
  for (auto& s : seeds) s = master.next_u64();
  std::vector<TreeModel> trees;
  trees.reserve(seeds.size());
  std::vector<double> weight(n), importance, importance_sum(static_cast<size_t>(n_features), 0.0);
  int n_split_trees = 0;
  TreeGrower grower(data, y.data(), n_classes, nullptr, options);
  for (uint64_t seed : seeds) {
    Rng rng(seed);
    if (bootstrap_) {
      bootstrap_counts(rng, n, &weight);
    } else {
      std::fill(weight.begin(), weight.end(), 1.0);
    }
    std::vector<double> cw = class_weight;
    if (class_weight_ == "balanced_subsample" && bootstrap_) {
      std::vector<double> cc(static_cast<size_t>(n_classes), 0.0);
      for (size_t i = 0; i < n; ++i) cc[static_cast<size_t>(y[i])] += weight[i];
      cw = balanced(cc, static_cast<double>(n));
    }
    if (class_weight_ != "none") {
      for (size_t i = 0; i < n; ++i) weight[i] *= cw[static_cast<size_t>(y[i])];
    }
    trees.push_back(grower.grow(weight, rng, &importance));
    if (trees.back().n_nodes() > 1) {
      const std::vector<double> norm = tree_params::normalized(importance);
      for (size_t j = 0; j < norm.size(); ++j) importance_sum[j] += norm[j];
      ++n_split_trees;
    }
  }
  trees_ = std::move(trees);
  importances_ = forest_importances(importance_sum, n_split_trees);
  n_features_ = n_features;
  n_classes_ = n_classes;
  classes_ = std::move(classes);
  fitted_ = true;
}

Matrix RandomForestClassifier::predict_proba(const Matrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "predict_proba", x, n_features_);
  return tree_params::mean_outputs(trees_.data(), trees_.size(), x, n_classes_);
}

Matrix RandomForestClassifier::predict_proba_sparse(const SparseMatrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "predict_proba", x, n_features_);
  return tree_params::mean_outputs(trees_.data(), trees_.size(), x, n_classes_);
}

std::vector<int> RandomForestClassifier::predict_sparse(const SparseMatrix& x) const {
  return most_probable(predict_proba_sparse(x));
}

json RandomForestClassifier::state() const {
  if (!fitted_) throw_invalid(kClassifier, "state called before fit");
  return json{{"version", 1},
              {"n_features", n_features_},
              {"n_classes", n_classes_},
              {"classes", classes_},
              {"trees", trees_to_json(trees_)},
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

void RandomForestRegressor::fit(const Matrix& x, const Vector& y) {
  tree_params::fit_on_bins(kRegressor, x, static_cast<size_t>(y.size()), [&](const BinnedData& data) {
    check_targets(y);
    fit_binned(data, y);
  });
}

void RandomForestRegressor::fit_sparse(const SparseMatrix& x, const Vector& y) {
  tree_params::fit_on_bins(kRegressor, x, static_cast<size_t>(y.size()), [&](const BinnedData& data) {
    check_targets(y);
    fit_binned(data, y);
  });
}

void RandomForestRegressor::fit_binned(const BinnedData& data, const Vector& y) {
  const int n_features = data.n_features;
  TreeGrowOptions options = options_;
  options.max_features = tree_params::parse_max_features(kRegressor, max_features_, n_features);
  const auto n = static_cast<size_t>(y.size());
  Rng master(tree_params::seed_from(params_.at("random_state")));
  std::vector<uint64_t> seeds(static_cast<size_t>(n_estimators_));
  for (auto& s : seeds) s = master.next_u64();
  std::vector<TreeModel> trees;
  trees.reserve(seeds.size());
  std::vector<double> weight(n, 1.0), importance, importance_sum(static_cast<size_t>(n_features), 0.0);
  int n_split_trees = 0;
  TreeGrower grower(data, nullptr, 0, y.data(), options);
  for (uint64_t seed : seeds) {
    Rng rng(seed);
    if (bootstrap_) bootstrap_counts(rng, n, &weight);
    trees.push_back(grower.grow(weight, rng, &importance));
    if (trees.back().n_nodes() > 1) {
      const std::vector<double> norm = tree_params::normalized(importance);
      for (size_t j = 0; j < norm.size(); ++j) importance_sum[j] += norm[j];
      ++n_split_trees;
    }
  }
  trees_ = std::move(trees);
  importances_ = forest_importances(importance_sum, n_split_trees);
  n_features_ = n_features;
  fitted_ = true;
}

Vector RandomForestRegressor::predict(const Matrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_);
  return tree_params::mean_outputs(trees_.data(), trees_.size(), x, 1).col(0);
}

Vector RandomForestRegressor::predict_sparse(const SparseMatrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_);
  return tree_params::mean_outputs(trees_.data(), trees_.size(), x, 1).col(0);
}

json RandomForestRegressor::state() const {
  if (!fitted_) throw_invalid(kRegressor, "state called before fit");
  return json{{"version", 1},
              {"n_features", n_features_},
              {"trees", trees_to_json(trees_)},
              {"feature_importances", importances_}};
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
  importances_ = std::move(importances);
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

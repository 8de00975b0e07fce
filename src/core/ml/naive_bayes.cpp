#include "core/ml/naive_bayes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"

namespace mllab::ml {
namespace {

const char* const kWho = "MultinomialNB";

// scikit-learn 1.2's _check_alpha lower bound (applied unless force_alpha).
constexpr double kAlphaLowerBound = 1e-10;

// The class_prior parameter as numbers: null -> empty; a JSON array of numbers or a string of
// comma-separated numbers; every entry finite and > 0.
std::vector<double> parse_class_prior(const json& value) {
  std::vector<double> out;
  if (value.is_null()) return out;
  auto fail = [&]() {
    throw_invalid(kWho, "parameter 'class_prior' must be null, an array of numbers > 0 or a "
                        "comma-separated list of numbers > 0 (received " + value.dump() + ")");
  };
  if (value.is_array()) {
    for (const auto& v : value) {
      if (!v.is_number()) fail();
      out.push_back(v.get<double>());
    }
  } else if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find(',', start);
      if (end == std::string::npos) end = s.size();
      std::string item = s.substr(start, end - start);
      const char* begin = item.c_str();
      char* stop = nullptr;
      double x = std::strtod(begin, &stop);
      while (stop != nullptr && (*stop == ' ' || *stop == '\t')) ++stop;
      if (stop == begin || stop == nullptr || *stop != '\0') fail();
      out.push_back(x);
      start = end + 1;
    }
  } else {
    fail();
  }
  if (out.empty()) fail();
  for (double x : out) {
    if (!std::isfinite(x) || !(x > 0.0)) fail();
  }
  return out;
}

// Sum of row `i` of `m` in numpy's order (a row of a C-ordered array is contiguous there).
double row_sum(const Matrix& m, Eigen::Index i) {
  return numpy_sum(m.data() + i, static_cast<size_t>(m.cols()), static_cast<size_t>(m.rows()));
}

}  // namespace

const std::vector<ParamSpec>& MultinomialNB::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    using Kind = ParamSpec::Kind;
    ParamSpec alpha;
    alpha.name = "alpha";
    alpha.kind = Kind::kFloat;
    alpha.default_value = 1.0;
    alpha.min = 0.0;
    alpha.doc = "Additive (Laplace/Lidstone) smoothing; values below 1e-10 become 1e-10.";
    ParamSpec force_alpha;
    force_alpha.name = "force_alpha";
    force_alpha.kind = Kind::kBool;
    force_alpha.default_value = false;
    force_alpha.doc = "Keep alpha as given even below 1e-10.";
    ParamSpec fit_prior;
    fit_prior.name = "fit_prior";
    fit_prior.kind = Kind::kBool;
    fit_prior.default_value = true;
    fit_prior.doc = "Learn class priors from class frequencies; false: uniform priors.";
    ParamSpec class_prior;
    class_prior.name = "class_prior";
    class_prior.kind = Kind::kString;
    class_prior.default_value = nullptr;
    class_prior.doc =
        "Prior of each class as comma-separated numbers > 0 (e.g. \"0.3,0.7\"); null: use "
        "fit_prior.";
    return std::vector<ParamSpec>{alpha, force_alpha, fit_prior, class_prior};
  }();
  return specs;
}

MultinomialNB::MultinomialNB(const json& params) {
  // class_prior may be an array (not a kind the parameter table knows): check it here and
  // resolve the others through the table.
  json given = params;
  json prior = nullptr;
  if (given.is_object() && given.contains("class_prior")) {
    prior = given.at("class_prior");
    given.erase("class_prior");
  }
  auto resolved = resolve_params(kWho, param_specs(), given);
  if (!resolved) throw Error(resolved.status());
  params_ = std::move(resolved.value());
  class_prior_ = parse_class_prior(prior);
  params_["class_prior"] = prior;
  alpha_ = params_.at("alpha").get<double>();
  if (!std::isfinite(alpha_)) {
    throw_invalid(kWho, "parameter 'alpha' must be finite (received " + format_double(alpha_) +
                            ")");
  }
  if (alpha_ < kAlphaLowerBound && !params_.at("force_alpha").get<bool>()) {
    alpha_ = kAlphaLowerBound;
  }
  fit_prior_ = params_.at("fit_prior").get<bool>();
}

void MultinomialNB::fit(const Matrix& x, const std::vector<int>& y, int n_classes) {
  if (x.rows() < 1) throw_invalid(kWho, "fit needs at least one sample (received 0)");
  if (x.cols() < 1) throw_invalid(kWho, "fit needs at least one feature (received 0)");
  if (static_cast<Eigen::Index>(y.size()) != x.rows()) {
    throw_invalid(kWho, "X has " + std::to_string(x.rows()) + " rows but y has " +
                            std::to_string(y.size()) + " labels");
  }
  if (n_classes < 1) {
    throw_invalid(kWho, "n_classes must be >= 1 (received " + std::to_string(n_classes) + ")");
  }
  std::vector<int64_t> count(static_cast<size_t>(n_classes), 0);
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= n_classes) {
      throw_invalid(kWho, "label " + std::to_string(y[i]) + " at row " + std::to_string(i) +
                              " is outside [0, " + std::to_string(n_classes) + ")");
    }
    ++count[static_cast<size_t>(y[i])];
  }
  check_finite(x, kWho);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (x(i, j) < 0) {
        throw_invalid(kWho, "X must be non-negative (counts); column " + std::to_string(j) +
                                " has " + format_double(x(i, j)) + " at row " +
                                std::to_string(i));
      }
    }
  }
  if (!class_prior_.empty() && class_prior_.size() != static_cast<size_t>(n_classes)) {
    throw_invalid(kWho, "parameter 'class_prior' has " + std::to_string(class_prior_.size()) +
                            " entries but there are " + std::to_string(n_classes) + " classes");
  }
  std::vector<int> classes;
  std::vector<int> compact(static_cast<size_t>(n_classes), -1);
  for (int c = 0; c < n_classes; ++c) {
    if (count[static_cast<size_t>(c)] > 0) {
      compact[static_cast<size_t>(c)] = static_cast<int>(classes.size());
      classes.push_back(c);
    }
  }
  const auto k = static_cast<Eigen::Index>(classes.size());
  // _count: feature_count_ = Y^T X, class_count_ = column sums of the one-hot Y.
  Vector class_count = Vector::Zero(k);
  Matrix feature_count = Matrix::Zero(k, x.cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    int c = compact[static_cast<size_t>(y[static_cast<size_t>(i)])];
    class_count(c) += 1.0;
    feature_count.row(c) += x.row(i);
  }
  // _update_feature_log_prob.
  Matrix smoothed = feature_count.array() + alpha_;
  Matrix feature_log_prob(k, x.cols());
  for (Eigen::Index c = 0; c < k; ++c) {
    double log_total = std::log(row_sum(smoothed, c));
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      feature_log_prob(c, j) = std::log(smoothed(c, j)) - log_total;
    }
  }
  // _update_class_log_prior.
  Vector class_log_prior(k);
  if (!class_prior_.empty()) {
    for (Eigen::Index c = 0; c < k; ++c) {
      class_log_prior(c) = std::log(class_prior_[static_cast<size_t>(classes[c])]);
    }
  } else if (fit_prior_) {
    double log_total = std::log(numpy_sum(class_count.data(), static_cast<size_t>(k)));
    for (Eigen::Index c = 0; c < k; ++c) class_log_prior(c) = std::log(class_count(c)) - log_total;
  } else {
    class_log_prior.setConstant(-std::log(static_cast<double>(k)));
  }
  n_classes_ = n_classes;
  classes_ = std::move(classes);
  class_count_ = std::move(class_count);
  feature_count_ = std::move(feature_count);
  feature_log_prob_ = std::move(feature_log_prob);
  class_log_prior_ = std::move(class_log_prior);
  fitted_ = true;
}

void MultinomialNB::check_fitted(const char* method) const {
  if (!fitted_) throw_invalid(kWho, std::string(method) + " called before fit");
}

Matrix MultinomialNB::joint_log_likelihood(const Matrix& x) const {
  check_fitted("joint_log_likelihood");
  if (x.cols() != feature_log_prob_.cols()) {
    throw_invalid(kWho, "X has " + std::to_string(x.cols()) +
                            " features, but the model was fitted with " +
                            std::to_string(feature_log_prob_.cols()) + " features");
  }
  check_finite(x, kWho);
  Matrix jll = x * feature_log_prob_.transpose();
  jll.rowwise() += class_log_prior_.transpose();
  return jll;
}

// scikit-learn's predict_log_proba: jll - logsumexp(jll, axis=1), with scipy's logsumexp
// (a_max = row maximum, 0 if not finite; log(sum(exp(a - a_max))) + a_max).
Matrix MultinomialNB::predict_log_proba(const Matrix& x) const {
  check_fitted("predict_log_proba");
  Matrix jll = joint_log_likelihood(x);
  const auto k = static_cast<size_t>(jll.cols());
  std::vector<double> tmp(k);
  for (Eigen::Index i = 0; i < jll.rows(); ++i) {
    double a_max = jll.row(i).maxCoeff();
    if (!std::isfinite(a_max)) a_max = 0.0;
    for (size_t j = 0; j < k; ++j) tmp[j] = std::exp(jll(i, static_cast<Eigen::Index>(j)) - a_max);
    double log_prob_x = std::log(numpy_sum(tmp)) + a_max;
    jll.row(i).array() -= log_prob_x;
  }
  return jll;
}

Matrix MultinomialNB::predict_proba(const Matrix& x) const {
  check_fitted("predict_proba");
  Matrix log_proba = predict_log_proba(x);
  Matrix proba = Matrix::Zero(x.rows(), n_classes_);
  for (Eigen::Index i = 0; i < log_proba.rows(); ++i) {
    for (Eigen::Index c = 0; c < log_proba.cols(); ++c) {
      proba(i, classes_[static_cast<size_t>(c)]) = std::exp(log_proba(i, c));
    }
  }
  return proba;
}

std::vector<int> MultinomialNB::predict(const Matrix& x) const {
  check_fitted("predict");
  Matrix jll = joint_log_likelihood(x);
  std::vector<int> out(static_cast<size_t>(jll.rows()));
  for (Eigen::Index i = 0; i < jll.rows(); ++i) {
    Eigen::Index best = 0;
    for (Eigen::Index c = 1; c < jll.cols(); ++c) {
      if (jll(i, c) > jll(i, best)) best = c;  // ties keep the first (np.argmax)
    }
    out[static_cast<size_t>(i)] = classes_[static_cast<size_t>(best)];
  }
  return out;
}

json MultinomialNB::state() const {
  check_fitted("state");
  return json{{"n_classes", n_classes_},
              {"classes", classes_},
              {"n_features", feature_count_.cols()},
              {"class_count", vector_to_json(class_count_)},
              {"feature_count", matrix_to_json(feature_count_)},
              {"class_log_prior", vector_to_json(class_log_prior_)},
              {"feature_log_prob", matrix_to_json(feature_log_prob_)}};
}

Status MultinomialNB::load_state(const json& state) {
  const std::string who = "MultinomialNB state";
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  auto n_classes = json_get_int(state, "n_classes", who);
  if (!n_classes) return n_classes.status();
  if (*n_classes < 1 || *n_classes > INT32_MAX) {
    return Status::invalid(who + ": 'n_classes' must be in [1, 2^31)");
  }
  auto n_features = json_get_int(state, "n_features", who);
  if (!n_features) return n_features.status();
  if (*n_features < 1) return Status::invalid(who + ": 'n_features' must be >= 1");
  auto class_list = json_get_class_indices(state, "classes", *n_classes, who);
  if (!class_list) return class_list.status();
  std::vector<int> classes = std::move(class_list).value();
  if (classes.empty()) return Status::invalid(who + ": 'classes' needs at least 1 entry");
  const auto k = static_cast<int64_t>(classes.size());
  Vector class_count, class_log_prior;
  Matrix feature_count, feature_log_prob;
  MLLAB_RETURN_IF_ERROR(json_get_vector(state, "class_count", k, who, &class_count));
  MLLAB_RETURN_IF_ERROR(
      json_get_matrix(state, "feature_count", k, *n_features, who, &feature_count));
  MLLAB_RETURN_IF_ERROR(json_get_vector(state, "class_log_prior", k, who, &class_log_prior));
  MLLAB_RETURN_IF_ERROR(
      json_get_matrix(state, "feature_log_prob", k, *n_features, who, &feature_log_prob));
  n_classes_ = static_cast<int>(*n_classes);
  classes_ = std::move(classes);
  class_count_ = std::move(class_count);
  feature_count_ = std::move(feature_count);
  class_log_prior_ = std::move(class_log_prior);
  feature_log_prob_ = std::move(feature_log_prob);
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

#include "core/ml/preprocessing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"

namespace mllab::ml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void fail_param(const std::string& owner, const std::string& name,
                             const std::string& what, const json& value) {
  throw Error(Status::invalid(owner + ": parameter '" + name + "' must be " + what +
                              " (received " + value.dump() + ")"));
}

// resolve_params for the keys it can check; `special` keys are taken out first and returned
// unchecked in `*taken` (the caller validates them).
json resolve_with_special(const std::string& owner, const std::vector<ParamSpec>& specs,
                          const json& given, const std::vector<std::string>& special,
                          json* taken) {
  json plain = given;
  *taken = json::object();
  if (given.is_object()) {
    for (const auto& key : special) {
      if (given.contains(key)) {
        (*taken)[key] = given.at(key);
        plain.erase(key);
      }
    }
  }
  auto resolved = resolve_params(owner, specs, plain);
  if (!resolved) throw Error(resolved.status());
  return std::move(resolved.value());
}

bool is_string_column(const data::Column& c) { return c.type != data::ColumnType::kNumeric; }

std::string column_label(const data::Column& c, size_t j) {
  return c.name.empty() ? "x" + std::to_string(j) : c.name;
}

// A Status-returning read of a bool array of length n.
Status read_bools(const json& obj, const std::string& key, size_t n, const std::string& who,
                  std::vector<bool>* out) {
  if (!obj.contains(key) || !obj.at(key).is_array() || obj.at(key).size() != n) {
    return Status::invalid(who + ": '" + key + "' must be an array of " + std::to_string(n) +
                           " booleans");
  }
  out->clear();
  for (const auto& b : obj.at(key)) {
    if (!b.is_boolean()) return Status::invalid(who + ": '" + key + "' must hold booleans");
    out->push_back(b.get<bool>());
  }
  return Status::ok();
}

}  // namespace

// ---- SimpleImputer ----

const std::vector<ParamSpec>& SimpleImputer::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    ParamSpec strategy;
    strategy.name = "strategy";
    strategy.kind = ParamSpec::Kind::kString;
    strategy.default_value = "mean";
    strategy.choices = {"mean", "median", "most_frequent", "constant"};
    strategy.doc = "Statistic that replaces missing values (mean / median: numeric only).";
    ParamSpec fill_value;
    fill_value.name = "fill_value";
    fill_value.kind = ParamSpec::Kind::kScalarOrNull;
    fill_value.default_value = nullptr;
    fill_value.doc = "Value for strategy \"constant\": a number or a string (null: 0 for numeric, "
                     "\"missing_value\" for string columns).";
    ParamSpec keep;
    keep.name = "keep_empty_features";
    keep.kind = ParamSpec::Kind::kBool;
    keep.default_value = false;
    keep.doc = "Keep columns without observed values (filled with 0) instead of dropping them.";
    return std::vector<ParamSpec>{strategy, fill_value, keep};
  }();
  return specs;
}

SimpleImputer::SimpleImputer(const json& params) {
  json taken;
  params_ = resolve_with_special("SimpleImputer", param_specs(), params, {"fill_value"}, &taken);
  if (taken.contains("fill_value")) {
    const json& v = taken.at("fill_value");
    bool ok = v.is_null() || v.is_string() || (v.is_number() && std::isfinite(v.get<double>()));
    if (!ok) fail_param("SimpleImputer", "fill_value", "null, a finite number or a string", v);
    params_["fill_value"] = v;
  }
  strategy_ = params_.at("strategy").get<std::string>();
  keep_empty_features_ = params_.at("keep_empty_features").get<bool>();
}

void SimpleImputer::reset(size_t n_features) {
  is_string_.assign(n_features, false);
  valid_.assign(n_features, false);
  statistics_ = Vector::Constant(static_cast<Eigen::Index>(n_features), kNaN);
  string_statistics_.assign(n_features, "");
  fitted_ = false;
}

// _dense_fit per column: np.ma.mean (sequential sum / count), np.ma.median ((lo + hi) / 2 of
// the sorted observed values), _most_frequent (largest count, smallest value) or fill_value.
void SimpleImputer::fit_numeric(size_t j, const std::vector<double>& values) {
  const json& fill = params_.at("fill_value");
  if (strategy_ == "constant") {
    if (fill.is_string()) {
      throw_invalid("SimpleImputer", "'fill_value'=" + fill.get<std::string>() +
                                         " is invalid. Expected a numerical value when imputing "
                                         "numerical data (column " + std::to_string(j) + ")");
    }
    statistics_(static_cast<Eigen::Index>(j)) = fill.is_null() ? 0.0 : fill.get<double>();
    valid_[j] = true;
    return;
  }
  std::vector<double> seen;
  seen.reserve(values.size());
  double sum = 0.0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    seen.push_back(v);
    sum += v;
  }
  double stat = kNaN;
  if (!seen.empty()) {
    if (strategy_ == "mean") {
      stat = sum / static_cast<double>(seen.size());
    } else if (strategy_ == "median") {
      std::sort(seen.begin(), seen.end());
      size_t n = seen.size();
      size_t hi = n / 2;
      size_t lo = n % 2 == 1 ? hi : hi - 1;
      stat = (seen[lo] + seen[hi]) / 2.0;
    } else {  // most_frequent
      std::sort(seen.begin(), seen.end());
      size_t best_count = 0;
      for (size_t i = 0; i < seen.size();) {
        size_t k = i;
        while (k < seen.size() && seen[k] == seen[i]) ++k;
        if (k - i > best_count) {  // strictly more: ties keep the smaller value
          best_count = k - i;
          stat = seen[i];
        }
        i = k;
      }
    }
  }
  if (std::isnan(stat) && keep_empty_features_) stat = 0.0;
  statistics_(static_cast<Eigen::Index>(j)) = stat;
  valid_[j] = !std::isnan(stat);
}

void SimpleImputer::fit_string(size_t j, const data::Column& column) {
  const std::string label = column_label(column, j);
  is_string_[j] = true;
  if (strategy_ == "mean" || strategy_ == "median") {
    throw_invalid("SimpleImputer", "cannot use strategy '" + strategy_ +
                                       "' with non-numeric column '" + label +
                                       "' (use most_frequent or constant)");
  }
  if (strategy_ == "constant") {
    const json& fill = params_.at("fill_value");
    if (fill.is_number()) {
      throw_invalid("SimpleImputer", "'fill_value'=" + fill.dump() +
                                         " is invalid for non-numeric column '" + label +
                                         "'; expected a string");
    }
    string_statistics_[j] = fill.is_null() ? "missing_value" : fill.get<std::string>();
    valid_[j] = true;
    return;
  }
  std::map<std::string, size_t> counts;  // ordered: ties resolve to the smallest value
  for (size_t i = 0; i < column.size(); ++i) {
    if (!column.is_missing(i)) ++counts[column.strings[i]];
  }
  size_t best = 0;
  for (const auto& [value, count] : counts) {
    if (count > best) {
      best = count;
      string_statistics_[j] = value;
    }
  }
  valid_[j] = best > 0 || keep_empty_features_;
  if (best == 0 && keep_empty_features_) string_statistics_[j] = "0";
}

void SimpleImputer::fit(const Matrix& x) {
  if (x.rows() < 1) throw_invalid("SimpleImputer", "fit needs at least one row (received 0)");
  if (x.cols() < 1) throw_invalid("SimpleImputer", "fit needs at least one column (received 0)");
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (std::isinf(x(i, j))) {
        throw_invalid("SimpleImputer", "X contains infinity in column " + std::to_string(j) +
                                           " (row " + std::to_string(i) + ")");
      }
    }
  }
  reset(static_cast<size_t>(x.cols()));
  std::vector<double> values(static_cast<size_t>(x.rows()));
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) values[static_cast<size_t>(i)] = x(i, j);
    fit_numeric(static_cast<size_t>(j), values);
  }
  fitted_ = true;
}

void SimpleImputer::fit_columns(const std::vector<data::Column>& columns) {
  if (columns.empty()) throw_invalid("SimpleImputer", "fit needs at least one column (received 0)");
  const size_t n = columns.front().size();
  if (n == 0) throw_invalid("SimpleImputer", "fit needs at least one row (received 0)");
  reset(columns.size());
  for (size_t j = 0; j < columns.size(); ++j) {
    const data::Column& c = columns[j];
    if (c.size() != n) {
      throw_invalid("SimpleImputer", "column '" + column_label(c, j) + "' has " +
                                         std::to_string(c.size()) + " rows, expected " +
                                         std::to_string(n));
    }
    if (is_string_column(c)) {
      fit_string(j, c);
    } else {
      for (size_t i = 0; i < n; ++i) {
        if (std::isinf(c.numbers[i])) {
          throw_invalid("SimpleImputer", "column '" + column_label(c, j) +
                                             "' contains infinity (row " + std::to_string(i) + ")");
        }
      }
      fit_numeric(j, c.numbers);
    }
  }
  fitted_ = true;
}

void SimpleImputer::check_fitted(const char* method) const {
  if (!fitted_) throw_invalid("SimpleImputer", std::string(method) + " called before fit");
}

Matrix SimpleImputer::transform(const Matrix& x) const {
  check_fitted("transform");
  const auto n_features = static_cast<Eigen::Index>(valid_.size());
  if (x.cols() != n_features) {
    throw_invalid("SimpleImputer", "X has " + std::to_string(x.cols()) +
                                       " features, but the imputer was fitted with " +
                                       std::to_string(n_features) + " features");
  }
  for (size_t j = 0; j < is_string_.size(); ++j) {
    if (is_string_[j]) {
      throw_invalid("SimpleImputer", "column " + std::to_string(j) +
                                         " was a string column at fit; use transform_columns");
    }
  }
  Eigen::Index kept = 0;
  for (bool v : valid_) kept += v ? 1 : 0;
  Matrix out(x.rows(), kept);
  Eigen::Index k = 0;
  for (Eigen::Index j = 0; j < n_features; ++j) {
    if (!valid_[static_cast<size_t>(j)]) continue;
    const double stat = statistics_(j);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      double v = x(i, j);
      if (std::isinf(v)) {
        throw_invalid("SimpleImputer", "X contains infinity in column " + std::to_string(j) +
                                           " (row " + std::to_string(i) + ")");
      }
      out(i, k) = std::isnan(v) ? stat : v;
    }
    ++k;
  }
  return out;
}

std::vector<data::Column> SimpleImputer::transform_columns(
    const std::vector<data::Column>& columns) const {
  check_fitted("transform");
  if (columns.size() != valid_.size()) {
    throw_invalid("SimpleImputer", "received " + std::to_string(columns.size()) +
                                       " columns, but the imputer was fitted with " +
                                       std::to_string(valid_.size()));
  }
  std::vector<data::Column> out;
  for (size_t j = 0; j < columns.size(); ++j) {
    const data::Column& c = columns[j];
    if (is_string_column(c) != is_string_[j]) {
      throw_invalid("SimpleImputer", "column '" + column_label(c, j) + "' is " +
                                         (is_string_column(c) ? "a string" : "a numeric") +
                                         " column, but was " +
                                         (is_string_[j] ? "a string" : "a numeric") +
                                         " column at fit");
    }
    if (!valid_[j]) continue;
    data::Column filled = c;
    if (is_string_[j]) {
      for (size_t i = 0; i < filled.strings.size(); ++i) {
        if (filled.missing[i] != 0) {
          filled.strings[i] = string_statistics_[j];
          filled.missing[i] = 0;
        }
      }
    } else {
      const double stat = statistics_(static_cast<Eigen::Index>(j));
      for (double& v : filled.numbers) {
        if (std::isinf(v)) {
          throw_invalid("SimpleImputer", "column '" + column_label(c, j) + "' contains infinity");
        }
        if (std::isnan(v)) v = stat;
      }
    }
    out.push_back(std::move(filled));
  }
  return out;
}

json SimpleImputer::state() const {
  check_fitted("state");
  json kinds = json::array();
  json stats = json::array();
  for (size_t j = 0; j < valid_.size(); ++j) {
    kinds.push_back(is_string_[j] ? "string" : "numeric");
    if (!valid_[j]) {
      stats.push_back(nullptr);
    } else if (is_string_[j]) {
      stats.push_back(string_statistics_[j]);
    } else {
      stats.push_back(statistics_(static_cast<Eigen::Index>(j)));
    }
  }
  return json{{"n_features", valid_.size()}, {"kinds", kinds}, {"statistics", stats}};
}

Status SimpleImputer::load_state(const json& state) {
  const std::string who = "SimpleImputer state";
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  auto n = json_get_int(state, "n_features", who);
  if (!n) return n.status();
  if (*n < 1) return Status::invalid(who + ": 'n_features' must be >= 1");
  const auto size = static_cast<size_t>(*n);
  for (const char* key : {"kinds", "statistics"}) {
    if (!state.contains(key) || !state.at(key).is_array() || state.at(key).size() != size) {
      return Status::invalid(who + ": '" + key + "' must be an array of " + std::to_string(size) +
                             " values");
    }
  }
  std::vector<bool> is_string(size), valid(size);
  Vector stats = Vector::Constant(static_cast<Eigen::Index>(size), kNaN);
  std::vector<std::string> string_stats(size);
  for (size_t j = 0; j < size; ++j) {
    const json& kind = state.at("kinds")[j];
    const json& s = state.at("statistics")[j];
    if (kind != "string" && kind != "numeric") {
      return Status::invalid(who + ": 'kinds' values must be \"numeric\" or \"string\"");
    }
    is_string[j] = kind == "string";
    valid[j] = !s.is_null();
    if (s.is_null()) continue;
    if (is_string[j] ? !s.is_string() : !s.is_number()) {
      return Status::invalid(who + ": statistic " + std::to_string(j) + " does not match kind " +
                             kind.dump());
    }
    if (is_string[j]) {
      string_stats[j] = s.get<std::string>();
    } else {
      stats(static_cast<Eigen::Index>(j)) = s.get<double>();
    }
  }
  is_string_ = std::move(is_string);
  valid_ = std::move(valid);
  statistics_ = std::move(stats);
  string_statistics_ = std::move(string_stats);
  fitted_ = true;
  return Status::ok();
}

// ---- MinMaxScaler ----

const std::vector<ParamSpec>& MinMaxScaler::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    ParamSpec range;
    range.name = "feature_range";
    range.kind = ParamSpec::Kind::kString;
    range.default_value = json::array({0, 1});
    range.doc = "[min, max] of the transformed data (min < max).";
    ParamSpec clip;
    clip.name = "clip";
    clip.kind = ParamSpec::Kind::kBool;
    clip.default_value = false;
    clip.doc = "Clip transformed values of new data to feature_range.";
    return std::vector<ParamSpec>{range, clip};
  }();
  return specs;
}

MinMaxScaler::MinMaxScaler(const json& params) {
  json taken;
  params_ = resolve_with_special("MinMaxScaler", param_specs(), params, {"feature_range"}, &taken);
  if (taken.contains("feature_range")) {
    const json& v = taken.at("feature_range");
    bool ok = v.is_array() && v.size() == 2 && v[0].is_number() && v[1].is_number() &&
              std::isfinite(v[0].get<double>()) && std::isfinite(v[1].get<double>());
    if (!ok) fail_param("MinMaxScaler", "feature_range", "a pair [min, max] of numbers", v);
    if (!(v[0].get<double>() < v[1].get<double>())) {
      fail_param("MinMaxScaler", "feature_range",
                 "[min, max] with min < max (minimum of desired feature range must be smaller "
                 "than maximum)", v);
    }
    params_["feature_range"] = v;
  }
  range_min_ = params_.at("feature_range")[0].get<double>();
  range_max_ = params_.at("feature_range")[1].get<double>();
  clip_ = params_.at("clip").get<bool>();
}

// np.nanmin / np.nanmax per column: NaN is skipped; an all-NaN column gets NaN data_min_,
// data_max_, data_range_, scale_ and min_ (scikit-learn warns "All-NaN slice encountered").
void MinMaxScaler::fit(const Matrix& x) {
  if (x.rows() < 1) throw_invalid("MinMaxScaler", "fit needs at least one row (received 0)");
  if (x.cols() < 1) throw_invalid("MinMaxScaler", "fit needs at least one column (received 0)");
  check_no_infinity(x, "MinMaxScaler");
  const double eps = std::numeric_limits<double>::epsilon();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Eigen::Index p = x.cols();
  Vector lo(p), hi(p), range(p), scale(p), offset(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    lo(j) = nan;
    hi(j) = nan;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double v = x(i, j);
      if (std::isnan(v)) continue;
      if (std::isnan(lo(j)) || v < lo(j)) lo(j) = v;
      if (std::isnan(hi(j)) || v > hi(j)) hi(j) = v;
    }
    range(j) = hi(j) - lo(j);
    // _handle_zeros_in_scale: ranges below 10 eps count as constant (divisor 1); NaN stays.
    double divisor = range(j) < 10.0 * eps ? 1.0 : range(j);
    scale(j) = (range_max_ - range_min_) / divisor;
    offset(j) = range_min_ - lo(j) * scale(j);
  }
  data_min_ = std::move(lo);
  data_max_ = std::move(hi);
  data_range_ = std::move(range);
  scale_ = std::move(scale);
  min_ = std::move(offset);
  fitted_ = true;
}

void MinMaxScaler::check_fitted(const char* method) const {
  if (!fitted_) throw_invalid("MinMaxScaler", std::string(method) + " called before fit");
}

Matrix MinMaxScaler::transform(const Matrix& x) const {
  check_fitted("transform");
  if (x.cols() != scale_.size()) {
    throw_invalid("MinMaxScaler", "X has " + std::to_string(x.cols()) +
                                      " features, but the scaler was fitted with " +
                                      std::to_string(scale_.size()) + " features");
  }
  check_no_infinity(x, "MinMaxScaler");
  Matrix out(x.rows(), x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      double v = x(i, j) * scale_(j);
      v += min_(j);
      // NaN stays NaN (np.clip keeps NaN).
      if (clip_ && !std::isnan(v)) v = std::min(std::max(v, range_min_), range_max_);
      out(i, j) = v;
    }
  }
  return out;
}

json MinMaxScaler::state() const {
  check_fitted("state");
  return json{{"n_features", scale_.size()},         {"data_min", vector_to_json(data_min_)},
              {"data_max", vector_to_json(data_max_)}, {"data_range", vector_to_json(data_range_)},
              {"scale", vector_to_json(scale_)},       {"min", vector_to_json(min_)}};
}

Status MinMaxScaler::load_state(const json& state) {
  const std::string who = "MinMaxScaler state";
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  auto n = json_get_int(state, "n_features", who);
  if (!n) return n.status();
  if (*n < 1) return Status::invalid(who + ": 'n_features' must be >= 1");
  Vector lo, hi, range, scale, offset;
  // null (written for NaN) is read back as NaN: the statistics of an all-NaN column.
  MLLAB_RETURN_IF_ERROR(json_get_nullable_vector(state, "data_min", *n, who, &lo));
  MLLAB_RETURN_IF_ERROR(json_get_nullable_vector(state, "data_max", *n, who, &hi));
  MLLAB_RETURN_IF_ERROR(json_get_nullable_vector(state, "data_range", *n, who, &range));
  MLLAB_RETURN_IF_ERROR(json_get_nullable_vector(state, "scale", *n, who, &scale));
  MLLAB_RETURN_IF_ERROR(json_get_nullable_vector(state, "min", *n, who, &offset));
  data_min_ = std::move(lo);
  data_max_ = std::move(hi);
  data_range_ = std::move(range);
  scale_ = std::move(scale);
  min_ = std::move(offset);
  fitted_ = true;
  return Status::ok();
}

// ---- sparse StandardScaler(with_mean=False) ----

// sklearn's _csr_mean_variance_axis0 (unit weights) and _is_constant_feature. As sklearn, a
// stored NaN is skipped: column j's statistics are over its n - (NaN count) rows (an all-NaN
// column gets NaN mean, variance and scale).
Vector scaler_fit_sparse(const SparseMatrix& x, bool with_std, Vector* mean, Vector* var) {
  const std::string who = "StandardScaler";
  if (x.rows() < 1) throw_invalid(who, "fit needs at least one row (received 0)");
  if (x.cols() < 1) throw_invalid(who, "fit needs at least one column (received 0)");
  const Eigen::Index p = x.cols();
  const auto n_rows = static_cast<double>(x.rows());
  Vector means = Vector::Zero(p), variances = Vector::Zero(p), correction = Vector::Zero(p);
  Vector nz_weights = Vector::Zero(p), nan_weights = Vector::Zero(p);
  for (Eigen::Index i = 0; i < x.outerSize(); ++i) {
    for (SparseMatrix::InnerIterator it(x, i); it; ++it) {
      if (std::isinf(it.value())) {
        throw_invalid(who, "X contains infinity in column " + std::to_string(it.col()) + " (row " +
                               std::to_string(it.row()) + ")");
      }
      if (std::isnan(it.value())) {
        nan_weights(it.col()) += 1.0;
        continue;
      }
      means(it.col()) += it.value();
      nz_weights(it.col()) += 1.0;
    }
  }
  // sum_weights: the rows of each column that are not NaN.
  Vector weights(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    weights(j) = n_rows - nan_weights(j);
    means(j) /= weights(j);
  }
  for (Eigen::Index i = 0; i < x.outerSize(); ++i) {
    for (SparseMatrix::InnerIterator it(x, i); it; ++it) {
      if (std::isnan(it.value())) continue;
      double diff = it.value() - means(it.col());
      correction(it.col()) += diff;
      variances(it.col()) += diff * diff;
    }
  }
  for (Eigen::Index j = 0; j < p; ++j) {
    const double n = weights(j);
    const bool has_zeros = nz_weights(j) != n;
    if (has_zeros) correction(j) -= (n - nz_weights(j)) * means(j);
    correction(j) = correction(j) * correction(j) / n;
    if (has_zeros) variances(j) += (n - nz_weights(j)) * (means(j) * means(j));
    variances(j) = (variances(j) - correction(j)) / n;
  }
  Vector scale = Vector::Ones(p);
  if (with_std) {
    const double eps = std::numeric_limits<double>::epsilon();
    for (Eigen::Index j = 0; j < p; ++j) {
      const double v = variances(j), m = means(j), n = weights(j);
      const double upper_bound = n * eps * v + (n * m * eps) * (n * m * eps);
      if (!(v <= upper_bound)) scale(j) = std::sqrt(v);
    }
  }
  if (mean != nullptr) *mean = means;
  if (var != nullptr) *var = variances;
  return scale;
}

SparseMatrix scale_sparse(const SparseMatrix& x, const Vector& scale) {
  if (scale.size() != x.cols()) {
    throw_invalid("StandardScaler", "X has " + std::to_string(x.cols()) +
                                        " features, but the scaler was fitted with " +
                                        std::to_string(scale.size()) + " features");
  }
  Vector inverse(scale.size());
  for (Eigen::Index j = 0; j < scale.size(); ++j) inverse(j) = 1.0 / scale(j);
  SparseMatrix out = x;
  out.makeCompressed();
  for (Eigen::Index i = 0; i < out.outerSize(); ++i) {
    for (SparseMatrix::InnerIterator it(out, i); it; ++it) it.valueRef() *= inverse(it.col());
  }
  return out;
}

// ---- OneHotEncoder ----

const std::vector<ParamSpec>& OneHotEncoder::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    ParamSpec categories;
    categories.name = "categories";
    categories.kind = ParamSpec::Kind::kString;
    categories.default_value = "auto";
    categories.choices = {"auto"};
    categories.doc = "\"auto\": the sorted distinct values of each column.";
    ParamSpec drop;
    drop.name = "drop";
    drop.kind = ParamSpec::Kind::kString;
    drop.default_value = nullptr;
    drop.doc = "Only null (keep every category) is supported.";
    ParamSpec unknown;
    unknown.name = "handle_unknown";
    unknown.kind = ParamSpec::Kind::kString;
    unknown.default_value = "error";
    unknown.choices = {"error", "ignore"};
    unknown.doc = "An unseen value at transform: \"error\" or \"ignore\" (all-zero block).";
    return std::vector<ParamSpec>{categories, drop, unknown};
  }();
  return specs;
}

OneHotEncoder::OneHotEncoder(const json& params) {
  json taken;
  params_ = resolve_with_special("OneHotEncoder", param_specs(), params, {"drop"}, &taken);
  if (taken.contains("drop") && !taken.at("drop").is_null()) {
    fail_param("OneHotEncoder", "drop", "null (dropping categories is not supported)",
               taken.at("drop"));
  }
  ignore_unknown_ = params_.at("handle_unknown") == "ignore";
}

void OneHotEncoder::fit(const std::vector<data::Column>& columns) {
  if (columns.empty()) throw_invalid("OneHotEncoder", "fit needs at least one column (received 0)");
  const size_t n = columns.front().size();
  if (n == 0) throw_invalid("OneHotEncoder", "fit needs at least one row (received 0)");
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> categories;
  std::vector<bool> has_missing;
  for (size_t j = 0; j < columns.size(); ++j) {
    const data::Column& c = columns[j];
    const std::string label = column_label(c, j);
    if (!is_string_column(c)) {
      throw_invalid("OneHotEncoder", "column '" + label +
                                         "' is numeric; one-hot encoding needs a categorical "
                                         "(string) column");
    }
    if (c.size() != n) {
      throw_invalid("OneHotEncoder", "column '" + label + "' has " + std::to_string(c.size()) +
                                         " rows, expected " + std::to_string(n));
    }
    std::vector<std::string> values;
    bool missing = false;
    for (size_t i = 0; i < n; ++i) {
      if (c.is_missing(i)) {
        missing = true;
      } else {
        values.push_back(c.strings[i]);
      }
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    names.push_back(label);
    categories.push_back(std::move(values));
    has_missing.push_back(missing);
  }
  columns_ = std::move(names);
  categories_ = std::move(categories);
  has_missing_ = std::move(has_missing);
  fitted_ = true;
}

void OneHotEncoder::check_fitted(const char* method) const {
  if (!fitted_) throw_invalid("OneHotEncoder", std::string(method) + " called before fit");
}

int64_t OneHotEncoder::n_features_out() const {
  int64_t total = 0;
  for (size_t j = 0; j < categories_.size(); ++j) {
    total += static_cast<int64_t>(categories_[j].size()) + (has_missing_[j] ? 1 : 0);
  }
  return total;
}

std::vector<std::string> OneHotEncoder::feature_names_out() const {
  check_fitted("feature_names_out");
  std::vector<std::string> out;
  for (size_t j = 0; j < categories_.size(); ++j) {
    for (const auto& v : categories_[j]) out.push_back(columns_[j] + "_" + v);
    if (has_missing_[j]) out.push_back(columns_[j] + "_nan");
  }
  return out;
}

SparseMatrix OneHotEncoder::transform(const std::vector<data::Column>& columns) const {
  check_fitted("transform");
  if (columns.size() != columns_.size()) {
    throw_invalid("OneHotEncoder", "received " + std::to_string(columns.size()) +
                                       " columns, but the encoder was fitted with " +
                                       std::to_string(columns_.size()));
  }
  const size_t n = columns.front().size();
  for (size_t j = 0; j < columns.size(); ++j) {
    const data::Column& c = columns[j];
    const std::string label = column_label(c, j);
    if (label != columns_[j]) {
      throw_invalid("OneHotEncoder", "column " + std::to_string(j) + " is '" + label +
                                         "', but was '" + columns_[j] + "' at fit");
    }
    if (!is_string_column(c)) {
      throw_invalid("OneHotEncoder", "column '" + label + "' is numeric; expected a string column");
    }
    if (c.size() != n) {
      throw_invalid("OneHotEncoder", "column '" + label + "' has " + std::to_string(c.size()) +
                                         " rows, expected " + std::to_string(n));
    }
  }
  // Column of each (row, input column), or -1 for an ignored unknown value.
  std::vector<int64_t> offsets(columns.size());
  int64_t offset = 0;
  for (size_t j = 0; j < columns.size(); ++j) {
    offsets[j] = offset;
    offset += static_cast<int64_t>(categories_[j].size()) + (has_missing_[j] ? 1 : 0);
  }
  SparseMatrix out(static_cast<Eigen::Index>(n), offset);
  out.reserve(static_cast<Eigen::Index>(n * columns.size()));
  for (size_t i = 0; i < n; ++i) {
    out.startVec(static_cast<Eigen::Index>(i));
    for (size_t j = 0; j < columns.size(); ++j) {
      const data::Column& c = columns[j];
      const auto& cats = categories_[j];
      int64_t k = -1;
      std::string shown;
      if (c.is_missing(i)) {
        if (has_missing_[j]) k = static_cast<int64_t>(cats.size());
        shown = "nan (missing value)";
      } else {
        auto it = std::lower_bound(cats.begin(), cats.end(), c.strings[i]);
        if (it != cats.end() && *it == c.strings[i]) k = it - cats.begin();
        shown = "'" + c.strings[i] + "'";
      }
      if (k < 0) {
        if (ignore_unknown_) continue;
        throw_invalid("OneHotEncoder", "found unknown category " + shown + " in column '" +
                                           columns_[j] + "' (row " + std::to_string(i) +
                                           ") during transform");
      }
      out.insertBack(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(offsets[j] + k)) =
          1.0;
    }
  }
  out.finalize();
  return out;
}

SparseMatrix OneHotEncoder::fit_transform(const std::vector<data::Column>& columns) {
  fit(columns);
  return transform(columns);
}

json OneHotEncoder::state() const {
  check_fitted("state");
  json has_missing = json::array();
  for (bool b : has_missing_) has_missing.push_back(b);
  return json{{"columns", columns_}, {"categories", categories_}, {"has_missing", has_missing}};
}

Status OneHotEncoder::load_state(const json& state) {
  const std::string who = "OneHotEncoder state";
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  if (!state.contains("columns") || !state.at("columns").is_array() ||
      state.at("columns").empty()) {
    return Status::invalid(who + ": 'columns' must be a non-empty array of names");
  }
  const size_t n = state.at("columns").size();
  if (!state.contains("categories") || !state.at("categories").is_array() ||
      state.at("categories").size() != n) {
    return Status::invalid(who + ": 'categories' must be an array of " + std::to_string(n) +
                           " arrays");
  }
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> categories;
  for (size_t j = 0; j < n; ++j) {
    const json& name = state.at("columns")[j];
    const json& cats = state.at("categories")[j];
    if (!name.is_string()) return Status::invalid(who + ": 'columns' must hold strings");
    if (!cats.is_array()) return Status::invalid(who + ": 'categories' must hold arrays");
    std::vector<std::string> values;
    for (const auto& v : cats) {
      if (!v.is_string()) return Status::invalid(who + ": categories must be strings");
      values.push_back(v.get<std::string>());
      if (values.size() > 1 && !(values[values.size() - 2] < values.back())) {
        return Status::invalid(who + ": categories of column '" + name.get<std::string>() +
                               "' must be sorted and unique");
      }
    }
    names.push_back(name.get<std::string>());
    categories.push_back(std::move(values));
  }
  std::vector<bool> has_missing;
  MLLAB_RETURN_IF_ERROR(read_bools(state, "has_missing", n, who, &has_missing));
  columns_ = std::move(names);
  categories_ = std::move(categories);
  has_missing_ = std::move(has_missing);
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

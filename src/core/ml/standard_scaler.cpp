#include "core/ml/standard_scaler.hpp"

#include <cmath>
#include <limits>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"

namespace mllab::ml {

const std::vector<ParamSpec>& StandardScaler::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    ParamSpec with_mean;
    with_mean.name = "with_mean";
    with_mean.kind = ParamSpec::Kind::kBool;
    with_mean.default_value = true;
    with_mean.doc = "Center the data before scaling.";
    ParamSpec with_std;
    with_std.name = "with_std";
    with_std.kind = ParamSpec::Kind::kBool;
    with_std.default_value = true;
    with_std.doc = "Scale the data to unit variance.";
    return std::vector<ParamSpec>{with_mean, with_std};
  }();
  return specs;
}

StandardScaler::StandardScaler(const json& params) {
  auto resolved = resolve_params("StandardScaler", param_specs(), params);
  if (!resolved) throw Error(resolved.status());
  params_ = std::move(resolved.value());
  with_mean_ = params_.at("with_mean").get<bool>();
  with_std_ = params_.at("with_std").get<bool>();
}

// scikit-learn's _incremental_mean_and_var on a first batch (np.nansum when X has NaN), and
// _is_constant_feature / _handle_zeros_in_scale with the per-column count of non-NaN values as
// n_samples_seen_. Sums run down each column in row order, as numpy's axis-0 sum of a C-ordered
// array does; NaN entries are skipped (nansum adds them as 0).
void StandardScaler::fit(const Matrix& x) {
  if (x.rows() < 1) throw_invalid("StandardScaler", "fit needs at least one row (received 0)");
  if (x.cols() < 1) throw_invalid("StandardScaler", "fit needs at least one column (received 0)");
  check_no_infinity(x, "StandardScaler");
  const double eps = std::numeric_limits<double>::epsilon();
  Vector mean(x.cols()), var(x.cols()), scale(x.cols());
  std::vector<int64_t> seen(static_cast<size_t>(x.cols()), 0);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    double sum = 0.0;
    int64_t count = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (std::isnan(x(i, j))) continue;
      sum += x(i, j);
      ++count;
    }
    // An all-NaN column: 0 / 0 = NaN mean, variance and scale, as scikit-learn (which warns).
    const auto n = static_cast<double>(count);
    double m = sum / n;
    double correction = 0.0;
    double squares = 0.0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (std::isnan(x(i, j))) continue;
      double t = x(i, j) - m;
      correction += t;
      squares += t * t;
    }
    double unnormalized = squares - correction * correction / n;
    double v = unnormalized / n;
    mean(j) = m;
    var(j) = v;
    double upper_bound = n * eps * v + (n * m * eps) * (n * m * eps);
    bool constant = v <= upper_bound;
    scale(j) = (!with_std_ || constant) ? 1.0 : std::sqrt(v);
    seen[static_cast<size_t>(j)] = count;
  }
  mean_ = std::move(mean);
  var_ = std::move(var);
  scale_ = std::move(scale);
  n_samples_seen_ = std::move(seen);
  fitted_ = true;
}

void StandardScaler::check_fitted(const char* method) const {
  if (!fitted_) {
    throw_invalid("StandardScaler", std::string(method) + " called before fit");
  }
}

Matrix StandardScaler::transform(const Matrix& x) const {
  check_fitted("transform");
  if (x.cols() != mean_.size()) {
    throw_invalid("StandardScaler", "X has " + std::to_string(x.cols()) +
                                        " features, but the scaler was fitted with " +
                                        std::to_string(mean_.size()) + " features");
  }
  check_no_infinity(x, "StandardScaler");
  // NaN stays NaN (NaN - mean, NaN / scale).
  Matrix out(x.rows(), x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    double m = with_mean_ ? mean_(j) : 0.0;
    double s = scale_(j);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      double v = x(i, j);
      if (with_mean_) v -= m;
      if (with_std_) v /= s;
      out(i, j) = v;
    }
  }
  return out;
}

// NaN statistics (all-NaN columns) are written as null, as nlohmann::json writes NaN.
json StandardScaler::state() const {
  check_fitted("state");
  json out{{"n_features", mean_.size()},
           {"mean", vector_to_json(mean_)},
           {"var", vector_to_json(var_)},
           {"scale", vector_to_json(scale_)}};
  return out;
}

Status StandardScaler::load_state(const json& state) {
  const std::string who = "StandardScaler state";
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  auto n = json_get_int(state, "n_features", who);
  if (!n) return n.status();
  if (*n < 1) return Status::invalid(who + ": 'n_features' must be >= 1");
  Vector mean, var, scale;
  MLLAB_RETURN_IF_ERROR(json_get_nullable_vector(state, "mean", *n, who, &mean));
  MLLAB_RETURN_IF_ERROR(json_get_nullable_vector(state, "var", *n, who, &var));
  MLLAB_RETURN_IF_ERROR(json_get_nullable_vector(state, "scale", *n, who, &scale));
  for (Eigen::Index j = 0; j < scale.size(); ++j) {
    // NaN only for a column that was all NaN at fit (its mean is NaN too).
    if (!(scale(j) > 0.0) && !(std::isnan(scale(j)) && std::isnan(mean(j)))) {
      return Status::invalid(who + ": 'scale' must be positive");
    }
  }
  mean_ = std::move(mean);
  var_ = std::move(var);
  scale_ = std::move(scale);
  n_samples_seen_.clear();
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

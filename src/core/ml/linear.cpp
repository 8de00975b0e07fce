#include "core/ml/linear.hpp"

#include <cmath>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"

namespace mllab::ml {
namespace {

// Checks the shapes and values given to fit.
void check_fit_input(const std::string& who, const Matrix& x, const Vector& y) {
  if (x.rows() < 1) throw_invalid(who, "fit needs at least one sample (received 0)");
  if (x.cols() < 1) throw_invalid(who, "fit needs at least one feature (received 0)");
  if (y.size() != x.rows()) {
    throw_invalid(who, "X has " + std::to_string(x.rows()) + " rows but y has " +
                           std::to_string(y.size()) + " values");
  }
  check_finite(x, who);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y(i))) {
      throw_invalid(who, std::string("y contains ") + (std::isnan(y(i)) ? "NaN" : "infinity") +
                             " (row " + std::to_string(i) + ")");
    }
  }
}

// The data after scikit-learn's _preprocess_data: X and y centred (column means of X summed
// down each column in row order, as numpy's axis-0 mean of a C-ordered array; the mean of y in
// numpy's pairwise order), or untouched with zero offsets when fit_intercept is false.
struct Centred {
  Matrix x;
  Vector y;
  Vector x_offset;
  double y_offset = 0.0;
};

Centred centre(const Matrix& x, const Vector& y, bool fit_intercept) {
  Centred c{x, y, Vector::Zero(x.cols()), 0.0};
  if (!fit_intercept) return c;
  const auto n = static_cast<double>(x.rows());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    double sum = 0.0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) sum += x(i, j);
    c.x_offset(j) = sum / n;
  }
  c.y_offset = numpy_sum(y.data(), static_cast<size_t>(y.size())) / n;
  c.x.rowwise() -= c.x_offset.transpose();
  c.y.array() -= c.y_offset;
  return c;
}

// y_offset - x_offset . coef, as scikit-learn's _set_intercept.
double intercept_of(const Centred& c, const Vector& coef, bool fit_intercept) {
  return fit_intercept ? c.y_offset - c.x_offset.dot(coef) : 0.0;
}

void check_predict_input(const std::string& who, bool fitted, const Vector& coef,
                         const Matrix& x) {
  if (!fitted) throw_invalid(who, "predict called before fit");
  if (x.cols() != coef.size()) {
    throw_invalid(who, "X has " + std::to_string(x.cols()) +
                           " features, but the model was fitted with " +
                           std::to_string(coef.size()) + " features");
  }
  check_finite(x, who);
}

Vector linear_predict(const Matrix& x, const Vector& coef, double intercept) {
  Vector out = x * coef;
  out.array() += intercept;
  return out;
}

json linear_state(const Vector& coef, double intercept) {
  return json{{"n_features", coef.size()},
              {"coef", vector_to_json(coef)},
              {"intercept", intercept}};
}

// Reads "n_features", "coef" and "intercept" of a state written by linear_state.
Status read_linear_state(const json& state, const std::string& who, Vector* coef,
                         double* intercept) {
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  auto n_features = json_get_int(state, "n_features", who);
  if (!n_features) return n_features.status();
  if (*n_features < 1) return Status::invalid(who + ": 'n_features' must be >= 1");
  MLLAB_RETURN_IF_ERROR(json_get_vector(state, "coef", *n_features, who, coef));
  if (!state.contains("intercept") || !state.at("intercept").is_number()) {
    return Status::invalid(who + ": missing or non-numeric 'intercept'");
  }
  *intercept = state.at("intercept").get<double>();
  return Status::ok();
}

ParamSpec fit_intercept_spec() {
  ParamSpec fit_intercept;
  fit_intercept.name = "fit_intercept";
  fit_intercept.kind = ParamSpec::Kind::kBool;
  fit_intercept.default_value = true;
  fit_intercept.doc = "Fit a constant term (X and y are centred first); false: through origin.";
  return fit_intercept;
}

// scikit-learn's _solve_svd: w = V diag(s / (s^2 + alpha)) U^T y, singular values <= 1e-15
// dropped.
Vector solve_svd(const Matrix& x, const Vector& y, double alpha) {
  Eigen::JacobiSVD<Matrix> svd(x, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Vector& s = svd.singularValues();
  Vector uty = svd.matrixU().transpose() * y;
  Vector d(s.size());
  for (Eigen::Index i = 0; i < s.size(); ++i) {
    d(i) = s(i) > 1e-15 ? s(i) / (s(i) * s(i) + alpha) : 0.0;
  }
  return svd.matrixV() * d.cwiseProduct(uty);
}

}  // namespace

// ---- LinearRegression ----

const std::vector<ParamSpec>& LinearRegression::param_specs() {
  static const std::vector<ParamSpec> specs = {fit_intercept_spec()};
  return specs;
}

LinearRegression::LinearRegression(const json& params) {
  auto resolved = resolve_params("LinearRegression", param_specs(), params);
  if (!resolved) throw Error(resolved.status());
  params_ = std::move(resolved.value());
  fit_intercept_ = params_.at("fit_intercept").get<bool>();
}

void LinearRegression::fit(const Matrix& x, const Vector& y) {
  check_fit_input("LinearRegression", x, y);
  Centred c = centre(x, y, fit_intercept_);
  Eigen::CompleteOrthogonalDecomposition<Matrix> cod(c.x);
  Vector coef = cod.solve(c.y);
  rank_ = static_cast<int>(cod.rank());
  intercept_ = intercept_of(c, coef, fit_intercept_);
  coef_ = std::move(coef);
  fitted_ = true;
}

Vector LinearRegression::predict(const Matrix& x) const {
  check_predict_input("LinearRegression", fitted_, coef_, x);
  return linear_predict(x, coef_, intercept_);
}

json LinearRegression::state() const {
  if (!fitted_) throw_invalid("LinearRegression", "state called before fit");
  json s = linear_state(coef_, intercept_);
  s["rank"] = rank_;
  return s;
}

Status LinearRegression::load_state(const json& state) {
  const std::string who = "LinearRegression state";
  Vector coef;
  double intercept = 0.0;
  MLLAB_RETURN_IF_ERROR(read_linear_state(state, who, &coef, &intercept));
  int rank = static_cast<int>(coef.size());
  if (state.contains("rank")) {
    auto r = json_get_int(state, "rank", who);
    if (!r) return r.status();
    if (*r < 0 || *r > coef.size()) return Status::invalid(who + ": 'rank' out of range");
    rank = static_cast<int>(*r);
  }
  coef_ = std::move(coef);
  intercept_ = intercept;
  rank_ = rank;
  fitted_ = true;
  return Status::ok();
}

// ---- Ridge ----

const std::vector<ParamSpec>& Ridge::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    ParamSpec alpha;
    alpha.name = "alpha";
    alpha.kind = ParamSpec::Kind::kFloat;
    alpha.default_value = 1.0;
    alpha.min = 0.0;
    alpha.doc = "Regularization strength (penalty alpha * ||w||^2); larger values shrink more.";
    return std::vector<ParamSpec>{alpha, fit_intercept_spec()};
  }();
  return specs;
}

Ridge::Ridge(const json& params) {
  auto resolved = resolve_params("Ridge", param_specs(), params);
  if (!resolved) throw Error(resolved.status());
  params_ = std::move(resolved.value());
  alpha_ = params_.at("alpha").get<double>();
  fit_intercept_ = params_.at("fit_intercept").get<bool>();
  if (!std::isfinite(alpha_)) {
    throw_invalid("Ridge", "parameter 'alpha' must be finite (received " + format_double(alpha_) +
                               ")");
  }
}

void Ridge::fit(const Matrix& x, const Vector& y) {
  check_fit_input("Ridge", x, y);
  Centred c = centre(x, y, fit_intercept_);
  Vector coef;
  bool solved = false;
  if (c.x.cols() > c.x.rows()) {
    // Kernel form (scikit-learn's _solve_cholesky_kernel): (X X^T + alpha I) d = y, w = X^T d.
    Matrix k = c.x * c.x.transpose();
    k.diagonal().array() += alpha_;
    Eigen::LLT<Matrix> llt(k);
    if (llt.info() == Eigen::Success) {
      coef = c.x.transpose() * llt.solve(c.y);
      solved = true;
    }
  } else {
    Matrix a = c.x.transpose() * c.x;
    a.diagonal().array() += alpha_;
    Eigen::LLT<Matrix> llt(a);
    if (llt.info() == Eigen::Success) {
      coef = llt.solve(c.x.transpose() * c.y);
      solved = true;
    }
  }
  if (!solved || !coef.allFinite()) coef = solve_svd(c.x, c.y, alpha_);
  intercept_ = intercept_of(c, coef, fit_intercept_);
  coef_ = std::move(coef);
  fitted_ = true;
}

Vector Ridge::predict(const Matrix& x) const {
  check_predict_input("Ridge", fitted_, coef_, x);
  return linear_predict(x, coef_, intercept_);
}

json Ridge::state() const {
  if (!fitted_) throw_invalid("Ridge", "state called before fit");
  return linear_state(coef_, intercept_);
}

Status Ridge::load_state(const json& state) {
  Vector coef;
  double intercept = 0.0;
  MLLAB_RETURN_IF_ERROR(read_linear_state(state, "Ridge state", &coef, &intercept));
  coef_ = std::move(coef);
  intercept_ = intercept;
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

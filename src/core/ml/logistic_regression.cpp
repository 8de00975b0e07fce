#include "core/ml/logistic_regression.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"

namespace mllab::ml {
namespace {

const char* const kWho = "LogisticRegression";

// Above this estimated cost of one Newton iteration (forming and factoring the Hessian, in
// multiply-adds) solver "newton-cholesky" falls back to L-BFGS.
constexpr double kNewtonMaxWork = 1e9;
// Newton line search: sufficient-decrease constant and the maximum number of step halvings.
constexpr double kArmijo = 1e-4;
constexpr int kMaxHalvings = 60;

// scipy's L-BFGS-B settings as scikit-learn 1.2 calls it (scipy.optimize.minimize defaults):
// memory 10, at most 20 line-search evaluations per iteration and 15000 in total, relative
// function-reduction tolerance ftol = 2.2204460492503131e-09 (factr * machine epsilon), and
// the Moré–Thuente line search constants of lnsrlb.
constexpr size_t kLbfgsMemory = 10;
constexpr int kLbfgsMaxLineSearch = 20;
constexpr int kLbfgsMaxFun = 15000;
constexpr double kLbfgsFtol = 2.2204460492503131e-09;
constexpr double kLbfgsMaxStep = 1e10;
constexpr double kSearchFtol = 1e-3;
constexpr double kSearchGtol = 0.9;
constexpr double kSearchXtol = 0.1;

double max_abs(const Vector& v) { return v.size() == 0 ? 0.0 : v.cwiseAbs().maxCoeff(); }

// The objective, its gradient and Hessian over the flat parameter vector
//   theta = [w_0 (d values), ..., w_{k-1} (d values), b_0, ..., b_{k-1}]
// (b only with an intercept), where k = 1 (binary, sigmoid) or the number of classes (softmax).
class Objective {
 public:
  // `gauge` adds 0.5 * (sum_j b_j)^2 in the multinomial case with an intercept (see value_grad).
  Objective(const Matrix& x, std::vector<int> y, int k, bool fit_intercept, double c, bool gauge)
      : x_(x),
        y_(std::move(y)),
        k_(k),
        fit_intercept_(fit_intercept),
        gauge_(gauge && fit_intercept && k > 1),
        inv_c_(1.0 / c) {}

  Eigen::Index n_params() const { return k_ * (x_.cols() + (fit_intercept_ ? 1 : 0)); }
  Eigen::Index d() const { return x_.cols(); }
  bool binary() const { return k_ == 1; }

  // Coefficients as a d x k matrix (column j = class j) and the intercepts.
  Eigen::Map<const Matrix> weights(const Vector& theta) const {
    return Eigen::Map<const Matrix>(theta.data(), d(), k_);
  }
  Vector intercepts(const Vector& theta) const {
    return fit_intercept_ ? Vector(theta.segment(k_ * d(), k_)) : Vector::Zero(k_);
  }

  // Objective value; fills `grad` and, for the Hessian, the per-sample probabilities `p`.
  double value_grad(const Vector& theta, Vector* grad, Matrix* p = nullptr) const {
    const auto w = weights(theta);
    const Vector b = intercepts(theta);
    Matrix z = x_ * w;
    z.rowwise() += b.transpose();
    const Eigen::Index n = x_.rows();
    Matrix prob(n, k_);
    double loss = 0.0;
    if (binary()) {
      // log(1 + exp(z)) and 1 / (1 + exp(-z)) without overflow, from one exp(-|z|).
      for (Eigen::Index i = 0; i < n; ++i) {
        const double zi = z(i, 0);
        const double e = std::exp(-std::abs(zi));
        loss += (zi > 0 ? zi + std::log1p(e) : std::log1p(e)) - y_[i] * zi;
        prob(i, 0) = zi >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      }
    } else {
      // Stable log-sum-exp: shift each row by its maximum.
      for (Eigen::Index i = 0; i < n; ++i) {
        double m = z.row(i).maxCoeff();
        double s = 0.0;
        for (int j = 0; j < k_; ++j) {
          prob(i, j) = std::exp(z(i, j) - m);
          s += prob(i, j);
        }
        loss += m + std::log(s) - z(i, y_[i]);
        prob.row(i) /= s;
      }
    }
    if (p != nullptr) *p = prob;
    Matrix& r = prob;  // from here: d loss / d z = probabilities - one-hot targets
    for (Eigen::Index i = 0; i < n; ++i) {
      if (binary()) {
        r(i, 0) -= y_[i];
      } else {
        r(i, y_[i]) -= 1.0;
      }
    }
    double penalty = 0.5 * inv_c_ * w.squaredNorm();
    grad->resize(n_params());
    Eigen::Map<Matrix> gw(grad->data(), d(), k_);
    gw = transpose_times(x_, r);
    gw += inv_c_ * w;
    if (fit_intercept_) {
      Vector gb = r.colwise().sum().transpose();
      if (gauge_) {
        // Gauge term 0.5 * (sum_j b_j)^2: zero on the solution scikit-learn returns, it makes the
        // minimizer unique (the softmax ignores a common shift of the intercepts) and the
        // Hessian positive definite.
        double sb = b.sum();
        penalty += 0.5 * sb * sb;
        gb.array() += sb;
      }
      grad->segment(k_ * d(), k_) = gb;
    }
    return loss + penalty;
  }

  // The exact Hessian at the point whose probabilities are `p` (from value_grad).
  Matrix hessian(const Matrix& p) const {
    const Eigen::Index d = this->d();
    const Eigen::Index n = x_.rows();
    Matrix h = Matrix::Zero(n_params(), n_params());
    Vector s(n);
    for (int a = 0; a < k_; ++a) {
      for (int c = a; c < k_; ++c) {
        // s_i = p_ia (delta_ac - p_ic); binary: p (1 - p).
        for (Eigen::Index i = 0; i < n; ++i) {
          s(i) = p(i, a) * ((a == c ? 1.0 : 0.0) - p(i, c));
        }
        Matrix xs = x_.array().colwise() * s.array();
        Matrix block = x_.transpose() * xs;
        h.block(a * d, c * d, d, d) = block;
        if (a != c) h.block(c * d, a * d, d, d) = block.transpose();
        if (fit_intercept_) {
          Vector v = xs.colwise().sum().transpose();
          Eigen::Index ba = k_ * d + a;
          Eigen::Index bc = k_ * d + c;
          h.block(a * d, bc, d, 1) = v;
          h.block(bc, a * d, 1, d) = v.transpose();
          h.block(c * d, ba, d, 1) = v;
          h.block(ba, c * d, 1, d) = v.transpose();
          h(ba, bc) = s.sum();
          h(bc, ba) = h(ba, bc);
        }
      }
    }
    for (Eigen::Index j = 0; j < k_ * d; ++j) h(j, j) += inv_c_;
    if (gauge_) h.bottomRightCorner(k_, k_).array() += 1.0;
    return h;
  }

  // Estimated multiply-adds to form and factor the Hessian once.
  double newton_work() const {
    double np = static_cast<double>(n_params());
    double dd = static_cast<double>(d() + 1);
    return static_cast<double>(x_.rows()) * dd * dd * k_ * (k_ + 1) / 2.0 + np * np * np / 3.0;
  }

 private:
  const Matrix& x_;
  std::vector<int> y_;  // binary: 0/1; multinomial: compact class index
  int k_;
  bool fit_intercept_;
  bool gauge_;
  double inv_c_;
};

struct SolveResult {
  Vector theta;
  int n_iter = 0;
  bool converged = false;
};

// A point with its objective value, gradient and (Newton only) class probabilities.
struct Point {
  Vector theta;
  double f = 0.0;
  Vector g;
  Matrix p;
};

// Backtracking line search from `at` along `dir` (a descent direction with slope g.dir < 0).
// Accepts the first step t = 1, 1/2, 1/4, ... with sufficient decrease (Armijo), or, once the
// decrease is below the rounding noise of the objective, with a smaller gradient. Returns false
// when no step is acceptable (the iterate cannot be improved numerically).
bool line_search(const Objective& obj, const Point& at, const Vector& dir, bool want_p,
                 Point* next) {
  const double slope = at.g.dot(dir);
  const double noise = 1e-12 * (1.0 + std::fabs(at.f));
  const double gnorm = max_abs(at.g);
  double t = 1.0;
  for (int k = 0; k < kMaxHalvings; ++k, t *= 0.5) {
    next->theta = at.theta + t * dir;
    next->f = obj.value_grad(next->theta, &next->g, want_p ? &next->p : nullptr);
    if (!std::isfinite(next->f)) continue;
    if (next->f <= at.f + kArmijo * t * slope) return true;
    if (next->f <= at.f + noise && max_abs(next->g) < gnorm) return true;
  }
  return false;
}

SolveResult solve_newton(const Objective& obj, int max_iter, double tol) {
  Point cur;
  cur.theta = Vector::Zero(obj.n_params());
  cur.f = obj.value_grad(cur.theta, &cur.g, &cur.p);
  SolveResult res;
  while (true) {
    if (max_abs(cur.g) <= tol) {
      res.converged = true;
      break;
    }
    if (res.n_iter >= max_iter) break;
    Matrix h = obj.hessian(cur.p);
    Vector dir;
    Eigen::LLT<Matrix> llt(h);
    if (llt.info() == Eigen::Success) {
      dir = llt.solve(-cur.g);
    } else {
      dir = Eigen::LDLT<Matrix>(h).solve(-cur.g);
    }
    if (!dir.allFinite() || cur.g.dot(dir) >= 0) dir = -cur.g;  // fall back to steepest descent
    Point next;
    if (!line_search(obj, cur, dir, /*want_p=*/true, &next)) break;
    cur = std::move(next);
    ++res.n_iter;
  }
  res.theta = std::move(cur.theta);
  return res;
}

// The Moré–Thuente line search (MINPACK-2 dcsrch / dcstep) with the constants L-BFGS-B uses:
// finds a step satisfying the strong Wolfe conditions f(stp) <= f(0) + ftol * stp * f'(0) and
// |f'(stp)| <= gtol * |f'(0)| by safeguarded cubic / quadratic interpolation.
class MoreThuente {
 public:
  // Starts a search from f(0) = f0, f'(0) = g0 < 0 with first trial step `stp`.
  MoreThuente(double f0, double g0, double stp, double stpmax)
      : stp_(stp),
        stpmax_(stpmax),
        finit_(f0),
        ginit_(g0),
        gtest_(kSearchFtol * g0),
        width_(stpmax),
        width1_(stpmax / 0.5),
        fx_(f0),
        gx_(g0),
        fy_(f0),
        gy_(g0),
        stmax_(stp + 4.0 * stp) {}

  // The step to evaluate next (or the accepted one after update() returned true).
  double step() const { return stp_; }

  // Takes f and f' at step(); returns true when the step is accepted (converged, or no further
  // progress possible: the "WARNING" exits of dcsrch, which L-BFGS-B also accepts).
  bool update(double f, double g) {
    const double ftest = finit_ + stp_ * gtest_;
    if (stage_ == 1 && f <= ftest && g >= 0) stage_ = 2;
    bool stuck = (brackt_ && (stp_ <= stmin_ || stp_ >= stmax_)) ||
                 (brackt_ && stmax_ - stmin_ <= kSearchXtol * stmax_) ||
                 (stp_ == stpmax_ && f <= ftest && g <= gtest_) ||
                 (stp_ == 0.0 && (f > ftest || g >= gtest_));
    if ((f <= ftest && std::fabs(g) <= kSearchGtol * (-ginit_)) || stuck) return true;
    if (stage_ == 1 && f <= fx_ && f > ftest) {
      // Until the sufficient decrease holds, interpolate the modified function
      // psi(stp) = f(stp) - f(0) - ftol * stp * f'(0).
      double fm = f - stp_ * gtest_, gm = g - gtest_;
      double fxm = fx_ - stx_ * gtest_, gxm = gx_ - gtest_;
      double fym = fy_ - sty_ * gtest_, gym = gy_ - gtest_;
      next_step(fxm, gxm, fym, gym, fm, gm);
      fx_ = fxm + stx_ * gtest_;
      fy_ = fym + sty_ * gtest_;
      gx_ = gxm + gtest_;
      gy_ = gym + gtest_;
    } else {
      next_step(fx_, gx_, fy_, gy_, f, g);
    }
    if (brackt_) {
      if (std::fabs(sty_ - stx_) >= 0.66 * width1_) stp_ = stx_ + 0.5 * (sty_ - stx_);
      width1_ = width_;
      width_ = std::fabs(sty_ - stx_);
      stmin_ = std::min(stx_, sty_);
      stmax_ = std::max(stx_, sty_);
    } else {
      stmin_ = stp_ + 1.1 * (stp_ - stx_);
      stmax_ = stp_ + 4.0 * (stp_ - stx_);
    }
    stp_ = std::min(std::max(stp_, 0.0), stpmax_);
    if ((brackt_ && (stp_ <= stmin_ || stp_ >= stmax_)) ||
        (brackt_ && stmax_ - stmin_ <= kSearchXtol * stmax_)) {
      stp_ = stx_;  // no further progress possible: retry the best step
    }
    return false;
  }

 private:
  // dcstep: updates the interval [stx, sty] that brackets a minimizer with the new point
  // (stp_, fp, dp) and sets stp_ to the next trial step.
  void next_step(double& fx, double& dx, double& fy, double& dy, double fp, double dp) {
    const double stp = stp_;
    const double sgnd = dp * (dx / std::fabs(dx));
    double stpf;
    auto cubic_gamma = [](double theta, double a, double b) {
      double s = std::max({std::fabs(theta), std::fabs(a), std::fabs(b)});
      return s * std::sqrt((theta / s) * (theta / s) - (a / s) * (b / s));
    };
    if (fp > fx) {
      // Higher function value: the minimum is bracketed. Cubic step if closer to stx, else the
      // average of the cubic and quadratic steps.
      double theta = 3.0 * (fx - fp) / (stp - stx_) + dx + dp;
      double gamma = cubic_gamma(theta, dx, dp);
      if (stp < stx_) gamma = -gamma;
      double p = (gamma - dx) + theta;
      double q = ((gamma - dx) + gamma) + dp;
      double stpc = stx_ + p / q * (stp - stx_);
      double stpq = stx_ + ((dx / ((fx - fp) / (stp - stx_) + dx)) / 2.0) * (stp - stx_);
      stpf = std::fabs(stpc - stx_) < std::fabs(stpq - stx_) ? stpc : stpc + (stpq - stpc) / 2.0;
      brackt_ = true;
    } else if (sgnd < 0) {
      // Lower value, derivatives of opposite sign: bracketed. The step farther from stp of the
      // cubic and secant steps.
      double theta = 3.0 * (fx - fp) / (stp - stx_) + dx + dp;
      double gamma = cubic_gamma(theta, dx, dp);
      if (stp > stx_) gamma = -gamma;
      double p = (gamma - dp) + theta;
      double q = ((gamma - dp) + gamma) + dx;
      double stpc = stp + p / q * (stx_ - stp);
      double stpq = stp + (dp / (dp - dx)) * (stx_ - stp);
      stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
      brackt_ = true;
    } else if (std::fabs(dp) < std::fabs(dx)) {
      // Lower value, same-sign derivatives decreasing in magnitude.
      double theta = 3.0 * (fx - fp) / (stp - stx_) + dx + dp;
      double s = std::max({std::fabs(theta), std::fabs(dx), std::fabs(dp)});
      double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
      if (stp > stx_) gamma = -gamma;
      double p = (gamma - dp) + theta;
      double q = (gamma + (dx - dp)) + gamma;
      double r = p / q;
      double stpc;
      if (r < 0 && gamma != 0) {
        stpc = stp + r * (stx_ - stp);
      } else {
        stpc = stp > stx_ ? stmax_ : stmin_;
      }
      double stpq = stp + (dp / (dp - dx)) * (stx_ - stp);
      if (brackt_) {
        stpf = std::fabs(stpc - stp) < std::fabs(stpq - stp) ? stpc : stpq;
        stpf = stp > stx_ ? std::min(stp + 0.66 * (sty_ - stp), stpf)
                          : std::max(stp + 0.66 * (sty_ - stp), stpf);
      } else {
        stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
        stpf = std::max(stmin_, std::min(stmax_, stpf));
      }
    } else {
      // Lower value, same-sign derivatives not decreasing: extrapolate to the interval end, or
      // take the cubic step within the bracket.
      if (brackt_) {
        double theta = 3.0 * (fp - fy) / (sty_ - stp) + dy + dp;
        double gamma = cubic_gamma(theta, dy, dp);
        if (stp > sty_) gamma = -gamma;
        double p = (gamma - dp) + theta;
        double q = ((gamma - dp) + gamma) + dy;
        stpf = stp + p / q * (sty_ - stp);
      } else {
        stpf = stp > stx_ ? stmax_ : stmin_;
      }
    }
    if (fp > fx) {
      sty_ = stp, fy = fp, dy = dp;
    } else {
      if (sgnd < 0) sty_ = stx_, fy = fx, dy = dx;
      stx_ = stp, fx = fp, dx = dp;
    }
    stp_ = stpf;
  }

  double stp_;
  double stpmax_;
  double finit_, ginit_, gtest_;
  double width_, width1_;
  double stx_ = 0.0, fx_, gx_;
  double sty_ = 0.0, fy_, gy_;
  double stmin_ = 0.0, stmax_;
  bool brackt_ = false;
  int stage_ = 1;
};

// L-BFGS exactly as scipy's L-BFGS-B (v3.0) runs on an unconstrained problem, which is what
// scikit-learn's solver "lbfgs" calls: the direction -H g of the limited-memory inverse Hessian
// (H0 = s'y / y'y of the newest pair; updates skipped when s'y <= eps * (-g's)), the first step
// scaled to length 1, the Moré–Thuente line search, and scipy's stopping rules in scipy's order:
// iteration limit, then max |g_j| <= tol, then a relative reduction of f below ftol. Following
// the same iterates, it stops where scikit-learn stops and returns its coefficients to rounding.
SolveResult solve_lbfgs(const Objective& obj, int max_iter, double tol) {
  const double eps = std::numeric_limits<double>::epsilon();
  const double factr = kLbfgsFtol / eps;  // as scipy: factr = ftol / eps; tol = factr * eps
  const double ftol = factr * eps;
  struct Pair {
    Vector s, y;
    double sy, yy;
  };
  std::deque<Pair> memory;
  Point cur;
  cur.theta = Vector::Zero(obj.n_params());
  cur.f = obj.value_grad(cur.theta, &cur.g);
  int n_fun = 1;
  SolveResult res;
  if (max_abs(cur.g) <= tol) {
    res.converged = true;
    res.theta = std::move(cur.theta);
    return res;
  }
  while (true) {
    // Two-loop recursion: d = -H g.
    Vector d = -cur.g;
    std::vector<double> alpha(memory.size());
    for (size_t i = memory.size(); i-- > 0;) {
      alpha[i] = memory[i].s.dot(d) / memory[i].sy;
      d -= alpha[i] * memory[i].y;
    }
    if (!memory.empty()) d *= memory.back().sy / memory.back().yy;
    for (size_t i = 0; i < memory.size(); ++i) {
      double beta = memory[i].y.dot(d) / memory[i].sy;
      d += (alpha[i] - beta) * memory[i].s;
    }
    const double gd0 = cur.g.dot(d);
    bool accepted = false;
    Point next;
    double stp = 1.0, gd = 0.0;
    if (gd0 < 0) {
      stp = res.n_iter == 0 ? std::min(1.0 / d.norm(), kLbfgsMaxStep) : 1.0;
      MoreThuente search(cur.f, gd0, stp, kLbfgsMaxStep);
      for (int evals = 1;; ++evals) {
        next.theta = cur.theta + stp * d;
        next.f = obj.value_grad(next.theta, &next.g);
        ++n_fun;
        gd = next.g.dot(d);
        if (search.update(next.f, gd)) {
          accepted = true;
          break;
        }
        stp = search.step();
        if (evals >= kLbfgsMaxLineSearch) break;
      }
    }
    if (!accepted) {
      // L-BFGS-B: drop the memory and retry along -g; without memory, stop (abnormal).
      if (memory.empty()) {
        ++res.n_iter;
        break;
      }
      memory.clear();
      continue;
    }
    ++res.n_iter;
    const double f_old = cur.f;
    const double sy = (gd - gd0) * stp;
    const double minus_gs = -gd0 * stp;
    Vector s = stp * d;
    Vector y = next.g - cur.g;
    cur = std::move(next);
    if (res.n_iter >= max_iter || n_fun > kLbfgsMaxFun) break;
    if (max_abs(cur.g) <= tol ||
        f_old - cur.f <= ftol * std::max({std::fabs(f_old), std::fabs(cur.f), 1.0})) {
      res.converged = true;
      break;
    }
    if (sy <= eps * minus_gs) continue;  // skip the update: curvature too small
    double yy = y.squaredNorm();
    memory.push_back(Pair{std::move(s), std::move(y), sy, yy});
    if (memory.size() > kLbfgsMemory) memory.pop_front();
  }
  res.theta = std::move(cur.theta);
  return res;
}

}  // namespace

const std::vector<ParamSpec>& LogisticRegression::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    using Kind = ParamSpec::Kind;
    ParamSpec c;
    c.name = "C";
    c.kind = Kind::kFloat;
    c.default_value = 1.0;
    c.min = 0.0;
    c.min_exclusive = true;
    c.doc = "Inverse of regularization strength; smaller values regularize more.";
    ParamSpec max_iter;
    max_iter.name = "max_iter";
    max_iter.kind = Kind::kInt;
    max_iter.default_value = 100;
    max_iter.min = 1;
    max_iter.max = 100000;
    max_iter.doc = "Maximum number of solver iterations (at most 100,000).";
    ParamSpec tol;
    tol.name = "tol";
    tol.kind = Kind::kFloat;
    tol.default_value = 1e-4;
    tol.min = 0.0;
    tol.min_exclusive = true;
    tol.doc = "Stop when the largest absolute gradient entry is at most tol.";
    ParamSpec fit_intercept;
    fit_intercept.name = "fit_intercept";
    fit_intercept.kind = Kind::kBool;
    fit_intercept.default_value = true;
    fit_intercept.doc = "Add a constant (bias) term to the decision function.";
    ParamSpec solver;
    solver.name = "solver";
    solver.kind = Kind::kString;
    solver.default_value = "lbfgs";
    solver.choices = {"lbfgs", "newton-cholesky"};
    solver.doc =
        "lbfgs: scikit-learn's solver and results; newton-cholesky: exact Newton steps, converges "
        "to tol in a few iterations.";
    return std::vector<ParamSpec>{c, max_iter, tol, fit_intercept, solver};
  }();
  return specs;
}

LogisticRegression::LogisticRegression(const json& params) {
  auto resolved = resolve_params(kWho, param_specs(), params);
  if (!resolved) throw Error(resolved.status());
  params_ = std::move(resolved.value());
  c_ = params_.at("C").get<double>();
  max_iter_ = static_cast<int>(std::min<int64_t>(params_.at("max_iter").get<int64_t>(), INT32_MAX));
  tol_ = params_.at("tol").get<double>();
  fit_intercept_ = params_.at("fit_intercept").get<bool>();
  newton_ = params_.at("solver").get<std::string>() == "newton-cholesky";
}

void LogisticRegression::fit(const Matrix& x, const std::vector<int>& y, int n_classes) {
  if (x.rows() < 1) throw_invalid(kWho, "fit needs at least one sample (received 0)");
  if (x.cols() < 1) throw_invalid(kWho, "fit needs at least one feature (received 0)");
  if (static_cast<Eigen::Index>(y.size()) != x.rows()) {
    throw_invalid(kWho, "X has " + std::to_string(x.rows()) + " rows but y has " +
                            std::to_string(y.size()) + " labels");
  }
  if (n_classes < 1)
    throw_invalid(kWho, "n_classes must be >= 1 (received " + std::to_string(n_classes) + ")");
  std::vector<int> count(static_cast<size_t>(n_classes), 0);
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= n_classes) {
      throw_invalid(kWho, "label " + std::to_string(y[i]) + " at row " + std::to_string(i) +
                              " is outside [0, " + std::to_string(n_classes) + ")");
    }
    ++count[static_cast<size_t>(y[i])];
  }
  check_finite(x, kWho);
  std::vector<int> classes;
  std::vector<int> compact(static_cast<size_t>(n_classes), -1);
  for (int c = 0; c < n_classes; ++c) {
    if (count[static_cast<size_t>(c)] > 0) {
      compact[static_cast<size_t>(c)] = static_cast<int>(classes.size());
      classes.push_back(c);
    }
  }
  if (classes.size() < 2) {
    throw_invalid(kWho, "needs samples of at least 2 classes; the data contains only one class: " +
                            std::to_string(classes.front()));
  }
  const int k = classes.size() == 2 ? 1 : static_cast<int>(classes.size());
  std::vector<int> target(y.size());
  for (size_t i = 0; i < y.size(); ++i) target[i] = compact[static_cast<size_t>(y[i])];
  Objective obj(x, std::move(target), k, fit_intercept_, c_, /*gauge=*/newton_);

  bool newton =
      newton_ && obj.n_params() <= newton_max_params_ && obj.newton_work() <= kNewtonMaxWork;
  SolveResult res = newton ? solve_newton(obj, max_iter_, tol_) : solve_lbfgs(obj, max_iter_, tol_);

  coef_ = obj.weights(res.theta).transpose();
  intercept_ = obj.intercepts(res.theta);
  classes_ = std::move(classes);
  n_classes_ = n_classes;
  n_iter_ = res.n_iter;
  converged_ = res.converged;
  solver_ = newton ? "newton-cholesky" : "lbfgs";
  fitted_ = true;
}

void LogisticRegression::check_fitted(const char* method) const {
  if (!fitted_) throw_invalid(kWho, std::string(method) + " called before fit");
}

void LogisticRegression::check_input(const Matrix& x) const {
  if (x.cols() != coef_.cols()) {
    throw_invalid(kWho, "X has " + std::to_string(x.cols()) +
                            " features, but the model was fitted with " +
                            std::to_string(coef_.cols()) + " features");
  }
  check_finite(x, kWho);
}

Matrix LogisticRegression::decision_function(const Matrix& x) const {
  check_fitted("decision_function");
  check_input(x);
  Matrix z = x * coef_.transpose();
  z.rowwise() += intercept_.transpose();
  return z;
}

Matrix LogisticRegression::predict_proba(const Matrix& x) const {
  check_fitted("predict_proba");
  Matrix z = decision_function(x);
  Matrix proba = Matrix::Zero(x.rows(), n_classes_);
  const int k = static_cast<int>(classes_.size());
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    if (z.cols() == 1) {
      double p = 1.0 / (1.0 + std::exp(-z(i, 0)));  // scipy.special.expit
      proba(i, classes_[0]) = 1.0 - p;
      proba(i, classes_[1]) = p;
    } else {
      // scikit-learn's softmax: subtract the row maximum, exponentiate, divide by the sum.
      double m = z.row(i).maxCoeff();
      std::vector<double> e(static_cast<size_t>(k));
      for (int j = 0; j < k; ++j) e[static_cast<size_t>(j)] = std::exp(z(i, j) - m);
      double s = numpy_sum(e);
      for (int j = 0; j < k; ++j) proba(i, classes_[static_cast<size_t>(j)]) = e[j] / s;
    }
  }
  return proba;
}

std::vector<int> LogisticRegression::predict(const Matrix& x) const {
  check_fitted("predict");
  Matrix z = decision_function(x);
  std::vector<int> out(static_cast<size_t>(z.rows()));
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    if (z.cols() == 1) {
      out[static_cast<size_t>(i)] = classes_[z(i, 0) > 0 ? 1 : 0];
    } else {
      Eigen::Index best = 0;
      for (Eigen::Index j = 1; j < z.cols(); ++j) {
        if (z(i, j) > z(i, best)) best = j;
      }
      out[static_cast<size_t>(i)] = classes_[static_cast<size_t>(best)];
    }
  }
  return out;
}

json LogisticRegression::state() const {
  check_fitted("state");
  return json{{"n_classes", n_classes_},
              {"classes", classes_},
              {"n_features", coef_.cols()},
              {"coef", matrix_to_json(coef_)},
              {"intercept", vector_to_json(intercept_)},
              {"n_iter", n_iter_},
              {"converged", converged_},
              {"solver", solver_}};
}

Status LogisticRegression::load_state(const json& state) {
  const std::string who = "LogisticRegression state";
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  auto n_classes = json_get_int(state, "n_classes", who);
  if (!n_classes) return n_classes.status();
  if (*n_classes < 2 || *n_classes > INT32_MAX) {
    return Status::invalid(who + ": 'n_classes' must be in [2, 2^31)");
  }
  auto n_features = json_get_int(state, "n_features", who);
  if (!n_features) return n_features.status();
  if (*n_features < 1) return Status::invalid(who + ": 'n_features' must be >= 1");
  auto class_list = json_get_class_indices(state, "classes", *n_classes, who);
  if (!class_list) return class_list.status();
  std::vector<int> classes = std::move(class_list).value();
  if (classes.size() < 2) return Status::invalid(who + ": 'classes' needs at least 2 entries");
  const int64_t rows = classes.size() == 2 ? 1 : static_cast<int64_t>(classes.size());
  Matrix coef;
  Vector intercept;
  MLLAB_RETURN_IF_ERROR(json_get_matrix(state, "coef", rows, *n_features, who, &coef));
  MLLAB_RETURN_IF_ERROR(json_get_vector(state, "intercept", rows, who, &intercept));
  auto n_iter = json_get_int(state, "n_iter", who);
  if (!n_iter) return n_iter.status();
  n_classes_ = static_cast<int>(*n_classes);
  classes_ = std::move(classes);
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  if (state.contains("converged") && !state.at("converged").is_boolean()) {
    return Status::invalid(who + ": 'converged' must be a boolean");
  }
  if (state.contains("solver") && !state.at("solver").is_string()) {
    return Status::invalid(who + ": 'solver' must be a string");
  }
  n_iter_ = static_cast<int>(*n_iter);
  converged_ = state.value("converged", true);
  solver_ = state.value("solver", std::string());
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

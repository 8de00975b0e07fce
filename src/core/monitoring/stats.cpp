// Index of this file:
// [SECTION] numpy helpers (pairwise sum, std, linspace)
// [SECTION] Kolmogorov distributions (kolmogorov, smirnov, kstwo)
// [SECTION] Two-sample KS (exact lattice-path p-values, asymptotic p-values, the statistic)
// [SECTION] Chi-square
// [SECTION] Distances
// [SECTION] Proportions
// [SECTION] Histograms
//
// The algorithms follow scipy 1.10 (scipy/stats/_ksstats.py, _stats_py.py, _stats_pythran.py,
// scipy/special/cephes/kolmogorov.c, contingency.py) and numpy 1.24 step by step, so that the
// results round like theirs; where scipy computes in double-double or long double this code
// uses logarithms or exponent scaling instead, which keeps ~1e-12 relative agreement.
#include "core/monitoring/stats.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include <Eigen/Dense>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/gamma.hpp>

namespace mllab::monitoring {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;

double clip01(double p) {
  if (std::isnan(p)) return p;
  return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

// Round half to even, like np.round.
double round_half_even(double x) { return std::nearbyint(x); }

// [SECTION] numpy helpers -------------------------------------------------------------------

// numpy's pairwise_sum for float64 (numpy/core/src/umath/loops_utils.h.src).
double pairwise_sum(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

}  // namespace

// np.add.reduce runs the pairwise sum over the iterator's buffer-sized blocks (8192 elements)
// and adds the blocks in order (checked bit for bit against np.sum).
double numpy_sum(const double* values, size_t n) {
  constexpr size_t kBufferSize = 8192;
  double res = 0.0;
  for (size_t start = 0; start < n; start += kBufferSize) {
    res += pairwise_sum(values + start, std::min(kBufferSize, n - start));
  }
  return res;
}

double numpy_std(const std::vector<double>& values) {
  const size_t n = values.size();
  if (n == 0) return 0.0;
  const double mean = numpy_sum(values.data(), n) / double(n);
  std::vector<double> sq(n);
  for (size_t i = 0; i < n; ++i) {
    const double d = values[i] - mean;
    sq[i] = d * d;
  }
  return std::sqrt(numpy_sum(sq.data(), n) / double(n));
}

std::vector<double> linspace(double start, double stop, size_t num) {
  std::vector<double> y(num);
  if (num == 0) return y;
  const double div = double(num - 1);
  const double delta = stop - start;
  const double step = num > 1 ? delta / div : kNaN;
  if (num > 1 && std::isfinite(start) && std::isfinite(stop) && !std::isfinite(delta)) {
    // The span overflows (start -1e308, stop 1e308): step by half the span, adding each half
    // separately so no intermediate leaves double's range.
    const double half_step = (stop / 2 - start / 2) / div;
    for (size_t i = 0; i < num; ++i) y[i] = (start + double(i) * half_step) + double(i) * half_step;
    y[num - 1] = stop;
    return y;
  }
  for (size_t i = 0; i < num; ++i) {
    double v = double(i);
    if (num > 1 && step == 0) {
      v = v / div * delta;
    } else if (num > 1) {
      v = v * step;
    } else {
      v = 0.0;
    }
    y[i] = v + start;
  }
  if (num > 1) y[num - 1] = stop;
  return y;
}

// [SECTION] Kolmogorov distributions ---------------------------------------------------------

double kolmogorov_sf(double x) {
  // scipy.special.kolmogorov (cephes/kolmogorov.c, van Mulbregt): two theta-function series
  // switching at x = 0.82.
  if (std::isnan(x)) return kNaN;
  if (x <= 0) return 1.0;
  // Below pi / sqrt(8 * 746) the first term of the small-x series underflows: sf = 1.
  if (x <= kPi / std::sqrt(746.0 * 8.0)) return 1.0;
  double sf;
  if (x <= 0.82) {
    const double w = std::sqrt(2 * kPi) / x;
    const double logu8 = -kPi * kPi / (x * x);
    const double u = std::exp(logu8 / 8);
    double p;
    if (u == 0) {
      p = std::exp(logu8 / 8 + std::log(w));
    } else {
      const double u8 = std::exp(logu8);
      const double u8cub = std::pow(u8, 3);
      p = 1.0;
      p = 1 + u8cub * p;
      p = 1 + u8 * u8 * p;
      p = 1 + u8 * p;
      p = w * u * p;
    }
    sf = 1 - p;
  } else {
    const double v = std::exp(-2 * x * x);
    const double vsq = v * v;
    const double v3 = std::pow(v, 3);
    double p = 1.0;
    p = 1 - v3 * v3 * v * p;
    p = 1 - v3 * vsq * p;
    p = 1 - v3 * p;
    sf = 2 * v * p;
  }
  return clip01(sf);
}

double smirnov_sf(int n, double x) {
  // scipy.special.smirnov: P(D+_n >= x) = x * sum_{v=0}^{floor(n(1-x))} C(n,v) (x+v/n)^(v-1)
  // (1-x-v/n)^(n-v). scipy sums in double-double; here every term is summed as a logarithm
  // (log-sum-exp with a running maximum), which keeps ~1e-12 relative accuracy and reaches the
  // same tiny values (down to denormals) without overflow.
  if (std::isnan(x) || !(n > 0 && x >= 0.0 && x <= 1.0)) return kNaN;
  if (n == 1) return 1 - x;
  if (x == 0.0) return 1.0;
  if (x == 1.0) return 0.0;
  const double dn = double(n);
  // floor(n * x) and the remainder, exactly (n * x = nx + err).
  const double nx = dn * x;
  const double err = std::fma(dn, x, -nx);
  const double fl = std::floor(nx);
  double alpha = (nx - fl) + err;
  int64_t nxfl = int64_t(fl);
  if (alpha < 0) {
    nxfl -= 1;
    alpha += 1.0;
  }
  if (alpha >= 1.0) {
    nxfl += 1;
    alpha -= 1.0;
  }
  int64_t n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
  if (alpha == 0) n1mxfl -= 1;

  if (nxfl == 0 || (nxfl == 1 && alpha == 0)) {  // x <= 1/n: cdf = x (1 + x)^(n-1)
    const double cdf = x * std::exp((dn - 1) * std::log1p(x));
    return clip01(1 - cdf);
  }
  constexpr double kMinLog = -7.451332191019412076235E2;  // cephes MINLOG, log(2^-1075)
  if (-2 * dn * x * x < kMinLog) return 0.0;
  if (nxfl >= n - 1) return clip01(std::pow(1 - x, dn));  // x >= 1 - 1/n
  if (n > 1000000) {  // scipy's approximation for huge n: exp(-(6nx+1)^2 / (18n))
    const double logp = -std::pow(6.0 * dn * x + 1, 2) / 18.0 / dn;
    if (logp < -std::log(2.0)) return clip01(std::exp(logp));
    return clip01(1 - (-std::expm1(logp)));
  }
  const int64_t n_terms = n1mxfl + 1;
  // Binomial coefficient as mantissa * 2^exponent (it overflows a double for large n).
  double c_man = 1.0;
  int64_t c_exp = 0;
  double max_log = -kInf, scaled_sum = 0.0;
  const double log_eps = std::log(DBL_EPSILON);
  for (int64_t v = 0; v < n_terms; ++v) {
    const double dv = double(v);
    const double t1 = ((dv + nx) + err) / dn;                   // x + v/n
    const double t2 = ((double(n - v) - nx) - err) / dn;        // 1 - x - v/n
    double log_term = -kInf;
    if (t2 > 0 && t1 > 0) {
      log_term = std::log(c_man) + double(c_exp) * std::log(2.0) + (dv - 1) * std::log(t1) +
                 double(n - v) * std::log(t2);
    }
    if (log_term > -kInf) {
      if (log_term > max_log) {
        scaled_sum = scaled_sum * std::exp(max_log - log_term) + 1.0;
        max_log = log_term;
      } else {
        scaled_sum += std::exp(log_term - max_log);
      }
      // scipy's early stop: the remaining terms cannot change the sum.
      if (v > 0 && v != n_terms - 1) {
        const double log_sum = max_log + std::log(scaled_sum);
        if (std::log(4.0 * double(n_terms - v)) + log_term < log_eps + log_sum) break;
      }
    } else if (v > n / 2) {
      break;
    }
    // C(n, v+1) = C(n, v) * (n - v) / (v + 1)
    int e = 0;
    c_man = std::frexp(c_man * (double(n - v) / (dv + 1.0)), &e);
    c_exp += e;
  }
  if (!(max_log > -kInf)) return 0.0;
  return clip01(std::exp(max_log + std::log(scaled_sum) + std::log(x)));
}

namespace {

constexpr int kE128 = 128;
const double kEP128 = std::ldexp(1.0, 128);
const double kEM128 = std::ldexp(1.0, -128);

// log(n! / n^n) by Stirling's series (scipy's _log_nfactorial_div_n_pow_n).
double log_nfactorial_div_n_pow_n(double n) {
  static const double kStirling[] = {-2.955065359477124183e-2, 6.4102564102564102564e-3,
                                     -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                                     -5.952380952380952381e-4,  7.9365079365079365079e-4,
                                     -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  const double rn = 1.0 / n;
  const double z = rn / n;
  double poly = 0.0;
  for (double c : kStirling) poly = poly * z + c;
  return std::log(n) / 2 - n + std::log(2 * kPi) / 2 + rn * poly;
}

// Pr(D_n <= d) by the Durbin matrix algorithm as Marsaglia, Tsang & Wang compute it (scipy's
// _kolmogn_DMTW): the k-th diagonal entry of (n!/n^n) H^n, with exponent bookkeeping.
double kolmogn_dmtw_cdf(int n, double d) {
  if (d >= 1.0) return 1.0;
  const double nd = n * d;
  if (nd <= 0.5) return 0.0;
  const int k = int(std::ceil(nd));
  const double h = k - nd;
  const int m = 2 * k - 1;
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(m, m);
  std::vector<double> v(m), w(m);
  double fac = 1.0;
  for (int j = 1; j <= m; ++j) {
    v[j - 1] = 1.0 - std::pow(h, j);
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] *= fac;
  }
  const double tt = std::pow(std::max(2 * h - 1.0, 0.0), m) - 2 * std::pow(h, m);
  v[m - 1] = (1.0 + tt) * fac;
  for (int i = 1; i < m; ++i) {
    for (int r = i - 1; r < m; ++r) H(r, i) = w[r - i + 1];
  }
  for (int r = 0; r < m; ++r) H(r, 0) = v[r];
  for (int c = 0; c < m; ++c) H(m - 1, c) = v[m - 1 - c];

  Eigen::MatrixXd hpwr = Eigen::MatrixXd::Identity(m, m);
  int nn = n;
  int64_t expnt = 0, hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      hpwr = (hpwr * H).eval();
      expnt += hexpnt;
    }
    H = (H * H).eval();
    hexpnt *= 2;
    if (std::fabs(H(k - 1, k - 1)) > kEP128) {
      H /= kEP128;
      hexpnt += kE128;
    }
    nn /= 2;
  }
  double p = hpwr(k - 1, k - 1);
  for (int i = 1; i <= n; ++i) {
    p = i * p / n;
    if (std::fabs(p) < kEM128) {
      p *= kEP128;
      expnt -= kE128;
    }
  }
  if (expnt != 0) p = std::ldexp(p, int(expnt));
  return clip01(p);
}

void pomeranz_j1j2(int i, int n, int ll, int ceilf, int roundf, int* j1_out, int* j2_out) {
  int j1, j2;
  if (i == 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const int ip1div2 = (i + 1) / 2, ip1mod2 = (i + 1) % 2;
    if (ip1mod2 == 0) {  // i odd
      if (ip1div2 == n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  *j1_out = std::max(j1 + 2, 0);
  *j2_out = std::min(j2, n);
}

// Pr(D_n <= x) by Pomeranz's recursion (scipy's _kolmogn_Pomeranz): rows of Poisson-like
// convolutions, two rows kept, intermediate results scaled by 2^128.
double kolmogn_pomeranz_cdf(int n, double x) {
  const double t = n * x;
  const int ll = int(std::floor(t));
  const double f = t - ll;
  const double g = std::min(f, 1.0 - f);
  const int ceilf = f > 0 ? 1 : 0;
  const int roundf = f > 0.5 ? 1 : 0;
  const int npwrs = 2 * (ll + 1);
  std::vector<double> gpower(npwrs), twogpower(npwrs), onem2gpower(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
  int64_t expnt = 0;
  const double g_over_n = g / n, two_g_over_n = 2 * g / n, one_minus_two_g_over_n = (1 - 2 * g) / n;
  for (int m = 1; m < npwrs; ++m) {
    gpower[m] = gpower[m - 1] * g_over_n / m;
    twogpower[m] = twogpower[m - 1] * two_g_over_n / m;
    onem2gpower[m] = onem2gpower[m - 1] * one_minus_two_g_over_n / m;
  }
  std::vector<double> V0(npwrs, 0.0), V1(npwrs, 0.0), conv;
  V1[0] = 1;
  int V0s = 0, V1s = 0;
  int j1, j2;
  pomeranz_j1j2(0, n, ll, ceilf, roundf, &j1, &j2);
  for (int i = 1; i < 2 * n + 2; ++i) {
    const int k1 = j1;
    std::swap(V0, V1);
    std::swap(V0s, V1s);
    std::fill(V1.begin(), V1.end(), 0.0);
    pomeranz_j1j2(i, n, ll, ceilf, roundf, &j1, &j2);
    const std::vector<double>& pwrs =
        (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
    const int ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]) (slices clipped as numpy does)
      const int a0 = std::max(k1 - V0s, 0);
      const int la = std::max(0, std::min(ln2, npwrs - a0));
      const int lb = std::min(ln2, npwrs);
      const int conv_start = j1 - k1;
      const int conv_len = j2 - j1 + 1;
      for (int c = 0; c < conv_len && c < npwrs; ++c) {
        const int idx = conv_start + c;
        double s = 0.0;
        const int p_lo = std::max(0, idx - lb + 1), p_hi = std::min(la - 1, idx);
        for (int p = p_lo; p <= p_hi; ++p) s += V0[a0 + p] * pwrs[idx - p];
        V1[c] = s;
      }
      const double vmax = *std::max_element(V1.begin(), V1.end());
      if (0 < vmax && vmax < kEM128) {
        for (double& e : V1) e *= kEP128;
        expnt -= kE128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  const int idx = n - V1s;
  double ans = (idx >= 0 && idx < npwrs) ? V1[idx] : 0.0;
  for (int m = 1; m <= n; ++m) {
    if (std::fabs(ans) > kEP128) {
      ans *= kEM128;
      expnt += kE128;
    }
    ans *= m;
  }
  if (expnt != 0) ans = std::ldexp(ans, int(expnt));
  return clip01(ans);
}

// The Pelz–Good approximation to Pr(D_n <= x) (scipy's _kolmogn_PelzGood).
double kolmogn_pelz_good_cdf(int n, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
  const double z = std::sqrt(double(n)) * x;
  const double zsquared = z * z, zthree = z * z * z, zfour = zsquared * zsquared,
               zsix = zthree * zthree;
  const double qlog = -pi2 / 8 / zsquared;
  if (qlog < -708) return 0.0;
  double q = std::exp(qlog);
  const double k1a = -zsquared, k1b = pi2 / 4;
  const double k2a = 6 * zsix + 2 * zfour, k2b = (2 * zfour - 5 * zsquared) * pi2 / 4,
               k2c = pi4 * (1 - 2 * zsquared) / 16;
  const double k3d = pi6 * (5 - 30 * zsquared) / 64;
  const double k3c = pi4 * (-60 * zsquared + 212 * zfour) / 16;
  const double k3b = pi2 * (135 * zfour - 96 * zsix) / 4;
  const double k3a = -30 * zsix - 90 * std::pow(z, 8);
  double K[4] = {0, 0, 0, 0};
  const int maxk = int(std::ceil(16 * z / kPi));
  for (int k = maxk; k > 0; --k) {
    const double m = 2 * k - 1;
    const double msq = m * m, m4 = msq * msq, m6 = m4 * msq;
    const double qpower = std::pow(q, 8 * k);
    const double coeffs[4] = {1.0, k1a + k1b * msq, k2a + k2b * msq + k2c * m4,
                              k3a + k3b * msq + k3c * m4 + k3d * m6};
    for (int i = 0; i < 4; ++i) K[i] = K[i] * qpower + coeffs[i];
  }
  const double sqrt2pi = std::sqrt(2 * kPi);
  const double divisors[4] = {z, 6 * zfour, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
  for (int i = 0; i < 4; ++i) K[i] = K[i] * q * sqrt2pi / divisors[i];
  q = std::exp(-pi2 / 2 / zsquared);
  const double sqrt3z = std::sqrt(3.0) * z;
  double k2extra = 0, k3extra = 0;
  for (int k = maxk; k > 0; --k) {
    const double ksq = double(k) * k;
    const double qp = std::pow(q, ksq);
    const double kspi = kPi * k;
    k2extra += ksq * qp;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp;
  }
  K[2] += k2extra * (pi2 * sqrt2pi / (-36 * zthree));
  K[3] += k3extra * (pi2 * sqrt2pi / (216 * zsix));
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += K[i] / std::pow(double(n), i / 2.0);
  return sum;
}

// The two-sided one-sample Kolmogorov sf P(D_n >= x) (scipy's _kolmogn(n, x, cdf=False)), with
// Simard & L'Ecuyer's choice of method.
double kolmogn_sf(int n, double x) {
  if (x >= 1.0) return 0.0;
  if (x <= 0.0) return 1.0;
  const double dn = n;
  const double t = dn * x;
  if (t <= 1.0) {  // Ruben–Gambino: 1/(2n) <= x <= 1/n
    if (t <= 0.5) return 1.0;
    double prob;
    if (n <= 140) {
      prob = 1.0;
      for (int i = 1; i <= n; ++i) prob *= i * (1.0 / dn) * (2 * t - 1);
    } else {
      prob = std::exp(log_nfactorial_div_n_pow_n(dn) + dn * std::log(2 * t - 1));
    }
    return clip01(1.0 - prob);
  }
  if (t >= dn - 1) return clip01(2 * std::pow(1.0 - x, dn));  // Ruben–Gambino
  if (x >= 0.5) return clip01(2 * smirnov_sf(n, x));      // exact: 2 * smirnov
  const double nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return clip01(1.0 - kolmogn_dmtw_cdf(n, x));
    if (nxsquared <= 4) return clip01(1.0 - kolmogn_pomeranz_cdf(n, x));
    return clip01(2 * smirnov_sf(n, x));
  }
  if (nxsquared >= 370.0) return 0.0;
  if (nxsquared >= 2.2) return clip01(2 * smirnov_sf(n, x));
  double cdf;
  if (nxsquared >= 18.0) {
    cdf = 1.0;
  } else if (n <= 100000 && dn * std::pow(x, 1.5) <= 1.4) {
    cdf = kolmogn_dmtw_cdf(n, x);
  } else {
    cdf = kolmogn_pelz_good_cdf(n, x);
  }
  return clip01(1.0 - cdf);
}

}  // namespace

double kstwo_sf(double d, double n) {
  if (std::isnan(d) || std::isnan(n)) return kNaN;
  if (!(n >= 1) || n != std::floor(n) || n > double(std::numeric_limits<int>::max())) return kNaN;
  // rv_continuous.sf over kstwo's support (0.5/n, 1): 1 below it, 0 above.
  if (d <= 0.5 / n) return 1.0;
  if (d >= 1.0) return 0.0;
  return kolmogn_sf(int(n), d);
}

// [SECTION] Two-sample KS --------------------------------------------------------------------

const char* alternative_name(Alternative alternative) {
  switch (alternative) {
    case Alternative::kTwoSided: return "two-sided";
    case Alternative::kLess: return "less";
    case Alternative::kGreater: return "greater";
  }
  return "two-sided";
}

Result<Alternative> parse_alternative(const std::string& name) {
  if (name == "two-sided") return Alternative::kTwoSided;
  if (name == "less") return Alternative::kLess;
  if (name == "greater") return Alternative::kGreater;
  return Status::invalid("unknown alternative '" + name + "' (expected two-sided, less or greater)");
}

const char* ks_method_name(KsMethod method) {
  switch (method) {
    case KsMethod::kAuto: return "auto";
    case KsMethod::kExact: return "exact";
    case KsMethod::kAsymp: return "asymp";
  }
  return "auto";
}

Result<KsMethod> parse_ks_method(const std::string& name) {
  if (name == "auto") return KsMethod::kAuto;
  if (name == "exact") return KsMethod::kExact;
  if (name == "asymp") return KsMethod::kAsymp;
  return Status::invalid("unknown ks method '" + name + "' (expected auto, exact or asymp)");
}

namespace {

// cephes beta(a, b) for a, b > 0 (Gamma ratio for small arguments, lgamma beyond MAXGAM).
double cephes_beta(double a, double b) {
  constexpr double kMaxGam = 171.624376956302725;
  constexpr double kMaxLog = 7.09782712893383996843E2;
  if (std::fabs(a) < std::fabs(b)) std::swap(a, b);
  double y = a + b;
  if (std::fabs(y) > kMaxGam || std::fabs(a) > kMaxGam || std::fabs(b) > kMaxGam) {
    y = std::lgamma(y);
    y = std::lgamma(b) - y;
    y = std::lgamma(a) + y;
    if (y > kMaxLog) return kInf;
    return std::exp(y);
  }
  y = std::tgamma(y);
  a = std::tgamma(a);
  b = std::tgamma(b);
  if (y == 0.0) return kInf;
  if (std::fabs(std::fabs(a) - std::fabs(y)) > std::fabs(std::fabs(b) - std::fabs(y))) {
    y = b / y;
    y *= a;
  } else {
    y = a / y;
    y *= b;
  }
  return y;
}

// scipy.special.binom(n, k) for integers 0 <= k <= n (the product for k < 20 after symmetry,
// else 1 / (n + 1) / beta(1 + n - k, 1 + k)); may return inf as scipy's does.
double scipy_binom(double n, double k) {
  double kx = std::floor(k);
  const double nx = std::floor(n);
  if (nx == n && kx > nx / 2 && nx > 0) kx = nx - kx;
  if (kx >= 0 && kx < 20) {
    double num = 1.0, den = 1.0;
    for (int i = 1; i < 1 + int(kx); ++i) {
      num *= i + n - kx;
      den *= i;
      if (std::fabs(num) > 1e50) {
        num /= den;
        den = 1.0;
      }
    }
    return num / den;
  }
  if (n >= 1e10 * k && k > 0) {
    return std::exp(-(std::lgamma(1 + n - k) + std::lgamma(1 + k) - std::lgamma(2 + n)) -
                    std::log(n + 1));
  }
  return 1 / (n + 1) / cephes_beta(1 + n - k, 1 + k);
}

// Pr(D_{n,n} >= h/n): 2 * (binom(2n, n-h) - binom(2n, n-2h) + ...) / binom(2n, n), each term
// divided through and nested Horner-like (scipy's _compute_prob_outside_square).
double prob_outside_square(int64_t n, int64_t h) {
  double P = 0.0;
  int64_t k = n / h;
  while (k >= 0) {
    double p1 = 1.0;
    for (int64_t j = 0; j < h; ++j) {
      p1 = double(n - k * h - j) * p1 / double(n + k * h + j + 1);
    }
    P = p1 * (1.0 - P);
    --k;
  }
  return 2 * P;
}

// 1 - Pr(all lattice paths stay strictly inside |x/m - y/n| < h/lcm), computed directly as the
// "outside" proportion with Viehmann's recursion (scipy's pythran
// _compute_outer_prob_inside_method). Values stay in [0, 1]: no overflow.
double outer_prob_inside_method(int64_t m, int64_t n, int64_t g, int64_t h) {
  if (m < n) std::swap(m, n);
  const int64_t mg = m / g, ng = n / g;
  int64_t minj = 0;
  int64_t maxj = std::min(int64_t(std::ceil(double(h) / double(mg))), n + 1);
  int64_t curlen = maxj - minj;
  const int64_t len_a = std::min(2 * maxj + 2, n + 1);
  std::vector<double> A(size_t(std::max<int64_t>(len_a, 1)), 1.0);
  auto at = [&](int64_t i) -> double { return (i >= 0 && i < int64_t(A.size())) ? A[size_t(i)] : 1.0; };
  for (int64_t i = minj; i < maxj && i < int64_t(A.size()); ++i) A[size_t(i)] = 0.0;
  for (int64_t i = 1; i <= m; ++i) {
    const int64_t lastminj = minj, lastlen = curlen;
    minj = std::max(int64_t(std::floor(double(ng * i - h) / double(mg))) + 1, int64_t(0));
    minj = std::min(minj, n);
    maxj = std::min(int64_t(std::ceil(double(ng * i + h) / double(mg))), n + 1);
    if (maxj <= minj) return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    for (int64_t jj = 0; jj < maxj - minj; ++jj) {
      const int64_t j = jj + minj;
      val = (at(jj + minj - lastminj) * double(i) + val * double(j)) / double(i + j);
      if (jj < int64_t(A.size())) A[size_t(jj)] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      for (int64_t q = maxj - minj; q < maxj - minj + (lastlen - curlen) && q < int64_t(A.size()); ++q) {
        A[size_t(q)] = 1.0;
      }
    }
  }
  return at(maxj - minj - 1);
}

// The number of lattice paths from (0,0) to (m,n) that reach m*y <= n*x - h*g (Hodges; scipy's
// _count_paths_outside_method), in doubles through scipy's binom. nullopt when an intermediate
// value overflows (scipy raises FloatingPointError there and falls back to 'asymp').
std::optional<double> count_paths_outside(int64_t m, int64_t n, int64_t g, int64_t h) {
  if (m < n) std::swap(m, n);
  const int64_t mg = m / g, ng = n / g;
  // Python floor division: (mg - h) // mg
  const int64_t num = mg - h;
  int64_t fdiv = num / mg;
  if ((num % mg != 0) && ((num < 0) != (mg < 0))) --fdiv;
  const int64_t lxj = n + fdiv;
  if (lxj <= 0) {
    double b = scipy_binom(double(m + n), double(n));
    if (!std::isfinite(b)) return std::nullopt;
    return b;
  }
  std::vector<int64_t> xj(static_cast<size_t>(lxj));
  for (int64_t j = 0; j < lxj; ++j) xj[size_t(j)] = (h + mg * j + ng - 1) / ng;
  std::vector<double> B(static_cast<size_t>(lxj), 0.0);
  B[0] = 1;
  for (int64_t j = 1; j < lxj; ++j) {
    double bj = scipy_binom(double(xj[size_t(j)] + j), double(j));
    if (!std::isfinite(bj)) return std::nullopt;
    for (int64_t i = 0; i < j; ++i) {
      const double bin = scipy_binom(double(xj[size_t(j)] - xj[size_t(i)] + j - i), double(j - i));
      const double prod = bin * B[size_t(i)];
      bj -= prod;
      if (!std::isfinite(prod) || !std::isfinite(bj)) return std::nullopt;
    }
    B[size_t(j)] = bj;
  }
  double num_paths = 0;
  for (int64_t j = 0; j < lxj; ++j) {
    const double bin = scipy_binom(double((m - xj[size_t(j)]) + (n - j)), double(n - j));
    const double term = B[size_t(j)] * bin;
    num_paths += term;
    if (!std::isfinite(bin) || !std::isfinite(term) || !std::isfinite(num_paths)) return std::nullopt;
  }
  return num_paths;
}

// scipy's _attempt_exact_2kssamp: snaps d to h / lcm and returns the exact p-value, or nullopt
// when the computation fails (then the caller uses the asymptotic p with the snapped d).
std::optional<double> attempt_exact(int64_t n1, int64_t n2, int64_t g, double* d, Alternative alternative) {
  const int64_t lcm = (n1 / g) * n2;
  const int64_t h = int64_t(round_half_even(*d * double(lcm)));
  *d = double(h) * 1.0 / double(lcm);
  if (h == 0) return 1.0;
  double prob = kNaN;
  if (alternative == Alternative::kTwoSided) {
    prob = n1 == n2 ? prob_outside_square(n1, h) : outer_prob_inside_method(n1, n2, g, h);
  } else if (n1 == n2) {
    // binom(2n, n-h) / binom(2n, n) as the product of (n - j) / (n + j + 1), j < h
    prob = 1.0;
    for (int64_t j = 0; j < h; ++j) prob *= double(n1 - j) / (double(n1 + j) + 1.0);
  } else {
    const auto num_paths = count_paths_outside(n1, n2, g, h);
    if (!num_paths) return std::nullopt;
    const double bin = scipy_binom(double(n1 + n2), double(n1));
    if (*num_paths > bin || std::isinf(bin)) return std::nullopt;
    prob = *num_paths / bin;
  }
  if (!(0 <= prob && prob <= 1)) return std::nullopt;
  return prob;
}

}  // namespace

KsResult ks_2samp_sorted(const std::vector<double>& x, const std::vector<double>& y,
                         Alternative alternative, KsMethod method) {
  const size_t n1 = x.size(), n2 = y.size();
  // ECDF differences at every pooled value, in the order of np.concatenate([x, y]) so that the
  // first maximum / minimum (np.argmax / argmin) picks the same location.
  double max_diff = -kInf, min_diff = kInf, loc_max = 0, loc_min = 0;
  auto scan = [&](const std::vector<double>& values) {
    size_t i1 = 0, i2 = 0;
    for (size_t k = 0; k < values.size(); ++k) {
      const double v = values[k];
      while (i1 < n1 && x[i1] <= v) ++i1;
      while (i2 < n2 && y[i2] <= v) ++i2;
      const double diff = double(i1) / double(n1) - double(i2) / double(n2);
      if (diff > max_diff) { max_diff = diff; loc_max = v; }
      if (diff < min_diff) { min_diff = diff; loc_min = v; }
    }
  };
  scan(x);
  scan(y);
  const double min_s = std::clamp(-min_diff, 0.0, 1.0);
  const double max_s = max_diff;
  KsResult r;
  double d;
  if (alternative == Alternative::kLess || (alternative == Alternative::kTwoSided && min_s > max_s)) {
    d = min_s;
    r.statistic_location = loc_min;
    r.statistic_sign = -1;
  } else {
    d = max_s;
    r.statistic_location = loc_max;
    r.statistic_sign = 1;
  }
  const int64_t g = std::gcd(int64_t(n1), int64_t(n2));
  const int64_t n1g = int64_t(n1) / g, n2g = int64_t(n2) / g;
  KsMethod mode = method;
  if (mode == KsMethod::kAuto) {
    mode = std::max(n1, n2) <= 10000 ? KsMethod::kExact : KsMethod::kAsymp;
  } else if (mode == KsMethod::kExact) {
    if (double(n1g) >= double(std::numeric_limits<int32_t>::max()) / double(n2g)) mode = KsMethod::kAsymp;
  }
  double prob = -kInf;
  if (mode == KsMethod::kExact) {
    const auto exact = attempt_exact(int64_t(n1), int64_t(n2), g, &d, alternative);
    if (exact) {
      prob = *exact;
    } else {
      mode = KsMethod::kAsymp;
    }
  }
  if (mode == KsMethod::kAsymp) {
    const double m = double(std::max(n1, n2)), n = double(std::min(n1, n2));
    const double en = m * n / (m + n);
    if (alternative == Alternative::kTwoSided) {
      prob = kstwo_sf(d, round_half_even(en));
    } else {
      // Hodges' approximation, eqn 5.3 (m the larger sample)
      const double z = std::sqrt(en) * d;
      const double expt = -2 * z * z - 2 * z * (m + 2 * n) / std::sqrt(m * n * (m + n)) / 3.0;
      prob = std::exp(expt);
    }
  }
  r.statistic = d;
  r.pvalue = clip01(prob);
  r.method_used = mode;
  return r;
}

Result<KsResult> ks_2samp(const std::vector<double>& x, const std::vector<double>& y,
                          Alternative alternative, KsMethod method) {
  if (x.empty()) return Status::invalid("ks_2samp: the first sample is empty");
  if (y.empty()) return Status::invalid("ks_2samp: the second sample is empty");
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) return Status::invalid("ks_2samp: the first sample has NaN at index " + std::to_string(i));
  }
  for (size_t i = 0; i < y.size(); ++i) {
    if (std::isnan(y[i])) return Status::invalid("ks_2samp: the second sample has NaN at index " + std::to_string(i));
  }
  std::vector<double> xs = x, ys = y;
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  return ks_2samp_sorted(xs, ys, alternative, method);
}

// [SECTION] Chi-square -----------------------------------------------------------------------

namespace {
// Boost.Math without exceptions (errors set errno and return NaN / inf) and without promoting
// double to long double, so native and wasm compute the same thing.
using NoThrowPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
    boost::math::policies::pole_error<boost::math::policies::errno_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::denorm_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>,
    boost::math::policies::rounding_error<boost::math::policies::errno_on_error>,
    boost::math::policies::indeterminate_result_error<boost::math::policies::errno_on_error>,
    boost::math::policies::promote_float<false>, boost::math::policies::promote_double<false>>;

std::string cell_name(size_t i, size_t j) {
  return "(" + std::to_string(i) + ", " + std::to_string(j) + ")";
}
}  // namespace

double chi2_sf(double x, double df) {
  if (std::isnan(x) || std::isnan(df) || !(df > 0)) return kNaN;
  if (x <= 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::gamma_q(df / 2, x / 2, NoThrowPolicy());
}

Result<Chi2ContingencyResult> chi2_contingency(const std::vector<std::vector<double>>& table, bool correction) {
  const size_t rows = table.size();
  if (rows == 0 || table[0].empty()) return Status::invalid("chi2_contingency: the table is empty");
  const size_t cols = table[0].size();
  for (size_t i = 0; i < rows; ++i) {
    if (table[i].size() != cols) {
      return Status::invalid("chi2_contingency: row " + std::to_string(i) + " has " +
                             std::to_string(table[i].size()) + " cells, row 0 has " + std::to_string(cols));
    }
    for (size_t j = 0; j < cols; ++j) {
      if (!(table[i][j] >= 0) || std::isinf(table[i][j])) {
        return Status::invalid("chi2_contingency: cell " + cell_name(i, j) + " is not a non-negative count");
      }
    }
  }
  std::vector<double> row_sum(rows, 0.0), col_sum(cols, 0.0);
  std::vector<double> buf;
  for (size_t i = 0; i < rows; ++i) row_sum[i] = numpy_sum(table[i].data(), cols);
  for (size_t j = 0; j < cols; ++j) {
    buf.clear();
    for (size_t i = 0; i < rows; ++i) buf.push_back(table[i][j]);
    col_sum[j] = numpy_sum(buf.data(), rows);
  }
  buf.clear();
  for (const auto& r : table) buf.insert(buf.end(), r.begin(), r.end());
  const double total = numpy_sum(buf.data(), buf.size());
  Chi2ContingencyResult out;
  out.expected.assign(rows, std::vector<double>(cols));
  for (size_t i = 0; i < rows; ++i) {
    for (size_t j = 0; j < cols; ++j) {
      out.expected[i][j] = row_sum[i] * col_sum[j] / total;
      if (out.expected[i][j] == 0 || std::isnan(out.expected[i][j])) {
        return Status::invalid("chi2_contingency: the expected frequency of cell " + cell_name(i, j) +
                               " is zero (an all-zero row or column)");
      }
    }
  }
  out.dof = int(rows * cols - rows - cols + 1);
  if (out.dof == 0) {
    out.statistic = 0.0;
    out.pvalue = 1.0;
    return out;
  }
  std::vector<double> terms;
  terms.reserve(rows * cols);
  for (size_t i = 0; i < rows; ++i) {
    for (size_t j = 0; j < cols; ++j) {
      double o = table[i][j];
      const double e = out.expected[i][j];
      if (out.dof == 1 && correction) {
        const double diff = e - o;
        const double direction = diff > 0 ? 1.0 : (diff < 0 ? -1.0 : 0.0);
        o = o + std::min(0.5, std::fabs(diff)) * direction;
      }
      terms.push_back((o - e) * (o - e) / e);
    }
  }
  out.statistic = numpy_sum(terms.data(), terms.size());
  out.pvalue = chi2_sf(out.statistic, out.dof);
  return out;
}

Result<ChisquareResult> chisquare(const std::vector<double>& f_obs, const std::optional<std::vector<double>>& f_exp) {
  const size_t k = f_obs.size();
  if (k == 0) return Status::invalid("chisquare: f_obs is empty");
  for (size_t i = 0; i < k; ++i) {
    if (std::isnan(f_obs[i])) return Status::invalid("chisquare: f_obs[" + std::to_string(i) + "] is NaN");
  }
  std::vector<double> expected;
  if (f_exp) {
    if (f_exp->size() != k) {
      return Status::invalid("chisquare: f_exp has " + std::to_string(f_exp->size()) + " entries, f_obs has " +
                             std::to_string(k));
    }
    expected = *f_exp;
    for (size_t i = 0; i < k; ++i) {
      if (std::isnan(expected[i])) return Status::invalid("chisquare: f_exp[" + std::to_string(i) + "] is NaN");
    }
    const double so = numpy_sum(f_obs.data(), k), se = numpy_sum(expected.data(), k);
    const double rel = std::fabs(so - se) / std::min(so, se);
    if (rel > 1e-8) {
      return Status::invalid("chisquare: the sums of f_obs (" + std::to_string(so) + ") and f_exp (" +
                             std::to_string(se) + ") differ by more than 1e-8 relative");
    }
  } else {
    expected.assign(k, numpy_sum(f_obs.data(), k) / double(k));
  }
  std::vector<double> terms(k);
  for (size_t i = 0; i < k; ++i) {
    const double d = f_obs[i] - expected[i];
    terms[i] = d * d / expected[i];
  }
  ChisquareResult r;
  r.statistic = numpy_sum(terms.data(), k);
  r.dof = int(k) - 1;
  r.pvalue = r.dof == 0 ? 1.0 : chi2_sf(r.statistic, r.dof);
  return r;
}

Result<double> cramers_v(const std::vector<std::vector<double>>& table) {
  if (table.size() < 2 || table[0].size() < 2) return 0.0;
  std::vector<std::vector<double>> kept;
  // Drop all-zero columns (categories absent from both samples): they carry no information.
  const size_t cols = table[0].size();
  for (const auto& r : table) {
    if (r.size() != cols) return Status::invalid("cramers_v: the table is ragged");
  }
  std::vector<size_t> keep;
  for (size_t j = 0; j < cols; ++j) {
    double s = 0;
    for (const auto& r : table) s += r[j];
    if (s > 0) keep.push_back(j);
  }
  for (const auto& r : table) {
    double s = 0;
    for (size_t j : keep) s += r[j];
    if (s <= 0) return 0.0;
    std::vector<double> row;
    for (size_t j : keep) row.push_back(r[j]);
    kept.push_back(std::move(row));
  }
  if (keep.size() < 2) return 0.0;
  auto chi = chi2_contingency(kept, false);
  if (!chi) return chi.status();
  double total = 0;
  for (const auto& r : kept) total += numpy_sum(r.data(), r.size());
  const double k = double(std::min(kept.size(), keep.size()) - 1);
  return std::sqrt(chi->statistic / (total * k));
}

// [SECTION] Distances ------------------------------------------------------------------------

double wasserstein_distance_sorted(const std::vector<double>& u, const std::vector<double>& v) {
  const size_t nu = u.size(), nv = v.size();
  std::vector<double> all(nu + nv);
  std::merge(u.begin(), u.end(), v.begin(), v.end(), all.begin());
  if (all.size() < 2) return 0.0;
  std::vector<double> terms(all.size() - 1);
  size_t iu = 0, iv = 0;
  for (size_t k = 0; k + 1 < all.size(); ++k) {
    const double a = all[k];
    while (iu < nu && u[iu] <= a) ++iu;
    while (iv < nv && v[iv] <= a) ++iv;
    const double ucdf = double(iu) / double(nu), vcdf = double(iv) / double(nv);
    terms[k] = std::fabs(ucdf - vcdf) * (all[k + 1] - a);
  }
  return numpy_sum(terms.data(), terms.size());
}

namespace {
Status check_weights(const char* which, const std::vector<double>& values, const std::vector<double>& weights) {
  if (weights.empty()) return Status::ok();
  if (weights.size() != values.size()) {
    return Status::invalid(std::string("wasserstein_distance: ") + which + "_weights has " +
                           std::to_string(weights.size()) + " entries for " + std::to_string(values.size()) +
                           " values");
  }
  double s = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] >= 0)) {
      return Status::invalid(std::string("wasserstein_distance: ") + which + "_weights[" + std::to_string(i) +
                             "] is negative or NaN");
    }
    s += weights[i];
  }
  if (!(s > 0 && std::isfinite(s))) {
    return Status::invalid(std::string("wasserstein_distance: ") + which + "_weights must have a positive, finite sum");
  }
  return Status::ok();
}

// The CDF of a weighted sample at each query point (searchsorted 'right' / total weight).
std::vector<double> weighted_cdf(const std::vector<double>& values, const std::vector<double>& weights,
                                 const std::vector<double>& queries) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> sorted(values.size()), cum(values.size() + 1, 0.0);
  for (size_t i = 0; i < order.size(); ++i) {
    sorted[i] = values[order[i]];
    cum[i + 1] = cum[i] + (weights.empty() ? 1.0 : weights[order[i]]);
  }
  std::vector<double> out(queries.size());
  for (size_t q = 0; q < queries.size(); ++q) {
    const size_t idx = size_t(std::upper_bound(sorted.begin(), sorted.end(), queries[q]) - sorted.begin());
    out[q] = weights.empty() ? double(idx) / double(values.size()) : cum[idx] / cum.back();
  }
  return out;
}
}  // namespace

Result<double> wasserstein_distance(const std::vector<double>& u, const std::vector<double>& v,
                                    const std::vector<double>& u_weights, const std::vector<double>& v_weights) {
  if (u.empty()) return Status::invalid("wasserstein_distance: u is empty");
  if (v.empty()) return Status::invalid("wasserstein_distance: v is empty");
  for (size_t i = 0; i < u.size(); ++i) {
    if (std::isnan(u[i])) return Status::invalid("wasserstein_distance: u[" + std::to_string(i) + "] is NaN");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v[i])) return Status::invalid("wasserstein_distance: v[" + std::to_string(i) + "] is NaN");
  }
  MLLAB_RETURN_IF_ERROR(check_weights("u", u, u_weights));
  MLLAB_RETURN_IF_ERROR(check_weights("v", v, v_weights));
  if (u_weights.empty() && v_weights.empty()) {
    std::vector<double> us = u, vs = v;
    std::sort(us.begin(), us.end());
    std::sort(vs.begin(), vs.end());
    return wasserstein_distance_sorted(us, vs);
  }
  std::vector<double> all = u;
  all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  std::vector<double> queries(all.begin(), all.end() - 1);
  const std::vector<double> ucdf = weighted_cdf(u, u_weights, queries);
  const std::vector<double> vcdf = weighted_cdf(v, v_weights, queries);
  std::vector<double> terms(queries.size());
  for (size_t k = 0; k < queries.size(); ++k) terms[k] = std::fabs(ucdf[k] - vcdf[k]) * (all[k + 1] - all[k]);
  return numpy_sum(terms.data(), terms.size());
}

namespace {
Status check_distribution(const char* fn, const char* which, const std::vector<double>& p) {
  double s = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= 0) || std::isinf(p[i])) {
      return Status::invalid(std::string(fn) + ": " + which + "[" + std::to_string(i) + "] is not a finite non-negative number");
    }
    s += p[i];
  }
  if (!(s > 0)) return Status::invalid(std::string(fn) + ": " + which + " sums to zero");
  return Status::ok();
}

// scipy.special.rel_entr(x, y)
double rel_entr(double x, double y) {
  if (x > 0 && y > 0) return x * std::log(x / y);
  if (x == 0 && y >= 0) return 0.0;
  return kInf;
}

std::vector<double> normalised(const std::vector<double>& p) {
  const double s = numpy_sum(p.data(), p.size());
  std::vector<double> out(p.size());
  for (size_t i = 0; i < p.size(); ++i) out[i] = p[i] / s;
  return out;
}
}  // namespace

Result<double> jensenshannon(const std::vector<double>& p, const std::vector<double>& q, std::optional<double> base) {
  if (p.size() != q.size()) {
    return Status::invalid("jensenshannon: p has " + std::to_string(p.size()) + " entries, q has " + std::to_string(q.size()));
  }
  if (p.empty()) return Status::invalid("jensenshannon: p and q are empty");
  MLLAB_RETURN_IF_ERROR(check_distribution("jensenshannon", "p", p));
  MLLAB_RETURN_IF_ERROR(check_distribution("jensenshannon", "q", q));
  if (base && !(*base > 0 && *base != 1)) return Status::invalid("jensenshannon: base must be positive and not 1");
  const std::vector<double> pn = normalised(p), qn = normalised(q);
  std::vector<double> left(p.size()), right(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const double m = (pn[i] + qn[i]) / 2.0;
    left[i] = rel_entr(pn[i], m);
    right[i] = rel_entr(qn[i], m);
  }
  double js = numpy_sum(left.data(), left.size()) + numpy_sum(right.data(), right.size());
  if (base) js /= std::log(*base);
  return std::sqrt(js / 2.0);
}

Result<double> kl_divergence(const std::vector<double>& p, const std::vector<double>& q) {
  if (p.size() != q.size()) {
    return Status::invalid("kl_divergence: p has " + std::to_string(p.size()) + " entries, q has " + std::to_string(q.size()));
  }
  if (p.empty()) return Status::invalid("kl_divergence: p and q are empty");
  MLLAB_RETURN_IF_ERROR(check_distribution("kl_divergence", "p", p));
  MLLAB_RETURN_IF_ERROR(check_distribution("kl_divergence", "q", q));
  const std::vector<double> pn = normalised(p), qn = normalised(q);
  std::vector<double> terms(p.size());
  for (size_t i = 0; i < p.size(); ++i) terms[i] = rel_entr(pn[i], qn[i]);
  return numpy_sum(terms.data(), terms.size());
}

Result<double> psi(const std::vector<double>& expected_fractions, const std::vector<double>& actual_fractions, double eps) {
  if (expected_fractions.size() != actual_fractions.size()) {
    return Status::invalid("psi: expected has " + std::to_string(expected_fractions.size()) + " bins, actual has " +
                           std::to_string(actual_fractions.size()));
  }
  if (expected_fractions.empty()) return Status::invalid("psi: no bins");
  if (!(eps >= 0)) return Status::invalid("psi: eps must be >= 0");
  std::vector<double> terms(expected_fractions.size());
  for (size_t i = 0; i < expected_fractions.size(); ++i) {
    const double e0 = expected_fractions[i], a0 = actual_fractions[i];
    if (!(e0 >= 0) || std::isinf(e0)) return Status::invalid("psi: expected[" + std::to_string(i) + "] is not a fraction");
    if (!(a0 >= 0) || std::isinf(a0)) return Status::invalid("psi: actual[" + std::to_string(i) + "] is not a fraction");
    const double e = std::max(e0, eps), a = std::max(a0, eps);
    if (e == 0 || a == 0) {
      return Status::invalid("psi: bin " + std::to_string(i) + " has a zero fraction and eps is 0");
    }
    terms[i] = (a - e) * std::log(a / e);
  }
  return numpy_sum(terms.data(), terms.size());
}

// [SECTION] Proportions ----------------------------------------------------------------------

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double cohens_h(double p1, double p2) {
  return std::fabs(2 * std::asin(std::sqrt(p1)) - 2 * std::asin(std::sqrt(p2)));
}

Result<ZTestResult> z_test_proportions(size_t successes1, size_t n1, size_t successes2, size_t n2) {
  if (n1 == 0) return Status::invalid("z_test_proportions: the first sample is empty");
  if (n2 == 0) return Status::invalid("z_test_proportions: the second sample is empty");
  if (successes1 > n1) return Status::invalid("z_test_proportions: successes1 exceeds n1");
  if (successes2 > n2) return Status::invalid("z_test_proportions: successes2 exceeds n2");
  ZTestResult r;
  const bool same_single = (successes1 == 0 && successes2 == 0) || (successes1 == n1 && successes2 == n2);
  if (same_single) {
    r.statistic = 0;
    r.pvalue = 1;
    return r;
  }
  const double dn1 = double(n1), dn2 = double(n2);
  const double p1 = double(successes1) / dn1;
  const double p2 = double(successes2) / dn2;
  const double P = (p1 * dn1 + p2 * dn2) / (dn1 + dn2);
  r.statistic = (p1 - p2) / std::sqrt(P * (1 - P) * (1.0 / dn1 + 1.0 / dn2));
  r.pvalue = 2 * (1 - normal_cdf(std::fabs(r.statistic)));
  return r;
}

// [SECTION] Histograms -----------------------------------------------------------------------

Result<std::vector<double>> histogram_bin_edges_sturges(size_t n, double lo, double hi) {
  if (n == 0) return Status::invalid("histogram_bin_edges_sturges: no values");
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    return Status::invalid("histogram_bin_edges_sturges: the range [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "] is not finite");
  }
  if (lo > hi) return Status::invalid("histogram_bin_edges_sturges: lo > hi");
  double first = lo, last = hi;
  if (first == last) {
    first = first - 0.5;
    last = last + 0.5;
  }
  const double sturges = std::log2(double(n)) + 1.0;
  double ratio = 0;
  if (std::isfinite(hi - lo)) {
    const double width = (hi - lo) / sturges;  // numpy's arithmetic, for numpy's edges
    if (width != 0) ratio = (last - first) / width;
  } else {
    // The range overflows double (lo -1e308, hi 1e308): the same ratio over half the range.
    const double half_width = (hi / 2 - lo / 2) / sturges;
    ratio = (last / 2 - first / 2) / half_width;
  }
  if (!std::isfinite(ratio) || ratio < 0 || ratio > 1e6) {
    return Status::invalid("histogram_bin_edges_sturges: cannot bin the range [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "]");
  }
  const size_t bins = ratio == 0 ? 1 : std::max<size_t>(1, size_t(std::ceil(ratio)));
  return linspace(first, last, bins + 1);
}

Result<std::vector<double>> histogram_bin_edges_sturges(const std::vector<double>& values) {
  if (values.empty()) return Status::invalid("histogram_bin_edges_sturges: no values");
  double lo = values[0], hi = values[0];
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return Status::invalid("histogram_bin_edges_sturges: value " + std::to_string(i) + " is not finite");
    }
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  return histogram_bin_edges_sturges(values.size(), lo, hi);
}

std::vector<size_t> histogram_counts(const std::vector<double>& values, const std::vector<double>& edges) {
  if (edges.size() < 2) return {};
  const size_t bins = edges.size() - 1;
  std::vector<size_t> counts(bins, 0);
  for (double v : values) {
    if (std::isnan(v) || v < edges.front() || v > edges.back()) continue;
    size_t idx = size_t(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
    if (idx == 0) continue;
    idx -= 1;
    if (idx >= bins) idx = bins - 1;
    counts[idx] += 1;
  }
  return counts;
}

std::vector<size_t> histogram_counts_sorted(const std::vector<double>& sorted_values, const std::vector<double>& edges) {
  if (edges.size() < 2) return {};
  const size_t bins = edges.size() - 1;
  // numpy: cumulative counts searchsorted 'left' at every edge but the last, 'right' there.
  std::vector<size_t> cum(edges.size());
  for (size_t i = 0; i < bins; ++i) {
    cum[i] = size_t(std::lower_bound(sorted_values.begin(), sorted_values.end(), edges[i]) - sorted_values.begin());
  }
  cum[bins] = size_t(std::upper_bound(sorted_values.begin(), sorted_values.end(), edges[bins]) - sorted_values.begin());
  std::vector<size_t> counts(bins);
  for (size_t i = 0; i < bins; ++i) counts[i] = cum[i + 1] - cum[i];
  return counts;
}

}  // namespace mllab::monitoring

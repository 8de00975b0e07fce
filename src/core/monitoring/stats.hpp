// Statistics for data drift, numerically matching scipy 1.10 / numpy 1.24 (typically to 1e-14
// relative; at worst ~5e-11 for smirnov / kstwo near n = 1e6, where scipy sums in double-double
// and this code in logarithms; the tests hold them to 1e-9 against
// tests/data/reference_values.json):
//   ks_2samp, kstwo_sf (scipy.stats.kstwo.sf), kolmogorov_sf (scipy.special.kolmogorov),
//   smirnov_sf (scipy.special.smirnov), chi2_sf, chi2_contingency, chisquare,
//   wasserstein_distance, jensenshannon, kl_divergence (scipy.stats.entropy(p, q)), psi,
//   z_test_proportions (Evidently's pooled two-proportion z-test), Cramér's V, Cohen's h,
//   numpy's "sturges" histogram edges and histogram counts.
// Pure functions; bad input (empty samples, negative counts, NaN) comes back as an error naming
// the argument. No exceptions escape.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/util/status.hpp"

namespace mllab::monitoring {

// [SECTION] Kolmogorov–Smirnov

// The alternative hypothesis of a two-sample KS test, as scipy names it. `kLess`: the CDF of x
// lies below the CDF of y somewhere; `kGreater`: above.
enum class Alternative { kTwoSided, kLess, kGreater };
// How ks_2samp computes its p-value. `kAuto` is exact when max(n1, n2) <= 10000, else asymptotic.
enum class KsMethod { kAuto, kExact, kAsymp };

// "two-sided" | "less" | "greater".
const char* alternative_name(Alternative alternative);
// Parses an alternative name; an error names the value.
Result<Alternative> parse_alternative(const std::string& name);
// "auto" | "exact" | "asymp".
const char* ks_method_name(KsMethod method);
// Parses a method name; an error names the value.
Result<KsMethod> parse_ks_method(const std::string& name);

// The outcome of ks_2samp, like scipy's KstestResult.
struct KsResult {
  double statistic = 0;           // D (for the exact method snapped to h / lcm(n1, n2), as scipy)
  double pvalue = 1;              // clipped to [0, 1]
  KsMethod method_used = KsMethod::kExact;  // kExact or kAsymp (exact falls back when it fails)
  double statistic_location = 0;  // the pooled value where the ECDF difference is D
  int statistic_sign = 1;         // +1 when ECDF(x) > ECDF(y) there, else -1
};

// scipy.stats.ks_2samp(x, y, alternative, method): D = max ECDF difference over the pooled
// values; p exact (Hodges' lattice paths; n1 == n2 two-sided by the reflection series) or
// asymptotic (two-sided: kstwo_sf(D, round(n1*n2/(n1+n2))); one-sided: Hodges' eqn 5.3). Errors
// on an empty sample or a NaN value.
Result<KsResult> ks_2samp(const std::vector<double>& x, const std::vector<double>& y,
                          Alternative alternative = Alternative::kTwoSided,
                          KsMethod method = KsMethod::kAuto);
// ks_2samp on samples already sorted ascending (no copy; the caller guarantees the order and
// that neither is empty nor holds NaN).
KsResult ks_2samp_sorted(const std::vector<double>& x, const std::vector<double>& y,
                         Alternative alternative = Alternative::kTwoSided,
                         KsMethod method = KsMethod::kAuto);

// scipy.stats.kstwo.sf(d, n): P(D_n >= d) for the exact two-sided one-sample Kolmogorov
// statistic, by scipy's Simard–L'Ecuyer switch (Ruben–Gambino, Durbin matrix, Pomeranz,
// Pelz–Good, 2 * smirnov). NaN when n is not a positive integer.
double kstwo_sf(double d, double n);
// scipy.special.kolmogorov(x) = scipy.stats.kstwobign.sf(x): the limiting distribution of
// sqrt(n) * D_n.
double kolmogorov_sf(double x);
// scipy.special.smirnov(n, x): P(D+_n >= x), the exact one-sided statistic (Birnbaum–Tingey
// sum). NaN when n < 1 or x is outside [0, 1].
double smirnov_sf(int n, double x);

// [SECTION] Chi-square

// scipy.stats.chi2.sf(x, df) = Q(df/2, x/2) (Boost.Math's regularized upper incomplete gamma).
// 1 for x <= 0; NaN when df <= 0 or an argument is NaN.
double chi2_sf(double x, double df);

// The outcome of chi2_contingency.
struct Chi2ContingencyResult {
  double statistic = 0;
  double pvalue = 1;
  int dof = 0;
  std::vector<std::vector<double>> expected;  // row_sum * col_sum / total
};
// scipy.stats.chi2_contingency(table, correction): Pearson's chi-square of independence, Yates'
// correction (each |O - E| reduced by min(0.5, |O - E|)) only when dof == 1. Errors on a ragged
// or empty table, a negative count, or an expected frequency of zero (naming its cell).
Result<Chi2ContingencyResult> chi2_contingency(const std::vector<std::vector<double>>& table,
                                               bool correction = true);

// The outcome of chisquare.
struct ChisquareResult {
  double statistic = 0;
  double pvalue = 1;
  int dof = 0;  // k - 1
};
// scipy.stats.chisquare(f_obs, f_exp): sum (O - E)^2 / E, p = chi2_sf(stat, k - 1); f_exp
// defaults to the mean of f_obs. As scipy, the sums of f_obs and f_exp must agree to 1e-8
// relative. An expected zero with a non-zero observation gives statistic inf and p 0. With one
// category (dof 0) p is 1 (scipy gives NaN).
Result<ChisquareResult> chisquare(const std::vector<double>& f_obs,
                                  const std::optional<std::vector<double>>& f_exp = std::nullopt);

// Cramér's V of a contingency table: sqrt(chi2 / (N * (min(rows, cols) - 1))) with the
// uncorrected Pearson chi2; 0 when the table has a single row or column, or a zero margin.
Result<double> cramers_v(const std::vector<std::vector<double>>& table);

// [SECTION] Distances

// scipy.stats.wasserstein_distance(u, v, u_weights, v_weights): the integral of |U(t) - V(t)|
// over the pooled values (the CDF-difference algorithm). Empty weights = equal weights. Errors on
// an empty sample, a NaN value, weights of the wrong length, negative weights or a zero sum.
Result<double> wasserstein_distance(const std::vector<double>& u, const std::vector<double>& v,
                                    const std::vector<double>& u_weights = {},
                                    const std::vector<double>& v_weights = {});
// The unweighted distance for samples already sorted ascending (no copy).
double wasserstein_distance_sorted(const std::vector<double>& u, const std::vector<double>& v);

// scipy.spatial.distance.jensenshannon(p, q, base): p and q normalised to sum 1, then
// sqrt((KL(p||m) + KL(q||m)) / 2) with m = (p + q) / 2; natural log unless `base` is given.
// The distance, not the divergence. Errors on different lengths, a negative entry or a zero sum.
Result<double> jensenshannon(const std::vector<double>& p, const std::vector<double>& q,
                             std::optional<double> base = std::nullopt);
// scipy.stats.entropy(p, q): KL(p || q) after normalising both to sum 1 (natural log); inf when
// q is 0 where p is not. Same errors as jensenshannon.
Result<double> kl_divergence(const std::vector<double>& p, const std::vector<double>& q);
// Population stability index: sum over bins of (a - e) * ln(a / e) with a = max(actual, eps),
// e = max(expected, eps). eps = 0 uses the fractions as they are (they must then be > 0). Errors
// on different lengths, a negative or NaN fraction, or eps < 0.
Result<double> psi(const std::vector<double>& expected_fractions,
                   const std::vector<double>& actual_fractions, double eps = 1e-6);

// [SECTION] Proportions

// The outcome of z_test_proportions.
struct ZTestResult {
  double statistic = 0;  // z = (p1 - p2) / sqrt(P (1 - P) (1/n1 + 1/n2)), P pooled
  double pvalue = 1;     // 2 * (1 - Phi(|z|)), as Evidently computes it
};
// Evidently's pooled two-proportion z-test of `successes1` of `n1` against `successes2` of
// `n2`. When both samples hold one and the same value (both all successes or both all failures)
// p is 1 and z 0. Errors when a sample is empty or successes exceed its size.
Result<ZTestResult> z_test_proportions(size_t successes1, size_t n1, size_t successes2, size_t n2);
// Cohen's h effect size of two proportions: |2 asin(sqrt(p1)) - 2 asin(sqrt(p2))|.
double cohens_h(double p1, double p2);
// The standard normal CDF, 0.5 * erfc(-x / sqrt(2)).
double normal_cdf(double x);

// [SECTION] Histograms (numpy)

// np.histogram_bin_edges(values, bins="sturges"): ceil(ptp / (ptp / (log2(n) + 1))) equal bins
// over [min, max] (min - 0.5, max + 0.5 when they are equal), edges from np.linspace. Errors on
// an empty sample or a non-finite value.
Result<std::vector<double>> histogram_bin_edges_sturges(const std::vector<double>& values);
// The same edges from the size and range of the data (e.g. two samples pooled without copying):
// `n` values whose minimum is `lo` and maximum `hi`.
Result<std::vector<double>> histogram_bin_edges_sturges(size_t n, double lo, double hi);
// np.linspace(start, stop, num) (endpoint included, last edge exactly `stop`).
std::vector<double> linspace(double start, double stop, size_t num);
// np.histogram(values, edges) counts: bin i holds edges[i] <= v < edges[i+1], the last bin also
// v == edges.back(); values outside the edges (and NaN) are not counted.
std::vector<size_t> histogram_counts(const std::vector<double>& values,
                                     const std::vector<double>& edges);
// The same counts for values sorted ascending (binary searches, O(bins log n)).
std::vector<size_t> histogram_counts_sorted(const std::vector<double>& sorted_values,
                                            const std::vector<double>& edges);

// [SECTION] Helpers shared with the drift code

// numpy's float64 sum (pairwise summation inside 8192-element blocks, the blocks added in
// order), so sums round exactly as np.sum does.
double numpy_sum(const double* values, size_t n);
// numpy's np.std(values) (population, ddof = 0; two passes with numpy_sum). 0 for no values.
double numpy_std(const std::vector<double>& values);

}  // namespace mllab::monitoring

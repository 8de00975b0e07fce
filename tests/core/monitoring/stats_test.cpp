// Drift statistics against scipy 1.10.1 / numpy 1.24.2: every case of the keys ks_2samp,
// kstwo_sf, kstwobign_sf, chi2_contingency, chisquare_goodness_of_fit, chi2_sf,
// wasserstein_distance, jensenshannon and psi in tests/data/reference_values.json, plus
// hand-computed cases (explained where they appear).
#include <cfloat>
#include <cmath>
#include <numeric>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/monitoring/stats.hpp"

namespace mllab::monitoring {
namespace {

using json = nlohmann::json;

json reference(const std::string& key) {
  std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/tests/data/reference_values.json", std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open tests/data/reference_values.json";
  std::ostringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str()).at(key);
}

// Agreement to 1e-9: relative to the expected value (p-values reach 1e-232, so an absolute
// tolerance would be meaningless there), with an absolute floor of 1e-300 so that an expected 0
// (scipy's underflow) accepts our equally underflowed result.
::testing::AssertionResult Close(double actual, double expected, double rel = 1e-9) {
  if (std::isnan(expected) && std::isnan(actual)) return ::testing::AssertionSuccess();
  const double diff = std::fabs(actual - expected);
  if (diff <= rel * std::fabs(expected) + 1e-300) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << "actual " << actual << " vs expected " << expected << " (relative difference "
     << diff / std::fabs(expected) << ")";
  return ::testing::AssertionFailure() << os.str();
}

std::vector<double> doubles(const json& j) { return j.get<std::vector<double>>(); }

TEST(KsTest, EveryReferenceCaseAlternativeAndMethod) {
  const json ref = reference("ks_2samp");
  int checked = 0;
  for (const auto& c : ref.at("cases")) {
    const auto x = doubles(c.at("x")), y = doubles(c.at("y"));
    for (const auto& [alt_name, by_method] : c.at("results").items()) {
      for (const auto& [method_name, expected] : by_method.items()) {
        SCOPED_TRACE(c.at("name").get<std::string>() + " " + alt_name + " " + method_name);
        auto r = ks_2samp(x, y, *parse_alternative(alt_name), *parse_ks_method(method_name));
        ASSERT_TRUE(r) << r.status().to_string();
        EXPECT_TRUE(Close(r->statistic, expected.at("statistic").get<double>(), 1e-12));
        EXPECT_TRUE(Close(r->pvalue, expected.at("pvalue").get<double>()));
        EXPECT_EQ(r->statistic_location, expected.at("statistic_location").get<double>());
        EXPECT_EQ(r->statistic_sign, expected.at("statistic_sign").get<int>());
        // auto is exact for these sizes (max(n1, n2) <= 10000)
        const KsMethod want = method_name == "asymp" ? KsMethod::kAsymp : KsMethod::kExact;
        EXPECT_EQ(r->method_used, want);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 8 * 3 * 3);
}

TEST(KsTest, ErrorsNameTheSample) {
  auto r = ks_2samp({}, {1.0});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("first sample is empty"), std::string::npos);
  r = ks_2samp({1.0}, {2.0, std::nan("")});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("second sample has NaN at index 1"), std::string::npos);
  EXPECT_FALSE(parse_alternative("two_sided"));
  EXPECT_FALSE(parse_ks_method("approx"));
}

TEST(KsTest, AutoSwitchesToAsympAbove10000) {
  // 10001 vs 3 values: auto must take the asymptotic path (scipy's MAX_AUTO_N = 10000). All of
  // x lies below all of y, so D = 1 and the two-sided p is kstwo_sf(1, round(10001*3/10004)) = 0.
  std::vector<double> x(10001);
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(i);
  auto r = ks_2samp(x, {20000, 20001, 20002});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method_used, KsMethod::kAsymp);
  EXPECT_EQ(r->statistic, 1.0);
  EXPECT_EQ(r->pvalue, 0.0);
}

TEST(KsTest, LargeSamplesAreFast) {
  // 100,000 vs 100,000 (the drift benchmark's size) must finish in well under a second; no
  // timing assert, this only exercises the asymptotic path on the large-n branches. Two
  // interleaved grids shifted by half a step: the ECDFs differ by at most 1/100000 (D = 1e-5),
  // so p = kstwo_sf(1e-5, 50000) = 1 (d <= 0.5 / n).
  std::vector<double> x(100000), y(100000);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = double(i);
    y[i] = double(i) + 0.5;
  }
  auto r = ks_2samp(x, y);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method_used, KsMethod::kAsymp);
  EXPECT_TRUE(Close(r->statistic, 1e-5, 1e-9));  // i/n - (i-1)/n rounds
  EXPECT_EQ(r->pvalue, 1.0);
}

TEST(KstwoTest, EveryReferenceCase) {
  const json ref = reference("kstwo_sf");
  for (const auto& c : ref) {
    const double n = c.at("n"), d = c.at("d");
    SCOPED_TRACE("n=" + std::to_string(n) + " d=" + std::to_string(d));
    EXPECT_TRUE(Close(kstwo_sf(d, n), c.at("kstwo_sf").get<double>()));
  }
  EXPECT_TRUE(std::isnan(kstwo_sf(0.3, 2.5)));
  EXPECT_TRUE(std::isnan(kstwo_sf(0.3, 0)));
}

TEST(KstwoTest, KolmogorovEveryReferenceCase) {
  const json ref = reference("kstwobign_sf");
  for (const auto& c : ref) {
    const double x = c.at("x");
    SCOPED_TRACE("x=" + std::to_string(x));
    EXPECT_TRUE(Close(kolmogorov_sf(x), c.at("kstwobign_sf").get<double>()));
    EXPECT_TRUE(Close(kolmogorov_sf(x), c.at("scipy_special_kolmogorov").get<double>()));
  }
  EXPECT_EQ(kolmogorov_sf(0.0), 1.0);
  EXPECT_EQ(kolmogorov_sf(-1.0), 1.0);
}

TEST(KstwoTest, SmirnovHandComputed) {
  // n = 1: D+ = U, so P(D+ >= x) = 1 - x.
  EXPECT_DOUBLE_EQ(smirnov_sf(1, 0.3), 0.7);
  // n = 2, x = 0.6 (Birnbaum–Tingey, floor(2 * 0.4) = 0, one term): x (1 - x)^2 / x = 0.16.
  EXPECT_TRUE(Close(smirnov_sf(2, 0.6), 0.16, 1e-14));
  // n = 3, x = 0.5: v = 0: 0.5^-1 0.5^3 = 0.25; v = 1: 3 (5/6)^0 (1/6)^2 = 1/12;
  // sf = 0.5 (0.25 + 1/12) = 1/6.
  EXPECT_TRUE(Close(smirnov_sf(3, 0.5), 1.0 / 6.0, 1e-14));
  EXPECT_EQ(smirnov_sf(5, 0.0), 1.0);
  EXPECT_EQ(smirnov_sf(5, 1.0), 0.0);
  EXPECT_TRUE(std::isnan(smirnov_sf(0, 0.5)));
  EXPECT_TRUE(std::isnan(smirnov_sf(5, 1.5)));
}

TEST(Chi2Test, SfEveryReferenceCase) {
  for (const auto& c : reference("chi2_sf")) {
    const double x = c.at("x"), df = c.at("df");
    SCOPED_TRACE("x=" + std::to_string(x) + " df=" + std::to_string(df));
    EXPECT_TRUE(Close(chi2_sf(x, df), c.at("chi2_sf").get<double>()));
  }
  EXPECT_EQ(chi2_sf(0.0, 3), 1.0);
  EXPECT_EQ(chi2_sf(-1.0, 3), 1.0);
  EXPECT_EQ(chi2_sf(INFINITY, 3), 0.0);
  EXPECT_TRUE(std::isnan(chi2_sf(1.0, 0)));
  EXPECT_TRUE(std::isnan(chi2_sf(NAN, 2)));
}

TEST(Chi2Test, ContingencyEveryReferenceCase) {
  const json ref = reference("chi2_contingency");
  for (const auto& c : ref.at("cases")) {
    const auto table = c.at("table").get<std::vector<std::vector<double>>>();
    const bool correction = c.at("correction");
    SCOPED_TRACE(c.at("name").get<std::string>() + (correction ? " corrected" : " uncorrected"));
    auto r = chi2_contingency(table, correction);
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_TRUE(Close(r->statistic, c.at("statistic").get<double>()));
    EXPECT_TRUE(Close(r->pvalue, c.at("pvalue").get<double>()));
    EXPECT_EQ(r->dof, c.at("dof").get<int>());
    const auto expected = c.at("expected").get<std::vector<std::vector<double>>>();
    ASSERT_EQ(r->expected.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      for (size_t j = 0; j < expected[i].size(); ++j) EXPECT_TRUE(Close(r->expected[i][j], expected[i][j]));
    }
  }
}

TEST(Chi2Test, ContingencyErrorsNameTheCell) {
  auto r = chi2_contingency({{1, 0, 2}, {3, 0, 4}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("cell (0, 1)"), std::string::npos);
  r = chi2_contingency({{1, 2}, {3}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("row 1 has 1 cells"), std::string::npos);
  r = chi2_contingency({{1, -2}, {3, 4}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("cell (0, 1)"), std::string::npos);
  EXPECT_FALSE(chi2_contingency({}));
}

TEST(Chi2Test, GoodnessOfFitEveryReferenceCase) {
  for (const auto& c : reference("chisquare_goodness_of_fit")) {
    const auto obs = doubles(c.at("f_obs"));
    std::optional<std::vector<double>> exp;
    if (!c.at("f_exp").is_null()) exp = doubles(c.at("f_exp"));
    auto r = chisquare(obs, exp);
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_TRUE(Close(r->statistic, c.at("statistic").get<double>()));
    EXPECT_TRUE(Close(r->pvalue, c.at("pvalue").get<double>()));
    EXPECT_EQ(r->dof, c.at("dof").get<int>());
  }
}

TEST(Chi2Test, GoodnessOfFitEdgeCases) {
  // A category the expectation gives no mass but that is observed: statistic inf, p 0 (what
  // scipy returns, and how Evidently's chisquare flags a new category).
  auto r = chisquare({5, 5}, std::vector<double>{10, 0});
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::isinf(r->statistic));
  EXPECT_EQ(r->pvalue, 0.0);
  // One category: dof 0, p reported as 1 (no evidence of a difference).
  r = chisquare({7}, std::vector<double>{7});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->statistic, 0.0);
  EXPECT_EQ(r->pvalue, 1.0);
  // scipy's sum check: 10 observed vs 11 expected is refused.
  r = chisquare({5, 5}, std::vector<double>{5, 6});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("differ by more than 1e-8"), std::string::npos);
  EXPECT_FALSE(chisquare({1, 2}, std::vector<double>{3}));
}

TEST(Chi2Test, CramersVHandComputed) {
  // 2x2 table [[10, 20], [30, 25]]: uncorrected chi2 = 3.505892255892255 (the reference
  // file's value), N = 85, min(r, c) - 1 = 1: V = sqrt(3.505892255892255 / 85).
  auto v = cramers_v({{10, 20}, {30, 25}});
  ASSERT_TRUE(v);
  EXPECT_TRUE(Close(*v, std::sqrt(3.505892255892255 / 85.0)));
  // Identical rows: V = 0. A perfectly separated table: V = 1.
  EXPECT_TRUE(Close(*cramers_v({{10, 20, 30}, {10, 20, 30}}), 0.0));
  EXPECT_TRUE(Close(*cramers_v({{10, 0}, {0, 7}}), 1.0));
  // A category with no counts in either row is ignored; one column left: V = 0.
  EXPECT_EQ(*cramers_v({{5, 0}, {9, 0}}), 0.0);
}

TEST(DistanceTest, WassersteinEveryReferenceCase) {
  for (const auto& c : reference("wasserstein_distance")) {
    const auto u = doubles(c.at("u")), v = doubles(c.at("v"));
    std::vector<double> uw, vw;
    if (c.contains("u_weights")) uw = doubles(c.at("u_weights"));
    if (c.contains("v_weights")) vw = doubles(c.at("v_weights"));
    auto r = wasserstein_distance(u, v, uw, vw);
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_TRUE(Close(*r, c.at("value").get<double>()));
  }
}

TEST(DistanceTest, WassersteinErrors) {
  EXPECT_FALSE(wasserstein_distance({}, {1}));
  auto r = wasserstein_distance({1, 2}, {1}, {1});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("u_weights has 1 entries for 2 values"), std::string::npos);
  r = wasserstein_distance({1, 2}, {1}, {}, {-1});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("v_weights[0] is negative"), std::string::npos);
  EXPECT_FALSE(wasserstein_distance({1, 2}, {1}, {0, 0}));
}

TEST(DistanceTest, JensenShannonEveryReferenceCase) {
  const json ref = reference("jensenshannon");
  for (const auto& c : ref.at("cases")) {
    std::optional<double> base;
    if (!c.at("base").is_null()) base = c.at("base").get<double>();
    auto r = jensenshannon(doubles(c.at("p")), doubles(c.at("q")), base);
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_TRUE(Close(*r, c.at("value").get<double>()));
  }
  EXPECT_FALSE(jensenshannon({1, 2}, {1}));
  EXPECT_FALSE(jensenshannon({0, 0}, {1, 1}));
  EXPECT_FALSE(jensenshannon({1, -1}, {1, 1}));
}

TEST(DistanceTest, KlDivergenceHandComputed) {
  // p = (0.5, 0.5), q = (0.25, 0.75) after normalising (1, 3): 0.5 ln 2 + 0.5 ln(2/3).
  auto r = kl_divergence({2, 2}, {1, 3});
  ASSERT_TRUE(r);
  EXPECT_TRUE(Close(*r, 0.5 * std::log(2.0) + 0.5 * std::log(2.0 / 3.0)));
  // q = 0 where p > 0: infinite.
  EXPECT_TRUE(std::isinf(*kl_divergence({1, 1}, {1, 0})));
}

TEST(DistanceTest, PsiEveryReferenceCase) {
  for (const auto& c : reference("psi")) {
    const double eps = c.at("eps");
    std::vector<double> expected, actual;
    if (c.contains("bin_edges")) {
      // Bin the samples over the given edges (numpy semantics), then compare the fractions too.
      const auto edges = doubles(c.at("bin_edges"));
      const auto ref = doubles(c.at("reference")), cur = doubles(c.at("current"));
      const auto rc = histogram_counts(ref, edges), cc = histogram_counts(cur, edges);
      for (size_t i = 0; i < rc.size(); ++i) {
        expected.push_back(double(rc[i]) / double(ref.size()));
        actual.push_back(double(cc[i]) / double(cur.size()));
      }
      const auto want_e = doubles(c.at("expected")), want_a = doubles(c.at("actual"));
      ASSERT_EQ(expected.size(), want_e.size());
      for (size_t i = 0; i < want_e.size(); ++i) {
        EXPECT_TRUE(Close(expected[i], want_e[i], 1e-15));
        EXPECT_TRUE(Close(actual[i], want_a[i], 1e-15));
      }
    } else {
      expected = doubles(c.at("expected"));
      actual = doubles(c.at("actual"));
    }
    auto r = psi(expected, actual, eps);
    ASSERT_TRUE(r) << r.status().to_string();
    EXPECT_TRUE(Close(*r, c.at("value").get<double>()));
  }
  EXPECT_FALSE(psi({0.5, 0.5}, {1.0}));
  EXPECT_FALSE(psi({0.5, 0.5}, {1.0, 0.0}, 0.0));
  EXPECT_FALSE(psi({0.5, 0.5}, {0.5, 0.5}, -1));
}

TEST(ProportionTest, ZTestHandComputed) {
  // 30 of 100 vs 50 of 100: P = 0.4, z = -0.2 / sqrt(0.24 * 0.02) = -2.886751345948129,
  // p = 2 (1 - Phi(2.8867513...)) = 0.003892417122778637 (2 * norm.sf, hand-evaluated with
  // erfc: erfc(2.886751345948129 / sqrt 2)).
  auto r = z_test_proportions(30, 100, 50, 100);
  ASSERT_TRUE(r);
  EXPECT_TRUE(Close(r->statistic, -0.2 / std::sqrt(0.24 * 0.02), 1e-14));
  EXPECT_TRUE(Close(r->pvalue, std::erfc(2.886751345948129 / std::sqrt(2.0)), 1e-9));
  // Both samples one and the same value: p = 1.
  r = z_test_proportions(0, 10, 0, 20);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pvalue, 1.0);
  r = z_test_proportions(10, 10, 20, 20);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pvalue, 1.0);
  EXPECT_FALSE(z_test_proportions(1, 0, 1, 2));
  EXPECT_FALSE(z_test_proportions(3, 2, 1, 2));
  // Cohen's h of 0.5 vs 0.5 is 0; of 1 vs 0 it is pi.
  EXPECT_EQ(cohens_h(0.5, 0.5), 0.0);
  EXPECT_TRUE(Close(cohens_h(1.0, 0.0), 3.141592653589793, 1e-15));
}

TEST(HistogramTest, SturgesEdgesMatchNumpy) {
  // np.histogram_bin_edges([0.2, 0.5, ..., 5.0], bins="sturges") for the psi reference samples:
  // n = 12, log2(12) + 1 = 4.585 -> 5 bins over [0.2, 5.0] -> step 0.96.
  const std::vector<double> ref = {0.2, 0.5, 1.1, 1.4, 2.2, 2.8, 3.1, 3.3, 3.9, 4.5, 4.6, 5.0};
  auto edges = histogram_bin_edges_sturges(ref);
  ASSERT_TRUE(edges);
  const std::vector<double> want = {0.2, 0.2 + 0.96, 0.2 + 2 * 0.96, 0.2 + 3 * 0.96, 0.2 + 4 * 0.96, 5.0};
  ASSERT_EQ(edges->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(Close((*edges)[i], want[i], 1e-15));
  // n = 8 (log2 exact): 4 bins over [0, 8].
  edges = histogram_bin_edges_sturges(8, 0.0, 8.0);
  ASSERT_TRUE(edges);
  EXPECT_EQ(*edges, (std::vector<double>{0, 2, 4, 6, 8}));
  // A constant sample: one bin [v - 0.5, v + 0.5].
  edges = histogram_bin_edges_sturges({3.0, 3.0, 3.0});
  ASSERT_TRUE(edges);
  EXPECT_EQ(*edges, (std::vector<double>{2.5, 3.5}));
  EXPECT_FALSE(histogram_bin_edges_sturges(std::vector<double>{}));
  EXPECT_FALSE(histogram_bin_edges_sturges({1.0, INFINITY}));
}

TEST(HistogramTest, CountsCloseTheLastBinOnly) {
  const std::vector<double> edges = {0, 1, 2, 3};
  const std::vector<double> values = {-1, 0, 0.5, 1, 1.5, 2, 3, 3.5, NAN};
  // [0,1): 0, 0.5; [1,2): 1, 1.5; [2,3]: 2, 3 (the last bin includes 3); -1, 3.5, NaN dropped.
  EXPECT_EQ(histogram_counts(values, edges), (std::vector<size_t>{2, 2, 2}));
  std::vector<double> sorted = {-1, 0, 0.5, 1, 1.5, 2, 3, 3.5};
  EXPECT_EQ(histogram_counts_sorted(sorted, edges), (std::vector<size_t>{2, 2, 2}));
}

TEST(HelperTest, NumpySumAndStd) {
  // np.std([1, 2, 3, 4]) = sqrt(1.25) (population).
  EXPECT_TRUE(Close(numpy_std({1, 2, 3, 4}), std::sqrt(1.25), 1e-15));
  EXPECT_EQ(numpy_std({}), 0.0);
  // Pairwise summation is exact on integers: 1 + 2 + ... + 1000 = 500500.
  std::vector<double> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = double(i + 1);
  EXPECT_EQ(numpy_sum(v.data(), v.size()), 500500.0);
  EXPECT_EQ(linspace(0, 1, 5), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
}

// Issue 9: a range of -1e308..1e308 overflows double; binning it aborted with std::length_error.
TEST(HistogramTest, RangeBeyondDoubleGivesFiniteEdges) {
  auto edges = histogram_bin_edges_sturges(4, -1e308, 1e308);
  ASSERT_TRUE(edges) << edges.status().to_string();
  ASSERT_EQ(edges->size(), 4u);  // ceil(log2(4) + 1) = 3 bins, as for any range
  EXPECT_EQ(edges->front(), -1e308);
  EXPECT_EQ(edges->back(), 1e308);
  for (size_t i = 0; i < edges->size(); ++i) {
    EXPECT_TRUE(std::isfinite((*edges)[i])) << i;
    if (i > 0) EXPECT_LT((*edges)[i - 1], (*edges)[i]) << i;
  }
  const std::vector<double> values = {-1e308, -1.0, 1.0, 1e308};
  const auto counts = histogram_counts_sorted(values, *edges);
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), size_t{0}), 4u);
  // An ordinary range keeps numpy's edges exactly.
  auto small = histogram_bin_edges_sturges(4, 0.0, 3.0);
  ASSERT_TRUE(small);
  EXPECT_EQ(*small, (std::vector<double>{0.0, 1.0, 2.0, 3.0}));
}

TEST(HistogramTest, LinspaceOverAnOverflowingSpanStaysFinite) {
  const auto y = linspace(-DBL_MAX, DBL_MAX, 5);
  ASSERT_EQ(y.size(), 5u);
  EXPECT_EQ(y.front(), -DBL_MAX);
  EXPECT_EQ(y[2], 0.0);
  EXPECT_EQ(y.back(), DBL_MAX);
  for (double v : y) EXPECT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace mllab::monitoring

// Drift reports on hand-built tables whose test choice, statistic and verdict are known: scipy
// values from tests/data/reference_values.json (ks_2samp, chisquare_goodness_of_fit,
// jensenshannon, psi) or hand computations explained next to each case.
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/monitoring/drift.hpp"
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

json ks_case(const std::string& name) {
  const json cases = reference("ks_2samp").at("cases");
  for (const auto& c : cases) {
    if (c.at("name") == name) return c;
  }
  ADD_FAILURE() << "no ks_2samp case " << name;
  return json();
}

// Relative agreement (1e-9 unless stated).
::testing::AssertionResult Close(double actual, double expected, double rel = 1e-9) {
  if (std::fabs(actual - expected) <= rel * std::fabs(expected) + 1e-300) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << "actual " << actual << " vs expected " << expected;
  return ::testing::AssertionFailure() << os.str();
}

data::Column num_col(const std::string& name, std::vector<double> v) {
  data::Column c;
  c.name = name;
  c.type = data::ColumnType::kNumeric;
  c.numbers = std::move(v);
  return c;
}

data::Column cat_col(const std::string& name, const std::vector<std::string>& v,
                     data::ColumnType type = data::ColumnType::kCategorical) {
  data::Column c;
  c.name = name;
  c.type = type;
  c.strings = v;
  c.missing.assign(v.size(), 0);
  return c;
}

// A categorical column from (value, count) pairs.
std::vector<std::string> repeat(const std::vector<std::pair<std::string, int>>& counts) {
  std::vector<std::string> out;
  for (const auto& [v, n] : counts) out.insert(out.end(), size_t(n), v);
  return out;
}

data::Table table(std::vector<data::Column> cols) {
  data::Table t;
  for (auto& c : cols) EXPECT_TRUE(t.add_column(std::move(c)).is_ok());
  return t;
}

const ColumnDrift& only(const DriftReport& r) {
  EXPECT_EQ(r.columns.size(), 1u);
  return r.columns.front();
}

bool has_warning(const ColumnDrift& c, const std::string& part) {
  for (const auto& w : c.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(DriftTest, SmallNumericShiftUsesKsWithScipysPValue) {
  // 60 reference vs 45 current rows (<= 1000 reference rows, > 5 unique values): ks, auto ->
  // exact; scipy: D = 0.2111..., p = 0.17913... -> not drifted at 0.05.
  const json c = ks_case("moderate_n60_n45_shift0.5");
  auto r = compute_drift(table({num_col("x", c.at("x"))}), table({num_col("x", c.at("y"))}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.type, "num");
  EXPECT_EQ(col.test, "ks");
  const json& want = c.at("results").at("two-sided").at("auto");
  EXPECT_TRUE(Close(col.statistic, want.at("statistic").get<double>()));
  ASSERT_TRUE(col.p_value.has_value());
  EXPECT_TRUE(Close(*col.p_value, want.at("pvalue").get<double>()));
  EXPECT_EQ(col.threshold, 0.05);
  EXPECT_FALSE(col.drifted);
  EXPECT_EQ(col.effect_size_name, "ks_d");
  EXPECT_TRUE(Close(*col.effect_size, col.statistic));
  EXPECT_EQ(col.n_reference, 60u);
  EXPECT_EQ(col.n_current, 45u);
  EXPECT_FALSE(r->dataset_drift);
  EXPECT_EQ(r->number_of_drifted_columns, 0u);
}

TEST(DriftTest, KsDriftsWhenPIsSmall) {
  // 500 vs 400 rows shifted by 0.1: scipy's exact p = 0.003976737549898176 < 0.05.
  const json c = ks_case("n500_n400_shift0.1");
  auto r = compute_drift(table({num_col("x", c.at("x"))}), table({num_col("x", c.at("y"))}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.test, "ks");
  EXPECT_TRUE(Close(*col.p_value, c.at("results").at("two-sided").at("auto").at("pvalue").get<double>()));
  EXPECT_TRUE(col.drifted);
  EXPECT_TRUE(r->dataset_drift);  // 1 of 1 column
  EXPECT_EQ(r->drift_share, 1.0);
}

TEST(DriftTest, NanValuesAreDroppedAndCounted) {
  // The same 60 vs 45 sample with NaN and inf inserted: the result equals the clean one.
  const json c = ks_case("moderate_n60_n45_shift0.5");
  std::vector<double> x = c.at("x"), y = c.at("y");
  x.insert(x.begin() + 3, NAN);
  x.push_back(NAN);
  x.push_back(INFINITY);
  y.insert(y.begin(), NAN);
  auto r = compute_drift(table({num_col("x", x)}), table({num_col("x", y)}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.missing_reference, 3u);
  EXPECT_EQ(col.missing_current, 1u);
  EXPECT_EQ(col.n_reference, 60u);
  EXPECT_EQ(col.n_current, 45u);
  EXPECT_TRUE(Close(*col.p_value, c.at("results").at("two-sided").at("auto").at("pvalue").get<double>()));
  EXPECT_TRUE(has_warning(col, "dropped 1 infinite values"));
  // 3/63 = 4.8% vs 1/46 = 2.2% missing: within 5 points, no missing-share warning.
  EXPECT_FALSE(has_warning(col, "missing values"));
}

TEST(DriftTest, CategoricalChisquareMatchesScipy) {
  // Reference counts a..d = 92, 97, 100, 89 (378 rows), current 43, 52, 54, 40 (189 rows):
  // Evidently's f_exp = reference counts * 189/378 = 46, 48.5, 50, 44.5, which is the
  // reference file's chisquare case: statistic 1.2232856732759534, p 0.7474250335632305.
  auto ref = repeat({{"a", 92}, {"b", 97}, {"c", 100}, {"d", 89}});
  auto cur = repeat({{"a", 43}, {"b", 52}, {"c", 54}, {"d", 40}});
  const json want = reference("chisquare_goodness_of_fit").at(2);
  auto r = compute_drift(table({cat_col("colour", ref)}), table({cat_col("colour", cur)}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.type, "cat");
  EXPECT_EQ(col.test, "chisquare");
  EXPECT_TRUE(Close(col.statistic, want.at("statistic").get<double>()));
  EXPECT_TRUE(Close(*col.p_value, want.at("pvalue").get<double>()));
  EXPECT_FALSE(col.drifted);
  EXPECT_EQ(col.effect_size_name, "cramers_v");
  EXPECT_EQ(col.histogram.categories, (std::vector<std::string>{"c", "b", "a", "d"}));  // by total count
  EXPECT_EQ(col.histogram.reference_counts, (std::vector<size_t>{100, 97, 92, 89}));
  EXPECT_EQ(col.histogram.current_counts, (std::vector<size_t>{54, 52, 43, 40}));
}

TEST(DriftTest, NewCategoryDriftsWithInfiniteChisquare) {
  // Reference a, b, c x10; current a, b, c, d x5. 'd' has expected count 0 in Evidently's
  // chisquare -> statistic inf, p 0 -> drift. Cramér's V of [[10,10,10,0],[5,5,5,5]]: expected
  // [[9,9,9,3],[6,6,6,2]], chi2 = 3 * 1/9 + 9/3 + 3 * 1/6 + 9/2 = 25/3, V = sqrt(25/3 / 50).
  auto ref = repeat({{"a", 10}, {"b", 10}, {"c", 10}});
  auto cur = repeat({{"a", 5}, {"b", 5}, {"c", 5}, {"d", 5}});
  auto r = compute_drift(table({cat_col("c", ref)}), table({cat_col("c", cur)}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.test, "chisquare");
  EXPECT_TRUE(std::isinf(col.statistic));
  EXPECT_EQ(*col.p_value, 0.0);
  EXPECT_TRUE(col.drifted);
  EXPECT_TRUE(Close(*col.effect_size, std::sqrt(25.0 / 3.0 / 50.0)));
  EXPECT_TRUE(has_warning(col, "current has 1 category not seen in reference (e.g. 'd')"));
  EXPECT_TRUE(has_warning(col, "current sample has only 20 rows: the test has little power"));
}

TEST(DriftTest, TwoValuedCategoricalUsesZTest) {
  // 30 of 100 'yes' vs 50 of 100: z = (0.3 - 0.5) / sqrt(0.4 * 0.6 * 0.02), p = 2 (1 - Phi(|z|))
  // = erfc(|z| / sqrt 2); Cohen's h = |2 asin sqrt(0.3) - 2 asin sqrt(0.5)|.
  auto ref = repeat({{"no", 70}, {"yes", 30}});
  auto cur = repeat({{"yes", 50}, {"no", 50}});
  auto r = compute_drift(table({cat_col("answer", ref)}), table({cat_col("answer", cur)}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.test, "z");
  const double z = -0.2 / std::sqrt(0.4 * 0.6 * 0.02);
  EXPECT_TRUE(Close(col.statistic, z, 1e-12));
  EXPECT_TRUE(Close(*col.p_value, std::erfc(std::fabs(z) / std::sqrt(2.0))));
  EXPECT_TRUE(col.drifted);  // p = 0.0039
  EXPECT_EQ(col.effect_size_name, "cohens_h");
  EXPECT_TRUE(Close(*col.effect_size, std::fabs(2 * std::asin(std::sqrt(0.3)) - 2 * std::asin(std::sqrt(0.5)))));
}

TEST(DriftTest, ConstantColumnIsNotDrift) {
  // One value in both samples: n_unique = 1 -> z-test, p = 1 (Evidently's same-single-value rule).
  auto r = compute_drift(table({num_col("k", std::vector<double>(50, 5.0))}),
                         table({num_col("k", std::vector<double>(40, 5.0))}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.test, "z");
  EXPECT_EQ(*col.p_value, 1.0);
  EXPECT_FALSE(col.drifted);
  EXPECT_TRUE(has_warning(col, "constant"));
  EXPECT_EQ(col.histogram.edges, (std::vector<double>{4.5, 5.5}));  // numpy's constant range
  EXPECT_EQ(col.histogram.reference_counts, (std::vector<size_t>{50}));
}

TEST(DriftTest, FewNumericValuesUseChisquare) {
  // Values 1, 2, 3 (3 unique, <= 5): chisquare over one bin per value. Reference 1,2,3 x 20;
  // current 1 x 10, 2 x 20, 3 x 30: f_exp = 20 each, chi2 = (100 + 0 + 100) / 20 = 10, dof 2,
  // p = exp(-10 / 2) (chi2 with 2 dof is an exponential).
  std::vector<double> ref, cur;
  for (int v = 1; v <= 3; ++v) ref.insert(ref.end(), 20, double(v));
  cur.insert(cur.end(), 10, 1.0);
  cur.insert(cur.end(), 20, 2.0);
  cur.insert(cur.end(), 30, 3.0);
  auto r = compute_drift(table({num_col("n", ref)}), table({num_col("n", cur)}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.type, "num");
  EXPECT_EQ(col.test, "chisquare");
  EXPECT_TRUE(Close(col.statistic, 10.0, 1e-14));
  EXPECT_TRUE(Close(*col.p_value, std::exp(-5.0)));
  EXPECT_TRUE(col.drifted);
}

TEST(DriftTest, OverThousandRowsPicksNormedWasserstein) {
  // Reference 0..1199, current shifted by 60: W1 = 60 exactly; np.std of 0..1199 (ddof 0) =
  // sqrt((1200^2 - 1) / 12); score = 60 / 346.41 = 0.173 >= 0.1 -> drift.
  std::vector<double> ref(1200), cur(1200);
  for (int i = 0; i < 1200; ++i) {
    ref[size_t(i)] = i;
    cur[size_t(i)] = i + 60;
  }
  auto r = compute_drift(table({num_col("v", ref)}), table({num_col("v", cur)}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.test, "wasserstein");
  EXPECT_TRUE(Close(col.statistic, 60.0 / std::sqrt((1200.0 * 1200.0 - 1) / 12.0), 1e-12));
  EXPECT_FALSE(col.p_value.has_value());
  EXPECT_FALSE(col.effect_size.has_value());
  EXPECT_EQ(col.threshold, 0.1);
  EXPECT_TRUE(col.drifted);
}

TEST(DriftTest, OverThousandRowsCategoricalPicksJensenShannon) {
  // Reference a, b x 750; current a x 1500: fractions (0.5, 0.5) vs (1, 0), JS distance with
  // natural log = the reference file's case [1, 0] vs [0.5, 0.5] (symmetric) = 0.4645...
  auto ref = repeat({{"a", 750}, {"b", 750}});
  auto cur = repeat({{"a", 1500}});
  double want = 0;
  const json cases = reference("jensenshannon").at("cases");
  for (const auto& c : cases) {
    if (c.at("base").is_null() && c.at("p") == json::array({1.0, 0.0})) want = c.at("value");
  }
  ASSERT_NE(want, 0);
  auto r = compute_drift(table({cat_col("c", ref)}), table({cat_col("c", cur)}));
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_EQ(col.test, "jensenshannon");
  EXPECT_TRUE(Close(col.statistic, want));
  EXPECT_TRUE(col.drifted);
}

TEST(DriftTest, PerColumnOverridePicksPsi) {
  // Reference a..d x 25, current 40, 30, 20, 10: fractions (0.25 x4) vs (0.4, 0.3, 0.2, 0.1) =
  // the reference file's psi case 0.22821740957339182 (no zero bins, so no filling).
  auto ref = repeat({{"a", 25}, {"b", 25}, {"c", 25}, {"d", 25}});
  auto cur = repeat({{"a", 40}, {"b", 30}, {"c", 20}, {"d", 10}});
  const double want = reference("psi").at(1).at("value");
  DriftOptions o;
  o.per_column_stattest["grade"] = "psi";
  auto r = compute_drift(table({cat_col("grade", ref)}), table({cat_col("grade", cur)}), o);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(only(*r).test, "psi");
  EXPECT_TRUE(Close(only(*r).statistic, want));
  EXPECT_TRUE(only(*r).drifted);
  // A per-column threshold above the score: not drifted.
  o.per_column_stattest_threshold["grade"] = 0.3;
  r = compute_drift(table({cat_col("grade", ref)}), table({cat_col("grade", cur)}), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(only(*r).threshold, 0.3);
  EXPECT_FALSE(only(*r).drifted);
  // Type-level options below the per-column one are ignored for that column.
  o.cat_stattest = "jensenshannon";
  o.cat_stattest_threshold = 0.01;
  r = compute_drift(table({cat_col("grade", ref)}), table({cat_col("grade", cur)}), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(only(*r).test, "psi");
  EXPECT_EQ(only(*r).threshold, 0.3);
}

TEST(DriftTest, PsiFillsZeroBinsLikeEvidently) {
  // Reference a x 50, b x 50; current a x 100: current fractions (1, 0) -> the 0 becomes
  // 0.0001 (the smallest non-zero fraction 1 is > 0.0001). psi = (0.5 - 1) ln(0.5 / 1) +
  // (0.5 - 0.0001) ln(0.5 / 0.0001).
  auto r = compute_drift(table({cat_col("c", repeat({{"a", 50}, {"b", 50}}))}),
                         table({cat_col("c", repeat({{"a", 100}}))}), [] {
                           DriftOptions o;
                           o.stattest = "psi";
                           return o;
                         }());
  ASSERT_TRUE(r) << r.status().to_string();
  const double want = (0.5 - 1.0) * std::log(0.5 / 1.0) + (0.5 - 0.0001) * std::log(0.5 / 0.0001);
  EXPECT_TRUE(Close(only(*r).statistic, want, 1e-12));
}

TEST(DriftTest, LargeSampleNegligibleEffectWarns) {
  // 20000 vs 20000 grid values 0..19999, current shifted by 400 (2% of the range): D = 400/20000
  // = 0.02, p tiny (asymp), so ks flags drift though the effect is below the 0.04 rule.
  std::vector<double> ref(20000), cur(20000);
  for (int i = 0; i < 20000; ++i) {
    ref[size_t(i)] = i;
    cur[size_t(i)] = i + 400;
  }
  DriftOptions o;
  o.stattest = "ks";
  auto r = compute_drift(table({num_col("x", ref)}), table({num_col("x", cur)}), o);
  ASSERT_TRUE(r) << r.status().to_string();
  const ColumnDrift& col = only(*r);
  EXPECT_TRUE(col.drifted);
  EXPECT_TRUE(Close(col.statistic, 0.02, 1e-9));
  EXPECT_TRUE(has_warning(col, "p-value test on 20000 + 20000 rows flags a negligible effect (D = 0.02)"))
      << (col.warnings.empty() ? "" : col.warnings.front());
}

// Column a drifts (ks p = 0.00398), column b does not (p = 0.210); b's 300 + 300 values are
// padded with NaN to the tables' 500 and 400 rows.
std::pair<data::Table, data::Table> one_drifting_one_calm() {
  const json drifting = ks_case("n500_n400_shift0.1");
  const json calm = ks_case("n300_n300_same_dist");
  std::vector<double> ref_b = calm.at("x"), cur_b = calm.at("y");
  ref_b.resize(500, NAN);
  cur_b.resize(400, NAN);
  return {table({num_col("a", drifting.at("x")), num_col("b", ref_b)}),
          table({num_col("a", drifting.at("y")), num_col("b", cur_b)})};
}

TEST(DriftTest, DatasetDriftAtExactlyHalf) {
  // Column a drifts (ks p = 0.00398), column b does not (p = 0.210): share 0.5 >= 0.5 -> drift.
  const json calm = ks_case("n300_n300_same_dist");
  const auto [ref, cur] = one_drifting_one_calm();
  auto r = compute_drift(ref, cur);
  ASSERT_TRUE(r) << r.status().to_string();
  ASSERT_EQ(r->columns.size(), 2u);
  EXPECT_TRUE(r->columns[0].drifted);
  EXPECT_FALSE(r->columns[1].drifted);
  EXPECT_TRUE(Close(*r->columns[1].p_value, calm.at("results").at("two-sided").at("auto").at("pvalue").get<double>()));
  EXPECT_EQ(r->number_of_columns, 2u);
  EXPECT_EQ(r->number_of_drifted_columns, 1u);
  EXPECT_EQ(r->drift_share, 0.5);
  EXPECT_TRUE(r->dataset_drift);
  DriftOptions o;
  o.drift_share = 0.6;
  r = compute_drift(ref, cur, o);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->dataset_drift);
  EXPECT_EQ(r->drift_share_threshold, 0.6);
  // The padding NaNs are missing values: 200 of 500 vs 100 of 400 -> 40% vs 25% -> warning.
  EXPECT_TRUE(has_warning(r->columns[1], "missing values: 25.0% of current vs 40.0% of reference"));
}

TEST(DriftTest, ATaskTestsAColumnPerStepAndGivesTheSameReport) {
  const auto [ref, cur] = one_drifting_one_calm();
  auto task = DriftTask::start(ref, cur);
  ASSERT_TRUE(task) << task.status().to_string();
  EXPECT_EQ(task->num_columns(), 2u);
  EXPECT_EQ(task->next_column(), "a");
  ASSERT_TRUE(task->step().is_ok());
  EXPECT_EQ(task->columns_done(), 1u);
  EXPECT_EQ(task->next_column(), "b");
  EXPECT_FALSE(task->done());
  ASSERT_TRUE(task->step().is_ok());
  EXPECT_TRUE(task->done());
  EXPECT_EQ(task->next_column(), "");
  const DriftReport sliced = task->finish();
  auto whole = compute_drift(ref, cur);
  ASSERT_TRUE(whole);
  EXPECT_EQ(drift_report_to_json(sliced), drift_report_to_json(*whole));
  EXPECT_TRUE(sliced.dataset_drift);
  EXPECT_EQ(sliced.number_of_drifted_columns, 1u);
  // start() refuses what compute_drift refuses, before any column is tested.
  DriftOptions bad;
  bad.stattest = "nope";
  EXPECT_FALSE(DriftTask::start(ref, cur, bad).is_ok());
}

TEST(DriftTest, ErrorsNameTheColumnOrTest) {
  auto ref = table({num_col("x", {1, 2, 3}), cat_col("s", {"a", "b", "c"})});
  auto cur = table({num_col("x", {1, 2, 4})});
  DriftOptions o;
  o.stattest = "anderson";
  auto r = compute_drift(ref, cur, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("unknown drift test 'anderson'"), std::string::npos);
  EXPECT_NE(r.status().message().find("ks, chisquare, z"), std::string::npos);

  o = DriftOptions();
  o.columns = {"x", "s"};
  r = compute_drift(ref, cur, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("column 's' is not in the current table"), std::string::npos);

  o = DriftOptions();
  o.per_column_stattest["x"] = "wasserstein";
  r = compute_drift(table({cat_col("x", {"a"})}), table({cat_col("x", {"b"})}), o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("test 'wasserstein' does not apply to the categorical column 'x'"),
            std::string::npos);

  r = compute_drift(table({num_col("x", {1, 2})}), table({cat_col("x", {"1", "2"})}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("column 'x' is numeric in the reference table but categorical"),
            std::string::npos);

  r = compute_drift(table({num_col("x", {NAN, NAN})}), table({num_col("x", {1})}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("column 'x' has no non-missing values in the reference table"),
            std::string::npos);

  o = DriftOptions();
  o.per_column_stattest["typo"] = "ks";
  r = compute_drift(table({num_col("x", {1, 2})}), table({num_col("x", {1})}), o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("'typo'"), std::string::npos);

  o = DriftOptions();
  o.drift_share = 1.5;
  EXPECT_FALSE(compute_drift(table({num_col("x", {1})}), table({num_col("x", {1})}), o));
  o = DriftOptions();
  o.stattest_threshold = -1;
  EXPECT_FALSE(compute_drift(table({num_col("x", {1})}), table({num_col("x", {1})}), o));
}

TEST(DriftTest, ColumnSelectionAndKinds) {
  // Default: columns of the reference also in current; text columns skipped; a column only in
  // one table ignored. A numeric column listed as categorical is compared as categories.
  auto ref = table({num_col("n", {1, 2, 3, 4}), cat_col("t", {"x y", "y z", "a b", "c"}, data::ColumnType::kText),
                    num_col("only_ref", {1, 1, 1, 1}), num_col("code", {1, 1, 2, 2})});
  auto cur = table({num_col("code", {2, 2, 2}), num_col("n", {1, 2, 3}),
                    cat_col("t", {"x y", "q", "r"}, data::ColumnType::kText)});
  auto r = compute_drift(ref, cur);
  ASSERT_TRUE(r) << r.status().to_string();
  ASSERT_EQ(r->columns.size(), 2u);
  EXPECT_EQ(r->columns[0].column, "n");
  EXPECT_EQ(r->columns[1].column, "code");
  EXPECT_EQ(r->columns[1].type, "num");
  DriftOptions o;
  o.categorical_columns = {"code"};
  r = compute_drift(ref, cur, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->columns[1].type, "cat");
  EXPECT_EQ(r->columns[1].histogram.categories, (std::vector<std::string>{"2", "1"}));
  // An explicitly requested text column is refused with a hint.
  o = DriftOptions();
  o.columns = {"t"};
  auto bad = compute_drift(ref, cur, o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("free text"), std::string::npos);
  // ...unless it is listed as categorical.
  o.categorical_columns = {"t"};
  r = compute_drift(ref, cur, o);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->columns[0].type, "cat");
}

TEST(DriftTest, CategoricalHistogramCapsCategories) {
  std::vector<std::string> ref, cur;
  for (int k = 0; k < 25; ++k) {
    ref.insert(ref.end(), size_t(30 - k), "c" + std::to_string(k));
    cur.insert(cur.end(), size_t(30 - k), "c" + std::to_string(k));
  }
  DriftOptions o;
  o.max_histogram_categories = 20;
  auto r = compute_drift(table({cat_col("c", ref)}), table({cat_col("c", cur)}), o);
  ASSERT_TRUE(r) << r.status().to_string();
  const auto& h = only(*r).histogram;
  ASSERT_EQ(h.categories.size(), 20u);
  EXPECT_EQ(h.categories.front(), "c0");
  EXPECT_EQ(h.other_categories, 5u);
  EXPECT_EQ(h.other_reference_count, size_t(10 + 9 + 8 + 7 + 6));  // c20..c24
  EXPECT_EQ(h.other_current_count, size_t(10 + 9 + 8 + 7 + 6));
  EXPECT_FALSE(only(*r).drifted);  // identical samples: chi2 = 0, p = 1
  EXPECT_EQ(*only(*r).p_value, 1.0);
}

TEST(DriftTest, JsonHasExactlyTheCliKeysAndRoundTrips) {
  auto ref = table({cat_col("c", repeat({{"a", 10}, {"b", 10}, {"c", 10}})), num_col("n", std::vector<double>(30, 1.5))});
  auto cur = table({cat_col("c", repeat({{"a", 5}, {"b", 5}, {"c", 5}, {"d", 5}})), num_col("n", std::vector<double>(20, 2.5))});
  auto r = compute_drift(ref, cur);
  ASSERT_TRUE(r) << r.status().to_string();
  const json j = drift_report_to_json(*r);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"columns", "dataset_drift", "drift_share", "drift_share_threshold",
                                            "number_of_columns", "number_of_drifted_columns", "warnings"}));
  const json& c0 = j.at("columns").at(0);
  for (const char* k : {"column", "type", "test", "statistic", "p_value", "threshold", "drifted"}) {
    EXPECT_TRUE(c0.contains(k)) << k;
  }
  EXPECT_EQ(c0.at("statistic"), "inf");  // chi-square with a new category
  EXPECT_TRUE(j.at("columns").at(1).at("effect_size").is_number());

  // Round trip through text, as a plain report and as a stored record.
  for (const json& doc : {j, drift_report_to_record(*r)}) {
    auto back = drift_report_from_json(json::parse(doc.dump()));
    ASSERT_TRUE(back) << back.status().to_string();
    EXPECT_EQ(drift_report_to_json(*back), j);
    EXPECT_TRUE(std::isinf(back->columns[0].statistic));
    EXPECT_EQ(back->columns[0].warnings, r->columns[0].warnings);
    EXPECT_EQ(back->columns[1].histogram.edges, r->columns[1].histogram.edges);
  }
  json newer = drift_report_to_record(*r);
  newer["schema_version"] = 2;
  auto refused = drift_report_from_json(newer);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("schema_version 2"), std::string::npos);
  json broken = j;
  broken["columns"][0].erase("drifted");
  EXPECT_FALSE(drift_report_from_json(broken));
}

// Issue 9: a column holding both 1e308 and -1e308 aborted the process (std::length_error).
TEST(DriftTest, ColumnSpanningDoublesWholeRangeIsCompared) {
  std::vector<double> ref, cur;
  for (int i = 0; i < 40; ++i) {
    ref.push_back(i % 2 ? 1e308 : -1e308);
    cur.push_back(i % 3 ? double(i) : -1e308);
  }
  ref.push_back(5);  // more than 20 distinct values: binned over the whole range
  for (int i = 0; i < 25; ++i) ref.push_back(double(i) * 1e300);
  for (const char* test : {"ks", "psi", "wasserstein", "jensenshannon", "kl_div"}) {
    DriftOptions o;
    o.stattest = test;
    auto r = compute_drift(table({num_col("x", ref)}), table({num_col("x", cur)}), o);
    ASSERT_TRUE(r) << test << ": " << r.status().to_string();
    const auto& c = only(*r);
    ASSERT_FALSE(c.histogram.edges.empty());
    for (double e : c.histogram.edges) EXPECT_TRUE(std::isfinite(e)) << test;
    EXPECT_EQ(c.histogram.edges.front(), -1e308);
    EXPECT_EQ(c.histogram.edges.back(), 1e308);
  }
}

// Issue 9: a current table lacking reference columns was compared on the shared ones without a word.
TEST(DriftTest, ReferenceColumnsMissingFromCurrentAreReported) {
  auto ref = table({num_col("a", std::vector<double>(30, 1.0)), num_col("b", std::vector<double>(30, 2.0)),
                    num_col("c", std::vector<double>(30, 3.0))});
  auto cur = table({num_col("a", std::vector<double>(30, 1.0))});
  auto r = compute_drift(ref, cur);
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->number_of_columns, 1u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0], "the current table lacks 2 reference columns, not compared: 'b', 'c'");
  const json j = drift_report_to_json(*r);
  EXPECT_EQ(j.at("warnings"), json::array({r->warnings[0]}));
  auto back = drift_report_from_json(drift_report_to_record(*r));
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_EQ(back->warnings, r->warnings);
  // Nothing missing: no warning.
  auto same = compute_drift(ref, ref);
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->warnings.empty());
}

}  // namespace
}  // namespace mllab::monitoring

namespace mllab::monitoring {
namespace {

// Each column says why its test was chosen: Evidently's default rule (by kind, unique values and
// reference size) or the option that named it; the reason survives the JSON round trip.
TEST(DriftTestReason, SaysWhichEvidentlyRuleOrOptionChoseTheTest) {
  std::vector<double> many, few, two, big;
  for (int i = 0; i < 40; ++i) {
    many.push_back(i);
    few.push_back(i % 4);
    two.push_back(i % 2);
  }
  for (int i = 0; i < 1200; ++i) big.push_back(i % 50);
  auto small = compute_drift(
      table({num_col("many", many), num_col("few", few), num_col("two", two),
             cat_col("cat3", repeat({{"a", 20}, {"b", 10}, {"c", 10}})), cat_col("cat2", repeat({{"a", 20}, {"b", 20}}))}),
      table({num_col("many", many), num_col("few", few), num_col("two", two),
             cat_col("cat3", repeat({{"a", 20}, {"b", 10}, {"c", 10}})), cat_col("cat2", repeat({{"a", 20}, {"b", 20}}))}));
  ASSERT_TRUE(small) << small.status().to_string();
  ASSERT_EQ(small->columns.size(), 5u);
  EXPECT_EQ(small->columns[0].test_reason, "numerical, > 5 unique values, reference <= 1000 rows -> ks");
  EXPECT_EQ(small->columns[1].test_reason, "numerical, 3-5 unique values, reference <= 1000 rows -> chisquare");
  EXPECT_EQ(small->columns[2].test_reason, "numerical, <= 2 unique values, reference <= 1000 rows -> z");
  EXPECT_EQ(small->columns[3].test_reason, "categorical, > 2 categories, reference <= 1000 rows -> chisquare");
  EXPECT_EQ(small->columns[4].test_reason, "categorical, <= 2 categories, reference <= 1000 rows -> z");

  auto large = compute_drift(table({num_col("x", big)}), table({num_col("x", many)}));
  ASSERT_TRUE(large) << large.status().to_string();
  EXPECT_EQ(only(*large).test, "wasserstein");
  EXPECT_EQ(only(*large).test_reason, "numerical, > 5 unique values, reference > 1000 rows -> wasserstein");

  DriftOptions o;
  o.stattest = "psi";
  auto chosen = compute_drift(table({num_col("x", many)}), table({num_col("x", many)}), o);
  ASSERT_TRUE(chosen) << chosen.status().to_string();
  EXPECT_EQ(only(*chosen).test_reason, "chosen by the option stattest");
  auto back = drift_report_from_json(json::parse(drift_report_to_json(*chosen).dump()));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->columns[0].test_reason, "chosen by the option stattest");
}

}  // namespace
}  // namespace mllab::monitoring

namespace mllab::monitoring {
namespace {

TEST(DriftVerdictTest, SaysHowManyColumnsDriftedAgainstTheShare) {
  DriftReport r;
  r.number_of_columns = 8;
  r.number_of_drifted_columns = 3;
  r.drift_share = 0.375;
  r.drift_share_threshold = 0.5;
  EXPECT_EQ(dataset_verdict(r), "Drift detected in 3 of 8 columns (share 0.38 < 0.5): dataset drift not detected");
  r.number_of_drifted_columns = 4;
  r.drift_share = 0.5;
  r.dataset_drift = true;
  EXPECT_EQ(dataset_verdict(r), "Drift detected in 4 of 8 columns (share 0.5 >= 0.5): dataset drift detected");
}

}  // namespace
}  // namespace mllab::monitoring

// Data drift reports between a reference and a current table, with the semantics of Evidently's
// legacy DataDriftPreset (ANCHORS.md §1(e)):
//
// Per column, missing values (NaN, +-inf, missing / empty strings) are dropped first and counted.
// The test, unless chosen (per column > num_/cat_stattest > stattest), is Evidently's default:
//   reference rows <= 1000: numerical with > 5 unique values (reference ∪ current) -> "ks",
//     3..5 -> "chisquare", <= 2 -> "z"; categorical > 2 -> "chisquare", <= 2 -> "z";
//   reference rows > 1000: numerical > 5 unique -> "wasserstein", otherwise "jensenshannon";
//     categorical -> "jensenshannon".
// Tests (name: kinds, default threshold, drift rule, statistic):
//   ks            num       0.05  p <= t   D of scipy's ks_2samp(reference, current), auto method
//   chisquare     num, cat  0.05  p < t    scipy chisquare(current counts, reference counts *
//                                          n_cur / n_ref) over the bins below (no zero filling)
//   z             num, cat  0.05  p < t    pooled two-proportion z of "not the smallest value"
//   wasserstein   num       0.1   s >= t   wasserstein_distance / max(np.std(reference), 0.001)
//                                          (population std, ddof 0, as Evidently's np.std on a
//                                          Series; checked in pandas' nanvar: ddof=0 passed)
//   jensenshannon num, cat  0.1   s >= t   JS distance (natural log) of the binned fractions
//   psi           num, cat  0.1   s >= t   sum (r - c) ln(r / c) of the zero-filled fractions
//   kl_div        num, cat  0.1   s >= t   scipy.stats.entropy(r, c) of the zero-filled fractions
// Bins (Evidently's get_binned_data): a numerical column with > 20 unique reference values gets
// numpy "sturges" edges over reference + current; otherwise one bin per value of the union.
// Zero fractions are replaced (psi, kl_div only) by 0.0001, or by min_nonzero / 1e6 when the
// smallest non-zero fraction is <= 0.0001.
// Thresholds: per_column_stattest_threshold > num_/cat_stattest_threshold > stattest_threshold >
// the test's default. (Evidently returns "no threshold" for a column missing from a non-empty
// per-column map; here it falls through to the next level instead.)
// Evidently refuses chisquare / z for numerical columns when named explicitly; they are allowed
// here (they are its defaults for numerical columns with few values anyway).
// Dataset drift: share = drifted / compared columns; dataset_drift = share >= drift_share.
//
// Effect sizes (p-value tests only, so a significant but tiny change can be recognised):
//   ks -> "ks_d": the D statistic; chisquare -> "cramers_v": Cramér's V of the 2 x bins table of
//   reference and current counts; z -> "cohens_h": |2 asin sqrt(p_ref) - 2 asin sqrt(p_cur)|
//   (Cohen's h rather than the raw proportion difference: it is scale-free, with the usual
//   0.2 / 0.5 / 0.8 readings).
// Warnings (strings in the column result), raised when:
//   - a sample has fewer than 30 rows (p-value tests: "the test has little power"; distances:
//     "the distance is noisy");
//   - a p-value test flags drift but the effect is negligible: D < 0.04 (about a 0.1 standard
//     deviation shift of a normal, the size the wasserstein default flags), V < 0.1, h < 0.2
//     (Cohen's "small"), e.g. "p-value test on 100000 + 100000 rows flags a negligible effect
//     (D = 0.004)";
//   - the share of missing values differs by more than 5 points between the samples;
//   - infinite values were dropped;
//   - the current sample has categories the reference lacks;
//   - chisquare has an expected count below 1, or more than 20% below 5 (Cochran);
//   - the column is constant in both samples;
//   - wasserstein's reference std is below 0.001 (the 0.001 floor divides the distance).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/util/status.hpp"

namespace mllab::monitoring {

// Options of compute_drift (DataDriftPreset's knobs).
struct DriftOptions {
  // Dataset drift when the share of drifted columns is >= this.
  double drift_share = 0.5;
  // Test for every column (a name of drift_test_names()), unless a narrower option names one.
  std::optional<std::string> stattest;
  // Test for numerical columns.
  std::optional<std::string> num_stattest;
  // Test for categorical columns.
  std::optional<std::string> cat_stattest;
  // Test per column name.
  std::map<std::string, std::string> per_column_stattest;
  // Threshold for every column.
  std::optional<double> stattest_threshold;
  // Threshold for numerical columns.
  std::optional<double> num_stattest_threshold;
  // Threshold for categorical columns.
  std::optional<double> cat_stattest_threshold;
  // Threshold per column name.
  std::map<std::string, double> per_column_stattest_threshold;
  // Columns to compare, in this order; empty = every numeric or categorical column of the
  // reference that the current table also has (text columns are skipped: text drift is not
  // implemented). A listed column missing from either table is an error naming it.
  std::vector<std::string> columns;
  // Columns compared as categories (numeric values become their shortest text).
  std::vector<std::string> categorical_columns;
  // Columns compared as numbers (they must be numeric in both tables).
  std::vector<std::string> numerical_columns;
  // Categories shown in a categorical histogram; the rest are summed into "other".
  size_t max_histogram_categories = 20;
};

// The distributions of one column, ready to draw. Numerical: `edges` (bins + 1 edges shared by
// both samples) and the counts per bin. Categorical: `categories` (most frequent first, at most
// max_histogram_categories) and the counts per category, with the remaining categories summed in
// the other_* fields.
struct DriftHistogram {
  std::vector<double> edges;
  std::vector<std::string> categories;
  std::vector<size_t> reference_counts;
  std::vector<size_t> current_counts;
  size_t other_categories = 0;
  size_t other_reference_count = 0;
  size_t other_current_count = 0;
};

// The drift result of one column.
struct ColumnDrift {
  std::string column;
  std::string type;                    // "num" | "cat"
  std::string test;                    // "ks", "chisquare", "z", "wasserstein", ...
  // Why this test: Evidently's default rule that picked it ("numerical, > 5 unique values,
  // reference <= 1000 rows -> ks") or the option that named it ("chosen by the option stattest").
  std::string test_reason;
  double statistic = 0;                // D, chi2, z, or the distance
  std::optional<double> p_value;       // only for p-value tests (ks, chisquare, z)
  double threshold = 0;
  bool drifted = false;
  size_t n_reference = 0;              // non-missing values tested
  size_t n_current = 0;
  size_t missing_reference = 0;        // values dropped as missing
  size_t missing_current = 0;
  std::optional<double> effect_size;   // p-value tests only
  std::string effect_size_name;        // "ks_d" | "cramers_v" | "cohens_h" | ""
  std::vector<std::string> warnings;
  DriftHistogram histogram;
};

// The drift of a whole table.
struct DriftReport {
  bool dataset_drift = false;
  double drift_share = 0;             // measured share of drifted columns
  double drift_share_threshold = 0.5;
  size_t number_of_columns = 0;
  size_t number_of_drifted_columns = 0;
  std::vector<ColumnDrift> columns;
  // What the report leaves out, one sentence each: reference columns the current table lacks,
  // free-text columns skipped.
  std::vector<std::string> warnings;
};

// The test names compute_drift accepts.
std::vector<std::string> drift_test_names();
// Compares `current` with `reference` column by column. Errors name the offending column or
// option: a listed column missing from a table, a column whose types differ between the tables,
// a column with no non-missing values, an unknown test name, a test that does not apply to the
// column's kind, a bad threshold or drift_share.
Result<DriftReport> compute_drift(const data::Table& reference, const data::Table& current,
                                  const DriftOptions& options = {});

// compute_drift a column at a time, for a job that must not hold a frame: start() checks the
// options and picks the columns (with compute_drift's errors), step() tests the next column,
// finish() gives the report. compute_drift is start, every step, finish, so both give the same
// report. The task borrows the tables: they must outlive it and stay unchanged.
class DriftTask {
 public:
  static Result<DriftTask> start(const data::Table& reference, const data::Table& current,
                                 const DriftOptions& options = {});
  bool done() const { return next_ == names_.size(); }
  size_t num_columns() const { return names_.size(); }
  size_t columns_done() const { return next_; }
  // The column the next step tests ("" once done).
  const std::string& next_column() const;
  // Tests the next column; an error names it.
  Status step();
  // The report, once done().
  DriftReport finish();

 private:
  DriftTask() = default;
  const data::Table* reference_ = nullptr;
  const data::Table* current_ = nullptr;
  DriftOptions options_;
  std::vector<std::string> names_;
  size_t next_ = 0;
  DriftReport report_;
};

// The dataset verdict for a person: "Drift detected in 3 of 8 columns (share 0.38 < 0.5):
// dataset drift not detected" (share and threshold with at most 2 decimals).
std::string dataset_verdict(const DriftReport& report);

// Rows [floor(n * from_pct / 100), floor(n * to_pct / 100)) of `table`, in order: "rows 0-50%"
// and "50-100%" of a dataset are its first and second halves. Errors: a range outside 0..100
// or empty (from >= to), or one holding no rows of this table.
Result<data::Table> row_range(const data::Table& table, double from_pct, double to_pct);

// The report as the CLI prints it: exactly the keys dataset_drift, drift_share, columns,
// number_of_columns, number_of_drifted_columns, drift_share_threshold, warnings. Each column holds
// column, type, test, test_reason, statistic, p_value (null without one), threshold, drifted, n_reference,
// n_current, missing_reference, missing_current, effect_size (null), effect_size_name, warnings,
// histogram. Non-finite numbers (a chi-square of inf) are written as the strings "inf", "-inf",
// "nan".
nlohmann::json drift_report_to_json(const DriftReport& report);
// The report as a stored record: drift_report_to_json plus "schema": "mllab.drift_report" and
// "schema_version": 1.
nlohmann::json drift_report_to_record(const DriftReport& report);
// Reads a report back from drift_report_to_json or drift_report_to_record output; refuses a
// newer schema_version (naming it) and malformed documents (naming the field).
Result<DriftReport> drift_report_from_json(const nlohmann::json& json);

}  // namespace mllab::monitoring

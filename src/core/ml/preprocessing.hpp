// Preprocessing steps with scikit-learn 1.2's semantics: SimpleImputer (numeric and string
// columns), MinMaxScaler, OneHotEncoder (string columns, sparse output) and the sparse path of
// StandardScaler(with_mean=False) used after TfidfVectorizer.
#pragma once

#include <string>
#include <vector>

#include "core/data/table.hpp"
#include "core/ml/model.hpp"

namespace mllab::ml {

// Replaces missing values (missing_values = NaN; for string columns, Column::missing) with a
// per-column statistic: strategy "mean" | "median" | "most_frequent" | "constant" (fill_value;
// null means 0 for numeric and "missing_value" for string columns). most_frequent ties go to
// the smallest value (byte order for strings), as sklearn. Columns without any observed value
// are dropped from the output (sklearn's warning case) unless strategy is "constant" or
// keep_empty_features is true (then they are filled with 0, or "0" for strings).
// Two entry points sharing one fitted state:
//   - fit / transform on a dense Matrix (all columns numeric; NaN = missing, inf rejected);
//   - fit_columns / transform_columns on data::Column lists, mixing numeric columns (any
//     strategy) and categorical / text columns (most_frequent or constant only).
class SimpleImputer : public Transformer {
 public:
  // The parameter table: strategy ("mean"), fill_value (null | number | string),
  // keep_empty_features (false).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted imputer; throws mllab::Error on invalid params.
  explicit SimpleImputer(const json& params = json::object());

  // "SimpleImputer".
  std::string type() const override { return "SimpleImputer"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Learns one statistic per column of `x` (NaN = missing).
  void fit(const Matrix& x) override;
  // `x` with NaNs replaced; columns without statistic dropped (see above).
  Matrix transform(const Matrix& x) const override;
  // Learns one statistic per column (numeric or string columns, in order).
  void fit_columns(const std::vector<data::Column>& columns);
  // The columns with missing values filled (same names and types; dropped columns removed).
  std::vector<data::Column> transform_columns(const std::vector<data::Column>& columns) const;
  // True after a fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"n_features", "kinds": ["numeric" | "string"], "statistics": [number | string | null]}
  // (null: a column without observed values).
  json state() const override;
  // Restores a state written by state().
  Status load_state(const json& state) override;

  // Per-column numeric statistic (NaN for string columns and columns without statistic).
  const Vector& statistics() const { return statistics_; }
  // Per-column string statistic ("" for numeric columns).
  const std::vector<std::string>& string_statistics() const { return string_statistics_; }
  // Per column: true when it has a statistic (so it is kept in the output).
  const std::vector<bool>& valid() const { return valid_; }

 private:
  void check_fitted(const char* method) const;
  // Fits one numeric column from its values (NaN = missing).
  void fit_numeric(size_t j, const std::vector<double>& values);
  // Fits one string column from its non-missing values.
  void fit_string(size_t j, const data::Column& column);
  void reset(size_t n_features);

  json params_;
  std::string strategy_;
  bool keep_empty_features_ = false;
  bool fitted_ = false;
  std::vector<bool> is_string_;
  std::vector<bool> valid_;
  Vector statistics_;
  std::vector<std::string> string_statistics_;
};

// Scales each feature to feature_range (default [0, 1]): x * scale_ + min_ with
// scale_ = (max - min of the range) / (data_max - data_min) (1 for a range below 10 eps) and
// min_ = range_min - data_min * scale_; clip (false) clips transformed values to the range.
// As sklearn, NaN counts as missing: data_min_ / data_max_ are np.nanmin / np.nanmax (an
// all-NaN column gets NaN statistics) and transform keeps NaN (also with clip); infinite
// values are rejected (naming the column and row).
class MinMaxScaler : public Transformer {
 public:
  // The parameter table: feature_range ([0, 1]; min < max), clip (false).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted scaler; throws mllab::Error on invalid params.
  explicit MinMaxScaler(const json& params = json::object());

  // "MinMaxScaler".
  std::string type() const override { return "MinMaxScaler"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Learns data_min_, data_max_, data_range_, scale_, min_ from the rows of `x` (NaN skipped).
  void fit(const Matrix& x) override;
  // Scales `x` (same column count as at fit); NaN stays NaN.
  Matrix transform(const Matrix& x) const override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"n_features", "data_min", "data_max", "data_range", "scale", "min"} (NaN written as null).
  json state() const override;
  // Restores a state written by state() (null read as NaN).
  Status load_state(const json& state) override;

  // Per-feature minimum seen at fit.
  const Vector& data_min() const { return data_min_; }
  // Per-feature maximum seen at fit.
  const Vector& data_max() const { return data_max_; }
  // Per-feature data_max - data_min.
  const Vector& data_range() const { return data_range_; }
  // Per-feature multiplier.
  const Vector& scale() const { return scale_; }
  // Per-feature offset added after scaling.
  const Vector& min() const { return min_; }

 private:
  void check_fitted(const char* method) const;

  json params_;
  double range_min_ = 0.0;
  double range_max_ = 1.0;
  bool clip_ = false;
  bool fitted_ = false;
  Vector data_min_, data_max_, data_range_, scale_, min_;
};

// StandardScaler(with_mean=False).fit on sparse input, as sklearn (mean_variance_axis over all
// rows, implicit zeros included; population variance; near-constant features get scale 1).
// Returns scale_ (all ones when with_std is false); `mean` / `var` receive mean_ / var_ when
// not null. Stored NaN values are ignored, as sklearn (each column's statistics over its non-NaN
// rows). Throws mllab::Error for an empty matrix or infinite values.
Vector scaler_fit_sparse(const SparseMatrix& x, bool with_std, Vector* mean = nullptr,
                         Vector* var = nullptr);
// StandardScaler(with_mean=False).transform on sparse input: every stored value of column j
// times 1 / scale(j) (sklearn's inplace_column_scale; NaN stays NaN). `scale` must have
// x.cols() entries.
SparseMatrix scale_sparse(const SparseMatrix& x, const Vector& scale);

// Encodes string (categorical / text) columns as one-hot blocks: categories "auto" (the sorted
// distinct values of each column, a missing value being one more category, "nan", placed last
// as sklearn does for np.nan), drop null, sparse output, handle_unknown "error" (an unknown
// value throws, naming the column and the value) or "ignore" (all-zero block).
class OneHotEncoder {
 public:
  // The parameter table: categories ("auto"), drop (null only), handle_unknown ("error").
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted encoder; throws mllab::Error on invalid params.
  explicit OneHotEncoder(const json& params = json::object());

  // "OneHotEncoder".
  std::string type() const { return "OneHotEncoder"; }
  // The resolved parameters.
  const json& params() const { return params_; }
  // Learns the categories of each column (categorical or text; numeric is an error).
  void fit(const std::vector<data::Column>& columns);
  // One row per input row, one column per (column, category), in feature_names_out() order.
  SparseMatrix transform(const std::vector<data::Column>& columns) const;
  // fit, then transform.
  SparseMatrix fit_transform(const std::vector<data::Column>& columns);
  // True after fit or load_state.
  bool is_fitted() const { return fitted_; }
  // {"columns": [names], "categories": [[values]], "has_missing": [bool]}.
  json state() const;
  // Restores a state written by state().
  Status load_state(const json& state);

  // Sorted categories per column (without the missing category).
  const std::vector<std::vector<std::string>>& categories() const { return categories_; }
  // Per column: whether a missing value was seen at fit (an extra last category).
  const std::vector<bool>& has_missing() const { return has_missing_; }
  // "<column>_<category>" per output column (sklearn's get_feature_names_out; unnamed
  // columns are called x0, x1, ...; the missing category is "nan").
  std::vector<std::string> feature_names_out() const;
  // Number of output columns.
  int64_t n_features_out() const;

 private:
  void check_fitted(const char* method) const;

  json params_;
  bool ignore_unknown_ = false;
  bool fitted_ = false;
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> categories_;
  std::vector<bool> has_missing_;
};

}  // namespace mllab::ml

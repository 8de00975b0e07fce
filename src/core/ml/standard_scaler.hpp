// StandardScaler: standardize features by removing the mean and scaling to unit variance, with
// scikit-learn's semantics (population variance, ddof=0; constant features get scale 1).
#pragma once

#include <cstdint>
#include <vector>

#include "core/ml/model.hpp"

namespace mllab::ml {

// z = (x - mean_) / scale_ per column. Computes mean and variance with scikit-learn's
// two-pass algorithm in the same summation order, so mean_/var_/scale_ match it bit for bit.
// As scikit-learn, NaN counts as missing: the statistics ignore it (nanmean / nanvar, each
// column over its non-NaN rows) and transform keeps it NaN; a column that is all NaN gets NaN
// mean_, var_ and scale_ (scikit-learn also warns). Infinite values are rejected (naming the
// column and row).
class StandardScaler : public Transformer {
 public:
  // The parameter table: with_mean (bool, true), with_std (bool, true).
  static const std::vector<ParamSpec>& param_specs();
  // Creates an unfitted scaler; throws mllab::Error on invalid params.
  explicit StandardScaler(const json& params = json::object());

  // "StandardScaler".
  std::string type() const override { return "StandardScaler"; }
  // The resolved parameters.
  const json& params() const override { return params_; }
  // Learns mean_, var_, scale_ from the rows of `x` (at least one row; NaN skipped; infinity
  // rejected).
  void fit(const Matrix& x) override;
  // Standardizes `x` (same column count as at fit); NaN stays NaN.
  Matrix transform(const Matrix& x) const override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"n_features", "mean", "var", "scale"} (doubles round-trip exactly; NaN statistics of
  // all-NaN columns are written as null).
  json state() const override;
  // Restores a state written by state() (null read as NaN); validates its shape.
  Status load_state(const json& state) override;

  // Per-feature mean (computed even when with_mean is false, as scikit-learn).
  const Vector& mean() const { return mean_; }
  // Per-feature population variance.
  const Vector& var() const { return var_; }
  // Per-feature scale: sqrt(var_), 1 for constant features; all ones when with_std is false.
  const Vector& scale() const { return scale_; }
  // Number of features seen at fit.
  int n_features() const { return static_cast<int>(mean_.size()); }
  // Per-feature count of non-NaN values seen at fit (scikit-learn's n_samples_seen_ when X had
  // NaN); not part of state(), so empty after load_state.
  const std::vector<int64_t>& n_samples_seen() const { return n_samples_seen_; }

 private:
  void check_fitted(const char* method) const;

  json params_;
  bool with_mean_ = true;
  bool with_std_ = true;
  bool fitted_ = false;
  Vector mean_;
  Vector var_;
  Vector scale_;
  std::vector<int64_t> n_samples_seen_;
};

}  // namespace mllab::ml

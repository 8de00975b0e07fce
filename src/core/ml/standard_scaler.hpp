// StandardScaler: standardize features by removing the mean and scaling to unit variance, with
// scikit-learn's semantics (population variance, ddof=0; constant features get scale 1).
#pragma once

#include <vector>

#include "core/ml/model.hpp"

namespace mllab::ml {

// z = (x - mean_) / scale_ per column. Computes mean and variance with scikit-learn's
// two-pass algorithm in the same summation order, so mean_/var_/scale_ match it bit for bit.
// Unlike scikit-learn, NaN / infinite inputs are rejected (naming the column).
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
  // Learns mean_, var_, scale_ from the rows of `x` (at least one row, finite values).
  void fit(const Matrix& x) override;
  // Standardizes `x` (same column count as at fit).
  Matrix transform(const Matrix& x) const override;
  // True after fit or load_state.
  bool is_fitted() const override { return fitted_; }
  // {"n_features", "mean", "var", "scale"} (doubles round-trip exactly).
  json state() const override;
  // Restores a state written by state(); validates its shape.
  Status load_state(const json& state) override;

  // Per-feature mean (computed even when with_mean is false, as scikit-learn).
  const Vector& mean() const { return mean_; }
  // Per-feature population variance.
  const Vector& var() const { return var_; }
  // Per-feature scale: sqrt(var_), 1 for constant features; all ones when with_std is false.
  const Vector& scale() const { return scale_; }
  // Number of features seen at fit.
  int n_features() const { return static_cast<int>(mean_.size()); }

 private:
  void check_fitted(const char* method) const;

  json params_;
  bool with_mean_ = true;
  bool with_std_ = true;
  bool fitted_ = false;
  Vector mean_;
  Vector var_;
  Vector scale_;
};

}  // namespace mllab::ml

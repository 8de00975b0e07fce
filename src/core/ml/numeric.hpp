// Small numeric helpers shared by the ML code: numpy-compatible summation (so averages match
// scikit-learn bit for bit), shortest round-trip number formatting for messages, and input checks.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace mllab::ml {

// Sum of a[0..n) (elements `stride` apart) in numpy's order (pairwise summation in blocks of 8,
// as np.sum / np.add.reduce over a contiguous axis), so that means match numpy exactly.
double numpy_sum(const double* a, size_t n, size_t stride = 1);
// numpy_sum over a vector.
double numpy_sum(const std::vector<double>& v);
// np.mean: numpy_sum / n (NaN for an empty vector).
double numpy_mean(const std::vector<double>& v);

// Shortest text that parses back to exactly `x` ("1", "0.1", "1e-10", "nan", "inf").
std::string format_double(double x);

// Throws mllab::Error (kInvalidParameterValue) naming `who` and the first column (and row) of
// `x` holding NaN or infinity: "StandardScaler: X contains NaN in column 2 (row 7)".
void check_finite(const Eigen::MatrixXd& x, const std::string& who);

// As check_finite, but NaN (a missing value) passes, as scikit-learn's scalers check
// (force_all_finite="allow-nan"): "StandardScaler: X contains infinity in column 2 (row 7)".
void check_no_infinity(const Eigen::MatrixXd& x, const std::string& who);

// Throws mllab::Error (kInvalidParameterValue) with message `who + ": " + message`.
[[noreturn]] void throw_invalid(const std::string& who, const std::string& message);

}  // namespace mllab::ml

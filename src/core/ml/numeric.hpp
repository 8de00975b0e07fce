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

// out = x^T r (x.cols() x r.cols()): out(j, c) = sum_i x(i, j) r(i, c), summed in one fixed
// order (four interleaved partial sums, then (s0 + s1) + (s2 + s3)), so that native and wasm
// builds agree bit for bit; the wasm build does the same operations with 128-bit SIMD (Eigen
// 3.4 has no wasm SIMD: its transposed product runs ~7x slower there than natively).
Eigen::MatrixXd transpose_times(const Eigen::MatrixXd& x, const Eigen::MatrixXd& r);

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

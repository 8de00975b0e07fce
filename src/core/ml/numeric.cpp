#include "core/ml/numeric.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "core/util/status.hpp"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace mllab::ml {

// numpy/core/src/umath/loops_utils.h.src, pairwise_sum_DOUBLE: sequential below 8 elements,
// 8 interleaved accumulators up to 128, otherwise split in two halves (multiples of 8).
double numpy_sum(const double* a, size_t n, size_t stride) {
  constexpr size_t kBlock = 128;
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += a[i * stride];
    return res;
  }
  if (n <= kBlock) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = a[j * stride];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += a[(i + j) * stride];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i * stride];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_sum(a, n2, stride) + numpy_sum(a + n2 * stride, n - n2, stride);
}

double numpy_sum(const std::vector<double>& v) { return numpy_sum(v.data(), v.size()); }

double numpy_mean(const std::vector<double>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  return numpy_sum(v) / static_cast<double>(v.size());
}

std::string format_double(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

void check_finite(const Eigen::MatrixXd& x, const std::string& who) {
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      double v = x(i, j);
      if (!std::isfinite(v)) {
        throw_invalid(who, std::string("X contains ") + (std::isnan(v) ? "NaN" : "infinity") +
                               " in column " + std::to_string(j) + " (row " + std::to_string(i) +
                               ")");
      }
    }
  }
}

namespace {

// sum_i a[i] b[i] in transpose_times's order.
double dot4(const double* a, const double* b, Eigen::Index n) {
  Eigen::Index i = 0;
#ifdef __wasm_simd128__
  v128_t s01 = wasm_f64x2_splat(0.0), s23 = wasm_f64x2_splat(0.0);
  for (; i + 4 <= n; i += 4) {
    s01 = wasm_f64x2_add(s01, wasm_f64x2_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    s23 = wasm_f64x2_add(s23, wasm_f64x2_mul(wasm_v128_load(a + i + 2), wasm_v128_load(b + i + 2)));
  }
  double s0 = wasm_f64x2_extract_lane(s01, 0), s1 = wasm_f64x2_extract_lane(s01, 1);
  double s2 = wasm_f64x2_extract_lane(s23, 0), s3 = wasm_f64x2_extract_lane(s23, 1);
#else
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
#endif
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

Eigen::MatrixXd transpose_times(const Eigen::MatrixXd& x, const Eigen::MatrixXd& r) {
  Eigen::MatrixXd out(x.cols(), r.cols());
  for (Eigen::Index c = 0; c < r.cols(); ++c) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) out(j, c) = dot4(x.col(j).data(), r.col(c).data(), x.rows());
  }
  return out;
}

void check_no_infinity(const Eigen::MatrixXd& x, const std::string& who) {
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (std::isinf(x(i, j))) {
        throw_invalid(who, "X contains infinity in column " + std::to_string(j) + " (row " +
                               std::to_string(i) + ")");
      }
    }
  }
}

void throw_invalid(const std::string& who, const std::string& message) {
  throw Error(Status::invalid(who + ": " + message));
}

}  // namespace mllab::ml

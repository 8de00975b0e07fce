#include "core/ml/numeric.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "core/util/status.hpp"

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

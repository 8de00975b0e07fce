// Fixtures for the ML tests: reference JSON from tests/data and the bundled datasets from
// assets/datasets (read with a tiny all-numeric CSV parser, independent of the data layer).
#pragma once

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/util/status.hpp"

namespace mllab::ml::testing {

using json = nlohmann::json;

// Reads a file below the source tree, e.g. "tests/data/reference_values.json".
inline std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << relative;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses a JSON file below the source tree.
inline json load_json(const std::string& relative) {
  return json::parse(read_source_file(relative));
}

// A dataset with numeric features and an integer `target` column (the last one).
struct Dataset {
  std::vector<std::string> feature_names;
  Eigen::MatrixXd x;
  std::vector<int> y;
};

// Loads assets/datasets/<name>.csv (header row, numbers only, last column `target`).
inline Dataset load_dataset(const std::string& name) {
  std::istringstream in(read_source_file("assets/datasets/" + name + ".csv"));
  auto split = [](const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream ls(line);
    while (std::getline(ls, field, ',')) fields.push_back(field);
    return fields;
  };
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  Dataset d;
  d.feature_names = split(line);
  EXPECT_EQ(d.feature_names.back(), "target");
  d.feature_names.pop_back();
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<double> row;
    for (const auto& f : split(line)) row.push_back(std::stod(f));
    EXPECT_EQ(row.size(), d.feature_names.size() + 1);
    rows.push_back(std::move(row));
  }
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto p = static_cast<Eigen::Index>(d.feature_names.size());
  d.x.resize(n, p);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < p; ++j) d.x(i, j) = rows[i][j];
    d.y.push_back(static_cast<int>(rows[i][p]));
  }
  return d;
}

// Rows `idx` of `x`, in that order.
inline Eigen::MatrixXd take_rows(const Eigen::MatrixXd& x, const std::vector<size_t>& idx) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(idx.size()), x.cols());
  for (size_t i = 0; i < idx.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(idx[i]);
  return out;
}

// Entries `idx` of `y`, in that order.
inline std::vector<int> take(const std::vector<int>& y, const std::vector<size_t>& idx) {
  std::vector<int> out;
  for (size_t i : idx) out.push_back(y[i]);
  return out;
}

// A JSON array of numbers as a matrix (one row per inner array) or a column vector.
inline Eigen::MatrixXd json_matrix(const json& rows) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()),
                    static_cast<Eigen::Index>(rows[0].size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].size(); ++j) {
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j].get<double>();
    }
  }
  return m;
}

// |a - b| <= tol * max(1, |b|): absolute near zero, relative for large values.
// u(i, j) of the synthetic regression set in tests/data/tree_reference.json (its 'uniform').
inline double uniform(uint64_t i, uint64_t j, uint64_t salt) {
  uint64_t z = i * 0x9E3779B97F4A7C15ULL + j * 0xC2B2AE3D27D4EB4FULL + salt;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
}

// The 3000 x 6 synthetic regression set of tests/data/tree_reference.json (rows 0..1999 train).
inline void regression_set(Eigen::MatrixXd* x, Eigen::VectorXd* y) {
  const int n = 3000, d = 6;
  x->resize(n, d);
  y->resize(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) (*x)(i, j) = 2.0 * uniform(i, j, 777) - 1.0;
    const auto r = x->row(i);
    double v = 3.0 * r(0) * r(1);
    v = v + 2.0 * r(2) * r(2);
    v = v - r(3);
    v = v + 0.5 * (r(4) > 0 ? 1.0 : 0.0);
    v = v + 0.2 * (uniform(i, d, 777) - 0.5);
    (*y)(i) = v;
  }
}

// R² of predictions p for targets y.
inline double r2_score(const Eigen::VectorXd& y, const Eigen::VectorXd& p) {
  const double mean = y.mean();
  return 1.0 - (y - p).squaredNorm() / (y.array() - mean).square().sum();
}

// Fraction of equal entries.
inline double accuracy(const std::vector<int>& a, const std::vector<int>& b) {
  int ok = 0;
  for (size_t i = 0; i < a.size(); ++i) ok += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(ok) / static_cast<double>(a.size());
}

inline void expect_close(double a, double b, double tol, const std::string& what) {
  double scale = std::max(1.0, std::abs(b));
  EXPECT_LE(std::abs(a - b), tol * scale) << what << ": got " << a << ", expected " << b;
}

// Expects `fn` to throw mllab::Error whose message contains every string of `parts`.
template <typename Fn>
void expect_error(Fn fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected mllab::Error";
  } catch (const Error& e) {
    for (const auto& p : parts) {
      EXPECT_NE(e.status().message().find(p), std::string::npos)
          << "'" << p << "' not in: " << e.status().message();
    }
  }
}

}  // namespace mllab::ml::testing

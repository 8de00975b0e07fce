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
inline void expect_close(double a, double b, double tol, const std::string& what) {
  double scale = std::max(1.0, std::abs(b));
  EXPECT_LE(std::abs(a - b), tol * scale) << what << ": got " << a << ", expected " << b;
}

}  // namespace mllab::ml::testing

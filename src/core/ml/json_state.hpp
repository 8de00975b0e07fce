// Helpers for model state JSON: vectors and matrices as arrays of numbers (nlohmann/json writes
// doubles in shortest round-trip form and parses them back exactly), and checked reads that
// return a Status naming the missing or malformed field.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "core/util/status.hpp"

namespace mllab::ml {

// [v0, v1, ...].
nlohmann::json vector_to_json(const Eigen::VectorXd& v);
// [[row 0], [row 1], ...].
nlohmann::json matrix_to_json(const Eigen::MatrixXd& m);

// Reads integer field `key` of `obj`; errors are "`who`: missing or non-integer 'key'".
Result<int64_t> json_get_int(const nlohmann::json& obj, const std::string& key,
                             const std::string& who);
// Reads number-array field `key` of length `size` (any length if size < 0) into `out`.
// Reads obj[key] as ascending class indices below n_classes (a fitted classifier's classes).
Result<std::vector<int>> json_get_class_indices(const nlohmann::json& obj, const std::string& key,
                                                int64_t n_classes, const std::string& who);
Status json_get_vector(const nlohmann::json& obj, const std::string& key, int64_t size,
                       const std::string& who, Eigen::VectorXd* out);
// As json_get_vector, but null entries read as NaN (a statistic of an all-NaN column, which
// vector_to_json writes as null).
Status json_get_nullable_vector(const nlohmann::json& obj, const std::string& key, int64_t size,
                                const std::string& who, Eigen::VectorXd* out);
// Reads a `rows` x `cols` array of number arrays (field `key`) into `out`.
Status json_get_matrix(const nlohmann::json& obj, const std::string& key, int64_t rows,
                       int64_t cols, const std::string& who, Eigen::MatrixXd* out);

}  // namespace mllab::ml

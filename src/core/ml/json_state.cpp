#include "core/ml/json_state.hpp"

#include <limits>

namespace mllab::ml {

using json = nlohmann::json;

json vector_to_json(const Eigen::VectorXd& v) {
  json out = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) out.push_back(v(i));
  return out;
}

json matrix_to_json(const Eigen::MatrixXd& m) {
  json out = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) out.push_back(vector_to_json(m.row(i).transpose()));
  return out;
}

Result<int64_t> json_get_int(const json& obj, const std::string& key, const std::string& who) {
  if (!obj.is_object() || !obj.contains(key) || !obj.at(key).is_number_integer()) {
    return Status::invalid(who + ": missing or non-integer '" + key + "'");
  }
  return obj.at(key).get<int64_t>();
}

namespace {

// `null_is_nan`: null entries read as NaN (how nlohmann/json writes NaN).
Status read_numbers(const json& arr, int64_t size, const std::string& what, Eigen::VectorXd* out,
                    bool null_is_nan = false) {
  if (!arr.is_array()) return Status::invalid(what + " must be an array of numbers");
  if (size >= 0 && static_cast<int64_t>(arr.size()) != size) {
    return Status::invalid(what + " must have " + std::to_string(size) + " values (received " +
                           std::to_string(arr.size()) + ")");
  }
  Eigen::VectorXd v(static_cast<Eigen::Index>(arr.size()));
  for (size_t i = 0; i < arr.size(); ++i) {
    if (null_is_nan && arr[i].is_null()) {
      v(static_cast<Eigen::Index>(i)) = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    if (!arr[i].is_number()) return Status::invalid(what + " must be an array of numbers");
    v(static_cast<Eigen::Index>(i)) = arr[i].get<double>();
  }
  *out = std::move(v);
  return Status::ok();
}

}  // namespace

Status json_get_vector(const json& obj, const std::string& key, int64_t size,
                       const std::string& who, Eigen::VectorXd* out) {
  if (!obj.is_object() || !obj.contains(key)) {
    return Status::invalid(who + ": missing '" + key + "'");
  }
  return read_numbers(obj.at(key), size, who + ": '" + key + "'", out);
}

Status json_get_nullable_vector(const json& obj, const std::string& key, int64_t size,
                                const std::string& who, Eigen::VectorXd* out) {
  if (!obj.is_object() || !obj.contains(key)) {
    return Status::invalid(who + ": missing '" + key + "'");
  }
  return read_numbers(obj.at(key), size, who + ": '" + key + "'", out, true);
}

Status json_get_matrix(const json& obj, const std::string& key, int64_t rows, int64_t cols,
                       const std::string& who, Eigen::MatrixXd* out) {
  if (!obj.is_object() || !obj.contains(key)) {
    return Status::invalid(who + ": missing '" + key + "'");
  }
  const json& arr = obj.at(key);
  const std::string what = who + ": '" + key + "'";
  if (!arr.is_array() || static_cast<int64_t>(arr.size()) != rows) {
    return Status::invalid(what + " must be an array of " + std::to_string(rows) + " rows");
  }
  Eigen::MatrixXd m(rows, cols);
  for (int64_t i = 0; i < rows; ++i) {
    Eigen::VectorXd row;
    MLLAB_RETURN_IF_ERROR(
        read_numbers(arr[static_cast<size_t>(i)], cols, what + " row " + std::to_string(i), &row));
    m.row(i) = row.transpose();
  }
  *out = std::move(m);
  return Status::ok();
}

Result<std::vector<int>> json_get_class_indices(const nlohmann::json& obj, const std::string& key,
                                                int64_t n_classes, const std::string& who) {
  if (!obj.contains(key) || !obj.at(key).is_array()) return Status::invalid(who + ": missing '" + key + "'");
  std::vector<int> classes;
  for (const auto& c : obj.at(key)) {
    if (!c.is_number_integer()) return Status::invalid(who + ": '" + key + "' must be integers");
    int64_t v = c.get<int64_t>();
    if (v < 0 || v >= n_classes || (!classes.empty() && v <= classes.back())) {
      return Status::invalid(who + ": '" + key + "' must be ascending indices below n_classes");
    }
    classes.push_back(static_cast<int>(v));
  }
  return classes;
}

}  // namespace mllab::ml

#include "core/data/table_json.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/data/csv.hpp"

namespace mllab::data {

using json = nlohmann::json;

json row_to_json(const Table& table, size_t row) {
  json o = json::object();
  for (const auto& c : table.columns()) {
    if (c.is_missing(row)) o[c.name] = nullptr;
    else if (c.type == ColumnType::kNumeric) o[c.name] = c.numbers[row];
    else o[c.name] = c.strings[row];
  }
  return o;
}

json table_to_records(const Table& table) {
  json rows = json::array();
  for (size_t r = 0; r < table.num_rows(); ++r) rows.push_back(row_to_json(table, r));
  return rows;
}

json table_to_split(const Table& table, size_t max_rows) {
  json columns = json::array();
  for (const auto& c : table.columns()) columns.push_back(c.name);
  json rows = json::array();
  const size_t n = std::min(max_rows, table.num_rows());
  for (size_t i = 0; i < n; ++i) {
    json row = json::array();
    for (const auto& c : table.columns()) {
      if (c.is_missing(i)) row.push_back(nullptr);
      else if (c.type == ColumnType::kNumeric) row.push_back(c.numbers[i]);
      else row.push_back(c.strings[i]);
    }
    rows.push_back(std::move(row));
  }
  return {{"columns", columns}, {"data", rows}};
}

Result<Column> column_from_json_values(const std::string& name, const std::vector<const json*>& values) {
  bool numeric = true;
  for (size_t i = 0; i < values.size(); ++i) {
    const json* v = values[i];
    if (!v || v->is_null() || v->is_number()) continue;
    if (v->is_string() || v->is_boolean()) {
      numeric = false;
      continue;
    }
    return Status::invalid("column '" + name + "' row " + std::to_string(i + 1) + " holds " + v->type_name() +
                           "; expected a number, a string, true / false or null");
  }
  Column c;
  c.name = name;
  if (numeric) {
    c.type = ColumnType::kNumeric;
    c.numbers.reserve(values.size());
    for (const json* v : values) c.numbers.push_back(!v || v->is_null() ? std::nan("") : v->get<double>());
    return c;
  }
  c.type = ColumnType::kCategorical;
  c.strings.reserve(values.size());
  c.missing.reserve(values.size());
  for (const json* v : values) {
    if (!v || v->is_null()) {
      c.strings.emplace_back();
      c.missing.push_back(1);
      continue;
    }
    c.strings.push_back(v->is_string() ? v->get<std::string>()
                        : v->is_boolean() ? std::string(v->get<bool>() ? "true" : "false")
                                          : format_number(v->get<double>()));
    c.missing.push_back(0);
  }
  if (infer_column_type(c.strings, c.missing) == ColumnType::kText) c.type = ColumnType::kText;
  return c;
}

Result<Table> table_from_records(const json& records) {
  if (!records.is_array()) return Status::invalid("records must be a list of objects");
  std::vector<std::string> columns;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!records[i].is_object()) {
      return Status::invalid("record " + std::to_string(i + 1) + " is " + records[i].type_name() + ", not an object {column: value}");
    }
    for (const auto& [k, v] : records[i].items()) {
      if (index.emplace(k, columns.size()).second) columns.push_back(k);
    }
  }
  Table t;
  for (const auto& name : columns) {
    std::vector<const json*> values;
    values.reserve(records.size());
    for (const auto& row : records) {
      auto it = row.find(name);
      values.push_back(it == row.end() ? nullptr : &*it);
    }
    auto col = column_from_json_values(name, values);
    if (!col) return col.status();
    MLLAB_RETURN_IF_ERROR(t.add_column(std::move(col).value()));
  }
  return t;
}

Result<Table> table_from_split(const std::vector<std::string>& columns, const json& rows) {
  if (!rows.is_array()) return Status::invalid("data must be a list of rows");
  const size_t k = columns.size();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].is_array() || rows[i].size() != k) {
      return Status::invalid("row " + std::to_string(i + 1) + " must be an array of " + std::to_string(k) + " values");
    }
  }
  Table t;
  for (size_t j = 0; j < k; ++j) {
    std::vector<const json*> values;
    values.reserve(rows.size());
    for (const auto& row : rows) values.push_back(&row[j]);
    auto col = column_from_json_values(columns[j], values);
    if (!col) return col.status();
    MLLAB_RETURN_IF_ERROR(t.add_column(std::move(col).value()));
  }
  return t;
}

}  // namespace mllab::data

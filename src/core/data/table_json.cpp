#include "core/data/table_json.hpp"

#include <algorithm>
#include <cmath>

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

Result<Table> table_from_records(const json& records) {
  if (!records.is_array()) return Status::invalid("records must be a list of objects");
  std::vector<std::string> columns;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!records[i].is_object()) return Status::invalid("record " + std::to_string(i) + " is not an object");
    for (const auto& [k, v] : records[i].items()) {
      if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
    }
  }
  Table t;
  for (const auto& name : columns) {
    Column col;
    col.name = name;
    bool numeric = true;
    for (const auto& row : records) {
      if (row.contains(name) && !row[name].is_null() && !row[name].is_number()) numeric = false;
    }
    col.type = numeric ? ColumnType::kNumeric : ColumnType::kCategorical;
    for (const auto& row : records) {
      const bool missing = !row.contains(name) || row[name].is_null();
      if (numeric) {
        col.numbers.push_back(missing ? std::nan("") : row[name].get<double>());
      } else {
        col.missing.push_back(missing ? 1 : 0);
        col.strings.push_back(missing ? "" : row[name].is_string() ? row[name].get<std::string>() : row[name].dump());
      }
    }
    MLLAB_RETURN_IF_ERROR(t.add_column(std::move(col)));
  }
  return t;
}

}  // namespace mllab::data

// A columnar table: numeric, categorical and text columns with missing values.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "core/util/status.hpp"

namespace mllab::data {

// What a column holds. Categorical and text columns both store strings; text is free-form
// (sentences, reviews) and is what vectorizers consume.
enum class ColumnType { kNumeric, kCategorical, kText };

// "numeric" | "categorical" | "text".
const char* column_type_name(ColumnType type);
// Parses a column type name; an error names the value.
Result<ColumnType> parse_column_type(const std::string& name);

// A number as the shortest text that reads back to the same double, like std::to_chars: fixed
// or scientific notation, whichever is shorter ("0.1", "3", "1e-05", "1e+20", "-0"); "" for NaN,
// "inf" / "-inf" for infinities. The same text natively and in wasm.
std::string format_number(double value);

// One column. Numeric columns use `numbers` (NaN = missing); string columns use `strings`
// with `missing[i] != 0` marking a missing value (its string is empty).
struct Column {
  std::string name;
  ColumnType type = ColumnType::kNumeric;
  std::vector<double> numbers;
  std::vector<std::string> strings;
  std::vector<unsigned char> missing;

  // Number of rows.
  size_t size() const { return type == ColumnType::kNumeric ? numbers.size() : strings.size(); }
  // True when row `i` is missing.
  bool is_missing(size_t i) const {
    return type == ColumnType::kNumeric ? std::isnan(numbers[i]) : missing[i] != 0;
  }
  // Count of missing values.
  size_t missing_count() const;
  // The value of row `i` as text ("" when missing; numbers printed shortest round-trip).
  std::string value_string(size_t i) const;
};

// A table of equally long, uniquely named columns.
class Table {
 public:
  // Adds a column; fails if the name is taken, its length differs from the table's, or a
  // string column's `missing` is not as long as its `strings`.
  Status add_column(Column column);
  // Number of rows (0 for a table without columns).
  size_t num_rows() const { return columns_.empty() ? 0 : columns_.front().size(); }
  // Number of columns.
  size_t num_columns() const { return columns_.size(); }
  // All columns, in order.
  const std::vector<Column>& columns() const { return columns_; }
  // Column `i` (i < num_columns()).
  const Column& column(size_t i) const { return columns_[i]; }
  // Index of the column named `name`, or -1.
  int find(const std::string& name) const;
  // The column named `name`, or nullptr.
  const Column* column(const std::string& name) const;
  // A new table with the given rows (in that order; each must be < num_rows()).
  Table take_rows(const std::vector<size_t>& rows) const;
  // A new table without the named column (a copy when there is no such column).
  Table drop_column(const std::string& name) const;

 private:
  std::vector<Column> columns_;
};

}  // namespace mllab::data

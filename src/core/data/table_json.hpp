// Tables as JSON, the one home for rows <-> Table in the CLI, lab_api (window.mllab), the JS API
// and the scoring server: records like pandas' to_json(orient="records") and pandas' "split"
// orient. Numbers as numbers, strings as strings, missing values as null.
//
// JSON booleans, one rule everywhere: true / false become the text "true" / "false" in a
// string column, exactly what read_csv makes of the same cells, so a row sent as JSON gives the
// Table the same row gives in a CSV file (the lab's models, feature groups and drift references
// are built from CSV). Read as 1 / 0 they would make a number nobody sent and turn a column a
// CSV-trained model saw as categories into a numeric one. A model's signature decides the rest
// (registry::table_from_records_json / table_from_split_json + conform_input): a "boolean"
// column reads them as 1 / 0; any other typed column refuses a JSON boolean naming column, row
// and value ("column 'size' expects double, got boolean (true in row 2)").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/util/status.hpp"

namespace mllab::data {

// Row `row` as an object {column: value | null}.
nlohmann::json row_to_json(const Table& table, size_t row);
// Every row, as a list of row objects.
nlohmann::json table_to_records(const Table& table);
// A table from a list of row objects: columns in first-seen order, absent keys and nulls
// missing; a column is built by column_from_json_values. An error names the record (1-based)
// and the column.
Result<Table> table_from_records(const nlohmann::json& records);

// The first `max_rows` rows in pandas "split" orient: {"columns": [...], "data": [[...], ...]}.
nlohmann::json table_to_split(const Table& table, size_t max_rows = SIZE_MAX);
// A table from column names and rows of values (pandas "split"); errors name the row (1-based)
// and the column: "column 'x' row 3 holds object; expected a number, a string, true / false or
// null", "row 2 must be an array of 4 values".
Result<Table> table_from_split(const std::vector<std::string>& columns, const nlohmann::json& rows);

// One column from its JSON values (null = missing): numeric when every present value is a
// number, else a string column (categorical, or text by infer_column_type) holding strings as
// they are, numbers as format_number and booleans as "true" / "false". A value of another
// kind (object, list) is refused naming the column and the 1-based row.
Result<Column> column_from_json_values(const std::string& name, const std::vector<const nlohmann::json*>& values);

}  // namespace mllab::data

// Tables as JSON records, like pandas' to_json(orient="records"): numbers as numbers, strings as
// strings, missing values as null.
#pragma once

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/util/status.hpp"

namespace mllab::data {

// Row `row` as an object {column: value | null}.
nlohmann::json row_to_json(const Table& table, size_t row);
// Every row, as a list of row objects.
nlohmann::json table_to_records(const Table& table);
// A table from a list of row objects: columns in first-seen order, a column numeric when every
// present value is a number (else categorical; other values as their JSON text), absent keys and
// nulls missing. An error names the offending record.
Result<Table> table_from_records(const nlohmann::json& records);

}  // namespace mllab::data

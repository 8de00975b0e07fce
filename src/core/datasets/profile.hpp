// Dataset profiles and cleaning steps: what a dataset version records about its content, and the
// recorded transformations that derive one version from another (its lineage).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/util/status.hpp"

namespace mllab::datasets {

// Per-column summary like pandas' describe(): {"num_rows", "columns": [{name, type, count,
// missing, unique, and min / max / mean / std (sample, ddof 1) for numbers or top: [{value, count}]
// (the 10 most frequent, ties by value) for strings}]}.
nlohmann::json profile_table(const data::Table& table);

// One cleaning step, as recorded in lineage. `op` is one of:
//   drop_columns {columns}            select_columns {columns}     rename {columns: {old: new}}
//   drop_missing {columns (default all)}                           drop_duplicates {}
//   fill_missing {column, value | strategy: mean|median|most_frequent}
//   filter {column, operator: == != < <= > >=, value}  keeps matching rows (missing never match)
//   flag {column, operator, value, as}  adds a 0/1 column "as" (missing where column is missing),
//                                       e.g. a binary target: damage != "None".
//   set_type {column, type: numeric|categorical|text}  changes how a column is read: strings to
//                                       numbers (every value must parse; an error names the row
//                                       and value), numbers to strings (shortest round-trip text),
//                                       categorical <-> text. The version's schema keeps the type.
// Comparisons are numeric for numeric columns (value must be a number) and textual otherwise.
struct CleaningStep {
  nlohmann::json doc;
};

// Parses and checks a list of steps (a JSON array); errors name the step index and the field.
Result<std::vector<CleaningStep>> parse_cleaning_steps(const nlohmann::json& steps);

// Applies the steps in order; errors name the step and the missing column or bad value.
Result<data::Table> apply_cleaning_steps(const data::Table& table, const std::vector<CleaningStep>& steps);

// Applies a stored version's schema ({"columns": [{"name", "type"}]}) to a table read back from
// its CSV bytes: columns whose recorded type differs from the inferred one are converted like
// set_type (a set_type step survives storage). Unknown columns and types are ignored.
Status apply_schema_types(data::Table& table, const nlohmann::json& schema);

// The schema of a table: {"columns": [{"name", "type"}]}.
nlohmann::json table_schema(const data::Table& table);

// numpy.histogram(values, bins) of a numeric column's non-missing values: `bins` equal-width
// bins from min to max (the last bin includes max; a single distinct value v gives the range
// v - 0.5 .. v + 0.5, as numpy does). Empty when the column has no values.
struct Histogram {
  std::vector<double> edges;   // bins + 1 edges
  std::vector<double> counts;  // bins counts
};
Histogram numeric_histogram(const data::Column& column, int bins = 20);

}  // namespace mllab::datasets

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
// Comparisons are numeric for numeric columns (value must be a number) and textual otherwise.
struct CleaningStep {
  nlohmann::json doc;
};

// Parses and checks a list of steps (a JSON array); errors name the step index and the field.
Result<std::vector<CleaningStep>> parse_cleaning_steps(const nlohmann::json& steps);

// Applies the steps in order; errors name the step and the missing column or bad value.
Result<data::Table> apply_cleaning_steps(const data::Table& table, const std::vector<CleaningStep>& steps);

}  // namespace mllab::datasets

// What the Data workspace's cleaning forms decide: the list of cleaning operations with their
// labels and help, a step's JSON built from a form's typed fields (values typed as the column,
// errors naming the field), and a step described in one line for the lineage view.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/util/status.hpp"

namespace mllab::datasets {

// One cleaning operation the forms offer (the ops of profile.hpp).
struct CleaningOp {
  const char* op;     // "drop_columns", ...
  const char* label;  // "Drop columns"
  const char* help;   // one line
};
const std::vector<CleaningOp>& cleaning_ops();

// A cleaning form's fields, as typed. Which fields an op reads:
//   drop_columns / select_columns: columns          drop_missing: columns (empty = all)
//   rename: column, new_name                        drop_duplicates: -
//   fill_missing: column, strategy ("value" | mean | median | most_frequent), value
//   filter: column, comparison, value               flag: column, comparison, value, as
//   set_type: column, type
struct CleaningForm {
  std::string op;
  std::vector<std::string> columns;
  std::string column;
  std::string new_name;
  std::string comparison = "==";
  std::string value;
  std::string strategy = "value";
  std::string as;
  std::string type;
};

// The step for `form` over `table`: the columns must exist; a value compared with or filled into
// a numeric column must be a number (it is stored as a JSON number), otherwise it stays text.
// Errors name the field and the value.
Result<nlohmann::json> cleaning_step_from_form(const data::Table& table, const CleaningForm& form);

// One line for a step: `filter speed > 100`, `drop_columns a, b`, `rename a -> b`.
std::string describe_cleaning_step(const nlohmann::json& step);

}  // namespace mllab::datasets

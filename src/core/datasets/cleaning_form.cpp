#include "core/datasets/cleaning_form.hpp"

#include "core/data/csv.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::datasets {
namespace {
using json = nlohmann::json;

Status need_column(const data::Table& t, const std::string& field, const std::string& name) {
  if (name.empty()) return Status::invalid(field + ": pick a column");
  if (!t.column(name)) return Status::invalid(field + ": no column '" + quote_for_message(name) + "'");
  return Status::ok();
}

// The value typed for a column: a number for a numeric column (an error otherwise), else text.
Result<json> typed_value(const data::Table& t, const std::string& column, const std::string& text) {
  const data::Column* c = t.column(column);
  if (c->type == data::ColumnType::kNumeric) {
    double v = 0;
    if (!data::parse_number(text, &v)) {
      return Status::invalid("value: column '" + quote_for_message(column) + "' is numeric; '" +
                             quote_for_message(text) + "' is not a number");
    }
    return json(v);
  }
  return json(text);
}
}  // namespace

const std::vector<CleaningOp>& cleaning_ops() {
  static const std::vector<CleaningOp> ops = {
      {"drop_columns", "Drop columns", "Remove the chosen columns"},
      {"select_columns", "Select columns", "Keep only the chosen columns, in that order"},
      {"rename", "Rename column", "Give a column a new name"},
      {"drop_missing", "Drop missing", "Remove rows with a missing value in the chosen columns (none chosen: any column)"},
      {"fill_missing", "Fill missing", "Replace a column's missing values by a value, or its mean / median / most frequent value"},
      {"filter", "Filter rows", "Keep the rows where the comparison holds (missing values never match)"},
      {"flag", "Flag", "Add a 0/1 column that is 1 where the comparison holds (e.g. a binary target)"},
      {"drop_duplicates", "Deduplicate", "Remove rows equal to an earlier row"},
      {"set_type", "Set column type", "Read a column as numeric, categorical or text"},
  };
  return ops;
}

Result<json> cleaning_step_from_form(const data::Table& t, const CleaningForm& f) {
  json s = {{"op", f.op}};
  if (f.op == "drop_columns" || f.op == "select_columns" || f.op == "drop_missing") {
    if (f.columns.empty() && f.op != "drop_missing") return Status::invalid("columns: pick at least one column");
    for (const auto& c : f.columns) MLLAB_RETURN_IF_ERROR(need_column(t, "columns", c));
    if (!f.columns.empty()) s["columns"] = f.columns;
    return s;
  }
  if (f.op == "drop_duplicates") return s;
  if (f.op == "rename") {
    MLLAB_RETURN_IF_ERROR(need_column(t, "column", f.column));
    if (f.new_name.empty()) return Status::invalid("new name: type the column's new name");
    if (f.new_name != f.column && t.column(f.new_name)) {
      return Status::invalid("new name: a column named '" + quote_for_message(f.new_name) + "' exists already");
    }
    s["columns"] = {{f.column, f.new_name}};
    return s;
  }
  if (f.op == "fill_missing") {
    MLLAB_RETURN_IF_ERROR(need_column(t, "column", f.column));
    s["column"] = f.column;
    if (f.strategy == "value") {
      auto v = typed_value(t, f.column, f.value);
      if (!v) return v.status();
      s["value"] = *v;
      return s;
    }
    if (f.strategy != "mean" && f.strategy != "median" && f.strategy != "most_frequent") {
      return Status::invalid("strategy: '" + quote_for_message(f.strategy) + "' is not value, mean, median or most_frequent");
    }
    if (f.strategy != "most_frequent" && t.column(f.column)->type != data::ColumnType::kNumeric) {
      return Status::invalid("strategy: " + f.strategy + " needs a numeric column; '" + quote_for_message(f.column) +
                             "' holds strings (use most_frequent or a value)");
    }
    s["strategy"] = f.strategy;
    return s;
  }
  if (f.op == "filter" || f.op == "flag") {
    MLLAB_RETURN_IF_ERROR(need_column(t, "column", f.column));
    static const char* kOps[] = {"==", "!=", "<", "<=", ">", ">="};
    bool known = false;
    for (const char* o : kOps) known = known || f.comparison == o;
    if (!known) return Status::invalid("comparison: '" + quote_for_message(f.comparison) + "' is not one of == != < <= > >=");
    auto v = typed_value(t, f.column, f.value);
    if (!v) return v.status();
    s["column"] = f.column;
    s["operator"] = f.comparison;
    s["value"] = *v;
    if (f.op == "flag") {
      if (f.as.empty()) return Status::invalid("new column: type the name of the 0/1 column to add");
      if (t.column(f.as)) return Status::invalid("new column: a column named '" + quote_for_message(f.as) + "' exists already");
      s["as"] = f.as;
    }
    return s;
  }
  if (f.op == "set_type") {
    MLLAB_RETURN_IF_ERROR(need_column(t, "column", f.column));
    if (!data::parse_column_type(f.type)) {
      return Status::invalid("type: '" + quote_for_message(f.type) + "' is not numeric, categorical or text");
    }
    s["column"] = f.column;
    s["type"] = f.type;
    return s;
  }
  return Status::invalid("operation: unknown cleaning operation '" + quote_for_message(f.op) + "'");
}

std::string describe_cleaning_step(const json& s) {
  if (!s.is_object() || !s.contains("op") || !s["op"].is_string()) return s.dump();
  const std::string op = s["op"];
  auto text = [](const json& v) {
    if (v.is_string()) return "\"" + v.get<std::string>() + "\"";
    return v.is_number() ? data::format_number(v.get<double>()) : v.dump();
  };
  auto list = [](const json& v) {
    std::string out;
    if (!v.is_array()) return out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + (x.is_string() ? x.get<std::string>() : x.dump());
    return out;
  };
  try {
    if (op == "drop_columns" || op == "select_columns") return op + " " + list(s.at("columns"));
    if (op == "drop_missing") return s.contains("columns") ? op + " " + list(s["columns"]) : op + " (any column)";
    if (op == "drop_duplicates") return op;
    if (op == "rename") {
      std::string out = op;
      for (const auto& [k, v] : s.at("columns").items()) out += " " + k + " -> " + v.get<std::string>();
      return out;
    }
    if (op == "fill_missing") {
      return op + " " + s.at("column").get<std::string>() + " with " +
             (s.contains("strategy") ? s["strategy"].get<std::string>() : text(s.at("value")));
    }
    if (op == "filter") return op + " " + s.at("column").get<std::string>() + " " + s.at("operator").get<std::string>() + " " + text(s.at("value"));
    if (op == "flag") {
      return op + " " + s.at("as").get<std::string>() + " = " + s.at("column").get<std::string>() + " " +
             s.at("operator").get<std::string>() + " " + text(s.at("value"));
    }
    if (op == "set_type") return op + " " + s.at("column").get<std::string>() + " " + s.at("type").get<std::string>();
  } catch (const json::exception&) {
  }
  return s.dump();
}

}  // namespace mllab::datasets

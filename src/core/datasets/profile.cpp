#include "core/datasets/profile.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/data/csv.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::datasets {
namespace {

using json = nlohmann::json;
using data::Column;
using data::ColumnType;

json column_profile(const Column& c) {
  const size_t n = c.size();
  const size_t missing = c.missing_count();
  json p = {{"name", c.name}, {"type", data::column_type_name(c.type)}, {"count", n - missing},
            {"missing", missing}};
  if (c.type == ColumnType::kNumeric) {
    std::vector<double> v;
    v.reserve(n);
    for (double x : c.numbers) if (!std::isnan(x)) v.push_back(x);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    p["unique"] = size_t(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
    if (v.empty()) {
      for (const char* k : {"min", "max", "mean", "std"}) p[k] = nullptr;
      return p;
    }
    double sum = 0;
    for (double x : v) sum += x;
    const double mean = sum / double(v.size());
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    p["min"] = sorted.front();
    p["max"] = *std::max_element(v.begin(), v.end());
    p["mean"] = mean;
    p["std"] = v.size() > 1 ? json(std::sqrt(ss / double(v.size() - 1))) : json(nullptr);
    return p;
  }
  std::map<std::string, size_t> counts;
  for (size_t i = 0; i < n; ++i) if (!c.is_missing(i)) ++counts[c.strings[i]];
  p["unique"] = counts.size();
  std::vector<std::pair<std::string, size_t>> top(counts.begin(), counts.end());
  std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  json t = json::array();
  for (size_t i = 0; i < top.size() && i < 10; ++i) t.push_back({{"value", top[i].first}, {"count", top[i].second}});
  p["top"] = t;
  return p;
}

std::string where(size_t index, const json& step) {
  return "cleaning step " + std::to_string(index + 1) + " (" + step.value("op", std::string("?")) + ")";
}

const std::set<std::string> kOperators = {"==", "!=", "<", "<=", ">", ">="};

Status check_step(size_t i, const json& s) {
  if (!s.is_object() || !s.contains("op") || !s["op"].is_string()) {
    return Status::invalid("cleaning step " + std::to_string(i + 1) + " must be an object with a string \"op\"");
  }
  const std::string op = s["op"];
  auto need = [&](const char* field, bool ok) {
    return ok ? Status::ok() : Status::invalid(where(i, s) + ": \"" + field + "\" is missing or has the wrong type");
  };
  auto string_list = [&](const char* field) {
    bool ok = s.contains(field) && s[field].is_array() && !s[field].empty();
    if (ok) for (const auto& v : s[field]) ok = ok && v.is_string();
    return need(field, ok);
  };
  if (op == "drop_columns" || op == "select_columns") return string_list("columns");
  if (op == "drop_missing") return s.contains("columns") ? string_list("columns") : Status::ok();
  if (op == "drop_duplicates") return Status::ok();
  if (op == "rename") {
    bool ok = s.contains("columns") && s["columns"].is_object() && !s["columns"].empty();
    if (ok) for (const auto& [k, v] : s["columns"].items()) ok = ok && v.is_string() && !v.get<std::string>().empty();
    return need("columns", ok);
  }
  if (op == "fill_missing") {
    MLLAB_RETURN_IF_ERROR(need("column", s.contains("column") && s["column"].is_string()));
    if (s.contains("strategy")) {
      const json& st = s["strategy"];
      if (!st.is_string() || (st != "mean" && st != "median" && st != "most_frequent")) {
        return Status::invalid(where(i, s) + ": strategy must be mean, median or most_frequent (got " + st.dump() + ")");
      }
      return Status::ok();
    }
    return need("value", s.contains("value") && (s["value"].is_string() || s["value"].is_number()));
  }
  if (op == "set_type") {
    MLLAB_RETURN_IF_ERROR(need("column", s.contains("column") && s["column"].is_string()));
    if (!s.contains("type") || !s["type"].is_string() || !data::parse_column_type(s["type"].get<std::string>())) {
      return Status::invalid(where(i, s) + ": type must be numeric, categorical or text");
    }
    return Status::ok();
  }
  if (op == "filter" || op == "flag") {
    MLLAB_RETURN_IF_ERROR(need("column", s.contains("column") && s["column"].is_string()));
    if (!s.contains("operator") || !s["operator"].is_string() || !kOperators.count(s["operator"])) {
      return Status::invalid(where(i, s) + ": operator must be one of == != < <= > >=");
    }
    MLLAB_RETURN_IF_ERROR(need("value", s.contains("value") && (s["value"].is_string() || s["value"].is_number())));
    if (op == "flag") return need("as", s.contains("as") && s["as"].is_string() && !s["as"].get<std::string>().empty());
    return Status::ok();
  }
  return Status::invalid("cleaning step " + std::to_string(i + 1) + ": unknown op '" + op +
                         "' (expected drop_columns, select_columns, rename, drop_missing, drop_duplicates, "
                         "fill_missing, filter, flag or set_type)");
}

Result<const Column*> column_of(const data::Table& t, size_t i, const json& s, const std::string& name) {
  const Column* c = t.column(name);
  if (!c) return Status::invalid(where(i, s) + ": no column '" + name + "'");
  return c;
}

// Row-wise comparison of a column with a value; nullopt where the column is missing.
Result<std::vector<int>> compare(const Column& c, size_t i, const json& s) {
  const std::string op = s["operator"];
  const json& value = s["value"];
  std::vector<int> out(c.size(), -1);
  auto test = [&](auto a, auto b) {
    return op == "==" ? a == b : op == "!=" ? a != b : op == "<" ? a < b : op == "<=" ? a <= b : op == ">" ? a > b : a >= b;
  };
  if (c.type == ColumnType::kNumeric) {
    if (!value.is_number()) {
      return Status::invalid(where(i, s) + ": column '" + c.name + "' is numeric; compare it with a number, not " + value.dump());
    }
    const double v = value.get<double>();
    for (size_t r = 0; r < c.size(); ++r) if (!std::isnan(c.numbers[r])) out[r] = test(c.numbers[r], v);
  } else {
    const std::string v = value.is_string() ? value.get<std::string>() : data::format_number(value.get<double>());
    for (size_t r = 0; r < c.size(); ++r) if (!c.missing[r]) out[r] = test(c.strings[r], v);
  }
  return out;
}

Result<data::Table> with_column(const data::Table& t, Column replacement) {
  data::Table out;
  bool replaced = false;
  for (const auto& c : t.columns()) {
    if (c.name == replacement.name) { MLLAB_RETURN_IF_ERROR(out.add_column(replacement)); replaced = true; }
    else MLLAB_RETURN_IF_ERROR(out.add_column(c));
  }
  if (!replaced) MLLAB_RETURN_IF_ERROR(out.add_column(std::move(replacement)));
  return out;
}

// Column `c` read as `type`; `context` starts error messages.
Result<Column> convert_column(const Column& c, ColumnType type, const std::string& context) {
  if (c.type == type) return c;
  Column out;
  out.name = c.name;
  out.type = type;
  if (type == ColumnType::kNumeric) {
    out.numbers.resize(c.size());
    for (size_t r = 0; r < c.size(); ++r) {
      double v = std::nan("");
      if (!c.missing[r] && !data::parse_number(c.strings[r], &v)) {
        return Status::invalid(context + ": column '" + c.name + "' cannot be numeric: row " + std::to_string(r + 1) +
                               " holds '" + quote_for_message(c.strings[r], 60) + "', not a number");
      }
      out.numbers[r] = c.missing[r] ? std::nan("") : v;
    }
    return out;
  }
  if (c.type == ColumnType::kNumeric) {
    out.strings.resize(c.size());
    out.missing.resize(c.size());
    for (size_t r = 0; r < c.size(); ++r) {
      out.missing[r] = std::isnan(c.numbers[r]) ? 1 : 0;
      if (!out.missing[r]) out.strings[r] = data::format_number(c.numbers[r]);
    }
    return out;
  }
  out.strings = c.strings;
  out.missing = c.missing;
  return out;
}

Result<data::Table> apply_step(const data::Table& t, size_t i, const json& s) {
  const std::string op = s["op"];
  if (op == "set_type") {
    auto c = column_of(t, i, s, s["column"]);
    if (!c) return c.status();
    auto converted = convert_column(**c, data::parse_column_type(s["type"].get<std::string>()).value(), where(i, s));
    if (!converted) return converted.status();
    return with_column(t, std::move(converted).value());
  }
  if (op == "drop_columns" || op == "select_columns") {
    std::set<std::string> names;
    for (const auto& n : s["columns"]) {
      MLLAB_RETURN_IF_ERROR(column_of(t, i, s, n).status());
      names.insert(n);
    }
    data::Table out;
    if (op == "select_columns") {
      for (const auto& n : s["columns"]) MLLAB_RETURN_IF_ERROR(out.add_column(*t.column(n.get<std::string>())));
    } else {
      for (const auto& c : t.columns()) if (!names.count(c.name)) MLLAB_RETURN_IF_ERROR(out.add_column(c));
    }
    return out;
  }
  if (op == "rename") {
    for (const auto& [from, to] : s["columns"].items()) MLLAB_RETURN_IF_ERROR(column_of(t, i, s, from).status());
    data::Table out;
    for (auto c : t.columns()) {
      if (s["columns"].contains(c.name)) c.name = s["columns"][c.name];
      Status st = out.add_column(std::move(c));
      if (!st.is_ok()) return Status::invalid(where(i, s) + ": " + st.message());
    }
    return out;
  }
  if (op == "drop_missing" || op == "drop_duplicates" || op == "filter") {
    std::vector<size_t> keep;
    if (op == "drop_missing") {
      std::vector<const Column*> cols;
      if (s.contains("columns")) {
        for (const auto& n : s["columns"]) {
          auto c = column_of(t, i, s, n);
          if (!c) return c.status();
          cols.push_back(*c);
        }
      } else {
        for (const auto& c : t.columns()) cols.push_back(&c);
      }
      for (size_t r = 0; r < t.num_rows(); ++r) {
        if (std::none_of(cols.begin(), cols.end(), [&](const Column* c) { return c->is_missing(r); })) keep.push_back(r);
      }
    } else if (op == "drop_duplicates") {
      std::set<std::vector<std::string>> seen;
      for (size_t r = 0; r < t.num_rows(); ++r) {
        std::vector<std::string> row;
        for (const auto& c : t.columns()) row.push_back(c.is_missing(r) ? std::string("\x01") : c.value_string(r));
        if (seen.insert(std::move(row)).second) keep.push_back(r);
      }
    } else {
      auto c = column_of(t, i, s, s["column"]);
      if (!c) return c.status();
      auto match = compare(**c, i, s);
      if (!match) return match.status();
      for (size_t r = 0; r < t.num_rows(); ++r) if ((*match)[r] == 1) keep.push_back(r);
    }
    return t.take_rows(keep);
  }
  if (op == "fill_missing") {
    auto found = column_of(t, i, s, s["column"]);
    if (!found) return found.status();
    Column c = **found;
    if (c.type == ColumnType::kNumeric) {
      double fill = 0;
      if (s.contains("strategy")) {
        std::vector<double> v;
        for (double x : c.numbers) if (!std::isnan(x)) v.push_back(x);
        if (v.empty()) return Status::invalid(where(i, s) + ": column '" + c.name + "' has no values to compute a fill from");
        std::sort(v.begin(), v.end());
        const std::string st = s["strategy"];
        if (st == "mean") { double sum = 0; for (double x : v) sum += x; fill = sum / double(v.size()); }
        else if (st == "median") fill = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
        else {
          // most_frequent: the smallest of the most frequent values (scikit-learn's tie rule).
          size_t best = 0;
          for (size_t a = 0; a < v.size();) {
            size_t b = a;
            while (b < v.size() && v[b] == v[a]) ++b;
            if (b - a > best) { best = b - a; fill = v[a]; }
            a = b;
          }
        }
      } else if (s["value"].is_number()) {
        fill = s["value"].get<double>();
      } else {
        return Status::invalid(where(i, s) + ": column '" + c.name + "' is numeric; the fill value must be a number, not " + s["value"].dump());
      }
      for (double& x : c.numbers) if (std::isnan(x)) x = fill;
    } else {
      std::string fill;
      if (s.contains("strategy")) {
        if (s["strategy"] != "most_frequent") {
          return Status::invalid(where(i, s) + ": column '" + c.name + "' holds strings; only most_frequent applies");
        }
        std::map<std::string, size_t> counts;
        for (size_t r = 0; r < c.size(); ++r) if (!c.missing[r]) ++counts[c.strings[r]];
        size_t best = 0;
        for (const auto& [v, n] : counts) if (n > best) { best = n; fill = v; }
        if (counts.empty()) return Status::invalid(where(i, s) + ": column '" + c.name + "' has no values to compute a fill from");
      } else {
        fill = s["value"].is_string() ? s["value"].get<std::string>() : data::format_number(s["value"].get<double>());
      }
      for (size_t r = 0; r < c.size(); ++r) {
        if (c.missing[r]) { c.missing[r] = 0; c.strings[r] = fill; }
      }
    }
    return with_column(t, std::move(c));
  }
  // flag
  auto c = column_of(t, i, s, s["column"]);
  if (!c) return c.status();
  auto match = compare(**c, i, s);
  if (!match) return match.status();
  Column flag;
  flag.name = s["as"];
  flag.type = ColumnType::kNumeric;
  for (int m : *match) flag.numbers.push_back(m < 0 ? std::nan("") : double(m));
  return with_column(t, std::move(flag));
}

}  // namespace

json profile_table(const data::Table& table) {
  json cols = json::array();
  for (const auto& c : table.columns()) cols.push_back(column_profile(c));
  return {{"num_rows", table.num_rows()}, {"columns", cols}};
}

Result<std::vector<CleaningStep>> parse_cleaning_steps(const json& steps) {
  if (!steps.is_array()) return Status::invalid("cleaning steps must be a JSON array");
  std::vector<CleaningStep> out;
  for (size_t i = 0; i < steps.size(); ++i) {
    MLLAB_RETURN_IF_ERROR(check_step(i, steps[i]));
    out.push_back({steps[i]});
  }
  return out;
}

Result<data::Table> apply_cleaning_steps(const data::Table& table, const std::vector<CleaningStep>& steps) {
  data::Table cur = table;
  for (size_t i = 0; i < steps.size(); ++i) {
    MLLAB_RETURN_IF_ERROR(check_step(i, steps[i].doc));
    auto next = apply_step(cur, i, steps[i].doc);
    if (!next) return next.status();
    cur = std::move(next).value();
  }
  return cur;
}

Status apply_schema_types(data::Table& table, const json& schema) {
  if (!schema.is_object() || !schema.contains("columns") || !schema["columns"].is_array()) return Status::ok();
  for (const auto& c : schema["columns"]) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() || !c.contains("type") || !c["type"].is_string()) continue;
    auto type = data::parse_column_type(c["type"].get<std::string>());
    const Column* col = table.column(c["name"].get<std::string>());
    if (!type || !col || col->type == *type) continue;
    auto converted = convert_column(*col, *type, "the stored schema");
    if (!converted) return converted.status();
    auto next = with_column(table, std::move(converted).value());
    if (!next) return next.status();
    table = std::move(next).value();
  }
  return Status::ok();
}

json table_schema(const data::Table& table) {
  json cols = json::array();
  for (const auto& c : table.columns()) cols.push_back({{"name", c.name}, {"type", data::column_type_name(c.type)}});
  return {{"columns", cols}};
}

Histogram numeric_histogram(const Column& column, int bins) {
  Histogram h;
  if (column.type != ColumnType::kNumeric || bins < 1) return h;
  double lo = INFINITY, hi = -INFINITY;
  size_t n = 0;
  for (double x : column.numbers) {
    if (std::isnan(x)) continue;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    ++n;
  }
  if (n == 0) return h;
  if (lo == hi) { lo -= 0.5; hi += 0.5; }
  h.edges.resize(size_t(bins) + 1);
  // numpy: np.linspace(first_edge, last_edge, bins + 1)
  const double step = (hi - lo) / bins;
  for (int b = 0; b <= bins; ++b) h.edges[size_t(b)] = lo + step * b;
  h.edges.back() = hi;
  h.counts.assign(size_t(bins), 0);
  for (double x : column.numbers) {
    if (std::isnan(x)) continue;
    // numpy computes the bin from the scaled value, then corrects with the edges.
    auto b = int64_t((x - lo) / (hi - lo) * bins);
    if (b >= bins) b = bins - 1;
    if (b < 0) b = 0;
    if (x < h.edges[size_t(b)]) --b;
    else if (b + 1 < bins && x >= h.edges[size_t(b) + 1]) ++b;
    h.counts[size_t(b)] += 1;
  }
  return h;
}

}  // namespace mllab::datasets

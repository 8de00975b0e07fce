#include "core/registry/predict_input.hpp"

#include <set>

#include "core/data/csv.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::registry {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

bool all_numbers(const std::vector<std::string>& values) {
  for (const auto& v : values) {
    double d;
    if (!data::parse_number(v, &d)) return false;
  }
  return !values.empty();
}

}  // namespace

Result<data::Table> parse_typed_rows(const std::string& text, const ModelDoc& doc) {
  std::vector<std::string> ls = lines(text);
  std::vector<std::string> nonblank;
  for (const auto& l : ls) {
    if (!trim(l).empty()) nonblank.push_back(trim(l));
  }
  if (nonblank.empty()) return Status::invalid("typed rows: nothing typed (type CSV with a header, or one sentence per line)");
  if (doc.signature && doc.signature->inputs.size() == 1 && doc.signature->inputs[0].type == "string" &&
      nonblank.front() != doc.signature->inputs[0].name) {
    data::Column c;
    c.name = doc.signature->inputs[0].name;
    c.type = data::ColumnType::kText;
    c.strings = nonblank;
    c.missing.assign(nonblank.size(), 0);
    data::Table t;
    Status st = t.add_column(std::move(c));
    if (!st.is_ok()) return st;
    return t;
  }
  data::CsvOptions opts;
  opts.source = "typed rows";
  auto t = data::read_csv(text, opts);
  if (!t) return t.status();
  if (t->num_rows() == 0) return Status::invalid("typed rows: a header but no rows (add one line per row below the header)");
  return t;
}

Result<nlohmann::json> parse_actual(const std::string& text, const ModelDoc& doc) {
  const std::string v = trim(text);
  const std::string target = doc.target.empty() ? std::string() : " '" + doc.target + "'";
  if (v.empty()) return Status::invalid("actual: type the true " + (doc.target.empty() ? std::string("value") : "'" + doc.target + "'"));
  const bool numeric = doc.is_regression() || all_numbers(doc.classes);
  double d = 0;
  if (numeric && !data::parse_number(v, &d)) {
    return Status::invalid("actual: '" + quote_for_message(v) + "' is not a number (the target" + target + " is numeric)");
  }
  if (doc.is_regression() || doc.classes.empty()) return numeric ? nlohmann::json(d) : nlohmann::json(v);
  // A classifier's actual is one of its classes ("1.0" is the class "1"), typed as its labels.
  for (const auto& c : doc.classes) {
    double cd = 0;
    if (c == v || (numeric && data::parse_number(c, &cd) && cd == d)) return class_label_json(c, target_label_dtype(doc));
  }
  std::string list;
  for (const auto& c : doc.classes) list += (list.empty() ? "" : ", ") + c;
  return Status::invalid("actual: '" + quote_for_message(v) + "' is not one of the model's classes (" + list + ")");
}

std::vector<std::string> model_uri_choices(const std::vector<RegisteredModel>& models,
                                           const std::vector<std::string>& run_ids) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](std::string u) {
    if (seen.insert(u).second) out.push_back(std::move(u));
  };
  for (const auto& m : models) {
    for (const auto& v : m.versions) add("models:/" + m.name + "/" + std::to_string(v.version));
    for (const char* stage : {"Staging", "Production", "Archived"}) {
      for (const auto& v : m.versions) {
        if (v.current_stage == stage) add("models:/" + m.name + "/" + stage);
      }
    }
    for (const auto& [alias, version] : m.aliases) add("models:/" + m.name + "@" + alias);
  }
  for (const auto& id : run_ids) add("runs:/" + id + "/model");
  return out;
}

}  // namespace mllab::registry

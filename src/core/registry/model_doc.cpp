#include "core/registry/model_doc.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/data/csv.hpp"
#include "core/data/table_json.hpp"
#include "core/util/sha256.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::registry {
namespace {

constexpr int kModelSchemaVersion = 1;
constexpr size_t kInputExampleRows = 5;

// The signature type of a pipeline input column, from the step that reads it.
std::string pipeline_column_type(const pipeline::FittedPipeline& p, const std::string& column) {
  for (const auto& s : p.steps) {
    for (const auto& c : s.columns) {
      if (c == column) return (s.vectorizer || s.encoder) ? "string" : "double";
    }
  }
  return "double";
}

std::string table_column_type(const data::Column& c) {
  return c.type == data::ColumnType::kNumeric ? "double" : "string";
}

// The first `n` rows of a column.
data::Column head_column(const data::Column& c, size_t n) {
  data::Column out;
  out.name = c.name;
  out.type = c.type;
  n = std::min(n, c.size());
  if (c.type == data::ColumnType::kNumeric) {
    out.numbers.assign(c.numbers.begin(), c.numbers.begin() + long(n));
  } else {
    out.strings.assign(c.strings.begin(), c.strings.begin() + long(n));
    out.missing.assign(c.missing.begin(), c.missing.begin() + long(n));
  }
  return out;
}

// Output dtype of class labels: int64 when all are integers, float64 when all are numbers.
std::string label_dtype(const std::vector<std::string>& classes) {
  bool numbers = true, integers = true;
  for (const auto& c : classes) {
    double v = 0;
    if (!data::parse_number(c, &v)) { numbers = false; break; }
    if (v != std::floor(v) || c.find_first_of(".eE") != std::string::npos) integers = false;
  }
  if (!numbers) return "str";
  return integers ? "int64" : "float64";
}

// The pipeline's input columns without repeats, in pipeline order.
std::vector<std::string> unique_inputs(const pipeline::FittedPipeline& p) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& c : p.input_columns()) {
    if (seen.insert(c).second) out.push_back(c);
  }
  return out;
}

// Everything but the signature and input example.
ModelDoc base_doc(const pipeline::FittedPipeline& p, const std::string& run_id, int64_t time_ms,
                  const std::string& mllab_version) {
  ModelDoc d;
  d.artifact_path = "model";
  d.run_id = run_id;
  d.time_created_ms = time_ms;
  d.utc_time_created = utc_time_text(time_ms);
  d.model_uuid = sha256_hex("mllab.model:" + run_id + ":" + std::to_string(time_ms)).substr(0, 32);
  d.mllab_version = mllab_version;
  d.classes = p.classes;
  d.target = p.target;
  const std::string estimator = p.steps.empty() ? "" : p.steps.back().type;
  d.flavors = {{"mllab",
                {{"pipeline", "pipeline.json"},
                 {"estimator", estimator},
                 {"mllab_version", mllab_version},
                 {"task", p.is_regression() ? "regression" : "classification"}}},
               {"python_function", {{"loader_module", "mllab"}, {"data", "pipeline.json"}}}};
  return d;
}

TensorSpec output_spec(const pipeline::FittedPipeline& p) {
  TensorSpec t;
  t.dtype = p.is_regression() ? "float64" : label_dtype(p.classes);
  return t;
}

json column_spec_to_json(const ColumnSpec& c) {
  return {{"type", c.type}, {"name", c.name}, {"required", c.required}};
}

json tensor_spec_to_json(const TensorSpec& t) {
  return {{"type", "tensor"}, {"tensor-spec", {{"dtype", t.dtype}, {"shape", t.shape}}}};
}

json signature_inputs_json(const Signature& s) {
  json a = json::array();
  for (const auto& c : s.inputs) a.push_back(column_spec_to_json(c));
  return a;
}

json signature_outputs_json(const Signature& s) {
  json a = json::array();
  for (const auto& t : s.outputs) a.push_back(tensor_spec_to_json(t));
  return a;
}

// A signature part as an array: given as an array, or as MLflow's JSON text.
Result<json> signature_part(const json& sig, const char* key) {
  if (!sig.contains(key) || sig.at(key).is_null()) return json::array();
  json v = sig.at(key);
  if (v.is_string()) {
    auto parsed = read_json(v.get<std::string>(), std::string("model document: signature.") + key);
    if (!parsed) return parsed.status();
    v = std::move(parsed).value();
  }
  if (!v.is_array()) return Status::parse_error(std::string("model document: signature.") + key + " must be an array");
  return v;
}

Result<Signature> parse_signature(const json& sig) {
  if (!sig.is_object()) return Status::parse_error("model document: signature must be an object");
  Signature s;
  auto inputs = signature_part(sig, "inputs");
  if (!inputs) return inputs.status();
  auto outputs = signature_part(sig, "outputs");
  if (!outputs) return outputs.status();
  for (size_t i = 0; i < inputs->size(); ++i) {
    const json& c = (*inputs)[i];
    if (!c.is_object() || !c.contains("type") || !c["type"].is_string()) {
      return Status::parse_error("model document: signature input " + std::to_string(i) + " has no type");
    }
    ColumnSpec cs;
    cs.type = c["type"].get<std::string>();
    cs.name = c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>() : "";
    cs.required = c.contains("required") && c["required"].is_boolean() ? c["required"].get<bool>() : true;
    if (cs.name.empty()) {
      return Status::parse_error("model document: signature input " + std::to_string(i) +
                                 " has no column name (MLLab models take named columns)");
    }
    s.inputs.push_back(std::move(cs));
  }
  for (size_t i = 0; i < outputs->size(); ++i) {
    const json& o = (*outputs)[i];
    if (!o.is_object() || !o.contains("type") || !o["type"].is_string()) {
      return Status::parse_error("model document: signature output " + std::to_string(i) + " has no type");
    }
    TensorSpec t;
    if (o["type"] == "tensor") {
      const json& ts = o.contains("tensor-spec") ? o["tensor-spec"] : json();
      if (!ts.is_object() || !ts.contains("dtype") || !ts["dtype"].is_string()) {
        return Status::parse_error("model document: signature output " + std::to_string(i) + " has no tensor-spec dtype");
      }
      t.dtype = ts["dtype"].get<std::string>();
      if (ts.contains("shape")) {
        if (!ts["shape"].is_array()) return Status::parse_error("model document: signature output shape must be an array");
        t.shape.clear();
        for (const auto& d : ts["shape"]) {
          if (!d.is_number_integer()) return Status::parse_error("model document: signature output shape must hold integers");
          t.shape.push_back(d.get<int64_t>());
        }
      }
    } else {
      t.dtype = o["type"].get<std::string>();  // a column-based output: keep its type
    }
    s.outputs.push_back(std::move(t));
  }
  return s;
}

// Days since 1970-01-01 -> (year, month, day) in the proleptic Gregorian calendar.
void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2 ? 1 : 0);
}

// A column's type as MLflow names it in messages.
std::string got_type(const data::Column& c) { return c.type == data::ColumnType::kNumeric ? "double" : "string"; }

std::string quote_value(const std::string& v) { return "'" + v + "'"; }

// "('abc' in row 3)" / "(2.5 in row 1)".
std::string offending(const data::Column& c, size_t row) {
  std::string v = c.type == data::ColumnType::kNumeric ? data::format_number(c.numbers[row])
                                                       : quote_value(c.strings[row]);
  return "(" + v + " in row " + std::to_string(row + 1) + ")";
}

// Checks whole numbers in [lo, hi]; returns the first bad row or -1.
long first_non_integer(const std::vector<double>& v, double lo, double hi) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v[i])) continue;
    if (!std::isfinite(v[i]) || v[i] != std::floor(v[i]) || v[i] < lo || v[i] > hi) return long(i);
  }
  return -1;
}

// Converts one column to a signature type; on failure sets `problem` (without the column name).
std::optional<data::Column> convert_column(const data::Column& in, const ColumnSpec& spec, std::string* problem) {
  const std::string& t = spec.type;
  const bool numeric_in = in.type == data::ColumnType::kNumeric;
  auto mismatch = [&](size_t row) {
    *problem = "expects " + t + ", got " + got_type(in) + " " + offending(in, row);
    return std::nullopt;
  };
  if (t == "string") {
    if (!numeric_in) return in;
    data::Column out;
    out.name = in.name;
    out.type = data::ColumnType::kCategorical;
    out.strings.resize(in.size());
    out.missing.assign(in.size(), 0);
    for (size_t i = 0; i < in.size(); ++i) {
      if (std::isnan(in.numbers[i])) out.missing[i] = 1;
      else out.strings[i] = data::format_number(in.numbers[i]);
    }
    return out;
  }
  const bool is_double = t == "double" || t == "float";
  const bool is_long = t == "long" || t == "integer";
  if (is_double || is_long) {
    data::Column out;
    out.name = in.name;
    out.type = data::ColumnType::kNumeric;
    if (numeric_in) {
      out.numbers = in.numbers;
    } else {
      out.numbers.resize(in.size());
      for (size_t i = 0; i < in.size(); ++i) {
        if (in.missing[i]) { out.numbers[i] = std::nan(""); continue; }
        double v = 0;
        if (!data::parse_number(in.strings[i], &v)) return mismatch(i);
        out.numbers[i] = v;
      }
    }
    if (is_long) {
      const double hi = t == "long" ? 9223372036854775807.0 : 2147483647.0;
      const double lo = t == "long" ? -9223372036854775808.0 : -2147483648.0;
      long bad = first_non_integer(out.numbers, lo, hi);
      if (bad >= 0) {
        *problem = "expects " + t + ", got " + (numeric_in ? std::string("double") : std::string("string")) + " " +
                   offending(in, size_t(bad));
        return std::nullopt;
      }
    }
    return out;
  }
  if (t == "boolean") {
    data::Column out;
    out.name = in.name;
    out.type = data::ColumnType::kNumeric;
    out.numbers.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      if (in.is_missing(i)) { out.numbers[i] = std::nan(""); continue; }
      if (numeric_in) {
        double v = in.numbers[i];
        if (v != 0 && v != 1) return mismatch(i);
        out.numbers[i] = v;
      } else {
        const std::string& s = in.strings[i];
        if (s == "true" || s == "True" || s == "TRUE" || s == "1") out.numbers[i] = 1;
        else if (s == "false" || s == "False" || s == "FALSE" || s == "0") out.numbers[i] = 0;
        else return mismatch(i);
      }
    }
    return out;
  }
  *problem = "has the signature type '" + t + "', which MLLab cannot check";
  return std::nullopt;
}

}  // namespace

std::string class_label_dtype(const std::vector<std::string>& classes) { return label_dtype(classes); }
std::string target_label_dtype(const ModelDoc& doc) {
  if (doc.signature && !doc.signature->outputs.empty() && !doc.signature->outputs[0].dtype.empty()) {
    return doc.signature->outputs[0].dtype;
  }
  return label_dtype(doc.classes);
}

std::string ModelDoc::estimator() const {
  if (flavors.is_object() && flavors.contains("mllab") && flavors["mllab"].is_object()) {
    const json& f = flavors["mllab"];
    if (f.contains("estimator") && f["estimator"].is_string()) return f["estimator"].get<std::string>();
  }
  return "";
}

std::string ModelDoc::pipeline_file() const {
  if (flavors.is_object() && flavors.contains("mllab") && flavors["mllab"].is_object()) {
    const json& f = flavors["mllab"];
    if (f.contains("pipeline") && f["pipeline"].is_string()) return f["pipeline"].get<std::string>();
  }
  return "pipeline.json";
}

std::string utc_time_text(int64_t time_ms) {
  int64_t days = time_ms >= 0 ? time_ms / 86400000 : -((-time_ms + 86399999) / 86400000);
  int64_t ms_of_day = time_ms - days * 86400000;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, &y, &m, &d);
  const int64_t s = ms_of_day / 1000, ms = ms_of_day % 1000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld.%06lld", static_cast<long long>(y), m, d,
                static_cast<long long>(s / 3600), static_cast<long long>((s / 60) % 60),
                static_cast<long long>(s % 60), static_cast<long long>(ms * 1000));
  return buf;
}

json table_to_split_json(const data::Table& table, size_t max_rows) { return data::table_to_split(table, max_rows); }

Result<data::Table> table_from_split_json(const json& doc, const Signature* signature) {
  if (!doc.is_object() || !doc.contains("columns") || !doc["columns"].is_array() || !doc.contains("data") ||
      !doc["data"].is_array()) {
    return Status::invalid("input is not a pandas 'split' document ({\"columns\": [...], \"data\": [[...], ...]})");
  }
  const json& cols = doc["columns"];
  const json& data = doc["data"];
  std::vector<std::string> names;
  for (size_t j = 0; j < cols.size(); ++j) {
    if (!cols[j].is_string()) return Status::invalid("input: column " + std::to_string(j) + " has no string name");
    names.push_back(cols[j].get<std::string>());
  }
  // Booleans against the signature (the rule itself is data::table_from_split's, see
  // table_json.hpp): a JSON true / false in a column the signature types as anything but boolean
  // is refused here, with the type it expects (as MLflow's schema enforcement would), rather than
  // read as the text "true".
  if (signature) {
    for (size_t j = 0; j < names.size(); ++j) {
      std::string type;
      for (const auto& spec : signature->inputs) {
        if (spec.name == names[j]) type = spec.type;
      }
      if (type.empty() || type == "boolean") continue;
      for (size_t i = 0; i < data.size(); ++i) {
        if (!data[i].is_array() || data[i].size() != names.size()) break;  // table_from_split names the row
        const json& v = data[i][j];
        if (v.is_boolean()) {
          return Status::invalid("input: column '" + names[j] + "' expects " + type + ", got boolean (" +
                                 (v.get<bool>() ? "true" : "false") + " in row " + std::to_string(i + 1) + ")");
        }
      }
    }
  }
  auto t = data::table_from_split(names, data);
  if (!t) return Status::invalid("input: " + t.status().message());
  return t;
}

Result<data::Table> table_from_records_json(const json& records, const Signature* signature) {
  if (!records.is_array()) return Status::invalid("input: records must be a list of objects {column: value}");
  std::vector<std::string> columns;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!records[i].is_object()) {
      return Status::invalid("input: record " + std::to_string(i + 1) + " is " + records[i].type_name() +
                             ", not an object {column: value}");
    }
    for (auto it = records[i].begin(); it != records[i].end(); ++it) {
      if (index.emplace(it.key(), columns.size()).second) columns.push_back(it.key());
    }
  }
  json rows = json::array();
  for (const auto& row : records) {
    json values(json::value_t::array);
    values.get_ref<json::array_t&>().assign(columns.size(), json());
    for (auto it = row.begin(); it != row.end(); ++it) values[index[it.key()]] = it.value();
    rows.push_back(std::move(values));
  }
  return table_from_split_json({{"columns", columns}, {"data", std::move(rows)}}, signature);
}

ModelDoc build_model_doc(const pipeline::FittedPipeline& p, const data::Table& training_features,
                         const std::string& run_id, int64_t time_ms, const std::string& mllab_version) {
  ModelDoc d = base_doc(p, run_id, time_ms, mllab_version);
  std::vector<std::string> wanted = unique_inputs(p);
  std::set<std::string> wanted_set(wanted.begin(), wanted.end());
  Signature sig;
  data::Table example;
  for (const auto& c : training_features.columns()) {
    if (!wanted_set.empty() && !wanted_set.count(c.name)) continue;
    sig.inputs.push_back({c.name, table_column_type(c), true});
    (void)example.add_column(head_column(c, kInputExampleRows));  // names are unique in a Table
  }
  // Columns the pipeline reads that the table lacks: typed from the steps.
  for (const auto& name : wanted) {
    if (!training_features.column(name)) sig.inputs.push_back({name, pipeline_column_type(p, name), true});
  }
  sig.outputs.push_back(output_spec(p));
  d.signature = std::move(sig);
  d.input_example = table_to_split_json(example, kInputExampleRows);
  d.saved_input_example_info = {{"artifact_path", "input_example.json"}, {"type", "dataframe"}, {"pandas_orient", "split"}};
  return d;
}

ModelDoc model_doc_from_pipeline(const pipeline::FittedPipeline& p, const std::string& run_id, int64_t time_ms,
                                 const std::string& mllab_version) {
  ModelDoc d = base_doc(p, run_id, time_ms, mllab_version);
  Signature sig;
  for (const auto& name : unique_inputs(p)) sig.inputs.push_back({name, pipeline_column_type(p, name), true});
  sig.outputs.push_back(output_spec(p));
  d.signature = std::move(sig);
  return d;
}

json model_doc_to_json(const ModelDoc& d) {
  json j = {{"schema", "mllab.model"},
            {"schema_version", kModelSchemaVersion},
            {"artifact_path", d.artifact_path},
            {"flavors", d.flavors},
            {"run_id", d.run_id},
            {"utc_time_created", d.utc_time_created},
            {"time_created_ms", d.time_created_ms},
            {"model_uuid", d.model_uuid},
            {"mllab_version", d.mllab_version},
            {"classes", d.classes},
            {"target", d.target}};
  if (d.signature) {
    j["signature"] = {{"inputs", signature_inputs_json(*d.signature)}, {"outputs", signature_outputs_json(*d.signature)}};
  }
  if (!d.saved_input_example_info.is_null()) j["saved_input_example_info"] = d.saved_input_example_info;
  return j;
}

json model_doc_to_mlflow_json(const ModelDoc& d) {
  json j = model_doc_to_json(d);
  j.erase("schema");
  j.erase("schema_version");
  if (d.signature) {
    j["signature"] = {{"inputs", signature_inputs_json(*d.signature).dump()},
                      {"outputs", signature_outputs_json(*d.signature).dump()}};
  }
  return j;
}

json input_example_to_json(const ModelDoc& d) { return d.input_example; }

Result<ModelDoc> model_doc_from_json(const json& j) {
  if (!j.is_object()) return Status::parse_error("model document is not a JSON object");
  if (j.contains("schema")) {
    if (!j["schema"].is_string() || j["schema"] != "mllab.model") return Status::parse_error("not an mllab.model document");
    if (!j.contains("schema_version") || !j["schema_version"].is_number_integer()) {
      return Status::parse_error("mllab.model: schema_version is missing or not an integer");
    }
    const int v = j["schema_version"].get<int>();
    if (v < 1 || v > kModelSchemaVersion) {
      return Status::parse_error("mllab.model schema_version " + std::to_string(v) +
                                 " is not supported by this MLLab (supports 1.." + std::to_string(kModelSchemaVersion) +
                                 "); update MLLab");
    }
  }
  ModelDoc d;
  auto text = [&](const char* key, std::string* out) -> Status {
    if (!j.contains(key) || j[key].is_null()) return Status::ok();
    if (!j[key].is_string()) return Status::parse_error(std::string("model document: '") + key + "' must be a string");
    *out = j[key].get<std::string>();
    return Status::ok();
  };
  MLLAB_RETURN_IF_ERROR(text("artifact_path", &d.artifact_path));
  MLLAB_RETURN_IF_ERROR(text("run_id", &d.run_id));
  MLLAB_RETURN_IF_ERROR(text("utc_time_created", &d.utc_time_created));
  MLLAB_RETURN_IF_ERROR(text("model_uuid", &d.model_uuid));
  MLLAB_RETURN_IF_ERROR(text("mllab_version", &d.mllab_version));
  MLLAB_RETURN_IF_ERROR(text("target", &d.target));
  if (!j.contains("flavors") || !j["flavors"].is_object()) {
    return Status::parse_error("model document: 'flavors' is missing or not an object");
  }
  d.flavors = j["flavors"];
  if (j.contains("time_created_ms") && !j["time_created_ms"].is_null()) {
    if (!j["time_created_ms"].is_number_integer()) return Status::parse_error("model document: 'time_created_ms' must be an integer");
    d.time_created_ms = j["time_created_ms"].get<int64_t>();
  }
  if (j.contains("classes") && !j["classes"].is_null()) {
    if (!j["classes"].is_array()) return Status::parse_error("model document: 'classes' must be an array of strings");
    for (const auto& c : j["classes"]) {
      if (!c.is_string()) return Status::parse_error("model document: 'classes' must be an array of strings");
      d.classes.push_back(c.get<std::string>());
    }
  }
  if (j.contains("signature") && !j["signature"].is_null()) {
    auto sig = parse_signature(j["signature"]);
    if (!sig) return sig.status();
    d.signature = std::move(sig).value();
  }
  if (j.contains("saved_input_example_info") && !j["saved_input_example_info"].is_null()) {
    if (!j["saved_input_example_info"].is_object()) {
      return Status::parse_error("model document: 'saved_input_example_info' must be an object");
    }
    d.saved_input_example_info = j["saved_input_example_info"];
  }
  return d;
}

Result<data::Table> conform_input(const ModelDoc& doc, const data::Table& input) {
  if (!doc.signature) return input;
  std::vector<std::string> missing, problems;
  data::Table out;
  for (const auto& spec : doc.signature->inputs) {
    const data::Column* col = input.column(spec.name);
    if (!col) {
      if (spec.required) missing.push_back(spec.name);
      continue;
    }
    std::string problem;
    auto converted = convert_column(*col, spec, &problem);
    if (!converted) {
      problems.push_back("column '" + spec.name + "' " + problem);
      continue;
    }
    Status st = out.add_column(std::move(*converted));
    if (!st.is_ok()) return Status::invalid("model signature: " + st.message());
  }
  if (missing.empty() && problems.empty()) return out;
  std::string msg = "input does not match the model signature: ";
  bool first = true;
  if (!missing.empty()) {
    msg += "missing columns [";
    for (size_t i = 0; i < missing.size(); ++i) msg += (i ? ", '" : "'") + missing[i] + "'";
    msg += "]";
    first = false;
  }
  for (const auto& p : problems) {
    msg += (first ? "" : "; ") + p;
    first = false;
  }
  return Status::invalid(msg);
}

}  // namespace mllab::registry

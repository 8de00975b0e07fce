#include "core/monitoring/prediction_log.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/data/csv.hpp"
#include "core/data/table_json.hpp"
#include "core/util/clock.hpp"
#include "core/util/sha256.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::monitoring {
namespace {

constexpr int kPredictionsSchemaVersion = 1;
constexpr int kActualsSchemaVersion = 1;
constexpr const char* kPredictionsPrefix = "predictions/";
constexpr const char* kActualsPrefix = "prediction_actuals/";

std::string zero_pad(size_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%08zu", n);
  return buf;
}

Status check_schema(const json& j, const char* schema, int max_version) {
  if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string() || j["schema"] != schema) {
    return Status::parse_error(std::string("not a ") + schema + " document");
  }
  if (!j.contains("schema_version") || !j["schema_version"].is_number_integer()) {
    return Status::parse_error(std::string(schema) + ": schema_version is missing or not an integer");
  }
  const int v = j["schema_version"].get<int>();
  if (v < 1 || v > max_version) {
    return Status::parse_error(std::string(schema) + " schema_version " + std::to_string(v) +
                               " is not supported by this MLLab (supports 1.." + std::to_string(max_version) +
                               "); update MLLab");
  }
  return Status::ok();
}

// The log an entry belongs to: its model name, else its run id.
std::string log_of(const PredictionEntry& e) { return e.model_name.empty() ? e.run_id : e.model_name; }

Status check_log_name(const std::string& log) {
  if (log.empty()) return Status::invalid("prediction log name is empty (a model name or a run id)");
  if (log.find('/') != std::string::npos) {
    return Status::invalid("prediction log name '" + quote_for_message(log) + "' contains '/'");
  }
  Status st = store::validate_key(log);
  if (!st.is_ok()) return Status::invalid("prediction log name '" + quote_for_message(log) + "' is not valid");
  return Status::ok();
}

// Parses the entries of one predictions record.
Result<std::vector<PredictionEntry>> read_predictions_record(const std::string& key, const std::string& bytes) {
  auto parsed = read_json(bytes, "prediction record '" + key + "'");
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  Status st = check_schema(j, "mllab.predictions", kPredictionsSchemaVersion);
  if (!st.is_ok()) return Status::parse_error("prediction record '" + key + "': " + st.message());
  if (!j.contains("entries") || !j["entries"].is_array()) {
    return Status::parse_error("prediction record '" + key + "' has no entries array");
  }
  std::vector<PredictionEntry> out;
  out.reserve(j["entries"].size());
  for (const auto& ej : j["entries"]) {
    auto e = prediction_entry_from_json(ej);
    if (!e) return Status::parse_error("prediction record '" + key + "': " + e.status().message());
    out.push_back(std::move(e).value());
  }
  return out;
}

// Every actual of a log: prediction id -> (actual, time), later records winning.
Result<std::unordered_map<std::string, ActualEntry>> read_actuals(const store::Store& store, const std::string& log) {
  std::unordered_map<std::string, ActualEntry> out;
  for (const auto& key : store.keys(std::string(kActualsPrefix) + log + "/")) {
    auto bytes = store.get(key);
    if (!bytes) continue;
    auto parsed = read_json(*bytes, "actuals record '" + key + "'");
    if (!parsed) return parsed.status();
    const json& j = *parsed;
    Status st = check_schema(j, "mllab.prediction_actuals", kActualsSchemaVersion);
    if (!st.is_ok()) return Status::parse_error("actuals record '" + key + "': " + st.message());
    if (!j.contains("actuals") || !j["actuals"].is_array()) {
      return Status::parse_error("actuals record '" + key + "' has no actuals array");
    }
    for (const auto& a : j["actuals"]) {
      if (!a.is_object() || !a.contains("prediction_id") || !a["prediction_id"].is_string() || !a.contains("actual")) {
        return Status::parse_error("actuals record '" + key + "' holds a malformed actual");
      }
      ActualEntry e;
      e.prediction_id = a["prediction_id"].get<std::string>();
      e.actual = a["actual"];
      e.timestamp_ms = a.contains("timestamp_ms") && a["timestamp_ms"].is_number_integer() ? a["timestamp_ms"].get<int64_t>() : 0;
      out[e.prediction_id] = std::move(e);
    }
  }
  return out;
}

// |prediction - actual| for numbers; 0 / 1 for labels; nullopt when they cannot be compared.
std::optional<double> prediction_error(const json& prediction, const json& actual) {
  if (prediction.is_number()) {
    double a = 0;
    if (actual.is_number()) a = actual.get<double>();
    else if (!actual.is_string() || !data::parse_number(actual.get<std::string>(), &a)) return std::nullopt;
    return std::fabs(prediction.get<double>() - a);
  }
  if (prediction.is_string()) {
    const std::string label = prediction.get<std::string>();
    if (actual.is_string()) return actual.get<std::string>() == label ? 0.0 : 1.0;
    if (actual.is_number()) {
      double p = 0;
      if (data::parse_number(label, &p)) return p == actual.get<double>() ? 0.0 : 1.0;
      return 1.0;
    }
    if (actual.is_boolean()) return (actual.get<bool>() ? "true" : "false") == label ? 0.0 : 1.0;
  }
  return std::nullopt;
}

// A JSON value as table text (numbers shortest round-trip).
std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return data::format_number(v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// A table column from JSON values (null = missing): numeric when every value is a number.
data::Column column_from_values(const std::string& name, const std::vector<json>& values) {
  data::Column c;
  c.name = name;
  bool numeric = true;
  for (const auto& v : values) {
    if (!v.is_null() && !v.is_number()) { numeric = false; break; }
  }
  if (numeric) {
    c.type = data::ColumnType::kNumeric;
    c.numbers.reserve(values.size());
    for (const auto& v : values) c.numbers.push_back(v.is_null() ? std::nan("") : v.get<double>());
    return c;
  }
  c.strings.reserve(values.size());
  c.missing.reserve(values.size());
  for (const auto& v : values) {
    c.missing.push_back(v.is_null() ? 1 : 0);
    c.strings.push_back(v.is_null() ? std::string() : value_text(v));
  }
  c.type = data::infer_column_type(c.strings, c.missing) == data::ColumnType::kText ? data::ColumnType::kText
                                                                                      : data::ColumnType::kCategorical;
  return c;
}

}  // namespace

json row_json(const data::Table& table, size_t row) { return data::row_to_json(table, row); }

std::string input_digest(const json& row) { return sha256_hex(row.dump()); }

std::vector<PredictionEntry> make_entries(const registry::LoadedModel& model, const registry::Predictions& p,
                                          int64_t timestamp_ms, bool keep_inputs) {
  std::vector<PredictionEntry> out;
  const size_t n = p.regression ? p.values.size() : p.labels.size();
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    PredictionEntry e;
    e.prediction_id = new_id();
    e.model_uri = model.uri;
    e.model_name = model.resolved.name.value_or("");
    e.model_version = model.resolved.version;
    e.run_id = model.resolved.run_id;
    e.timestamp_ms = timestamp_ms;
    if (i < p.inputs.num_rows()) {
      json row = row_json(p.inputs, i);
      e.input_digest = input_digest(row);
      if (keep_inputs) e.input = std::move(row);
    }
    if (p.regression) {
      e.prediction = p.values[i];
    } else {
      e.prediction = p.labels[i];
      if (Eigen::Index(i) < p.probabilities.rows() && p.class_indices[i] < p.probabilities.cols()) {
        e.probability = p.probabilities(Eigen::Index(i), Eigen::Index(p.class_indices[i]));
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

json prediction_entry_to_json(const PredictionEntry& e) {
  json j = {{"prediction_id", e.prediction_id},
            {"model_uri", e.model_uri},
            {"model_name", e.model_name},
            {"model_version", e.model_version ? json(*e.model_version) : json(nullptr)},
            {"run_id", e.run_id},
            {"timestamp_ms", e.timestamp_ms},
            {"input_digest", e.input_digest},
            {"prediction", e.prediction}};
  if (e.input) j["input"] = *e.input;
  if (e.probability) j["probability"] = *e.probability;
  if (e.actual) j["actual"] = *e.actual;
  if (e.actual_timestamp_ms) j["actual_timestamp_ms"] = *e.actual_timestamp_ms;
  if (e.error) j["error"] = *e.error;
  return j;
}

Result<PredictionEntry> prediction_entry_from_json(const json& j) {
  if (!j.is_object()) return Status::parse_error("prediction entry is not an object");
  PredictionEntry e;
  auto text = [&](const char* key, std::string* out, bool required) -> Status {
    if (!j.contains(key) || j[key].is_null()) {
      return required ? Status::parse_error(std::string("prediction entry: '") + key + "' is missing") : Status::ok();
    }
    if (!j[key].is_string()) return Status::parse_error(std::string("prediction entry: '") + key + "' must be a string");
    *out = j[key].get<std::string>();
    return Status::ok();
  };
  MLLAB_RETURN_IF_ERROR(text("prediction_id", &e.prediction_id, true));
  MLLAB_RETURN_IF_ERROR(text("model_uri", &e.model_uri, false));
  MLLAB_RETURN_IF_ERROR(text("model_name", &e.model_name, false));
  MLLAB_RETURN_IF_ERROR(text("run_id", &e.run_id, false));
  MLLAB_RETURN_IF_ERROR(text("input_digest", &e.input_digest, false));
  auto integer = [&](const char* key) -> Result<std::optional<int64_t>> {
    if (!j.contains(key) || j[key].is_null()) return std::optional<int64_t>();
    if (!j[key].is_number_integer()) return Status::parse_error(std::string("prediction entry: '") + key + "' must be an integer");
    return std::optional<int64_t>(j[key].get<int64_t>());
  };
  auto version = integer("model_version");
  if (!version) return version.status();
  if (*version) e.model_version = int(**version);
  auto ts = integer("timestamp_ms");
  if (!ts) return ts.status();
  e.timestamp_ms = ts->value_or(0);
  auto ats = integer("actual_timestamp_ms");
  if (!ats) return ats.status();
  e.actual_timestamp_ms = *ats;
  if (!j.contains("prediction") || !(j["prediction"].is_string() || j["prediction"].is_number())) {
    return Status::parse_error("prediction entry '" + e.prediction_id + "': 'prediction' must be a string or a number");
  }
  e.prediction = j["prediction"];
  if (j.contains("input") && !j["input"].is_null()) {
    if (!j["input"].is_object()) return Status::parse_error("prediction entry '" + e.prediction_id + "': 'input' must be an object");
    e.input = j["input"];
  }
  auto number = [&](const char* key, std::optional<double>* out) -> Status {
    if (!j.contains(key) || j[key].is_null()) return Status::ok();
    if (!j[key].is_number()) return Status::parse_error(std::string("prediction entry: '") + key + "' must be a number");
    *out = j[key].get<double>();
    return Status::ok();
  };
  MLLAB_RETURN_IF_ERROR(number("probability", &e.probability));
  MLLAB_RETURN_IF_ERROR(number("error", &e.error));
  if (j.contains("actual") && !j["actual"].is_null()) e.actual = j["actual"];
  return e;
}

Status PredictionLog::log(const std::vector<PredictionEntry>& entries) {
  if (entries.empty()) return Status::ok();
  // Group by log, keeping the order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, json> groups;
  std::unordered_set<std::string> ids;
  for (size_t i = 0; i < entries.size(); ++i) {
    const PredictionEntry& e = entries[i];
    const std::string where = "prediction " + std::to_string(i) + (e.prediction_id.empty() ? "" : " ('" + e.prediction_id + "')");
    if (e.prediction_id.empty()) return Status::invalid(where + ": the prediction id is empty");
    if (!ids.insert(e.prediction_id).second) return Status::invalid(where + ": the prediction id is repeated in the batch");
    if (!e.prediction.is_string() && !e.prediction.is_number()) {
      return Status::invalid(where + ": the prediction must be a label (string) or a value (number)");
    }
    if (e.input && !e.input->is_object()) return Status::invalid(where + ": the input must be a JSON object");
    const std::string log = log_of(e);
    Status st = check_log_name(log);
    if (!st.is_ok()) return Status::invalid(where + ": " + st.message());
    PredictionEntry stored = e;
    stored.error.reset();  // computed when read
    if (stored.input_digest.empty() && stored.input) stored.input_digest = input_digest(*stored.input);
    auto it = groups.find(log);
    if (it == groups.end()) {
      order.push_back(log);
      it = groups.emplace(log, json::array()).first;
    }
    it->second.push_back(prediction_entry_to_json(stored));
  }
  store::Batch b;
  std::vector<std::pair<std::string, size_t>> written;
  for (const auto& log : order) {
    const std::string prefix = kPredictionsPrefix + log + "/";
    const size_t seq = next_seq(prefix);
    json record = {{"schema", "mllab.predictions"}, {"schema_version", kPredictionsSchemaVersion}, {"entries", groups[log]}};
    b.put(prefix + zero_pad(seq), record.dump());
    written.emplace_back(prefix, seq);
  }
  MLLAB_RETURN_IF_ERROR(store_.commit(b));
  for (const auto& [prefix, seq] : written) wrote_seq(prefix, seq);
  return Status::ok();
}

Result<PredictionEntry> PredictionLog::find(const std::string& id_or_prefix) const {
  if (id_or_prefix.empty()) return Status::invalid("the prediction id is empty");
  std::vector<PredictionEntry> matches;
  for (const auto& key : store_.keys(kPredictionsPrefix)) {
    auto bytes = store_.get(key);
    if (!bytes) continue;
    auto entries = read_predictions_record(key, *bytes);
    if (!entries) continue;
    for (auto& e : *entries) {
      if (e.prediction_id == id_or_prefix) return e;
      if (e.prediction_id.rfind(id_or_prefix, 0) == 0) matches.push_back(std::move(e));
    }
  }
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1) {
    return Status::invalid("prediction id prefix '" + quote_for_message(id_or_prefix) + "' matches " +
                           std::to_string(matches.size()) + " predictions: give more of the id");
  }
  return Status::not_found("no logged prediction with id '" + quote_for_message(id_or_prefix) + "'");
}

Status PredictionLog::record_actual(const std::string& prediction_id, const json& actual, int64_t timestamp_ms) {
  return record_actuals({ActualEntry{prediction_id, actual, timestamp_ms}});
}

Status PredictionLog::record_actuals(const std::vector<ActualEntry>& actuals) {
  if (actuals.empty()) return Status::ok();
  for (const auto& a : actuals) {
    if (a.prediction_id.empty()) return Status::invalid("actual: the prediction id is empty");
    if (a.actual.is_null() || a.actual.is_object() || a.actual.is_array()) {
      return Status::invalid("actual for prediction '" + a.prediction_id + "' must be a label or a value (got " +
                             a.actual.dump() + ")");
    }
  }
  // Which log each prediction is in: read every predictions record once.
  std::unordered_set<std::string> wanted;
  for (const auto& a : actuals) wanted.insert(a.prediction_id);
  std::unordered_map<std::string, std::string> log_of_id;
  for (const auto& key : store_.keys(kPredictionsPrefix)) {
    if (log_of_id.size() == wanted.size()) break;
    auto bytes = store_.get(key);
    if (!bytes) continue;
    auto parsed = read_json(*bytes, "prediction record '" + key + "'");
    if (!parsed) continue;
    const json& j = *parsed;
    if (!j.is_object() || !j.contains("entries") || !j["entries"].is_array()) continue;
    const std::string log = key.substr(std::string(kPredictionsPrefix).size(),
                                       key.rfind('/') - std::string(kPredictionsPrefix).size());
    for (const auto& e : j["entries"]) {
      if (!e.is_object() || !e.contains("prediction_id") || !e["prediction_id"].is_string()) continue;
      const std::string id = e["prediction_id"].get<std::string>();
      if (wanted.count(id)) log_of_id.emplace(id, log);
    }
  }
  std::vector<std::string> order;
  std::map<std::string, json> groups;
  for (const auto& a : actuals) {
    auto it = log_of_id.find(a.prediction_id);
    if (it == log_of_id.end()) return Status::not_found("no logged prediction with id '" + quote_for_message(a.prediction_id) + "'");
    auto g = groups.find(it->second);
    if (g == groups.end()) {
      order.push_back(it->second);
      g = groups.emplace(it->second, json::array()).first;
    }
    g->second.push_back({{"prediction_id", a.prediction_id}, {"actual", a.actual}, {"timestamp_ms", a.timestamp_ms}});
  }
  store::Batch b;
  std::vector<std::pair<std::string, size_t>> written;
  for (const auto& log : order) {
    const std::string prefix = kActualsPrefix + log + "/";
    const size_t seq = next_seq(prefix);
    json record = {{"schema", "mllab.prediction_actuals"}, {"schema_version", kActualsSchemaVersion}, {"actuals", groups[log]}};
    b.put(prefix + zero_pad(seq), record.dump());
    written.emplace_back(prefix, seq);
  }
  MLLAB_RETURN_IF_ERROR(store_.commit(b));
  for (const auto& [prefix, seq] : written) wrote_seq(prefix, seq);
  return Status::ok();
}

size_t PredictionLog::next_seq(const std::string& prefix) {
  auto it = next_seq_.find(prefix);
  if (it != next_seq_.end() && !store_.get(prefix + zero_pad(it->second))) return it->second;
  const size_t seq = store_.keys(prefix).size();
  next_seq_[prefix] = seq;
  return seq;
}

Result<std::vector<PredictionEntry>> PredictionLog::list(const std::string& log, std::optional<int> version,
                                                         size_t limit) const {
  MLLAB_RETURN_IF_ERROR(check_log_name(log));
  std::vector<PredictionEntry> out;
  for (const auto& key : store_.keys(kPredictionsPrefix + log + "/")) {
    auto bytes = store_.get(key);
    if (!bytes) continue;
    auto entries = read_predictions_record(key, *bytes);
    if (!entries) return entries.status();
    for (auto& e : *entries) {
      if (version && e.model_version != version) continue;
      out.push_back(std::move(e));
    }
  }
  if (limit > 0 && out.size() > limit) out.erase(out.begin(), out.end() - long(limit));
  auto actuals = read_actuals(store_, log);
  if (!actuals) return actuals.status();
  for (auto& e : out) {
    auto it = actuals->find(e.prediction_id);
    if (it != actuals->end()) {
      e.actual = it->second.actual;
      e.actual_timestamp_ms = it->second.timestamp_ms;
    }
    e.error.reset();
    if (e.actual) e.error = prediction_error(e.prediction, *e.actual);
  }
  return out;
}

Result<data::Table> PredictionLog::to_table(const std::string& log, std::optional<int> version, size_t limit,
                                            bool with_outputs) const {
  auto entries = list(log, version, limit);
  if (!entries) return entries.status();
  std::set<std::string> names;
  std::vector<const PredictionEntry*> rows;
  for (const auto& e : *entries) {
    if (!e.input) continue;
    rows.push_back(&e);
    for (auto it = e.input->begin(); it != e.input->end(); ++it) names.insert(it.key());
  }
  if (with_outputs && (names.count("prediction") || names.count("actual"))) {
    return Status::invalid("prediction log '" + log + "': an input column is named '" +
                           std::string(names.count("prediction") ? "prediction" : "actual") +
                           "', which the output columns would shadow");
  }
  data::Table t;
  for (const auto& name : names) {
    std::vector<json> values;
    values.reserve(rows.size());
    for (const auto* e : rows) {
      auto it = e->input->find(name);
      values.push_back(it == e->input->end() ? json(nullptr) : *it);
    }
    MLLAB_RETURN_IF_ERROR(t.add_column(column_from_values(name, values)));
  }
  if (with_outputs) {
    std::vector<json> pred, actual;
    for (const auto* e : rows) {
      pred.push_back(e->prediction);
      actual.push_back(e->actual ? *e->actual : json(nullptr));
    }
    MLLAB_RETURN_IF_ERROR(t.add_column(column_from_values("prediction", pred)));
    MLLAB_RETURN_IF_ERROR(t.add_column(column_from_values("actual", actual)));
  }
  return t;
}

std::vector<BatchError> error_by_batch(const std::vector<PredictionEntry>& entries, bool regression) {
  std::map<int64_t, BatchError> by_time;
  std::map<int64_t, double> sums;
  for (const auto& e : entries) {
    BatchError& b = by_time[e.timestamp_ms];
    b.timestamp_ms = e.timestamp_ms;
    ++b.predictions;
    if (e.error) {
      ++b.with_actual;
      sums[e.timestamp_ms] += *e.error;
    }
  }
  std::vector<BatchError> out;
  for (auto& [t, b] : by_time) {
    if (b.with_actual) {
      const double mean = sums[t] / double(b.with_actual);
      b.value = regression ? mean : 1.0 - mean;
    }
    out.push_back(b);
  }
  return out;
}

}  // namespace mllab::monitoring

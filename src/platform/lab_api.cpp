#include "platform/lab_api.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <new>

#include "core/data/csv.hpp"
#include "core/data/table_json.hpp"
#include "core/datasets/dataset_json.hpp"
#include "core/features/timestamp.hpp"
#include "core/monitoring/drift.hpp"
#include "core/tracking/run_json.hpp"
#include "core/tracking/search.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::platform {
namespace {

using json = nlohmann::json;
using Handler = std::function<json(Lab&, const json&)>;

// Thrown by the argument helpers; turned into {"ok": false} by lab_api_call.
struct ApiError {
  Status status;
};

template <typename T>
T value_or_throw(Result<T> r) {
  if (!r) throw ApiError{r.status()};
  return std::move(r).value();
}
void check(const Status& st) {
  if (!st.is_ok()) throw ApiError{st};
}

const json& field(const json& args, const char* name) {
  if (!args.is_object() || !args.contains(name)) throw ApiError{Status::invalid(std::string("missing field '") + name + "'")};
  return args[name];
}
std::string str(const json& args, const char* name) {
  const json& v = field(args, name);
  if (!v.is_string()) throw ApiError{Status::invalid(std::string("field '") + name + "' must be a string")};
  return v.get<std::string>();
}
std::string str_or(const json& args, const char* name, const std::string& fallback) {
  return args.is_object() && args.contains(name) && !args[name].is_null() ? str(args, name) : fallback;
}
int integer(const json& args, const char* name) {
  const json& v = field(args, name);
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      int n = std::stoi(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size()) return n;
    } catch (const std::exception&) {
    }
  }
  throw ApiError{Status::invalid(std::string("field '") + name + "' must be an integer")};
}
bool flag(const json& args, const char* name) {
  if (!args.is_object() || !args.contains(name) || args[name].is_null()) return false;
  if (!args[name].is_boolean()) throw ApiError{Status::invalid(std::string("field '") + name + "' must be true or false")};
  return args[name].get<bool>();
}
std::vector<std::string> strings(const json& args, const char* name, bool required = true) {
  if (!required && (!args.is_object() || !args.contains(name))) return {};
  const json& v = field(args, name);
  if (v.is_string()) return {v.get<std::string>()};
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& x : v) {
      if (!x.is_string()) throw ApiError{Status::invalid(std::string("field '") + name + "' must hold strings")};
      out.push_back(x.get<std::string>());
    }
    return out;
  }
  throw ApiError{Status::invalid(std::string("field '") + name + "' must be a string or a list of strings")};
}

// A table argument: {"csv": text}, {"records": [{...}]} or {"dataset": path or datasets:/ URI}.
// With a model's document `doc`, records are read against its signature (the scoring server's
// rule: a JSON boolean in a numeric column is refused naming column, row and value).
data::Table table_arg(Lab& lab, const json& args, const char* name, const registry::ModelDoc* doc = nullptr) {
  const json& v = field(args, name);
  std::string what = std::string("field '") + name + "'";
  if (v.is_object() && v.contains("csv") && v["csv"].is_string()) {
    data::CsvOptions opts;
    opts.source = name;
    return value_or_throw(data::read_csv(v["csv"].get<std::string>(), opts));
  }
  if (v.is_object() && v.contains("dataset") && v["dataset"].is_string()) {
    auto src = value_or_throw(lab.resolve_dataset(v["dataset"].get<std::string>()));
    data::CsvOptions opts;
    opts.source = src.path;
    return value_or_throw(data::read_csv(src.bytes, opts));
  }
  if (v.is_object() && v.contains("records")) {
    if (doc && doc->signature) return value_or_throw(registry::table_from_records_json(v["records"], &*doc->signature));
    return value_or_throw(data::table_from_records(v["records"]));
  }
  throw ApiError{Status::invalid(what + " must be {\"csv\": text}, {\"records\": [...]} or {\"dataset\": uri}")};
}

json records(const data::Table& t) { return data::table_to_records(t); }

tracking::ViewType view_arg(const json& args) {
  return value_or_throw(tracking::parse_view_type(str_or(args, "view_type", "active_only")));
}

json runs_json(const std::vector<tracking::Run>& runs) { return tracking::runs_to_summary_json(runs); }

// getRun: the whole run (run_json.hpp) plus what the Run view shows from its artifacts: the
// classification report's text and the confusion matrix (null when its artifact does not parse).
json run_detail(Lab& lab, const std::string& run_id) {
  tracking::Run r = value_or_throw(lab.tracking().get_run(run_id));
  json j = tracking::run_to_json(r);
  auto rep = lab.tracking().get_artifact(r.run_id, "classification_report.txt");
  if (rep) j["classification_report"] = *rep;
  auto cm = lab.tracking().get_artifact(r.run_id, "confusion_matrix.json");
  if (cm) {
    auto parsed = read_json(*cm, "artifact confusion_matrix.json");
    j["confusion_matrix"] = parsed ? std::move(parsed).value() : json(nullptr);
  }
  return j;
}

monitoring::DriftOptions drift_options(const json& args) {
  monitoring::DriftOptions o;
  if (!args.is_object() || !args.contains("options")) return o;
  const json& j = args["options"];
  try {
    o.drift_share = j.value("drift_share", 0.5);
    if (j.contains("stattest")) o.stattest = j["stattest"].get<std::string>();
    if (j.contains("num_stattest")) o.num_stattest = j["num_stattest"].get<std::string>();
    if (j.contains("cat_stattest")) o.cat_stattest = j["cat_stattest"].get<std::string>();
    if (j.contains("stattest_threshold")) o.stattest_threshold = j["stattest_threshold"].get<double>();
    o.per_column_stattest = j.value("per_column_stattest", std::map<std::string, std::string>{});
    o.per_column_stattest_threshold = j.value("per_column_stattest_threshold", std::map<std::string, double>{});
    o.columns = j.value("columns", std::vector<std::string>{});
    o.categorical_columns = j.value("categorical_columns", std::vector<std::string>{});
    o.numerical_columns = j.value("numerical_columns", std::vector<std::string>{});
  } catch (const json::exception& e) {
    throw ApiError{Status::invalid("drift options: " + json_error_reason(e))};
  }
  return o;
}

// MLflow's logBatch limits (mlflow/utils/validation.py).
constexpr size_t kMaxMetricsPerBatch = 1000;
constexpr size_t kMaxParamsTagsPerBatch = 100;
constexpr size_t kMaxEntitiesPerBatch = 1000;

// An int64 field (milliseconds, steps); `fallback` when absent or null.
int64_t int64_or(const json& args, const char* name, int64_t fallback) {
  if (!args.is_object() || !args.contains(name) || args[name].is_null()) return fallback;
  const json& v = args[name];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() && std::fabs(v.get<double>()) < 9e15) {
    return int64_t(v.get<double>());
  }
  throw ApiError{Status::invalid(std::string("field '") + name + "' must be an integer")};
}

// MLflow's [{key, value}] list (a {key: value} object is accepted too); `what` names it in errors.
std::vector<std::pair<std::string, std::string>> key_values(const json& args, const char* name) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!args.is_object() || !args.contains(name) || args[name].is_null()) return out;
  const json& v = args[name];
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it.value().is_string()) throw ApiError{Status::invalid(std::string(name) + " '" + quote_for_message(it.key()) + "': the value must be a string")};
      out.emplace_back(it.key(), it.value().get<std::string>());
    }
    return out;
  }
  if (!v.is_array()) throw ApiError{Status::invalid(std::string("field '") + name + "' must be a list of {key, value}")};
  for (size_t i = 0; i < v.size(); ++i) {
    const json& e = v[i];
    const std::string at = std::string(name) + "[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("key") || !e["key"].is_string()) throw ApiError{Status::invalid(at + ": expected {key, value} with a string key")};
    if (!e.contains("value") || !e["value"].is_string()) {
      throw ApiError{Status::invalid(at + " ('" + quote_for_message(e["key"].get<std::string>()) + "'): the value must be a string")};
    }
    out.emplace_back(e["key"].get<std::string>(), e["value"].get<std::string>());
  }
  return out;
}

// logBatch's metrics: [{key, value, timestamp, step}] (timestamp defaults to now, step to 0).
std::vector<tracking::Metric> metrics_arg(const json& args) {
  std::vector<tracking::Metric> out;
  if (!args.is_object() || !args.contains("metrics") || args["metrics"].is_null()) return out;
  const json& v = args["metrics"];
  if (!v.is_array()) throw ApiError{Status::invalid("field 'metrics' must be a list of {key, value, timestamp, step}")};
  const int64_t now = now_ms();
  for (size_t i = 0; i < v.size(); ++i) {
    const json& e = v[i];
    const std::string at = "metrics[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("key") || !e["key"].is_string()) throw ApiError{Status::invalid(at + ": expected {key, value, timestamp, step} with a string key")};
    tracking::Metric m;
    m.key = e["key"].get<std::string>();
    if (!e.contains("value") || !e["value"].is_number()) {
      throw ApiError{Status::invalid(at + " ('" + quote_for_message(m.key) + "'): the value must be a number")};
    }
    m.value = e["value"].get<double>();
    try {
      m.timestamp = int64_or(e, "timestamp", now);
      m.step = int64_or(e, "step", 0);
    } catch (const ApiError& err) {
      throw ApiError{Status::invalid(at + " ('" + quote_for_message(m.key) + "'): " + err.status.message())};
    }
    out.push_back(std::move(m));
  }
  return out;
}

// Puts a {key, value} list into a map; a key given twice is an error (MLflow: duplicate keys).
void add_unique(std::map<std::string, std::string>& into, const std::vector<std::pair<std::string, std::string>>& kv,
                const char* what) {
  for (const auto& [k, v] : kv) {
    auto [it, fresh] = into.emplace(k, v);
    if (!fresh && it->second != v) {
      throw ApiError{Status::invalid(std::string(what) + " '" + quote_for_message(k) + "' is given twice with different values")};
    }
  }
}

const std::map<std::string, Handler>& handlers() {
  static const std::map<std::string, Handler> h = {
      // ---- tracking ----
      {"createExperiment", [](Lab& lab, const json& a) {
         const std::string name = str(a, "name");
         if (lab.tracking().get_experiment_by_name(name)) {
           throw ApiError{Status::already_exists("experiment '" + quote_for_message(name) + "' already exists")};
         }
         auto e = value_or_throw(lab.tracking().get_or_create_experiment(name));
         return tracking::experiment_to_json(e);
       }},
      {"createRun", [](Lab& lab, const json& a) {
         std::string exp_id;
         if (a.contains("experiment_id") && !a["experiment_id"].is_null()) {
           exp_id = a["experiment_id"].is_number_integer() ? std::to_string(a["experiment_id"].get<int64_t>()) : str(a, "experiment_id");
         } else if (a.contains("experiment_name")) {
           exp_id = value_or_throw(lab.tracking().get_or_create_experiment(str(a, "experiment_name"))).experiment_id;
         } else {
           exp_id = value_or_throw(lab.tracking().get_or_create_experiment("Default")).experiment_id;  // MLflow's Default
         }
         tracking::RunData data;
         add_unique(data.tags, key_values(a, "tags"), "tag");
         if (data.tags.size() > kMaxParamsTagsPerBatch) {
           throw ApiError{Status::invalid("at most " + std::to_string(kMaxParamsTagsPerBatch) + " tags per call (got " + std::to_string(data.tags.size()) + ")")};
         }
         std::string run_name = str_or(a, "run_name", "");
         auto named = data.tags.find(tracking::kRunNameTag);
         if (run_name.empty() && named != data.tags.end()) run_name = named->second;
         data.tags.erase(tracking::kRunNameTag);
         const int64_t start = int64_or(a, "start_time", now_ms());
         // One batch: the run with its tags (checked before anything is written).
         auto run = value_or_throw(lab.tracking().create_run_with(exp_id, run_name, start, data));
         return tracking::run_to_summary_json(run);
       }},
      {"logBatch", [](Lab& lab, const json& a) {
         const std::string run_id = str(a, "run_id");
         tracking::RunData data;
         data.metrics = metrics_arg(a);
         auto params = key_values(a, "params");
         auto tags = key_values(a, "tags");
         if (data.metrics.size() > kMaxMetricsPerBatch) {
           throw ApiError{Status::invalid("at most " + std::to_string(kMaxMetricsPerBatch) + " metrics per batch (got " + std::to_string(data.metrics.size()) + ")")};
         }
         if (params.size() > kMaxParamsTagsPerBatch || tags.size() > kMaxParamsTagsPerBatch) {
           throw ApiError{Status::invalid("at most " + std::to_string(kMaxParamsTagsPerBatch) + " params and " + std::to_string(kMaxParamsTagsPerBatch) +
                                          " tags per batch (got " + std::to_string(params.size()) + " and " + std::to_string(tags.size()) + ")")};
         }
         if (data.metrics.size() + params.size() + tags.size() > kMaxEntitiesPerBatch) {
           throw ApiError{Status::invalid("at most " + std::to_string(kMaxEntitiesPerBatch) + " metrics, params and tags in all per batch")};
         }
         add_unique(data.params, params, "param");
         add_unique(data.tags, tags, "tag");
         check(lab.tracking().log_batch(run_id, data));
         return json(nullptr);
       }},
      {"updateRun", [](Lab& lab, const json& a) {
         std::optional<tracking::RunStatus> status;
         if (a.contains("status") && !a["status"].is_null()) {
           const std::string s = str(a, "status");
           status = tracking::parse_run_status(s);
           if (!status) throw ApiError{Status::invalid("unknown status '" + quote_for_message(s) + "' (expected RUNNING, SCHEDULED, FINISHED, FAILED or KILLED)")};
         }
         std::optional<int64_t> end;
         if (a.contains("end_time") && !a["end_time"].is_null()) end = int64_or(a, "end_time", 0);
         std::optional<std::string> name;
         if (a.contains("run_name") && !a["run_name"].is_null()) name = str(a, "run_name");
         const std::string run_id = str(a, "run_id");
         check(lab.tracking().update_run_info(run_id, status, end, name));
         return tracking::run_to_summary_json(value_or_throw(lab.tracking().get_run(run_id)));
       }},
      {"searchRuns", [](Lab& lab, const json& a) {
         std::vector<std::string> ids;
         for (const auto& name : strings(a, "experiment_names", false)) {
           ids.push_back(value_or_throw(lab.tracking().get_experiment_by_name(name)).experiment_id);
         }
         auto runs = lab.tracking().list_runs(ids, view_arg(a));
         return runs_json(value_or_throw(tracking::search_runs(runs, str_or(a, "filter", ""), strings(a, "order_by", false))));
       }},
      {"listRuns", [](Lab& lab, const json& a) {
         json arr = json::array();
         for (const auto& r : lab.tracking().list_runs({}, view_arg(a))) arr.push_back(tracking::run_to_json(r));
         return arr;
       }},
      {"getRun", [](Lab& lab, const json& a) { return run_detail(lab, str(a, "run_id")); }},
      {"getMetricHistory", [](Lab& lab, const json& a) {
         json arr = json::array();
         for (const auto& m : lab.tracking().get_metric_history(str(a, "run_id"), str(a, "key"))) arr.push_back(tracking::metric_to_json(m));
         return arr;
       }},
      {"childRuns", [](Lab& lab, const json& a) { return runs_json(lab.tracking().child_runs(str(a, "run_id"))); }},
      {"deleteRun", [](Lab& lab, const json& a) { check(lab.tracking().delete_run(str(a, "run_id"))); return json(nullptr); }},
      {"restoreRun", [](Lab& lab, const json& a) { check(lab.tracking().restore_run(str(a, "run_id"))); return json(nullptr); }},
      {"renameRun", [](Lab& lab, const json& a) { check(lab.tracking().rename_run(str(a, "run_id"), str(a, "name"))); return json(nullptr); }},
      {"setTag", [](Lab& lab, const json& a) { check(lab.tracking().set_tag(str(a, "run_id"), str(a, "key"), str(a, "value"))); return json(nullptr); }},
      {"deleteTag", [](Lab& lab, const json& a) { check(lab.tracking().delete_tag(str(a, "run_id"), str(a, "key"))); return json(nullptr); }},
      {"setNote", [](Lab& lab, const json& a) { check(lab.tracking().set_tag(str(a, "run_id"), tracking::kNoteTag, str(a, "note"))); return json(nullptr); }},
      {"listExperiments", [](Lab& lab, const json& a) {
         json arr = json::array();
         for (const auto& e : lab.tracking().list_experiments(view_arg(a))) arr.push_back(tracking::experiment_to_json(e));
         return arr;
       }},
      {"deleteExperiment", [](Lab& lab, const json& a) { check(lab.tracking().delete_experiment(str(a, "experiment_id"))); return json(nullptr); }},
      {"restoreExperiment", [](Lab& lab, const json& a) { check(lab.tracking().restore_experiment(str(a, "experiment_id"))); return json(nullptr); }},
      {"renameExperiment", [](Lab& lab, const json& a) {
         check(lab.tracking().rename_experiment(str(a, "experiment_id"), str(a, "name")));
         return json(nullptr);
       }},
      // ---- datasets ----
      {"listDatasets", [](Lab& lab, const json&) { return datasets::dataset_list_json(lab.catalog(), lab.datasets().list()); }},
      {"addDataset", [](Lab& lab, const json& a) {
         auto rec = value_or_throw(lab.datasets().add(str(a, "name"), str(a, "csv"), "upload", str_or(a, "source", str(a, "name"))));
         return datasets::dataset_version_entry_json(rec.name, rec.latest());
       }},
      {"getDataset", [](Lab& lab, const json& a) {
         auto ref = value_or_throw(datasets::parse_dataset_ref(str(a, "name")));
         auto rec = value_or_throw(lab.datasets().get(ref.first));
         auto v = value_or_throw(lab.datasets().version(ref.first, ref.second));
         return datasets::dataset_to_json(rec, v, lab.tracking().runs_with_input(v.digest));
       }},
      {"deriveDataset", [](Lab& lab, const json& a) {
         auto ref = value_or_throw(datasets::parse_dataset_ref(str(a, "from")));
         auto rec = value_or_throw(lab.datasets().derive(str(a, "name"), ref.first, ref.second, field(a, "steps")));
         return datasets::dataset_version_entry_json(rec.name, rec.latest());
       }},
      // ---- model registry ----
      {"registerModel", [](Lab& lab, const json& a) {
         return registry::model_version_to_json(value_or_throw(lab.registry().register_model(str(a, "model_uri"), str(a, "name"))));
       }},
      {"searchRegisteredModels", [](Lab& lab, const json& a) {
         json arr = json::array();
         for (const auto& m : value_or_throw(lab.registry().search_registered_models(str_or(a, "filter", "")))) {
           arr.push_back(registry::registered_model_to_json(m));
         }
         return arr;
       }},
      {"getRegisteredModel", [](Lab& lab, const json& a) {
         return registry::registered_model_to_detail_json(value_or_throw(lab.registry().get_registered_model(str(a, "name"))));
       }},
      {"getModelVersion", [](Lab& lab, const json& a) {
         auto v = value_or_throw(lab.registry().get_model_version(str(a, "name"), integer(a, "version")));
         json j = registry::model_version_to_detail_json(v);
         j["training_inputs"] = registry::training_inputs_to_json(value_or_throw(lab.registry().training_inputs(v.name, v.version)));
         return j;
       }},
      {"transitionModelVersionStage", [](Lab& lab, const json& a) {
         return registry::model_version_to_json(value_or_throw(lab.registry().transition_model_version_stage(
             str(a, "name"), integer(a, "version"), str(a, "stage"), flag(a, "archive_existing_versions"))));
       }},
      {"setRegisteredModelAlias", [](Lab& lab, const json& a) {
         check(lab.registry().set_registered_model_alias(str(a, "name"), str(a, "alias"), integer(a, "version")));
         return json(nullptr);
       }},
      {"deleteRegisteredModelAlias", [](Lab& lab, const json& a) {
         check(lab.registry().delete_registered_model_alias(str(a, "name"), str(a, "alias")));
         return json(nullptr);
       }},
      {"predict", [](Lab& lab, const json& a) {
         // Records are read against the model's signature; other forms are checked before loading it.
         const json& d = field(a, "data");
         const bool records = d.is_object() && d.contains("records");
         data::Table rows;
         if (!records) rows = table_arg(lab, a, "data");
         auto model = value_or_throw(lab.registry().load_model(str(a, "model_uri")));
         if (records) rows = table_arg(lab, a, "data", &model.doc);
         auto p = value_or_throw(registry::predict(model, rows));
         if (flag(a, "log")) check(lab.predictions().log(monitoring::make_entries(model, p, now_ms())));
         return registry::predictions_to_json(p);
       }},
      // ---- feature store ----
      {"registerFeatures", [](Lab& lab, const json& a) {
         features::FeatureGroupOptions o;
         o.entity_keys = strings(a, "entity_keys");
         o.timestamp_column = str_or(a, "timestamp_column", "event_timestamp");
         o.created_column = str_or(a, "created_column", "");
         o.description = str_or(a, "description", "");
         if (a.contains("ttl")) o.ttl_us = value_or_throw(features::parse_duration(str(a, "ttl")));
         return features::feature_group_to_json(
             value_or_throw(lab.features().register_features(str(a, "name"), table_arg(lab, a, "data"), o)));
       }},
      {"listFeatureGroups", [](Lab& lab, const json&) {
         json arr = json::array();
         for (const auto& g : lab.features().list()) arr.push_back(features::feature_group_to_json(g));
         return arr;
       }},
      {"getFeatures", [](Lab& lab, const json& a) {
         return records(value_or_throw(lab.features().get_features(str(a, "name"), a.contains("version") ? integer(a, "version") : 0)));
       }},
      {"getHistoricalFeatures", [](Lab& lab, const json& a) {
         features::HistoricalOptions o;
         o.entity_timestamp_column = str_or(a, "entity_timestamp_column", "event_timestamp");
         o.full_feature_names = flag(a, "full_feature_names");
         o.filter_by_created_timestamp = flag(a, "filter_by_created_timestamp");
         return records(value_or_throw(
             lab.features().get_historical_features(table_arg(lab, a, "entity_df"), strings(a, "features"), o)));
       }},
      {"getOnlineFeatures", [](Lab& lab, const json& a) {
         features::OnlineOptions o;
         o.now = now_ms() * 1000;
         return records(value_or_throw(lab.features().get_online_features(strings(a, "features"), table_arg(lab, a, "entity_rows"), o)));
       }},
      // ---- monitoring ----
      {"computeDrift", [](Lab& lab, const json& a) {
         monitoring::DriftOptions opts = drift_options(a);
         data::Table current = table_arg(lab, a, "current");
         monitoring::StoredDriftReport stored;
         if (a.contains("model_uri")) {
           stored = value_or_throw(lab.drift_against_model(str(a, "model_uri"), std::move(current), opts,
                                                           str_or(a, "current_name", "current")));
         } else {
           stored.reference = str_or(a, "reference_name", "reference");
           stored.current = str_or(a, "current_name", "current");
           stored.report = value_or_throw(monitoring::compute_drift(table_arg(lab, a, "reference"), current, opts));
           if (flag(a, "save")) stored = value_or_throw(lab.drift_reports().save(stored));
         }
         json j = monitoring::drift_report_to_json(stored.report);
         if (!stored.report_id.empty()) j["report_id"] = stored.report_id;
         return j;
       }},
      {"listDriftReports", [](Lab& lab, const json& a) {
         json arr = json::array();
         std::optional<int> version;
         if (a.contains("version")) version = integer(a, "version");
         for (const auto& r : lab.drift_reports().list(str_or(a, "model_name", ""), version)) {
           arr.push_back(monitoring::stored_drift_report_to_json(r));
         }
         return arr;
       }},
      {"getPredictionLog", [](Lab& lab, const json& a) {
         std::optional<int> version;
         if (a.contains("version")) version = integer(a, "version");
         json arr = json::array();
         for (const auto& e : value_or_throw(lab.predictions().list(str(a, "model_name"), version,
                                                                    a.contains("limit") ? size_t(integer(a, "limit")) : 0))) {
           arr.push_back(monitoring::prediction_entry_to_json(e));
         }
         return arr;
       }},
      {"recordActual", [](Lab& lab, const json& a) {
         // The id or a unique prefix; the actual is checked and typed against the model.
         auto [id, actual] = value_or_throw(lab.record_actual(str(a, "prediction_id"), field(a, "actual")));
         return json{{"prediction_id", id}, {"actual", actual}};
       }},
  };
  return h;
}

}  // namespace

std::vector<std::string> lab_api_methods() {
  std::vector<std::string> out;
  for (const auto& [k, v] : handlers()) out.push_back(k);
  return out;
}

namespace {
// {"ok": false, "error"}: one line whatever the message holds (the last guard; messages quote
// values cut short where they are made).
json api_error(const std::string& method, const std::string& message) {
  return {{"ok", false}, {"error", quote_for_message(method + ": " + message, 2000)}};
}
}  // namespace

json lab_api_call(Lab& lab, const std::string& method, const json& args) {
  auto it = handlers().find(method);
  if (it == handlers().end()) {
    std::string known;
    for (const auto& m : lab_api_methods()) known += (known.empty() ? "" : ", ") + m;
    return {{"ok", false}, {"error", "unknown method '" + quote_for_message(method) + "' (known: " + known + ")"}};
  }
  // The boundary: whatever a handler throws becomes {"ok": false, "error"}.
  try {
    return {{"ok", true}, {"result", it->second(lab, args.is_null() ? json::object() : args)}};
  } catch (const ApiError& e) {
    return api_error(method, e.status.message());
  } catch (...) {
    return api_error(method, exception_status(std::current_exception()).message());
  }
}

}  // namespace mllab::platform

#include "core/tracking/tracking_store.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <tuple>

#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"
#include "core/util/names.hpp"
#include "core/util/sha256.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::tracking {
namespace {

constexpr int kRunSchemaVersion = 1;
constexpr int kExperimentSchemaVersion = 1;
constexpr int kMetricsSchemaVersion = 1;

// Checks a document's schema name and version; newer versions are refused.
Status check_schema(const json& j, const char* schema, int max_version) {
  if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string() || j["schema"] != schema) {
    return Status::parse_error(std::string("not a ") + schema + " document");
  }
  if (!j.contains("schema_version") || !j["schema_version"].is_number_integer()) {
    return Status::parse_error(std::string(schema) + ": schema_version is missing or not an integer");
  }
  int v = j["schema_version"].get<int>();
  if (v < 1 || v > max_version) {
    return Status::parse_error(std::string(schema) + " schema_version " + std::to_string(v) +
                               " is not supported by this MLLab (supports 1.." +
                               std::to_string(max_version) + "); update MLLab");
  }
  return Status::ok();
}

Metric metric_from_json(const json& j) {
  Metric m;
  m.key = j.at("key").get<std::string>();
  m.value = j.at("value").is_null() ? std::nan("") : j.at("value").get<double>();
  m.timestamp = j.at("timestamp").get<int64_t>();
  m.step = j.at("step").get<int64_t>();
  return m;
}

// MLflow FileStore semantics: the latest value is the max by (step, timestamp, value).
bool newer(const Metric& a, const Metric& b) {
  return std::tie(a.step, a.timestamp, a.value) > std::tie(b.step, b.timestamp, b.value);
}

Result<Experiment> parse_experiment(const std::string& bytes, const std::string& what) {
  auto parsed = read_json(bytes, what);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  Status schema = check_schema(j, "mllab.experiment", kExperimentSchemaVersion);
  if (!schema.is_ok()) return Status(schema.code(), what + ": " + schema.message());
  try {
    Experiment e;
    e.experiment_id = j.at("experiment_id").get<std::string>();
    e.name = j.at("name").get<std::string>();
    e.lifecycle_stage = j.value("lifecycle_stage", "active");
    e.creation_time = j.value("creation_time", int64_t{0});
    e.last_update_time = j.value("last_update_time", int64_t{0});
    e.tags = j.value("tags", std::map<std::string, std::string>{});
    return e;
  } catch (const json::exception& ex) {
    return Status::parse_error(what + " is malformed: " + json_error_reason(ex));
  }
}

// Experiment ids are decimal integers; anything else sorts first and never clashes.
long long id_number(const std::string& id) {
  long long n = 0;
  for (char c : id) {
    if (c < '0' || c > '9' || n > 1000000000000LL) return -1;
    n = n * 10 + (c - '0');
  }
  return id.empty() ? -1 : n;
}

std::string write_experiment(const Experiment& e) {
  json j = experiment_to_json(e);
  j["schema"] = "mllab.experiment";
  j["schema_version"] = kExperimentSchemaVersion;
  return j.dump();
}

std::string zero_pad(size_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08zu", n);
  return buf;
}

bool in_view(const std::string& lifecycle_stage, ViewType view) {
  if (view == ViewType::kAll) return true;
  return (lifecycle_stage == "deleted") == (view == ViewType::kDeletedOnly);
}

// MLflow's limits (mlflow/utils/validation.py): keys and run names of at most 250 characters,
// param values of at most 6,000 and tag values of at most 5,000 bytes.
constexpr size_t kMaxParamValueBytes = 6000;
constexpr size_t kMaxTagValueBytes = 5000;

Status check_key(const std::string& key, const char* kind) {
  const std::string what = std::string(kind) + " key";
  if (key.empty()) return Status::invalid(what + " is empty");
  MLLAB_RETURN_IF_ERROR(check_length(key, what));
  return check_text(key, what);
}

Status check_value(const std::string& key, const std::string& value, const char* kind, size_t max_bytes) {
  if (value.size() <= max_bytes) return Status::ok();
  return Status::invalid(std::string(kind) + " '" + quote_for_message(key) + "': the value is " +
                         std::to_string(value.size()) + " bytes long (at most " + std::to_string(max_bytes) +
                         " bytes)");
}

Status check_run_name(const std::string& name) {
  MLLAB_RETURN_IF_ERROR(check_length(name, "run name"));
  return check_text(name, "run name");
}

Status check_tag(const std::string& key, const std::string& value) {
  MLLAB_RETURN_IF_ERROR(check_key(key, "tag"));
  if (key == kRunNameTag) return check_run_name(value);
  return check_value(key, value, "tag", kMaxTagValueBytes);
}

// Every limit of a batch of run data, checked before anything is written.
Status check_run_data(const RunData& data) {
  for (const auto& [k, v] : data.params) {
    MLLAB_RETURN_IF_ERROR(check_key(k, "param"));
    MLLAB_RETURN_IF_ERROR(check_value(k, v, "param", kMaxParamValueBytes));
  }
  for (const auto& [k, v] : data.tags) MLLAB_RETURN_IF_ERROR(check_tag(k, v));
  for (const auto& m : data.metrics) MLLAB_RETURN_IF_ERROR(check_key(m.key, "metric"));
  return Status::ok();
}

Status check_experiment_name(const std::string& name) {
  return check_name(name, "experiment name", {}, /*key_segment=*/false);
}

}  // namespace

Result<ViewType> parse_view_type(const std::string& s) {
  std::string l;
  for (char c : s) l += char(std::tolower(static_cast<unsigned char>(c)));
  if (l == "active_only" || l == "active") return ViewType::kActiveOnly;
  if (l == "deleted_only" || l == "deleted") return ViewType::kDeletedOnly;
  if (l == "all") return ViewType::kAll;
  return Status::invalid("unknown view type '" + s + "' (expected active_only, deleted_only or all)");
}

Result<Run> parse_run_record(const std::string& bytes, const std::string& what) {
  auto parsed = read_json(bytes, what);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  Status schema = check_schema(j, "mllab.run", kRunSchemaVersion);
  if (!schema.is_ok()) return Status(schema.code(), what + ": " + schema.message());
  try {
    Run r;
    const json& info = j.at("info");
    r.run_id = info.at("run_id").get<std::string>();
    r.experiment_id = info.at("experiment_id").get<std::string>();
    r.run_name = info.value("run_name", "");
    auto st = parse_run_status(info.at("status").get<std::string>());
    if (!st) return Status::parse_error("run " + r.run_id + " has an unknown status");
    r.status = *st;
    r.start_time = info.at("start_time").get<int64_t>();
    if (info.contains("end_time") && !info["end_time"].is_null()) r.end_time = info["end_time"].get<int64_t>();
    r.lifecycle_stage = info.value("lifecycle_stage", "active");
    r.params = j.value("params", std::map<std::string, std::string>{});
    r.tags = j.value("tags", std::map<std::string, std::string>{});
    for (const auto& m : j.value("metrics", json::array())) {
      Metric mm = metric_from_json(m);
      r.metrics[mm.key] = mm;
    }
    for (const auto& a : j.value("artifacts", json::array())) {
      r.artifacts.push_back({a.at("path"), a.at("media_type"), a.at("file_size"), a.at("sha256")});
    }
    for (const auto& d : j.value("inputs", json::array())) {
      DatasetInput in;
      in.name = d.at("name"); in.digest = d.at("digest"); in.source_type = d.value("source_type", "");
      in.source = d.value("source", ""); in.schema = d.value("schema", json::object());
      in.num_rows = d.value("num_rows", int64_t{0}); in.context = d.value("context", "");
      r.inputs.push_back(std::move(in));
    }
    return r;
  } catch (const json::exception& e) {
    return Status::parse_error(what + " is malformed: " + json_error_reason(e));
  }
}

std::string write_run_record(const Run& r) {
  json metrics = json::array();
  for (const auto& [k, m] : r.metrics) metrics.push_back(metric_to_json(m));
  json artifacts = json::array();
  for (const auto& a : r.artifacts) {
    artifacts.push_back({{"path", a.path}, {"media_type", a.media_type}, {"file_size", a.file_size}, {"sha256", a.sha256}});
  }
  json inputs = json::array();
  for (const auto& d : r.inputs) {
    inputs.push_back({{"name", d.name}, {"digest", d.digest}, {"source_type", d.source_type},
                      {"source", d.source}, {"schema", d.schema}, {"num_rows", d.num_rows},
                      {"context", d.context}});
  }
  json j = {{"schema", "mllab.run"},
            {"schema_version", kRunSchemaVersion},
            {"info", {{"run_id", r.run_id}, {"experiment_id", r.experiment_id}, {"run_name", r.run_name},
                      {"status", run_status_name(r.status)}, {"start_time", r.start_time},
                      {"end_time", r.end_time ? json(*r.end_time) : json(nullptr)},
                      {"lifecycle_stage", r.lifecycle_stage},
                      {"artifact_uri", "mllab-artifacts:/" + r.run_id}}},
            {"params", r.params},
            {"tags", r.tags},
            {"metrics", metrics},
            {"artifacts", artifacts},
            {"inputs", inputs}};
  return j.dump();
}

Result<Experiment> TrackingClient::get_experiment(const std::string& experiment_id) const {
  auto bytes = store_.get("experiments/" + experiment_id);
  if (!bytes) return Status::not_found("no experiment with id '" + quote_for_message(experiment_id) + "'");
  return parse_experiment(*bytes, "experiment record 'experiments/" + quote_for_message(experiment_id) + "'");
}

std::vector<Experiment> TrackingClient::list_experiments(ViewType view) const {
  std::vector<Experiment> out;
  for (const auto& key : store_.keys("experiments/")) {
    auto bytes = store_.get(key);
    if (!bytes) continue;
    auto e = parse_experiment(*bytes, "experiment record '" + key + "'");
    if (e && in_view(e->lifecycle_stage, view)) out.push_back(std::move(e).value());
  }
  std::sort(out.begin(), out.end(), [](const Experiment& a, const Experiment& b) {
    return id_number(a.experiment_id) < id_number(b.experiment_id);
  });
  return out;
}

Result<Experiment> TrackingClient::get_experiment_by_name(const std::string& name) const {
  for (auto& e : list_experiments(ViewType::kAll)) {
    if (e.name == name) return e;
  }
  return Status::not_found("no experiment named '" + name + "'");
}

Result<Experiment> TrackingClient::get_or_create_experiment(const std::string& name) {
  MLLAB_RETURN_IF_ERROR(check_experiment_name(name));
  // Another process may create an experiment between our look and our commit: the commit then
  // fails (the id is taken) and we look again.
  Status taken;
  for (int attempt = 0; attempt < 64; ++attempt) {
    auto found = get_experiment_by_name(name);
    if (found && found->lifecycle_stage == "deleted") {
      return Status::invalid("experiment '" + name + "' (id " + found->experiment_id +
                             ") is deleted; restore it or use another name");
    }
    if (found) return found;
    // Ids are integers as in MLflow; the next one is derived from what is stored.
    long long next = 0;
    for (const auto& e : list_experiments(ViewType::kAll)) next = std::max(next, id_number(e.experiment_id) + 1);
    if (name != "Default" && next == 0) next = 1;  // "0" is reserved for Default
    Experiment e;
    e.experiment_id = name == "Default" && !store_.get("experiments/0") ? "0" : std::to_string(next);
    e.name = name;
    e.creation_time = e.last_update_time = now_ms();
    store::Batch b;
    b.expect_absent("experiments/" + e.experiment_id);
    b.put("experiments/" + e.experiment_id, write_experiment(e));
    taken = store_.commit(b);
    if (taken.is_ok()) return e;
    if (taken.code() != ErrorCode::kResourceAlreadyExists) return taken;
  }
  return Status::storage_error("cannot create experiment '" + name + "': " + taken.message());
}

Result<Run> TrackingClient::create_run(const std::string& experiment_id, const std::string& run_name,
                                       int64_t start_time) {
  MLLAB_RETURN_IF_ERROR(check_run_name(run_name));
  MLLAB_RETURN_IF_ERROR(get_experiment(experiment_id).status());
  Run r;
  r.run_id = new_id();
  r.experiment_id = experiment_id;
  r.run_name = run_name.empty() ? "run-" + r.run_id.substr(0, 8) : run_name;
  r.start_time = start_time;
  r.status = RunStatus::kRunning;
  r.tags[kRunNameTag] = r.run_name;
  for (const auto& [k, v] : owner_tags_) r.tags[k] = v;
  store::Batch b;
  b.put("runs/" + r.run_id, write_run_record(r));
  MLLAB_RETURN_IF_ERROR(store_.commit(b));
  return r;
}

Result<Run> TrackingClient::create_run_with(const std::string& experiment_id, const std::string& run_name,
                                            int64_t start_time, const RunData& data) {
  MLLAB_RETURN_IF_ERROR(check_run_name(run_name));
  MLLAB_RETURN_IF_ERROR(get_experiment(experiment_id).status());
  Run r;
  r.run_id = new_id();
  r.experiment_id = experiment_id;
  r.run_name = run_name.empty() ? "run-" + r.run_id.substr(0, 8) : run_name;
  r.start_time = start_time;
  r.status = RunStatus::kRunning;
  r.tags[kRunNameTag] = r.run_name;
  for (const auto& [k, v] : owner_tags_) r.tags[k] = v;
  store::Batch b;
  MLLAB_RETURN_IF_ERROR(write_run_batch(r, data, b));
  MLLAB_RETURN_IF_ERROR(store_.commit(b));
  auto stored = get_run(r.run_id);
  return stored ? std::move(stored).value() : r;
}

Result<std::vector<std::string>> TrackingClient::kill_runs_of_gone_owners(const OwnerGone& gone, int64_t end_time) {
  std::vector<std::string> killed;
  store::Batch b;
  const std::string prefix = kOwnerTagPrefix;
  for (auto& r : list_runs({}, ViewType::kAll)) {
    if (r.status != RunStatus::kRunning) continue;
    std::map<std::string, std::string> owner;
    for (auto it = r.tags.lower_bound(prefix); it != r.tags.end() && it->first.rfind(prefix, 0) == 0; ++it) {
      owner.insert(*it);
    }
    if (owner.empty()) continue;
    auto reason = gone(owner);
    if (!reason) continue;
    // Read the run again now that its owner is known to be gone: the listing may predate the
    // owner's last commit (it finished the run, then exited). Whatever the owner wrote is in
    // the store by now, so a run still RUNNING here was left behind. (Killing the listed copy
    // turned runs that had just FINISHED into KILLED.)
    auto current = get_run(r.run_id);
    if (!current || current->status != RunStatus::kRunning) continue;
    Run k = std::move(current).value();
    k.status = RunStatus::kKilled;
    k.end_time = std::max(end_time, k.start_time);
    k.tags[kKilledReasonTag] = *reason;
    b.put("runs/" + k.run_id, write_run_record(k));
    killed.push_back(k.run_id);
  }
  if (!killed.empty()) MLLAB_RETURN_IF_ERROR(store_.commit(b));
  return killed;
}

Result<Run> TrackingClient::log_finished_run(const std::string& experiment_id, const std::string& run_name,
                                             int64_t start_time, int64_t end_time, const RunData& data) {
  MLLAB_RETURN_IF_ERROR(check_run_name(run_name));
  MLLAB_RETURN_IF_ERROR(get_experiment(experiment_id).status());
  Run r;
  r.run_id = new_id();
  r.experiment_id = experiment_id;
  r.run_name = run_name.empty() ? "run-" + r.run_id.substr(0, 8) : run_name;
  r.start_time = start_time;
  r.end_time = end_time;
  r.status = RunStatus::kFinished;
  r.tags[kRunNameTag] = r.run_name;
  store::Batch b;
  MLLAB_RETURN_IF_ERROR(write_run_batch(r, data, b));
  MLLAB_RETURN_IF_ERROR(store_.commit(b));
  return get_run(r.run_id);
}

Status TrackingClient::write_run_batch(Run run, const RunData& data, store::Batch& batch) {
  MLLAB_RETURN_IF_ERROR(check_run_data(data));
  for (const auto& [k, v] : data.params) {
    auto it = run.params.find(k);
    if (it != run.params.end() && it->second != v) {
      return Status::invalid("param '" + k + "' was already logged with value '" + it->second +
                             "'; params are immutable (new value '" + v + "')");
    }
    run.params[k] = v;
  }
  for (const auto& [k, v] : data.tags) run.tags[k] = v;
  if (!data.metrics.empty()) {
    json points = json::array();
    for (const auto& m : data.metrics) {
      points.push_back(metric_to_json(m));
      auto it = run.metrics.find(m.key);
      if (it == run.metrics.end() || newer(m, it->second)) run.metrics[m.key] = m;
    }
    size_t seq = store_.keys("metrics/" + run.run_id + "/").size();
    batch.put("metrics/" + run.run_id + "/" + zero_pad(seq),
              json({{"schema", "mllab.metrics"}, {"schema_version", kMetricsSchemaVersion}, {"points", points}}).dump());
  }
  for (const auto& [info, bytes] : data.artifacts) {
    ArtifactInfo a = info;
    a.file_size = int64_t(bytes.size());
    a.sha256 = sha256_hex(bytes);
    std::string key = "artifacts/" + run.run_id + "/" + a.path;
    MLLAB_RETURN_IF_ERROR(store::validate_key(key));
    auto same = std::find_if(run.artifacts.begin(), run.artifacts.end(),
                             [&](const ArtifactInfo& x) { return x.path == a.path; });
    if (same != run.artifacts.end()) *same = a;
    else run.artifacts.push_back(a);
    batch.put(key, bytes);
  }
  for (const auto& in : data.inputs) run.inputs.push_back(in);
  batch.put("runs/" + run.run_id, write_run_record(run));
  return Status::ok();
}

Status TrackingClient::log_batch(const std::string& run_id, const RunData& data) {
  auto run = get_run(run_id);
  if (!run) return run.status();
  store::Batch b;
  MLLAB_RETURN_IF_ERROR(write_run_batch(std::move(run).value(), data, b));
  return store_.commit(b);
}

Status TrackingClient::end_run(const std::string& run_id, const RunData& data, RunStatus status,
                               int64_t end_time) {
  auto run = get_run(run_id);
  if (!run) return run.status();
  run->status = status;
  run->end_time = end_time;
  store::Batch b;
  MLLAB_RETURN_IF_ERROR(write_run_batch(std::move(run).value(), data, b));
  return store_.commit(b);
}

Result<Run> TrackingClient::get_run(const std::string& run_id) const {
  auto bytes = store_.get("runs/" + run_id);
  if (!bytes) return Status::not_found("no run with id '" + quote_for_message(run_id) + "'");
  return parse_run_record(*bytes, "run record 'runs/" + quote_for_message(run_id) + "'");
}

Result<Run> TrackingClient::find_run(const std::string& id_or_prefix) const {
  auto exact = get_run(id_or_prefix);
  if (exact || exact.status().code() != ErrorCode::kResourceDoesNotExist || id_or_prefix.empty()) return exact;
  std::vector<std::string> matches;
  for (const auto& k : store_.keys("runs/" + id_or_prefix)) {
    if (k.find('/', 5) == std::string::npos) matches.push_back(k.substr(5));  // run records, not deeper keys
  }
  if (matches.size() == 1) return get_run(matches.front());
  if (matches.size() > 1) {
    return Status::invalid("run id prefix '" + quote_for_message(id_or_prefix) + "' matches " +
                           std::to_string(matches.size()) + " runs (" + matches[0] + ", " + matches[1] +
                           (matches.size() > 2 ? ", ..." : "") + "): give more of the id");
  }
  return exact.status();
}

std::vector<Metric> TrackingClient::get_metric_history(const std::string& run_id, const std::string& key) const {
  std::vector<Metric> out;
  for (const auto& k : store_.keys("metrics/" + run_id + "/")) {
    auto bytes = store_.get(k);
    if (!bytes) continue;
    auto parsed = read_json(*bytes, "metric record '" + k + "'");
    if (!parsed) continue;  // an unreadable record is skipped; the rest of the history stays readable
    const json& j = *parsed;
    if (!j.is_object() || !j.contains("points") || !j["points"].is_array()) continue;
    for (const auto& p : j["points"]) {
      try {
        if (p.is_object() && p.contains("key") && p["key"] == key) out.push_back(metric_from_json(p));
      } catch (const json::exception&) {
        // A malformed point is skipped; the rest of the history stays readable.
      }
    }
  }
  return out;
}

std::vector<Run> TrackingClient::list_runs(const std::vector<std::string>& experiment_ids, ViewType view) const {
  std::vector<Run> out;
  std::map<std::string, std::pair<std::string, Run>> cache;
  for (const auto& key : store_.keys("runs/")) {
    auto bytes = store_.get(key);
    if (!bytes) continue;
    Result<Run> r = Status::internal("unset");
    auto hit = run_cache_.find(key);
    if (hit != run_cache_.end() && hit->second.first == *bytes) {
      r = std::move(hit->second.second);
    } else {
      r = parse_run_record(*bytes, "run record '" + key + "'");
    }
    if (!r) continue;
    cache.emplace(key, std::make_pair(std::move(*bytes), *r));
    if (!in_view(r->lifecycle_stage, view)) continue;
    if (!experiment_ids.empty() &&
        std::find(experiment_ids.begin(), experiment_ids.end(), r->experiment_id) == experiment_ids.end()) {
      continue;
    }
    out.push_back(std::move(r).value());
  }
  run_cache_ = std::move(cache);
  std::sort(out.begin(), out.end(), [](const Run& a, const Run& b) {
    return std::tie(b.start_time, a.run_id) < std::tie(a.start_time, b.run_id);
  });
  return out;
}

template <typename Edit>
Status TrackingClient::update_run(const std::string& run_id, Edit edit) {
  auto run = get_run(run_id);
  if (!run) return run.status();
  MLLAB_RETURN_IF_ERROR(edit(*run));
  store::Batch b;
  b.put("runs/" + run_id, write_run_record(*run));
  return store_.commit(b);
}

template <typename Edit>
Status TrackingClient::update_experiment(const std::string& experiment_id, Edit edit) {
  auto e = get_experiment(experiment_id);
  if (!e) return e.status();
  store::Batch b;
  MLLAB_RETURN_IF_ERROR(edit(*e, b));
  e->last_update_time = now_ms();
  b.put("experiments/" + experiment_id, write_experiment(*e));
  return store_.commit(b);
}

Status TrackingClient::delete_run(const std::string& run_id) {
  return update_run(run_id, [](Run& r) { r.lifecycle_stage = "deleted"; return Status::ok(); });
}

Status TrackingClient::restore_run(const std::string& run_id) {
  return update_run(run_id, [&](Run& r) {
    auto e = get_experiment(r.experiment_id);
    if (e && e->lifecycle_stage == "deleted") {
      return Status::invalid("run '" + run_id + "' belongs to the deleted experiment '" + e->name +
                             "'; restore the experiment first");
    }
    r.lifecycle_stage = "active";
    return Status::ok();
  });
}

Status TrackingClient::update_run_info(const std::string& run_id, std::optional<RunStatus> status,
                                       std::optional<int64_t> end_time, std::optional<std::string> run_name) {
  if (run_name) {
    if (run_name->empty()) return Status::invalid("run name is empty");
    MLLAB_RETURN_IF_ERROR(check_run_name(*run_name));
  }
  if (end_time && *end_time < 0) return Status::invalid("end_time must not be negative");
  return update_run(run_id, [&](Run& r) {
    if (status) r.status = *status;
    if (end_time) r.end_time = *end_time;
    if (run_name) {
      r.run_name = *run_name;
      r.tags[kRunNameTag] = *run_name;
    }
    return Status::ok();
  });
}

Status TrackingClient::rename_run(const std::string& run_id, const std::string& new_name) {
  if (new_name.empty()) return Status::invalid("run name is empty");
  MLLAB_RETURN_IF_ERROR(check_run_name(new_name));
  return update_run(run_id, [&](Run& r) {
    r.run_name = new_name;
    r.tags[kRunNameTag] = new_name;
    return Status::ok();
  });
}

Status TrackingClient::set_tag(const std::string& run_id, const std::string& key, const std::string& value) {
  MLLAB_RETURN_IF_ERROR(check_tag(key, value));
  if (key == kRunNameTag) return rename_run(run_id, value);
  return update_run(run_id, [&](Run& r) { r.tags[key] = value; return Status::ok(); });
}

Status TrackingClient::delete_tag(const std::string& run_id, const std::string& key) {
  return update_run(run_id, [&](Run& r) {
    if (!r.tags.erase(key)) return Status::not_found("run '" + run_id + "' has no tag '" + key + "'");
    return Status::ok();
  });
}

std::vector<Run> TrackingClient::child_runs(const std::string& run_id, ViewType view) const {
  std::vector<Run> out;
  for (auto& r : list_runs({}, view)) {
    auto it = r.tags.find(kParentRunIdTag);
    if (it != r.tags.end() && it->second == run_id) out.push_back(std::move(r));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<Run> TrackingClient::runs_with_input(const std::string& digest, ViewType view) const {
  std::vector<Run> out;
  for (auto& r : list_runs({}, view)) {
    bool used = std::any_of(r.inputs.begin(), r.inputs.end(), [&](const DatasetInput& in) { return in.digest == digest; });
    if (used) out.push_back(std::move(r));
  }
  return out;
}

// Sets the lifecycle stage of an experiment and of all its runs, in the same batch.
static Status set_experiment_stage(const TrackingClient& client, const Experiment& e, const std::string& stage,
                                   store::Batch& b) {
  for (auto r : client.list_runs({e.experiment_id}, ViewType::kAll)) {
    if (r.lifecycle_stage == stage) continue;
    r.lifecycle_stage = stage;
    b.put("runs/" + r.run_id, write_run_record(r));
  }
  return Status::ok();
}

Status TrackingClient::delete_experiment(const std::string& experiment_id) {
  if (experiment_id == "0") return Status::invalid("the Default experiment (id 0) cannot be deleted");
  return update_experiment(experiment_id, [&](Experiment& e, store::Batch& b) {
    e.lifecycle_stage = "deleted";
    return set_experiment_stage(*this, e, "deleted", b);
  });
}

Status TrackingClient::restore_experiment(const std::string& experiment_id) {
  return update_experiment(experiment_id, [&](Experiment& e, store::Batch& b) {
    e.lifecycle_stage = "active";
    return set_experiment_stage(*this, e, "active", b);
  });
}

Status TrackingClient::rename_experiment(const std::string& experiment_id, const std::string& new_name) {
  MLLAB_RETURN_IF_ERROR(check_experiment_name(new_name));
  auto other = get_experiment_by_name(new_name);
  if (other && other->experiment_id != experiment_id) {
    return Status::already_exists("an experiment named '" + new_name + "' already exists (id " +
                                  other->experiment_id + ")");
  }
  return update_experiment(experiment_id, [&](Experiment& e, store::Batch&) {
    e.name = new_name;
    return Status::ok();
  });
}

Status TrackingClient::set_experiment_tag(const std::string& experiment_id, const std::string& key,
                                          const std::string& value) {
  MLLAB_RETURN_IF_ERROR(check_tag(key, value));
  return update_experiment(experiment_id, [&](Experiment& e, store::Batch&) {
    e.tags[key] = value;
    return Status::ok();
  });
}

Result<std::string> TrackingClient::get_artifact(const std::string& run_id, const std::string& path) const {
  auto bytes = store_.get("artifacts/" + run_id + "/" + path);
  if (!bytes) return Status::not_found("run '" + run_id + "' has no artifact '" + path + "'");
  return std::move(*bytes);
}

}  // namespace mllab::tracking

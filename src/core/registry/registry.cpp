#include "core/registry/registry.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/data/csv.hpp"
#include "core/tracking/run_json.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::registry {
namespace {

using json = nlohmann::json;

constexpr int kRegisteredModelSchemaVersion = 1;
constexpr const char* kPrefix = "registered_models/";
constexpr size_t kMaxTagKey = 250;     // MLflow's MAX_MODEL_REGISTRY_TAG_KEY_LENGTH
constexpr size_t kMaxTagValue = 5000;  // MLflow's MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH

std::string key_of(const std::string& name) { return kPrefix + name; }

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status check_schema(const json& j) {
  if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string() || j["schema"] != "mllab.registered_model") {
    return Status::parse_error("not an mllab.registered_model document");
  }
  if (!j.contains("schema_version") || !j["schema_version"].is_number_integer()) {
    return Status::parse_error("mllab.registered_model: schema_version is missing or not an integer");
  }
  const int v = j["schema_version"].get<int>();
  if (v < 1 || v > kRegisteredModelSchemaVersion) {
    return Status::parse_error("mllab.registered_model schema_version " + std::to_string(v) +
                               " is not supported by this MLLab (supports 1.." +
                               std::to_string(kRegisteredModelSchemaVersion) + "); update MLLab");
  }
  return Status::ok();
}

Status check_version_number(int version) {
  if (version < 1) return Status::invalid("model version must be a positive integer (got " + std::to_string(version) + ")");
  return Status::ok();
}

Status check_tag(const std::string& key, const std::string& value) {
  if (key.empty()) return Status::invalid("tag key is empty");
  if (key.size() > kMaxTagKey) {
    return Status::invalid("tag key '" + key.substr(0, 40) + "...' exceeds the maximum length of " +
                           std::to_string(kMaxTagKey) + " characters");
  }
  if (value.size() > kMaxTagValue) {
    return Status::invalid("tag '" + key + "': the value exceeds the maximum length of " +
                           std::to_string(kMaxTagValue) + " characters");
  }
  return Status::ok();
}

ModelVersion* find_mut(RegisteredModel& m, int version) {
  for (auto& v : m.versions) if (v.version == version) return &v;
  return nullptr;
}

Status no_version(const std::string& name, int version) {
  return Status::not_found("model '" + name + "' has no version " + std::to_string(version));
}

// Fills each version's derived alias list from the model's aliases.
void derive_aliases(RegisteredModel& m) {
  for (auto& v : m.versions) {
    v.name = m.name;
    v.aliases.clear();
    for (const auto& [alias, version] : m.aliases) if (version == v.version) v.aliases.push_back(alias);
  }
}

// SQL LIKE: % any run, _ one character.
bool like(const std::string& s, const std::string& p) {
  size_t i = 0, j = 0, star = std::string::npos, mark = 0;
  while (i < s.size()) {
    if (j < p.size() && (p[j] == '_' || p[j] == s[i])) { ++i; ++j; }
    else if (j < p.size() && p[j] == '%') { star = j++; mark = i; }
    else if (star != std::string::npos) { j = star + 1; i = ++mark; }
    else return false;
  }
  while (j < p.size() && p[j] == '%') ++j;
  return j == p.size();
}

// One clause of a registered model filter.
struct Clause {
  bool is_tag = false;
  std::string key;  // tag key
  std::string op;   // "=", "!=", "LIKE", "ILIKE"
  std::string value;
};

Result<std::vector<Clause>> parse_model_filter(const std::string& f) {
  std::vector<Clause> out;
  size_t i = 0;
  auto skip = [&] { while (i < f.size() && std::isspace(static_cast<unsigned char>(f[i]))) ++i; };
  auto err = [&](const std::string& what) {
    return Status::invalid("filter '" + f + "': at position " + std::to_string(i) + ": " + what);
  };
  auto word = [&] {
    size_t s = i;
    while (i < f.size() && (std::isalnum(static_cast<unsigned char>(f[i])) || f[i] == '_' || f[i] == '.')) ++i;
    return f.substr(s, i - s);
  };
  auto quoted = [&](std::string* out) -> bool {
    if (i >= f.size() || (f[i] != '\'' && f[i] != '"' && f[i] != '`')) return false;
    const char q = f[i++];
    size_t end = f.find(q, i);
    if (end == std::string::npos) return false;
    *out = f.substr(i, end - i);
    i = end + 1;
    return true;
  };
  skip();
  if (i == f.size()) return out;
  while (true) {
    skip();
    Clause c;
    std::string ident = word();
    if (ident == "name") {
    } else if (ident == "tags." || ident == "tag.") {
      c.is_tag = true;
      if (!quoted(&c.key)) return err("expected a quoted tag key after '" + ident + "'");
    } else if (ident.rfind("tags.", 0) == 0 || ident.rfind("tag.", 0) == 0) {
      c.is_tag = true;
      c.key = ident.substr(ident.find('.') + 1);
    } else {
      return err("expected 'name' or 'tags.<key>' (got '" + (ident.empty() ? f.substr(i, 1) : ident) + "')");
    }
    skip();
    if (f.compare(i, 2, "!=") == 0) { c.op = "!="; i += 2; }
    else if (f.compare(i, 1, "=") == 0) { c.op = "="; i += 1; }
    else {
      std::string w = word();
      std::string u = w;
      for (char& ch : u) ch = char(std::toupper(static_cast<unsigned char>(ch)));
      if (u != "LIKE" && u != "ILIKE") return err("expected a comparator (=, !=, LIKE, ILIKE)");
      c.op = u;
    }
    skip();
    if (i >= f.size() || (f[i] != '\'' && f[i] != '"')) return err("expected a quoted value");
    if (!quoted(&c.value)) return err("unterminated quoted value");
    out.push_back(std::move(c));
    skip();
    if (i == f.size()) break;
    std::string w = word();
    if (lower(w) != "and") return err("expected AND or the end of the filter");
  }
  return out;
}

bool matches(const RegisteredModel& m, const std::vector<Clause>& clauses) {
  for (const auto& c : clauses) {
    std::string v;
    if (c.is_tag) {
      auto it = m.tags.find(c.key);
      if (it == m.tags.end()) return false;
      v = it->second;
    } else {
      v = m.name;
    }
    bool ok = c.op == "=" ? v == c.value
              : c.op == "!=" ? v != c.value
              : c.op == "LIKE" ? like(v, c.value)
                               : like(lower(v), lower(c.value));
    if (!ok) return false;
  }
  return true;
}

json tags_to_rest(const std::map<std::string, std::string>& tags) {
  json a = json::array();
  for (const auto& [k, v] : tags) a.push_back({{"key", k}, {"value", v}});
  return a;
}

json version_record(const ModelVersion& v) {
  return {{"version", v.version},
          {"creation_timestamp", v.creation_timestamp},
          {"last_updated_timestamp", v.last_updated_timestamp},
          {"current_stage", v.current_stage},
          {"description", v.description},
          {"source", v.source},
          {"run_id", v.run_id},
          {"status", v.status},
          {"tags", v.tags},
          {"model_doc", model_doc_to_json(v.model_doc)}};
}

// The run model folder, loaded.
struct RunModel {
  std::shared_ptr<const pipeline::FittedPipeline> pipeline;
  ModelDoc doc;
  bool doc_from_artifact = false;
};

// The input example a model document names (saved_input_example_info), from the run's
// artifacts in `folder`; null when the document names none. A named one that is missing or not
// JSON is an error: the model's files are incomplete.
Result<json> read_input_example(const tracking::TrackingClient& tracking, const std::string& run_id,
                                const std::string& folder, const ModelDoc& doc) {
  const json& info = doc.saved_input_example_info;
  if (!info.is_object() || !info.contains("artifact_path") || !info["artifact_path"].is_string()) return json(nullptr);
  const std::string path = folder + "/" + info["artifact_path"].get<std::string>();
  auto bytes = tracking.get_artifact(run_id, path);
  if (!bytes) return Status(bytes.status().code(), "run '" + run_id + "': input example '" + path + "': " + bytes.status().message());
  return read_json(*bytes, "run '" + run_id + "': artifact '" + path + "'");
}

Result<RunModel> load_run_model(const tracking::TrackingClient& tracking, const std::string& run_id,
                                const std::string& folder) {
  auto run = tracking.get_run(run_id);
  if (!run) return run.status();
  RunModel out;
  std::string pipeline_file = "pipeline.json";
  auto mlmodel = tracking.get_artifact(run_id, folder + "/MLmodel");
  if (mlmodel) {
    auto j = read_json(*mlmodel, "run '" + run_id + "': " + folder + "/MLmodel");
    if (!j) return j.status();
    auto doc = model_doc_from_json(*j);
    if (!doc) return Status(doc.status().code(), "run '" + run_id + "': " + folder + "/MLmodel: " + doc.status().message());
    out.doc = std::move(doc).value();
    out.doc_from_artifact = true;
    pipeline_file = out.doc.pipeline_file();
    auto example = read_input_example(tracking, run_id, folder, out.doc);
    if (!example) return example.status();
    out.doc.input_example = std::move(example).value();
  }
  const std::string path = folder + "/" + pipeline_file;
  auto bytes = tracking.get_artifact(run_id, path);
  if (!bytes) {
    return Status::not_found("run '" + run_id + "' has no model at '" + folder + "' (no artifact '" + path +
                             "'; runs that failed or were killed save no model)");
  }
  auto pj = read_json(*bytes, "run '" + run_id + "': artifact '" + path + "'");
  if (!pj) return pj.status();
  auto p = pipeline::FittedPipeline::from_json(*pj);
  if (!p) return Status(p.status().code(), "run '" + run_id + "': artifact '" + path + "': " + p.status().message());
  if (p->steps.empty()) return Status::invalid("run '" + run_id + "': artifact '" + path + "' has no steps");
  auto shared = std::make_shared<pipeline::FittedPipeline>(std::move(p).value());
  if (!out.doc_from_artifact) {
    auto version = run->tags.find("mllab.version");
    out.doc = model_doc_from_pipeline(*shared, run_id, run->end_time.value_or(run->start_time),
                                      version == run->tags.end() ? "" : version->second);
    out.doc.artifact_path = folder;
  }
  out.pipeline = std::move(shared);
  return out;
}

}  // namespace

// ---- entities ----

const ModelVersion* RegisteredModel::find_version(int version) const {
  for (const auto& v : versions) if (v.version == version) return &v;
  return nullptr;
}

std::vector<ModelVersion> RegisteredModel::latest_versions() const {
  std::vector<ModelVersion> out;
  for (const auto& stage : model_stages()) {
    const ModelVersion* best = nullptr;
    for (const auto& v : versions) {
      if (v.current_stage == stage && (!best || v.version > best->version)) best = &v;
    }
    if (best) out.push_back(*best);
  }
  return out;
}

// ---- records ----

std::string write_registered_model_record(const RegisteredModel& m) {
  json versions = json::array();
  for (const auto& v : m.versions) versions.push_back(version_record(v));
  json j = {{"schema", "mllab.registered_model"},
            {"schema_version", kRegisteredModelSchemaVersion},
            {"name", m.name},
            {"creation_timestamp", m.creation_timestamp},
            {"last_updated_timestamp", m.last_updated_timestamp},
            {"description", m.description},
            {"tags", m.tags},
            {"aliases", m.aliases},
            {"last_version", m.last_version},
            {"versions", versions}};
  return j.dump();
}

Result<RegisteredModel> parse_registered_model_record(const std::string& bytes, const std::string& what) {
  auto parsed = read_json(bytes, what);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  Status schema = check_schema(j);
  if (!schema.is_ok()) return Status(schema.code(), what + ": " + schema.message());
  try {
    RegisteredModel m;
    m.name = j.at("name").get<std::string>();
    m.creation_timestamp = j.value("creation_timestamp", int64_t{0});
    m.last_updated_timestamp = j.value("last_updated_timestamp", int64_t{0});
    m.description = j.value("description", "");
    m.tags = j.value("tags", std::map<std::string, std::string>{});
    m.aliases = j.value("aliases", std::map<std::string, int>{});
    m.last_version = j.value("last_version", 0);
    for (const auto& vj : j.value("versions", json::array())) {
      ModelVersion v;
      v.version = vj.at("version").get<int>();
      v.creation_timestamp = vj.value("creation_timestamp", int64_t{0});
      v.last_updated_timestamp = vj.value("last_updated_timestamp", int64_t{0});
      v.current_stage = vj.value("current_stage", "None");
      v.description = vj.value("description", "");
      v.source = vj.value("source", "");
      v.run_id = vj.value("run_id", "");
      v.status = vj.value("status", "READY");
      v.tags = vj.value("tags", std::map<std::string, std::string>{});
      if (vj.contains("model_doc") && !vj["model_doc"].is_null()) {
        auto doc = model_doc_from_json(vj["model_doc"]);
        if (!doc) {
          return Status::parse_error("registered model '" + m.name + "' version " + std::to_string(v.version) + ": " +
                                     doc.status().message());
        }
        v.model_doc = std::move(doc).value();
      }
      m.last_version = std::max(m.last_version, v.version);
      m.versions.push_back(std::move(v));
    }
    std::sort(m.versions.begin(), m.versions.end(),
              [](const ModelVersion& a, const ModelVersion& b) { return a.version < b.version; });
    derive_aliases(m);
    return m;
  } catch (const json::exception& e) {
    return Status::parse_error(what + " is malformed: " + json_error_reason(e));
  }
}

// ---- registry ----

Result<RegisteredModel> ModelRegistry::read(const std::string& name) const {
  MLLAB_RETURN_IF_ERROR(validate_model_name(name));
  auto bytes = store_.get(key_of(name));
  if (!bytes) return Status::not_found("no registered model named '" + quote_for_message(name) + "'");
  auto m = parse_registered_model_record(*bytes, "registered model record '" + key_of(name) + "'");
  if (!m) return m.status();
  return m;
}

Status ModelRegistry::write(const RegisteredModel& model) {
  store::Batch b;
  b.put(key_of(model.name), write_registered_model_record(model));
  return store_.commit(b);
}

Result<RegisteredModel> ModelRegistry::create_registered_model(const std::string& name, const std::string& description,
                                                               const std::map<std::string, std::string>& tags) {
  MLLAB_RETURN_IF_ERROR(validate_model_name(name));
  for (const auto& [k, v] : tags) MLLAB_RETURN_IF_ERROR(check_tag(k, v));
  if (store_.get(key_of(name))) return Status::already_exists("registered model '" + name + "' already exists");
  RegisteredModel m;
  m.name = name;
  m.creation_timestamp = m.last_updated_timestamp = now_ms();
  m.description = description;
  m.tags = tags;
  MLLAB_RETURN_IF_ERROR(write(m));
  return m;
}

Result<ModelVersion> ModelRegistry::register_model(const std::string& model_uri, const std::string& name,
                                                   const std::map<std::string, std::string>& tags,
                                                   const std::string& description) {
  MLLAB_RETURN_IF_ERROR(validate_model_name(name));
  for (const auto& [k, v] : tags) MLLAB_RETURN_IF_ERROR(check_tag(k, v));
  auto uri = parse_model_uri(model_uri);
  if (!uri) return uri.status();
  auto resolved = resolve(*uri);
  if (!resolved) {
    return Status(resolved.status().code(), "cannot register '" + model_uri + "': " + resolved.status().message());
  }
  auto loaded = load_run_model(tracking_, resolved->run_id, resolved->artifact_path);
  if (!loaded) {
    return Status(loaded.status().code(), "cannot register '" + model_uri + "': " + loaded.status().message());
  }
  const int64_t now = now_ms();
  RegisteredModel m;
  if (store_.get(key_of(name))) {
    auto existing = read(name);
    if (!existing) return existing.status();
    m = std::move(existing).value();
  } else {
    m.name = name;
    m.creation_timestamp = now;
  }
  ModelVersion v;
  v.name = name;
  v.version = m.last_version + 1;
  v.creation_timestamp = v.last_updated_timestamp = now;
  v.source = resolved->source();
  v.run_id = resolved->run_id;
  v.description = description;
  v.tags = tags;
  v.model_doc = std::move(loaded->doc);
  m.last_version = v.version;
  m.last_updated_timestamp = now;
  m.versions.push_back(v);
  MLLAB_RETURN_IF_ERROR(write(m));
  return v;
}

Result<RegisteredModel> ModelRegistry::get_registered_model(const std::string& name) const { return read(name); }

std::vector<RegisteredModel> ModelRegistry::list_registered_models() const {
  std::vector<RegisteredModel> out;
  for (const auto& key : store_.keys(kPrefix)) {
    auto bytes = store_.get(key);
    if (!bytes) continue;
    auto m = parse_registered_model_record(*bytes, "registered model record '" + key + "'");
    if (m) out.push_back(std::move(m).value());
  }
  std::sort(out.begin(), out.end(), [](const RegisteredModel& a, const RegisteredModel& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<RegisteredModel>> ModelRegistry::search_registered_models(const std::string& filter,
                                                                             int max_results) const {
  if (max_results < 1 || max_results > 1000) {
    return Status::invalid("max_results must be between 1 and 1000 (got " + std::to_string(max_results) + ")");
  }
  auto clauses = parse_model_filter(filter);
  if (!clauses) return clauses.status();
  std::vector<RegisteredModel> out;
  for (auto& m : list_registered_models()) {
    if (int(out.size()) >= max_results) break;
    if (matches(m, *clauses)) out.push_back(std::move(m));
  }
  return out;
}

Result<RegisteredModel> ModelRegistry::update(const std::string& name,
                                              const std::function<Status(RegisteredModel&)>& edit) {
  auto m = read(name);
  if (!m) return m.status();
  MLLAB_RETURN_IF_ERROR(edit(*m));
  m->last_updated_timestamp = now_ms();
  MLLAB_RETURN_IF_ERROR(write(*m));
  return m;
}

Result<ModelVersion> ModelRegistry::update_version(const std::string& name, int version,
                                                   const std::function<Status(ModelVersion&)>& edit) {
  MLLAB_RETURN_IF_ERROR(check_version_number(version));
  auto m = read(name);
  if (!m) return m.status();
  ModelVersion* v = find_mut(*m, version);
  if (!v) return no_version(name, version);
  MLLAB_RETURN_IF_ERROR(edit(*v));
  v->last_updated_timestamp = now_ms();
  ModelVersion result = *v;
  MLLAB_RETURN_IF_ERROR(write(*m));
  return result;
}

Result<RegisteredModel> ModelRegistry::update_registered_model(const std::string& name, const std::string& description) {
  return update(name, [&](RegisteredModel& m) {
    m.description = description;
    return Status::ok();
  });
}

Status ModelRegistry::set_registered_model_tag(const std::string& name, const std::string& key, const std::string& value) {
  MLLAB_RETURN_IF_ERROR(check_tag(key, value));
  return update(name, [&](RegisteredModel& m) {
    m.tags[key] = value;
    return Status::ok();
  }).status();
}

Status ModelRegistry::delete_registered_model_tag(const std::string& name, const std::string& key) {
  return update(name, [&](RegisteredModel& m) {
    if (!m.tags.erase(key)) return Status::not_found("registered model '" + name + "' has no tag '" + key + "'");
    return Status::ok();
  }).status();
}

Status ModelRegistry::delete_registered_model(const std::string& name) {
  auto m = read(name);
  if (!m) return m.status();
  store::Batch b;
  b.erase(key_of(name));
  return store_.commit(b);
}

Result<ModelVersion> ModelRegistry::get_model_version(const std::string& name, int version) const {
  MLLAB_RETURN_IF_ERROR(check_version_number(version));
  auto m = read(name);
  if (!m) return m.status();
  const ModelVersion* v = m->find_version(version);
  if (!v) return no_version(name, version);
  return *v;
}

Result<std::vector<ModelVersion>> ModelRegistry::get_latest_versions(const std::string& name,
                                                                     const std::vector<std::string>& stages) const {
  std::vector<std::string> wanted;
  for (const auto& s : stages) {
    auto c = canonical_stage(s);
    if (!c) return Status::invalid("invalid stage '" + quote_for_message(s) + "': expected one of None, Staging, Production, Archived");
    wanted.push_back(*c);
  }
  auto m = read(name);
  if (!m) return m.status();
  std::vector<ModelVersion> out;
  for (auto& v : m->latest_versions()) {
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), v.current_stage) != wanted.end()) out.push_back(v);
  }
  return out;
}

Result<ModelVersion> ModelRegistry::transition_model_version_stage(const std::string& name, int version,
                                                                   const std::string& stage,
                                                                   bool archive_existing_versions) {
  MLLAB_RETURN_IF_ERROR(check_version_number(version));
  auto canonical = canonical_stage(stage);
  if (!canonical) {
    return Status::invalid("invalid stage '" + quote_for_message(stage) + "' for model '" + quote_for_message(name) + "' version " + std::to_string(version) +
                           ": expected one of None, Staging, Production, Archived");
  }
  if (archive_existing_versions && *canonical != "Staging" && *canonical != "Production") {
    return Status::invalid("archive_existing_versions is only valid when moving to Staging or Production (got '" +
                           *canonical + "')");
  }
  auto m = read(name);
  if (!m) return m.status();
  ModelVersion* v = find_mut(*m, version);
  if (!v) return no_version(name, version);
  const int64_t now = now_ms();
  if (archive_existing_versions) {
    for (auto& other : m->versions) {
      if (other.version != version && other.current_stage == *canonical) {
        other.current_stage = "Archived";
        other.last_updated_timestamp = now;
      }
    }
  }
  v->current_stage = *canonical;
  v->last_updated_timestamp = now;
  m->last_updated_timestamp = now;
  ModelVersion result = *v;
  MLLAB_RETURN_IF_ERROR(write(*m));
  return result;
}

Result<ModelVersion> ModelRegistry::update_model_version(const std::string& name, int version,
                                                         const std::string& description) {
  return update_version(name, version, [&](ModelVersion& v) {
    v.description = description;
    return Status::ok();
  });
}

Status ModelRegistry::set_model_version_tag(const std::string& name, int version, const std::string& key,
                                            const std::string& value) {
  MLLAB_RETURN_IF_ERROR(check_version_number(version));
  MLLAB_RETURN_IF_ERROR(check_tag(key, value));
  return update_version(name, version, [&](ModelVersion& v) {
    v.tags[key] = value;
    return Status::ok();
  }).status();
}

Status ModelRegistry::delete_model_version_tag(const std::string& name, int version, const std::string& key) {
  return update_version(name, version, [&](ModelVersion& v) {
    if (!v.tags.erase(key)) {
      return Status::not_found("model '" + name + "' version " + std::to_string(version) + " has no tag '" + key + "'");
    }
    return Status::ok();
  }).status();
}

Status ModelRegistry::delete_model_version(const std::string& name, int version) {
  MLLAB_RETURN_IF_ERROR(check_version_number(version));
  return update(name, [&](RegisteredModel& m) {
    if (!m.find_version(version)) return no_version(name, version);
    m.versions.erase(std::remove_if(m.versions.begin(), m.versions.end(),
                                    [&](const ModelVersion& v) { return v.version == version; }),
                     m.versions.end());
    for (auto it = m.aliases.begin(); it != m.aliases.end();) {
      if (it->second == version) it = m.aliases.erase(it);
      else ++it;
    }
    return Status::ok();
  }).status();
}

Status ModelRegistry::set_registered_model_alias(const std::string& name, const std::string& alias, int version) {
  MLLAB_RETURN_IF_ERROR(validate_alias(alias));
  MLLAB_RETURN_IF_ERROR(check_version_number(version));
  return update(name, [&](RegisteredModel& m) {
    if (!m.find_version(version)) return no_version(name, version);
    m.aliases[alias] = version;
    return Status::ok();
  }).status();
}

Status ModelRegistry::delete_registered_model_alias(const std::string& name, const std::string& alias) {
  return update(name, [&](RegisteredModel& m) {
    if (!m.aliases.erase(alias)) return Status::not_found("model '" + name + "' has no alias '" + alias + "'");
    return Status::ok();
  }).status();
}

Result<ModelVersion> ModelRegistry::get_model_version_by_alias(const std::string& name, const std::string& alias) const {
  auto m = read(name);
  if (!m) return m.status();
  auto it = m->aliases.find(alias);
  if (it == m->aliases.end()) return Status::not_found("model '" + name + "' has no alias '" + alias + "'");
  const ModelVersion* v = m->find_version(it->second);
  if (!v) return Status::internal("model '" + name + "': alias '" + alias + "' points at missing version " +
                                  std::to_string(it->second));
  return *v;
}

Result<ResolvedModel> ModelRegistry::resolve(const ModelUri& uri) const {
  ResolvedModel r;
  if (uri.kind == ModelUri::Kind::kRun) {
    auto run = tracking_.find_run(uri.run_id);  // a unique prefix, as `runs show` takes
    if (!run) return run.status();
    r.run_id = run->run_id;
    r.artifact_path = uri.artifact_path;
    return r;
  }
  auto m = read(uri.name);
  if (!m) return m.status();
  const ModelVersion* v = nullptr;
  switch (uri.kind) {
    case ModelUri::Kind::kVersion:
      v = m->find_version(uri.version);
      if (!v) return no_version(uri.name, uri.version);
      break;
    case ModelUri::Kind::kStage:
      for (const auto& x : m->versions) {
        if (x.current_stage == uri.stage && (!v || x.version > v->version)) v = &x;
      }
      if (!v) return Status::not_found("no version of model '" + uri.name + "' is in stage '" + uri.stage + "'");
      break;
    case ModelUri::Kind::kLatest:
      if (m->versions.empty()) return Status::not_found("model '" + uri.name + "' has no versions");
      v = &m->versions.back();
      break;
    case ModelUri::Kind::kAlias: {
      auto it = m->aliases.find(uri.alias);
      if (it == m->aliases.end()) return Status::not_found("model '" + uri.name + "' has no alias '" + uri.alias + "'");
      v = m->find_version(it->second);
      if (!v) return no_version(uri.name, it->second);
      break;
    }
    case ModelUri::Kind::kRun:
      break;
  }
  r.name = m->name;
  r.version = v->version;
  r.run_id = v->run_id;
  r.artifact_path = "model";
  auto source = parse_model_uri(v->source);
  if (source && source->kind == ModelUri::Kind::kRun) {
    r.run_id = source->run_id;
    r.artifact_path = source->artifact_path;
  }
  return r;
}

Result<LoadedModel> ModelRegistry::load_model(const std::string& model_uri) const {
  auto uri = parse_model_uri(model_uri);
  if (!uri) return uri.status();
  auto resolved = resolve(*uri);
  if (!resolved) return resolved.status();
  auto run_model = load_run_model(tracking_, resolved->run_id, resolved->artifact_path);
  if (!run_model) return Status(run_model.status().code(), "cannot load '" + model_uri + "': " + run_model.status().message());
  LoadedModel out;
  out.uri = model_uri;
  out.resolved = std::move(resolved).value();
  out.pipeline = std::move(run_model->pipeline);
  out.doc = std::move(run_model->doc);
  out.doc_from_artifact = run_model->doc_from_artifact;
  return out;
}

Result<json> ModelRegistry::input_example(const std::string& name, int version) const {
  auto v = get_model_version(name, version);
  if (!v) return v.status();
  return read_input_example(tracking_, v->run_id, v->model_doc.artifact_path, v->model_doc);
}

Result<std::vector<tracking::DatasetInput>> ModelRegistry::training_inputs(const std::string& name, int version) const {
  auto v = get_model_version(name, version);
  if (!v) return v.status();
  auto run = tracking_.get_run(v->run_id);
  if (!run) {
    return Status(run.status().code(), "model '" + name + "' version " + std::to_string(version) + ": " +
                                           run.status().message());
  }
  std::vector<tracking::DatasetInput> out;
  for (const auto& in : run->inputs) if (in.context == "training") out.push_back(in);
  return out;
}

// ---- predicting ----

Result<Predictions> predict(const LoadedModel& model, const data::Table& input) {
  if (!model.pipeline) return Status::invalid("the model is not loaded");
  auto conformed = conform_input(model.doc, input);
  if (!conformed) return conformed.status();
  Predictions p;
  const pipeline::FittedPipeline& pl = *model.pipeline;
  try {
    if (pl.is_regression()) {
      p.regression = true;
      ml::Vector values = pl.predict_values(*conformed);
      p.values.assign(values.data(), values.data() + values.size());
    } else {
      p.classes = pl.classes;
      const bool recorded = model.doc.signature && !model.doc.signature->outputs.empty() &&
                            !model.doc.signature->outputs[0].dtype.empty();
      p.label_dtype = recorded ? target_label_dtype(model.doc) : class_label_dtype(pl.classes);
      p.probabilities = pl.predict_proba(*conformed);
      p.class_indices = pl.predict(*conformed);
      p.labels.reserve(p.class_indices.size());
      for (int c : p.class_indices) {
        if (c < 0 || size_t(c) >= pl.classes.size()) {
          return Status::internal("the model predicted class index " + std::to_string(c) + " but has " +
                                  std::to_string(pl.classes.size()) + " classes");
        }
        p.labels.push_back(pl.classes[size_t(c)]);
      }
    }
  } catch (const Error& e) {
    return Status(e.status().code(), "cannot predict with '" + model.uri + "': " + e.status().message());
  } catch (const std::exception& e) {
    return Status::internal("cannot predict with '" + model.uri + "': " + e.what());
  }
  p.inputs = std::move(conformed).value();
  return p;
}

// ---- JSON ----

json model_version_to_json(const ModelVersion& v) {
  return {{"name", v.name},
          {"version", std::to_string(v.version)},
          {"creation_timestamp", v.creation_timestamp},
          {"last_updated_timestamp", v.last_updated_timestamp},
          {"current_stage", v.current_stage},
          {"description", v.description},
          {"source", v.source},
          {"run_id", v.run_id},
          {"status", v.status},
          {"tags", tags_to_rest(v.tags)},
          {"aliases", v.aliases}};
}

json registered_model_to_json(const RegisteredModel& m) {
  json latest = json::array();
  for (const auto& v : m.latest_versions()) latest.push_back(model_version_to_json(v));
  json aliases = json::array();
  for (const auto& [alias, version] : m.aliases) aliases.push_back({{"alias", alias}, {"version", std::to_string(version)}});
  return {{"name", m.name},
          {"creation_timestamp", m.creation_timestamp},
          {"last_updated_timestamp", m.last_updated_timestamp},
          {"description", m.description},
          {"latest_versions", latest},
          {"tags", tags_to_rest(m.tags)},
          {"aliases", aliases}};
}

json model_version_to_detail_json(const ModelVersion& v) {
  json j = model_version_to_json(v);
  j["model_doc"] = model_doc_to_json(v.model_doc);
  return j;
}

json registered_model_to_detail_json(const RegisteredModel& m) {
  json j = registered_model_to_json(m);
  json versions = json::array();
  for (const auto& v : m.versions) versions.push_back(model_version_to_detail_json(v));
  j["versions"] = std::move(versions);
  return j;
}

json training_inputs_to_json(const std::vector<tracking::DatasetInput>& inputs) {
  json arr = json::array();
  for (const auto& in : inputs) arr.push_back(tracking::dataset_input_to_json(in));
  return arr;
}

json class_label_json(const std::string& label, const std::string& dtype) {
  if (dtype == "int64" || dtype == "int32") {
    int64_t v = 0;
    const char* b = label.data();
    const char* e = b + label.size();
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec == std::errc() && ptr == e && !label.empty()) return v;
  }
  if (dtype == "int64" || dtype == "int32" || dtype == "float64" || dtype == "float32") {
    double v = 0;
    if (data::parse_number(label, &v)) return v;
  }
  return label;
}

json predictions_to_json(const Predictions& p, bool with_probabilities) {
  if (p.regression) return {{"predictions", p.values}};
  json labels = json::array();
  for (const auto& l : p.labels) labels.push_back(class_label_json(l, p.label_dtype));
  json j = {{"predictions", std::move(labels)}};
  if (!with_probabilities) return j;
  json classes = json::array();
  for (const auto& c : p.classes) classes.push_back(class_label_json(c, p.label_dtype));
  json proba = json::array();
  for (Eigen::Index i = 0; i < p.probabilities.rows(); ++i) {
    json row = json::object();
    for (Eigen::Index k = 0; k < p.probabilities.cols() && size_t(k) < p.classes.size(); ++k) {
      row[p.classes[size_t(k)]] = p.probabilities(i, k);
    }
    proba.push_back(std::move(row));
  }
  j["classes"] = std::move(classes);
  j["probabilities"] = std::move(proba);
  return j;
}

}  // namespace mllab::registry

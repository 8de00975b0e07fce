#include "core/pipeline/spec.hpp"

#include <set>

#include "core/ml/model.hpp"

namespace mllab::pipeline {
namespace {

constexpr int kSpecSchemaVersion = 1;

Status check_fields(const json& obj, const std::string& where, const std::set<std::string>& known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!known.count(it.key())) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      return Status::invalid("unknown field '" + it.key() + "' in " + where + " (known: " + list + ")");
    }
  }
  return Status::ok();
}

template <typename T>
Status get_field(const json& obj, const std::string& where, const char* key, T* out, bool required) {
  if (!obj.contains(key)) {
    if (required) return Status::invalid(where + ": missing required field '" + key + "'");
    return Status::ok();
  }
  try {
    *out = obj.at(key).get<T>();
  } catch (const json::exception&) {
    return Status::invalid(where + "." + key + ": wrong type (received " + obj.at(key).dump() + ")");
  }
  return Status::ok();
}

}  // namespace

// Parses a spec document; throws json::exception on wrongly typed values (caught by the caller).
static Result<PipelineSpec> parse_spec_document(const json& doc);

Result<PipelineSpec> parse_pipeline_spec(const std::string& json_text) {
  json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) return Status::parse_error("pipeline spec is not valid JSON");
  return parse_pipeline_spec(doc);
}

Result<PipelineSpec> parse_pipeline_spec(const json& doc) {
  try {
    return parse_spec_document(doc);
  } catch (const json::exception& e) {
    return Status::invalid(std::string("pipeline spec is malformed: ") + e.what());
  }
}

static Result<PipelineSpec> parse_spec_document(const json& doc) {
  if (!doc.is_object()) return Status::parse_error("pipeline spec must be a JSON object");
  MLLAB_RETURN_IF_ERROR(check_fields(doc, "the pipeline spec",
                                     {"schema", "schema_version", "experiment", "run_name", "dataset",
                                      "split", "steps", "tags", "description"}));
  if (!doc.contains("schema") || doc["schema"] != "mllab.pipeline") {
    return Status::invalid("schema: expected \"mllab.pipeline\" (received " +
                           (doc.contains("schema") ? doc["schema"].dump() : std::string("nothing")) + ")");
  }
  int version = doc.contains("schema_version") && doc["schema_version"].is_number_integer()
                    ? doc["schema_version"].get<int>() : 0;
  if (version < 1 || version > kSpecSchemaVersion) {
    return Status::invalid("schema_version " + std::to_string(version) +
                           " is not supported (this MLLab reads version 1)");
  }
  PipelineSpec s;
  MLLAB_RETURN_IF_ERROR(get_field(doc, "spec", "experiment", &s.experiment, false));
  MLLAB_RETURN_IF_ERROR(get_field(doc, "spec", "run_name", &s.run_name, false));
  MLLAB_RETURN_IF_ERROR(get_field(doc, "spec", "tags", &s.tags, false));
  if (s.experiment.empty()) return Status::invalid("experiment: must not be empty");

  if (!doc.contains("dataset") || !doc["dataset"].is_object()) {
    return Status::invalid("dataset: missing required object {\"path\", \"target\"}");
  }
  const json& ds = doc["dataset"];
  MLLAB_RETURN_IF_ERROR(check_fields(ds, "dataset", {"path", "target", "features"}));
  MLLAB_RETURN_IF_ERROR(get_field(ds, "dataset", "path", &s.dataset_path, true));
  MLLAB_RETURN_IF_ERROR(get_field(ds, "dataset", "target", &s.target, true));
  MLLAB_RETURN_IF_ERROR(get_field(ds, "dataset", "features", &s.features, false));

  if (doc.contains("split")) {
    const json& sp = doc["split"];
    if (!sp.is_object()) return Status::invalid("split: must be an object");
    MLLAB_RETURN_IF_ERROR(check_fields(sp, "split", {"test_size", "random_state", "stratify"}));
    MLLAB_RETURN_IF_ERROR(get_field(sp, "split", "test_size", &s.test_size, false));
    MLLAB_RETURN_IF_ERROR(get_field(sp, "split", "stratify", &s.stratify, false));
    if (sp.contains("random_state")) {
      const json& rs = sp["random_state"];
      if (!rs.is_number_integer() || rs.get<int64_t>() < 0) {
        return Status::invalid("split.random_state: must be a non-negative integer (received " + rs.dump() + ")");
      }
      s.random_state = rs.get<uint64_t>();
    }
  }
  if (!(s.test_size > 0 && s.test_size < 1)) {
    return Status::invalid("split.test_size: must be in (0, 1) (received " + std::to_string(s.test_size) + ")");
  }

  if (!doc.contains("steps") || !doc["steps"].is_array() || doc["steps"].empty()) {
    return Status::invalid("steps: must be a non-empty list ending in an estimator");
  }
  std::set<std::string> names;
  const auto& steps = doc["steps"];
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string where = "steps[" + std::to_string(i) + "]";
    const json& st = steps[i];
    if (!st.is_object()) return Status::invalid(where + ": must be an object");
    MLLAB_RETURN_IF_ERROR(check_fields(st, where, {"name", "type", "params"}));
    StepSpec step;
    MLLAB_RETURN_IF_ERROR(get_field(st, where, "type", &step.type, true));
    MLLAB_RETURN_IF_ERROR(get_field(st, where, "name", &step.name, false));
    if (step.name.empty()) step.name = i + 1 == steps.size() ? "model" : "step" + std::to_string(i);
    if (!names.insert(step.name).second) return Status::invalid(where + ".name: duplicate step name '" + step.name + "'");
    if (step.name.find("__") != std::string::npos) {
      return Status::invalid(where + ".name: '" + step.name + "' must not contain '__'");
    }
    if (st.contains("params")) {
      if (!st["params"].is_object()) return Status::invalid(where + ".params: must be an object");
      step.params = st["params"];
    }
    bool last = i + 1 == steps.size();
    const auto types = last ? ml::classifier_types() : ml::transformer_types();
    if (std::find(types.begin(), types.end(), step.type) == types.end()) {
      std::string list;
      for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
      return Status::invalid(where + ".type: unknown " + std::string(last ? "estimator" : "transformer") +
                             " '" + step.type + "' (available: " + list + ")");
    }
    // Validate parameters now so a typo fails before any data is read.
    auto resolved = ml::resolve_params(step.type, *ml::param_specs_for(step.type), step.params);
    if (!resolved) return Status::invalid(where + " (" + step.name + "): " + resolved.status().message());
    s.steps.push_back(std::move(step));
  }
  return s;
}

json pipeline_spec_to_json(const PipelineSpec& s) {
  json steps = json::array();
  for (const auto& st : s.steps) steps.push_back({{"name", st.name}, {"type", st.type}, {"params", st.params}});
  json ds = {{"path", s.dataset_path}, {"target", s.target}};
  if (!s.features.empty()) ds["features"] = s.features;
  json j = {{"schema", "mllab.pipeline"}, {"schema_version", kSpecSchemaVersion},
            {"experiment", s.experiment}, {"run_name", s.run_name}, {"dataset", ds},
            {"split", {{"test_size", s.test_size}, {"random_state", s.random_state}, {"stratify", s.stratify}}},
            {"steps", steps}};
  if (!s.tags.empty()) j["tags"] = s.tags;
  return j;
}

}  // namespace mllab::pipeline

#include "core/pipeline/spec.hpp"

#include "core/pipeline/builder.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <type_traits>

#include "core/ml/model.hpp"
#include "core/ml/model_selection.hpp"
#include "core/pipeline/memory_budget.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::pipeline {
namespace {

constexpr int kSpecSchemaVersion = 1;

Status check_fields(const json& obj, const std::string& where, const std::set<std::string>& known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!known.count(it.key())) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      return Status::invalid("unknown field '" + quote_for_message(it.key()) + "' in " + where + " (known: " + list + ")");
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
  const json& value = obj.at(key);
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // Converting a number outside T's range (1e300 into an int) is undefined behaviour: refuse it.
    const bool in_range =
        value.is_number_unsigned() ? value.get<uint64_t>() <= uint64_t(std::numeric_limits<T>::max())
        : value.is_number_integer() ? value.get<int64_t>() >= int64_t(std::numeric_limits<T>::min()) &&
                                          value.get<int64_t>() <= int64_t(std::numeric_limits<T>::max())
        : value.is_number_float() ? value.get<double>() >= double(std::numeric_limits<T>::min()) &&
                                        value.get<double>() < std::ldexp(1.0, std::numeric_limits<T>::digits)
                                  : true;  // not a number: get<T> below refuses it
    if (!in_range) {
      return Status::invalid(where + "." + key + ": " + json_for_message(value) + " is out of range (at most " +
                             std::to_string(std::numeric_limits<T>::max()) + ")");
    }
  }
  try {
    *out = value.get<T>();
  } catch (const json::exception&) {
    return Status::invalid(where + "." + key + ": wrong type (received " + json_for_message(obj.at(key)) + ")");
  }
  return Status::ok();
}

// Reads the count `key` of `obj` (an integer, or an integral number like 1e3) into `out` when
// present; errors name the field, the limit and what the count multiplies.
Status get_count(const json& obj, const std::string& where, const char* key, int64_t min, int64_t max,
                 const std::string& what, int64_t* out) {
  if (!obj.contains(key)) return Status::ok();
  const json& v = obj.at(key);
  const std::string field = where + "." + key;
  const bool integral = v.is_number_integer() ||
                        (v.is_number_float() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>());
  if (!integral || v.is_boolean()) {
    return Status::invalid(field + ": must be an integer (received " + json_for_message(v) + ")");
  }
  const double x = v.is_number_unsigned() ? double(v.get<uint64_t>()) : v.get<double>();
  if (x < double(min) || x > double(max)) {
    return Status::invalid(field + ": must be in [" + format_count(min) + ", " + format_count(max) + "] (received " +
                           json_for_message(v) + ")" + (x > double(max) ? ": " + what : std::string()));
  }
  *out = int64_t(x);
  return Status::ok();
}

// Validates a scipy-style distribution of the search parameter `step_param` (a random search
// only): the distribution itself, then the ends of its support as values of the parameter
// (parameter bounds are intervals, so both ends valid means every draw is), and integer draws
// for integer parameters.
Status check_distribution(const PipelineSpec& s, const std::string& where, const std::string& step_param,
                          const json& value) {
  if (s.search.type != "random") {
    return Status::invalid(where + ": distributions need a random search (\"type\": \"random\"); a grid "
                           "takes lists of values");
  }
  auto dist = ml::parse_distribution(value);
  if (!dist) return Status::invalid(where + ": " + dist.status().message());
  const std::string text = dist->to_string();
  for (const json& end : {dist->lowest(), dist->highest()}) {
    PipelineSpec probe = s;
    Status st = set_step_param(probe, step_param, end);
    if (!st.is_ok()) {
      return Status::invalid(where + ": " + text + " can draw " + json_for_message(end) + ", which is invalid: " + st.message());
    }
  }
  if (!dist->integer()) {
    const std::string step = step_param.substr(0, step_param.find("__"));
    const std::string param = step_param.substr(step_param.find("__") + 2);
    for (const auto& st : s.steps) {
      if (st.name != step) continue;
      const auto* specs = ml::param_specs_for(st.type);
      if (!specs) break;
      for (const auto& spec : *specs) {
        if (spec.name == param &&
            (spec.kind == ml::ParamSpec::Kind::kInt || spec.kind == ml::ParamSpec::Kind::kIntOrNull)) {
          return Status::invalid(where + ": " + text + " draws non-integer values but '" + param +
                                 "' takes integers (use randint)");
        }
      }
    }
  }
  return Status::ok();
}

}  // namespace

// Parses a spec document; throws json::exception on wrongly typed values (caught by the caller).
static Result<PipelineSpec> parse_spec_document(const json& doc);

namespace {
bool listed(const std::vector<std::string>& types, const std::string& t) {
  return std::find(types.begin(), types.end(), t) != types.end();
}
// What to say when `type` is a step type that does not fit where it stands (the last step, a
// step with columns, a step on the whole feature matrix); "" when it is no known type.
std::string misplaced_step_hint(const std::string& type, bool last, bool column_step) {
  const bool estimator = listed(ml::classifier_types(), type) || listed(ml::regressor_types(), type);
  const bool matrix = listed(ml::transformer_types(), type);
  const bool column = listed(ml::column_step_types(), type);
  if (last && (matrix || column)) {
    return std::string("is a transformer, but the last step must be the estimator (a classifier or a regressor, "
                       "e.g. LogisticRegression or RandomForestClassifier): add one after it");
  }
  if (!last && estimator) return "is an estimator: only the last step can be one";
  if (!last && !column_step && column) {
    return "reads columns of the table: give it \"columns\" (the column(s) it reads, e.g. [\"text\"])";
  }
  if (column_step && (matrix || estimator)) {
    return "works on the whole feature matrix: remove its \"columns\"";
  }
  return "";
}
}  // namespace

Result<PipelineSpec> parse_pipeline_spec(const std::string& json_text) {
  auto doc = read_json(json_text, "pipeline spec");
  if (!doc) return doc.status();
  return parse_pipeline_spec(*doc);
}

Result<PipelineSpec> parse_pipeline_spec(const json& doc) {
  try {
    return parse_spec_document(doc);
  } catch (const json::exception& e) {
    return Status::invalid("pipeline spec is malformed: " + json_error_reason(e));
  }
}

static Result<PipelineSpec> parse_spec_document(const json& doc) {
  if (!doc.is_object()) return Status::parse_error("pipeline spec must be a JSON object");
  MLLAB_RETURN_IF_ERROR(check_fields(doc, "the pipeline spec",
                                     {"schema", "schema_version", "experiment", "run_name", "dataset",
                                      "split", "steps", "evaluate", "search", "tags", "description",
                                      "resources"}));
  if (!doc.contains("schema") || doc["schema"] != "mllab.pipeline") {
    return Status::invalid("schema: expected \"mllab.pipeline\" (received " +
                           (doc.contains("schema") ? json_for_message(doc["schema"]) : std::string("nothing")) + ")");
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
  if (ds.contains("features") && s.features.empty()) {
    return Status::invalid("dataset.features: must list at least one column (leave the field out to use every "
                           "column but the target)");
  }

  if (doc.contains("split")) {
    const json& sp = doc["split"];
    if (!sp.is_object()) return Status::invalid("split: must be an object");
    MLLAB_RETURN_IF_ERROR(check_fields(sp, "split", {"test_size", "random_state", "stratify"}));
    MLLAB_RETURN_IF_ERROR(get_field(sp, "split", "test_size", &s.test_size, false));
    MLLAB_RETURN_IF_ERROR(get_field(sp, "split", "stratify", &s.stratify, false));
    if (sp.contains("random_state")) {
      const json& rs = sp["random_state"];
      if (!rs.is_number_integer() || rs.get<int64_t>() < 0 || rs.get<int64_t>() > 4294967295LL) {
        return Status::invalid("split.random_state: must be an integer in [0, 4294967295], numpy's seeds (received " +
                               json_for_message(rs) + ")");
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
  bool seen_matrix_step = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string where = "steps[" + std::to_string(i) + "]";
    const json& st = steps[i];
    if (!st.is_object()) return Status::invalid(where + ": must be an object");
    MLLAB_RETURN_IF_ERROR(check_fields(st, where, {"name", "type", "params", "columns"}));
    StepSpec step;
    MLLAB_RETURN_IF_ERROR(get_field(st, where, "type", &step.type, true));
    MLLAB_RETURN_IF_ERROR(get_field(st, where, "name", &step.name, false));
    MLLAB_RETURN_IF_ERROR(get_field(st, where, "columns", &step.columns, false));
    if (step.name.empty()) step.name = i + 1 == steps.size() ? "model" : "step" + std::to_string(i);
    if (!names.insert(step.name).second) return Status::invalid(where + ".name: duplicate step name '" + quote_for_message(step.name) + "'");
    if (step.name.find("__") != std::string::npos) {
      return Status::invalid(where + ".name: '" + quote_for_message(step.name) + "' must not contain '__'");
    }
    if (st.contains("params")) {
      if (!st["params"].is_object()) return Status::invalid(where + ".params: must be an object");
      step.params = st["params"];
    }
    const bool last = i + 1 == steps.size();
    const bool column_step = st.contains("columns");
    std::vector<std::string> types;
    std::string kind;
    if (last) {
      if (column_step) return Status::invalid(where + ".columns: the final estimator takes the feature matrix, not columns");
      types = ml::classifier_types();
      for (const auto& t : ml::regressor_types()) types.push_back(t);
      kind = "estimator";
    } else if (column_step) {
      if (seen_matrix_step) {
        return Status::invalid(where + ".columns: column steps must come before the steps that "
                               "transform the whole feature matrix");
      }
      if (step.columns.empty()) return Status::invalid(where + ".columns: must name at least one column");
      types = ml::column_step_types();
      kind = "column step";
    } else {
      seen_matrix_step = true;
      types = ml::transformer_types();
      kind = "transformer";
    }
    if (std::find(types.begin(), types.end(), step.type) == types.end()) {
      // A known type in the wrong place says what it is and where it goes.
      const std::string hint = misplaced_step_hint(step.type, last, column_step);
      if (!hint.empty()) return Status::invalid(where + ".type: '" + quote_for_message(step.type) + "' " + hint);
      std::string list;
      for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
      return Status::invalid(where + ".type: unknown " + kind + " '" + quote_for_message(step.type) + "' (available: " + list + ")");
    }
    // Validate parameters now so a typo fails before any data is read.
    auto resolved = ml::validate_step_params(step.type, step.params);
    if (!resolved) return Status::invalid(where + " (" + step.name + "): " + resolved.status().message());
    s.steps.push_back(std::move(step));
  }

  if (doc.contains("evaluate")) {
    const json& ev = doc["evaluate"];
    if (!ev.is_object()) return Status::invalid("evaluate: must be an object");
    MLLAB_RETURN_IF_ERROR(check_fields(ev, "evaluate", {"cv", "scoring"}));
    int64_t cv = 0;
    MLLAB_RETURN_IF_ERROR(get_count(ev, "evaluate", "cv", 0, kMaxFolds, "each fold is one more fit", &cv));
    s.evaluate.cv = int(cv);
    MLLAB_RETURN_IF_ERROR(get_field(ev, "evaluate", "scoring", &s.evaluate.scoring, false));
    if (s.evaluate.cv == 1 || s.evaluate.cv < 0) {
      return Status::invalid("evaluate.cv: must be 0 (none) or at least 2 folds (received " +
                             std::to_string(s.evaluate.cv) + ")");
    }
  }
  if (doc.contains("search")) {
    const json& se = doc["search"];
    if (!se.is_object()) return Status::invalid("search: must be an object");
    MLLAB_RETURN_IF_ERROR(check_fields(se, "search", {"type", "param_grid", "param_distributions", "cv",
                                                      "scoring", "n_iter", "random_state"}));
    MLLAB_RETURN_IF_ERROR(get_field(se, "search", "type", &s.search.type, true));
    if (s.search.type != "grid" && s.search.type != "random") {
      return Status::invalid("search.type: must be \"grid\" or \"random\" (received \"" + s.search.type + "\")");
    }
    const char* grid_key = se.contains("param_distributions") ? "param_distributions" : "param_grid";
    if (!se.contains(grid_key) || !se[grid_key].is_object() || se[grid_key].empty()) {
      return Status::invalid(std::string("search.") + grid_key + ": must be a non-empty object of lists");
    }
    s.search.param_grid = se[grid_key];
    int64_t cv = s.search.cv, n_iter = s.search.n_iter;
    MLLAB_RETURN_IF_ERROR(get_count(se, "search", "cv", 2, kMaxFolds, "each fold is one more fit per candidate", &cv));
    MLLAB_RETURN_IF_ERROR(get_count(se, "search", "n_iter", 1, kMaxSearchCandidates,
                                    "each candidate is fitted once per fold", &n_iter));
    s.search.cv = int(cv);
    s.search.n_iter = int(n_iter);
    MLLAB_RETURN_IF_ERROR(get_field(se, "search", "scoring", &s.search.scoring, false));
    if (se.contains("random_state")) {
      const json& rs = se["random_state"];
      if (!rs.is_number_integer() || rs.get<int64_t>() < 0) {
        return Status::invalid("search.random_state: must be a non-negative integer (received " + json_for_message(rs) + ")");
      }
      s.search.random_state = rs.get<uint64_t>();
    }
    if (s.search.cv < 2) return Status::invalid("search.cv: must be at least 2 (received " + std::to_string(s.search.cv) + ")");
    if (s.search.n_iter < 1) return Status::invalid("search.n_iter: must be at least 1");
    if (s.search.type == "grid") {
      // The grid's size before its values are checked one by one.
      int64_t size = 1;
      for (auto it = s.search.param_grid.begin(); it != s.search.param_grid.end(); ++it) {
        const int64_t n = it.value().is_array() ? int64_t(it.value().size()) : 1;
        size = n == 0 ? 0 : size > kMaxSearchCandidates / n ? kMaxSearchCandidates + 1 : size * n;
      }
      if (size > kMaxSearchCandidates) {
        return Status::invalid(std::string("search.") + grid_key + ": the grid has more than " +
                               format_count(kMaxSearchCandidates) +
                               " candidates (the product of the list lengths), each fitted once per fold; "
                               "use fewer values or a random search with n_iter");
      }
    }
    // Every candidate value must be a valid parameter of its step.
    for (auto it = s.search.param_grid.begin(); it != s.search.param_grid.end(); ++it) {
      const std::string where = std::string("search.") + grid_key + "." + it.key();
      if (ml::is_distribution(it.value())) {
        MLLAB_RETURN_IF_ERROR(check_distribution(s, where, it.key(), it.value()));
        continue;
      }
      if (!it.value().is_array() || it.value().empty()) {
        return Status::invalid(where + (s.search.type == "random" ? ": must be a non-empty list or a distribution"
                                                                 : ": must be a non-empty list"));
      }
      for (const auto& v : it.value()) {
        PipelineSpec probe = s;
        Status st = set_step_param(probe, it.key(), v);
        if (!st.is_ok()) return Status::invalid(std::string("search.") + grid_key + ": " + st.message());
      }
    }
  }
  if (doc.contains("resources")) {
    const json& rs = doc["resources"];
    if (!rs.is_object()) return Status::invalid("resources: must be an object");
    MLLAB_RETURN_IF_ERROR(check_fields(rs, "resources", {"memory_budget_mb"}));
    MLLAB_RETURN_IF_ERROR(get_count(rs, "resources", "memory_budget_mb", 1, kMaxMemoryBudgetMb,
                                    "a larger budget than any machine has", &s.resources.memory_budget_mb));
  }
  for (const char* metric : {"evaluate", "search"}) {
    const std::string& scoring = std::string(metric) == "evaluate" ? s.evaluate.scoring : s.search.scoring;
    if (scoring.empty()) continue;
    const auto& allowed = scorings_for(is_regression(s));
    if (std::find(allowed.begin(), allowed.end(), scoring) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Status::invalid(std::string(metric) + ".scoring: unknown scoring '" + quote_for_message(scoring) + "' (available: " + list + ")");
    }
  }
  return s;
}

bool is_regression(const PipelineSpec& spec) {
  if (spec.steps.empty()) return false;
  const auto types = ml::regressor_types();
  return std::find(types.begin(), types.end(), spec.steps.back().type) != types.end();
}

std::string scoring_of(const PipelineSpec& spec, const std::string& requested) {
  if (!requested.empty()) return requested;
  return is_regression(spec) ? "r2" : "accuracy";
}

Status set_step_param(PipelineSpec& spec, const std::string& step_param, const json& value) {
  size_t sep = step_param.find("__");
  if (sep == std::string::npos) {
    return Status::invalid("'" + quote_for_message(step_param) + "' must be \"step__param\", e.g. \"model__max_depth\"");
  }
  std::string step = step_param.substr(0, sep), param = step_param.substr(sep + 2);
  for (auto& st : spec.steps) {
    if (st.name != step) continue;
    json params = st.params;
    params[param] = value;
    auto resolved = ml::validate_step_params(st.type, params);
    if (!resolved) return Status::invalid(step_param + ": " + resolved.status().message());
    st.params = params;
    return Status::ok();
  }
  std::string names;
  for (const auto& st : spec.steps) names += (names.empty() ? "" : ", ") + st.name;
  return Status::invalid("'" + quote_for_message(step_param) + "' names no step '" + quote_for_message(step) + "' (steps: " + names + ")");
}

json pipeline_spec_to_json(const PipelineSpec& s) {
  json steps = json::array();
  for (const auto& st : s.steps) {
    json j = {{"name", st.name}, {"type", st.type}, {"params", st.params}};
    if (!st.columns.empty()) j["columns"] = st.columns;
    steps.push_back(j);
  }
  json ds = {{"path", s.dataset_path}, {"target", s.target}};
  if (!s.features.empty()) ds["features"] = s.features;
  json j = {{"schema", "mllab.pipeline"}, {"schema_version", kSpecSchemaVersion},
            {"experiment", s.experiment}, {"run_name", s.run_name}, {"dataset", ds},
            {"split", {{"test_size", s.test_size}, {"random_state", s.random_state}, {"stratify", s.stratify}}},
            {"steps", steps}};
  if (!s.tags.empty()) j["tags"] = s.tags;
  if (s.resources.memory_budget_mb > 0) j["resources"] = {{"memory_budget_mb", s.resources.memory_budget_mb}};
  if (s.evaluate.cv > 0) j["evaluate"] = {{"cv", s.evaluate.cv}, {"scoring", s.evaluate.scoring}};
  if (!s.search.type.empty()) {
    j["search"] = {{"type", s.search.type}, {"param_grid", s.search.param_grid}, {"cv", s.search.cv},
                   {"scoring", s.search.scoring}, {"n_iter", s.search.n_iter}, {"random_state", s.search.random_state}};
  }
  return j;
}

}  // namespace mllab::pipeline

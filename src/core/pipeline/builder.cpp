#include "core/pipeline/builder.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/ml/model.hpp"

namespace mllab::pipeline {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool is_vectorizer(const std::string& type) { return type == "TfidfVectorizer" || type == "CountVectorizer"; }

// Index of the first step that is not a column step (a matrix step or the estimator).
size_t first_matrix_step(const PipelineSpec& spec) {
  size_t i = 0;
  while (i + 1 < spec.steps.size() && !spec.steps[i].columns.empty()) ++i;
  return i;
}

// A step name for `type`: short for the usual ones, unique within the spec.
std::string unique_name(const PipelineSpec& spec, std::string base) {
  auto taken = [&](const std::string& n) {
    return std::any_of(spec.steps.begin(), spec.steps.end(), [&](const StepSpec& s) { return s.name == n; });
  };
  if (!taken(base)) return base;
  for (int k = 2;; ++k) {
    std::string n = base + "_" + std::to_string(k);
    if (!taken(n)) return n;
  }
}

std::string base_name(const std::string& type) {
  if (type == "TfidfVectorizer") return "tfidf";
  if (type == "CountVectorizer") return "counts";
  if (type == "OneHotEncoder") return "onehot";
  if (type == "SimpleImputer") return "impute";
  if (type == "StandardScaler") return "scaler";
  std::string out;
  for (char c : type) out += char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A step name safe in "name__param" keys, from a column name ("text" -> "tfidf_text").
std::string column_step_name(const std::string& prefix, const std::string& column) {
  std::string out = prefix + "_";
  for (char c : column) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (ok) out += char(std::tolower(static_cast<unsigned char>(c)));
    else if (out.back() != '_') out += '_';
  }
  while (out.back() == '_') out.pop_back();
  return out;
}

bool sparse_features(const PipelineSpec& spec) {
  return std::any_of(spec.steps.begin(), spec.steps.end(), [](const StepSpec& s) {
    return !s.columns.empty() && (is_vectorizer(s.type) || s.type == "OneHotEncoder");
  });
}

// On sparse features a StandardScaler matrix step must not center (it would densify them).
void uncenter_scalers_on_sparse(PipelineSpec& spec) {
  if (!sparse_features(spec)) return;
  for (size_t i = first_matrix_step(spec); i + 1 < spec.steps.size(); ++i) {
    if (spec.steps[i].type == "StandardScaler") spec.steps[i].params["with_mean"] = false;
  }
}

// The table's usable columns for `target` minus `excluded`, by kind.
struct ColumnsByKind {
  std::vector<std::string> text, categorical, numeric_missing, numeric;
};
ColumnsByKind columns_by_kind(const data::Table& table, const std::string& target, const std::set<std::string>& excluded) {
  ColumnsByKind k;
  for (const auto& c : table.columns()) {
    if (c.name == target || excluded.count(c.name)) continue;
    if (c.type == data::ColumnType::kText) k.text.push_back(c.name);
    else if (c.type == data::ColumnType::kCategorical) k.categorical.push_back(c.name);
    else if (c.missing_count() > 0) k.numeric_missing.push_back(c.name);
    else k.numeric.push_back(c.name);
  }
  return k;
}

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

StepRole role_of(const PipelineSpec& spec, size_t i) {
  const StepSpec& st = spec.steps[i];
  if (i + 1 == spec.steps.size()) return contains(ml::regressor_types(), st.type) ? StepRole::kRegressor : StepRole::kClassifier;
  if (st.columns.empty()) return StepRole::kMatrix;
  if (is_vectorizer(st.type)) return StepRole::kTextColumns;
  if (st.type == "OneHotEncoder") return StepRole::kCategoricalColumns;
  return StepRole::kNumericColumns;
}

std::vector<StepType> step_catalog() {
  std::vector<StepType> out;
  for (const auto& t : ml::column_step_types()) {
    if (is_vectorizer(t)) out.push_back({t, StepRole::kTextColumns});
    else if (t == "OneHotEncoder") out.push_back({t, StepRole::kCategoricalColumns});
    else out.push_back({t, StepRole::kNumericColumns});
  }
  for (const auto& t : ml::transformer_types()) out.push_back({t, StepRole::kMatrix});
  for (const auto& t : ml::classifier_types()) out.push_back({t, StepRole::kClassifier});
  for (const auto& t : ml::regressor_types()) out.push_back({t, StepRole::kRegressor});
  return out;
}

std::vector<StepType> addable_steps() {
  std::vector<StepType> out;
  for (auto& s : step_catalog()) {
    if (s.role != StepRole::kClassifier && s.role != StepRole::kRegressor) out.push_back(std::move(s));
  }
  return out;
}

bool reads_columns(StepRole role) {
  return role == StepRole::kTextColumns || role == StepRole::kCategoricalColumns || role == StepRole::kNumericColumns;
}

const char* step_role_label(StepRole role) {
  switch (role) {
    case StepRole::kTextColumns: return "text columns";
    case StepRole::kCategoricalColumns: return "categorical columns";
    case StepRole::kNumericColumns: return "numeric columns";
    case StepRole::kMatrix: return "feature matrix";
    case StepRole::kClassifier: return "classifier";
    case StepRole::kRegressor: return "regressor";
  }
  return "";
}

const std::vector<std::string>& scorings_for(bool regression) {
  static const std::vector<std::string> kClassification = {"accuracy", "f1_macro", "f1_weighted", "precision_macro",
                                                           "recall_macro", "roc_auc", "neg_log_loss"};
  static const std::vector<std::string> kRegression = {"r2", "neg_mean_squared_error", "neg_root_mean_squared_error",
                                                       "neg_mean_absolute_error"};
  return regression ? kRegression : kClassification;
}

json default_search_space(const std::string& type, const std::string& step) {
  const std::string p = step + "__";
  if (type == "LogisticRegression") return {{p + "C", {0.1, 1, 10}}};
  if (type == "RandomForestClassifier" || type == "RandomForestRegressor") {
    return {{p + "n_estimators", {50, 100, 200}}, {p + "max_depth", {5, 10, 15}}};
  }
  if (type.rfind("HistGradientBoosting", 0) == 0) {
    return {{p + "learning_rate", {0.05, 0.1, 0.2}}, {p + "max_leaf_nodes", {15, 31}}};
  }
  if (type.rfind("DecisionTree", 0) == 0) return {{p + "max_depth", {3, 5, 10}}};
  if (type == "Ridge") return {{p + "alpha", {0.1, 1, 10}}};
  if (type == "MultinomialNB") return {{p + "alpha", {0.1, 0.5, 1}}};
  return json::object();
}

std::string param_help(const ml::ParamSpec& spec) {
  std::string out = spec.doc;
  if (!out.empty() && out.back() != '.') out += '.';
  out += (out.empty() ? "" : " ") + std::string("Default ") +
         (spec.default_value.is_null() ? "None" : spec.default_value.dump());
  std::string bounds;
  const bool has_min = std::isfinite(spec.min), has_max = std::isfinite(spec.max);
  if (has_min && has_max) {
    bounds = (spec.min_exclusive ? "(" : "[") + format_number(spec.min) + ", " + format_number(spec.max) +
             (spec.max_exclusive ? ")" : "]");
  } else if (has_min) {
    bounds = std::string(spec.min_exclusive ? "> " : ">= ") + format_number(spec.min);
  } else if (has_max) {
    bounds = std::string(spec.max_exclusive ? "< " : "<= ") + format_number(spec.max);
  }
  if (!spec.choices.empty()) {
    std::string list;
    for (const auto& c : spec.choices) list += (list.empty() ? "" : " | ") + c;
    bounds += (bounds.empty() ? "" : "; ") + std::string("one of ") + list;
  }
  if (!bounds.empty()) out += "; " + bounds;
  return out + ".";
}

PipelineSpec default_spec_for(const data::Table& table, const std::string& dataset_path, const std::string& target) {
  PipelineSpec s;
  s.dataset_path = dataset_path;
  s.target = target;
  s.test_size = 0.2;
  s.random_state = 42;
  s.stratify = true;
  s.steps.push_back({"scaler", "StandardScaler", json::object(), {}});
  s.steps.push_back({"model", "LogisticRegression", json::object(), {}});
  retarget(s, table, target, {});
  return s;
}

void retarget(PipelineSpec& spec, const data::Table& table, const std::string& target,
              const std::set<std::string>& excluded) {
  spec.target = target;
  const ColumnsByKind k = columns_by_kind(table, target, excluded);
  // What the existing column steps were, to keep their types and parameters.
  std::vector<StepSpec> old_text, old_numeric;
  std::optional<StepSpec> old_onehot;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    switch (role_of(spec, i)) {
      case StepRole::kTextColumns: old_text.push_back(spec.steps[i]); break;
      case StepRole::kCategoricalColumns: if (!old_onehot) old_onehot = spec.steps[i]; break;
      case StepRole::kNumericColumns: old_numeric.push_back(spec.steps[i]); break;
      default: break;
    }
  }
  std::vector<StepSpec> rest(spec.steps.begin() + long(first_matrix_step(spec)), spec.steps.end());
  spec.steps.clear();

  // One vectorizer per text column: the step that read it before, else a copy of the first
  // vectorizer's type and parameters, else TF-IDF with 1000 features.
  for (const auto& col : k.text) {
    auto it = std::find_if(old_text.begin(), old_text.end(), [&](const StepSpec& s) { return contains(s.columns, col); });
    if (it != old_text.end()) {
      spec.steps.push_back({it->name, it->type, it->params, {col}});
      continue;
    }
    const std::string type = old_text.empty() ? "TfidfVectorizer" : old_text.front().type;
    const json params = old_text.empty() ? json{{"max_features", 1000}} : old_text.front().params;
    spec.steps.push_back({unique_name(spec, column_step_name(base_name(type), col)), type, params, {col}});
  }
  if (!k.categorical.empty()) {
    StepSpec st = old_onehot ? *old_onehot : StepSpec{"onehot", "OneHotEncoder", {{"handle_unknown", "ignore"}}, {}};
    st.columns = k.categorical;
    st.name = unique_name(spec, st.name);
    spec.steps.push_back(std::move(st));
  }
  // Numeric column steps keep the columns still used; the imputer (if none was there) takes
  // the numeric columns with missing values that no numeric step reads.
  std::set<std::string> numeric_read;
  bool had_imputer = false;
  for (auto st : old_numeric) {
    std::erase_if(st.columns, [&](const std::string& c) { return !contains(k.numeric, c) && !contains(k.numeric_missing, c); });
    had_imputer = had_imputer || st.type == "SimpleImputer";
    if (st.type == "SimpleImputer") {
      for (const auto& c : k.numeric_missing) {
        if (!contains(st.columns, c)) st.columns.push_back(c);
      }
    }
    if (st.columns.empty()) continue;
    for (const auto& c : st.columns) numeric_read.insert(c);
    st.name = unique_name(spec, st.name);
    spec.steps.push_back(std::move(st));
  }
  if (!had_imputer) {
    StepSpec imp{"impute", "SimpleImputer", {{"strategy", "median"}}, {}};
    for (const auto& c : k.numeric_missing) {
      if (!numeric_read.count(c)) imp.columns.push_back(c);
    }
    if (!imp.columns.empty()) {
      for (const auto& c : imp.columns) numeric_read.insert(c);
      imp.name = unique_name(spec, imp.name);
      spec.steps.push_back(std::move(imp));
    }
  }
  for (auto& st : rest) {
    st.name = unique_name(spec, st.name);
    spec.steps.push_back(std::move(st));
  }
  // Passthrough: numeric columns no column step reads (missing values and all: the estimator
  // or a matrix step must cope, as in scikit-learn).
  spec.features.clear();
  for (const auto& c : k.numeric) {
    if (!numeric_read.count(c)) spec.features.push_back(c);
  }
  for (const auto& c : k.numeric_missing) {
    if (!numeric_read.count(c)) spec.features.push_back(c);
  }
  uncenter_scalers_on_sparse(spec);
}

Status add_step(PipelineSpec& spec, const std::string& type, StepRole role, const data::Table* table) {
  const auto catalog = addable_steps();
  const bool known = std::any_of(catalog.begin(), catalog.end(), [&](const StepType& s) { return s.type == type && s.role == role; });
  if (!known) {
    return Status::invalid("'" + type + "' cannot be added as a step reading " + step_role_label(role));
  }
  if (spec.steps.empty()) spec.steps.push_back({"model", "LogisticRegression", json::object(), {}});
  StepSpec st{"", type, json::object(), {}};
  if (reads_columns(role)) {
    if (!table) return Status::invalid("pick a dataset first: a " + type + " step reads its columns");
    std::set<std::string> read;  // columns already read by steps of this role
    for (size_t i = 0; i + 1 < spec.steps.size(); ++i) {
      if (role_of(spec, i) == role) read.insert(spec.steps[i].columns.begin(), spec.steps[i].columns.end());
    }
    for (const auto& c : table->columns()) {
      if (c.name == spec.target || read.count(c.name)) continue;
      const bool match = role == StepRole::kTextColumns ? c.type == data::ColumnType::kText
                         : role == StepRole::kCategoricalColumns ? c.type == data::ColumnType::kCategorical
                                                                 : c.type == data::ColumnType::kNumeric;
      if (!match) continue;
      if (role == StepRole::kNumericColumns && !spec.features.empty() && !contains(spec.features, c.name)) continue;
      st.columns.push_back(c.name);
      if (role == StepRole::kTextColumns) break;
    }
    if (st.columns.empty()) {
      return Status::invalid(std::string("no ") + step_role_label(role) + " left for a " + type + " step to read");
    }
    st.name = unique_name(spec, role == StepRole::kTextColumns ? column_step_name(base_name(type), st.columns[0]) : base_name(type));
    if (is_vectorizer(type)) st.params = {{"max_features", 1000}};
    if (type == "OneHotEncoder") st.params = {{"handle_unknown", "ignore"}};
    // The columns a numeric step reads no longer pass through as they are.
    std::erase_if(spec.features, [&](const std::string& c) { return contains(st.columns, c); });
    spec.steps.insert(spec.steps.begin() + long(first_matrix_step(spec)), std::move(st));
  } else {
    st.name = unique_name(spec, base_name(type));
    spec.steps.insert(spec.steps.end() - 1, std::move(st));
  }
  uncenter_scalers_on_sparse(spec);
  return Status::ok();
}

bool move_step(PipelineSpec& spec, size_t index, int delta) {
  if (spec.steps.empty() || index + 1 >= spec.steps.size()) return false;  // the estimator stays last
  const long to = long(index) + delta;
  if (to < 0 || size_t(to) + 1 >= spec.steps.size()) return false;
  // Column steps stay before matrix steps.
  if (spec.steps[index].columns.empty() != spec.steps[size_t(to)].columns.empty()) return false;
  std::swap(spec.steps[index], spec.steps[size_t(to)]);
  return true;
}

bool remove_step(PipelineSpec& spec, size_t index) {
  if (index + 1 >= spec.steps.size()) return false;
  const StepSpec removed = spec.steps[index];
  spec.steps.erase(spec.steps.begin() + long(index));
  // Numeric columns a removed numeric step read pass through again.
  if (!removed.columns.empty() && !is_vectorizer(removed.type) && removed.type != "OneHotEncoder") {
    for (const auto& c : removed.columns) {
      if (!contains(spec.features, c)) spec.features.push_back(c);
    }
  }
  return true;
}

Status change_step_type(PipelineSpec& spec, size_t index, const std::string& type) {
  if (index + 1 >= spec.steps.size()) return Status::invalid("the estimator is changed with set_estimator");
  const StepRole role = role_of(spec, index);
  const auto catalog = addable_steps();
  if (!std::any_of(catalog.begin(), catalog.end(), [&](const StepType& s) { return s.type == type && s.role == role; })) {
    return Status::invalid("'" + type + "' cannot replace a step reading " + std::string(step_role_label(role)));
  }
  StepSpec& st = spec.steps[index];
  if (st.type == type) return Status::ok();
  const std::string old_base = base_name(st.type);
  const json max_features = st.params.value("max_features", json(1000));
  st.params = is_vectorizer(type) ? json{{"max_features", max_features}} : json::object();
  if (type == "OneHotEncoder") st.params = {{"handle_unknown", "ignore"}};
  if (st.name.rfind(old_base, 0) == 0) {
    std::string rest = st.name.substr(old_base.size());
    st.name.clear();  // not taken by itself while a new name is found
    st.name = unique_name(spec, base_name(type) + rest);
  }
  st.type = type;
  uncenter_scalers_on_sparse(spec);
  return Status::ok();
}

Status set_estimator(PipelineSpec& spec, const std::string& type) {
  if (!contains(ml::classifier_types(), type) && !contains(ml::regressor_types(), type)) {
    std::string list;
    for (const auto& t : ml::classifier_types()) list += (list.empty() ? "" : ", ") + t;
    for (const auto& t : ml::regressor_types()) list += ", " + t;
    return Status::invalid("unknown estimator '" + type + "' (available: " + list + ")");
  }
  const bool was_regression = is_regression(spec);
  if (spec.steps.empty()) spec.steps.push_back({"model", type, json::object(), {}});
  StepSpec& est = spec.steps.back();
  est.type = type;
  est.params = json::object();
  if (est.name.empty()) est.name = "model";
  if (!spec.search.type.empty()) spec.search.param_grid = default_search_space(type, est.name);
  // Scorings of the other task no longer apply.
  if (was_regression != is_regression(spec)) {
    spec.evaluate.scoring.clear();
    spec.search.scoring.clear();
  }
  return Status::ok();
}

std::string spec_text(const PipelineSpec& spec) {
  return pipeline_spec_to_json(spec).dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace mllab::pipeline

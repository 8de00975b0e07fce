// Memory estimates of fits, the budget check, and the size of saved models (see the header).
//
// Calibration (native, 2026-12-04, max RSS of `/usr/bin/time -v mllab run`; the estimate uses
// the probe tree's nodes x 1.25; MiB):
//   case                                               estimate  measured  pipeline.json
//   iris LogisticRegression (examples)                      16.1      10.9        0.0
//   breast_cancer grid search RF 3x3, cv 5 (examples)       20.8      13.1        0.1
//   sentiment TF-IDF + RF(200, depth 10) (examples)         27.3      18.2        0.7
//   birdstrikes one-hot + HGB(50) (examples)                37.0      25.1        0.6
//   sentiment TF-IDF + HGB(100) (bench/specs)              228.2     106.6        0.3
//   birdstrikes one-hot + RF(300, depth 10)                107.6      70.9        5.5
//   birdstrikes one-hot + RF(50 / 100 / 200 / 300)     153 / 276 / 523 / 769
//                                                      101 / 180 / 337 / 494   7.7 / 15 / 31 / 46
//   RF(100) on 20,000 x 20 synthetic                       171.2     105.3        9.3
//   RF(100) on 200,000 x 20 synthetic (the case)  1211       833         82.8
//     -> refused under the default 1 GiB budget (in 9 s: CSV, distinct rows, one probe tree)
// The bytes per tree node follow what a run holds when it saves its model: the trees
// (feature, threshold, children, n_values outputs; vectors with growth slack), the document's
// parsed form (FittedPipeline::to_json moves each step's state into the document; it copied it
// three times when the table above was measured) and its text.
#include "core/pipeline/memory_budget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_set>

#include "core/ml/model.hpp"
#include "core/pipeline/fitted_pipeline.hpp"

namespace mllab::pipeline {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
bool is_forest(const std::string& type) { return starts_with(type, "RandomForest"); }
bool is_single_tree(const std::string& type) { return starts_with(type, "DecisionTree"); }
bool is_boosting(const std::string& type) { return starts_with(type, "HistGradientBoosting"); }

int64_t int_param(const json& params, const char* key, int64_t fallback) {
  if (!params.is_object() || !params.contains(key) || !params.at(key).is_number_integer()) return fallback;
  return params.at(key).get<int64_t>();
}

// Saturating arithmetic: estimates of absurd inputs stay finite and ordered.
int64_t sat_mul(int64_t a, int64_t b) {
  if (a <= 0 || b <= 0) return 0;
  if (a > INT64_MAX / b) return INT64_MAX;
  return a * b;
}
int64_t sat_add(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

// Bytes of the model per tree node and of its saved document per node: the trees' vectors
// (with growth slack), the document's parsed form (16 bytes per JSON value, 4 + n_values values
// per node, held once while the document is assembled, x2 for the arrays' growth slack) and its text (measured: 38 bytes
// per node with 2 classes, 55-64 with 6; regression values print as full doubles).
int64_t model_bytes_per_node(int n_values) { return 2 * (20 + 8 * int64_t(n_values)); }
int64_t document_bytes_per_node(int n_values, bool classifier) {
  return 2 * 16 * (4 + int64_t(n_values)) + 26 + (classifier ? 6 : 20) * int64_t(n_values);
}

std::string model_text(const std::string& type, const json& p) {
  std::string out = type + "(";
  auto add = [&](const std::string& item) { out += (out.back() == '(' ? "" : ", ") + item; };
  if (is_forest(type)) add("n_estimators=" + std::to_string(int_param(p, "n_estimators", 100)));
  if (is_boosting(type)) add("max_iter=" + std::to_string(int_param(p, "max_iter", 100)));
  if (is_forest(type) || is_single_tree(type) || is_boosting(type)) {
    if (p.contains("max_depth") && !p.at("max_depth").is_null()) add("max_depth=" + p.at("max_depth").dump());
    const int64_t leaf = int_param(p, "min_samples_leaf", 1);
    if (leaf != (is_boosting(type) ? 20 : 1)) add("min_samples_leaf=" + std::to_string(leaf));
  }
  if (is_boosting(type) && p.contains("max_leaf_nodes")) add("max_leaf_nodes=" + p.at("max_leaf_nodes").dump());
  return out + ")";
}

std::string advice_text(const std::string& type) {
  if (is_forest(type)) return "set max_depth or min_samples_leaf, or fewer n_estimators";
  if (is_single_tree(type)) return "set max_depth or min_samples_leaf";
  if (is_boosting(type)) return "set fewer max_iter or max_leaf_nodes";
  return "use fewer rows or features";
}

// The parameters of a cheap fit with the same inputs, for the probe: one tree of a forest, one
// boosting iteration, one solver iteration, a depth-1 tree.
json probe_params(const std::string& type, json params) {
  if (is_forest(type)) params["n_estimators"] = 1;
  if (is_boosting(type)) {
    params["max_iter"] = 1;
    params["early_stopping"] = false;
  }
  if (is_single_tree(type)) params["max_depth"] = 1;
  if (type == "LogisticRegression") params["max_iter"] = 1;
  return params;
}

// The forest parameters that grow the largest trees among `all` (deepest, smallest leaves,
// no bootstrap if any candidate has none); the other parameters of the first.
json largest_trees(const std::vector<json>& all) {
  json out = all.front();
  for (const json& p : all) {
    if (p.at("max_depth").is_null() || out.at("max_depth").is_null()) out["max_depth"] = nullptr;
    else out["max_depth"] = std::max(out.at("max_depth").get<int64_t>(), p.at("max_depth").get<int64_t>());
    for (const char* k : {"min_samples_leaf", "min_samples_split"}) {
      out[k] = std::min(out.at(k).get<int64_t>(), p.at(k).get<int64_t>());
    }
    out["bootstrap"] = out.at("bootstrap").get<bool>() && p.at("bootstrap").get<bool>();
  }
  return out;
}

void count_trees(const json& j, ModelSize* out) {
  if (j.is_object()) {
    auto f = j.find("feature");
    auto l = j.find("left");
    if (f != j.end() && l != j.end() && f->is_array() && l->is_array()) {
      ++out->trees;
      out->nodes += int64_t(f->size());
      return;
    }
    for (const auto& item : j.items()) count_trees(item.value(), out);
  } else if (j.is_array()) {
    for (const auto& v : j) count_trees(v, out);
  }
}

}  // namespace

std::string format_bytes(int64_t bytes) {
  static const char* const kUnits[] = {"KB", "MB", "GB", "TB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = double(bytes);
  int u = -1;
  while (v >= 1024.0 && u < 3) {
    v /= 1024.0;
    ++u;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string format_count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

int64_t tree_node_bound(const std::string& type, const json& params, const FitShape& shape) {
  if (!is_forest(type) && !is_single_tree(type) && !is_boosting(type)) return 0;
  const int64_t n = std::max<int64_t>(shape.rows, 1);
  // A bootstrap sample holds about 1 - 1/e = 0.632 of the rows (0.64: a bound in practice).
  const bool bootstrap = is_forest(type) && params.value("bootstrap", true);
  int64_t leaves = bootstrap ? std::min<int64_t>(n, int64_t(std::ceil(0.64 * double(n))) + 1) : n;
  if (shape.distinct_rows > 0) leaves = std::min(leaves, shape.distinct_rows);
  leaves = std::min(leaves, std::max<int64_t>(1, n / std::max<int64_t>(1, int_param(params, "min_samples_leaf", 1))));
  if (params.contains("max_depth") && params.at("max_depth").is_number_integer()) {
    const int64_t depth = std::min<int64_t>(params.at("max_depth").get<int64_t>(), 62);
    leaves = std::min(leaves, int64_t(1) << depth);
  }
  if (is_boosting(type) && params.contains("max_leaf_nodes") && params.at("max_leaf_nodes").is_number_integer()) {
    leaves = std::min(leaves, params.at("max_leaf_nodes").get<int64_t>());
  }
  return 2 * std::max<int64_t>(leaves, 1) - 1;
}

MemoryEstimate estimate_fit_memory(const std::string& type, const json& params, const FitShape& shape) {
  MemoryEstimate e;
  e.model = model_text(type, params);
  e.advice = advice_text(type);
  const int64_t r = shape.rows, c = shape.cols;
  const int k = std::max(shape.n_classes, 1);
  const bool classifier = shape.n_classes > 0;
  const int64_t dense = sat_mul(sat_mul(r, c), 8);
  // The feature matrix as the pipeline hands it over, and the copy its last step made.
  const int64_t features = shape.sparse ? sat_add(sat_mul(shape.nnz, 12), sat_mul(r + 1, 4)) : dense;
  // The program itself: its code, allocator and the run's small state (11 MB of RSS for the
  // smallest run, iris with logistic regression).
  e.parts.push_back({"runtime", int64_t(16) << 20});
  e.parts.push_back({"data", shape.held_bytes});
  e.parts.push_back({"features", sat_mul(features, 2)});
  // Estimators without a sparse path densify sparse input.
  const bool sparse_path = is_forest(type) || is_single_tree(type);
  if (shape.sparse && !sparse_path) e.parts.push_back({"dense copy", dense});

  if (is_forest(type) || is_single_tree(type) || is_boosting(type)) {
    const int64_t bins = shape.sparse && sparse_path ? sat_add(sat_mul(shape.nnz, 6), sat_mul(r, 8)) : sat_mul(r, c);
    e.parts.push_back({"bins", bins});
    e.node_bound = tree_node_bound(type, params, shape);
    e.nodes_per_tree = e.node_bound;
    if (shape.measured_nodes_per_tree >= 0) {
      e.nodes_per_tree = std::min(e.node_bound, shape.measured_nodes_per_tree * 5 / 4 + 16);
    }
    int n_values = classifier ? k : 1;
    if (is_boosting(type)) {
      const int64_t per_iter = classifier && k > 2 ? k : 1;
      e.trees = sat_mul(int_param(params, "max_iter", 100), per_iter);
      n_values = 1;
      const int64_t leaves = (e.node_bound + 1) / 2;
      // Gradients, hessians, raw predictions and row buffers; one histogram (24 bytes per bin,
      // 256 bins per feature) per splittable leaf.
      e.parts.push_back({"gradients", sat_add(sat_mul(sat_mul(r, per_iter), 32), sat_mul(r, 16))});
      e.parts.push_back({"histograms", sat_mul(sat_mul(std::min<int64_t>(leaves, 4096) + 1, c), 256 * 24)});
      if (params.value("early_stopping", false)) e.parts.push_back({"validation copy", dense});
    } else {
      e.trees = is_forest(type) ? int_param(params, "n_estimators", 100) : 1;
      e.parts.push_back({"row buffers", sat_mul(r, 64)});
    }
    const int64_t nodes = sat_mul(e.trees, e.nodes_per_tree);
    e.parts.push_back({"trees", sat_mul(nodes, model_bytes_per_node(n_values))});
    e.parts.push_back({"model document", sat_add(sat_mul(nodes, document_bytes_per_node(n_values, classifier)),
                                                 sat_mul(shape.document_base_bytes, 8))});
  } else {
    int64_t work = 0;
    if (type == "LogisticRegression") {
      work = sat_add(dense, sat_add(sat_mul(sat_mul(r, k), 48), sat_mul(sat_mul(c + 1, k), 80)));
    } else if (type == "LinearRegression" || type == "Ridge") {
      work = sat_add(sat_mul(sat_mul(r, c + 1), 8), sat_mul(sat_mul(c + 1, c + 1), 16));
    } else {
      work = sat_mul(sat_mul(c, k), 32);
    }
    e.parts.push_back({"solver", work});
    e.parts.push_back({"model document", sat_mul(shape.document_base_bytes, 8)});
  }
  // Evaluation: probabilities of the train and test rows, the predictions artifact.
  e.parts.push_back({"evaluation", sat_mul(sat_mul(r, k), 64)});
  for (const auto& part : e.parts) e.bytes = sat_add(e.bytes, part.second);
  return e;
}

Status check_memory_budget(const MemoryEstimate& e, const FitShape& shape, int64_t budget_mb) {
  const int64_t budget = sat_mul(budget_mb, 1024 * 1024);
  if (e.bytes <= budget) return Status::ok();
  std::string trees;
  if (e.trees > 0) {
    trees = format_count(e.trees) + (e.trees == 1 ? " tree" : " trees") +
            (e.nodes_per_tree < e.node_bound
                 ? " of about " + format_count(e.nodes_per_tree) + " nodes each, at most " + format_count(e.node_bound)
                 : " of up to " + format_count(e.node_bound) + " nodes each") +
            "; ";
  }
  // The two largest parts.
  auto parts = e.parts;
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string largest;
  for (size_t i = 0; i < parts.size() && i < 2; ++i) {
    largest += (i ? ", " : "") + parts[i].first + " " + format_bytes(parts[i].second);
  }
  const int64_t needed_mb = std::min<int64_t>(kMaxMemoryBudgetMb, e.bytes / (1024 * 1024) + 1);
  return Status::invalid(e.model + " on " + format_count(shape.rows) + " rows x " + format_count(shape.cols) +
                         (shape.sparse ? " sparse" : "") + " features needs about " + format_bytes(e.bytes) + " (" +
                         trees + largest + "); the memory budget is " + format_bytes(budget) + ": " + e.advice +
                         ", or raise the budget (\"resources\": {\"memory_budget_mb\": " + std::to_string(needed_mb) +
                         "} in the spec, or mllab run --memory-budget " + std::to_string(needed_mb) + ")");
}

int64_t table_bytes(const data::Table& table) {
  int64_t total = 0;
  for (const auto& c : table.columns()) {
    total += int64_t(c.numbers.size()) * 8 + int64_t(c.missing.size());
    for (const auto& s : c.strings) total += int64_t(sizeof(std::string)) + (s.size() > 15 ? int64_t(s.size()) + 1 : 0);
  }
  return total;
}

int64_t distinct_rows(const data::Table& table, const std::vector<std::string>& columns) {
  std::vector<const data::Column*> cols;
  for (const auto& name : columns) {
    if (const data::Column* c = table.column(name)) cols.push_back(c);
  }
  std::unordered_set<std::string> seen;
  std::string key;
  for (size_t i = 0; i < table.num_rows(); ++i) {
    key.clear();
    for (const data::Column* c : cols) {
      if (c->type == data::ColumnType::kNumeric) {
        char bytes[sizeof(double)];
        std::memcpy(bytes, &c->numbers[i], sizeof bytes);
        key.append(bytes, sizeof bytes);
      } else {
        key += c->missing[i] ? '\1' : '\0';
        key += std::to_string(c->strings[i].size()) + ':';
        key += c->strings[i];
      }
    }
    seen.insert(key);
  }
  return int64_t(seen.size());
}

ModelSize model_size(const json& doc, int64_t text_bytes) {
  ModelSize out;
  out.document_bytes = text_bytes;
  if (doc.is_object() && doc.contains("steps") && doc.at("steps").is_array() && !doc.at("steps").empty()) {
    count_trees(doc.at("steps").back().value("state", json()), &out);
  }
  return out;
}

namespace {

// Fits the cheap version of `spec` (final step params `params`) on the training rows: the
// features' shape, the document's size without the trees, a forest's one tree's nodes.
FitShape probe(const PipelineSpec& spec, const json& params, const data::Table& x,
               const std::vector<std::string>& passthrough, const std::vector<int>* y, int n_classes,
               const ml::Vector* yr, FitShape shape) {
  PipelineSpec p = spec;
  const std::string type = p.steps.back().type;
  p.steps.back().params = probe_params(type, params);
  auto model = FittedPipeline::from_spec(p);
  if (!model) throw Error(model.status());
  model->features = passthrough;
  if (yr) model->fit(x, *yr);
  else model->fit(x, *y, n_classes);
  const Features f = model->transform(x);
  shape.rows = f.rows();
  shape.cols = f.cols();
  shape.sparse = f.sparse;
  shape.nnz = f.sparse ? int64_t(f.sp.nonZeros()) : 0;
  const json doc = model->to_json();
  const ModelSize size = model_size(doc, int64_t(doc.dump().size()));
  shape.document_base_bytes = size.document_bytes;
  shape.measured_nodes_per_tree = is_forest(type) && size.trees == 1 ? size.nodes : -1;
  return shape;
}

}  // namespace

RunMemoryPlan plan_run_memory(const PipelineSpec& spec, const std::vector<json>& candidates,
                              const data::Table& x_train, const std::vector<std::string>& passthrough,
                              const std::vector<int>* y, int n_classes, const ml::Vector* yr,
                              int64_t held_bytes) {
  const StepSpec& last = spec.steps.back();
  const std::string prefix = last.name + "__";
  FitShape base;
  base.n_classes = yr ? 0 : n_classes;
  base.held_bytes = held_bytes;
  std::vector<std::string> columns;
  for (const auto& c : x_train.columns()) columns.push_back(c.name);
  base.distinct_rows = distinct_rows(x_train, columns);

  // Each candidate's spec, grouped by the parameters of the steps before the estimator (which
  // decide the features' shape): one probe per group.
  std::vector<json> all = candidates.empty() ? std::vector<json>{json()} : candidates;
  struct Group {
    std::vector<size_t> members;
    std::vector<json> params;  // resolved final-step params per member
    PipelineSpec spec;         // the first member's spec
  };
  std::map<std::string, Group> groups;
  for (size_t i = 0; i < all.size(); ++i) {
    PipelineSpec s = spec;
    json preprocessing = json::object();
    if (all[i].is_object()) {
      for (auto it = all[i].begin(); it != all[i].end(); ++it) {
        Status st = set_step_param(s, it.key(), it.value());
        if (!st.is_ok()) throw Error(st);
        if (!starts_with(it.key(), prefix.c_str())) preprocessing[it.key()] = it.value();
      }
    }
    auto resolved = ml::validate_step_params(last.type, s.steps.back().params);
    if (!resolved) throw Error(resolved.status());
    Group& g = groups[preprocessing.dump()];
    if (g.members.empty()) g.spec = s;
    g.members.push_back(i);
    g.params.push_back(std::move(resolved).value());
  }
  RunMemoryPlan plan;
  plan.estimate.bytes = -1;
  constexpr size_t kMaxProbes = 16;
  size_t probes = 0;
  FitShape widest;  // beyond kMaxProbes groups: the widest probed shape, 1.5 times as wide
  for (auto& [key, g] : groups) {
    FitShape shape;
    if (probes < kMaxProbes) {
      const json probe_with = is_forest(last.type) ? largest_trees(g.params) : g.params.front();
      shape = probe(g.spec, probe_with, x_train, passthrough, y, n_classes, yr, base);
      ++probes;
      const auto width = [](const FitShape& s) { return s.sparse ? s.nnz : s.cols; };
      if (probes == 1 || width(shape) > width(widest)) widest = shape;
    } else {
      shape = widest;
      shape.cols += shape.cols / 2;
      shape.nnz += shape.nnz / 2;
      shape.document_base_bytes += shape.document_base_bytes / 2;
    }
    for (size_t m = 0; m < g.members.size(); ++m) {
      MemoryEstimate e = estimate_fit_memory(last.type, g.params[m], shape);
      if (e.bytes > plan.estimate.bytes) {
        plan.estimate = std::move(e);
        plan.shape = shape;
        plan.candidate = candidates.empty() ? json() : all[g.members[m]];
      }
    }
  }
  return plan;
}

}  // namespace mllab::pipeline

// The memory budget of a training run: what a fit holds at once, estimated before it runs
// (data, feature matrix, bins, trees, the saved model document), checked against a budget with
// a message naming the estimate, the budget and the parameters to change; the limits on counts
// that multiply work (search candidates, folds); and the size of a saved model.
//
// Why a default of 1 GiB: the web build grows its wasm heap up to Emscripten's default maximum
// of 2 GiB (wasm32 could address 4 GiB, browsers often grant less), and the page itself (the
// store mirrored in memory, the UI, the heap's fragmentation) needs the rest. Native runs can
// raise it: "resources": {"memory_budget_mb": N} in the spec, or `mllab run --memory-budget N`.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/ml/model.hpp"
#include "core/pipeline/spec.hpp"
#include "core/util/status.hpp"

namespace mllab::pipeline {

using json = nlohmann::json;

// The default budget and the largest one a spec or the CLI may set.
inline constexpr int64_t kDefaultMemoryBudgetMb = 1024;
inline constexpr int64_t kMaxMemoryBudgetMb = 1048576;  // 1 TiB
// Limits on counts that multiply work: search candidates (search.n_iter and grid sizes) and
// cross-validation folds (evaluate.cv, search.cv; at run time also at most the training rows).
inline constexpr int64_t kMaxSearchCandidates = 10000;
inline constexpr int64_t kMaxFolds = 1000;

// What the final estimator is fitted on, and what the run already holds.
struct FitShape {
  int64_t rows = 0;           // training rows
  int64_t cols = 0;           // features after the column steps and transformers
  bool sparse = false;        // sparse features (vectorizers, one-hot encoders)
  int64_t nnz = 0;            // stored entries when sparse
  int n_classes = 0;          // classes (classification), 0 for regression
  int64_t distinct_rows = 0;  // distinct input rows (a tree has at most this many leaves); 0: unknown
  int64_t held_bytes = 0;     // already held by the run: the CSV bytes and its tables
  int64_t document_base_bytes = 0;  // the model document's text without the estimator's trees
  int64_t measured_nodes_per_tree = -1;  // nodes of one probe tree of this fit; -1: not measured
};

// An estimate of a fit's peak memory, by part.
struct MemoryEstimate {
  int64_t bytes = 0;
  std::vector<std::pair<std::string, int64_t>> parts;  // "data", "features", "trees", ...
  int64_t trees = 0;           // trees of the model (0 for models without trees)
  int64_t nodes_per_tree = 0;  // estimated nodes per tree (at most the bound)
  int64_t node_bound = 0;      // the bound on a tree's nodes from the rows and parameters
  std::string model;   // "RandomForestClassifier(n_estimators=100)"
  std::string advice;  // "set max_depth or min_samples_leaf, or fewer n_estimators"
};

// Upper bound on the nodes of one tree of estimator `type` (resolved `params`) grown on
// `shape`: a fully grown tree has at most one leaf per distinct sample (about 0.632 of the rows
// in a bootstrap sample), per min_samples_leaf samples and per 2^max_depth; nodes = 2 leaves - 1.
// 0 for estimators without trees.
int64_t tree_node_bound(const std::string& type, const json& params, const FitShape& shape);

// An upper-ish estimate of the peak memory of fitting estimator `type` with resolved `params`
// on `shape`, evaluating it and saving its model document (which is often the peak: the trees,
// the document's parsed form and its text at once). Calibrated against measured peaks (see
// the table in memory_budget.cpp).
MemoryEstimate estimate_fit_memory(const std::string& type, const json& params, const FitShape& shape);

// Ok when `e` fits in `budget_mb`; else an error naming the model, the data, the estimate, the
// budget and what to change, e.g. "RandomForestClassifier(n_estimators=100) on 200,000 rows x
// 20 features needs about 2.3 GB (trees up to 253,000 nodes each); the memory budget is
// 1.0 GB: set max_depth or min_samples_leaf, or fewer n_estimators, or raise the budget ...".
Status check_memory_budget(const MemoryEstimate& e, const FitShape& shape, int64_t budget_mb);

// The estimate of a whole run before it fits: for each search candidate (or the spec itself),
// the final fit on the training split, whose maximum is what the run holds at once (folds and
// candidates fit one after another; cross-validation fits on fewer rows). The feature shape and
// a tree's size are measured on a cheap version of the pipeline fitted on the training rows:
// one tree of a forest, one boosting iteration, one solver iteration, a depth-1 tree.
struct RunMemoryPlan {
  MemoryEstimate estimate;  // the largest
  FitShape shape;           // its shape
  json candidate;           // its search candidate (null without a search)
};
// `y` (classification, with `n_classes`) or `yr` (regression) are the training targets.
RunMemoryPlan plan_run_memory(const PipelineSpec& spec, const std::vector<json>& candidates,
                              const data::Table& x_train, const std::vector<std::string>& passthrough,
                              const std::vector<int>* y, int n_classes, const ml::Vector* yr,
                              int64_t held_bytes);

// Bytes a table holds (numbers, strings, missing flags).
int64_t table_bytes(const data::Table& table);
// Number of distinct rows of `columns` in `table` (by value).
int64_t distinct_rows(const data::Table& table, const std::vector<std::string>& columns);

// The size of a saved model: its document's text and the tree nodes in it.
struct ModelSize {
  int64_t document_bytes = 0;
  int64_t trees = 0;
  int64_t nodes = 0;
};
ModelSize model_size(const json& doc, int64_t text_bytes);

// "2.3 GB", "512.0 MB", "80.0 KB", "12 bytes" (powers of 1024).
std::string format_bytes(int64_t bytes);
// "200,000".
std::string format_count(int64_t n);

}  // namespace mllab::pipeline

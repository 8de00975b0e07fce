// The Runs table's logic, without drawing: which columns exist and which are shown by default
// (the fixed ones, every metric, the params that vary among the shown runs), each cell as text
// and as a sort key, the filter (MLflow's grammar, plus experiment and lifecycle stage), and the
// order of the rows: sorted, optionally grouped by experiment, nested runs (tag
// mlflow.parentRunId: CV folds, search candidates) under their parent.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/tracking/entities.hpp"
#include "core/util/status.hpp"

namespace mllab::tracking {

// One column of the table.
struct RunColumn {
  enum class Kind { kAttribute, kMetric, kParam, kTag };
  Kind kind = Kind::kAttribute;
  // Attributes: "run_name", "status", "start_time", "duration", "experiment"; else the key.
  std::string key;
  bool operator==(const RunColumn& o) const { return kind == o.kind && key == o.key; }
  bool operator<(const RunColumn& o) const { return kind != o.kind ? kind < o.kind : key < o.key; }
};

// The header text: "Run name", "Status", "Start time", "Duration", "Experiment", or the key.
std::string column_label(const RunColumn& c);
// The column in filter syntax: "attributes.run_name", "metrics.accuracy", "params.x", "tags.y".
std::string column_ident(const RunColumn& c);
// True for columns whose natural first sort is descending (metrics, start time, duration).
bool prefers_descending(const RunColumn& c);

// The columns always shown first: run name, status, start time, duration.
std::vector<RunColumn> fixed_columns();

// Every metric, param and tag key of `runs`, each sorted (what the column chooser lists).
struct ColumnKeys {
  std::vector<std::string> metrics, params, tags;
};
ColumnKeys column_keys(const std::vector<const Run*>& runs);

// The params whose value differs among `runs` (a run without the param counts as a value of its
// own), sorted. With fewer than two runs, none vary.
std::vector<std::string> varying_params(const std::vector<const Run*>& runs);

// The default columns: fixed_columns(), every metric (accuracy, then f1_score, first), then the
// params that vary among `runs`.
std::vector<RunColumn> default_columns(const std::vector<const Run*>& runs);

// A cell as shown: metrics to 4 decimals (or 4 significant digits when very large or small),
// start time as "YYYY-MM-DD HH:MM:SS" (UTC), duration as "1.23 s"; "" when the run has no value.
// `experiment_names` maps experiment ids to names for the Experiment column.
std::string cell_text(const Run& run, const RunColumn& c,
                      const std::map<std::string, std::string>& experiment_names = {});

// A cell as a sort key. Runs without a value sort after every run with one, whichever the
// direction; numbers compare as numbers, text as text.
struct SortKey {
  bool missing = true;
  double number = 0;
  std::string text;
};
SortKey sort_key(const Run& run, const RunColumn& c, const std::map<std::string, std::string>& experiment_names = {});
// a before b in the given direction (missing values last in both directions).
bool sort_before(const SortKey& a, const SortKey& b, bool ascending);

// Which runs the table shows.
struct RunFilter {
  std::string filter;         // MLflow filter text ("" = every run)
  std::string experiment_id;  // "" = every experiment
  bool show_deleted = false;  // also runs whose lifecycle_stage is "deleted"
};
// The runs passing `f`, in input order. A bad filter's error names the position and token.
Result<std::vector<const Run*>> filter_runs(const std::vector<Run>& runs, const RunFilter& f);

// `runs` sorted by `by` (ties: start time descending, then run id), as a new list.
std::vector<const Run*> sort_runs(std::vector<const Run*> runs, const RunColumn& by, bool ascending,
                                  const std::map<std::string, std::string>& experiment_names = {});

// One row of the table.
struct TableRow {
  enum class Kind { kGroup, kRun };
  Kind kind = Kind::kRun;
  const Run* run = nullptr;    // kRun
  std::string experiment_id;   // the group's experiment (kGroup) or the run's
  std::string label;           // kGroup: the experiment's name
  int depth = 0;               // 0 top level (or in a group), 1 nested under a parent
  int children = 0;            // kRun: nested runs under it; kGroup: runs in the group
  bool expanded = false;       // whether its children follow
};

struct RowOptions {
  bool group_by_experiment = false;
  std::set<std::string> expanded_runs;          // parents whose nested runs are shown
  std::set<std::string> collapsed_experiments;  // groups folded shut
};

// The rows for `sorted` runs (already filtered and sorted): top-level runs in the given order;
// a run whose parent is among `sorted` follows its parent (when that parent is expanded), its
// siblings in start order; a run whose parent is not shown is top level. Grouped: one group row
// per experiment (in order of experiment name; its runs as above beneath it).
std::vector<TableRow> table_rows(const std::vector<const Run*>& sorted, const RowOptions& o,
                                 const std::map<std::string, std::string>& experiment_names = {});

}  // namespace mllab::tracking

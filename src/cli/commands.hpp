// The mllab command-line tool's commands, each a function over a Lab.
#pragma once

#include <exception>
#include <map>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/util/status.hpp"
#include "platform/lab.hpp"

namespace mllab::cli {

// Options shared by every command.
struct Common {
  std::string store = "./mllab-store";
  bool json = false;
};

// Prints "mllab: error: <message>" on stderr and returns exit code 1. The message is kept to one
// line: control characters are escaped (a user's value in it cannot drive the terminal).
int fail(const Status& st);
// fail() for an exception that escaped a command (std::bad_alloc, std::length_error, a nlohmann
// or CLI11 exception...): one line naming what went wrong, exit code 1.
int fail_on_exception(std::exception_ptr e);
// A stored or user value for a text table or a show printer: control characters escaped (\n,
// \x1b...) so a run name cannot fake table rows or colour the terminal. Every text printer of
// the CLI passes values through it; JSON output is escaped by JSON.
std::string text_cell(std::string_view value);
// text_cell() for a multi-line text (a classification report): its line breaks kept.
std::string text_block(std::string_view text);
// What a command does to the store: kRead opens it read-only (creates, replays and deletes
// nothing; a missing store reads as empty; a commit fails), kWrite creates it if needed and
// finishes (or undoes) commits that a stopped process left.
enum class Access { kRead, kWrite };
// Opens the Lab over the folder store `c.store` (assets from the working folder or the source
// tree). What opening found and did (a recovered commit) is printed as "mllab: note: ..." lines.
Result<std::unique_ptr<platform::Lab>> open_lab(const Common& c, Access access);
// "2026-11-26 08:00:00" (UTC) from epoch milliseconds.
std::string iso_time(int64_t ms);
// Prints `j` indented, for --json (bytes that are not UTF-8 are replaced, never thrown on).
void print_json(const nlohmann::json& j);
// Reads a CSV file into a table; errors name the file, line and column.
Result<data::Table> read_table_file(const std::string& path);

// `mllab run SPEC [--memory-budget MB]`: trains a pipeline spec into a tracked run (a budget
// > 0 overrides the spec's). Returns the exit code.
int cmd_run(const Common& c, const std::string& spec_path, int64_t memory_budget_mb = 0);
// `mllab runs list [--experiment NAME]`.
int cmd_runs_list(const Common& c, const std::string& experiment);
// `mllab runs search FILTER [--order-by TERM]... [--experiment NAME]`.
int cmd_runs_search(const Common& c, const std::string& filter, const std::vector<std::string>& order_by,
                    const std::string& experiment);
// `mllab runs show RUN_ID`.
int cmd_runs_show(const Common& c, const std::string& run_id);
// `mllab experiments list`.
int cmd_experiments_list(const Common& c);
// `mllab runs delete|restore RUN_ID`, `runs rename RUN_ID NAME`, `runs tag RUN_ID KEY VALUE`,
// `runs note RUN_ID TEXT` (the tag mlflow.note.content).
int cmd_runs_lifecycle(const Common& c, const std::string& verb, const std::string& run_id,
                       const std::string& arg1 = "", const std::string& arg2 = "");
// `mllab experiments delete|restore ID_OR_NAME`, `experiments rename ID_OR_NAME NEW_NAME`.
int cmd_experiments_lifecycle(const Common& c, const std::string& verb, const std::string& experiment,
                              const std::string& new_name = "");

// `mllab datasets list` (built-in and stored).
int cmd_datasets_list(const Common& c);
// `mllab datasets add FILE --name NAME`.
int cmd_datasets_add(const Common& c, const std::string& file, const std::string& name);
// `mllab datasets show NAME[:VERSION]`: versions, profile, lineage and the runs that used it.
int cmd_datasets_show(const Common& c, const std::string& ref);
// `mllab datasets derive NAME --from PARENT[:VERSION] --steps STEPS` (a JSON array or a file).
int cmd_datasets_derive(const Common& c, const std::string& name, const std::string& parent, const std::string& steps);

// Options of `mllab features register`.
struct FeatureRegisterArgs {
  std::string name, file, timestamp = "event_timestamp", created, ttl, description;
  std::vector<std::string> entities;
};
int cmd_features_register(const Common& c, const FeatureRegisterArgs& a);
int cmd_features_list(const Common& c);
// `mllab features get NAME[@VERSION]`: the registered table as CSV (or JSON records).
int cmd_features_get(const Common& c, const std::string& name);
// `mllab features join ENTITIES.csv GROUP:FEATURE... [--timestamp-column C] [--full-names]
// [--no-future-rows]`: point-in-time correct training data as CSV (or JSON records).
int cmd_features_join(const Common& c, const std::string& entities, const std::vector<std::string>& refs,
                      const std::string& timestamp_column, bool full_names, bool no_future_rows);
// `mllab features online GROUP:FEATURE... --entities KEYS.csv`: the latest values per key.
int cmd_features_online(const Common& c, const std::vector<std::string>& refs, const std::string& entities);

// `mllab models register MODEL_URI NAME`.
int cmd_models_register(const Common& c, const std::string& uri, const std::string& name);
int cmd_models_list(const Common& c);
int cmd_models_show(const Common& c, const std::string& name);
// `mllab models transition NAME VERSION STAGE [--archive-existing]`.
int cmd_models_transition(const Common& c, const std::string& name, int version, const std::string& stage,
                          bool archive_existing);
// `mllab models alias NAME ALIAS VERSION` (VERSION "none" deletes the alias).
int cmd_models_alias(const Common& c, const std::string& name, const std::string& alias, const std::string& version);
// `mllab models predict MODEL_URI DATA.csv [--log] [--proba]`.
int cmd_models_predict(const Common& c, const std::string& uri, const std::string& data, bool log, bool proba);

// Options of `mllab monitor drift`.
struct DriftArgs {
  std::vector<std::string> files;                  // [REF.csv] CUR.csv
  std::string model;                               // reference = this model's training data
  std::vector<std::string> tests;                  // "column=test" overrides
  std::vector<std::string> thresholds;             // "column=value" overrides
  std::string stattest;                            // one test for every column
  std::string threshold;                           // one threshold for every column (empty: defaults)
  std::string drift_share;                         // empty: 0.5
  std::vector<std::string> columns;
  std::vector<std::string> categorical;            // columns compared as categories
  std::vector<std::string> numerical;              // columns compared as numbers
  bool save = false;                               // store the report (always with --model)
};
int cmd_monitor_drift(const Common& c, const DriftArgs& a);
// `mllab monitor reports [--model NAME] [--version N]`.
int cmd_monitor_reports(const Common& c, const std::string& model, int version);
// `mllab monitor log NAME_OR_RUN [--version N] [--limit N]`: the prediction log with actuals.
int cmd_monitor_log(const Common& c, const std::string& log, int version, int limit);
// `mllab monitor actual PREDICTION_ID VALUE`: records the true outcome of a logged prediction.
int cmd_monitor_actual(const Common& c, const std::string& prediction_id, const std::string& value);

}  // namespace mllab::cli

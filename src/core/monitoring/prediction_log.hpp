// The prediction log: what a model was asked and what it answered, with the true outcome when
// it arrives later. Current data for drift reports is what the model saw (to_table).
//
// Record layout (append-only, like metrics/<run>/<seq>; never one write per prediction):
//   predictions/<log>/<seq>         mllab.predictions {entries: [...]}: one record per log()
//                                   call and log (a call with entries of two models writes
//                                   two records in one batch)
//   prediction_actuals/<log>/<seq>  mllab.prediction_actuals {actuals: [{prediction_id, actual,
//                                   timestamp_ms}]}: one record per record_actual(s) call and log
// <log> is the entry's model name, or its run id for a model loaded by runs:/ URI. <seq> is a
// zero-padded counter. A later actual for the same prediction replaces an earlier one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/registry/registry.hpp"
#include "core/store/store.hpp"
#include "core/util/status.hpp"

namespace mllab::monitoring {

using json = nlohmann::json;

// One prediction.
struct PredictionEntry {
  std::string prediction_id;
  std::string model_uri;                 // as loaded ("models:/iris@champion")
  std::string model_name;                // "" for runs:/ URIs
  std::optional<int> model_version;
  std::string run_id;
  int64_t timestamp_ms = 0;
  std::string input_digest;              // SHA-256 of row_json(input).dump()
  std::optional<json> input;             // the row as a JSON object {column: value | null}
  json prediction;                       // a class label (string) or a value (number)
  std::optional<double> probability;     // classification: the predicted class's probability
  std::optional<json> actual;            // the true label or value, once recorded
  std::optional<int64_t> actual_timestamp_ms;
  // |prediction - actual| for a regressor; 0 / 1 (misclassified) for a classifier. Computed by
  // list() when the actual is known.
  std::optional<double> error;
};

// A true outcome for a logged prediction.
struct ActualEntry {
  std::string prediction_id;
  json actual;  // a label (string or number) or a value (number)
  int64_t timestamp_ms = 0;
};

// Row `row` of a table as a JSON object: numbers as numbers, strings as strings, missing as null.
json row_json(const data::Table& table, size_t row);
// The input digest of a row object: SHA-256 hex of its compact JSON text (keys sorted).
std::string input_digest(const json& row);

// Entries for the rows of a prediction: ids are new random ids, inputs (the conformed rows the
// model saw) kept when `keep_inputs`, digests always.
std::vector<PredictionEntry> make_entries(const registry::LoadedModel& model, const registry::Predictions& predictions,
                                          int64_t timestamp_ms, bool keep_inputs = true);

// Appends predictions and actuals to a Store, and reads them back joined.
class PredictionLog {
 public:
  explicit PredictionLog(store::Store& store) : store_(store) {}

  // Appends entries: one store batch per call, one record per log in it. Each entry needs a
  // prediction id (unique: repeats within a call are refused; ids from make_entries are random),
  // a model name or run id, and a prediction; a missing digest is computed from the input;
  // `error` is not stored (list computes it). An error writes nothing.
  Status log(const std::vector<PredictionEntry>& entries);
  // The logged prediction with this id, or the one whose id starts with it (as run ids take a
  // unique prefix); an error when a prefix matches several or none. Unreadable records are
  // skipped.
  Result<PredictionEntry> find(const std::string& id_or_prefix) const;
  // Records the true outcome of a logged prediction (error: unknown prediction id).
  Status record_actual(const std::string& prediction_id, const json& actual, int64_t timestamp_ms);
  // Records several outcomes in one batch (error naming the first unknown id; nothing written).
  Status record_actuals(const std::vector<ActualEntry>& actuals);

  // The entries of a log (a model name or a run id), optionally of one model version, in logging
  // order, with actuals joined and errors computed. `limit` > 0 keeps the newest `limit`.
  Result<std::vector<PredictionEntry>> list(const std::string& log, std::optional<int> version = std::nullopt,
                                            size_t limit = 0) const;
  // The logged inputs of list(log, version, limit) as a table, one row per entry in logging
  // order (entries logged without inputs are skipped). Columns are sorted by name; a column is
  // numeric when every value is a number or null, else categorical or text (inferred as for CSV
  // columns). With `with_outputs`, adds "prediction" and "actual" columns (actual missing where
  // unknown).
  Result<data::Table> to_table(const std::string& log, std::optional<int> version = std::nullopt, size_t limit = 0,
                               bool with_outputs = false) const;

 private:
  // The next free record number under `prefix` ("predictions/<log>/"): counted once, then kept
  // (a long-running scoring server must not list its whole log per request). If the cached
  // number is taken (another process appended), counts again.
  size_t next_seq(const std::string& prefix);
  // Notes that a batch writing record `seq` under `prefix` committed.
  void wrote_seq(const std::string& prefix, size_t seq) { next_seq_[prefix] = seq + 1; }

  store::Store& store_;
  std::unordered_map<std::string, size_t> next_seq_;
};

// The error of one logged batch (the entries sharing a timestamp_ms: one log() call), over the
// entries with a known actual: accuracy (1 - mean 0/1 error) for a classifier, mean absolute
// error for a regressor.
struct BatchError {
  int64_t timestamp_ms = 0;
  size_t predictions = 0;  // entries in the batch
  size_t with_actual = 0;  // of which have an actual (the value below is over these)
  double value = 0;        // accuracy or mean absolute error; meaningless when with_actual == 0
};
// Batches in time order with their error; `regression` picks the mean absolute error.
std::vector<BatchError> error_by_batch(const std::vector<PredictionEntry>& entries, bool regression);

// One entry as JSON (the record form; also for the CLI and JS).
json prediction_entry_to_json(const PredictionEntry& e);
// Parses an entry written by prediction_entry_to_json; errors name the field.
Result<PredictionEntry> prediction_entry_from_json(const json& j);

}  // namespace mllab::monitoring

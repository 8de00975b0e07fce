// The model document: MLflow's MLmodel file as JSON (the run artifact `model/MLmodel`), with
// MLflow's field names, plus the input example and schema enforcement on new data.
//
//   {"schema": "mllab.model", "schema_version": 1,
//    "artifact_path": "model",
//    "flavors": {"mllab": {"pipeline": "pipeline.json", "estimator": "LogisticRegression",
//                          "mllab_version": "0.1.0", "task": "classification"},
//                "python_function": {"loader_module": "mllab", "data": "pipeline.json"}},
//    "run_id": "...", "utc_time_created": "2023-11-14 22:13:20.000000",
//    "time_created_ms": 1700000000000, "model_uuid": "...", "mllab_version": "0.1.0",
//    "signature": {"inputs": [{"type": "double", "name": "sepal length (cm)", "required": true}],
//                  "outputs": [{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]},
//    "saved_input_example_info": {"artifact_path": "input_example.json", "type": "dataframe",
//                                 "pandas_orient": "split"},
//    "classes": ["0", "1", "2"], "target": "target"}
//
// Choices:
// - The signature's inputs and outputs are JSON arrays. MLflow's MLmodel keeps them as JSON
//   text ('[{"type": ...}]'); model_doc_from_json reads both forms, and
//   model_doc_to_mlflow_json writes MLflow's (without our schema fields) for export.
// - Column types: every numeric column is "double" (a Table holds numbers as float64, and a
//   column that happened to hold whole numbers in training must still take 2.5 later: MLflow's
//   "long" would refuse it); categorical and text columns are "string". conform_input also
//   checks MLflow's other types (long, integer, float, boolean) when a document uses them.
// - Outputs: class labels are "int64" when every class is an integer, "float64" when every
//   class is a number, else "str"; a regressor's values are "float64".
// - The input example (first rows of the training features, pandas "split" orient) is not part
//   of the document: it is the separate artifact `model/input_example.json`
//   (input_example_to_json).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/pipeline/fitted_pipeline.hpp"
#include "core/util/status.hpp"

namespace mllab::registry {

using json = nlohmann::json;

// One input column of a signature (MLflow ColSpec).
struct ColumnSpec {
  std::string name;
  std::string type;  // "double" | "long" | "integer" | "float" | "boolean" | "string" | ...
  bool required = true;
  bool operator==(const ColumnSpec& o) const = default;
};

// One output tensor of a signature (MLflow TensorSpec).
struct TensorSpec {
  std::string dtype;  // "int64" | "float64" | "str"
  std::vector<int64_t> shape = {-1};
  bool operator==(const TensorSpec& o) const = default;
};

// A model signature: the columns the model takes and what it returns.
struct Signature {
  std::vector<ColumnSpec> inputs;
  std::vector<TensorSpec> outputs;
  bool operator==(const Signature& o) const = default;
};

// The MLmodel document of a model saved by a run.
struct ModelDoc {
  std::string artifact_path = "model";
  json flavors = json::object();           // {"mllab": {...}, "python_function": {...}}
  std::string run_id;
  int64_t time_created_ms = 0;
  std::string utc_time_created;            // MLflow's text: "YYYY-MM-DD HH:MM:SS.ffffff" (UTC)
  std::string model_uuid;                  // 32 hex digits
  std::string mllab_version;
  std::optional<Signature> signature;      // none: new data is not checked
  json saved_input_example_info = nullptr; // {artifact_path, type, pandas_orient} or null
  std::vector<std::string> classes;        // class labels; empty for a regressor
  std::string target;                      // the target column the model was trained on
  // The input example ({"columns": [...], "data": [[...], ...]}) or null. Not part of the
  // MLmodel document: saved as its own artifact.
  json input_example = nullptr;

  // The final estimator's type ("LogisticRegression"), from the mllab flavor ("" if absent).
  std::string estimator() const;
  // The pipeline file inside the model folder ("pipeline.json" unless the flavor says otherwise).
  std::string pipeline_file() const;
  // True for a regressor (no classes).
  bool is_regression() const { return classes.empty(); }
};

// Builds the document of a fitted pipeline. `training_features` holds the training rows'
// input columns: the signature lists the pipeline's input columns in the table's order (a
// column the table lacks is typed from the pipeline's steps), and the input example is its
// first 5 rows. The model_uuid is derived from run id and time, so the same inputs give the
// same document.
ModelDoc build_model_doc(const pipeline::FittedPipeline& pipeline, const data::Table& training_features,
                         const std::string& run_id, int64_t time_ms, const std::string& mllab_version);
// The document of a run that saved no MLmodel: the signature's columns and types come from the
// pipeline's steps (text/one-hot columns are "string", the others "double"); no input example.
ModelDoc model_doc_from_pipeline(const pipeline::FittedPipeline& pipeline, const std::string& run_id,
                                 int64_t time_ms, const std::string& mllab_version);

// The first `max_rows` rows of `table` in pandas "split" orient: {"columns": [...],
// "data": [[...], ...]}; numbers as numbers, strings as strings, missing values as null.
// The output dtype of a classifier's labels as the signature records it: "int64" when every
// label is an integer, "float64" when every label is a number, else "str".
std::string class_label_dtype(const std::vector<std::string>& classes);
// A classifier's label dtype: the signature's output dtype when it records one, else
// class_label_dtype of its classes.
std::string target_label_dtype(const ModelDoc& doc);
json table_to_split_json(const data::Table& table, size_t max_rows);
// Reads a "split" orient document back into a table (data::table_from_split: all-number (or
// null) columns numeric, others string columns, JSON booleans as the text "true" / "false", see
// table_json.hpp). With a `signature`, a boolean in a column it types as anything but boolean
// is refused:
// "input: column 'size' expects double, got boolean (true in row 2)". Strings in a numeric
// column and numbers in a string column are left to conform_input (which reads numeric text as
// its number, as MLflow's schema cast, and a number as its text). Errors name the column or row.
Result<data::Table> table_from_split_json(const json& doc, const Signature* signature = nullptr);
// Records [{column: value}, ...] (a key missing from a record is a missing value, as pandas)
// read as table_from_split_json reads the same rows: the same boolean rule and signature check.
Result<data::Table> table_from_records_json(const json& records, const Signature* signature = nullptr);

// The versioned document ("mllab.model").
json model_doc_to_json(const ModelDoc& doc);
// Parses a document written by model_doc_to_json, or an MLmodel converted to JSON (signature
// inputs/outputs as arrays or as MLflow's JSON text). Errors name the field.
Result<ModelDoc> model_doc_from_json(const json& doc);
// MLflow's MLmodel shape: signature inputs/outputs as JSON text, no schema fields.
json model_doc_to_mlflow_json(const ModelDoc& doc);
// The input example artifact (`model/input_example.json`): doc.input_example, or null.
json input_example_to_json(const ModelDoc& doc);

// The MLflow UTC time text of a time in ms since the epoch: "2023-11-14 22:13:20.000000".
std::string utc_time_text(int64_t time_ms);

// MLflow-style schema enforcement. Returns `input` with the signature's columns in signature
// order (extra columns dropped), converting when it is safe: numbers to "double"; whole numbers
// to "long" / "integer"; numeric text in a "double" / "long" column when every value of the
// column parses as a number; numbers to "string" (a small batch of codes may look numeric);
// 0/1 and true/false to "boolean" (as 0/1). Missing values pass (the pipeline decides). Any
// other mismatch is ONE error listing every missing column and every mistyped column with its
// first offending value and row (rows numbered from 1):
//   "input does not match the model signature: missing columns ['petal width (cm)']; column
//    'sepal length (cm)' expects double, got string ('abc' in row 3)"
// A document without a signature returns the input unchanged.
Result<data::Table> conform_input(const ModelDoc& doc, const data::Table& input);

}  // namespace mllab::registry

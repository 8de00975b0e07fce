// A pipeline of fitted steps over named table columns: what a run saves as its model artifact
// and what predicts on new data.
//
// Steps, in order: column steps (each reads named table columns: vectorizers, one-hot
// encoders, imputers/scalers on numeric columns; their outputs are stacked side by side like
// scikit-learn's ColumnTransformer), transformers of the whole feature matrix, and the final
// estimator (a classifier or a regressor). Without column steps the input is the numeric
// feature columns.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/table.hpp"
#include "core/ml/model.hpp"
#include "core/ml/preprocessing.hpp"
#include "core/ml/text.hpp"
#include "core/pipeline/spec.hpp"

namespace mllab::pipeline {

// Class labels of a target column: the sorted distinct values (numbers numerically, strings
// lexicographically, like numpy.unique), rendered as text.
struct LabelEncoding {
  std::vector<std::string> classes;
  // Row labels as class indices; -1 where the target is missing.
  std::vector<int> y;
};

// A parameter value as MLflow logs a Python value: strings as-is, None, True / False, numbers.
std::string param_text(const json& value);

// Encodes a table's target column. Errors name the column.
Result<LabelEncoding> encode_labels(const data::Table& table, const std::string& target);

// The numeric feature matrix of `columns` in `table`. Errors name a missing or non-numeric
// column, and a missing value (row and column) when `allow_missing` is false.
Result<ml::Matrix> feature_matrix(const data::Table& table, const std::vector<std::string>& columns,
                                  bool allow_missing = false);

// Features flowing between steps: dense, or sparse (after vectorizers and encoders).
struct Features {
  bool sparse = false;
  ml::Matrix dense;
  ml::SparseMatrix sp;
  Eigen::Index rows() const { return sparse ? sp.rows() : dense.rows(); }
  Eigen::Index cols() const { return sparse ? sp.cols() : dense.cols(); }
  // The features as a dense matrix (for estimators without a sparse path).
  ml::Matrix to_dense() const;
};

// Fitted (or fittable) steps with the columns and classes they were fitted on.
class FittedPipeline {
 public:
  // Builds the (unfitted) steps of a spec.
  static Result<FittedPipeline> from_spec(const PipelineSpec& spec);
  // Restores a pipeline saved by to_json; errors name what is wrong.
  static Result<FittedPipeline> from_json(const json& doc);

  // Fits every step on the rows of `x` with class labels `y` (classification).
  void fit(const data::Table& x, const std::vector<int>& y, int n_classes);
  // Fits every step on the rows of `x` with real targets `y` (regression).
  void fit(const data::Table& x, const ml::Vector& y);
  // Class probabilities / predicted classes (classification).
  ml::Matrix predict_proba(const data::Table& x) const;
  std::vector<int> predict(const data::Table& x) const;
  // Predicted values (regression).
  ml::Vector predict_values(const data::Table& x) const;
  // The features the final estimator sees for `x` (every step but the last).
  Features transform(const data::Table& x) const;

  bool is_regression() const { return !steps.empty() && steps.back().regressor != nullptr; }
  // True when the pipeline has column steps.
  bool has_column_steps() const;
  // The input columns the pipeline reads, in order (column steps' columns + passthrough).
  std::vector<std::string> input_columns() const;
  // Names of the columns the final estimator sees, like scikit-learn's get_feature_names_out():
  // "<step>__<term>" for vectorizers, "<column>_<category>" for one-hot, else column names.
  // Call on a fitted pipeline.
  std::vector<std::string> feature_names_out() const;
  // The full config of every step, as "step__param" -> value text (what a run logs as params).
  std::map<std::string, std::string> flat_params() const;
  // Config + learned state as a versioned document ("mllab.fitted_pipeline").
  json to_json() const;

  std::vector<std::string> features;      // numeric input columns without column steps, or the
                                          // passthrough numeric columns with them
  std::string target;                     // target column name
  std::vector<std::string> classes;       // class labels (index -> label); empty for regression
  std::vector<std::string> target_names;  // display names of classes (may equal classes)

  // One step; exactly one of the step objects is set.
  struct Step {
    std::string name;
    std::string type;
    std::vector<std::string> columns;                  // column steps only
    std::unique_ptr<ml::CountVectorizer> vectorizer;   // Count/TfidfVectorizer (one text column)
    std::unique_ptr<ml::OneHotEncoder> encoder;        // OneHotEncoder (string columns)
    std::unique_ptr<ml::Transformer> transformer;      // numeric columns, or the feature matrix
    std::optional<ml::Vector> sparse_scale;            // StandardScaler fitted on sparse input
    std::unique_ptr<ml::Classifier> classifier;        // final step (classification)
    std::unique_ptr<ml::Regressor> regressor;          // final step (regression)
    const json& params() const;
  };
  std::vector<Step> steps;

 private:
  Features fit_transform_features(const data::Table& x);
  Features apply(const data::Table& x, bool fit);
};

}  // namespace mllab::pipeline

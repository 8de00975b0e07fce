// A pipeline of fitted steps over named table columns: what a run saves as its model artifact
// and what predicts on new data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/data/table.hpp"
#include "core/ml/model.hpp"
#include "core/pipeline/spec.hpp"

namespace mllab::pipeline {

// Class labels of a target column: the sorted distinct values (numbers numerically, strings
// lexicographically, like numpy.unique), rendered as text.
struct LabelEncoding {
  std::vector<std::string> classes;
  // Row labels as class indices; -1 where the target is missing.
  std::vector<int> y;
};

// Encodes a table's target column. Errors name the column.
Result<LabelEncoding> encode_labels(const data::Table& table, const std::string& target);

// The numeric feature matrix of `columns` in `table`. Errors name a missing or non-numeric
// column, and a missing value (row and column) when `allow_missing` is false.
Result<ml::Matrix> feature_matrix(const data::Table& table, const std::vector<std::string>& columns,
                                  bool allow_missing = false);

// Transformers followed by a classifier, with the feature names and classes they were fitted on.
class FittedPipeline {
 public:
  // Builds the (unfitted) steps of a spec.
  static Result<FittedPipeline> from_spec(const PipelineSpec& spec);
  // Restores a pipeline saved by to_json; errors name what is wrong.
  static Result<FittedPipeline> from_json(const json& doc);

  // Fits every step in order on `x` (rows x features) and labels `y`.
  void fit(const ml::Matrix& x, const std::vector<int>& y, int n_classes);
  // Class probabilities for rows of `x`.
  ml::Matrix predict_proba(const ml::Matrix& x) const;
  // Predicted class indices for rows of `x`.
  std::vector<int> predict(const ml::Matrix& x) const;
  // The full config of every step, as "step__param" -> value text (what a run logs as params).
  std::map<std::string, std::string> flat_params() const;
  // Config + learned state as a versioned document ("mllab.fitted_pipeline").
  json to_json() const;

  std::vector<std::string> features;      // input columns, in order
  std::string target;                     // target column name
  std::vector<std::string> classes;       // class labels (index -> label)
  std::vector<std::string> target_names;  // display names of classes (may equal classes)

  struct Step {
    std::string name;
    std::unique_ptr<ml::Transformer> transformer;  // set for transformer steps
    std::unique_ptr<ml::Classifier> classifier;    // set for the final step
  };
  std::vector<Step> steps;
};

}  // namespace mllab::pipeline

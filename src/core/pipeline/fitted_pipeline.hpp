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
#include "core/ml/fit_task.hpp"
#include "core/ml/tree.hpp"
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
  // to_json() with a forest estimator's "trees" replaced by the string kTreesPlaceholder, and
  // those trees (nullptr when the estimator is not a forest): see ModelTextWriter.
  json to_json_without_trees(const std::vector<ml::TreeModel>** trees) const;
  static constexpr const char* kTreesPlaceholder = "\x01" "mllab:trees" "\x01";

  // The fit cut into units (see ml::FitTask): each step before the estimator is one unit, then
  // the estimator's units (a tree, a boosting iteration, or its whole fit). Running it to the
  // end is fit(x, y, ...), bit for bit. `x` must outlive the task; y is copied.
  std::unique_ptr<ml::FitTask> fit_task(const data::Table& x, const std::vector<int>& y, int n_classes);
  std::unique_ptr<ml::FitTask> fit_task(const data::Table& x, const ml::Vector& y);

  // The steps before the estimator applied one at a time (apply() runs them all in one go).
  struct Applying {
    const data::Table* x = nullptr;
    bool fit = false;
    int phase = 0;  // 0: start, 1: column steps, 2: matrix steps, 3: done
    size_t i = 0;
    bool later_handles = false;
    std::vector<Features> blocks;
    Features cur;
  };
  Applying begin_apply(const data::Table& x, bool fit) const;
  // Applies the next step; false once `a.cur` holds the estimator's features.
  bool apply_next(Applying& a);
  // Number of units apply_next takes.
  size_t apply_units() const;

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
  Features apply(const data::Table& x, bool fit);
};

// The model document's text, exactly to_json().dump(), written one forest tree per unit (a
// 300-tree forest's document took ~400 ms in one go in the browser). The pipeline must stay
// unchanged while the writer lives.
class ModelTextWriter {
 public:
  explicit ModelTextWriter(const FittedPipeline& p) : p_(p) {}
  // Writes the next part; false once text() is complete.
  bool step();
  bool done() const { return done_; }
  double fraction() const;
  // The document without the trees (the first step builds it): importances, classes, ...
  const json& skeleton() const { return skeleton_; }
  // Trees and nodes written (a forest's; 0 otherwise).
  int64_t trees() const { return trees_ ? int64_t(trees_->size()) : 0; }
  int64_t nodes() const { return nodes_; }
  std::string take_text() { return std::move(text_); }

 private:
  const FittedPipeline& p_;
  bool started_ = false, done_ = false;
  json skeleton_;
  const std::vector<ml::TreeModel>* trees_ = nullptr;
  size_t next_ = 0;
  int64_t nodes_ = 0;
  std::string head_, tail_, text_;
};

// The fraction of a fit task done, in [0, 1] (a pipeline's task weighs its steps and estimator).
double fit_fraction(const ml::FitTask& task);

}  // namespace mllab::pipeline

// Step interfaces of a pipeline: transformers (fit / transform) and classifiers
// (fit / predict). Config (params) is separate from learned state; both are JSON.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <nlohmann/json.hpp>

#include "core/ml/fit_task.hpp"
#include "core/ml/params.hpp"
#include "core/util/status.hpp"

namespace mllab::ml {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
// Sparse features (vectorizers, one-hot), row-major like scipy's CSR.
using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// A fitted-or-not feature transformer (StandardScaler, ...). Methods throw mllab::Error on
// misuse (transform before fit, NaN input, shape mismatch) with a message naming the problem.
class Transformer {
 public:
  virtual ~Transformer() = default;
  // The class name, e.g. "StandardScaler".
  virtual std::string type() const = 0;
  // The full parameter object (defaults filled in).
  virtual const json& params() const = 0;
  virtual void fit(const Matrix& x) = 0;
  virtual Matrix transform(const Matrix& x) const = 0;
  virtual bool is_fitted() const = 0;
  // Learned state as JSON (doubles round-trip exactly); load_state restores it.
  virtual json state() const = 0;
  virtual Status load_state(const json& state) = 0;
};

// The most probable class per row of `proba` (the lowest index on ties, as np.argmax).
std::vector<int> most_probable(const Matrix& proba);

// A classifier over class indices 0..n_classes-1.
class Classifier {
 public:
  virtual ~Classifier() = default;
  virtual std::string type() const = 0;
  virtual const json& params() const = 0;
  // Fits on rows of `x` with labels `y` in [0, n_classes).
  virtual void fit(const Matrix& x, const std::vector<int>& y, int n_classes) = 0;
  // Row-wise class probabilities, n_rows x n_classes.
  virtual Matrix predict_proba(const Matrix& x) const = 0;
  // Most probable class per row.
  virtual std::vector<int> predict(const Matrix& x) const;
  // fit, predict_proba and predict on sparse rows (CSR; absent entries are zeros). The defaults
  // use the dense copy; models with a sparse path (trees, forests) override them and give the
  // same results as on the dense copy.
  virtual void fit_sparse(const SparseMatrix& x, const std::vector<int>& y, int n_classes) {
    fit(Matrix(x), y, n_classes);
  }
  virtual Matrix predict_proba_sparse(const SparseMatrix& x) const {
    return predict_proba(Matrix(x));
  }
  virtual std::vector<int> predict_sparse(const SparseMatrix& x) const {
    return predict(Matrix(x));
  }
  // The fit cut into units (see fit_task.hpp); running it to the end is fit / fit_sparse.
  // `x` and `y` must outlive the task. The default is one unit; forests and boosting override
  // them (a tree, an iteration per unit).
  virtual std::unique_ptr<FitTask> fit_task(const Matrix& x, const std::vector<int>& y, int n_classes) {
    return std::make_unique<OneShotFitTask>([this, &x, &y, n_classes] { fit(x, y, n_classes); });
  }
  virtual std::unique_ptr<FitTask> fit_task_sparse(const SparseMatrix& x, const std::vector<int>& y,
                                                   int n_classes) {
    return std::make_unique<OneShotFitTask>([this, &x, &y, n_classes] { fit_sparse(x, y, n_classes); });
  }
  virtual bool is_fitted() const = 0;
  virtual json state() const = 0;
  virtual Status load_state(const json& state) = 0;
};

// A regressor of one real-valued target.
class Regressor {
 public:
  virtual ~Regressor() = default;
  virtual std::string type() const = 0;
  virtual const json& params() const = 0;
  // Fits on rows of `x` with targets `y` (y.size() == x.rows()).
  virtual void fit(const Matrix& x, const Vector& y) = 0;
  // One prediction per row.
  virtual Vector predict(const Matrix& x) const = 0;
  // fit and predict on sparse rows (CSR); the defaults use the dense copy (see Classifier).
  virtual void fit_sparse(const SparseMatrix& x, const Vector& y) { fit(Matrix(x), y); }
  virtual Vector predict_sparse(const SparseMatrix& x) const { return predict(Matrix(x)); }
  // The fit cut into units (see Classifier::fit_task); `x` and `y` must outlive the task.
  virtual std::unique_ptr<FitTask> fit_task(const Matrix& x, const Vector& y) {
    return std::make_unique<OneShotFitTask>([this, &x, &y] { fit(x, y); });
  }
  virtual std::unique_ptr<FitTask> fit_task_sparse(const SparseMatrix& x, const Vector& y) {
    return std::make_unique<OneShotFitTask>([this, &x, &y] { fit_sparse(x, y); });
  }
  virtual bool is_fitted() const = 0;
  virtual json state() const = 0;
  virtual Status load_state(const json& state) = 0;
};

// Validates `params` for a step type and returns them with defaults filled in (vectorizers and
// encoders validate in their constructors, which also accept pairs such as ngram_range).
Result<json> validate_step_params(const std::string& type, const json& params);

// The parameter table of a step type, or nullptr if the type is unknown.
const std::vector<ParamSpec>* param_specs_for(const std::string& type);
// Names of all transformer / classifier types, for forms and help text.
std::vector<std::string> transformer_types();
std::vector<std::string> classifier_types();
std::vector<std::string> regressor_types();
// Types usable as column steps: vectorizers and encoders (which read table columns) and every
// transformer (applied to numeric columns).
std::vector<std::string> column_step_types();
// Creates a step by class name with validated params; an unknown type or parameter is an
// error that names it.
Result<std::unique_ptr<Transformer>> make_transformer(const std::string& type, const json& params);
Result<std::unique_ptr<Classifier>> make_classifier(const std::string& type, const json& params);
Result<std::unique_ptr<Regressor>> make_regressor(const std::string& type, const json& params);

}  // namespace mllab::ml

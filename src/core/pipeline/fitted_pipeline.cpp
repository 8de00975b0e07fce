#include "core/pipeline/fitted_pipeline.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/ml/forest.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::pipeline {
namespace {
constexpr int kFittedSchemaVersion = 1;
}  // namespace

std::string param_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";  // as MLflow logs Python values
  return v.dump();
}


Result<LabelEncoding> encode_labels(const data::Table& table, const std::string& target) {
  const data::Column* col = table.column(target);
  if (!col) return Status::invalid("target column '" + target + "' is not in the dataset");
  LabelEncoding enc;
  enc.y.assign(col->size(), -1);
  if (col->type == data::ColumnType::kNumeric) {
    std::set<double> values;
    for (double v : col->numbers) if (!std::isnan(v)) values.insert(v);
    std::vector<double> sorted(values.begin(), values.end());
    for (double v : sorted) {
      data::Column tmp;
      tmp.numbers = {v};
      enc.classes.push_back(tmp.value_string(0));
    }
    for (size_t i = 0; i < col->size(); ++i) {
      if (std::isnan(col->numbers[i])) continue;
      enc.y[i] = int(std::lower_bound(sorted.begin(), sorted.end(), col->numbers[i]) - sorted.begin());
    }
  } else {
    std::set<std::string> values;
    for (size_t i = 0; i < col->size(); ++i) if (!col->missing[i]) values.insert(col->strings[i]);
    enc.classes.assign(values.begin(), values.end());
    for (size_t i = 0; i < col->size(); ++i) {
      if (col->missing[i]) continue;
      enc.y[i] = int(std::lower_bound(enc.classes.begin(), enc.classes.end(), col->strings[i]) - enc.classes.begin());
    }
  }
  if (enc.classes.size() == 1) {
    // Named by its label: the models only see class indices, which mean nothing to the user.
    return Status::invalid("target column '" + quote_for_message(target) + "' has only one class: '" +
                           quote_for_message(enc.classes.front()) +
                           "'; a classifier needs samples of at least 2 classes");
  }
  if (enc.classes.size() > 1000) {
    return Status::invalid("target column '" + target + "' has " + std::to_string(enc.classes.size()) +
                           " distinct values; a classifier needs a column of class labels");
  }
  return enc;
}

Result<ml::Matrix> feature_matrix(const data::Table& table, const std::vector<std::string>& columns,
                                  bool allow_missing) {
  ml::Matrix x(table.num_rows(), columns.size());
  for (size_t j = 0; j < columns.size(); ++j) {
    const data::Column* col = table.column(columns[j]);
    if (!col) return Status::invalid("feature column '" + columns[j] + "' is not in the data");
    if (col->type != data::ColumnType::kNumeric) {
      return Status::invalid("feature column '" + columns[j] + "' is " + data::column_type_name(col->type) +
                             "; this pipeline takes numeric columns only");
    }
    for (size_t i = 0; i < col->size(); ++i) {
      double v = col->numbers[i];
      if (std::isnan(v) && !allow_missing) {
        return Status::invalid("feature column '" + columns[j] + "' has a missing value in data row " +
                               std::to_string(i + 1) + " (" + std::to_string(col->missing_count()) +
                               " missing in all); the model cannot take missing values (add a SimpleImputer step, "
                               "or use HistGradientBoosting, which takes them)");
      }
      x(Eigen::Index(i), Eigen::Index(j)) = v;
    }
  }
  return x;
}

ml::Matrix Features::to_dense() const { return sparse ? ml::Matrix(sp) : dense; }

namespace {

// Stacks blocks side by side; sparse if any block is.
Features hstack(std::vector<Features> blocks, Eigen::Index rows) {
  Features out;
  bool any_sparse = false;
  Eigen::Index cols = 0;
  for (const auto& b : blocks) { any_sparse = any_sparse || b.sparse; cols += b.cols(); }
  if (blocks.size() == 1) return std::move(blocks.front());
  if (!any_sparse) {
    out.dense.resize(rows, cols);
    Eigen::Index c = 0;
    for (const auto& b : blocks) { out.dense.middleCols(c, b.cols()) = b.dense; c += b.cols(); }
    return out;
  }
  std::vector<Eigen::Triplet<double>> trip;
  Eigen::Index c = 0;
  for (const auto& b : blocks) {
    if (b.sparse) {
      for (Eigen::Index i = 0; i < b.sp.outerSize(); ++i) {
        for (ml::SparseMatrix::InnerIterator it(b.sp, i); it; ++it) trip.emplace_back(it.row(), c + it.col(), it.value());
      }
    } else {
      for (Eigen::Index i = 0; i < b.dense.rows(); ++i) {
        for (Eigen::Index j = 0; j < b.dense.cols(); ++j) {
          if (b.dense(i, j) != 0) trip.emplace_back(i, c + j, b.dense(i, j));
        }
      }
    }
    c += b.cols();
  }
  out.sparse = true;
  out.sp.resize(rows, cols);
  out.sp.setFromTriplets(trip.begin(), trip.end());
  return out;
}

// The documents of a text (or categorical) column; missing values are empty documents.
std::vector<std::string> documents(const data::Table& x, const std::string& column) {
  const data::Column* col = x.column(column);
  if (!col) throw Error(Status::invalid("column '" + column + "' is not in the data"));
  if (col->type == data::ColumnType::kNumeric) {
    throw Error(Status::invalid("column '" + column + "' is numeric; a vectorizer needs a text column"));
  }
  std::vector<std::string> docs(col->size());
  for (size_t i = 0; i < col->size(); ++i) if (!col->missing[i]) docs[i] = col->strings[i];
  return docs;
}

std::vector<data::Column> string_columns(const data::Table& x, const std::vector<std::string>& names) {
  std::vector<data::Column> cols;
  for (const auto& n : names) {
    const data::Column* c = x.column(n);
    if (!c) throw Error(Status::invalid("column '" + n + "' is not in the data"));
    cols.push_back(*c);
  }
  return cols;
}

Features dense_features(ml::Matrix m) {
  Features f;
  f.dense = std::move(m);
  return f;
}

bool is_imputer(const FittedPipeline::Step& s) { return s.type == "SimpleImputer"; }

// Scalers fit around missing values and keep them (as scikit-learn's).
bool keeps_missing(const FittedPipeline::Step& s) {
  return s.type == "StandardScaler" || s.type == "MinMaxScaler";
}

// Final estimators that take missing values themselves (as scikit-learn's HistGradientBoosting*).
bool takes_missing(const FittedPipeline::Step& s) {
  return s.type == "HistGradientBoostingClassifier" || s.type == "HistGradientBoostingRegressor";
}

// Whether missing values entering the sequential step `from` are handled: through scalers only,
// they reach a SimpleImputer or an estimator that takes them. Otherwise the model would see
// them: the input is refused up front, naming the column and row.
bool missing_handled_from(const std::vector<FittedPipeline::Step>& steps, size_t from) {
  for (size_t k = from; k + 1 < steps.size(); ++k) {
    if (is_imputer(steps[k])) return true;
    if (!keeps_missing(steps[k])) return false;
  }
  return !steps.empty() && takes_missing(steps.back());
}

}  // namespace

const json& FittedPipeline::Step::params() const {
  if (vectorizer) return vectorizer->params();
  if (encoder) return encoder->params();
  if (transformer) return transformer->params();
  if (classifier) return classifier->params();
  return regressor->params();
}

Result<FittedPipeline> FittedPipeline::from_spec(const PipelineSpec& spec) {
  FittedPipeline p;
  try {
    for (size_t i = 0; i < spec.steps.size(); ++i) {
      const auto& st = spec.steps[i];
      Step step;
      step.name = st.name;
      step.type = st.type;
      step.columns = st.columns;
      if (i + 1 == spec.steps.size()) {
        if (pipeline::is_regression(spec)) {
          auto r = ml::make_regressor(st.type, st.params);
          if (!r) return r.status();
          step.regressor = std::move(r).value();
        } else {
          auto c = ml::make_classifier(st.type, st.params);
          if (!c) return c.status();
          step.classifier = std::move(c).value();
        }
      } else if (st.type == "TfidfVectorizer" || st.type == "CountVectorizer") {
        if (st.columns.size() != 1) {
          return Status::invalid("step '" + st.name + "': " + st.type + " reads exactly one text column (received " +
                                 std::to_string(st.columns.size()) + ")");
        }
        if (st.type == "TfidfVectorizer") step.vectorizer = std::make_unique<ml::TfidfVectorizer>(st.params);
        else step.vectorizer = std::make_unique<ml::CountVectorizer>(st.params);
      } else if (st.type == "OneHotEncoder") {
        step.encoder = std::make_unique<ml::OneHotEncoder>(st.params);
      } else {
        auto t = ml::make_transformer(st.type, st.params);
        if (!t) return t.status();
        step.transformer = std::move(t).value();
      }
      p.steps.push_back(std::move(step));
    }
  } catch (const Error& e) {
    return e.status();
  }
  p.target = spec.target;
  return p;
}

bool FittedPipeline::has_column_steps() const {
  for (const auto& s : steps) if (!s.columns.empty()) return true;
  return false;
}

std::vector<std::string> FittedPipeline::input_columns() const {
  std::vector<std::string> out;
  for (const auto& s : steps) for (const auto& c : s.columns) out.push_back(c);
  for (const auto& f : features) out.push_back(f);
  return out;
}

std::vector<std::string> FittedPipeline::feature_names_out() const {
  std::vector<std::string> out;
  for (const auto& s : steps) {
    if (s.columns.empty()) continue;
    if (s.vectorizer) {
      for (const auto& term : s.vectorizer->feature_names_out()) out.push_back(s.name + "__" + term);
    } else if (s.encoder) {
      for (const auto& name : s.encoder->feature_names_out()) out.push_back(name);
    } else {
      out.insert(out.end(), s.columns.begin(), s.columns.end());
    }
  }
  out.insert(out.end(), features.begin(), features.end());
  return out;
}

FittedPipeline::Applying FittedPipeline::begin_apply(const data::Table& x, bool fit) const {
  Applying a;
  a.x = &x;
  a.fit = fit;
  return a;
}

size_t FittedPipeline::apply_units() const {
  size_t n = 0;
  while (n < steps.size() && !steps[n].columns.empty()) ++n;
  // The first unit reads the numeric features when there is no column step.
  const size_t matrix_steps = steps.empty() ? 0 : steps.size() - 1 - std::min(n, steps.size() - 1);
  return (n == 0 ? 1 : n) + matrix_steps;
}

bool FittedPipeline::apply_next(Applying& a) {
  const data::Table& x = *a.x;
  const bool fit = a.fit;
  const Eigen::Index rows = Eigen::Index(x.num_rows());
  if (a.phase == 0) {
    if (has_column_steps()) {
      size_t first_sequential = 0;
      while (first_sequential < steps.size() && !steps[first_sequential].columns.empty()) ++first_sequential;
      a.later_handles = missing_handled_from(steps, first_sequential);
      a.phase = 1;
    } else {
      auto m = feature_matrix(x, features, missing_handled_from(steps, 0));
      if (!m) throw Error(m.status());
      a.cur = dense_features(std::move(m).value());
      a.phase = 2;
      return a.i + 1 < steps.size();
    }
  }
  if (a.phase == 1) {
    Step& s = steps[a.i];
    if (s.vectorizer) {
      auto docs = documents(x, s.columns.front());
      Features f;
      f.sparse = true;
      f.sp = fit ? s.vectorizer->fit_transform(docs) : s.vectorizer->transform(docs);
      a.blocks.push_back(std::move(f));
    } else if (s.encoder) {
      auto cols = string_columns(x, s.columns);
      Features f;
      f.sparse = true;
      f.sp = fit ? s.encoder->fit_transform(cols) : s.encoder->transform(cols);
      a.blocks.push_back(std::move(f));
    } else {
      auto m = feature_matrix(x, s.columns, is_imputer(s) || (keeps_missing(s) && a.later_handles));
      if (!m) throw Error(m.status());
      if (fit) s.transformer->fit(*m);
      a.blocks.push_back(dense_features(s.transformer->transform(*m)));
    }
    ++a.i;
    if (a.i < steps.size() && !steps[a.i].columns.empty()) return true;
    if (!features.empty()) {
      auto m = feature_matrix(x, features, a.later_handles);
      if (!m) throw Error(m.status());
      a.blocks.push_back(dense_features(std::move(m).value()));
    }
    a.cur = hstack(std::move(a.blocks), rows);
    a.blocks.clear();
    a.phase = 2;
    return a.i + 1 < steps.size();
  }
  if (a.phase == 2 && a.i + 1 < steps.size()) {
    Step& s = steps[a.i];
    Features& cur = a.cur;
    const bool sparse_scaler = s.type == "StandardScaler" && (cur.sparse || s.sparse_scale);
    if (sparse_scaler) {
      const json& p = s.transformer->params();
      if (p.value("with_mean", true)) {
        throw Error(Status::invalid("step '" + s.name + "': StandardScaler cannot center sparse features "
                                    "(set with_mean to false, as scikit-learn requires)"));
      }
      if (fit) s.sparse_scale = ml::scaler_fit_sparse(cur.sp, p.value("with_std", true));
      cur.sp = ml::scale_sparse(cur.sp, *s.sparse_scale);
    } else {
      ml::Matrix m = cur.to_dense();
      if (fit) s.transformer->fit(m);
      cur = dense_features(s.transformer->transform(m));
    }
    ++a.i;
  }
  if (a.i + 1 < steps.size()) return true;
  a.phase = 3;
  return false;
}

Features FittedPipeline::apply(const data::Table& x, bool fit) {
  Applying a = begin_apply(x, fit);
  while (apply_next(a)) {
  }
  return std::move(a.cur);
}

namespace {

// The pipeline's fit task: the steps before the estimator (one unit each, 10% of the progress),
// then the estimator's own task.
class PipelineFitTask : public ml::FitTask {
 public:
  PipelineFitTask(FittedPipeline* p, const data::Table& x, std::vector<int> y, int n_classes)
      : p_(p), a_(p->begin_apply(x, true)), y_(std::move(y)), n_classes_(n_classes), pre_total_(p->apply_units()) {}
  PipelineFitTask(FittedPipeline* p, const data::Table& x, ml::Vector y)
      : p_(p), a_(p->begin_apply(x, true)), yr_(std::move(y)), regression_(true), pre_total_(p->apply_units()) {}

  bool step() override {
    if (done_) return false;
    if (!est_) {
      ++pre_done_;
      if (p_->apply_next(a_)) return true;
      features_ = std::move(a_.cur);
      auto& last = p_->steps.back();
      if (regression_) {
        est_ = features_.sparse ? last.regressor->fit_task_sparse(features_.sp, yr_)
                                : last.regressor->fit_task(features_.dense, yr_);
      } else {
        est_ = features_.sparse ? last.classifier->fit_task_sparse(features_.sp, y_, n_classes_)
                                : last.classifier->fit_task(features_.dense, y_, n_classes_);
      }
      return true;
    }
    if (est_->step()) return true;
    done_ = true;
    features_ = Features();  // the fitted model no longer needs them
    return false;
  }
  bool done() const override { return done_; }
  int64_t units_done() const override { return est_ ? est_->units_done() : 0; }
  int64_t units_total() const override { return est_ ? est_->units_total() : 1; }
  const char* unit_name() const override { return est_ ? est_->unit_name() : "step"; }
  std::string describe() const override {
    if (est_) return est_->describe();
    const size_t i = std::min(a_.i, p_->steps.size() - 1);
    return "step '" + p_->steps[i].name + "' (" + p_->steps[i].type + ")";
  }
  // The fraction of the fit done: the steps count for 10%, the estimator's units for the rest.
  double fraction() const {
    const double pre = pre_total_ == 0 ? 1.0 : std::min(1.0, double(pre_done_) / double(pre_total_));
    const double est = est_ && est_->units_total() > 0 ? double(est_->units_done()) / double(est_->units_total()) : 0.0;
    return done_ ? 1.0 : 0.1 * pre + 0.9 * est;
  }

 private:
  FittedPipeline* p_;
  FittedPipeline::Applying a_;
  std::vector<int> y_;
  ml::Vector yr_;
  int n_classes_ = 0;
  bool regression_ = false;
  size_t pre_total_;
  size_t pre_done_ = 0;
  Features features_;
  std::unique_ptr<ml::FitTask> est_;
  bool done_ = false;
};

}  // namespace

double fit_fraction(const ml::FitTask& task) {
  if (auto* p = dynamic_cast<const PipelineFitTask*>(&task)) return p->fraction();
  if (task.done()) return 1.0;
  return task.units_total() > 0 ? double(task.units_done()) / double(task.units_total()) : 0.0;
}

std::unique_ptr<ml::FitTask> FittedPipeline::fit_task(const data::Table& x, const std::vector<int>& y, int n_classes) {
  return std::make_unique<PipelineFitTask>(this, x, y, n_classes);
}

std::unique_ptr<ml::FitTask> FittedPipeline::fit_task(const data::Table& x, const ml::Vector& y) {
  return std::make_unique<PipelineFitTask>(this, x, y);
}


Features FittedPipeline::transform(const data::Table& x) const {
  // apply(fit=false) changes nothing; the cast keeps one code path for fit and transform.
  return const_cast<FittedPipeline*>(this)->apply(x, false);
}

// The estimator receives sparse features as they are (a model without a sparse path densifies
// them itself).
void FittedPipeline::fit(const data::Table& x, const std::vector<int>& y, int n_classes) {
  fit_task(x, y, n_classes)->run_to_end();
}

void FittedPipeline::fit(const data::Table& x, const ml::Vector& y) { fit_task(x, y)->run_to_end(); }

ml::Matrix FittedPipeline::predict_proba(const data::Table& x) const {
  Features f = transform(x);
  if (f.sparse) return steps.back().classifier->predict_proba_sparse(f.sp);
  return steps.back().classifier->predict_proba(f.dense);
}

std::vector<int> FittedPipeline::predict(const data::Table& x) const {
  Features f = transform(x);
  if (f.sparse) return steps.back().classifier->predict_sparse(f.sp);
  return steps.back().classifier->predict(f.dense);
}

ml::Vector FittedPipeline::predict_values(const data::Table& x) const {
  Features f = transform(x);
  if (f.sparse) return steps.back().regressor->predict_sparse(f.sp);
  return steps.back().regressor->predict(f.dense);
}

std::map<std::string, std::string> FittedPipeline::flat_params() const {
  std::map<std::string, std::string> out;
  for (const auto& s : steps) {
    const json& params = s.params();
    for (auto it = params.begin(); it != params.end(); ++it) out[s.name + "__" + it.key()] = param_text(it.value());
  }
  return out;
}

json FittedPipeline::to_json() const { return to_json_without_trees(nullptr); }

json FittedPipeline::to_json_without_trees(const std::vector<ml::TreeModel>** trees) const {
  // With `trees`, a forest's state is written without its trees (a placeholder holds their place).
  auto estimator_state = [&](const Step& s) -> json {
    if (trees) {
      if (auto* f = dynamic_cast<const ml::RandomForestClassifier*>(s.classifier.get())) {
        json st = f->state_without_trees();
        st["trees"] = kTreesPlaceholder;
        *trees = &f->trees();
        return st;
      }
      if (auto* f = dynamic_cast<const ml::RandomForestRegressor*>(s.regressor.get())) {
        json st = f->state_without_trees();
        st["trees"] = kTreesPlaceholder;
        *trees = &f->trees();
        return st;
      }
    }
    return s.classifier ? s.classifier->state() : s.regressor->state();
  };
  if (trees) *trees = nullptr;
  json js = json::array();
  for (const auto& s : steps) {
    json state;
    std::string kind;
    if (s.vectorizer) { kind = "vectorizer"; state = s.vectorizer->state(); }
    else if (s.encoder) { kind = "encoder"; state = s.encoder->state(); }
    else if (s.transformer) {
      kind = "transformer";
      state = s.sparse_scale ? json{{"sparse_scale", std::vector<double>(s.sparse_scale->data(), s.sparse_scale->data() + s.sparse_scale->size())}}
                             : s.transformer->state();
    } else if (s.classifier) { kind = "classifier"; state = estimator_state(s); }
    else { kind = "regressor"; state = estimator_state(s); }
    // Moved, not copied: a forest's state is most of a run's peak memory when it saves its model.
    json j = {{"name", s.name}, {"kind", kind}, {"type", s.type}, {"params", s.params()}, {"state", std::move(state)}};
    if (!s.columns.empty()) j["columns"] = s.columns;
    js.push_back(std::move(j));
  }
  return {{"schema", "mllab.fitted_pipeline"}, {"schema_version", kFittedSchemaVersion},
          {"features", features}, {"target", target}, {"classes", classes},
          {"target_names", target_names}, {"steps", std::move(js)}};
}

bool ModelTextWriter::step() {
  if (done_) return false;
  if (!started_) {
    started_ = true;
    skeleton_ = p_.to_json_without_trees(&trees_);
    std::string text = skeleton_.dump();
    if (!trees_) {
      text_ = std::move(text);
      done_ = true;
      return false;
    }
    const std::string mark = json(FittedPipeline::kTreesPlaceholder).dump();
    const size_t at = text.find(mark);
    if (at == std::string::npos) throw Error(Status::internal("model document: the trees' placeholder is missing"));
    head_ = text.substr(0, at) + "[";
    tail_ = "]" + text.substr(at + mark.size());
    text_ = std::move(head_);
    if (!trees_->empty()) return true;
  } else {
    // One tree per unit, as nlohmann::json writes an array: elements joined by ','.
    const ml::TreeModel& t = (*trees_)[next_];
    if (next_ > 0) text_ += ',';
    text_ += t.to_json().dump();
    nodes_ += t.n_nodes();
    if (++next_ < trees_->size()) return true;
  }
  text_ += tail_;
  tail_.clear();
  done_ = true;
  return false;
}

double ModelTextWriter::fraction() const {
  if (done_) return 1.0;
  if (!trees_ || trees_->empty()) return 0.0;
  return double(next_) / double(trees_->size());
}

Result<FittedPipeline> FittedPipeline::from_json(const json& doc) {
  if (!doc.is_object() || !doc.contains("schema") || doc["schema"] != "mllab.fitted_pipeline") {
    return Status::parse_error("not an mllab.fitted_pipeline document");
  }
  int v = doc.contains("schema_version") && doc["schema_version"].is_number_integer()
              ? doc["schema_version"].get<int>() : 0;
  if (v < 1 || v > kFittedSchemaVersion) {
    return Status::parse_error("mllab.fitted_pipeline schema_version " + std::to_string(v) + " is not supported");
  }
  try {
    FittedPipeline p;
    p.features = doc.at("features").get<std::vector<std::string>>();
    p.target = doc.at("target").get<std::string>();
    p.classes = doc.at("classes").get<std::vector<std::string>>();
    p.target_names = doc.value("target_names", p.classes);
    for (const auto& s : doc.at("steps")) {
      Step step;
      step.name = s.at("name").get<std::string>();
      step.type = s.at("type").get<std::string>();
      step.columns = s.value("columns", std::vector<std::string>{});
      const std::string kind = s.at("kind").get<std::string>();
      const json& params = s.at("params");
      const json& state = s.at("state");
      if (kind == "vectorizer") {
        if (step.type == "TfidfVectorizer") step.vectorizer = std::make_unique<ml::TfidfVectorizer>(params);
        else step.vectorizer = std::make_unique<ml::CountVectorizer>(params);
        MLLAB_RETURN_IF_ERROR(step.vectorizer->load_state(state));
      } else if (kind == "encoder") {
        step.encoder = std::make_unique<ml::OneHotEncoder>(params);
        MLLAB_RETURN_IF_ERROR(step.encoder->load_state(state));
      } else if (kind == "transformer") {
        auto t = ml::make_transformer(step.type, params);
        if (!t) return t.status();
        step.transformer = std::move(t).value();
        if (state.contains("sparse_scale")) {
          auto v = state["sparse_scale"].get<std::vector<double>>();
          step.sparse_scale = Eigen::Map<ml::Vector>(v.data(), Eigen::Index(v.size()));
        } else {
          MLLAB_RETURN_IF_ERROR(step.transformer->load_state(state));
        }
      } else if (kind == "classifier") {
        auto c = ml::make_classifier(step.type, params);
        if (!c) return c.status();
        MLLAB_RETURN_IF_ERROR((*c)->load_state(state));
        step.classifier = std::move(c).value();
      } else if (kind == "regressor") {
        auto r = ml::make_regressor(step.type, params);
        if (!r) return r.status();
        MLLAB_RETURN_IF_ERROR((*r)->load_state(state));
        step.regressor = std::move(r).value();
      } else {
        return Status::parse_error("fitted pipeline step '" + step.name + "' has unknown kind '" + kind + "'");
      }
      p.steps.push_back(std::move(step));
    }
    if (p.steps.empty() || (!p.steps.back().classifier && !p.steps.back().regressor)) {
      return Status::parse_error("fitted pipeline has no final estimator");
    }
    return p;
  } catch (const json::exception& e) {
    return Status::parse_error("fitted pipeline is malformed: " + json_error_reason(e));
  } catch (const Error& e) {
    return e.status();
  }
}

}  // namespace mllab::pipeline

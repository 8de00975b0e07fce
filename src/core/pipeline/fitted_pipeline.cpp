#include "core/pipeline/fitted_pipeline.hpp"

#include <algorithm>
#include <charconv>
#include <set>

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

Features FittedPipeline::apply(const data::Table& x, bool fit) {
  const Eigen::Index rows = Eigen::Index(x.num_rows());
  Features cur;
  size_t i = 0;
  if (has_column_steps()) {
    size_t first_sequential = 0;
    while (first_sequential < steps.size() && !steps[first_sequential].columns.empty()) ++first_sequential;
    const bool later_handles = missing_handled_from(steps, first_sequential);
    std::vector<Features> blocks;
    for (; i < steps.size() && !steps[i].columns.empty(); ++i) {
      Step& s = steps[i];
      if (s.vectorizer) {
        auto docs = documents(x, s.columns.front());
        Features f;
        f.sparse = true;
        f.sp = fit ? s.vectorizer->fit_transform(docs) : s.vectorizer->transform(docs);
        blocks.push_back(std::move(f));
      } else if (s.encoder) {
        auto cols = string_columns(x, s.columns);
        Features f;
        f.sparse = true;
        f.sp = fit ? s.encoder->fit_transform(cols) : s.encoder->transform(cols);
        blocks.push_back(std::move(f));
      } else {
        auto m = feature_matrix(x, s.columns, is_imputer(s) || (keeps_missing(s) && later_handles));
        if (!m) throw Error(m.status());
        if (fit) s.transformer->fit(*m);
        blocks.push_back(dense_features(s.transformer->transform(*m)));
      }
    }
    if (!features.empty()) {
      auto m = feature_matrix(x, features, later_handles);
      if (!m) throw Error(m.status());
      blocks.push_back(dense_features(std::move(m).value()));
    }
    cur = hstack(std::move(blocks), rows);
  } else {
    auto m = feature_matrix(x, features, missing_handled_from(steps, 0));
    if (!m) throw Error(m.status());
    cur = dense_features(std::move(m).value());
  }
  for (; i + 1 < steps.size(); ++i) {
    Step& s = steps[i];
    const bool sparse_scaler = s.type == "StandardScaler" && (cur.sparse || s.sparse_scale);
    if (sparse_scaler) {
      const json& p = s.transformer->params();
      if (p.value("with_mean", true)) {
        throw Error(Status::invalid("step '" + s.name + "': StandardScaler cannot center sparse features "
                                    "(set with_mean to false, as scikit-learn requires)"));
      }
      if (fit) s.sparse_scale = ml::scaler_fit_sparse(cur.sp, p.value("with_std", true));
      cur.sp = ml::scale_sparse(cur.sp, *s.sparse_scale);
      continue;
    }
    ml::Matrix m = cur.to_dense();
    if (fit) s.transformer->fit(m);
    cur = dense_features(s.transformer->transform(m));
  }
  return cur;
}

Features FittedPipeline::fit_transform_features(const data::Table& x) { return apply(x, true); }

Features FittedPipeline::transform(const data::Table& x) const {
  // apply(fit=false) changes nothing; the cast keeps one code path for fit and transform.
  return const_cast<FittedPipeline*>(this)->apply(x, false);
}

// The estimator receives sparse features as they are (a model without a sparse path densifies
// them itself).
void FittedPipeline::fit(const data::Table& x, const std::vector<int>& y, int n_classes) {
  Features f = fit_transform_features(x);
  if (f.sparse) steps.back().classifier->fit_sparse(f.sp, y, n_classes);
  else steps.back().classifier->fit(f.dense, y, n_classes);
}

void FittedPipeline::fit(const data::Table& x, const ml::Vector& y) {
  Features f = fit_transform_features(x);
  if (f.sparse) steps.back().regressor->fit_sparse(f.sp, y);
  else steps.back().regressor->fit(f.dense, y);
}

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

json FittedPipeline::to_json() const {
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
    } else if (s.classifier) { kind = "classifier"; state = s.classifier->state(); }
    else { kind = "regressor"; state = s.regressor->state(); }
    // Moved, not copied: a forest's state is most of a run's peak memory when it saves its model.
    json j = {{"name", s.name}, {"kind", kind}, {"type", s.type}, {"params", s.params()}, {"state", std::move(state)}};
    if (!s.columns.empty()) j["columns"] = s.columns;
    js.push_back(std::move(j));
  }
  return {{"schema", "mllab.fitted_pipeline"}, {"schema_version", kFittedSchemaVersion},
          {"features", features}, {"target", target}, {"classes", classes},
          {"target_names", target_names}, {"steps", std::move(js)}};
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

#include "core/pipeline/fitted_pipeline.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace mllab::pipeline {
namespace {
constexpr int kFittedSchemaVersion = 1;

std::string param_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";  // as MLflow logs Python values
  return v.dump();
}
}  // namespace

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
                               " missing in all); the model cannot take missing values");
      }
      x(Eigen::Index(i), Eigen::Index(j)) = v;
    }
  }
  return x;
}

Result<FittedPipeline> FittedPipeline::from_spec(const PipelineSpec& spec) {
  FittedPipeline p;
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    const auto& st = spec.steps[i];
    Step step;
    step.name = st.name;
    if (i + 1 == spec.steps.size()) {
      auto c = ml::make_classifier(st.type, st.params);
      if (!c) return c.status();
      step.classifier = std::move(c).value();
    } else {
      auto t = ml::make_transformer(st.type, st.params);
      if (!t) return t.status();
      step.transformer = std::move(t).value();
    }
    p.steps.push_back(std::move(step));
  }
  p.target = spec.target;
  return p;
}

void FittedPipeline::fit(const ml::Matrix& x, const std::vector<int>& y, int n_classes) {
  ml::Matrix cur = x;
  for (auto& s : steps) {
    if (s.transformer) {
      s.transformer->fit(cur);
      cur = s.transformer->transform(cur);
    } else {
      s.classifier->fit(cur, y, n_classes);
    }
  }
}

ml::Matrix FittedPipeline::predict_proba(const ml::Matrix& x) const {
  ml::Matrix cur = x;
  for (const auto& s : steps) {
    if (s.transformer) cur = s.transformer->transform(cur);
    else return s.classifier->predict_proba(cur);
  }
  throw Error(Status::internal("pipeline has no final estimator"));
}

std::vector<int> FittedPipeline::predict(const ml::Matrix& x) const {
  ml::Matrix cur = x;
  for (const auto& s : steps) {
    if (s.transformer) cur = s.transformer->transform(cur);
    else return s.classifier->predict(cur);
  }
  throw Error(Status::internal("pipeline has no final estimator"));
}

std::map<std::string, std::string> FittedPipeline::flat_params() const {
  std::map<std::string, std::string> out;
  for (const auto& s : steps) {
    const json& params = s.transformer ? s.transformer->params() : s.classifier->params();
    for (auto it = params.begin(); it != params.end(); ++it) out[s.name + "__" + it.key()] = param_text(it.value());
  }
  return out;
}

json FittedPipeline::to_json() const {
  json js = json::array();
  for (const auto& s : steps) {
    bool t = bool(s.transformer);
    js.push_back({{"name", s.name},
                  {"kind", t ? "transformer" : "classifier"},
                  {"type", t ? s.transformer->type() : s.classifier->type()},
                  {"params", t ? s.transformer->params() : s.classifier->params()},
                  {"state", t ? s.transformer->state() : s.classifier->state()}});
  }
  return {{"schema", "mllab.fitted_pipeline"}, {"schema_version", kFittedSchemaVersion},
          {"features", features}, {"target", target}, {"classes", classes},
          {"target_names", target_names}, {"steps", js}};
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
      std::string type = s.at("type").get<std::string>();
      if (s.at("kind") == "transformer") {
        auto t = ml::make_transformer(type, s.at("params"));
        if (!t) return t.status();
        MLLAB_RETURN_IF_ERROR((*t)->load_state(s.at("state")));
        step.transformer = std::move(t).value();
      } else {
        auto c = ml::make_classifier(type, s.at("params"));
        if (!c) return c.status();
        MLLAB_RETURN_IF_ERROR((*c)->load_state(s.at("state")));
        step.classifier = std::move(c).value();
      }
      p.steps.push_back(std::move(step));
    }
    if (p.steps.empty() || !p.steps.back().classifier) {
      return Status::parse_error("fitted pipeline has no final estimator");
    }
    return p;
  } catch (const json::exception& e) {
    return Status::parse_error(std::string("fitted pipeline is malformed: ") + e.what());
  }
}

}  // namespace mllab::pipeline

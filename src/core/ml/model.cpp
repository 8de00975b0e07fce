#include "core/ml/model.hpp"

#include "core/ml/forest.hpp"
#include "core/ml/hist_gradient_boosting.hpp"
#include "core/ml/linear.hpp"
#include "core/ml/logistic_regression.hpp"
#include "core/ml/naive_bayes.hpp"
#include "core/ml/preprocessing.hpp"
#include "core/ml/standard_scaler.hpp"
#include "core/ml/text.hpp"
#include "core/ml/tree.hpp"

namespace mllab::ml {
namespace {

// One registered step type: its class name, parameter table and constructor (which receives
// params already validated by resolve_params).
template <typename Base>
struct StepType {
  const char* name;
  const std::vector<ParamSpec>& (*specs)();
  std::unique_ptr<Base> (*create)(const json& resolved_params);
};

template <typename Base, typename T>
std::unique_ptr<Base> create_step(const json& params) {
  return std::make_unique<T>(params);
}

// The registries. To add a type: implement it with a static param_specs() and a constructor
// taking the params JSON, then add one line here.
const std::vector<StepType<Transformer>>& transformer_registry() {
  static const std::vector<StepType<Transformer>> types = {
      {"StandardScaler", &StandardScaler::param_specs, &create_step<Transformer, StandardScaler>},
      {"MinMaxScaler", &MinMaxScaler::param_specs, &create_step<Transformer, MinMaxScaler>},
      {"SimpleImputer", &SimpleImputer::param_specs, &create_step<Transformer, SimpleImputer>},
  };
  return types;
}

const std::vector<StepType<Classifier>>& classifier_registry() {
  static const std::vector<StepType<Classifier>> types = {
      {"LogisticRegression", &LogisticRegression::param_specs,
       &create_step<Classifier, LogisticRegression>},
      {"RandomForestClassifier", &RandomForestClassifier::param_specs,
       &create_step<Classifier, RandomForestClassifier>},
      {"HistGradientBoostingClassifier", &HistGradientBoostingClassifier::param_specs,
       &create_step<Classifier, HistGradientBoostingClassifier>},
      {"DecisionTreeClassifier", &DecisionTreeClassifier::param_specs,
       &create_step<Classifier, DecisionTreeClassifier>},
      {"MultinomialNB", &MultinomialNB::param_specs, &create_step<Classifier, MultinomialNB>},
  };
  return types;
}

const std::vector<StepType<Regressor>>& regressor_registry() {
  static const std::vector<StepType<Regressor>> types = {
      {"LinearRegression", &LinearRegression::param_specs, &create_step<Regressor, LinearRegression>},
      {"Ridge", &Ridge::param_specs, &create_step<Regressor, Ridge>},
      {"RandomForestRegressor", &RandomForestRegressor::param_specs,
       &create_step<Regressor, RandomForestRegressor>},
      {"HistGradientBoostingRegressor", &HistGradientBoostingRegressor::param_specs,
       &create_step<Regressor, HistGradientBoostingRegressor>},
      {"DecisionTreeRegressor", &DecisionTreeRegressor::param_specs,
       &create_step<Regressor, DecisionTreeRegressor>},
  };
  return types;
}

// Steps that read table columns but are not matrix Transformers (the pipeline adapts them).
struct ColumnOnlyType {
  const char* name;
  const std::vector<ParamSpec>& (*specs)();
};
const std::vector<ColumnOnlyType>& column_only_registry() {
  static const std::vector<ColumnOnlyType> types = {
      {"TfidfVectorizer", &TfidfVectorizer::param_specs},
      {"CountVectorizer", &CountVectorizer::param_specs},
      {"OneHotEncoder", &OneHotEncoder::param_specs},
  };
  return types;
}

template <typename Base>
const StepType<Base>* find_type(const std::vector<StepType<Base>>& registry,
                                const std::string& name) {
  for (const auto& t : registry) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

template <typename Base>
std::vector<std::string> names_of(const std::vector<StepType<Base>>& registry) {
  std::vector<std::string> names;
  for (const auto& t : registry) names.emplace_back(t.name);
  return names;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

template <typename Base>
Result<std::unique_ptr<Base>> make_step(const std::vector<StepType<Base>>& registry,
                                        const char* kind, const std::string& type,
                                        const json& params) {
  const StepType<Base>* t = find_type(registry, type);
  if (t == nullptr) {
    return Status::invalid(std::string("unknown ") + kind + " type '" + type +
                           "' (known: " + join(names_of(registry)) + ")");
  }
  auto resolved = resolve_params(type, t->specs(), params);
  if (!resolved) return resolved.status();
  try {
    return t->create(resolved.value());
  } catch (const Error& e) {
    return e.status();
  }
}

}  // namespace

std::vector<int> most_probable(const Matrix& proba) {
  std::vector<int> out(static_cast<size_t>(proba.rows()), 0);
  for (Eigen::Index i = 0; i < proba.rows(); ++i) {
    Eigen::Index best = 0;
    for (Eigen::Index j = 1; j < proba.cols(); ++j) {
      if (proba(i, j) > proba(i, best)) best = j;  // ties keep the lowest index (np.argmax)
    }
    out[static_cast<size_t>(i)] = static_cast<int>(best);
  }
  return out;
}

std::vector<int> Classifier::predict(const Matrix& x) const { return most_probable(predict_proba(x)); }

const std::vector<ParamSpec>* param_specs_for(const std::string& type) {
  if (const auto* t = find_type(transformer_registry(), type)) return &t->specs();
  if (const auto* t = find_type(classifier_registry(), type)) return &t->specs();
  if (const auto* t = find_type(regressor_registry(), type)) return &t->specs();
  for (const auto& t : column_only_registry()) {
    if (type == t.name) return &t.specs();
  }
  return nullptr;
}

std::vector<std::string> transformer_types() { return names_of(transformer_registry()); }

std::vector<std::string> classifier_types() { return names_of(classifier_registry()); }

std::vector<std::string> regressor_types() { return names_of(regressor_registry()); }

Result<json> validate_step_params(const std::string& type, const json& params) {
  try {
    if (type == "TfidfVectorizer") return TfidfVectorizer(params).params();
    if (type == "CountVectorizer") return CountVectorizer(params).params();
    if (type == "OneHotEncoder") return OneHotEncoder(params).params();
  } catch (const Error& e) {
    return e.status();
  }
  const auto* specs = param_specs_for(type);
  if (!specs) return Status::invalid("unknown step type '" + type + "'");
  return resolve_params(type, *specs, params);
}

std::vector<std::string> column_step_types() {
  std::vector<std::string> names;
  for (const auto& t : column_only_registry()) names.emplace_back(t.name);
  for (const auto& t : transformer_types()) names.push_back(t);
  return names;
}

Result<std::unique_ptr<Transformer>> make_transformer(const std::string& type, const json& params) {
  return make_step(transformer_registry(), "transformer", type, params);
}

Result<std::unique_ptr<Classifier>> make_classifier(const std::string& type, const json& params) {
  return make_step(classifier_registry(), "classifier", type, params);
}

Result<std::unique_ptr<Regressor>> make_regressor(const std::string& type, const json& params) {
  return make_step(regressor_registry(), "regressor", type, params);
}

}  // namespace mllab::ml

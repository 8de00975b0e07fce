#include "core/pipeline/spec.hpp"

#include <string>

#include "core/ml/model_selection.hpp"

#include <gtest/gtest.h>

namespace mllab::pipeline {
namespace {

// A valid spec; tests edit one thing at a time.
json valid_spec() {
  return json::parse(R"({
    "schema": "mllab.pipeline", "schema_version": 1,
    "experiment": "breast-cancer", "run_name": "logreg-baseline",
    "dataset": {"path": "assets/datasets/breast_cancer.csv", "target": "target"},
    "split": {"test_size": 0.2, "random_state": 42, "stratify": true},
    "steps": [{"name": "scaler", "type": "StandardScaler", "params": {}},
              {"name": "model", "type": "LogisticRegression", "params": {"C": 1.0}}]
  })");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Parses `doc`, expects an error and returns its message.
std::string error_of(const json& doc, ErrorCode code = ErrorCode::kInvalidParameterValue) {
  Result<PipelineSpec> r = Status::internal("unset");
  try {
    r = parse_pipeline_spec(doc);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "parse_pipeline_spec threw instead of returning an error: " << e.what()
                  << "\n  spec: " << doc.dump();
    return "";
  }
  EXPECT_FALSE(r.is_ok()) << "expected an error for " << doc.dump();
  if (r.is_ok()) return "";
  EXPECT_EQ(r.status().code(), code) << r.status().to_string();
  return r.status().message();
}

TEST(PipelineSpec, ValidSpecParses) {
  auto r = parse_pipeline_spec(valid_spec());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const PipelineSpec& s = r.value();
  EXPECT_EQ(s.experiment, "breast-cancer");
  EXPECT_EQ(s.run_name, "logreg-baseline");
  EXPECT_EQ(s.dataset_path, "assets/datasets/breast_cancer.csv");
  EXPECT_EQ(s.target, "target");
  EXPECT_TRUE(s.features.empty());
  EXPECT_EQ(s.test_size, 0.2);
  EXPECT_EQ(s.random_state, 42u);
  EXPECT_TRUE(s.stratify);
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].name, "scaler");
  EXPECT_EQ(s.steps[0].type, "StandardScaler");
  EXPECT_EQ(s.steps[1].name, "model");
  EXPECT_EQ(s.steps[1].type, "LogisticRegression");
  EXPECT_EQ(s.steps[1].params, json({{"C", 1.0}}));
}

TEST(PipelineSpec, ParsesFromText) {
  auto r = parse_pipeline_spec(valid_spec().dump());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->target, "target");
  auto bad = parse_pipeline_spec(std::string("{\"schema\": "));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kParseError);
  auto arr = parse_pipeline_spec(std::string("[1, 2]"));
  ASSERT_FALSE(arr.is_ok());
  EXPECT_EQ(arr.status().code(), ErrorCode::kParseError);
}

TEST(PipelineSpec, DefaultsAreFilled) {
  json doc = {{"schema", "mllab.pipeline"},
              {"schema_version", 1},
              {"dataset", {{"path", "d.csv"}, {"target", "y"}}},
              {"steps", {{{"type", "StandardScaler"}}, {{"type", "LogisticRegression"}}}}};
  auto r = parse_pipeline_spec(doc);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->experiment, "Default");
  EXPECT_EQ(r->run_name, "");
  EXPECT_EQ(r->test_size, 0.25);  // scikit-learn's train_test_split default
  EXPECT_EQ(r->random_state, 0u);
  EXPECT_TRUE(r->stratify);
  EXPECT_TRUE(r->tags.empty());
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_EQ(r->steps[0].name, "step0");
  EXPECT_EQ(r->steps[1].name, "model") << "the final estimator is named 'model' by default";
  EXPECT_TRUE(r->steps[0].params.is_object());
  EXPECT_TRUE(r->steps[0].params.empty());
}

TEST(PipelineSpec, OptionalFieldsAreRead) {
  json doc = valid_spec();
  doc["dataset"]["features"] = {"mean radius", "mean texture"};
  doc["tags"] = {{"team", "a"}};
  doc["description"] = "free text";
  doc["split"]["stratify"] = false;
  auto r = parse_pipeline_spec(doc);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->features, (std::vector<std::string>{"mean radius", "mean texture"}));
  EXPECT_EQ(r->tags.at("team"), "a");
  EXPECT_FALSE(r->stratify);
}

TEST(PipelineSpec, CanonicalJsonRoundTrips) {
  json doc = valid_spec();
  doc["dataset"]["features"] = {"a", "b"};
  doc["tags"] = {{"k", "v"}};
  auto r = parse_pipeline_spec(doc);
  ASSERT_TRUE(r.is_ok());
  json canon = pipeline_spec_to_json(*r);
  EXPECT_EQ(canon["schema"], "mllab.pipeline");
  EXPECT_EQ(canon["schema_version"], 1);
  auto again = parse_pipeline_spec(canon);
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(pipeline_spec_to_json(*again), canon);
  EXPECT_EQ(again->features, r->features);
  EXPECT_EQ(again->random_state, 42u);
  EXPECT_EQ(again->test_size, 0.2);
}

TEST(PipelineSpec, UnknownTopLevelFieldIsNamed) {
  json doc = valid_spec();
  doc["tes_size"] = 0.3;
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "'tes_size'")) << m;
}

TEST(PipelineSpec, UnknownSplitFieldIsNamed) {
  json doc = valid_spec();
  doc["split"]["tes_size"] = 0.3;
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "'tes_size'")) << m;
  EXPECT_TRUE(contains(m, "split")) << m;
}

TEST(PipelineSpec, UnknownDatasetFieldIsNamed) {
  json doc = valid_spec();
  doc["dataset"]["taget"] = "x";
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "'taget'")) << m;
  EXPECT_TRUE(contains(m, "dataset")) << m;
}

TEST(PipelineSpec, MissingDatasetTargetIsNamed) {
  json doc = valid_spec();
  doc["dataset"].erase("target");
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "dataset")) << m;
  EXPECT_TRUE(contains(m, "target")) << m;
}

TEST(PipelineSpec, MissingDatasetOrPathIsNamed) {
  json doc = valid_spec();
  doc.erase("dataset");
  EXPECT_TRUE(contains(error_of(doc), "dataset"));
  json doc2 = valid_spec();
  doc2["dataset"].erase("path");
  std::string m = error_of(doc2);
  EXPECT_TRUE(contains(m, "path")) << m;
}

TEST(PipelineSpec, TestSizeMustBeInOpenUnitInterval) {
  for (double bad : {0.0, 1.0, 1.5, -0.1}) {
    SCOPED_TRACE(bad);
    json doc = valid_spec();
    doc["split"]["test_size"] = bad;
    std::string m = error_of(doc);
    EXPECT_TRUE(contains(m, "test_size")) << m;
  }
  json ok = valid_spec();
  ok["split"]["test_size"] = 0.5;
  EXPECT_TRUE(parse_pipeline_spec(ok).is_ok());
}

TEST(PipelineSpec, TestSizeWrongTypeIsNamed) {
  json doc = valid_spec();
  doc["split"]["test_size"] = "0.2";
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "test_size")) << m;
}

TEST(PipelineSpec, RandomStateMustBeANonNegativeInteger) {
  for (json bad : {json(-1), json(1.5), json("42"), json(nullptr)}) {
    SCOPED_TRACE(bad.dump());
    json doc = valid_spec();
    doc["split"]["random_state"] = bad;
    std::string m = error_of(doc);
    EXPECT_TRUE(contains(m, "random_state")) << m;
    EXPECT_TRUE(contains(m, bad.dump())) << "the message shows the received value: " << m;
  }
  json zero = valid_spec();
  zero["split"]["random_state"] = 0;
  ASSERT_TRUE(parse_pipeline_spec(zero).is_ok());
  EXPECT_EQ(parse_pipeline_spec(zero)->random_state, 0u);
}

TEST(PipelineSpec, UnknownStepTypeListsTheAvailableOnes) {
  json doc = valid_spec();
  doc["steps"][1]["type"] = "LogisticRegresion";
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "steps[1]")) << m;
  EXPECT_TRUE(contains(m, "'LogisticRegresion'")) << m;
  EXPECT_TRUE(contains(m, "LogisticRegression")) << "available types are listed: " << m;

  json t = valid_spec();
  t["steps"][0]["type"] = "MinMaxScalar";
  std::string mt = error_of(t);
  EXPECT_TRUE(contains(mt, "steps[0]")) << mt;
  EXPECT_TRUE(contains(mt, "'MinMaxScalar'")) << mt;
  EXPECT_TRUE(contains(mt, "StandardScaler")) << mt;
}

TEST(PipelineSpec, LastStepMustBeAnEstimatorAndOthersTransformers) {
  json last_transformer = valid_spec();
  last_transformer["steps"] = {{{"type", "LogisticRegression"}}, {{"type", "StandardScaler"}}};
  std::string m = error_of(last_transformer);
  EXPECT_TRUE(contains(m, "steps[0].type: 'LogisticRegression' is an estimator: only the last step can be one")) << m;
  // A known type in the wrong place says what it is and where it goes, not "unknown".
  json only_transformer = valid_spec();
  only_transformer["steps"] = {{{"type", "StandardScaler"}}};
  m = error_of(only_transformer);
  EXPECT_TRUE(contains(m, "steps[0].type: 'StandardScaler' is a transformer, but the last step must be the estimator")) << m;
  EXPECT_FALSE(contains(m, "unknown")) << m;
  json vectorizer_without_columns = valid_spec();
  vectorizer_without_columns["steps"] = {{{"type", "TfidfVectorizer"}}, {{"type", "LogisticRegression"}}};
  m = error_of(vectorizer_without_columns);
  EXPECT_TRUE(contains(m, "steps[0].type: 'TfidfVectorizer' reads columns of the table: give it \"columns\"")) << m;
  EXPECT_FALSE(contains(m, "unknown")) << m;
  json only_model = valid_spec();
  only_model["steps"] = {{{"type", "LogisticRegression"}}};
  EXPECT_TRUE(parse_pipeline_spec(only_model).is_ok());
}

TEST(PipelineSpec, MissingStepTypeIsNamed) {
  json doc = valid_spec();
  doc["steps"][0].erase("type");
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "steps[0]")) << m;
  EXPECT_TRUE(contains(m, "type")) << m;
}

TEST(PipelineSpec, EmptyOrMissingStepsAreRefused) {
  json empty = valid_spec();
  empty["steps"] = json::array();
  EXPECT_TRUE(contains(error_of(empty), "steps"));
  json missing = valid_spec();
  missing.erase("steps");
  EXPECT_TRUE(contains(error_of(missing), "steps"));
}

TEST(PipelineSpec, UnknownStepParameterIsNamed) {
  json doc = valid_spec();
  doc["steps"][1]["params"] = {{"c", 1.0}};
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "'c'")) << m;
  EXPECT_TRUE(contains(m, "steps[1]")) << m;
  EXPECT_TRUE(contains(m, "C")) << "known parameters are listed: " << m;
}

TEST(PipelineSpec, UnknownStepFieldIsNamed) {
  json doc = valid_spec();
  doc["steps"][1]["parms"] = {{"C", 1.0}};
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "'parms'")) << m;
  EXPECT_TRUE(contains(m, "steps[1]")) << m;
}

TEST(PipelineSpec, NegativeCNamesCAndTheValue) {
  json doc = valid_spec();
  doc["steps"][1]["params"]["C"] = -1;
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "'C'")) << m;
  EXPECT_TRUE(contains(m, "-1")) << m;
  json zero = valid_spec();
  zero["steps"][1]["params"]["C"] = 0;
  EXPECT_TRUE(contains(error_of(zero), "'C'")) << "C must be strictly positive";
}

TEST(PipelineSpec, WrongParameterTypeIsRefused) {
  json doc = valid_spec();
  doc["steps"][0]["params"] = {{"with_mean", "yes"}};
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "with_mean")) << m;
  json params_not_object = valid_spec();
  params_not_object["steps"][1]["params"] = json::array();
  EXPECT_TRUE(contains(error_of(params_not_object), "params"));
}

TEST(PipelineSpec, DuplicateStepNameIsRefused) {
  json doc = valid_spec();
  doc["steps"][0]["name"] = "model";
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "duplicate")) << m;
  EXPECT_TRUE(contains(m, "'model'")) << m;
}

TEST(PipelineSpec, StepNameWithDoubleUnderscoreIsRefused) {
  json doc = valid_spec();
  doc["steps"][0]["name"] = "my__scaler";
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "my__scaler")) << m;
}

TEST(PipelineSpec, WrongSchemaIsRefused) {
  json doc = valid_spec();
  doc["schema"] = "mllab.pipelines";
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "schema")) << m;
  EXPECT_TRUE(contains(m, "mllab.pipelines")) << m;
  json missing = valid_spec();
  missing.erase("schema");
  EXPECT_TRUE(contains(error_of(missing), "schema"));
}

TEST(PipelineSpec, NewerOrMissingSchemaVersionIsRefused) {
  json v2 = valid_spec();
  v2["schema_version"] = 2;
  std::string m = error_of(v2);
  EXPECT_TRUE(contains(m, "schema_version 2")) << m;
  json v0 = valid_spec();
  v0.erase("schema_version");
  EXPECT_TRUE(contains(error_of(v0), "schema_version"));
}

TEST(PipelineSpec, EmptyExperimentIsRefused) {
  json doc = valid_spec();
  doc["experiment"] = "";
  EXPECT_TRUE(contains(error_of(doc), "experiment"));
}

TEST(PipelineSpec, WronglyTypedFieldsAreErrorsNotExceptions) {
  // A spec comes from users: every wrong type must be a Status naming the field.
  const std::pair<const char*, json> cases[] = {
      {"experiment", json(5)},
      {"run_name", json::array()},
      {"tags", json("x")},
  };
  for (const auto& [field, value] : cases) {
    SCOPED_TRACE(field);
    json doc = valid_spec();
    doc[field] = value;
    std::string m;
    ASSERT_NO_THROW(m = error_of(doc));
    EXPECT_TRUE(contains(m, field)) << m;
  }
  json features = valid_spec();
  features["dataset"]["features"] = "mean radius";
  std::string m;
  ASSERT_NO_THROW(m = error_of(features));
  EXPECT_TRUE(contains(m, "features")) << m;
  json split = valid_spec();
  split["split"] = 0.2;
  ASSERT_NO_THROW(m = error_of(split));
  EXPECT_TRUE(contains(m, "split")) << m;
}

// Regression test for a bug found when these tests were written (now fixed).
TEST(PipelineSpec, WronglyTypedSchemaFieldsAndStepNameAreErrorsNotExceptions) {
  const std::pair<const char*, json> cases[] = {
      {"schema", json(1)},
      {"schema_version", json("1")},
  };
  for (const auto& [field, value] : cases) {
    SCOPED_TRACE(field);
    json doc = valid_spec();
    doc[field] = value;
    std::string m = error_of(doc);  // fails the test (does not crash) if it throws
    EXPECT_TRUE(contains(m, field)) << m;
  }
  json step_name = valid_spec();
  step_name["steps"][0]["name"] = 3;
  std::string m = error_of(step_name);
  EXPECT_TRUE(contains(m, "steps[0]")) << m;
}

// ---------------------------------------------------------------------------------------------
// Column steps, regressors, evaluate and search.

json column_spec() {
  return json::parse(R"({
    "schema": "mllab.pipeline", "schema_version": 1,
    "experiment": "sentiment", "run_name": "rf",
    "dataset": {"path": "assets/datasets/sentiment.csv", "target": "label", "features": ["n_words"]},
    "steps": [{"name": "tfidf", "type": "TfidfVectorizer", "columns": ["text"], "params": {"max_features": 1000}},
              {"name": "cats", "type": "OneHotEncoder", "columns": ["source"], "params": {"handle_unknown": "ignore"}},
              {"name": "scaler", "type": "StandardScaler", "params": {"with_mean": false}},
              {"name": "model", "type": "RandomForestClassifier", "params": {"n_estimators": 10}}]
  })");
}

TEST(PipelineSpec, ColumnStepsAreRead) {
  auto r = parse_pipeline_spec(column_spec());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->steps.size(), 4u);
  EXPECT_EQ(r->steps[0].columns, (std::vector<std::string>{"text"}));
  EXPECT_EQ(r->steps[1].columns, (std::vector<std::string>{"source"}));
  EXPECT_TRUE(r->steps[2].columns.empty());
  EXPECT_TRUE(r->steps[3].columns.empty());
  EXPECT_EQ(r->features, (std::vector<std::string>{"n_words"}));
  EXPECT_FALSE(is_regression(*r));
  // The canonical document keeps the columns and parses back to itself.
  json canon = pipeline_spec_to_json(*r);
  EXPECT_EQ(canon["steps"][0]["columns"], json({"text"}));
  EXPECT_FALSE(canon["steps"][2].contains("columns"));
  auto again = parse_pipeline_spec(canon);
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(pipeline_spec_to_json(*again), canon);
  EXPECT_EQ(again->steps[0].columns, r->steps[0].columns);
}

TEST(PipelineSpec, NumericColumnStepsAreAccepted) {
  json doc = column_spec();
  doc["steps"] = json::parse(R"([
    {"name": "imp", "type": "SimpleImputer", "columns": ["a", "b"], "params": {"strategy": "median"}},
    {"name": "mm", "type": "MinMaxScaler", "columns": ["c"]},
    {"name": "sc", "type": "StandardScaler", "columns": ["d"]},
    {"name": "model", "type": "LogisticRegression"}])");
  auto r = parse_pipeline_spec(doc);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->steps[0].columns, (std::vector<std::string>{"a", "b"}));
}

TEST(PipelineSpec, ColumnStepAfterAMatrixStepIsRefused) {
  json doc = column_spec();
  std::swap(doc["steps"][1], doc["steps"][2]);  // scaler (matrix) before cats (columns)
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "steps[2]")) << m;
  EXPECT_TRUE(contains(m, "columns")) << m;
}

TEST(PipelineSpec, FinalEstimatorWithColumnsIsRefused) {
  json doc = column_spec();
  doc["steps"][3]["columns"] = {"text"};
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "steps[3]")) << m;
  EXPECT_TRUE(contains(m, "columns")) << m;
}

TEST(PipelineSpec, EmptyOrWronglyTypedColumnsAreRefused) {
  json empty = column_spec();
  empty["steps"][0]["columns"] = json::array();
  std::string m = error_of(empty);
  EXPECT_TRUE(contains(m, "steps[0]")) << m;
  EXPECT_TRUE(contains(m, "columns")) << m;
  json text = column_spec();
  text["steps"][0]["columns"] = "text";
  m = error_of(text);
  EXPECT_TRUE(contains(m, "steps[0]")) << m;
  EXPECT_TRUE(contains(m, "columns")) << m;
}

TEST(PipelineSpec, UnknownColumnStepTypeListsTheAvailableOnes) {
  json doc = column_spec();
  doc["steps"][0]["type"] = "HashingVectorizer";
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "steps[0]")) << m;
  EXPECT_TRUE(contains(m, "'HashingVectorizer'")) << m;
  EXPECT_TRUE(contains(m, "TfidfVectorizer")) << m;
  EXPECT_TRUE(contains(m, "OneHotEncoder")) << m;
  EXPECT_TRUE(contains(m, "SimpleImputer")) << m;
}

TEST(PipelineSpec, VectorizerWithoutColumnsIsRefused) {
  json doc = column_spec();
  doc["steps"][0].erase("columns");
  std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "steps[0]")) << m;
  EXPECT_TRUE(contains(m, "TfidfVectorizer")) << m;
}

TEST(PipelineSpec, ColumnStepParametersAreValidated) {
  json typo = column_spec();
  typo["steps"][0]["params"] = {{"max_featres", 10}};
  std::string m = error_of(typo);
  EXPECT_TRUE(contains(m, "steps[0]")) << m;
  EXPECT_TRUE(contains(m, "max_featres")) << m;
  json choice = column_spec();
  choice["steps"][1]["params"] = {{"handle_unknown", "skip"}};
  m = error_of(choice);
  EXPECT_TRUE(contains(m, "steps[1]")) << m;
  EXPECT_TRUE(contains(m, "handle_unknown")) << m;
}

TEST(PipelineSpec, RegressorsAreFinalEstimators) {
  for (const char* type : {"LinearRegression", "Ridge", "RandomForestRegressor",
                           "HistGradientBoostingRegressor", "DecisionTreeRegressor"}) {
    SCOPED_TRACE(type);
    json doc = valid_spec();
    doc["steps"][1] = {{"name", "model"}, {"type", type}};
    auto r = parse_pipeline_spec(doc);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_TRUE(is_regression(*r));
    EXPECT_EQ(scoring_of(*r, ""), "r2");
    EXPECT_EQ(scoring_of(*r, "neg_mean_absolute_error"), "neg_mean_absolute_error");
  }
  auto c = parse_pipeline_spec(valid_spec());
  ASSERT_TRUE(c.is_ok());
  EXPECT_FALSE(is_regression(*c));
  EXPECT_EQ(scoring_of(*c, ""), "accuracy");
  // A regressor is not a transformer.
  json mid = valid_spec();
  mid["steps"][0] = {{"type", "Ridge"}};
  std::string m = error_of(mid);
  EXPECT_TRUE(contains(m, "steps[0]")) << m;
  EXPECT_TRUE(contains(m, "'Ridge'")) << m;
  json alpha = valid_spec();
  alpha["steps"][1] = {{"name", "model"}, {"type", "Ridge"}, {"params", {{"alpha", -1}}}};
  m = error_of(alpha);
  EXPECT_TRUE(contains(m, "alpha")) << m;
}

TEST(PipelineSpec, EvaluateAndSearchAreReadWithDefaults) {
  json doc = valid_spec();
  doc["evaluate"] = {{"cv", 5}};
  doc["search"] = {{"type", "grid"}, {"param_grid", {{"model__C", {0.1, 1.0}}}}};
  auto r = parse_pipeline_spec(doc);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->evaluate.cv, 5);
  EXPECT_EQ(r->evaluate.scoring, "");
  EXPECT_EQ(r->search.type, "grid");
  EXPECT_EQ(r->search.cv, 5);
  EXPECT_EQ(r->search.n_iter, 10);
  EXPECT_EQ(r->search.random_state, 0u);
  EXPECT_EQ(r->search.scoring, "");
  EXPECT_EQ(r->search.param_grid, json({{"model__C", {0.1, 1.0}}}));
  // Without the fields: no cross-validation, no search.
  auto plain = parse_pipeline_spec(valid_spec());
  ASSERT_TRUE(plain.is_ok());
  EXPECT_EQ(plain->evaluate.cv, 0);
  EXPECT_TRUE(plain->search.type.empty());
}

TEST(PipelineSpec, RandomSearchAcceptsParamDistributions) {
  json doc = valid_spec();
  doc["search"] = {{"type", "random"}, {"n_iter", 3}, {"random_state", 11}, {"cv", 4},
                   {"scoring", "roc_auc"},
                   {"param_distributions", {{"model__C", {0.1, 1.0, 10.0}}, {"scaler__with_mean", {true, false}}}}};
  auto r = parse_pipeline_spec(doc);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->search.type, "random");
  EXPECT_EQ(r->search.n_iter, 3);
  EXPECT_EQ(r->search.random_state, 11u);
  EXPECT_EQ(r->search.cv, 4);
  EXPECT_EQ(r->search.scoring, "roc_auc");
  EXPECT_EQ(r->search.param_grid["scaler__with_mean"], json({true, false}));
  json bad = doc;
  bad["search"]["param_distributions"]["scaler__with_mean"] = {true, "no"};
  std::string m = error_of(bad);
  EXPECT_TRUE(contains(m, "param_distributions")) << m;
  EXPECT_TRUE(contains(m, "with_mean")) << m;
}

// A random search over scipy-style distributions: {"model__C": loguniform, ...}.
json random_search_spec(const json& distributions) {
  json doc = valid_spec();
  doc["search"] = {{"type", "random"}, {"n_iter", 6}, {"random_state", 4}, {"cv", 3},
                   {"param_distributions", distributions}};
  return doc;
}

TEST(PipelineSpec, RandomSearchAcceptsScipyDistributions) {
  const json dists = {{"model__C", {{"distribution", "loguniform"}, {"a", 0.01}, {"b", 100}}},
                      {"model__max_iter", {{"distribution", "randint"}, {"low", 50}, {"high", 300}}},
                      {"model__tol", {{"distribution", "uniform"}, {"loc", 1e-5}, {"scale", 1e-3}}},
                      {"scaler__with_mean", {true, false}}};
  auto r = parse_pipeline_spec(random_search_spec(dists));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->search.param_grid, dists);
  // The canonical document keeps the distributions and parses again.
  json canon = pipeline_spec_to_json(*r);
  auto again = parse_pipeline_spec(canon);
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->search.param_grid, dists);
  // Every drawn candidate is a valid set of step parameters (the train job applies each one
  // with set_step_param, as grid values).
  ml::ParameterSampler sampler(r->search.param_grid, 50, r->search.random_state);
  for (const auto& cand : sampler.candidates()) {
    PipelineSpec candidate = *r;
    for (auto it = cand.begin(); it != cand.end(); ++it) {
      Status st = set_step_param(candidate, it.key(), it.value());
      EXPECT_TRUE(st.is_ok()) << cand.dump() << ": " << st.message();
    }
    const int64_t iters = candidate.steps[1].params.at("max_iter").get<int64_t>();
    EXPECT_GE(iters, 50);
    EXPECT_LT(iters, 300);
  }
}

TEST(PipelineSpec, BadDistributionsAreErrorsNamingParameterAndField) {
  std::string m = error_of(random_search_spec(
      {{"model__C", {{"distribution", "loguniform"}, {"a", 0}, {"b", 100}}}}));
  EXPECT_EQ(m, "search.param_distributions.model__C: loguniform needs 0 < a < b (received a=0, b=100)");
  m = error_of(random_search_spec({{"model__C", {{"distribution", "norm"}, {"loc", 1}}}}));
  EXPECT_TRUE(contains(m, "search.param_distributions.model__C")) << m;
  EXPECT_TRUE(contains(m, "unknown distribution 'norm'")) << m;
  // Draws outside the parameter's range: C must be > 0 and uniform(-1, 2) reaches -1.
  m = error_of(random_search_spec({{"model__C", {{"distribution", "uniform"}, {"loc", -1}, {"scale", 2}}}}));
  EXPECT_TRUE(contains(m, "search.param_distributions.model__C")) << m;
  EXPECT_TRUE(contains(m, "uniform(loc=-1, scale=2)")) << m;
  EXPECT_TRUE(contains(m, "'C' must be > 0")) << m;
  // The upper end counts too: max_iter >= 1 is fine, but a string parameter takes no numbers.
  m = error_of(random_search_spec({{"model__solver", {{"distribution", "randint"}, {"low", 1}, {"high", 3}}}}));
  EXPECT_TRUE(contains(m, "model__solver")) << m;
  // Integer parameters need integer draws.
  m = error_of(random_search_spec({{"model__max_iter", {{"distribution", "uniform"}, {"loc", 50}, {"scale", 50}}}}));
  EXPECT_EQ(m, "search.param_distributions.model__max_iter: uniform(loc=50, scale=50) draws non-integer "
               "values but 'max_iter' takes integers (use randint)");
  // Unknown parameters and steps are named.
  m = error_of(random_search_spec({{"model__gamma", {{"distribution", "uniform"}}}}));
  EXPECT_TRUE(contains(m, "gamma")) << m;
  m = error_of(random_search_spec({{"clf__C", {{"distribution", "uniform"}, {"loc", 1}}}}));
  EXPECT_TRUE(contains(m, "clf")) << m;
  // A grid search takes lists only.
  json grid = valid_spec();
  grid["search"] = {{"type", "grid"},
                    {"param_grid", {{"model__C", {{"distribution", "loguniform"}, {"a", 0.1}, {"b", 1}}}}}};
  m = error_of(grid);
  EXPECT_TRUE(contains(m, "search.param_grid.model__C")) << m;
  EXPECT_TRUE(contains(m, "random search")) << m;
  // Neither a list nor a distribution.
  m = error_of(random_search_spec({{"model__C", 1.0}}));
  EXPECT_EQ(m, "search.param_distributions.model__C: must be a non-empty list or a distribution");
}

TEST(PipelineSpec, CanonicalJsonRoundTripsEvaluateAndSearch) {
  json doc = valid_spec();
  doc["evaluate"] = {{"cv", 3}, {"scoring", "f1_macro"}};
  doc["search"] = {{"type", "random"}, {"n_iter", 4}, {"random_state", 9}, {"cv", 2},
                   {"scoring", "accuracy"}, {"param_grid", {{"model__C", {0.5, 2.0}}}}};
  auto r = parse_pipeline_spec(doc);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  json canon = pipeline_spec_to_json(*r);
  auto again = parse_pipeline_spec(canon);
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(pipeline_spec_to_json(*again), canon);
  EXPECT_EQ(again->evaluate.cv, 3);
  EXPECT_EQ(again->evaluate.scoring, "f1_macro");
  EXPECT_EQ(again->search.type, "random");
  EXPECT_EQ(again->search.n_iter, 4);
  EXPECT_EQ(again->search.random_state, 9u);
  EXPECT_EQ(again->search.cv, 2);
  EXPECT_EQ(again->search.param_grid, r->search.param_grid);
  // Specs differing only in their search have different canonical documents.
  json other = doc;
  other["search"]["n_iter"] = 5;
  EXPECT_NE(pipeline_spec_to_json(parse_pipeline_spec(other).value()), canon);
}

TEST(PipelineSpec, EvaluateAndSearchWronglyTypedAreErrors) {
  json cv = valid_spec();
  cv["evaluate"] = {{"cv", "5"}};
  std::string m = error_of(cv);
  EXPECT_TRUE(contains(m, "cv")) << m;
  json ev = valid_spec();
  ev["evaluate"] = 5;
  EXPECT_TRUE(contains(error_of(ev), "evaluate"));
  json se = valid_spec();
  se["search"] = json::array();
  EXPECT_TRUE(contains(error_of(se), "search"));
  json unknown = valid_spec();
  unknown["search"] = {{"type", "grid"}, {"param_grid", {{"model__C", {1.0}}}}, {"refit", false}};
  m = error_of(unknown);
  EXPECT_TRUE(contains(m, "'refit'")) << m;
  json no_type = valid_spec();
  no_type["search"] = {{"param_grid", {{"model__C", {1.0}}}}};
  EXPECT_TRUE(contains(error_of(no_type), "type"));
}

TEST(PipelineSpec, SetStepParamValidatesAndNamesTheStep) {
  PipelineSpec s = parse_pipeline_spec(valid_spec()).value();
  ASSERT_TRUE(set_step_param(s, "model__C", json(0.5)).is_ok());
  EXPECT_EQ(s.steps[1].params.at("C"), json(0.5));
  ASSERT_TRUE(set_step_param(s, "scaler__with_std", json(false)).is_ok());
  EXPECT_EQ(s.steps[0].params.at("with_std"), json(false));

  Status bad = set_step_param(s, "model__C", json(-2));
  EXPECT_FALSE(bad.is_ok());
  EXPECT_TRUE(contains(bad.message(), "model__C")) << bad.message();
  EXPECT_EQ(s.steps[1].params.at("C"), json(0.5)) << "a refused value leaves the spec unchanged";

  Status step = set_step_param(s, "clf__C", json(1.0));
  EXPECT_FALSE(step.is_ok());
  EXPECT_TRUE(contains(step.message(), "clf")) << step.message();
  Status sep = set_step_param(s, "C", json(1.0));
  EXPECT_FALSE(sep.is_ok());
  EXPECT_TRUE(contains(sep.message(), "step__param")) << sep.message();
  Status param = set_step_param(s, "model__gamma", json(1.0));
  EXPECT_FALSE(param.is_ok());
  EXPECT_TRUE(contains(param.message(), "gamma")) << param.message();
}

// Issue 9: `features: []` trained on every column.
TEST(PipelineSpec, EmptyFeatureListIsAnError) {
  json doc = valid_spec();
  doc["dataset"]["features"] = json::array();
  EXPECT_TRUE(contains(error_of(doc), "dataset.features: must list at least one column")) << error_of(doc);
}

// Issue 9: a spec nesting 100,000 levels crashed the CLI; at 50,000 the message repeated it whole.
TEST(PipelineSpec, DeepNestingIsRefusedNamingLineColumnAndLimit) {
  for (int depth : {200, 50000, 100000}) {
    std::string text = "{\"schema\": \"mllab.pipeline\",\n \"run_name\": " + std::string(size_t(depth), '[') +
                       std::string(size_t(depth), ']') + "}";
    auto r = parse_pipeline_spec(text);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kParseError);
    EXPECT_EQ(r.status().message(), "pipeline spec: JSON nests deeper than 128 levels at line 2, column 141")
        << depth;
  }
  // A value nested below the limit but of the wrong type: the message quotes it cut short.
  json doc = valid_spec();
  json deep = json::array();
  for (int i = 0; i < 100; ++i) deep = json::array({deep});
  doc["run_name"] = deep;
  const std::string m = error_of(doc);
  EXPECT_TRUE(contains(m, "spec.run_name: wrong type")) << m;
  EXPECT_LT(m.size(), 200u) << m;
}

TEST(PipelineSpec, SyntaxErrorsNameLineAndColumn) {
  auto r = parse_pipeline_spec(std::string("{\n  \"schema\": \"mllab.pipeline\",\n  \"experiment\": ,\n}"));
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "pipeline spec: invalid JSON at line 3, column 17")) << r.status().message();
  auto big = parse_pipeline_spec(std::string("{\"split\": {\"test_size\": 1e400}}"));
  ASSERT_FALSE(big.is_ok());
  EXPECT_TRUE(contains(big.status().message(), "(field 'split.test_size') is out of range")) << big.status().message();
}
}  // namespace
}  // namespace mllab::pipeline

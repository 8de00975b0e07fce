#include "core/pipeline/spec.hpp"

#include <string>

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
  EXPECT_TRUE(contains(m, "StandardScaler")) << m;
  json only_transformer = valid_spec();
  only_transformer["steps"] = {{{"type", "StandardScaler"}}};
  EXPECT_FALSE(parse_pipeline_spec(only_transformer).is_ok());
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

}  // namespace
}  // namespace mllab::pipeline

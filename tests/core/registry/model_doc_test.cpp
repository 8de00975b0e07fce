#include "core/registry/model_doc.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/util/clock.hpp"
#include "registry_test_util.hpp"

namespace mllab::registry {
namespace {

using testing::contains;
using testing::read_table;

// A pipeline built from a spec (not fitted: the document needs only its structure).
pipeline::FittedPipeline pipeline_of(const json& steps, const std::vector<std::string>& features,
                                     const std::vector<std::string>& classes) {
  auto spec = pipeline::parse_pipeline_spec(testing::spec_doc("x.csv", "y", steps));
  EXPECT_TRUE(spec.is_ok()) << spec.status().to_string();
  auto p = pipeline::FittedPipeline::from_spec(spec.value());
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  p->features = features;
  p->classes = classes;
  p->target = "y";
  return std::move(p).value();
}

const json kLogreg = json::array({{{"name", "model"}, {"type", "LogisticRegression"}}});

// A document with a hand-written signature.
ModelDoc doc_with(const std::vector<ColumnSpec>& inputs) {
  ModelDoc d;
  d.flavors = {{"mllab", {{"pipeline", "pipeline.json"}}}};
  Signature s;
  s.inputs = inputs;
  s.outputs = {TensorSpec{"int64", {-1}}};
  d.signature = s;
  return d;
}

data::Column numeric(const std::string& name, std::vector<double> v) {
  data::Column c;
  c.name = name;
  c.type = data::ColumnType::kNumeric;
  c.numbers = std::move(v);
  return c;
}

data::Column strings(const std::string& name, std::vector<std::string> v, std::vector<unsigned char> missing = {}) {
  data::Column c;
  c.name = name;
  c.type = data::ColumnType::kCategorical;
  if (missing.empty()) missing.assign(v.size(), 0);
  c.strings = std::move(v);
  c.missing = std::move(missing);
  return c;
}

data::Table table_of(std::vector<data::Column> cols) {
  data::Table t;
  for (auto& c : cols) EXPECT_TRUE(t.add_column(std::move(c)).is_ok());
  return t;
}

TEST(ModelDocTest, UtcTimeTextIsMlflowsFormat) {
  // Checked with Python: str(datetime(1970, 1, 1) + timedelta(milliseconds=ms)).
  EXPECT_EQ(utc_time_text(0), "1970-01-01 00:00:00.000000");
  EXPECT_EQ(utc_time_text(1700000000000), "2023-11-14 22:13:20.000000");
  EXPECT_EQ(utc_time_text(951786123456), "2000-02-29 01:02:03.456000");  // a leap day
  EXPECT_EQ(utc_time_text(-1), "1969-12-31 23:59:59.999000");
}

TEST(ModelDocTest, BuildsTheIrisDocument) {
  const data::Table features = read_table(testing::iris_csv()).drop_column("target");
  const auto p = pipeline_of(json::array({{{"name", "scaler"}, {"type", "StandardScaler"}},
                                          {{"name", "model"}, {"type", "LogisticRegression"}}}),
                             {"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"},
                             {"0", "1", "2"});
  const ModelDoc d = build_model_doc(p, features, "abc123", 1700000000000, "0.1.0");
  EXPECT_EQ(d.artifact_path, "model");
  EXPECT_EQ(d.run_id, "abc123");
  EXPECT_EQ(d.utc_time_created, "2023-11-14 22:13:20.000000");
  EXPECT_EQ(d.time_created_ms, 1700000000000);
  EXPECT_EQ(d.model_uuid.size(), 32u);
  EXPECT_EQ(d.model_uuid, build_model_doc(p, features, "abc123", 1700000000000, "0.1.0").model_uuid);
  EXPECT_NE(d.model_uuid, build_model_doc(p, features, "abc124", 1700000000000, "0.1.0").model_uuid);
  EXPECT_EQ(d.mllab_version, "0.1.0");
  EXPECT_EQ(d.estimator(), "LogisticRegression");
  EXPECT_EQ(d.pipeline_file(), "pipeline.json");
  EXPECT_EQ(d.flavors["python_function"]["loader_module"], "mllab");
  EXPECT_EQ(d.flavors["python_function"]["data"], "pipeline.json");
  EXPECT_EQ(d.flavors["mllab"]["task"], "classification");
  EXPECT_EQ(d.classes, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(d.target, "y");
  ASSERT_TRUE(d.signature.has_value());
  const std::vector<ColumnSpec> want = {{"sepal length (cm)", "double", true},
                                        {"sepal width (cm)", "double", true},
                                        {"petal length (cm)", "double", true},
                                        {"petal width (cm)", "double", true}};
  EXPECT_EQ(d.signature->inputs, want);
  EXPECT_EQ(d.signature->outputs, (std::vector<TensorSpec>{{"int64", {-1}}}));
  EXPECT_EQ(d.saved_input_example_info,
            json({{"artifact_path", "input_example.json"}, {"type", "dataframe"}, {"pandas_orient", "split"}}));
  // The first five rows of iris.csv, as in the file.
  const json example = json::parse(R"js({"columns": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)",
      "petal width (cm)"], "data": [[5.1, 3.5, 1.4, 0.2], [4.9, 3.0, 1.4, 0.2], [4.7, 3.2, 1.3, 0.2],
      [4.6, 3.1, 1.5, 0.2], [5.0, 3.6, 1.4, 0.2]]})js");
  EXPECT_EQ(input_example_to_json(d), example);
}

TEST(ModelDocTest, SignatureTypesAndOutputDtypes) {
  // Mixed columns with a missing value; the training table's order wins, columns the pipeline
  // does not read are left out, a pipeline column the table lacks is typed from its step.
  data::Table features = table_of({strings("color", {"red", "blue", "red", "", "blue", "red"}, {0, 0, 0, 1, 0, 0}),
                                   numeric("unused", {1, 2, 3, 4, 5, 6}),
                                   numeric("size", {1, 2, std::nan(""), 4, 5, 6})});
  const json steps = json::array({{{"name", "enc"}, {"type", "OneHotEncoder"}, {"columns", {"color"}}},
                                  {{"name", "tf"}, {"type", "TfidfVectorizer"}, {"columns", {"review"}}},
                                  {{"name", "model"}, {"type", "LogisticRegression"}}});
  const auto p = pipeline_of(steps, {"size"}, {"cat", "dog"});
  const ModelDoc d = build_model_doc(p, features, "r", 0, "0.1.0");
  ASSERT_TRUE(d.signature.has_value());
  const std::vector<ColumnSpec> want = {{"color", "string", true}, {"size", "double", true}, {"review", "string", true}};
  EXPECT_EQ(d.signature->inputs, want);
  EXPECT_EQ(d.signature->outputs[0].dtype, "str");
  // Missing values are null in the example; only the signature's columns, first five rows.
  const json example = json::parse(R"({"columns": ["color", "size"],
      "data": [["red", 1.0], ["blue", 2.0], ["red", null], [null, 4.0], ["blue", 5.0]]})");
  EXPECT_EQ(d.input_example, example);

  // Without training data the pipeline's steps give the types, in pipeline order.
  const ModelDoc from_pipeline = model_doc_from_pipeline(p, "r", 0, "0.1.0");
  const std::vector<ColumnSpec> want2 = {{"color", "string", true}, {"review", "string", true}, {"size", "double", true}};
  EXPECT_EQ(from_pipeline.signature->inputs, want2);
  EXPECT_TRUE(from_pipeline.input_example.is_null());
  EXPECT_TRUE(from_pipeline.saved_input_example_info.is_null());

  EXPECT_EQ(build_model_doc(pipeline_of(kLogreg, {"a"}, {"1.5", "2"}), features, "r", 0, "").signature->outputs[0].dtype,
            "float64");
  EXPECT_EQ(build_model_doc(pipeline_of(kLogreg, {"a"}, {"-1", "0", "1"}), features, "r", 0, "").signature->outputs[0].dtype,
            "int64");
  const auto reg = pipeline_of(json::array({{{"name", "model"}, {"type", "LinearRegression"}}}), {"size"}, {});
  const ModelDoc rd = build_model_doc(reg, features, "r", 0, "");
  EXPECT_EQ(rd.signature->outputs[0].dtype, "float64");
  EXPECT_TRUE(rd.is_regression());
  EXPECT_EQ(rd.flavors["mllab"]["task"], "regression");
}

TEST(ModelDocTest, JsonRoundTripsInBothSignatureForms) {
  const data::Table features = read_table(testing::iris_csv()).drop_column("target");
  const auto p = pipeline_of(kLogreg, {"sepal length (cm)", "petal width (cm)"}, {"0", "1", "2"});
  ModelDoc d = build_model_doc(p, features, "run1", 1700000000123, "0.1.0");
  const json j = model_doc_to_json(d);
  EXPECT_EQ(j["schema"], "mllab.model");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_TRUE(j["signature"]["inputs"].is_array());
  EXPECT_FALSE(j.contains("input_example"));  // a separate artifact
  auto back = model_doc_from_json(j);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  d.input_example = nullptr;
  EXPECT_EQ(model_doc_to_json(back.value()), j);
  EXPECT_EQ(back->signature, d.signature);
  EXPECT_EQ(back->classes, d.classes);

  // MLflow's form: signature parts as JSON text.
  const json mj = model_doc_to_mlflow_json(d);
  EXPECT_FALSE(mj.contains("schema"));
  ASSERT_TRUE(mj["signature"]["inputs"].is_string());
  EXPECT_EQ(json::parse(mj["signature"]["inputs"].get<std::string>()),
            json::parse(R"js([{"type": "double", "name": "sepal length (cm)", "required": true},
                            {"type": "double", "name": "petal width (cm)", "required": true}])js"));
  auto from_mlflow = model_doc_from_json(mj);
  ASSERT_TRUE(from_mlflow.is_ok()) << from_mlflow.status().to_string();
  EXPECT_EQ(from_mlflow->signature, d.signature);
}

TEST(ModelDocTest, ReadsAnMlflowMlmodelDocument) {
  // An MLmodel as MLflow writes it for a scikit-learn model (YAML converted to JSON).
  const json mlmodel = json::parse(R"({
    "artifact_path": "model",
    "flavors": {"python_function": {"loader_module": "mlflow.sklearn", "model_path": "model.pkl",
                                    "env": {"conda": "conda.yaml"}, "python_version": "3.10.12"},
                "sklearn": {"pickled_model": "model.pkl", "serialization_format": "cloudpickle",
                            "sklearn_version": "1.2.1"}},
    "mlflow_version": "2.9.2", "model_uuid": "4d1c2c8b0b0b4c7e9f1e", "run_id": "e3f2",
    "saved_input_example_info": {"artifact_path": "input_example.json", "type": "dataframe", "pandas_orient": "split"},
    "signature": {"inputs": "[{\"type\": \"double\", \"name\": \"mean radius\", \"required\": true}, {\"type\": \"long\", \"name\": \"count\", \"required\": false}]",
                  "outputs": "[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"int64\", \"shape\": [-1]}}]",
                  "params": null},
    "utc_time_created": "2024-01-15 10:30:45.123456"})");
  auto d = model_doc_from_json(mlmodel);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_TRUE(d->signature.has_value());
  EXPECT_EQ(d->signature->inputs,
            (std::vector<ColumnSpec>{{"mean radius", "double", true}, {"count", "long", false}}));
  EXPECT_EQ(d->signature->outputs, (std::vector<TensorSpec>{{"int64", {-1}}}));
  EXPECT_EQ(d->run_id, "e3f2");
  EXPECT_EQ(d->utc_time_created, "2024-01-15 10:30:45.123456");
  EXPECT_EQ(d->estimator(), "");
  EXPECT_EQ(d->pipeline_file(), "pipeline.json");
}

TEST(ModelDocTest, RefusesMalformedAndNewerDocuments) {
  json j = model_doc_to_json(doc_with({{"a", "double", true}}));
  j["schema_version"] = 2;
  auto r = model_doc_from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "schema_version 2 is not supported")) << r.status().message();

  j = model_doc_to_json(doc_with({{"a", "double", true}}));
  j["signature"]["inputs"] = "[not json";
  r = model_doc_from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "signature.inputs: invalid JSON at line 1, column 3")) << r.status().message();

  j = model_doc_to_json(doc_with({{"a", "double", true}}));
  j["signature"]["inputs"] = json::array({{{"type", "double"}}});
  r = model_doc_from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "signature input 0 has no column name")) << r.status().message();

  j = model_doc_to_json(doc_with({{"a", "double", true}}));
  j.erase("flavors");
  r = model_doc_from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "'flavors'")) << r.status().message();

  j = model_doc_to_json(doc_with({{"a", "double", true}}));
  j["classes"] = json::array({1, 2});
  r = model_doc_from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "'classes'")) << r.status().message();
}

TEST(ModelDocTest, ConformReordersDropsAndConverts) {
  const ModelDoc d = doc_with({{"b", "double", true}, {"a", "string", true}, {"n", "long", true},
                               {"flag", "boolean", true}, {"opt", "double", false}});
  // Columns in another order, an extra one, numbers given as text, codes given as numbers,
  // whole numbers for the long column; "opt" is optional and absent.
  data::Table in = table_of({numeric("a", {1, 2, std::nan("")}), strings("extra", {"x", "y", "z"}),
                             strings("b", {"1.5", "-2", ""}, {0, 0, 1}), numeric("n", {3, -4, std::nan("")}),
                             strings("flag", {"true", "False", "1"})});
  auto out = conform_input(d, in);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->num_columns(), 4u);
  EXPECT_EQ(out->column(0).name, "b");
  EXPECT_EQ(out->column(1).name, "a");
  EXPECT_EQ(out->column(2).name, "n");
  EXPECT_EQ(out->column(3).name, "flag");
  EXPECT_EQ(out->column(0).type, data::ColumnType::kNumeric);
  EXPECT_EQ(out->column(0).numbers[0], 1.5);
  EXPECT_EQ(out->column(0).numbers[1], -2.0);
  EXPECT_TRUE(std::isnan(out->column(0).numbers[2]));
  EXPECT_NE(out->column(1).type, data::ColumnType::kNumeric);
  EXPECT_EQ(out->column(1).strings[0], "1");
  EXPECT_EQ(out->column(1).strings[1], "2");
  EXPECT_TRUE(out->column(1).is_missing(2));
  EXPECT_EQ(out->column(2).numbers[1], -4.0);
  EXPECT_EQ(out->column(3).numbers, (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(out->num_rows(), 3u);

  // A document without a signature takes the input as it is.
  ModelDoc none = d;
  none.signature.reset();
  auto same = conform_input(none, in);
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(same->num_columns(), in.num_columns());
}

TEST(ModelDocTest, ConformListsEveryMissingAndMistypedColumnInOneError) {
  const ModelDoc d = doc_with({{"sepal length (cm)", "double", true}, {"sepal width (cm)", "double", true},
                               {"petal length (cm)", "double", true}, {"petal width (cm)", "double", true},
                               {"count", "long", true}, {"flag", "boolean", true}, {"blob", "binary", true}});
  data::Table in = table_of({strings("sepal length (cm)", {"5.1", "4.9", "abc", "x"}),
                             numeric("sepal width (cm)", {3.5, 3.0, 3.2, 3.1}),
                             numeric("count", {1, 2.5, 3, 4}), numeric("flag", {0, 1, 2, 1}),
                             numeric("blob", {0, 0, 0, 0})});
  auto out = conform_input(d, in);
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(out.status().message(),
            "input does not match the model signature: missing columns ['petal length (cm)', 'petal width (cm)']; "
            "column 'sepal length (cm)' expects double, got string ('abc' in row 3); "
            "column 'count' expects long, got double (2.5 in row 2); "
            "column 'flag' expects boolean, got double (2 in row 3); "
            "column 'blob' has the signature type 'binary', which MLLab cannot check");

  // Only a mistyped column: no "missing columns" part.
  const ModelDoc d2 = doc_with({{"a", "long", true}});
  auto out2 = conform_input(d2, table_of({strings("a", {"1", "2.5"})}));
  ASSERT_FALSE(out2.is_ok());
  EXPECT_EQ(out2.status().message(),
            "input does not match the model signature: column 'a' expects long, got string ('2.5' in row 2)");
}

TEST(ModelDocTest, SplitJsonRoundTrips) {
  data::Table t = table_of({numeric("x", {1.5, std::nan(""), -3}), strings("c", {"a", "", "b"}, {0, 1, 0})});
  const json j = table_to_split_json(t, 10);
  EXPECT_EQ(j, json::parse(R"({"columns": ["x", "c"], "data": [[1.5, "a"], [null, null], [-3.0, "b"]]})"));
  auto back = table_from_split_json(j);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(table_to_split_json(back.value(), 10), j);
  EXPECT_EQ(back->column(1).type, data::ColumnType::kCategorical);
  EXPECT_EQ(table_to_split_json(t, 1)["data"].size(), 1u);

  auto bad = table_from_split_json(json::parse(R"({"columns": ["x"], "data": [[1], [1, 2]]})"));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(contains(bad.status().message(), "row 2 must be an array of 1 values")) << bad.status().message();
  bad = table_from_split_json(json::parse(R"({"columns": ["x"], "data": [[{"a": 1}]]})"));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(contains(bad.status().message(), "column 'x' row 1 holds object")) << bad.status().message();
}

}  // namespace
}  // namespace mllab::registry

// The registry's JSON shapes: predictions with labels typed as the training target and
// probabilities keyed by class, model versions with MLflow's REST field names.
#include <set>

#include <gtest/gtest.h>

#include "core/registry/registry.hpp"
#include "registry_test_util.hpp"

namespace mllab::registry {
namespace {

using json = nlohmann::json;

Predictions classified(std::vector<std::string> classes, std::vector<int> picks, std::string dtype) {
  Predictions p;
  p.classes = std::move(classes);
  p.label_dtype = std::move(dtype);
  p.class_indices = picks;
  p.probabilities = ml::Matrix::Zero(Eigen::Index(picks.size()), Eigen::Index(p.classes.size()));
  for (size_t i = 0; i < picks.size(); ++i) {
    p.labels.push_back(p.classes[size_t(picks[i])]);
    for (size_t k = 0; k < p.classes.size(); ++k) p.probabilities(Eigen::Index(i), Eigen::Index(k)) = k == size_t(picks[i]) ? 0.75 : 0.25 / double(p.classes.size() - 1);
  }
  return p;
}

TEST(PredictionsJsonTest, NumericTargetsGiveNumbersStringTargetsStrings) {
  const json ints = predictions_to_json(classified({"0", "1", "2"}, {2, 0}, "int64"));
  EXPECT_EQ(ints, json::parse(R"({"predictions": [2, 0], "classes": [0, 1, 2],
    "probabilities": [{"0": 0.125, "1": 0.125, "2": 0.75}, {"0": 0.75, "1": 0.125, "2": 0.125}]})"));
  EXPECT_TRUE(ints["predictions"][0].is_number_integer());

  const json floats = predictions_to_json(classified({"0.5", "1.5"}, {1}, "float64"));
  EXPECT_EQ(floats["predictions"], json::parse("[1.5]"));
  EXPECT_EQ(floats["classes"], json::parse("[0.5, 1.5]"));
  EXPECT_EQ(floats["probabilities"][0], json::parse(R"({"0.5": 0.25, "1.5": 0.75})"));

  // Strings stay strings, also when they look like numbers ("007" is a label, not 7).
  const json strs = predictions_to_json(classified({"007", "neg", "pos"}, {0, 2}, "str"));
  EXPECT_EQ(strs["predictions"], json::parse(R"(["007", "pos"])"));
  EXPECT_EQ(strs["classes"], json::parse(R"(["007", "neg", "pos"])"));
}

TEST(PredictionsJsonTest, WithoutProbabilitiesAndForRegressors) {
  const json j = predictions_to_json(classified({"0", "1"}, {1, 1}, "int64"), /*with_probabilities=*/false);
  EXPECT_EQ(j, json::parse(R"({"predictions": [1, 1]})"));
  Predictions r;
  r.regression = true;
  r.values = {1.5, -2};
  EXPECT_EQ(predictions_to_json(r), json::parse(R"({"predictions": [1.5, -2.0]})"));
}

TEST(PredictionsJsonTest, ClassLabelJsonFallsBackToTheText) {
  EXPECT_EQ(class_label_json("3", "int64"), json(3));
  EXPECT_EQ(class_label_json("-1", "int64"), json(-1));
  EXPECT_EQ(class_label_json("2.5", "int64"), json(2.5)) << "a signature that says int64 of a label that is not";
  EXPECT_EQ(class_label_json("x", "int64"), json("x"));
  EXPECT_EQ(class_label_json("3", "str"), json("3"));
  EXPECT_EQ(class_label_json("3", ""), json("3"));
}

class RegistryJsonTest : public ::testing::Test {
 protected:
  store::MemoryStore store_;
  tracking::TrackingClient client_{store_};
  ModelRegistry registry_{store_, client_};
};

// Through a real run and predict(): the label type comes from the model, not from the caller.
TEST_F(RegistryJsonTest, PredictTypesLabelsFromTheModel) {
  const std::string iris = testing::train_run(client_, testing::iris_logreg_spec(), testing::iris_csv());
  ASSERT_TRUE(registry_.register_model("runs:/" + iris + "/model", "iris").is_ok());
  auto model = registry_.load_model("models:/iris/1");
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  const data::Table rows = testing::read_table(
      "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n");
  auto p = predict(*model, rows);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->label_dtype, "int64");
  const json j = predictions_to_json(*p);
  EXPECT_EQ(j["predictions"], json::parse("[0, 2]"));
  EXPECT_EQ(j["classes"], json::parse("[0, 1, 2]"));
  double sum = 0;
  for (const auto& [k, v] : j["probabilities"][1].items()) sum += v.get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_GT(j["probabilities"][1]["2"].get<double>(), 0.5);

  std::string csv = "color,size,animal\n";
  for (int i = 0; i < 30; ++i) csv += std::string(i % 2 ? "blue" : "red") + "," + std::to_string(i % 2 ? 10 + i % 4 : 1 + i % 3) + "," + (i % 2 ? "dog" : "cat") + "\n";
  const json spec = testing::spec_doc("inline/animals.csv", "animal",
                                      json::array({{{"name", "model"}, {"type", "LogisticRegression"}}}), "r", json::array({"size"}));
  const std::string animals = testing::train_run(client_, spec, csv);
  auto m2 = registry_.load_model("runs:/" + animals + "/model");
  ASSERT_TRUE(m2.is_ok()) << m2.status().to_string();
  auto p2 = predict(*m2, testing::read_table("size\n2\n12\n"));
  ASSERT_TRUE(p2.is_ok()) << p2.status().to_string();
  EXPECT_EQ(predictions_to_json(*p2)["predictions"], json::parse(R"(["cat", "dog"])"));
}

TEST_F(RegistryJsonTest, ModelVersionShapesUseMlflowRestNames) {
  const std::string run = testing::train_run(client_, testing::iris_logreg_spec(), testing::iris_csv());
  ASSERT_TRUE(registry_.register_model("runs:/" + run + "/model", "iris").is_ok());
  auto m = registry_.get_registered_model("iris");
  ASSERT_TRUE(m.is_ok());
  const json v = model_version_to_json(m->versions[0]);
  std::set<std::string> keys;
  for (const auto& [k, x] : v.items()) keys.insert(k);
  // MLflow's ModelVersion (service.proto in model_registry), "version" a string as there.
  EXPECT_EQ(keys, (std::set<std::string>{"name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage",
                                         "description", "source", "run_id", "status", "tags", "aliases"}));
  EXPECT_EQ(v["version"], "1");
  EXPECT_EQ(v["source"], "runs:/" + run + "/model");
  EXPECT_TRUE(v["tags"].is_array()) << "REST tags: [{key, value}]";

  const json detail = registered_model_to_detail_json(*m);
  EXPECT_EQ(detail["name"], "iris");
  ASSERT_EQ(detail["versions"].size(), 1u);
  EXPECT_EQ(detail["versions"][0]["model_doc"]["signature"]["inputs"][0]["name"], "sepal length (cm)");
  EXPECT_EQ(detail["latest_versions"][0]["version"], "1");

  auto inputs = registry_.training_inputs("iris", 1);
  ASSERT_TRUE(inputs.is_ok());
  const json in = training_inputs_to_json(*inputs);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0]["dataset"]["name"], "iris");
  EXPECT_EQ(in[0]["tags"]["mlflow.data.context"], "training");
}

}  // namespace
}  // namespace mllab::registry

#include "core/registry/registry.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/util/clock.hpp"
#include "core/util/sha256.hpp"
#include "registry_test_util.hpp"

namespace mllab::registry {
namespace {

using testing::contains;
using testing::iris_csv;
using testing::read_table;
using testing::Snapshot;
using testing::snapshot;

const std::vector<std::string> kIrisFeatures = {"sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                                                "petal width (cm)"};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { set_clock_for_testing([this] { return now_ += 10; }); }
  void TearDown() override { set_clock_for_testing(nullptr); }

  // A finished iris run (with model/MLmodel unless told otherwise).
  std::string iris_run(double c = 1.0, bool write_mlmodel = true) {
    return testing::train_run(client_, testing::iris_logreg_spec(c), iris_csv(), write_mlmodel);
  }

  // Registers a run's model, failing the test on an error.
  ModelVersion register_run(const std::string& run_id, const std::string& name) {
    auto v = registry_.register_model("runs:/" + run_id + "/model", name);
    EXPECT_TRUE(v.is_ok()) << v.status().to_string();
    return v.is_ok() ? v.value() : ModelVersion();
  }

  // Expects `status` to fail with a one-line message containing `needle`, and the store to be
  // byte-identical to `before`.
  void expect_refused(const Status& status, const std::string& needle, const Snapshot& before) {
    EXPECT_FALSE(status.is_ok());
    EXPECT_TRUE(contains(status.message(), needle)) << status.message();
    EXPECT_FALSE(contains(status.message(), "\n")) << status.message();
    EXPECT_EQ(snapshot(store_), before) << "a failed call wrote to the store";
  }

  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  tracking::TrackingClient client_{store_};
  ModelRegistry registry_{store_, client_};
};

TEST_F(RegistryTest, RegisteringTwoRunsGivesVersionsOneAndTwo) {
  const std::string run1 = iris_run(1.0), run2 = iris_run(0.5);
  const int64_t before = now_;
  ModelVersion v1 = register_run(run1, "iris");
  ModelVersion v2 = register_run(run2, "iris");
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v1.name, "iris");
  EXPECT_EQ(v1.source, "runs:/" + run1 + "/model");
  EXPECT_EQ(v2.source, "runs:/" + run2 + "/model");
  EXPECT_EQ(v1.run_id, run1);
  EXPECT_EQ(v1.current_stage, "None");
  EXPECT_EQ(v1.status, "READY");
  EXPECT_GT(v1.creation_timestamp, before);
  EXPECT_GT(v2.creation_timestamp, v1.creation_timestamp);
  // The version carries the run's MLmodel document.
  EXPECT_EQ(v1.model_doc.run_id, run1);
  EXPECT_EQ(v1.model_doc.estimator(), "LogisticRegression");
  ASSERT_TRUE(v1.model_doc.signature.has_value());
  ASSERT_EQ(v1.model_doc.signature->inputs.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(v1.model_doc.signature->inputs[i].name, kIrisFeatures[i]);
    EXPECT_EQ(v1.model_doc.signature->inputs[i].type, "double");
  }

  auto m = registry_.get_registered_model("iris");
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(m->name, "iris");
  ASSERT_EQ(m->versions.size(), 2u);
  EXPECT_EQ(m->creation_timestamp, v1.creation_timestamp);
  EXPECT_EQ(m->last_updated_timestamp, v2.creation_timestamp);
  // One record per registered model.
  EXPECT_EQ(store_.keys("registered_models/"), (std::vector<std::string>{"registered_models/iris"}));

  auto got = registry_.get_model_version("iris", 2);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->run_id, run2);

  // mlflow.register_model also accepts a models:/ URI: the new version points at the same run.
  auto copy = registry_.register_model("models:/iris/1", "iris-copy");
  ASSERT_TRUE(copy.is_ok()) << copy.status().to_string();
  EXPECT_EQ(copy->version, 1);
  EXPECT_EQ(copy->source, "runs:/" + run1 + "/model");
}

TEST_F(RegistryTest, TheInputExampleSavedBesideTheModelIsReadBack) {
  const std::string run = iris_run();
  register_run(run, "iris");
  // What the run saved as model/input_example.json (pandas "split" orient)...
  auto bytes = client_.get_artifact(run, "model/input_example.json");
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  const json saved = json::parse(*bytes);
  ASSERT_TRUE(saved.contains("columns") && saved.contains("data"));
  EXPECT_EQ(saved["columns"].get<std::vector<std::string>>(), kIrisFeatures);
  EXPECT_FALSE(saved["data"].empty());
  // ...is the version's example, also after the registry is read back from the store.
  ModelRegistry reread(store_, client_);
  auto ex = reread.input_example("iris", 1);
  ASSERT_TRUE(ex.is_ok()) << ex.status().to_string();
  EXPECT_EQ(*ex, saved);
  // Loading the model for predicting carries it in the document too.
  auto loaded = reread.load_model("models:/iris/1");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->doc.input_example, saved);
  // A model saved without an example (no MLmodel naming one) has none, without an error.
  const std::string bare = iris_run(1.0, /*write_mlmodel=*/false);
  register_run(bare, "bare");
  auto none = reread.input_example("bare", 1);
  ASSERT_TRUE(none.is_ok()) << none.status().to_string();
  EXPECT_TRUE(none->is_null());
  EXPECT_FALSE(reread.input_example("iris", 9).is_ok());
}

TEST_F(RegistryTest, RegisterRefusesWhatIsNotAModel) {
  const std::string run = iris_run();
  // A run that failed (its target column does not exist) saved no model.
  json bad = testing::iris_logreg_spec();
  bad["dataset"]["target"] = "species";
  auto spec = pipeline::parse_pipeline_spec(bad);
  ASSERT_TRUE(spec.is_ok());
  pipeline::DatasetSource src;
  src.name = "iris";
  src.path = "assets/datasets/iris.csv";
  src.bytes = iris_csv();
  pipeline::TrainJob job(spec.value(), src, client_, "test");
  job.run_to_end();
  ASSERT_FALSE(job.status().is_ok());

  const Snapshot before = snapshot(store_);
  expect_refused(registry_.register_model("runs:/" + job.run_id() + "/model", "iris").status(),
                 "run '" + job.run_id() + "' has no model at 'model'", before);
  expect_refused(registry_.register_model("runs:/0000dead/model", "iris").status(), "no run with id '0000dead'",
                 before);
  expect_refused(registry_.register_model("runs:/" + run + "/other", "iris").status(), "no artifact 'other/pipeline.json'",
                 before);
  expect_refused(registry_.register_model("runs:/" + run + "/model", "my\niris").status(),
                 "'my\\niris' contains a control character", before);
  expect_refused(registry_.register_model("runs:/" + run + "/model", "iris/x").status(), "contains '/'", before);
  expect_refused(registry_.register_model("runz:/" + run, "iris").status(), "unknown scheme 'runz'", before);
  expect_refused(registry_.register_model("models:/nothing/1", "iris").status(), "no registered model named 'nothing'",
                 before);

  // A corrupt MLmodel is reported, not silently replaced.
  tracking::RunData data;
  data.artifacts.push_back({{"model/MLmodel", "application/json", 0, ""}, "{\"flavors\": 3}"});
  ASSERT_TRUE(client_.log_batch(run, data).is_ok());
  const Snapshot before2 = snapshot(store_);
  expect_refused(registry_.register_model("runs:/" + run + "/model", "iris").status(), "model/MLmodel", before2);
}

TEST_F(RegistryTest, CreateRegisteredModelRefusesTakenAndBadNames) {
  auto m = registry_.create_registered_model("iris", "flowers", {{"team", "bio"}});
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(m->description, "flowers");
  EXPECT_TRUE(m->versions.empty());
  const Snapshot before = snapshot(store_);
  auto again = registry_.create_registered_model("iris");
  EXPECT_EQ(again.status().code(), ErrorCode::kResourceAlreadyExists);
  expect_refused(again.status(), "registered model 'iris' already exists", before);
  expect_refused(registry_.create_registered_model("").status(), "empty", before);
  expect_refused(registry_.create_registered_model("a@b").status(), "contains '@'", before);
  expect_refused(registry_.create_registered_model("x", "", {{"", "v"}}).status(), "tag key is empty", before);

  // An empty model has no latest version.
  auto latest = registry_.resolve(ModelUri::for_latest("iris"));
  ASSERT_FALSE(latest.is_ok());
  EXPECT_EQ(latest.status().message(), "model 'iris' has no versions");
}

TEST_F(RegistryTest, StagesWithAndWithoutArchivingExistingVersions) {
  const std::string run = iris_run();
  for (int i = 0; i < 3; ++i) register_run(run, "iris");

  // Without archive_existing_versions, two versions can be in Production.
  auto t1 = registry_.transition_model_version_stage("iris", 1, "production", false);
  ASSERT_TRUE(t1.is_ok()) << t1.status().to_string();
  EXPECT_EQ(t1->current_stage, "Production");  // canonicalised
  ASSERT_TRUE(registry_.transition_model_version_stage("iris", 2, "Production", false).is_ok());
  EXPECT_EQ(registry_.get_model_version("iris", 1)->current_stage, "Production");
  auto prod = registry_.resolve(ModelUri::for_stage("iris", "Production"));
  ASSERT_TRUE(prod.is_ok());
  EXPECT_EQ(prod->version, 2);  // the newest version in the stage
  auto latest = registry_.get_latest_versions("iris", {"PRODUCTION"});
  ASSERT_TRUE(latest.is_ok());
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].version, 2);
  auto all = registry_.get_latest_versions("iris");
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 2u);  // None: v3; Production: v2 (stage order)
  EXPECT_EQ((*all)[0].version, 3);
  EXPECT_EQ((*all)[0].current_stage, "None");
  EXPECT_EQ((*all)[1].version, 2);

  // With it, the others in Production are archived in the same single write.
  const Snapshot before = snapshot(store_);
  auto t3 = registry_.transition_model_version_stage("iris", 3, "Production", true);
  ASSERT_TRUE(t3.is_ok()) << t3.status().to_string();
  const Snapshot after = snapshot(store_);
  ASSERT_EQ(after.size(), before.size());
  int changed = 0;
  for (const auto& [k, v] : after) changed += before.at(k) != v ? 1 : 0;
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(registry_.get_model_version("iris", 1)->current_stage, "Archived");
  EXPECT_EQ(registry_.get_model_version("iris", 2)->current_stage, "Archived");
  EXPECT_EQ(registry_.get_model_version("iris", 3)->current_stage, "Production");
  EXPECT_EQ(registry_.get_model_version("iris", 1)->last_updated_timestamp, t3->last_updated_timestamp);
  EXPECT_EQ(registry_.resolve(ModelUri::for_stage("iris", "Production"))->version, 3);

  // Staging works the same way; archive_existing_versions only for Staging / Production.
  ASSERT_TRUE(registry_.transition_model_version_stage("iris", 1, "staging", true).is_ok());
  EXPECT_EQ(registry_.get_model_version("iris", 1)->current_stage, "Staging");
  const Snapshot now = snapshot(store_);
  expect_refused(registry_.transition_model_version_stage("iris", 2, "Archived", true).status(),
                 "archive_existing_versions is only valid when moving to Staging or Production (got 'Archived')", now);
  expect_refused(registry_.transition_model_version_stage("iris", 2, "None", true).status(), "(got 'None')", now);
  expect_refused(registry_.transition_model_version_stage("iris", 2, "Prod", false).status(),
                 "invalid stage 'Prod' for model 'iris' version 2: expected one of None, Staging, Production, Archived",
                 now);
  expect_refused(registry_.transition_model_version_stage("iris", 9, "Staging", false).status(),
                 "model 'iris' has no version 9", now);
  expect_refused(registry_.get_latest_versions("iris", {"Prod"}).status(), "invalid stage 'Prod'", now);

  // A stage without versions.
  ASSERT_TRUE(registry_.transition_model_version_stage("iris", 1, "None", false).is_ok());
  auto staging = registry_.resolve(ModelUri::for_stage("iris", "Staging"));
  ASSERT_FALSE(staging.is_ok());
  EXPECT_EQ(staging.status().message(), "no version of model 'iris' is in stage 'Staging'");
  EXPECT_EQ(staging.status().code(), ErrorCode::kResourceDoesNotExist);
}

TEST_F(RegistryTest, AliasesSetMoveDeleteAndGoWithTheirVersion) {
  const std::string run = iris_run();
  for (int i = 0; i < 3; ++i) register_run(run, "iris");
  ASSERT_TRUE(registry_.set_registered_model_alias("iris", "champion", 1).is_ok());
  ASSERT_TRUE(registry_.set_registered_model_alias("iris", "challenger", 2).is_ok());
  EXPECT_EQ(registry_.resolve(ModelUri::for_alias("iris", "champion"))->version, 1);
  auto v1 = registry_.get_model_version("iris", 1);
  EXPECT_EQ(v1->aliases, (std::vector<std::string>{"champion"}));

  // Move the champion to version 2: both aliases now point there.
  ASSERT_TRUE(registry_.set_registered_model_alias("iris", "champion", 2).is_ok());
  auto champ = registry_.get_model_version_by_alias("iris", "champion");
  ASSERT_TRUE(champ.is_ok());
  EXPECT_EQ(champ->version, 2);
  EXPECT_EQ(champ->aliases, (std::vector<std::string>{"challenger", "champion"}));
  EXPECT_TRUE(registry_.get_model_version("iris", 1)->aliases.empty());
  auto m = registry_.get_registered_model("iris");
  EXPECT_EQ(m->aliases, (std::map<std::string, int>{{"challenger", 2}, {"champion", 2}}));

  // Delete one alias.
  ASSERT_TRUE(registry_.delete_registered_model_alias("iris", "challenger").is_ok());
  Snapshot before = snapshot(store_);
  auto gone = registry_.get_model_version_by_alias("iris", "challenger");
  EXPECT_EQ(gone.status().code(), ErrorCode::kResourceDoesNotExist);
  expect_refused(gone.status(), "model 'iris' has no alias 'challenger'", before);
  expect_refused(registry_.delete_registered_model_alias("iris", "challenger"), "has no alias 'challenger'", before);
  expect_refused(registry_.set_registered_model_alias("iris", "latest", 1), "reserved", before);
  expect_refused(registry_.set_registered_model_alias("iris", "v3", 1), "reserved", before);
  expect_refused(registry_.set_registered_model_alias("iris", "3", 1), "only digits", before);
  expect_refused(registry_.set_registered_model_alias("iris", "top model", 1), "invalid alias name 'top model'", before);
  expect_refused(registry_.set_registered_model_alias("iris", "x", 7), "model 'iris' has no version 7", before);
  expect_refused(registry_.set_registered_model_alias("nope", "x", 1), "no registered model named 'nope'", before);

  // Deleting a version deletes its aliases; its number is not given out again.
  ASSERT_TRUE(registry_.delete_model_version("iris", 2).is_ok());
  before = snapshot(store_);
  auto after = registry_.resolve(ModelUri::for_alias("iris", "champion"));
  expect_refused(after.status(), "model 'iris' has no alias 'champion'", before);
  expect_refused(registry_.get_model_version("iris", 2).status(), "model 'iris' has no version 2", before);
  expect_refused(registry_.delete_model_version("iris", 2), "model 'iris' has no version 2", before);
  EXPECT_TRUE(registry_.get_registered_model("iris")->aliases.empty());
  EXPECT_EQ(register_run(run, "iris").version, 4);
  EXPECT_EQ(registry_.resolve(ModelUri::for_latest("iris"))->version, 4);
}

TEST_F(RegistryTest, ResolvesEveryUriKindAndNamesWhatIsMissing) {
  const std::string run1 = iris_run(1.0), run2 = iris_run(0.5);
  register_run(run1, "iris");
  register_run(run2, "iris");
  ASSERT_TRUE(registry_.set_registered_model_alias("iris", "champion", 1).is_ok());

  struct Case {
    std::string uri;
    std::optional<int> version;
    std::string run_id;
  };
  const std::vector<Case> cases = {{"models:/iris/1", 1, run1},       {"models:/iris/2", 2, run2},
                                   {"models:/iris/latest", 2, run2},  {"models:/iris@champion", 1, run1},
                                   {"models:/iris/None", 2, run2},    {"runs:/" + run1 + "/model", std::nullopt, run1},
                                   {"runs:/" + run2, std::nullopt, run2},
                                   // A unique prefix of a run id, as `runs show` takes.
                                   {"runs:/" + run1.substr(0, 8) + "/model", std::nullopt, run1}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.uri);
    auto u = parse_model_uri(c.uri);
    ASSERT_TRUE(u.is_ok()) << u.status().to_string();
    auto r = registry_.resolve(u.value());
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->version, c.version);
    EXPECT_EQ(r->run_id, c.run_id);
    EXPECT_EQ(r->artifact_path, "model");
    EXPECT_EQ(r->name.has_value(), c.version.has_value());
  }

  const Snapshot before = snapshot(store_);
  struct Bad {
    std::string uri;
    std::string message;
  };
  const std::vector<Bad> bad = {{"models:/rose/1", "no registered model named 'rose'"},
                                {"models:/iris/3", "model 'iris' has no version 3"},
                                {"models:/iris@winner", "model 'iris' has no alias 'winner'"},
                                {"models:/iris/Production", "no version of model 'iris' is in stage 'Production'"},
                                {"runs:/nope/model", "no run with id 'nope'"}};
  for (const auto& b : bad) {
    SCOPED_TRACE(b.uri);
    auto m = registry_.load_model(b.uri);
    ASSERT_FALSE(m.is_ok());
    EXPECT_EQ(m.status().code(), ErrorCode::kResourceDoesNotExist);
    expect_refused(m.status(), b.message, before);
    EXPECT_EQ(m.status().message(), b.message);
  }
  expect_refused(registry_.load_model("models:/iris/0").status(), "positive integer", before);
}

TEST_F(RegistryTest, LoadedModelPredictsExactlyLikeTheRunsOwnPipeline) {
  const std::string run = iris_run();
  register_run(run, "iris");
  ASSERT_TRUE(registry_.set_registered_model_alias("iris", "champion", 1).is_ok());
  const pipeline::FittedPipeline own = testing::run_pipeline(client_, run);
  const data::Table full = read_table(iris_csv());
  data::Table x;
  for (const auto& c : kIrisFeatures) ASSERT_TRUE(x.add_column(*full.column(c)).is_ok());
  const ml::Matrix want_proba = own.predict_proba(x);
  const std::vector<int> want = own.predict(x);

  // The same rows with the columns reversed and extra columns (the target, a note).
  data::Table shuffled;
  for (auto it = kIrisFeatures.rbegin(); it != kIrisFeatures.rend(); ++it) {
    ASSERT_TRUE(shuffled.add_column(*full.column(*it)).is_ok());
  }
  ASSERT_TRUE(shuffled.add_column(*full.column("target")).is_ok());
  data::Column note;
  note.name = "note";
  note.type = data::ColumnType::kCategorical;
  note.strings.assign(full.num_rows(), "n");
  note.missing.assign(full.num_rows(), 0);
  ASSERT_TRUE(shuffled.add_column(note).is_ok());

  for (const std::string& uri : std::vector<std::string>{"models:/iris@champion", "models:/iris/1", "runs:/" + run + "/model"}) {
    SCOPED_TRACE(uri);
    auto model = registry_.load_model(uri);
    ASSERT_TRUE(model.is_ok()) << model.status().to_string();
    EXPECT_TRUE(model->doc_from_artifact);
    EXPECT_EQ(model->uri, uri);
    EXPECT_EQ(model->resolved.run_id, run);
    auto p = predict(model.value(), shuffled);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    EXPECT_FALSE(p->regression);
    EXPECT_EQ(p->classes, (std::vector<std::string>{"0", "1", "2"}));
    EXPECT_EQ(p->class_indices, want);
    ASSERT_EQ(p->labels.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(p->labels[i], own.classes[size_t(want[i])]);
    ASSERT_EQ(p->probabilities.rows(), want_proba.rows());
    ASSERT_EQ(p->probabilities.cols(), want_proba.cols());
    // Bit-identical, not merely close.
    for (Eigen::Index i = 0; i < want_proba.rows(); ++i) {
      for (Eigen::Index j = 0; j < want_proba.cols(); ++j) ASSERT_EQ(p->probabilities(i, j), want_proba(i, j));
    }
    // The model saw the signature's columns in order.
    ASSERT_EQ(p->inputs.num_columns(), 4u);
    for (size_t j = 0; j < 4; ++j) EXPECT_EQ(p->inputs.column(j).name, kIrisFeatures[j]);
  }
  // A scaled logistic regression separates iris well: a sanity bound on the labels.
  int right = 0;
  for (size_t i = 0; i < want.size(); ++i) right += full.column("target")->numbers[i] == double(want[i]) ? 1 : 0;
  EXPECT_GE(right, 140);

  auto json_out = predictions_to_json(*predict(*registry_.load_model("models:/iris/1"), x));
  EXPECT_EQ(json_out["predictions"].size(), 150u);
  // Labels typed as the training target (iris' target column is numeric).
  EXPECT_EQ(json_out["classes"], json::array({0, 1, 2}));
  EXPECT_TRUE(json_out["predictions"][0].is_number_integer());
  EXPECT_EQ(json_out["probabilities"][0].size(), 3u);
}

TEST_F(RegistryTest, SignatureMismatchListsMissingAndMistypedColumns) {
  register_run(iris_run(), "iris");
  auto model = registry_.load_model("models:/iris/latest");
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  const data::Table bad = read_table(
      "sepal length (cm),sepal width (cm),petal length (cm)\n"
      "5.1,3.5,1.4\n"
      "4.9,3.0,1.4\n"
      "abc,3.2,1.3\n");
  auto p = predict(model.value(), bad);
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().message(),
            "input does not match the model signature: missing columns ['petal width (cm)']; "
            "column 'sepal length (cm)' expects double, got string ('abc' in row 3)");

  // Numeric text in a text column is converted when every value parses.
  data::Table text = read_table(
      "petal width (cm),petal length (cm),sepal width (cm),sepal length (cm)\n"
      "0.2,1.4,3.5,5.1\n");
  data::Table as_text;
  for (const auto& c : text.columns()) {
    data::Column s;
    s.name = c.name;
    s.type = data::ColumnType::kCategorical;
    s.strings = {c.value_string(0)};
    s.missing = {0};
    ASSERT_TRUE(as_text.add_column(s).is_ok());
  }
  auto a = predict(model.value(), text);
  auto b = predict(model.value(), as_text);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(a->labels, b->labels);
  EXPECT_EQ(a->probabilities, b->probabilities);
}

TEST_F(RegistryTest, RegressorPredictionsMatchHandComputedValues) {
  // y = 2a - b + 3 exactly, so ordinary least squares recovers it: predictions for new rows
  // are computed by hand.
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 20; ++i) {
    const double a = i, b = (i * 7) % 5;
    csv += data::format_number(a) + "," + data::format_number(b) + "," + data::format_number(2 * a - b + 3) + "\n";
  }
  const json spec = testing::spec_doc("inline/linear.csv", "y",
                                      json::array({{{"name", "model"}, {"type", "LinearRegression"}}}));
  const std::string run = testing::train_run(client_, spec, csv);
  register_run(run, "line");
  auto model = registry_.load_model("models:/line/1");
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  EXPECT_EQ(model->doc.signature->outputs[0].dtype, "float64");
  const data::Table x = read_table("b,a\n0,0\n1,10\n4,-2.5\n");
  auto p = predict(model.value(), x);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_TRUE(p->regression);
  ASSERT_EQ(p->values.size(), 3u);
  EXPECT_NEAR(p->values[0], 3.0, 1e-9);    // 2*0 - 0 + 3
  EXPECT_NEAR(p->values[1], 22.0, 1e-9);   // 2*10 - 1 + 3
  EXPECT_NEAR(p->values[2], -6.0, 1e-9);   // 2*(-2.5) - 4 + 3
  EXPECT_TRUE(p->labels.empty());
  EXPECT_EQ(predictions_to_json(p.value()).size(), 1u);
}

TEST_F(RegistryTest, RunWithoutMlmodelAndStringColumns) {
  // String labels and a one-hot encoded string column, trained without model/MLmodel: the
  // document comes from the pipeline, so the string column is still checked and converted.
  std::string csv = "color,size,animal\n";
  for (int i = 0; i < 30; ++i) {
    const bool cat = i % 2 == 0;
    csv += std::string(cat ? "red" : (i % 3 ? "blue" : "green")) + "," + std::to_string(cat ? 1 + i % 3 : 10 + i % 4) +
           "," + (cat ? "cat" : "dog") + "\n";
  }
  const json spec = testing::spec_doc(
      "inline/animals.csv", "animal",
      json::array({{{"name", "enc"}, {"type", "OneHotEncoder"}, {"columns", {"color"}},
                    {"params", {{"handle_unknown", "ignore"}}}},
                   {{"name", "model"}, {"type", "LogisticRegression"}}}),
      "r", json::array({"color", "size"}));
  const std::string run = testing::train_run(client_, spec, csv, /*write_mlmodel=*/false);
  ModelVersion v = register_run(run, "animals");
  EXPECT_EQ(v.version, 1);
  ASSERT_TRUE(v.model_doc.signature.has_value());
  EXPECT_EQ(v.model_doc.signature->inputs,
            (std::vector<ColumnSpec>{{"color", "string", true}, {"size", "double", true}}));
  EXPECT_EQ(v.model_doc.signature->outputs[0].dtype, "str");
  EXPECT_EQ(v.model_doc.classes, (std::vector<std::string>{"cat", "dog"}));

  auto model = registry_.load_model("models:/animals/1");
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  EXPECT_FALSE(model->doc_from_artifact);
  // Unseen category codes that look numeric arrive as a numeric column: converted to strings.
  const data::Table x = read_table("size,color\n2,7\n12,8\n");
  EXPECT_EQ(x.column("color")->type, data::ColumnType::kNumeric);
  auto p = predict(model.value(), x);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->labels, (std::vector<std::string>{"cat", "dog"}));  // separable by size alone
  EXPECT_EQ(p->inputs.column("color")->strings, (std::vector<std::string>{"7", "8"}));
}

TEST_F(RegistryTest, TrainingInputsNameTheDataThatTrainedAVersion) {
  register_run(iris_run(), "iris");
  auto inputs = registry_.training_inputs("iris", 1);
  ASSERT_TRUE(inputs.is_ok()) << inputs.status().to_string();
  ASSERT_EQ(inputs->size(), 1u);
  EXPECT_EQ((*inputs)[0].context, "training");
  EXPECT_EQ((*inputs)[0].digest, sha256_hex(iris_csv()));
  EXPECT_EQ((*inputs)[0].num_rows, 150);
  EXPECT_EQ((*inputs)[0].source, "assets/datasets/iris.csv");
  const Snapshot before = snapshot(store_);
  expect_refused(registry_.training_inputs("iris", 2).status(), "model 'iris' has no version 2", before);
}

TEST_F(RegistryTest, DescriptionsTagsSearchAndDelete) {
  const std::string run = iris_run();
  register_run(run, "iris");
  register_run(run, "iris-big");
  register_run(run, "wine");
  ASSERT_TRUE(registry_.update_registered_model("iris", "flowers").is_ok());
  ASSERT_TRUE(registry_.set_registered_model_tag("iris", "team", "bio").is_ok());
  ASSERT_TRUE(registry_.set_registered_model_tag("wine", "team", "chem").is_ok());
  auto uv = registry_.update_model_version("iris", 1, "first");
  ASSERT_TRUE(uv.is_ok());
  EXPECT_EQ(uv->description, "first");
  ASSERT_TRUE(registry_.set_model_version_tag("iris", 1, "validated", "yes").is_ok());
  auto v = registry_.get_model_version("iris", 1);
  EXPECT_EQ(v->tags, (std::map<std::string, std::string>{{"validated", "yes"}}));
  EXPECT_EQ(registry_.get_registered_model("iris")->description, "flowers");

  auto names = [](const std::vector<RegisteredModel>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(m.name);
    return out;
  };
  EXPECT_EQ(names(registry_.list_registered_models()), (std::vector<std::string>{"iris", "iris-big", "wine"}));
  EXPECT_EQ(names(*registry_.search_registered_models("")), (std::vector<std::string>{"iris", "iris-big", "wine"}));
  EXPECT_EQ(names(*registry_.search_registered_models("name LIKE 'iris%'")), (std::vector<std::string>{"iris", "iris-big"}));
  EXPECT_EQ(names(*registry_.search_registered_models("name ILIKE 'IRIS_%'")), (std::vector<std::string>{"iris-big"}));
  EXPECT_EQ(names(*registry_.search_registered_models("name = 'wine'")), (std::vector<std::string>{"wine"}));
  EXPECT_EQ(names(*registry_.search_registered_models("name != 'wine' and tags.team = 'bio'")),
            (std::vector<std::string>{"iris"}));
  EXPECT_EQ(names(*registry_.search_registered_models("tags.`team` LIKE 'c%'")), (std::vector<std::string>{"wine"}));
  EXPECT_EQ(names(*registry_.search_registered_models("name LIKE '%'", 2)), (std::vector<std::string>{"iris", "iris-big"}));
  auto bad = registry_.search_registered_models("version = 1");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(contains(bad.status().message(), "expected 'name' or 'tags.<key>'")) << bad.status().message();
  bad = registry_.search_registered_models("name LIKE iris");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(contains(bad.status().message(), "expected a quoted value")) << bad.status().message();
  EXPECT_FALSE(registry_.search_registered_models("", 0).is_ok());

  Snapshot before = snapshot(store_);
  expect_refused(registry_.delete_registered_model_tag("iris", "nope"), "has no tag 'nope'", before);
  expect_refused(registry_.set_model_version_tag("iris", 5, "k", "v"), "model 'iris' has no version 5", before);
  expect_refused(registry_.set_model_version_tag("iris", 0, "k", "v"), "positive integer (got 0)", before);
  expect_refused(registry_.update_registered_model("rose", "x").status(), "no registered model named 'rose'", before);
  ASSERT_TRUE(registry_.delete_model_version_tag("iris", 1, "validated").is_ok());
  EXPECT_TRUE(registry_.get_model_version("iris", 1)->tags.empty());

  ASSERT_TRUE(registry_.delete_registered_model("iris").is_ok());
  before = snapshot(store_);
  expect_refused(registry_.get_registered_model("iris").status(), "no registered model named 'iris'", before);
  expect_refused(registry_.delete_registered_model("iris"), "no registered model named 'iris'", before);
  EXPECT_EQ(names(registry_.list_registered_models()), (std::vector<std::string>{"iris-big", "wine"}));
  // The name can be used again, from version 1.
  EXPECT_EQ(register_run(run, "iris").version, 1);
}

TEST_F(RegistryTest, JsonFormsUseMlflowFieldNames) {
  register_run(iris_run(), "iris");
  ASSERT_TRUE(registry_.set_registered_model_alias("iris", "champion", 1).is_ok());
  ASSERT_TRUE(registry_.set_model_version_tag("iris", 1, "k", "v").is_ok());
  ASSERT_TRUE(registry_.transition_model_version_stage("iris", 1, "Staging", false).is_ok());
  auto m = registry_.get_registered_model("iris");
  ASSERT_TRUE(m.is_ok());
  const json mj = registered_model_to_json(m.value());
  EXPECT_EQ(mj["name"], "iris");
  EXPECT_EQ(mj["aliases"], json::parse(R"([{"alias": "champion", "version": "1"}])"));
  EXPECT_EQ(mj["tags"], json::array());
  ASSERT_EQ(mj["latest_versions"].size(), 1u);
  const json vj = mj["latest_versions"][0];
  for (const char* key : {"name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage",
                          "description", "source", "run_id", "status", "tags", "aliases"}) {
    EXPECT_TRUE(vj.contains(key)) << key;
  }
  EXPECT_EQ(vj["version"], "1");  // a string, as MLflow
  EXPECT_EQ(vj["current_stage"], "Staging");
  EXPECT_EQ(vj["status"], "READY");
  EXPECT_EQ(vj["tags"], json::parse(R"([{"key": "k", "value": "v"}])"));
  EXPECT_EQ(vj["aliases"], json::array({"champion"}));

  // The stored record round-trips.
  const std::string record = *store_.get("registered_models/iris");
  auto parsed = parse_registered_model_record(record);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(write_registered_model_record(parsed.value()), record);
  EXPECT_EQ(parsed->versions[0].aliases, (std::vector<std::string>{"champion"}));

  // A newer record is refused with the version named.
  json newer = json::parse(record);
  newer["schema_version"] = 9;
  auto refused = parse_registered_model_record(newer.dump());
  ASSERT_FALSE(refused.is_ok());
  EXPECT_TRUE(contains(refused.status().message(), "schema_version 9 is not supported")) << refused.status().message();
}

}  // namespace
}  // namespace mllab::registry

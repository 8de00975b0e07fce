#include "platform/lab.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/util/sha256.hpp"

namespace mllab::platform {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string read_asset(const std::string& relative) {
  std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << relative;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class LabTest : public ::testing::Test {
 protected:
  LabTest() : lab_(std::make_unique<store::MemoryStore>(), MLLAB_SOURCE_DIR) {}
  Lab lab_;
};

TEST_F(LabTest, CatalogHasTheFiveBuiltInDatasets) {
  EXPECT_EQ(lab_.catalog_error(), "");
  ASSERT_EQ(lab_.catalog().size(), 5u);
  std::set<std::string> names;
  for (const auto& e : lab_.catalog()) {
    names.insert(e.name);
    EXPECT_EQ(e.path, "assets/datasets/" + e.name + ".csv");
    EXPECT_EQ(e.task, "classification");
    EXPECT_FALSE(e.target.empty());
    EXPECT_EQ(e.sha256.size(), 64u);
  }
  EXPECT_EQ(names, (std::set<std::string>{"birdstrikes", "breast_cancer", "iris", "sentiment",
                                          "wine"}));
}

TEST_F(LabTest, CatalogChecksumsMatchTheBundledFiles) {
  // The catalog's sha256 must describe the files that ship (checked with an independent
  // implementation: the expected values equal `sha256sum assets/datasets/*.csv`).
  for (const auto& e : lab_.catalog()) {
    SCOPED_TRACE(e.name);
    auto src = lab_.resolve_dataset(e.path);
    ASSERT_TRUE(src.is_ok()) << src.status().to_string();
    EXPECT_EQ(sha256_hex(src->bytes), e.sha256);
  }
}

TEST_F(LabTest, ResolvesABuiltInPath) {
  auto src = lab_.resolve_dataset("assets/datasets/iris.csv");
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_EQ(src->name, "iris");
  EXPECT_EQ(src->source_type, "builtin");
  EXPECT_EQ(src->path, "assets/datasets/iris.csv");
  EXPECT_EQ(src->target_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(src->bytes, read_asset("assets/datasets/iris.csv"));
  // A leading "./" names the same built-in.
  auto dotted = lab_.resolve_dataset("./assets/datasets/iris.csv");
  ASSERT_TRUE(dotted.is_ok()) << dotted.status().to_string();
  EXPECT_EQ(dotted->source_type, "builtin");
  EXPECT_EQ(dotted->name, "iris");
}

TEST_F(LabTest, ResolvesAStoredDatasetAfterAdding) {
  auto missing = lab_.resolve_dataset("datasets:/x");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(missing.status().message(), "x"));

  const std::string v1 = "a,b,label\n1,2,x\n3,4,y\n";
  ASSERT_TRUE(lab_.datasets().add("x", v1, "upload", "x.csv").is_ok());
  auto src = lab_.resolve_dataset("datasets:/x");
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_EQ(src->name, "x");
  EXPECT_EQ(src->path, "datasets:/x");
  EXPECT_EQ(src->source_type, "upload");
  EXPECT_EQ(src->bytes, v1);
  // The latest version is used.
  const std::string v2 = v1 + "5,6,x\n";
  ASSERT_TRUE(lab_.datasets().add("x", v2, "local", "x.csv").is_ok());
  auto latest = lab_.resolve_dataset("datasets:/x");
  ASSERT_TRUE(latest.is_ok());
  EXPECT_EQ(latest->bytes, v2);
  EXPECT_EQ(latest->source_type, "local");
  // A pinned version: "datasets:/x:1".
  auto pinned = lab_.resolve_dataset("datasets:/x:1");
  ASSERT_TRUE(pinned.is_ok()) << pinned.status().to_string();
  EXPECT_EQ(pinned->bytes, v1);
  EXPECT_EQ(pinned->source_type, "upload");
  auto absent = lab_.resolve_dataset("datasets:/x:9");
  ASSERT_FALSE(absent.is_ok());
  EXPECT_TRUE(contains(absent.status().message(), "no version 9")) << absent.status().message();
}

TEST_F(LabTest, UnknownPathIsNotFoundNamingThePath) {
  auto r = lab_.resolve_dataset("assets/datasets/no_such_dataset.csv");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(r.status().message(), "assets/datasets/no_such_dataset.csv"))
      << r.status().message();
}

TEST_F(LabTest, ResolvesALocalFileAbsoluteOrRelativeToTheSpecFolder) {
  static std::atomic<int> counter{0};
  fs::path dir = fs::temp_directory_path() /
                 ("mllab-lab-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(dir);
  const std::string csv = "f,t\n1,0\n2,1\n";
  {
    std::ofstream out(dir / "My data (2).csv", std::ios::binary);
    out << csv;
  }
  auto abs = lab_.resolve_dataset((dir / "My data (2).csv").string());
  ASSERT_TRUE(abs.is_ok()) << abs.status().to_string();
  EXPECT_EQ(abs->source_type, "local");
  EXPECT_EQ(abs->name, "My_data_2");
  EXPECT_EQ(abs->bytes, csv);
  auto rel = lab_.resolve_dataset("My data (2).csv", dir);
  ASSERT_TRUE(rel.is_ok()) << rel.status().to_string();
  EXPECT_EQ(rel->bytes, csv);
  EXPECT_EQ(rel->path, "My data (2).csv");
  auto rel_missing = lab_.resolve_dataset("other.csv", dir);
  EXPECT_EQ(rel_missing.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(rel_missing.status().message(), "other.csv"));
  fs::remove_all(dir);
}

TEST_F(LabTest, MakeTrainJobRunsABuiltInSpec) {
  const std::string spec = R"({
    "schema": "mllab.pipeline", "schema_version": 1, "experiment": "iris",
    "dataset": {"path": "assets/datasets/iris.csv", "target": "target"},
    "split": {"test_size": 0.2, "random_state": 0},
    "steps": [{"type": "StandardScaler"}, {"type": "LogisticRegression"}]})";
  auto job = lab_.make_train_job(spec, "test");
  ASSERT_TRUE(job.is_ok()) << job.status().to_string();
  (*job)->run_to_end();
  ASSERT_TRUE((*job)->status().is_ok()) << (*job)->status().to_string();
  auto run = lab_.tracking().get_run((*job)->run_id());
  ASSERT_TRUE(run.is_ok());
  EXPECT_EQ(run->status, tracking::RunStatus::kFinished);
  ASSERT_EQ(run->inputs.size(), 2u);
  EXPECT_EQ(run->inputs[1].context, "evaluation");
  EXPECT_EQ(run->inputs[0].name, "iris");
  EXPECT_EQ(run->inputs[0].source_type, "builtin");
  EXPECT_EQ(run->params.at("n_test"), "30");
  json cm = json::parse(lab_.tracking().get_artifact(run->run_id, "confusion_matrix.json").value());
  EXPECT_EQ(cm["labels"], json({"setosa", "versicolor", "virginica"}));
}

TEST_F(LabTest, TrainingDataOfARunIsFoundAndCheckedByDigest) {
  const std::string spec = R"({
    "schema": "mllab.pipeline", "schema_version": 1, "experiment": "iris",
    "dataset": {"path": "assets/datasets/iris.csv", "target": "target"},
    "steps": [{"type": "LogisticRegression"}]})";
  auto job = lab_.make_train_job(spec, "test");
  ASSERT_TRUE(job.is_ok());
  (*job)->run_to_end();
  auto run = lab_.tracking().get_run((*job)->run_id()).value();
  auto bytes = lab_.training_data(run);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  EXPECT_EQ(*bytes, read_asset("assets/datasets/iris.csv"));
  // A source whose content changed since the run is refused, naming it.
  run.inputs[0].digest = std::string(64, '0');
  auto changed = lab_.training_data(run);
  ASSERT_FALSE(changed.is_ok());
  EXPECT_TRUE(contains(changed.status().message(), "digest differs")) << changed.status().message();
  run.inputs.clear();
  EXPECT_FALSE(lab_.training_data(run).is_ok());
}

TEST_F(LabTest, MakeTrainJobReportsSpecAndDatasetErrors) {
  auto bad_spec = lab_.make_train_job("{\"schema\": \"mllab.pipeline\"}", "test");
  ASSERT_FALSE(bad_spec.is_ok());
  auto missing = lab_.make_train_job(R"({
    "schema": "mllab.pipeline", "schema_version": 1,
    "dataset": {"path": "datasets:/ghost", "target": "t"},
    "steps": [{"type": "LogisticRegression"}]})",
                                     "test");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(missing.status().message(), "ghost"));
  EXPECT_TRUE(lab_.tracking().list_runs().empty()) << "no run is created for a bad spec";
}

TEST(LabCatalog, MissingCatalogIsReportedNotFatal) {
  fs::path nowhere = fs::temp_directory_path() / "mllab-lab-test-no-assets-here";
  Lab lab(std::make_unique<store::MemoryStore>(), nowhere);
  EXPECT_TRUE(lab.catalog().empty());
  EXPECT_TRUE(contains(lab.catalog_error(), "datasets.json")) << lab.catalog_error();
}

}  // namespace
}  // namespace mllab::platform

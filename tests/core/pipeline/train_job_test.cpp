#include "core/pipeline/train_job.hpp"

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/ml/metrics.hpp"
#include "core/ml/split.hpp"
#include "core/pipeline/fitted_pipeline.hpp"
#include "core/store/store.hpp"
#include "core/util/clock.hpp"
#include "core/util/sha256.hpp"

namespace mllab::pipeline {
namespace {

using tracking::RunStatus;

std::string read_asset(const std::string& relative) {
  std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << relative;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& breast_cancer_bytes() {
  static const std::string bytes = read_asset("assets/datasets/breast_cancer.csv");
  return bytes;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The spec of the course's first pipeline: StandardScaler + LogisticRegression.
PipelineSpec make_spec(const std::string& target = "target", uint64_t seed = 42,
                       double test_size = 0.2) {
  json doc = {{"schema", "mllab.pipeline"},
              {"schema_version", 1},
              {"experiment", "breast-cancer"},
              {"run_name", "logreg"},
              {"dataset", {{"path", "assets/datasets/breast_cancer.csv"}, {"target", target}}},
              {"split", {{"test_size", test_size}, {"random_state", seed}, {"stratify", true}}},
              {"steps",
               {{{"name", "scaler"}, {"type", "StandardScaler"}},
                {{"name", "model"}, {"type", "LogisticRegression"}, {"params", {{"C", 1.0}}}}}}};
  auto r = parse_pipeline_spec(doc);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.value();
}

DatasetSource breast_cancer_source() {
  DatasetSource src;
  src.name = "breast_cancer";
  src.path = "assets/datasets/breast_cancer.csv";
  src.source_type = "builtin";
  src.bytes = breast_cancer_bytes();
  src.target_names = {"malignant", "benign"};
  return src;
}

DatasetSource inline_source(const std::string& name, const std::string& bytes) {
  DatasetSource src;
  src.name = name;
  src.path = name + ".csv";
  src.source_type = "upload";
  src.bytes = bytes;
  return src;
}

class TrainJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_clock_for_testing([this] { return now_ += 10; });
  }
  void TearDown() override { set_clock_for_testing(nullptr); }

  // Runs a job to the end and returns it.
  std::unique_ptr<TrainJob> run(PipelineSpec spec, DatasetSource src) {
    auto job = std::make_unique<TrainJob>(std::move(spec), std::move(src), client_, "test");
    job->run_to_end();
    EXPECT_TRUE(job->done());
    EXPECT_EQ(job->progress(), 1.0);
    return job;
  }

  // A failed (or killed) run: the status, the error tag, and nothing half-logged.
  void expect_failed_cleanly(const TrainJob& job, RunStatus status, const std::string& needle) {
    EXPECT_FALSE(job.status().is_ok());
    EXPECT_TRUE(contains(job.status().message(), needle)) << job.status().message();
    ASSERT_FALSE(job.run_id().empty()) << "the run is created before the failure";
    auto r = client_.get_run(job.run_id());
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->status, status);
    EXPECT_TRUE(r->end_time.has_value());
    ASSERT_TRUE(r->tags.count("mllab.error"));
    EXPECT_TRUE(contains(r->tags.at("mllab.error"), needle)) << r->tags.at("mllab.error");
    EXPECT_TRUE(r->metrics.empty()) << "a failed run logs no metrics";
    EXPECT_TRUE(r->artifacts.empty()) << "a failed run logs no artifacts";
    EXPECT_TRUE(store_.keys("metrics/" + job.run_id() + "/").empty());
    EXPECT_TRUE(store_.keys("artifacts/" + job.run_id() + "/").empty());
  }

  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  tracking::TrackingClient client_{store_};
};

TEST_F(TrainJobTest, BreastCancerEndToEnd) {
  auto job = run(make_spec(), breast_cancer_source());
  ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
  auto r = client_.get_run(job->run_id());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->status, RunStatus::kFinished);
  EXPECT_EQ(r->run_name, "logreg");
  ASSERT_TRUE(r->end_time.has_value());
  EXPECT_GE(*r->end_time, r->start_time);
  EXPECT_EQ(client_.get_experiment(r->experiment_id)->name, "breast-cancer");

  // Params: the split and every step's full config (defaults included), as MLflow logs them.
  EXPECT_EQ(r->params.at("model__C"), "1.0");
  EXPECT_EQ(r->params.at("model__max_iter"), "100");
  EXPECT_EQ(r->params.at("scaler__with_mean"), "True");
  EXPECT_EQ(r->params.at("scaler__with_std"), "True");
  EXPECT_EQ(r->params.at("test_size"), "0.2");
  EXPECT_EQ(r->params.at("random_state"), "42");
  EXPECT_EQ(r->params.at("target"), "target");
  // scikit-learn: n_test = ceil(0.2 * 569) = 114, n_train = 455.
  EXPECT_EQ(r->params.at("n_train"), "455");
  EXPECT_EQ(r->params.at("n_test"), "114");
  EXPECT_EQ(r->params.at("n_features_in"), "30");
  EXPECT_FALSE(r->tags.count("mllab.error"));
  EXPECT_EQ(r->tags.at("mllab.source"), "test");

  // Metrics: present, in range; a scaled logistic regression on this data set is known to
  // reach well above 90% test accuracy.
  for (const char* k : {"accuracy", "f1_score", "roc_auc", "precision_macro", "recall_macro",
                        "log_loss", "train_accuracy"}) {
    EXPECT_TRUE(r->metrics.count(k)) << "missing metric " << k;
  }
  const double acc = r->metrics.at("accuracy").value;
  EXPECT_GT(acc, 0.9);
  EXPECT_LE(acc, 1.0);
  EXPECT_GT(r->metrics.at("roc_auc").value, 0.95);
  EXPECT_LE(r->metrics.at("roc_auc").value, 1.0);
  EXPECT_GT(r->metrics.at("f1_score").value, 0.9);
  // Accuracy on 114 test rows is a multiple of 1/114.
  const double correct = acc * 114;
  EXPECT_NEAR(correct, std::round(correct), 1e-9);

  // Artifacts.
  std::vector<std::string> paths;
  for (const auto& a : r->artifacts) paths.push_back(a.path);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"classification_report.txt", "confusion_matrix.json",
                                             "model/MLmodel", "model/input_example.json",
                                             "model/pipeline.json", "predictions.json", "roc_curve.json",
                                             "split.json"}));
  for (const auto& a : r->artifacts) {
    auto bytes = client_.get_artifact(r->run_id, a.path);
    ASSERT_TRUE(bytes.is_ok()) << a.path;
    EXPECT_EQ(int64_t(bytes->size()), a.file_size);
    EXPECT_EQ(sha256_hex(*bytes), a.sha256);
  }
  json cm = json::parse(client_.get_artifact(r->run_id, "confusion_matrix.json").value());
  EXPECT_EQ(cm["labels"], json({"malignant", "benign"}));
  int total = 0, diag = 0;
  for (size_t i = 0; i < 2; ++i) {
    for (size_t j = 0; j < 2; ++j) {
      total += cm["matrix"][i][j].get<int>();
      if (i == j) diag += cm["matrix"][i][j].get<int>();
    }
  }
  EXPECT_EQ(total, 114);
  EXPECT_EQ(diag, int(std::lround(correct))) << "confusion matrix agrees with accuracy";
  // Stratified: the test part keeps the 212:357 class ratio -> 42 malignant, 72 benign.
  EXPECT_EQ(cm["matrix"][0][0].get<int>() + cm["matrix"][0][1].get<int>(), 42);
  EXPECT_EQ(cm["matrix"][1][0].get<int>() + cm["matrix"][1][1].get<int>(), 72);
  std::string report = client_.get_artifact(r->run_id, "classification_report.txt").value();
  EXPECT_TRUE(contains(report, "malignant"));
  EXPECT_TRUE(contains(report, "benign"));
  // The split as dataset rows: 455 + 114 distinct rows covering the table.
  json split = json::parse(client_.get_artifact(r->run_id, "split.json").value());
  std::set<int> rows;
  for (const auto& i : split["train"]) rows.insert(i.get<int>());
  for (const auto& i : split["test"]) rows.insert(i.get<int>());
  EXPECT_EQ(split["train"].size(), 455u);
  EXPECT_EQ(split["test"].size(), 114u);
  EXPECT_EQ(rows.size(), 569u);
  EXPECT_EQ(*rows.rbegin(), 568);
  // The test split's predictions agree with the confusion matrix; probabilities sum to one.
  json preds = json::parse(client_.get_artifact(r->run_id, "predictions.json").value());
  ASSERT_EQ(preds["y_true"].size(), 114u);
  ASSERT_EQ(preds["probabilities"].size(), 114u);
  EXPECT_EQ(preds["classes"], json({"0", "1"}));
  int agree = 0;
  for (size_t i = 0; i < 114; ++i) {
    agree += preds["y_true"][i] == preds["y_pred"][i];
    double p0 = preds["probabilities"][i][0], p1 = preds["probabilities"][i][1];
    EXPECT_NEAR(p0 + p1, 1.0, 1e-12);
    EXPECT_EQ(preds["y_pred"][i], p1 > p0 ? "1" : "0") << "row " << i;
  }
  EXPECT_EQ(agree, diag);

  // Dataset input: the digest is the SHA-256 of the bytes (the catalog records the same value,
  // computed independently with sha256sum).
  ASSERT_EQ(r->inputs.size(), 2u) << "training and evaluation";
  EXPECT_EQ(r->inputs[1].context, "evaluation");
  EXPECT_EQ(r->inputs[1].digest, r->inputs[0].digest);
  const auto& in = r->inputs[0];
  EXPECT_EQ(in.digest, sha256_hex(breast_cancer_bytes()));
  EXPECT_EQ(in.digest, "7dd8e4f78b55cb5fa3cba00b0e61fa6046cbadcdaaa60ca5e48827b536723906");
  EXPECT_EQ(r->tags.at("mllab.dataset_digest"), in.digest);
  EXPECT_EQ(in.name, "breast_cancer");
  EXPECT_EQ(in.source_type, "builtin");
  EXPECT_EQ(in.num_rows, 569);
  EXPECT_EQ(in.context, "training");
  EXPECT_EQ(in.schema["columns"].size(), 31u);
}

TEST_F(TrainJobTest, SavedPipelineReproducesTheLoggedMetricsAndIsDeterministic) {
  auto a = run(make_spec(), breast_cancer_source());
  auto b = run(make_spec(), breast_cancer_source());
  ASSERT_TRUE(a->status().is_ok()) << a->status().to_string();
  ASSERT_TRUE(b->status().is_ok()) << b->status().to_string();
  ASSERT_NE(a->run_id(), b->run_id());
  auto ra = client_.get_run(a->run_id()).value();
  auto rb = client_.get_run(b->run_id()).value();
  // Same spec and seed: the same split and bit-identical metrics.
  ASSERT_EQ(ra.metrics.size(), rb.metrics.size());
  for (const auto& [k, m] : ra.metrics) {
    ASSERT_TRUE(rb.metrics.count(k)) << k;
    EXPECT_EQ(m.value, rb.metrics.at(k).value) << k;  // exact, not NEAR
  }
  EXPECT_EQ(ra.params, rb.params);

  const std::string ja = client_.get_artifact(ra.run_id, "model/pipeline.json").value();
  const std::string jb = client_.get_artifact(rb.run_id, "model/pipeline.json").value();
  EXPECT_EQ(ja, jb) << "two fits of the same spec and split must save the same model";
  auto pa = FittedPipeline::from_json(json::parse(ja));
  auto pb = FittedPipeline::from_json(json::parse(jb));
  ASSERT_TRUE(pa.is_ok()) << pa.status().to_string();
  ASSERT_TRUE(pb.is_ok()) << pb.status().to_string();
  EXPECT_EQ(pa->target, "target");
  EXPECT_EQ(pa->features.size(), 30u);
  EXPECT_EQ(pa->classes, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(pa->target_names, (std::vector<std::string>{"malignant", "benign"}));

  // Predictions on the whole data set: bit-identical between the two loaded models.
  auto table = data::read_csv(breast_cancer_bytes());
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  ml::Matrix proba_a = pa->predict_proba(*table);
  ml::Matrix proba_b = pb->predict_proba(*table);
  ASSERT_EQ(proba_a.rows(), 569);
  ASSERT_EQ(proba_a.cols(), 2);
  EXPECT_EQ(std::memcmp(proba_a.data(), proba_b.data(), sizeof(double) * proba_a.size()), 0);

  // The saved model reproduces the logged test accuracy exactly: rebuild the test split with
  // the same seed and evaluate the loaded model on it.
  auto labels = encode_labels(*table, "target");
  ASSERT_TRUE(labels.is_ok());
  auto split = ml::train_test_split(labels->y, 2, 0.2, 42, true);
  ASSERT_EQ(split.test.size(), 114u);
  std::vector<int> pred = pa->predict(*table);
  std::vector<int> y_test, p_test;
  for (size_t row : split.test) {
    y_test.push_back(labels->y[row]);
    p_test.push_back(pred[row]);
  }
  EXPECT_EQ(ml::accuracy_score(y_test, p_test), ra.metrics.at("accuracy").value);
}

TEST_F(TrainJobTest, SplitSizesDoNotDependOnTheSeed) {
  for (uint64_t seed : {0ull, 7ull, 42ull, 123456789ull}) {
    SCOPED_TRACE(seed);
    auto job = run(make_spec("target", seed), breast_cancer_source());
    ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
    auto r = client_.get_run(job->run_id()).value();
    EXPECT_EQ(r.params.at("n_train"), "455");
    EXPECT_EQ(r.params.at("n_test"), "114");
    EXPECT_EQ(r.params.at("random_state"), std::to_string(seed));
  }
}

TEST_F(TrainJobTest, MissingTargetColumnFailsCleanly) {
  auto job = run(make_spec("diagnosis"), breast_cancer_source());
  expect_failed_cleanly(*job, RunStatus::kFailed, "diagnosis");
}

TEST_F(TrainJobTest, RaggedCsvRowFailsNamingTheLine) {
  const std::string csv = "x1,x2,target\n1,2,0\n3,4,1\n5,6\n7,8,1\n";
  auto job = run(make_spec(), inline_source("ragged", csv));
  expect_failed_cleanly(*job, RunStatus::kFailed, "line 4");
  EXPECT_EQ(job->status().code(), ErrorCode::kParseError);
}

TEST_F(TrainJobTest, MissingFeatureValueFailsNamingTheColumn) {
  // Birdstrikes-like: a numeric feature with an empty cell.
  std::string csv = "Speed IAS in knots,Cost Total $,Effect Amount of damage\n";
  for (int i = 0; i < 20; ++i) {
    csv += std::to_string(100 + i) + "," + (i == 5 ? "" : std::to_string(i * 1000)) + "," +
           (i % 2 ? "None" : "Minor") + "\n";
  }
  auto job = run(make_spec("Effect Amount of damage"), inline_source("birdstrikes_small", csv));
  expect_failed_cleanly(*job, RunStatus::kFailed, "Cost Total $");
  EXPECT_TRUE(contains(job->status().message(), "missing")) << job->status().message();
}

TEST_F(TrainJobTest, NonNumericFeatureFailsNamingTheColumn) {
  std::string csv = "Phase of flight,Speed,label\n";
  for (int i = 0; i < 20; ++i) {
    csv += std::string(i % 2 ? "Climb" : "Approach") + "," + std::to_string(100 + i) + "," +
           (i % 2 ? "a" : "b") + "\n";
  }
  auto job = run(make_spec("label"), inline_source("categorical", csv));
  expect_failed_cleanly(*job, RunStatus::kFailed, "Phase of flight");
}

TEST_F(TrainJobTest, AStoredVersionsColumnTypesAreAppliedAfterParsing) {
  // "zip" reads as numbers; the user set it categorical (a set_type step, kept in the version's
  // schema). Training on that version sees a categorical column, as the Data workspace shows it.
  std::string csv = "zip,speed,label\n";
  for (int i = 0; i < 20; ++i) csv += std::to_string(1000 + i % 3) + "," + std::to_string(100 + i) + "," + (i % 2 ? "a" : "b") + "\n";
  auto as_file = run(make_spec("label"), inline_source("zips", csv));
  ASSERT_TRUE(as_file->status().is_ok()) << as_file->status().to_string();

  DatasetSource stored = inline_source("zips", csv);
  stored.schema = json::parse(R"({"columns": [{"name": "zip", "type": "categorical"}, {"name": "speed", "type": "numeric"}]})");
  auto job = run(make_spec("label"), stored);
  expect_failed_cleanly(*job, RunStatus::kFailed, "zip");  // StandardScaler cannot take a categorical column
  auto r = client_.get_run(job->run_id());
  ASSERT_TRUE(r.is_ok());
  ASSERT_FALSE(r->inputs.empty());
  for (const auto& in : r->inputs) {  // training and evaluation
    EXPECT_EQ(in.schema["columns"][0]["name"], "zip");
    EXPECT_EQ(in.schema["columns"][0]["type"], "categorical") << in.context << ": the dataset input records the type used";
  }
}

TEST_F(TrainJobTest, TargetListedAsAFeatureFails) {
  PipelineSpec spec = make_spec();
  spec.features = {"mean radius", "target"};
  auto job = run(spec, breast_cancer_source());
  expect_failed_cleanly(*job, RunStatus::kFailed, "target");
}

TEST_F(TrainJobTest, UnknownFeatureColumnFails) {
  PipelineSpec spec = make_spec();
  spec.features = {"mean radius", "mean radiance"};
  auto job = run(spec, breast_cancer_source());
  expect_failed_cleanly(*job, RunStatus::kFailed, "mean radiance");
}

TEST_F(TrainJobTest, ClassWithOneMemberCannotBeStratifiedAndFailsCleanly) {
  std::string csv = "x,label\n";
  for (int i = 0; i < 20; ++i) csv += std::to_string(i) + "," + (i % 2 ? "a" : "b") + "\n";
  csv += "99,lonely\n";
  auto job = run(make_spec("label"), inline_source("lonely", csv));
  expect_failed_cleanly(*job, RunStatus::kFailed, "");
  EXPECT_EQ(job->status().code(), ErrorCode::kInvalidParameterValue) << job->status().to_string();
}

TEST_F(TrainJobTest, RowsWithoutTargetAreDroppedAndCounted) {
  std::string csv = "x,y,label\n";
  int labelled = 0;
  for (int i = 0; i < 40; ++i) {
    bool missing = i % 10 == 3;  // 4 rows without a label
    csv += std::to_string(i % 2 * 10 + i % 3) + "," + std::to_string(i % 5) + "," +
           (missing ? "" : (i % 2 ? "hi" : "lo")) + "\n";
    labelled += !missing;
  }
  ASSERT_EQ(labelled, 36);
  auto job = run(make_spec("label", 3, 0.25), inline_source("partial", csv));
  ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
  auto r = client_.get_run(job->run_id()).value();
  EXPECT_EQ(r.tags.at("mllab.rows_without_target"), "4");
  EXPECT_EQ(r.params.at("n_test"), "9");  // ceil(0.25 * 36)
  EXPECT_EQ(r.params.at("n_train"), "27");
  ASSERT_EQ(r.inputs.size(), 2u);
  EXPECT_EQ(r.inputs[0].num_rows, 40) << "the dataset input describes the whole file";
}

TEST_F(TrainJobTest, CancelEndsTheRunKilled) {
  TrainJob job(make_spec(), breast_cancer_source(), client_, "test");
  EXPECT_EQ(job.progress(), 0.0);
  ASSERT_TRUE(job.step());  // creates the run
  ASSERT_FALSE(job.run_id().empty());
  EXPECT_EQ(client_.get_run(job.run_id())->status, RunStatus::kRunning);
  ASSERT_TRUE(job.step());  // reads the data
  job.cancel();
  EXPECT_FALSE(job.step());
  EXPECT_TRUE(job.done());
  EXPECT_FALSE(job.step()) << "a finished job does nothing";
  expect_failed_cleanly(job, RunStatus::kKilled, "cancel");
}

TEST_F(TrainJobTest, CancelBeforeStartStillRecordsAKilledRun) {
  TrainJob job(make_spec(), breast_cancer_source(), client_, "test");
  job.cancel();
  job.run_to_end();
  ASSERT_TRUE(job.done());
  expect_failed_cleanly(job, RunStatus::kKilled, "cancel");
}

TEST_F(TrainJobTest, ProgressIsMonotoneAndStagesAreNamed) {
  TrainJob job(make_spec(), breast_cancer_source(), client_, "test");
  double last = job.progress();
  int steps = 0;
  while (job.step()) {
    EXPECT_GE(job.progress(), last);
    EXPECT_STRNE(job.stage_name(), "");
    last = job.progress();
    ++steps;
  }
  EXPECT_GE(steps, 5);
  EXPECT_EQ(job.progress(), 1.0);
  EXPECT_STREQ(job.stage_name(), "done");
  EXPECT_TRUE(job.status().is_ok()) << job.status().to_string();
}

TEST_F(TrainJobTest, ForestLogsFeatureImportancesByNameSortedDescending) {
  json doc = pipeline_spec_to_json(make_spec());
  doc["steps"] = {{{"name", "model"}, {"type", "RandomForestClassifier"},
                   {"params", {{"n_estimators", 10}, {"random_state", 0}}}}};
  auto spec = parse_pipeline_spec(doc);
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  auto job = run(spec.value(), breast_cancer_source());
  ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
  json rows = json::parse(client_.get_artifact(job->run_id(), "feature_importances.json").value());
  ASSERT_EQ(rows.size(), 30u) << "one row per input column";
  // The same numbers as the saved forest's feature_importances_, keyed by column name.
  auto p = FittedPipeline::from_json(json::parse(client_.get_artifact(job->run_id(), "model/pipeline.json").value()));
  ASSERT_TRUE(p.is_ok());
  auto imp = p->steps.back().classifier->state()["feature_importances"].get<std::vector<double>>();
  auto names = p->feature_names_out();
  ASSERT_EQ(names.size(), 30u);
  EXPECT_EQ(names.front(), "mean radius");
  double sum = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string f = rows[i]["feature"];
    const double v = rows[i]["importance"];
    size_t at = size_t(std::find(names.begin(), names.end(), f) - names.begin());
    ASSERT_LT(at, names.size()) << f;
    EXPECT_EQ(v, imp[at]) << f;
    if (i > 0) { EXPECT_GE(rows[i - 1]["importance"].get<double>(), v); }
    sum += v;
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

TEST_F(TrainJobTest, MulticlassStringTargetTrains) {
  // A small, separable 3-class problem with string labels: classes are sorted like numpy.unique.
  std::string csv = "x,y,species\n";
  const char* names[] = {"virginica", "setosa", "versicolor"};
  for (int i = 0; i < 60; ++i) {
    int c = i % 3;
    csv += std::to_string(c * 10 + (i % 7) * 0.1) + "," + std::to_string(-c * 5 + (i % 5) * 0.1) +
           "," + names[c] + "\n";
  }
  auto job = run(make_spec("species", 1, 0.25), inline_source("toy", csv));
  ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
  auto r = client_.get_run(job->run_id()).value();
  EXPECT_EQ(r.params.at("n_test"), "15");
  EXPECT_EQ(r.params.at("n_train"), "45");
  EXPECT_TRUE(r.metrics.count("roc_auc_ovr"));
  EXPECT_FALSE(r.metrics.count("roc_auc"));
  EXPECT_EQ(r.metrics.at("accuracy").value, 1.0) << "the classes are linearly separable";
  auto p = FittedPipeline::from_json(
      json::parse(client_.get_artifact(r.run_id, "model/pipeline.json").value()));
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->classes, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
}

// Issue 9: a one-class target was reported by its internal index ("only one class: 0").
TEST_F(TrainJobTest, OneClassTargetIsNamedByItsLabel) {
  std::string csv = "x,label\n";
  for (int i = 0; i < 20; ++i) csv += std::to_string(i) + ",yes\n";
  auto job = run(make_spec("label"), inline_source("one_class", csv));
  expect_failed_cleanly(*job, RunStatus::kFailed, "only one class: 'yes'");
  EXPECT_FALSE(contains(job->status().message(), "class: 0")) << job->status().message();
}

// Issue 9: the training split can hold one class although the column holds two.
TEST_F(TrainJobTest, OneClassTrainingSplitIsNamedByItsLabel) {
  std::string csv = "x,label\n";
  std::vector<int> y;
  for (int i = 0; i < 40; ++i) {
    csv += std::to_string(i) + "," + (i == 39 ? "no" : "yes") + "\n";
    y.push_back(i == 39 ? 0 : 1);
  }
  // A seed whose unstratified split puts the one "no" row (row 39) in the one test row.
  uint64_t seed = 0;
  for (; seed < 1000; ++seed) {
    const auto split = ml::train_test_split(y, 2, 1.0 / 40.0, seed, false);
    if (split.test.size() == 1 && split.test[0] == 39) break;
  }
  ASSERT_LT(seed, 1000u);
  PipelineSpec spec = make_spec("label", seed, 1.0 / 40.0);
  spec.stratify = false;
  auto job = run(spec, inline_source("nearly_one_class", csv));
  expect_failed_cleanly(*job, RunStatus::kFailed, "the training split of target column 'label' holds only one class: 'yes'");
}
}  // namespace
}  // namespace mllab::pipeline

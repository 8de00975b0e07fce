// Cross-validation ("evaluate") and hyper-parameter search ("search") of pipeline specs: what a
// TrainJob logs, checked against folds and fits recomputed here from the training split.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/ml/metrics.hpp"
#include "core/ml/model_selection.hpp"
#include "core/ml/split.hpp"
#include "core/pipeline/fitted_pipeline.hpp"
#include "core/pipeline/spec.hpp"
#include "core/pipeline/train_job.hpp"
#include "core/store/store.hpp"
#include "core/util/clock.hpp"

namespace mllab::pipeline {
namespace {

using tracking::RunStatus;

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(MLLAB_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << relative;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& breast_cancer_bytes() {
  static const std::string bytes = read_source("assets/datasets/breast_cancer.csv");
  return bytes;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
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

// StandardScaler + LogisticRegression on breast_cancer (test_size 0.2, seed 42, stratified).
json base_doc() {
  return json::parse(R"({
    "schema": "mllab.pipeline", "schema_version": 1,
    "experiment": "breast-cancer", "run_name": "search",
    "dataset": {"path": "assets/datasets/breast_cancer.csv", "target": "target"},
    "split": {"test_size": 0.2, "random_state": 42, "stratify": true},
    "steps": [{"name": "scaler", "type": "StandardScaler"},
              {"name": "model", "type": "LogisticRegression", "params": {"C": 1.0}}]
  })");
}

PipelineSpec parse_or_die(const json& doc) {
  auto r = parse_pipeline_spec(doc);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string() << "\n  spec: " << doc.dump();
  return r.is_ok() ? r.value() : PipelineSpec{};
}

// Parses `doc`, expects an invalid-parameter error and returns its message.
std::string spec_error(const json& doc) {
  auto r = parse_pipeline_spec(doc);
  EXPECT_FALSE(r.is_ok()) << "expected an error for " << doc.dump();
  if (r.is_ok()) return "";
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidParameterValue) << r.status().to_string();
  return r.status().message();
}

// The training split of breast_cancer as TrainJob builds it, for recomputing its folds.
struct TrainSplit {
  data::Table x;        // training rows, in the split's order
  std::vector<int> y;   // their class indices
  std::vector<std::string> features;
};

TrainSplit breast_cancer_train_split(double test_size = 0.2, uint64_t seed = 42) {
  auto table = data::read_csv(breast_cancer_bytes());
  EXPECT_TRUE(table.is_ok());
  auto labels = encode_labels(*table, "target");
  EXPECT_TRUE(labels.is_ok());
  auto split = ml::train_test_split(labels->y, 2, test_size, seed, true);
  TrainSplit out;
  data::Table features = table->drop_column("target");
  out.x = features.take_rows(split.train);
  for (size_t r : split.train) out.y.push_back(labels->y[r]);
  for (const auto& c : features.columns()) out.features.push_back(c.name);
  return out;
}

template <typename T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<size_t>& rows) {
  std::vector<T> out;
  for (size_t r : rows) out.push_back(v[r]);
  return out;
}

// Fits `spec` on the training rows `fold.train` of `ts` and returns the accuracy on `fold.test`.
double manual_fold_accuracy(const PipelineSpec& spec, const TrainSplit& ts, const ml::Fold& fold) {
  auto p = FittedPipeline::from_spec(spec);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  p->features = ts.features;
  p->fit(ts.x.take_rows(fold.train), pick(ts.y, fold.train), 2);
  return ml::accuracy_score(pick(ts.y, fold.test), p->predict(ts.x.take_rows(fold.test)));
}

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_clock_for_testing([this] { return now_ += 10; });
  }
  void TearDown() override { set_clock_for_testing(nullptr); }

  tracking::Run run_ok(const PipelineSpec& spec) {
    TrainJob job(spec, breast_cancer_source(), client_, "test");
    job.run_to_end();
    EXPECT_TRUE(job.done());
    EXPECT_TRUE(job.status().is_ok()) << job.status().to_string();
    auto r = client_.get_run(job.run_id());
    EXPECT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, RunStatus::kFinished);
    return r.value();
  }

  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  tracking::TrackingClient client_{store_};
};

// ---------------------------------------------------------------------------------------------
// evaluate.cv

TEST_F(SearchTest, CrossValidationLogsOnePointPerFoldMatchingManualFolds) {
  PipelineSpec spec = parse_or_die(json::parse(read_source("examples/breast-cancer-cv5.json")));
  ASSERT_EQ(spec.evaluate.cv, 5);
  tracking::Run r = run_ok(spec);
  EXPECT_EQ(r.params.at("cv"), "5");

  auto history = client_.get_metric_history(r.run_id, "cv_accuracy");
  ASSERT_EQ(history.size(), 5u);
  std::vector<double> scores;
  for (size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].step, int64_t(i)) << "step = fold index";
    EXPECT_GE(history[i].value, 0.0);
    EXPECT_LE(history[i].value, 1.0);
    scores.push_back(history[i].value);
  }
  // mean and population std of the points.
  const double mean = mean_of(scores);
  double ss = 0;
  for (double s : scores) ss += (s - mean) * (s - mean);
  ASSERT_TRUE(r.metrics.count("cv_accuracy_mean"));
  ASSERT_TRUE(r.metrics.count("cv_accuracy_std"));
  EXPECT_NEAR(r.metrics.at("cv_accuracy_mean").value, mean, 1e-15);
  EXPECT_NEAR(r.metrics.at("cv_accuracy_std").value, std::sqrt(ss / 5.0), 1e-15);
  EXPECT_EQ(client_.get_metric_history(r.run_id, "cv_accuracy_mean").size(), 1u);

  // The same folds, recomputed: StratifiedKFold(5) without shuffle over the training split's
  // labels in the split's order (455 rows -> test folds of 91 rows), each fold fitted here.
  TrainSplit ts = breast_cancer_train_split();
  ASSERT_EQ(ts.y.size(), 455u);
  auto folds = ml::StratifiedKFold(5).split(ts.y);
  ASSERT_EQ(folds.size(), 5u);
  for (size_t f = 0; f < 5; ++f) {
    SCOPED_TRACE(f);
    EXPECT_EQ(folds[f].test.size(), 91u);
    const double want = manual_fold_accuracy(spec, ts, folds[f]);
    EXPECT_EQ(scores[f], want) << "fold " << f;  // same data, same fits: exact
    // A fold score is a multiple of 1/91.
    EXPECT_NEAR(scores[f] * 91, std::round(scores[f] * 91), 1e-9);
  }
  // The ordinary test metrics are still logged.
  EXPECT_TRUE(r.metrics.count("accuracy"));
  EXPECT_TRUE(client_.get_artifact(r.run_id, "model/pipeline.json").is_ok());

  // Each fold is a nested run under this one, with its score.
  auto children = client_.child_runs(r.run_id);
  ASSERT_EQ(children.size(), 5u);
  for (size_t f = 0; f < 5; ++f) {
    SCOPED_TRACE(f);
    const auto& c = children[f];
    EXPECT_EQ(c.tags.at("mlflow.parentRunId"), r.run_id);
    EXPECT_EQ(c.status, RunStatus::kFinished);
    EXPECT_EQ(c.experiment_id, r.experiment_id);
    EXPECT_EQ(c.params.at("fold"), std::to_string(f));
    EXPECT_EQ(c.metrics.at("cv_accuracy").value, scores[f]);
    EXPECT_EQ(c.tags.at("mllab.dataset_digest"), r.tags.at("mllab.dataset_digest"));
    EXPECT_EQ(c.run_name, r.run_name + "-fold-" + std::to_string(f));
  }
  EXPECT_FALSE(r.tags.count("mlflow.parentRunId")) << "the parent is top-level";
}

TEST_F(SearchTest, CrossValidationWithAnotherScoringNamesTheMetricAfterIt) {
  json doc = base_doc();
  doc["evaluate"] = {{"cv", 3}, {"scoring", "f1_macro"}};
  tracking::Run r = run_ok(parse_or_die(doc));
  EXPECT_EQ(client_.get_metric_history(r.run_id, "cv_f1_macro").size(), 3u);
  EXPECT_TRUE(r.metrics.count("cv_f1_macro_mean"));
  EXPECT_TRUE(r.metrics.count("cv_f1_macro_std"));
  EXPECT_FALSE(r.metrics.count("cv_accuracy"));
}

TEST_F(SearchTest, RegressionCrossValidationUsesKFoldAndR2) {
  // y = 2x + noise-free offsets; KFold(4) over the training rows, default scoring r2.
  std::string csv = "x,z,y\n";
  for (int i = 0; i < 40; ++i) csv += std::to_string(i) + "," + std::to_string(i % 3) + "," + std::to_string(2 * i + i % 3) + "\n";
  json doc = base_doc();
  doc["dataset"]["target"] = "y";
  doc["steps"] = {{{"name", "model"}, {"type", "LinearRegression"}}};
  doc["evaluate"] = {{"cv", 4}};
  PipelineSpec spec = parse_or_die(doc);
  DatasetSource src;
  src.name = "lin";
  src.path = "lin.csv";
  src.source_type = "upload";
  src.bytes = csv;
  TrainJob job(spec, src, client_, "test");
  job.run_to_end();
  ASSERT_TRUE(job.status().is_ok()) << job.status().to_string();
  auto h = client_.get_metric_history(job.run_id(), "cv_r2");
  ASSERT_EQ(h.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(h[i].step, int64_t(i));
    EXPECT_NEAR(h[i].value, 1.0, 1e-12) << "an exactly linear target";
  }
}

// ---------------------------------------------------------------------------------------------
// Grid search

TEST_F(SearchTest, GridSearchPicksTheBestManualCandidateAndRefitsIt) {
  json doc = base_doc();
  doc["search"] = {{"type", "grid"}, {"cv", 3}, {"param_grid", {{"model__C", {0.01, 1, 100}}}}};
  PipelineSpec spec = parse_or_die(doc);
  tracking::Run r = run_ok(spec);

  // Manual: StratifiedKFold(3) over the training split, each candidate fitted here.
  TrainSplit ts = breast_cancer_train_split();
  auto folds = ml::StratifiedKFold(3).split(ts.y);
  const std::vector<json> cs = {json(0.01), json(1), json(100)};
  std::vector<double> means;
  std::vector<std::vector<double>> fold_scores;
  for (const auto& c : cs) {
    PipelineSpec cand = spec;
    ASSERT_TRUE(set_step_param(cand, "model__C", c).is_ok());
    std::vector<double> s;
    for (const auto& f : folds) s.push_back(manual_fold_accuracy(cand, ts, f));
    fold_scores.push_back(s);
    means.push_back(mean_of(s));
  }
  const size_t best = size_t(std::max_element(means.begin(), means.end()) - means.begin());

  EXPECT_EQ(r.params.at("search"), "grid");
  EXPECT_EQ(r.params.at("search_cv"), "3");
  EXPECT_EQ(r.params.at("search_scoring"), "accuracy");
  EXPECT_EQ(r.params.at("search_candidates"), "3");
  EXPECT_EQ(r.params.at("search_param_grid"), "{\"model__C\": [0.01,1,100]}");
  ASSERT_TRUE(r.params.count("best_model__C"));
  EXPECT_EQ(std::stod(r.params.at("best_model__C")), cs[best].get<double>())
      << "best_model__C " << r.params.at("best_model__C") << "; manual means " << json(means).dump();
  // The refit model's full config is the run's params.
  EXPECT_EQ(std::stod(r.params.at("model__C")), cs[best].get<double>()) << r.params.at("model__C");
  EXPECT_EQ(r.params.at("scaler__with_mean"), "True");
  ASSERT_TRUE(r.metrics.count("best_cv_score"));
  EXPECT_NEAR(r.metrics.at("best_cv_score").value, means[best], 1e-15);

  auto hist = client_.get_metric_history(r.run_id, "search_mean_accuracy");
  ASSERT_EQ(hist.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(hist[i].step, int64_t(i));
    EXPECT_NEAR(hist[i].value, means[i], 1e-15) << "candidate " << i;
  }

  auto cvr_text = client_.get_artifact(r.run_id, "search/cv_results.json");
  ASSERT_TRUE(cvr_text.is_ok()) << "search/cv_results.json is logged";
  json cvr = json::parse(*cvr_text);
  for (const char* k : {"params", "param_model__C", "split0_test_score", "split1_test_score",
                        "split2_test_score", "mean_test_score", "std_test_score", "rank_test_score"}) {
    EXPECT_TRUE(cvr.contains(k)) << "cv_results lacks " << k;
  }
  EXPECT_FALSE(cvr.contains("split3_test_score"));
  ASSERT_EQ(cvr["mean_test_score"].size(), 3u);
  ASSERT_EQ(cvr["rank_test_score"].size(), 3u);
  ASSERT_EQ(cvr["params"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(cvr["params"][i], json({{"model__C", cs[i]}}));
    EXPECT_NEAR(cvr["mean_test_score"][i].get<double>(), means[i], 1e-15);
    for (size_t f = 0; f < 3; ++f) {
      EXPECT_EQ(cvr["split" + std::to_string(f) + "_test_score"][i].get<double>(), fold_scores[i][f])
          << "candidate " << i << " fold " << f;
    }
  }
  EXPECT_EQ(cvr["rank_test_score"][best].get<int>(), 1);

  // Every candidate is a nested run with its full config and fold scores; the parent names the best.
  auto children = client_.child_runs(r.run_id);
  ASSERT_EQ(children.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const auto& c = children[i];
    EXPECT_EQ(c.tags.at("mlflow.parentRunId"), r.run_id);
    EXPECT_EQ(c.params.at("search_candidate"), std::to_string(i));
    EXPECT_EQ(std::stod(c.params.at("model__C")), cs[i].get<double>());
    EXPECT_EQ(c.params.at("scaler__with_mean"), "True");
    EXPECT_NEAR(c.metrics.at("mean_test_score").value, means[i], 1e-15);
    auto h = client_.get_metric_history(c.run_id, "test_score");
    ASSERT_EQ(h.size(), 3u);
    for (size_t f = 0; f < 3; ++f) EXPECT_EQ(h[f].value, fold_scores[i][f]);
  }
  EXPECT_EQ(r.tags.at("mllab.best_child_run_id"), children[best].run_id);
  // Nested runs are runs: a filter on the parent tag finds exactly them.
  EXPECT_EQ(client_.list_runs().size(), 4u);

  // The saved model is the refit best candidate.
  auto p = FittedPipeline::from_json(json::parse(client_.get_artifact(r.run_id, "model/pipeline.json").value()));
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->steps.back().params().at("C").get<double>(), cs[best].get<double>());
}

TEST_F(SearchTest, GridSearchOfTheCourseExampleParses) {
  PipelineSpec spec = parse_or_die(json::parse(read_source("examples/breast-cancer-grid-search.json")));
  EXPECT_EQ(spec.search.type, "grid");
  EXPECT_EQ(spec.search.cv, 5);
  EXPECT_EQ(ml::ParameterGrid(spec.search.param_grid).size(), 9u);
}

// ---------------------------------------------------------------------------------------------
// Random search

TEST_F(SearchTest, RandomSearchDrawsNIterCandidatesDeterministically) {
  json doc = base_doc();
  json grid = {{"model__C", {0.1, 1.0, 10.0}}, {"model__max_iter", {50, 100, 200}}};
  doc["search"] = {{"type", "random"}, {"cv", 3}, {"n_iter", 2}, {"random_state", 7}, {"param_grid", grid}};
  PipelineSpec spec = parse_or_die(doc);
  tracking::Run a = run_ok(spec);
  tracking::Run b = run_ok(spec);
  for (const tracking::Run* r : {&a, &b}) {
    EXPECT_EQ(r->params.at("search"), "random");
    EXPECT_EQ(r->params.at("search_candidates"), "2");
    EXPECT_EQ(client_.get_metric_history(r->run_id, "search_mean_accuracy").size(), 2u);
  }
  EXPECT_EQ(a.params.at("best_model__C"), b.params.at("best_model__C"));
  EXPECT_EQ(a.params.at("best_model__max_iter"), b.params.at("best_model__max_iter"));
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.metrics.at("best_cv_score").value, b.metrics.at("best_cv_score").value);

  json cva = json::parse(client_.get_artifact(a.run_id, "search/cv_results.json").value());
  json cvb = json::parse(client_.get_artifact(b.run_id, "search/cv_results.json").value());
  EXPECT_EQ(cva, cvb);
  ASSERT_EQ(cva["params"].size(), 2u);
  EXPECT_NE(cva["params"][0], cva["params"][1]) << "drawn without replacement";
  // The candidates are ParameterSampler's for that seed, and come from the grid.
  auto drawn = ml::ParameterSampler(grid, 2, 7).candidates();
  ASSERT_EQ(drawn.size(), 2u);
  EXPECT_EQ(cva["params"][0], drawn[0]);
  EXPECT_EQ(cva["params"][1], drawn[1]);
  auto all = ml::ParameterGrid(grid).candidates();
  for (const auto& c : cva["params"]) EXPECT_NE(std::find(all.begin(), all.end(), c), all.end()) << c.dump();
  // The best is one of the drawn candidates, and the refit uses it.
  const size_t best = cva["rank_test_score"][0].get<int>() == 1 ? 0 : 1;
  EXPECT_EQ(std::stod(a.params.at("model__C")), cva["params"][best]["model__C"].get<double>());
  EXPECT_EQ(a.params.at("model__max_iter"), cva["params"][best]["model__max_iter"].dump());
}

TEST_F(SearchTest, RegressionGridSearchWithNegatedErrorScoring) {
  // y exactly linear: the least-shrinking Ridge wins under neg_mean_squared_error.
  std::string csv = "x1,x2,y\n";
  for (int i = 0; i < 60; ++i) {
    int x1 = (i * 7) % 23, x2 = (i * 11) % 19 - 5;
    csv += std::to_string(x1) + "," + std::to_string(x2) + "," + std::to_string(3 * x1 - 2 * x2 + 1) + "\n";
  }
  json doc = base_doc();
  doc["dataset"]["target"] = "y";
  doc["steps"] = {{{"name", "model"}, {"type", "Ridge"}}};
  doc["search"] = {{"type", "grid"}, {"cv", 3}, {"scoring", "neg_mean_squared_error"},
                   {"param_grid", {{"model__alpha", {1000.0, 1.0, 0.001}}}}};
  DatasetSource src;
  src.name = "lin";
  src.path = "lin.csv";
  src.source_type = "upload";
  src.bytes = csv;
  TrainJob job(parse_or_die(doc), src, client_, "test");
  job.run_to_end();
  ASSERT_TRUE(job.status().is_ok()) << job.status().to_string();
  auto r = client_.get_run(job.run_id()).value();
  EXPECT_EQ(r.params.at("search_scoring"), "neg_mean_squared_error");
  EXPECT_EQ(std::stod(r.params.at("best_model__alpha")), 0.001);
  EXPECT_EQ(std::stod(r.params.at("model__alpha")), 0.001);
  EXPECT_LE(r.metrics.at("best_cv_score").value, 0.0);
  EXPECT_GT(r.metrics.at("best_cv_score").value, -1e-3);
  auto h = client_.get_metric_history(r.run_id, "search_mean_neg_mean_squared_error");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_LT(h[0].value, h[1].value);
  EXPECT_LT(h[1].value, h[2].value);
  EXPECT_TRUE(r.metrics.count("r2"));
}

TEST_F(SearchTest, SearchOverAColumnStepParameter) {
  std::string csv = "text,label\n";
  const char* good[] = {"great food", "loved it", "very good value", "excellent service", "nice place"};
  const char* bad[] = {"awful food", "hated it", "very bad value", "terrible service", "dirty place"};
  for (int i = 0; i < 60; ++i) csv += std::string(i % 2 ? good[i % 5] : bad[i % 5]) + "," + (i % 2 ? "pos" : "neg") + "\n";
  json doc = base_doc();
  doc["dataset"]["target"] = "label";
  doc["steps"] = {{{"name", "tfidf"}, {"type", "TfidfVectorizer"}, {"columns", {"text"}}},
                  {{"name", "model"}, {"type", "LogisticRegression"}}};
  doc["search"] = {{"type", "grid"}, {"cv", 3}, {"param_grid", {{"tfidf__max_features", {1, 5, 100}}}}};
  DatasetSource src;
  src.name = "text";
  src.path = "text.csv";
  src.source_type = "upload";
  src.bytes = csv;
  TrainJob job(parse_or_die(doc), src, client_, "test");
  job.run_to_end();
  ASSERT_TRUE(job.status().is_ok()) << job.status().to_string();
  auto r = client_.get_run(job.run_id()).value();
  json cvr = json::parse(client_.get_artifact(r.run_id, "search/cv_results.json").value());
  EXPECT_EQ(cvr["param_tfidf__max_features"], json({1, 5, 100}));
  EXPECT_EQ(r.params.at("tfidf__max_features"), r.params.at("best_tfidf__max_features"));
  auto p = FittedPipeline::from_json(json::parse(client_.get_artifact(r.run_id, "model/pipeline.json").value()));
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  ASSERT_TRUE(p->steps[0].vectorizer);
  EXPECT_LE(p->steps[0].vectorizer->n_features(), std::stoll(r.params.at("best_tfidf__max_features")))
      << "the refit vectorizer uses the best max_features";
  EXPECT_EQ(p->steps[0].vectorizer->params().at("max_features").dump(), r.params.at("best_tfidf__max_features"));
}

TEST_F(SearchTest, EvaluateAndSearchTogetherLogBothAndProgressIsMonotone) {
  json doc = base_doc();
  doc["evaluate"] = {{"cv", 3}};
  doc["search"] = {{"type", "grid"}, {"cv", 2}, {"param_grid", {{"model__C", {0.1, 1.0}}}}};
  TrainJob job(parse_or_die(doc), breast_cancer_source(), client_, "test");
  double last = job.progress();
  std::vector<double> seen;
  while (job.step()) {
    seen.push_back(job.progress());
    // Regression test for a bug these tests found (fixed).
    EXPECT_GE(job.progress(), last) << "in stage " << job.stage_name();
    last = job.progress();
  }
  ASSERT_TRUE(job.status().is_ok()) << job.status().to_string();
  auto r = client_.get_run(job.run_id()).value();
  EXPECT_EQ(client_.get_metric_history(r.run_id, "cv_accuracy").size(), 3u);
  EXPECT_EQ(client_.get_metric_history(r.run_id, "search_mean_accuracy").size(), 2u);
  EXPECT_EQ(r.params.at("cv"), "3");
  EXPECT_EQ(r.params.at("search_cv"), "2");
}

TEST_F(SearchTest, BestBooleanParamIsLoggedLikeTheRunParams) {
  // Params are logged as MLflow logs Python values (True / False); the best_ param of a
  // boolean grid must read the same as the refit run's own param.
  // Regression test for a bug these tests found (fixed).
  json doc = base_doc();
  doc["search"] = {{"type", "grid"}, {"cv", 2}, {"param_grid", {{"scaler__with_mean", {false}}}}};
  tracking::Run r = run_ok(parse_or_die(doc));
  EXPECT_EQ(r.params.at("scaler__with_mean"), "False");
  EXPECT_EQ(r.params.at("best_scaler__with_mean"), "False");
}

// ---------------------------------------------------------------------------------------------
// Spec errors

TEST(SearchSpec, UnknownSearchTypeIsRefused) {
  json doc = base_doc();
  doc["search"] = {{"type", "bayes"}, {"param_grid", {{"model__C", {1.0}}}}};
  std::string m = spec_error(doc);
  EXPECT_TRUE(contains(m, "search.type")) << m;
  EXPECT_TRUE(contains(m, "bayes")) << m;
  EXPECT_TRUE(contains(m, "grid")) << m;
}

TEST(SearchSpec, EmptyOrMissingParamGridIsRefused) {
  json empty = base_doc();
  empty["search"] = {{"type", "grid"}, {"param_grid", json::object()}};
  EXPECT_TRUE(contains(spec_error(empty), "param_grid"));
  json missing = base_doc();
  missing["search"] = {{"type", "grid"}};
  EXPECT_TRUE(contains(spec_error(missing), "param_grid"));
  json empty_list = base_doc();
  empty_list["search"] = {{"type", "grid"}, {"param_grid", {{"model__C", json::array()}}}};
  std::string m = spec_error(empty_list);
  EXPECT_TRUE(contains(m, "model__C")) << m;
  json scalar = base_doc();
  scalar["search"] = {{"type", "grid"}, {"param_grid", {{"model__C", 1.0}}}};
  m = spec_error(scalar);
  EXPECT_TRUE(contains(m, "model__C")) << m;
}

TEST(SearchSpec, GridKeyWithoutDoubleUnderscoreIsRefused) {
  json doc = base_doc();
  doc["search"] = {{"type", "grid"}, {"param_grid", {{"C", {0.1, 1.0}}}}};
  std::string m = spec_error(doc);
  EXPECT_TRUE(contains(m, "'C'")) << m;
  EXPECT_TRUE(contains(m, "__")) << m;
}

TEST(SearchSpec, GridKeyNamingAnUnknownStepIsRefused) {
  json doc = base_doc();
  doc["search"] = {{"type", "grid"}, {"param_grid", {{"clf__C", {0.1, 1.0}}}}};
  std::string m = spec_error(doc);
  EXPECT_TRUE(contains(m, "clf")) << m;
  EXPECT_TRUE(contains(m, "model")) << "the steps are listed: " << m;
}

TEST(SearchSpec, GridKeyNamingAnUnknownParameterIsRefused) {
  json doc = base_doc();
  doc["search"] = {{"type", "grid"}, {"param_grid", {{"model__c", {0.1, 1.0}}}}};
  std::string m = spec_error(doc);
  EXPECT_TRUE(contains(m, "'c'")) << m;
}

TEST(SearchSpec, OutOfRangeGridValueNamesTheParameter) {
  json doc = base_doc();
  doc["search"] = {{"type", "grid"}, {"param_grid", {{"model__C", {1.0, -1}}}}};
  std::string m = spec_error(doc);
  EXPECT_TRUE(contains(m, "model__C")) << m;
  EXPECT_TRUE(contains(m, "-1")) << m;
  json type = base_doc();
  type["search"] = {{"type", "grid"}, {"param_grid", {{"model__max_iter", {100, "many"}}}}};
  m = spec_error(type);
  EXPECT_TRUE(contains(m, "max_iter")) << m;
}

TEST(SearchSpec, CvAndNIterBounds) {
  json cv1 = base_doc();
  cv1["evaluate"] = {{"cv", 1}};
  std::string m = spec_error(cv1);
  EXPECT_TRUE(contains(m, "evaluate.cv")) << m;
  json cvneg = base_doc();
  cvneg["evaluate"] = {{"cv", -2}};
  EXPECT_TRUE(contains(spec_error(cvneg), "evaluate.cv"));
  json cv0 = base_doc();
  cv0["evaluate"] = {{"cv", 0}};
  EXPECT_TRUE(parse_pipeline_spec(cv0).is_ok()) << "cv 0 means no cross-validation";
  json scv = base_doc();
  scv["search"] = {{"type", "grid"}, {"cv", 1}, {"param_grid", {{"model__C", {1.0}}}}};
  EXPECT_TRUE(contains(spec_error(scv), "search.cv"));
  json niter = base_doc();
  niter["search"] = {{"type", "random"}, {"n_iter", 0}, {"param_grid", {{"model__C", {1.0}}}}};
  EXPECT_TRUE(contains(spec_error(niter), "n_iter"));
  json unknown = base_doc();
  unknown["evaluate"] = {{"cv", 5}, {"folds", 3}};
  EXPECT_TRUE(contains(spec_error(unknown), "'folds'"));
}

TEST(SearchSpec, UnknownScoringListsTheAvailableOnes) {
  json ev = base_doc();
  ev["evaluate"] = {{"cv", 5}, {"scoring", "acuracy"}};
  std::string m = spec_error(ev);
  EXPECT_TRUE(contains(m, "evaluate.scoring")) << m;
  EXPECT_TRUE(contains(m, "'acuracy'")) << m;
  EXPECT_TRUE(contains(m, "accuracy")) << m;
  EXPECT_TRUE(contains(m, "roc_auc")) << m;
  json se = base_doc();
  se["search"] = {{"type", "grid"}, {"scoring", "r2"}, {"param_grid", {{"model__C", {1.0}}}}};
  m = spec_error(se);
  EXPECT_TRUE(contains(m, "search.scoring")) << m;
  EXPECT_TRUE(contains(m, "'r2'")) << "a regression scoring on a classifier: " << m;
  EXPECT_TRUE(contains(m, "f1_macro")) << m;
  // ... and a classification scoring on a regressor.
  json reg = base_doc();
  reg["steps"] = {{{"name", "model"}, {"type", "Ridge"}}};
  reg["evaluate"] = {{"cv", 3}, {"scoring", "accuracy"}};
  m = spec_error(reg);
  EXPECT_TRUE(contains(m, "'accuracy'")) << m;
  EXPECT_TRUE(contains(m, "neg_mean_squared_error")) << m;
}

// Regression test for a bug these tests found (fixed).
TEST(SearchSpec, SearchRandomStateMustBeANonNegativeInteger) {
  for (json bad : {json(-1), json(1.5)}) {
    SCOPED_TRACE(bad.dump());
    json doc = base_doc();
    doc["search"] = {{"type", "random"}, {"random_state", bad}, {"param_grid", {{"model__C", {1.0, 2.0}}}}};
    std::string m = spec_error(doc);
    EXPECT_TRUE(contains(m, "random_state")) << m;
  }
}

}  // namespace
}  // namespace mllab::pipeline

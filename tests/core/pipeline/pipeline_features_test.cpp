// Column steps (vectorizers, one-hot encoders, imputers/scalers on named columns, passthrough
// features), their save/load, their errors, and regression pipelines end to end.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
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

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

PipelineSpec parse_or_die(const json& doc) {
  auto r = parse_pipeline_spec(doc);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string() << "\n  spec: " << doc.dump();
  return r.is_ok() ? r.value() : PipelineSpec{};
}

// A spec document over `path` / `target` with the given steps.
json spec_doc(const std::string& path, const std::string& target, const json& steps,
              double test_size = 0.25, uint64_t seed = 0, bool stratify = true) {
  return {{"schema", "mllab.pipeline"},
          {"schema_version", 1},
          {"experiment", "features"},
          {"run_name", "run"},
          {"dataset", {{"path", path}, {"target", target}}},
          {"split", {{"test_size", test_size}, {"random_state", seed}, {"stratify", stratify}}},
          {"steps", steps}};
}

data::Table read_table(const std::string& bytes) {
  auto t = data::read_csv(bytes);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.is_ok() ? std::move(t).value() : data::Table{};
}

// Rows 0..n-1.
std::vector<size_t> first_rows(size_t n) {
  std::vector<size_t> rows(n);
  std::iota(rows.begin(), rows.end(), size_t{0});
  return rows;
}

DatasetSource inline_source(const std::string& name, const std::string& bytes) {
  DatasetSource src;
  src.name = name;
  src.path = name + ".csv";
  src.source_type = "upload";
  src.bytes = bytes;
  return src;
}

// The message of the mllab::Error thrown by `f` ("" and a failure when nothing is thrown).
template <typename F>
std::string error_thrown_by(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.status().message();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected mllab::Error, got std::exception: " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an error, nothing was thrown";
  return "";
}

// ---------------------------------------------------------------------------------------------
// TF-IDF + StandardScaler(with_mean=False) through FittedPipeline equals scikit-learn's matrix.

// The reference (tests/data/tfidf_pipeline_reference.json, see its generator script) is
// Pipeline([tfidf(max_features=1000), StandardScaler(with_mean=False)]).fit_transform on the
// `text` column of all 3,000 rows of sentiment.csv: shape, nnz, sums, vocabulary, idf, scaler
// statistics, rows 0..4 in full and 200 sampled entries. numpy's log differs from libm's by
// one ulp for some idf arguments, hence 1e-12 relative rather than bit equality.
class SentimentTfidfPipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ref_ = new json(json::parse(read_source("tests/data/tfidf_pipeline_reference.json")));
    table_ = new data::Table(read_table(read_source("assets/datasets/sentiment.csv")));
  }
  static void TearDownTestSuite() {
    delete ref_;
    delete table_;
    ref_ = nullptr;
    table_ = nullptr;
  }

  // The course's pipeline with a cheap final estimator (only the features are compared).
  static FittedPipeline fitted_course_pipeline() {
    PipelineSpec spec = parse_or_die(spec_doc(
        "assets/datasets/sentiment.csv", "label",
        {{{"name", "tfidf"}, {"type", "TfidfVectorizer"}, {"columns", {"text"}},
          {"params", {{"max_features", 1000}}}},
         {{"name", "scaler"}, {"type", "StandardScaler"}, {"params", {{"with_mean", false}}}},
         {{"name", "model"}, {"type", "MultinomialNB"}}}));
    auto p = FittedPipeline::from_spec(spec);
    EXPECT_TRUE(p.is_ok()) << p.status().to_string();
    auto labels = encode_labels(*table_, "label");
    EXPECT_TRUE(labels.is_ok()) << labels.status().to_string();
    p->fit(*table_, labels->y, int(labels->classes.size()));
    return std::move(p).value();
  }

  static void expect_rel(double got, double want, const std::string& what) {
    const double tol = 1e-12 * std::max(std::abs(want), 1e-300);
    EXPECT_LE(std::abs(got - want), tol) << what << ": got " << got << ", want " << want;
  }

  static json* ref_;
  static data::Table* table_;
};
json* SentimentTfidfPipeline::ref_ = nullptr;
data::Table* SentimentTfidfPipeline::table_ = nullptr;

TEST_F(SentimentTfidfPipeline, TransformEqualsScikitLearnOnAllRows) {
  const json& ref = *ref_;
  ASSERT_EQ(table_->num_rows(), ref.at("n_documents").get<size_t>());
  FittedPipeline p = fitted_course_pipeline();
  ASSERT_TRUE(p.has_column_steps());
  EXPECT_EQ(p.input_columns(), (std::vector<std::string>{"text"}));

  // Fitted state: vocabulary, idf and the sparse scaler's scale_.
  ASSERT_TRUE(p.steps[0].vectorizer);
  EXPECT_EQ(p.steps[0].vectorizer->feature_names_out(),
            ref.at("feature_names").get<std::vector<std::string>>());
  ASSERT_TRUE(p.steps[1].sparse_scale.has_value()) << "the scaler must take the sparse path";
  ASSERT_EQ(p.steps[1].sparse_scale->size(), 1000);
  for (Eigen::Index j = 0; j < 1000; ++j) {
    expect_rel((*p.steps[1].sparse_scale)(j), ref.at("scaler_scale")[size_t(j)].get<double>(),
               "scale_[" + std::to_string(j) + "]");
  }

  Features f = p.transform(*table_);
  ASSERT_TRUE(f.sparse) << "TF-IDF features stay sparse through StandardScaler(with_mean=False)";
  ASSERT_EQ(f.rows(), ref.at("shape")[0].get<Eigen::Index>());
  ASSERT_EQ(f.cols(), ref.at("shape")[1].get<Eigen::Index>());
  ml::SparseMatrix z = f.sp;
  z.prune(0.0);
  EXPECT_EQ(z.nonZeros(), ref.at("nnz").get<Eigen::Index>());
  double sum = 0, squares = 0;
  for (Eigen::Index i = 0; i < z.outerSize(); ++i) {
    for (ml::SparseMatrix::InnerIterator it(z, i); it; ++it) {
      sum += it.value();
      squares += it.value() * it.value();
    }
  }
  EXPECT_NEAR(sum, ref.at("sum").get<double>(), 1e-9 * ref.at("sum").get<double>());
  EXPECT_NEAR(squares, ref.at("sum_of_squares").get<double>(),
              1e-9 * ref.at("sum_of_squares").get<double>());
  for (const auto& row : ref.at("rows").items()) {
    const Eigen::Index i = std::stoi(row.key());
    const auto& idx = row.value().at("indices");
    const auto& val = row.value().at("values");
    ASSERT_EQ(z.row(i).nonZeros(), Eigen::Index(idx.size())) << "row " << i;
    for (size_t k = 0; k < idx.size(); ++k) {
      expect_rel(z.coeff(i, idx[k].get<Eigen::Index>()), val[k].get<double>(),
                 "row " + std::to_string(i) + " col " + idx[k].dump());
    }
  }
  for (const auto& e : ref.at("entries")) {
    expect_rel(z.coeff(e[0].get<Eigen::Index>(), e[1].get<Eigen::Index>()), e[2].get<double>(),
               "entry " + e.dump());
  }
}

TEST_F(SentimentTfidfPipeline, TransformOfTheFirst200RowsEqualsTheReferenceRows) {
  // Transforming a subset with the fitted pipeline gives the same rows as the whole matrix:
  // the reference's rows 0..4 and every sampled entry in rows < 200.
  const json& ref = *ref_;
  FittedPipeline p = fitted_course_pipeline();
  data::Table head = table_->take_rows(first_rows(200));
  Features f = p.transform(head);
  ASSERT_TRUE(f.sparse);
  ASSERT_EQ(f.rows(), 200);
  ASSERT_EQ(f.cols(), 1000);
  for (const auto& row : ref.at("rows").items()) {
    const Eigen::Index i = std::stoi(row.key());
    const auto& idx = row.value().at("indices");
    ml::SparseMatrix r = f.sp.row(i);
    r.prune(0.0);
    ASSERT_EQ(r.nonZeros(), Eigen::Index(idx.size())) << "row " << i;
    for (size_t k = 0; k < idx.size(); ++k) {
      expect_rel(f.sp.coeff(i, idx[k].get<Eigen::Index>()),
                 row.value().at("values")[k].get<double>(), "row " + std::to_string(i));
    }
  }
  int checked = 0;
  for (const auto& e : ref.at("entries")) {
    if (e[0].get<int>() >= 200) continue;
    ++checked;
    expect_rel(f.sp.coeff(e[0].get<Eigen::Index>(), e[1].get<Eigen::Index>()),
               e[2].get<double>(), "entry " + e.dump());
  }
  EXPECT_GT(checked, 0) << "some sampled entries fall in the first 200 rows";
}

// ---------------------------------------------------------------------------------------------
// OneHotEncoder + SimpleImputer + a passthrough column: hand-computed matrix.

const char* kMixedCsv =
    "color,size,weight,label\n"
    "red,1,10,a\n"
    "blue,,20,b\n"
    "green,3,30,a\n"
    "red,5,40,b\n"
    "blue,,50,a\n"
    "green,3,60,b\n";

PipelineSpec mixed_spec(const std::string& handle_unknown) {
  PipelineSpec spec = parse_or_die(spec_doc(
      "mixed.csv", "label",
      {{{"name", "cats"}, {"type", "OneHotEncoder"}, {"columns", {"color"}},
        {"params", {{"handle_unknown", handle_unknown}}}},
       {{"name", "imp"}, {"type", "SimpleImputer"}, {"columns", {"size"}},
        {"params", {{"strategy", "mean"}}}},
       {{"name", "model"}, {"type", "LogisticRegression"}}}));
  spec.features = {"weight"};
  return spec;
}

FittedPipeline fit_mixed(const std::string& handle_unknown) {
  auto p = FittedPipeline::from_spec(mixed_spec(handle_unknown));
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  p->features = {"weight"};  // the passthrough columns (TrainJob sets them from the spec)
  data::Table t = read_table(kMixedCsv);
  auto labels = encode_labels(t, "label");
  EXPECT_TRUE(labels.is_ok());
  p->fit(t, labels->y, 2);
  return std::move(p).value();
}

TEST(PipelineColumnSteps, OneHotImputerAndPassthroughGiveTheExpectedMatrix) {
  FittedPipeline p = fit_mixed("ignore");
  EXPECT_TRUE(p.has_column_steps());
  EXPECT_EQ(p.input_columns(), (std::vector<std::string>{"color", "size", "weight"}));
  Features f = p.transform(read_table(kMixedCsv));
  // ColumnTransformer order: one-hot(color) = [blue, green, red], imputed size (mean of
  // 1, 3, 5, 3 = 3), then the passthrough weight.
  ml::Matrix expected(6, 5);
  expected << 0, 0, 1, 1, 10,  //
      1, 0, 0, 3, 20,          //
      0, 1, 0, 3, 30,          //
      0, 0, 1, 5, 40,          //
      1, 0, 0, 3, 50,          //
      0, 1, 0, 3, 60;
  ml::Matrix got = f.to_dense();
  ASSERT_EQ(got.rows(), 6);
  ASSERT_EQ(got.cols(), 5);
  EXPECT_EQ(got, expected) << "got\n" << got;
  ASSERT_TRUE(p.steps[0].encoder);
  EXPECT_EQ(p.steps[0].encoder->feature_names_out(),
            (std::vector<std::string>{"color_blue", "color_green", "color_red"}));
  // The pipeline's names follow the matrix's column order, one per column.
  EXPECT_EQ(p.feature_names_out(),
            (std::vector<std::string>{"color_blue", "color_green", "color_red", "size", "weight"}));
}

TEST(PipelineColumnSteps, UnseenCategoryIsIgnoredOrAnErrorNamingColumnAndValue) {
  const std::string fresh =
      "color,size,weight\n"
      "purple,,15\n"
      "red,2,25\n";
  data::Table t = read_table(fresh);

  FittedPipeline ignore = fit_mixed("ignore");
  Features f = ignore.transform(t);
  ml::Matrix expected(2, 5);
  expected << 0, 0, 0, 3, 15,  // unknown -> all-zero one-hot block; size imputed with 3
      0, 0, 1, 2, 25;
  EXPECT_EQ(f.to_dense(), expected) << f.to_dense();
  std::vector<int> pred;
  ASSERT_NO_THROW(pred = ignore.predict(t));
  EXPECT_EQ(pred.size(), 2u);
  ml::Matrix proba = ignore.predict_proba(t);
  ASSERT_EQ(proba.rows(), 2);
  ASSERT_EQ(proba.cols(), 2);
  for (Eigen::Index i = 0; i < 2; ++i) EXPECT_NEAR(proba.row(i).sum(), 1.0, 1e-12);

  FittedPipeline strict = fit_mixed("error");
  std::string m = error_thrown_by([&] { strict.predict(t); });
  EXPECT_TRUE(contains(m, "color")) << m;
  EXPECT_TRUE(contains(m, "purple")) << m;
  // Known categories still work with "error".
  data::Table known = t.take_rows({1});
  EXPECT_NO_THROW(strict.predict(known));
}

TEST(PipelineColumnSteps, ConstantImputerTakesANumericFillValue) {
  // SimpleImputer documents fill_value as "a number or a string" (scikit-learn's too).
  // Regression test for a bug these tests found (fixed).
  json doc = spec_doc("mixed.csv", "label",
                      {{{"name", "imp"}, {"type", "SimpleImputer"}, {"columns", {"size"}},
                        {"params", {{"strategy", "constant"}, {"fill_value", -1}}}},
                       {{"name", "model"}, {"type", "LogisticRegression"}}});
  auto r = parse_pipeline_spec(doc);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  auto p = FittedPipeline::from_spec(*r);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  data::Table t = read_table(kMixedCsv);
  auto labels = encode_labels(t, "label");
  p->fit(t, labels->y, 2);
  ml::Matrix got = p->transform(t).to_dense();
  ml::Matrix expected(6, 1);
  expected << 1, -1, 3, 5, -1, 3;
  EXPECT_EQ(got, expected) << got;
}

// Scalers keep missing values, as scikit-learn's do: a SimpleImputer after them fills them (as
// Pipeline([StandardScaler(), SimpleImputer(), LogisticRegression()]) does), also when the
// scaler is a column step; without an imputer on the way the input is refused, naming the
// column and the row.
TEST(PipelineMissingValues, ScalerThenImputerOrHistGradientBoostingTakeThemOthersRefuse) {
  data::Table t = read_table("size,weight,label\n1,10,a\n,20,b\n3,30,a\n5,40,b\n,50,a\n3,60,b\n");
  auto labels = encode_labels(t, "label");
  ASSERT_TRUE(labels.is_ok());
  // size: mean of 1, 3, 5, 3 = 3, population std sqrt(2), so the scaled values are -sqrt(2),
  // NaN, 0, sqrt(2), NaN, 0; their mean, which the imputer fills in, is exactly 0.
  const double r2 = std::sqrt(2.0);
  for (bool column_step : {false, true}) {
    SCOPED_TRACE(column_step ? "column step" : "matrix step");
    json scaler = {{"name", "scale"}, {"type", "StandardScaler"}};
    if (column_step) scaler["columns"] = {"size", "weight"};
    json steps = {scaler, {{"name", "impute"}, {"type", "SimpleImputer"}},
                  {{"name", "model"}, {"type", "LogisticRegression"}}};
    auto p = FittedPipeline::from_spec(parse_or_die(spec_doc("m.csv", "label", steps)));
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    if (!column_step) p->features = {"size", "weight"};  // the passthrough columns (TrainJob sets them)
    p->fit(t, labels->y, 2);
    const ml::Matrix got = p->transform(t).to_dense();
    ASSERT_EQ(got.cols(), 2);
    const std::vector<double> expected = {-r2, 0.0, 0.0, r2, 0.0, 0.0};
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(got(i, 0), expected[size_t(i)], 1e-15) << "row " << i;
  }
  json steps = {{{"name", "scale"}, {"type", "StandardScaler"}}, {{"name", "model"}, {"type", "LogisticRegression"}}};
  auto p = FittedPipeline::from_spec(parse_or_die(spec_doc("m.csv", "label", steps)));
  ASSERT_TRUE(p.is_ok());
  p->features = {"size", "weight"};
  const std::string m = error_thrown_by([&] { p->fit(t, labels->y, 2); });
  EXPECT_TRUE(contains(m, "'size'")) << m;
  EXPECT_TRUE(contains(m, "data row 2")) << m;

  // HistGradientBoosting takes missing values itself (as scikit-learn's): they reach it through
  // the scaler, and a row with a missing value predicts.
  json hgb_steps = {{{"name", "scale"}, {"type", "StandardScaler"}},
                    {{"name", "model"}, {"type", "HistGradientBoostingClassifier"}, {"params", {{"min_samples_leaf", 1}}}}};
  auto hgb = FittedPipeline::from_spec(parse_or_die(spec_doc("m.csv", "label", hgb_steps)));
  ASSERT_TRUE(hgb.is_ok()) << hgb.status().to_string();
  hgb->features = {"size", "weight"};
  hgb->fit(t, labels->y, 2);
  EXPECT_TRUE(std::isnan(hgb->transform(t).to_dense()(1, 0)));
  const ml::Matrix proba = hgb->predict_proba(t);
  ASSERT_EQ(proba.rows(), 6);
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(proba.row(i).sum(), 1.0, 1e-12) << "row " << i;
}

class PipelineTrainJob : public ::testing::Test {
 protected:
  void SetUp() override {
    set_clock_for_testing([this] { return now_ += 10; });
  }
  void TearDown() override { set_clock_for_testing(nullptr); }

  std::unique_ptr<TrainJob> run(PipelineSpec spec, DatasetSource src) {
    auto job = std::make_unique<TrainJob>(std::move(spec), std::move(src), client_, "test");
    job->run_to_end();
    EXPECT_TRUE(job->done());
    return job;
  }

  void expect_failed(const TrainJob& job, const std::vector<std::string>& needles) {
    ASSERT_FALSE(job.status().is_ok()) << "the run should fail";
    for (const auto& n : needles) {
      EXPECT_TRUE(contains(job.status().message(), n)) << "'" << n << "' in: " << job.status().message();
    }
    ASSERT_FALSE(job.run_id().empty());
    auto r = client_.get_run(job.run_id());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, RunStatus::kFailed);
    ASSERT_TRUE(r->tags.count("mllab.error"));
    EXPECT_TRUE(r->metrics.empty());
    EXPECT_TRUE(r->artifacts.empty());
  }

  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  tracking::TrackingClient client_{store_};
};

TEST_F(PipelineTrainJob, MixedColumnStepsTrainAndSaveTheirInputs) {
  // 40 rows of the same shape as kMixedCsv: through a TrainJob the dataset's features list
  // makes `weight` a passthrough column and the saved model reads exactly these columns.
  std::string csv = "color,size,weight,label,ignored\n";
  const char* colors[] = {"red", "blue", "green"};
  for (int i = 0; i < 40; ++i) {
    csv += std::string(colors[i % 3]) + "," + (i % 7 == 2 ? "" : std::to_string(i % 5)) + "," +
           std::to_string(i * 3 % 17) + "," + (i % 2 ? "a" : "b") + ",zzz" + std::to_string(i) + "\n";
  }
  PipelineSpec spec = mixed_spec("ignore");
  auto job = run(spec, inline_source("mixed", csv));
  // Regression test for a bug these tests found (fixed).
  ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
  auto r = client_.get_run(job->run_id()).value();
  EXPECT_EQ(r.params.at("n_features_in"), "3");
  EXPECT_EQ(r.params.at("cats__handle_unknown"), "ignore");
  EXPECT_EQ(r.params.at("imp__strategy"), "mean");
  auto p = FittedPipeline::from_json(json::parse(client_.get_artifact(r.run_id, "model/pipeline.json").value()));
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->features, (std::vector<std::string>{"weight"}));
  EXPECT_EQ(p->input_columns(), (std::vector<std::string>{"color", "size", "weight"}));
  Features f = p->transform(read_table(csv));
  EXPECT_EQ(f.rows(), 40);
  EXPECT_EQ(f.cols(), 5);
}

// ---------------------------------------------------------------------------------------------
// Save / load: predictions are bit-identical.

void expect_bit_identical(const ml::Matrix& a, const ml::Matrix& b) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.cols(), b.cols());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(double) * size_t(a.size())), 0);
}

TEST(PipelineSaveLoad, SentimentRandomForestSparsePathRoundTrips) {
  json doc = json::parse(read_source("examples/sentiment-rf-baseline.json"));
  doc["steps"][2]["params"]["n_estimators"] = 20;  // keeps the test quick; same code path
  PipelineSpec spec = parse_or_die(doc);
  data::Table table = read_table(read_source("assets/datasets/sentiment.csv"));
  auto labels = encode_labels(table, "label");
  ASSERT_TRUE(labels.is_ok());
  auto p = FittedPipeline::from_spec(spec);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  p->classes = labels->classes;
  p->target_names = labels->classes;
  data::Table train = table.take_rows(first_rows(2400));
  p->fit(train, std::vector<int>(labels->y.begin(), labels->y.begin() + 2400), 2);
  ASSERT_TRUE(p->steps[1].sparse_scale.has_value()) << "sparse StandardScaler path";

  const json saved = p->to_json();
  auto loaded = FittedPipeline::from_json(json::parse(saved.dump()));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->to_json(), saved) << "save -> load -> save is stable";
  EXPECT_EQ(loaded->classes, labels->classes);
  EXPECT_EQ(loaded->input_columns(), (std::vector<std::string>{"text"}));
  EXPECT_EQ(loaded->flat_params(), p->flat_params());
  expect_bit_identical(p->predict_proba(table), loaded->predict_proba(table));
  EXPECT_EQ(p->predict(table), loaded->predict(table));
}

TEST(PipelineSaveLoad, BirdstrikesLikePipelineRoundTrips) {
  json doc = json::parse(read_source("examples/birdstrikes-damage-hgb.json"));
  PipelineSpec spec = parse_or_die(doc);
  data::Table all = read_table(read_source("assets/datasets/birdstrikes.csv"));
  data::Table table = all.take_rows(first_rows(3000));
  auto labels = encode_labels(table, "Effect Amount of damage");
  ASSERT_TRUE(labels.is_ok());
  std::vector<size_t> labelled;
  std::vector<int> y;
  for (size_t i = 0; i < labels->y.size(); ++i) {
    if (labels->y[i] >= 0) { labelled.push_back(i); y.push_back(labels->y[i]); }
  }
  data::Table x = table.take_rows(labelled);
  auto p = FittedPipeline::from_spec(spec);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  p->classes = labels->classes;
  p->target_names = labels->classes;
  p->fit(x, y, int(labels->classes.size()));

  // Regression test for a bug these tests found (fixed).
  auto loaded = FittedPipeline::from_json(json::parse(p->to_json().dump()));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->to_json(), p->to_json());
  EXPECT_EQ(loaded->input_columns(),
            (std::vector<std::string>{"Wildlife Size", "Phase of flight", "Time of day", "Speed IAS in knots"}));
  // Predict on the rows never seen at fit (with their missing speeds and any new category).
  data::Table rest = all.take_rows([&] {
    std::vector<size_t> r;
    for (size_t i = 3000; i < all.num_rows(); ++i) r.push_back(i);
    return r;
  }());
  expect_bit_identical(p->predict_proba(rest), loaded->predict_proba(rest));
  expect_bit_identical(p->predict_proba(x), loaded->predict_proba(x));
}

// ---------------------------------------------------------------------------------------------
// Errors.

std::string small_text_csv() {
  std::string csv = "text,n,label\n";
  const char* good[] = {"great food", "loved it", "very good value", "excellent service"};
  const char* bad[] = {"awful food", "hated it", "very bad value", "terrible service"};
  for (int i = 0; i < 40; ++i) {
    csv += std::string(i % 2 ? good[i % 4] : bad[i % 4]) + "," + std::to_string(i) + "," +
           (i % 2 ? "pos" : "neg") + "\n";
  }
  return csv;
}

TEST_F(PipelineTrainJob, CenteringStandardScalerAfterTfidfFailsNamingTheStep) {
  PipelineSpec spec = parse_or_die(spec_doc(
      "text.csv", "label",
      {{{"name", "tfidf"}, {"type", "TfidfVectorizer"}, {"columns", {"text"}}},
       {{"name", "my_scaler"}, {"type", "StandardScaler"}},  // with_mean defaults to true
       {{"name", "model"}, {"type", "LogisticRegression"}}}));
  auto job = run(spec, inline_source("text", small_text_csv()));
  expect_failed(*job, {"my_scaler", "with_mean"});

  // Directly on a FittedPipeline, too.
  auto p = FittedPipeline::from_spec(spec);
  ASSERT_TRUE(p.is_ok());
  data::Table t = read_table(small_text_csv());
  auto labels = encode_labels(t, "label");
  std::string m = error_thrown_by([&] { p->fit(t, labels->y, 2); });
  EXPECT_TRUE(contains(m, "my_scaler")) << m;

  // with_mean=false is fine.
  PipelineSpec ok = spec;
  ok.steps[1].params = {{"with_mean", false}};
  auto job2 = run(ok, inline_source("text", small_text_csv()));
  EXPECT_TRUE(job2->status().is_ok()) << job2->status().to_string();
}

TEST_F(PipelineTrainJob, VectorizerOnTwoColumnsFailsNamingTheStep) {
  PipelineSpec spec = parse_or_die(spec_doc(
      "text.csv", "label",
      {{{"name", "vec"}, {"type", "CountVectorizer"}, {"columns", {"text", "n"}}},
       {{"name", "model"}, {"type", "LogisticRegression"}}}));
  auto p = FittedPipeline::from_spec(spec);
  ASSERT_FALSE(p.is_ok());
  EXPECT_TRUE(contains(p.status().message(), "vec")) << p.status().message();
  EXPECT_TRUE(contains(p.status().message(), "one")) << p.status().message();
  auto job = run(spec, inline_source("text", small_text_csv()));
  expect_failed(*job, {"vec"});
}

TEST_F(PipelineTrainJob, VectorizerOnANumericColumnFailsNamingTheColumn) {
  PipelineSpec spec = parse_or_die(spec_doc(
      "text.csv", "label",
      {{{"name", "vec"}, {"type", "TfidfVectorizer"}, {"columns", {"n"}}},
       {{"name", "model"}, {"type", "LogisticRegression"}}}));
  auto job = run(spec, inline_source("text", small_text_csv()));
  expect_failed(*job, {"'n'", "numeric"});
}

TEST_F(PipelineTrainJob, NumericColumnStepOnATextColumnFailsNamingTheColumn) {
  PipelineSpec spec = parse_or_die(spec_doc(
      "text.csv", "label",
      {{{"name", "sc"}, {"type", "StandardScaler"}, {"columns", {"text"}}},
       {{"name", "model"}, {"type", "LogisticRegression"}}}));
  auto job = run(spec, inline_source("text", small_text_csv()));
  expect_failed(*job, {"'text'"});
}

TEST(PipelineColumnSteps, ColumnStepAfterAMatrixStepIsASpecErrorNamingTheStep) {
  json doc = spec_doc("text.csv", "label",
                      {{{"name", "sc"}, {"type", "StandardScaler"}},
                       {{"name", "vec"}, {"type", "TfidfVectorizer"}, {"columns", {"text"}}},
                       {{"name", "model"}, {"type", "LogisticRegression"}}});
  auto r = parse_pipeline_spec(doc);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidParameterValue);
  EXPECT_TRUE(contains(r.status().message(), "steps[1]")) << r.status().message();
  EXPECT_TRUE(contains(r.status().message(), "before")) << r.status().message();
}

TEST_F(PipelineTrainJob, RegressorOnACategoricalTargetFailsNamingTheTarget) {
  PipelineSpec spec = parse_or_die(spec_doc(
      "text.csv", "label",
      {{{"name", "vec"}, {"type", "TfidfVectorizer"}, {"columns", {"text"}}},
       {{"name", "model"}, {"type", "Ridge"}}}));
  ASSERT_TRUE(is_regression(spec));
  auto job = run(spec, inline_source("text", small_text_csv()));
  expect_failed(*job, {"'label'", "numeric target"});
}

// ---------------------------------------------------------------------------------------------
// Regression end to end.

// y = 3 x1 - 2 x2 + 1 exactly (small integers: every value is exact in binary).
std::string linear_csv() {
  std::string csv = "x1,x2,y\n";
  for (int i = 0; i < 50; ++i) {
    int x1 = (i * 7) % 23, x2 = (i * 11) % 19 - 5;
    csv += std::to_string(x1) + "," + std::to_string(x2) + "," + std::to_string(3 * x1 - 2 * x2 + 1) + "\n";
  }
  return csv;
}

PipelineSpec regression_spec(const std::string& model) {
  return parse_or_die(spec_doc("linear.csv", "y", {{{"name", "model"}, {"type", model}}}, 0.2, 7, true));
}

TEST_F(PipelineTrainJob, LinearRegressionRecoversAnExactLinearTarget) {
  auto job = run(regression_spec("LinearRegression"), inline_source("linear", linear_csv()));
  ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
  auto r = client_.get_run(job->run_id()).value();
  EXPECT_EQ(r.status, RunStatus::kFinished);
  EXPECT_EQ(r.tags.at("mllab.task"), "regression");
  EXPECT_EQ(r.params.at("stratify"), "False") << "regression splits are never stratified";
  EXPECT_EQ(r.params.at("n_test"), "10");
  EXPECT_EQ(r.params.at("n_train"), "40");
  EXPECT_EQ(r.params.at("model__fit_intercept"), "True");
  for (const char* k : {"r2", "rmse", "mse", "mae", "train_r2"}) {
    EXPECT_TRUE(r.metrics.count(k)) << "missing metric " << k;
  }
  EXPECT_FALSE(r.metrics.count("accuracy"));
  EXPECT_NEAR(r.metrics.at("r2").value, 1.0, 1e-12);
  EXPECT_NEAR(r.metrics.at("train_r2").value, 1.0, 1e-12);
  EXPECT_LT(r.metrics.at("rmse").value, 1e-9);
  EXPECT_LT(r.metrics.at("mae").value, 1e-9);
  EXPECT_LT(r.metrics.at("mse").value, 1e-18);
  EXPECT_NEAR(r.metrics.at("rmse").value * r.metrics.at("rmse").value, r.metrics.at("mse").value, 1e-24);

  auto preds = client_.get_artifact(r.run_id, "predictions.json");
  ASSERT_TRUE(preds.is_ok()) << "predictions.json is logged";
  json pj = json::parse(*preds);
  ASSERT_EQ(pj.at("y_true").size(), 10u);
  ASSERT_EQ(pj.at("y_pred").size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_NEAR(pj["y_pred"][i].get<double>(), pj["y_true"][i].get<double>(), 1e-9);
  }
  std::vector<std::string> paths;
  for (const auto& a : r.artifacts) paths.push_back(a.path);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"model/MLmodel", "model/input_example.json", "model/pipeline.json",
                                             "predictions.json", "split.json"}));

  // The saved model: a regressor with the exact coefficients.
  auto p = FittedPipeline::from_json(json::parse(client_.get_artifact(r.run_id, "model/pipeline.json").value()));
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_TRUE(p->is_regression());
  EXPECT_TRUE(p->classes.empty());
  data::Table fresh = read_table("x1,x2\n100,-50\n0,0\n");
  ml::Vector v = p->predict_values(fresh);
  ASSERT_EQ(v.size(), 2);
  EXPECT_NEAR(v[0], 3 * 100 + 2 * 50 + 1, 1e-9);
  EXPECT_NEAR(v[1], 1, 1e-9);
}

TEST_F(PipelineTrainJob, RidgeShrinksSlightly) {
  auto job = run(regression_spec("Ridge"), inline_source("linear", linear_csv()));
  ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
  auto r = client_.get_run(job->run_id()).value();
  EXPECT_EQ(r.params.at("model__alpha"), "1.0");
  const double r2 = r.metrics.at("r2").value;
  EXPECT_LT(r2, 1.0) << "alpha=1 shrinks the coefficients";
  EXPECT_GT(r2, 0.99);
  EXPECT_GT(r.metrics.at("rmse").value, 1e-9);
  EXPECT_TRUE(client_.get_artifact(r.run_id, "predictions.json").is_ok());
}

TEST_F(PipelineTrainJob, RegressionWithScalerAndTreeModelsTrain) {
  for (const char* model : {"DecisionTreeRegressor", "RandomForestRegressor", "HistGradientBoostingRegressor"}) {
    SCOPED_TRACE(model);
    json steps = {{{"name", "scaler"}, {"type", "MinMaxScaler"}}, {{"name", "model"}, {"type", model}}};
    if (std::string(model) == "RandomForestRegressor") steps[1]["params"] = {{"n_estimators", 10}, {"random_state", 0}};
    // 40 training rows: the default min_samples_leaf=20 would allow only two leaves.
    if (std::string(model) == "HistGradientBoostingRegressor") steps[1]["params"] = {{"min_samples_leaf", 5}};
    auto job = run(parse_or_die(spec_doc("linear.csv", "y", steps, 0.2, 7)), inline_source("linear", linear_csv()));
    ASSERT_TRUE(job->status().is_ok()) << job->status().to_string();
    auto r = client_.get_run(job->run_id()).value();
    EXPECT_TRUE(r.metrics.count("r2"));
    EXPECT_GT(r.metrics.at("train_r2").value, 0.5);
    EXPECT_TRUE(client_.get_artifact(r.run_id, "predictions.json").is_ok());
  }
}

}  // namespace
}  // namespace mllab::pipeline

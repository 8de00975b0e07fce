// MLflow's filter grammar and order_by over runs built in memory.
#include "core/tracking/search.hpp"

#include <gtest/gtest.h>

namespace mllab::tracking {
namespace {

Run make_run(const std::string& id, const std::string& name, RunStatus status, int64_t start,
             std::map<std::string, double> metrics, std::map<std::string, std::string> params,
             std::map<std::string, std::string> tags = {}, std::string digest = "") {
  Run r;
  r.run_id = id;
  r.run_name = name;
  r.status = status;
  r.start_time = start;
  r.end_time = start + 10;
  for (const auto& [k, v] : metrics) r.metrics[k] = Metric{k, v, start, 0};
  r.params = std::move(params);
  r.tags = std::move(tags);
  if (!digest.empty()) r.inputs.push_back({"iris", digest, "builtin", "assets/datasets/iris.csv", {}, 150, "training"});
  return r;
}

std::vector<Run> sample() {
  return {make_run("a", "rf-baseline", RunStatus::kFinished, 100, {{"accuracy", 0.95}, {"f1", 0.9}},
                   {{"max_depth", "10"}}, {{"team", "alpha"}}, "d1"),
          make_run("b", "RF-deep", RunStatus::kFinished, 200, {{"accuracy", 0.91}, {"f1", 0.93}},
                   {{"max_depth", "20"}}, {{"team", "beta"}}, "d2"),
          make_run("c", "logreg", RunStatus::kFailed, 300, {}, {{"C", "1.0"}}, {{"team", "alpha"}}),
          make_run("d", "logreg-2", RunStatus::kFinished, 400, {{"accuracy", 0.88}}, {{"C", "0.1"}})};
}

std::vector<std::string> ids(const Result<std::vector<Run>>& r) {
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  std::vector<std::string> out;
  if (r) for (const auto& x : *r) out.push_back(x.run_id);
  return out;
}

TEST(RunSearch, EmptyFilterKeepsAllNewestFirst) {
  EXPECT_EQ(ids(search_runs(sample(), "")), (std::vector<std::string>{"d", "c", "b", "a"}));
}

TEST(RunSearch, MetricsAndParamsCombinedWithAnd) {
  EXPECT_EQ(ids(search_runs(sample(), "metrics.accuracy > 0.9 and params.max_depth = '10'")),
            (std::vector<std::string>{"a"}));
  // A run without the metric never matches a metric clause (run c has no accuracy).
  EXPECT_EQ(ids(search_runs(sample(), "metrics.accuracy <= 0.95")), (std::vector<std::string>{"d", "b", "a"}));
  EXPECT_EQ(ids(search_runs(sample(), "metric.accuracy != 0.91")), (std::vector<std::string>{"d", "a"}));
}

TEST(RunSearch, DottedKeysAreOneKeyAsInMlflow) {
  auto runs = sample();
  runs[1].tags["mlflow.parentRunId"] = "a";
  runs[3].tags["mlflow.parentRunId"] = "a";
  EXPECT_EQ(ids(search_runs(runs, "tags.mlflow.parentRunId = 'a'")), (std::vector<std::string>{"d", "b"}));
  EXPECT_EQ(ids(search_runs(runs, "tags.`mlflow.parentRunId` = 'a'")), (std::vector<std::string>{"d", "b"}));
  EXPECT_EQ(ids(search_runs(runs, "tags.mlflow.parentRunId = 'a'", {"tags.mlflow.parentRunId ASC"})).size(), 2u);
}

TEST(RunSearch, LikeIsCaseSensitiveIlikeIsNot) {
  EXPECT_EQ(ids(search_runs(sample(), "attributes.run_name LIKE 'rf%'")), (std::vector<std::string>{"a"}));
  EXPECT_EQ(ids(search_runs(sample(), "attributes.run_name ILIKE '%rf%'")), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(ids(search_runs(sample(), "tags.team LIKE 'a_pha'")), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(ids(search_runs(sample(), "attributes.run_name LIKE 'logreg'")), (std::vector<std::string>{"c"}));
}

TEST(RunSearch, AttributesAndDatasets) {
  EXPECT_EQ(ids(search_runs(sample(), "attributes.status = 'FAILED'")), (std::vector<std::string>{"c"}));
  EXPECT_EQ(ids(search_runs(sample(), "attributes.status IN ('FAILED', 'KILLED')")), (std::vector<std::string>{"c"}));
  EXPECT_EQ(ids(search_runs(sample(), "attributes.status NOT IN ('FAILED')")), (std::vector<std::string>{"d", "b", "a"}));
  EXPECT_EQ(ids(search_runs(sample(), "attributes.start_time >= 300")), (std::vector<std::string>{"d", "c"}));
  EXPECT_EQ(ids(search_runs(sample(), "datasets.digest = 'd2'")), (std::vector<std::string>{"b"}));
  EXPECT_EQ(ids(search_runs(sample(), "attributes.`run name` = \"logreg\"")), (std::vector<std::string>{"c"}));
}

TEST(RunSearch, OrderByMetricThenDefaultTieBreak) {
  EXPECT_EQ(ids(search_runs(sample(), "", {"metrics.f1 DESC"})), (std::vector<std::string>{"b", "a", "d", "c"}));
  EXPECT_EQ(ids(search_runs(sample(), "", {"metrics.accuracy"})), (std::vector<std::string>{"d", "b", "a", "c"}));
  EXPECT_EQ(ids(search_runs(sample(), "", {"params.C ASC"})), (std::vector<std::string>{"d", "c", "b", "a"}));
}

TEST(RunSearch, ErrorsNameThePositionAndToken) {
  auto expect_error = [](const std::string& filter, const std::string& part) {
    auto r = parse_filter(filter);
    ASSERT_FALSE(r.is_ok()) << filter;
    EXPECT_NE(r.status().message().find(part), std::string::npos) << r.status().message();
  };
  expect_error("metrics.accuracy > 0.9 and", "position 27 (end of filter)");
  expect_error("metrics.accuracy > 0.9 or params.x = '1'", "position 24 ('or'): OR is not supported");
  expect_error("params.C = 1.0", "position 12 ('1.0'): expected a quoted string");
  expect_error("params.C > '1'", "position 10 ('>'): comparator not allowed");
  expect_error("metrics.accuracy LIKE '0.9'", "numbers take");
  expect_error("tags.x IN ('a')", "IN is only for attributes and datasets");
  expect_error("foo.bar = 'x'", "position 1 ('foo'): unknown identifier type");
  expect_error("attributes.colour = 'red'", "unknown attribute");
  expect_error("params.x = 'unclosed", "position 12: unclosed quote");
  EXPECT_FALSE(parse_order_by("metrics.f1 SIDEWAYS").is_ok());
}

}  // namespace
}  // namespace mllab::tracking

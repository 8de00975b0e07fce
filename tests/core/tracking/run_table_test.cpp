// The Runs table's logic: default columns (params that vary), cell text and sort keys, the
// filter with experiment and lifecycle stage, grouping and nesting order.
#include "core/tracking/run_table.hpp"

#include <gtest/gtest.h>

#include "core/tracking/tracking_store.hpp"

namespace mllab::tracking {
namespace {

Run run(const std::string& id, const std::string& exp, int64_t start, std::map<std::string, std::string> params,
        std::map<std::string, double> metrics = {}, std::map<std::string, std::string> tags = {}) {
  Run r;
  r.run_id = id;
  r.run_name = "run-" + id;
  r.experiment_id = exp;
  r.status = RunStatus::kFinished;
  r.start_time = start;
  r.end_time = start + 1500;
  r.params = std::move(params);
  for (const auto& [k, v] : metrics) r.metrics[k] = Metric{k, v, start, 0};
  r.tags = std::move(tags);
  return r;
}

std::vector<const Run*> ptrs(const std::vector<Run>& v) {
  std::vector<const Run*> out;
  for (const auto& r : v) out.push_back(&r);
  return out;
}
std::vector<std::string> ids(const std::vector<const Run*>& v) {
  std::vector<std::string> out;
  for (const Run* r : v) out.push_back(r->run_id);
  return out;
}
std::vector<std::string> row_ids(const std::vector<TableRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.kind == TableRow::Kind::kGroup ? "[" + r.label + "]" : r.run->run_id);
  return out;
}

// The course's sweep: n_estimators 50 / 100 / 200, everything else equal.
std::vector<Run> sweep() {
  return {run("a", "1", 100, {{"model__n_estimators", "50"}, {"test_size", "0.2"}}, {{"accuracy", 0.81}, {"f1_score", 0.8}}),
          run("b", "1", 200, {{"model__n_estimators", "100"}, {"test_size", "0.2"}}, {{"accuracy", 0.84}, {"f1_score", 0.83}}),
          run("c", "1", 300, {{"model__n_estimators", "200"}, {"test_size", "0.2"}}, {{"accuracy", 0.83}, {"f1_score", 0.82}})};
}

TEST(RunTable, DefaultColumnsShowTheParamsThatVary) {
  auto runs = sweep();
  auto cols = default_columns(ptrs(runs));
  std::vector<std::string> idents;
  for (const auto& c : cols) idents.push_back(column_ident(c));
  EXPECT_EQ(idents, (std::vector<std::string>{"attributes.run_name", "attributes.status", "attributes.start_time",
                                              "attributes.duration", "metrics.accuracy", "metrics.f1_score",
                                              "params.model__n_estimators"}));
  // A param present in one run only varies (absent is a value of its own); one run: nothing varies.
  runs[0].params["extra"] = "1";
  EXPECT_EQ(varying_params(ptrs(runs)), (std::vector<std::string>{"extra", "model__n_estimators"}));
  EXPECT_TRUE(varying_params({&runs[0]}).empty());
}

TEST(RunTable, ColumnKeysListEveryKey) {
  auto runs = sweep();
  runs[1].tags["team"] = "alpha";
  auto k = column_keys(ptrs(runs));
  EXPECT_EQ(k.metrics, (std::vector<std::string>{"accuracy", "f1_score"}));
  EXPECT_EQ(k.params, (std::vector<std::string>{"model__n_estimators", "test_size"}));
  EXPECT_EQ(k.tags, (std::vector<std::string>{"team"}));
}

TEST(RunTable, CellText) {
  tracking::Run r = run("a", "7", 1765152000000, {{"C", "0.5"}}, {{"accuracy", 0.912345}, {"loss", 1234567.0}, {"tiny", 0.0001234}},
              {{"team", "x"}});
  using K = RunColumn::Kind;
  EXPECT_EQ(cell_text(r, {K::kMetric, "accuracy"}), "0.9123");
  EXPECT_EQ(cell_text(r, {K::kMetric, "loss"}), "1.235e+06");
  EXPECT_EQ(cell_text(r, {K::kMetric, "tiny"}), "0.0001234");
  EXPECT_EQ(cell_text(r, {K::kMetric, "absent"}), "");
  EXPECT_EQ(cell_text(r, {K::kParam, "C"}), "0.5");
  EXPECT_EQ(cell_text(r, {K::kTag, "team"}), "x");
  EXPECT_EQ(cell_text(r, {K::kAttribute, "start_time"}), "2025-12-08 00:00:00");
  EXPECT_EQ(cell_text(r, {K::kAttribute, "duration"}), "1.50 s");
  EXPECT_EQ(cell_text(r, {K::kAttribute, "status"}), "FINISHED");
  EXPECT_EQ(cell_text(r, {K::kAttribute, "experiment"}, {{"7", "sweep"}}), "sweep");
  r.end_time.reset();
  EXPECT_EQ(cell_text(r, {K::kAttribute, "duration"}), "");
}

TEST(RunTable, SortsNumbersAsNumbersAndMissingLast) {
  auto runs = sweep();
  runs.push_back(run("d", "1", 400, {}, {}));  // no metric, no param
  using K = RunColumn::Kind;
  EXPECT_EQ(ids(sort_runs(ptrs(runs), {K::kParam, "model__n_estimators"}, true)), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(ids(sort_runs(ptrs(runs), {K::kParam, "model__n_estimators"}, false)), (std::vector<std::string>{"c", "b", "a", "d"}));
  EXPECT_EQ(ids(sort_runs(ptrs(runs), {K::kMetric, "accuracy"}, false)), (std::vector<std::string>{"b", "c", "a", "d"}));
  EXPECT_EQ(ids(sort_runs(ptrs(runs), {K::kMetric, "accuracy"}, true)), (std::vector<std::string>{"a", "c", "b", "d"}));
  EXPECT_EQ(ids(sort_runs(ptrs(runs), {K::kAttribute, "start_time"}, false)), (std::vector<std::string>{"d", "c", "b", "a"}));
  EXPECT_EQ(ids(sort_runs(ptrs(runs), {K::kAttribute, "run_name"}, true)), (std::vector<std::string>{"a", "b", "c", "d"}));
  // Text params after numbers, in text order.
  runs[0].params["model__n_estimators"] = "auto";
  EXPECT_EQ(ids(sort_runs(ptrs(runs), {K::kParam, "model__n_estimators"}, true)), (std::vector<std::string>{"b", "c", "a", "d"}));
}

TEST(RunTable, FilterByGrammarExperimentAndLifecycle) {
  auto runs = sweep();
  runs.push_back(run("d", "2", 400, {{"model__n_estimators", "100"}}, {{"accuracy", 0.4}}));
  runs[1].lifecycle_stage = "deleted";
  auto all = filter_runs(runs, {});
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(ids(*all), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(ids(*filter_runs(runs, {"", "", true})), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(ids(*filter_runs(runs, {"metrics.accuracy > 0.5", "", true})), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ids(*filter_runs(runs, {"params.model__n_estimators = '100'", "", false})), (std::vector<std::string>{"d"}));
  EXPECT_EQ(ids(*filter_runs(runs, {"", "2", false})), (std::vector<std::string>{"d"}));
  auto bad = filter_runs(runs, {"metrics.accuracy >", "", false});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("position"), std::string::npos) << bad.status().message();
}

TEST(RunTable, NestedRunsFollowTheirExpandedParentInStartOrder) {
  std::vector<tracking::Run> runs = {run("p", "1", 100, {}, {{"accuracy", 0.9}}),
                           run("f2", "1", 300, {}, {{"accuracy", 0.95}}, {{kParentRunIdTag, "p"}}),
                           run("f1", "1", 200, {}, {{"accuracy", 0.5}}, {{kParentRunIdTag, "p"}}),
                           run("q", "1", 400, {}, {{"accuracy", 0.7}}),
                           run("orphan", "1", 500, {}, {{"accuracy", 0.1}}, {{kParentRunIdTag, "gone"}})};
  auto sorted = sort_runs(ptrs(runs), {RunColumn::Kind::kMetric, "accuracy"}, false);
  RowOptions o;
  auto rows = table_rows(sorted, o);
  EXPECT_EQ(row_ids(rows), (std::vector<std::string>{"p", "q", "orphan"}));
  EXPECT_EQ(rows[0].children, 2);
  EXPECT_FALSE(rows[0].expanded);
  o.expanded_runs = {"p"};
  rows = table_rows(sorted, o);
  EXPECT_EQ(row_ids(rows), (std::vector<std::string>{"p", "f1", "f2", "q", "orphan"}));
  EXPECT_EQ(rows[1].depth, 1);
  EXPECT_TRUE(rows[0].expanded);
  // A filter that hides the parent leaves the fold at top level.
  std::vector<const tracking::Run*> only_folds = {&runs[1]};
  EXPECT_EQ(row_ids(table_rows(only_folds, o)), (std::vector<std::string>{"f2"}));
}

TEST(RunTable, GroupsByExperimentName) {
  std::vector<tracking::Run> runs = {run("a", "1", 100, {}), run("b", "2", 200, {}), run("c", "1", 300, {}),
                           run("c1", "1", 350, {}, {}, {{kParentRunIdTag, "c"}})};
  auto sorted = sort_runs(ptrs(runs), {RunColumn::Kind::kAttribute, "start_time"}, false);
  RowOptions o;
  o.group_by_experiment = true;
  std::map<std::string, std::string> names = {{"1", "zeta"}, {"2", "alpha"}};
  auto rows = table_rows(sorted, o, names);
  EXPECT_EQ(row_ids(rows), (std::vector<std::string>{"[alpha]", "b", "[zeta]", "c", "a"}));
  EXPECT_EQ(rows[2].children, 3);  // every run of the group, nested ones included
  o.collapsed_experiments = {"2"};
  EXPECT_EQ(row_ids(table_rows(sorted, o, names)), (std::vector<std::string>{"[alpha]", "[zeta]", "c", "a"}));
}

}  // namespace
}  // namespace mllab::tracking

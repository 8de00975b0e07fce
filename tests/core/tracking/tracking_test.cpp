#include "core/tracking/tracking_store.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/store/store.hpp"
#include "core/util/clock.hpp"

namespace mllab::tracking {
namespace {

using Snapshot = std::map<std::string, std::string>;

Snapshot snapshot(const store::Store& s) {
  Snapshot out;
  for (const auto& k : s.keys("")) out[k] = *s.get(k);
  return out;
}

ArtifactInfo artifact(const std::string& path, const std::string& media_type) {
  ArtifactInfo a;
  a.path = path;
  a.media_type = media_type;
  return a;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class TrackingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = 1700000000000;
    set_clock_for_testing([this] { return now_; });
  }
  void TearDown() override { set_clock_for_testing(nullptr); }

  // A run in a fresh experiment.
  tracking::Run new_run(const std::string& name = "r", int64_t start = 1000) {
    auto exp = client_.get_or_create_experiment("exp");
    EXPECT_TRUE(exp.is_ok()) << exp.status().to_string();
    auto run = client_.create_run(exp->experiment_id, name, start);
    EXPECT_TRUE(run.is_ok()) << run.status().to_string();
    return run.value();
  }
  void put_raw(const std::string& key, const std::string& value) {
    store::Batch b;
    b.put(key, value);
    ASSERT_TRUE(store_.commit(b).is_ok());
  }

  int64_t now_ = 0;
  store::MemoryStore store_;
  TrackingClient client_{store_};
};

// ---- experiments ----

TEST_F(TrackingTest, DefaultExperimentGetsIdZero) {
  auto d = client_.get_or_create_experiment("Default");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  EXPECT_EQ(d->experiment_id, "0");
  EXPECT_EQ(d->name, "Default");
  EXPECT_EQ(d->lifecycle_stage, "active");
  EXPECT_EQ(d->creation_time, 1700000000000);
  EXPECT_EQ(d->last_update_time, 1700000000000);
  auto other = client_.get_or_create_experiment("breast-cancer");
  ASSERT_TRUE(other.is_ok());
  EXPECT_EQ(other->experiment_id, "1");
}

TEST_F(TrackingTest, FirstNonDefaultExperimentGetsIdOneAndDefaultStillZero) {
  auto a = client_.get_or_create_experiment("a");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->experiment_id, "1") << "\"0\" is reserved for Default";
  auto d = client_.get_or_create_experiment("Default");
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d->experiment_id, "0");
  auto b = client_.get_or_create_experiment("b");
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->experiment_id, "2");
  auto list = client_.list_experiments();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "Default");
  EXPECT_EQ(list[1].name, "a");
  EXPECT_EQ(list[2].name, "b");
}

TEST_F(TrackingTest, ExperimentIdsSortNumericallyNotLexicographically) {
  for (int i = 1; i <= 11; ++i) {
    ASSERT_TRUE(client_.get_or_create_experiment("e" + std::to_string(i)).is_ok());
  }
  auto list = client_.list_experiments();
  ASSERT_EQ(list.size(), 11u);
  for (size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i].experiment_id, std::to_string(i + 1));
  auto next = client_.get_or_create_experiment("twelve");
  ASSERT_TRUE(next.is_ok());
  EXPECT_EQ(next->experiment_id, "12");
}

TEST_F(TrackingTest, GetOrCreateIsIdempotentByName) {
  auto a = client_.get_or_create_experiment("exp");
  ASSERT_TRUE(a.is_ok());
  const Snapshot before = snapshot(store_);
  now_ += 5000;
  auto again = client_.get_or_create_experiment("exp");
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->experiment_id, a->experiment_id);
  EXPECT_EQ(again->creation_time, a->creation_time);
  EXPECT_EQ(snapshot(store_), before) << "a second get_or_create must not write";
  EXPECT_EQ(client_.list_experiments().size(), 1u);
  auto by_name = client_.get_experiment_by_name("exp");
  ASSERT_TRUE(by_name.is_ok());
  EXPECT_EQ(by_name->experiment_id, a->experiment_id);
}

TEST_F(TrackingTest, ExperimentErrors) {
  auto empty = client_.get_or_create_experiment("");
  EXPECT_FALSE(empty.is_ok());
  EXPECT_EQ(empty.status().code(), ErrorCode::kInvalidParameterValue);
  auto missing = client_.get_experiment("42");
  EXPECT_EQ(missing.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(missing.status().message(), "42"));
  auto by_name = client_.get_experiment_by_name("nope");
  EXPECT_EQ(by_name.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(by_name.status().message(), "nope"));
  EXPECT_TRUE(store_.keys("").empty());
}

// ---- runs ----

TEST_F(TrackingTest, CreateRunIsRunningWithRunNameTag) {
  auto exp = client_.get_or_create_experiment("exp");
  ASSERT_TRUE(exp.is_ok());
  auto run = client_.create_run(exp->experiment_id, "logreg-baseline", 1234);
  ASSERT_TRUE(run.is_ok()) << run.status().to_string();
  EXPECT_EQ(run->status, RunStatus::kRunning);
  EXPECT_EQ(run->run_name, "logreg-baseline");
  EXPECT_EQ(run->tags.at("mlflow.runName"), "logreg-baseline");
  EXPECT_EQ(run->start_time, 1234);
  EXPECT_FALSE(run->end_time.has_value());
  EXPECT_EQ(run->experiment_id, exp->experiment_id);
  // MLflow run ids: uuid4().hex, 32 lowercase hex digits.
  EXPECT_EQ(run->run_id.size(), 32u);
  EXPECT_EQ(run->run_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  // Stored, and read back equal.
  auto got = client_.get_run(run->run_id);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->status, RunStatus::kRunning);
  EXPECT_EQ(got->run_name, "logreg-baseline");
  EXPECT_EQ(got->tags, run->tags);
  EXPECT_EQ(got->start_time, 1234);
  EXPECT_FALSE(got->end_time.has_value());
  EXPECT_TRUE(store_.get("runs/" + run->run_id).has_value());
}

TEST_F(TrackingTest, CreateRunWithoutNameGetsOneAndIdsAreUnique) {
  auto exp = client_.get_or_create_experiment("exp");
  auto a = client_.create_run(exp->experiment_id, "", 1);
  auto b = client_.create_run(exp->experiment_id, "", 1);
  ASSERT_TRUE(a.is_ok());
  ASSERT_TRUE(b.is_ok());
  EXPECT_FALSE(a->run_name.empty());
  EXPECT_EQ(a->tags.at("mlflow.runName"), a->run_name);
  EXPECT_NE(a->run_id, b->run_id);
}

TEST_F(TrackingTest, FindRunTakesTheIdOrAUniquePrefix) {
  // 17 runs: two of them share a first hex digit (pigeonhole), an ambiguous prefix.
  std::map<char, std::vector<std::string>> by_first;
  std::vector<std::string> ids;
  for (int i = 0; i < 17; ++i) {
    ids.push_back(new_run("r" + std::to_string(i)).run_id);
    by_first[ids.back()[0]].push_back(ids.back());
  }
  ASSERT_TRUE(client_.delete_run(ids[3]).is_ok());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto exact = client_.find_run(ids[i]);
    ASSERT_TRUE(exact.is_ok()) << exact.status().to_string();
    EXPECT_EQ(exact->run_id, ids[i]);
    auto prefix = client_.find_run(ids[i].substr(0, 12));  // deleted runs too (to restore them)
    ASSERT_TRUE(prefix.is_ok()) << prefix.status().to_string();
    EXPECT_EQ(prefix->run_id, ids[i]);
  }
  for (const auto& [c, same] : by_first) {
    if (same.size() < 2) continue;
    auto amb = client_.find_run(std::string(1, c));
    ASSERT_FALSE(amb.is_ok());
    EXPECT_EQ(amb.status().code(), ErrorCode::kInvalidParameterValue);
    EXPECT_NE(amb.status().message().find("matches " + std::to_string(same.size()) + " runs"), std::string::npos)
        << amb.status().message();
    break;
  }
  auto none = client_.find_run("zz");
  ASSERT_FALSE(none.is_ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_EQ(none.status().message(), "no run with id 'zz'");
}

TEST_F(TrackingTest, CreateRunInMissingExperimentFails) {
  auto run = client_.create_run("99", "x", 1);
  EXPECT_FALSE(run.is_ok());
  EXPECT_EQ(run.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(store_.keys("runs/").empty());
}

TEST_F(TrackingTest, MissingRunIsNotFound) {
  auto r = client_.get_run("0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.status().code(), ErrorCode::kResourceDoesNotExist);
  RunData d;
  d.params["a"] = "1";
  Status st = client_.log_batch("0123456789abcdef0123456789abcdef", d);
  EXPECT_EQ(st.code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(store_.keys("").empty());
}

// ---- params ----

TEST_F(TrackingTest, ParamsAreImmutable) {
  tracking::Run run = new_run();
  RunData d;
  d.params["model__C"] = "1.0";
  d.params["test_size"] = "0.2";
  ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
  // Re-logging the same value is fine.
  RunData same;
  same.params["model__C"] = "1.0";
  EXPECT_TRUE(client_.log_batch(run.run_id, same).is_ok());

  const Snapshot before = snapshot(store_);
  RunData changed;
  changed.params["new_param"] = "ok";
  changed.params["model__C"] = "0.5";
  changed.tags["t"] = "v";
  changed.metrics.push_back({"accuracy", 0.9, 5, 0});
  Status st = client_.log_batch(run.run_id, changed);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidParameterValue);
  EXPECT_TRUE(contains(st.message(), "model__C")) << st.message();
  EXPECT_TRUE(contains(st.message(), "1.0")) << st.message();
  EXPECT_TRUE(contains(st.message(), "0.5")) << st.message();
  EXPECT_EQ(snapshot(store_), before) << "a refused log_batch must write nothing";
  auto got = client_.get_run(run.run_id);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->params,
            (std::map<std::string, std::string>{{"model__C", "1.0"}, {"test_size", "0.2"}}));
  EXPECT_EQ(got->tags.count("t"), 0u);
  EXPECT_TRUE(client_.get_metric_history(run.run_id, "accuracy").empty());
}

TEST_F(TrackingTest, ParamChangeInEndRunIsRefusedAndRunStaysRunning) {
  tracking::Run run = new_run();
  RunData d;
  d.params["p"] = "a";
  ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
  const Snapshot before = snapshot(store_);
  RunData bad;
  bad.params["p"] = "b";
  EXPECT_FALSE(client_.end_run(run.run_id, bad, RunStatus::kFinished, 5000).is_ok());
  EXPECT_EQ(snapshot(store_), before);
  EXPECT_EQ(client_.get_run(run.run_id)->status, RunStatus::kRunning);
}

TEST_F(TrackingTest, EmptyParamOrMetricKeyIsRefused) {
  tracking::Run run = new_run();
  const Snapshot before = snapshot(store_);
  RunData p;
  p.params[""] = "x";
  EXPECT_EQ(client_.log_batch(run.run_id, p).code(), ErrorCode::kInvalidParameterValue);
  RunData m;
  m.metrics.push_back({"", 1.0, 1, 0});
  EXPECT_EQ(client_.log_batch(run.run_id, m).code(), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(snapshot(store_), before);
}

// ---- metrics ----

TEST_F(TrackingTest, MetricHistoryKeepsEveryPointInLoggingOrder) {
  tracking::Run run = new_run();
  std::vector<Metric> logged;
  // More than 10 batches so that the per-batch record sequence must sort numerically.
  for (int i = 0; i < 12; ++i) {
    RunData d;
    Metric m{"loss", 1.0 / (i + 1), 100 + i, i};
    d.metrics.push_back(m);
    if (i % 3 == 0) d.metrics.push_back({"loss", 5.0 + i, 100 + i, i});  // two points in one batch
    d.metrics.push_back({"other", double(i), 100 + i, i});
    ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
    logged.push_back(m);
    if (i % 3 == 0) logged.push_back({"loss", 5.0 + i, 100 + i, i});
  }
  auto hist = client_.get_metric_history(run.run_id, "loss");
  ASSERT_EQ(hist.size(), logged.size());
  for (size_t i = 0; i < hist.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(hist[i].key, "loss");
    EXPECT_EQ(hist[i].value, logged[i].value);
    EXPECT_EQ(hist[i].timestamp, logged[i].timestamp);
    EXPECT_EQ(hist[i].step, logged[i].step);
  }
  EXPECT_EQ(client_.get_metric_history(run.run_id, "other").size(), 12u);
  EXPECT_TRUE(client_.get_metric_history(run.run_id, "missing").empty());
}

TEST_F(TrackingTest, LatestMetricIsMaxByStepTimestampValue) {
  tracking::Run run = new_run();
  auto log = [&](double v, int64_t ts, int64_t step) {
    RunData d;
    d.metrics.push_back({"m", v, ts, step});
    ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
  };
  log(0.5, 100, 5);
  // Logged later, with a later timestamp, but a lower step: not the latest (MLflow compares
  // step first).
  log(0.9, 200, 2);
  EXPECT_EQ(client_.get_run(run.run_id)->metrics.at("m").value, 0.5);
  EXPECT_EQ(client_.get_run(run.run_id)->metrics.at("m").step, 5);
  // Same step, later timestamp: newer.
  log(0.3, 150, 5);
  EXPECT_EQ(client_.get_run(run.run_id)->metrics.at("m").value, 0.3);
  // Same step, earlier timestamp: older, whatever the value.
  log(0.99, 120, 5);
  EXPECT_EQ(client_.get_run(run.run_id)->metrics.at("m").value, 0.3);
  // Same step and timestamp: the larger value wins.
  log(0.1, 150, 5);
  EXPECT_EQ(client_.get_run(run.run_id)->metrics.at("m").value, 0.3);
  log(0.7, 150, 5);
  EXPECT_EQ(client_.get_run(run.run_id)->metrics.at("m").value, 0.7);
  // All six points are in the history.
  EXPECT_EQ(client_.get_metric_history(run.run_id, "m").size(), 6u);
  // Within one batch too.
  RunData d;
  d.metrics.push_back({"n", 1.0, 10, 3});
  d.metrics.push_back({"n", 2.0, 20, 1});
  ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
  EXPECT_EQ(client_.get_run(run.run_id)->metrics.at("n").value, 1.0);
}

TEST_F(TrackingTest, NanMetricRoundTrips) {
  tracking::Run run = new_run();
  RunData d;
  d.metrics.push_back({"roc_auc", std::nan(""), 1, 0});
  ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
  auto got = client_.get_run(run.run_id);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_TRUE(std::isnan(got->metrics.at("roc_auc").value));
  auto hist = client_.get_metric_history(run.run_id, "roc_auc");
  ASSERT_EQ(hist.size(), 1u);
  EXPECT_TRUE(std::isnan(hist[0].value));
}

TEST_F(TrackingTest, MetricValuesRoundTripExactly) {
  tracking::Run run = new_run();
  RunData d;
  const double values[] = {0.1, 1.0 / 3.0, 0.9736842105263158, 1e-300, -2.5e17};
  for (double v : values) d.metrics.push_back({"k" + std::to_string(d.metrics.size()), v, 1, 0});
  ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
  auto got = client_.get_run(run.run_id);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(got->metrics.at("k" + std::to_string(i)).value, values[i]);
  }
}

// ---- tags ----

TEST_F(TrackingTest, TagsOverwrite) {
  tracking::Run run = new_run("first");
  RunData a;
  a.tags["note"] = "one";
  a.tags["keep"] = "k";
  ASSERT_TRUE(client_.log_batch(run.run_id, a).is_ok());
  RunData b;
  b.tags["note"] = "two";
  ASSERT_TRUE(client_.log_batch(run.run_id, b).is_ok());
  auto got = client_.get_run(run.run_id);
  EXPECT_EQ(got->tags.at("note"), "two");
  EXPECT_EQ(got->tags.at("keep"), "k");
  EXPECT_EQ(got->tags.at("mlflow.runName"), "first");
}

// ---- artifacts ----

TEST_F(TrackingTest, ArtifactsRoundTripWithSha256AndSize) {
  tracking::Run run = new_run();
  RunData d;
  const std::string model = "{\"w\": [1, 2, 3]}";
  const std::string bin("hello\0world", 11);
  d.artifacts.push_back({artifact("model/pipeline.json", "application/json"), model});
  d.artifacts.push_back({artifact("raw.bin", "application/octet-stream"), bin});
  ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
  auto got = client_.get_run(run.run_id);
  ASSERT_TRUE(got.is_ok());
  ASSERT_EQ(got->artifacts.size(), 2u);
  const ArtifactInfo& a = got->artifacts[0];
  EXPECT_EQ(a.path, "model/pipeline.json");
  EXPECT_EQ(a.media_type, "application/json");
  EXPECT_EQ(a.file_size, 16);
  // hashlib.sha256(b'{"w": [1, 2, 3]}').hexdigest()
  EXPECT_EQ(a.sha256, "1616c4eedc13596115a85419650bec419ebb1c155f032fb511fc105a1282c0b7");
  EXPECT_EQ(got->artifacts[1].file_size, 11);
  // hashlib.sha256(b'hello\x00world').hexdigest()
  EXPECT_EQ(got->artifacts[1].sha256,
            "b206899bc103669c8e7b36de29d73f95b46795b508aa87d612b2ce84bfb29df2");
  EXPECT_EQ(client_.get_artifact(run.run_id, "model/pipeline.json").value(), model);
  EXPECT_EQ(client_.get_artifact(run.run_id, "raw.bin").value(), bin);
  auto missing = client_.get_artifact(run.run_id, "nope.txt");
  EXPECT_EQ(missing.status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_TRUE(contains(missing.status().message(), "nope.txt"));
}

TEST_F(TrackingTest, ReloggingAnArtifactReplacesIt) {
  tracking::Run run = new_run();
  RunData a;
  a.artifacts.push_back({artifact("report.txt", "text/plain"), "v1"});
  ASSERT_TRUE(client_.log_batch(run.run_id, a).is_ok());
  RunData b;
  b.artifacts.push_back({artifact("report.txt", "text/plain"), "version two"});
  ASSERT_TRUE(client_.log_batch(run.run_id, b).is_ok());
  auto got = client_.get_run(run.run_id);
  ASSERT_EQ(got->artifacts.size(), 1u);
  EXPECT_EQ(got->artifacts[0].file_size, 11);
  EXPECT_EQ(client_.get_artifact(run.run_id, "report.txt").value(), "version two");
}

TEST_F(TrackingTest, InvalidArtifactPathIsRefusedAndNothingWritten) {
  tracking::Run run = new_run();
  const Snapshot before = snapshot(store_);
  RunData d;
  d.params["p"] = "1";
  d.artifacts.push_back({artifact("../escape.txt", "text/plain"), "x"});
  Status st = client_.log_batch(run.run_id, d);
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(snapshot(store_), before);
}

// ---- end_run ----

TEST_F(TrackingTest, EndRunSetsStatusEndTimeAndLogsData) {
  tracking::Run run = new_run("r", 1000);
  RunData d;
  d.params["a"] = "1";
  d.metrics.push_back({"accuracy", 0.95, 2000, 0});
  d.tags["mllab.error"] = "none";
  ASSERT_TRUE(client_.end_run(run.run_id, d, RunStatus::kFinished, 3000).is_ok());
  auto got = client_.get_run(run.run_id);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->status, RunStatus::kFinished);
  ASSERT_TRUE(got->end_time.has_value());
  EXPECT_EQ(*got->end_time, 3000);
  EXPECT_EQ(got->start_time, 1000);
  EXPECT_EQ(got->params.at("a"), "1");
  EXPECT_EQ(got->metrics.at("accuracy").value, 0.95);
  for (auto s : {RunStatus::kFailed, RunStatus::kKilled}) {
    tracking::Run r2 = new_run();
    ASSERT_TRUE(client_.end_run(r2.run_id, {}, s, 4000).is_ok());
    EXPECT_EQ(client_.get_run(r2.run_id)->status, s);
  }
}

TEST_F(TrackingTest, RunStatusNamesAreMlflows) {
  EXPECT_STREQ(run_status_name(RunStatus::kRunning), "RUNNING");
  EXPECT_STREQ(run_status_name(RunStatus::kScheduled), "SCHEDULED");
  EXPECT_STREQ(run_status_name(RunStatus::kFinished), "FINISHED");
  EXPECT_STREQ(run_status_name(RunStatus::kFailed), "FAILED");
  EXPECT_STREQ(run_status_name(RunStatus::kKilled), "KILLED");
  EXPECT_EQ(parse_run_status("KILLED"), RunStatus::kKilled);
  EXPECT_EQ(parse_run_status("finished"), std::nullopt);
  EXPECT_EQ(parse_run_status(""), std::nullopt);
}

// ---- list_runs ----

TEST_F(TrackingTest, ListRunsNewestFirstWithExperimentFilter) {
  auto e1 = client_.get_or_create_experiment("one");
  auto e2 = client_.get_or_create_experiment("two");
  auto a = client_.create_run(e1->experiment_id, "a", 100);
  auto b = client_.create_run(e1->experiment_id, "b", 300);
  auto c = client_.create_run(e2->experiment_id, "c", 200);
  auto d = client_.create_run(e2->experiment_id, "d", 400);
  auto names = [](const std::vector<tracking::Run>& runs) {
    std::vector<std::string> out;
    for (const auto& r : runs) out.push_back(r.run_name);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(client_.list_runs()), (V{"d", "b", "c", "a"}));
  EXPECT_EQ(names(client_.list_runs({e1->experiment_id})), (V{"b", "a"}));
  EXPECT_EQ(names(client_.list_runs({e2->experiment_id})), (V{"d", "c"}));
  EXPECT_EQ(names(client_.list_runs({e1->experiment_id, e2->experiment_id})),
            (V{"d", "b", "c", "a"}));
  EXPECT_TRUE(client_.list_runs({"77"}).empty());
}

TEST_F(TrackingTest, ListRunsTiesOnStartTimeAreOrderedByRunId) {
  auto e = client_.get_or_create_experiment("e");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(client_.create_run(e->experiment_id, "", 500)->run_id);
  std::sort(ids.begin(), ids.end());
  auto runs = client_.list_runs();
  ASSERT_EQ(runs.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(runs[i].run_id, ids[i]);
}

// ---- summary JSON ----

TEST_F(TrackingTest, RunSummaryJsonHasMlflowFields) {
  tracking::Run run = new_run("summary", 1000);
  RunData d;
  d.params["model__C"] = "1.0";
  d.tags["t"] = "v";
  d.metrics.push_back({"accuracy", 0.5, 10, 0});
  d.metrics.push_back({"accuracy", 0.75, 20, 1});
  ASSERT_TRUE(client_.end_run(run.run_id, d, RunStatus::kFinished, 2000).is_ok());
  json j = run_to_summary_json(client_.get_run(run.run_id).value());
  // MLflow's names (RunInfo + RunData as in `mlflow runs describe` / the REST API).
  const std::set<std::string> required = {"run_id", "experiment_id", "run_name", "status",
                                          "start_time", "end_time", "params", "metrics", "tags"};
  for (const auto& k : required) EXPECT_TRUE(j.contains(k)) << "missing field " << k;
  // No invented names: anything else must also be an MLflow RunInfo field.
  const std::set<std::string> mlflow_run_info_extras = {"lifecycle_stage", "artifact_uri",
                                                         "user_id"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    EXPECT_TRUE(required.count(it.key()) || mlflow_run_info_extras.count(it.key()))
        << "field '" << it.key() << "' is not an MLflow run field";
  }
  EXPECT_EQ(j["run_id"], run.run_id);
  EXPECT_EQ(j["experiment_id"], run.experiment_id);
  EXPECT_EQ(j["run_name"], "summary");
  EXPECT_EQ(j["status"], "FINISHED");
  EXPECT_EQ(j["start_time"], 1000);
  EXPECT_EQ(j["end_time"], 2000);
  EXPECT_EQ(j["params"], json({{"model__C", "1.0"}}));
  EXPECT_EQ(j["metrics"], json({{"accuracy", 0.75}})) << "metrics map key -> latest value";
  EXPECT_EQ(j["tags"]["t"], "v");
  EXPECT_EQ(j["tags"]["mlflow.runName"], "summary");
}

TEST_F(TrackingTest, RunSummaryJsonEndTimeNullWhileRunning) {
  tracking::Run run = new_run();
  json j = run_to_summary_json(run);
  EXPECT_TRUE(j["end_time"].is_null());
  EXPECT_EQ(j["status"], "RUNNING");
  EXPECT_TRUE(j["metrics"].is_object());
  EXPECT_TRUE(j["metrics"].empty());
}

// ---- record versions and corruption ----

TEST_F(TrackingTest, RunRecordRoundTripsThroughWriteAndParse) {
  tracking::Run r;
  r.run_id = "abc";
  r.experiment_id = "3";
  r.run_name = "n";
  r.status = RunStatus::kFailed;
  r.start_time = 5;
  r.end_time = 9;
  r.params = {{"p", "1"}};
  r.tags = {{"t", "2"}};
  r.metrics["m"] = {"m", 0.25, 7, 3};
  r.artifacts.push_back({"a.txt", "text/plain", 3, "deadbeef"});
  DatasetInput in;
  in.name = "iris";
  in.digest = "d1";
  in.source_type = "builtin";
  in.source = "assets/datasets/iris.csv";
  in.schema = {{"columns", json::array({{{"name", "x"}, {"type", "numeric"}}})}};
  in.num_rows = 150;
  in.context = "training";
  r.inputs.push_back(in);
  auto back = parse_run_record(write_run_record(r));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->run_id, "abc");
  EXPECT_EQ(back->status, RunStatus::kFailed);
  EXPECT_EQ(back->end_time, 9);
  EXPECT_EQ(back->params, r.params);
  EXPECT_EQ(back->tags, r.tags);
  EXPECT_EQ(back->metrics.at("m").step, 3);
  EXPECT_EQ(back->metrics.at("m").timestamp, 7);
  ASSERT_EQ(back->artifacts.size(), 1u);
  EXPECT_EQ(back->artifacts[0].sha256, "deadbeef");
  ASSERT_EQ(back->inputs.size(), 1u);
  EXPECT_EQ(back->inputs[0].digest, "d1");
  EXPECT_EQ(back->inputs[0].num_rows, 150);
  EXPECT_EQ(back->inputs[0].schema, in.schema);
  EXPECT_EQ(back->inputs[0].context, "training");
}

TEST_F(TrackingTest, NewerRunSchemaVersionIsRefused) {
  tracking::Run run = new_run();
  json rec = json::parse(*store_.get("runs/" + run.run_id));
  EXPECT_EQ(rec["schema"], "mllab.run");
  EXPECT_EQ(rec["schema_version"], 1);
  rec["schema_version"] = 2;
  put_raw("runs/" + run.run_id, rec.dump());
  auto got = client_.get_run(run.run_id);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kParseError);
  EXPECT_TRUE(contains(got.status().message(), "schema_version 2")) << got.status().message();
  // Listing skips the unreadable run rather than failing.
  EXPECT_TRUE(client_.list_runs().empty());
  // And a write on top of it is refused rather than silently downgrading the record.
  RunData d;
  d.tags["x"] = "y";
  EXPECT_FALSE(client_.log_batch(run.run_id, d).is_ok());
  EXPECT_EQ(json::parse(*store_.get("runs/" + run.run_id))["schema_version"], 2);
}

// Regression test for a bug found when these tests were written (now fixed).
TEST_F(TrackingTest, CorruptRunRecordsAreParseErrorsNotCrashes) {
  const char* bad[] = {
      "{not json",
      "",
      "[1, 2, 3]",
      "{\"schema\": \"mllab.experiment\", \"schema_version\": 1}",
      "{\"schema\": \"mllab.run\", \"schema_version\": 1}",  // no info
      "{\"schema\": \"mllab.run\", \"schema_version\": 1, \"info\": {\"run_id\": 5}}",
      "{\"schema\": \"mllab.run\", \"schema_version\": 1, \"info\": {\"run_id\": \"r\", "
      "\"experiment_id\": \"0\", \"status\": \"BOGUS\", \"start_time\": 1}}",
      "{\"schema\": \"mllab.run\", \"schema_version\": 1, \"info\": {\"run_id\": \"r\", "
      "\"experiment_id\": \"0\", \"status\": \"RUNNING\", \"start_time\": 1}, "
      "\"metrics\": [{\"key\": \"m\"}]}",
      "{\"schema\": \"mllab.run\", \"schema_version\": 1, \"info\": {\"run_id\": \"r\", "
      "\"experiment_id\": \"0\", \"status\": \"RUNNING\", \"start_time\": 1}, "
      "\"params\": [1]}",
      "{\"schema\": \"mllab.run\", \"schema_version\": 0}",
      // Wrongly typed schema fields.
      "{\"schema\": 1, \"schema_version\": 1}",
      "{\"schema\": \"mllab.run\", \"schema_version\": \"1\"}",
  };
  for (const char* b : bad) {
    SCOPED_TRACE(b);
    try {
      Result<tracking::Run> r = parse_run_record(b);
      ASSERT_FALSE(r.is_ok());
      EXPECT_EQ(r.status().code(), ErrorCode::kParseError) << r.status().to_string();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "parse_run_record threw instead of returning a parse error: " << e.what();
    }
  }
}

TEST_F(TrackingTest, CorruptStoredRunDoesNotBreakListing) {
  tracking::Run good = new_run("good");
  put_raw("runs/badbadbadbadbadbadbadbadbadbadba", "{\"schema\": \"mllab.run\"");
  std::vector<tracking::Run> runs;
  ASSERT_NO_THROW(runs = client_.list_runs());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].run_id, good.run_id);
  auto got = client_.get_run("badbadbadbadbadbadbadbadbadbadba");
  EXPECT_EQ(got.status().code(), ErrorCode::kParseError);
}

// Regression test for a bug found when these tests were written (now fixed).
TEST_F(TrackingTest, CorruptMetricRecordDoesNotCrashHistory) {
  tracking::Run run = new_run();
  RunData d;
  d.metrics.push_back({"m", 1.0, 10, 0});
  ASSERT_TRUE(client_.log_batch(run.run_id, d).is_ok());
  put_raw("metrics/" + run.run_id + "/00000001", "{not json");
  // A point with the right key but missing fields: must be skipped (or reported), not thrown
  // through a function that returns a plain vector.
  put_raw("metrics/" + run.run_id + "/00000002",
          "{\"schema\": \"mllab.metrics\", \"schema_version\": 1, \"points\": [{\"key\": \"m\"}]}");
  std::vector<Metric> hist;
  ASSERT_NO_THROW(hist = client_.get_metric_history(run.run_id, "m"));
  ASSERT_GE(hist.size(), 1u);
  EXPECT_EQ(hist[0].value, 1.0);
}

// Regression test for a bug found when these tests were written (now fixed).
TEST_F(TrackingTest, CorruptExperimentRecordIsAnErrorNotACrash) {
  ASSERT_TRUE(client_.get_or_create_experiment("ok").is_ok());
  put_raw("experiments/7", "{\"schema\": \"mllab.experiment\", \"schema_version\": 1}");
  put_raw("experiments/8", "garbage");
  Result<Experiment> e = Status::internal("unset");
  ASSERT_NO_THROW(e = client_.get_experiment("7"));
  EXPECT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kParseError);
  EXPECT_EQ(client_.get_experiment("8").status().code(), ErrorCode::kParseError);
  std::vector<Experiment> list;
  ASSERT_NO_THROW(list = client_.list_experiments());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "ok");
}

TEST_F(TrackingTest, NewerExperimentSchemaVersionIsRefused) {
  put_raw("experiments/3",
          "{\"schema\": \"mllab.experiment\", \"schema_version\": 2, \"experiment_id\": \"3\", "
          "\"name\": \"future\"}");
  auto e = client_.get_experiment("3");
  ASSERT_FALSE(e.is_ok());
  EXPECT_TRUE(contains(e.status().message(), "schema_version 2")) << e.status().message();
}

}  // namespace
}  // namespace mllab::tracking

// ---- lifecycle: soft delete, restore, rename, notes, nesting ----
namespace mllab::tracking {
namespace {

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_clock_for_testing([this] { return now_ += 1; });
  }
  void TearDown() override { set_clock_for_testing(nullptr); }

  tracking::Run new_run(const std::string& experiment, const std::string& name) {
    auto exp = client_.get_or_create_experiment(experiment);
    EXPECT_TRUE(exp.is_ok()) << exp.status().to_string();
    auto run = client_.create_run(exp->experiment_id, name, now_ += 1);
    EXPECT_TRUE(run.is_ok()) << run.status().to_string();
    return run.value();
  }
  std::vector<std::string> names(const std::vector<tracking::Run>& runs) {
    std::vector<std::string> out;
    for (const auto& r : runs) out.push_back(r.run_name);
    std::sort(out.begin(), out.end());
    return out;
  }
  // Every record of the store, to check that a refused call wrote nothing.
  std::map<std::string, std::string> snapshot() {
    std::map<std::string, std::string> out;
    for (const auto& k : store_.keys("")) out[k] = *store_.get(k);
    return out;
  }

  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  TrackingClient client_{store_};
};

TEST_F(LifecycleTest, DeletedRunIsHiddenFromActiveListingsAndRestorable) {
  tracking::Run a = new_run("e", "a");
  tracking::Run b = new_run("e", "b");
  ASSERT_TRUE(client_.delete_run(a.run_id).is_ok());
  EXPECT_EQ(names(client_.list_runs()), (std::vector<std::string>{"b"}));
  EXPECT_EQ(names(client_.list_runs({}, ViewType::kDeletedOnly)), (std::vector<std::string>{"a"}));
  EXPECT_EQ(names(client_.list_runs({}, ViewType::kAll)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(client_.get_run(a.run_id)->lifecycle_stage, "deleted") << "soft: the run is still readable";
  ASSERT_TRUE(client_.restore_run(a.run_id).is_ok());
  EXPECT_EQ(names(client_.list_runs()), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(client_.delete_run("nope").code(), ErrorCode::kResourceDoesNotExist);
}

TEST_F(LifecycleTest, DeletingAnExperimentDeletesItsRunsAndRestoreBringsThemBack) {
  tracking::Run a = new_run("e", "a");
  tracking::Run other = new_run("f", "other");
  ASSERT_TRUE(client_.delete_experiment(a.experiment_id).is_ok());
  EXPECT_EQ(names(client_.list_runs()), (std::vector<std::string>{"other"}));
  auto active = client_.list_experiments();
  EXPECT_TRUE(std::none_of(active.begin(), active.end(), [&](const Experiment& e) { return e.name == "e"; }));
  EXPECT_EQ(client_.list_experiments(ViewType::kDeletedOnly).size(), 1u);
  // A run of a deleted experiment cannot be restored alone; a deleted name cannot be reused.
  EXPECT_FALSE(client_.restore_run(a.run_id).is_ok());
  auto again = client_.get_or_create_experiment("e");
  ASSERT_FALSE(again.is_ok());
  EXPECT_NE(again.status().message().find("deleted"), std::string::npos) << again.status().message();
  ASSERT_TRUE(client_.restore_experiment(a.experiment_id).is_ok());
  EXPECT_EQ(names(client_.list_runs()), (std::vector<std::string>{"a", "other"}));
  EXPECT_EQ(client_.get_or_create_experiment("e")->experiment_id, a.experiment_id);
}

TEST_F(LifecycleTest, DefaultExperimentCannotBeDeleted) {
  auto d = client_.get_or_create_experiment("Default");
  ASSERT_EQ(d->experiment_id, "0");
  auto before = snapshot();
  Status st = client_.delete_experiment("0");
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(snapshot(), before);
}

TEST_F(LifecycleTest, RenameRunUpdatesNameAndTagAndExperimentRenameChecksUniqueness) {
  tracking::Run a = new_run("e", "a");
  ASSERT_TRUE(client_.rename_run(a.run_id, "better").is_ok());
  tracking::Run r = client_.get_run(a.run_id).value();
  EXPECT_EQ(r.run_name, "better");
  EXPECT_EQ(r.tags.at("mlflow.runName"), "better");
  EXPECT_FALSE(client_.rename_run(a.run_id, "").is_ok());
  // Setting the mlflow.runName tag is a rename too (MLflow keeps them in sync).
  ASSERT_TRUE(client_.set_tag(a.run_id, "mlflow.runName", "third").is_ok());
  EXPECT_EQ(client_.get_run(a.run_id)->run_name, "third");

  new_run("f", "x");
  auto before = snapshot();
  Status st = client_.rename_experiment(a.experiment_id, "f");
  EXPECT_EQ(st.code(), ErrorCode::kResourceAlreadyExists);
  EXPECT_EQ(snapshot(), before);
  ASSERT_TRUE(client_.rename_experiment(a.experiment_id, "g").is_ok());
  EXPECT_EQ(client_.get_experiment(a.experiment_id)->name, "g");
}

TEST_F(LifecycleTest, NotesAreTheMlflowNoteTagAndTagsCanBeDeleted) {
  tracking::Run a = new_run("e", "a");
  ASSERT_TRUE(client_.set_tag(a.run_id, kNoteTag, "baseline with **TF-IDF**").is_ok());
  EXPECT_EQ(client_.get_run(a.run_id)->tags.at("mlflow.note.content"), "baseline with **TF-IDF**");
  ASSERT_TRUE(client_.delete_tag(a.run_id, kNoteTag).is_ok());
  EXPECT_FALSE(client_.get_run(a.run_id)->tags.count("mlflow.note.content"));
  EXPECT_EQ(client_.delete_tag(a.run_id, kNoteTag).code(), ErrorCode::kResourceDoesNotExist);
  ASSERT_TRUE(client_.set_experiment_tag(a.experiment_id, kNoteTag, "course module 6").is_ok());
  EXPECT_EQ(client_.get_experiment(a.experiment_id)->tags.at("mlflow.note.content"), "course module 6");
}

TEST_F(LifecycleTest, FinishedRunIsWrittenInOneBatchAndChildRunsAreFoundByParent) {
  tracking::Run parent = new_run("e", "parent");
  RunData d;
  d.tags[kParentRunIdTag] = parent.run_id;
  d.params["fold"] = "0";
  d.metrics.push_back({"score", 0.5, now_, 0});
  const size_t records = store_.size();
  auto child = client_.log_finished_run(parent.experiment_id, "child", 10, 20, d);
  ASSERT_TRUE(child.is_ok()) << child.status().to_string();
  EXPECT_EQ(store_.size(), records + 2) << "the run record and one metrics record";
  EXPECT_EQ(child->status, RunStatus::kFinished);
  EXPECT_EQ(*child->end_time, 20);
  auto children = client_.child_runs(parent.run_id);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].run_id, child->run_id);
  EXPECT_TRUE(client_.child_runs(child->run_id).empty());
  EXPECT_FALSE(client_.log_finished_run("999", "x", 1, 2, d).is_ok()) << "unknown experiment";
}

TEST_F(LifecycleTest, RunsWithInputFindTheRunsThatUsedADatasetDigest) {
  tracking::Run a = new_run("e", "a");
  tracking::Run b = new_run("e", "b");
  RunData d;
  DatasetInput in;
  in.name = "iris";
  in.digest = "abc";
  in.context = "training";
  d.inputs.push_back(in);
  ASSERT_TRUE(client_.log_batch(a.run_id, d).is_ok());
  EXPECT_EQ(names(client_.runs_with_input("abc")), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(client_.runs_with_input("zzz").empty());
  ASSERT_TRUE(client_.delete_run(a.run_id).is_ok());
  EXPECT_TRUE(client_.runs_with_input("abc").empty());
  EXPECT_EQ(client_.runs_with_input("abc", ViewType::kAll).size(), 1u);
  (void)b;
}

TEST_F(LifecycleTest, ViewTypeNamesParse) {
  EXPECT_EQ(*parse_view_type("ACTIVE_ONLY"), ViewType::kActiveOnly);
  EXPECT_EQ(*parse_view_type("deleted_only"), ViewType::kDeletedOnly);
  EXPECT_EQ(*parse_view_type("all"), ViewType::kAll);
  EXPECT_FALSE(parse_view_type("some").is_ok());
}

// Issue 9: a stored record that cannot be read gives an error naming the record, never a crash,
// and a listing skips it; a record nesting deeper than the limit is refused like any bad JSON.
TEST_F(TrackingTest, UnreadableRunRecordIsNamedAndSkipped) {
  const tracking::Run good = new_run("good");
  put_raw("runs/broken", "{\"schema\": \"mllab.run\", \"schema_version\": 1, \"info\": ");
  put_raw("runs/deep", std::string(100000, '[') + std::string(100000, ']'));
  auto broken = client_.get_run("broken");
  ASSERT_FALSE(broken.is_ok());
  EXPECT_EQ(broken.status().code(), ErrorCode::kParseError);
  EXPECT_EQ(broken.status().message().rfind("run record 'runs/broken': invalid JSON at line 1, column ", 0), 0u)
      << broken.status().message();
  auto deep = client_.get_run("deep");
  ASSERT_FALSE(deep.is_ok());
  EXPECT_EQ(deep.status().message(), "run record 'runs/deep': JSON nests deeper than 128 levels at line 1, column 129");
  put_raw("runs/typed", "{\"schema\": \"mllab.run\", \"schema_version\": 1, \"info\": {\"run_id\": 5}}");
  auto typed = client_.get_run("typed");
  ASSERT_FALSE(typed.is_ok());
  EXPECT_EQ(typed.status().message().rfind("run record 'runs/typed' is malformed: ", 0), 0u) << typed.status().message();
  EXPECT_EQ(typed.status().message().find("[json.exception"), std::string::npos) << typed.status().message();
  const auto runs = client_.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].run_id, good.run_id);
}

}  // namespace
}  // namespace mllab::tracking

// The name rule (core/util/names.hpp) as every kind of name applies it, and MLflow's limits on
// run names, keys and values in the tracking client: refused with a message naming the limit,
// the name shown intact (UTF-8 kept, control characters escaped), the store unchanged.
#include "core/util/names.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/datasets/dataset_store.hpp"
#include "core/features/feature_store.hpp"
#include "core/registry/model_uri.hpp"
#include "core/store/store.hpp"
#include "core/tracking/tracking_store.hpp"

namespace mllab {
namespace {

using Snapshot = std::map<std::string, std::string>;
Snapshot snapshot(const store::Store& s) {
  Snapshot out;
  for (const auto& k : s.keys("")) out[k] = *s.get(k);
  return out;
}
bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

const std::string kHeron = "\xe9\xb7\xba";                       // 鷺, 3 bytes
const std::string kUnicodeName = "donn\xc3\xa9" "es-\xe9\xb7\xba";  // données-鷺

TEST(NameRule, CountsCharactersNotBytes) {
  EXPECT_EQ(utf8_chars(kUnicodeName), 9u);
  std::string wide;
  for (int i = 0; i < 250; ++i) wide += kHeron;
  EXPECT_TRUE(check_name(wide, "dataset name").is_ok());
  EXPECT_TRUE(contains(check_name(wide + kHeron, "dataset name").message(), "251 characters long (at most 250)"));
}

TEST(NameRule, RefusesWhatCannotWorkAndShowsTheNameIntact) {
  EXPECT_TRUE(contains(check_name("", "dataset name").message(), "dataset name is empty"));
  Status st = check_name(kUnicodeName + "\x1b[31m", "dataset name");
  EXPECT_TRUE(contains(st.message(), "'" + kUnicodeName + "\\x1b[31m' contains a control character"))
      << st.message();
  EXPECT_TRUE(contains(check_name("a\nb", "x").message(), "'a\\nb'"));
  EXPECT_TRUE(contains(check_name("caf\xe9", "x").message(), "is not valid UTF-8 (at byte 4)"));
  EXPECT_TRUE(contains(check_name(".hidden", "x").message(), "starts with '.'"));
  EXPECT_TRUE(check_name(".hidden", "x", {}, /*key_segment=*/false).is_ok());
  // A long name is cut in the message, not repeated whole.
  st = check_name(std::string(10000, 'n'), "dataset name");
  EXPECT_TRUE(contains(st.message(), "10000 characters long (at most 250)"));
  EXPECT_LT(st.message().size(), 300u);
}

TEST(NameRule, DatasetsRefuseTheVersionSeparatorAndAcceptUnicode) {
  store::MemoryStore s;
  datasets::DatasetStore ds(s);
  const std::string csv = "a,b\n1,2\n";
  Status st = ds.add("a:2", csv, "local", "x.csv").status();
  EXPECT_FALSE(st.is_ok());
  EXPECT_TRUE(contains(st.message(), "':' separates the version in datasets:/NAME:VERSION")) << st.message();
  EXPECT_TRUE(contains(ds.add("a/b", csv, "local", "x.csv").status().message(), "contains '/'"));
  for (size_t n : {256u, 10000u}) {
    st = ds.add(std::string(n, 'd'), csv, "local", "x.csv").status();
    EXPECT_TRUE(contains(st.message(), std::to_string(n) + " characters long (at most 250)")) << st.message();
  }
  EXPECT_TRUE(s.keys("").empty());
  auto rec = ds.add(kUnicodeName, csv, "local", "x.csv");
  ASSERT_TRUE(rec.is_ok()) << rec.status().to_string();
  EXPECT_EQ(ds.list().front().name, kUnicodeName);
  auto ref = datasets::parse_dataset_ref(kUnicodeName + ":1");
  ASSERT_TRUE(ref.is_ok());
  EXPECT_EQ(ref->first, kUnicodeName);
}

TEST(NameRule, FeatureGroupsRefuseTheirSeparators) {
  store::MemoryStore s;
  features::FeatureStore fs(s);
  auto table = data::read_csv("id,event_timestamp,x\n1,2024-01-01T00:00:00,3\n");
  ASSERT_TRUE(table.is_ok());
  features::FeatureGroupOptions o;
  o.entity_keys = {"id"};
  for (const auto& [name, needle] : std::map<std::string, std::string>{
           {"g:x", "':' separates group and feature in GROUP:FEATURE"},
           {"g@2", "'@' separates the version in GROUP@VERSION"},
           {std::string(256, 'g'), "256 characters long (at most 250)"}}) {
    Status st = fs.register_features(name, *table, o).status();
    EXPECT_TRUE(contains(st.message(), needle)) << st.message();
  }
  EXPECT_TRUE(s.keys("").empty());
  auto g = fs.register_features(kUnicodeName, *table, o);
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
}

TEST(NameRule, RegisteredModelsRefuseTheAliasSeparator) {
  EXPECT_TRUE(registry::validate_model_name(kUnicodeName).is_ok());
  EXPECT_TRUE(contains(registry::validate_model_name("m@prod").message(), "'@' separates the alias"));
}

class TrackingLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = client_.get_or_create_experiment("limits");
    ASSERT_TRUE(e.is_ok());
    auto r = client_.create_run(e->experiment_id, "ok", 1);
    ASSERT_TRUE(r.is_ok());
    run_id_ = r->run_id;
  }
  // `data` is refused with `needle` in the message and the store is unchanged.
  void refused(const tracking::RunData& data, const std::string& needle) {
    const Snapshot before = snapshot(store_);
    Status st = client_.log_batch(run_id_, data);
    EXPECT_FALSE(st.is_ok());
    EXPECT_TRUE(contains(st.message(), needle)) << st.message();
    EXPECT_EQ(snapshot(store_), before);
  }
  store::MemoryStore store_;
  tracking::TrackingClient client_{store_};
  std::string run_id_;
};

TEST_F(TrackingLimits, KeysAtMost250Characters) {
  tracking::RunData ok;
  ok.params[std::string(250, 'p')] = "v";
  ok.tags[std::string(250, 't')] = "v";
  ok.metrics.push_back({std::string(250, 'm'), 1.0, 1, 0});
  EXPECT_TRUE(client_.log_batch(run_id_, ok).is_ok());
  tracking::RunData p, t, m;
  p.params[std::string(251, 'p')] = "v";
  refused(p, "param key 'ppp");
  refused(p, "251 characters long (at most 250)");
  t.tags[std::string(251, 't')] = "v";
  refused(t, "tag key");
  m.metrics.push_back({std::string(251, 'm'), 1.0, 1, 0});
  refused(m, "metric key");
  tracking::RunData c;
  c.params["a\x1b[2J"] = "v";
  refused(c, "'a\\x1b[2J' contains a control character");
}

TEST_F(TrackingLimits, ValuesAtMost6000And5000Bytes) {
  tracking::RunData ok;
  ok.params["p"] = std::string(6000, 'v');
  ok.tags["t"] = std::string(5000, 'v');
  EXPECT_TRUE(client_.log_batch(run_id_, ok).is_ok());
  tracking::RunData p, t;
  p.params["q"] = std::string(6001, 'v');
  refused(p, "param 'q': the value is 6001 bytes long (at most 6000 bytes)");
  t.tags["u"] = std::string(5001, 'v');
  refused(t, "tag 'u': the value is 5001 bytes long (at most 5000 bytes)");
  const Snapshot before = snapshot(store_);
  EXPECT_TRUE(contains(client_.set_tag(run_id_, "u", std::string(50 << 20, 'x')).message(), "at most 5000 bytes"));
  EXPECT_EQ(snapshot(store_), before);
}

TEST_F(TrackingLimits, RunAndExperimentNames) {
  const std::string huge(50 << 20, 'n');  // the 50 MB run_name of issue 9
  auto e = client_.get_or_create_experiment("limits");
  ASSERT_TRUE(e.is_ok());
  const Snapshot before = snapshot(store_);
  Status st = client_.create_run(e->experiment_id, huge, 1).status();
  EXPECT_TRUE(contains(st.message(), "run name")) << st.message().substr(0, 200);
  EXPECT_TRUE(contains(st.message(), "at most 250")) << st.message().substr(0, 200);
  EXPECT_LT(st.message().size(), 300u);
  EXPECT_TRUE(contains(client_.log_finished_run(e->experiment_id, std::string(251, 'n'), 1, 2, {}).status().message(),
                       "at most 250"));
  EXPECT_TRUE(contains(client_.rename_run(run_id_, std::string(251, 'n')).message(), "at most 250"));
  EXPECT_TRUE(contains(client_.set_tag(run_id_, tracking::kRunNameTag, std::string(251, 'n')).message(), "at most 250"));
  EXPECT_TRUE(contains(client_.rename_run(run_id_, "a\nfake row").message(), "control character"));
  EXPECT_TRUE(contains(client_.get_or_create_experiment(std::string(251, 'e')).status().message(),
                       "experiment name"));
  EXPECT_TRUE(contains(client_.rename_experiment(e->experiment_id, "x\ty").message(), "control character"));
  EXPECT_EQ(snapshot(store_), before);
  // Experiment names are no store keys: '/' and a leading '.' are fine, Unicode too.
  EXPECT_TRUE(client_.get_or_create_experiment("/Users/me/" + kUnicodeName).is_ok());
  EXPECT_TRUE(client_.rename_run(run_id_, kUnicodeName).is_ok());
}

// A batch that expects a key to be absent fails, changing nothing, when it is there; the
// experiment that a concurrent writer created under the id we computed is then found again.
TEST(ExpectAbsent, RefusesTheBatchWhenTheKeyExists) {
  store::MemoryStore s;
  store::Batch first;
  first.put("experiments/1", "mine");
  ASSERT_TRUE(s.commit(first).is_ok());
  store::Batch b;
  b.expect_absent("experiments/1");
  b.put("experiments/1", "theirs");
  b.put("other", "x");
  Status st = s.commit(b);
  EXPECT_EQ(st.code(), ErrorCode::kResourceAlreadyExists);
  EXPECT_EQ(snapshot(s), (Snapshot{{"experiments/1", "mine"}}));
}

}  // namespace
}  // namespace mllab

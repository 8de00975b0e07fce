#include "core/features/feature_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/data/csv.hpp"
#include "core/datasets/dataset_store.hpp"
#include "core/features/timestamp.hpp"
#include "core/store/store.hpp"
#include "core/util/clock.hpp"
#include "core/util/sha256.hpp"

namespace mllab::features {
namespace {

using data::Column;
using data::ColumnType;
using data::Table;
using Snapshot = std::map<std::string, std::string>;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* kNA = "<NA>";  // marks a missing value in str()
constexpr int64_t kSecond = 1000000;
constexpr int64_t kHour = 3600 * kSecond;

// [SECTION] Helpers

Snapshot snapshot(const store::Store& s) {
  Snapshot out;
  for (const auto& k : s.keys("")) out[k] = *s.get(k);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

Column num(const std::string& name, std::vector<double> values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kNumeric;
  c.numbers = std::move(values);
  return c;
}

// A string column; kNA entries are missing.
Column str(const std::string& name, const std::vector<std::string>& values,
           ColumnType type = ColumnType::kCategorical) {
  Column c;
  c.name = name;
  c.type = type;
  for (const auto& v : values) {
    const bool missing = v == kNA;
    c.strings.push_back(missing ? "" : v);
    c.missing.push_back(missing ? 1 : 0);
  }
  return c;
}

Table make(std::vector<Column> cols) {
  Table t;
  for (auto& c : cols) {
    Status st = t.add_column(std::move(c));
    EXPECT_TRUE(st.is_ok()) << st.to_string();
  }
  return t;
}

// Numeric values of an output column (NaN = null).
std::vector<double> numbers(const Table& t, const std::string& name) {
  const Column* c = t.column(name);
  EXPECT_NE(c, nullptr) << name;
  if (!c) return {};
  EXPECT_EQ(c->type, ColumnType::kNumeric) << name;
  return c->numbers;
}

// String values of an output column, kNA for nulls.
std::vector<std::string> strings(const Table& t, const std::string& name) {
  const Column* c = t.column(name);
  EXPECT_NE(c, nullptr) << name;
  if (!c) return {};
  std::vector<std::string> out;
  for (size_t i = 0; i < c->size(); ++i) out.push_back(c->is_missing(i) ? kNA : c->value_string(i));
  return out;
}

// Compares numbers treating NaN == NaN (null == null).
void expect_numbers(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << " row " << i << ": got " << got[i] << ", want null";
    } else {
      EXPECT_EQ(got[i], want[i]) << what << " row " << i;
    }
  }
}

bool tables_equal(const Table& a, const Table& b) {
  if (a.num_columns() != b.num_columns() || a.num_rows() != b.num_rows()) return false;
  for (size_t j = 0; j < a.num_columns(); ++j) {
    const Column& x = a.column(j);
    const Column& y = b.column(j);
    if (x.name != y.name || x.type != y.type) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x.is_missing(i) != y.is_missing(i)) return false;
      if (!x.is_missing(i) && x.value_string(i) != y.value_string(i)) return false;
    }
  }
  return true;
}

FeatureGroupOptions opts(std::vector<std::string> keys, std::string created = "", int64_t ttl = 0) {
  FeatureGroupOptions o;
  o.entity_keys = std::move(keys);
  o.created_column = std::move(created);
  o.ttl_us = ttl;
  return o;
}

class FeatureStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_clock_for_testing([this] { return now_; });
  }
  void TearDown() override { set_clock_for_testing(nullptr); }

  void register_ok(const std::string& name, const Table& t, const FeatureGroupOptions& o) {
    auto r = fs_.register_features(name, t, o);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  }
  Table historical(const Table& entities, const std::vector<std::string>& refs, HistoricalOptions o = {}) {
    auto r = fs_.get_historical_features(entities, refs, o);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? std::move(r).value() : Table();
  }

  int64_t now_ = 1700000000000;
  store::MemoryStore store_;
  FeatureStore fs_{store_};
};

// A small driver-stats group: driver 1 has two rows, driver 2 one.
Table driver_stats() {
  return make({num("driver_id", {1, 2, 1}),
               str("event_timestamp", {"2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z", "2024-01-02T10:00:00Z"}),
               num("conv_rate", {0.5, 0.7, 0.6}), str("city", {"Madrid", "Lima", kNA})});
}

// [SECTION] Registering

TEST_F(FeatureStoreTest, RegisterStoresCsvBlobAndVersionedRecord) {
  const Table t = driver_stats();
  FeatureGroupOptions o = opts({"driver_id"}, "", 2 * kHour);
  o.description = "hourly driver stats";
  o.tags = {{"team", "ops"}};
  auto r = fs_.register_features("driver_stats", t, o);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const std::string bytes = data::write_csv(t);
  const std::string digest = sha256_hex(bytes);
  EXPECT_EQ(store_.keys(""), (std::vector<std::string>{"blobs/" + digest, "features/driver_stats"}));
  EXPECT_EQ(store_.get("blobs/" + digest), bytes);

  ASSERT_EQ(r->versions.size(), 1u);
  const FeatureGroupVersion& v = r->latest();
  EXPECT_EQ(v.version, 1);
  EXPECT_EQ(v.digest, digest);
  EXPECT_EQ(v.join_keys, std::vector<std::string>{"driver_id"});
  EXPECT_EQ(v.timestamp_column, "event_timestamp");
  EXPECT_EQ(v.ttl_us, 2 * kHour);
  EXPECT_EQ(v.num_rows, 3);
  EXPECT_EQ(v.created_at, 1700000000000);
  ASSERT_EQ(v.features().size(), 2u);
  EXPECT_EQ(v.features()[0].name, "conv_rate");
  EXPECT_EQ(v.features()[0].type, ColumnType::kNumeric);
  EXPECT_EQ(v.features()[1].name, "city");
  EXPECT_EQ(v.features()[1].type, ColumnType::kCategorical);

  // The record as the CLI / JS sees it.
  auto rec = fs_.get("driver_stats");
  ASSERT_TRUE(rec.is_ok());
  nlohmann::json j = feature_group_to_json(*rec);
  EXPECT_EQ(j["schema"], "mllab.feature_group");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["description"], "hourly driver stats");
  EXPECT_EQ(j["tags"]["team"], "ops");
  EXPECT_EQ(j["latest_version"], 1);
  EXPECT_EQ(j["versions"][0]["ttl"], "2h");
  EXPECT_EQ(j["versions"][0]["num_columns"], 4);
  EXPECT_EQ(j["versions"][0]["columns"][3]["type"], "categorical");
  EXPECT_EQ(j["versions"][0]["features"].size(), 2u);
  ASSERT_EQ(fs_.list().size(), 1u);
  EXPECT_EQ(fs_.list()[0].name, "driver_stats");

  // get_features gives the table back as registered.
  auto back = fs_.get_features("driver_stats");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_TRUE(tables_equal(*back, t));
}

TEST_F(FeatureStoreTest, StringColumnsThatLookNumericKeepTheirType) {
  // "7" and "12" would read back from CSV as numbers; the record's types restore strings.
  const Table t =
      make({str("user", {"7", "12"}), str("event_timestamp", {"2024-01-01", "2024-01-02"}), str("segment", {"1", "2"}),
            str("bio", {"likes long walks", "reads old books"}, ColumnType::kText)});
  register_ok("users", t, opts({"user"}));
  auto back = fs_.get_features("users");
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_TRUE(tables_equal(*back, t));
  EXPECT_EQ(back->column("segment")->type, ColumnType::kCategorical);
  EXPECT_EQ(back->column("bio")->type, ColumnType::kText);
}

TEST_F(FeatureStoreTest, SameContentKeepsOneVersionChangedContentAddsOne) {
  register_ok("driver_stats", driver_stats(), opts({"driver_id"}));
  const Snapshot after_v1 = snapshot(store_);
  now_ += 1000;
  auto again = fs_.register_features("driver_stats", driver_stats(), opts({"driver_id"}));
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->versions.size(), 1u);
  EXPECT_EQ(snapshot(store_), after_v1);  // nothing rewritten

  Table changed = make({num("driver_id", {1, 2}), str("event_timestamp", {"2024-01-03", "2024-01-03"}),
                        num("conv_rate", {0.9, 0.1}), str("city", {"Quito", "Cusco"})});
  auto v2 = fs_.register_features("driver_stats", changed, opts({"driver_id"}));
  ASSERT_TRUE(v2.is_ok());
  ASSERT_EQ(v2->versions.size(), 2u);
  EXPECT_EQ(v2->latest().version, 2);
  EXPECT_EQ(v2->latest().created_at, now_);
  EXPECT_EQ(v2->versions[0].created_at, 1700000000000);
  EXPECT_TRUE(tables_equal(*fs_.get_features("driver_stats"), changed));
  EXPECT_TRUE(tables_equal(*fs_.get_features("driver_stats", 1), driver_stats()));
  EXPECT_EQ(fs_.get_features("driver_stats", 3).status().code(), ErrorCode::kResourceDoesNotExist);
  EXPECT_EQ(store_.keys("blobs/").size(), 2u);

  // Same data, different TTL: the definition changed, so version 3 (same blob).
  auto v3 = fs_.register_features("driver_stats", changed, opts({"driver_id"}, "", kHour));
  ASSERT_TRUE(v3.is_ok());
  EXPECT_EQ(v3->latest().version, 3);
  EXPECT_EQ(v3->latest().digest, v2->latest().digest);
  EXPECT_EQ(store_.keys("blobs/").size(), 2u);

  // Only a new description: same version, record updated.
  FeatureGroupOptions o = opts({"driver_id"}, "", kHour);
  o.description = "now documented";
  auto v3b = fs_.register_features("driver_stats", changed, o);
  ASSERT_TRUE(v3b.is_ok());
  EXPECT_EQ(v3b->versions.size(), 3u);
  EXPECT_EQ(fs_.get("driver_stats")->description, "now documented");
}

TEST_F(FeatureStoreTest, SharesBlobsWithDatasetsOfEqualBytes) {
  const Table t = driver_stats();
  datasets::DatasetStore ds(store_);
  ASSERT_TRUE(ds.add("driver_stats_csv", data::write_csv(t), "upload", "stats.csv").is_ok());
  register_ok("driver_stats", t, opts({"driver_id"}));
  EXPECT_EQ(store_.keys("blobs/").size(), 1u);
}

TEST_F(FeatureStoreTest, FailedRegisterWritesNothing) {
  register_ok("driver_stats", driver_stats(), opts({"driver_id"}));
  const Snapshot before = snapshot(store_);
  struct Case {
    std::string name;
    Table table;
    FeatureGroupOptions options;
    std::vector<std::string> message_parts;
  };
  const Table good = driver_stats();
  std::vector<Case> cases;
  // Row 2 of the timestamp column is not a date (February 30th).
  cases.push_back(
      {"driver_stats",
       make({num("driver_id", {1, 2}), str("event_timestamp", {"2024-01-01", "2024-02-30"}), num("conv_rate", {1, 2})}),
       opts({"driver_id"}),
       {"row 2", "column 'event_timestamp'", "'2024-02-30'", "day out of range"}});
  // A missing event timestamp.
  cases.push_back(
      {"driver_stats",
       make({num("driver_id", {1, 2}), str("event_timestamp", {"2024-01-01", kNA}), num("conv_rate", {1, 2})}),
       opts({"driver_id"}),
       {"row 2", "column 'event_timestamp'", "missing"}});
  // A bad created timestamp in row 1.
  cases.push_back({"driver_stats",
                   make({num("driver_id", {1}), str("event_timestamp", {"2024-01-01"}), str("created", {"soon"}),
                         num("conv_rate", {1})}),
                   opts({"driver_id"}, "created"),
                   {"row 1", "column 'created'", "'soon'"}});
  // A missing join key value.
  cases.push_back({"driver_stats",
                   make({num("driver_id", {1, kNaN}), str("event_timestamp", {"2024-01-01", "2024-01-02"}),
                         num("conv_rate", {1, 2})}),
                   opts({"driver_id"}),
                   {"row 2", "column 'driver_id'", "missing"}});
  cases.push_back({"driver_stats", good, opts({"driver"}), {"join key column 'driver'", "conv_rate"}});
  cases.push_back({"driver_stats", good, opts({}), {"no entity key"}});
  cases.push_back({"driver_stats", good, opts({"driver_id", "driver_id"}), {"listed twice"}});
  FeatureGroupOptions no_ts = opts({"driver_id"});
  no_ts.timestamp_column = "ts";
  cases.push_back({"driver_stats", good, no_ts, {"event timestamp column 'ts'"}});
  cases.push_back({"driver_stats", good, opts({"driver_id"}, "created_at"), {"created timestamp column 'created_at'"}});
  cases.push_back({"driver_stats", good, opts({"driver_id"}, "event_timestamp"), {"event_timestamp"}});
  cases.push_back({"driver_stats", good, opts({"driver_id"}, "", -1), {"negative"}});
  cases.push_back({"driver_stats",
                   make({num("driver_id", {1}), str("event_timestamp", {"2024-01-01"})}),
                   opts({"driver_id"}),
                   {"no feature columns"}});
  // "007" would come back from CSV as 7.
  cases.push_back({"driver_stats",
                   make({str("zip", {"007"}), str("event_timestamp", {"2024-01-01"}), num("x", {1})}),
                   opts({"zip"}),
                   {"row 1", "column 'zip'", "'007'", "'7'"}});
  cases.push_back({"bad/name", good, opts({"driver_id"}), {"bad/name"}});
  cases.push_back({".hidden", good, opts({"driver_id"}), {".hidden"}});
  for (const auto& c : cases) {
    auto r = fs_.register_features(c.name, c.table, c.options);
    ASSERT_FALSE(r.is_ok()) << c.message_parts[0];
    for (const auto& part : c.message_parts) {
      EXPECT_TRUE(contains(r.status().message(), part)) << r.status().message() << " lacks " << part;
    }
    EXPECT_EQ(snapshot(store_), before) << r.status().message();
  }
}

TEST_F(FeatureStoreTest, RecordReaderRefusesNewerSchemaVersions) {
  register_ok("driver_stats", driver_stats(), opts({"driver_id"}));
  nlohmann::json j = nlohmann::json::parse(*store_.get("features/driver_stats"));
  auto ok = feature_group_from_json(j.dump());
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok->latest().join_keys, std::vector<std::string>{"driver_id"});
  j["schema_version"] = 2;
  auto r = feature_group_from_json(j.dump());
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "schema_version 2")) << r.status().message();
  EXPECT_FALSE(feature_group_from_json("{\"schema\": \"mllab.dataset\"}").is_ok());
  EXPECT_EQ(fs_.get("nope").status().code(), ErrorCode::kResourceDoesNotExist);
}

// [SECTION] Point-in-time joins

TEST_F(FeatureStoreTest, EventTimestampTiesAreBrokenByCreatedTimestamp) {
  // Driver 1 rows (event, created, value):
  //   A (10:00, 10:05, 1)   B (10:00, 10:30, 2)   C (09:00, 11:00, 3)
  // At 10:15 all three have event <= 10:15. Feast orders by event timestamp first: A and B tie
  // at 10:00, and B was created later, so B (2). C was created last but its event is older.
  // At 09:30 only C qualifies (3).
  const Table t = make({num("driver_id", {1, 1, 1}),
                        str("event_timestamp", {"2024-01-01T10:00:00", "2024-01-01T10:00:00", "2024-01-01T09:00:00"}),
                        str("created", {"2024-01-01T10:05:00", "2024-01-01T10:30:00", "2024-01-01T11:00:00"}),
                        num("v", {1, 2, 3})});
  register_ok("g", t, opts({"driver_id"}, "created"));
  const Table e =
      make({num("driver_id", {1, 1}), str("event_timestamp", {"2024-01-01T10:15:00", "2024-01-01T09:30:00"})});
  expect_numbers(numbers(historical(e, {"g:v"}), "v"), {2, 3}, "tie");
  // Without a created column the later table row wins the tie: the same rows registered with
  // B first and A second give A (1).
  const Table t2 = make({num("driver_id", {1, 1}),
                         str("event_timestamp", {"2024-01-01T10:00:00", "2024-01-01T10:00:00"}), num("v", {2, 1})});
  register_ok("g2", t2, opts({"driver_id"}));
  expect_numbers(numbers(historical(e, {"g2:v"}), "v"), {1, kNaN}, "no created column");
}

TEST_F(FeatureStoreTest, TtlWindowEdges) {
  // One feature row at 10:00:00 with a 1 h TTL. Entity rows probe the window's edges:
  //   11:00:00.000000  = event + ttl   -> included (entity_ts - ttl <= event_ts)
  //   11:00:00.000001  1 us too late   -> null
  //   10:00:00.000000  = event         -> included (event_ts <= entity_ts)
  //   09:59:59.999999  1 us before     -> null
  const Table t = make({str("k", {"a"}), str("event_timestamp", {"2024-01-01T10:00:00"}), num("v", {42})});
  register_ok("g", t, opts({"k"}, "", kHour));
  const Table e = make(
      {str("k", {"a", "a", "a", "a"}), str("event_timestamp", {"2024-01-01T11:00:00", "2024-01-01T11:00:00.000001",
                                                               "2024-01-01T10:00:00", "2024-01-01T09:59:59.999999"})});
  expect_numbers(numbers(historical(e, {"g:v"}), "v"), {42, kNaN, 42, kNaN}, "ttl edges");
}

TEST_F(FeatureStoreTest, TtlOutsideWindowDoesNotFallBackToOlderRows) {
  // Rows at 08:00 (v=1) and 10:00 (v=2), TTL 1 h. At 12:00 the newest row (10:00) is outside
  // the window, and so is every older one: null. At 10:30 the 10:00 row is chosen.
  const Table t = make(
      {str("k", {"a", "a"}), str("event_timestamp", {"2024-01-01T08:00:00", "2024-01-01T10:00:00"}), num("v", {1, 2})});
  register_ok("g", t, opts({"k"}, "", kHour));
  const Table e = make({str("k", {"a", "a"}), str("event_timestamp", {"2024-01-01T12:00:00", "2024-01-01T10:30:00"})});
  expect_numbers(numbers(historical(e, {"g:v"}), "v"), {kNaN, 2}, "ttl");
}

TEST_F(FeatureStoreTest, ZeroTtlIsUnbounded) {
  // With ttl 0 a row from 2000 still serves an entity row in 2024; future rows never do.
  const Table t = make({str("k", {"a", "a"}), str("event_timestamp", {"2000-01-01", "2030-01-01"}), num("v", {1, 2})});
  register_ok("g", t, opts({"k"}));
  const Table e = make({str("k", {"a"}), str("event_timestamp", {"2024-06-01"})});
  expect_numbers(numbers(historical(e, {"g:v"}), "v"), {1}, "unbounded");
}

TEST_F(FeatureStoreTest, MissingEntitiesGiveNulls) {
  register_ok("driver_stats", driver_stats(), opts({"driver_id"}));
  // Row 0: unknown driver 9. Row 1: missing driver id. Row 2: driver 2 before its first row
  // (11:00). Row 3: driver 2 after it (0.7, "Lima"). Row 4: driver 1 on day 2 gets the day-2
  // row, whose city is missing.
  const Table e = make({num("driver_id", {9, kNaN, 2, 2, 1}),
                        str("event_timestamp",
                            {"2024-01-05", "2024-01-05", "2024-01-01T10:59:59", "2024-01-01T11:00:00", "2024-01-03"})});
  const Table out = historical(e, {"driver_stats:conv_rate", "driver_stats:city"});
  expect_numbers(numbers(out, "conv_rate"), {kNaN, kNaN, kNaN, 0.7, 0.6}, "conv_rate");
  EXPECT_EQ(strings(out, "city"), (std::vector<std::string>{kNA, kNA, kNA, "Lima", kNA}));
  EXPECT_EQ(out.column("city")->type, ColumnType::kCategorical);
}

TEST_F(FeatureStoreTest, UnsortedInputsKeepEntityRowOrder) {
  // Feature rows shuffled (key, hour, value): per key the values equal the hour they start.
  //   a: 3->3, 1->1, 2->2      b: 2->20, 1->10
  const Table t = make({str("k", {"a", "b", "a", "b", "a"}),
                        num("event_timestamp", {3 * 3600.0, 2 * 3600.0, 1 * 3600.0, 1 * 3600.0, 2 * 3600.0}),
                        num("v", {3, 20, 1, 10, 2})});
  register_ok("g", t, opts({"k"}));
  // Entity rows in no order; timestamps are epoch seconds in a numeric column.
  //   (b, 1.5 h) -> 10   (a, 3.5 h) -> 3   (a, 1 h) -> 1   (b, 0.5 h) -> null   (a, 2.9 h) -> 2
  const Table e = make({str("k", {"b", "a", "a", "b", "a"}),
                        num("event_timestamp", {1.5 * 3600, 3.5 * 3600, 3600, 0.5 * 3600, 2.9 * 3600}),
                        num("label", {0, 1, 2, 3, 4})});
  const Table out = historical(e, {"g:v"});
  ASSERT_EQ(out.num_columns(), 4u);
  EXPECT_EQ(out.column(0).name, "k");
  EXPECT_EQ(out.column(2).name, "label");
  expect_numbers(numbers(out, "label"), {0, 1, 2, 3, 4}, "label carried in order");
  expect_numbers(numbers(out, "v"), {10, 3, 1, kNaN, 2}, "v");
}

TEST_F(FeatureStoreTest, MultipleJoinKeys) {
  // Keys (driver, customer). (1, A) and (1, B) and (2, A) are different entities; a match on
  // one key alone must not leak across.
  const Table t =
      make({num("driver", {1, 1, 2}), str("customer", {"A", "B", "A"}),
            str("event_timestamp", {"2024-01-01", "2024-01-01", "2024-01-01"}), num("trips", {11, 12, 21})});
  register_ok("pairs", t, opts({"driver", "customer"}));
  const Table e = make({str("customer", {"B", "A", "A", "B"}), num("driver", {1, 2, 1, 2}),
                        str("event_timestamp", {"2024-02-01", "2024-02-01", "2024-02-01", "2024-02-01"})});
  expect_numbers(numbers(historical(e, {"pairs:trips"}), "trips"), {12, 21, 11, kNaN}, "pairs");
}

TEST_F(FeatureStoreTest, KeysMatchAcrossNumericAndStringColumns) {
  // The group's driver_id is numeric; an entity table read from a CSV where one id was "x"
  // holds them as strings. "1001" matches 1001 and "7" matches 7 (numbers compare by their
  // shortest text); "x" matches nothing. An empty entity table gives an empty result.
  const Table t =
      make({num("driver_id", {1001, 7}), str("event_timestamp", {"2024-01-01", "2024-01-01"}), num("v", {1, 2})});
  register_ok("g", t, opts({"driver_id"}));
  const Table e =
      make({str("driver_id", {"7", "x", "1001"}), str("event_timestamp", {"2024-02-01", "2024-02-01", "2024-02-01"})});
  expect_numbers(numbers(historical(e, {"g:v"}), "v"), {2, kNaN, 1}, "mixed key types");
  const Table none = historical(e.take_rows({}), {"g:v"});
  EXPECT_EQ(none.num_rows(), 0u);
  EXPECT_EQ(none.num_columns(), 3u);
}

TEST_F(FeatureStoreTest, TwoGroupsWithDifferentJoinKeys) {
  register_ok("driver_stats", driver_stats(), opts({"driver_id"}));
  const Table profile =
      make({str("customer_id", {"c1", "c2"}), str("ts", {"2024-01-01", "2024-01-01"}), num("age", {30, 40})});
  FeatureGroupOptions o = opts({"customer_id"});
  o.timestamp_column = "ts";
  register_ok("customer_profile", profile, o);
  // Row 0: driver 1 at Jan 1 12:00 -> 0.5; customer c2 -> 40.
  // Row 1: driver 2 at Jan 3 -> 0.7; customer c3 unknown -> null.
  const Table e = make({num("driver_id", {1, 2}), str("customer_id", {"c2", "c3"}),
                        str("event_timestamp", {"2024-01-01T12:00:00", "2024-01-03"})});
  const Table out = historical(e, {"customer_profile:age", "driver_stats:conv_rate"});
  ASSERT_EQ(out.num_columns(), 5u);
  EXPECT_EQ(out.column(3).name, "age");  // reference order
  EXPECT_EQ(out.column(4).name, "conv_rate");
  expect_numbers(numbers(out, "age"), {40, kNaN}, "age");
  expect_numbers(numbers(out, "conv_rate"), {0.5, 0.7}, "conv_rate");
  // The entity table must carry every group's keys.
  const Table no_customer = e.drop_column("customer_id");
  auto r = fs_.get_historical_features(no_customer, {"customer_profile:age"});
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "'customer_id'")) << r.status().message();
  EXPECT_TRUE(contains(r.status().message(), "customer_profile")) << r.status().message();
}

TEST_F(FeatureStoreTest, CreatedTimestampLeakageFilter) {
  // Key a. Row 1: event 09:00, created 09:00, v=1. Row 2: a backfill with event 09:30 written
  // at 12:00, v=2. Row 3: event 09:45 with no created timestamp, v=3, but only for key b.
  // Entity (a, 10:00): without the filter the newest event (09:30) wins -> 2; with it, row 2 did
  // not exist yet at 10:00 -> 1. Entity (a, 13:00): row 2 exists by then -> 2 either way.
  // Entity (b, 10:00): the row without created timestamp counts only without the filter.
  const Table t = make({str("k", {"a", "a", "b"}),
                        str("event_timestamp", {"2024-01-01T09:00:00", "2024-01-01T09:30:00", "2024-01-01T09:45:00"}),
                        str("created", {"2024-01-01T09:00:00", "2024-01-01T12:00:00", kNA}), num("v", {1, 2, 3})});
  register_ok("g", t, opts({"k"}, "created"));
  const Table e = make({str("k", {"a", "a", "b"}),
                        str("event_timestamp", {"2024-01-01T10:00:00", "2024-01-01T13:00:00", "2024-01-01T10:00:00"})});
  expect_numbers(numbers(historical(e, {"g:v"}), "v"), {2, 2, 3}, "filter off");
  HistoricalOptions on;
  on.filter_by_created_timestamp = true;
  expect_numbers(numbers(historical(e, {"g:v"}, on), "v"), {1, 2, kNaN}, "filter on");

  // With a 45 min TTL and the filter, at 10:00 the only visible row (09:00) is too old -> null,
  // even though the invisible 09:30 row would have been in the window.
  register_ok("g_ttl", t, opts({"k"}, "created", 45 * 60 * kSecond));
  expect_numbers(numbers(historical(e.take_rows({0}), {"g_ttl:v"}, on), "v"), {kNaN}, "filter + ttl");
}

TEST_F(FeatureStoreTest, FullFeatureNamesAndNameClashes) {
  register_ok("driver_stats", driver_stats(), opts({"driver_id"}));
  const Table other = make({num("driver_id", {1}), str("event_timestamp", {"2024-01-01"}), num("conv_rate", {0.1})});
  register_ok("other_stats", other, opts({"driver_id"}));
  const Table e = make({num("driver_id", {1}), str("event_timestamp", {"2024-01-01T12:00:00"})});

  // Both groups have conv_rate: without full names that is a clash naming both references.
  auto clash = fs_.get_historical_features(e, {"driver_stats:conv_rate", "other_stats:conv_rate"});
  ASSERT_FALSE(clash.is_ok());
  EXPECT_TRUE(contains(clash.status().message(), "'driver_stats:conv_rate'")) << clash.status().message();
  EXPECT_TRUE(contains(clash.status().message(), "'other_stats:conv_rate'")) << clash.status().message();

  HistoricalOptions full;
  full.full_feature_names = true;
  const Table out = historical(e, {"driver_stats:conv_rate", "other_stats:conv_rate"}, full);
  expect_numbers(numbers(out, "driver_stats__conv_rate"), {0.5}, "driver_stats");
  expect_numbers(numbers(out, "other_stats__conv_rate"), {0.1}, "other_stats");

  // A feature named like an entity column clashes too.
  const Table e2 = make({num("driver_id", {1}), str("event_timestamp", {"2024-01-02"}), num("city", {0})});
  auto r = fs_.get_historical_features(e2, {"driver_stats:city"});
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "'city'")) << r.status().message();
  // The same reference twice.
  r = fs_.get_historical_features(e, {"driver_stats:city", "driver_stats:city"});
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "listed twice")) << r.status().message();
}

TEST_F(FeatureStoreTest, RetrievalErrorsNameTheCulprit) {
  register_ok("driver_stats", driver_stats(), opts({"driver_id"}));
  const Table e = make({num("driver_id", {1, 2}), str("event_timestamp", {"2024-01-01", "2024-13-01"})});
  struct Case {
    std::vector<std::string> refs;
    std::vector<std::string> parts;
  };
  const Table good = e.take_rows({0});
  const Case cases[] = {
      {{"nope:conv_rate"}, {"'nope'"}},
      {{"driver_stats:speed"}, {"'speed'", "driver_stats", "conv_rate, city"}},
      {{"driver_stats:driver_id"}, {"'driver_id'"}},  // a key is not a feature
      {{"driver_stats:event_timestamp"}, {"'event_timestamp'"}},
      {{"driver_stats"}, {"group:feature"}},
      {{"driver_stats@2:conv_rate"}, {"no version 2"}},
      {{}, {"no feature references"}},
  };
  for (const auto& c : cases) {
    auto r = fs_.get_historical_features(good, c.refs);
    ASSERT_FALSE(r.is_ok()) << c.parts[0];
    for (const auto& p : c.parts)
      EXPECT_TRUE(contains(r.status().message(), p)) << r.status().message() << " lacks " << p;
  }
  // Row 2 of the entity timestamps is month 13.
  auto r = fs_.get_historical_features(e, {"driver_stats:conv_rate"});
  ASSERT_FALSE(r.is_ok());
  for (const char* p : {"row 2", "column 'event_timestamp'", "'2024-13-01'"}) {
    EXPECT_TRUE(contains(r.status().message(), p)) << r.status().message();
  }
  // No timestamp column at all.
  HistoricalOptions o;
  o.entity_timestamp_column = "ts";
  r = fs_.get_historical_features(good, {"driver_stats:conv_rate"}, o);
  ASSERT_FALSE(r.is_ok());
  EXPECT_TRUE(contains(r.status().message(), "'ts'")) << r.status().message();
}

TEST_F(FeatureStoreTest, VersionedReferencesReadOldVersions) {
  register_ok("driver_stats", driver_stats(), opts({"driver_id"}));
  const Table v2 = make(
      {num("driver_id", {1}), str("event_timestamp", {"2024-01-01"}), num("conv_rate", {0.99}), str("city", {"Oslo"})});
  register_ok("driver_stats", v2, opts({"driver_id"}));
  const Table e = make({num("driver_id", {1}), str("event_timestamp", {"2024-01-01T12:00:00"})});
  // Latest (v2) has 0.99 at midnight; v1 has 0.5 at 10:00.
  expect_numbers(numbers(historical(e, {"driver_stats:conv_rate"}), "conv_rate"), {0.99}, "latest");
  expect_numbers(numbers(historical(e, {"driver_stats@1:conv_rate"}), "conv_rate"), {0.5}, "v1");
}

// Brute force straight from the definition: among rows with equal key and
// entity_ts - ttl <= event_ts <= entity_ts (and created_ts <= entity_ts when filtering), the
// greatest (event_ts, created_ts, row).
std::vector<double> brute_force(const std::vector<int>& fkey, const std::vector<int64_t>& fev,
                                const std::vector<int64_t>& fcr, const std::vector<double>& fval,
                                const std::vector<int>& ekey, const std::vector<int64_t>& ets, int64_t ttl,
                                bool filter) {
  std::vector<double> out(ekey.size(), kNaN);
  for (size_t r = 0; r < ekey.size(); ++r) {
    long best = -1;
    for (size_t i = 0; i < fkey.size(); ++i) {
      if (fkey[i] != ekey[r] || fev[i] > ets[r]) continue;
      if (ttl > 0 && fev[i] < ets[r] - ttl) continue;
      if (filter && fcr[i] > ets[r]) continue;
      if (best < 0 || fev[i] > fev[size_t(best)] || (fev[i] == fev[size_t(best)] && fcr[i] >= fcr[size_t(best)])) {
        best = long(i);
      }
    }
    if (best >= 0) out[r] = fval[size_t(best)];
  }
  return out;
}

TEST_F(FeatureStoreTest, MatchesBruteForceOnRandomData) {
  // 600 feature rows and 500 entity rows over 20 keys and a 200 s span of whole seconds, so
  // ties on event and created timestamps are common. Values are the row numbers.
  uint64_t state = 12345;
  auto next = [&](uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  std::vector<int> fkey, ekey;
  std::vector<int64_t> fev, fcr, ets;
  std::vector<double> fval, fkey_d, fev_d, fcr_d, ekey_d, ets_d;
  for (int i = 0; i < 600; ++i) {
    fkey.push_back(int(next(20)));
    fev.push_back(int64_t(next(200)) * kSecond);
    fcr.push_back(fev.back() + int64_t(next(60)) * kSecond);  // created at or after the event
    fval.push_back(i);
    fkey_d.push_back(fkey.back());
    fev_d.push_back(double(fev.back() / kSecond));
    fcr_d.push_back(double(fcr.back() / kSecond));
  }
  for (int r = 0; r < 500; ++r) {
    ekey.push_back(int(next(22)));  // keys 20 and 21 do not exist
    ets.push_back(int64_t(next(260)) * kSecond);
    ekey_d.push_back(ekey.back());
    ets_d.push_back(double(ets.back() / kSecond));
  }
  const Table t = make({num("k", fkey_d), num("event_timestamp", fev_d), num("created", fcr_d), num("v", fval)});
  const Table e = make({num("k", ekey_d), num("event_timestamp", ets_d)});
  for (int64_t ttl : {int64_t{0}, 30 * kSecond}) {
    const std::string name = "g" + std::to_string(ttl);
    register_ok(name, t, opts({"k"}, "created", ttl));
    for (bool filter : {false, true}) {
      HistoricalOptions o;
      o.filter_by_created_timestamp = filter;
      const Table out = historical(e, {name + ":v"}, o);
      expect_numbers(numbers(out, "v"), brute_force(fkey, fev, fcr, fval, ekey, ets, ttl, filter),
                     "ttl " + std::to_string(ttl) + (filter ? " filtered" : ""));
    }
  }
}

// [SECTION] Online retrieval

TEST_F(FeatureStoreTest, OnlineFeaturesAreTheLatestRowPerKey) {
  FeatureGroupOptions o = opts({"driver_id"}, "", 24 * kHour);
  register_ok("driver_stats", driver_stats(), o);
  // Latest rows: driver 1 -> day 2 10:00 (0.6, city missing); driver 2 -> day 1 11:00 (0.7, Lima).
  const Table rows = make({num("driver_id", {2, 1, 3})});
  auto out = fs_.get_online_features({"driver_stats:conv_rate", "driver_stats:city"}, rows);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_numbers(numbers(*out, "conv_rate"), {0.7, 0.6, kNaN}, "latest");
  EXPECT_EQ(strings(*out, "city"), (std::vector<std::string>{"Lima", kNA, kNA}));

  // now = day 2 11:00 with a 24 h TTL: driver 2's row (day 1 11:00) is exactly 24 h old, still
  // served; 1 us later it is null. Driver 1's row (day 2 10:00) is fresh in both.
  OnlineOptions at;
  at.now = *parse_timestamp("2024-01-02T11:00:00");
  out = fs_.get_online_features({"driver_stats:conv_rate"}, rows, at);
  ASSERT_TRUE(out.is_ok());
  expect_numbers(numbers(*out, "conv_rate"), {0.7, 0.6, kNaN}, "now at the edge");
  at.now = *at.now + 1;
  out = fs_.get_online_features({"driver_stats:conv_rate"}, rows, at);
  ASSERT_TRUE(out.is_ok());
  expect_numbers(numbers(*out, "conv_rate"), {kNaN, 0.6, kNaN}, "1 us past");

  at.full_feature_names = true;
  out = fs_.get_online_features({"driver_stats:conv_rate"}, rows, at);
  ASSERT_TRUE(out.is_ok());
  EXPECT_NE(out->column("driver_stats__conv_rate"), nullptr);

  auto bad = fs_.get_online_features({"driver_stats:conv_rate"}, make({num("id", {1})}));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_TRUE(contains(bad.status().message(), "'driver_id'")) << bad.status().message();
}

}  // namespace
}  // namespace mllab::features

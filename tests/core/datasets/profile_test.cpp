#include "core/datasets/profile.hpp"

#include <cmath>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/datasets/dataset_store.hpp"
#include "core/store/store.hpp"

namespace mllab::datasets {
namespace {

using json = nlohmann::json;

data::Table table(const std::string& csv) {
  auto t = data::read_csv(csv);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.value();
}

std::vector<CleaningStep> steps(const char* text) {
  auto s = parse_cleaning_steps(json::parse(text));
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? s.value() : std::vector<CleaningStep>{};
}

Status apply_error(const std::string& csv, const char* text) {
  auto parsed = parse_cleaning_steps(json::parse(text));
  if (!parsed) return parsed.status();
  auto r = apply_cleaning_steps(table(csv), *parsed);
  return r ? Status::ok() : r.status();
}

const char* kBirds =
    "damage,speed,phase\n"
    "None,120,Climb\n"
    "Minor,,Approach\n"
    "Substantial,150,Climb\n"
    "None,90,\n"
    "Minor,130,Climb\n";

TEST(Profile, NumbersGetPandasDescribeStatisticsAndStringsTheirTopValues) {
  json p = profile_table(table(kBirds));
  EXPECT_EQ(p["num_rows"], 5);
  const json& speed = p["columns"][1];
  EXPECT_EQ(speed["name"], "speed");
  EXPECT_EQ(speed["type"], "numeric");
  EXPECT_EQ(speed["count"], 4);
  EXPECT_EQ(speed["missing"], 1);
  EXPECT_EQ(speed["unique"], 4);
  EXPECT_EQ(speed["min"], 90.0);
  EXPECT_EQ(speed["max"], 150.0);
  EXPECT_DOUBLE_EQ(speed["mean"].get<double>(), 122.5);
  // Sample std (ddof 1), as pandas: deviations -2.5 27.5 -32.5 7.5 -> sum of squares 1875 / 3.
  EXPECT_NEAR(speed["std"].get<double>(), std::sqrt(625.0), 1e-12);
  const json& damage = p["columns"][0];
  EXPECT_EQ(damage["type"], "categorical");
  EXPECT_EQ(damage["unique"], 3);
  // Most frequent first; ties in value order.
  EXPECT_EQ(damage["top"], json::parse(R"([{"value":"Minor","count":2},{"value":"None","count":2},{"value":"Substantial","count":1}])"));
  EXPECT_EQ(p["columns"][2]["missing"], 1);
}

TEST(Profile, AllMissingAndSingleValueColumnsHaveNullStatistics) {
  json p = profile_table(table("x,y\n,1\n,\n"));
  EXPECT_TRUE(p["columns"][0]["mean"].is_null());
  EXPECT_EQ(p["columns"][1]["mean"], 1.0);
  EXPECT_TRUE(p["columns"][1]["std"].is_null()) << "ddof 1 needs two values";
}

TEST(Cleaning, FlagDerivesABinaryTargetAndMissingStaysMissing) {
  auto t = apply_cleaning_steps(table(kBirds), steps(R"([{"op":"flag","column":"damage","operator":"!=","value":"None","as":"damaged"}])"));
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  const auto* d = t->column("damaged");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->numbers, (std::vector<double>{0, 1, 1, 0, 1}));
  auto s = apply_cleaning_steps(table(kBirds), steps(R"([{"op":"flag","column":"speed","operator":">=","value":130,"as":"fast"}])"));
  ASSERT_TRUE(s.is_ok());
  const auto& fast = s->column("fast")->numbers;
  EXPECT_EQ(fast[0], 0);
  EXPECT_TRUE(std::isnan(fast[1]));
  EXPECT_EQ(fast[2], 1);
}

TEST(Cleaning, DropFillFilterRenameSelectAndDeduplicate) {
  auto t = apply_cleaning_steps(table(kBirds), steps(R"([
    {"op":"fill_missing","column":"speed","strategy":"median"},
    {"op":"fill_missing","column":"phase","value":"Unknown"},
    {"op":"filter","column":"speed","operator":">","value":100},
    {"op":"rename","columns":{"phase":"flight_phase"}},
    {"op":"select_columns","columns":["flight_phase","speed"]},
    {"op":"drop_duplicates"}])"));
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  // median(120,150,90,130) = 125 fills row 2; rows with speed > 100: 120 Climb, 125 Approach,
  // 150 Climb, 130 Climb (90 dropped); all distinct.
  EXPECT_EQ(t->num_columns(), 2u);
  EXPECT_EQ(t->column(0).name, "flight_phase");
  EXPECT_EQ(t->column("speed")->numbers, (std::vector<double>{120, 125, 150, 130}));
  EXPECT_EQ(t->column("flight_phase")->strings, (std::vector<std::string>{"Climb", "Approach", "Climb", "Climb"}));

  auto d = apply_cleaning_steps(table(kBirds), steps(R"([{"op":"drop_missing"}])"));
  EXPECT_EQ(d->num_rows(), 3u);
  auto d2 = apply_cleaning_steps(table(kBirds), steps(R"([{"op":"drop_missing","columns":["phase"]},{"op":"drop_columns","columns":["damage"]}])"));
  EXPECT_EQ(d2->num_rows(), 4u);
  EXPECT_EQ(d2->num_columns(), 2u);
  auto dup = apply_cleaning_steps(table("a,b\n1,x\n1,x\n1,\n1,\n2,x\n"), steps(R"([{"op":"drop_duplicates"}])"));
  EXPECT_EQ(dup->num_rows(), 3u) << "missing equals missing when deduplicating";
}

TEST(Cleaning, ErrorsNameTheStepAndTheProblem) {
  auto has = [](const Status& st, const std::string& needle) {
    return !st.is_ok() && st.message().find(needle) != std::string::npos;
  };
  EXPECT_TRUE(has(apply_error(kBirds, R"([{"op":"explode"}])"), "unknown op 'explode'"));
  EXPECT_TRUE(has(apply_error(kBirds, R"([{"op":"drop_columns","columns":["nope"]}])"), "step 1 (drop_columns): no column 'nope'"));
  EXPECT_TRUE(has(apply_error(kBirds, R"([{"op":"drop_missing"},{"op":"filter","column":"speed","operator":"~","value":1}])"), "step 2 (filter): operator"));
  EXPECT_TRUE(has(apply_error(kBirds, R"([{"op":"filter","column":"speed","operator":">","value":"fast"}])"), "compare it with a number"));
  EXPECT_TRUE(has(apply_error(kBirds, R"([{"op":"fill_missing","column":"speed","value":"x"}])"), "must be a number"));
  EXPECT_TRUE(has(apply_error(kBirds, R"([{"op":"fill_missing","column":"phase","strategy":"mean"}])"), "only most_frequent"));
  EXPECT_TRUE(has(apply_error(kBirds, R"([{"op":"flag","column":"damage","operator":"==","value":"None"}])"), "\"as\""));
  EXPECT_TRUE(has(apply_error(kBirds, R"([{"op":"rename","columns":{"speed":"damage"}}])"), "damage"));
  EXPECT_FALSE(parse_cleaning_steps(json::object()).is_ok());
}

TEST(DatasetVersions, DeriveRecordsLineageProfileAndANewVersionOnlyOnChange) {
  store::MemoryStore store;
  DatasetStore ds(store);
  ASSERT_TRUE(ds.add("birds", kBirds, "local", "birds.csv").is_ok());
  const char* flag = R"([{"op":"flag","column":"damage","operator":"!=","value":"None","as":"damaged"}])";
  auto d = ds.derive("birds_damage", "birds", 0, json::parse(flag));
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  const DatasetVersion& v = d->latest();
  EXPECT_EQ(v.version, 1);
  EXPECT_EQ(v.source_type, "derived");
  EXPECT_EQ(v.source, "birds:1");
  EXPECT_EQ(v.lineage["parent"]["name"], "birds");
  EXPECT_EQ(v.lineage["parent"]["version"], 1);
  EXPECT_EQ(v.lineage["parent"]["digest"], ds.version("birds")->digest);
  EXPECT_EQ(v.lineage["steps"], json::parse(flag));
  EXPECT_EQ(v.profile["columns"].back()["name"], "damaged");
  EXPECT_DOUBLE_EQ(v.profile["columns"].back()["mean"].get<double>(), 0.6);
  // Same derivation again: same bytes, no new version; the parent changes -> version 2.
  EXPECT_EQ(ds.derive("birds_damage", "birds", 0, json::parse(flag))->versions.size(), 1u);
  ASSERT_TRUE(ds.add("birds", std::string(kBirds) + "None,100,Climb\n", "local", "birds.csv").is_ok());
  auto d2 = ds.derive("birds_damage", "birds", 2, json::parse(flag));
  ASSERT_TRUE(d2.is_ok());
  EXPECT_EQ(d2->latest().version, 2);
  EXPECT_EQ(d2->latest().lineage["parent"]["version"], 2);
  // From the old parent version explicitly: its content equals version 1 of the derived data,
  // which is not the latest, so it becomes version 3 with version-1 content.
  auto d3 = ds.derive("birds_damage", "birds", 1, json::parse(flag));
  EXPECT_EQ(d3->latest().digest, d->latest().digest);
}

TEST(DatasetVersions, FailedDeriveWritesNothing) {
  store::MemoryStore store;
  DatasetStore ds(store);
  ASSERT_TRUE(ds.add("birds", kBirds, "local", "birds.csv").is_ok());
  auto before = store.keys("");
  std::map<std::string, std::string> values;
  for (const auto& k : before) values[k] = *store.get(k);
  EXPECT_FALSE(ds.derive("x", "birds", 0, json::parse(R"([{"op":"drop_columns","columns":["nope"]}])")).is_ok());
  EXPECT_FALSE(ds.derive("x", "birds", 7, json::parse("[]")).is_ok());
  EXPECT_FALSE(ds.derive("x", "nothing", 0, json::parse("[]")).is_ok());
  EXPECT_EQ(store.keys(""), before);
  for (const auto& k : before) EXPECT_EQ(*store.get(k), values[k]);
}

TEST(DatasetVersions, ReferencesParseNameAndVersion) {
  EXPECT_EQ(*parse_dataset_ref("iris"), std::make_pair(std::string("iris"), 0));
  EXPECT_EQ(*parse_dataset_ref("iris:3"), std::make_pair(std::string("iris"), 3));
  EXPECT_EQ(*parse_dataset_ref("iris:latest"), std::make_pair(std::string("iris"), 0));
  EXPECT_FALSE(parse_dataset_ref("iris:0").is_ok());
  EXPECT_FALSE(parse_dataset_ref("iris:x").is_ok());
  EXPECT_FALSE(parse_dataset_ref(":3").is_ok());
  EXPECT_FALSE(parse_dataset_ref("").is_ok());
}

}  // namespace
}  // namespace mllab::datasets

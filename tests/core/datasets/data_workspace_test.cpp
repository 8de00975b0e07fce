// What the Data workspace's forms and panels compute: set_type steps and stored column types,
// cleaning forms -> steps, histograms (numpy's values), a dataset's storage size.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/data/csv.hpp"
#include "core/datasets/cleaning_form.hpp"
#include "core/datasets/dataset_store.hpp"
#include "core/datasets/profile.hpp"
#include "core/store/store.hpp"

namespace mllab::datasets {
namespace {

using json = nlohmann::json;

data::Table table(const std::string& csv) {
  auto t = data::read_csv(csv);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.value();
}

const char* kBirds =
    "damage,speed,zip\n"
    "None,120,02134\n"
    "Minor,,10001\n"
    "None,80,10001\n"
    "Substantial,200,\n";

TEST(DataWorkspace, SetTypeConvertsBothWaysAndNamesTheBadValue) {
  auto steps = parse_cleaning_steps(json::parse(R"([{"op":"set_type","column":"zip","type":"categorical"}])"));
  ASSERT_TRUE(steps.is_ok()) << steps.status().to_string();
  auto t = apply_cleaning_steps(table(kBirds), *steps);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  const data::Column* zip = t->column("zip");
  EXPECT_EQ(zip->type, data::ColumnType::kCategorical);
  EXPECT_EQ(zip->strings[0], "2134");  // read as a number first: the leading zero was not kept
  EXPECT_TRUE(zip->is_missing(3));
  EXPECT_EQ(t->find("zip"), 2);  // stays in place

  auto back = apply_cleaning_steps(*t, *parse_cleaning_steps(json::parse(R"([{"op":"set_type","column":"zip","type":"numeric"}])")));
  ASSERT_TRUE(back.is_ok());
  EXPECT_DOUBLE_EQ(back->column("zip")->numbers[1], 10001);
  EXPECT_TRUE(std::isnan(back->column("zip")->numbers[3]));

  auto bad = apply_cleaning_steps(table(kBirds), *parse_cleaning_steps(json::parse(R"([{"op":"set_type","column":"damage","type":"numeric"}])")));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("row 1"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("'None'"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(parse_cleaning_steps(json::parse(R"([{"op":"set_type","column":"zip","type":"date"}])")).is_ok());
}

TEST(DataWorkspace, ASetTypeVersionKeepsItsTypesInStorage) {
  store::MemoryStore store;
  DatasetStore ds(store);
  ASSERT_TRUE(ds.add("birds", kBirds, "upload", "birds.csv").is_ok());
  auto d = ds.derive("birds", "birds", 0, json::parse(R"([{"op":"set_type","column":"damage","type":"text"}])"));
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_EQ(d->versions.size(), 2u);
  EXPECT_EQ(d->latest().schema["columns"][0]["type"], "text");
  EXPECT_EQ(d->latest().lineage["parent"]["version"], 1);
  // Back to categorical from v2: the same bytes as v2, another schema -> v3 sharing v2's blob.
  auto d3 = ds.derive("birds", "birds", 2, json::parse(R"([{"op":"set_type","column":"damage","type":"categorical"}])"));
  ASSERT_TRUE(d3.is_ok());
  ASSERT_EQ(d3->versions.size(), 3u);
  EXPECT_EQ(d3->versions[1].digest, d3->versions[2].digest);
  EXPECT_EQ(ds.table("birds", 2)->column("damage")->type, data::ColumnType::kText);
  EXPECT_EQ(ds.table("birds", 3)->column("damage")->type, data::ColumnType::kCategorical);
  EXPECT_EQ(ds.table("birds", 1)->column("damage")->type, data::ColumnType::kCategorical);
  // Deriving from v2 reads it with its types: the text column stays text.
  auto d4 = ds.derive("birds", "birds", 2, json::parse(R"([{"op":"drop_missing","columns":["speed"]}])"));
  ASSERT_TRUE(d4.is_ok());
  EXPECT_EQ(d4->latest().version, 4);
  EXPECT_EQ(d4->latest().num_rows, 3);
  EXPECT_EQ(d4->latest().schema["columns"][0]["type"], "text");
  // A set_type that changes nothing derives nothing new.
  EXPECT_EQ(ds.derive("birds", "birds", 4, json::parse(R"([{"op":"set_type","column":"damage","type":"text"}])"))->versions.size(), 4u);

  auto size = ds.storage_size("birds");
  ASSERT_TRUE(size.is_ok());
  EXPECT_EQ(size->blobs, 3);  // v2 and v3 share one blob
  int64_t expected = 0;
  for (int v : {1, 2, 4}) expected += int64_t(store.get("blobs/" + d4->versions[size_t(v - 1)].digest)->size());
  EXPECT_EQ(size->blob_bytes, expected);
  EXPECT_EQ(size->record_bytes, int64_t(store.get("datasets/birds")->size()));
  EXPECT_FALSE(ds.storage_size("nothing").is_ok());
}

TEST(DataWorkspace, HistogramEqualsNumpy) {
  // np.histogram([1, 2, 2, 3, 10, 4.5, 7], bins=4) -> [4 1 1 1], edges [1 3.25 5.5 7.75 10]
  auto t = table("x\n1\n2\n2\n3\n10\n4.5\n7\n\n");
  Histogram h = numeric_histogram(*t.column("x"), 4);
  ASSERT_EQ(h.counts.size(), 4u);
  EXPECT_EQ(h.counts, (std::vector<double>{4, 1, 1, 1}));
  EXPECT_EQ(h.edges, (std::vector<double>{1, 3.25, 5.5, 7.75, 10}));
  // np.histogram([5, 5, 5], bins=3) -> [0 3 0], edges 4.5 .. 5.5
  Histogram one = numeric_histogram(*table("x\n5\n5\n5\n").column("x"), 3);
  EXPECT_EQ(one.counts, (std::vector<double>{0, 3, 0}));
  EXPECT_DOUBLE_EQ(one.edges.front(), 4.5);
  EXPECT_DOUBLE_EQ(one.edges.back(), 5.5);
  EXPECT_TRUE(numeric_histogram(*table("x\nNA\n").column("x")).counts.empty());
  EXPECT_TRUE(numeric_histogram(*table("x\na\n").column("x")).counts.empty());
}

TEST(DataWorkspace, FormsBuildTypedStepsAndNameTheBadField) {
  data::Table t = table(kBirds);
  CleaningForm f;
  f.op = "filter";
  f.column = "speed";
  f.comparison = ">";
  f.value = "100";
  auto s = cleaning_step_from_form(t, f);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(*s, json::parse(R"({"op":"filter","column":"speed","operator":">","value":100.0})"));
  EXPECT_EQ(describe_cleaning_step(*s), "filter speed > 100");
  f.value = "fast";
  auto bad = cleaning_step_from_form(t, f);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("'fast' is not a number"), std::string::npos);
  f.column = "damage";
  f.comparison = "!=";
  f.value = "None";
  f.op = "flag";
  EXPECT_FALSE(cleaning_step_from_form(t, f).is_ok());  // no "as"
  f.as = "damaged";
  EXPECT_EQ(*cleaning_step_from_form(t, f), json::parse(R"({"op":"flag","column":"damage","operator":"!=","value":"None","as":"damaged"})"));
  f.as = "speed";
  EXPECT_FALSE(cleaning_step_from_form(t, f).is_ok());  // taken

  CleaningForm fill;
  fill.op = "fill_missing";
  fill.column = "damage";
  fill.strategy = "mean";
  EXPECT_FALSE(cleaning_step_from_form(t, fill).is_ok());
  fill.column = "speed";
  EXPECT_EQ(*cleaning_step_from_form(t, fill), json::parse(R"({"op":"fill_missing","column":"speed","strategy":"mean"})"));

  CleaningForm drop;
  drop.op = "drop_missing";
  EXPECT_EQ(*cleaning_step_from_form(t, drop), json::parse(R"({"op":"drop_missing"})"));
  drop.op = "drop_columns";
  EXPECT_FALSE(cleaning_step_from_form(t, drop).is_ok());
  drop.columns = {"zip", "nope"};
  auto nope = cleaning_step_from_form(t, drop);
  ASSERT_FALSE(nope.is_ok());
  EXPECT_NE(nope.status().message().find("no column 'nope'"), std::string::npos);

  CleaningForm ren;
  ren.op = "rename";
  ren.column = "speed";
  ren.new_name = "knots";
  EXPECT_EQ(*cleaning_step_from_form(t, ren), json::parse(R"({"op":"rename","columns":{"speed":"knots"}})"));
  CleaningForm type;
  type.op = "set_type";
  type.column = "zip";
  type.type = "categorical";
  EXPECT_EQ(describe_cleaning_step(*cleaning_step_from_form(t, type)), "set_type zip categorical");
  // Every op the forms offer builds a step that parses.
  for (const auto& op : cleaning_ops()) {
    CleaningForm any;
    any.op = op.op;
    any.columns = {"speed"};
    any.column = "speed";
    any.new_name = "v";
    any.value = "1";
    any.as = "f";
    any.type = "numeric";
    auto step = cleaning_step_from_form(t, any);
    ASSERT_TRUE(step.is_ok()) << op.op << ": " << step.status().to_string();
    EXPECT_TRUE(parse_cleaning_steps(json::array({*step})).is_ok()) << op.op;
  }
}

}  // namespace
}  // namespace mllab::datasets

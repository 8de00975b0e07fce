// Rows <-> Table, the one JSON home for tables: records and pandas "split" orient, and the one
// rule for JSON booleans (the text "true" / "false", as read_csv reads the same cells).
#include "core/data/table_json.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/registry/model_doc.hpp"

namespace mllab::data {
namespace {

using json = nlohmann::json;

TEST(TableJsonTest, RecordsRoundTripNumbersStringsAndMissing) {
  const json records = json::parse(R"([{"x": 1.5, "c": "a"}, {"x": null}, {"c": "b", "x": -3}])");
  auto t = table_from_records(records);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  ASSERT_EQ(t->num_columns(), 2u);
  // Columns in first-seen order of the parsed objects (nlohmann's objects iterate by key).
  EXPECT_EQ(t->column(0).name, "c");
  EXPECT_EQ(t->column("x")->type, ColumnType::kNumeric);
  EXPECT_TRUE(std::isnan(t->column("x")->numbers[1]));
  EXPECT_EQ(t->column("c")->type, ColumnType::kCategorical);
  EXPECT_TRUE(t->column("c")->is_missing(1)) << "an absent key is a missing value";
  EXPECT_EQ(table_to_records(*t), json::parse(R"([{"x": 1.5, "c": "a"}, {"x": null, "c": null}, {"x": -3.0, "c": "b"}])"));
  EXPECT_EQ(row_to_json(*t, 2), json::parse(R"({"x": -3.0, "c": "b"})"));
}

// The decision: a JSON row and the same row in a CSV file make the same Table.
TEST(TableJsonTest, BooleansAreTheTextTrueAndFalseLikeCsvCells) {
  auto from_json = table_from_records(json::parse(R"([{"flag": true, "n": 1}, {"flag": false, "n": 2}, {"flag": null, "n": 3}])"));
  ASSERT_TRUE(from_json.is_ok()) << from_json.status().to_string();
  auto from_csv = read_csv("flag,n\ntrue,1\nfalse,2\n,3\n");
  ASSERT_TRUE(from_csv.is_ok()) << from_csv.status().to_string();
  const Column& j = *from_json->column("flag");
  const Column& c = *from_csv->column("flag");
  EXPECT_EQ(j.type, ColumnType::kCategorical);
  EXPECT_EQ(j.type, c.type);
  EXPECT_EQ(j.strings[0], "true");
  EXPECT_EQ(j.strings[1], "false");
  EXPECT_EQ(j.strings[0], c.strings[0]);
  EXPECT_EQ(j.strings[1], c.strings[1]);
  EXPECT_TRUE(j.is_missing(2));
  EXPECT_EQ(from_json->column("n")->type, ColumnType::kNumeric) << "a number column stays numeric";
  // Back out as strings (the Table has no boolean type), the same as the CSV's table.
  EXPECT_EQ(table_to_records(*from_json), table_to_records(*from_csv));

  // Mixed with numbers: every value as text, numbers as format_number writes them.
  auto mixed = table_from_records(json::parse(R"([{"v": true}, {"v": 2}, {"v": 0.5}])"));
  ASSERT_TRUE(mixed.is_ok());
  EXPECT_EQ(mixed->column(0).strings, (std::vector<std::string>{"true", "2", "0.5"}));
  // The split orient follows the same rule.
  auto split = table_from_split({"flag"}, json::parse("[[true], [false]]"));
  ASSERT_TRUE(split.is_ok());
  EXPECT_EQ(split->column(0).strings, (std::vector<std::string>{"true", "false"}));
}

// The model's signature decides what a boolean column means: "boolean" reads it as 1 / 0
// (conform_input), a numeric column refuses it naming column, row and value.
TEST(TableJsonTest, SignaturesDecideWhatBooleansMean) {
  registry::Signature sig;
  sig.inputs = {{"flag", "boolean", true}, {"size", "double", true}};
  auto ok = registry::table_from_records_json(json::parse(R"([{"flag": true, "size": 1}, {"flag": false, "size": 2}])"), &sig);
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  registry::ModelDoc doc;
  doc.signature = sig;
  auto conformed = registry::conform_input(doc, *ok);
  ASSERT_TRUE(conformed.is_ok()) << conformed.status().to_string();
  EXPECT_EQ(conformed->column("flag")->numbers, (std::vector<double>{1, 0}));

  auto refused = registry::table_from_records_json(json::parse(R"([{"flag": true, "size": 1}, {"flag": true, "size": false}])"), &sig);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().message(), "input: column 'size' expects double, got boolean (false in row 2)");
}

TEST(TableJsonTest, SplitRoundTripsAndErrorsNameRowAndColumn) {
  auto t = table_from_split({"x", "c"}, json::parse(R"([[1.5, "a"], [null, null], [-3, "b"]])"));
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(table_to_split(*t), json::parse(R"({"columns": ["x", "c"], "data": [[1.5, "a"], [null, null], [-3.0, "b"]]})"));
  EXPECT_EQ(table_to_split(*t, 1)["data"].size(), 1u);

  auto ragged = table_from_split({"x"}, json::parse("[[1], [1, 2]]"));
  ASSERT_FALSE(ragged.is_ok());
  EXPECT_EQ(ragged.status().message(), "row 2 must be an array of 1 values");
  auto object = table_from_split({"x"}, json::parse(R"([[1], [{"a": 1}]])"));
  ASSERT_FALSE(object.is_ok());
  EXPECT_EQ(object.status().message(), "column 'x' row 2 holds object; expected a number, a string, true / false or null");
  auto not_object = table_from_records(json::parse(R"([{"x": 1}, 7])"));
  ASSERT_FALSE(not_object.is_ok());
  EXPECT_EQ(not_object.status().message(), "record 2 is number, not an object {column: value}");
  auto nested = table_from_records(json::parse(R"([{"x": [1, 2]}])"));
  ASSERT_FALSE(nested.is_ok());
  EXPECT_EQ(nested.status().message(), "column 'x' row 1 holds array; expected a number, a string, true / false or null");
}

TEST(TableJsonTest, LongStringsBecomeTextColumnsLikeCsv) {
  json records = json::array();
  for (int i = 0; i < 6; ++i) records.push_back({{"review", "this film number " + std::to_string(i) + " was fine"}});
  auto t = table_from_records(records);
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->column(0).type, ColumnType::kText);
  // A JSON string that looks like a number stays a string: JSON typed it.
  auto s = table_from_records(json::parse(R"([{"zip": "01234"}, {"zip": "98765"}])"));
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(s->column(0).type, ColumnType::kCategorical);
  EXPECT_EQ(s->column(0).strings[0], "01234");
}

}  // namespace
}  // namespace mllab::data

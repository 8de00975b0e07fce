// What the Predict panel decides: typed rows (CSV with a header, or one sentence per line for a
// single-text-column model), actuals typed as the training target, the model URIs offered.
#include <gtest/gtest.h>

#include "core/monitoring/drift.hpp"
#include "core/registry/predict_input.hpp"

namespace mllab::registry {
namespace {

ModelDoc text_model() {
  ModelDoc d;
  d.signature = Signature{{{"text", "string", true}}, {{"str", {-1}}}};
  d.classes = {"negative", "positive"};
  d.target = "label";
  return d;
}

ModelDoc iris_model() {
  ModelDoc d;
  d.signature = Signature{{{"a", "double", true}, {"b", "double", true}}, {{"int64", {-1}}}};
  d.classes = {"0", "1", "2"};
  d.target = "target";
  return d;
}

TEST(PredictInputTest, OneSentencePerLineForASingleTextColumnModel) {
  auto t = parse_typed_rows("I loved it, great film\n\n  terrible, a waste of time \n", text_model());
  ASSERT_TRUE(t) << t.status().to_string();
  ASSERT_EQ(t->num_rows(), 2u);
  ASSERT_EQ(t->columns().size(), 1u);
  EXPECT_EQ(t->columns()[0].name, "text");
  EXPECT_EQ(t->columns()[0].type, data::ColumnType::kText);
  EXPECT_EQ(t->columns()[0].strings[0], "I loved it, great film");  // commas are not separators
  EXPECT_EQ(t->columns()[0].strings[1], "terrible, a waste of time");
}

TEST(PredictInputTest, CsvWithAHeaderOtherwise) {
  auto t = parse_typed_rows("text\n\"good, really\"\nbad\n", text_model());
  ASSERT_TRUE(t) << t.status().to_string();
  EXPECT_EQ(t->num_rows(), 2u);
  EXPECT_EQ(t->columns()[0].value_string(0), "good, really");

  auto n = parse_typed_rows("a,b\n1,2\n3.5,4\n", iris_model());
  ASSERT_TRUE(n) << n.status().to_string();
  EXPECT_EQ(n->num_rows(), 2u);
  EXPECT_EQ(n->columns()[0].numbers[1], 3.5);

  auto bad = parse_typed_rows("a,b\n1,2,3\n", iris_model());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("typed rows: line 2"), std::string::npos) << bad.status().message();
  auto header_only = parse_typed_rows("a,b\n", iris_model());
  ASSERT_FALSE(header_only);
  EXPECT_NE(header_only.status().message().find("typed rows"), std::string::npos) << header_only.status().message();
  EXPECT_FALSE(parse_typed_rows(" \n\n", text_model()));
}

TEST(PredictInputTest, ActualsAreTypedAsTheTarget) {
  // An int64 target's actual is an integer, as the predictions are ("2.0" is the class 2).
  for (const char* typed : {" 2 ", "2.0"}) {
    auto num = parse_actual(typed, iris_model());
    ASSERT_TRUE(num) << num.status().to_string();
    EXPECT_TRUE(num->is_number_integer()) << num->dump();
    EXPECT_EQ(num->dump(), "2");
  }
  auto not_num = parse_actual("two", iris_model());
  ASSERT_FALSE(not_num);
  EXPECT_NE(not_num.status().message().find("'two' is not a number"), std::string::npos);
  // A number that is not one of the classes is refused, naming them.
  auto unknown_class = parse_actual("7", iris_model());
  ASSERT_FALSE(unknown_class);
  EXPECT_NE(unknown_class.status().message().find("'7' is not one of the model's classes (0, 1, 2)"), std::string::npos)
      << unknown_class.status().message();

  auto label = parse_actual("positive", text_model());
  ASSERT_TRUE(label);
  EXPECT_EQ(*label, nlohmann::json("positive"));
  auto unknown = parse_actual("meh", text_model());
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.status().message().find("negative, positive"), std::string::npos);
  EXPECT_FALSE(parse_actual("", text_model()));

  ModelDoc reg;  // a regressor: no classes
  auto v = parse_actual("-1.25", reg);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->get<double>(), -1.25);
}

TEST(PredictInputTest, UriChoicesCoverVersionsStagesAliasesAndRuns) {
  RegisteredModel m;
  m.name = "sent";
  ModelVersion v1, v2;
  v1.version = 1;
  v1.current_stage = "Production";
  v2.version = 2;
  v2.current_stage = "Staging";
  m.versions = {v1, v2};
  m.aliases = {{"champion", 1}};
  EXPECT_EQ(model_uri_choices({m}, {"abc", "abc"}),
            (std::vector<std::string>{"models:/sent/1", "models:/sent/2", "models:/sent/Staging", "models:/sent/Production",
                                      "models:/sent@champion", "runs:/abc/model"}));
}

TEST(PredictInputTest, RowRangesSplitATableIntoHalves) {
  data::Table t;
  data::Column c;
  c.name = "x";
  c.numbers = {0, 1, 2, 3, 4};
  ASSERT_TRUE(t.add_column(c).is_ok());
  auto first = monitoring::row_range(t, 0, 50);
  auto second = monitoring::row_range(t, 50, 100);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->columns()[0].numbers, (std::vector<double>{0, 1}));
  EXPECT_EQ(second->columns()[0].numbers, (std::vector<double>{2, 3, 4}));
  EXPECT_FALSE(monitoring::row_range(t, 50, 50));
  EXPECT_FALSE(monitoring::row_range(t, -1, 50));
  EXPECT_FALSE(monitoring::row_range(t, 0, 10));  // floor(0.5) = 0 rows
}

}  // namespace
}  // namespace mllab::registry

#include "core/pipeline/builder.hpp"

#include <algorithm>
#include <string>

#include "core/data/csv.hpp"
#include "core/ml/model.hpp"

#include <gtest/gtest.h>

namespace mllab::pipeline {
namespace {

// A table with every kind of column: text, categorical, numeric with and without missing values.
data::Table mixed_table() {
  const std::string csv =
      "text,source,age,income,label\n"
      "a good film indeed,web,31,100,pos\n"
      "the plot was bad,app,45,,neg\n"
      "what a great cast,web,28,150,pos\n"
      "such a dull story,shop,52,90,neg\n";
  auto t = data::read_csv(csv);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(t->column(0).type, data::ColumnType::kText);
  return std::move(t).value();
}

std::vector<std::string> step_names(const PipelineSpec& s) {
  std::vector<std::string> out;
  for (const auto& st : s.steps) out.push_back(st.name + ":" + st.type);
  return out;
}

const StepSpec* find_step(const PipelineSpec& s, const std::string& name) {
  for (const auto& st : s.steps) {
    if (st.name == name) return &st;
  }
  return nullptr;
}

TEST(PipelineBuilder, CatalogComesFromTheRegistries) {
  const auto catalog = step_catalog();
  auto has = [&](const std::string& type, StepRole role) {
    return std::any_of(catalog.begin(), catalog.end(), [&](const StepType& s) { return s.type == type && s.role == role; });
  };
  EXPECT_TRUE(has("TfidfVectorizer", StepRole::kTextColumns));
  EXPECT_TRUE(has("CountVectorizer", StepRole::kTextColumns));
  EXPECT_TRUE(has("OneHotEncoder", StepRole::kCategoricalColumns));
  EXPECT_TRUE(has("SimpleImputer", StepRole::kNumericColumns));
  EXPECT_TRUE(has("StandardScaler", StepRole::kMatrix));
  EXPECT_TRUE(has("RandomForestClassifier", StepRole::kClassifier));
  EXPECT_TRUE(has("Ridge", StepRole::kRegressor));
  // Every classifier and regressor the registry knows is offered, and nothing else.
  size_t estimators = 0;
  for (const auto& s : catalog) estimators += s.role == StepRole::kClassifier || s.role == StepRole::kRegressor;
  EXPECT_EQ(estimators, ml::classifier_types().size() + ml::regressor_types().size());
  for (const auto& s : addable_steps()) {
    EXPECT_NE(s.role, StepRole::kClassifier);
    EXPECT_NE(s.role, StepRole::kRegressor);
  }
}

TEST(PipelineBuilder, ScoringsPerTaskAreTheOnesTheSpecAccepts) {
  EXPECT_EQ(scorings_for(false).front(), "accuracy");
  EXPECT_EQ(scorings_for(true).front(), "r2");
  EXPECT_NE(std::find(scorings_for(false).begin(), scorings_for(false).end(), "roc_auc"), scorings_for(false).end());
  // Each scoring offered parses in a spec of its task; a scoring of the other task does not.
  for (bool regression : {false, true}) {
    for (const auto& sc : scorings_for(regression)) {
      json doc = {{"schema", "mllab.pipeline"}, {"schema_version", 1},
                  {"dataset", {{"path", "x.csv"}, {"target", "y"}}},
                  {"steps", {{{"name", "model"}, {"type", regression ? "Ridge" : "LogisticRegression"}}}},
                  {"evaluate", {{"cv", 3}, {"scoring", sc}}}};
      EXPECT_TRUE(parse_pipeline_spec(doc).is_ok()) << sc;
      doc["steps"][0]["type"] = regression ? "LogisticRegression" : "Ridge";
      EXPECT_FALSE(parse_pipeline_spec(doc).is_ok()) << sc << " on the other task";
    }
  }
}

TEST(PipelineBuilder, DefaultSearchSpacesNameTheEstimatorsParameters) {
  const json rf = default_search_space("RandomForestClassifier");
  EXPECT_EQ(rf["model__n_estimators"], json({50, 100, 200}));  // the course's grid
  EXPECT_EQ(default_search_space("LogisticRegression", "clf").begin().key(), "clf__C");
  EXPECT_TRUE(default_search_space("GaussianNB").empty());
  // Every default space names parameters the estimator has.
  for (const auto& type : ml::classifier_types()) {
    PipelineSpec s;
    s.steps = {{"model", type, json::object(), {}}};
    const json space = default_search_space(type);
    for (const auto& [key, values] : space.items()) {
      EXPECT_TRUE(set_step_param(s, key, values[0]).is_ok()) << type << " " << key;
    }
  }
}

TEST(PipelineBuilder, ParamHelpSaysDocDefaultAndBounds) {
  ml::ParamSpec c;
  c.name = "C";
  c.default_value = 1.0;
  c.min = 0;
  c.min_exclusive = true;
  c.doc = "Inverse of regularization strength";
  EXPECT_EQ(param_help(c), "Inverse of regularization strength. Default 1.0; > 0.");
  ml::ParamSpec frac;
  frac.default_value = 0.5;
  frac.min = 0;
  frac.max = 1;
  frac.max_exclusive = true;
  EXPECT_EQ(param_help(frac), "Default 0.5; [0, 1).");
  ml::ParamSpec s;
  s.kind = ml::ParamSpec::Kind::kString;
  s.default_value = "mean";
  s.choices = {"mean", "median"};
  EXPECT_EQ(param_help(s), "Default \"mean\"; one of mean | median.");
}

TEST(PipelineBuilder, DefaultSpecIsAColumnTransformerByColumnType) {
  const PipelineSpec s = default_spec_for(mixed_table(), "datasets:/mixed", "label");
  EXPECT_EQ(step_names(s), (std::vector<std::string>{"tfidf_text:TfidfVectorizer", "onehot:OneHotEncoder",
                                                     "impute:SimpleImputer", "scaler:StandardScaler",
                                                     "model:LogisticRegression"}));
  EXPECT_EQ(find_step(s, "onehot")->columns, std::vector<std::string>{"source"});
  EXPECT_EQ(find_step(s, "impute")->columns, std::vector<std::string>{"income"});
  EXPECT_EQ(s.features, std::vector<std::string>{"age"});
  // Sparse features: the scaler must not center.
  EXPECT_EQ(find_step(s, "scaler")->params["with_mean"], false);
  EXPECT_EQ(s.test_size, 0.2);
  EXPECT_EQ(s.random_state, 42u);
  // It is a valid spec, and the JSON editor's text reads back as the same spec.
  auto back = parse_pipeline_spec(spec_text(s));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(pipeline_spec_to_json(*back), pipeline_spec_to_json(s));
}

TEST(PipelineBuilder, RetargetKeepsTheChosenVectorizerAndDropsExcludedColumns) {
  PipelineSpec s = default_spec_for(mixed_table(), "datasets:/mixed", "label");
  s.steps[0].type = "CountVectorizer";
  s.steps[0].params = {{"max_features", 50}};
  ASSERT_TRUE(set_estimator(s, "RandomForestClassifier").is_ok());
  retarget(s, mixed_table(), "label", {"source", "income"});
  EXPECT_EQ(step_names(s), (std::vector<std::string>{"tfidf_text:CountVectorizer", "scaler:StandardScaler",
                                                     "model:RandomForestClassifier"}));
  EXPECT_EQ(s.steps[0].params["max_features"], 50);
  EXPECT_EQ(s.features, std::vector<std::string>{"age"});
  // The excluded columns come back with their default steps.
  retarget(s, mixed_table(), "label", {});
  EXPECT_EQ(step_names(s).size(), 5u);
  EXPECT_EQ(find_step(s, "onehot")->columns, std::vector<std::string>{"source"});
  // A new target: the old target becomes a feature (a categorical column here).
  retarget(s, mixed_table(), "source", {});
  EXPECT_EQ(find_step(s, "onehot")->columns, std::vector<std::string>{"label"});
  EXPECT_TRUE(parse_pipeline_spec(pipeline_spec_to_json(s)).is_ok());
}

TEST(PipelineBuilder, AddMoveRemoveKeepAValidOrder) {
  const data::Table t = mixed_table();
  PipelineSpec s = default_spec_for(t, "datasets:/mixed", "label");
  // A matrix step goes right before the estimator, named uniquely.
  ASSERT_TRUE(add_step(s, "StandardScaler", StepRole::kMatrix, &t).is_ok());
  EXPECT_EQ(s.steps[s.steps.size() - 2].name, "scaler_2");
  EXPECT_EQ(s.steps[s.steps.size() - 2].params["with_mean"], false);  // sparse features
  // A numeric column step reads the passthrough numeric columns, which then stop passing through.
  ASSERT_TRUE(add_step(s, "MinMaxScaler", StepRole::kNumericColumns, &t).is_ok());
  const StepSpec* mm = find_step(s, "minmaxscaler");
  ASSERT_NE(mm, nullptr);
  EXPECT_EQ(mm->columns, std::vector<std::string>{"age"});
  EXPECT_TRUE(s.features.empty());
  // No text column left for a second vectorizer: a clear error, nothing changed.
  const json before = pipeline_spec_to_json(s);
  const Status st = add_step(s, "CountVectorizer", StepRole::kTextColumns, &t);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("no text columns left"), std::string::npos) << st.message();
  EXPECT_EQ(pipeline_spec_to_json(s), before);
  EXPECT_FALSE(add_step(s, "RandomForestClassifier", StepRole::kMatrix, &t).is_ok());
  EXPECT_FALSE(add_step(s, "TfidfVectorizer", StepRole::kMatrix, &t).is_ok());
  EXPECT_TRUE(parse_pipeline_spec(pipeline_spec_to_json(s)).is_ok());

  // Moves: never a column step past a matrix step, never past the estimator.
  const size_t scaler = 4;  // tfidf, onehot, impute, minmax | scaler, scaler_2 | model
  ASSERT_EQ(s.steps[scaler].name, "scaler");
  EXPECT_FALSE(move_step(s, scaler, -1));
  EXPECT_TRUE(move_step(s, scaler, +1));
  EXPECT_EQ(s.steps[scaler].name, "scaler_2");
  EXPECT_FALSE(move_step(s, scaler + 1, +1));
  EXPECT_FALSE(move_step(s, s.steps.size() - 1, -1));
  EXPECT_TRUE(move_step(s, 0, +1));
  EXPECT_EQ(s.steps[1].name, "tfidf_text");
  EXPECT_TRUE(parse_pipeline_spec(pipeline_spec_to_json(s)).is_ok());

  // Removing the numeric step lets its columns pass through again; the estimator stays.
  auto idx = size_t(std::find_if(s.steps.begin(), s.steps.end(), [](const StepSpec& x) { return x.name == "minmaxscaler"; }) - s.steps.begin());
  EXPECT_TRUE(remove_step(s, idx));
  EXPECT_EQ(s.features, std::vector<std::string>{"age"});
  EXPECT_FALSE(remove_step(s, s.steps.size() - 1));
  EXPECT_TRUE(parse_pipeline_spec(pipeline_spec_to_json(s)).is_ok());
}

TEST(PipelineBuilder, ChangeStepTypeRenamesDefaultNamesAndKeepsMaxFeatures) {
  PipelineSpec s = default_spec_for(mixed_table(), "datasets:/mixed", "label");
  s.steps[0].params = {{"max_features", 500}, {"lowercase", false}};
  ASSERT_TRUE(change_step_type(s, 0, "CountVectorizer").is_ok());
  EXPECT_EQ(s.steps[0].name, "counts_text");
  EXPECT_EQ(s.steps[0].type, "CountVectorizer");
  EXPECT_EQ(s.steps[0].params, json({{"max_features", 500}}));
  EXPECT_EQ(s.steps[0].columns, std::vector<std::string>{"text"});
  // A role the type cannot take, or the estimator: refused, nothing changed.
  EXPECT_FALSE(change_step_type(s, 0, "OneHotEncoder").is_ok());
  EXPECT_FALSE(change_step_type(s, s.steps.size() - 1, "Ridge").is_ok());
  EXPECT_EQ(s.steps[0].type, "CountVectorizer");
  // A user's own name is kept.
  s.steps[0].name = "words";
  ASSERT_TRUE(change_step_type(s, 0, "TfidfVectorizer").is_ok());
  EXPECT_EQ(s.steps[0].name, "words");
  EXPECT_TRUE(parse_pipeline_spec(pipeline_spec_to_json(s)).is_ok());
}

TEST(PipelineBuilder, SetEstimatorResetsParamsSearchSpaceAndScoringsOfTheOtherTask) {
  PipelineSpec s = default_spec_for(mixed_table(), "datasets:/mixed", "label");
  s.steps.back().params = {{"C", 10}};
  s.search.type = "grid";
  s.search.scoring = "roc_auc";
  s.evaluate.cv = 3;
  s.evaluate.scoring = "f1_macro";
  ASSERT_TRUE(set_estimator(s, "RandomForestClassifier").is_ok());
  EXPECT_TRUE(s.steps.back().params.empty());
  EXPECT_EQ(s.search.param_grid, default_search_space("RandomForestClassifier"));
  EXPECT_EQ(s.search.scoring, "roc_auc");  // same task: kept
  ASSERT_TRUE(set_estimator(s, "RandomForestRegressor").is_ok());
  EXPECT_EQ(s.search.scoring, "");
  EXPECT_EQ(s.evaluate.scoring, "");
  const Status bad = set_estimator(s, "RandomForest");
  EXPECT_FALSE(bad.is_ok());
  EXPECT_NE(bad.message().find("unknown estimator 'RandomForest'"), std::string::npos);
  EXPECT_EQ(s.steps.back().type, "RandomForestRegressor");
}

}  // namespace
}  // namespace mllab::pipeline

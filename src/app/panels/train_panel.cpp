// The Train panel: the estimator, split, scaler and column steps with their parameters
// (scikit-learn's names, forms drawn from the parameter tables), Train, progress.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/panels/panels.hpp"
#include "app/param_form.hpp"
#include "core/ml/model.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::app {

void draw_train_panel(AppState& app, const Layout& l) {
  ImGui::SetNextWindowPos({l.x, l.y});
  ImGui::SetNextWindowSize({l.w, l.h});
  ImGui::Begin("Train", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
  // Train and the job's progress first, so they stay visible above the (scrolling) form.
  bool busy = false;
  for (const auto& j : app.jobs) busy = busy || !j.finished;
  bool can_train = app.dataset.has_value() && !app.target.empty() && !busy &&
                   (app.search_type == "None" || app.search_space_error.empty());
  ImGui::BeginDisabled(!can_train);
  if (ImGui::Button("Train", {120, 0})) {
    start_job(app, spec_from_form(app).dump(), "web");
  }
  ImGui::EndDisabled();
  track_widget(app, "train");
  if (!app.dataset) {
    ImGui::SameLine();
    ImGui::TextDisabled("pick a dataset first");
  }

  for (auto& j : app.jobs) {
    if (j.finished) continue;
    ImGui::ProgressBar(float(j.job->progress()), {-1, 0}, j.job->stage_name());
    track_widget(app, "progress");
    if (ImGui::Button("Cancel")) j.job->cancel();
    break;
  }
  if (!app.last_job_message.empty()) {
    bool failed = app.last_job_message.rfind("Run finished", 0) != 0;
    ImGui::PushStyleColor(ImGuiCol_Text, failed ? ImVec4(1, 0.45f, 0.45f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1));
    ImGui::TextWrapped("%s", app.last_job_message.c_str());
    ImGui::PopStyleColor();
    track_widget(app, "job-message");
  }
  ImGui::Separator();
  ImGui::BeginChild("##train-form");
  ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);

  static char experiment[128] = "Default";
  if (ImGui::InputText("experiment", experiment, sizeof experiment)) app.experiment = experiment;
  ImGui::InputText("run_name", app.run_name, sizeof app.run_name);
  track_widget(app, "run-name");

  section("Model");
  if (ImGui::BeginCombo("estimator", app.model_type.c_str())) {
    auto add = [&](const std::vector<std::string>& types, const char* kind) {
      ImGui::TextDisabled("%s", kind);
      for (const auto& t : types) {
        if (ImGui::Selectable(t.c_str(), app.model_type == t)) { app.model_type = t; app.model_params = json::object(); }
        track_widget(app, "estimator:" + t);
      }
    };
    add(ml::classifier_types(), "classifiers");
    add(ml::regressor_types(), "regressors");
    ImGui::EndCombo();
  }
  track_widget(app, "estimator-combo");
  draw_param_form(app, *ml::param_specs_for(app.model_type), app.model_params);
  section("train_test_split");
  double lo = 0.05, hi = 0.95;
  ImGui::SliderScalar("test_size", ImGuiDataType_Double, &app.test_size, &lo, &hi, "%.2f");
  ImGui::InputInt("random_state", &app.random_state);
  if (app.random_state < 0) app.random_state = 0;
  ImGui::Checkbox("stratify", &app.stratify);

  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
  ImGui::InputInt("cv folds (0 = none)", &app.cv);
  if (app.cv < 0 || app.cv == 1) app.cv = 0;

  section("Scaler");
  if (ImGui::BeginCombo("scaler", app.scaler_type.c_str())) {
    for (const char* t : {"StandardScaler", "MinMaxScaler", "None"}) {
      if (ImGui::Selectable(t, app.scaler_type == t)) { app.scaler_type = t; app.scaler_params = json::object(); }
    }
    ImGui::EndCombo();
  }
  if (app.scaler_type != "None") draw_param_form(app, *ml::param_specs_for(app.scaler_type), app.scaler_params);

  section("Hyperparameter search");
  if (ImGui::BeginCombo("search", app.search_type.c_str())) {
    for (const char* t : {"None", "GridSearchCV", "RandomizedSearchCV"}) {
      if (ImGui::Selectable(t, app.search_type == t) && app.search_type != t) {
        if (app.search_type == "None" || app.search_space[0] == '\0') {
          std::snprintf(app.search_space, sizeof app.search_space, "%s", default_search_space(app.model_type).c_str());
        }
        app.search_type = t;
      }
      track_widget(app, std::string("search:") + t);
    }
    ImGui::EndCombo();
  }
  track_widget(app, "search-combo");
  if (app.search_type != "None") {
    const bool random = app.search_type == "RandomizedSearchCV";
    ImGui::TextUnformatted(random ? "param_distributions (JSON)" : "param_grid (JSON)");
    ImGui::InputTextMultiline("##search-space", app.search_space, sizeof app.search_space,
                              {-FLT_MIN, ImGui::GetTextLineHeight() * 4});
    track_widget(app, "search-space");
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("JSON: {\"step__param\": [values]}%s", random
                            ? ", or a scipy.stats distribution, e.g. {\"distribution\": \"loguniform\", \"a\": 0.01, \"b\": 100}"
                            : "");
    }
    const auto space = read_json(app.search_space, "search space");
    app.search_space_error = !space ? space.status().message()
                             : !space->is_object() && !space->is_array() ? "expected a JSON object {\"step__param\": [...]}"
                                                                         : "";
    if (!app.search_space_error.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.45f, 1.0f));
      ImGui::TextWrapped("%s", app.search_space_error.c_str());
      ImGui::PopStyleColor();
    }
    ImGui::InputInt("cv##search", &app.search_cv);
    if (app.search_cv < 2) app.search_cv = 2;
    const std::vector<std::string> regressors = ml::regressor_types();
    const bool regressor = std::find(regressors.begin(), regressors.end(), app.model_type) != regressors.end();
    const std::vector<std::string> scorings =
        regressor ? std::vector<std::string>{"", "r2", "neg_mean_squared_error", "neg_root_mean_squared_error",
                                             "neg_mean_absolute_error"}
                  : std::vector<std::string>{"", "accuracy", "f1_macro", "f1_weighted", "precision_macro",
                                             "recall_macro", "roc_auc", "neg_log_loss"};
    if (std::find(scorings.begin(), scorings.end(), app.search_scoring) == scorings.end()) app.search_scoring.clear();
    if (ImGui::BeginCombo("scoring", app.search_scoring.empty() ? "(default)" : app.search_scoring.c_str())) {
      for (const auto& sc : scorings) {
        if (ImGui::Selectable(sc.empty() ? "(default)" : sc.c_str(), app.search_scoring == sc)) app.search_scoring = sc;
      }
      ImGui::EndCombo();
    }
    if (random) {
      ImGui::InputInt("n_iter", &app.search_n_iter);
      if (app.search_n_iter < 1) app.search_n_iter = 1;
      ImGui::InputInt("random_state##search", &app.search_random_state);
      if (app.search_random_state < 0) app.search_random_state = 0;
    }
  }

  // Column steps (a ColumnTransformer by column type), shown for the column types present.
  bool has_text = false, has_categorical = false, has_missing = false;
  if (app.dataset) {
    for (const auto& c : app.dataset->table.columns()) {
      if (c.name == app.target || app.excluded_columns.count(c.name)) continue;
      has_text = has_text || c.type == data::ColumnType::kText;
      has_categorical = has_categorical || c.type == data::ColumnType::kCategorical;
      has_missing = has_missing || (c.type == data::ColumnType::kNumeric && c.missing_count() > 0);
    }
  }
  if (has_text || has_categorical || has_missing) section("ColumnTransformer");
  if (has_text) {
    if (ImGui::BeginCombo("text columns", app.vectorizer_type.c_str())) {
      for (const char* t : {"TfidfVectorizer", "CountVectorizer"}) {
        if (ImGui::Selectable(t, app.vectorizer_type == t) && app.vectorizer_type != t) {
          app.vectorizer_type = t;
          app.vectorizer_params = {{"max_features", 1000}};
        }
        track_widget(app, std::string("vectorizer:") + t);
      }
      ImGui::EndCombo();
    }
    track_widget(app, "vectorizer-combo");
    if (ImGui::TreeNode("vectorizer parameters")) {
      draw_param_form(app, *ml::param_specs_for(app.vectorizer_type), app.vectorizer_params);
      ImGui::TreePop();
    }
  }
  if (has_categorical && ImGui::TreeNode("OneHotEncoder (categorical columns)")) {
    draw_param_form(app, *ml::param_specs_for("OneHotEncoder"), app.onehot_params);
    ImGui::TreePop();
  }
  if (has_missing && ImGui::TreeNode("SimpleImputer (numeric columns with missing values)")) {
    draw_param_form(app, *ml::param_specs_for("SimpleImputer"), app.imputer_params);
    ImGui::TreePop();
  }

  ImGui::PopItemWidth();
  ImGui::EndChild();
  track_widget(app, "train-form");

  ImGui::End();
}

}  // namespace mllab::app

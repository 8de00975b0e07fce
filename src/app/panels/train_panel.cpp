// The Train panel: split and model parameters (scikit-learn's names), Train, progress.
#include <imgui.h>

#include "app/panels/panels.hpp"
#include "app/param_form.hpp"
#include "core/ml/model.hpp"

namespace mllab::app {

void draw_train_panel(AppState& app, const Layout& l) {
  ImGui::SetNextWindowPos({l.x, l.y});
  ImGui::SetNextWindowSize({l.w, l.h});
  ImGui::Begin("Train", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
  // Train and the job's progress first, so they stay visible above the (scrolling) form.
  bool busy = false;
  for (const auto& j : app.jobs) busy = busy || !j.finished;
  bool can_train = app.dataset.has_value() && !app.target.empty() && !busy;
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

  bool has_text = false;
  if (app.dataset) {
    for (const auto& c : app.dataset->table.columns()) {
      has_text = has_text || (c.type == data::ColumnType::kText && c.name != app.target);
    }
  }
  if (has_text && ImGui::TreeNode("TfidfVectorizer (text columns)")) {
    draw_param_form(app, *ml::param_specs_for("TfidfVectorizer"), app.tfidf_params);
    ImGui::TreePop();
  }

  ImGui::PopItemWidth();
  ImGui::EndChild();

  ImGui::End();
}

}  // namespace mllab::app

// The Train panel: split and model parameters (scikit-learn's names), Train, progress.
#include <imgui.h>

#include "app/panels/panels.hpp"

namespace mllab::app {

void draw_train_panel(AppState& app, const Layout& l) {
  ImGui::SetNextWindowPos({l.x, l.y});
  ImGui::SetNextWindowSize({l.w, l.h});
  ImGui::Begin("Train", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
  ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);

  static char experiment[128] = "Default";
  if (ImGui::InputText("experiment", experiment, sizeof experiment)) app.experiment = experiment;
  ImGui::InputText("run_name", app.run_name, sizeof app.run_name);
  track_widget(app, "run-name");

  section("train_test_split");
  double lo = 0.05, hi = 0.95;
  ImGui::SliderScalar("test_size", ImGuiDataType_Double, &app.test_size, &lo, &hi, "%.2f");
  ImGui::InputInt("random_state", &app.random_state);
  if (app.random_state < 0) app.random_state = 0;
  ImGui::Checkbox("stratify", &app.stratify);

  section("StandardScaler");
  ImGui::Checkbox("use scaler", &app.scaler_enabled);
  ImGui::BeginDisabled(!app.scaler_enabled);
  ImGui::Checkbox("with_mean", &app.with_mean);
  ImGui::SameLine();
  ImGui::Checkbox("with_std", &app.with_std);
  ImGui::EndDisabled();

  section("LogisticRegression");
  ImGui::InputDouble("C", &app.C, 0.1, 1.0, "%.4g");
  track_widget(app, "param-C");
  ImGui::InputInt("max_iter", &app.max_iter);
  ImGui::InputDouble("tol", &app.tol, 0, 0, "%.2e");
  ImGui::PopItemWidth();
  ImGui::Spacing();

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
  ImGui::End();
}

}  // namespace mllab::app

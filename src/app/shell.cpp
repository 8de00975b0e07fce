#include "app/shell.hpp"

#include <imgui.h>

#include <algorithm>

#include "app/ui.hpp"

namespace mllab::app {
namespace {
constexpr ImGuiWindowFlags kFixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;
}

void Shell::draw(AppContext& ctx, float width, float height) {
  for (auto& v : views_.all) v->update(ctx);
  float top = draw_tab_bar(ctx, width);
  top += draw_banner(ctx, top, width);
  const float h = std::max(0.0f, height - top);
  for (const auto& ws : views_.workspaces) {
    if (ws.workspace != ctx.workspace()) continue;
    for (const Placement& p : ws.views) {
      // Whole pixels, so neighbouring windows share their border exactly.
      const float x0 = std::floor(p.x * width), x1 = std::floor((p.x + p.w) * width);
      const float y0 = std::floor(top + p.y * h), y1 = std::floor(top + (p.y + p.h) * h);
      ImGui::SetNextWindowPos({x0, y0});
      ImGui::SetNextWindowSize({x1 - x0, y1 - y0});
      if (ImGui::Begin(p.view->title(), nullptr, kFixed)) p.view->draw(ctx);
      ImGui::End();
    }
  }
}

float Shell::draw_tab_bar(AppContext& ctx, float width) {
  const ImGuiStyle& st = ImGui::GetStyle();
  const float h = ImGui::GetFrameHeight() + 2 * st.WindowPadding.y;
  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize({width, h});
  ImGui::Begin("##tabs", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("MLLab");
  ImGui::SameLine(0, 18);
  for (const auto& ws : views_.workspaces) {
    const bool cur = ws.workspace == ctx.workspace();
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(cur ? ImGuiCol_ButtonActive : ImGuiCol_FrameBg));
    if (ImGui::Button(workspace_name(ws.workspace))) ctx.go_to(ws.workspace);
    ImGui::PopStyleColor();
    ctx.track(std::string("tab:") + workspace_name(ws.workspace));
    ImGui::SameLine();
  }
  // The running job, from any workspace.
  if (JobEntry* j = ctx.jobs().current()) {
    const float bar = std::min(360.0f, width * 0.3f);
    ImGui::SameLine(std::max(ImGui::GetCursorPosX() + 12, width - bar - 90));
    job_progress_bar(*j, bar);
    ctx.track("job-progress");
    ImGui::SameLine();
    if (ImGui::Button("Cancel##job")) j->job->cancel();
    ctx.track("job-cancel");
  } else {
    ImGui::NewLine();
  }
  ImGui::End();
  return h;
}

float Shell::draw_banner(AppContext& ctx, float y, float width) {
  auto& errors = ctx.errors();
  const std::string& storage = ctx.storage_error();
  if (errors.empty() && storage.empty()) return 0;
  ImGui::SetNextWindowPos({0, y});
  ImGui::SetNextWindowSize({width, 0});
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.35f, 0.08f, 0.08f, 0.97f));
  ImGui::Begin("##banner", nullptr, kFixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize);
  const bool esc = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false);
  if (!storage.empty()) {
    ImGui::TextWrapped("Storage problem: %s", storage.c_str());
    ImGui::TextWrapped("Your data is as it was before this change.");
    if (ImGui::Button("OK##storage") || esc) ctx.clear_storage_error();
    ctx.track("storage-ok");
  }
  for (size_t i = 0; i < errors.size(); ++i) {
    ImGui::PushID(int(i));
    ImGui::TextWrapped("%s", errors[i].c_str());
    if (ImGui::Button("Dismiss") || esc) {
      errors.erase(errors.begin() + long(i));
      ImGui::PopID();
      break;
    }
    ctx.track("banner-dismiss");
    ImGui::PopID();
  }
  const float h = ImGui::GetWindowHeight();
  ImGui::End();
  ImGui::PopStyleColor();
  return h;
}

void Shell::describe(nlohmann::json& ui) const {
  for (const auto& v : views_.all) v->describe(ui);
}

}  // namespace mllab::app

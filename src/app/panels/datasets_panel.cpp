// The Datasets panel: pick a built-in or stored dataset (or load a CSV), preview it with the
// inferred column types, and choose the target column.
#include <imgui.h>

#include "app/panels/panels.hpp"

namespace mllab::app {

void draw_datasets_panel(AppState& app, const Layout& l) {
  ImGui::SetNextWindowPos({l.x, l.y});
  ImGui::SetNextWindowSize({l.w, l.h});
  ImGui::Begin("Datasets", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);

  ImGui::BeginChild("##dataset-list", {l.w * 0.32f, 0}, true);
  ImGui::TextDisabled("BUILT-IN");
  for (const auto& e : app.lab->catalog()) {
    bool sel = app.dataset && app.dataset->uri == e.path;
    if (ImGui::Selectable(e.name.c_str(), sel)) select_dataset(app, e.path);
    track_widget(app, "dataset:" + e.name);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n%lld rows x %lld columns", e.description.c_str(),
                                                   static_cast<long long>(e.rows), static_cast<long long>(e.columns));
  }
  if (!app.lab->catalog_error().empty()) ImGui::TextColored({1, 0.4f, 0.4f, 1}, "%s", app.lab->catalog_error().c_str());
  ImGui::Spacing();
  ImGui::TextDisabled("STORED");
  for (const auto& d : stored_datasets(app)) {
    std::string uri = datasets::dataset_uri(d.name);
    bool sel = app.dataset && app.dataset->uri == uri;
    std::string label = d.name + "  v" + std::to_string(d.latest().version);
    if (ImGui::Selectable(label.c_str(), sel)) select_dataset(app, uri);
    track_widget(app, "dataset:" + d.name);
  }
  ImGui::Spacing();
  if (ImGui::Button("Load CSV...")) open_file_picker();
  track_widget(app, "load-csv");
  ImGui::EndChild();

  ImGui::SameLine();
  ImGui::BeginChild("##dataset-view", {0, 0}, false);
  if (!app.dataset_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.45f, 1.0f));
    ImGui::TextWrapped("Error: %s", app.dataset_error.c_str());
    ImGui::PopStyleColor();
    track_widget(app, "dataset-error");
    ImGui::Separator();
  }
  if (!app.dataset) {
    ImGui::TextWrapped("Pick a dataset on the left, or load a CSV file from disk.");
  } else {
    const auto& t = app.dataset->table;
    ImGui::Text("%s", app.dataset->name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("(%s, %zu rows x %zu columns)", app.dataset->uri.c_str(), t.num_rows(), t.num_columns());
    // Target picker.
    ImGui::SetNextItemWidth(260);
    if (ImGui::BeginCombo("Target column", app.target.c_str())) {
      for (const auto& c : t.columns()) {
        if (ImGui::Selectable(c.name.c_str(), c.name == app.target)) app.target = c.name;
      }
      ImGui::EndCombo();
    }
    track_widget(app, "target-combo");
    ImGui::SameLine();
    if (ImGui::TreeNode("Feature columns")) {
      for (const auto& c : t.columns()) {
        if (c.name == app.target) continue;
        bool use = !app.excluded_columns.count(c.name);
        if (ImGui::Checkbox(c.name.c_str(), &use)) {
          if (use) app.excluded_columns.erase(c.name);
          else app.excluded_columns.insert(c.name);
        }
      }
      ImGui::TreePop();
    }
    // Preview: header with inferred types, first rows.
    const int ncols = int(std::min<size_t>(t.num_columns(), 64));
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX |
                            ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    if (ncols > 0 && ImGui::BeginTable("##preview", ncols, flags)) {
      ImGui::TableSetupScrollFreeze(0, 2);
      for (int c = 0; c < ncols; ++c) ImGui::TableSetupColumn(t.column(size_t(c)).name.c_str());
      ImGui::TableHeadersRow();
      ImGui::TableNextRow();
      for (int c = 0; c < ncols; ++c) {
        ImGui::TableSetColumnIndex(c);
        const auto& col = t.column(size_t(c));
        ImVec4 color = col.type == data::ColumnType::kNumeric ? ImVec4(0.45f, 0.75f, 1, 1)
                       : col.type == data::ColumnType::kCategorical ? ImVec4(0.95f, 0.75f, 0.35f, 1)
                                                                     : ImVec4(0.6f, 0.9f, 0.55f, 1);
        if (col.name == app.target) ImGui::TextColored(color, "%s (target)", data::column_type_name(col.type));
        else ImGui::TextColored(color, "%s", data::column_type_name(col.type));
        if (size_t m = col.missing_count()) {
          ImGui::SameLine();
          ImGui::TextDisabled("%zu missing", m);
        }
      }
      ImGuiListClipper clipper;
      clipper.Begin(int(std::min<size_t>(t.num_rows(), 1000)));
      while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
          ImGui::TableNextRow();
          for (int c = 0; c < ncols; ++c) {
            ImGui::TableSetColumnIndex(c);
            const auto& col = t.column(size_t(c));
            if (col.is_missing(size_t(r))) ImGui::TextDisabled("NA");
            else {
              std::string v = col.value_string(size_t(r));
              if (v.size() > 60) v = v.substr(0, 57) + "...";
              ImGui::TextUnformatted(v.c_str());
            }
          }
        }
      }
      ImGui::EndTable();
    }
  }
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace mllab::app

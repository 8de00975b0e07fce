// The selected dataset: name, source, size and a preview of its rows with the inferred column
// types (virtualized: only the visible rows are drawn).
#include <imgui.h>

#include <algorithm>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

ImVec4 type_color(data::ColumnType t) {
  return t == data::ColumnType::kNumeric ? ImVec4(0.45f, 0.75f, 1, 1)
         : t == data::ColumnType::kCategorical ? ImVec4(0.95f, 0.75f, 0.35f, 1)
                                                : ImVec4(0.6f, 0.9f, 0.55f, 1);
}

class DatasetView : public View {
 public:
  const char* title() const override { return "Dataset"; }

  void draw(AppContext& ctx) override {
    if (!ctx.dataset_error().empty()) {
      error_text("Error: " + ctx.dataset_error());
      ctx.track("dataset-error");
      ImGui::Separator();
    }
    const LoadedDataset* d = ctx.dataset();
    if (!d) {
      empty_state("Pick a dataset on the left, or load a CSV file from disk (or drop it on the page).");
      return;
    }
    const auto& t = d->table;
    ImGui::Text("%s", d->name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("(%s, %zu rows x %zu columns)", d->uri.c_str(), t.num_rows(), t.num_columns());
    draw_preview(*d);
  }

 private:
  static void draw_preview(const LoadedDataset& d) {
    const auto& t = d.table;
    const int ncols = int(std::min<size_t>(t.num_columns(), 64));
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX |
                            ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    if (ncols == 0 || !ImGui::BeginTable("##preview", ncols, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 2);
    for (int c = 0; c < ncols; ++c) ImGui::TableSetupColumn(t.column(size_t(c)).name.c_str());
    ImGui::TableHeadersRow();
    ImGui::TableNextRow();
    for (int c = 0; c < ncols; ++c) {
      ImGui::TableSetColumnIndex(c);
      const auto& col = t.column(size_t(c));
      if (col.name == d.target) ImGui::TextColored(type_color(col.type), "%s (target)", data::column_type_name(col.type));
      else ImGui::TextColored(type_color(col.type), "%s", data::column_type_name(col.type));
      if (size_t m = col.missing_count()) {
        ImGui::SameLine();
        ImGui::TextDisabled("%zu missing", m);
      }
    }
    ImGuiListClipper clipper;
    clipper.Begin(int(t.num_rows()));
    while (clipper.Step()) {
      for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
        ImGui::TableNextRow();
        for (int c = 0; c < ncols; ++c) {
          ImGui::TableSetColumnIndex(c);
          const auto& col = t.column(size_t(c));
          if (col.is_missing(size_t(r))) {
            ImGui::TextDisabled("NA");
          } else {
            std::string v = col.value_string(size_t(r));
            if (v.size() > 60) v = v.substr(0, 57) + "...";
            ImGui::TextUnformatted(v.c_str());
          }
        }
      }
    }
    ImGui::EndTable();
  }
};

}  // namespace

std::unique_ptr<View> make_dataset_view() { return std::make_unique<DatasetView>(); }

}  // namespace mllab::app

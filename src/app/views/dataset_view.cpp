// The selected dataset: a virtualized preview of its rows (only the visible rows are drawn, so
// 100,000 rows scroll smoothly), its inferred schema (change a column's type: a set_type step
// deriving a new version; pick the target) and a per-column profile with a histogram or a bar
// chart of the top values.
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app/charts/charts.hpp"
#include "app/ui.hpp"
#include "app/views/dataset_derive.hpp"
#include "app/views/factories.hpp"
#include "core/datasets/profile.hpp"

namespace mllab::app {
namespace {

ImVec4 type_color(data::ColumnType t) {
  return t == data::ColumnType::kNumeric ? ImVec4(0.45f, 0.75f, 1, 1)
         : t == data::ColumnType::kCategorical ? ImVec4(0.95f, 0.75f, 0.35f, 1)
                                                : ImVec4(0.6f, 0.9f, 0.55f, 1);
}

// Disabled-coloured text, wrapped to the window.
void hint(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

const data::ColumnType kTypes[] = {data::ColumnType::kNumeric, data::ColumnType::kCategorical, data::ColumnType::kText};

std::string fmt(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_number_float()) {
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v.get<double>());
    return b;
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

class DatasetView : public View {
 public:
  const char* title() const override { return "Dataset"; }

  void describe(json& ui) const override {
    ui["data_view"] = {{"tab", tab_},
                       {"preview_first_row", first_row_},
                       {"preview_visible_rows", visible_rows_},
                       {"profile_column", profile_column_},
                       {"profile", selected_profile_},
                       {"histogram", {{"edges", hist_.edges}, {"counts", hist_.counts}}},
                       {"schema_error", schema_error_}};
  }

  void draw(AppContext& ctx) override {
    if (!ctx.dataset_error().empty()) {
      error_text("Error: " + ctx.dataset_error());
      ctx.track("dataset-error");
      ImGui::Separator();
    }
    LoadedDataset* d = ctx.dataset();
    if (!d) {
      empty_state("Pick a dataset on the left, or load a CSV file from disk (or drop it on the page).");
      tab_.clear();
      return;
    }
    const auto& t = d->table;
    ImGui::Text("%s", d->name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("(%s, %zu rows x %zu columns, target: %s)", d->uri.c_str(), t.num_rows(), t.num_columns(),
                        d->target.empty() ? "none" : d->target.c_str());
    if (ImGui::BeginTabBar("##dataset-tabs")) {
      if (ImGui::BeginTabItem("Preview")) {
        tab_ = "Preview";
        ImGui::EndTabItem();
      }
      ctx.track("dtab:Preview");
      if (ImGui::BeginTabItem("Schema")) {
        tab_ = "Schema";
        ImGui::EndTabItem();
      }
      ctx.track("dtab:Schema");
      if (ImGui::BeginTabItem("Profile")) {
        tab_ = "Profile";
        ImGui::EndTabItem();
      }
      ctx.track("dtab:Profile");
      ImGui::EndTabBar();
    }
    if (tab_ == "Schema") draw_schema(ctx, *d);
    else if (tab_ == "Profile") draw_profile(ctx, *d);
    else draw_preview(ctx, *d);
  }

 private:
  void draw_preview(AppContext& ctx, const LoadedDataset& d) {
    const auto& t = d.table;
    const int ncols = int(std::min<size_t>(t.num_columns(), 63));
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX |
                            ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    if (ncols == 0 || !ImGui::BeginTable("##preview", ncols + 1, flags)) return;
    ImGui::TableSetupScrollFreeze(1, 2);
    ImGui::TableSetupColumn("#");
    for (int c = 0; c < ncols; ++c) ImGui::TableSetupColumn(t.column(size_t(c)).name.c_str());
    ImGui::TableHeadersRow();
    ImGui::TableNextRow();
    for (int c = 0; c < ncols; ++c) {
      ImGui::TableSetColumnIndex(c + 1);
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
    int first = -1, last = 0;
    while (clipper.Step()) {
      for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextDisabled("%d", r + 1);
        // The clipper's first step measures one row; count the rows actually in view.
        if (r > 0 || clipper.DisplayEnd > 1) {
          if (first < 0 || r < first) first = r;
          last = std::max(last, r + 1);
        }
        for (int c = 0; c < ncols; ++c) {
          ImGui::TableSetColumnIndex(c + 1);
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
    ctx.track("preview");
    first_row_ = std::max(first, 0);
    visible_rows_ = last - first_row_;
  }

  void draw_schema(AppContext& ctx, LoadedDataset& d) {
    hint("Changing a type derives a new version (a set_type step). The target is what Train predicts.");
    if (!schema_error_.empty()) {
      error_text(schema_error_);
      ctx.track("schema-error");
    }
    json step;
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                            ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("##schema", 5, flags)) {
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("target");
      ImGui::TableSetupColumn("column");
      ImGui::TableSetupColumn("type", ImGuiTableColumnFlags_WidthFixed, 150);
      ImGui::TableSetupColumn("missing");
      ImGui::TableSetupColumn("example");
      ImGui::TableHeadersRow();
      for (const auto& c : d.table.columns()) {
        ImGui::PushID(c.name.c_str());
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (ImGui::RadioButton("##target", c.name == d.target)) d.target = c.name;
        ctx.track("schema-target:" + c.name);
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(c.name.c_str());
        ImGui::TableSetColumnIndex(2);
        ImGui::SetNextItemWidth(140);
        if (ImGui::BeginCombo("##type", data::column_type_name(c.type))) {
          for (auto ty : kTypes) {
            if (ImGui::Selectable(data::column_type_name(ty), ty == c.type) && ty != c.type) {
              step = {{"op", "set_type"}, {"column", c.name}, {"type", data::column_type_name(ty)}};
            }
            ctx.track("schema-type:" + c.name + ":" + data::column_type_name(ty));
          }
          ImGui::EndCombo();
        }
        ctx.track("schema-type:" + c.name);
        ImGui::TableSetColumnIndex(3);
        ImGui::Text("%zu", c.missing_count());
        ImGui::TableSetColumnIndex(4);
        for (size_t r = 0; r < c.size(); ++r) {
          if (c.is_missing(r)) continue;
          std::string v = c.value_string(r);
          if (v.size() > 40) v = v.substr(0, 37) + "...";
          ImGui::TextDisabled("%s", v.c_str());
          break;
        }
        ImGui::PopID();
      }
      ImGui::EndTable();
    }
    if (!step.is_null()) {
      auto r = derive_selected(ctx, json::array({step}), "");
      schema_error_ = r ? "" : r.status().message();
      if (!r) ctx.report_error(r.status().message());
    }
  }

  void draw_profile(AppContext& ctx, const LoadedDataset& d) {
    // The profile of what is shown (a stored version's types included), computed once per table.
    if (profile_uri_ != d.uri || profile_rows_ != d.table.num_rows() || profile_cols_ != d.table.num_columns() ||
        profile_rev_ != ctx.revision()) {
      profile_ = datasets::profile_table(d.table);
      profile_uri_ = d.uri;
      profile_rows_ = d.table.num_rows();
      profile_cols_ = d.table.num_columns();
      profile_rev_ = ctx.revision();
      hist_column_.clear();
    }
    if (!d.table.column(profile_column_) && d.table.num_columns() > 0) profile_column_ = d.table.column(0).name;
    ImGui::BeginChild("##profile-cols", ImVec2(220, 0), true);
    for (const auto& c : profile_["columns"]) {
      const std::string name = c["name"];
      const std::string type = c["type"];
      auto parsed = data::parse_column_type(type);
      ImGui::TextColored(type_color(parsed ? *parsed : data::ColumnType::kText), "%s", type.substr(0, 3).c_str());
      ImGui::SameLine(44);
      std::string label = name + "##p";
      if (ImGui::Selectable(label.c_str(), name == profile_column_)) profile_column_ = name;
      ctx.track("profile-col:" + name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%s)", name.c_str(), type.c_str());
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##profile-detail", ImVec2(0, 0), false);
    selected_profile_ = nullptr;
    for (const auto& c : profile_["columns"]) {
      if (c["name"] == profile_column_) selected_profile_ = c;
    }
    if (selected_profile_.is_null()) {
      empty_state("This dataset has no columns.");
      ImGui::EndChild();
      return;
    }
    const json& p = selected_profile_;
    ImGui::Text("%s", profile_column_.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("(%s)", p["type"].get<std::string>().c_str());
    if (ImGui::BeginTable("##stats", 2, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
      auto row = [](const char* k, const std::string& v) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextDisabled("%s", k);
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(v.c_str());
      };
      row("count", fmt(p["count"]));
      row("missing", fmt(p["missing"]));
      row("unique", fmt(p["unique"]));
      if (p.contains("mean")) {
        for (const char* k : {"mean", "std", "min", "max"}) row(k, fmt(p[k]));
      }
      ImGui::EndTable();
    }
    ctx.track("profile-stats");
    const data::Column* col = d.table.column(profile_column_);
    if (col && col->type == data::ColumnType::kNumeric) {
      if (hist_column_ != profile_column_) {
        hist_ = datasets::numeric_histogram(*col, 20);
        hist_column_ = profile_column_;
      }
      if (hist_.counts.empty()) {
        empty_state("No values to draw: every value is missing.");
      } else {
        charts::histogram_chart("##hist", hist_.edges, {{profile_column_, {}, hist_.counts}},
                                {profile_column_, "rows"}, {0, 260});
        ctx.track("profile-chart");
      }
    } else if (p.contains("top")) {
      hist_ = {};
      hist_column_.clear();
      std::vector<std::string> labels;
      std::vector<double> values;
      for (const auto& tv : p["top"]) {
        labels.push_back(tv["value"]);
        values.push_back(tv["count"].get<double>());
      }
      ImGui::TextDisabled("Top %zu values", labels.size());
      if (!labels.empty()) {
        charts::bar_chart("##top", labels, values, {"", "rows"}, {0, 60.0f + 24.0f * float(labels.size())}, true);
        ctx.track("profile-chart");
      }
    }
    ImGui::EndChild();
  }

  std::string tab_;
  int first_row_ = 0, visible_rows_ = 0;
  std::string schema_error_;
  json profile_;
  std::string profile_uri_;
  size_t profile_rows_ = 0, profile_cols_ = 0;
  uint64_t profile_rev_ = ~uint64_t{0};
  std::string profile_column_;
  json selected_profile_;
  datasets::Histogram hist_;
  std::string hist_column_;
};

}  // namespace

std::unique_ptr<View> make_dataset_view() { return std::make_unique<DatasetView>(); }

}  // namespace mllab::app

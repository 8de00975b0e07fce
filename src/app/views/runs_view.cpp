// The Runs table: a virtualized table (ImGuiListClipper: only the visible rows are drawn, so
// 10,000 runs scroll smoothly) with MLflow's filter syntax (`/` focuses the box, the parse error
// shows under it), sort by any column (click its header), a column chooser (every metric, param
// and tag; by default the fixed columns, the metrics and the params that vary among the shown
// runs), group by experiment, nested runs (folds, search candidates) collapsible under their
// parent, multi-select (Ctrl+click, Shift+click) -> Compare, delete / restore ("Show deleted")
// and rename. What to show and in which order is decided in core (tracking/run_table).
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/tracking/run_table.hpp"

namespace mllab::app {
namespace {

using tracking::RunColumn;
using tracking::TableRow;

// ImGui 1.86 tables hold at most 64 columns.
constexpr size_t kMaxColumns = 64;

class RunsView : public View {
 public:
  const char* title() const override { return "Runs"; }

  void describe(nlohmann::json& ui) const override {
    ui["runs_order"] = order_ids_;
    json rows = json::array();
    for (const auto& r : row_ids_) rows.push_back(r);
    ui["runs_rows"] = rows;
    ui["runs_count"] = shown_count_;
    ui["runs_filter"] = filter_;
    ui["runs_filter_error"] = filter_error_;
    json cols = json::array();
    for (const auto& c : cols_) cols.push_back(tracking::column_ident(c));
    ui["runs_columns"] = cols;
    ui["runs_selected"] = selected_order();
    ui["runs_sort"] = {{"column", tracking::column_ident(sort_)}, {"ascending", sort_asc_}};
    ui["runs_group_by_experiment"] = group_;
    ui["runs_show_deleted"] = show_deleted_;
    ui["runs_filter_focused"] = filter_active_;
    ui["runs_rename_open"] = rename_open_;
  }

  void update(AppContext& ctx) override {
    // `/` focuses the filter (when no text field has the keyboard), from any workspace.
    ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput || ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel)) return;
    for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
      if (io.InputQueueCharacters[i] != '/') continue;
      io.InputQueueCharacters.erase(io.InputQueueCharacters.Data + i);  // not typed into the box
      focus_filter_ = 4;
      if (ctx.workspace() != Workspace::kRuns) ctx.go_to(Workspace::kRuns);
      break;
    }
  }

  void draw(AppContext& ctx) override {
    load(ctx);
    draw_toolbar(ctx);
    if (all_.empty()) {
      empty_state("No runs yet - pick a dataset in Data, build a pipeline in Train and press Train.");
      return;
    }
    if (rows_.empty()) {
      empty_state(filter_error_.empty() ? "No run matches the filter (or the chosen experiment): change or clear the filter."
                                        : "Fix the filter above to see runs.");
      return;
    }
    draw_table(ctx);
    draw_rename_popup(ctx);
  }

 private:
  // ---- data ----
  void load(AppContext& ctx) {
    const uint64_t rev = ctx.revision();
    if (rev != loaded_rev_) {
      loaded_rev_ = rev;
      all_ = ctx.lab().tracking().list_runs({}, tracking::ViewType::kAll);
      exp_names_.clear();
      for (const auto& e : ctx.lab().tracking().list_experiments(tracking::ViewType::kAll)) exp_names_[e.experiment_id] = e.name;
      std::vector<const tracking::Run*> ptrs;
      for (const auto& r : all_) ptrs.push_back(&r);
      keys_ = tracking::column_keys(ptrs);
      dirty_ = true;
    }
    if (ctx.selection.experiment_id != experiment_id_) {
      experiment_id_ = ctx.selection.experiment_id;
      dirty_ = true;
      scroll_top_ = true;
    }
    if (!dirty_) return;
    dirty_ = false;
    tracking::RunFilter f{filter_, experiment_id_, show_deleted_};
    auto shown = tracking::filter_runs(all_, f);
    if (!shown) {
      // The error sits under the box; no rows until the filter parses.
      filter_error_ = shown.status().message();
      shown_count_ = 0;
      sorted_.clear();
      rows_.clear();
      order_ids_.clear();
      row_ids_.clear();
      return;
    }
    filter_error_.clear();
    shown_count_ = shown->size();
    cols_ = chosen_ ? *chosen_ : tracking::default_columns(*shown);
    if (cols_.size() > kMaxColumns) cols_.resize(kMaxColumns);
    sorted_ = tracking::sort_runs(std::move(shown).value(), sort_, sort_asc_, exp_names_);
    order_ids_.clear();
    for (const auto* r : sorted_) order_ids_.push_back(r->run_id);
    tracking::RowOptions o;
    o.group_by_experiment = group_;
    o.expanded_runs = expanded_;
    o.collapsed_experiments = collapsed_;
    rows_ = tracking::table_rows(sorted_, o, exp_names_);
    row_ids_.clear();
    for (const auto& r : rows_) row_ids_.push_back(r.kind == TableRow::Kind::kGroup ? "experiment:" + r.experiment_id : r.run->run_id);
    // Selections of runs no longer shown are dropped.
    std::set<std::string> present(order_ids_.begin(), order_ids_.end());
    for (auto it = selected_.begin(); it != selected_.end();) it = present.count(*it) ? std::next(it) : selected_.erase(it);
  }

  std::vector<std::string> selected_order() const {
    std::vector<std::string> out;
    for (const auto& id : order_ids_) {
      if (selected_.count(id)) out.push_back(id);
    }
    return out;
  }

  const tracking::Run* find(const std::string& id) const {
    for (const auto* r : sorted_) {
      if (r->run_id == id) return r;
    }
    return nullptr;
  }

  // ---- toolbar: filter, options, actions ----
  void draw_toolbar(AppContext& ctx) {
    ImGui::SetNextItemWidth(-FLT_MIN);
    // Asked for a few frames, until the box is active (a workspace switch in the same frame may
    // move the window focus after us).
    const bool want_focus = focus_filter_ > 0;
    if (want_focus) {
      ImGui::SetWindowFocus();
      ImGui::SetKeyboardFocusHere();
    }
    char buf[1024];
    std::snprintf(buf, sizeof buf, "%s", filter_.c_str());
    if (ImGui::InputTextWithHint("##runs-filter", "Filter (press /): metrics.accuracy > 0.5 and params.model__n_estimators = '100'",
                                 buf, sizeof buf)) {
      filter_ = buf;
      dirty_ = true;
      scroll_top_ = true;
    }
    filter_active_ = ImGui::IsItemActive();
    if (filter_active_) focus_filter_ = 0;
    else if (want_focus) --focus_filter_;
    ctx.track("runs-filter");
    if (!filter_error_.empty()) {
      error_text(filter_error_);
      ctx.track("runs-filter-error");
    } else {
      size_t nested = 0;
      for (const auto* r : sorted_) nested += r->tags.count(tracking::kParentRunIdTag);
      ImGui::TextDisabled("%zu run%s shown (%zu nested) of %zu stored%s", shown_count_, shown_count_ == 1 ? "" : "s", nested,
                          all_.size(), experiment_id_.empty() ? "" : ", in the chosen experiment");
    }

    if (ImGui::Button("Columns...")) ImGui::OpenPopup("runs-columns");
    ctx.track("runs-columns");
    draw_column_chooser(ctx);
    ImGui::SameLine();
    if (ImGui::Checkbox("Group by experiment", &group_)) dirty_ = true;
    ctx.track("runs-group");
    ImGui::SameLine();
    if (ImGui::Checkbox("Show deleted", &show_deleted_)) dirty_ = true;
    ctx.track("runs-show-deleted");

    const auto sel = selected_order();
    const bool can_compare = sel.size() >= 2 && sel.size() <= 20;
    ImGui::BeginDisabled(!can_compare);
    std::string compare = "Compare (" + std::to_string(sel.size()) + ")";
    if (ImGui::Button(compare.c_str())) {
      ctx.selection.compare = sel;
      ctx.go_to(Workspace::kCompare);
    }
    ImGui::EndDisabled();
    ctx.track("runs-compare");
    if (!can_compare && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("Select 2 to 20 runs (Ctrl+click, Shift+click) to compare them");
    }
    const tracking::Run* one = sel.size() == 1 ? find(sel[0]) : nullptr;
    ImGui::SameLine();
    ImGui::BeginDisabled(!one);
    if (ImGui::Button("Rename...") && one) open_rename(*one);
    ImGui::EndDisabled();
    ctx.track("runs-rename");
    bool any_active = false, any_deleted = false;
    for (const auto& id : sel) {
      if (const auto* r = find(id)) (r->lifecycle_stage == "deleted" ? any_deleted : any_active) = true;
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!any_active);
    if (ImGui::Button("Delete")) set_deleted(ctx, sel, true);
    ImGui::EndDisabled();
    ctx.track("runs-delete");
    ImGui::SameLine();
    ImGui::BeginDisabled(!any_deleted);
    if (ImGui::Button("Restore")) set_deleted(ctx, sel, false);
    ImGui::EndDisabled();
    ctx.track("runs-restore");
  }

  void set_deleted(AppContext& ctx, const std::vector<std::string>& ids, bool deleted) {
    for (const auto& id : ids) {
      const auto* r = find(id);
      if (!r || (r->lifecycle_stage == "deleted") == deleted) continue;
      Status st = deleted ? ctx.lab().tracking().delete_run(id) : ctx.lab().tracking().restore_run(id);
      if (!st.is_ok()) ctx.report_error((deleted ? "Deleting run '" : "Restoring run '") + r->run_name + "': " + st.message());
    }
    // Without "Show deleted", deleted runs leave the table (and the selection).
  }

  void draw_column_chooser(AppContext& ctx) {
    if (!ImGui::BeginPopup("runs-columns")) return;
    chooser_open_ = true;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
    ImGui::TextDisabled("Columns shown (%zu); at most %zu", cols_.size(), kMaxColumns);
    if (ImGui::Button("Default columns")) {
      chosen_.reset();
      dirty_ = true;
    }
    ctx.track("runs-columns-default");
    ImGui::SameLine();
    ImGui::TextDisabled(chosen_ ? "(chosen by hand)" : "(default: the metrics and the params that vary)");
    auto toggle = [&](const RunColumn& c) {
      bool on = std::find(cols_.begin(), cols_.end(), c) != cols_.end();
      std::string label = tracking::column_label(c) + "##" + tracking::column_ident(c);
      if (ImGui::Checkbox(label.c_str(), &on)) {
        std::vector<RunColumn> next = cols_;
        if (on && next.size() < kMaxColumns) next.push_back(c);
        if (!on) next.erase(std::remove(next.begin(), next.end(), c), next.end());
        chosen_ = next;
        dirty_ = true;
      }
      ctx.track("runs-column:" + tracking::column_ident(c));
    };
    ImGui::BeginChild("##cols", ImVec2(420, ImGui::GetIO().DisplaySize.y * 0.75f), false);
    section("Attributes");
    for (const auto& c : tracking::fixed_columns()) toggle(c);
    toggle({RunColumn::Kind::kAttribute, "experiment"});
    section("Metrics");
    for (const auto& k : keys_.metrics) toggle({RunColumn::Kind::kMetric, k});
    section("Params");
    for (const auto& k : keys_.params) toggle({RunColumn::Kind::kParam, k});
    section("Tags");
    for (const auto& k : keys_.tags) toggle({RunColumn::Kind::kTag, k});
    ImGui::EndChild();
    ImGui::EndPopup();
  }

  // ---- the table ----
  void draw_table(AppContext& ctx) {
    const int ncols = int(cols_.size());
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_Sortable |
                            ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit |
                            ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##runs", ncols, flags)) return;
    if (scroll_top_) {
      // Another filter, sort or experiment: back to the first row.
      ImGui::SetScrollY(0);
      scroll_top_ = false;
    }
    ImGui::TableSetupScrollFreeze(1, 1);
    auto width = [](const std::string& s, float min) { return std::max(min, ImGui::CalcTextSize(s.c_str()).x + 24); };
    for (const auto& c : cols_) {
      ImGuiTableColumnFlags cf = ImGuiTableColumnFlags_WidthFixed;
      if (c == sort_) cf |= ImGuiTableColumnFlags_DefaultSort | (sort_asc_ ? ImGuiTableColumnFlags_PreferSortAscending : ImGuiTableColumnFlags_PreferSortDescending);
      else if (tracking::prefers_descending(c)) cf |= ImGuiTableColumnFlags_PreferSortDescending;
      const std::string label = tracking::column_label(c);
      float w = c.key == "run_name" && c.kind == RunColumn::Kind::kAttribute ? 150
                : c.key == "start_time" && c.kind == RunColumn::Kind::kAttribute ? width("2026-01-01 00:00:00", 0)
                : c.key == "status" && c.kind == RunColumn::Kind::kAttribute ? width("SCHEDULED", 0)
                                                                              : width(label, 64);
      ImGui::TableSetupColumn(label.c_str(), cf, w);
    }
    // Headers drawn one by one so tests can find (and click) each.
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int c = 0; c < ncols; ++c) {
      ImGui::TableSetColumnIndex(c);
      const char* name = ImGui::TableGetColumnName(c);
      ImGui::TableHeader(name);
      ctx.track(std::string("runs-header:") + name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (click to sort)", tracking::column_ident(cols_[size_t(c)]).c_str());
    }
    ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
    if (specs && specs->SpecsDirty) {
      specs->SpecsDirty = false;
      if (specs->SpecsCount > 0 && size_t(specs->Specs[0].ColumnIndex) < cols_.size()) {
        RunColumn by = cols_[specs->Specs[0].ColumnIndex];
        bool asc = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        if (!(by == sort_) || asc != sort_asc_) {
          sort_ = by;
          sort_asc_ = asc;
          dirty_ = true;  // re-sorted next frame
          scroll_top_ = true;
        }
      }
    }

    ImGuiListClipper clipper;
    clipper.Begin(int(rows_.size()));
    const ImGuiIO& io = ImGui::GetIO();
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const TableRow& row = rows_[size_t(i)];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (row.kind == TableRow::Kind::kGroup) {
          ImGui::PushID(("exp:" + row.experiment_id).c_str());
          ImGui::SetNextItemOpen(row.expanded);
          std::string label = row.label + "  (" + std::to_string(row.children) + " run" + (row.children == 1 ? "" : "s") + ")";
          ImGui::TreeNodeEx(label.c_str(), ImGuiTreeNodeFlags_NoTreePushOnOpen | ImGuiTreeNodeFlags_SpanFullWidth);
          if (ImGui::IsItemToggledOpen()) {
            if (row.expanded) collapsed_.insert(row.experiment_id);
            else collapsed_.erase(row.experiment_id);
            dirty_ = true;
          }
          ctx.track("runs-group:" + row.label);
          ImGui::PopID();
          ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, ImGui::GetColorU32(ImGuiCol_TableHeaderBg));
          continue;
        }
        const tracking::Run& r = *row.run;
        const bool sel = selected_.count(r.run_id) > 0;
        if (sel) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ImGui::GetColorU32(ImGuiCol_Header));
        const bool deleted = r.lifecycle_stage == "deleted";
        if (deleted) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, ImGui::GetStyle().Alpha * 0.5f);
        ImGui::PushID(r.run_id.c_str());
        const float indent = float(row.depth) * ImGui::GetStyle().IndentSpacing;
        if (indent > 0) ImGui::Indent(indent);
        ImGuiTreeNodeFlags tf = ImGuiTreeNodeFlags_SpanFullWidth | ImGuiTreeNodeFlags_NoTreePushOnOpen;
        std::string label = r.run_name;
        if (deleted) label += "  (deleted)";
        if (row.children > 0) {
          label += "  (" + std::to_string(row.children) + " nested)";
          tf |= ImGuiTreeNodeFlags_OpenOnArrow;
          ImGui::SetNextItemOpen(row.expanded);
        } else {
          tf |= ImGuiTreeNodeFlags_Leaf;
        }
        ImGui::TreeNodeEx(label.c_str(), tf);
        const bool toggled = ImGui::IsItemToggledOpen();
        if (toggled) {
          if (row.expanded) expanded_.erase(r.run_id);
          else expanded_.insert(r.run_id);
          dirty_ = true;
        } else if (ImGui::IsItemClicked()) {
          click_row(ctx, i, io.KeyCtrl || io.KeySuper, io.KeyShift);
        }
        if (ImGui::BeginPopupContextItem("row-menu")) {
          if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
          if (!sel) {
            selected_ = {r.run_id};
            anchor_ = r.run_id;
          }
          if (ImGui::MenuItem("Rename...")) open_rename(r);
          if (ImGui::MenuItem(deleted ? "Restore" : "Delete")) set_deleted(ctx, {r.run_id}, !deleted);
          ImGui::EndPopup();
        }
        ctx.track("run:" + r.run_name);
        if (indent > 0) ImGui::Unindent(indent);
        ImGui::PopID();
        for (int c = 1; c < int(cols_.size()); ++c) {
          ImGui::TableSetColumnIndex(c);
          const RunColumn& col = cols_[size_t(c)];
          std::string text = tracking::cell_text(r, col, exp_names_);
          if (col.kind == RunColumn::Kind::kAttribute && col.key == "status") {
            ImVec4 color = r.status == tracking::RunStatus::kFinished  ? ImVec4(0.5f, 0.9f, 0.5f, 1)
                           : r.status == tracking::RunStatus::kRunning ? ImVec4(0.5f, 0.7f, 1, 1)
                                                                       : ImVec4(1, 0.45f, 0.45f, 1);
            ImGui::TextColored(color, "%s", text.c_str());
          } else if (text.empty()) {
            ImGui::TextDisabled("-");
          } else {
            ImGui::TextUnformatted(text.c_str());
          }
        }
        if (deleted) ImGui::PopStyleVar();
      }
    }
    ImGui::EndTable();
  }

  // A click on row i: plain selects it (and shows it in Run detail), Ctrl toggles it, Shift
  // selects the range from the last clicked row.
  void click_row(AppContext& ctx, int i, bool ctrl, bool shift) {
    const std::string& id = rows_[size_t(i)].run->run_id;
    if (shift && !anchor_.empty()) {
      int a = -1;
      for (int k = 0; k < int(rows_.size()); ++k) {
        if (rows_[size_t(k)].run && rows_[size_t(k)].run->run_id == anchor_) a = k;
      }
      if (a >= 0) {
        if (!ctrl) selected_.clear();
        for (int k = std::min(a, i); k <= std::max(a, i); ++k) {
          if (rows_[size_t(k)].run) selected_.insert(rows_[size_t(k)].run->run_id);
        }
        return;
      }
    }
    if (ctrl) {
      if (!selected_.erase(id)) selected_.insert(id);
    } else {
      selected_ = {id};
      ctx.selection.run_id = id;
    }
    anchor_ = id;
  }

  // ---- rename ----
  void open_rename(const tracking::Run& r) {
    rename_id_ = r.run_id;
    std::snprintf(rename_buf_, sizeof rename_buf_, "%s", r.run_name.c_str());
    rename_error_.clear();
    want_rename_ = true;
  }

  void draw_rename_popup(AppContext& ctx) {
    if (want_rename_) {
      ImGui::OpenPopup("Rename run");
      want_rename_ = false;
    }
    rename_open_ = false;
    if (!ImGui::BeginPopupModal("Rename run", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    rename_open_ = true;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
    ImGui::TextUnformatted("New name (Enter saves, Esc cancels):");
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(360);
    const bool enter = ImGui::InputText("##rename", rename_buf_, sizeof rename_buf_, ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.track("runs-rename-input");
    if (!rename_error_.empty()) error_text(rename_error_);
    const bool save = ImGui::Button("Save");
    ctx.track("runs-rename-save");
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    if (enter || save) {
      Status st = ctx.lab().tracking().rename_run(rename_id_, rename_buf_);
      if (st.is_ok()) ImGui::CloseCurrentPopup();
      else rename_error_ = st.message();
    }
    ImGui::EndPopup();
  }

  // Loaded
  uint64_t loaded_rev_ = ~uint64_t(0);
  std::vector<tracking::Run> all_;
  std::map<std::string, std::string> exp_names_;
  tracking::ColumnKeys keys_;
  // Options
  std::string filter_;
  std::string experiment_id_;
  bool show_deleted_ = false;
  bool group_ = false;
  RunColumn sort_{RunColumn::Kind::kAttribute, "start_time"};
  bool sort_asc_ = false;
  std::optional<std::vector<RunColumn>> chosen_;
  std::set<std::string> expanded_, collapsed_;
  bool dirty_ = true;
  int focus_filter_ = 0;  // frames left to ask for the filter box's focus
  bool scroll_top_ = false;
  bool filter_active_ = false;
  bool chooser_open_ = false;
  // Derived (recomputed when dirty)
  std::string filter_error_;
  size_t shown_count_ = 0;
  std::vector<RunColumn> cols_;
  std::vector<const tracking::Run*> sorted_;
  std::vector<TableRow> rows_;
  std::vector<std::string> order_ids_, row_ids_;
  // Selection
  std::set<std::string> selected_;
  std::string anchor_;
  // Rename
  bool want_rename_ = false, rename_open_ = false;
  std::string rename_id_, rename_error_;
  char rename_buf_[512] = {};
};

}  // namespace

std::unique_ptr<View> make_runs_view() { return std::make_unique<RunsView>(); }

}  // namespace mllab::app

// The Runs table: every run with name, status, start time, duration, metrics and params; click
// a header to sort (metrics included), click a row to select the run; nested runs (folds, search
// candidates) sit under their parent.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

std::string start_text(int64_t ms) {
  std::time_t t = std::time_t(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

double duration_s(const tracking::Run& r) { return r.end_time ? double(*r.end_time - r.start_time) / 1000.0 : -1; }

class RunsView : public View {
 public:
  const char* title() const override { return "Runs"; }

  void describe(nlohmann::json& ui) const override {
    ui["runs_order"] = order_ids_;
  }

  void draw(AppContext& ctx) override {
    const auto& rows = ctx.runs();
    // The display order: reloaded (and re-sorted) only when the store changed.
    const bool reloaded = loaded_rev_ != ctx.revision() || order_.size() != rows.size();
    if (reloaded) {
      loaded_rev_ = ctx.revision();
      order_.clear();
      for (const auto& r : rows) order_.push_back(&r);
      order_ids_.clear();
      for (const auto& r : rows) order_ids_.push_back(r.run_id);
    }
    // Columns: fixed ones, then every metric key, then the params that vary across runs.
    std::set<std::string> metric_keys;
    for (const auto& r : rows) {
      for (const auto& [k, m] : r.metrics) metric_keys.insert(k);
    }
    std::vector<std::string> metrics(metric_keys.begin(), metric_keys.end());
    // Put the headline metrics first.
    for (const char* first : {"f1_score", "accuracy"}) {
      auto it = std::find(metrics.begin(), metrics.end(), first);
      if (it != metrics.end()) { metrics.erase(it); metrics.insert(metrics.begin(), first); }
    }
    std::vector<std::string> params = {"dataset", "model__C", "model__max_iter", "test_size", "random_state"};

    size_t nested = 0;
    for (const auto& r : rows) nested += r.tags.count(tracking::kParentRunIdTag);
    ImGui::Text("%zu run%s", rows.size() - nested, rows.size() - nested == 1 ? "" : "s");
    if (nested) {
      ImGui::SameLine();
      ImGui::TextDisabled("+ %zu nested", nested);
    }
    ImGui::SameLine();
    ImGui::TextDisabled("(stored in %s; click a header to sort)", ctx.lab().store().describe().c_str());
    // Columns: the fixed ones, every metric, then the main params.
    const int fixed = 4;
    const int first_param = fixed + int(metrics.size());
    const int ncols = first_param + int(params.size());
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_Sortable |
                            ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit |
                            ImGuiTableFlags_Resizable;
    if (ncols <= 64 && ImGui::BeginTable("##runs", ncols, flags)) {
      ImGui::TableSetupScrollFreeze(1, 1);
      // Wide enough for the header text and the sort arrow.
      auto width = [](const std::string& s, float min) { return std::max(min, ImGui::CalcTextSize(s.c_str()).x + 24); };
      ImGui::TableSetupColumn("Run name", ImGuiTableColumnFlags_WidthFixed, 240);
      ImGui::TableSetupColumn("Status", ImGuiTableColumnFlags_WidthFixed, width("FINISHED", 0));
      ImGui::TableSetupColumn("Start time", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultSort |
                              ImGuiTableColumnFlags_PreferSortDescending, width("2026-01-01 00:00:00", 0));
      ImGui::TableSetupColumn("Duration", ImGuiTableColumnFlags_WidthFixed, width("Duration", 0));
      for (const auto& m : metrics) {
        ImGui::TableSetupColumn(m.c_str(), ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending, width(m, 60));
      }
      for (const auto& p : params) ImGui::TableSetupColumn(p.c_str(), ImGuiTableColumnFlags_WidthFixed, width(p, 60));
      // Headers drawn one by one so tests can find (and click) each.
      ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
      for (int c = 0; c < ncols; ++c) {
        ImGui::TableSetColumnIndex(c);
        const char* name = ImGui::TableGetColumnName(c);
        ImGui::TableHeader(name);
        ctx.track(std::string("runs-header:") + name);
      }

      // Sort when the user changes the order or the list was reloaded, not every frame.
      ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
      if (specs && specs->SpecsCount > 0 && (specs->SpecsDirty || reloaded)) {
        specs->SpecsDirty = false;
        const auto& s = specs->Specs[0];
        int col = s.ColumnIndex;
        bool asc = s.SortDirection == ImGuiSortDirection_Ascending;
        auto key = [&](const tracking::Run& r) -> std::pair<double, std::string> {
          if (col == 0) return {0, r.run_name};
          if (col == 1) return {0, tracking::run_status_name(r.status)};
          if (col == 2) return {double(r.start_time), ""};
          if (col == 3) return {duration_s(r), ""};
          if (col < first_param) {
            auto it = r.metrics.find(metrics[size_t(col - fixed)]);
            return {it == r.metrics.end() ? -1e300 : it->second.value, ""};
          }
          auto it = r.params.find(params[size_t(col - first_param)]);
          return {0, it == r.params.end() ? "" : it->second};
        };
        std::stable_sort(order_.begin(), order_.end(), [&](const tracking::Run* a, const tracking::Run* b) {
          return asc ? key(*a) < key(*b) : key(*b) < key(*a);
        });
        order_ids_.clear();
        for (const tracking::Run* r : order_) order_ids_.push_back(r->run_id);
      }

      // Nested runs (folds, search candidates) sit under their parent, as in MLflow's UI: a parent
      // is a tree node, closed by default; its children keep their start order.
      std::map<std::string, std::vector<const tracking::Run*>> children;
      std::set<std::string> present;
      for (const auto& r : rows) present.insert(r.run_id);
      for (const auto& r : rows) {
        auto p = r.tags.find(tracking::kParentRunIdTag);
        if (p != r.tags.end() && present.count(p->second)) children[p->second].push_back(&r);
      }
      for (auto& [parent, list] : children) {
        std::sort(list.begin(), list.end(), [](const tracking::Run* a, const tracking::Run* b) { return a->start_time < b->start_time; });
      }
      auto draw_row = [&](const tracking::Run& r, bool child) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        const bool sel = r.run_id == ctx.selection.run_id;
        ImGui::PushID(r.run_id.c_str());
        auto kids = children.find(r.run_id);
        bool open = false;
        ImGuiTreeNodeFlags tf = ImGuiTreeNodeFlags_SpanFullWidth | (sel ? ImGuiTreeNodeFlags_Selected : 0);
        if (child || kids == children.end()) {
          ImGui::TreeNodeEx(r.run_name.c_str(), tf | ImGuiTreeNodeFlags_Leaf | ImGuiTreeNodeFlags_NoTreePushOnOpen);
        } else {
          std::string label = r.run_name + "  (" + std::to_string(kids->second.size()) + " nested)";
          open = ImGui::TreeNodeEx(label.c_str(), tf | ImGuiTreeNodeFlags_OpenOnArrow);
        }
        if (ImGui::IsItemClicked() && !ImGui::IsItemToggledOpen()) ctx.selection.run_id = r.run_id;
        ctx.track("run:" + r.run_name);
        ImGui::PopID();
        ImGui::TableSetColumnIndex(1);
        ImVec4 color = r.status == tracking::RunStatus::kFinished ? ImVec4(0.5f, 0.9f, 0.5f, 1)
                       : r.status == tracking::RunStatus::kRunning ? ImVec4(0.5f, 0.7f, 1, 1)
                                                                    : ImVec4(1, 0.45f, 0.45f, 1);
        ImGui::TextColored(color, "%s", tracking::run_status_name(r.status));
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(start_text(r.start_time).c_str());
        ImGui::TableSetColumnIndex(3);
        if (r.end_time) ImGui::Text("%.2f s", duration_s(r));
        else ImGui::TextDisabled("-");
        int c = fixed;
        for (const auto& m : metrics) {
          ImGui::TableSetColumnIndex(c++);
          auto it = r.metrics.find(m);
          if (it != r.metrics.end()) ImGui::Text("%.4f", it->second.value);
        }
        for (const auto& p : params) {
          ImGui::TableSetColumnIndex(c++);
          auto it = r.params.find(p);
          ImGui::TextUnformatted(it == r.params.end() ? "" : it->second.c_str());
        }
        return open;
      };
      for (const tracking::Run* rp : order_) {
        const tracking::Run& r = *rp;
        auto p = r.tags.find(tracking::kParentRunIdTag);
        if (p != r.tags.end() && present.count(p->second)) continue;  // drawn under its parent
        if (draw_row(r, false)) {
          for (const tracking::Run* c : children[r.run_id]) draw_row(*c, true);
          ImGui::TreePop();
        }
      }
      ImGui::EndTable();
    }
  }

 private:
  uint64_t loaded_rev_ = ~uint64_t(0);
  // Valid only inside draw(), right after ctx.runs(); order_ids_ keeps the order for describe().
  std::vector<const tracking::Run*> order_;
  std::vector<std::string> order_ids_;
};

}  // namespace

std::unique_ptr<View> make_runs_view() { return std::make_unique<RunsView>(); }

}  // namespace mllab::app

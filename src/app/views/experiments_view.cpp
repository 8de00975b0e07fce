// Experiments: the experiments with their run counts; create, rename, delete and restore ("Show
// deleted"); picking one (or "All") limits the Runs table (AppContext::selection.experiment_id).
#include <imgui.h>

#include <cstdio>
#include <map>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class ExperimentsView : public View {
 public:
  const char* title() const override { return "Experiments"; }

  void describe(nlohmann::json& ui) const override {
    json list = json::array();
    for (const auto& e : experiments_) {
      list.push_back({{"experiment_id", e.experiment_id}, {"name", e.name}, {"lifecycle_stage", e.lifecycle_stage},
                      {"runs", count(e.experiment_id)}});
    }
    ui["experiments"] = list;
    ui["experiments_show_deleted"] = show_deleted_;
    ui["experiment_error"] = error_;
  }

  void draw(AppContext& ctx) override {
    load(ctx);
    // The selection may name an experiment that is gone (deleted, or another tab's change).
    if (!ctx.selection.experiment_id.empty() && !find(ctx.selection.experiment_id)) ctx.selection.experiment_id.clear();

    ImGui::SetNextItemWidth(-FLT_MIN);
    const bool enter = ImGui::InputTextWithHint("##exp-new", "New experiment name", new_name_, sizeof new_name_,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.track("exp-new-name");
    if (ImGui::Button("Create") || enter) create(ctx);
    ctx.track("exp-create");
    ImGui::SameLine();
    if (ImGui::Checkbox("Show deleted", &show_deleted_)) loaded_rev_ = ~uint64_t(0);
    ctx.track("exp-show-deleted");
    if (!error_.empty()) error_text(error_);

    const tracking::Experiment* sel = find(ctx.selection.experiment_id);
    ImGui::BeginDisabled(!sel);
    if (ImGui::Button("Rename...") && sel) {
      rename_id_ = sel->experiment_id;
      std::snprintf(rename_buf_, sizeof rename_buf_, "%s", sel->name.c_str());
      rename_error_.clear();
      ImGui::OpenPopup("Rename experiment");
    }
    ctx.track("exp-rename");
    ImGui::SameLine();
    const bool deleted = sel && sel->lifecycle_stage == "deleted";
    ImGui::BeginDisabled(!sel || deleted || sel->experiment_id == "0");
    if (ImGui::Button("Delete") && sel) act(ctx, ctx.lab().tracking().delete_experiment(sel->experiment_id), "Deleting", *sel);
    ImGui::EndDisabled();
    ctx.track("exp-delete");
    if (sel && sel->experiment_id == "0" && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("The Default experiment cannot be deleted");
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!deleted);
    if (ImGui::Button("Restore") && sel) act(ctx, ctx.lab().tracking().restore_experiment(sel->experiment_id), "Restoring", *sel);
    ImGui::EndDisabled();
    ctx.track("exp-restore");
    ImGui::EndDisabled();
    draw_rename_popup(ctx);

    ImGui::Separator();
    ImGui::BeginChild("##experiments");
    size_t all = 0;
    for (const auto& [id, n] : counts_) all += n;
    std::string all_label = "All experiments  (" + std::to_string(all) + ")";
    if (ImGui::Selectable(all_label.c_str(), ctx.selection.experiment_id.empty())) ctx.selection.experiment_id.clear();
    ctx.track("exp:All");
    for (const auto& e : experiments_) {
      const bool del = e.lifecycle_stage == "deleted";
      std::string label = e.name + "  (" + std::to_string(count(e.experiment_id)) + ")" + (del ? "  deleted" : "") + "##" + e.experiment_id;
      if (del) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, ImGui::GetStyle().Alpha * 0.5f);
      if (ImGui::Selectable(label.c_str(), ctx.selection.experiment_id == e.experiment_id)) {
        ctx.selection.experiment_id = e.experiment_id;
      }
      if (del) ImGui::PopStyleVar();
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("id %s, %zu run(s)", e.experiment_id.c_str(), count(e.experiment_id));
      ctx.track("exp:" + e.name);
    }
    if (experiments_.size() <= 1 && all == 0) {
      empty_state("Runs go to the experiment named in the pipeline spec; type a name above to create one.");
    }
    ImGui::EndChild();
  }

 private:
  void load(AppContext& ctx) {
    if (loaded_rev_ == ctx.revision()) return;
    loaded_rev_ = ctx.revision();
    experiments_ = ctx.lab().tracking().list_experiments(show_deleted_ ? tracking::ViewType::kAll : tracking::ViewType::kActiveOnly);
    counts_.clear();
    // Active runs per experiment (nested runs included, as MLflow counts them).
    for (const auto& r : ctx.runs()) ++counts_[r.experiment_id];
  }
  size_t count(const std::string& id) const {
    auto it = counts_.find(id);
    return it == counts_.end() ? 0 : it->second;
  }
  const tracking::Experiment* find(const std::string& id) const {
    for (const auto& e : experiments_) {
      if (e.experiment_id == id) return &e;
    }
    return nullptr;
  }

  void create(AppContext& ctx) {
    std::string name = new_name_;
    error_.clear();
    if (name.empty()) {
      error_ = "Type a name for the new experiment first.";
      return;
    }
    if (ctx.lab().tracking().get_experiment_by_name(name)) {
      error_ = "An experiment named '" + name + "' already exists (perhaps deleted: tick Show deleted).";
      return;
    }
    auto e = ctx.lab().tracking().get_or_create_experiment(name);
    if (!e) {
      error_ = "Creating experiment '" + name + "': " + e.status().message();
      return;
    }
    new_name_[0] = 0;
    ctx.selection.experiment_id = e->experiment_id;
  }

  void act(AppContext& ctx, const Status& st, const char* what, const tracking::Experiment& e) {
    if (st.is_ok()) {
      error_.clear();
      return;
    }
    error_ = std::string(what) + " experiment '" + e.name + "': " + st.message();
    ctx.report_error(error_);
  }

  void draw_rename_popup(AppContext& ctx) {
    if (!ImGui::BeginPopupModal("Rename experiment", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
    ImGui::TextUnformatted("New name (Enter saves, Esc cancels):");
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(320);
    const bool enter = ImGui::InputText("##exp-rename", rename_buf_, sizeof rename_buf_, ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.track("exp-rename-input");
    if (!rename_error_.empty()) error_text(rename_error_);
    const bool save = ImGui::Button("Save");
    ctx.track("exp-rename-save");
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    if (enter || save) {
      Status st = ctx.lab().tracking().rename_experiment(rename_id_, rename_buf_);
      if (st.is_ok()) ImGui::CloseCurrentPopup();
      else rename_error_ = st.message();
    }
    ImGui::EndPopup();
  }

  uint64_t loaded_rev_ = ~uint64_t(0);
  std::vector<tracking::Experiment> experiments_;
  std::map<std::string, size_t> counts_;
  bool show_deleted_ = false;
  char new_name_[256] = {};
  std::string error_;
  std::string rename_id_, rename_error_;
  char rename_buf_[256] = {};
};

}  // namespace

std::unique_ptr<View> make_experiments_view() { return std::make_unique<ExperimentsView>(); }

}  // namespace mllab::app

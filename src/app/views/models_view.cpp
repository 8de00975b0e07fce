// Models: registered models and versions, registering a run's model, stage transitions (with
// archive-existing and a confirmation), aliases, description and tags, signature and input example.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <cstring>

#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/registry/model_doc.hpp"

namespace mllab::app {
namespace {

const char* kStages[] = {"None", "Staging", "Production", "Archived"};

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// A run that can be registered: finished, with a model folder among its artifacts.
bool has_model(const tracking::Run& r) {
  if (r.status != tracking::RunStatus::kFinished) return false;
  for (const auto& a : r.artifacts) {
    if (a.path.rfind("model/", 0) == 0) return true;
  }
  return false;
}

void copy_to(char* dst, size_t n, const std::string& s) {
  std::snprintf(dst, n, "%s", s.c_str());
}

// Key / value tags with delete buttons and a "set" row; returns (key, value or nullopt=delete).
struct TagEdit {
  std::string key;
  std::optional<std::string> value;
};

class ModelsView : public View {
 public:
  const char* title() const override { return "Models"; }

  void describe(nlohmann::json& ui) const override {
    ui["models"] = {{"selected_model", selected_name_}, {"selected_version", selected_version_},
                    {"confirm_open", confirm_open_}, {"message", message_}, {"error", error_},
                    {"register_run", register_run_}, {"input_example", example_}};
  }

  void draw(AppContext& ctx) override {
    if (rev_ != ctx.revision()) {
      rev_ = ctx.revision();
      models_ = ctx.lab().registry().list_registered_models();
    }
    // The shared selection (another panel may set it) wins over ours.
    if (!ctx.selection.model_name.empty() && ctx.selection.model_name != selected_name_) {
      selected_name_ = ctx.selection.model_name;
      selected_version_ = ctx.selection.model_version;
    }
    const registry::RegisteredModel* model = nullptr;
    for (const auto& m : models_) {
      if (m.name == selected_name_) model = &m;
    }
    if (!model) selected_version_ = 0;
    const registry::ModelVersion* version = model ? model->find_version(selected_version_) : nullptr;

    draw_register(ctx);
    if (!error_.empty()) error_text(error_);
    else if (!message_.empty()) ImGui::TextDisabled("%s", message_.c_str());
    draw_model_list(ctx);
    if (model) draw_versions(ctx, *model);
    if (model && version) draw_version(ctx, *model, *version);
    if (model) draw_model_details(ctx, *model);
    draw_confirm(ctx);
  }

 private:
  void ok(const std::string& m) {
    message_ = m;
    error_.clear();
  }
  void fail(AppContext& ctx, const std::string& m) {
    error_ = m;
    message_.clear();
    (void)ctx;
  }
  void select(AppContext& ctx, const std::string& name, int version) {
    selected_name_ = name;
    selected_version_ = version;
    ctx.selection.model_name = name;
    ctx.selection.model_version = version;
    load_edit_buffers_ = true;
  }

  void draw_register(AppContext& ctx) {
    section("Register a run's model");
    std::vector<const tracking::Run*> candidates;
    for (const auto& r : ctx.runs()) {
      if (has_model(r)) candidates.push_back(&r);
    }
    if (candidates.empty()) {
      empty_state("No run with a model yet: train one in the Train workspace, then register it here.");
      return;
    }
    // The selected run, when it has a model, is the default.
    const tracking::Run* chosen = nullptr;
    for (const auto* r : candidates) {
      if (r->run_id == register_run_) chosen = r;
    }
    if (!chosen) {
      for (const auto* r : candidates) {
        if (r->run_id == ctx.selection.run_id) chosen = r;
      }
      if (!chosen) chosen = candidates.front();
      register_run_ = chosen->run_id;
    }
    auto run_label = [](const tracking::Run& r) { return r.run_name + "  (" + r.run_id.substr(0, 8) + ")"; };
    ImGui::SetNextItemWidth(-90);
    if (ImGui::BeginCombo("run##register", run_label(*chosen).c_str())) {
      for (const auto* r : candidates) {
        if (ImGui::Selectable(run_label(*r).c_str(), r == chosen)) register_run_ = r->run_id;
        ctx.track("register-run:" + r->run_name);
      }
      ImGui::EndCombo();
    }
    ctx.track("register-run-combo");
    ImGui::SetNextItemWidth(-200);
    ImGui::InputTextWithHint("##register-name", "model name", register_name_, sizeof register_name_);
    ctx.track("register-name");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    if (ImGui::BeginCombo("##existing", "existing...")) {
      for (const auto& m : models_) {
        if (ImGui::Selectable(m.name.c_str())) copy_to(register_name_, sizeof register_name_, m.name);
        ctx.track("register-existing:" + m.name);
      }
      if (models_.empty()) ImGui::TextDisabled("no registered models yet");
      ImGui::EndCombo();
    }
    ctx.track("register-existing-combo");
    ImGui::SameLine();
    if (ImGui::Button("Register")) {
      auto v = ctx.lab().registry().register_model("runs:/" + register_run_ + "/model", register_name_);
      if (v) {
        ok("Registered " + v->name + " version " + std::to_string(v->version) + " from run " + chosen->run_name);
        select(ctx, v->name, v->version);
      } else {
        fail(ctx, "Could not register: " + v.status().message());
      }
    }
    ctx.track("register");
  }

  void draw_model_list(AppContext& ctx) {
    section("Registered models");
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##model-search", "search models by name", search_, sizeof search_);
    ctx.track("model-search");
    if (models_.empty()) {
      empty_state("No registered models yet: pick a run above, type a name and press Register.");
      return;
    }
    const std::string q = lower(search_);
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingStretchProp;
    const float h = std::min(6.0f, float(models_.size()) + 1.5f) * ImGui::GetFrameHeightWithSpacing();
    if (ImGui::BeginTable("##models", 4, flags, {0, h})) {
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("Name");
      ImGui::TableSetupColumn("Latest version");
      ImGui::TableSetupColumn("Stages");
      ImGui::TableSetupColumn("Description");
      ImGui::TableHeadersRow();
      size_t shown = 0;
      for (const auto& m : models_) {
        if (!q.empty() && lower(m.name).find(q) == std::string::npos) continue;
        ++shown;
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (ImGui::Selectable(m.name.c_str(), m.name == selected_name_, ImGuiSelectableFlags_SpanAllColumns)) {
          select(ctx, m.name, m.versions.empty() ? 0 : m.versions.back().version);
        }
        ctx.track("model:" + m.name);
        ImGui::TableSetColumnIndex(1);
        ImGui::Text("%d", m.versions.empty() ? 0 : m.versions.back().version);
        ImGui::TableSetColumnIndex(2);
        std::vector<std::string> stages;
        for (const auto& v : m.latest_versions()) {
          if (v.current_stage != "None") stages.push_back(v.current_stage + ": v" + std::to_string(v.version));
        }
        ImGui::TextUnformatted(join(stages).c_str());
        ImGui::TableSetColumnIndex(3);
        ImGui::TextUnformatted(m.description.c_str());
      }
      if (shown == 0) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextDisabled("no model name contains '%s'", search_);
      }
      ImGui::EndTable();
    }
  }

  void draw_versions(AppContext& ctx, const registry::RegisteredModel& m) {
    section(("Versions of " + m.name).c_str());
    if (m.versions.empty()) {
      empty_state("No versions: register a run's model under this name.");
      return;
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingStretchProp;
    const float h = std::min(6.0f, float(m.versions.size()) + 1.5f) * ImGui::GetFrameHeightWithSpacing();
    if (ImGui::BeginTable("##versions", 6, flags, {0, h})) {
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("Version", ImGuiTableColumnFlags_WidthFixed, 60);
      ImGui::TableSetupColumn("Stage", ImGuiTableColumnFlags_WidthFixed, 80);
      ImGui::TableSetupColumn("Aliases");
      ImGui::TableSetupColumn("Source run");
      ImGui::TableSetupColumn("Created");
      ImGui::TableSetupColumn("Description");
      ImGui::TableHeadersRow();
      for (auto it = m.versions.rbegin(); it != m.versions.rend(); ++it) {
        const auto& v = *it;
        ImGui::PushID(v.version);
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        char label[32];
        std::snprintf(label, sizeof label, "Version %d", v.version);
        if (ImGui::Selectable(label, v.version == selected_version_)) select(ctx, m.name, v.version);
        ctx.track("version:" + std::to_string(v.version));
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(v.current_stage.c_str());
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(join(v.aliases).c_str());
        ImGui::TableSetColumnIndex(3);
        std::string run_name = v.run_id.substr(0, 8);
        for (const auto& r : ctx.runs()) {
          if (r.run_id == v.run_id) run_name = r.run_name;
        }
        if (ImGui::SmallButton(run_name.c_str())) {
          ctx.selection.run_id = v.run_id;
          ctx.go_to(Workspace::kRuns);
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: show run %s in the Runs workspace", v.source.c_str(), v.run_id.c_str());
        ctx.track("version-run:" + std::to_string(v.version));
        ImGui::TableSetColumnIndex(4);
        ImGui::TextUnformatted(registry::utc_time_text(v.creation_timestamp).substr(0, 19).c_str());
        ImGui::TableSetColumnIndex(5);
        ImGui::TextUnformatted(v.description.c_str());
        ImGui::PopID();
      }
      ImGui::EndTable();
    }
  }

  void draw_version(AppContext& ctx, const registry::RegisteredModel& m, const registry::ModelVersion& v) {
    section(("Version " + std::to_string(v.version) + " (" + v.current_stage + ")").c_str());
    if (load_edit_buffers_) {
      load_edit_buffers_ = false;
      copy_to(version_description_, sizeof version_description_, v.description);
      copy_to(model_description_, sizeof model_description_, m.description);
      target_stage_ = v.current_stage == "Staging" ? 2 : 1;
    }
    // Stage transition.
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Move to");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    if (ImGui::BeginCombo("##stage", kStages[target_stage_])) {
      for (int i = 0; i < 4; ++i) {
        if (ImGui::Selectable(kStages[i], i == target_stage_)) target_stage_ = i;
        ctx.track(std::string("stage:") + kStages[i]);
      }
      ImGui::EndCombo();
    }
    ctx.track("stage-combo");
    ImGui::SameLine();
    const bool can_archive = target_stage_ == 1 || target_stage_ == 2;
    ImGui::BeginDisabled(!can_archive);
    bool archive = archive_existing_ && can_archive;
    if (ImGui::Checkbox("archive existing versions in this stage", &archive)) archive_existing_ = archive;
    ctx.track("archive-existing");
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(v.current_stage == kStages[target_stage_]);
    if (ImGui::Button("Transition...")) {
      confirm_name_ = m.name;
      confirm_version_ = v.version;
      confirm_from_ = v.current_stage;
      confirm_stage_ = kStages[target_stage_];
      confirm_archive_ = archive;
      confirm_others_.clear();
      for (const auto& o : m.versions) {
        if (o.version != v.version && o.current_stage == confirm_stage_) confirm_others_.push_back(o.version);
      }
      open_confirm_ = true;
    }
    ctx.track("transition");
    ImGui::EndDisabled();

    // Aliases.
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Aliases:");
    for (const auto& a : v.aliases) {
      ImGui::SameLine();
      ImGui::PushID(a.c_str());
      if (ImGui::SmallButton(("@" + a + "  x").c_str())) {
        Status st = ctx.lab().registry().delete_registered_model_alias(m.name, a);
        if (st.is_ok()) ok("Deleted alias " + a);
        else fail(ctx, st.message());
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("models:/%s@%s (click to delete the alias)", m.name.c_str(), a.c_str());
      ctx.track("alias-delete:" + a);
      ImGui::PopID();
    }
    if (v.aliases.empty()) {
      ImGui::SameLine();
      ImGui::TextDisabled("none");
    }
    ImGui::SetNextItemWidth(160);
    ImGui::InputTextWithHint("##alias", "alias, e.g. champion", alias_, sizeof alias_);
    ctx.track("alias-name");
    ImGui::SameLine();
    if (ImGui::Button("Set alias")) {
      Status st = ctx.lab().registry().set_registered_model_alias(m.name, alias_, v.version);
      if (st.is_ok()) {
        ok("models:/" + m.name + "@" + alias_ + " now points to version " + std::to_string(v.version));
        alias_[0] = 0;
      } else {
        fail(ctx, "Could not set the alias: " + st.message());
      }
    }
    ctx.track("set-alias");

    // Description and tags of the version.
    ImGui::SetNextItemWidth(-70);
    ImGui::InputTextWithHint("##version-description", "version description", version_description_,
                             sizeof version_description_);
    ctx.track("version-description");
    ImGui::SameLine();
    if (ImGui::Button("Save##vdesc")) {
      auto r = ctx.lab().registry().update_model_version(m.name, v.version, version_description_);
      if (r) ok("Saved the description of version " + std::to_string(v.version));
      else fail(ctx, r.status().message());
    }
    ctx.track("version-description-save");
    if (auto edit = tags_editor(ctx, "version-tag", v.tags, version_tag_key_, version_tag_value_)) {
      Status st = edit->value ? ctx.lab().registry().set_model_version_tag(m.name, v.version, edit->key, *edit->value)
                              : ctx.lab().registry().delete_model_version_tag(m.name, v.version, edit->key);
      if (st.is_ok()) ok(std::string(edit->value ? "Set" : "Deleted") + " version tag " + edit->key);
      else fail(ctx, st.message());
    }

    // Signature and input example.
    if (ImGui::CollapsingHeader("Signature and input example", ImGuiTreeNodeFlags_DefaultOpen)) {
      ctx.track("signature");
      const auto& doc = v.model_doc;
      ImGui::TextDisabled("%s, target '%s'%s", doc.estimator().c_str(), doc.target.c_str(),
                          doc.classes.empty() ? "" : (", classes " + join(doc.classes)).c_str());
      if (!doc.signature) {
        ImGui::TextDisabled("no signature: new data is not checked");
      } else {
        if (ImGui::BeginTable("##sig", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
          ImGui::TableSetupColumn("Input");
          ImGui::TableSetupColumn("Type");
          ImGui::TableSetupColumn("Required");
          ImGui::TableHeadersRow();
          for (const auto& c : doc.signature->inputs) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextUnformatted(c.name.c_str());
            ImGui::TableSetColumnIndex(1);
            ImGui::TextUnformatted(c.type.c_str());
            ImGui::TableSetColumnIndex(2);
            ImGui::TextUnformatted(c.required ? "yes" : "no");
          }
          ImGui::EndTable();
        }
        std::vector<std::string> outs;
        for (const auto& o : doc.signature->outputs) outs.push_back("tensor " + o.dtype + " [-1]");
        ImGui::Text("Outputs: %s", join(outs).c_str());
      }
      const nlohmann::json& ex = input_example(ctx, m.name, v.version);
      if (ex.is_object() && ex.contains("columns") && ex.contains("data") && ex["columns"].is_array() &&
          !ex["columns"].empty() && ex["columns"].size() < 60) {
        ImGui::TextUnformatted("Input example:");
        const int n = int(ex["columns"].size());
        if (ImGui::BeginTable("##example", n, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX |
                                                  ImGuiTableFlags_SizingFixedFit)) {
          for (const auto& c : ex["columns"]) ImGui::TableSetupColumn(c.is_string() ? c.get<std::string>().c_str() : "?");
          ImGui::TableHeadersRow();
          for (const auto& row : ex["data"]) {
            ImGui::TableNextRow();
            for (int i = 0; i < n && i < int(row.size()); ++i) {
              ImGui::TableSetColumnIndex(i);
              const auto& cell = row[size_t(i)];
              std::string text = cell.is_string() ? cell.get<std::string>() : cell.dump();
              if (text.size() > 60) text = text.substr(0, 57) + "...";
              ImGui::TextUnformatted(text.c_str());
            }
          }
          ImGui::EndTable();
        }
      } else {
        ImGui::TextDisabled("%s", example_error_.empty() ? "no input example saved with this model" : example_error_.c_str());
      }
    }
  }

  // The selected version's input example, read from its run's artifacts once per version and
  // store revision.
  const nlohmann::json& input_example(AppContext& ctx, const std::string& name, int version) {
    if (example_rev_ != ctx.revision() || example_key_ != name + "/" + std::to_string(version)) {
      example_rev_ = ctx.revision();
      example_key_ = name + "/" + std::to_string(version);
      auto ex = ctx.lab().registry().input_example(name, version);
      example_ = ex ? std::move(ex).value() : nlohmann::json(nullptr);
      example_error_ = ex ? "" : "input example: " + ex.status().message();
    }
    return example_;
  }

  void draw_model_details(AppContext& ctx, const registry::RegisteredModel& m) {
    if (!ImGui::CollapsingHeader(("Model " + m.name + ": description and tags").c_str())) return;
    ImGui::SetNextItemWidth(-70);
    ImGui::InputTextWithHint("##model-description", "model description", model_description_, sizeof model_description_);
    ctx.track("model-description");
    ImGui::SameLine();
    if (ImGui::Button("Save##mdesc")) {
      auto r = ctx.lab().registry().update_registered_model(m.name, model_description_);
      if (r) ok("Saved the description of " + m.name);
      else fail(ctx, r.status().message());
    }
    ctx.track("model-description-save");
    if (auto edit = tags_editor(ctx, "model-tag", m.tags, model_tag_key_, model_tag_value_)) {
      Status st = edit->value ? ctx.lab().registry().set_registered_model_tag(m.name, edit->key, *edit->value)
                              : ctx.lab().registry().delete_registered_model_tag(m.name, edit->key);
      if (st.is_ok()) ok(std::string(edit->value ? "Set" : "Deleted") + " model tag " + edit->key);
      else fail(ctx, st.message());
    }
  }

  // Tags listed with a delete button each, and a key / value row to set one.
  std::optional<TagEdit> tags_editor(AppContext& ctx, const std::string& id, const std::map<std::string, std::string>& tags,
                                     char (&key)[64], char (&value)[256]) {
    std::optional<TagEdit> out;
    ImGui::PushID(id.c_str());
    for (const auto& [k, val] : tags) {
      ImGui::PushID(k.c_str());
      if (ImGui::SmallButton("x")) out = TagEdit{k, std::nullopt};
      ctx.track(id + "-delete:" + k);
      ImGui::SameLine();
      ImGui::Text("%s = %s", k.c_str(), val.c_str());
      ImGui::PopID();
    }
    ImGui::SetNextItemWidth(120);
    ImGui::InputTextWithHint("##key", "tag key", key, sizeof key);
    ctx.track(id + "-key");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-70);
    ImGui::InputTextWithHint("##value", "value", value, sizeof value);
    ctx.track(id + "-value");
    ImGui::SameLine();
    if (ImGui::Button("Set tag")) {
      out = TagEdit{key, std::string(value)};
      key[0] = value[0] = 0;
    }
    ctx.track(id + "-set");
    ImGui::PopID();
    return out;
  }

  void draw_confirm(AppContext& ctx) {
    if (open_confirm_) {
      ImGui::OpenPopup("Confirm stage transition");
      open_confirm_ = false;
    }
    confirm_open_ = false;
    ImGui::SetNextWindowSize({420, 0});
    if (ImGui::BeginPopupModal("Confirm stage transition", nullptr, ImGuiWindowFlags_NoResize)) {
      confirm_open_ = true;
      ImGui::TextWrapped("Move %s version %d from %s to %s?", confirm_name_.c_str(), confirm_version_,
                         confirm_from_.c_str(), confirm_stage_.c_str());
      if (!confirm_others_.empty()) {
        std::vector<std::string> vs;
        for (int o : confirm_others_) vs.push_back(std::to_string(o));
        if (confirm_archive_) {
          ImGui::TextWrapped("Version(s) %s, now in %s, will move to Archived.", join(vs).c_str(), confirm_stage_.c_str());
        } else {
          ImGui::TextWrapped("Version(s) %s stay in %s too.", join(vs).c_str(), confirm_stage_.c_str());
        }
      }
      ctx.track("confirm-dialog");
      if (ImGui::Button("Confirm", {120, 0})) {
        auto r = ctx.lab().registry().transition_model_version_stage(confirm_name_, confirm_version_, confirm_stage_,
                                                                     confirm_archive_);
        if (r) ok(confirm_name_ + " version " + std::to_string(confirm_version_) + " is now in " + r->current_stage);
        else fail(ctx, "Could not move the version: " + r.status().message());
        ImGui::CloseCurrentPopup();
      }
      ctx.track("confirm-transition");
      ImGui::SameLine();
      if (ImGui::Button("Cancel", {120, 0}) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
        ok("Stage transition cancelled");
        ImGui::CloseCurrentPopup();
      }
      ctx.track("cancel-transition");
      ImGui::EndPopup();
    }
  }

  uint64_t rev_ = ~uint64_t(0);
  uint64_t example_rev_ = ~uint64_t(0);
  std::string example_key_, example_error_;
  nlohmann::json example_;
  std::vector<registry::RegisteredModel> models_;
  std::string selected_name_;
  int selected_version_ = 0;
  std::string register_run_;
  char register_name_[128] = "";
  char search_[128] = "";
  char alias_[64] = "";
  char version_description_[512] = "";
  char model_description_[512] = "";
  char version_tag_key_[64] = "", model_tag_key_[64] = "";
  char version_tag_value_[256] = "", model_tag_value_[256] = "";
  bool load_edit_buffers_ = true;
  int target_stage_ = 1;
  bool archive_existing_ = false;
  bool open_confirm_ = false, confirm_open_ = false;
  std::string confirm_name_, confirm_from_, confirm_stage_;
  int confirm_version_ = 0;
  bool confirm_archive_ = false;
  std::vector<int> confirm_others_;
  std::string message_, error_;
};

}  // namespace

std::unique_ptr<View> make_models_view() { return std::make_unique<ModelsView>(); }

}  // namespace mllab::app

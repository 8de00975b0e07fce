// Cleaning and versions of the selected dataset. Clean: pick an operation, fill its small form,
// see the result previewed (rows and columns before -> after, the first rows), add steps, and
// derive a new version (DatasetStore::derive) with its lineage. Versions: every version of the
// dataset with its digest, rows, source and lineage (which version it came from by which
// steps), the runs that used it (by digest; a click selects the run) and the storage it takes.
#include <imgui.h>

#include <algorithm>
#include <cstring>

#include "app/ui.hpp"
#include "app/views/dataset_derive.hpp"
#include "app/views/factories.hpp"
#include "core/datasets/cleaning_form.hpp"
#include "core/datasets/profile.hpp"
#include "core/util/sha256.hpp"

namespace mllab::app {

Result<std::pair<std::string, int>> stored_parent(AppContext& ctx) {
  const LoadedDataset* d = ctx.dataset();
  if (!d) return Status::invalid("no dataset is selected");
  const std::string prefix = "datasets:/";
  if (d->uri.rfind(prefix, 0) == 0) {
    auto ref = datasets::parse_dataset_ref(d->uri.substr(prefix.size()));
    if (!ref) return ref.status();
    auto v = ctx.lab().datasets().version(ref->first, ref->second);
    if (!v) return v.status();
    return std::make_pair(ref->first, v->version);
  }
  // A built-in (or local) file: its stored copy, by content.
  auto src = ctx.lab().resolve_dataset(d->uri);
  if (!src) return src.status();
  const std::string digest = sha256_hex(src->bytes);
  if (auto rec = ctx.lab().datasets().get(d->name)) {
    for (const auto& v : rec->versions) {
      if (v.digest == digest && v.lineage.is_null()) return std::make_pair(d->name, v.version);
    }
  }
  auto rec = ctx.lab().datasets().add(d->name, src->bytes, src->source_type, d->uri);
  if (!rec) return rec.status();
  return std::make_pair(rec->name, rec->latest().version);
}

Result<datasets::DatasetRecord> derive_selected(AppContext& ctx, const json& steps, const std::string& save_as) {
  LoadedDataset* d = ctx.dataset();
  if (!d) return Status::invalid("no dataset is selected");
  // Checked on what is shown first: bad steps store nothing, not even a built-in's copy.
  auto parsed = datasets::parse_cleaning_steps(steps);
  if (!parsed) return parsed.status();
  if (parsed->empty()) return Status::invalid("add at least one cleaning step");
  auto check = datasets::apply_cleaning_steps(d->table, *parsed);
  if (!check) return check.status();
  const std::string target = d->target;
  auto parent = stored_parent(ctx);
  if (!parent) return parent.status();
  const std::string name = save_as.empty() ? parent->first : save_as;
  auto rec = ctx.lab().datasets().derive(name, parent->first, parent->second, steps);
  if (!rec) return rec.status();
  ctx.select_dataset(datasets::dataset_uri(rec->name));
  if (LoadedDataset* now = ctx.dataset(); now && now->table.column(target)) now->target = target;
  return rec;
}

namespace {

std::string human_bytes(int64_t n) {
  char b[64];
  if (n < 1024) std::snprintf(b, sizeof b, "%lld B", static_cast<long long>(n));
  else if (n < 1024 * 1024) std::snprintf(b, sizeof b, "%.1f KiB", double(n) / 1024);
  else std::snprintf(b, sizeof b, "%.2f MiB", double(n) / (1024.0 * 1024.0));
  return b;
}

// Disabled-coloured text, wrapped to the window (help lines, empty states).
void hint(const char* text) {
  ImGui::Spacing();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

const char* kComparisons[] = {"==", "!=", "<", "<=", ">", ">="};
const char* kStrategies[] = {"value", "mean", "median", "most_frequent"};
const char* kTypeNames[] = {"numeric", "categorical", "text"};

// A combo over `items` writing the choice into `value`; tracked as name and name:item.
void combo(AppContext& ctx, const char* label, const std::string& name, std::string& value,
           const std::vector<std::string>& items) {
  if (ImGui::BeginCombo(label, value.empty() ? "(pick)" : value.c_str(), ImGuiComboFlags_HeightLargest)) {
    for (const auto& it : items) {
      if (ImGui::Selectable(it.c_str(), it == value)) value = it;
      ctx.track(name + ":" + it);
    }
    ImGui::EndCombo();
  }
  ctx.track(name);
}

class DatasetVersionsView : public View {
 public:
  const char* title() const override { return "Clean & versions"; }

  void describe(json& ui) const override {
    ui["clean_view"] = {{"tab", tab_}, {"steps", steps_}, {"form_error", form_error_},
                        {"preview_rows", preview_rows_}, {"preview_columns", preview_cols_},
                        {"preview_error", preview_error_}, {"derive_error", derive_error_},
                        {"storage_bytes", storage_.blob_bytes}, {"versions", versions_json_}};
  }

  void draw(AppContext& ctx) override {
    LoadedDataset* d = ctx.dataset();
    if (!d) {
      hint("Pick a dataset to clean it and see its versions.");
      return;
    }
    if (d->uri != uri_) {
      uri_ = d->uri;
      steps_ = json::array();
      derive_error_.clear();
      std::snprintf(save_as_, sizeof save_as_, "%s", d->name.c_str());
    }
    if (ImGui::BeginTabBar("##clean-tabs")) {
      if (ImGui::BeginTabItem("Clean")) {
        tab_ = "Clean";
        ImGui::EndTabItem();
      }
      ctx.track("ctab:Clean");
      if (ImGui::BeginTabItem("Versions")) {
        tab_ = "Versions";
        ImGui::EndTabItem();
      }
      ctx.track("ctab:Versions");
      ImGui::EndTabBar();
    }
    if (tab_ == "Versions") draw_versions(ctx, *d);
    else draw_clean(ctx, *d);
  }

 private:
  // [SECTION] Clean
  void draw_clean(AppContext& ctx, LoadedDataset& d) {
    std::vector<std::string> cols;
    for (const auto& c : d.table.columns()) cols.push_back(c.name);
    const auto& ops = datasets::cleaning_ops();
    std::string label = "(pick)";
    for (const auto& op : ops) if (form_.op == op.op) label = op.label;
    ImGui::SetNextItemWidth(-90);
    if (ImGui::BeginCombo("operation", label.c_str())) {
      for (const auto& op : ops) {
        if (ImGui::Selectable(op.label, form_.op == op.op)) form_.op = op.op;
        ctx.track(std::string("clean-op:") + op.op);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", op.help);
      }
      ImGui::EndCombo();
    }
    ctx.track("clean-op");
    for (const auto& op : ops) if (form_.op == op.op) hint(op.help);
    const std::string& op = form_.op;
    ImGui::PushItemWidth(-90);
    if (op == "drop_columns" || op == "select_columns" || op == "drop_missing") {
      ImGui::TextDisabled("columns");
      ImGui::BeginChild("##clean-cols", ImVec2(0, std::min(380.0f, ImGui::GetFrameHeightWithSpacing() * float(cols.size()) + 10)), true);
      for (const auto& c : cols) {
        bool on = std::find(form_.columns.begin(), form_.columns.end(), c) != form_.columns.end();
        if (ImGui::Checkbox(c.c_str(), &on)) {
          if (on) form_.columns.push_back(c);
          else std::erase(form_.columns, c);
        }
        ctx.track("clean-col:" + c);
      }
      ImGui::EndChild();
    }
    if (op == "rename" || op == "fill_missing" || op == "filter" || op == "flag" || op == "set_type") {
      combo(ctx, "column", "clean-column", form_.column, cols);
    }
    if (op == "rename") {
      ImGui::InputText("new name", new_name_, sizeof new_name_);
      ctx.track("clean-new-name");
    }
    if (op == "fill_missing") combo(ctx, "strategy", "clean-strategy", form_.strategy, {std::begin(kStrategies), std::end(kStrategies)});
    if (op == "filter" || op == "flag") combo(ctx, "comparison", "clean-cmp", form_.comparison, {std::begin(kComparisons), std::end(kComparisons)});
    if (op == "filter" || op == "flag" || (op == "fill_missing" && form_.strategy == "value")) {
      ImGui::InputText("value", value_, sizeof value_);
      ctx.track("clean-value");
    }
    if (op == "flag") {
      ImGui::InputText("new column", as_, sizeof as_);
      ctx.track("clean-as");
    }
    if (op == "set_type") combo(ctx, "type", "clean-type", form_.type, {std::begin(kTypeNames), std::end(kTypeNames)});
    ImGui::PopItemWidth();
    form_.new_name = new_name_;
    form_.value = value_;
    form_.as = as_;

    // The form's step (when complete), previewed after the added steps.
    json current;
    form_error_.clear();
    if (!op.empty()) {
      auto s = datasets::cleaning_step_from_form(d.table, form_);
      if (s) current = *s;
      else form_error_ = s.status().message();
    }
    if (!form_error_.empty()) error_text(form_error_);
    ImGui::BeginDisabled(current.is_null());
    if (ImGui::Button("Add step")) {
      steps_.push_back(current);
      form_ = datasets::CleaningForm{};
      new_name_[0] = value_[0] = as_[0] = 0;
    }
    ctx.track("clean-add");
    ImGui::EndDisabled();

    section("Steps");
    if (steps_.empty()) hint("No steps yet: pick an operation, fill its form and press Add step.");
    int remove = -1;
    for (size_t i = 0; i < steps_.size(); ++i) {
      ImGui::PushID(int(i));
      if (ImGui::SmallButton("x")) remove = int(i);
      ctx.track("clean-remove:" + std::to_string(i));
      ImGui::SameLine();
      ImGui::Text("%zu. %s", i + 1, datasets::describe_cleaning_step(steps_[i]).c_str());
      ImGui::PopID();
    }
    if (remove >= 0) steps_.erase(steps_.begin() + remove);

    json all = steps_;
    if (!current.is_null()) all.push_back(current);
    update_preview(d, all);
    section("Preview");
    if (all.empty()) {
      hint("The result of the steps shows here.");
    } else if (!preview_error_.empty()) {
      error_text(preview_error_);
      ctx.track("clean-preview-error");
    } else {
      ImGui::Text("rows %zu -> %lld, columns %zu -> %lld", d.table.num_rows(), static_cast<long long>(preview_rows_),
                  d.table.num_columns(), static_cast<long long>(preview_cols_));
      ctx.track("clean-preview");
      if (!current.is_null() && !steps_.empty()) ImGui::TextDisabled("(includes the form's step, not added yet)");
      draw_preview_rows();
    }
    section("Derive");
    ImGui::SetNextItemWidth(-90);
    ImGui::InputText("save as", save_as_, sizeof save_as_);
    ctx.track("clean-save-as");
    ImGui::BeginDisabled(all.empty() || !preview_error_.empty());
    if (ImGui::Button("Derive version")) {
      auto r = derive_selected(ctx, all, save_as_);
      if (r) {
        derive_error_.clear();
        steps_ = json::array();
        form_ = datasets::CleaningForm{};
        last_derived_ = r->name + " v" + std::to_string(r->latest().version);
        uri_ = ctx.dataset() ? ctx.dataset()->uri : "";
      } else {
        derive_error_ = r.status().message();
        ctx.report_error(derive_error_);
      }
    }
    ctx.track("clean-derive");
    ImGui::EndDisabled();
    if (!derive_error_.empty()) error_text(derive_error_);
    if (!last_derived_.empty()) ImGui::TextDisabled("Derived %s", last_derived_.c_str());
  }

  void update_preview(const LoadedDataset& d, const json& all) {
    const std::string key = d.uri + "\n" + std::to_string(d.table.num_rows()) + "\n" + all.dump();
    if (key == preview_key_) return;
    preview_key_ = key;
    preview_error_.clear();
    preview_ = data::Table{};
    preview_rows_ = preview_cols_ = 0;
    if (all.empty()) return;
    auto parsed = datasets::parse_cleaning_steps(all);
    auto t = parsed ? datasets::apply_cleaning_steps(d.table, *parsed) : Result<data::Table>(parsed.status());
    if (!t) {
      preview_error_ = t.status().message();
      return;
    }
    preview_rows_ = int64_t(t->num_rows());
    preview_cols_ = int64_t(t->num_columns());
    std::vector<size_t> head;
    for (size_t r = 0; r < std::min<size_t>(8, t->num_rows()); ++r) head.push_back(r);
    preview_ = t->take_rows(head);
  }

  void draw_preview_rows() {
    const int ncols = int(std::min<size_t>(preview_.num_columns(), 64));
    if (ncols == 0) return;
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX |
                            ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("##clean-preview", ncols, flags, ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 10))) return;
    for (int c = 0; c < ncols; ++c) ImGui::TableSetupColumn(preview_.column(size_t(c)).name.c_str());
    ImGui::TableHeadersRow();
    for (size_t r = 0; r < preview_.num_rows(); ++r) {
      ImGui::TableNextRow();
      for (int c = 0; c < ncols; ++c) {
        ImGui::TableSetColumnIndex(c);
        const auto& col = preview_.column(size_t(c));
        if (col.is_missing(r)) ImGui::TextDisabled("NA");
        else {
          std::string v = col.value_string(r);
          if (v.size() > 30) v = v.substr(0, 27) + "...";
          ImGui::TextUnformatted(v.c_str());
        }
      }
    }
    ImGui::EndTable();
  }

  // [SECTION] Versions
  void reload_versions(AppContext& ctx, const LoadedDataset& d) {
    const std::string key = d.uri + "@" + std::to_string(ctx.revision());
    if (key == versions_key_) return;
    versions_key_ = key;
    versions_.clear();
    versions_json_ = json::array();
    storage_ = {};
    stored_name_.clear();
    builtin_digest_.clear();
    builtin_runs_.clear();
    std::string name = d.name;
    if (d.uri.rfind("datasets:/", 0) != 0) {
      if (auto src = ctx.lab().resolve_dataset(d.uri)) {
        builtin_digest_ = sha256_hex(src->bytes);
        builtin_runs_ = ctx.lab().tracking().runs_with_input(builtin_digest_);
      }
    }
    auto rec = ctx.lab().datasets().get(name);
    if (!rec) return;
    stored_name_ = name;
    if (auto s = ctx.lab().datasets().storage_size(name)) storage_ = *s;
    for (const auto& v : rec->versions) {
      VersionRow row{v, ctx.lab().tracking().runs_with_input(v.digest)};
      json j = {{"version", v.version}, {"digest", v.digest}, {"num_rows", v.num_rows}, {"lineage", v.lineage}};
      json runs = json::array();
      for (const auto& r : row.runs) runs.push_back(r.run_id);
      j["runs"] = runs;
      versions_json_.push_back(j);
      versions_.push_back(std::move(row));
    }
  }

  void draw_runs(AppContext& ctx, const std::vector<tracking::Run>& runs, const std::string& prefix) {
    if (runs.empty()) {
      ImGui::TextDisabled("no runs used it yet");
      return;
    }
    for (const auto& r : runs) {
      const std::string label = (r.run_name.empty() ? r.run_id : r.run_name) + "##" + prefix + r.run_id;
      if (ImGui::Selectable(label.c_str(), ctx.selection.run_id == r.run_id)) {
        ctx.selection.run_id = r.run_id;
        ctx.go_to(Workspace::kRuns);
      }
      ctx.track(prefix + (r.run_name.empty() ? r.run_id : r.run_name));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("run %s: select it and open the Runs workspace", r.run_id.c_str());
    }
  }

  void draw_versions(AppContext& ctx, const LoadedDataset& d) {
    reload_versions(ctx, d);
    if (!builtin_digest_.empty()) {
      section("Built-in file");
      ImGui::TextWrapped("%s  sha256 %s", d.uri.c_str(), builtin_digest_.c_str());
      ImGui::TextDisabled("Runs that used it:");
      draw_runs(ctx, builtin_runs_, "builtin-run:");
    }
    if (stored_name_.empty()) {
      hint("No stored versions yet: a cleaning step (Clean tab) or a type change derives the first.");
      return;
    }
    section(("Stored versions of " + stored_name_).c_str());
    ImGui::Text("Storage: %s in %lld blob(s), record %s", human_bytes(storage_.blob_bytes).c_str(),
                static_cast<long long>(storage_.blobs), human_bytes(storage_.record_bytes).c_str());
    ctx.track("dataset-storage");
    std::string shown;
    if (auto ref = datasets::parse_dataset_ref(d.uri.rfind("datasets:/", 0) == 0 ? d.uri.substr(10) : "")) {
      if (auto v = ctx.lab().datasets().version(ref->first, ref->second)) shown = std::to_string(v->version);
    }
    for (auto it = versions_.rbegin(); it != versions_.rend(); ++it) {
      const auto& v = it->version;
      ImGui::PushID(v.version);
      ImGui::Separator();
      const std::string label = "v" + std::to_string(v.version) + "  " + std::to_string(v.num_rows) + " rows  " +
                                v.source_type + (std::to_string(v.version) == shown ? "  (shown)" : "");
      if (ImGui::Selectable(label.c_str(), std::to_string(v.version) == shown)) {
        ctx.select_dataset(datasets::dataset_uri(stored_name_) + ":" + std::to_string(v.version));
      }
      ctx.track("version:" + std::to_string(v.version));
      ImGui::TextDisabled("digest %s", v.digest.substr(0, 16).c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", v.digest.c_str());
      if (v.lineage.is_object() && v.lineage.contains("parent")) {
        const json& p = v.lineage["parent"];
        ImGui::Text("from %s:%d (%s)", p.value("name", std::string("?")).c_str(), p.value("version", 0),
                    p.value("digest", std::string()).substr(0, 12).c_str());
        if (v.lineage.contains("steps")) {
          for (const auto& s : v.lineage["steps"]) ImGui::BulletText("%s", datasets::describe_cleaning_step(s).c_str());
        }
      } else {
        ImGui::TextDisabled("loaded from %s", v.source.c_str());
      }
      ImGui::TextDisabled("Runs that used it:");
      draw_runs(ctx, it->runs, "version-run:" + std::to_string(v.version) + ":");
      ImGui::PopID();
    }
  }

  struct VersionRow {
    datasets::DatasetVersion version;
    std::vector<tracking::Run> runs;
  };

  std::string tab_, uri_;
  datasets::CleaningForm form_;
  char new_name_[128] = "", value_[256] = "", as_[128] = "", save_as_[128] = "";
  json steps_ = json::array();
  std::string form_error_, preview_error_, derive_error_, last_derived_, preview_key_;
  data::Table preview_;
  int64_t preview_rows_ = 0, preview_cols_ = 0;
  std::string versions_key_, stored_name_, builtin_digest_;
  std::vector<VersionRow> versions_;
  std::vector<tracking::Run> builtin_runs_;
  json versions_json_ = json::array();
  datasets::StorageSize storage_;
};

}  // namespace

std::unique_ptr<View> make_dataset_versions_view() { return std::make_unique<DatasetVersionsView>(); }

}  // namespace mllab::app

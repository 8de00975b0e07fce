// The pipeline builder (Train workspace): the dataset's target and feature columns, the steps
// (add from the step registry, reorder, remove, change type; each step's form drawn from its
// parameter table with defaults, bounds and help), the estimator, the split, cross-validation
// and grid / random search with the task's scorings — and the same spec as JSON, editable both
// ways; load / save a spec file; Train (Ctrl+Enter) and the job's progress. The decisions (what
// a dataset starts with, where a step goes, which scorings a task has) are core's builder.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app/param_form.hpp"
#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/ml/model.hpp"
#include "core/pipeline/builder.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::app {
namespace {

using pipeline::PipelineSpec;
using pipeline::StepRole;

const char* search_label(const std::string& type) {
  return type == "grid" ? "GridSearchCV" : type == "random" ? "RandomizedSearchCV" : "None";
}

class PipelineView : public View {
 public:
  PipelineView() {
    spec_.steps = {{"scaler", "StandardScaler", json::object(), {}}, {"model", "LogisticRegression", json::object(), {}}};
    spec_.test_size = 0.2;
    spec_.random_state = 42;
  }

  const char* title() const override { return "Pipeline"; }

  void update(AppContext& ctx) override {
    follow_dataset(ctx);
    if (!pending_spec_name_.empty()) adopt_spec_file(ctx);
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) && can_train(ctx)) train(ctx);
  }

  void describe(json& ui) const override {
    ui["pipeline_spec"] = pipeline::pipeline_spec_to_json(spec_);
    ui["pipeline_error"] = spec_error_;
    ui["pipeline_json_error"] = json_error_;
  }

  void draw(AppContext& ctx) override {
    validate();
    draw_toolbar(ctx);
    ImGui::Separator();
    if (ImGui::BeginTabBar("##pipeline-tabs")) {
      if (ImGui::BeginTabItem("Form")) {
        ImGui::BeginChild("##train-form");
        ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
        draw_form(ctx);
        ImGui::PopItemWidth();
        ImGui::EndChild();
        ctx.track("train-form");
        ImGui::EndTabItem();
      }
      ctx.track("tab-form");
      if (ImGui::BeginTabItem("JSON")) {
        draw_json_editor(ctx);
        ImGui::EndTabItem();
      }
      ctx.track("tab-json");
      ImGui::EndTabBar();
    }
  }

 private:
  // [SECTION] The dataset the spec trains on

  // A newly selected dataset gets a starting spec (keeping the estimator, its parameters and
  // the search); a changed target or feature list re-derives the column steps.
  void follow_dataset(AppContext& ctx) {
    LoadedDataset* d = ctx.dataset();
    if (!d) return;
    if (d->uri != built_for_) {
      built_for_ = d->uri;
      columns_for_ = {d->target, d->excluded_columns};
      if (spec_.dataset_path == d->uri) {  // a loaded spec chose this dataset: keep it
        if (!spec_.target.empty()) d->target = spec_.target;
        columns_for_.first = d->target;
        return;
      }
      PipelineSpec next = pipeline::default_spec_for(d->table, d->uri, d->target);
      next.experiment = spec_.experiment;
      next.run_name = spec_.run_name;
      next.test_size = spec_.test_size;
      next.random_state = spec_.random_state;
      next.stratify = spec_.stratify;
      next.steps.back() = spec_.steps.back();
      next.evaluate = spec_.evaluate;
      next.search = spec_.search;
      spec_ = std::move(next);
      changed();
      return;
    }
    if (columns_for_.first != d->target || columns_for_.second != d->excluded_columns) {
      columns_for_ = {d->target, d->excluded_columns};
      pipeline::retarget(spec_, d->table, d->target, d->excluded_columns);
      changed();
    }
  }

  // [SECTION] Toolbar: Train, progress, load / save

  void draw_toolbar(AppContext& ctx) {
    ImGui::BeginDisabled(!can_train(ctx));
    if (ImGui::Button("Train", {120, 0})) train(ctx);
    ImGui::EndDisabled();
    ctx.track("train");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("%s", spec_error_.empty() ? "Ctrl+Enter" : spec_error_.c_str());
    }
    ImGui::SameLine();
    if (ImGui::Button("Load spec...")) {
      pick_file(".json,application/json", [this](const std::string& name, std::string bytes) {
        pending_spec_name_ = name;
        pending_spec_ = std::move(bytes);
      });
    }
    ctx.track("load-spec");
    ImGui::SameLine();
    if (ImGui::Button("Save spec")) {
      const std::string base = spec_.run_name.empty() ? "pipeline" : datasets::dataset_name_from_file(spec_.run_name);
      download_file(base + ".json", pipeline::spec_text(spec_) + "\n", "application/json");
    }
    ctx.track("save-spec");
    if (!ctx.dataset()) {
      ImGui::TextDisabled("Pick a dataset on the left to build a pipeline for it.");
    } else if (!spec_error_.empty()) {
      error_text(spec_error_);
      ctx.track("pipeline-error");
    }
    if (JobEntry* j = ctx.jobs().current()) {
      job_progress_bar(*j, -1);
      ctx.track("progress");
      if (ImGui::Button("Cancel")) j->job->cancel();
      ctx.track("cancel");
      const double eta = job_eta_seconds(*j);
      if (eta >= 0) {
        ImGui::SameLine();
        ImGui::TextDisabled("about %.0f s left", eta);
      }
    }
    const std::string& msg = ctx.jobs().last_message();
    if (!msg.empty()) {
      const bool failed = msg.rfind("Run finished", 0) != 0;
      ImGui::PushStyleColor(ImGuiCol_Text, failed ? ImVec4(1, 0.45f, 0.45f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1));
      ImGui::TextWrapped("%s", msg.c_str());
      ImGui::PopStyleColor();
      ctx.track("job-message");
    }
  }

  // A spec file chosen with "Load spec...": adopted when valid (its dataset selected), else
  // the error names the file and nothing changes.
  void adopt_spec_file(AppContext& ctx) {
    const std::string name = std::exchange(pending_spec_name_, "");
    auto spec = pipeline::parse_pipeline_spec(std::exchange(pending_spec_, ""));
    if (!spec) {
      ctx.report_error("Spec file '" + name + "': " + spec.status().message());
      return;
    }
    spec_ = std::move(spec).value();
    changed();
    if (!ctx.dataset() || ctx.dataset()->uri != spec_.dataset_path) ctx.select_dataset(spec_.dataset_path);
    if (!ctx.dataset_error().empty()) ctx.report_error("Spec file '" + name + "': " + ctx.dataset_error());
  }

  // [SECTION] The form

  void draw_form(AppContext& ctx) {
    LoadedDataset* d = ctx.dataset();
    if (d) draw_columns(ctx, *d);

    section("Run");
    if (ImGui::InputText("experiment", &spec_.experiment)) changed();
    ctx.track("experiment");
    if (ImGui::InputText("run_name", &spec_.run_name)) changed();
    ctx.track("run-name");

    section("Model");
    draw_estimator(ctx);

    section("Steps");
    draw_steps(ctx, d);

    section("train_test_split");
    double lo = 0.05, hi = 0.95;
    if (ImGui::SliderScalar("test_size", ImGuiDataType_Double, &spec_.test_size, &lo, &hi, "%.2f")) changed();
    int rs = int(spec_.random_state);
    if (ImGui::InputInt("random_state", &rs)) { spec_.random_state = uint64_t(std::max(0, rs)); changed(); }
    if (ImGui::Checkbox("stratify", &spec_.stratify)) changed();

    section("Cross-validation");
    int cv = spec_.evaluate.cv;
    if (ImGui::InputInt("cv folds (0 = none)", &cv)) {
      spec_.evaluate.cv = cv < 2 ? 0 : std::min(cv, 100);
      changed();
    }
    ctx.track("cv");
    if (spec_.evaluate.cv >= 2 && scoring_combo("scoring##cv", spec_.evaluate.scoring)) changed();

    section("Hyperparameter search");
    draw_search(ctx);
  }

  // The target picker and the feature columns (untick to leave one out).
  static void draw_columns(AppContext& ctx, LoadedDataset& d) {
    section("Data");
    ImGui::Text("%s", d.name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%zu rows", d.table.num_rows());
    if (ImGui::BeginCombo("target", d.target.c_str())) {
      for (const auto& c : d.table.columns()) {
        if (ImGui::Selectable(c.name.c_str(), c.name == d.target)) d.target = c.name;
        ctx.track("target:" + c.name);
      }
      ImGui::EndCombo();
    }
    ctx.track("target-combo");
    if (ImGui::TreeNode("feature columns")) {
      for (const auto& c : d.table.columns()) {
        if (c.name == d.target) continue;
        bool use = !d.excluded_columns.count(c.name);
        if (ImGui::Checkbox(c.name.c_str(), &use)) {
          if (use) d.excluded_columns.erase(c.name);
          else d.excluded_columns.insert(c.name);
        }
        ImGui::SameLine();
        ImGui::TextDisabled("%s", data::column_type_name(c.type));
      }
      ImGui::TreePop();
    }
  }

  // Every step but the estimator: a row with its name, type and what it reads, buttons to move
  // and remove it, and (opened) its type and parameters; then "Add step".
  void draw_steps(AppContext& ctx, const LoadedDataset* d) {
    const size_t n = spec_.steps.empty() ? 0 : spec_.steps.size() - 1;
    if (n == 0) ImGui::TextDisabled("No steps: the estimator gets the numeric columns as they are.");
    bool first_text = true;
    for (size_t i = 0; i < n; ++i) {
      pipeline::StepSpec& st = spec_.steps[i];
      const StepRole role = pipeline::role_of(spec_, i);
      ImGui::PushID(int(i));
      const std::string reads = st.columns.empty() ? "feature matrix" : join_columns(st.columns);
      ImGui::AlignTextToFramePadding();
      ImGui::Text("%zu. %s", i + 1, st.name.c_str());
      ctx.track("step:" + st.name);
      ImGui::SameLine();
      ImGui::TextDisabled("reads %s", reads.c_str());
      const float bw = ImGui::GetFrameHeight();
      ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - 3 * (bw + 4)));
      if (ImGui::ArrowButton("##up", ImGuiDir_Up) && pipeline::move_step(spec_, i, -1)) changed();
      ctx.track("step-up:" + st.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Move up");
      ImGui::SameLine(0, 4);
      if (ImGui::ArrowButton("##down", ImGuiDir_Down) && pipeline::move_step(spec_, i, +1)) changed();
      ctx.track("step-down:" + st.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Move down");
      ImGui::SameLine(0, 4);
      bool removed = false;
      if (ImGui::Button("x", {bw, bw})) removed = true;
      ctx.track("step-remove:" + st.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Remove this step");
      ImGui::Indent();
      // Same-role types (TF-IDF <-> counts, one scaler for another).
      const bool text = role == StepRole::kTextColumns;
      const std::string type = spec_.steps[i].type;
      if (ImGui::BeginCombo("type", type.c_str())) {
        for (const auto& t : pipeline::addable_steps()) {
          if (t.role != role) continue;
          if (ImGui::Selectable(t.type.c_str(), t.type == type) && t.type != type &&
              pipeline::change_step_type(spec_, i, t.type).is_ok()) {
            changed();
          }
          if (text && first_text) ctx.track("vectorizer:" + t.type);
        }
        ImGui::EndCombo();
      }
      ctx.track(text && first_text ? "vectorizer-combo" : "step-type:" + spec_.steps[i].name);
      if (ImGui::TreeNode("parameters")) {
        if (const auto* specs = ml::param_specs_for(spec_.steps[i].type)) {
          if (draw_param_form(ctx, *specs, spec_.steps[i].params)) changed();
        }
        ImGui::TreePop();
      }
      ImGui::Unindent();
      if (role == StepRole::kTextColumns) first_text = false;
      ImGui::PopID();
      if (removed && pipeline::remove_step(spec_, i)) {
        changed();
        break;
      }
    }
    // Add a step: the registry's column steps (by what they read) and matrix steps.
    if (ImGui::BeginCombo("##add-step", "Add step...", ImGuiComboFlags_HeightLargest)) {
      StepRole last = StepRole::kClassifier;
      for (const auto& t : pipeline::addable_steps()) {
        if (t.role != last) {
          ImGui::TextDisabled("on %s", pipeline::step_role_label(t.role));
          last = t.role;
        }
        const std::string label = t.type + "##" + pipeline::step_role_label(t.role);
        if (ImGui::Selectable(label.c_str())) {
          const Status st = pipeline::add_step(spec_, t.type, t.role, d ? &d->table : nullptr);
          if (st.is_ok()) changed();
          else ctx.report_error(st.message());
        }
        ctx.track(std::string("add-step:") + t.type + (pipeline::reads_columns(t.role) ? ":columns" : ""));
      }
      ImGui::EndCombo();
    }
    ctx.track("add-step");
  }

  void draw_estimator(AppContext& ctx) {
    pipeline::StepSpec& est = spec_.steps.back();
    if (ImGui::BeginCombo("estimator", est.type.c_str(), ImGuiComboFlags_HeightLargest)) {
      auto add = [&](const std::vector<std::string>& types, const char* kind) {
        ImGui::TextDisabled("%s", kind);
        for (const auto& t : types) {
          if (ImGui::Selectable(t.c_str(), est.type == t) && est.type != t && pipeline::set_estimator(spec_, t).is_ok()) {
            search_text_for_.clear();
            changed();
          }
          ctx.track("estimator:" + t);
        }
      };
      add(ml::classifier_types(), "classifiers");
      add(ml::regressor_types(), "regressors");
      ImGui::EndCombo();
    }
    ctx.track("estimator-combo");
    if (const auto* specs = ml::param_specs_for(spec_.steps.back().type)) {
      if (draw_param_form(ctx, *specs, spec_.steps.back().params)) changed();
    }
  }

  void draw_search(AppContext& ctx) {
    pipeline::SearchSpec& se = spec_.search;
    if (ImGui::BeginCombo("search", search_label(se.type))) {
      for (const char* t : {"", "grid", "random"}) {
        if (ImGui::Selectable(search_label(t), se.type == t) && se.type != t) {
          if (se.type.empty() || se.param_grid.empty()) {
            se.param_grid = pipeline::default_search_space(spec_.steps.back().type, spec_.steps.back().name);
          }
          se.type = t;
          search_text_for_.clear();
          changed();
        }
        ctx.track(std::string("search:") + search_label(t));
      }
      ImGui::EndCombo();
    }
    ctx.track("search-combo");
    if (se.type.empty()) return;
    const bool random = se.type == "random";
    // The space as JSON text; the spec takes it whenever it parses.
    const std::string current = se.param_grid.dump();
    if (search_text_for_ != current) {
      search_text_ = se.param_grid.dump(1);
      search_text_for_ = current;
    }
    ImGui::TextUnformatted(random ? "param_distributions (JSON)" : "param_grid (JSON)");
    if (ImGui::InputTextMultiline("##search-space", &search_text_, {-FLT_MIN, ImGui::GetTextLineHeight() * 5})) {
      auto space = read_json(search_text_, "search space");
      search_error_ = !space ? space.status().message()
                      : !space->is_object() && !space->is_array() ? "expected a JSON object {\"step__param\": [...]}"
                                                                  : "";
      if (search_error_.empty()) {
        se.param_grid = *space;
        search_text_for_ = se.param_grid.dump();
        changed();
      }
    }
    ctx.track("search-space");
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("JSON: {\"step__param\": [values]}%s", random
                            ? ", or a scipy.stats distribution, e.g. {\"distribution\": \"loguniform\", \"a\": 0.01, \"b\": 100}"
                            : "");
    }
    if (!search_error_.empty()) error_text(search_error_);
    int cv = se.cv;
    if (ImGui::InputInt("cv##search", &cv)) { se.cv = std::clamp(cv, 2, 100); changed(); }
    if (scoring_combo("scoring##search", se.scoring)) changed();
    if (random) {
      int n_iter = se.n_iter;
      if (ImGui::InputInt("n_iter", &n_iter)) { se.n_iter = std::clamp(n_iter, 1, 10000); changed(); }
      int rs = int(se.random_state);
      if (ImGui::InputInt("random_state##search", &rs)) { se.random_state = uint64_t(std::max(0, rs)); changed(); }
    }
  }

  // The task's scorings ("" = the default: accuracy / r2).
  bool scoring_combo(const char* label, std::string& scoring) {
    const auto& options = pipeline::scorings_for(pipeline::is_regression(spec_));
    bool changed_now = false;
    if (ImGui::BeginCombo(label, scoring.empty() ? "(default)" : scoring.c_str())) {
      if (ImGui::Selectable("(default)", scoring.empty())) { scoring.clear(); changed_now = true; }
      for (const auto& sc : options) {
        if (ImGui::Selectable(sc.c_str(), scoring == sc)) { scoring = sc; changed_now = true; }
      }
      ImGui::EndCombo();
    }
    return changed_now;
  }

  // [SECTION] The JSON editor: the same spec; edits apply whenever the text is a valid spec.

  void draw_json_editor(AppContext& ctx) {
    if (json_text_for_ != revision_) {
      json_text_ = pipeline::spec_text(spec_);
      json_text_for_ = revision_;
    }
    if (!json_error_.empty()) {
      error_text(json_error_);
      ctx.track("json-error");
    } else {
      ImGui::TextDisabled("Edits apply as soon as the text is a valid spec.");
    }
    if (ImGui::InputTextMultiline("##spec-json", &json_text_, {-FLT_MIN, -FLT_MIN}, ImGuiInputTextFlags_AllowTabInput)) {
      auto spec = pipeline::parse_pipeline_spec(json_text_);
      if (!spec) {
        json_error_ = spec.status().message();
      } else {
        json_error_.clear();
        spec_ = std::move(spec).value();
        ++revision_;
        json_text_for_ = revision_;  // keep the user's text (and cursor) as typed
        if (LoadedDataset* d = ctx.dataset(); d && d->uri == spec_.dataset_path && !spec_.target.empty()) {
          d->target = spec_.target;
          columns_for_.first = d->target;
        }
      }
    }
    ctx.track("spec-json");
  }

  // [SECTION] State

  void changed() {
    ++revision_;
    json_error_.clear();
  }

  void validate() {
    if (validated_for_ == revision_) return;
    validated_for_ = revision_;
    auto r = pipeline::parse_pipeline_spec(pipeline::pipeline_spec_to_json(spec_));
    spec_error_ = r ? "" : r.status().message();
  }

  bool can_train(AppContext& ctx) const {
    const LoadedDataset* d = ctx.dataset();
    return d && !d->target.empty() && !ctx.jobs().busy() && spec_error_.empty() && search_error_.empty() &&
           json_error_.empty();
  }

  void train(AppContext& ctx) { ctx.start_train(pipeline::pipeline_spec_to_json(spec_).dump(), "web"); }

  static std::string join_columns(const std::vector<std::string>& cols) {
    std::string out;
    for (size_t i = 0; i < cols.size() && i < 4; ++i) out += (i ? ", " : "") + cols[i];
    if (cols.size() > 4) out += ", +" + std::to_string(cols.size() - 4);
    return out;
  }

  PipelineSpec spec_;
  uint64_t revision_ = 1;       // grows with every change of spec_
  uint64_t validated_for_ = 0;  // the revision spec_error_ was computed for
  std::string spec_error_;      // why the spec cannot train ("" when it can)
  std::string built_for_;       // the dataset uri the spec was built for
  std::pair<std::string, std::set<std::string>> columns_for_;  // target and exclusions it follows
  // The search space's text and the space it shows (re-read when the spec's space changes).
  std::string search_text_, search_text_for_, search_error_;
  // The JSON tab's text, the revision it shows, and why the text is not a valid spec.
  std::string json_text_, json_error_;
  uint64_t json_text_for_ = 0;
  // A spec file picked with "Load spec...", adopted in the next update().
  std::string pending_spec_name_, pending_spec_;
};

}  // namespace

std::unique_ptr<View> make_pipeline_view() { return std::make_unique<PipelineView>(); }

}  // namespace mllab::app

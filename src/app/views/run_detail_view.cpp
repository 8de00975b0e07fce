// Run detail: the selected run in tabs that fit a third of the window. Summary (metrics with
// last / min / max and a metric-by-step chart, the confusion-matrix heatmap, the classification
// report, params), Charts (ROC curve, feature importances, search results), Artifacts (listed,
// viewed, downloaded, uploaded), Tags & note (add, edit, delete), Inputs (linking to the
// dataset version in the Data workspace).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "app/charts/charts.hpp"
#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/data/csv.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::app {
namespace {

using json = nlohmann::json;

void key_value_table(const char* id, const std::map<std::string, std::string>& kv) {
  if (ImGui::BeginTable(id, 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp)) {
    for (const auto& [k, v] : kv) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(k.c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::TextWrapped("%s", v.c_str());
    }
    ImGui::EndTable();
  }
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

using data::parse_number;  // a whole field as a finite number (core/data/csv)

std::string media_type_for(const std::string& name) {
  auto ends = [&](const char* e) {
    const size_t n = std::strlen(e);
    if (name.size() < n) return false;
    std::string tail = name.substr(name.size() - n);
    std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return tail == e;
  };
  if (ends(".json")) return "application/json";
  if (ends(".txt") || ends(".log") || ends(".md")) return "text/plain";
  if (ends(".csv")) return "text/csv";
  if (ends(".png")) return "image/png";
  if (ends(".jpg") || ends(".jpeg")) return "image/jpeg";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// Width x height from a PNG's IHDR chunk (0 x 0 if the bytes are not a PNG).
std::pair<int, int> png_size(const std::string& b) {
  if (b.size() < 24 || b.compare(1, 3, "PNG") != 0) return {0, 0};
  auto be = [&](size_t o) {
    return int((unsigned char)b[o] << 24 | (unsigned char)b[o + 1] << 16 | (unsigned char)b[o + 2] << 8 | (unsigned char)b[o + 3]);
  };
  return {be(16), be(20)};
}

bool is_system_tag(const std::string& k) { return k.rfind("mlflow.", 0) == 0 || k.rfind("mllab.", 0) == 0; }

struct MetricStats {
  double last = 0, min = 0, max = 0;
  size_t n = 0;
  std::vector<double> steps, values;
};

// What the view shows of one run, reloaded when the run or the store changes.
struct RunData {
  std::string run_id;
  uint64_t revision = ~0ull;
  std::map<std::string, MetricStats> metrics;
  json confusion, roc, importances;
  std::string report;
  // Search results: candidates' varying numeric params and their mean_test_score.
  std::vector<std::string> search_params;
  std::map<std::string, std::vector<double>> search_values;
  std::vector<double> search_scores;
  std::vector<std::string> search_names;
};

class RunDetailView : public View {
 public:
  const char* title() const override { return "Run"; }

  void draw(AppContext& ctx) override {
    const tracking::Run* run = nullptr;
    for (const auto& r : ctx.runs()) {
      if (r.run_id == ctx.selection.run_id) run = &r;
    }
    shown_run_.clear();
    if (!run) {
      empty_state(ctx.runs().empty() ? "No runs yet: pick a dataset and press Train." : "Select a run in the Runs table.");
      return;
    }
    shown_run_ = run->run_id;
    load(ctx, *run);
    apply_pending_upload(ctx, *run);

    ImGui::Text("%s", run->run_name.c_str());
    ctx.track("detail-title");
    ImGui::TextDisabled("run_id %s", run->run_id.c_str());
    ImGui::Text("Status: %s", tracking::run_status_name(run->status));
    if (auto it = run->tags.find("mllab.error"); it != run->tags.end()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.45f, 0.45f, 1));
      ImGui::TextWrapped("Error: %s", it->second.c_str());
      ImGui::PopStyleColor();
    }
    if (ImGui::BeginTabBar("##run-tabs")) {
      tab(ctx, "Summary", [&] { draw_summary(ctx, *run); });
      tab(ctx, "Charts", [&] { draw_charts(ctx, *run); });
      tab(ctx, "Artifacts", [&] { draw_artifacts(ctx, *run); });
      tab(ctx, "Tags", [&] { draw_tags(ctx, *run); });
      tab(ctx, "Inputs", [&] { draw_inputs(ctx, *run); });
      ImGui::EndTabBar();
    }
  }

  void describe(json& ui) const override {
    json d = {{"run_id", shown_run_}, {"tab", tab_}, {"artifact", artifact_}, {"artifact_view", artifact_view_.substr(0, 2000)},
              {"top_n", top_n_}, {"metric", metric_}};
    json m = json::object();
    for (const auto& [k, s] : data_.metrics) m[k] = {{"last", s.last}, {"min", s.min}, {"max", s.max}, {"n", s.n}};
    d["metrics"] = m;
    d["search_params"] = data_.search_params;
    d["charts"] = charts::describe("rd-");
    ui["runDetail"] = d;
  }

 private:
  template <typename F>
  void tab(AppContext& ctx, const char* name, F&& body) {
    const bool open = ImGui::BeginTabItem(name);
    ctx.track(std::string("rd-tab:") + name);
    if (open) {
      tab_ = name;
      ImGui::BeginChild("##tab-body", {0, 0}, false);
      body();
      ImGui::EndChild();
      ImGui::EndTabItem();
    }
  }

  void load(AppContext& ctx, const tracking::Run& run) {
    if (data_.run_id == run.run_id && data_.revision == ctx.revision()) return;
    if (data_.run_id != run.run_id) {
      artifact_.clear();
      artifact_view_.clear();
      note_loaded_for_.clear();
      edits_.clear();
    }
    RunData d;
    d.run_id = run.run_id;
    d.revision = ctx.revision();
    auto& tr = ctx.lab().tracking();
    for (const auto& [key, latest] : run.metrics) {
      MetricStats s;
      for (const auto& p : tr.get_metric_history(run.run_id, key)) {
        if (s.n == 0) s.min = s.max = p.value;
        s.min = std::min(s.min, p.value);
        s.max = std::max(s.max, p.value);
        s.steps.push_back(double(p.step));
        s.values.push_back(p.value);
        ++s.n;
      }
      s.last = latest.value;
      if (s.n == 0) s.min = s.max = latest.value, s.n = 1;
      d.metrics[key] = std::move(s);
    }
    auto artifact_json = [&](const char* path) {
      auto bytes = tr.get_artifact(run.run_id, path);
      if (!bytes) return json();
      auto parsed = read_json(*bytes, path);
      return parsed ? std::move(parsed).value() : json();
    };
    d.confusion = artifact_json("confusion_matrix.json");
    d.roc = artifact_json("roc_curve.json");
    d.importances = artifact_json("feature_importances.json");
    if (auto rep = tr.get_artifact(run.run_id, "classification_report.txt")) d.report = *rep;
    // Search candidates: child runs with a search_candidate param.
    std::vector<tracking::Run> cands;
    for (auto& c : tr.child_runs(run.run_id))
      if (c.params.count("search_candidate")) cands.push_back(std::move(c));
    if (!cands.empty()) {
      std::map<std::string, std::set<std::string>> distinct;
      for (const auto& c : cands)
        for (const auto& [k, v] : c.params) distinct[k].insert(v);
      for (const auto& [k, vals] : distinct) {
        if (k == "search_candidate" || vals.size() < 2) continue;
        bool numeric = true;
        double x;
        for (const auto& v : vals) numeric = numeric && parse_number(v, &x);
        if (numeric) d.search_params.push_back(k);
      }
      for (const auto& c : cands) {
        auto it = c.metrics.find("mean_test_score");
        d.search_scores.push_back(it == c.metrics.end() ? NAN : it->second.value);
        d.search_names.push_back(c.run_name);
        for (const auto& k : d.search_params) {
          double v = NAN;
          auto pv = c.params.find(k);
          if (pv != c.params.end()) parse_number(pv->second, &v);
          d.search_values[k].push_back(v);
        }
      }
    }
    data_ = std::move(d);
    if (metric_.empty() || !data_.metrics.count(metric_)) {
      metric_.clear();
      for (const auto& [k, s] : data_.metrics)
        if (s.n > 1 && metric_.empty()) metric_ = k;
    }
    if (search_param_.empty() || !data_.search_values.count(search_param_))
      search_param_ = data_.search_params.empty() ? "" : data_.search_params.front();
  }

  void draw_summary(AppContext& ctx, const tracking::Run& run) {
    if (ImGui::CollapsingHeader("Metrics", ImGuiTreeNodeFlags_DefaultOpen)) {
      if (data_.metrics.empty()) ImGui::TextDisabled("No metrics logged.");
      else if (ImGui::BeginTable("##metrics", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthStretch, 2.0f);
        ImGui::TableSetupColumn("last");
        ImGui::TableSetupColumn("min");
        ImGui::TableSetupColumn("max");
        ImGui::TableHeadersRow();
        for (const auto& [k, s] : data_.metrics) {
          ImGui::TableNextRow();
          ImGui::TableSetColumnIndex(0);
          if (s.n > 1) {
            if (ImGui::Selectable((k + "##m").c_str(), metric_ == k, ImGuiSelectableFlags_SpanAllColumns)) metric_ = k;
            ctx.track("rd-metric:" + k);
          } else {
            ImGui::TextUnformatted(k.c_str());
          }
          ImGui::TableSetColumnIndex(1);
          ImGui::TextUnformatted(fmt(s.last).c_str());
          ImGui::TableSetColumnIndex(2);
          if (s.n > 1) ImGui::TextUnformatted(fmt(s.min).c_str());
          ImGui::TableSetColumnIndex(3);
          if (s.n > 1) ImGui::TextUnformatted(fmt(s.max).c_str());
        }
        ImGui::EndTable();
      }
      if (!metric_.empty()) {
        const auto& s = data_.metrics.at(metric_);
        const bool folds = metric_.rfind("cv_", 0) == 0;
        charts::line_chart("rd-metric", {{metric_, s.steps, s.values}},
                           {folds ? "fold" : metric_.rfind("search_", 0) == 0 ? "candidate" : "step", metric_}, {0, 180});
        ctx.track("rd-metric-chart");
      } else if (!data_.metrics.empty()) {
        ImGui::TextDisabled("Every metric has one value; metrics by step come with cross-validation or a search.");
      }
    }
    ImGui::PushFont(ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr);
    if (ImGui::CollapsingHeader("Confusion matrix", ImGuiTreeNodeFlags_DefaultOpen)) {
      const json& j = data_.confusion;
      if (j.is_object() && j.contains("matrix") && j["matrix"].is_array() && !j["matrix"].empty()) {
        std::vector<std::vector<double>> cells;
        std::vector<std::string> labels;
        for (const auto& row : j["matrix"]) {
          cells.emplace_back();
          for (const auto& v : row) cells.back().push_back(v.is_number() ? v.get<double>() : NAN);
        }
        if (j.contains("labels"))
          for (const auto& l : j["labels"]) labels.push_back(l.is_string() ? l.get<std::string>() : l.dump());
        charts::heatmap("rd-cm", cells, labels, labels, {"predicted", "true"});
        ctx.track("rd-cm");
      } else {
        ImGui::TextDisabled("No confusion matrix (a classification run that finished has one).");
      }
    }
    if (ImGui::CollapsingHeader("Classification report", ImGuiTreeNodeFlags_DefaultOpen)) {
      if (!data_.report.empty()) ImGui::TextUnformatted(data_.report.c_str());
      else ImGui::TextDisabled("no report");
      ctx.track("report");
    }
    ImGui::PopFont();
    if (ImGui::CollapsingHeader("Params", ImGuiTreeNodeFlags_DefaultOpen)) key_value_table("##params", run.params);
  }

  void draw_charts(AppContext& ctx, const tracking::Run&) {
    if (ImGui::CollapsingHeader("ROC curve", ImGuiTreeNodeFlags_DefaultOpen)) {
      const json& r = data_.roc;
      if (r.is_object() && r.contains("fpr") && r.contains("tpr")) {
        std::vector<double> fpr, tpr;
        for (const auto& v : r["fpr"]) fpr.push_back(v.is_number() ? v.get<double>() : NAN);
        for (const auto& v : r["tpr"]) tpr.push_back(v.is_number() ? v.get<double>() : NAN);
        std::string name = "ROC";
        if (auto it = data_.metrics.find("roc_auc"); it != data_.metrics.end()) name += " (AUC " + fmt(it->second.last) + ")";
        charts::line_chart("rd-roc", {{name, fpr, tpr}, {"chance", {0, 1}, {0, 1}}}, {"false positive rate", "true positive rate"}, {0, 260});
        ctx.track("rd-roc");
      } else {
        ImGui::TextDisabled("No ROC curve: binary classification runs log roc_curve.json.");
      }
    }
    if (ImGui::CollapsingHeader("Feature importances", ImGuiTreeNodeFlags_DefaultOpen)) {
      const json& im = data_.importances;
      if (im.is_array() && !im.empty()) {
        ImGui::SetNextItemWidth(160);
        ImGui::SliderInt("top N##imp", &top_n_, 3, 50);
        ctx.track("rd-top-n");
        std::vector<std::pair<std::string, double>> rows;
        for (const auto& r : im)
          if (r.is_object() && r.contains("feature") && r.contains("importance") && r["importance"].is_number())
            rows.emplace_back(r["feature"].is_string() ? r["feature"].get<std::string>() : r["feature"].dump(), r["importance"].get<double>());
        std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        if (rows.size() > size_t(top_n_)) rows.resize(size_t(top_n_));
        std::vector<std::string> labels;
        std::vector<double> values;
        for (auto& [f, v] : rows) labels.push_back(f), values.push_back(v);
        charts::bar_chart("rd-imp", labels, values, {"importance", ""}, {}, true);
        ctx.track("rd-imp");
      } else {
        ImGui::TextDisabled("No feature importances: tree ensembles log feature_importances.json.");
      }
    }
    if (ImGui::CollapsingHeader("Search results", ImGuiTreeNodeFlags_DefaultOpen)) {
      if (data_.search_scores.empty()) {
        ImGui::TextDisabled("No search: runs with a grid or random search have one nested run per candidate.");
      } else if (data_.search_params.empty()) {
        ImGui::TextDisabled("The candidates' searched parameters are not numeric.");
      } else {
        if (data_.search_params.size() > 1) {
          ImGui::SetNextItemWidth(220);
          if (ImGui::BeginCombo("parameter##search", search_param_.c_str())) {
            for (const auto& p : data_.search_params)
              if (ImGui::Selectable(p.c_str(), p == search_param_)) search_param_ = p;
            ImGui::EndCombo();
          }
        }
        const auto& xs = data_.search_values.at(search_param_);
        charts::scatter_chart("rd-search", {{"candidates", xs, data_.search_scores}}, {search_param_, "mean_test_score"}, {0, 220},
                              data_.search_names);
        ctx.track("rd-search");
      }
    }
  }

  void draw_artifacts(AppContext& ctx, const tracking::Run& run) {
    if (ImGui::Button("Upload a file as an artifact...")) {
      pick_file("", [this, id = run.run_id](const std::string& name, std::string bytes) {
        pending_upload_ = {id, name, std::move(bytes)};
        has_pending_upload_ = true;
      });
    }
    ctx.track("rd-upload");
    if (run.artifacts.empty()) {
      ImGui::TextDisabled("No artifacts yet: upload one, or train a run.");
      return;
    }
    if (ImGui::BeginTable("##artifacts", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
      ImGui::TableSetupColumn("path", ImGuiTableColumnFlags_WidthStretch, 3.0f);
      ImGui::TableSetupColumn("size", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableHeadersRow();
      for (const auto& a : run.artifacts) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (ImGui::Selectable(a.path.c_str(), artifact_ == a.path)) open_artifact(ctx, run, a);
        ctx.track("artifact:" + a.path);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\nsha256 %s", a.media_type.c_str(), a.sha256.c_str());
        ImGui::TableSetColumnIndex(1);
        ImGui::TextDisabled("%s", human_size(a.file_size).c_str());
        ImGui::TableSetColumnIndex(2);
        ImGui::PushID(a.path.c_str());
        if (ImGui::SmallButton("Download")) {
          auto bytes = ctx.lab().tracking().get_artifact(run.run_id, a.path);
          if (!bytes) ctx.report_error("Could not read artifact '" + a.path + "': " + bytes.status().message());
          else download_file(a.path.substr(a.path.find_last_of('/') + 1), *bytes, a.media_type);
        }
        ctx.track("artifact-download:" + a.path);
        ImGui::PopID();
      }
      ImGui::EndTable();
    }
    if (!artifact_.empty()) {
      ImGui::Separator();
      ImGui::TextDisabled("%s", artifact_.c_str());
      ImGui::PushFont(ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr);
      ImGui::BeginChild("##artifact-view", {0, 0}, true, ImGuiWindowFlags_HorizontalScrollbar);
      ImGui::TextUnformatted(artifact_view_.c_str());
      ImGui::EndChild();
      ImGui::PopFont();
    }
  }

  static std::string human_size(int64_t n) {
    char buf[32];
    if (n < 1024) std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(n));
    else if (n < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KB", double(n) / 1024);
    else std::snprintf(buf, sizeof buf, "%.1f MB", double(n) / (1024 * 1024));
    return buf;
  }

  void open_artifact(AppContext& ctx, const tracking::Run& run, const tracking::ArtifactInfo& a) {
    artifact_ = a.path;
    auto bytes = ctx.lab().tracking().get_artifact(run.run_id, a.path);
    if (!bytes) {
      artifact_view_ = "Could not read it: " + bytes.status().message();
      return;
    }
    const std::string& b = *bytes;
    const std::string type = a.media_type.empty() ? media_type_for(a.path) : a.media_type;
    if (type.rfind("image/", 0) == 0) {
      auto [w, h] = png_size(b);
      artifact_view_ = type + ", " + human_size(int64_t(b.size())) +
                       (w > 0 ? ", " + std::to_string(w) + " x " + std::to_string(h) + " px" : std::string()) +
                       "\nImages are not drawn here: press Download to open it.";
    } else if (type == "application/json") {
      auto parsed = read_json(b, a.path);
      artifact_view_ = parsed ? parsed->dump(2) : "Not valid JSON: " + parsed.status().message() + "\n\n" + b.substr(0, 20000);
    } else if (type.rfind("text/", 0) == 0 || std::none_of(b.begin(), b.end(), [](char c) { return c == '\0'; })) {
      artifact_view_ = b.size() > 200000 ? b.substr(0, 200000) + "\n... (" + human_size(int64_t(b.size())) + "; download for the rest)" : b;
    } else {
      artifact_view_ = type + ", " + human_size(int64_t(b.size())) + " of binary data: press Download to open it.";
    }
    // ImGui's text functions stop at a NUL byte.
    std::replace(artifact_view_.begin(), artifact_view_.end(), '\0', ' ');
  }

  void apply_pending_upload(AppContext& ctx, const tracking::Run& run) {
    if (!has_pending_upload_) return;
    has_pending_upload_ = false;
    PendingUpload up = std::move(pending_upload_);
    if (up.run_id != run.run_id) {
      ctx.report_error("The file '" + up.name + "' was picked for another run; it was not stored.");
      return;
    }
    std::string path = up.name.substr(up.name.find_last_of("/\\") + 1);
    if (path.empty()) path = "upload";
    path = "uploads/" + path;
    tracking::RunData data;
    data.artifacts.push_back({{path, media_type_for(path), 0, ""}, std::move(up.bytes)});
    Status st = ctx.lab().tracking().log_batch(run.run_id, data);
    if (!st.is_ok()) ctx.report_error("Could not store '" + up.name + "' as an artifact of run " + run.run_name + ": " + st.message());
    else artifact_ = path, artifact_view_.clear();
  }

  void draw_tags(AppContext& ctx, const tracking::Run& run) {
    auto& tr = ctx.lab().tracking();
    // The note (MLflow's mlflow.note.content).
    if (note_loaded_for_ != run.run_id) {
      auto it = run.tags.find(tracking::kNoteTag);
      set_buf(note_, it == run.tags.end() ? "" : it->second);
      note_loaded_for_ = run.run_id;
    }
    ImGui::TextUnformatted("Note");
    ImGui::InputTextMultiline("##note", note_.data(), note_.size(), {-1, ImGui::GetTextLineHeight() * 5});
    ctx.track("rd-note");
    if (ImGui::Button("Save note")) {
      Status st = tr.set_tag(run.run_id, tracking::kNoteTag, note_.data());
      if (!st.is_ok()) ctx.report_error("Could not save the note of run " + run.run_name + ": " + st.message());
    }
    ctx.track("rd-note-save");
    ImGui::Separator();
    ImGui::TextUnformatted("Tags");
    std::string to_delete;
    if (ImGui::BeginTable("##tags", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
      ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthStretch, 1.0f);
      ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch, 1.4f);
      ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
      for (const auto& [k, v] : run.tags) {
        if (k == tracking::kNoteTag) continue;
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (is_system_tag(k)) ImGui::TextDisabled("%s", k.c_str());
        else ImGui::TextUnformatted(k.c_str());
        ImGui::TableSetColumnIndex(1);
        if (is_system_tag(k)) {
          ImGui::TextWrapped("%s", v.c_str());
          continue;
        }
        auto& buf = edits_[k];
        if (editing_ != k) set_buf(buf, v);  // the stored value, unless this field is being edited
        ImGui::PushID(k.c_str());
        ImGui::SetNextItemWidth(-1);
        if (ImGui::InputText("##v", buf.data(), buf.size(), ImGuiInputTextFlags_EnterReturnsTrue)) {
          Status st = tr.set_tag(run.run_id, k, buf.data());
          if (!st.is_ok()) ctx.report_error("Could not set tag '" + k + "': " + st.message());
          editing_.clear();
        }
        if (ImGui::IsItemActive()) editing_ = k;
        else if (editing_ == k) editing_.clear();
        ctx.track("rd-tag-value:" + k);
        ImGui::TableSetColumnIndex(2);
        if (ImGui::SmallButton("Delete")) to_delete = k;
        ctx.track("rd-tag-delete:" + k);
        ImGui::PopID();
      }
      ImGui::EndTable();
    }
    if (!to_delete.empty()) {
      Status st = tr.delete_tag(run.run_id, to_delete);
      if (!st.is_ok()) ctx.report_error("Could not delete tag '" + to_delete + "': " + st.message());
    }
    ImGui::TextDisabled("Add a tag (Enter in the value adds it):");
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.4f);
    ImGui::InputTextWithHint("##new-key", "key", new_key_.data(), new_key_.size());
    ctx.track("rd-tag-new-key");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.6f);
    bool add = ImGui::InputTextWithHint("##new-value", "value", new_value_.data(), new_value_.size(), ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.track("rd-tag-new-value");
    ImGui::SameLine();
    add = ImGui::Button("Add tag") || add;
    ctx.track("rd-tag-add");
    if (!tag_error_.empty()) error_text(tag_error_);
    if (add) {
      const std::string key = new_key_.data();
      tag_error_.clear();
      if (key.empty()) tag_error_ = "A tag needs a key.";
      else if (is_system_tag(key)) tag_error_ = "Keys starting with mlflow. or mllab. are set by the lab; pick another key.";
      else {
        Status st = tr.set_tag(run.run_id, key, new_value_.data());
        if (!st.is_ok()) tag_error_ = "Could not set tag '" + key + "': " + st.message();
        else set_buf(new_key_, ""), set_buf(new_value_, "");
      }
    }
  }

  void draw_inputs(AppContext& ctx, const tracking::Run& run) {
    if (run.inputs.empty()) {
      ImGui::TextDisabled("This run recorded no dataset inputs.");
      return;
    }
    const auto& stored = ctx.stored_datasets();
    for (size_t i = 0; i < run.inputs.size(); ++i) {
      const auto& in = run.inputs[i];
      ImGui::PushID(int(i));
      ImGui::Text("%s  (%s)", in.name.c_str(), in.context.c_str());
      ImGui::TextDisabled("%lld rows, sha256 %s..., %s %s", static_cast<long long>(in.num_rows), in.digest.substr(0, 12).c_str(),
                          in.source_type.c_str(), in.source.c_str());
      // The stored dataset version with this content, else the run's dataset path (built-ins).
      std::string uri, label;
      int version = 0;
      for (const auto& rec : stored)
        for (const auto& v : rec.versions)
          if (v.digest == in.digest) uri = datasets::dataset_uri(rec.name), version = v.version, label = rec.name + " v" + std::to_string(v.version);
      if (uri.empty()) {
        auto it = run.params.find("dataset");
        if (it != run.params.end() && it->second.rfind("datasets:/", 0) != 0) uri = it->second, label = it->second;
      }
      if (!uri.empty()) {
        if (ImGui::Button(("Open " + label + " in Data").c_str())) {
          ctx.select_dataset(uri);
          ctx.selection.dataset_version = version;
          if (!ctx.dataset_error().empty()) ctx.report_error("Could not open dataset " + label + ": " + ctx.dataset_error());
          else ctx.go_to(Workspace::kData);
        }
        ctx.track("rd-input:" + in.name);
      } else {
        ImGui::TextDisabled("That dataset version is no longer stored.");
      }
      ImGui::Separator();
      ImGui::PopID();
    }
  }

  static void set_buf(std::vector<char>& buf, const std::string& s) {
    if (buf.size() < s.size() + 1) buf.resize(std::max<size_t>(s.size() + 1, 256));
    std::memcpy(buf.data(), s.c_str(), s.size() + 1);
  }

  struct PendingUpload {
    std::string run_id, name, bytes;
  };

  RunData data_;
  std::string shown_run_, tab_ = "Summary", metric_, search_param_, artifact_, artifact_view_;
  int top_n_ = 15;
  std::vector<char> note_ = std::vector<char>(8192, '\0');
  std::string note_loaded_for_;
  std::map<std::string, std::vector<char>> edits_;
  std::string editing_;
  std::vector<char> new_key_ = std::vector<char>(256, '\0'), new_value_ = std::vector<char>(1024, '\0');
  std::string tag_error_;
  PendingUpload pending_upload_;
  bool has_pending_upload_ = false;
};

}  // namespace

std::unique_ptr<View> make_run_detail_view() { return std::make_unique<RunDetailView>(); }

}  // namespace mllab::app

// Compare: the runs of ctx.selection.compare (2-20) side by side. A table with params and
// metrics as rows and runs as columns ("only differences" on by default), metric curves
// overlaid (metric history per run), two scatters of a parameter against a metric, and
// parallel coordinates over the varying numeric params and a chosen metric.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "app/charts/charts.hpp"
#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/data/csv.hpp"

namespace mllab::app {
namespace {

using json = nlohmann::json;
constexpr size_t kMaxCompare = 20;

using data::parse_number;  // a whole field as a finite number (core/data/csv)

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

struct Row {
  std::string kind;  // "param" | "metric"
  std::string key;
  std::vector<std::string> values;  // one per run ("" = not logged)
  bool differs = false;
};

// What the view shows for one selection, reloaded when the selection or the store changes.
struct CompareData {
  std::vector<std::string> ids;
  uint64_t revision = ~0ull;
  std::vector<tracking::Run> runs;
  std::vector<Row> rows;
  std::vector<std::string> numeric_params;  // varying and numeric in every run that has them
  std::vector<std::string> metrics;         // logged by any run
  std::vector<std::string> curve_metrics;   // with more than one point in some run
  // metric history per metric, per run: (steps, values)
  std::map<std::string, std::vector<std::pair<std::vector<double>, std::vector<double>>>> history;
};

class CompareView : public View {
 public:
  const char* title() const override { return "Compare"; }

  void draw(AppContext& ctx) override {
    load(ctx);
    draw_picker(ctx);
    if (data_.runs.size() < 2) {
      empty_state(
          "Select 2 to 20 runs to compare: tick them in the Runs table (Runs workspace), or pick them under "
          "\"Choose runs\" above.");
      return;
    }
    ImGui::Checkbox("Only differences", &only_diff_);
    ctx.track("cmp-only-diff");
    ImGui::SameLine();
    ImGui::TextDisabled("%zu runs", data_.runs.size());
    if (ImGui::BeginTabBar("##cmp-tabs")) {
      tab(ctx, "Table", [&] { draw_table(ctx); });
      tab(ctx, "Curves", [&] { draw_curves(ctx); });
      tab(ctx, "Scatter", [&] { draw_scatter(ctx); });
      tab(ctx, "Parallel", [&] { draw_parallel(ctx); });
      ImGui::EndTabBar();
    }
  }

  void describe(json& ui) const override {
    json rows = json::array();
    for (const auto& r : data_.rows) {
      if (only_diff_ && !r.differs) continue;
      rows.push_back({{"kind", r.kind}, {"key", r.key}, {"values", r.values}, {"differs", r.differs}});
    }
    json ids = json::array();
    for (const auto& r : data_.runs) ids.push_back(r.run_id);
    ui["compare"] = {{"runs", ids}, {"only_differences", only_diff_}, {"rows", rows}, {"tab", tab_},
                     {"numeric_params", data_.numeric_params}, {"curve_metric", curve_metric_},
                     {"scatter", json::array({{scatter_[0].param, scatter_[0].metric}, {scatter_[1].param, scatter_[1].metric}})},
                     {"parallel_metric", parallel_metric_}, {"charts", charts::describe("cmp-")}};
  }

 private:
  template <typename F>
  void tab(AppContext& ctx, const char* name, F&& body) {
    const bool open = ImGui::BeginTabItem(name);
    ctx.track(std::string("cmp-tab:") + name);
    if (open) {
      tab_ = name;
      ImGui::BeginChild("##cmp-body", {0, 0}, false, ImGuiWindowFlags_HorizontalScrollbar);
      body();
      ImGui::EndChild();
      ImGui::EndTabItem();
    }
  }

  // Runs can be ticked here too: the top-level runs, newest first.
  void draw_picker(AppContext& ctx) {
    auto& sel = ctx.selection.compare;
    const bool open = ImGui::CollapsingHeader("Choose runs", ImGuiTreeNodeFlags_DefaultOpen);
    ctx.track("cmp-choose");
    if (!open) return;
    int listed = 0;
    for (const auto& r : ctx.runs()) listed += !r.tags.count("mlflow.parentRunId") && r.lifecycle_stage == "active";
    const float row_h = ImGui::GetFrameHeightWithSpacing();
    ImGui::BeginChild("##cmp-picker", {0, row_h * float(std::clamp(listed, 1, 7)) + ImGui::GetStyle().WindowPadding.y * 2}, true);
    if (listed == 0) ImGui::TextDisabled("No runs yet: pick a dataset and press Train.");
    for (const auto& r : ctx.runs()) {
      if (r.tags.count("mlflow.parentRunId") || r.lifecycle_stage != "active") continue;
      bool on = std::find(sel.begin(), sel.end(), r.run_id) != sel.end();
      const bool full = sel.size() >= kMaxCompare && !on;
      if (full) ImGui::BeginDisabled();
      if (ImGui::Checkbox((r.run_name + "##" + r.run_id).c_str(), &on)) {
        if (on) sel.push_back(r.run_id);
        else sel.erase(std::remove(sel.begin(), sel.end(), r.run_id), sel.end());
      }
      if (full) ImGui::EndDisabled();
      ctx.track("cmp-pick:" + r.run_name);
      ImGui::SameLine();
      ImGui::TextDisabled("%s", tracking::run_status_name(r.status));
    }
    ImGui::EndChild();
    if (sel.size() >= kMaxCompare) ImGui::TextDisabled("At most %zu runs at once.", kMaxCompare);
  }

  void load(AppContext& ctx) {
    std::vector<std::string> ids;
    for (const auto& id : ctx.selection.compare)
      if (ids.size() < kMaxCompare && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    if (ids == data_.ids && data_.revision == ctx.revision()) return;
    CompareData d;
    d.ids = ids;
    d.revision = ctx.revision();
    for (const auto& id : ids)
      for (const auto& r : ctx.runs())
        if (r.run_id == id) d.runs.push_back(r);
    const size_t n = d.runs.size();
    std::set<std::string> pkeys, mkeys;
    for (const auto& r : d.runs) {
      for (const auto& [k, v] : r.params) pkeys.insert(k);
      for (const auto& [k, v] : r.metrics) mkeys.insert(k);
    }
    auto add_row = [&](const char* kind, const std::string& key, auto&& value_of) {
      Row row{kind, key, {}, false};
      for (const auto& r : d.runs) row.values.push_back(value_of(r));
      for (size_t i = 1; i < n; ++i) row.differs = row.differs || row.values[i] != row.values[0];
      d.rows.push_back(std::move(row));
    };
    for (const auto& k : pkeys) {
      add_row("param", k, [&](const tracking::Run& r) {
        auto it = r.params.find(k);
        return it == r.params.end() ? std::string() : it->second;
      });
      const Row& row = d.rows.back();
      // An axis for a param with at least two different numeric values (and no text ones).
      bool numeric = true;
      std::set<double> distinct;
      for (const auto& v : row.values) {
        double x;
        if (v.empty()) continue;
        numeric = numeric && parse_number(v, &x);
        if (numeric) distinct.insert(x);
      }
      if (numeric && distinct.size() >= 2) d.numeric_params.push_back(k);
    }
    for (const auto& k : mkeys) {
      add_row("metric", k, [&](const tracking::Run& r) {
        auto it = r.metrics.find(k);
        return it == r.metrics.end() ? std::string() : fmt(it->second.value);
      });
      d.metrics.push_back(k);
      auto& hist = d.history[k];
      bool curve = false;
      for (const auto& r : d.runs) {
        std::vector<double> xs, ys;
        if (r.metrics.count(k))
          for (const auto& p : ctx.lab().tracking().get_metric_history(r.run_id, k)) xs.push_back(double(p.step)), ys.push_back(p.value);
        curve = curve || xs.size() > 1;
        hist.emplace_back(std::move(xs), std::move(ys));
      }
      if (curve) d.curve_metrics.push_back(k);
    }
    data_ = std::move(d);
    auto pick = [&](std::string& cur, const std::vector<std::string>& options, std::vector<std::string> preferred) {
      if (std::find(options.begin(), options.end(), cur) != options.end()) return;
      cur.clear();
      for (const auto& p : preferred)
        if (cur.empty() && std::find(options.begin(), options.end(), p) != options.end()) cur = p;
      if (cur.empty() && !options.empty()) cur = options.front();
    };
    const std::vector<std::string> good = {"accuracy", "r2", "f1_score", "roc_auc"};
    pick(curve_metric_, data_.curve_metrics, {});
    pick(parallel_metric_, data_.metrics, good);
    for (int i = 0; i < 2; ++i) {
      pick(scatter_[i].metric, data_.metrics, i == 0 ? good : std::vector<std::string>{"train_accuracy", "log_loss", "rmse"});
      std::vector<std::string> pref;
      if (data_.numeric_params.size() > size_t(i)) pref.push_back(data_.numeric_params[size_t(i)]);
      pick(scatter_[i].param, data_.numeric_params, pref);
    }
  }

  void draw_table(AppContext& ctx) {
    const size_t n = data_.runs.size();
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("##cmp-table", int(n) + 1, flags, {0, 0})) return;
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("");
    for (const auto& r : data_.runs) ImGui::TableSetupColumn(r.run_name.c_str());
    ImGui::TableHeadersRow();
    int shown = 0;
    std::string kind;
    for (const auto& row : data_.rows) {
      if (only_diff_ && !row.differs) continue;
      if (row.kind != kind) {
        kind = row.kind;
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextDisabled("%s", kind == "param" ? "PARAMS" : "METRICS");
      }
      ++shown;
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(row.key.c_str());
      // The best metric value per row is highlighted (higher is better unless it is a loss / error).
      int best = -1;
      if (row.kind == "metric" && row.differs) {
        const bool lower = row.key.find("loss") != std::string::npos || row.key.find("rmse") != std::string::npos ||
                           row.key.find("error") != std::string::npos || row.key.find("_std") != std::string::npos;
        double bv = 0;
        for (size_t i = 0; i < n; ++i) {
          double v;
          if (!parse_number(row.values[i], &v)) continue;
          if (best < 0 || (lower ? v < bv : v > bv)) best = int(i), bv = v;
        }
      }
      for (size_t i = 0; i < n; ++i) {
        ImGui::TableSetColumnIndex(int(i) + 1);
        if (row.values[i].empty()) ImGui::TextDisabled("-");
        else if (int(i) == best) ImGui::TextColored(ImVec4(0.35f, 0.75f, 0.4f, 1), "%s", row.values[i].c_str());
        else ImGui::TextUnformatted(row.values[i].c_str());
      }
    }
    ImGui::EndTable();
    ctx.track("cmp-table");
    if (shown == 0) ImGui::TextDisabled("These runs have the same params and metrics; untick \"Only differences\" to see them.");
  }

  static bool combo(const char* label, std::string& cur, const std::vector<std::string>& options) {
    bool changed = false;
    if (ImGui::BeginCombo(label, cur.c_str())) {
      for (const auto& o : options)
        if (ImGui::Selectable(o.c_str(), o == cur)) cur = o, changed = true;
      ImGui::EndCombo();
    }
    return changed;
  }

  void draw_curves(AppContext& ctx) {
    if (data_.curve_metrics.empty()) {
      ImGui::TextDisabled("No metric has more than one point: runs with cross-validation or a search log one per fold / candidate.");
      return;
    }
    ImGui::SetNextItemWidth(260);
    combo("metric##curve", curve_metric_, data_.curve_metrics);
    ctx.track("cmp-curve-metric");
    std::vector<charts::Series> series;
    const auto& hist = data_.history.at(curve_metric_);
    for (size_t i = 0; i < data_.runs.size(); ++i) series.push_back({data_.runs[i].run_name, hist[i].first, hist[i].second});
    const float h = std::max(220.0f, ImGui::GetContentRegionAvail().y - 10);
    charts::line_chart("cmp-curves", series, {"step", curve_metric_}, {0, h});
    ctx.track("cmp-curves");
  }

  void draw_scatter(AppContext& ctx) {
    if (data_.numeric_params.empty()) {
      ImGui::TextDisabled("No numeric parameter varies among these runs.");
      return;
    }
    const float avail = ImGui::GetContentRegionAvail().x;
    const bool side = avail > 760;
    const float w = side ? (avail - ImGui::GetStyle().ItemSpacing.x) / 2 : avail;
    for (int i = 0; i < 2; ++i) {
      if (side && i == 1) ImGui::SameLine();
      ImGui::BeginGroup();
      ImGui::PushID(i);
      ImGui::SetNextItemWidth(w * 0.45f);
      combo("##param", scatter_[i].param, data_.numeric_params);
      ctx.track("cmp-scatter-param:" + std::to_string(i));
      ImGui::SameLine();
      ImGui::TextUnformatted("vs");
      ImGui::SameLine();
      ImGui::SetNextItemWidth(w * 0.4f);
      combo("##metric", scatter_[i].metric, data_.metrics);
      ctx.track("cmp-scatter-metric:" + std::to_string(i));
      std::vector<double> xs, ys;
      std::vector<std::string> names;
      for (const auto& r : data_.runs) {
        double x = NAN, y = NAN;
        if (auto p = r.params.find(scatter_[i].param); p != r.params.end()) parse_number(p->second, &x);
        if (auto m = r.metrics.find(scatter_[i].metric); m != r.metrics.end()) y = m->second.value;
        xs.push_back(x), ys.push_back(y), names.push_back(r.run_name);
      }
      const std::string id = "cmp-scatter-" + std::to_string(i);
      charts::scatter_chart(id.c_str(), {{"", xs, ys}}, {scatter_[i].param, scatter_[i].metric}, {w, 260}, names);
      ctx.track(id);
      ImGui::PopID();
      ImGui::EndGroup();
    }
  }

  void draw_parallel(AppContext& ctx) {
    if (data_.metrics.empty()) {
      ImGui::TextDisabled("These runs logged no metrics.");
      return;
    }
    ImGui::SetNextItemWidth(260);
    combo("metric##parallel", parallel_metric_, data_.metrics);
    ctx.track("cmp-parallel-metric");
    std::vector<std::string> dims = data_.numeric_params;
    dims.push_back(parallel_metric_);
    if (dims.size() < 2) {
      ImGui::TextDisabled("No numeric parameter varies among these runs: nothing to draw axes for.");
      return;
    }
    std::vector<std::vector<double>> values;
    std::vector<std::string> names;
    for (const auto& r : data_.runs) {
      std::vector<double> row;
      for (const auto& p : data_.numeric_params) {
        double v = NAN;
        if (auto it = r.params.find(p); it != r.params.end()) parse_number(it->second, &v);
        row.push_back(v);
      }
      auto m = r.metrics.find(parallel_metric_);
      row.push_back(m == r.metrics.end() ? NAN : m->second.value);
      values.push_back(std::move(row));
      names.push_back(r.run_name);
    }
    const float h = std::max(240.0f, ImGui::GetContentRegionAvail().y - 10);
    charts::parallel_coordinates("cmp-parallel", dims, values, names, {0, h}, int(dims.size()) - 1);
    ctx.track("cmp-parallel");
  }

  struct ScatterChoice {
    std::string param, metric;
  };
  CompareData data_;
  bool only_diff_ = true;
  std::string tab_ = "Table", curve_metric_, parallel_metric_;
  ScatterChoice scatter_[2];
};

}  // namespace

std::unique_ptr<View> make_compare_view() { return std::make_unique<CompareView>(); }

}  // namespace mllab::app

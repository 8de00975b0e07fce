// Monitoring: drift reports between a reference (a dataset, optionally a row range of it, or a
// model version's training data) and current data (a dataset, a row range, or a CSV file), run
// as a job; the per-column table with the test and why Evidently's rule chose it, sortable; the
// reference and current histograms of the selected column; the dataset verdict; stored reports
// per model version; the prediction log with its actuals and the error over logged batches.
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>

#include "app/charts/charts.hpp"
#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/data/csv.hpp"
#include "core/monitoring/drift.hpp"
#include "core/pipeline/job.hpp"
#include "core/registry/model_doc.hpp"

namespace mllab::app {
namespace {

using monitoring::StoredDriftReport;

// A drift report as a job, shown in the job bar and never run inside a click handler. Between
// two tables it tests a column per unit (monitoring::DriftTask); against a model version's
// training data (Lab::drift_against_model: load, predict, compare) it is one unit. Cancel stores
// nothing.
class DriftJob : public pipeline::Job {
 public:
  using Compute = std::function<Result<StoredDriftReport>()>;
  using Save = std::function<Result<StoredDriftReport>(monitoring::DriftReport)>;
  using Done = std::function<void(Result<StoredDriftReport>)>;
  // One unit: `compute` does everything.
  DriftJob(Compute compute, Done done) : compute_(std::move(compute)), done_(std::move(done)) {}
  // A column per unit over two tables (the job owns them); `save` stores the finished report.
  DriftJob(data::Table reference, data::Table current, monitoring::DriftOptions options, Save save, Done done)
      : reference_(std::move(reference)), current_(std::move(current)), options_(std::move(options)),
        save_(std::move(save)), done_(std::move(done)) {}

  bool advance(double budget_ms) override {
    if (done_flag_) return false;
    if (cancelled_) return finish(Status::invalid("cancelled; nothing was stored"));
    if (compute_) return finish(compute_());
    const auto t0 = std::chrono::steady_clock::now();
    if (!task_) {
      auto t = monitoring::DriftTask::start(reference_, current_, options_);  // borrows the tables
      if (!t) return finish(t.status());
      task_.emplace(std::move(t).value());
    }
    const double before = elapsed_ms_;
    while (!task_->done()) {
      Status st = task_->step();
      if (!st.is_ok()) return finish(st);
      elapsed_ms_ = before + ms_since(t0);
      if (ms_since(t0) >= budget_ms && !task_->done()) return true;
    }
    return finish(save_(task_->finish()));
  }
  void cancel() override { cancelled_ = true; }
  bool done() const override { return done_flag_; }
  double progress() const override {
    if (done_flag_) return 1;
    return task_ && task_->num_columns() ? double(task_->columns_done()) / double(task_->num_columns()) : 0;
  }
  std::string stage_text() const override {
    if (!task_ || task_->done()) return "drift report";
    return "drift · column " + std::to_string(task_->columns_done() + 1) + "/" + std::to_string(task_->num_columns()) +
           ": " + task_->next_column();
  }
  double eta_seconds() const override {
    if (!task_ || task_->columns_done() == 0) return -1;
    const double per_column = elapsed_ms_ / double(task_->columns_done());
    return per_column * double(task_->num_columns() - task_->columns_done()) / 1000.0;
  }
  const Status& status() const override { return status_; }
  const std::string& run_id() const override { return no_run_; }

 private:
  static double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  bool finish(Result<StoredDriftReport> r) {
    if (!r) status_ = r.status();
    done_flag_ = true;
    done_(std::move(r));
    return false;
  }
  Compute compute_;
  data::Table reference_, current_;
  monitoring::DriftOptions options_;
  Save save_;
  Done done_;
  std::optional<monitoring::DriftTask> task_;
  double elapsed_ms_ = 0;  // time spent testing columns
  bool cancelled_ = false, done_flag_ = false;
  Status status_ = Status::ok();
  std::string no_run_;
};

std::string num(double v, int digits = 4) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char b[32];
  std::snprintf(b, sizeof b, "%.*g", digits, v);
  return b;
}

std::string time_text(int64_t ms) { return registry::utc_time_text(ms).substr(0, 19); }

// A dataset choice: a combo of built-in and stored datasets, and a row range in percent.
struct DataPick {
  std::string path;
  float from = 0, to = 100;
};

class MonitoringView : public View {
 public:
  const char* title() const override { return "Monitoring"; }

  void describe(nlohmann::json& ui) const override {
    nlohmann::json j = {{"error", error_}, {"running", job_id_ != 0}, {"log_model", log_model_}};
    if (report_) {
      j["report"] = monitoring::drift_report_to_json(report_->report);
      j["verdict"] = monitoring::dataset_verdict(report_->report);
      j["report_id"] = report_->report_id;
      std::vector<std::string> order;
      for (size_t i : order_) order.push_back(report_->report.columns[i].column);
      j["order"] = order;
      j["selected_column"] = selected_ < report_->report.columns.size() ? report_->report.columns[selected_].column : "";
    }
    j["histogram"] = histogram_;
    j["error_series"] = error_series_;
    ui["monitoring"] = std::move(j);
  }

  void draw(AppContext& ctx) override {
    if (rev_ != ctx.revision()) {
      rev_ = ctx.revision();
      models_ = ctx.lab().registry().list_registered_models();
      stored_ = ctx.lab().drift_reports().list();
      log_dirty_ = true;
    }
    const float left_w = std::max(360.0f, ImGui::GetContentRegionAvail().x * 0.34f);
    ImGui::BeginChild("##drift-setup", {left_w, 0}, false);
    draw_setup(ctx);
    draw_stored(ctx);
    draw_log(ctx);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##drift-report", {0, 0}, false);
    draw_report(ctx);
    ImGui::EndChild();
  }

 private:
  void dataset_combo(AppContext& ctx, const char* id, DataPick& pick) {
    std::vector<std::pair<std::string, std::string>> sets;
    for (const auto& c : ctx.lab().catalog()) sets.push_back({c.name + " (built-in)", c.path});
    for (const auto& d : ctx.stored_datasets()) sets.push_back({d.name + " (datasets:/)", datasets::dataset_uri(d.name)});
    std::string current = "choose a dataset";
    for (const auto& [label, path] : sets) {
      if (path == pick.path) current = label;
    }
    ImGui::PushID(id);
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##ds", current.c_str())) {
      for (const auto& [label, path] : sets) {
        if (ImGui::Selectable(label.c_str(), path == pick.path)) pick.path = path;
        ctx.track(std::string(id) + "-dataset:" + path);
      }
      ImGui::EndCombo();
    }
    ctx.track(std::string(id) + "-dataset-combo");
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("rows from");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    ImGui::InputFloat("##from", &pick.from, 0, 0, "%.0f%%");
    ctx.track(std::string(id) + "-from");
    ImGui::SameLine();
    ImGui::TextUnformatted("to");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    ImGui::InputFloat("##to", &pick.to, 0, 0, "%.0f%%");
    ctx.track(std::string(id) + "-to");
    ImGui::SameLine();
    if (ImGui::SmallButton("1st half")) pick.from = 0, pick.to = 50;
    ctx.track(std::string(id) + "-first-half");
    ImGui::SameLine();
    if (ImGui::SmallButton("2nd half")) pick.from = 50, pick.to = 100;
    ctx.track(std::string(id) + "-second-half");
    ImGui::SameLine();
    if (ImGui::SmallButton("all")) pick.from = 0, pick.to = 100;
    ImGui::PopID();
  }

  static std::string pick_name(const DataPick& p) {
    std::string n = p.path;
    if (p.from != 0 || p.to != 100) n += " rows " + num(p.from, 6) + "-" + num(p.to, 6) + "%";
    return n;
  }

  static Result<data::Table> load_pick(platform::Lab& lab, const DataPick& p) {
    if (p.path.empty()) return Status::invalid("choose a dataset");
    auto src = lab.resolve_dataset(p.path);
    if (!src) return src.status();
    data::CsvOptions o;
    o.source = src->path;
    auto t = data::read_csv(src->bytes, o);
    if (!t) return t.status();
    if (p.from == 0 && p.to == 100) return t;
    auto r = monitoring::row_range(*t, p.from, p.to);
    if (!r) return Status::invalid(p.path + ": " + r.status().message());
    return r;
  }

  void draw_setup(AppContext& ctx) {
    section("Reference");
    ImGui::RadioButton("a dataset##ref", &ref_kind_, 0);
    ctx.track("ref-kind-dataset");
    ImGui::SameLine();
    ImGui::RadioButton("a model version's training data", &ref_kind_, 1);
    ctx.track("ref-kind-model");
    if (ref_kind_ == 0) {
      dataset_combo(ctx, "ref", ref_);
    } else {
      std::vector<std::string> uris;
      for (const auto& m : models_) {
        for (const auto& v : m.versions) uris.push_back("models:/" + m.name + "/" + std::to_string(v.version));
      }
      ImGui::SetNextItemWidth(-1);
      if (ImGui::BeginCombo("##ref-model", ref_model_.empty() ? "choose a model version" : ref_model_.c_str())) {
        for (const auto& u : uris) {
          if (ImGui::Selectable(u.c_str(), u == ref_model_)) ref_model_ = u;
          ctx.track("ref-model:" + u);
        }
        if (uris.empty()) ImGui::TextDisabled("no registered models yet (Models workspace)");
        ImGui::EndCombo();
      }
      ctx.track("ref-model-combo");
      ImGui::TextDisabled("Compares the columns the model reads, its predictions and the target.");
    }
    section("Current data");
    ImGui::RadioButton("a dataset##cur", &cur_kind_, 0);
    ctx.track("cur-kind-dataset");
    ImGui::SameLine();
    ImGui::RadioButton("a CSV file", &cur_kind_, 1);
    ctx.track("cur-kind-file");
    if (cur_kind_ == 0) {
      dataset_combo(ctx, "cur", cur_);
    } else {
      if (ImGui::Button("Choose a CSV file...")) {
        pick_file(".csv,text/csv", [this](const std::string& name, std::string bytes) {
          file_name_ = name;
          file_bytes_ = std::move(bytes);
        });
      }
      ctx.track("cur-choose-file");
      ImGui::SameLine();
      if (file_name_.empty()) ImGui::TextDisabled("no file chosen");
      else ImGui::Text("%s (%zu bytes)", file_name_.c_str(), file_bytes_.size());
    }
    section("Options");
    const auto tests = monitoring::drift_test_names();
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo("stattest", stattest_.empty() ? "Evidently's default per column" : stattest_.c_str())) {
      if (ImGui::Selectable("Evidently's default per column", stattest_.empty())) stattest_.clear();
      for (const auto& t : tests) {
        if (ImGui::Selectable(t.c_str(), t == stattest_)) stattest_ = t;
        ctx.track("stattest:" + t);
      }
      ImGui::EndCombo();
    }
    ctx.track("stattest-combo");
    ImGui::SetNextItemWidth(200);
    ImGui::InputTextWithHint("threshold", "default: 0.05 (p-value) / 0.1 (distance)", threshold_, sizeof threshold_);
    ctx.track("threshold");
    ImGui::SetNextItemWidth(200);
    ImGui::InputDouble("drift share", &drift_share_, 0, 0, "%.2f");
    ctx.track("drift-share");
    ImGui::TextDisabled("Evidently's defaults: per-column test by its rule, drift share 0.5.");
    ImGui::BeginDisabled(job_id_ != 0);
    if (ImGui::Button(job_id_ ? "Running..." : "Run drift report")) start(ctx);
    ctx.track("run-drift");
    ImGui::EndDisabled();
    if (!error_.empty()) error_text(error_);
  }

  void start(AppContext& ctx) {
    error_.clear();
    monitoring::DriftOptions o;
    o.drift_share = drift_share_;
    if (!stattest_.empty()) o.stattest = stattest_;
    if (threshold_[0]) {
      char* end = nullptr;
      const double t = std::strtod(threshold_, &end);
      if (end == threshold_ || *end != 0) {
        error_ = "threshold: '" + std::string(threshold_) + "' is not a number (leave it empty for the test's default)";
        return;
      }
      o.stattest_threshold = t;
    }
    // Inputs are read now (the file bytes and picks may change while the job waits).
    Result<data::Table> current = Status::invalid("");
    std::string current_name;
    if (cur_kind_ == 0) {
      current = load_pick(ctx.lab(), cur_);
      current_name = pick_name(cur_);
    } else if (file_name_.empty()) {
      current = Status::invalid("current data: choose a CSV file");
    } else {
      data::CsvOptions co;
      co.source = file_name_;
      current = data::read_csv(file_bytes_, co);
      current_name = file_name_;
    }
    if (!current) {
      error_ = "Current data: " + current.status().message();
      return;
    }
    platform::Lab& lab = ctx.lab();
    DriftJob::Compute compute;
    if (ref_kind_ == 1) {
      if (ref_model_.empty()) {
        error_ = "Reference: choose a model version";
        return;
      }
      std::string uri = ref_model_;
      compute = [&lab, uri, cur = std::move(current).value(), o, current_name]() mutable {
        return lab.drift_against_model(uri, std::move(cur), o, current_name);
      };
    } else {
      auto reference = load_pick(lab, ref_);
      if (!reference) {
        error_ = "Reference: " + reference.status().message();
        return;
      }
      std::string ref_name = pick_name(ref_);
      DriftJob::Save save = [&lab, ref_name, current_name](monitoring::DriftReport report) {
        StoredDriftReport s;
        s.reference = ref_name;
        s.current = current_name;
        s.report = std::move(report);
        return lab.drift_reports().save(std::move(s));
      };
      job_id_ = ctx.jobs().start("drift", std::make_unique<DriftJob>(std::move(reference).value(), std::move(current).value(), o,
                                                                      std::move(save), on_done()));
      return;
    }
    job_id_ = ctx.jobs().start("drift", std::make_unique<DriftJob>(std::move(compute), on_done()));
  }

  DriftJob::Done on_done() {
    return [this](Result<StoredDriftReport> r) {
      job_id_ = 0;
      if (r) {
        open(std::move(r).value());
      } else {
        error_ = "Drift report: " + r.status().message();
      }
    };
  }

  void open(StoredDriftReport r) {
    report_ = std::move(r);
    order_.clear();
    for (size_t i = 0; i < report_->report.columns.size(); ++i) order_.push_back(i);
    selected_ = order_.empty() ? size_t(-1) : 0;
    resort_ = true;
    // Drifted columns first, as a person would look at them.
    for (size_t i = 0; i < report_->report.columns.size(); ++i) {
      if (report_->report.columns[i].drifted) {
        selected_ = i;
        break;
      }
    }
  }

  void draw_stored(AppContext& ctx) {
    section("Stored reports");
    if (stored_.empty()) {
      empty_state("No stored reports yet: choose a reference and current data, then Run drift report.");
      return;
    }
    const float h = std::min(5.0f, float(stored_.size()) + 1.0f) * ImGui::GetTextLineHeightWithSpacing() + 8;
    if (ImGui::BeginChild("##stored", {0, h}, true)) {
      for (const auto& s : stored_) {
        std::string label = time_text(s.created_time) + "  ";
        if (!s.model_name.empty()) {
          label += s.model_name + (s.model_version ? " v" + std::to_string(*s.model_version) : "") + ": ";
        }
        label += s.current + " vs " + s.reference;
        const bool sel = report_ && report_->report_id == s.report_id;
        ImGui::PushID(s.report_id.c_str());
        if (ImGui::Selectable(label.c_str(), sel)) open(s);
        ctx.track("stored-report:" + s.report_id);
        ImGui::PopID();
      }
    }
    ImGui::EndChild();
  }

  void draw_report(AppContext& ctx) {
    if (!report_) {
      empty_state("No report open: pick a reference and current data on the left and press Run drift report,\n"
                  "or open a stored report.");
      return;
    }
    const auto& rep = report_->report;
    ImGui::TextWrapped("%s vs %s", report_->current.c_str(), report_->reference.c_str());
    const std::string verdict = monitoring::dataset_verdict(rep);
    ImGui::TextColored(rep.dataset_drift ? ImVec4(1, 0.5f, 0.4f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1), "%s", verdict.c_str());
    ctx.track("drift-verdict");
    for (const auto& w : rep.warnings) ImGui::TextDisabled("%s", w.c_str());

    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_Sortable |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit |
                                  ImGuiTableFlags_Resizable;
    // Half the panel for the table (it scrolls), the rest for the selected column's histograms.
    const float table_h = std::min(std::max(160.0f, ImGui::GetContentRegionAvail().y * 0.5f),
                                   (float(rep.columns.size()) + 1.5f) * ImGui::GetFrameHeightWithSpacing() * 1.6f);
    static const char* kHeaders[] = {"Column", "Type", "Test", "Why this test", "Statistic", "p-value", "Threshold", "Verdict"};
    if (ImGui::BeginTable("##drift", 8, flags, {0, table_h})) {
      ImGui::TableSetupScrollFreeze(1, 1);
      for (int c = 0; c < 8; ++c) {
        ImGui::TableSetupColumn(kHeaders[c], c == 3 ? ImGuiTableColumnFlags_WidthFixed : 0, c == 3 ? 230.0f : 0.0f);
      }
      ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
      for (int c = 0; c < 8; ++c) {
        ImGui::TableSetColumnIndex(c);
        ImGui::TableHeader(kHeaders[c]);
        ctx.track(std::string("drift-header:") + kHeaders[c]);
      }
      ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
      if (specs && specs->SpecsCount > 0 && (specs->SpecsDirty || resort_)) {
        specs->SpecsDirty = false;
        resort_ = false;
        const int col = specs->Specs[0].ColumnIndex;
        const bool asc = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        auto key = [&](size_t i) -> std::pair<double, std::string> {
          const auto& c = rep.columns[i];
          switch (col) {
            case 1: return {0, c.type};
            case 2: return {0, c.test};
            case 3: return {0, c.test_reason};
            case 4: return {c.statistic, ""};
            case 5: return {c.p_value ? *c.p_value : -1, ""};
            case 6: return {c.threshold, ""};
            case 7: return {c.drifted ? 1 : 0, ""};
            default: return {0, c.column};
          }
        };
        std::stable_sort(order_.begin(), order_.end(), [&](size_t a, size_t b) { return asc ? key(a) < key(b) : key(b) < key(a); });
      }
      for (size_t i : order_) {
        const auto& c = rep.columns[i];
        ImGui::PushID(int(i));
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (ImGui::Selectable(c.column.c_str(), i == selected_, ImGuiSelectableFlags_SpanAllColumns)) selected_ = i;
        ctx.track("drift-column:" + c.column);
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(c.type == "num" ? "numerical" : "categorical");
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(c.test.c_str());
        ImGui::TableSetColumnIndex(3);
        ImGui::TextWrapped("%s", c.test_reason.c_str());
        ImGui::TableSetColumnIndex(4);
        ImGui::TextUnformatted(num(c.statistic).c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%.17g", c.statistic);
        ImGui::TableSetColumnIndex(5);
        if (c.p_value) ImGui::TextUnformatted(num(*c.p_value).c_str());
        else ImGui::TextDisabled("(distance)");
        if (c.p_value && ImGui::IsItemHovered()) ImGui::SetTooltip("%.17g", *c.p_value);
        ImGui::TableSetColumnIndex(6);
        ImGui::TextUnformatted(num(c.threshold).c_str());
        ImGui::TableSetColumnIndex(7);
        if (c.drifted) ImGui::TextColored({1, 0.5f, 0.4f, 1}, "Drift detected");
        else ImGui::TextColored({0.5f, 0.9f, 0.5f, 1}, "No drift");
        ImGui::PopID();
      }
      ImGui::EndTable();
    }
    ctx.track("drift-table");
    draw_histogram(ctx);
  }

  void draw_histogram(AppContext& ctx) {
    histogram_ = nullptr;
    if (!report_ || selected_ >= report_->report.columns.size()) return;
    const auto& c = report_->report.columns[selected_];
    const auto& h = c.histogram;
    section(("Distribution of " + c.column + ": reference and current").c_str());
    for (const auto& w : c.warnings) ImGui::TextDisabled("note: %s", w.c_str());
    charts::Series ref{"reference", {}, {}}, cur{"current", {}, {}};
    for (size_t k : h.reference_counts) ref.y.push_back(double(k));
    for (size_t k : h.current_counts) cur.y.push_back(double(k));
    charts::Axes axes{c.column, "share of rows"};
    const charts::Size size{0, std::max(180.0f, ImGui::GetContentRegionAvail().y - 8)};
    if (c.type == "num" && h.edges.size() >= 2) {
      for (size_t i = 0; i + 1 < h.edges.size(); ++i) {
        const double mid = (h.edges[i] + h.edges[i + 1]) / 2;
        ref.x.push_back(mid);
        cur.x.push_back(mid);
      }
      charts::histogram_chart(("##hist-" + c.column).c_str(), h.edges, {ref, cur}, axes, size, true);
      histogram_ = {{"column", c.column}, {"kind", "histogram"}, {"edges", h.edges},
                    {"reference", ref.y}, {"current", cur.y}};
    } else {
      std::vector<std::string> cats = h.categories;
      if (h.other_categories > 0) {
        cats.push_back("other (" + std::to_string(h.other_categories) + ")");
        ref.y.push_back(double(h.other_reference_count));
        cur.y.push_back(double(h.other_current_count));
      }
      for (size_t i = 0; i < cats.size(); ++i) {
        ref.x.push_back(double(i));
        cur.x.push_back(double(i));
      }
      axes.y_label = "rows";
      charts::grouped_bar_chart(("##bars-" + c.column).c_str(), cats, {ref, cur}, axes, size);
      histogram_ = {{"column", c.column}, {"kind", "grouped_bar"}, {"categories", cats},
                    {"reference", ref.y}, {"current", cur.y}};
    }
    ctx.track("drift-histogram");
  }

  void draw_log(AppContext& ctx) {
    section("Prediction log");
    std::vector<std::string> names;
    for (const auto& m : models_) names.push_back(m.name);
    if (names.empty()) {
      empty_state("No registered models yet: register one in Models, then log predictions in Predict.");
      return;
    }
    if (log_model_.empty() || std::find(names.begin(), names.end(), log_model_) == names.end()) {
      log_model_ = !ctx.selection.model_name.empty() ? ctx.selection.model_name : names.front();
      log_dirty_ = true;
    }
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##log-model", log_model_.c_str())) {
      for (const auto& n : names) {
        if (ImGui::Selectable(n.c_str(), n == log_model_)) {
          log_model_ = n;
          log_dirty_ = true;
        }
        ctx.track("log-model:" + n);
      }
      ImGui::EndCombo();
    }
    ctx.track("log-model-combo");
    if (log_dirty_) {
      log_dirty_ = false;
      auto entries = ctx.lab().predictions().list(log_model_);
      log_ = entries ? std::move(entries).value() : std::vector<monitoring::PredictionEntry>{};
      bool regression = false;
      for (const auto& m : models_) {
        if (m.name == log_model_ && !m.versions.empty()) regression = m.versions.back().model_doc.is_regression();
      }
      log_regression_ = regression;
      batches_ = monitoring::error_by_batch(log_, regression);
      error_series_ = nlohmann::json::array();
      for (const auto& b : batches_) {
        if (b.with_actual) error_series_.push_back({{"timestamp_ms", b.timestamp_ms}, {"value", b.value}, {"n", b.with_actual}});
      }
    }
    if (log_.empty()) {
      empty_state("Nothing logged for this model yet: predict in the Models workspace and press Log predictions.");
      return;
    }
    size_t with_actual = 0;
    for (const auto& e : log_) with_actual += e.actual ? 1 : 0;
    ImGui::Text("%zu prediction(s), %zu with an actual", log_.size(), with_actual);
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("##log", 5, flags, {0, 7 * ImGui::GetFrameHeightWithSpacing()})) {
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("Logged");
      ImGui::TableSetupColumn("Version");
      ImGui::TableSetupColumn("Prediction");
      ImGui::TableSetupColumn("Actual");
      ImGui::TableSetupColumn("Id");
      ImGui::TableHeadersRow();
      ImGuiListClipper clipper;
      clipper.Begin(int(log_.size()));
      while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
          const auto& e = log_[log_.size() - 1 - size_t(r)];  // newest first
          ImGui::TableNextRow();
          ImGui::TableSetColumnIndex(0);
          ImGui::TextUnformatted(time_text(e.timestamp_ms).c_str());
          ImGui::TableSetColumnIndex(1);
          if (e.model_version) ImGui::Text("%d", *e.model_version);
          ImGui::TableSetColumnIndex(2);
          ImGui::TextUnformatted(e.prediction.is_string() ? e.prediction.get<std::string>().c_str() : e.prediction.dump().c_str());
          ImGui::TableSetColumnIndex(3);
          if (e.actual) {
            const std::string a = e.actual->is_string()   ? e.actual->get<std::string>()
                                  : e.actual->is_number() ? data::format_number(e.actual->get<double>())
                                                          : e.actual->dump();
            if (e.error && *e.error != 0 && !log_regression_) ImGui::TextColored({1, 0.5f, 0.4f, 1}, "%s", a.c_str());
            else ImGui::TextUnformatted(a.c_str());
          } else {
            ImGui::TextDisabled("-");
          }
          ImGui::TableSetColumnIndex(4);
          ImGui::TextDisabled("%s", e.prediction_id.c_str());
        }
      }
      ImGui::EndTable();
    }
    ctx.track("prediction-log");
    charts::Series s{log_regression_ ? "mean absolute error" : "accuracy", {}, {}};
    for (const auto& b : batches_) {
      if (!b.with_actual) continue;
      s.x.push_back(double(s.x.size() + 1));
      s.y.push_back(b.value);
    }
    if (s.x.empty()) {
      empty_state("No actuals yet: record one in Predict to see the error over logged batches.");
    } else {
      charts::line_chart("##error-over-time", {s}, {"logged batch", s.name}, {0, 180});
      ctx.track("error-chart");
    }
  }

  uint64_t rev_ = ~uint64_t(0);
  std::vector<registry::RegisteredModel> models_;
  std::vector<StoredDriftReport> stored_;
  int ref_kind_ = 0, cur_kind_ = 0;
  DataPick ref_{"", 0, 50}, cur_{"", 50, 100};
  std::string ref_model_;
  std::string file_name_, file_bytes_;
  std::string stattest_;
  char threshold_[32] = "";
  double drift_share_ = 0.5;
  int job_id_ = 0;
  std::string error_;
  std::optional<StoredDriftReport> report_;
  std::vector<size_t> order_;
  size_t selected_ = size_t(-1);
  bool resort_ = false;
  nlohmann::json histogram_;
  std::string log_model_;
  bool log_dirty_ = true, log_regression_ = false;
  std::vector<monitoring::PredictionEntry> log_;
  std::vector<monitoring::BatchError> batches_;
  nlohmann::json error_series_ = nlohmann::json::array();
};

}  // namespace

std::unique_ptr<View> make_monitoring_view() { return std::make_unique<MonitoringView>(); }

}  // namespace mllab::app

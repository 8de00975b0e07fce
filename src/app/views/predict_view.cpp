// Predict: pick a model URI, load a CSV, pick a dataset or type rows, see the predictions with
// class probabilities, log them (showing the prediction ids) and record actuals later.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/data/csv.hpp"
#include "core/registry/predict_input.hpp"
#include "core/util/clock.hpp"

namespace mllab::app {
namespace {

enum class Source { kTyped, kFile, kDataset };

std::string fmt_prob(double p) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", p);
  return b;
}

class PredictView : public View {
 public:
  const char* title() const override { return "Predict"; }

  void describe(nlohmann::json& ui) const override {
    nlohmann::json j = {{"uri", uri_}, {"error", error_}, {"message", message_}, {"logged_ids", logged_ids_},
                        {"log_error", log_error_}, {"actual_error", actual_error_}, {"actual_message", actual_message_},
                        {"pending", pending_ids_}};
    if (result_) {
      j["predictions"] = registry::predictions_to_json(*result_);
      j["rows"] = result_->inputs.num_rows();
    }
    ui["predict"] = std::move(j);
  }

  void draw(AppContext& ctx) override {
    if (rev_ != ctx.revision()) {
      rev_ = ctx.revision();
      std::vector<std::string> run_ids;
      for (const auto& r : ctx.runs()) {
        if (r.status != tracking::RunStatus::kFinished) continue;
        for (const auto& a : r.artifacts) {
          if (a.path == "model/pipeline.json") run_ids.push_back(r.run_id);
        }
      }
      uris_ = registry::model_uri_choices(ctx.lab().registry().list_registered_models(), run_ids);
      pending_dirty_ = true;
    }
    draw_model(ctx);
    draw_input(ctx);
    ImGui::BeginDisabled(uri_[0] == 0);
    if (ImGui::Button("Predict")) predict(ctx);
    ctx.track("predict");
    ImGui::EndDisabled();
    if (!error_.empty()) error_text(error_);
    else if (!message_.empty()) ImGui::TextDisabled("%s", message_.c_str());
    draw_results(ctx);
    draw_actuals(ctx);
  }

 private:
  void draw_model(AppContext& ctx) {
    section("Model");
    if (uris_.empty()) {
      empty_state("No models yet: train a run, then register it on the left (or type runs:/ID/model).");
    }
    ImGui::SetNextItemWidth(-110);
    ImGui::InputTextWithHint("##uri", "models:/name/Production, models:/name@alias or runs:/ID/model", uri_, sizeof uri_);
    ctx.track("uri-text");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(100);
    if (ImGui::BeginCombo("##uri-combo", "choose...", ImGuiComboFlags_HeightLarge)) {
      for (const auto& u : uris_) {
        if (ImGui::Selectable(u.c_str(), u == uri_)) std::snprintf(uri_, sizeof uri_, "%s", u.c_str());
        ctx.track("uri:" + u);
      }
      if (uris_.empty()) ImGui::TextDisabled("no models yet");
      ImGui::EndCombo();
    }
    ctx.track("uri-combo");
  }

  void draw_input(AppContext& ctx) {
    section("Rows to predict");
    int s = int(source_);
    ImGui::RadioButton("type rows", &s, int(Source::kTyped));
    ctx.track("input-typed");
    ImGui::SameLine();
    ImGui::RadioButton("CSV file", &s, int(Source::kFile));
    ctx.track("input-file");
    ImGui::SameLine();
    ImGui::RadioButton("dataset", &s, int(Source::kDataset));
    ctx.track("input-dataset");
    source_ = Source(s);
    if (source_ == Source::kTyped) {
      ImGui::TextDisabled("CSV with a header row; for a text model, one sentence per line.");
      ImGui::InputTextMultiline("##rows", rows_, sizeof rows_, {-1, ImGui::GetTextLineHeight() * 5});
      ctx.track("rows-text");
    } else if (source_ == Source::kFile) {
      if (ImGui::Button("Choose a CSV file...")) {
        pick_file(".csv,text/csv", [this](const std::string& name, std::string bytes) {
          file_name_ = name;
          file_bytes_ = std::move(bytes);
        });
      }
      ctx.track("choose-file");
      ImGui::SameLine();
      if (file_name_.empty()) ImGui::TextDisabled("no file chosen");
      else ImGui::Text("%s (%zu bytes)", file_name_.c_str(), file_bytes_.size());
    } else {
      std::vector<std::pair<std::string, std::string>> sets;  // label, path
      for (const auto& c : ctx.lab().catalog()) sets.push_back({c.name + " (built-in)", c.path});
      for (const auto& d : ctx.stored_datasets()) sets.push_back({d.name, datasets::dataset_uri(d.name)});
      std::string current = "choose a dataset";
      for (const auto& [label, path] : sets) {
        if (path == dataset_) current = label;
      }
      ImGui::SetNextItemWidth(-1);
      if (ImGui::BeginCombo("##dataset", current.c_str())) {
        for (const auto& [label, path] : sets) {
          if (ImGui::Selectable(label.c_str(), path == dataset_)) dataset_ = path;
          ctx.track("predict-dataset:" + path);
        }
        ImGui::EndCombo();
      }
      ctx.track("predict-dataset-combo");
      ImGui::TextDisabled("Columns the model does not take (such as the target) are ignored.");
    }
  }

  Result<data::Table> input_table(AppContext& ctx, const registry::LoadedModel& model) {
    if (source_ == Source::kTyped) return registry::parse_typed_rows(rows_, model.doc);
    if (source_ == Source::kFile) {
      if (file_name_.empty()) return Status::invalid("choose a CSV file first");
      data::CsvOptions o;
      o.source = file_name_;
      return data::read_csv(file_bytes_, o);
    }
    if (dataset_.empty()) return Status::invalid("choose a dataset first");
    auto src = ctx.lab().resolve_dataset(dataset_);
    if (!src) return src.status();
    data::CsvOptions o;
    o.source = src->path;
    return data::read_csv(src->bytes, o);
  }

  void predict(AppContext& ctx) {
    result_.reset();
    logged_ids_.clear();
    log_error_.clear();
    message_.clear();
    auto model = ctx.lab().registry().load_model(uri_);
    if (!model) {
      error_ = "Model " + std::string(uri_) + ": " + model.status().message();
      return;
    }
    auto rows = input_table(ctx, *model);
    if (!rows) {
      error_ = rows.status().message();
      return;
    }
    auto p = registry::predict(*model, *rows);
    if (!p) {
      error_ = p.status().message();
      return;
    }
    error_.clear();
    model_ = std::move(model).value();
    result_ = std::move(p).value();
    message_ = std::to_string(result_->inputs.num_rows()) + " prediction(s) from " + model_.resolved.source() +
               (model_.resolved.version ? " (version " + std::to_string(*model_.resolved.version) + ")" : "");
    pending_dirty_ = true;
  }

  void draw_results(AppContext& ctx) {
    if (!result_) return;
    const auto& p = *result_;
    section("Predictions");
    const size_t n = p.inputs.num_rows();
    const int first_input = p.inputs.num_columns() > 0 ? 1 : 0;
    const int ncols = 2 + first_input + (p.regression ? 0 : int(p.classes.size()));
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit;
    const float h = std::min(8.0f, float(n) + 1.5f) * ImGui::GetFrameHeightWithSpacing();
    if (ncols <= 64 && ImGui::BeginTable("##predictions", ncols, flags, {0, h})) {
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableSetupColumn("Row");
      if (first_input) ImGui::TableSetupColumn(p.inputs.columns()[0].name.c_str(), ImGuiTableColumnFlags_WidthFixed, 220);
      ImGui::TableSetupColumn("Prediction");
      if (!p.regression) {
        for (const auto& c : p.classes) ImGui::TableSetupColumn(("P(" + c + ")").c_str());
      }
      ImGui::TableHeadersRow();
      ImGuiListClipper clipper;
      clipper.Begin(int(n));
      while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
          ImGui::TableNextRow();
          int col = 0;
          ImGui::TableSetColumnIndex(col++);
          ImGui::Text("%d", r);
          if (first_input) {
            ImGui::TableSetColumnIndex(col++);
            std::string v = p.inputs.columns()[0].value_string(size_t(r));
            if (v.size() > 40) v = v.substr(0, 37) + "...";
            ImGui::TextUnformatted(v.c_str());
          }
          ImGui::TableSetColumnIndex(col++);
          if (p.regression) {
            ImGui::Text("%.6g", p.values[size_t(r)]);
          } else {
            ImGui::TextUnformatted(p.labels[size_t(r)].c_str());
            for (size_t c = 0; c < p.classes.size(); ++c) {
              ImGui::TableSetColumnIndex(col++);
              const double pr = p.probabilities(Eigen::Index(r), Eigen::Index(c));
              if (int(c) == p.class_indices[size_t(r)]) ImGui::TextColored({0.5f, 0.9f, 0.5f, 1}, "%s", fmt_prob(pr).c_str());
              else ImGui::TextUnformatted(fmt_prob(pr).c_str());
            }
          }
        }
      }
      ImGui::EndTable();
    }
    ctx.track("predictions-table");
    ImGui::BeginDisabled(!logged_ids_.empty());
    if (ImGui::Button("Log predictions")) {
      auto entries = monitoring::make_entries(model_, p, now_ms());
      Status st = ctx.lab().predictions().log(entries);
      if (st.is_ok()) {
        for (const auto& e : entries) logged_ids_.push_back(e.prediction_id);
        log_error_.clear();
      } else {
        log_error_ = "Could not log the predictions: " + st.message();
      }
    }
    ctx.track("log-predictions");
    ImGui::EndDisabled();
    if (!log_error_.empty()) error_text(log_error_);
    if (!logged_ids_.empty()) {
      ImGui::SameLine();
      ImGui::Text("Logged %zu prediction(s) in the log of %s:", logged_ids_.size(), log_name(model_).c_str());
      std::string ids;
      for (const auto& id : logged_ids_) ids += id + "\n";
      ImGui::TextDisabled("%s", ids.c_str());
      ctx.track("logged-ids");
    }
  }

  static std::string log_name(const registry::LoadedModel& m) {
    return m.resolved.name ? *m.resolved.name : m.resolved.run_id;
  }

  void draw_actuals(AppContext& ctx) {
    section("Record an actual");
    if (!model_.pipeline) {
      empty_state("Predict with a model first; its logged predictions without an actual are listed here.");
      return;
    }
    if (pending_dirty_) {
      pending_dirty_ = false;
      pending_ids_.clear();
      pending_labels_.clear();
      auto entries = ctx.lab().predictions().list(log_name(model_));
      if (entries) {
        for (const auto& e : *entries) {
          if (e.actual) continue;
          pending_ids_.push_back(e.prediction_id);
          std::string label = e.prediction.is_string() ? e.prediction.get<std::string>() : e.prediction.dump();
          pending_labels_.push_back(label);
        }
      }
    }
    ImGui::TextDisabled("%zu logged prediction(s) of %s without an actual.", pending_ids_.size(), log_name(model_).c_str());
    ImGui::SetNextItemWidth(-110);
    ImGui::InputTextWithHint("##actual-id", "prediction id", actual_id_, sizeof actual_id_);
    ctx.track("actual-id");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(100);
    if (ImGui::BeginCombo("##actual-pick", "pick...", ImGuiComboFlags_HeightLarge)) {
      for (size_t i = 0; i < pending_ids_.size(); ++i) {
        std::string label = pending_ids_[i] + "  predicted " + pending_labels_[i];
        if (ImGui::Selectable(label.c_str())) std::snprintf(actual_id_, sizeof actual_id_, "%s", pending_ids_[i].c_str());
        ctx.track("actual-pick:" + pending_ids_[i]);
      }
      if (pending_ids_.empty()) ImGui::TextDisabled("every logged prediction has its actual");
      ImGui::EndCombo();
    }
    ctx.track("actual-pick-combo");
    const auto& classes = model_.doc.classes;
    ImGui::SetNextItemWidth(classes.empty() ? -110 : 160);
    ImGui::InputTextWithHint("##actual-value", model_.doc.is_regression() ? "true value" : "true label", actual_value_,
                             sizeof actual_value_);
    ctx.track("actual-value");
    for (const auto& c : classes) {
      ImGui::SameLine();
      if (ImGui::SmallButton(c.c_str())) std::snprintf(actual_value_, sizeof actual_value_, "%s", c.c_str());
      ctx.track("actual-class:" + c);
    }
    ImGui::SameLine();
    if (ImGui::Button("Save actual")) {
      if (actual_id_[0] == 0) {
        actual_error_ = "actual: type or pick the prediction id first";
      } else {
        // Checked and typed against the model that made the prediction; an id prefix will do.
        auto recorded = ctx.lab().record_actual(actual_id_, nlohmann::json(std::string(actual_value_)));
        if (recorded) {
          const auto& [id, actual] = *recorded;
          actual_error_.clear();
          actual_message_ = "Recorded actual " + (actual.is_string() ? actual.get<std::string>() : actual.dump()) + " for " + id;
          actual_id_[0] = actual_value_[0] = 0;
        } else {
          actual_error_ = recorded.status().message();
        }
      }
    }
    ctx.track("save-actual");
    if (!actual_error_.empty()) error_text(actual_error_);
    else if (!actual_message_.empty()) ImGui::TextDisabled("%s", actual_message_.c_str());
  }

  uint64_t rev_ = ~uint64_t(0);
  std::vector<std::string> uris_;
  char uri_[256] = "";
  Source source_ = Source::kTyped;
  char rows_[8192] = "";
  std::string file_name_, file_bytes_, dataset_;
  registry::LoadedModel model_;
  std::optional<registry::Predictions> result_;
  std::string error_, message_, log_error_;
  std::vector<std::string> logged_ids_;
  bool pending_dirty_ = true;
  std::vector<std::string> pending_ids_, pending_labels_;
  char actual_id_[128] = "", actual_value_[128] = "";
  std::string actual_error_, actual_message_;
};

}  // namespace

std::unique_ptr<View> make_predict_view() { return std::make_unique<PredictView>(); }

}  // namespace mllab::app

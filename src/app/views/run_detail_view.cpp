// Run detail: the selected run's params, metrics, tags, dataset inputs, artifacts, confusion
// matrix and classification report.
#include <imgui.h>

#include <map>

#include <nlohmann/json.hpp>

#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::app {
namespace {

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

class RunDetailView : public View {
 public:
  const char* title() const override { return "Run"; }

  void draw(AppContext& ctx) override {
    const tracking::Run* run = nullptr;
    for (const auto& r : ctx.runs()) {
      if (r.run_id == ctx.selection.run_id) run = &r;
    }
    if (!run) {
      empty_state(ctx.runs().empty() ? "No runs yet: pick a dataset and press Train." : "Select a run in the Runs table.");
      return;
    }
    ImGui::Text("%s", run->run_name.c_str());
    ctx.track("detail-title");
    ImGui::TextDisabled("run_id %s", run->run_id.c_str());
    ImGui::Text("Status: %s", tracking::run_status_name(run->status));
    if (auto it = run->tags.find("mllab.error"); it != run->tags.end()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.45f, 0.45f, 1));
      ImGui::TextWrapped("Error: %s", it->second.c_str());
      ImGui::PopStyleColor();
    }

    if (ImGui::CollapsingHeader("Metrics", ImGuiTreeNodeFlags_DefaultOpen)) {
      std::map<std::string, std::string> kv;
      for (const auto& [k, m] : run->metrics) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f", m.value);
        kv[k] = buf;
      }
      key_value_table("##metrics", kv);
    }
    ImGui::PushFont(ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr);
    if (ImGui::CollapsingHeader("Confusion matrix", ImGuiTreeNodeFlags_DefaultOpen)) {
      auto cm = ctx.lab().tracking().get_artifact(run->run_id, "confusion_matrix.json");
      auto parsed = cm ? read_json(*cm, "confusion_matrix.json") : Result<nlohmann::json>(nlohmann::json());
      const nlohmann::json j = parsed ? std::move(parsed).value() : nlohmann::json();
      if (j.is_object() && j.contains("matrix")) {
        const auto& labels = j["labels"];
        const auto& m = j["matrix"];
        int n = int(m.size());
        if (n > 0 && n < 60 && ImGui::BeginTable("##cm", n + 1, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
          ImGui::TableSetupColumn("true \\ pred");
          for (int c = 0; c < n; ++c) ImGui::TableSetupColumn(labels[size_t(c)].get<std::string>().c_str());
          ImGui::TableHeadersRow();
          long long maxv = 1;
          for (const auto& row : m) for (const auto& v : row) maxv = std::max(maxv, v.get<long long>());
          for (int r = 0; r < n; ++r) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextUnformatted(labels[size_t(r)].get<std::string>().c_str());
            for (int c = 0; c < n; ++c) {
              ImGui::TableSetColumnIndex(c + 1);
              long long v = m[size_t(r)][size_t(c)].get<long long>();
              float a = 0.15f + 0.6f * float(v) / float(maxv);
              ImU32 bg = r == c ? ImGui::GetColorU32(ImVec4(0.2f, 0.55f, 0.3f, a)) : ImGui::GetColorU32(ImVec4(0.7f, 0.25f, 0.25f, v ? a : 0.0f));
              ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, bg);
              ImGui::Text("%lld", v);
            }
          }
          ImGui::EndTable();
        }
      } else {
        ImGui::TextDisabled("no confusion matrix (the run did not finish)");
      }
    }
    if (ImGui::CollapsingHeader("Classification report", ImGuiTreeNodeFlags_DefaultOpen)) {
      auto rep = ctx.lab().tracking().get_artifact(run->run_id, "classification_report.txt");
      if (rep) ImGui::TextUnformatted(rep->c_str());
      else ImGui::TextDisabled("no report");
      ctx.track("report");
    }
    ImGui::PopFont();
    if (ImGui::CollapsingHeader("Params", ImGuiTreeNodeFlags_DefaultOpen)) key_value_table("##params", run->params);
    if (ImGui::CollapsingHeader("Tags")) key_value_table("##tags", run->tags);
    if (ImGui::CollapsingHeader("Dataset inputs")) {
      for (const auto& in : run->inputs) {
        ImGui::BulletText("%s (%s) %lld rows, sha256 %s..., %s", in.name.c_str(), in.source.c_str(),
                          static_cast<long long>(in.num_rows), in.digest.substr(0, 12).c_str(), in.context.c_str());
      }
    }
    if (ImGui::CollapsingHeader("Artifacts")) {
      for (const auto& a : run->artifacts) {
        ImGui::BulletText("%s  (%s, %lld bytes)", a.path.c_str(), a.media_type.c_str(), static_cast<long long>(a.file_size));
      }
    }
  }
};

}  // namespace

std::unique_ptr<View> make_run_detail_view() { return std::make_unique<RunDetailView>(); }

}  // namespace mllab::app

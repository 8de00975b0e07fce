// The Datasets list: the built-in catalog and the stored (uploaded, derived) datasets; picking
// one selects it for every workspace. "Load CSV..." opens the browser's file picker.
#include <imgui.h>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class DatasetListView : public View {
 public:
  const char* title() const override { return "Datasets"; }

  void draw(AppContext& ctx) override {
    const LoadedDataset* cur = ctx.dataset();
    ImGui::TextDisabled("BUILT-IN");
    for (const auto& e : ctx.lab().catalog()) {
      const bool sel = cur && cur->uri == e.path;
      if (ImGui::Selectable(e.name.c_str(), sel)) ctx.select_dataset(e.path);
      ctx.track("dataset:" + e.name);
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("%s\n%lld rows x %lld columns", e.description.c_str(), static_cast<long long>(e.rows),
                          static_cast<long long>(e.columns));
      }
    }
    if (!ctx.lab().catalog_error().empty()) error_text(ctx.lab().catalog_error());
    ImGui::Spacing();
    ImGui::TextDisabled("STORED");
    const auto& stored = ctx.stored_datasets();
    for (const auto& d : stored) {
      const std::string uri = datasets::dataset_uri(d.name);
      const bool sel = cur && cur->uri == uri;
      const std::string label = d.name + "  v" + std::to_string(d.latest().version);
      if (ImGui::Selectable(label.c_str(), sel)) ctx.select_dataset(uri);
      ctx.track("dataset:" + d.name);
    }
    if (stored.empty()) empty_state("none yet: load a CSV file");
    ImGui::Spacing();
    if (ImGui::Button("Load CSV...")) open_file_picker();
    ctx.track("load-csv");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Or drop a .csv file anywhere on the page");
  }
};

}  // namespace

std::unique_ptr<View> make_dataset_list_view() { return std::make_unique<DatasetListView>(); }

}  // namespace mllab::app

// Compare: 2-20 selected runs side by side, metric curves overlaid, parameter-vs-metric scatter, parallel coordinates.
#include <imgui.h>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class CompareView : public View {
 public:
  const char* title() const override { return "Compare"; }

  void draw(AppContext& ctx) override { empty_state("Compare: coming soon."); }
};

}  // namespace

std::unique_ptr<View> make_compare_view() { return std::make_unique<CompareView>(); }

}  // namespace mllab::app

// Features: feature groups, register from a stored dataset, point-in-time join preview, online lookup.
#include <imgui.h>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class FeaturesView : public View {
 public:
  const char* title() const override { return "Features"; }

  void draw(AppContext& ctx) override { empty_state("Features: coming soon."); }
};

}  // namespace

std::unique_ptr<View> make_features_view() { return std::make_unique<FeaturesView>(); }

}  // namespace mllab::app

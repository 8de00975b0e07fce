// Models: registered models and versions, stages, aliases, description and tags, signature.
#include <imgui.h>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class ModelsView : public View {
 public:
  const char* title() const override { return "Models"; }

  void draw(AppContext& ctx) override { empty_state("Models: coming soon."); }
};

}  // namespace

std::unique_ptr<View> make_models_view() { return std::make_unique<ModelsView>(); }

}  // namespace mllab::app

// Experiments: experiments (create, rename, delete, restore) and the one whose runs the Runs table shows.
#include <imgui.h>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class ExperimentsView : public View {
 public:
  const char* title() const override { return "Experiments"; }

  void draw(AppContext& ctx) override { empty_state("Experiments: coming soon."); }
};

}  // namespace

std::unique_ptr<View> make_experiments_view() { return std::make_unique<ExperimentsView>(); }

}  // namespace mllab::app

// Predict: pick a model URI, load a CSV or type rows, see and log predictions, record actuals.
#include <imgui.h>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class PredictView : public View {
 public:
  const char* title() const override { return "Predict"; }

  void draw(AppContext& ctx) override { empty_state("Predict: coming soon."); }
};

}  // namespace

std::unique_ptr<View> make_predict_view() { return std::make_unique<PredictView>(); }

}  // namespace mllab::app

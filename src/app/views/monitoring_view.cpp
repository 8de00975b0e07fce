// Monitoring: drift reports between a reference and current data, stored reports, the prediction log.
#include <imgui.h>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class MonitoringView : public View {
 public:
  const char* title() const override { return "Monitoring"; }

  void draw(AppContext& ctx) override { empty_state("Monitoring: coming soon."); }
};

}  // namespace

std::unique_ptr<View> make_monitoring_view() { return std::make_unique<MonitoringView>(); }

}  // namespace mllab::app

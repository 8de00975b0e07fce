// Storage & settings: IndexedDB usage and quota, persistent storage, clear data, theme and UI scale.
#include <imgui.h>

#include "app/ui.hpp"
#include "app/views/factories.hpp"

namespace mllab::app {
namespace {

class StorageView : public View {
 public:
  const char* title() const override { return "Storage & settings"; }

  void draw(AppContext& ctx) override { empty_state("Storage & settings: coming soon."); }
};

}  // namespace

std::unique_ptr<View> make_storage_view() { return std::make_unique<StorageView>(); }

}  // namespace mllab::app

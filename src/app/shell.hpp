// The app's frame: the workspace tab bar (with the running job's progress, visible everywhere),
// the error banner, and the current workspace's views laid out to fill the window.
#pragma once

#include "app/context.hpp"
#include "app/view.hpp"

namespace mllab::app {

class Shell {
 public:
  Shell() : views_(make_views()) {}
  // Draws one frame of the UI into a display of `width` x `height` CSS pixels.
  void draw(AppContext& ctx, float width, float height);
  // Every view's part of window.mllab.uiState().
  void describe(nlohmann::json& ui) const;

 private:
  float draw_tab_bar(AppContext& ctx, float width);
  float draw_banner(AppContext& ctx, float y, float width);
  Views views_;
};

}  // namespace mllab::app

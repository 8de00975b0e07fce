// A view: one panel of the app, a class with its own state (ImHex's View pattern). The shell
// places each view's window in its workspace and calls draw() inside it; update() runs every
// frame for every view, drawn or not (global keys, background refresh). Views read and write
// the shared AppContext and the Lab, never another view's fields.
#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/context.hpp"

namespace mllab::app {

class View {
 public:
  virtual ~View() = default;
  // The window title (unique among the views).
  virtual const char* title() const = 0;
  // Draws the view's content inside its window.
  virtual void draw(AppContext& ctx) = 0;
  // Every frame, before any drawing, for every view.
  virtual void update(AppContext&) {}
  // Adds what tests need to know of this view to window.mllab.uiState().
  virtual void describe(nlohmann::json&) const {}
};

// Where a view's window goes in its workspace: fractions of the area below the tab bar.
struct Placement {
  View* view;
  float x, y, w, h;
};

struct WorkspaceLayout {
  Workspace workspace;
  std::vector<Placement> views;
};

// Every view, and the workspaces placing them (in tab order); defined in views/workspaces.cpp.
struct Views {
  std::vector<std::unique_ptr<View>> all;
  std::vector<WorkspaceLayout> workspaces;
};
Views make_views();

}  // namespace mllab::app

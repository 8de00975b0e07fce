// The app's panels, one file each. Each draws one ImGui window from AppState.
#pragma once

#include "app/app_state.hpp"

namespace mllab::app {

// Window placement computed from the display size, so the layout fills the tab.
struct Layout {
  float x, y, w, h;
};

// Built-in and stored datasets, a preview table with inferred types, and the target picker.
void draw_datasets_panel(AppState& app, const Layout& l);
// The Train form (split + scaler + LogisticRegression parameters), Train button, progress.
void draw_train_panel(AppState& app, const Layout& l);
// The Runs table, sortable by any column including each metric.
void draw_runs_panel(AppState& app, const Layout& l);
// The selected run: params, metrics, tags, confusion matrix, classification report.
void draw_run_detail_panel(AppState& app, const Layout& l);

// A titled separator between groups of fields.
void section(const char* title);

// Requests the browser's file picker (web) for "Load CSV...".
void open_file_picker();

}  // namespace mllab::app

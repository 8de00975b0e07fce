// The display settings (theme, UI scale) of the running app: loaded from localStorage at start,
// saved there on every change, applied between frames (fonts rebuilt at the new size, so text
// stays crisp at any scale and pixel ratio). The rules (range, defaults, saved form) are core's
// (core/util/ui_settings.hpp).
#pragma once

#include <imgui.h>

#include "core/util/ui_settings.hpp"

namespace mllab::app {

// The settings in effect (what the Storage & settings view shows).
const UiSettings& ui_settings();
// Changes the settings: saved at once, applied before the next frame.
void set_ui_settings(const UiSettings& s);
// Reads the saved settings (main, before the first frame).
void load_ui_settings();
// Rebuilds the fonts and style when the settings or the device pixel ratio changed; call between
// frames, before the backends' NewFrame.
void apply_ui_settings(float device_pixel_ratio);
// The colour behind the windows for the current theme.
ImVec4 clear_color();

}  // namespace mllab::app

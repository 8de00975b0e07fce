// The exported C functions behind window.mllab (web/index.html).
#pragma once

#include "app/app_state.hpp"

namespace mllab::app {

// Points the exported functions at the app and tells the page the app is ready.
void install_js_api(AppState& app);

}  // namespace mllab::app

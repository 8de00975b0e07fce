// The exported C functions behind window.mllab (web/index.html).
#pragma once

#include "app/context.hpp"
#include "app/shell.hpp"

namespace mllab::app {

// Points the exported functions at the app and tells the page the app is ready.
void install_js_api(AppContext& ctx, const Shell& shell);

}  // namespace mllab::app

// A form drawn from a parameter table: one widget per scikit-learn parameter, so every
// estimator and transformer gets its form without code of its own.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/context.hpp"
#include "core/ml/params.hpp"

namespace mllab::app {

// Draws a widget per parameter of `specs`, editing `values` (missing keys start at their
// default). Widgets are tracked as "param-<name>". Returns true when a value changed.
bool draw_param_form(AppContext& ctx, const std::vector<ml::ParamSpec>& specs, nlohmann::json& values);

}  // namespace mllab::app

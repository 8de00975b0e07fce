// Deriving a version of the selected dataset (the Schema tab's type changes, the Clean view's
// steps): shared by the Data workspace's views.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/context.hpp"

namespace mllab::app {

// The stored dataset and version the selection is (a built-in file is first stored under its
// name, once per content, so its versions can derive from it): {name, version}. Writes only for
// a built-in file not stored yet.
Result<std::pair<std::string, int>> stored_parent(AppContext& ctx);

// Checks `steps` on the selected table, then derives `save_as` ("" = the selection's own name)
// from the selection and selects the new version, keeping the target when it still exists.
// Bad steps store nothing; errors name the step.
Result<datasets::DatasetRecord> derive_selected(AppContext& ctx, const nlohmann::json& steps, const std::string& save_as);

}  // namespace mllab::app

// One JSON entry point over a Lab for front ends that speak JSON (window.mllab in the browser,
// tests): call("registerModel", {"model_uri": "runs:/.../model", "name": "iris"}) ->
// {"ok": true, "result": ...} or {"ok": false, "error": "<one line>"}. Method and field names
// follow MLflow's client (search_runs -> searchRuns, transition_model_version_stage ->
// transitionModelVersionStage, ...); tables go in as {"csv": "..."}, {"records": [...]} or
// {"dataset": "datasets:/name:2" | "assets/datasets/iris.csv"} and come out as records.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/lab.hpp"

namespace mllab::platform {

// Runs one method; never throws. Unknown methods and missing / mistyped fields are errors that
// name them.
nlohmann::json lab_api_call(Lab& lab, const std::string& method, const nlohmann::json& args);

// The method names lab_api_call knows, sorted.
std::vector<std::string> lab_api_methods();

}  // namespace mllab::platform

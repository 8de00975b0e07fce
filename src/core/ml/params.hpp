// Parameter tables: every step and model declares its parameters once (name, kind, default,
// bounds, one-line doc); the table drives validation, JSON, the CLI and the UI forms.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/status.hpp"

namespace mllab::ml {

using json = nlohmann::json;

// One declared parameter, named as in scikit-learn.
struct ParamSpec {
  // kScalarOrNull: null, a number or a string (e.g. SimpleImputer's fill_value).
  // kIntFloatStringOrNull: scikit-learn's "int count, float fraction, string option or None"
  // (e.g. max_features): a JSON integer (a count within [min, max]), a JSON float (a fraction
  // in (0, 1]), one of `choices`, or null. For older records a string spelling a number ("5",
  // "0.5") is read as that number and a string in `null_aliases` ("all") as null.
  enum class Kind { kInt, kFloat, kBool, kString, kIntOrNull, kScalarOrNull, kIntFloatStringOrNull };
  std::string name;
  Kind kind = Kind::kFloat;
  json default_value;
  // Inclusive numeric bounds unless the *_exclusive flag is set.
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  bool max_exclusive = false;
  // Allowed values for kString (empty: any) and the strings of kIntFloatStringOrNull.
  std::vector<std::string> choices;
  // kIntFloatStringOrNull: older spellings read as null (e.g. "all", "None").
  std::vector<std::string> null_aliases;
  std::string doc;
};

// Checks `given` (a JSON object, may be null/empty) against `specs` and returns the full
// parameter object with defaults filled in. Errors name the parameter and the value:
// "LogisticRegression: unknown parameter 'c' (known: C, max_iter, tol)",
// "LogisticRegression: parameter 'C' must be > 0 (received -1)".
Result<json> resolve_params(const std::string& owner, const std::vector<ParamSpec>& specs,
                            const json& given);

}  // namespace mllab::ml

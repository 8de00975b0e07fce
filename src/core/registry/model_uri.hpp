// Model URIs as MLflow writes them, and the names they contain:
//   models:/<name>/<version>     a version number (positive integer)
//   models:/<name>/<stage>       the newest version in a stage (None | Staging | Production |
//                                Archived, any letter case, as MLflow canonicalises)
//   models:/<name>/latest        the newest version
//   models:/<name>@<alias>       the version an alias points to
//   runs:/<run_id>/<path>        a run's model artifact folder (path "model" when omitted)
//
// Registered model names become store keys and URI parts, so they are restricted to
// [A-Za-z0-9._:=+-] (not starting with '.'); aliases follow MLflow's rules (see validate_alias).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/util/status.hpp"

namespace mllab::registry {

// A parsed model URI. Which fields are set depends on `kind`.
struct ModelUri {
  enum class Kind { kVersion, kStage, kLatest, kAlias, kRun };
  Kind kind = Kind::kLatest;
  std::string name;                     // models:/ URIs
  int version = 0;                      // kVersion
  std::string stage;                    // kStage, canonical spelling ("Production")
  std::string alias;                    // kAlias
  std::string run_id;                   // kRun
  std::string artifact_path = "model";  // kRun

  // URIs built from parts: models:/<name>/<version>, models:/<name>/<stage> (canonicalised),
  // models:/<name>/latest, models:/<name>@<alias>, runs:/<run_id>/<path>.
  static ModelUri for_version(const std::string& name, int version);
  static ModelUri for_stage(const std::string& name, const std::string& stage);
  static ModelUri for_latest(const std::string& name);
  static ModelUri for_alias(const std::string& name, const std::string& alias);
  static ModelUri for_run(const std::string& run_id, const std::string& artifact_path = "model");

  bool operator==(const ModelUri& o) const = default;
};

// Parses a model URI. A malformed one is an error naming the URI and what is wrong, e.g.
// "model URI 'models:/iris/0': the version must be a positive integer (got '0')".
Result<ModelUri> parse_model_uri(const std::string& uri);
// The URI text; parse_model_uri(to_string(u)) == u.
std::string to_string(const ModelUri& uri);

// MLflow's stages, in MLflow's order: None, Staging, Production, Archived.
const std::vector<std::string>& model_stages();
// The canonical spelling of a stage name in any letter case ("production" -> "Production"), or
// nullopt when it is not a stage.
std::optional<std::string> canonical_stage(const std::string& stage);

// Checks a registered model name: non-empty, at most 256 bytes, only [A-Za-z0-9._:=+-] and not
// starting with '.'. A space gets an error suggesting '_'.
Status validate_model_name(const std::string& name);
// Checks an alias name like MLflow: non-empty, only [A-Za-z0-9_-], at most 255 bytes, not
// "latest" (any case), not a version alias "v<digits>" / "V<digits>". MLLab also refuses
// aliases made of digits only, so "@3" is never mistaken for version 3.
Status validate_alias(const std::string& alias);
// Checks a run id like MLflow: [A-Za-z0-9] followed by up to 255 of [A-Za-z0-9_-].
Status validate_run_id(const std::string& run_id);

}  // namespace mllab::registry

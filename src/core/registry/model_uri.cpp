#include "core/registry/model_uri.hpp"

#include <cctype>

#include "core/store/store.hpp"
#include "core/util/json_reader.hpp"
#include "core/util/names.hpp"

namespace mllab::registry {
namespace {

constexpr size_t kMaxAliasLength = 255;  // MLflow's MAX_REGISTERED_MODEL_ALIAS_LENGTH

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) if (!is_digit(c)) return false;
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A character as it should appear in a message (control bytes as hex).
std::string show_char(char c) {
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    static const char* kHex = "0123456789abcdef";
    return std::string("\\x") + kHex[(c >> 4) & 15] + kHex[c & 15];
  }
  return std::string(1, c);
}

Status uri_error(const std::string& uri, const std::string& what) {
  return Status::invalid("model URI '" + quote_for_message(uri) + "': " + what);
}

// Parses the part after "models:/".
Result<ModelUri> parse_models(const std::string& uri, const std::string& rest) {
  if (rest.empty()) return uri_error(uri, "the model name is empty (expected models:/<name>/<version>)");
  if (rest.front() == '/') {
    return uri_error(uri, "unexpected '/' after 'models:/' (expected models:/<name>/<version|stage|latest> "
                          "or models:/<name>@<alias>)");
  }
  ModelUri u;
  size_t slash = rest.find('/');
  if (slash == std::string::npos) {
    // models:/<name>@<alias>
    size_t at = rest.rfind('@');
    if (at == std::string::npos) {
      return uri_error(uri, "expected models:/<name>/<version|stage|latest> or models:/<name>@<alias>");
    }
    u.kind = ModelUri::Kind::kAlias;
    u.name = rest.substr(0, at);
    u.alias = rest.substr(at + 1);
    if (u.name.empty()) return uri_error(uri, "the model name is empty");
    Status st = validate_model_name(u.name);
    if (!st.is_ok()) return uri_error(uri, st.message());
    st = validate_alias(u.alias);
    if (!st.is_ok()) return uri_error(uri, st.message());
    return u;
  }
  u.name = rest.substr(0, slash);
  std::string suffix = rest.substr(slash + 1);
  if (u.name.empty()) return uri_error(uri, "the model name is empty");
  Status st = validate_model_name(u.name);
  if (!st.is_ok()) return uri_error(uri, st.message());
  if (suffix.empty()) return uri_error(uri, "nothing after the model name (expected a version, stage or 'latest')");
  if (suffix.find('/') != std::string::npos) {
    return uri_error(uri, "unexpected text after '" + suffix.substr(0, suffix.find('/')) + "' ('" +
                              suffix.substr(suffix.find('/')) + "')");
  }
  if (all_digits(suffix)) {
    size_t first = suffix.find_first_not_of('0');
    std::string digits = first == std::string::npos ? "0" : suffix.substr(first);
    if (digits == "0") return uri_error(uri, "the version must be a positive integer (got '" + suffix + "')");
    if (digits.size() > 10 || std::stoll(digits) > 2147483647LL) {
      return uri_error(uri, "the version " + suffix + " is too large");
    }
    u.kind = ModelUri::Kind::kVersion;
    u.version = int(std::stoll(digits));
    return u;
  }
  if (lower(suffix) == "latest") {
    u.kind = ModelUri::Kind::kLatest;
    return u;
  }
  auto stage = canonical_stage(suffix);
  if (!stage) {
    return uri_error(uri, "'" + suffix + "' is not a version, a stage (None, Staging, Production, Archived) "
                          "or 'latest'");
  }
  u.kind = ModelUri::Kind::kStage;
  u.stage = *stage;
  return u;
}

// Parses the part after "runs:/".
Result<ModelUri> parse_runs(const std::string& uri, const std::string& rest) {
  ModelUri u;
  u.kind = ModelUri::Kind::kRun;
  size_t slash = rest.find('/');
  u.run_id = rest.substr(0, slash);
  if (u.run_id.empty()) return uri_error(uri, "the run id is empty (expected runs:/<run_id>/<path>)");
  Status st = validate_run_id(u.run_id);
  if (!st.is_ok()) return uri_error(uri, st.message());
  std::string path = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.empty()) path = "model";
  st = store::validate_key(path);
  if (!st.is_ok()) {
    return uri_error(uri, "the artifact path '" + quote_for_message(path) + "' is not valid (" + st.message() + ")");
  }
  u.artifact_path = path;
  return u;
}

}  // namespace

ModelUri ModelUri::for_version(const std::string& name, int version) {
  ModelUri u;
  u.kind = Kind::kVersion;
  u.name = name;
  u.version = version;
  return u;
}

ModelUri ModelUri::for_stage(const std::string& name, const std::string& stage) {
  ModelUri u;
  u.kind = Kind::kStage;
  u.name = name;
  u.stage = canonical_stage(stage).value_or(stage);
  return u;
}

ModelUri ModelUri::for_latest(const std::string& name) {
  ModelUri u;
  u.kind = Kind::kLatest;
  u.name = name;
  return u;
}

ModelUri ModelUri::for_alias(const std::string& name, const std::string& alias) {
  ModelUri u;
  u.kind = Kind::kAlias;
  u.name = name;
  u.alias = alias;
  return u;
}

ModelUri ModelUri::for_run(const std::string& run_id, const std::string& artifact_path) {
  ModelUri u;
  u.kind = Kind::kRun;
  u.run_id = run_id;
  u.artifact_path = artifact_path;
  return u;
}

Result<ModelUri> parse_model_uri(const std::string& uri) {
  static const std::string kModels = "models:/", kRuns = "runs:/";
  if (uri.compare(0, kModels.size(), kModels) == 0) return parse_models(uri, uri.substr(kModels.size()));
  if (uri.compare(0, kRuns.size(), kRuns) == 0) return parse_runs(uri, uri.substr(kRuns.size()));
  if (uri.empty()) return Status::invalid("model URI is empty (expected models:/<name>/<version> or runs:/<run_id>/model)");
  size_t colon = uri.find(':');
  if (colon == std::string::npos) {
    return uri_error(uri, "no scheme (expected models:/<name>/<version>, models:/<name>@<alias> or "
                          "runs:/<run_id>/<path>)");
  }
  std::string scheme = uri.substr(0, colon);
  if (scheme == "models" || scheme == "runs") return uri_error(uri, "expected '" + scheme + ":/' after the scheme");
  return uri_error(uri, "unknown scheme '" + scheme + "' (expected models:/ or runs:/)");
}

std::string to_string(const ModelUri& u) {
  switch (u.kind) {
    case ModelUri::Kind::kVersion: return "models:/" + u.name + "/" + std::to_string(u.version);
    case ModelUri::Kind::kStage: return "models:/" + u.name + "/" + u.stage;
    case ModelUri::Kind::kLatest: return "models:/" + u.name + "/latest";
    case ModelUri::Kind::kAlias: return "models:/" + u.name + "@" + u.alias;
    case ModelUri::Kind::kRun: return "runs:/" + u.run_id + "/" + u.artifact_path;
  }
  return "";
}

const std::vector<std::string>& model_stages() {
  static const std::vector<std::string> stages = {"None", "Staging", "Production", "Archived"};
  return stages;
}

std::optional<std::string> canonical_stage(const std::string& stage) {
  const std::string l = lower(stage);
  for (const auto& s : model_stages()) {
    if (lower(s) == l) return s;
  }
  return std::nullopt;
}

Status validate_model_name(const std::string& name) {
  return check_name(name, "registered model name",
                    {{'/', "'/' separates the version in models:/NAME/VERSION"},
                     {'@', "'@' separates the alias in models:/NAME@ALIAS"}});
}

Status validate_alias(const std::string& alias) {
  if (alias.empty()) return Status::invalid("alias name is empty");
  for (char c : alias) {
    if (!is_alnum(c) && c != '_' && c != '-') {
      return Status::invalid("invalid alias name '" + alias + "': names may only contain alphanumerics, "
                             "underscores (_), and dashes (-) (found '" + show_char(c) + "')");
    }
  }
  if (alias.size() > kMaxAliasLength) {
    return Status::invalid("alias name '" + alias.substr(0, 40) + "...' is " + std::to_string(alias.size()) +
                           " bytes long (at most " + std::to_string(kMaxAliasLength) + ")");
  }
  if (lower(alias) == "latest") return Status::invalid("alias name '" + alias + "' is reserved ('latest', any case)");
  if ((alias[0] == 'v' || alias[0] == 'V') && all_digits(alias.substr(1))) {
    return Status::invalid("alias name '" + alias + "' is reserved (version aliases v<number>)");
  }
  if (all_digits(alias)) {
    return Status::invalid("alias name '" + alias + "' is only digits; it would read as a version number");
  }
  return Status::ok();
}

Status validate_run_id(const std::string& run_id) {
  if (run_id.empty()) return Status::invalid("run id is empty");
  if (run_id.size() > 256) return Status::invalid("run id '" + run_id.substr(0, 40) + "...' is longer than 256 bytes");
  if (!is_alnum(run_id[0])) {
    return Status::invalid("run id '" + run_id + "' must start with a letter or digit");
  }
  for (char c : run_id) {
    if (!is_alnum(c) && c != '_' && c != '-') {
      return Status::invalid("run id '" + run_id + "' contains the character '" + show_char(c) + "'");
    }
  }
  return Status::ok();
}

}  // namespace mllab::registry

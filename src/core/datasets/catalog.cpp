#include "core/datasets/catalog.hpp"

#include <nlohmann/json.hpp>
#include "core/util/json_reader.hpp"

namespace mllab::datasets {

Result<std::vector<CatalogEntry>> parse_catalog(const std::string& json_text) {
  auto parsed = read_json(json_text, "datasets.json");
  if (!parsed) return parsed.status();
  const nlohmann::json& j = *parsed;
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "mllab.dataset_catalog") {
    return Status::parse_error("datasets.json is not an mllab.dataset_catalog document");
  }
  if (!j.contains("schema_version") || j["schema_version"] != 1) return Status::parse_error("datasets.json: unsupported schema_version");
  std::vector<CatalogEntry> out;
  try {
    for (const auto& d : j.at("datasets")) {
      CatalogEntry e;
      e.name = d.at("name");
      e.path = d.at("path");
      e.title = d.value("title", e.name);
      e.description = d.value("description", "");
      e.task = d.value("task", "classification");
      e.target = d.value("target", "");
      e.target_names = d.value("target_names", std::vector<std::string>{});
      e.rows = d.value("rows", int64_t{0});
      e.columns = d.value("columns", int64_t{0});
      e.sha256 = d.value("sha256", "");
      out.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::parse_error("datasets.json is malformed: " + json_error_reason(e));
  }
  return out;
}

const CatalogEntry* find_by_path(const std::vector<CatalogEntry>& catalog, const std::string& path) {
  std::string p = path.rfind("./", 0) == 0 ? path.substr(2) : path;
  for (const auto& e : catalog) {
    if (e.path == p) return &e;
  }
  return nullptr;
}

}  // namespace mllab::datasets

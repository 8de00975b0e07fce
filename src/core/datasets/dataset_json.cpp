#include "core/datasets/dataset_json.hpp"

#include "core/tracking/entities.hpp"

namespace mllab::datasets {

using json = nlohmann::json;

json dataset_version_entry_json(const std::string& name, const DatasetVersion& v) {
  return {{"name", name}, {"uri", dataset_uri(name) + ":" + std::to_string(v.version)}, {"version", dataset_version_to_json(v)}};
}

json dataset_to_json(const DatasetRecord& rec, const DatasetVersion& v, const std::vector<tracking::Run>& runs_with_input) {
  json j = dataset_version_entry_json(rec.name, v);
  json versions = json::array();
  for (const auto& x : rec.versions) versions.push_back({{"version", x.version}, {"digest", x.digest}, {"num_rows", x.num_rows}});
  j["versions"] = std::move(versions);
  json runs = json::array();
  for (const auto& r : runs_with_input) {
    runs.push_back({{"run_id", r.run_id}, {"run_name", r.run_name}, {"experiment_id", r.experiment_id},
                    {"status", tracking::run_status_name(r.status)}});
  }
  j["runs"] = std::move(runs);
  return j;
}

json dataset_list_entry_json(const CatalogEntry& e) {
  return {{"name", e.name}, {"uri", e.path}, {"path", e.path}, {"source_type", "builtin"}, {"source", e.path},
          {"title", e.title}, {"target", e.target}, {"rows", e.rows}, {"columns", e.columns},
          {"digest", e.sha256}, {"version", nullptr}};
}

json dataset_list_entry_json(const DatasetRecord& d) {
  const DatasetVersion& v = d.latest();
  const json* cols = v.schema.is_object() && v.schema.contains("columns") ? &v.schema["columns"] : nullptr;
  const std::string uri = dataset_uri(d.name);
  return {{"name", d.name}, {"uri", uri}, {"path", uri}, {"source_type", v.source_type}, {"source", v.source},
          {"title", ""}, {"target", ""}, {"rows", v.num_rows}, {"columns", cols && cols->is_array() ? cols->size() : 0},
          {"digest", v.digest}, {"version", v.version}};
}

json dataset_list_json(const std::vector<CatalogEntry>& builtins, const std::vector<DatasetRecord>& stored) {
  json arr = json::array();
  for (const auto& e : builtins) arr.push_back(dataset_list_entry_json(e));
  for (const auto& d : stored) {
    if (!d.versions.empty()) arr.push_back(dataset_list_entry_json(d));
  }
  return arr;
}

}  // namespace mllab::datasets

#include "core/datasets/dataset_store.hpp"

#include <set>

#include "core/data/csv.hpp"
#include "core/datasets/profile.hpp"
#include "core/util/clock.hpp"
#include "core/util/names.hpp"
#include "core/util/sha256.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::datasets {
namespace {
using json = nlohmann::json;
constexpr int kDatasetSchemaVersion = 1;

json to_json(const DatasetRecord& r) {
  json versions = json::array();
  for (const auto& v : r.versions) versions.push_back(dataset_version_to_json(v));
  return {{"schema", "mllab.dataset"}, {"schema_version", kDatasetSchemaVersion}, {"name", r.name},
          {"versions", versions}};
}

// `key` is the record's store key, named in errors.
Result<DatasetRecord> from_json(const std::string& bytes, const std::string& key) {
  const std::string what = "dataset record '" + quote_for_message(key) + "'";
  auto parsed = read_json(bytes, what);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "mllab.dataset") {
    return Status::parse_error(what + " is not an mllab.dataset record");
  }
  if (!j.contains("schema_version") || j["schema_version"] != kDatasetSchemaVersion) {
    return Status::parse_error(what + ": unsupported mllab.dataset schema_version");
  }
  try {
    DatasetRecord r;
    r.name = j.at("name");
    for (const auto& v : j.at("versions")) {
      DatasetVersion d;
      d.version = v.at("version"); d.digest = v.at("digest"); d.source_type = v.value("source_type", "");
      d.source = v.value("source", ""); d.num_rows = v.value("num_rows", int64_t{0});
      d.schema = v.value("schema", json::object()); d.created_time = v.value("created_time", int64_t{0});
      d.profile = v.value("profile", json(nullptr)); d.lineage = v.value("lineage", json(nullptr));
      r.versions.push_back(std::move(d));
    }
    if (r.versions.empty()) return Status::parse_error("dataset record '" + r.name + "' has no versions");
    return r;
  } catch (const json::exception& e) {
    return Status::parse_error(what + " is malformed: " + json_error_reason(e));
  }
}
}  // namespace

json dataset_version_to_json(const DatasetVersion& v) {
  return {{"version", v.version}, {"digest", v.digest}, {"source_type", v.source_type}, {"source", v.source},
          {"num_rows", v.num_rows}, {"schema", v.schema}, {"created_time", v.created_time},
          {"profile", v.profile}, {"lineage", v.lineage}};
}

std::string dataset_uri(const std::string& name) { return "datasets:/" + name; }

std::string dataset_name_from_file(const std::string& file_name) {
  std::string base = file_name;
  size_t slash = base.find_last_of("/\\");
  if (slash != std::string::npos) base = base.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  std::string out;
  for (char c : base) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (ok) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && (out.back() == '_' || out.back() == '.')) out.pop_back();
  while (!out.empty() && (out.front() == '_' || out.front() == '.')) out.erase(out.begin());
  return out.empty() ? "dataset" : out;
}

Status check_dataset_name(const std::string& name) {
  return check_name(name, "dataset name", {{'/', "names cannot hold '/'"},
                                           {':', "':' separates the version in datasets:/NAME:VERSION"}});
}

Result<std::pair<std::string, int>> parse_dataset_ref(const std::string& ref) {
  size_t colon = ref.rfind(':');
  if (colon == std::string::npos) {
    if (ref.empty()) return Status::invalid("dataset reference is empty");
    return std::make_pair(ref, 0);
  }
  std::string name = ref.substr(0, colon), v = ref.substr(colon + 1);
  if (name.empty()) return Status::invalid("dataset reference '" + ref + "' has no name before ':'");
  if (v == "latest") return std::make_pair(name, 0);
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9' || n > 100000000) {
      return Status::invalid("dataset reference '" + ref + "': version '" + v + "' is not a positive integer or 'latest'");
    }
    n = n * 10 + (c - '0');
  }
  if (v.empty() || n == 0) return Status::invalid("dataset reference '" + ref + "': versions start at 1");
  return std::make_pair(name, n);
}

Result<DatasetRecord> DatasetStore::add(const std::string& name, const std::string& bytes,
                                        const std::string& source_type, const std::string& source,
                                        const json& lineage) {
  MLLAB_RETURN_IF_ERROR(check_dataset_name(name));
  MLLAB_RETURN_IF_ERROR(store::validate_key("datasets/" + name));
  data::CsvOptions opts;
  opts.source = source.empty() ? name : source;
  auto table = data::read_csv(bytes, opts);
  if (!table) return table.status();
  return add_table(name, bytes, *table, source_type, source, lineage);
}

Result<DatasetRecord> DatasetStore::add_table(const std::string& name, const std::string& bytes,
                                              const data::Table& table, const std::string& source_type,
                                              const std::string& source, const json& lineage) {
  DatasetVersion v;
  v.digest = sha256_hex(bytes);
  v.source_type = source_type;
  v.source = source;
  v.num_rows = int64_t(table.num_rows());
  v.schema = table_schema(table);
  v.created_time = now_ms();
  v.profile = profile_table(table);
  v.lineage = lineage;

  DatasetRecord rec;
  rec.name = name;
  if (auto existing = store_.get("datasets/" + name)) {
    auto parsed = from_json(*existing, "datasets/" + name);
    if (!parsed) return parsed.status();
    rec = std::move(parsed).value();
    // Same content read the same way: no new version.
    if (rec.latest().digest == v.digest && rec.latest().schema == v.schema) return rec;
  }
  v.version = rec.versions.empty() ? 1 : rec.versions.back().version + 1;
  rec.versions.push_back(v);
  store::Batch b;
  if (!store_.get("blobs/" + v.digest)) b.put("blobs/" + v.digest, bytes);
  b.put("datasets/" + name, to_json(rec).dump());
  MLLAB_RETURN_IF_ERROR(store_.commit(b));
  return rec;
}

Result<DatasetRecord> DatasetStore::derive(const std::string& name, const std::string& parent, int parent_version,
                                           const json& steps) {
  MLLAB_RETURN_IF_ERROR(check_dataset_name(name));
  auto parsed = parse_cleaning_steps(steps);
  if (!parsed) return parsed.status();
  auto pv = version(parent, parent_version);
  if (!pv) return pv.status();
  auto bytes = this->bytes(parent, pv->version);
  if (!bytes) return bytes.status();
  auto table = this->table(parent, pv->version);
  if (!table) return table.status();
  auto cleaned = apply_cleaning_steps(*table, *parsed);
  if (!cleaned) return cleaned.status();
  MLLAB_RETURN_IF_ERROR(store::validate_key("datasets/" + name));
  json lineage = {{"parent", {{"name", parent}, {"version", pv->version}, {"digest", pv->digest}}}, {"steps", steps}};
  return add_table(name, data::write_csv(*cleaned), *cleaned, "derived", parent + ":" + std::to_string(pv->version),
                   lineage);
}

Result<DatasetVersion> DatasetStore::version(const std::string& name, int version) const {
  auto rec = get(name);
  if (!rec) return rec.status();
  if (version <= 0) return rec->latest();
  for (const auto& v : rec->versions) if (v.version == version) return v;
  return Status::not_found("dataset '" + name + "' has no version " + std::to_string(version) + " (latest is " +
                           std::to_string(rec->latest().version) + ")");
}

std::vector<DatasetRecord> DatasetStore::list() const {
  std::vector<DatasetRecord> out;
  for (const auto& key : store_.keys("datasets/")) {
    auto bytes = store_.get(key);
    if (!bytes) continue;
    auto r = from_json(*bytes, key);
    if (r) out.push_back(std::move(r).value());
  }
  return out;
}

Result<DatasetRecord> DatasetStore::get(const std::string& name) const {
  auto bytes = store_.get("datasets/" + name);
  if (!bytes) return Status::not_found("no stored dataset named '" + quote_for_message(name) + "'");
  return from_json(*bytes, "datasets/" + name);
}

Result<std::string> DatasetStore::bytes(const std::string& name, int version) const {
  auto v = this->version(name, version);
  if (!v) return v.status();
  auto b = store_.get("blobs/" + v->digest);
  if (!b) return Status::storage_error("dataset '" + name + "' version " + std::to_string(v->version) + ": its bytes are missing from the store");
  return std::move(*b);
}

Result<data::Table> DatasetStore::table(const std::string& name, int version) const {
  auto v = this->version(name, version);
  if (!v) return v.status();
  auto b = bytes(name, v->version);
  if (!b) return b.status();
  data::CsvOptions opts;
  opts.source = name + ":" + std::to_string(v->version);
  auto t = data::read_csv(*b, opts);
  if (!t) return t.status();
  MLLAB_RETURN_IF_ERROR(apply_schema_types(*t, v->schema));
  return t;
}

Result<StorageSize> DatasetStore::storage_size(const std::string& name) const {
  auto rec = get(name);
  if (!rec) return rec.status();
  StorageSize out;
  if (auto r = store_.get("datasets/" + name)) out.record_bytes = int64_t(r->size());
  std::set<std::string> seen;
  for (const auto& v : rec->versions) {
    if (!seen.insert(v.digest).second) continue;
    if (auto b = store_.get("blobs/" + v.digest)) {
      out.blob_bytes += int64_t(b->size());
      ++out.blobs;
    }
  }
  return out;
}

}  // namespace mllab::datasets

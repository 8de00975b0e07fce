// Datasets kept in the Store by content: the bytes once under blobs/<sha256>, and a record per
// named dataset listing its versions (a new version only when the content changes).
//
//   blobs/<sha256>         the CSV bytes
//   datasets/<name>        mllab.dataset {name, versions: [{version, digest, ...}]}
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/table.hpp"
#include "core/store/store.hpp"
#include "core/util/status.hpp"

namespace mllab::datasets {

// One stored version of a named dataset.
struct DatasetVersion {
  int version = 1;
  std::string digest;       // SHA-256 of the bytes
  std::string source_type;  // "upload" | "local" | "builtin"
  std::string source;       // file name or path
  int64_t num_rows = 0;
  nlohmann::json schema;    // {"columns": [{"name", "type"}]}
  int64_t created_time = 0;
  nlohmann::json profile;   // profile_table() of the content (null in records written before profiles)
  // Where a derived version came from: {"parent": {"name", "version", "digest"}, "steps": [...]}
  // (the cleaning steps, see profile.hpp); null for loaded files.
  nlohmann::json lineage;
};

// A version as JSON: {version, digest, source_type, source, num_rows, schema, created_time,
// profile, lineage}.
nlohmann::json dataset_version_to_json(const DatasetVersion& v);

// The name rule for datasets (core/util/names.hpp): no '/' and no ':' (the version separator).
Status check_dataset_name(const std::string& name);
// "name", "name:3" or "name:latest" -> the name and the version (0 = latest); an error names the text.
Result<std::pair<std::string, int>> parse_dataset_ref(const std::string& ref);

// A named dataset and its versions (oldest first).
struct DatasetRecord {
  std::string name;
  std::vector<DatasetVersion> versions;
  const DatasetVersion& latest() const { return versions.back(); }
};

// URI of a stored dataset's latest version in a pipeline spec: "datasets:/<name>".
std::string dataset_uri(const std::string& name);
// A dataset name made from a file name: "My data (2).csv" -> "My_data_2".
std::string dataset_name_from_file(const std::string& file_name);

// Bytes a dataset takes in the store.
struct StorageSize {
  int64_t blob_bytes = 0;    // sum over its distinct blobs
  int64_t blobs = 0;         // how many distinct blobs
  int64_t record_bytes = 0;  // the datasets/<name> record
};

// Named, content-addressed datasets over a Store.
class DatasetStore {
 public:
  explicit DatasetStore(store::Store& store) : store_(store) {}
  // Parses `bytes` as CSV (a parse error stores nothing and names line and column), then stores
  // them once by digest and adds a version to `name` if the content is new; one batch.
  Result<DatasetRecord> add(const std::string& name, const std::string& bytes,
                            const std::string& source_type, const std::string& source,
                            const nlohmann::json& lineage = nullptr);
  // Derives dataset `name` from version `parent_version` (0 = latest) of `parent` by cleaning
  // steps (see profile.hpp): a new version with source_type "derived" and its lineage; one batch.
  Result<DatasetRecord> derive(const std::string& name, const std::string& parent, int parent_version,
                               const nlohmann::json& steps);
  std::vector<DatasetRecord> list() const;
  Result<DatasetRecord> get(const std::string& name) const;
  // One version (0 = latest); an error names the dataset and version.
  Result<DatasetVersion> version(const std::string& name, int version = 0) const;
  // The bytes of a version (0 = latest).
  Result<std::string> bytes(const std::string& name, int version = 0) const;
  // The table of a version (0 = latest) read with its recorded column types (set_type steps).
  Result<data::Table> table(const std::string& name, int version = 0) const;
  // What a dataset occupies in the store: its distinct blobs (versions with equal bytes share
  // one) and its record.
  Result<StorageSize> storage_size(const std::string& name) const;

 private:
  Result<DatasetRecord> add_table(const std::string& name, const std::string& bytes, const data::Table& table,
                                  const std::string& source_type, const std::string& source,
                                  const nlohmann::json& lineage);
  store::Store& store_;
};

}  // namespace mllab::datasets

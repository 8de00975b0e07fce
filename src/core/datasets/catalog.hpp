// The built-in dataset catalog (assets/datasets/datasets.json).
#pragma once

#include <string>
#include <vector>

#include "core/util/status.hpp"

namespace mllab::datasets {

// One built-in dataset.
struct CatalogEntry {
  std::string name;         // "breast_cancer"
  std::string path;         // "assets/datasets/breast_cancer.csv"
  std::string title;
  std::string description;
  std::string task;         // "classification"
  std::string target;       // suggested target column
  std::vector<std::string> target_names;  // class display names (may be empty)
  int64_t rows = 0;
  int64_t columns = 0;
  std::string sha256;
};

// Parses the catalog document ("mllab.dataset_catalog").
Result<std::vector<CatalogEntry>> parse_catalog(const std::string& json_text);
// The entry whose path equals `path` (after dropping a leading "./"), or nullptr.
const CatalogEntry* find_by_path(const std::vector<CatalogEntry>& catalog, const std::string& path);

}  // namespace mllab::datasets

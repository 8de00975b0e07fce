// What the store holds, by kind (runs, metrics, artifacts, dataset blobs, ...): record counts and
// bytes from the store's own keys and records, for the Storage & settings view; and the batch
// that clears everything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/store/store.hpp"

namespace mllab::store {

struct KindUsage {
  std::string kind;    // "runs", "metrics", ..., "other"
  std::string label;   // "Runs", "Metric history", ...
  uint64_t count = 0;  // records
  uint64_t bytes = 0;  // key + value bytes
};

// Every kind in a fixed order (kinds with no records included, count 0), "other" last for keys
// of no known kind. The sum of `bytes` is what the records take (IndexedDB adds its overhead).
std::vector<KindUsage> usage_by_kind(const Store& store);
// Total of usage_by_kind().
KindUsage total_usage(const std::vector<KindUsage>& kinds);
// A batch that deletes every record of the store (one transaction: all or nothing).
Batch clear_all_batch(const Store& store);

// "0 B", "980 B", "12.3 KB", "4.5 MB", "1.2 GB" (decimal units, like the browser's estimate).
std::string format_bytes(uint64_t bytes);
// "1,234,567".
std::string format_count(uint64_t n);

}  // namespace mllab::store

#include "core/store/usage.hpp"

#include <cstdio>

namespace mllab::store {
namespace {
struct Kind {
  const char* kind;
  const char* label;
  std::vector<const char*> prefixes;
};
const std::vector<Kind>& kinds() {
  static const std::vector<Kind> k = {
      {"runs", "Runs", {"runs/"}},
      {"experiments", "Experiments", {"experiments/"}},
      {"metrics", "Metric history", {"metrics/"}},
      {"artifacts", "Artifacts", {"artifacts/"}},
      {"datasets", "Datasets (versions)", {"datasets/"}},
      {"blobs", "Dataset blobs", {"blobs/"}},
      {"models", "Models", {"registered_models/"}},
      {"features", "Feature groups", {"features/"}},
      {"predictions", "Predictions", {"predictions/", "prediction_actuals/"}},
      {"drift_reports", "Drift reports", {"drift_reports/"}},
  };
  return k;
}
bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
}  // namespace

std::vector<KindUsage> usage_by_kind(const Store& store) {
  std::vector<KindUsage> out;
  for (const Kind& k : kinds()) out.push_back({k.kind, k.label, 0, 0});
  out.push_back({"other", "Other", 0, 0});
  for (const std::string& key : store.keys("")) {
    size_t slot = out.size() - 1;
    for (size_t i = 0; i < kinds().size() && slot == out.size() - 1; ++i) {
      for (const char* p : kinds()[i].prefixes) {
        if (starts_with(key, p)) {
          slot = i;
          break;
        }
      }
    }
    auto value = store.get(key);
    out[slot].count += 1;
    out[slot].bytes += key.size() + (value ? value->size() : 0);
  }
  return out;
}

KindUsage total_usage(const std::vector<KindUsage>& kinds) {
  KindUsage t{"total", "Total", 0, 0};
  for (const auto& k : kinds) {
    t.count += k.count;
    t.bytes += k.bytes;
  }
  return t;
}

Batch clear_all_batch(const Store& store) {
  Batch b;
  for (std::string& key : store.keys("")) b.erase(std::move(key));
  return b;
}

std::string format_bytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1000) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 1000ull * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f KB", double(bytes) / 1e3);
  } else if (bytes < 1000ull * 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f MB", double(bytes) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f GB", double(bytes) / 1e9);
  }
  return buf;
}

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace mllab::store

// Stored drift reports, listed per model version (or per free-standing comparison).
//
//   drift_reports/<report_id>   mllab.drift_report_entry {report_id, created_time, model_name,
//                               model_version, model_uri, reference, current, report}
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/monitoring/drift.hpp"
#include "core/store/store.hpp"
#include "core/util/status.hpp"

namespace mllab::monitoring {

// A drift report with what it compared.
struct StoredDriftReport {
  std::string report_id;
  int64_t created_time = 0;
  std::string model_name;               // "" when not about a registered model
  std::optional<int> model_version;
  std::string model_uri;                // as given, e.g. "models:/churn@champion"
  std::string reference;                // what the reference data was ("training data of run X", a file)
  std::string current;                  // what the current data was
  DriftReport report;
};

nlohmann::json stored_drift_report_to_json(const StoredDriftReport& r);

// Drift reports over a Store.
class DriftReportStore {
 public:
  explicit DriftReportStore(store::Store& store) : store_(store) {}
  // Saves a report (one batch) and returns it with its new id and time.
  Result<StoredDriftReport> save(StoredDriftReport report);
  // Reports, newest first; of one model (and version) when given.
  std::vector<StoredDriftReport> list(const std::string& model_name = "",
                                      std::optional<int> model_version = std::nullopt) const;
  Result<StoredDriftReport> get(const std::string& report_id) const;

 private:
  store::Store& store_;
};

}  // namespace mllab::monitoring

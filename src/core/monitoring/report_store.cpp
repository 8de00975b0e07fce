#include "core/monitoring/report_store.hpp"

#include <algorithm>
#include <tuple>

#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::monitoring {
namespace {

using json = nlohmann::json;
constexpr int kEntrySchemaVersion = 1;

// `key` is the record's store key, named in errors.
Result<StoredDriftReport> parse_entry(const std::string& bytes, const std::string& key) {
  const std::string what = "drift report record '" + quote_for_message(key) + "'";
  auto parsed = read_json(bytes, what);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "mllab.drift_report_entry") {
    return Status::parse_error(what + " is not an mllab.drift_report_entry record");
  }
  if (!j.contains("schema_version") || j["schema_version"] != kEntrySchemaVersion) {
    return Status::parse_error(what + ": schema_version " + json_for_message(j.value("schema_version", json(0))) +
                               " is not supported");
  }
  try {
    StoredDriftReport r;
    r.report_id = j.at("report_id");
    r.created_time = j.at("created_time");
    r.model_name = j.value("model_name", "");
    if (j.contains("model_version") && !j["model_version"].is_null()) r.model_version = j["model_version"].get<int>();
    r.model_uri = j.value("model_uri", "");
    r.reference = j.value("reference", "");
    r.current = j.value("current", "");
    auto report = drift_report_from_json(j.at("report"));
    if (!report) return Status(report.status().code(), what + ": " + report.status().message());
    r.report = std::move(report).value();
    return r;
  } catch (const json::exception& e) {
    return Status::parse_error(what + " is malformed: " + json_error_reason(e));
  }
}

}  // namespace

json stored_drift_report_to_json(const StoredDriftReport& r) {
  return {{"report_id", r.report_id},
          {"created_time", r.created_time},
          {"model_name", r.model_name},
          {"model_version", r.model_version ? json(*r.model_version) : json(nullptr)},
          {"model_uri", r.model_uri},
          {"reference", r.reference},
          {"current", r.current},
          {"report", drift_report_to_json(r.report)}};
}

Result<StoredDriftReport> DriftReportStore::save(StoredDriftReport report) {
  report.report_id = new_id();
  report.created_time = now_ms();
  json j = stored_drift_report_to_json(report);
  j["report"] = drift_report_to_record(report.report);
  j["schema"] = "mllab.drift_report_entry";
  j["schema_version"] = kEntrySchemaVersion;
  store::Batch b;
  b.put("drift_reports/" + report.report_id, j.dump());
  MLLAB_RETURN_IF_ERROR(store_.commit(b));
  return report;
}

std::vector<StoredDriftReport> DriftReportStore::list(const std::string& model_name,
                                                      std::optional<int> model_version) const {
  std::vector<StoredDriftReport> out;
  for (const auto& key : store_.keys("drift_reports/")) {
    auto bytes = store_.get(key);
    if (!bytes) continue;
    auto r = parse_entry(*bytes, key);
    if (!r) continue;
    if (!model_name.empty() && r->model_name != model_name) continue;
    if (model_version && r->model_version != model_version) continue;
    out.push_back(std::move(r).value());
  }
  std::sort(out.begin(), out.end(), [](const StoredDriftReport& a, const StoredDriftReport& b) {
    return std::tie(b.created_time, a.report_id) < std::tie(a.created_time, b.report_id);
  });
  return out;
}

Result<StoredDriftReport> DriftReportStore::get(const std::string& report_id) const {
  auto bytes = store_.get("drift_reports/" + report_id);
  if (!bytes) return Status::not_found("no drift report with id '" + report_id + "'");
  return parse_entry(*bytes, "drift_reports/" + report_id);
}

}  // namespace mllab::monitoring

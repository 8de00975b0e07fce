// `mllab models ...` (the registry, predicting) and `mllab monitor ...` (drift, prediction log).
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>

#include "cli/commands.hpp"
#include "core/data/csv.hpp"
#include "core/monitoring/drift.hpp"
#include "core/registry/model_uri.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"
#include "platform/files.hpp"

namespace mllab::cli {
namespace {

using json = nlohmann::json;

void print_version_line(const registry::ModelVersion& v) {
  std::string aliases;
  for (const auto& a : v.aliases) aliases += (aliases.empty() ? "@" : ", @") + a;
  std::printf("  %4d  %-10s %-20s %-34s %s\n", v.version, text_cell(v.current_stage).c_str(),
              iso_time(v.creation_timestamp).c_str(), text_cell(v.run_id).c_str(), text_cell(aliases).c_str());
}

// "column=value" pairs of repeated options; an error names the malformed one.
Result<std::map<std::string, std::string>> pairs(const std::vector<std::string>& items, const char* option) {
  std::map<std::string, std::string> out;
  for (const auto& it : items) {
    size_t eq = it.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == it.size()) {
      return Status::invalid(std::string(option) + " '" + quote_for_message(it) + "': expected COLUMN=VALUE");
    }
    out[it.substr(0, eq)] = it.substr(eq + 1);
  }
  return out;
}

// The number of option `option`, refused unless finite and in [lo, hi] (hi: +inf for none).
Result<double> option_number(const std::string& option, const std::string& text, double lo, double hi) {
  double v = 0;
  const std::string range = std::isinf(hi) ? "a finite number >= " + data::format_number(lo)
                                           : "a number in [" + data::format_number(lo) + ", " + data::format_number(hi) + "]";
  if (!data::parse_number(text, &v) || !std::isfinite(v) || v < lo || v > hi) {
    return Status::invalid(option + ": must be " + range + " (got '" + quote_for_message(text) + "')");
  }
  return v;
}

// A drift message in the CLI's words: the options of DriftOptions that core messages name become
// this command's options.
std::string drift_text_for_cli(std::string m) {
  // "per_column_stattest['col']: ..." -> "--test 'col': ...".
  for (size_t at = m.find("per_column_stattest['"); at != std::string::npos; at = m.find("per_column_stattest['", at)) {
    const size_t close = m.find("']", at);
    if (close == std::string::npos) break;
    m.replace(close, 2, "'");
    m.replace(at, std::strlen("per_column_stattest['"), "--test '");
  }
  static const std::pair<const char*, const char*> kNames[] = {
      {"per_column_stattest_threshold", "--column-threshold"}, {"per_column_stattest", "--test"},
      {"categorical_columns", "--categorical"}, {"numerical_columns", "--numerical"},
      {"drift_share", "--drift-share"}, {"stattest", "--stattest"}};
  for (const auto& [field, option] : kNames) {
    for (size_t at = m.find(field); at != std::string::npos; at = m.find(field, at)) {
      const size_t end = at + std::strlen(field);
      const auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
      if ((at > 0 && word(m[at - 1])) || (end < m.size() && word(m[end]))) {
        at = end;
        continue;
      }
      m.replace(at, end - at, option);
      at += std::strlen(option);
    }
  }
  return m;
}
Status drift_status_for_cli(const Status& st) { return Status(st.code(), drift_text_for_cli(st.message())); }

}  // namespace

int cmd_models_register(const Common& c, const std::string& uri, const std::string& name) {
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  auto v = (*lab)->registry().register_model(uri, name);
  if (!v) return fail(v.status());
  if (c.json) print_json(registry::model_version_to_json(*v));
  else std::printf("Registered model '%s' version %d from %s (models:/%s/%d)\n", text_cell(v->name).c_str(), v->version,
                   text_cell(v->source).c_str(), text_cell(v->name).c_str(), v->version);
  return 0;
}

int cmd_models_list(const Common& c) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto models = (*lab)->registry().list_registered_models();
  if (c.json) {
    json arr = json::array();
    for (const auto& m : models) arr.push_back(registry::registered_model_to_json(m));
    print_json(arr);
    return 0;
  }
  std::printf("%-28s %8s %-12s %-12s %s\n", "NAME", "VERSIONS", "PRODUCTION", "STAGING", "ALIASES");
  for (const auto& m : models) {
    std::string prod = "-", staging = "-", aliases;
    for (const auto& v : m.latest_versions()) {
      if (v.current_stage == "Production") prod = std::to_string(v.version);
      if (v.current_stage == "Staging") staging = std::to_string(v.version);
    }
    for (const auto& [a, v] : m.aliases) aliases += (aliases.empty() ? "@" : ", @") + a + "=" + std::to_string(v);
    std::printf("%-28s %8zu %-12s %-12s %s\n", text_cell(m.name).c_str(), m.versions.size(), prod.c_str(), staging.c_str(),
                text_cell(aliases).c_str());
  }
  if (models.empty()) std::printf("(no registered models in %s)\n", text_cell(c.store).c_str());
  return 0;
}

int cmd_models_show(const Common& c, const std::string& name) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto m = (*lab)->registry().get_registered_model(name);
  if (!m) return fail(m.status());
  if (c.json) {
    print_json(registry::registered_model_to_detail_json(*m));
    return 0;
  }
  std::printf("Registered model %s (created %s UTC)\n", text_cell(m->name).c_str(), iso_time(m->creation_timestamp).c_str());
  if (!m->description.empty()) std::printf("  %s\n", text_cell(m->description).c_str());
  for (const auto& [k, v] : m->tags) std::printf("  tag %s = %s\n", text_cell(k).c_str(), text_cell(v).c_str());
  std::printf("  %4s  %-10s %-20s %-34s %s\n", "VER", "STAGE", "CREATED (UTC)", "RUN", "ALIASES");
  for (const auto& v : m->versions) print_version_line(v);
  if (!m->versions.empty()) {
    const auto& latest = m->versions.back();
    if (latest.model_doc.signature) {
      std::printf("Signature of version %d (inputs):\n", latest.version);
      for (const auto& col : latest.model_doc.signature->inputs) std::printf("  %-32s %s\n", text_cell(col.name).c_str(), text_cell(col.type).c_str());
    }
    auto inputs = (*lab)->registry().training_inputs(m->name, latest.version);
    if (inputs && !inputs->empty()) {
      std::printf("Trained on (version %d):\n", latest.version);
      for (const auto& in : *inputs) {
        std::printf("  %s (%s, %lld rows, sha256 %s)\n", text_cell(in.name).c_str(), text_cell(in.source).c_str(),
                    static_cast<long long>(in.num_rows), text_cell(in.digest.substr(0, 12)).c_str());
      }
    }
  }
  return 0;
}

int cmd_models_transition(const Common& c, const std::string& name, int version, const std::string& stage,
                          bool archive_existing) {
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  auto v = (*lab)->registry().transition_model_version_stage(name, version, stage, archive_existing);
  if (!v) return fail(v.status());
  if (c.json) print_json(registry::model_version_to_json(*v));
  else std::printf("Model '%s' version %d is now in stage %s\n", text_cell(v->name).c_str(), v->version,
                   text_cell(v->current_stage).c_str());
  return 0;
}

int cmd_models_alias(const Common& c, const std::string& name, const std::string& alias, const std::string& version) {
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  auto& reg = (*lab)->registry();
  if (version == "none" || version == "-") {
    Status st = reg.delete_registered_model_alias(name, alias);
    if (!st.is_ok()) return fail(st);
    if (c.json) print_json({{"name", name}, {"alias", alias}, {"deleted", true}});
    else std::printf("Alias @%s of model '%s' deleted\n", text_cell(alias).c_str(), text_cell(name).c_str());
    return 0;
  }
  int n = 0;
  try {
    size_t used = 0;
    n = std::stoi(version, &used);
    if (used != version.size()) throw std::invalid_argument(version);
  } catch (const std::exception&) {
    return fail(Status::invalid("version '" + quote_for_message(version) + "' is not a number (use 'none' to delete the alias)"));
  }
  Status st = reg.set_registered_model_alias(name, alias, n);
  if (!st.is_ok()) return fail(st);
  if (c.json) print_json({{"name", name}, {"alias", alias}, {"version", std::to_string(n)}});
  else std::printf("models:/%s@%s -> version %d\n", text_cell(name).c_str(), text_cell(alias).c_str(), n);
  return 0;
}

int cmd_models_predict(const Common& c, const std::string& uri, const std::string& data, bool log, bool proba) {
  auto table = read_table_file(data);
  if (!table) return fail(table.status());
  auto lab = open_lab(c, log ? Access::kWrite : Access::kRead);
  if (!lab) return fail(lab.status());
  auto model = (*lab)->registry().load_model(uri);
  if (!model) return fail(model.status());
  auto p = registry::predict(*model, *table);
  if (!p) return fail(Status(p.status().code(), data + ": " + p.status().message()));
  // With --log, each prediction's id (for `monitor actual ID VALUE` later) comes with it.
  std::vector<std::string> ids;
  if (log) {
    auto entries = monitoring::make_entries(*model, *p, now_ms());
    Status st = (*lab)->predictions().log(entries);
    if (!st.is_ok()) return fail(st);
    for (const auto& e : entries) ids.push_back(e.prediction_id);
  }
  if (c.json) {
    json out = registry::predictions_to_json(*p, proba);
    if (log) out["prediction_ids"] = ids;
    print_json(out);
    return 0;
  }
  // CSV: one row per input row.
  std::string header = log ? "prediction_id,prediction" : "prediction";
  if (proba) for (const auto& k : p->classes) header += ",proba_" + k;
  std::cout << header << "\n";
  const size_t n = p->regression ? p->values.size() : p->labels.size();
  for (size_t i = 0; i < n; ++i) {
    std::string line = (log ? ids[i] + "," : std::string()) + (p->regression ? data::format_number(p->values[i]) : p->labels[i]);
    if (proba && !p->regression) {
      for (Eigen::Index k = 0; k < p->probabilities.cols(); ++k) line += "," + data::format_number(p->probabilities(Eigen::Index(i), k));
    }
    std::cout << line << "\n";
  }
  return 0;
}

int cmd_monitor_drift(const Common& c, const DriftArgs& a) {
  const size_t want = a.model.empty() ? 2 : 1;
  if (a.files.size() != want) {
    return fail(Status::invalid(a.model.empty() ? "give REFERENCE.csv and CURRENT.csv (or --model MODEL_URI and CURRENT.csv)"
                                                : "with --model, give only CURRENT.csv (the reference is the model's training data)"));
  }
  constexpr double kNoLimit = std::numeric_limits<double>::infinity();
  monitoring::DriftOptions opts;
  if (!a.drift_share.empty()) {
    auto share = option_number("--drift-share", a.drift_share, 0, 1);
    if (!share) return fail(share.status());
    opts.drift_share = *share;
  }
  opts.columns = a.columns;
  opts.categorical_columns = a.categorical;
  opts.numerical_columns = a.numerical;
  if (!a.stattest.empty()) opts.stattest = a.stattest;
  if (!a.threshold.empty()) {
    auto t = option_number("--threshold", a.threshold, 0, kNoLimit);
    if (!t) return fail(t.status());
    opts.stattest_threshold = *t;
  }
  auto tests = pairs(a.tests, "--test");
  if (!tests) return fail(tests.status());
  opts.per_column_stattest = *tests;
  auto thresholds = pairs(a.thresholds, "--column-threshold");
  if (!thresholds) return fail(thresholds.status());
  for (const auto& [col, v] : *thresholds) {
    auto t = option_number("--column-threshold " + quote_for_message(col), v, 0, kNoLimit);
    if (!t) return fail(t.status());
    opts.per_column_stattest_threshold[col] = *t;
  }
  auto current = read_table_file(a.files.back());
  if (!current) return fail(current.status());
  auto lab = open_lab(c, a.save || !a.model.empty() ? Access::kWrite : Access::kRead);
  if (!lab) return fail(lab.status());

  monitoring::StoredDriftReport stored;
  if (a.model.empty()) {
    auto reference = read_table_file(a.files.front());
    if (!reference) return fail(reference.status());
    auto report = monitoring::compute_drift(*reference, *current, opts);
    if (!report) return fail(drift_status_for_cli(report.status()));
    stored.reference = a.files.front();
    stored.current = a.files.back();
    stored.report = std::move(report).value();
    if (a.save) {
      auto saved = (*lab)->drift_reports().save(stored);
      if (!saved) return fail(saved.status());
      stored = std::move(saved).value();
    }
  } else {
    auto saved = (*lab)->drift_against_model(a.model, std::move(current).value(), opts, a.files.back());
    if (!saved) return fail(drift_status_for_cli(saved.status()));
    stored = std::move(saved).value();
  }
  for (auto& w : stored.report.warnings) w = drift_text_for_cli(w);
  if (c.json) {
    json j = monitoring::drift_report_to_json(stored.report);
    if (!stored.report_id.empty()) j["report_id"] = stored.report_id;
    print_json(j);
    return 0;
  }
  const auto& r = stored.report;
  std::printf("Dataset drift: %s (%zu of %zu columns drifted, share %.3f, threshold %.2f)\n",
              r.dataset_drift ? "DETECTED" : "not detected", r.number_of_drifted_columns, r.number_of_columns,
              r.drift_share, r.drift_share_threshold);
  for (const auto& w : r.warnings) std::printf("  warning: %s\n", text_cell(w).c_str());
  std::printf("  %-28s %-4s %-13s %12s %12s %9s  %s\n", "COLUMN", "TYPE", "TEST", "STATISTIC", "P-VALUE", "THRESHOLD", "DRIFT");
  for (const auto& col : r.columns) {
    char p[32] = "-";
    if (col.p_value) std::snprintf(p, sizeof p, "%.4g", *col.p_value);
    std::printf("  %-28s %-4s %-13s %12.6g %12s %9.3g  %s\n", text_cell(col.column).substr(0, 28).c_str(), col.type.c_str(),
                col.test.c_str(), col.statistic, p, col.threshold, col.drifted ? "yes" : "no");
    for (const auto& w : col.warnings) std::printf("      note: %s\n", text_cell(w).c_str());
  }
  if (!stored.report_id.empty()) std::printf("Saved as drift report %s\n", text_cell(stored.report_id).c_str());
  return 0;
}

int cmd_monitor_reports(const Common& c, const std::string& model, int version) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto reports = (*lab)->drift_reports().list(model, version > 0 ? std::optional<int>(version) : std::nullopt);
  if (c.json) {
    json arr = json::array();
    for (const auto& r : reports) arr.push_back(monitoring::stored_drift_report_to_json(r));
    print_json(arr);
    return 0;
  }
  std::printf("%-34s %-20s %-24s %-6s %s\n", "REPORT", "CREATED (UTC)", "MODEL", "DRIFT", "CURRENT");
  for (const auto& r : reports) {
    std::string m = r.model_name.empty() ? "-" : r.model_name + (r.model_version ? "/" + std::to_string(*r.model_version) : "");
    std::printf("%-34s %-20s %-24s %-6s %s\n", text_cell(r.report_id).c_str(), iso_time(r.created_time).c_str(),
                text_cell(m).c_str(), r.report.dataset_drift ? "yes" : "no", text_cell(r.current).c_str());
  }
  if (reports.empty()) std::printf("(no drift reports)\n");
  return 0;
}

int cmd_monitor_log(const Common& c, const std::string& log, int version, int limit) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto entries = (*lab)->predictions().list(log, version > 0 ? std::optional<int>(version) : std::nullopt,
                                            limit > 0 ? size_t(limit) : 0);
  if (!entries) return fail(entries.status());
  if (c.json) {
    json arr = json::array();
    for (const auto& e : *entries) arr.push_back(monitoring::prediction_entry_to_json(e));
    print_json(arr);
    return 0;
  }
  std::printf("%-34s %-20s %-4s %-16s %-8s %-16s %s\n", "PREDICTION", "TIME (UTC)", "VER", "PREDICTION", "PROBA", "ACTUAL", "ERROR");
  for (const auto& e : *entries) {
    auto text = [](const json& v) {
      return text_cell(v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, json::error_handler_t::replace));
    };
    std::printf("%-34s %-20s %-4s %-16s %-8s %-16s %s\n", text_cell(e.prediction_id).c_str(), iso_time(e.timestamp_ms).c_str(),
                e.model_version ? std::to_string(*e.model_version).c_str() : "-", text(e.prediction).substr(0, 16).c_str(),
                e.probability ? data::format_number(*e.probability).substr(0, 8).c_str() : "-",
                e.actual ? text(*e.actual).substr(0, 16).c_str() : "-", e.error ? data::format_number(*e.error).c_str() : "-");
  }
  if (entries->empty()) std::printf("(no predictions logged for '%s')\n", text_cell(log).c_str());
  return 0;
}

int cmd_monitor_actual(const Common& c, const std::string& prediction_id, const std::string& value) {
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  // A unique id prefix will do; the value is read against the model that made the prediction.
  auto recorded = (*lab)->record_actual(prediction_id, json(value));
  if (!recorded) return fail(recorded.status());
  const auto& [id, actual] = *recorded;
  if (c.json) print_json({{"prediction_id", id}, {"actual", actual}});
  else std::printf("Recorded actual %s for prediction %s\n", text_cell(actual.is_string() ? actual.get<std::string>() : actual.dump()).c_str(), id.c_str());
  return 0;
}

}  // namespace mllab::cli

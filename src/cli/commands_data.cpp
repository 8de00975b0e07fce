// `mllab datasets ...` (versions, profiles, lineage) and `mllab features ...` (the feature store).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "core/data/csv.hpp"
#include "core/datasets/dataset_json.hpp"
#include "core/data/table_json.hpp"
#include "core/datasets/profile.hpp"
#include "core/features/timestamp.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"
#include "platform/files.hpp"

namespace mllab::cli {
namespace {

using json = nlohmann::json;

void print_table(const Common& c, const data::Table& t) {
  if (c.json) print_json(data::table_to_records(t));
  else std::cout << data::write_csv(t);
}

}  // namespace

int cmd_datasets_show(const Common& c, const std::string& ref) {
  auto parsed = datasets::parse_dataset_ref(ref);
  if (!parsed) return fail(parsed.status());
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto rec = (*lab)->datasets().get(parsed->first);
  if (!rec) return fail(rec.status());
  auto v = (*lab)->datasets().version(parsed->first, parsed->second);
  if (!v) return fail(v.status());
  // "Which runs used this dataset version?": runs whose inputs carry its digest.
  auto runs = (*lab)->tracking().runs_with_input(v->digest);
  if (c.json) {
    print_json(datasets::dataset_to_json(*rec, *v, runs));
    return 0;
  }
  std::printf("Dataset %s version %d of %zu (uri datasets:/%s:%d)\n", text_cell(rec->name).c_str(), v->version,
              rec->versions.size(), text_cell(rec->name).c_str(), v->version);
  std::printf("  sha256:  %s\n  source:  %s (%s)\n  rows:    %lld\n  created: %s UTC\n", text_cell(v->digest).c_str(),
              text_cell(v->source).c_str(), text_cell(v->source_type).c_str(), static_cast<long long>(v->num_rows), iso_time(v->created_time).c_str());
  if (v->lineage.is_object()) {
    const json& p = v->lineage["parent"];
    std::printf("  derived from %s:%d (sha256 %s) by %zu cleaning step(s):\n", text_cell(p.value("name", "")).c_str(),
                p.value("version", 0), text_cell(p.value("digest", "").substr(0, 12)).c_str(), v->lineage["steps"].size());
    for (const auto& s : v->lineage["steps"]) std::printf("    %s\n", text_cell(s.dump(-1, ' ', false, json::error_handler_t::replace)).c_str());
  }
  if (v->profile.is_object()) {
    std::printf("Profile:\n  %-28s %-11s %7s %7s %7s  %s\n", "COLUMN", "TYPE", "COUNT", "MISSING", "UNIQUE", "SUMMARY");
    for (const auto& col : v->profile["columns"]) {
      std::string summary;
      if (col.contains("mean") && !col["mean"].is_null()) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "min %.6g  max %.6g  mean %.6g  std %.6g", col["min"].get<double>(),
                      col["max"].get<double>(), col["mean"].get<double>(), col["std"].is_null() ? NAN : col["std"].get<double>());
        summary = buf;
      } else if (col.contains("top")) {
        for (size_t i = 0; i < col["top"].size() && i < 3; ++i) {
          summary += (i ? ", " : "top: ") + text_cell(col["top"][i]["value"].get<std::string>()).substr(0, 20) + " (" +
                     std::to_string(col["top"][i]["count"].get<long long>()) + ")";
        }
      }
      std::printf("  %-28s %-11s %7lld %7lld %7lld  %s\n", text_cell(col["name"].get<std::string>()).substr(0, 28).c_str(),
                  text_cell(col["type"].get<std::string>()).c_str(), col["count"].get<long long>(), col["missing"].get<long long>(),
                  col["unique"].get<long long>(), summary.c_str());
    }
  }
  std::printf("Versions:\n");
  for (const auto& x : rec->versions) {
    std::printf("  %3d  %s  %7lld rows  %s\n", x.version, text_cell(x.digest.substr(0, 12)).c_str(),
                static_cast<long long>(x.num_rows), text_cell(x.source).c_str());
  }
  std::printf("Runs that used version %d:%s\n", v->version, runs.empty() ? " none" : "");
  for (const auto& r : runs) std::printf("  %s  %s\n", text_cell(r.run_id).c_str(), text_cell(r.run_name).c_str());
  return 0;
}

int cmd_datasets_derive(const Common& c, const std::string& name, const std::string& parent, const std::string& steps) {
  auto ref = datasets::parse_dataset_ref(parent);
  if (!ref) return fail(ref.status());
  std::string text = steps;
  if (!text.empty() && text.front() != '[') {
    auto file = platform::read_file(steps);
    if (!file) return fail(file.status());
    text = *file;
  }
  auto doc = read_json(text, "--steps (an array of cleaning steps)");
  if (!doc) return fail(doc.status());
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  auto rec = (*lab)->datasets().derive(name, ref->first, ref->second, *doc);
  if (!rec) return fail(rec.status());
  const auto& v = rec->latest();
  if (c.json) {
    print_json(datasets::dataset_version_entry_json(rec->name, v));
  } else {
    std::printf("Dataset %s version %d (%lld rows, sha256 %s) derived from %s, use it as \"%s\"\n", text_cell(rec->name).c_str(),
                v.version, static_cast<long long>(v.num_rows), text_cell(v.digest.substr(0, 12)).c_str(),
                text_cell(v.source).c_str(), text_cell(datasets::dataset_uri(rec->name)).c_str());
  }
  return 0;
}

int cmd_features_register(const Common& c, const FeatureRegisterArgs& a) {
  auto table = read_table_file(a.file);
  if (!table) return fail(table.status());
  features::FeatureGroupOptions opts;
  opts.entity_keys = a.entities;
  opts.timestamp_column = a.timestamp;
  opts.created_column = a.created;
  opts.description = a.description;
  if (!a.ttl.empty()) {
    auto ttl = features::parse_duration(a.ttl);
    if (!ttl) return fail(Status(ttl.status().code(), "--ttl: " + ttl.status().message()));
    opts.ttl_us = *ttl;
  }
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  auto g = (*lab)->features().register_features(a.name, *table, opts);
  if (!g) return fail(g.status());
  if (c.json) {
    print_json(features::feature_group_to_json(*g));
    return 0;
  }
  const auto& v = g->latest();
  std::printf("Feature group %s version %d: %lld rows, %zu features, entity %s, timestamp %s, ttl %s\n", text_cell(g->name).c_str(),
              v.version, static_cast<long long>(v.num_rows), v.features().size(), text_cell(a.entities.front()).c_str(),
              text_cell(v.timestamp_column).c_str(), features::format_duration(v.ttl_us).c_str());
  return 0;
}

int cmd_features_list(const Common& c) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto groups = (*lab)->features().list();
  if (c.json) {
    json arr = json::array();
    for (const auto& g : groups) arr.push_back(features::feature_group_to_json(g));
    print_json(arr);
    return 0;
  }
  std::printf("%-24s %4s %8s %-20s %-8s %s\n", "NAME", "VER", "ROWS", "ENTITY", "TTL", "FEATURES");
  for (const auto& g : groups) {
    const auto& v = g.latest();
    std::string keys, feats;
    for (const auto& k : v.join_keys) keys += (keys.empty() ? "" : ",") + k;
    for (const auto& f : v.features()) feats += (feats.empty() ? "" : ", ") + f.name;
    std::printf("%-24s %4d %8lld %-20s %-8s %s\n", text_cell(g.name).c_str(), v.version,
                static_cast<long long>(v.num_rows), text_cell(keys).c_str(), features::format_duration(v.ttl_us).c_str(),
                text_cell(feats).c_str());
  }
  if (groups.empty()) std::printf("(no feature groups in %s)\n", text_cell(c.store).c_str());
  return 0;
}

int cmd_features_get(const Common& c, const std::string& name) {
  std::string group = name;
  int version = 0;
  if (size_t at = name.find('@'); at != std::string::npos) {
    group = name.substr(0, at);
    try {
      version = std::stoi(name.substr(at + 1));
    } catch (const std::exception&) {
      return fail(Status::invalid("'" + quote_for_message(name) + "': expected NAME or NAME@VERSION"));
    }
  }
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto t = (*lab)->features().get_features(group, version);
  if (!t) return fail(t.status());
  print_table(c, *t);
  return 0;
}

int cmd_features_join(const Common& c, const std::string& entities, const std::vector<std::string>& refs,
                      const std::string& timestamp_column, bool full_names, bool no_future_rows) {
  auto table = read_table_file(entities);
  if (!table) return fail(table.status());
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  features::HistoricalOptions opts;
  opts.entity_timestamp_column = timestamp_column;
  opts.full_feature_names = full_names;
  opts.filter_by_created_timestamp = no_future_rows;
  auto t = (*lab)->features().get_historical_features(*table, refs, opts);
  if (!t) return fail(t.status());
  print_table(c, *t);
  return 0;
}

int cmd_features_online(const Common& c, const std::vector<std::string>& refs, const std::string& entities) {
  auto table = read_table_file(entities);
  if (!table) return fail(table.status());
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  features::OnlineOptions opts;
  opts.now = int64_t(now_ms()) * 1000;
  auto t = (*lab)->features().get_online_features(refs, *table, opts);
  if (!t) return fail(t.status());
  print_table(c, *t);
  return 0;
}

}  // namespace mllab::cli

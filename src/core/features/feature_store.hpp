// A Feast-like feature store over the Store. A feature group (Feast's FeatureView) is a table of
// feature rows: entity key column(s) (join keys), an event-timestamp column, an optional
// created-timestamp column, and feature columns (every other column). Its data is kept by
// content, like datasets:
//
//   blobs/<sha256>      the group's CSV bytes (shared with datasets: equal bytes, one blob)
//   features/<name>     mllab.feature_group {name, description, tags, versions: [...]}
//
// Retrieval follows Feast:
//   - get_historical_features: a point-in-time join. For each entity row (join keys + timestamp
//     T) and each group, the candidate feature rows have equal join keys and
//     T - ttl <= event_ts <= T (no lower bound when ttl is 0); the chosen row is the newest by
//     event timestamp, ties broken by the newest created timestamp (a missing created timestamp
//     is the oldest), then by the later row of the registered table. That is the order of
//     Feast's SQL templates (ROW_NUMBER() OVER (... ORDER BY event_timestamp DESC,
//     created_timestamp DESC)) and of the file store's _drop_duplicates (sort by created, then
//     by event timestamp, keep the last): the event timestamp decides first. No candidate ->
//     null (NaN / missing string).
//   - get_online_features: the latest row per entity key (what Feast's online store keeps after
//     materialization), null when older than now - ttl.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/data/table.hpp"
#include "core/store/store.hpp"
#include "core/util/status.hpp"

namespace mllab::features {

// A column of a feature group: its name and type.
struct FeatureColumn {
  std::string name;
  data::ColumnType type = data::ColumnType::kNumeric;
};

// One stored version of a feature group: its definition and data (the CSV blob `digest`).
struct FeatureGroupVersion {
  int version = 1;
  std::string digest;                  // SHA-256 of the CSV bytes under blobs/<digest>
  std::vector<std::string> join_keys;  // entity key columns, one or more
  std::string timestamp_column;        // event timestamp column
  std::string created_column;          // created timestamp column; "" = none
  int64_t ttl_us = 0;                  // time to live in microseconds; 0 = unbounded
  std::vector<FeatureColumn> columns;  // every column, in table order
  int64_t num_rows = 0;
  int64_t created_at = 0;  // when this version was registered, ms since epoch

  // The feature columns: every column except the join keys and the timestamp columns.
  std::vector<FeatureColumn> features() const;
  // The feature column named `name`, or nullptr (also for keys and timestamp columns).
  const FeatureColumn* feature(const std::string& name) const;
};

// A named feature group and its versions (oldest first).
struct FeatureGroup {
  std::string name;
  std::string description;
  std::map<std::string, std::string> tags;
  std::vector<FeatureGroupVersion> versions;
  // The newest version.
  const FeatureGroupVersion& latest() const { return versions.back(); }
};

// How register_features reads a table.
struct FeatureGroupOptions {
  std::vector<std::string> entity_keys;              // join key columns (required)
  std::string timestamp_column = "event_timestamp";  // event timestamp column (required)
  std::string created_column;                        // created timestamp column; "" = none
  int64_t ttl_us = 0;                                // 0 = no TTL (see parse_duration)
  std::string description;                           // replaces the stored one when not empty
  std::map<std::string, std::string> tags;           // set on the group (merged into its tags)
};

// Options of get_historical_features (Feast's parameters of the same names).
struct HistoricalOptions {
  std::string entity_timestamp_column = "event_timestamp";
  // Output columns named "<group>__<feature>" instead of "<feature>".
  bool full_feature_names = false;
  // Also ignore feature rows created after the entity row's timestamp (created_ts > T), so a
  // backfill cannot leak later knowledge into training rows (Feast PR #6617). Rows with a
  // missing created timestamp are then ignored too (unknown when they became known); groups
  // without a created column are not affected.
  bool filter_by_created_timestamp = false;
};

// Options of get_online_features.
struct OnlineOptions {
  // The serving time in microseconds since the epoch; when set, a group with a TTL returns
  // null for values whose event timestamp is older than now - ttl.
  std::optional<int64_t> now;
  // Output columns named "<group>__<feature>" instead of "<feature>".
  bool full_feature_names = false;
};

// The group's JSON: the persisted mllab.feature_group record, plus derived fields for the CLI
// and JS ("features" per version, "ttl" as text, "latest_version").
nlohmann::json feature_group_to_json(const FeatureGroup& group);
// Reads an mllab.feature_group record; refuses other schemas and newer schema versions. `what`
// names the record in errors.
Result<FeatureGroup> feature_group_from_json(const std::string& bytes,
                                             const std::string& what = "feature group record");

// How fresh a group version's data is: its newest and oldest event timestamps (microseconds
// since the epoch; empty for a group without rows). The age is now - newest.
struct Freshness {
  std::optional<int64_t> newest_event_us;
  std::optional<int64_t> oldest_event_us;
};

// Feature groups over a Store. Feature references are "group:feature", or "group@N:feature"
// for version N of the group (default: its latest version).
class FeatureStore {
 public:
  explicit FeatureStore(store::Store& store) : store_(store) {}

  // Registers `table` as feature group `name` (letters, digits, '_', '-', '.'; not starting
  // with '.'). Checks before writing anything: the key and timestamp columns exist and are
  // distinct, there is at least one feature column, join key values are not missing, every
  // event timestamp (and created timestamp, which may be missing) parses (see parse_timestamp;
  // numeric columns hold epoch seconds) — errors name the 1-based row, the column and the value
  // — and the table survives CSV storage unchanged. Then writes the CSV blob (once per content)
  // and the record in one batch. A new version is added only when the data digest or the
  // definition (join keys, timestamp columns, ttl) changed; description / tags updates alone
  // rewrite the record without a new version. Returns the record.
  Result<FeatureGroup> register_features(const std::string& name, const data::Table& table,
                                         const FeatureGroupOptions& options);
  // The table of a version (0 = latest) as it was registered (the course's get_features).
  Result<data::Table> get_features(const std::string& name, int version = 0) const;
  // Every feature group, by name.
  std::vector<FeatureGroup> list() const;
  // The record of group `name`: columns, types, shape, created_at and versions.
  Result<FeatureGroup> get(const std::string& name) const;
  // The newest and oldest event timestamps of a version (0 = latest).
  Result<Freshness> freshness(const std::string& name, int version = 0) const;

  // Point-in-time join (see the top of this file). The result has the entity table's rows in
  // their original order with all its columns, then one column per reference, in reference
  // order, typed like the feature. The entity table needs the timestamp column (strings or
  // epoch seconds) and every referenced group's join keys; neither table needs to be sorted.
  // Errors name the unknown group / feature, the missing key column, the bad timestamp (row,
  // column, value), a reference listed twice, and an output name clash (both references, or
  // the reference and the entity column). O((n + m) log m) per group.
  Result<data::Table> get_historical_features(const data::Table& entity_table,
                                              const std::vector<std::string>& feature_refs,
                                              const HistoricalOptions& options = {}) const;

  // The latest value per entity key. `entity_rows` holds the join keys of every referenced
  // group (other columns are carried along); the result is `entity_rows` plus one column per
  // reference. A key with no feature row gives null values, not an error.
  Result<data::Table> get_online_features(const std::vector<std::string>& feature_refs, const data::Table& entity_rows,
                                          const OnlineOptions& options = {}) const;

 private:
  store::Store& store_;
};

}  // namespace mllab::features

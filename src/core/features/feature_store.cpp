// Sections: [SECTION] Names, references, records / Tables and timestamps / Entity keys /
// Loading a group version / Point-in-time matching / Shared request handling / Records /
// FeatureStore
#include "core/features/feature_store.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <set>
#include <unordered_map>
#include <utility>

#include "core/data/csv.hpp"
#include "core/features/timestamp.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"
#include "core/util/names.hpp"
#include "core/util/sha256.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::features {
namespace {

using json = nlohmann::json;
using data::Column;
using data::ColumnType;
using data::Table;

constexpr const char* kSchema = "mllab.feature_group";
constexpr int kSchemaVersion = 1;
// A missing timestamp (only created timestamps may be missing); older than any real one.
constexpr int64_t kMissingTime = std::numeric_limits<int64_t>::min();

// [SECTION] Names, references, records

Status check_group_name(const std::string& name) {
  return check_name(name, "feature group name",
                    {{'/', "names cannot hold '/'"},
                     {':', "':' separates group and feature in GROUP:FEATURE"},
                     {'@', "'@' separates the version in GROUP@VERSION"}});
}

std::string record_key(const std::string& name) { return "features/" + name; }

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::string> column_names(const Table& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns()) out.push_back(c.name);
  return out;
}

// A parsed "group[@N]:feature" reference.
struct FeatureRef {
  std::string text;
  std::string group;
  int version = 0;  // 0 = latest
  std::string feature;
};

Result<FeatureRef> parse_ref(const std::string& text) {
  FeatureRef r;
  r.text = text;
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::invalid("feature reference '" + text + "' is not of the form group:feature");
  }
  r.group = text.substr(0, colon);
  r.feature = text.substr(colon + 1);
  const size_t at = r.group.find('@');
  if (at != std::string::npos) {
    const std::string v = r.group.substr(at + 1);
    r.group = r.group.substr(0, at);
    bool digits = !v.empty() && v.size() < 9;
    for (char c : v) digits = digits && c >= '0' && c <= '9';
    if (!digits || std::stoi(v) < 1) {
      return Status::invalid("feature reference '" + text + "': version '" + v + "' is not a positive integer");
    }
    r.version = std::stoi(v);
  }
  if (Status st = check_group_name(r.group); !st.is_ok()) {
    return Status::invalid("feature reference '" + quote_for_message(text) + "': " + st.message());
  }
  return r;
}

json columns_to_json(const std::vector<FeatureColumn>& cols) {
  json out = json::array();
  for (const auto& c : cols) out.push_back({{"name", c.name}, {"type", data::column_type_name(c.type)}});
  return out;
}

bool same_definition(const FeatureGroupVersion& a, const FeatureGroupVersion& b) {
  if (a.join_keys != b.join_keys || a.timestamp_column != b.timestamp_column || a.created_column != b.created_column ||
      a.ttl_us != b.ttl_us || a.columns.size() != b.columns.size()) {
    return false;
  }
  for (size_t i = 0; i < a.columns.size(); ++i) {
    if (a.columns[i].name != b.columns[i].name || a.columns[i].type != b.columns[i].type) return false;
  }
  return true;
}

// [SECTION] Tables and timestamps

// Makes a table read back from CSV carry the registered column types: string columns that CSV
// inference read as numbers become strings again (their shortest number text), and categorical
// / text labels are restored.
Result<Table> with_types(const Table& read, const std::vector<FeatureColumn>& cols, const std::string& what) {
  if (read.num_columns() != cols.size()) {
    return Status::storage_error(what + ": the stored CSV has " + std::to_string(read.num_columns()) +
                                 " columns, the record lists " + std::to_string(cols.size()));
  }
  Table out;
  for (size_t j = 0; j < cols.size(); ++j) {
    const Column& c = read.column(j);
    if (c.name != cols[j].name) {
      return Status::storage_error(what + ": stored column " + std::to_string(j + 1) + " is '" + c.name +
                                   "', the record says '" + cols[j].name + "'");
    }
    Column n;
    n.name = c.name;
    n.type = cols[j].type;
    if (cols[j].type == ColumnType::kNumeric) {
      if (c.type != ColumnType::kNumeric) {
        return Status::storage_error(what + ": column '" + c.name +
                                     "' is numeric in the record but not in the stored CSV");
      }
      n.numbers = c.numbers;
    } else if (c.type == ColumnType::kNumeric) {
      n.strings.resize(c.size());
      n.missing.assign(c.size(), 0);
      for (size_t i = 0; i < c.size(); ++i) {
        if (c.is_missing(i))
          n.missing[i] = 1;
        else
          n.strings[i] = c.value_string(i);
      }
    } else {
      n.strings = c.strings;
      n.missing = c.missing;
    }
    MLLAB_RETURN_IF_ERROR(out.add_column(std::move(n)));
  }
  return out;
}

// The first cell where two tables with the same columns differ, as a message; "" when equal.
std::string first_difference(const Table& a, const Table& b) {
  if (a.num_rows() != b.num_rows()) {
    return std::to_string(a.num_rows()) + " rows read back as " + std::to_string(b.num_rows());
  }
  for (size_t j = 0; j < a.num_columns(); ++j) {
    const Column& x = a.column(j);
    const Column& y = b.column(j);
    for (size_t i = 0; i < x.size(); ++i) {
      const bool mx = x.is_missing(i), my = y.is_missing(i);
      bool same = mx == my;
      if (same && !mx) {
        same = x.type == ColumnType::kNumeric ? x.numbers[i] == y.numbers[i] : x.strings[i] == y.strings[i];
      }
      if (!same) {
        return "row " + std::to_string(i + 1) + ", column '" + x.name + "': value '" + x.value_string(i) +
               "' does not survive CSV storage (it reads back as " +
               (my ? std::string("a missing value") : "'" + y.value_string(i) + "'") + ")";
      }
    }
  }
  return "";
}

// Reads a timestamp column: numeric columns hold epoch seconds, string columns timestamp text.
// Missing values become kMissingTime, or are an error unless `allow_missing`. Errors name the
// 1-based row, the column and the value, prefixed by `what`.
Status column_times(const Column& c, bool allow_missing, const std::string& what, std::vector<int64_t>* out) {
  out->assign(c.size(), kMissingTime);
  auto where = [&](size_t i) { return what + ": row " + std::to_string(i + 1) + ", column '" + c.name + "'"; };
  for (size_t i = 0; i < c.size(); ++i) {
    if (c.is_missing(i)) {
      if (allow_missing) continue;
      return Status::invalid(where(i) + ": the timestamp is missing");
    }
    Result<int64_t> t =
        c.type == ColumnType::kNumeric ? timestamp_from_epoch_seconds(c.numbers[i]) : parse_timestamp(c.strings[i]);
    if (!t) return Status::invalid(where(i) + ": " + t.status().message());
    (*out)[i] = *t;
  }
  return Status::ok();
}

// [SECTION] Entity keys

// How one join key column is encoded into a row's key: the raw bits of the double when the
// group's column and the other table's column are both numeric (fast), otherwise as text
// (numbers in their shortest form) so a numeric 1001 and a string "1001" match.
struct KeyColumn {
  const Column* column = nullptr;
  bool binary = false;
};

// Bytes identifying the join-key values of a row (text values length-prefixed, so values cannot
// run into each other). False when a value is missing.
bool row_key(const std::vector<KeyColumn>& cols, size_t row, std::string* key) {
  key->clear();
  for (const KeyColumn& k : cols) {
    const Column& c = *k.column;
    if (c.is_missing(row)) return false;
    if (c.type == ColumnType::kNumeric) {
      const double v = c.numbers[row] == 0 ? 0.0 : c.numbers[row];  // -0 == 0
      if (k.binary) {
        char bytes[sizeof(double)];
        std::memcpy(bytes, &v, sizeof(double));
        key->append(bytes, sizeof(double));
        continue;
      }
      const std::string text = data::format_number(v);
      *key += std::to_string(text.size());
      *key += ':';
      *key += text;
    } else {
      *key += std::to_string(c.strings[row].size());
      *key += ':';
      *key += c.strings[row];
    }
  }
  return true;
}

// The key columns `keys` of `t`, encoded binary where `other` has a numeric column of the same
// name too.
std::vector<KeyColumn> key_columns(const Table& t, const std::vector<std::string>& keys, const Table& other) {
  std::vector<KeyColumn> out;
  for (const auto& k : keys) {
    const Column* mine = t.column(k);
    const Column* theirs = other.column(k);
    out.push_back({mine, mine->type == ColumnType::kNumeric && theirs && theirs->type == ColumnType::kNumeric});
  }
  return out;
}

// A group version's rows, indexed for lookups by entity key: rows sorted by (key, event ts,
// created ts, row), so within a key's segment later positions are preferred rows.
struct KeyIndex {
  std::unordered_map<std::string, int32_t> key_ids;
  std::vector<size_t> order;               // sorted position -> table row
  std::vector<int64_t> sorted_event;       // sorted position -> event ts
  std::vector<size_t> seg_begin, seg_end;  // key id -> [begin, end) of sorted positions
};

// [SECTION] Loading a group version

struct LoadedGroup {
  std::string name;
  FeatureGroupVersion version;
  Table table;
  std::vector<int64_t> event, created;
  KeyIndex index;
};

// Indexes `g` for lookups of the keys of `entities`.
void build_index(LoadedGroup* g, const Table& entities) {
  KeyIndex& ix = g->index;
  const size_t m = g->table.num_rows();
  std::vector<int32_t> key_of_row(m);
  const auto cols = key_columns(g->table, g->version.join_keys, entities);
  std::string key;
  ix.key_ids.reserve(m);
  for (size_t i = 0; i < m; ++i) {
    row_key(cols, i, &key);  // keys are never missing in a stored group
    auto it = ix.key_ids.emplace(key, int32_t(ix.key_ids.size())).first;
    key_of_row[i] = it->second;
  }
  ix.order.resize(m);
  std::iota(ix.order.begin(), ix.order.end(), size_t{0});
  const auto& ev = g->event;
  const auto& cr = g->created;
  std::sort(ix.order.begin(), ix.order.end(), [&](size_t a, size_t b) {
    if (key_of_row[a] != key_of_row[b]) return key_of_row[a] < key_of_row[b];
    if (ev[a] != ev[b]) return ev[a] < ev[b];
    if (cr[a] != cr[b]) return cr[a] < cr[b];
    return a < b;
  });
  ix.sorted_event.resize(m);
  ix.seg_begin.assign(ix.key_ids.size(), 0);
  ix.seg_end.assign(ix.key_ids.size(), 0);
  for (size_t p = 0; p < m; ++p) {
    ix.sorted_event[p] = ev[ix.order[p]];
    const int32_t k = key_of_row[ix.order[p]];
    if (p == 0 || key_of_row[ix.order[p - 1]] != k) ix.seg_begin[size_t(k)] = p;
    ix.seg_end[size_t(k)] = p + 1;
  }
}

Result<FeatureGroup> read_group(const store::Store& store, const std::string& name) {
  MLLAB_RETURN_IF_ERROR(check_group_name(name));
  auto bytes = store.get(record_key(name));
  if (!bytes) return Status::not_found("no feature group named '" + quote_for_message(name) + "'");
  return feature_group_from_json(*bytes, "feature group record '" + record_key(name) + "'");
}

Result<const FeatureGroupVersion*> pick_version(const FeatureGroup& g, int version) {
  if (version == 0) return &g.latest();
  for (const auto& v : g.versions) {
    if (v.version == version) return &v;
  }
  return Status::not_found("feature group '" + g.name + "' has no version " + std::to_string(version));
}

// The table of a version, with its registered column types.
Result<Table> read_version_table(const store::Store& store, const std::string& name, const FeatureGroupVersion& v) {
  const std::string what = "feature group '" + name + "' version " + std::to_string(v.version);
  auto bytes = store.get("blobs/" + v.digest);
  if (!bytes) return Status::storage_error(what + ": its data (blobs/" + v.digest + ") is missing from the store");
  data::CsvOptions opts;
  opts.source = what;
  auto read = data::read_csv(*bytes, opts);
  if (!read) return read.status();
  return with_types(*read, v.columns, what);
}

// Reads a group version (0 = latest); with `entities`, also its timestamps and a key index for
// that entity table.
Result<LoadedGroup> load_group(const store::Store& store, const std::string& name, int version, const Table* entities) {
  auto rec = read_group(store, name);
  if (!rec) return rec.status();
  auto v = pick_version(*rec, version);
  if (!v) return v.status();
  LoadedGroup g;
  g.name = name;
  g.version = **v;
  auto table = read_version_table(store, name, g.version);
  if (!table) return table.status();
  g.table = std::move(table).value();
  if (!entities) return g;
  const std::string what = "feature group '" + name + "'";
  MLLAB_RETURN_IF_ERROR(column_times(*g.table.column(g.version.timestamp_column), false, what, &g.event));
  if (!g.version.created_column.empty()) {
    MLLAB_RETURN_IF_ERROR(column_times(*g.table.column(g.version.created_column), true, what, &g.created));
  } else {
    g.created.assign(g.table.num_rows(), kMissingTime);
  }
  build_index(&g, *entities);
  return g;
}

// [SECTION] Point-in-time matching

constexpr int64_t kNoRow = -1;

// T - ttl, or the smallest time when there is no TTL (or T - ttl would underflow).
int64_t lower_bound_time(int64_t t, int64_t ttl) {
  if (ttl <= 0) return kMissingTime;
  if (t < std::numeric_limits<int64_t>::min() + ttl) return kMissingTime;
  return t - ttl;
}

// The key id of each entity row in `g`'s index (-1: missing key value or unknown key).
std::vector<int32_t> entity_key_ids(const LoadedGroup& g, const Table& entities) {
  const auto cols = key_columns(entities, g.version.join_keys, g.table);
  std::vector<int32_t> out(entities.num_rows(), -1);
  std::string key;
  for (size_t r = 0; r < out.size(); ++r) {
    if (!row_key(cols, r, &key)) continue;
    auto it = g.index.key_ids.find(key);
    if (it != g.index.key_ids.end()) out[r] = it->second;
  }
  return out;
}

// For each entity row, the feature row of `g` the point-in-time join picks, or kNoRow.
std::vector<int64_t> match_point_in_time(const LoadedGroup& g, const Table& entities,
                                         const std::vector<int64_t>& entity_ts, bool filter_created) {
  const KeyIndex& ix = g.index;
  const std::vector<int32_t> keys = entity_key_ids(g, entities);
  const size_t n = entities.num_rows();
  std::vector<int64_t> match(n, kNoRow);
  const int64_t ttl = g.version.ttl_us;
  auto last_at_or_before = [&](size_t begin, size_t end, int64_t t) {
    // Number of positions in [begin, end) with event ts <= t, counted from begin.
    return size_t(std::upper_bound(ix.sorted_event.begin() + long(begin), ix.sorted_event.begin() + long(end), t) -
                  (ix.sorted_event.begin() + long(begin)));
  };

  if (!filter_created || g.version.created_column.empty()) {
    // The preferred candidate is the last position with event ts <= T; it is inside the TTL
    // window or nothing is.
    for (size_t r = 0; r < n; ++r) {
      if (keys[r] < 0) continue;
      const size_t b = ix.seg_begin[size_t(keys[r])], e = ix.seg_end[size_t(keys[r])];
      const size_t count = last_at_or_before(b, e, entity_ts[r]);
      if (count == 0) continue;
      const size_t pos = b + count - 1;
      if (ix.sorted_event[pos] >= lower_bound_time(entity_ts[r], ttl)) match[r] = int64_t(ix.order[pos]);
    }
    return match;
  }

  // With the created-timestamp cutoff: sweep entity rows by increasing T, making feature rows
  // visible once created_ts <= T, and ask each key's prefix-maximum Fenwick tree (over its
  // sorted positions) for the best visible position with event ts <= T.
  const size_t m = ix.order.size();
  std::vector<size_t> pos_of_row(m);
  for (size_t p = 0; p < m; ++p) pos_of_row[ix.order[p]] = p;
  std::vector<size_t> by_created;
  for (size_t i = 0; i < m; ++i) {
    if (g.created[i] != kMissingTime) by_created.push_back(i);
  }
  std::sort(by_created.begin(), by_created.end(),
            [&](size_t a, size_t b) { return g.created[a] != g.created[b] ? g.created[a] < g.created[b] : a < b; });
  std::vector<size_t> by_time(n);
  std::iota(by_time.begin(), by_time.end(), size_t{0});
  std::sort(by_time.begin(), by_time.end(),
            [&](size_t a, size_t b) { return entity_ts[a] != entity_ts[b] ? entity_ts[a] < entity_ts[b] : a < b; });
  // The key segment of each sorted position.
  std::vector<int32_t> seg_of_pos(m, -1);
  for (size_t k = 0; k < ix.seg_begin.size(); ++k) {
    for (size_t p = ix.seg_begin[k]; p < ix.seg_end[k]; ++p) seg_of_pos[p] = int32_t(k);
  }
  std::vector<int64_t> fenwick(m, -1);  // segment-local 1-based trees laid out in place
  size_t next = 0;
  for (size_t r : by_time) {
    const int64_t t = entity_ts[r];
    for (; next < by_created.size() && g.created[by_created[next]] <= t; ++next) {
      const size_t p = pos_of_row[by_created[next]];
      const size_t b = ix.seg_begin[size_t(seg_of_pos[p])], len = ix.seg_end[size_t(seg_of_pos[p])] - b;
      for (size_t i = p - b + 1; i <= len; i += i & (~i + 1)) {
        fenwick[b + i - 1] = std::max(fenwick[b + i - 1], int64_t(p));
      }
    }
    if (keys[r] < 0) continue;
    const size_t b = ix.seg_begin[size_t(keys[r])], e = ix.seg_end[size_t(keys[r])];
    int64_t best = -1;
    for (size_t i = last_at_or_before(b, e, t); i > 0; i -= i & (~i + 1)) best = std::max(best, fenwick[b + i - 1]);
    if (best >= 0 && ix.sorted_event[size_t(best)] >= lower_bound_time(t, ttl)) {
      match[r] = int64_t(ix.order[size_t(best)]);
    }
  }
  return match;
}

// A column named `name` holding src[match[r]] for each r (missing for kNoRow).
Column gather(const Column& src, const std::vector<int64_t>& match, const std::string& name) {
  Column out;
  out.name = name;
  out.type = src.type;
  const size_t n = match.size();
  if (src.type == ColumnType::kNumeric) {
    out.numbers.assign(n, std::numeric_limits<double>::quiet_NaN());
    for (size_t r = 0; r < n; ++r) {
      if (match[r] != kNoRow) out.numbers[r] = src.numbers[size_t(match[r])];
    }
  } else {
    out.strings.assign(n, std::string());
    out.missing.assign(n, 1);
    for (size_t r = 0; r < n; ++r) {
      if (match[r] == kNoRow) continue;
      const size_t i = size_t(match[r]);
      out.missing[r] = src.missing[i];
      if (!src.missing[i]) out.strings[r] = src.strings[i];
    }
  }
  return out;
}

// [SECTION] Shared request handling for historical and online retrieval

struct Request {
  std::vector<FeatureRef> refs;
  std::vector<std::string> out_names;  // per ref
  std::vector<LoadedGroup> groups;     // distinct (group, version), first-appearance order
  std::vector<size_t> group_of_ref;    // per ref, index into groups
};

Result<Request> prepare(const store::Store& store, const Table& entities, const std::vector<std::string>& feature_refs,
                        bool full_feature_names, const std::string& table_name) {
  Request req;
  if (feature_refs.empty()) return Status::invalid("no feature references given");
  std::map<std::string, size_t> seen_ref;
  std::map<std::pair<std::string, int>, size_t> group_slot;
  std::map<std::string, std::string> name_owner;  // output column -> ref
  for (const auto& c : entities.columns()) name_owner[c.name] = "";
  for (const auto& text : feature_refs) {
    auto ref = parse_ref(text);
    if (!ref) return ref.status();
    if (seen_ref.count(text)) return Status::invalid("feature reference '" + text + "' is listed twice");
    seen_ref[text] = req.refs.size();
    auto key = std::make_pair(ref->group, ref->version);
    if (!group_slot.count(key)) {
      auto g = load_group(store, ref->group, ref->version, &entities);
      if (!g) return g.status();
      for (const auto& k : g->version.join_keys) {
        if (entities.find(k) < 0) {
          return Status::invalid("the " + table_name + " has no column '" + k + "', a join key of feature group '" +
                                 ref->group + "' (columns: " + join_names(column_names(entities)) + ")");
        }
      }
      group_slot[key] = req.groups.size();
      req.groups.push_back(std::move(g).value());
    }
    const LoadedGroup& g = req.groups[group_slot[key]];
    if (!g.version.feature(ref->feature)) {
      std::vector<std::string> names;
      for (const auto& f : g.version.features()) names.push_back(f.name);
      return Status::not_found("feature group '" + ref->group + "' has no feature '" + ref->feature +
                               "' (features: " + join_names(names) + ")");
    }
    std::string out = full_feature_names ? ref->group + "__" + ref->feature : ref->feature;
    auto owner = name_owner.find(out);
    if (owner != name_owner.end()) {
      if (owner->second.empty()) {
        return Status::invalid("feature '" + text + "' gives output column '" + out + "', which the " + table_name +
                               " already has");
      }
      return Status::invalid("features '" + owner->second + "' and '" + text + "' both give output column '" + out +
                             "'" + (full_feature_names ? "" : "; use full_feature_names"));
    }
    name_owner[out] = text;
    req.group_of_ref.push_back(group_slot[key]);
    req.out_names.push_back(out);
    req.refs.push_back(std::move(ref).value());
  }
  return req;
}

Result<Table> assemble(const Table& entities, const Request& req, const std::vector<std::vector<int64_t>>& matches) {
  Table out = entities;
  for (size_t i = 0; i < req.refs.size(); ++i) {
    const LoadedGroup& g = req.groups[req.group_of_ref[i]];
    const Column* src = g.table.column(req.refs[i].feature);
    MLLAB_RETURN_IF_ERROR(out.add_column(gather(*src, matches[req.group_of_ref[i]], req.out_names[i])));
  }
  return out;
}

}  // namespace

// [SECTION] Records

std::vector<FeatureColumn> FeatureGroupVersion::features() const {
  std::vector<FeatureColumn> out;
  for (const auto& c : columns) {
    if (feature(c.name)) out.push_back(c);
  }
  return out;
}

const FeatureColumn* FeatureGroupVersion::feature(const std::string& name) const {
  if (name == timestamp_column || (!created_column.empty() && name == created_column)) return nullptr;
  if (std::find(join_keys.begin(), join_keys.end(), name) != join_keys.end()) return nullptr;
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

json feature_group_to_json(const FeatureGroup& g) {
  json versions = json::array();
  for (const auto& v : g.versions) {
    versions.push_back({{"version", v.version},
                        {"digest", v.digest},
                        {"join_keys", v.join_keys},
                        {"timestamp_column", v.timestamp_column},
                        {"created_timestamp_column", v.created_column},
                        {"ttl_us", v.ttl_us},
                        {"ttl", format_duration(v.ttl_us)},
                        {"columns", columns_to_json(v.columns)},
                        {"features", columns_to_json(v.features())},
                        {"num_rows", v.num_rows},
                        {"num_columns", int64_t(v.columns.size())},
                        {"created_at", v.created_at}});
  }
  return {{"schema", kSchema},   {"schema_version", kSchemaVersion},
          {"name", g.name},      {"description", g.description},
          {"tags", g.tags},      {"latest_version", g.versions.empty() ? 0 : g.latest().version},
          {"versions", versions}};
}

Result<FeatureGroup> feature_group_from_json(const std::string& bytes, const std::string& what) {
  auto parsed = read_json(bytes, what);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  if (!j.is_object() || !j.contains("schema") || j["schema"] != kSchema) {
    return Status::parse_error(what + " is not an mllab.feature_group record");
  }
  if (!j.contains("schema_version") || !j["schema_version"].is_number_integer()) {
    return Status::parse_error(what + " has no integer schema_version");
  }
  const int64_t sv = j["schema_version"].get<int64_t>();
  if (sv != kSchemaVersion) {
    return Status::parse_error("mllab.feature_group schema_version " + std::to_string(sv) +
                               " is not supported (this build reads version " + std::to_string(kSchemaVersion) + ")");
  }
  try {
    FeatureGroup g;
    g.name = j.at("name").get<std::string>();
    g.description = j.value("description", "");
    g.tags = j.value("tags", std::map<std::string, std::string>{});
    for (const auto& jv : j.at("versions")) {
      FeatureGroupVersion v;
      v.version = jv.at("version").get<int>();
      v.digest = jv.at("digest").get<std::string>();
      v.join_keys = jv.at("join_keys").get<std::vector<std::string>>();
      v.timestamp_column = jv.at("timestamp_column").get<std::string>();
      v.created_column = jv.value("created_timestamp_column", "");
      v.ttl_us = jv.value("ttl_us", int64_t{0});
      for (const auto& jc : jv.at("columns")) {
        auto type = data::parse_column_type(jc.at("type").get<std::string>());
        if (!type) return Status::parse_error("feature group '" + g.name + "': " + type.status().message());
        v.columns.push_back({jc.at("name").get<std::string>(), *type});
      }
      v.num_rows = jv.value("num_rows", int64_t{0});
      v.created_at = jv.value("created_at", int64_t{0});
      g.versions.push_back(std::move(v));
    }
    if (g.versions.empty()) return Status::parse_error("feature group record '" + g.name + "' has no versions");
    return g;
  } catch (const json::exception& e) {
    return Status::parse_error(what + " is malformed: " + json_error_reason(e));
  }
}

// [SECTION] FeatureStore

Result<FeatureGroup> FeatureStore::register_features(const std::string& name, const Table& table,
                                                     const FeatureGroupOptions& options) {
  MLLAB_RETURN_IF_ERROR(check_group_name(name));
  MLLAB_RETURN_IF_ERROR(store::validate_key(record_key(name)));
  const std::string what = "feature group '" + name + "'";
  const std::string columns_list = " (columns: " + join_names(column_names(table)) + ")";

  // The definition.
  if (options.entity_keys.empty()) return Status::invalid(what + ": no entity key (join key) columns given");
  std::set<std::string> special;
  for (const auto& k : options.entity_keys) {
    if (table.find(k) < 0)
      return Status::invalid(what + ": join key column '" + k + "' is not in the table" + columns_list);
    if (!special.insert(k).second) return Status::invalid(what + ": join key column '" + k + "' is listed twice");
  }
  if (options.timestamp_column.empty()) return Status::invalid(what + ": no event timestamp column given");
  if (table.find(options.timestamp_column) < 0) {
    return Status::invalid(what + ": event timestamp column '" + options.timestamp_column + "' is not in the table" +
                           columns_list);
  }
  if (!special.insert(options.timestamp_column).second) {
    return Status::invalid(what + ": column '" + options.timestamp_column +
                           "' cannot be both a join key and the event timestamp");
  }
  if (!options.created_column.empty()) {
    if (table.find(options.created_column) < 0) {
      return Status::invalid(what + ": created timestamp column '" + options.created_column + "' is not in the table" +
                             columns_list);
    }
    if (!special.insert(options.created_column).second) {
      return Status::invalid(what + ": column '" + options.created_column +
                             "' cannot be the created timestamp and also a join key or the event timestamp");
    }
  }
  if (options.ttl_us < 0) return Status::invalid(what + ": ttl " + std::to_string(options.ttl_us) + " us is negative");
  if (table.num_columns() <= special.size()) {
    return Status::invalid(what + ": the table has no feature columns besides the keys and timestamps" + columns_list);
  }

  // The values.
  for (const auto& k : options.entity_keys) {
    const Column& c = *table.column(k);
    for (size_t i = 0; i < c.size(); ++i) {
      if (c.is_missing(i)) {
        return Status::invalid(what + ": row " + std::to_string(i + 1) + ", column '" + k +
                               "': the join key value is missing");
      }
    }
  }
  std::vector<int64_t> times;
  MLLAB_RETURN_IF_ERROR(column_times(*table.column(options.timestamp_column), false, what, &times));
  if (!options.created_column.empty()) {
    MLLAB_RETURN_IF_ERROR(column_times(*table.column(options.created_column), true, what, &times));
  }

  // The bytes, and a check that they read back as this table.
  FeatureGroupVersion v;
  v.join_keys = options.entity_keys;
  v.timestamp_column = options.timestamp_column;
  v.created_column = options.created_column;
  v.ttl_us = options.ttl_us;
  for (const auto& c : table.columns()) v.columns.push_back({c.name, c.type});
  v.num_rows = int64_t(table.num_rows());
  const std::string bytes = data::write_csv(table);
  {
    auto read = data::read_csv(bytes);
    if (!read) return Status::invalid(what + ": the table cannot be stored as CSV: " + read.status().message());
    auto typed = with_types(*read, v.columns, what);
    if (!typed) return Status::invalid(what + ": the table cannot be stored as CSV: " + typed.status().message());
    const std::string diff = first_difference(table, *typed);
    if (!diff.empty()) return Status::invalid(what + ": " + diff);
  }
  v.digest = sha256_hex(bytes);
  v.created_at = now_ms();

  FeatureGroup rec;
  rec.name = name;
  bool changed = false;
  if (auto existing = store_.get(record_key(name))) {
    auto parsed = feature_group_from_json(*existing, "feature group record '" + record_key(name) + "'");
    if (!parsed) return parsed.status();
    rec = std::move(parsed).value();
  }
  if (rec.versions.empty() || rec.latest().digest != v.digest || !same_definition(rec.latest(), v)) {
    v.version = rec.versions.empty() ? 1 : rec.latest().version + 1;
    rec.versions.push_back(v);
    changed = true;
  }
  if (!options.description.empty() && options.description != rec.description) {
    rec.description = options.description;
    changed = true;
  }
  for (const auto& [k, val] : options.tags) {
    auto it = rec.tags.find(k);
    if (it == rec.tags.end() || it->second != val) {
      rec.tags[k] = val;
      changed = true;
    }
  }
  if (!changed) return rec;
  store::Batch b;
  const std::string blob = "blobs/" + rec.latest().digest;
  if (!store_.get(blob)) b.put(blob, bytes);
  b.put(record_key(name), feature_group_to_json(rec).dump());
  MLLAB_RETURN_IF_ERROR(store_.commit(b));
  return rec;
}

Result<Table> FeatureStore::get_features(const std::string& name, int version) const {
  auto g = load_group(store_, name, version, nullptr);
  if (!g) return g.status();
  return std::move(g->table);
}

std::vector<FeatureGroup> FeatureStore::list() const {
  std::vector<FeatureGroup> out;
  for (const auto& key : store_.keys("features/")) {
    auto bytes = store_.get(key);
    if (!bytes) continue;
    auto g = feature_group_from_json(*bytes, "feature group record '" + key + "'");
    if (g) out.push_back(std::move(g).value());
  }
  return out;
}

Result<FeatureGroup> FeatureStore::get(const std::string& name) const { return read_group(store_, name); }

Result<Table> FeatureStore::get_historical_features(const Table& entity_table,
                                                    const std::vector<std::string>& feature_refs,
                                                    const HistoricalOptions& options) const {
  const Column* ts_col = entity_table.column(options.entity_timestamp_column);
  if (!ts_col) {
    return Status::invalid("the entity table has no column '" + options.entity_timestamp_column +
                           "' (the entity timestamp column; columns: " + join_names(column_names(entity_table)) + ")");
  }
  std::vector<int64_t> entity_ts;
  MLLAB_RETURN_IF_ERROR(column_times(*ts_col, false, "entity table", &entity_ts));
  auto req = prepare(store_, entity_table, feature_refs, options.full_feature_names, "entity table");
  if (!req) return req.status();
  std::vector<std::vector<int64_t>> matches;
  for (const auto& g : req->groups) {
    matches.push_back(match_point_in_time(g, entity_table, entity_ts, options.filter_by_created_timestamp));
  }
  return assemble(entity_table, *req, matches);
}

Result<Table> FeatureStore::get_online_features(const std::vector<std::string>& feature_refs, const Table& entity_rows,
                                                const OnlineOptions& options) const {
  auto req = prepare(store_, entity_rows, feature_refs, options.full_feature_names, "entity rows table");
  if (!req) return req.status();
  std::vector<std::vector<int64_t>> matches;
  for (const auto& g : req->groups) {
    const KeyIndex& ix = g.index;
    const std::vector<int32_t> keys = entity_key_ids(g, entity_rows);
    std::vector<int64_t> match(entity_rows.num_rows(), kNoRow);
    for (size_t r = 0; r < match.size(); ++r) {
      if (keys[r] < 0) continue;
      const size_t pos = ix.seg_end[size_t(keys[r])] - 1;  // the latest row of the key
      if (options.now && g.version.ttl_us > 0 &&
          ix.sorted_event[pos] < lower_bound_time(*options.now, g.version.ttl_us)) {
        continue;
      }
      match[r] = int64_t(ix.order[pos]);
    }
    matches.push_back(std::move(match));
  }
  return assemble(entity_rows, *req, matches);
}

Result<Freshness> FeatureStore::freshness(const std::string& name, int version) const {
  auto g = load_group(store_, name, version, nullptr);
  if (!g) return g.status();
  std::vector<int64_t> times;
  MLLAB_RETURN_IF_ERROR(column_times(*g->table.column(g->version.timestamp_column), false,
                                     "feature group '" + name + "'", &times));
  Freshness f;
  for (int64_t t : times) {
    if (!f.newest_event_us || t > *f.newest_event_us) f.newest_event_us = t;
    if (!f.oldest_event_us || t < *f.oldest_event_us) f.oldest_event_us = t;
  }
  return f;
}

}  // namespace mllab::features

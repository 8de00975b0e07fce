#include "core/tracking/run_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>

#include "core/tracking/search.hpp"
#include "core/tracking/tracking_store.hpp"

namespace mllab::tracking {

std::string column_label(const RunColumn& c) {
  if (c.kind != RunColumn::Kind::kAttribute) return c.key;
  if (c.key == "run_name") return "Run name";
  if (c.key == "status") return "Status";
  if (c.key == "start_time") return "Start time";
  if (c.key == "duration") return "Duration";
  if (c.key == "experiment") return "Experiment";
  return c.key;
}

std::string column_ident(const RunColumn& c) {
  switch (c.kind) {
    case RunColumn::Kind::kAttribute: return "attributes." + c.key;
    case RunColumn::Kind::kMetric: return "metrics." + c.key;
    case RunColumn::Kind::kParam: return "params." + c.key;
    case RunColumn::Kind::kTag: return "tags." + c.key;
  }
  return c.key;
}

bool prefers_descending(const RunColumn& c) {
  return c.kind == RunColumn::Kind::kMetric ||
         (c.kind == RunColumn::Kind::kAttribute && (c.key == "start_time" || c.key == "duration"));
}

std::vector<RunColumn> fixed_columns() {
  using K = RunColumn::Kind;
  return {{K::kAttribute, "run_name"}, {K::kAttribute, "status"}, {K::kAttribute, "start_time"}, {K::kAttribute, "duration"}};
}

ColumnKeys column_keys(const std::vector<const Run*>& runs) {
  std::set<std::string> m, p, t;
  for (const Run* r : runs) {
    for (const auto& [k, v] : r->metrics) m.insert(k);
    for (const auto& [k, v] : r->params) p.insert(k);
    for (const auto& [k, v] : r->tags) t.insert(k);
  }
  return {{m.begin(), m.end()}, {p.begin(), p.end()}, {t.begin(), t.end()}};
}

std::vector<std::string> varying_params(const std::vector<const Run*>& runs) {
  if (runs.size() < 2) return {};
  // For each key: the first value seen (or "absent"), and whether another differs.
  std::map<std::string, bool> varies;
  for (const Run* r : runs) {
    for (const auto& [k, v] : r->params) varies.emplace(k, false);
  }
  const Run* first = runs.front();
  for (auto& [key, differs] : varies) {
    auto f = first->params.find(key);
    for (const Run* r : runs) {
      auto it = r->params.find(key);
      const bool same = (it == r->params.end()) == (f == first->params.end()) &&
                        (it == r->params.end() || it->second == f->second);
      if (!same) {
        differs = true;
        break;
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& [k, d] : varies) {
    if (d) out.push_back(k);
  }
  return out;
}

std::vector<RunColumn> default_columns(const std::vector<const Run*>& runs) {
  std::vector<RunColumn> cols = fixed_columns();
  ColumnKeys keys = column_keys(runs);
  std::vector<std::string> metrics = keys.metrics;
  for (const char* first : {"f1_score", "accuracy"}) {
    auto it = std::find(metrics.begin(), metrics.end(), first);
    if (it != metrics.end()) {
      metrics.erase(it);
      metrics.insert(metrics.begin(), first);
    }
  }
  for (const auto& m : metrics) cols.push_back({RunColumn::Kind::kMetric, m});
  for (const auto& p : varying_params(runs)) cols.push_back({RunColumn::Kind::kParam, p});
  return cols;
}

namespace {

std::string utc_text(int64_t ms) {
  std::time_t t = std::time_t(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string number_text(double v) {
  char buf[64];
  const double a = std::fabs(v);
  if (!std::isfinite(v) || (a != 0 && (a >= 1e6 || a < 1e-3))) std::snprintf(buf, sizeof buf, "%.4g", v);
  else std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

const std::string* lookup(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace

std::string cell_text(const Run& run, const RunColumn& c, const std::map<std::string, std::string>& experiment_names) {
  switch (c.kind) {
    case RunColumn::Kind::kMetric: {
      auto it = run.metrics.find(c.key);
      return it == run.metrics.end() ? "" : number_text(it->second.value);
    }
    case RunColumn::Kind::kParam: {
      const std::string* v = lookup(run.params, c.key);
      return v ? *v : "";
    }
    case RunColumn::Kind::kTag: {
      const std::string* v = lookup(run.tags, c.key);
      return v ? *v : "";
    }
    case RunColumn::Kind::kAttribute:
      if (c.key == "run_name") return run.run_name;
      if (c.key == "status") return run_status_name(run.status);
      if (c.key == "start_time") return utc_text(run.start_time);
      if (c.key == "duration") {
        if (!run.end_time) return "";
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f s", double(*run.end_time - run.start_time) / 1000.0);
        return buf;
      }
      if (c.key == "experiment") {
        const std::string* n = lookup(experiment_names, run.experiment_id);
        return n ? *n : run.experiment_id;
      }
      return "";
  }
  return "";
}

SortKey sort_key(const Run& run, const RunColumn& c, const std::map<std::string, std::string>& experiment_names) {
  SortKey k;
  switch (c.kind) {
    case RunColumn::Kind::kMetric: {
      auto it = run.metrics.find(c.key);
      if (it != run.metrics.end() && !std::isnan(it->second.value)) {
        k.missing = false;
        k.number = it->second.value;
      }
      return k;
    }
    case RunColumn::Kind::kParam:
    case RunColumn::Kind::kTag: {
      const auto& m = c.kind == RunColumn::Kind::kParam ? run.params : run.tags;
      const std::string* v = lookup(m, c.key);
      if (!v) return k;
      k.missing = false;
      // Numeric params ("50", "100", "200") compare as numbers, so 200 follows 50.
      char* end = nullptr;
      double d = std::strtod(v->c_str(), &end);
      if (!v->empty() && end == v->c_str() + v->size() && std::isfinite(d)) k.number = d;
      else k.number = INFINITY;  // text after every number
      k.text = *v;
      return k;
    }
    case RunColumn::Kind::kAttribute:
      k.missing = false;
      if (c.key == "start_time") k.number = double(run.start_time);
      else if (c.key == "duration") {
        if (!run.end_time) k.missing = true;
        else k.number = double(*run.end_time - run.start_time);
      } else {
        k.text = cell_text(run, c, experiment_names);
      }
      return k;
  }
  return k;
}

bool sort_before(const SortKey& a, const SortKey& b, bool ascending) {
  if (a.missing != b.missing) return !a.missing;
  if (a.missing) return false;
  if (a.number != b.number) return ascending ? a.number < b.number : a.number > b.number;
  if (a.text != b.text) return ascending ? a.text < b.text : a.text > b.text;
  return false;
}

Result<std::vector<const Run*>> filter_runs(const std::vector<Run>& runs, const RunFilter& f) {
  auto clauses = parse_filter(f.filter);
  if (!clauses) return clauses.status();
  std::vector<const Run*> out;
  for (const Run& r : runs) {
    if (!f.show_deleted && r.lifecycle_stage == "deleted") continue;
    if (!f.experiment_id.empty() && r.experiment_id != f.experiment_id) continue;
    if (!matches(r, *clauses)) continue;
    out.push_back(&r);
  }
  return out;
}

std::vector<const Run*> sort_runs(std::vector<const Run*> runs, const RunColumn& by, bool ascending,
                                  const std::map<std::string, std::string>& experiment_names) {
  std::vector<std::pair<SortKey, const Run*>> keyed;
  keyed.reserve(runs.size());
  for (const Run* r : runs) keyed.emplace_back(sort_key(*r, by, experiment_names), r);
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (sort_before(a.first, b.first, ascending)) return true;
    if (sort_before(b.first, a.first, ascending)) return false;
    if (a.second->start_time != b.second->start_time) return a.second->start_time > b.second->start_time;
    return a.second->run_id < b.second->run_id;
  });
  for (size_t i = 0; i < keyed.size(); ++i) runs[i] = keyed[i].second;
  return runs;
}

std::vector<TableRow> table_rows(const std::vector<const Run*>& sorted, const RowOptions& o,
                                 const std::map<std::string, std::string>& experiment_names) {
  std::set<std::string> shown;
  for (const Run* r : sorted) shown.insert(r->run_id);
  auto parent_of = [&](const Run* r) -> const std::string* {
    const std::string* p = lookup(r->tags, kParentRunIdTag);
    return p && shown.count(*p) && *p != r->run_id ? p : nullptr;
  };
  std::map<std::string, std::vector<const Run*>> children;
  for (const Run* r : sorted) {
    if (const std::string* p = parent_of(r)) children[*p].push_back(r);
  }
  for (auto& [p, list] : children) {
    std::stable_sort(list.begin(), list.end(), [](const Run* a, const Run* b) {
      return a->start_time != b->start_time ? a->start_time < b->start_time : a->run_id < b->run_id;
    });
  }
  std::vector<TableRow> rows;
  // Appends a top-level run and, when expanded, its nested runs (and theirs).
  std::function<void(const Run*, int)> add = [&](const Run* r, int depth) {
    TableRow row;
    row.run = r;
    row.experiment_id = r->experiment_id;
    row.depth = depth;
    auto kids = children.find(r->run_id);
    row.children = kids == children.end() ? 0 : int(kids->second.size());
    row.expanded = row.children > 0 && o.expanded_runs.count(r->run_id) > 0;
    rows.push_back(row);
    if (row.expanded && depth < 8) {
      for (const Run* c : kids->second) add(c, depth + 1);
    }
  };
  if (!o.group_by_experiment) {
    for (const Run* r : sorted) {
      if (!parent_of(r)) add(r, 0);
    }
    return rows;
  }
  // Groups in order of experiment name (then id); each group's top-level runs in sorted order.
  std::map<std::string, std::vector<const Run*>> by_exp;
  std::map<std::string, int> count;
  for (const Run* r : sorted) {
    ++count[r->experiment_id];
    if (!parent_of(r)) by_exp[r->experiment_id].push_back(r);
  }
  auto name = [&](const std::string& id) {
    const std::string* n = lookup(experiment_names, id);
    return n ? *n : id;
  };
  std::vector<std::string> ids;
  for (const auto& [id, n] : count) ids.push_back(id);
  std::sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& b) {
    return name(a) != name(b) ? name(a) < name(b) : a < b;
  });
  for (const auto& id : ids) {
    TableRow g;
    g.kind = TableRow::Kind::kGroup;
    g.experiment_id = id;
    g.label = name(id);
    g.children = count[id];
    g.expanded = !o.collapsed_experiments.count(id);
    rows.push_back(g);
    if (!g.expanded) continue;
    for (const Run* r : by_exp[id]) add(r, 0);
  }
  return rows;
}

}  // namespace mllab::tracking

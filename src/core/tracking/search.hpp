// Run search with MLflow's filter grammar and order_by:
//   metrics.accuracy > 0.9 and params.max_depth = '10' and tags.x LIKE 'a%'
//   attributes.status = 'FINISHED' and attributes.run_name ILIKE '%rf%' and datasets.digest = '...'
// AND only. Comparators per kind, as MLflow: metrics and numeric attributes (start_time,
// end_time) > >= = != < <=; params and tags = != LIKE ILIKE; string attributes and datasets
// (name, digest, context) = != LIKE ILIKE IN NOT IN. Keys with special characters are quoted:
// metrics."model class" or metrics.`model class`.
#pragma once

#include <string>
#include <vector>

#include "core/tracking/entities.hpp"
#include "core/util/status.hpp"

namespace mllab::tracking {

// One comparison of a filter.
struct FilterClause {
  enum class Kind { kMetric, kParam, kTag, kAttribute, kDataset };
  Kind kind = Kind::kMetric;
  std::string key;                  // e.g. "accuracy", "status", "digest"
  std::string op;                   // ">", "=", "LIKE", "NOT IN", ...
  double number = 0;                // numeric comparisons
  std::vector<std::string> values;  // string comparisons (one value; several for IN)
};

// One order_by term ("metrics.f1 DESC").
struct OrderBy {
  FilterClause::Kind kind = FilterClause::Kind::kAttribute;
  std::string key = "start_time";
  bool ascending = true;
};

// Parses a filter ("" = no condition). Errors name the position and the token:
// "filter: at position 18 ('and'): expected a comparator ...".
Result<std::vector<FilterClause>> parse_filter(const std::string& filter);
// Parses one order_by term.
Result<OrderBy> parse_order_by(const std::string& term);
// True when `run` satisfies every clause.
bool matches(const Run& run, const std::vector<FilterClause>& clauses);
// The runs matching `filter`, ordered by `order_by` terms, then start_time DESC, run_id.
Result<std::vector<Run>> search_runs(const std::vector<Run>& runs, const std::string& filter,
                                     const std::vector<std::string>& order_by = {});

}  // namespace mllab::tracking

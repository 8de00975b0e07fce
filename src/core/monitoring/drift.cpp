// Index of this file:
// [SECTION] Test registry
// [SECTION] Column preparation (missing values, kinds, unique values)
// [SECTION] Binning (Evidently's get_binned_data)
// [SECTION] One column
// [SECTION] The report
// [SECTION] JSON
#include "core/monitoring/drift.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "core/monitoring/stats.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::monitoring {
namespace {

using json = nlohmann::json;

// [SECTION] Test registry --------------------------------------------------------------------

enum class Kind { kNum, kCat };

struct TestSpec {
  const char* name;
  bool num;                // applies to numerical columns
  bool cat;                // applies to categorical columns
  bool p_value;            // drift when p < threshold (ks: <=); else when statistic >= threshold
  double default_threshold;
};

const TestSpec kTests[] = {
    {"ks", true, false, true, 0.05},
    {"chisquare", true, true, true, 0.05},
    {"z", true, true, true, 0.05},
    {"wasserstein", true, false, false, 0.1},
    {"jensenshannon", true, true, false, 0.1},
    {"psi", true, true, false, 0.1},
    {"kl_div", true, true, false, 0.1},
};

const TestSpec* find_test(const std::string& name) {
  for (const auto& t : kTests) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

std::string test_list() {
  std::string s;
  for (const auto& t : kTests) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

const char* kind_name(Kind k) { return k == Kind::kNum ? "num" : "cat"; }

std::string fmt(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::string pct(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * share);
  return buf;
}

// [SECTION] Column preparation ---------------------------------------------------------------

// One column of both tables after dropping missing values. Numerical values are sorted;
// categorical values are counted per category (categories sorted, the union of both samples).
struct Prepared {
  Kind kind = Kind::kNum;
  std::vector<double> ref, cur;           // kNum: sorted finite values
  std::vector<std::string> categories;    // kCat: sorted union
  std::vector<size_t> ref_counts, cur_counts;
  size_t n_ref = 0, n_cur = 0;
  size_t missing_ref = 0, missing_cur = 0;
  size_t inf_ref = 0, inf_cur = 0;
  size_t unique_union = 0, unique_ref = 0;
};

void numbers_of(const data::Column& c, std::vector<double>* out, size_t* missing, size_t* infinite) {
  out->reserve(c.numbers.size());
  for (double v : c.numbers) {
    if (std::isnan(v)) {
      ++*missing;
    } else if (std::isinf(v)) {
      ++*missing;
      ++*infinite;
    } else {
      out->push_back(v);
    }
  }
  std::sort(out->begin(), out->end());
}

void strings_of(const data::Column& c, std::map<std::string, size_t>* counts, size_t* n, size_t* missing,
                size_t* infinite) {
  const size_t rows = c.size();
  for (size_t i = 0; i < rows; ++i) {
    std::string v;
    if (c.type == data::ColumnType::kNumeric) {
      const double x = c.numbers[i];
      if (std::isnan(x)) {
        ++*missing;
        continue;
      }
      if (std::isinf(x)) {
        ++*missing;
        ++*infinite;
        continue;
      }
      v = data::format_number(x == 0 ? 0.0 : x);  // -0 and 0 are one category
    } else {
      if (c.missing[i] != 0 || c.strings[i].empty()) {
        ++*missing;
        continue;
      }
      v = c.strings[i];
    }
    ++(*counts)[v];
    ++*n;
  }
}

size_t count_distinct_sorted(const std::vector<double>& v) {
  size_t n = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i == 0 || v[i] != v[i - 1]) ++n;
  }
  return n;
}

// Number of distinct values in the union of two sorted samples.
size_t count_distinct_union_sorted(const std::vector<double>& a, const std::vector<double>& b) {
  size_t i = 0, j = 0, n = 0;
  while (i < a.size() || j < b.size()) {
    const double v = (j >= b.size() || (i < a.size() && a[i] < b[j])) ? a[i] : b[j];
    while (i < a.size() && a[i] == v) ++i;
    while (j < b.size() && b[j] == v) ++j;
    ++n;
  }
  return n;
}

// Distinct values of two sorted samples with their counts in each (the union, ascending).
void value_counts_sorted(const std::vector<double>& a, const std::vector<double>& b, std::vector<double>* keys,
                         std::vector<size_t>* ca, std::vector<size_t>* cb) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    double v;
    if (j >= b.size() || (i < a.size() && a[i] < b[j])) v = a[i];
    else v = b[j];
    size_t na = 0, nb = 0;
    while (i < a.size() && a[i] == v) { ++i; ++na; }
    while (j < b.size() && b[j] == v) { ++j; ++nb; }
    keys->push_back(v);
    ca->push_back(na);
    cb->push_back(nb);
  }
}

const char* type_label(data::ColumnType t) {
  switch (t) {
    case data::ColumnType::kNumeric: return "numeric";
    case data::ColumnType::kCategorical: return "categorical";
    case data::ColumnType::kText: return "text";
  }
  return "?";
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Result<Prepared> prepare(const data::Column& rc, const data::Column& cc, const DriftOptions& options) {
  const std::string& name = rc.name;
  const bool force_cat = contains(options.categorical_columns, name);
  const bool force_num = contains(options.numerical_columns, name);
  if (force_cat && force_num) {
    return Status::invalid("column '" + quote_for_message(name) + "' is listed both as categorical and as numerical");
  }
  Prepared p;
  if (force_num) {
    if (rc.type != data::ColumnType::kNumeric || cc.type != data::ColumnType::kNumeric) {
      const bool ref_bad = rc.type != data::ColumnType::kNumeric;
      return Status::invalid("column '" + quote_for_message(name) + "' is listed as numerical but is " +
                             type_label(ref_bad ? rc.type : cc.type) + " in the " +
                             (ref_bad ? "reference" : "current") + " table");
    }
    p.kind = Kind::kNum;
  } else if (force_cat) {
    p.kind = Kind::kCat;
  } else if (rc.type != cc.type) {
    return Status::invalid("column '" + quote_for_message(name) + "' is " + type_label(rc.type) + " in the reference table but " +
                           type_label(cc.type) + " in the current table (list it in categorical_columns to "
                           "compare it as categories)");
  } else if (rc.type == data::ColumnType::kText) {
    return Status::invalid("column '" + quote_for_message(name) + "' is free text; text drift is not supported (list it in "
                           "categorical_columns to compare its values as categories)");
  } else {
    p.kind = rc.type == data::ColumnType::kNumeric ? Kind::kNum : Kind::kCat;
  }

  if (p.kind == Kind::kNum) {
    numbers_of(rc, &p.ref, &p.missing_ref, &p.inf_ref);
    numbers_of(cc, &p.cur, &p.missing_cur, &p.inf_cur);
    p.n_ref = p.ref.size();
    p.n_cur = p.cur.size();
  } else {
    std::map<std::string, size_t> rcounts, ccounts;
    strings_of(rc, &rcounts, &p.n_ref, &p.missing_ref, &p.inf_ref);
    strings_of(cc, &ccounts, &p.n_cur, &p.missing_cur, &p.inf_cur);
    std::set<std::string> keys;
    for (const auto& [k, v] : rcounts) keys.insert(k);
    for (const auto& [k, v] : ccounts) keys.insert(k);
    for (const auto& k : keys) {
      p.categories.push_back(k);
      auto r = rcounts.find(k), c = ccounts.find(k);
      p.ref_counts.push_back(r == rcounts.end() ? 0 : r->second);
      p.cur_counts.push_back(c == ccounts.end() ? 0 : c->second);
    }
    p.unique_union = keys.size();
    p.unique_ref = rcounts.size();
  }
  if (p.n_ref == 0) {
    return Status::invalid("column '" + quote_for_message(name) + "' has no non-missing values in the reference table");
  }
  if (p.n_cur == 0) {
    return Status::invalid("column '" + quote_for_message(name) + "' has no non-missing values in the current table");
  }
  if (p.kind == Kind::kNum) {
    p.unique_ref = count_distinct_sorted(p.ref);
    p.unique_union = count_distinct_union_sorted(p.ref, p.cur);
  }
  return p;
}

// Evidently's _get_default_stattest.
const char* default_test(const Prepared& p) {
  if (p.n_ref <= 1000) {
    if (p.kind == Kind::kNum) {
      if (p.unique_union <= 5) return p.unique_union > 2 ? "chisquare" : "z";
      return "ks";
    }
    return p.unique_union > 2 ? "chisquare" : "z";
  }
  if (p.kind == Kind::kNum) return p.unique_union <= 5 ? "jensenshannon" : "wasserstein";
  return "jensenshannon";
}

// Why default_test chose its test, in Evidently's terms, e.g. "numerical, > 5 unique values,
// reference <= 1000 rows -> ks".
std::string default_test_reason(const Prepared& p) {
  const bool small = p.n_ref <= 1000;
  std::string r = p.kind == Kind::kNum ? "numerical, " : "categorical, ";
  if (p.kind == Kind::kNum) {
    if (p.unique_union > 5) r += "> 5 unique values";
    else if (p.unique_union > 2) r += small ? "3-5 unique values" : "<= 5 unique values";
    else r += small ? "<= 2 unique values" : "<= 5 unique values";
  } else if (small) {
    r += p.unique_union > 2 ? "> 2 categories" : "<= 2 categories";
  } else {
    r += "any number of categories";
  }
  r += small ? ", reference <= 1000 rows -> " : ", reference > 1000 rows -> ";
  return r + default_test(p);
}

// [SECTION] Binning --------------------------------------------------------------------------

// Counts per bin of both samples over common bins (get_binned_data before the division).
struct Binned {
  std::vector<double> ref, cur;
};

Binned binned_counts(const Prepared& p) {
  Binned b;
  if (p.kind == Kind::kNum && p.unique_ref > 20) {
    const double lo = std::min(p.ref.front(), p.cur.front());
    const double hi = std::max(p.ref.back(), p.cur.back());
    const auto edges = histogram_bin_edges_sturges(p.n_ref + p.n_cur, lo, hi);
    if (!edges) throw Error(edges.status());  // finite lo and hi always bin; caught in compute_drift
    for (size_t c : histogram_counts_sorted(p.ref, *edges)) b.ref.push_back(double(c));
    for (size_t c : histogram_counts_sorted(p.cur, *edges)) b.cur.push_back(double(c));
  } else if (p.kind == Kind::kNum) {
    std::vector<double> keys;
    std::vector<size_t> a, c;
    value_counts_sorted(p.ref, p.cur, &keys, &a, &c);
    for (size_t x : a) b.ref.push_back(double(x));
    for (size_t x : c) b.cur.push_back(double(x));
  } else {
    for (size_t x : p.ref_counts) b.ref.push_back(double(x));
    for (size_t x : p.cur_counts) b.cur.push_back(double(x));
  }
  return b;
}

// Fractions per bin; zeros replaced as Evidently's get_binned_data(feel_zeroes=True) does.
std::vector<double> fractions(const std::vector<double>& counts, size_t n, bool fill_zeroes) {
  std::vector<double> f(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) f[i] = counts[i] / double(n);
  if (fill_zeroes) {
    double min_nonzero = std::numeric_limits<double>::infinity();
    for (double v : f) {
      if (v != 0) min_nonzero = std::min(min_nonzero, v);
    }
    const double fill = min_nonzero <= 0.0001 ? min_nonzero / 1e6 : 0.0001;
    for (double& v : f) {
      if (v == 0) v = fill;
    }
  }
  return f;
}

// [SECTION] One column -----------------------------------------------------------------------

DriftHistogram make_histogram(const Prepared& p, size_t max_categories) {
  DriftHistogram h;
  if (p.kind == Kind::kNum) {
    const double lo = std::min(p.ref.front(), p.cur.front());
    const double hi = std::max(p.ref.back(), p.cur.back());
    auto edges = histogram_bin_edges_sturges(p.n_ref + p.n_cur, lo, hi);
    if (!edges) throw Error(edges.status());  // finite lo and hi always bin; caught in compute_drift
    h.edges = std::move(edges).value();
    h.reference_counts = histogram_counts_sorted(p.ref, h.edges);
    h.current_counts = histogram_counts_sorted(p.cur, h.edges);
    return h;
  }
  std::vector<size_t> order(p.categories.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return p.ref_counts[a] + p.cur_counts[a] > p.ref_counts[b] + p.cur_counts[b];
  });
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    if (k < max_categories) {
      h.categories.push_back(p.categories[i]);
      h.reference_counts.push_back(p.ref_counts[i]);
      h.current_counts.push_back(p.cur_counts[i]);
    } else {
      ++h.other_categories;
      h.other_reference_count += p.ref_counts[i];
      h.other_current_count += p.cur_counts[i];
    }
  }
  return h;
}

Result<double> resolve_threshold(const std::string& column, Kind kind, const TestSpec& test, const DriftOptions& o) {
  std::optional<double> t;
  auto per = o.per_column_stattest_threshold.find(column);
  if (per != o.per_column_stattest_threshold.end()) t = per->second;
  else if (kind == Kind::kCat && o.cat_stattest_threshold) t = o.cat_stattest_threshold;
  else if (kind == Kind::kNum && o.num_stattest_threshold) t = o.num_stattest_threshold;
  else if (o.stattest_threshold) t = o.stattest_threshold;
  if (!t) return test.default_threshold;
  if (!std::isfinite(*t) || *t < 0) {
    return Status::invalid("the threshold for column '" + quote_for_message(column) + "' must be a finite number >= 0, got " + fmt(*t, 17));
  }
  return *t;
}

Result<const TestSpec*> resolve_test(const std::string& column, const Prepared& p, const DriftOptions& o,
                                     std::string* reason) {
  std::string name;
  std::string source;
  auto per = o.per_column_stattest.find(column);
  if (per != o.per_column_stattest.end()) {
    name = per->second;
    source = "per_column_stattest['" + column + "']";
  } else if (p.kind == Kind::kCat && o.cat_stattest) {
    name = *o.cat_stattest;
    source = "cat_stattest";
  } else if (p.kind == Kind::kNum && o.num_stattest) {
    name = *o.num_stattest;
    source = "num_stattest";
  } else if (o.stattest) {
    name = *o.stattest;
    source = "stattest";
  } else {
    name = default_test(p);
  }
  if (reason) *reason = source.empty() ? default_test_reason(p) : "chosen by the option " + source;
  const TestSpec* t = find_test(name);
  if (!t) return Status::invalid(source + ": unknown drift test '" + name + "' (available: " + test_list() + ")");
  if ((p.kind == Kind::kNum && !t->num) || (p.kind == Kind::kCat && !t->cat)) {
    return Status::invalid(source + ": test '" + name + "' does not apply to the " +
                           (p.kind == Kind::kNum ? "numerical" : "categorical") + " column '" + quote_for_message(column) + "'");
  }
  return t;
}

Result<ColumnDrift> column_drift(const data::Column& rc, const data::Column& cc, const DriftOptions& options) {
  auto prepared = prepare(rc, cc, options);
  if (!prepared) return prepared.status();
  const Prepared& p = *prepared;
  std::string reason;
  auto test = resolve_test(rc.name, p, options, &reason);
  if (!test) return test.status();
  const TestSpec& spec = **test;
  auto threshold = resolve_threshold(rc.name, p.kind, spec, options);
  if (!threshold) return threshold.status();

  ColumnDrift r;
  r.column = rc.name;
  r.type = kind_name(p.kind);
  r.test = spec.name;
  r.test_reason = reason;
  r.threshold = *threshold;
  r.n_reference = p.n_ref;
  r.n_current = p.n_cur;
  r.missing_reference = p.missing_ref;
  r.missing_current = p.missing_cur;
  const std::string name = spec.name;
  const double t = r.threshold;
  std::vector<double> chi_expected;  // for the Cochran warning

  if (name == "ks") {
    const KsResult ks = ks_2samp_sorted(p.ref, p.cur);
    r.statistic = ks.statistic;
    r.p_value = ks.pvalue;
    r.drifted = ks.pvalue <= t;
    r.effect_size = ks.statistic;
    r.effect_size_name = "ks_d";
  } else if (name == "chisquare") {
    const Binned b = binned_counts(p);
    const double k_norm = double(p.n_cur) / double(p.n_ref);
    std::vector<double> f_exp(b.ref.size());
    for (size_t i = 0; i < b.ref.size(); ++i) f_exp[i] = b.ref[i] * k_norm;
    auto chi = chisquare(b.cur, f_exp);
    if (!chi) return Status::internal("column '" + quote_for_message(rc.name) + "': " + chi.status().message());
    r.statistic = chi->statistic;
    r.p_value = chi->pvalue;
    r.drifted = chi->pvalue < t;
    auto v = cramers_v({b.ref, b.cur});
    if (v) r.effect_size = *v;
    r.effect_size_name = "cramers_v";
    chi_expected = f_exp;
  } else if (name == "z") {
    // Successes = values other than the smallest one of the union (Evidently maps the first of
    // the sorted keys to 0 and every other value to 1).
    size_t ref_first = 0, cur_first = 0;
    if (p.kind == Kind::kNum) {
      const double first = std::min(p.ref.front(), p.cur.front());
      ref_first = size_t(std::upper_bound(p.ref.begin(), p.ref.end(), first) - p.ref.begin());
      cur_first = size_t(std::upper_bound(p.cur.begin(), p.cur.end(), first) - p.cur.begin());
    } else {
      ref_first = p.ref_counts.front();
      cur_first = p.cur_counts.front();
    }
    auto z = z_test_proportions(p.n_ref - ref_first, p.n_ref, p.n_cur - cur_first, p.n_cur);
    if (!z) return Status::internal("column '" + quote_for_message(rc.name) + "': " + z.status().message());
    r.statistic = z->statistic;
    r.p_value = z->pvalue;
    r.drifted = z->pvalue < t;
    r.effect_size = cohens_h(double(p.n_ref - ref_first) / double(p.n_ref),
                             double(p.n_cur - cur_first) / double(p.n_cur));
    r.effect_size_name = "cohens_h";
  } else if (name == "wasserstein") {
    const double sd = numpy_std(p.ref);
    const double norm = std::max(sd, 0.001);
    r.statistic = wasserstein_distance_sorted(p.ref, p.cur) / norm;
    r.drifted = r.statistic >= t;
    if (sd < 0.001) {
      r.warnings.push_back("reference standard deviation " + fmt(sd) +
                           " is below 0.001: the distance is divided by 0.001 instead");
    }
  } else {
    const Binned b = binned_counts(p);
    const bool fill = name != "jensenshannon";
    const std::vector<double> rf = fractions(b.ref, p.n_ref, fill), cf = fractions(b.cur, p.n_cur, fill);
    Result<double> s = 0.0;
    if (name == "jensenshannon") s = jensenshannon(rf, cf);
    else if (name == "psi") s = psi(cf, rf, 0.0);  // (r - c) ln(r / c), Evidently's operand order
    else s = kl_divergence(rf, cf);
    if (!s) return Status::internal("column '" + quote_for_message(rc.name) + "': " + s.status().message());
    r.statistic = *s;
    r.drifted = r.statistic >= t;
  }

  // Warnings.
  const bool pv = spec.p_value;
  auto small = [&](const char* which, size_t n) {
    if (n < 30) {
      r.warnings.push_back(std::string(which) + " sample has only " + std::to_string(n) + " rows: " +
                           (pv ? "the test has little power" : "the distance is noisy"));
    }
  };
  small("reference", p.n_ref);
  small("current", p.n_cur);
  if (pv && r.drifted && r.effect_size) {
    const double e = *r.effect_size;
    const char* label = nullptr;
    if (name == "ks" && e < 0.04) label = "D";
    if (name == "chisquare" && e < 0.1) label = "Cramer's V";
    if (name == "z" && e < 0.2) label = "Cohen's h";
    if (label) {
      r.warnings.push_back("p-value test on " + std::to_string(p.n_ref) + " + " + std::to_string(p.n_cur) +
                           " rows flags a negligible effect (" + label + " = " + fmt(e, 2) + ")");
    }
  }
  const double miss_ref = double(p.missing_ref) / double(p.n_ref + p.missing_ref);
  const double miss_cur = double(p.missing_cur) / double(p.n_cur + p.missing_cur);
  if (std::fabs(miss_ref - miss_cur) > 0.05) {
    r.warnings.push_back("missing values: " + pct(miss_cur) + " of current vs " + pct(miss_ref) +
                         " of reference (dropped before the test)");
  }
  if (p.inf_ref + p.inf_cur > 0) {
    r.warnings.push_back("dropped " + std::to_string(p.inf_ref + p.inf_cur) +
                         " infinite values (counted as missing)");
  }
  if (p.kind == Kind::kCat) {
    size_t new_categories = 0;
    std::string example;
    for (size_t i = 0; i < p.categories.size(); ++i) {
      if (p.ref_counts[i] == 0) {
        if (new_categories++ == 0) example = p.categories[i];
      }
    }
    if (new_categories > 0) {
      r.warnings.push_back("current has " + std::to_string(new_categories) + " categor" +
                           (new_categories == 1 ? "y" : "ies") + " not seen in reference (e.g. '" + example + "')");
    }
  }
  if (!chi_expected.empty()) {
    size_t below5 = 0, below1 = 0;
    for (double e : chi_expected) {
      if (e < 5) ++below5;
      if (e < 1) ++below1;
    }
    if (below1 > 0 || double(below5) > 0.2 * double(chi_expected.size())) {
      r.warnings.push_back("chi-square: " + std::to_string(below5) + " of " + std::to_string(chi_expected.size()) +
                           " expected counts are below 5: the p-value is approximate");
    }
  }
  if (p.unique_union == 1) r.warnings.push_back("the column is constant (one value in both samples)");

  r.histogram = make_histogram(p, options.max_histogram_categories);
  return r;
}

}  // namespace

std::vector<std::string> drift_test_names() {
  std::vector<std::string> names;
  for (const auto& t : kTests) names.push_back(t.name);
  return names;
}

// [SECTION] The report -----------------------------------------------------------------------

Result<DriftTask> DriftTask::start(const data::Table& reference, const data::Table& current, const DriftOptions& options) {
  if (!(options.drift_share >= 0 && options.drift_share <= 1)) {
    return Status::invalid("drift_share must be between 0 and 1, got " + fmt(options.drift_share, 17));
  }
  auto check_name = [](const std::optional<std::string>& n, const char* what) -> Status {
    if (n && !find_test(*n)) {
      return Status::invalid(std::string(what) + ": unknown drift test '" + *n + "' (available: " + test_list() + ")");
    }
    return Status::ok();
  };
  MLLAB_RETURN_IF_ERROR(check_name(options.stattest, "stattest"));
  MLLAB_RETURN_IF_ERROR(check_name(options.num_stattest, "num_stattest"));
  MLLAB_RETURN_IF_ERROR(check_name(options.cat_stattest, "cat_stattest"));

  std::vector<std::string> names, missing, text;
  if (options.columns.empty()) {
    for (const auto& c : reference.columns()) {
      const data::Column* other = current.column(c.name);
      if (!other) {
        missing.push_back(c.name);
        continue;
      }
      const bool listed = contains(options.categorical_columns, c.name) || contains(options.numerical_columns, c.name);
      if (!listed && (c.type == data::ColumnType::kText || other->type == data::ColumnType::kText)) {
        text.push_back(c.name);
        continue;
      }
      names.push_back(c.name);
    }
  } else {
    for (const auto& n : options.columns) {
      if (!reference.column(n)) return Status::invalid("column '" + quote_for_message(n) + "' is not in the reference table");
      if (!current.column(n)) return Status::invalid("column '" + quote_for_message(n) + "' is not in the current table");
      if (contains(names, n)) return Status::invalid("column '" + quote_for_message(n) + "' is listed twice in columns");
      names.push_back(n);
    }
  }
  auto check_known = [&](const std::string& n, const char* what) -> Status {
    if (!contains(names, n)) return Status::invalid(std::string(what) + " names column '" + quote_for_message(n) + "', which is not compared");
    return Status::ok();
  };
  for (const auto& [n, v] : options.per_column_stattest) MLLAB_RETURN_IF_ERROR(check_known(n, "per_column_stattest"));
  for (const auto& [n, v] : options.per_column_stattest_threshold) {
    MLLAB_RETURN_IF_ERROR(check_known(n, "per_column_stattest_threshold"));
  }
  if (names.empty()) return Status::invalid("no columns to compare: the tables share no numeric or categorical column");

  DriftReport report;
  report.drift_share_threshold = options.drift_share;
  auto listing = [](const std::vector<std::string>& cols) {
    std::string out;
    for (size_t i = 0; i < cols.size() && i < 20; ++i) out += (i ? ", '" : "'") + quote_for_message(cols[i]) + "'";
    if (cols.size() > 20) out += " and " + std::to_string(cols.size() - 20) + " more";
    return out;
  };
  if (!missing.empty()) {
    report.warnings.push_back("the current table lacks " + std::to_string(missing.size()) + " reference column" +
                              (missing.size() == 1 ? "" : "s") + ", not compared: " + listing(missing));
  }
  if (!text.empty()) {
    report.warnings.push_back(std::to_string(text.size()) + " free-text column" + (text.size() == 1 ? "" : "s") +
                              " skipped (text drift is not supported; compare as categories with " +
                              "categorical_columns): " + listing(text));
  }
  DriftTask task;
  task.reference_ = &reference;
  task.current_ = &current;
  task.options_ = options;
  task.names_ = std::move(names);
  task.report_ = std::move(report);
  return task;
}

const std::string& DriftTask::next_column() const {
  static const std::string kNone;
  return done() ? kNone : names_[next_];
}

Status DriftTask::step() {
  if (done()) return Status::ok();
  const std::string& n = names_[next_];
  Result<ColumnDrift> col = Status::internal("unset");
  try {
    col = column_drift(*reference_->column(n), *current_->column(n), options_);
  } catch (const Error& e) {
    col = Status(e.status().code(), "column '" + quote_for_message(n) + "': " + e.status().message());
  }
  if (!col) return col.status();
  if (col->drifted) ++report_.number_of_drifted_columns;
  report_.columns.push_back(std::move(col).value());
  ++next_;
  return Status::ok();
}

DriftReport DriftTask::finish() {
  DriftReport report = std::move(report_);
  report.number_of_columns = report.columns.size();
  report.drift_share = report.number_of_columns ? double(report.number_of_drifted_columns) / double(report.number_of_columns) : 0;
  report.dataset_drift = report.drift_share >= options_.drift_share;
  return report;
}

Result<DriftReport> compute_drift(const data::Table& reference, const data::Table& current, const DriftOptions& options) {
  auto task = DriftTask::start(reference, current, options);
  if (!task) return task.status();
  while (!task->done()) MLLAB_RETURN_IF_ERROR(task->step());
  return task->finish();
}

// [SECTION] JSON -----------------------------------------------------------------------------

namespace {

constexpr int kDriftSchemaVersion = 1;

json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

json optional_number(const std::optional<double>& v) { return v ? number(*v) : json(nullptr); }

double read_number(const json& j, const char* field) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  }
  throw Error(Status::parse_error(std::string("drift report: field '") + field + "' is not a number"));
}

json column_to_json(const ColumnDrift& c) {
  json h = json::object();
  if (c.type == "num") {
    json edges = json::array();
    for (double e : c.histogram.edges) edges.push_back(number(e));
    h["edges"] = edges;
  } else {
    h["categories"] = c.histogram.categories;
  }
  h["reference_counts"] = c.histogram.reference_counts;
  h["current_counts"] = c.histogram.current_counts;
  if (c.type != "num") {
    h["other_categories"] = c.histogram.other_categories;
    h["other_reference_count"] = c.histogram.other_reference_count;
    h["other_current_count"] = c.histogram.other_current_count;
  }
  return {{"column", c.column},
          {"type", c.type},
          {"test", c.test},
          {"test_reason", c.test_reason},
          {"statistic", number(c.statistic)},
          {"p_value", optional_number(c.p_value)},
          {"threshold", number(c.threshold)},
          {"drifted", c.drifted},
          {"n_reference", c.n_reference},
          {"n_current", c.n_current},
          {"missing_reference", c.missing_reference},
          {"missing_current", c.missing_current},
          {"effect_size", optional_number(c.effect_size)},
          {"effect_size_name", c.effect_size_name},
          {"warnings", c.warnings},
          {"histogram", h}};
}

ColumnDrift column_from_json(const json& j) {
  ColumnDrift c;
  c.column = j.at("column").get<std::string>();
  c.type = j.at("type").get<std::string>();
  if (c.type != "num" && c.type != "cat") {
    throw Error(Status::parse_error("drift report: column '" + quote_for_message(c.column) + "' has type '" + c.type + "'"));
  }
  c.test = j.at("test").get<std::string>();
  c.test_reason = j.value("test_reason", std::string());
  c.statistic = read_number(j.at("statistic"), "statistic");
  if (!j.at("p_value").is_null()) c.p_value = read_number(j.at("p_value"), "p_value");
  c.threshold = read_number(j.at("threshold"), "threshold");
  c.drifted = j.at("drifted").get<bool>();
  c.n_reference = j.value("n_reference", size_t{0});
  c.n_current = j.value("n_current", size_t{0});
  c.missing_reference = j.value("missing_reference", size_t{0});
  c.missing_current = j.value("missing_current", size_t{0});
  if (j.contains("effect_size") && !j.at("effect_size").is_null()) {
    c.effect_size = read_number(j.at("effect_size"), "effect_size");
  }
  c.effect_size_name = j.value("effect_size_name", std::string());
  c.warnings = j.value("warnings", std::vector<std::string>{});
  if (j.contains("histogram")) {
    const json& h = j.at("histogram");
    if (h.contains("edges")) {
      for (const auto& e : h.at("edges")) c.histogram.edges.push_back(read_number(e, "histogram.edges"));
    }
    c.histogram.categories = h.value("categories", std::vector<std::string>{});
    c.histogram.reference_counts = h.value("reference_counts", std::vector<size_t>{});
    c.histogram.current_counts = h.value("current_counts", std::vector<size_t>{});
    c.histogram.other_categories = h.value("other_categories", size_t{0});
    c.histogram.other_reference_count = h.value("other_reference_count", size_t{0});
    c.histogram.other_current_count = h.value("other_current_count", size_t{0});
  }
  return c;
}

}  // namespace

json drift_report_to_json(const DriftReport& report) {
  json cols = json::array();
  for (const auto& c : report.columns) cols.push_back(column_to_json(c));
  return {{"dataset_drift", report.dataset_drift},
          {"drift_share", number(report.drift_share)},
          {"columns", cols},
          {"number_of_columns", report.number_of_columns},
          {"number_of_drifted_columns", report.number_of_drifted_columns},
          {"drift_share_threshold", number(report.drift_share_threshold)},
          {"warnings", report.warnings}};
}

json drift_report_to_record(const DriftReport& report) {
  json j = drift_report_to_json(report);
  j["schema"] = "mllab.drift_report";
  j["schema_version"] = kDriftSchemaVersion;
  return j;
}

Result<DriftReport> drift_report_from_json(const json& j) {
  if (!j.is_object()) return Status::parse_error("drift report: not a JSON object");
  if (j.contains("schema")) {
    if (j.at("schema") != "mllab.drift_report") return Status::parse_error("not an mllab.drift_report record");
    if (!j.contains("schema_version") || !j.at("schema_version").is_number_integer()) {
      return Status::parse_error("mllab.drift_report record without an integer schema_version");
    }
    const int v = j.at("schema_version").get<int>();
    if (v > kDriftSchemaVersion) {
      return Status::parse_error("mllab.drift_report schema_version " + std::to_string(v) +
                                 " is newer than this build reads (" + std::to_string(kDriftSchemaVersion) + ")");
    }
  }
  try {
    DriftReport r;
    r.dataset_drift = j.at("dataset_drift").get<bool>();
    r.drift_share = read_number(j.at("drift_share"), "drift_share");
    r.drift_share_threshold = read_number(j.at("drift_share_threshold"), "drift_share_threshold");
    r.warnings = j.value("warnings", std::vector<std::string>{});
    r.number_of_columns = j.at("number_of_columns").get<size_t>();
    r.number_of_drifted_columns = j.at("number_of_drifted_columns").get<size_t>();
    for (const auto& c : j.at("columns")) r.columns.push_back(column_from_json(c));
    if (r.columns.size() != r.number_of_columns) {
      return Status::parse_error("drift report: number_of_columns is " + std::to_string(r.number_of_columns) +
                                 " but columns holds " + std::to_string(r.columns.size()));
    }
    return r;
  } catch (const Error& e) {
    return e.status();
  } catch (const json::exception& e) {
    return Status::parse_error("drift report is malformed: " + json_error_reason(e));
  }
}

Result<data::Table> row_range(const data::Table& table, double from_pct, double to_pct) {
  if (!(from_pct >= 0 && to_pct <= 100 && from_pct < to_pct)) {
    return Status::invalid("row range " + fmt(from_pct, 6) + "-" + fmt(to_pct, 6) +
                           "%: it must lie within 0-100% and start before it ends");
  }
  const size_t n = table.num_rows();
  const size_t begin = size_t(std::floor(double(n) * from_pct / 100.0));
  const size_t end = std::min(n, size_t(std::floor(double(n) * to_pct / 100.0)));
  if (begin >= end) {
    return Status::invalid("row range " + fmt(from_pct, 6) + "-" + fmt(to_pct, 6) + "% holds no rows of " +
                           std::to_string(n));
  }
  std::vector<size_t> rows;
  for (size_t i = begin; i < end; ++i) rows.push_back(i);
  return table.take_rows(rows);
}

std::string dataset_verdict(const DriftReport& r) {
  auto two = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    std::string t = b;
    while (t.size() > 1 && t.back() == '0') t.pop_back();
    if (!t.empty() && t.back() == '.') t.pop_back();
    return t;
  };
  return "Drift detected in " + std::to_string(r.number_of_drifted_columns) + " of " +
         std::to_string(r.number_of_columns) + " column" + (r.number_of_columns == 1 ? "" : "s") + " (share " +
         two(r.drift_share) + (r.dataset_drift ? " >= " : " < ") + two(r.drift_share_threshold) + "): dataset drift " +
         (r.dataset_drift ? "detected" : "not detected");
}

}  // namespace mllab::monitoring

#include "core/ml/model_selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

#include "core/ml/numeric.hpp"
#include "core/util/rng.hpp"

namespace mllab::ml {
namespace {

using json = nlohmann::json;

void check_n_splits(const char* who, int n_splits) {
  if (n_splits < 2) {
    throw_invalid(who,
                  "k-fold cross-validation requires at least one train/test split by setting "
                  "n_splits=2 or more, got n_splits=" + std::to_string(n_splits));
  }
}

void check_n_samples(const char* who, int n_splits, size_t n_samples) {
  if (static_cast<size_t>(n_splits) > n_samples) {
    throw_invalid(who, "Cannot have number of splits n_splits=" + std::to_string(n_splits) +
                           " greater than the number of samples: n_samples=" +
                           std::to_string(n_samples));
  }
}

// Folds from the test fold of each row: test rows ascending, train rows = the rest, ascending.
std::vector<Fold> folds_from_assignment(const std::vector<int>& fold_of, int n_splits) {
  std::vector<Fold> folds(static_cast<size_t>(n_splits));
  for (size_t i = 0; i < fold_of.size(); ++i) {
    for (int f = 0; f < n_splits; ++f) {
      auto& fold = folds[static_cast<size_t>(f)];
      (fold_of[i] == f ? fold.test : fold.train).push_back(i);
    }
  }
  return folds;
}

// np.mean and np.sqrt(np.mean((x - mean)^2)) with numpy's summation order.
void mean_and_std(const std::vector<double>& x, double* mean, double* std) {
  *mean = numpy_mean(x);
  std::vector<double> sq(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double d = x[i] - *mean;
    sq[i] = d * d;
  }
  *std = std::sqrt(numpy_mean(sq));
}

// Class index of each label, numbered in order of first appearance (as scikit-learn's
// y_encoded), and the number of classes.
std::vector<int> encode_by_appearance(const std::vector<int>& y, int* n_classes) {
  std::unordered_map<int, int> code;
  std::vector<int> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    auto it = code.find(y[i]);
    if (it == code.end()) it = code.emplace(y[i], static_cast<int>(code.size())).first;
    out[i] = it->second;
  }
  *n_classes = static_cast<int>(code.size());
  return out;
}

}  // namespace

// ---- KFold ----

KFold::KFold(int n_splits, bool shuffle, uint64_t random_state)
    : n_splits_(n_splits), shuffle_(shuffle), random_state_(random_state) {
  check_n_splits("KFold", n_splits);
}

std::vector<Fold> KFold::split(size_t n_samples) const {
  check_n_samples("KFold", n_splits_, n_samples);
  std::vector<size_t> indices(n_samples);
  for (size_t i = 0; i < n_samples; ++i) indices[i] = i;
  if (shuffle_) {
    Rng rng(random_state_);
    rng.shuffle(indices);
  }
  const auto k = static_cast<size_t>(n_splits_);
  std::vector<int> fold_of(n_samples);
  size_t current = 0;
  for (size_t f = 0; f < k; ++f) {
    size_t size = n_samples / k + (f < n_samples % k ? 1 : 0);
    for (size_t i = current; i < current + size; ++i) fold_of[indices[i]] = static_cast<int>(f);
    current += size;
  }
  return folds_from_assignment(fold_of, n_splits_);
}

// ---- StratifiedKFold ----

StratifiedKFold::StratifiedKFold(int n_splits, bool shuffle, uint64_t random_state)
    : n_splits_(n_splits), shuffle_(shuffle), random_state_(random_state) {
  check_n_splits("StratifiedKFold", n_splits);
}

size_t StratifiedKFold::least_populated_class_count(const std::vector<int>& y) {
  if (y.empty()) return 0;
  int n_classes = 0;
  std::vector<int> enc = encode_by_appearance(y, &n_classes);
  std::vector<size_t> counts(static_cast<size_t>(n_classes), 0);
  for (int c : enc) ++counts[static_cast<size_t>(c)];
  return *std::min_element(counts.begin(), counts.end());
}

// scikit-learn 1.2's StratifiedKFold._make_test_folds.
std::vector<int> StratifiedKFold::test_folds(const std::vector<int>& y) const {
  const char* who = "StratifiedKFold";
  check_n_samples(who, n_splits_, y.size());
  int n_classes = 0;
  std::vector<int> y_encoded = encode_by_appearance(y, &n_classes);
  const auto nc = static_cast<size_t>(n_classes);
  const auto k = static_cast<size_t>(n_splits_);
  std::vector<size_t> y_counts(nc, 0);
  for (int c : y_encoded) ++y_counts[static_cast<size_t>(c)];
  size_t min_groups = *std::min_element(y_counts.begin(), y_counts.end());
  if (std::all_of(y_counts.begin(), y_counts.end(), [&](size_t c) { return k > c; })) {
    throw_invalid(who, "n_splits=" + std::to_string(n_splits_) +
                           " cannot be greater than the number of members in each class (the "
                           "least populated class has " + std::to_string(min_groups) +
                           " members, the most populated " +
                           std::to_string(*std::max_element(y_counts.begin(), y_counts.end())) +
                           ")");
  }
  // allocation[f][c] = np.bincount(y_order[f::k])[c], y_order = sorted class codes.
  std::vector<std::vector<size_t>> allocation(k, std::vector<size_t>(nc, 0));
  size_t pos = 0;
  for (size_t c = 0; c < nc; ++c) {
    for (size_t m = 0; m < y_counts[c]; ++m, ++pos) ++allocation[pos % k][c];
  }
  Rng rng(random_state_);
  std::vector<std::vector<size_t>> rows_of(nc);
  for (size_t i = 0; i < y_encoded.size(); ++i) {
    rows_of[static_cast<size_t>(y_encoded[i])].push_back(i);
  }
  std::vector<int> test_folds(y.size(), 0);
  for (size_t c = 0; c < nc; ++c) {
    // np.arange(k).repeat(allocation[:, c]), then (shuffle) permuted.
    std::vector<int> folds_for_class;
    folds_for_class.reserve(y_counts[c]);
    for (size_t f = 0; f < k; ++f) {
      folds_for_class.insert(folds_for_class.end(), allocation[f][c], static_cast<int>(f));
    }
    if (shuffle_) rng.shuffle(folds_for_class);
    for (size_t m = 0; m < rows_of[c].size(); ++m) test_folds[rows_of[c][m]] = folds_for_class[m];
  }
  return test_folds;
}

std::vector<Fold> StratifiedKFold::split(const std::vector<int>& y) const {
  return folds_from_assignment(test_folds(y), n_splits_);
}

// ---- cross-validation ----

CvResult cross_validate(const FitAndScore& fit_and_score, const std::vector<Fold>& folds) {
  if (folds.empty()) throw_invalid("cross_validate", "needs at least one fold (received 0)");
  CvResult out;
  for (const Fold& fold : folds) out.scores.push_back(fit_and_score(fold.train, fold.test));
  mean_and_std(out.scores, &out.mean, &out.std);
  return out;
}

std::vector<double> cross_val_score(const FitAndScore& fit_and_score,
                                    const std::vector<Fold>& folds) {
  return cross_validate(fit_and_score, folds).scores;
}

// ---- ParameterGrid ----

ParameterGrid::ParameterGrid(const json& param_grid) {
  const char* who = "ParameterGrid";
  if (param_grid.is_object()) {
    grids_.push_back(param_grid);
  } else if (param_grid.is_array()) {
    for (const auto& g : param_grid) {
      if (!g.is_object()) throw_invalid(who, "Parameter grid is not a dict (" + g.dump() + ")");
      grids_.push_back(g);
    }
  } else {
    throw_invalid(who, "Parameter grid should be a dict or a list, got: " + param_grid.dump());
  }
  size_t total = 0;
  for (const auto& g : grids_) {
    size_t n = 1;
    for (const auto& item : g.items()) {
      if (!item.value().is_array()) {
        throw_invalid(who, "Parameter grid for parameter '" + item.key() +
                               "' needs to be a list, but got " + item.value().dump() +
                               " instead. Single values need to be wrapped in a list with one "
                               "element.");
      }
      if (item.value().empty()) {
        throw_invalid(who, "Parameter grid for parameter '" + item.key() +
                               "' need to be a non-empty sequence, got: []");
      }
      if (n > std::numeric_limits<size_t>::max() / item.value().size()) {
        throw_invalid(who, "the grid has too many candidates");
      }
      n *= item.value().size();
    }
    if (total > std::numeric_limits<size_t>::max() - n) {
      throw_invalid(who, "the grid has too many candidates");
    }
    total += n;
  }
}

size_t ParameterGrid::size() const {
  size_t total = 0;
  for (const auto& g : grids_) {
    size_t n = 1;
    for (const auto& item : g.items()) n *= item.value().size();
    total += n;
  }
  return total;
}

// scikit-learn's ParameterGrid.__getitem__: within a grid, the index is decomposed with the
// last sorted key as the fastest-varying digit.
json ParameterGrid::at(size_t i) const {
  for (const auto& g : grids_) {
    size_t n = 1;
    for (const auto& item : g.items()) n *= item.value().size();
    if (i >= n) {
      i -= n;
      continue;
    }
    json out = json::object();
    std::vector<std::string> keys;
    for (const auto& item : g.items()) keys.push_back(item.key());  // sorted by nlohmann::json
    for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
      const json& values = g.at(*it);
      out[*it] = values[i % values.size()];
      i /= values.size();
    }
    return out;
  }
  throw_invalid("ParameterGrid", "index " + std::to_string(i) + " out of range");
}

std::vector<json> ParameterGrid::candidates() const {
  std::vector<json> out;
  const size_t n = size();
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(at(i));
  return out;
}

// ---- ParameterSampler ----

ParameterSampler::ParameterSampler(const json& param_distributions, int n_iter,
                                   uint64_t random_state)
    : grid_(param_distributions), n_iter_(n_iter), random_state_(random_state) {
  if (n_iter < 1) {
    throw_invalid("ParameterSampler",
                  "n_iter must be >= 1 (received " + std::to_string(n_iter) + ")");
  }
}

size_t ParameterSampler::size() const {
  return std::min(static_cast<size_t>(n_iter_), grid_.size());
}

std::vector<json> ParameterSampler::candidates() const {
  const size_t total = grid_.size();
  const size_t n = size();
  Rng rng(random_state_);
  // Partial Fisher-Yates over 0..total-1, storing only the displaced entries.
  std::unordered_map<size_t, size_t> moved;
  auto get = [&](size_t i) {
    auto it = moved.find(i);
    return it == moved.end() ? i : it->second;
  };
  std::vector<json> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    size_t range = total - i;
    size_t j = i + (range <= UINT32_MAX ? rng.below(static_cast<uint32_t>(range))
                                        : static_cast<size_t>(rng.next_u64() % range));
    size_t vi = get(i);
    size_t vj = get(j);
    moved[j] = vi;
    moved[i] = vj;
    out.push_back(grid_.at(vj));
  }
  return out;
}

// ---- search ----

std::vector<int> rank_descending_min(const std::vector<double>& values) {
  const size_t n = values.size();
  std::vector<int> ranks(n, 1);
  if (std::all_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
    return ranks;
  }
  // np.nan_to_num(values, nan=np.nanmin(values) - 1).
  double nan_value = std::numeric_limits<double>::infinity();
  for (double v : values) {
    if (!std::isnan(v)) nan_value = std::min(nan_value, v);
  }
  nan_value -= 1.0;
  constexpr double kMax = std::numeric_limits<double>::max();
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) {
    double x = std::isnan(values[i]) ? nan_value : values[i];
    if (x == std::numeric_limits<double>::infinity()) x = kMax;
    if (x == -std::numeric_limits<double>::infinity()) x = -kMax;
    v[i] = x;
  }
  // rankdata(-v, method="min"): 1 + the number of values strictly greater.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] > v[b]; });
  for (size_t r = 0; r < n; ++r) {
    size_t i = order[r];
    ranks[i] = (r > 0 && v[order[r - 1]] == v[i]) ? ranks[order[r - 1]] : static_cast<int>(r + 1);
  }
  return ranks;
}

SearchResult search_cv(const std::vector<json>& candidates, const std::vector<Fold>& folds,
                       const EvaluateFn& evaluate) {
  const char* who = "search_cv";
  if (candidates.empty()) throw_invalid(who, "needs at least one candidate (received 0)");
  if (folds.empty()) throw_invalid(who, "needs at least one fold (received 0)");
  for (size_t c = 0; c < candidates.size(); ++c) {
    if (!candidates[c].is_object()) {
      throw_invalid(who, "candidate " + std::to_string(c) + " is not a JSON object (" +
                             candidates[c].dump() + ")");
    }
  }
  SearchResult out;
  const size_t nc = candidates.size();
  const size_t nf = folds.size();
  out.scores.assign(nc, std::vector<double>(nf, 0.0));
  for (size_t c = 0; c < nc; ++c) {
    for (size_t f = 0; f < nf; ++f) {
      out.scores[c][f] = evaluate(candidates[c], folds[f].train, folds[f].test);
    }
  }
  std::vector<double> means(nc), stds(nc);
  for (size_t c = 0; c < nc; ++c) mean_and_std(out.scores[c], &means[c], &stds[c]);
  std::vector<int> ranks = rank_descending_min(means);

  json& r = out.cv_results;
  r = json::object();
  r["params"] = json(candidates);
  // param_<name>: the candidate's value, null where it has no such parameter (scikit-learn's
  // masked entries).
  std::vector<std::string> names;
  for (const auto& cand : candidates) {
    for (const auto& item : cand.items()) {
      if (std::find(names.begin(), names.end(), item.key()) == names.end()) {
        names.push_back(item.key());
      }
    }
  }
  for (const auto& name : names) {
    json column = json::array();
    for (const auto& cand : candidates) {
      column.push_back(cand.contains(name) ? cand.at(name) : json());
    }
    r["param_" + name] = std::move(column);
  }
  // NaN is not valid JSON; nlohmann writes it as null.
  for (size_t f = 0; f < nf; ++f) {
    json column = json::array();
    for (size_t c = 0; c < nc; ++c) column.push_back(out.scores[c][f]);
    r["split" + std::to_string(f) + "_test_score"] = std::move(column);
  }
  r["mean_test_score"] = means;
  r["std_test_score"] = stds;
  r["rank_test_score"] = ranks;
  out.best_index =
      static_cast<size_t>(std::min_element(ranks.begin(), ranks.end()) - ranks.begin());
  out.best_params = candidates[out.best_index];
  out.best_score = means[out.best_index];
  return out;
}

}  // namespace mllab::ml

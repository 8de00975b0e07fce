#include "core/ml/model_selection.hpp"

#include "core/ml/split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

#include "core/ml/numeric.hpp"
#include "core/util/numpy_random.hpp"
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
    NumpyRandomState rng(numpy_seed("KFold", random_state_));
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
  NumpyRandomState rng(numpy_seed("StratifiedKFold", random_state_));
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

// ---- distributions ----

namespace {

// A number as short text: integral values without a fraction ("50", "100"), others in the
// shortest form that parses back exactly ("0.01", "1e-05").
std::string number_text(double x) {
  if (std::isfinite(x) && std::floor(x) == x && std::fabs(x) < 1e15) {
    return std::to_string(static_cast<int64_t>(x));
  }
  return json(x).dump();
}

// "a=0.01" for the message of a bad distribution.
std::string field_text(const char* name, const json& v) {
  return std::string(name) + "=" + (v.is_number_float() ? number_text(v.get<double>()) : v.dump());
}

// Reads a finite number field; `*present` tells whether it was given.
Status read_number(const json& d, const std::string& dist, const char* key, double* out,
                   bool* present) {
  *present = d.contains(key);
  if (!*present) return Status::ok();
  const json& v = d.at(key);
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    return Status::invalid(dist + ": '" + key + "' must be a finite number (received " + v.dump() +
                           ")");
  }
  *out = v.get<double>();
  return Status::ok();
}

// Reads an integer field (integral floats such as 10.0 are accepted).
Status read_integer(const json& d, const std::string& dist, const char* key, int64_t* out,
                    bool* present) {
  *present = d.contains(key);
  if (!*present) return Status::ok();
  const json& v = d.at(key);
  auto fail = [&]() {
    return Status::invalid(dist + ": '" + key + "' must be an integer (received " + v.dump() + ")");
  };
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) return fail();
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return Status::ok();
  }
  if (!v.is_number_float()) return fail();
  double x = v.get<double>();
  if (!std::isfinite(x) || std::floor(x) != x || !(std::fabs(x) < 9.2e18)) return fail();
  *out = static_cast<int64_t>(x);
  return Status::ok();
}

// Uniform integer in [0, range) without bias, for any 64-bit range > 0.
uint64_t draw_below(Rng& rng, uint64_t range) {
  if (range <= UINT32_MAX) return rng.below(static_cast<uint32_t>(range));
  // Rejection sampling: accept draws below the largest multiple of `range`.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % range + 1) % range;
  uint64_t x = rng.next_u64();
  while (x > limit) x = rng.next_u64();
  return x % range;
}

}  // namespace

bool is_distribution(const json& value) { return value.is_object(); }

Result<ParamDistribution> parse_distribution(const json& value) {
  if (!value.is_object()) {
    return Status::invalid("a distribution must be a JSON object such as {\"distribution\": "
                           "\"uniform\", \"loc\": 0, \"scale\": 1} (received " + value.dump() + ")");
  }
  static const char* kAvailable = "uniform, loguniform, reciprocal, randint";
  if (!value.contains("distribution") || !value.at("distribution").is_string()) {
    return Status::invalid(std::string("a distribution needs a \"distribution\" name (one of ") +
                           kAvailable + ")");
  }
  ParamDistribution d;
  d.name = value.at("distribution").get<std::string>();
  std::vector<std::string> fields;
  if (d.name == "uniform") {
    d.family = ParamDistribution::Family::kUniform;
    fields = {"loc", "scale"};
  } else if (d.name == "loguniform" || d.name == "reciprocal") {
    d.family = ParamDistribution::Family::kLogUniform;
    fields = {"a", "b"};
  } else if (d.name == "randint") {
    d.family = ParamDistribution::Family::kRandInt;
    fields = {"low", "high"};
  } else {
    return Status::invalid("unknown distribution '" + d.name + "' (available: " + kAvailable + ")");
  }
  for (const auto& item : value.items()) {
    if (item.key() == "distribution") continue;
    if (std::find(fields.begin(), fields.end(), item.key()) == fields.end()) {
      return Status::invalid("unknown field '" + item.key() + "' in a " + d.name +
                             " distribution (known: " + fields[0] + ", " + fields[1] + ")");
    }
  }
  bool has1 = false, has2 = false;
  switch (d.family) {
    case ParamDistribution::Family::kUniform: {
      d.p1 = 0.0;
      d.p2 = 1.0;
      MLLAB_RETURN_IF_ERROR(read_number(value, d.name, "loc", &d.p1, &has1));
      MLLAB_RETURN_IF_ERROR(read_number(value, d.name, "scale", &d.p2, &has2));
      if (!(d.p2 > 0.0) || !std::isfinite(d.p1 + d.p2)) {
        return Status::invalid("uniform needs scale > 0 and a finite loc + scale (received " +
                               field_text("loc", json(d.p1)) + ", " +
                               field_text("scale", json(d.p2)) + ")");
      }
      break;
    }
    case ParamDistribution::Family::kLogUniform: {
      MLLAB_RETURN_IF_ERROR(read_number(value, d.name, "a", &d.p1, &has1));
      MLLAB_RETURN_IF_ERROR(read_number(value, d.name, "b", &d.p2, &has2));
      if (!has1 || !has2) {
        return Status::invalid(d.name + " needs fields a and b (missing '" +
                               std::string(has1 ? "b" : "a") + "')");
      }
      if (!(d.p1 > 0.0 && d.p1 < d.p2)) {
        return Status::invalid(d.name + " needs 0 < a < b (received " + field_text("a", value.at("a")) +
                               ", " + field_text("b", value.at("b")) + ")");
      }
      break;
    }
    case ParamDistribution::Family::kRandInt: {
      MLLAB_RETURN_IF_ERROR(read_integer(value, d.name, "low", &d.low, &has1));
      MLLAB_RETURN_IF_ERROR(read_integer(value, d.name, "high", &d.high, &has2));
      if (!has1 || !has2) {
        return Status::invalid("randint needs fields low and high (missing '" +
                               std::string(has1 ? "high" : "low") + "')");
      }
      if (!(d.low < d.high)) {
        return Status::invalid("randint needs low < high (high is exclusive; received " +
                               field_text("low", value.at("low")) + ", " +
                               field_text("high", value.at("high")) + ")");
      }
      break;
    }
  }
  return d;
}

json ParamDistribution::sample(Rng& rng) const {
  switch (family) {
    case Family::kUniform:
      return json(p1 + p2 * rng.uniform());
    case Family::kLogUniform: {
      // scipy's ppf: exp(log(a) + q * (log(b) - log(a))); clamped against rounding.
      const double la = std::log(p1), lb = std::log(p2);
      const double x = std::exp(la + rng.uniform() * (lb - la));
      return json(std::min(std::max(x, p1), p2));
    }
    case Family::kRandInt: {
      const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
      return json(static_cast<int64_t>(static_cast<uint64_t>(low) + draw_below(rng, range)));
    }
  }
  return json();
}

json ParamDistribution::lowest() const {
  switch (family) {
    case Family::kUniform:
    case Family::kLogUniform:
      return json(p1);
    case Family::kRandInt:
      return json(low);
  }
  return json();
}

json ParamDistribution::highest() const {
  switch (family) {
    case Family::kUniform:
      return json(p1 + p2);
    case Family::kLogUniform:
      return json(p2);
    case Family::kRandInt:
      return json(high - 1);
  }
  return json();
}

std::string ParamDistribution::to_string() const {
  switch (family) {
    case Family::kUniform:
      return name + "(loc=" + number_text(p1) + ", scale=" + number_text(p2) + ")";
    case Family::kLogUniform:
      return name + "(a=" + number_text(p1) + ", b=" + number_text(p2) + ")";
    case Family::kRandInt:
      return name + "(low=" + std::to_string(low) + ", high=" + std::to_string(high) + ")";
  }
  return name;
}

std::string param_distribution_text(const json& value) {
  if (is_distribution(value)) {
    auto d = parse_distribution(value);
    if (d) return d->to_string();
  }
  return value.dump();
}

std::string search_space_text(const json& space) {
  if (space.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < space.size(); ++i) out += (i ? ", " : "") + search_space_text(space[i]);
    return out + "]";
  }
  if (!space.is_object()) return space.dump();
  std::string out = "{";
  for (auto it = space.begin(); it != space.end(); ++it) {
    out += (it == space.begin() ? "" : ", ") + json(it.key()).dump() + ": " + param_distribution_text(it.value());
  }
  return out + "}";
}

// ---- ParameterSampler ----

ParameterSampler::ParameterSampler(const json& param_distributions, int n_iter,
                                   uint64_t random_state)
    : n_iter_(n_iter), random_state_(random_state) {
  const char* who = "ParameterSampler";
  if (n_iter < 1) {
    throw_invalid(who, "n_iter must be >= 1 (received " + std::to_string(n_iter) + ")");
  }
  if (param_distributions.is_object()) {
    dicts_.push_back(param_distributions);
  } else if (param_distributions.is_array() && !param_distributions.empty()) {
    for (const auto& d : param_distributions) {
      if (!d.is_object()) {
        throw_invalid(who, "Parameter distribution is not a dict (" + d.dump() + ")");
      }
      dicts_.push_back(d);
    }
  } else {
    throw_invalid(who, "Parameter distribution should be a dict or a non-empty list of dicts, "
                       "got: " + param_distributions.dump());
  }
  for (const auto& d : dicts_) {
    for (const auto& item : d.items()) {
      if (!is_distribution(item.value())) continue;
      auto parsed = parse_distribution(item.value());
      if (!parsed) {
        throw_invalid(who, "parameter '" + item.key() + "': " + parsed.status().message());
      }
      has_distributions_ = true;
    }
  }
  if (!has_distributions_) {
    const json all(dicts_);
    const ParameterGrid check(all);  // validates the lists
    (void)check;
    return;
  }
  for (const auto& d : dicts_) {
    for (const auto& item : d.items()) {
      if (is_distribution(item.value())) continue;
      if (!item.value().is_array() || item.value().empty()) {
        throw_invalid(who, "Parameter value for '" + item.key() +
                               "' is not a distribution or a non-empty list (received " +
                               item.value().dump() + ")");
      }
    }
  }
}

size_t ParameterSampler::size() const {
  if (has_distributions_) return static_cast<size_t>(n_iter_);
  const json all(dicts_);
  return std::min(static_cast<size_t>(n_iter_), ParameterGrid(all).size());
}

std::vector<json> ParameterSampler::candidates() const {
  Rng rng(random_state_);
  std::vector<json> out;
  if (has_distributions_) {
    // Parsed once; keys in sorted order (nlohmann::json objects iterate sorted).
    std::vector<std::vector<std::pair<std::string, ParamDistribution>>> parsed(dicts_.size());
    for (size_t k = 0; k < dicts_.size(); ++k) {
      for (const auto& item : dicts_[k].items()) {
        if (is_distribution(item.value())) {
          parsed[k].emplace_back(item.key(), parse_distribution(item.value()).value());
        }
      }
    }
    out.reserve(static_cast<size_t>(n_iter_));
    for (int i = 0; i < n_iter_; ++i) {
      const size_t k = dicts_.size() == 1 ? 0 : rng.below(static_cast<uint32_t>(dicts_.size()));
      json cand = json::object();
      size_t next_dist = 0;
      for (const auto& item : dicts_[k].items()) {
        if (is_distribution(item.value())) {
          cand[item.key()] = parsed[k][next_dist++].second.sample(rng);
        } else {
          const json& values = item.value();
          cand[item.key()] = values[rng.below(static_cast<uint32_t>(values.size()))];
        }
      }
      out.push_back(std::move(cand));
    }
    return out;
  }
  const json all(dicts_);
  const ParameterGrid grid(all);
  const size_t total = grid.size();
  const size_t n = std::min(static_cast<size_t>(n_iter_), total);
  // Partial Fisher-Yates over 0..total-1, storing only the displaced entries.
  std::unordered_map<size_t, size_t> moved;
  auto get = [&](size_t i) {
    auto it = moved.find(i);
    return it == moved.end() ? i : it->second;
  };
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    size_t range = total - i;
    size_t j = i + (range <= UINT32_MAX ? rng.below(static_cast<uint32_t>(range))
                                        : static_cast<size_t>(rng.next_u64() % range));
    size_t vi = get(i);
    size_t vj = get(j);
    moved[j] = vi;
    moved[i] = vj;
    out.push_back(grid.at(vj));
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

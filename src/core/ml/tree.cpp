#include "core/ml/tree.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"

namespace mllab::ml {

// ---------------------------------------------------------------------------------------------
// TreeModel

int TreeModel::add_node(int n_outputs) {
  feature.push_back(-1);
  threshold.push_back(0.0);
  left.push_back(-1);
  right.push_back(-1);
  value.resize(value.size() + static_cast<size_t>(n_outputs), 0.0);
  return n_nodes() - 1;
}

int TreeModel::depth() const {
  if (feature.empty()) return 0;
  std::vector<int> d(feature.size(), 0);
  int best = 0;
  for (size_t k = 0; k < feature.size(); ++k) {
    best = std::max(best, d[k]);
    if (feature[k] >= 0) {
      d[static_cast<size_t>(left[k])] = d[k] + 1;
      d[static_cast<size_t>(right[k])] = d[k] + 1;
    }
  }
  return best;
}

json TreeModel::to_json() const {
  json t = json::object();
  t["n_values"] = n_values;
  t["feature"] = feature;
  t["threshold"] = threshold;
  t["left"] = left;
  t["right"] = right;
  t["value"] = value;
  return t;
}

Result<TreeModel> TreeModel::from_json(const json& j, int n_features, int n_values,
                                       const std::string& who) {
  if (!j.is_object()) return Status::invalid(who + ": a tree must be a JSON object");
  TreeModel t;
  auto nv = json_get_int(j, "n_values", who);
  if (!nv) return nv.status();
  if (*nv != n_values) {
    return Status::invalid(who + ": tree 'n_values' must be " + std::to_string(n_values) +
                           " (received " + std::to_string(*nv) + ")");
  }
  t.n_values = n_values;
  auto ints = [&](const char* key, std::vector<int32_t>* out) -> Status {
    if (!j.contains(key) || !j.at(key).is_array()) {
      return Status::invalid(who + ": tree is missing '" + key + "'");
    }
    for (const auto& v : j.at(key)) {
      if (!v.is_number_integer()) return Status::invalid(who + ": tree '" + key + "' must hold integers");
      out->push_back(v.get<int32_t>());
    }
    return Status::ok();
  };
  auto doubles = [&](const char* key, std::vector<double>* out) -> Status {
    if (!j.contains(key) || !j.at(key).is_array()) {
      return Status::invalid(who + ": tree is missing '" + key + "'");
    }
    for (const auto& v : j.at(key)) {
      if (!v.is_number()) return Status::invalid(who + ": tree '" + key + "' must hold numbers");
      out->push_back(v.get<double>());
    }
    return Status::ok();
  };
  MLLAB_RETURN_IF_ERROR(ints("feature", &t.feature));
  MLLAB_RETURN_IF_ERROR(ints("left", &t.left));
  MLLAB_RETURN_IF_ERROR(ints("right", &t.right));
  MLLAB_RETURN_IF_ERROR(doubles("threshold", &t.threshold));
  MLLAB_RETURN_IF_ERROR(doubles("value", &t.value));
  const size_t n = t.feature.size();
  if (n == 0 || t.left.size() != n || t.right.size() != n || t.threshold.size() != n ||
      t.value.size() != n * static_cast<size_t>(n_values)) {
    return Status::invalid(who + ": tree arrays have inconsistent lengths");
  }
  for (size_t k = 0; k < n; ++k) {
    const int f = t.feature[k];
    if (f < -1 || f >= n_features) {
      return Status::invalid(who + ": tree node " + std::to_string(k) + " has feature " +
                             std::to_string(f) + " outside [-1, " + std::to_string(n_features) +
                             ")");
    }
    if (f >= 0) {
      const auto self = static_cast<int64_t>(k);
      if (t.left[k] <= self || t.right[k] <= self || t.left[k] >= static_cast<int64_t>(n) ||
          t.right[k] >= static_cast<int64_t>(n)) {
        return Status::invalid(who + ": tree node " + std::to_string(k) + " has invalid children");
      }
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
void BinnedData::compute_major_bins() {
  major_bin.assign(static_cast<size_t>(n_features), 0);
  major_dominant.assign(static_cast<size_t>(n_features), 0);
  for (int f = 0; f < n_features; ++f) {
    int64_t counts[FeatureBinner::kMaxBins + 1] = {};
    const uint8_t* c = codes + static_cast<int64_t>(f) * n_rows;
    for (int64_t r = 0; r < n_rows; ++r) ++counts[c[r]];
    const int64_t* top = std::max_element(counts, counts + FeatureBinner::kMaxBins + 1);
    major_bin[static_cast<size_t>(f)] = int(top - counts);
    major_dominant[static_cast<size_t>(f)] = *top * 2 > n_rows ? 1 : 0;
  }
}

// The histogram grower

namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

class Grower {
 public:
  Grower(const BinnedData& data, const int* cls, int n_classes, const double* target,
         const std::vector<double>& weight, const TreeGrowOptions& options, Rng& rng,
         std::vector<double>* importance)
      : data_(data),
        cls_(cls),
        k_(options.criterion == Criterion::kSquaredError ? 0 : n_classes),
        target_(target),
        weight_(weight),
        options_(options),
        rng_(rng),
        importance_(importance) {
    stride_ = (regression() ? 2 : k_) + 1;
    hist_.resize(static_cast<size_t>(FeatureBinner::kMaxBins + 1) * stride_);
    node_.resize(static_cast<size_t>(stride_));
    left_.resize(static_cast<size_t>(stride_));
    best_left_.resize(static_cast<size_t>(stride_));
    perm_.resize(static_cast<size_t>(data.n_features));
    if (int(data.major_bin.size()) != data.n_features) {
      throw Error(Status::internal("BinnedData::compute_major_bins was not called"));
    }
    for (int f = 0; f < data.n_features; ++f) perm_[static_cast<size_t>(f)] = f;
    if (regression()) {
      wy_.resize(static_cast<size_t>(data.n_rows));
      for (int64_t r = 0; r < data.n_rows; ++r) {
        wy_[static_cast<size_t>(r)] = weight[static_cast<size_t>(r)] * target[r];
      }
    }
  }

  TreeModel run() {
    for (int64_t r = 0; r < data_.n_rows; ++r) {
      if (weight_[static_cast<size_t>(r)] > 0.0) rows_.push_back(static_cast<int32_t>(r));
    }
    scratch_.resize(rows_.size());
    tree_.n_values = regression() ? 1 : k_;
    // Each frame carries the features already known to be constant in its rows (constant in a
    // node means constant in its children), so find_split skips them without building their
    // histograms, as scikit-learn's splitter does; the random draws are unchanged.
    struct Frame {
      int begin, end, depth, parent;
      bool is_left;
      std::vector<int> constants;
    };
    is_constant_.assign(static_cast<size_t>(data_.n_features), 0);
    std::vector<Frame> stack{{0, static_cast<int>(rows_.size()), 0, -1, false, {}}};
    while (!stack.empty()) {
      Frame fr = std::move(stack.back());
      stack.pop_back();
      const int id = tree_.add_node(tree_.n_values);
      if (fr.parent >= 0) {
        (fr.is_left ? tree_.left : tree_.right)[static_cast<size_t>(fr.parent)] = id;
      }
      node_stats(fr.begin, fr.end);
      const double impurity = impurity_of(node_.data(), node_sq_);
      const int n = fr.end - fr.begin;
      bool leaf = fr.depth >= options_.max_depth || n < options_.min_samples_split ||
                  n < 2 * options_.min_samples_leaf || impurity <= kEpsilon;
      Split split;
      if (!leaf) split = find_split(fr.begin, fr.end, &fr.constants);
      if (split.feature < 0) {
        set_leaf_value(id);
        continue;
      }
      // Impurity decrease of the split (scikit-learn's node_impurity_decrease, before dividing
      // by the root weight, which normalization cancels).
      const double w = total_weight(node_.data());
      const double wl = total_weight(best_left_.data());
      std::vector<double> right(static_cast<size_t>(stride_));
      for (int s = 0; s < stride_; ++s) {
        right[static_cast<size_t>(s)] = node_[static_cast<size_t>(s)] - best_left_[static_cast<size_t>(s)];
      }
      double sq_left = 0.0, sq_right = 0.0;
      int mid = partition(fr.begin, fr.end, split.feature, split.bin);
      if (regression()) {
        for (int i = fr.begin; i < mid; ++i) {
          const auto r = static_cast<size_t>(rows_[static_cast<size_t>(i)]);
          sq_left += wy_[r] * target_[r];
        }
        sq_right = node_sq_ - sq_left;
      }
      const double wr = w - wl;
      const double decrease = w * impurity - wl * impurity_of(best_left_.data(), sq_left) -
                              wr * impurity_of(right.data(), sq_right);
      (*importance_)[static_cast<size_t>(split.feature)] += decrease;
      tree_.feature[static_cast<size_t>(id)] = split.feature;
      tree_.threshold[static_cast<size_t>(id)] =
          data_.binner->edges(split.feature)[static_cast<size_t>(split.bin)];
      set_leaf_value(id);  // internal nodes keep their value too, as scikit-learn
      stack.push_back({mid, fr.end, fr.depth + 1, id, false, fr.constants});
      stack.push_back({fr.begin, mid, fr.depth + 1, id, true, std::move(fr.constants)});
    }
    return std::move(tree_);
  }

 private:
  struct Split {
    int feature = -1;
    int bin = -1;
  };

  bool regression() const { return k_ == 0; }
  // Node sums over rows [begin, end): per-class weights or (w, wy), the row count, and for
  // regression the weighted sum of squares (node_sq_). For classification the total weight is
  // appended at node_[stride_] (node_ has stride_ + 1 entries).
  void node_stats(int begin, int end) {
    node_.assign(static_cast<size_t>(stride_ + 1), 0.0);
    node_sq_ = 0.0;
    for (int i = begin; i < end; ++i) {
      const auto r = static_cast<size_t>(rows_[static_cast<size_t>(i)]);
      if (regression()) {
        node_[0] += weight_[r];
        node_[1] += wy_[r];
        node_sq_ += wy_[r] * target_[r];
      } else {
        node_[static_cast<size_t>(cls_[r])] += weight_[r];
      }
    }
    node_[static_cast<size_t>(stride_ - 1)] = end - begin;
    if (!regression()) node_[static_cast<size_t>(stride_)] = total_weight(node_.data());
  }

  double total_weight(const double* s) const {
    if (regression()) return s[0];
    double w = 0.0;
    for (int c = 0; c < k_; ++c) w += s[c];
    return w;
  }

  // Impurity of a node with stats `s` (and weighted square sum `sq` for regression).
  double impurity_of(const double* s, double sq) const {
    const double w = total_weight(s);
    if (!(w > 0.0)) return 0.0;
    if (regression()) {
      const double mean = s[1] / w;
      return sq / w - mean * mean;
    }
    if (options_.criterion == Criterion::kGini) {
      double sum_sq = 0.0;
      for (int c = 0; c < k_; ++c) sum_sq += s[c] * s[c];
      return 1.0 - sum_sq / (w * w);
    }
    double e = 0.0;
    for (int c = 0; c < k_; ++c) {
      if (s[c] > 0.0) {
        const double p = s[c] / w;
        e -= p * std::log2(p);
      }
    }
    return e;
  }

  // scikit-learn's proxy_impurity_improvement of children with stats `l` and `r`.
  double proxy(const double* l, const double* r) const {
    if (regression()) return l[1] * l[1] / l[0] + r[1] * r[1] / r[0];
    const double wl = total_weight(l);
    const double wr = total_weight(r);
    if (options_.criterion == Criterion::kGini) {
      double sl = 0.0, sr = 0.0;
      for (int c = 0; c < k_; ++c) {
        sl += l[c] * l[c];
        sr += r[c] * r[c];
      }
      return sl / wl + sr / wr;
    }
    return -wl * impurity_of(l, 0.0) - wr * impurity_of(r, 0.0);
  }

  // Best split over features drawn at random (see the stopping rule below).
  // `constants` holds the features known to be constant in these rows; the ones found constant
  // here are appended.
  Split find_split(int begin, int end, std::vector<int>* constants) {
    for (int f : *constants) is_constant_[static_cast<size_t>(f)] = 1;
    struct Reset {  // clears the marks on every return path
      std::vector<uint8_t>& marks;
      const std::vector<int>& list;
      ~Reset() { for (int f : list) marks[static_cast<size_t>(f)] = 0; }
    } reset{is_constant_, *constants};
    Split best;
    double best_proxy = -std::numeric_limits<double>::infinity();
    const int d = data_.n_features;
    const int msl = options_.min_samples_leaf;
    std::vector<double> right(static_cast<size_t>(stride_));
    // scikit-learn's rule: stop after max_features draws (constant features included) once at
    // least one drawn feature was not constant in this node.
    int drawn = 0, nonconstant = 0;
    for (int i = 0; i < d; ++i) {
      if (drawn >= options_.max_features && nonconstant > 0) break;
      ++drawn;
      const int j = i + static_cast<int>(rng_.below(static_cast<uint32_t>(d - i)));
      std::swap(perm_[static_cast<size_t>(i)], perm_[static_cast<size_t>(j)]);
      const int f = perm_[static_cast<size_t>(i)];
      if (is_constant_[static_cast<size_t>(f)]) continue;
      const int nb = data_.binner->n_bins(f);
      if (nb < 2) {
        constants->push_back(f);
        continue;
      }
      build_histogram(f, begin, end);
      // Constant in this node: at most one non-empty bin.
      if (touched_.size() < 2) {
        clear_histogram();
        constants->push_back(f);
        continue;
      }
      ++nonconstant;
      std::fill(left_.begin(), left_.end(), 0.0);
      const double n_node = node_[static_cast<size_t>(stride_ - 1)];
      // Candidate splits sit after each non-empty bin but the last (empty bins give the same
      // partition as the bin before them).
      for (size_t t = 0; t + 1 < touched_.size(); ++t) {
        const int b = touched_[t];
        const double* h = &hist_[static_cast<size_t>(b * stride_)];
        for (int s = 0; s < stride_; ++s) left_[static_cast<size_t>(s)] += h[s];
        const double nl = left_[static_cast<size_t>(stride_ - 1)];
        if (nl < msl) continue;
        if (n_node - nl < msl) break;
        for (int s = 0; s < stride_; ++s) {
          right[static_cast<size_t>(s)] = node_[static_cast<size_t>(s)] - left_[static_cast<size_t>(s)];
        }
        if (!(total_weight(left_.data()) > 0.0) || !(total_weight(right.data()) > 0.0)) continue;
        const double p = proxy(left_.data(), right.data());
        if (p > best_proxy) {
          best_proxy = p;
          best.feature = f;
          best.bin = b;
          best_left_ = left_;
        }
      }
      clear_histogram();
    }
    return best;
  }

  // Fills hist_ for feature f over rows [begin, end) and lists the non-empty bins in touched_
  // (sorted). hist_ is all zeros before and is cleared again by clear_histogram(), touching only
  // the listed bins: small nodes never pay for all 256 bins.
  void build_histogram(int f, int begin, int end) {
    touched_.clear();
    const uint8_t* codes = data_.codes + static_cast<int64_t>(f) * data_.n_rows;
    const int32_t* rows = rows_.data();
    double* hist = hist_.data();
    const double* w = weight_.data();
    const int st = stride_;
    const int nb = data_.binner->n_bins(f);
    if (int64_t(end - begin) * 4 >= int64_t(nb) && !data_.major_dominant[static_cast<size_t>(f)]) {
      // Many rows of a dense feature: add blindly, then list the non-empty bins (sorted).
      if (regression()) {
        const double* wy = wy_.data();
        for (int i = begin; i < end; ++i) {
          const int32_t r = rows[i];
          double* h = hist + codes[r] * 3;
          h[0] += w[r];
          h[1] += wy[r];
          h[2] += 1.0;
        }
      } else {
        const int k = k_;
        for (int i = begin; i < end; ++i) {
          const int32_t r = rows[i];
          double* h = hist + codes[r] * st;
          h[cls_[r]] += w[r];
          h[k] += 1.0;
        }
      }
      for (int b = 0; b < nb; ++b) {
        if (hist[b * st + st - 1] > 0.0) touched_.push_back(b);
      }
      return;
    }
    // Few rows (deep nodes), or a sparse feature: note each bin when first hit. Rows in the
    // feature's most frequent bin (the zeros of a TF-IDF column) are not added one by one: that
    // bin is the node's totals minus the other bins.
    const int major = data_.major_bin[static_cast<size_t>(f)];
    if (regression()) {
      const double* wy = wy_.data();
      for (int i = begin; i < end; ++i) {
        const int32_t r = rows[i];
        const int c = codes[r];
        if (c == major) continue;
        double* h = hist + c * 3;
        if (h[2] == 0.0) touched_.push_back(c);
        h[0] += w[r];
        h[1] += wy[r];
        h[2] += 1.0;
      }
    } else {
      const int k = k_;
      for (int i = begin; i < end; ++i) {
        const int32_t r = rows[i];
        const int c = codes[r];
        if (c == major) continue;
        double* h = hist + c * st;
        if (h[k] == 0.0) touched_.push_back(c);
        h[cls_[r]] += w[r];
        h[k] += 1.0;
      }
    }
    double* hm = hist + major * st;
    for (int s = 0; s < st; ++s) hm[s] = node_[static_cast<size_t>(s)];
    for (int b : touched_) {
      for (int s = 0; s < st; ++s) hm[s] -= hist[b * st + s];
    }
    if (hm[st - 1] > 0.5) {
      touched_.push_back(major);
    } else {
      std::fill_n(hm, st, 0.0);
    }
    std::sort(touched_.begin(), touched_.end());
  }


  // Restores hist_ to zeros after build_histogram.
  void clear_histogram() {
    for (int b : touched_) {
      std::fill_n(hist_.begin() + static_cast<ptrdiff_t>(b * stride_), stride_, 0.0);
    }
  }


  // Stable partition of rows [begin, end) into code <= bin (first) and the rest; returns the
  // start of the second part.
  int partition(int begin, int end, int f, int bin) {
    const uint8_t* codes = data_.codes + static_cast<int64_t>(f) * data_.n_rows;
    int out = begin;
    size_t n_right = 0;
    for (int i = begin; i < end; ++i) {
      const int32_t r = rows_[static_cast<size_t>(i)];
      if (codes[r] <= bin) {
        rows_[static_cast<size_t>(out++)] = r;
      } else {
        scratch_[n_right++] = r;
      }
    }
    std::copy(scratch_.begin(), scratch_.begin() + static_cast<ptrdiff_t>(n_right),
              rows_.begin() + out);
    return out;
  }

  void set_leaf_value(int id) {
    double* v = &tree_.value[static_cast<size_t>(id) * static_cast<size_t>(tree_.n_values)];
    if (regression()) {
      v[0] = node_[1] / node_[0];
      return;
    }
    const double w = node_[static_cast<size_t>(stride_)];
    for (int c = 0; c < k_; ++c) v[c] = node_[static_cast<size_t>(c)] / w;
  }

  const BinnedData& data_;
  const int* cls_;
  int k_;
  const double* target_;
  const std::vector<double>& weight_;
  TreeGrowOptions options_;
  Rng& rng_;
  std::vector<double>* importance_;
  int stride_ = 0;
  std::vector<double> wy_;
  std::vector<int32_t> rows_;
  std::vector<int32_t> scratch_;
  std::vector<double> hist_;
  std::vector<double> node_;
  double node_sq_ = 0.0;
  std::vector<double> left_;
  std::vector<double> best_left_;
  std::vector<int> perm_;
  std::vector<uint8_t> is_constant_;
  std::vector<int> touched_;  // non-empty bins of the last histogram, sorted
  std::vector<int> major_bin_;  // per feature, its most frequent bin over all rows  // marks of the current node's known-constant features
  TreeModel tree_;
};

}  // namespace

TreeModel grow_tree(const BinnedData& data, const int* cls, int n_classes, const double* target,
                    const std::vector<double>& weight, const TreeGrowOptions& options, Rng& rng,
                    std::vector<double>* importance) {
  importance->resize(static_cast<size_t>(data.n_features), 0.0);
  Grower grower(data, cls, n_classes, target, weight, options, rng, importance);
  return grower.run();
}

// ---------------------------------------------------------------------------------------------
// Shared parameter and input helpers

namespace tree_params {

ParamSpec classification_criterion_spec() {
  ParamSpec criterion;
  criterion.name = "criterion";
  criterion.kind = ParamSpec::Kind::kString;
  criterion.default_value = "gini";
  criterion.choices = {"gini", "entropy", "log_loss"};
  criterion.doc = "Split quality: Gini impurity or entropy (log_loss is the same as entropy).";
  return criterion;
}

ParamSpec regression_criterion_spec() {
  ParamSpec criterion;
  criterion.name = "criterion";
  criterion.kind = ParamSpec::Kind::kString;
  criterion.default_value = "squared_error";
  criterion.choices = {"squared_error"};
  criterion.doc = "Split quality: reduction of the squared error (variance).";
  return criterion;
}

ParamSpec max_features_spec(const std::string& def) {
  ParamSpec s;
  s.name = "max_features";
  s.kind = ParamSpec::Kind::kString;
  s.default_value = def;
  s.doc =
      "Features considered per split: \"all\" (scikit-learn's None), \"sqrt\", \"log2\", an "
      "integer count (\"5\") or a fraction in (0, 1] (\"0.5\").";
  return s;
}

int parse_max_features(const std::string& who, const std::string& value, int n_features) {
  const double n = n_features;
  if (value == "all" || value == "None" || value == "none") return n_features;
  if (value == "sqrt") return std::max(1, static_cast<int>(std::floor(std::sqrt(n))));
  if (value == "log2") return std::max(1, static_cast<int>(std::floor(std::log2(n))));
  auto fail = [&]() {
    throw_invalid(who, "parameter 'max_features' must be \"all\", \"sqrt\", \"log2\", an integer "
                       ">= 1 or a fraction in (0, 1] (received \"" + value + "\")");
  };
  if (value.empty()) fail();
  const bool is_float = value.find_first_of(".eE") != std::string::npos;
  char* end = nullptr;
  if (is_float) {
    double f = std::strtod(value.c_str(), &end);
    if (end != value.c_str() + value.size() || !(f > 0.0 && f <= 1.0)) fail();
    return std::max(1, static_cast<int>(std::floor(f * n)));
  }
  long long k = std::strtoll(value.c_str(), &end, 10);
  if (end != value.c_str() + value.size() || k < 1) fail();
  return static_cast<int>(std::min<long long>(k, n_features));
}

uint64_t seed_from(const json& random_state) {
  if (random_state.is_number_integer()) return static_cast<uint64_t>(random_state.get<int64_t>());
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

void check_fit_input(const std::string& who, const Matrix& x, size_t n_targets) {
  if (x.rows() < 1) throw_invalid(who, "fit needs at least one sample (received 0)");
  if (x.cols() < 1) throw_invalid(who, "fit needs at least one feature (received 0)");
  if (x.rows() > INT32_MAX / 2) {
    throw_invalid(who, "too many samples (" + std::to_string(x.rows()) + ")");
  }
  if (static_cast<Eigen::Index>(n_targets) != x.rows()) {
    throw_invalid(who, "X has " + std::to_string(x.rows()) + " rows but y has " +
                           std::to_string(n_targets) + " values");
  }
  check_finite(x, who);
}

std::vector<int64_t> check_labels(const std::string& who, const std::vector<int>& y,
                                  int n_classes) {
  if (n_classes < 1) {
    throw_invalid(who, "n_classes must be >= 1 (received " + std::to_string(n_classes) + ")");
  }
  std::vector<int64_t> count(static_cast<size_t>(n_classes), 0);
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= n_classes) {
      throw_invalid(who, "label " + std::to_string(y[i]) + " at row " + std::to_string(i) +
                             " is outside [0, " + std::to_string(n_classes) + ")");
    }
    ++count[static_cast<size_t>(y[i])];
  }
  int present = 0;
  for (int64_t c : count) present += c > 0 ? 1 : 0;
  if (present < 2) {
    throw_invalid(who, "needs samples of at least 2 classes; the data contains only one class: " +
                           std::to_string(y.empty() ? 0 : y[0]));
  }
  return count;
}

void check_predict_input(const std::string& who, bool fitted, const char* method,
                         const Matrix& x, int n_features) {
  if (!fitted) throw_invalid(who, std::string(method) + " called before fit");
  if (x.cols() != n_features) {
    throw_invalid(who, "X has " + std::to_string(x.cols()) + " features, but the model was " +
                           "fitted with " + std::to_string(n_features) + " features");
  }
  check_finite(x, who);
}

std::vector<double> normalized(const std::vector<double>& importance) {
  std::vector<double> out(importance.size(), 0.0);
  double total = 0.0;
  for (double v : importance) total += v;
  if (total > 0.0) {
    for (size_t j = 0; j < out.size(); ++j) out[j] = importance[j] / total;
  }
  return out;
}

Status read_header(const json& state, const std::string& who, int* n_features, int* n_classes,
                   std::vector<int>* classes) {
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  auto version = json_get_int(state, "version", who);
  if (!version) return version.status();
  if (*version != 1) {
    return Status::invalid(who + ": unsupported 'version' " + std::to_string(*version) +
                           " (expected 1)");
  }
  auto nf = json_get_int(state, "n_features", who);
  if (!nf) return nf.status();
  if (*nf < 1 || *nf > INT32_MAX) return Status::invalid(who + ": 'n_features' must be >= 1");
  *n_features = static_cast<int>(*nf);
  if (classes == nullptr) return Status::ok();
  auto nc = json_get_int(state, "n_classes", who);
  if (!nc) return nc.status();
  if (*nc < 2 || *nc > 1000000) return Status::invalid(who + ": 'n_classes' must be >= 2");
  *n_classes = static_cast<int>(*nc);
  if (!state.contains("classes") || !state.at("classes").is_array()) {
    return Status::invalid(who + ": missing 'classes'");
  }
  classes->clear();
  for (const auto& c : state.at("classes")) {
    if (!c.is_number_integer()) return Status::invalid(who + ": 'classes' must be integers");
    int v = c.get<int>();
    if (v < 0 || v >= *n_classes || (!classes->empty() && v <= classes->back())) {
      return Status::invalid(who + ": 'classes' must be ascending indices below n_classes");
    }
    classes->push_back(v);
  }
  if (classes->size() < 2) return Status::invalid(who + ": 'classes' needs at least 2 entries");
  return Status::ok();
}

std::vector<ParamSpec> common_specs() {
  using Kind = ParamSpec::Kind;
  ParamSpec max_depth;
  max_depth.name = "max_depth";
  max_depth.kind = Kind::kIntOrNull;
  max_depth.default_value = nullptr;
  max_depth.min = 1;
  max_depth.doc = "Maximum depth of the tree (root = 0); null grows until leaves are pure.";
  ParamSpec min_split;
  min_split.name = "min_samples_split";
  min_split.kind = Kind::kInt;
  min_split.default_value = 2;
  min_split.min = 2;
  min_split.doc = "Minimum number of samples required to split a node.";
  ParamSpec min_leaf;
  min_leaf.name = "min_samples_leaf";
  min_leaf.kind = Kind::kInt;
  min_leaf.default_value = 1;
  min_leaf.min = 1;
  min_leaf.doc = "Minimum number of samples in each leaf.";
  return {max_depth, min_split, min_leaf};
}

ParamSpec random_state_spec() {
  ParamSpec s;
  s.name = "random_state";
  s.kind = ParamSpec::Kind::kIntOrNull;
  s.default_value = nullptr;
  s.min = 0;
  s.doc = "Seed of the feature sampling; null draws a fresh seed each fit.";
  return s;
}

TreeGrowOptions read_options(const json& p) {
  TreeGrowOptions o;
  const auto cap = [](int64_t v) { return static_cast<int>(std::min<int64_t>(v, 1 << 30)); };
  if (!p.at("max_depth").is_null()) o.max_depth = cap(p.at("max_depth").get<int64_t>());
  o.min_samples_split = cap(p.at("min_samples_split").get<int64_t>());
  o.min_samples_leaf = cap(p.at("min_samples_leaf").get<int64_t>());
  return o;
}

json resolve_or_throw(const std::string& who, const std::vector<ParamSpec>& specs,
                      const json& params) {
  auto resolved = resolve_params(who, specs, params);
  if (!resolved) throw Error(resolved.status());
  return std::move(resolved.value());
}

// Predictions of one tree on the rows of `x` (column-major), one output row per sample.
void tree_outputs(const TreeModel& tree, const Matrix& x, Matrix* out) {
  out->resize(x.rows(), tree.n_values);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const int leaf = tree.leaf(x.data() + i, x.rows());
    const double* v = &tree.value[static_cast<size_t>(leaf) * static_cast<size_t>(tree.n_values)];
    for (int c = 0; c < tree.n_values; ++c) (*out)(i, c) = v[c];
  }
}

Status read_importances(const json& state, const std::string& who, int n_features,
                        std::vector<double>* out) {
  Vector v;
  MLLAB_RETURN_IF_ERROR(json_get_vector(state, "feature_importances", n_features, who, &v));
  out->assign(v.data(), v.data() + v.size());
  return Status::ok();
}

}  // namespace tree_params

// ---------------------------------------------------------------------------------------------
// DecisionTreeClassifier / DecisionTreeRegressor

namespace {

const char* const kClassifier = "DecisionTreeClassifier";
const char* const kRegressor = "DecisionTreeRegressor";

}  // namespace

const std::vector<ParamSpec>& DecisionTreeClassifier::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    const ParamSpec criterion = tree_params::classification_criterion_spec();
    std::vector<ParamSpec> s{criterion};
    for (auto& c : tree_params::common_specs()) s.push_back(c);
    s.push_back(tree_params::max_features_spec("all"));
    s.push_back(tree_params::random_state_spec());
    ParamSpec class_weight;
    class_weight.name = "class_weight";
    class_weight.kind = ParamSpec::Kind::kString;
    class_weight.default_value = "none";
    class_weight.choices = {"none", "balanced"};
    class_weight.doc =
        "\"balanced\" weights classes by n_samples / (n_classes * count); \"none\" (scikit-learn's "
        "None) weights all samples 1.";
    s.push_back(class_weight);
    return s;
  }();
  return specs;
}

DecisionTreeClassifier::DecisionTreeClassifier(const json& params) {
  params_ = tree_params::resolve_or_throw(kClassifier, param_specs(), params);
  options_ = tree_params::read_options(params_);
  options_.criterion =
      params_.at("criterion").get<std::string>() == "gini" ? Criterion::kGini : Criterion::kEntropy;
  max_features_ = params_.at("max_features").get<std::string>();
  tree_params::parse_max_features(kClassifier, max_features_, 1);  // validates the text
  balanced_ = params_.at("class_weight").get<std::string>() == "balanced";
}

void DecisionTreeClassifier::fit(const Matrix& x, const std::vector<int>& y, int n_classes) {
  tree_params::check_fit_input(kClassifier, x, y.size());
  const std::vector<int64_t> count = tree_params::check_labels(kClassifier, y, n_classes);
  TreeGrowOptions options = options_;
  options.max_features =
      tree_params::parse_max_features(kClassifier, max_features_, static_cast<int>(x.cols()));
  std::vector<double> class_weight(static_cast<size_t>(n_classes), 1.0);
  std::vector<int> classes;
  for (int c = 0; c < n_classes; ++c) {
    if (count[static_cast<size_t>(c)] > 0) classes.push_back(c);
  }
  if (balanced_) {
    for (int c : classes) {
      class_weight[static_cast<size_t>(c)] =
          static_cast<double>(y.size()) /
          (static_cast<double>(classes.size()) * static_cast<double>(count[static_cast<size_t>(c)]));
    }
  }
  std::vector<double> weight(y.size());
  for (size_t i = 0; i < y.size(); ++i) weight[i] = class_weight[static_cast<size_t>(y[i])];
  FeatureBinner binner;
  binner.fit(x, FeatureBinner::kMaxBins);
  const std::vector<uint8_t> codes = binner.transform(x);
  BinnedData data{codes.data(), x.rows(), static_cast<int>(x.cols()), &binner, {}, {}};
  data.compute_major_bins();
  Rng rng(tree_params::seed_from(params_.at("random_state")));
  std::vector<double> importance;
  tree_ = grow_tree(data, y.data(), n_classes, nullptr, weight, options, rng, &importance);
  importances_ = tree_params::normalized(importance);
  n_features_ = static_cast<int>(x.cols());
  n_classes_ = n_classes;
  classes_ = std::move(classes);
  fitted_ = true;
}

Matrix DecisionTreeClassifier::predict_proba(const Matrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "predict_proba", x, n_features_);
  Matrix out;
  tree_params::tree_outputs(tree_, x, &out);
  return out;
}

json DecisionTreeClassifier::state() const {
  if (!fitted_) throw_invalid(kClassifier, "state called before fit");
  return json{{"version", 1},
              {"n_features", n_features_},
              {"n_classes", n_classes_},
              {"classes", classes_},
              {"tree", tree_.to_json()},
              {"feature_importances", importances_}};
}

Status DecisionTreeClassifier::load_state(const json& state) {
  const std::string who = std::string(kClassifier) + " state";
  int n_features = 0, n_classes = 0;
  std::vector<int> classes;
  MLLAB_RETURN_IF_ERROR(tree_params::read_header(state, who, &n_features, &n_classes, &classes));
  if (!state.contains("tree")) return Status::invalid(who + ": missing 'tree'");
  auto tree = TreeModel::from_json(state.at("tree"), n_features, n_classes, who);
  if (!tree) return tree.status();
  std::vector<double> importances;
  MLLAB_RETURN_IF_ERROR(tree_params::read_importances(state, who, n_features, &importances));
  n_features_ = n_features;
  n_classes_ = n_classes;
  classes_ = std::move(classes);
  tree_ = std::move(tree.value());
  importances_ = std::move(importances);
  fitted_ = true;
  return Status::ok();
}

const std::vector<ParamSpec>& DecisionTreeRegressor::param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    const ParamSpec criterion = tree_params::regression_criterion_spec();
    std::vector<ParamSpec> s{criterion};
    for (auto& c : tree_params::common_specs()) s.push_back(c);
    s.push_back(tree_params::max_features_spec("all"));
    s.push_back(tree_params::random_state_spec());
    return s;
  }();
  return specs;
}

DecisionTreeRegressor::DecisionTreeRegressor(const json& params) {
  params_ = tree_params::resolve_or_throw(kRegressor, param_specs(), params);
  options_ = tree_params::read_options(params_);
  options_.criterion = Criterion::kSquaredError;
  max_features_ = params_.at("max_features").get<std::string>();
  tree_params::parse_max_features(kRegressor, max_features_, 1);
}

void DecisionTreeRegressor::fit(const Matrix& x, const Vector& y) {
  tree_params::check_fit_input(kRegressor, x, static_cast<size_t>(y.size()));
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y(i))) {
      throw_invalid(kRegressor, "y contains a non-finite value at row " + std::to_string(i));
    }
  }
  TreeGrowOptions options = options_;
  options.max_features =
      tree_params::parse_max_features(kRegressor, max_features_, static_cast<int>(x.cols()));
  std::vector<double> weight(static_cast<size_t>(y.size()), 1.0);
  FeatureBinner binner;
  binner.fit(x, FeatureBinner::kMaxBins);
  const std::vector<uint8_t> codes = binner.transform(x);
  BinnedData data{codes.data(), x.rows(), static_cast<int>(x.cols()), &binner, {}, {}};
  data.compute_major_bins();
  Rng rng(tree_params::seed_from(params_.at("random_state")));
  std::vector<double> importance;
  tree_ = grow_tree(data, nullptr, 0, y.data(), weight, options, rng, &importance);
  importances_ = tree_params::normalized(importance);
  n_features_ = static_cast<int>(x.cols());
  fitted_ = true;
}

Vector DecisionTreeRegressor::predict(const Matrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_);
  Matrix out;
  tree_params::tree_outputs(tree_, x, &out);
  return out.col(0);
}

json DecisionTreeRegressor::state() const {
  if (!fitted_) throw_invalid(kRegressor, "state called before fit");
  return json{{"version", 1},
              {"n_features", n_features_},
              {"tree", tree_.to_json()},
              {"feature_importances", importances_}};
}

Status DecisionTreeRegressor::load_state(const json& state) {
  const std::string who = std::string(kRegressor) + " state";
  int n_features = 0;
  MLLAB_RETURN_IF_ERROR(tree_params::read_header(state, who, &n_features, nullptr, nullptr));
  if (!state.contains("tree")) return Status::invalid(who + ": missing 'tree'");
  auto tree = TreeModel::from_json(state.at("tree"), n_features, 1, who);
  if (!tree) return tree.status();
  std::vector<double> importances;
  MLLAB_RETURN_IF_ERROR(tree_params::read_importances(state, who, n_features, &importances));
  n_features_ = n_features;
  tree_ = std::move(tree.value());
  importances_ = std::move(importances);
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

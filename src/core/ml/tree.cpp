#include "core/ml/tree.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
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
// BinnedData

namespace {

// The most frequent code of a code histogram (the lowest on ties).
int most_frequent(const int64_t* counts) {
  return static_cast<int>(std::max_element(counts, counts + FeatureBinner::kMaxBins + 1) - counts);
}

// Whether a feature whose major bin holds `top` of `n` rows is stored sparse, with `stored`
// entries listed so far (the lists use 32-bit offsets; a feature that would overflow them stays
// dense, the same way for dense and sparse input).
bool store_sparse(int64_t top, int64_t n, size_t stored) {
  return top * 2 > n && static_cast<int64_t>(stored) + (n - top) <= INT32_MAX;
}

// Fills the per-row lists of `d` from its per-feature lists (nothing when no feature is sparse).
void build_row_lists(BinnedData* d) {
  if (std::find(d->is_sparse.begin(), d->is_sparse.end(), 1) == d->is_sparse.end()) return;
  const auto n = static_cast<size_t>(d->n_rows);
  d->row_start.assign(n + 1, 0);
  for (int32_t r : d->col_row) ++d->row_start[static_cast<size_t>(r) + 1];
  for (size_t r = 0; r < n; ++r) d->row_start[r + 1] += d->row_start[r];
  d->row_feature.resize(d->col_row.size());
  d->row_code.resize(d->col_row.size());
  std::vector<int32_t> cursor(d->row_start.begin(), d->row_start.end() - 1);
  for (int f = 0; f < d->n_features; ++f) {
    const auto b = static_cast<size_t>(d->col_start[static_cast<size_t>(f)]);
    const auto e = static_cast<size_t>(d->col_start[static_cast<size_t>(f) + 1]);
    for (size_t k = b; k < e; ++k) {
      const auto at = static_cast<size_t>(cursor[static_cast<size_t>(d->col_row[k])]++);
      d->row_feature[at] = f;
      d->row_code[at] = d->col_code[k];
    }
  }
}

// Common setup of the from_* factories.
BinnedData empty_binned(int64_t n_rows, int n_features, const FeatureBinner& binner) {
  if (binner.n_features() != n_features) {
    throw Error(Status::internal("BinnedData: the binner was fitted on another number of features"));
  }
  BinnedData d;
  d.n_rows = n_rows;
  d.n_features = n_features;
  d.binner = &binner;
  const auto nf = static_cast<size_t>(n_features);
  d.major_bin.assign(nf, 0);
  d.is_sparse.assign(nf, 0);
  d.dense_offset.assign(nf, -1);
  d.col_start.assign(nf + 1, 0);
  return d;
}

}  // namespace

BinnedData BinnedData::from_dense(const Eigen::MatrixXd& x, const FeatureBinner& binner) {
  BinnedData d = empty_binned(x.rows(), static_cast<int>(x.cols()), binner);
  const auto n = static_cast<size_t>(x.rows());
  d.dense_codes.reserve(n * static_cast<size_t>(x.cols()));
  for (int j = 0; j < d.n_features; ++j) {
    // Bin the column at the end of dense_codes; a sparse feature moves its entries off the
    // major bin to the lists and gives the space back.
    const size_t offset = d.dense_codes.size();
    d.dense_codes.resize(offset + n);
    uint8_t* codes = d.dense_codes.data() + offset;
    const double* col = x.data() + static_cast<Eigen::Index>(j) * x.rows();
    const uint8_t zero_code = binner.code(j, 0.0);
    int64_t counts[FeatureBinner::kMaxBins + 1] = {};
    for (size_t i = 0; i < n; ++i) {
      codes[i] = col[i] == 0.0 ? zero_code : binner.code(j, col[i]);
      ++counts[codes[i]];
    }
    const int major = most_frequent(counts);
    d.major_bin[static_cast<size_t>(j)] = static_cast<uint8_t>(major);
    if (store_sparse(counts[major], x.rows(), d.col_row.size())) {
      d.is_sparse[static_cast<size_t>(j)] = 1;
      for (size_t i = 0; i < n; ++i) {
        if (codes[i] != major) {
          d.col_row.push_back(static_cast<int32_t>(i));
          d.col_code.push_back(codes[i]);
        }
      }
      d.dense_codes.resize(offset);
    } else {
      d.dense_offset[static_cast<size_t>(j)] = static_cast<int64_t>(offset);
    }
    d.col_start[static_cast<size_t>(j) + 1] = static_cast<int32_t>(d.col_row.size());
  }
  d.dense_codes.shrink_to_fit();
  build_row_lists(&d);
  return d;
}

BinnedData BinnedData::from_sparse(const SparseMatrix& x, const FeatureBinner& binner) {
  BinnedData d = empty_binned(x.rows(), static_cast<int>(x.cols()), binner);
  const auto n = static_cast<size_t>(x.rows());
  const auto nf = static_cast<size_t>(x.cols());
  // The stored non-zero entries per column, rows ascending (stored zeros are zeros).
  std::vector<size_t> start(nf + 1, 0);
  for (Eigen::Index i = 0; i < x.outerSize(); ++i) {
    for (SparseMatrix::InnerIterator it(x, i); it; ++it) {
      if (it.value() != 0.0) ++start[static_cast<size_t>(it.col()) + 1];
    }
  }
  for (size_t j = 0; j < nf; ++j) start[j + 1] += start[j];
  std::vector<int32_t> rows(start[nf]);
  std::vector<double> values(start[nf]);
  {
    std::vector<size_t> fill(start.begin(), start.end() - 1);
    for (Eigen::Index i = 0; i < x.outerSize(); ++i) {
      for (SparseMatrix::InnerIterator it(x, i); it; ++it) {
        if (it.value() == 0.0) continue;
        const size_t at = fill[static_cast<size_t>(it.col())]++;
        rows[at] = static_cast<int32_t>(it.row());
        values[at] = it.value();
      }
    }
  }
  std::vector<uint8_t> codes;
  std::vector<int64_t> counts(FeatureBinner::kMaxBins + 1, 0);
  for (int j = 0; j < d.n_features; ++j) {
    const size_t b = start[static_cast<size_t>(j)], e = start[static_cast<size_t>(j) + 1];
    const uint8_t zero_code = binner.code(j, 0.0);
    counts[zero_code] = static_cast<int64_t>(n - (e - b));
    codes.resize(e - b);
    for (size_t k = b; k < e; ++k) {
      codes[k - b] = binner.code(j, values[k]);
      ++counts[codes[k - b]];
    }
    // The most frequent code (the lowest on ties) among the codes present; then reset counts.
    int major = zero_code;
    for (uint8_t c : codes) {
      if (counts[c] > counts[major] || (counts[c] == counts[major] && c < major)) major = c;
    }
    const int64_t top = counts[major];
    counts[zero_code] = 0;
    for (uint8_t c : codes) counts[c] = 0;
    d.major_bin[static_cast<size_t>(j)] = static_cast<uint8_t>(major);
    if (store_sparse(top, x.rows(), d.col_row.size())) {
      d.is_sparse[static_cast<size_t>(j)] = 1;
      if (major == zero_code) {
        for (size_t k = b; k < e; ++k) {
          if (codes[k - b] != major) {
            d.col_row.push_back(rows[k]);
            d.col_code.push_back(codes[k - b]);
          }
        }
      } else {  // the zeros are off the major bin too: walk all rows
        size_t k = b;
        for (size_t i = 0; i < n; ++i) {
          uint8_t c = zero_code;
          if (k < e && static_cast<size_t>(rows[k]) == i) c = codes[k++ - b];
          if (c != major) {
            d.col_row.push_back(static_cast<int32_t>(i));
            d.col_code.push_back(c);
          }
        }
      }
    } else {
      const size_t offset = d.dense_codes.size();
      d.dense_offset[static_cast<size_t>(j)] = static_cast<int64_t>(offset);
      d.dense_codes.resize(offset + n, zero_code);
      for (size_t k = b; k < e; ++k) d.dense_codes[offset + static_cast<size_t>(rows[k])] = codes[k - b];
    }
    d.col_start[static_cast<size_t>(j) + 1] = static_cast<int32_t>(d.col_row.size());
  }
  build_row_lists(&d);
  return d;
}

// ---------------------------------------------------------------------------------------------
// The histogram grower

namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

// A node reads its sparse features from a node-local copy of its rows' entries when it is small:
// rows * mean entries per row * kLocalCost < max_features * mean entries per feature (the cost
// of scanning the drawn features' whole lists). Both ways give the same histograms; the
// constant was tuned on TF-IDF features.
constexpr double kLocalCost = 6.0;

// The non-empty bins of a histogram (at most one entry per bin; no allocation).
struct BinList {
  int v[FeatureBinner::kMaxBins + 1];
  int n = 0;
  void clear() { n = 0; }
  void push_back(int b) { v[n++] = b; }
  size_t size() const { return static_cast<size_t>(n); }
  int operator[](size_t i) const { return v[i]; }
  const int* begin() const { return v; }
  const int* end() const { return v + n; }
};

}  // namespace

namespace detail {

// The histogram tree grower behind grow_tree and TreeGrower. Its buffers outlive a tree: the
// histograms, marks and flags are all zero again when a tree is done.
class Grower {
 public:
  Grower(const BinnedData& data, const int* cls, int n_classes, const double* target,
         const TreeGrowOptions& options)
      : data_(data),
        cls_(cls),
        k_(options.criterion == Criterion::kSquaredError ? 0 : n_classes),
        target_(target),
        options_(options) {
    const auto nf = static_cast<size_t>(data.n_features);
    if (data.dense_offset.size() != nf || data.col_start.size() != nf + 1 ||
        data.n_rows > INT32_MAX / 2) {
      throw Error(Status::internal("grow_tree: BinnedData was not built by from_dense / from_sparse"));
    }
    stride_ = (regression() ? 2 : k_) + 1;
    hist_.resize(static_cast<size_t>(FeatureBinner::kMaxBins + 1) * stride_);
    node_.resize(static_cast<size_t>(stride_ + 1));
    left_.resize(static_cast<size_t>(stride_));
    right_.resize(static_cast<size_t>(stride_));
    best_left_.resize(static_cast<size_t>(stride_));
    perm_.resize(nf);
    is_constant_.assign(nf, 0);
    if (regression()) wy_.resize(static_cast<size_t>(data.n_rows));
    if (k_ == 2) w01_.resize(2 * static_cast<size_t>(data.n_rows));
    has_sparse_ = !data.row_start.empty();
    if (has_sparse_) {
      label_.resize(static_cast<size_t>(data.n_rows));
      int32_t longest = 0;
      for (int f = 0; f < data.n_features; ++f) {
        longest = std::max(longest, data.col_start[static_cast<size_t>(f) + 1] -
                                        data.col_start[static_cast<size_t>(f)]);
      }
      gather_.resize(static_cast<size_t>(longest));
      flag_.assign(static_cast<size_t>(data.n_rows), 0);
      loc_len_.assign(nf, 0);
      loc_begin_.assign(nf, 0);
      int n_sparse = 0;
      for (uint8_t s : data.is_sparse) n_sparse += s;
      const auto entries = static_cast<double>(data.n_entries());
      row_entries_ = entries / static_cast<double>(data.n_rows);
      feature_entries_ = entries / n_sparse;
    }
  }

  // Grows one tree for sample weights `weight` (see grow_tree).
  TreeModel grow(const std::vector<double>& weight, Rng& rng, std::vector<double>* importance) {
    weight_ = weight.data();
    rng_ = &rng;
    importance_ = importance;
    importance->assign(static_cast<size_t>(data_.n_features), 0.0);
    for (int f = 0; f < data_.n_features; ++f) perm_[static_cast<size_t>(f)] = f;
    if (regression()) {
      for (int64_t r = 0; r < data_.n_rows; ++r) {
        wy_[static_cast<size_t>(r)] = weight[static_cast<size_t>(r)] * target_[r];
      }
    }
    if (k_ == 2) {
      for (int64_t r = 0; r < data_.n_rows; ++r) {
        const auto at = 2 * static_cast<size_t>(r);
        const double w = weight[static_cast<size_t>(r)];
        w01_[at] = cls_[r] != 0 ? 0.0 : w;
        w01_[at + 1] = cls_[r] != 0 ? w : 0.0;
      }
    }
    if (has_sparse_) std::fill(label_.begin(), label_.end(), -1);
    stack_.clear();
    sums_.clear();
    const_pool_.clear();
    tree_ = TreeModel();
    return run();
  }

 private:
  TreeModel run() {
    rows_.resize(static_cast<size_t>(data_.n_rows));
    size_t n_rows = 0;
    for (int64_t r = 0; r < data_.n_rows; ++r) {
      rows_[n_rows] = static_cast<int32_t>(r);
      n_rows += weight_[static_cast<size_t>(r)] > 0.0 ? 1 : 0;
    }
    rows_.resize(n_rows);
    scratch_.resize(rows_.size());
    if (has_sparse_) {
      for (int32_t r : rows_) label_[static_cast<size_t>(r)] = 0;
    }
    tree_.n_values = regression() ? 1 : k_;
    is_constant_.assign(static_cast<size_t>(data_.n_features), 0);
    const auto ns = static_cast<size_t>(stride_ + 1);
    left_sums_.resize(ns);
    right_sums_.resize(ns);
    stack_.push_back({0, static_cast<int>(rows_.size()), 0, -1, 0, false, 0, 0});
    node_stats(0, static_cast<int>(rows_.size()), node_.data());
    sums_.assign(node_.begin(), node_.end());
    // Nothing in this loop owns memory (the frames' data sit in member stacks), so a throw
    // needs no clean-up here; under WebAssembly's JS exception handling that keeps the calls
    // below direct calls.
    int n_labels = 1;
    while (!stack_.empty()) {
      const Frame fr = stack_.back();
      stack_.pop_back();
      std::copy_n(sums_.end() - static_cast<ptrdiff_t>(ns), ns, node_.begin());
      sums_.resize(sums_.size() - ns);
      // This frame's known-constant features are the top of const_pool_.
      const_pool_.resize(fr.const_begin + fr.const_count);
      node_sq_ = regression() ? node_[static_cast<size_t>(stride_)] : 0.0;
      const int id = tree_.add_node(tree_.n_values);
      if (fr.parent >= 0) {
        (fr.is_left ? tree_.left : tree_.right)[static_cast<size_t>(fr.parent)] = id;
      }
      const double impurity = impurity_of(node_.data(), node_sq_);
      const int n = fr.end - fr.begin;
      bool leaf = fr.depth >= options_.max_depth || n < options_.min_samples_split ||
                  n < 2 * options_.min_samples_leaf || impurity <= kEpsilon;
      Split split;
      node_label_ = fr.label;
      if (!leaf) split = find_split(fr.begin, fr.end, fr.const_begin);
      if (split.feature < 0) {
        clear_local();
        set_leaf_value(id);
        continue;
      }
      // Impurity decrease of the split (scikit-learn's node_impurity_decrease, before dividing
      // by the root weight, which normalization cancels).
      const double w = total_weight(node_.data());
      const double wl = total_weight(best_left_.data());
      for (int s = 0; s < stride_; ++s) {
        right_[static_cast<size_t>(s)] =
            node_[static_cast<size_t>(s)] - best_left_[static_cast<size_t>(s)];
      }
      int left_label = 0, right_label = 0;
      const int mid = partition(fr.begin, fr.end, split.feature, split.bin, left_sums_.data(),
                                right_sums_.data(), n_labels++, &left_label, &right_label);
      clear_local();
      double sq_left = 0.0, sq_right = 0.0;
      if (regression()) {
        sq_left = left_sums_[static_cast<size_t>(stride_)];
        sq_right = node_sq_ - sq_left;
      }
      const double wr = w - wl;
      const double decrease = w * impurity - wl * impurity_of(best_left_.data(), sq_left) -
                              wr * impurity_of(right_.data(), sq_right);
      (*importance_)[static_cast<size_t>(split.feature)] += decrease;
      tree_.feature[static_cast<size_t>(id)] = split.feature;
      tree_.threshold[static_cast<size_t>(id)] =
          data_.binner->edges(split.feature)[static_cast<size_t>(split.bin)];
      set_leaf_value(id);  // internal nodes keep their value too, as scikit-learn
      // Both children start from this node's constant features (constant in a node means
      // constant in its children): the right child keeps the list in place, the left child
      // (popped first) gets a copy on top.
      const size_t count = const_pool_.size() - fr.const_begin;
      stack_.push_back({mid, fr.end, fr.depth + 1, id, right_label, false, fr.const_begin, count});
      sums_.insert(sums_.end(), right_sums_.begin(), right_sums_.end());
      const size_t copy_at = const_pool_.size();
      const_pool_.resize(copy_at + count);
      std::copy_n(const_pool_.begin() + static_cast<ptrdiff_t>(fr.const_begin), count,
                  const_pool_.begin() + static_cast<ptrdiff_t>(copy_at));
      stack_.push_back({fr.begin, mid, fr.depth + 1, id, left_label, true, copy_at, count});
      sums_.insert(sums_.end(), left_sums_.begin(), left_sums_.end());
    }
    return std::move(tree_);
  }

 private:
  struct Split {
    int feature = -1;
    int bin = -1;
  };

  bool regression() const { return k_ == 0; }
  // Node sums over rows [begin, end) into s[0..stride_]: per-class weights or (w, wy), then the
  // row count, then the total weight (classification) or the weighted sum of squares
  // (regression). Sums run over the rows in ascending order.
  void node_stats(int begin, int end, double* s) const {
    std::fill_n(s, stride_ + 1, 0.0);
    const int32_t* rows = rows_.data();
    const double* w = weight_;
    if (regression()) {
      const double* wy = wy_.data();
      for (int i = begin; i < end; ++i) {
        const int32_t r = rows[i];
        s[0] += w[r];
        s[1] += wy[r];
        s[3] += wy[r] * target_[r];
      }
    } else if (k_ == 2) {
      // Two classes: two sums in registers (adding 0.0 leaves a sum unchanged, so the result
      // is the same as adding to s[cls] row by row).
      double s0 = 0.0, s1 = 0.0;
      for (int i = begin; i < end; ++i) {
        const int32_t r = rows[i];
        const bool c1 = cls_[r] != 0;
        s0 += c1 ? 0.0 : w[r];
        s1 += c1 ? w[r] : 0.0;
      }
      s[0] = s0;
      s[1] = s1;
    } else {
      for (int i = begin; i < end; ++i) {
        const int32_t r = rows[i];
        s[cls_[r]] += w[r];
      }
    }
    finish_stats(end - begin, s);
  }

  // Sets the row count and (classification) the total weight of node sums `s`.
  void finish_stats(int n, double* s) const {
    s[stride_ - 1] = n;
    if (!regression()) s[stride_] = total_weight(s);
  }

  // Adds row r to node sums `s` (see node_stats).
  void add_row(int32_t r, double* s) const {
    if (regression()) {
      const double wy = wy_[static_cast<size_t>(r)];
      s[0] += weight_[static_cast<size_t>(r)];
      s[1] += wy;
      s[3] += wy * target_[r];
    } else {
      s[cls_[r]] += weight_[static_cast<size_t>(r)];
    }
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
  // const_pool_[const_begin..] holds the features known to be constant in these rows (found
  // without building their histograms, as scikit-learn's splitter does; the random draws are
  // unchanged); the ones found constant here are appended.
  Split find_split(int begin, int end, size_t const_begin) {
    for (size_t i = const_begin; i < const_pool_.size(); ++i) {
      is_constant_[static_cast<size_t>(const_pool_[i])] = 1;
    }
    Split best;
    double best_proxy = -std::numeric_limits<double>::infinity();
    const int d = data_.n_features;
    bool local_decided = false;
    const bool binary = k_ == 2;  // classification with two classes: compile-time strides
    // scikit-learn's rule: stop after max_features draws (constant features included) once at
    // least one drawn feature was not constant in this node.
    int drawn = 0, nonconstant = 0;
    for (int i = 0; i < d; ++i) {
      if (drawn >= options_.max_features && nonconstant > 0) break;
      ++drawn;
      const int j = i + static_cast<int>(rng_->below(static_cast<uint32_t>(d - i)));
      std::swap(perm_[static_cast<size_t>(i)], perm_[static_cast<size_t>(j)]);
      const int f = perm_[static_cast<size_t>(i)];
      if (is_constant_[static_cast<size_t>(f)]) continue;
      const int nb = data_.binner->n_bins(f);
      if (nb < 2) {
        const_pool_.push_back(f);
        continue;
      }
      if (data_.is_sparse[static_cast<size_t>(f)]) {
        if (!local_decided) {
          local_decided = true;
          // The drawn features' lists cost max_features * feature_entries_ to scan; a node-local
          // copy costs about kLocalCost per entry of the node's rows.
          if (static_cast<double>(end - begin) * row_entries_ * kLocalCost <
              static_cast<double>(options_.max_features) * feature_entries_) {
            build_local(begin, end);
          }
        }
        if (local_built_ && loc_len_[static_cast<size_t>(f)] == 0) {
          // No entry off the major bin in this node: constant (the usual case in small nodes).
          const_pool_.push_back(f);
          continue;
        }
        if (binary) {
          build_sparse_histogram<3>(f, begin, end);
        } else {
          build_sparse_histogram<0>(f, begin, end);
        }
      } else {
        build_histogram(f, begin, end);
      }
      // Constant in this node: at most one non-empty bin.
      if (touched_.size() < 2) {
        if (binary) {
          clear_histogram<3>();
        } else {
          clear_histogram<0>();
        }
        const_pool_.push_back(f);
        continue;
      }
      ++nonconstant;
      if (binary && options_.criterion == Criterion::kGini) {
        scan_gini_binary(f, &best, &best_proxy);
        clear_histogram<3>();
      } else {
        scan_bins(f, &best, &best_proxy);
        clear_histogram<0>();
      }
    }
    for (size_t i = const_begin; i < const_pool_.size(); ++i) {
      is_constant_[static_cast<size_t>(const_pool_[i])] = 0;
    }
    return best;
  }

  // Updates `best` / `best_proxy` (and best_left_) with the candidate splits of feature f in
  // hist_ / touched_: after each non-empty bin but the last (empty bins give the same partition
  // as the bin before them).
  void scan_bins(int f, Split* best, double* best_proxy) {
    const int msl = options_.min_samples_leaf;
    std::fill(left_.begin(), left_.end(), 0.0);
    const double n_node = node_[static_cast<size_t>(stride_ - 1)];
    for (size_t t = 0; t + 1 < touched_.size(); ++t) {
      const int b = touched_[t];
      const double* h = &hist_[static_cast<size_t>(b * stride_)];
      for (int s = 0; s < stride_; ++s) left_[static_cast<size_t>(s)] += h[s];
      const double nl = left_[static_cast<size_t>(stride_ - 1)];
      if (nl < msl) continue;
      if (n_node - nl < msl) break;
      for (int s = 0; s < stride_; ++s) {
        right_[static_cast<size_t>(s)] =
            node_[static_cast<size_t>(s)] - left_[static_cast<size_t>(s)];
      }
      if (!(total_weight(left_.data()) > 0.0) || !(total_weight(right_.data()) > 0.0)) continue;
      const double p = proxy(left_.data(), right_.data());
      if (p > *best_proxy) {
        *best_proxy = p;
        best->feature = f;
        best->bin = b;
        best_left_ = left_;
      }
    }
  }

  // scan_bins for the Gini criterion and two classes, with the sums in registers: the same
  // arithmetic in the same order (0.0 + x == x for these sums, which are never -0.0), so the
  // same result.
  void scan_gini_binary(int f, Split* best, double* best_proxy) {
    const double msl = options_.min_samples_leaf;
    const double n0 = node_[0], n1 = node_[1], n_node = node_[2];
    const double* hist = hist_.data();
    const int n_candidates = touched_.n - 1;
    double l0 = 0.0, l1 = 0.0, nl = 0.0;
    double bp = *best_proxy;
    for (int t = 0; t < n_candidates; ++t) {
      const int b = touched_.v[t];
      const double* h = hist + b * 3;
      l0 += h[0];
      l1 += h[1];
      nl += h[2];
      if (nl < msl) continue;
      if (n_node - nl < msl) break;
      const double r0 = n0 - l0, r1 = n1 - l1;
      const double wl = l0 + l1, wr = r0 + r1;
      if (!(wl > 0.0) || !(wr > 0.0)) continue;
      const double p = (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / wr;
      if (p > bp) {
        bp = p;
        best->feature = f;
        best->bin = b;
        best_left_[0] = l0;
        best_left_[1] = l1;
        best_left_[2] = nl;
      }
    }
    *best_proxy = bp;
  }

  // Fills hist_ for dense feature f over rows [begin, end) and lists the non-empty bins in
  // touched_ (sorted). hist_ is all zeros before and is cleared again by clear_histogram(),
  // touching only the listed bins: small nodes never pay for all 256 bins.
  void build_histogram(int f, int begin, int end) {
    touched_.clear();
    const uint8_t* codes = data_.dense_column(f);
    const int32_t* rows = rows_.data();
    double* hist = hist_.data();
    const double* w = weight_;
    const int st = stride_;
    const int nb = data_.binner->n_bins(f);
    if (int64_t(end - begin) * 4 >= int64_t(nb)) {
      // Many rows: add blindly, then list the non-empty bins (sorted).
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
    // Few rows (deep nodes): note each bin when first hit; the feature's most frequent bin is
    // the node's totals minus the other bins.
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
    add_major_bin<0>(major);
  }

  // The same for sparse feature f: only its listed entries in the node are added (in row order,
  // as the dense loop would), the rest of the node is its major bin. kStride > 0: classification
  // with that stride (k_ + 1) known at compile time; 0: any model, stride_.
  template <int kStride>
  void build_sparse_histogram(int f, int begin, int end) {
    touched_.clear();
    double* hist = hist_.data();
    const double* w = weight_;
    if (kStride == 0 && regression()) {
      const double* wy = wy_.data();
      for_node_entries(f, begin, end, [&](int32_t r, int c) {
        double* h = hist + c * 3;
        if (h[2] == 0.0) touched_.push_back(c);
        h[0] += w[r];
        h[1] += wy[r];
        h[2] += 1.0;
      });
    } else {
      const int st = kStride > 0 ? kStride : stride_;
      const int k = st - 1;
      const int* cls = cls_;
      for_node_entries(f, begin, end, [&](int32_t r, int c) {
        double* h = hist + c * st;
        if (h[k] == 0.0) touched_.push_back(c);
        h[cls[r]] += w[r];
        h[k] += 1.0;
      });
    }
    add_major_bin<kStride>(data_.major_bin[static_cast<size_t>(f)]);
  }

  // Sets bin `major` to the node's totals minus the touched bins, lists it when non-empty, and
  // sorts touched_ (kStride as in build_sparse_histogram).
  template <int kStride>
  void add_major_bin(int major) {
    const int st = kStride > 0 ? kStride : stride_;
    double* hist = hist_.data();
    double* hm = hist + major * st;
    for (int s = 0; s < st; ++s) hm[s] = node_[static_cast<size_t>(s)];
    for (int b : touched_) {
      const double* h = hist + b * st;
      for (int s = 0; s < st; ++s) hm[s] -= h[s];
    }
    if (hm[st - 1] > 0.5) {
      touched_.push_back(major);
    } else {
      for (int s = 0; s < st; ++s) hm[s] = 0.0;
    }
    sort_small(touched_);
  }

  // Sorts `list` ascending (insertion sort for the usual handful of bins).
  static void sort_small(BinList& list) {
    int* v = list.v;
    const int n = list.n;
    if (n > 16) {  // distinct bins below 256: a bit set, read back in order
      uint64_t bits[4] = {0, 0, 0, 0};
      for (int i = 0; i < n; ++i) bits[v[i] >> 6] |= uint64_t{1} << (v[i] & 63);
      int at = 0;
      for (int word = 0; word < 4; ++word) {
        for (uint64_t b = bits[word]; b != 0; b &= b - 1) v[at++] = word * 64 + std::countr_zero(b);
      }
      return;
    }
    for (int i = 1; i < n; ++i) {
      const int x = v[i];
      int j = i;
      for (; j > 0 && v[j - 1] > x; --j) v[j] = v[j - 1];
      v[j] = x;
    }
  }

  // Calls fn(row, code) for the listed entries of sparse feature f in rows [begin, end), rows
  // ascending: from the node-local lists when built, else from the feature's whole list,
  // keeping the rows whose position is in the node.
  template <typename Fn>
  void for_node_entries(int f, int begin, int end, Fn&& fn) {
    if (local_built_) {
      const auto b = static_cast<size_t>(loc_begin_[static_cast<size_t>(f)]);
      const auto e = b + static_cast<size_t>(loc_len_[static_cast<size_t>(f)]);
      const int32_t* rows = loc_row_.data();
      const uint8_t* codes = loc_code_.data();
      for (size_t k = b; k < e; ++k) fn(rows[k], static_cast<int>(codes[k]));
      return;
    }
    const int32_t b = data_.col_start[static_cast<size_t>(f)];
    const int32_t e = data_.col_start[static_cast<size_t>(f) + 1];
    const int32_t* rows = data_.col_row.data();
    const uint8_t* codes = data_.col_code.data();
    const int32_t* label = label_.data();
    const int32_t node = node_label_;
    // Gather the entries in the node first, without branches (the rows outside the node are
    // not predictable), then visit them.
    int32_t* in_node = gather_.data();
    int n = 0;
    for (int32_t k = b; k < e; ++k) {
      in_node[n] = k;
      n += label[rows[k]] == node ? 1 : 0;
    }
    for (int i = 0; i < n; ++i) {
      const int32_t k = in_node[i];
      fn(rows[k], static_cast<int>(codes[k]));
    }
  }

  // Copies the listed entries of the rows [begin, end) into per-feature node-local lists (a
  // counting sort of the rows' entries by feature; rows stay ascending within a feature).
  void build_local(int begin, int end) {
    const int32_t* rs = data_.row_start.data();
    const int32_t* rf = data_.row_feature.data();
    const uint8_t* rc = data_.row_code.data();
    int32_t total = 0;
    for (int i = begin; i < end; ++i) {
      const int32_t r = rows_[static_cast<size_t>(i)];
      for (int32_t k = rs[r]; k < rs[r + 1]; ++k) {
        const int32_t f = rf[k];
        if (loc_len_[static_cast<size_t>(f)]++ == 0) loc_features_.push_back(f);
      }
      total += rs[r + 1] - rs[r];
    }
    int32_t at = 0;
    for (int32_t f : loc_features_) {
      loc_begin_[static_cast<size_t>(f)] = at;
      at += loc_len_[static_cast<size_t>(f)];
      loc_len_[static_cast<size_t>(f)] = 0;  // refilled below
    }
    loc_row_.resize(static_cast<size_t>(total));
    loc_code_.resize(static_cast<size_t>(total));
    for (int i = begin; i < end; ++i) {
      const int32_t r = rows_[static_cast<size_t>(i)];
      for (int32_t k = rs[r]; k < rs[r + 1]; ++k) {
        const auto f = static_cast<size_t>(rf[k]);
        const auto to = static_cast<size_t>(loc_begin_[f] + loc_len_[f]++);
        loc_row_[to] = r;
        loc_code_[to] = rc[k];
      }
    }
    local_built_ = true;
  }

  // Drops the node-local lists.
  void clear_local() {
    if (!local_built_) return;
    for (int32_t f : loc_features_) loc_len_[static_cast<size_t>(f)] = 0;
    loc_features_.clear();
    local_built_ = false;
  }

  // Restores hist_ to zeros after build_histogram.
  template <int kStride>
  void clear_histogram() {
    const int st = kStride > 0 ? kStride : stride_;
    double* hist = hist_.data();
    for (int b : touched_) {
      double* h = hist + b * st;
      for (int s = 0; s < st; ++s) h[s] = 0.0;
    }
  }

  // Stable partition of rows [begin, end) into code <= bin (first) and the rest; returns the
  // start of the second part. Fills the node sums of both parts (as node_stats would) and the
  // rows' positions.
  int partition(int begin, int end, int f, int bin, double* left, double* right, int new_label,
                int* left_label, int* right_label) {
    int mid;
    if (data_.is_sparse[static_cast<size_t>(f)]) {
      // Rows go the major bin's way unless an entry of theirs is listed on the other side.
      const bool major_left = data_.major_bin[static_cast<size_t>(f)] <= bin;
      uint8_t* flag = flag_.data();
      for_node_entries(f, begin, end, [&](int32_t r, int c) {
        if ((c <= bin) != major_left) flag[r] = 1;
      });
      mid = partition_rows(begin, end, left, right, [&](int32_t r) {
        const bool to_left = major_left != (flag[r] != 0);
        flag[r] = 0;
        return to_left;
      });
    } else {
      const uint8_t* codes = data_.dense_column(f);
      mid = partition_rows(begin, end, left, right, [&](int32_t r) { return codes[r] <= bin; });
    }
    if (has_sparse_) {
      // The smaller part takes a new label; the other keeps the node's.
      const bool left_new = mid - begin < end - mid;
      const int from = left_new ? begin : mid, to = left_new ? mid : end;
      for (int i = from; i < to; ++i) label_[static_cast<size_t>(rows_[static_cast<size_t>(i)])] = new_label;
      *left_label = left_new ? new_label : node_label_;
      *right_label = left_new ? node_label_ : new_label;
    }
    return mid;
  }

  // The stable partition of partition(), rows r with to_left(r) first, and the parts' sums.
  template <typename ToLeft>
  int partition_rows(int begin, int end, double* left, double* right, ToLeft to_left) {
    std::fill_n(left, stride_ + 1, 0.0);
    std::fill_n(right, stride_ + 1, 0.0);
    int32_t* rows = rows_.data();
    int32_t* scratch = scratch_.data();
    int out = begin, n_right = 0;
    if (k_ == 2) {
      // Two classes: the four sums stay in registers; w01_ holds each row's weight in its
      // class's slot and 0 in the other (adding 0.0 leaves a sum unchanged, so the sums are
      // those of node_stats).
      const double* w01 = w01_.data();
      double l0 = 0.0, l1 = 0.0, r0 = 0.0, r1 = 0.0;
      for (int i = begin; i < end; ++i) {
        const int32_t r = rows[i];
        const double* wr = w01 + 2 * static_cast<size_t>(r);
        if (to_left(r)) {
          l0 += wr[0];
          l1 += wr[1];
          rows[out++] = r;
        } else {
          r0 += wr[0];
          r1 += wr[1];
          scratch[n_right++] = r;
        }
      }
      left[0] = l0;
      left[1] = l1;
      right[0] = r0;
      right[1] = r1;
      std::copy(scratch, scratch + n_right, rows + out);
      finish_stats(out - begin, left);
      finish_stats(end - out, right);
      return out;
    }
    for (int i = begin; i < end; ++i) {
      const int32_t r = rows[i];
      if (to_left(r)) {
        add_row(r, left);
        rows[out++] = r;
      } else {
        add_row(r, right);
        scratch[n_right++] = r;
      }
    }
    std::copy(scratch, scratch + n_right, rows + out);
    finish_stats(out - begin, left);
    finish_stats(end - out, right);
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
  TreeGrowOptions options_;
  const double* weight_ = nullptr;  // of the tree being grown
  Rng* rng_ = nullptr;
  std::vector<double>* importance_ = nullptr;
  int stride_ = 0;
  std::vector<double> wy_;
  std::vector<double> w01_;  // two classes: per row, (weight, 0) or (0, weight) by class
  std::vector<int32_t> rows_;     // rows of the nodes, each node's rows ascending
  std::vector<int32_t> scratch_;
  std::vector<double> hist_;
  std::vector<double> node_;
  double node_sq_ = 0.0;
  std::vector<double> left_;
  std::vector<double> right_;
  std::vector<double> best_left_;
  std::vector<int> perm_;
  std::vector<uint8_t> is_constant_;  // marks of the current node's known-constant features
  // The pending nodes (depth first). Their node sums (see node_stats), computed while
  // partitioning their parent, sit in sums_, stride_ + 1 per frame, and their known-constant
  // features in const_pool_, each frame's list above the lists of the frames below it.
  struct Frame {
    int begin, end, depth, parent;
    int label;  // of the frame's rows, see label_
    bool is_left;
    size_t const_begin, const_count;
  };
  std::vector<Frame> stack_;
  std::vector<double> sums_;
  std::vector<int> const_pool_;
  std::vector<double> left_sums_;
  std::vector<double> right_sums_;
  BinList touched_;                   // non-empty bins of the last histogram, sorted
  // Sparse features only.
  bool has_sparse_ = false;
  double row_entries_ = 0.0;      // mean listed entries per row
  double feature_entries_ = 0.0;  // mean listed entries per sparse feature
  // Per row, the label of its node among the pending nodes (-1 outside the sample): a split
  // relabels only its smaller part.
  std::vector<int32_t> label_;
  int32_t node_label_ = 0;        // label of the node being split
  std::vector<int32_t> gather_;   // scratch of for_node_entries (longest feature list)
  std::vector<uint8_t> flag_;     // partition marks, all zero between calls
  bool local_built_ = false;      // node-local lists of the current node
  std::vector<int32_t> loc_features_;
  std::vector<int32_t> loc_begin_;
  std::vector<int32_t> loc_len_;  // per feature (0 when absent from the node)
  std::vector<int32_t> loc_row_;
  std::vector<uint8_t> loc_code_;
  TreeModel tree_;
};

}  // namespace detail

TreeModel grow_tree(const BinnedData& data, const int* cls, int n_classes, const double* target,
                    const std::vector<double>& weight, const TreeGrowOptions& options, Rng& rng,
                    std::vector<double>* importance) {
  detail::Grower grower(data, cls, n_classes, target, options);
  return grower.grow(weight, rng, importance);
}

TreeGrower::TreeGrower(const BinnedData& data, const int* cls, int n_classes,
                       const double* target, const TreeGrowOptions& options)
    : impl_(std::make_unique<detail::Grower>(data, cls, n_classes, target, options)) {}

TreeGrower::~TreeGrower() = default;

TreeModel TreeGrower::grow(const std::vector<double>& weight, Rng& rng,
                           std::vector<double>* importance) {
  return impl_->grow(weight, rng, importance);
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

ParamSpec max_features_spec(const json& def) {
  ParamSpec s;
  s.name = "max_features";
  s.kind = ParamSpec::Kind::kIntFloatStringOrNull;
  s.default_value = def;
  s.min = 1;
  s.choices = {"sqrt", "log2"};
  s.null_aliases = {"all", "None", "none"};
  s.doc =
      "Features considered per split: an integer count, a fraction in (0, 1] of the features, "
      "\"sqrt\", \"log2\" or null (all features).";
  return s;
}

int parse_max_features(const std::string& who, const json& value, int n_features) {
  const double n = n_features;
  if (value.is_null()) return n_features;
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s == "sqrt") return std::max(1, static_cast<int>(std::floor(std::sqrt(n))));
    if (s == "log2") return std::max(1, static_cast<int>(std::floor(std::log2(n))));
  } else if (value.is_number_float()) {
    const double f = value.get<double>();
    if (f > 0.0 && f <= 1.0) return std::max(1, static_cast<int>(std::floor(f * n)));
  } else if (value.is_number_integer()) {
    const int64_t k = value.get<int64_t>();
    if (k >= 1 && k <= n_features) return static_cast<int>(k);
    if (k > n_features) {
      throw_invalid(who, "parameter 'max_features' must be <= n_features: max_features=" +
                             std::to_string(k) + " but X has " + std::to_string(n_features) +
                             " features");
    }
  }
  throw_invalid(who, "parameter 'max_features' must be an integer >= 1, a fraction in (0, 1], "
                     "\"sqrt\", \"log2\" or null (received " + value.dump() + ")");
}

uint64_t seed_from(const json& random_state) {
  if (random_state.is_number_integer()) return static_cast<uint64_t>(random_state.get<int64_t>());
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

namespace {

// The shape checks of fit, dense or sparse: rows >= 1, cols >= 1, one target per row.
void check_fit_shape(const std::string& who, Eigen::Index rows, Eigen::Index cols, size_t n_targets) {
  if (rows < 1) throw_invalid(who, "fit needs at least one sample (received 0)");
  if (cols < 1) throw_invalid(who, "fit needs at least one feature (received 0)");
  if (rows > INT32_MAX / 2) throw_invalid(who, "too many samples (" + std::to_string(rows) + ")");
  if (static_cast<Eigen::Index>(n_targets) != rows) {
    throw_invalid(who, "X has " + std::to_string(rows) + " rows but y has " + std::to_string(n_targets) +
                           " values");
  }
}

// The checks of predict before the values: fitted, and the fitted number of features.
void check_predict_shape(const std::string& who, bool fitted, const char* method, Eigen::Index cols,
                         int n_features) {
  if (!fitted) throw_invalid(who, std::string(method) + " called before fit");
  if (cols != n_features) {
    throw_invalid(who, "X has " + std::to_string(cols) + " features, but the model was fitted with " +
                           std::to_string(n_features) + " features");
  }
}

}  // namespace

void check_fit_input(const std::string& who, const Matrix& x, size_t n_targets, bool allow_nan) {
  check_fit_shape(who, x.rows(), x.cols(), n_targets);
  if (allow_nan) check_no_infinity(x, who);
  else check_finite(x, who);
}

namespace {

// Throws naming the first non-finite stored value of `x` by column, then row (as check_finite
// does for a dense matrix).
void check_finite_sparse(const SparseMatrix& x, const std::string& who) {
  Eigen::Index bad_col = -1, bad_row = -1;
  double bad = 0.0;
  for (Eigen::Index i = 0; i < x.outerSize(); ++i) {
    for (SparseMatrix::InnerIterator it(x, i); it; ++it) {
      if (std::isfinite(it.value())) continue;
      if (bad_col < 0 || it.col() < bad_col || (it.col() == bad_col && it.row() < bad_row)) {
        bad_col = it.col();
        bad_row = it.row();
        bad = it.value();
      }
    }
  }
  if (bad_col >= 0) {
    throw_invalid(who, std::string("X contains ") + (std::isnan(bad) ? "NaN" : "infinity") +
                           " in column " + std::to_string(bad_col) + " (row " +
                           std::to_string(bad_row) + ")");
  }
}

}  // namespace

void check_fit_input(const std::string& who, const SparseMatrix& x, size_t n_targets) {
  check_fit_shape(who, x.rows(), x.cols(), n_targets);
  check_finite_sparse(x, who);
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
                         const Matrix& x, int n_features, bool allow_nan) {
  check_predict_shape(who, fitted, method, x.cols(), n_features);
  if (allow_nan) check_no_infinity(x, who);
  else check_finite(x, who);
}

void check_predict_input(const std::string& who, bool fitted, const char* method,
                         const SparseMatrix& x, int n_features) {
  check_predict_shape(who, fitted, method, x.cols(), n_features);
  check_finite_sparse(x, who);
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

namespace {

// A tree node laid out for prediction (see FlatForest).
struct FlatNode {
  double threshold;
  int32_t feature;
  int32_t next;
};

// Trees laid out for prediction in one array, breadth-first per tree: a split node's children
// sit at `next` (left: x[feature] <= threshold) and next + 1 (right); a leaf points to itself
// with threshold +infinity, so depth[t] steps from roots[t] bring every (finite) row to its
// leaf, and a block of rows walks a tree in lockstep without branches (their chains of loads
// overlap).
struct FlatForest {
  std::vector<FlatNode> nodes;
  std::vector<int32_t> node_id;  // per flat node, its id in its tree
  std::vector<int32_t> roots;
  std::vector<int> depth;

  FlatForest(const TreeModel* trees, size_t n_trees) {
    std::vector<std::pair<int32_t, int32_t>> queue;  // (node id, flat index)
    std::vector<int> level;
    for (size_t t = 0; t < n_trees; ++t) {
      const TreeModel& tree = trees[t];
      const auto root = static_cast<int32_t>(nodes.size());
      roots.push_back(root);
      queue.assign(1, {0, root});
      level.assign(1, 0);
      nodes.push_back({});
      node_id.push_back(0);
      int deepest = 0;
      for (size_t q = 0; q < queue.size(); ++q) {
        const auto [id, at] = queue[q];
        const auto k = static_cast<size_t>(id);
        deepest = std::max(deepest, level[q]);
        node_id[static_cast<size_t>(at)] = id;
        if (tree.feature[k] < 0) {
          nodes[static_cast<size_t>(at)] = {std::numeric_limits<double>::infinity(), 0, at};
          continue;
        }
        const auto children = static_cast<int32_t>(nodes.size());
        nodes[static_cast<size_t>(at)] = {tree.threshold[k], tree.feature[k], children};
        nodes.resize(nodes.size() + 2);
        node_id.resize(nodes.size());
        queue.push_back({tree.left[k], children});
        queue.push_back({tree.right[k], children + 1});
        level.push_back(level[q] + 1);
        level.push_back(level[q] + 1);
      }
      depth.push_back(deepest);
    }
  }

  // The node ids in tree t of the leaves of rows[0..n) (row b's features at rows[b][0..]),
  // n <= kBlock.
  template <int kBlock>
  void walk(size_t t, const double* const* rows, int n, int32_t* leaf) const {
    int32_t at[kBlock];
    for (int b = 0; b < n; ++b) at[b] = roots[t];
    const FlatNode* nd = nodes.data();
    for (int step = 0; step < depth[t]; ++step) {
      for (int b = 0; b < n; ++b) {
        const FlatNode& node = nd[at[b]];
        at[b] = node.next + (rows[b][node.feature] > node.threshold ? 1 : 0);
      }
    }
    for (int b = 0; b < n; ++b) leaf[b] = node_id[static_cast<size_t>(at[b])];
  }
};

// Rows walked together through a tree.
constexpr int kPredictBlock = 8;

// The flat copy of the trees: from `cache` when it holds these trees, else built (and kept there).
std::shared_ptr<const FlatForest> flat_forest(const TreeModel* trees, size_t n_trees, FlatForestCache* cache) {
  if (cache && cache->flat && cache->trees == trees && cache->n_trees == n_trees) {
    return std::static_pointer_cast<const FlatForest>(cache->flat);
  }
  auto flat = std::make_shared<const FlatForest>(trees, n_trees);
  if (cache) {
    cache->flat = flat;
    cache->trees = trees;
    cache->n_trees = n_trees;
  }
  return flat;
}

}  // namespace

Matrix mean_outputs(const TreeModel* trees, size_t n_trees, const Matrix& x, int n_values, FlatForestCache* cache) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const std::shared_ptr<const FlatForest> flat = flat_forest(trees, n_trees, cache);
  const FlatForest& forest = *flat;
  const RowMajor xr = x;
  const auto cols = static_cast<int64_t>(x.cols());
  Matrix sum = Matrix::Zero(x.rows(), n_values);
  const double* rows[kPredictBlock];
  int32_t leaf[kPredictBlock];
  for (size_t t = 0; t < n_trees; ++t) {
    const std::vector<double>& value = trees[t].value;
    for (Eigen::Index i0 = 0; i0 < x.rows(); i0 += kPredictBlock) {
      const int n = static_cast<int>(std::min<Eigen::Index>(kPredictBlock, x.rows() - i0));
      for (int b = 0; b < n; ++b) rows[b] = xr.data() + (i0 + b) * cols;
      forest.walk<kPredictBlock>(t, rows, n, leaf);
      for (int b = 0; b < n; ++b) {
        const double* v = &value[static_cast<size_t>(leaf[b]) * static_cast<size_t>(n_values)];
        for (int c = 0; c < n_values; ++c) sum(i0 + b, c) += v[c];
      }
    }
  }
  sum /= static_cast<double>(n_trees);
  return sum;
}

Matrix mean_outputs(const TreeModel* trees, size_t n_trees, const SparseMatrix& x, int n_values,
                    FlatForestCache* cache) {
  const std::shared_ptr<const FlatForest> flat = flat_forest(trees, n_trees, cache);
  const FlatForest& forest = *flat;
  Matrix sum = Matrix::Zero(x.rows(), n_values);
  // Each block of rows is scattered into dense buffers, then sent down every tree.
  const auto d = static_cast<size_t>(x.cols());
  std::vector<double> dense(kPredictBlock * d, 0.0);
  const double* rows[kPredictBlock];
  int32_t leaf[kPredictBlock];
  for (int b = 0; b < kPredictBlock; ++b) rows[b] = dense.data() + static_cast<size_t>(b) * d;
  for (Eigen::Index i0 = 0; i0 < x.rows(); i0 += kPredictBlock) {
    const int n = static_cast<int>(std::min<Eigen::Index>(kPredictBlock, x.rows() - i0));
    for (int b = 0; b < n; ++b) {
      double* row = dense.data() + static_cast<size_t>(b) * d;
      for (SparseMatrix::InnerIterator it(x, i0 + b); it; ++it) {
        row[static_cast<size_t>(it.col())] = it.value();
      }
    }
    for (size_t t = 0; t < n_trees; ++t) {
      forest.walk<kPredictBlock>(t, rows, n, leaf);
      const std::vector<double>& value = trees[t].value;
      for (int b = 0; b < n; ++b) {
        const double* v = &value[static_cast<size_t>(leaf[b]) * static_cast<size_t>(n_values)];
        for (int c = 0; c < n_values; ++c) sum(i0 + b, c) += v[c];
      }
    }
    for (int b = 0; b < n; ++b) {
      double* row = dense.data() + static_cast<size_t>(b) * d;
      for (SparseMatrix::InnerIterator it(x, i0 + b); it; ++it) row[static_cast<size_t>(it.col())] = 0.0;
    }
  }
  sum /= static_cast<double>(n_trees);
  return sum;
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
    s.push_back(tree_params::max_features_spec(nullptr));
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
  max_features_ = params_.at("max_features");
  balanced_ = params_.at("class_weight").get<std::string>() == "balanced";
}

void DecisionTreeClassifier::fit(const Matrix& x, const std::vector<int>& y, int n_classes) {
  tree_params::fit_on_bins(kClassifier, x, y.size(), [&](const BinnedData& data) {
    fit_binned(data, y, n_classes, tree_params::check_labels(kClassifier, y, n_classes));
  });
}

void DecisionTreeClassifier::fit_sparse(const SparseMatrix& x, const std::vector<int>& y,
                                        int n_classes) {
  tree_params::fit_on_bins(kClassifier, x, y.size(), [&](const BinnedData& data) {
    fit_binned(data, y, n_classes, tree_params::check_labels(kClassifier, y, n_classes));
  });
}

void DecisionTreeClassifier::fit_binned(const BinnedData& data, const std::vector<int>& y,
                                        int n_classes, const std::vector<int64_t>& count) {
  TreeGrowOptions options = options_;
  options.max_features = tree_params::parse_max_features(kClassifier, max_features_, data.n_features);
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
  Rng rng(tree_params::seed_from(params_.at("random_state")));
  std::vector<double> importance;
  tree_ = grow_tree(data, y.data(), n_classes, nullptr, weight, options, rng, &importance);
  importances_ = tree_params::normalized(importance);
  n_features_ = data.n_features;
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

Matrix DecisionTreeClassifier::predict_proba_sparse(const SparseMatrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "predict_proba", x, n_features_);
  return tree_params::mean_outputs(&tree_, 1, x, n_classes_);
}

std::vector<int> DecisionTreeClassifier::predict_sparse(const SparseMatrix& x) const {
  return most_probable(predict_proba_sparse(x));
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
    s.push_back(tree_params::max_features_spec(nullptr));
    s.push_back(tree_params::random_state_spec());
    return s;
  }();
  return specs;
}

DecisionTreeRegressor::DecisionTreeRegressor(const json& params) {
  params_ = tree_params::resolve_or_throw(kRegressor, param_specs(), params);
  options_ = tree_params::read_options(params_);
  options_.criterion = Criterion::kSquaredError;
  max_features_ = params_.at("max_features");
}

namespace {

// Throws when a target is not finite.
void check_targets(const Vector& y) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y(i))) {
      throw_invalid(kRegressor, "y contains a non-finite value at row " + std::to_string(i));
    }
  }
}

}  // namespace

void DecisionTreeRegressor::fit(const Matrix& x, const Vector& y) {
  tree_params::fit_on_bins(kRegressor, x, static_cast<size_t>(y.size()), [&](const BinnedData& data) {
    check_targets(y);
    fit_binned(data, y);
  });
}

void DecisionTreeRegressor::fit_sparse(const SparseMatrix& x, const Vector& y) {
  tree_params::fit_on_bins(kRegressor, x, static_cast<size_t>(y.size()), [&](const BinnedData& data) {
    check_targets(y);
    fit_binned(data, y);
  });
}

void DecisionTreeRegressor::fit_binned(const BinnedData& data, const Vector& y) {
  TreeGrowOptions options = options_;
  options.max_features = tree_params::parse_max_features(kRegressor, max_features_, data.n_features);
  std::vector<double> weight(static_cast<size_t>(y.size()), 1.0);
  Rng rng(tree_params::seed_from(params_.at("random_state")));
  std::vector<double> importance;
  tree_ = grow_tree(data, nullptr, 0, y.data(), weight, options, rng, &importance);
  importances_ = tree_params::normalized(importance);
  n_features_ = data.n_features;
  fitted_ = true;
}

Vector DecisionTreeRegressor::predict(const Matrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_);
  Matrix out;
  tree_params::tree_outputs(tree_, x, &out);
  return out.col(0);
}

Vector DecisionTreeRegressor::predict_sparse(const SparseMatrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_);
  return tree_params::mean_outputs(&tree_, 1, x, 1).col(0);
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

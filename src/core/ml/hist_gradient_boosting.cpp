#include "core/ml/hist_gradient_boosting.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"
#include "core/ml/split.hpp"

namespace mllab::ml {
namespace {

const char* const kClassifier = "HistGradientBoostingClassifier";
const char* const kRegressor = "HistGradientBoostingRegressor";

// scikit-learn's min_hessian_to_split and min_gain_to_split (a split needs gain > 0).
constexpr double kMinHessianToSplit = 1e-3;
constexpr double kMinGainToSplit = 0.0;
// scikit-learn's ALMOST_INF: bin thresholds are clipped to it.
constexpr double kAlmostInf = 1e300;
// Bins per feature in a histogram (codes are uint8).
constexpr int kBinStride = 256;

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One histogram bin: sums (in double) of the float32 gradients and hessians and the row count.
struct Bin {
  double g;
  double h;
  uint32_t n;
};

// 1 / (1 + exp(-z)), as scipy.special.expit (exp(-z) = inf gives 0).
double expit(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// log(1 + exp(z)) without overflow.
double log1pexp(double z) {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// np.percentile(sorted, 100 * q, method="midpoint") of numpy 1.24 for ascending `sorted`: the
// virtual index is (floor(p) + ceil(p)) / 2 with p = (n - 1) q; at an integer index the value
// itself, else numpy's _lerp at t = 0.5 (b - (b - a) * 0.5); at or past the end the maximum.
double percentile_midpoint(const std::vector<double>& sorted, double q) {
  const size_t n = sorted.size();
  const double p = static_cast<double>(n - 1) * q;
  const double index = 0.5 * (std::floor(p) + std::ceil(p));
  if (index >= static_cast<double>(n - 1)) return sorted[n - 1];
  const double lo = std::floor(index);
  const auto i = static_cast<size_t>(lo);
  const double a = sorted[i];
  const double b = sorted[i + 1];
  const double diff = b - a;
  if (index == lo) return a + diff * 0.0;
  return b - diff * 0.5;
}

// scikit-learn 1.2's _BinMapper without its 200,000-row subsample: per feature, thresholds from
// its non-missing values only, the midpoints of consecutive distinct values when there are at
// most max_bins of them, else the 'midpoint' percentiles at np.linspace(0, 100, max_bins + 1)[1:-1]
// (repeats kept, so some bins stay empty); none for a column without non-missing values. Bin b
// holds the values x <= thresholds[b] (and > thresholds[b - 1]); NaN goes to the missing-value
// bin max_bins (scikit-learn's missing_values_bin_idx_ = n_bins - 1), whether the column had
// missing values at fit or not. It differs from FeatureBinner (shared with the forests), which
// drops repeated and top percentile edges: same splits, but other bin indices and other float
// rounding of the percentile positions.
struct BinnedFeatures {
  std::vector<std::vector<double>> thresholds;
  // Row-major bin codes (n_rows x n_features).
  std::vector<uint8_t> codes;
  // Per feature, 1 when some row is NaN (scikit-learn's has_missing_values).
  std::vector<uint8_t> has_missing;
  // The bin of NaN values (max_bins).
  int missing_bin = 0;
};

BinnedFeatures bin_features(const Matrix& x, int max_bins) {
  BinnedFeatures out;
  const auto n = static_cast<size_t>(x.rows());
  const auto d = static_cast<size_t>(x.cols());
  out.thresholds.resize(d);
  out.codes.resize(n * d);
  out.has_missing.assign(d, 0);
  out.missing_bin = max_bins;
  const auto missing_code = static_cast<uint8_t>(max_bins);
  // np.linspace(0, 100, max_bins + 1): k * (100 / max_bins).
  const double step = 100.0 / static_cast<double>(max_bins);
  std::vector<double> sorted, distinct;
  sorted.reserve(n);
  for (size_t j = 0; j < d; ++j) {
    const double* col = x.data() + j * n;
    sorted.clear();
    for (size_t i = 0; i < n; ++i) {
      if (!std::isnan(col[i])) sorted.push_back(col[i]);
    }
    const bool any_missing = sorted.size() < n;
    out.has_missing[j] = any_missing ? 1 : 0;
    std::sort(sorted.begin(), sorted.end());
    distinct.clear();
    for (double v : sorted) {
      if (distinct.empty() || v != distinct.back()) distinct.push_back(v);
    }
    std::vector<double>& t = out.thresholds[j];
    if (distinct.size() <= static_cast<size_t>(max_bins)) {
      for (size_t i = 1; i < distinct.size(); ++i) {
        t.push_back((distinct[i - 1] + distinct[i]) * 0.5);
      }
    } else {
      for (int k = 1; k < max_bins; ++k) {
        const double q = (static_cast<double>(k) * step + 0.0) / 100.0;
        t.push_back(percentile_midpoint(sorted, q));
      }
    }
    for (double& v : t) v = std::min(v, kAlmostInf);
    // Code = index of the first threshold >= value (scikit-learn's _map_to_bins), by a
    // branch-free binary search; NaN -> the missing-value bin.
    const double* first = t.data();
    const size_t len = t.size();
    for (size_t i = 0; i < n; ++i) {
      const double v = col[i];
      if (any_missing && std::isnan(v)) {
        out.codes[i * d + j] = missing_code;
        continue;
      }
      size_t code = 0;
      if (len > 0) {
        const double* base = first;
        size_t m = len;
        while (m > 1) {
          const size_t half = m / 2;
          base = base[half] < v ? base + half : base;
          m -= half;
        }
        code = static_cast<size_t>(base - first) + (*base < v ? 1 : 0);
      }
      out.codes[i * d + j] = static_cast<uint8_t>(code);
    }
  }
  return out;
}

// Grows the leaf-wise trees of one boosting fit over row-major bin codes, step for step as
// scikit-learn 1.2's TreeGrower / Splitter / HistogramBuilder (see the class comment of
// HistGradientBoostingClassifier).
class LeafwiseGrower {
 public:
  // `const_hessian`: every hessian is 1 (squared error); hessian sums are then row counts.
  LeafwiseGrower(const BinnedFeatures& bins, int64_t n_rows, int n_features,
                 const BoostingOptions& options, bool const_hessian)
      : codes_(bins.codes.data()),
        n_(n_rows),
        d_(n_features),
        thresholds_(bins.thresholds),
        has_missing_(bins.has_missing),
        missing_bin_(static_cast<uint8_t>(bins.missing_bin)),
        options_(options),
        const_hessian_(const_hessian) {
    rows_.resize(static_cast<size_t>(n_rows));
    scratch_.resize(static_cast<size_t>(n_rows));
    og_.resize(static_cast<size_t>(n_rows));
    oh_.resize(static_cast<size_t>(n_rows));
    n_bins_.resize(static_cast<size_t>(n_features));
    for (size_t f = 0; f < n_bins_.size(); ++f) {
      n_bins_[f] = static_cast<int>(thresholds_[f].size()) + 1;
    }
  }

  // Fits one tree to the float32 gradients `g` and hessians `h` (`h` unused with const_hessian)
  // and adds its leaf values to raw[i * raw_stride] for every row i; `missing_left` receives the
  // tree's missing_go_to_left per node (0 for leaves).
  TreeModel grow(const float* g, const float* h, double* raw, int raw_stride,
                 std::vector<uint8_t>* missing_left) {
    g_ = g;
    h_ = h;
    for (int64_t i = 0; i < n_; ++i) rows_[static_cast<size_t>(i)] = static_cast<int32_t>(i);
    nodes_.clear();
    heap_.clear();
    leaves_.clear();
    Node root;
    root.begin = 0;
    root.end = static_cast<int>(n_);
    root.n = static_cast<int>(n_);
    // sum_parallel (sequential with one thread); the root's value is 0 in scikit-learn.
    double gs = 0.0;
    for (int64_t i = 0; i < n_; ++i) gs += static_cast<double>(g[i]);
    double hs = 0.0;
    if (const_hessian_) {
      hs = 1.0 * static_cast<double>(n_);
    } else {
      for (int64_t i = 0; i < n_; ++i) hs += static_cast<double>(h[i]);
    }
    root.g = gs;
    root.h = hs;
    root.value = 0.0;
    nodes_.push_back(root);
    if (root.n < 2 * options_.min_samples_leaf || hs < kMinHessianToSplit) {
      finalize_leaf(0);
    } else {
      nodes_[0].hist = take_hist();
      build_histogram(nodes_[0], hist(nodes_[0].hist));
      split_or_finalize(0);
    }
    while (!heap_.empty()) split_next();
    // Shrunk leaf values and the raw prediction update.
    for (int k : leaves_) {
      Node& nd = nodes_[static_cast<size_t>(k)];
      nd.value *= options_.learning_rate;
      for (int i = nd.begin; i < nd.end; ++i) {
        raw[static_cast<int64_t>(rows_[static_cast<size_t>(i)]) * raw_stride] += nd.value;
      }
    }
    // The tree in scikit-learn's depth-first node order.
    TreeModel tree;
    tree.n_values = 1;
    emit(&tree, missing_left);
    return tree;
  }

 private:
  struct Node {
    int begin = 0, end = 0, depth = 0, n = 0;
    double g = 0.0, h = 0.0, value = 0.0;
    int hist = -1;
    bool leaf = false;
    int left = -1, right = -1;
    // Best split (feature -1: none) and the children's sums and values.
    int feature = -1, bin = -1;
    // Whether the rows with NaN in `feature` go left (scikit-learn's missing_go_to_left).
    bool missing_left = false;
    double gain = -1.0, gl = 0.0, hl = 0.0, gr = 0.0, hr = 0.0, vl = 0.0, vr = 0.0;
    int nl = 0;
  };

  // compute_node_value without monotonic bounds.
  double node_value(double g, double h) const {
    return -g / (h + options_.l2_regularization + 1e-15);
  }

  Bin* hist(int k) { return pool_[static_cast<size_t>(k)].data(); }

  int take_hist() {
    if (free_.empty()) {
      pool_.emplace_back(static_cast<size_t>(d_) * kBinStride);
      return static_cast<int>(pool_.size()) - 1;
    }
    const int k = free_.back();
    free_.pop_back();
    return k;
  }

  void release(Node* nd) {
    if (nd->hist >= 0) free_.push_back(nd->hist);
    nd->hist = -1;
  }

  // heapq order: node a before b when its gain is larger (TreeNode.__lt__).
  bool heap_less(int a, int b) const {
    return nodes_[static_cast<size_t>(a)].gain > nodes_[static_cast<size_t>(b)].gain;
  }

  // Python's heapq._siftdown / heappush / _siftup / heappop, so that nodes of equal gain leave
  // the heap in scikit-learn's order.
  void sift_down(size_t start, size_t pos) {
    const int item = heap_[pos];
    while (pos > start) {
      const size_t parent = (pos - 1) >> 1;
      if (heap_less(item, heap_[parent])) {
        heap_[pos] = heap_[parent];
        pos = parent;
        continue;
      }
      break;
    }
    heap_[pos] = item;
  }

  void heap_push(int k) {
    heap_.push_back(k);
    sift_down(0, heap_.size() - 1);
  }

  int heap_pop() {
    const int last = heap_.back();
    heap_.pop_back();
    if (heap_.empty()) return last;
    const int top = heap_[0];
    heap_[0] = last;
    const size_t end = heap_.size();
    size_t pos = 0;
    size_t child = 1;
    while (child < end) {
      const size_t right = child + 1;
      if (right < end && !heap_less(heap_[child], heap_[right])) child = right;
      heap_[pos] = heap_[child];
      pos = child;
      child = 2 * pos + 1;
    }
    heap_[pos] = last;
    sift_down(0, pos);
    return top;
  }

  void finalize_leaf(int k) {
    Node& nd = nodes_[static_cast<size_t>(k)];
    nd.leaf = true;
    release(&nd);
    leaves_.push_back(k);
  }

  // Per-bin sums over the node's rows in row order (as scikit-learn's _build_histogram*).
  void build_histogram(const Node& nd, Bin* out) {
    std::memset(static_cast<void*>(out), 0, sizeof(Bin) * static_cast<size_t>(d_) * kBinStride);
    const int d = d_;
    const bool ch = const_hessian_;
    if (nd.end - nd.begin == n_) {
      for (int64_t i = 0; i < n_; ++i) {
        const uint8_t* c = codes_ + i * d;
        const double gi = g_[i];
        const double hi = ch ? 0.0 : static_cast<double>(h_[i]);
        for (int f = 0; f < d; ++f) {
          Bin& b = out[f * kBinStride + c[f]];
          b.g += gi;
          b.h += hi;
          b.n += 1;
        }
      }
      return;
    }
    const int32_t* rows = rows_.data();
    float* og = og_.data();
    float* oh = oh_.data();
    for (int i = nd.begin; i < nd.end; ++i) og[i] = g_[rows[i]];
    if (!ch) {
      for (int i = nd.begin; i < nd.end; ++i) oh[i] = h_[rows[i]];
    }
    for (int i = nd.begin; i < nd.end; ++i) {
      const uint8_t* c = codes_ + static_cast<int64_t>(rows[i]) * d;
      const double gi = og[i];
      const double hi = ch ? 0.0 : static_cast<double>(oh[i]);
      for (int f = 0; f < d; ++f) {
        Bin& b = out[f * kBinStride + c[f]];
        b.g += gi;
        b.h += hi;
        b.n += 1;
      }
    }
  }

  // scikit-learn's Splitter.find_node_split (no monotonic or interaction constraints): gain =
  // G v - G_L v_L - G_R v_R with v = -G / (H + l2 + 1e-15), v the node's own value (0 at the
  // root). Per feature, a left-to-right scan with the missing-value bin on the right, whose last
  // candidate (when the feature has NaN at fit) is the split "non-missing left, missing right";
  // then, for a feature with NaN at fit, a right-to-left scan with the missing-value bin on the
  // left, which sums the right side and takes the left one as node - right (other rounding). The
  // first candidate in that order (feature, left-to-right bins, right-to-left bins) with the
  // largest gain > 0 wins, as scikit-learn's strict '>' comparisons.
  void find_split(Node* nd) {
    const Bin* hs = hist(nd->hist);
    const int msl = options_.min_samples_leaf;
    const double loss_current = nd->g * nd->value;
    double best = -1.0;
    nd->feature = -1;
    for (int f = 0; f < d_; ++f) {
      const int n_bins = n_bins_[static_cast<size_t>(f)];
      const bool missing = has_missing_[static_cast<size_t>(f)] != 0;
      const int end = n_bins - 1 + (missing ? 1 : 0);
      const Bin* fb = hs + f * kBinStride;
      double gl = 0.0, hl = 0.0;
      int nl = 0;
      for (int b = 0; b < end; ++b) {
        nl += static_cast<int>(fb[b].n);
        const int nr = nd->n - nl;
        hl += const_hessian_ ? static_cast<double>(fb[b].n) : fb[b].h;
        const double hr = nd->h - hl;
        gl += fb[b].g;
        const double gr = nd->g - gl;
        if (nl < msl) continue;
        if (nr < msl) break;
        if (hl < kMinHessianToSplit) continue;
        if (hr < kMinHessianToSplit) break;
        double gain = loss_current;
        gain -= gl * node_value(gl, hl);
        gain -= gr * node_value(gr, hr);
        if (gain > best && gain > kMinGainToSplit) {
          best = gain;
          nd->feature = f;
          nd->bin = b;
          nd->missing_left = false;
          nd->gl = gl;
          nd->hl = hl;
          nd->nl = nl;
        }
      }
      // _find_best_bin_to_split_right_to_left (its unsigned start n_bins - 2 gives no candidate
      // for a feature without two non-missing bins).
      if (!missing || n_bins < 2) continue;
      double gr = 0.0, hr = 0.0;
      int nr = 0;
      for (int b = n_bins - 2; b >= 0; --b) {
        const Bin& bin = fb[b + 1];
        nr += static_cast<int>(bin.n);
        const int nl2 = nd->n - nr;
        hr += const_hessian_ ? static_cast<double>(bin.n) : bin.h;
        const double hl2 = nd->h - hr;
        gr += bin.g;
        const double gl2 = nd->g - gr;
        if (nr < msl) continue;
        if (nl2 < msl) break;
        if (hr < kMinHessianToSplit) continue;
        if (hl2 < kMinHessianToSplit) break;
        double gain = loss_current;
        gain -= gl2 * node_value(gl2, hl2);
        gain -= gr * node_value(gr, hr);
        if (gain > best && gain > kMinGainToSplit) {
          best = gain;
          nd->feature = f;
          nd->bin = b;
          nd->missing_left = true;
          nd->gl = gl2;
          nd->hl = hl2;
          nd->nl = nl2;
        }
      }
    }
    nd->gain = best;
    if (nd->feature >= 0) {
      nd->gr = nd->g - nd->gl;
      nd->hr = nd->h - nd->hl;
      nd->vl = node_value(nd->gl, nd->hl);
      nd->vr = node_value(nd->gr, nd->hr);
    }
  }

  // _compute_best_split_and_push.
  void split_or_finalize(int k) {
    find_split(&nodes_[static_cast<size_t>(k)]);
    if (nodes_[static_cast<size_t>(k)].gain <= 0.0) {
      finalize_leaf(k);
    } else {
      heap_push(k);
    }
  }

  // TreeGrower.split_next: splits the node of largest gain, partitions its rows (stable, code <=
  // bin to the left, and the missing-value bin too when missing_left), sets missing_left of a
  // split on a feature without NaN at fit to "the left child has more rows" (where prediction
  // sends NaN), finalizes children at the leaf / depth / size limits, builds the smaller
  // child's histogram (the right one on a tie) by a pass over its rows and the larger one's by
  // subtraction from the parent's, and searches the children's splits.
  void split_next() {
    const int pid = heap_pop();
    Node p = nodes_[static_cast<size_t>(pid)];
    int out = p.begin;
    size_t n_right = 0;
    const uint8_t* col = codes_ + p.feature;
    if (p.missing_left) {
      for (int i = p.begin; i < p.end; ++i) {
        const int32_t r = rows_[static_cast<size_t>(i)];
        const int c = col[static_cast<int64_t>(r) * d_];
        if (c <= p.bin || c == missing_bin_) {
          rows_[static_cast<size_t>(out++)] = r;
        } else {
          scratch_[n_right++] = r;
        }
      }
    } else {
      for (int i = p.begin; i < p.end; ++i) {
        const int32_t r = rows_[static_cast<size_t>(i)];
        if (col[static_cast<int64_t>(r) * d_] <= p.bin) {
          rows_[static_cast<size_t>(out++)] = r;
        } else {
          scratch_[n_right++] = r;
        }
      }
    }
    if (has_missing_[static_cast<size_t>(p.feature)] == 0) p.missing_left = p.nl > p.n - p.nl;
    std::copy(scratch_.begin(), scratch_.begin() + static_cast<ptrdiff_t>(n_right),
              rows_.begin() + out);
    const size_t n_leaf_nodes = leaves_.size() + heap_.size() + 2;
    Node l, r;
    l.begin = p.begin;
    l.end = out;
    r.begin = out;
    r.end = p.end;
    l.depth = r.depth = p.depth + 1;
    l.g = p.gl;
    l.h = p.hl;
    l.n = p.nl;
    l.value = p.vl;
    r.g = p.gr;
    r.h = p.hr;
    r.n = p.n - p.nl;
    r.value = p.vr;
    const int li = static_cast<int>(nodes_.size());
    const int ri = li + 1;
    p.left = li;
    p.right = ri;
    nodes_.push_back(l);
    nodes_.push_back(r);
    Node& lc = nodes_[static_cast<size_t>(li)];
    Node& rc = nodes_[static_cast<size_t>(ri)];
    nodes_[static_cast<size_t>(pid)] = p;
    if (n_leaf_nodes == static_cast<size_t>(options_.max_leaf_nodes)) {
      finalize_leaf(li);
      finalize_leaf(ri);
      // _finalize_splittable_nodes: pops from the end of the heap list.
      while (!heap_.empty()) {
        const int k = heap_.back();
        heap_.pop_back();
        finalize_leaf(k);
      }
      release(&nodes_[static_cast<size_t>(pid)]);
      return;
    }
    if (lc.depth == options_.max_depth) {
      finalize_leaf(li);
      finalize_leaf(ri);
      release(&nodes_[static_cast<size_t>(pid)]);
      return;
    }
    if (lc.n < 2 * options_.min_samples_leaf) finalize_leaf(li);
    if (rc.n < 2 * options_.min_samples_leaf) finalize_leaf(ri);
    const bool split_l = !lc.leaf;
    const bool split_r = !rc.leaf;
    if (split_l || split_r) {
      const int small = lc.n < rc.n ? li : ri;
      const int large = small == li ? ri : li;
      const int sh_id = take_hist();
      nodes_[static_cast<size_t>(small)].hist = sh_id;
      build_histogram(nodes_[static_cast<size_t>(small)], hist(sh_id));
      // The parent's histogram becomes the larger child's: parent - smaller.
      const int lh_id = nodes_[static_cast<size_t>(pid)].hist;
      nodes_[static_cast<size_t>(pid)].hist = -1;
      nodes_[static_cast<size_t>(large)].hist = lh_id;
      Bin* lh = hist(lh_id);
      const Bin* sh = hist(sh_id);
      const size_t total = static_cast<size_t>(d_) * kBinStride;
      for (size_t k = 0; k < total; ++k) {
        lh[k].g -= sh[k].g;
        lh[k].h -= sh[k].h;
        lh[k].n -= sh[k].n;
      }
      if (split_l) split_or_finalize(li);
      if (split_r) split_or_finalize(ri);
      for (int c : {li, ri}) {
        if (nodes_[static_cast<size_t>(c)].leaf) release(&nodes_[static_cast<size_t>(c)]);
      }
    }
    release(&nodes_[static_cast<size_t>(pid)]);
  }

  // Appends the grown tree to `tree` depth-first (root, left subtree, right subtree), without
  // recursion (unlimited trees can be deep and the wasm stack is small), and its
  // missing_go_to_left per node to `missing_left`. A split on the last non-missing bin (all
  // non-missing rows left, NaN right) gets threshold +inf, as scikit-learn's
  // _fill_predictor_arrays.
  void emit(TreeModel* tree, std::vector<uint8_t>* missing_left) const {
    missing_left->clear();
    struct Item {
      int node, parent;
      bool right;
    };
    std::vector<Item> stack{{0, -1, false}};
    while (!stack.empty()) {
      const Item item = stack.back();
      stack.pop_back();
      const Node& nd = nodes_[static_cast<size_t>(item.node)];
      const int id = tree->add_node(1);
      const auto uid = static_cast<size_t>(id);
      tree->value[uid] = nd.value;
      missing_left->push_back(!nd.leaf && nd.missing_left ? 1 : 0);
      if (item.parent >= 0) {
        (item.right ? tree->right : tree->left)[static_cast<size_t>(item.parent)] = id;
      }
      if (nd.leaf) continue;
      tree->feature[uid] = nd.feature;
      const auto f = static_cast<size_t>(nd.feature);
      tree->threshold[uid] = nd.bin == n_bins_[f] - 1
                                 ? std::numeric_limits<double>::infinity()
                                 : thresholds_[f][static_cast<size_t>(nd.bin)];
      stack.push_back({nd.right, id, true});
      stack.push_back({nd.left, id, false});
    }
  }

  const uint8_t* codes_;
  int64_t n_;
  int d_;
  const std::vector<std::vector<double>>& thresholds_;
  const std::vector<uint8_t>& has_missing_;
  uint8_t missing_bin_;
  BoostingOptions options_;
  bool const_hessian_;
  std::vector<int> n_bins_;
  const float* g_ = nullptr;
  const float* h_ = nullptr;
  std::vector<int32_t> rows_;
  std::vector<int32_t> scratch_;
  std::vector<float> og_;
  std::vector<float> oh_;
  std::vector<std::vector<Bin>> pool_;
  std::vector<int> free_;
  std::vector<Node> nodes_;
  std::vector<int> heap_;
  std::vector<int> leaves_;
};

// The leaf of `tree` reached by the row x[0..n_features), as scikit-learn's predictor: NaN
// follows missing_left of the node, other values go left when x <= threshold.
int leaf_of(const TreeModel& tree, const uint8_t* missing_left, const double* x) {
  int node = 0;
  while (tree.feature[static_cast<size_t>(node)] >= 0) {
    const auto k = static_cast<size_t>(node);
    const double v = x[tree.feature[k]];
    const bool left = std::isnan(v) ? missing_left[k] != 0 : v <= tree.threshold[k];
    node = left ? tree.left[k] : tree.right[k];
  }
  return node;
}

// Adds the outputs of `tree` (with its missing_go_to_left per node) for the rows of `xr`
// (row-major) to raw[i * stride].
void add_tree(const TreeModel& tree, const std::vector<uint8_t>& missing_left, const RowMajor& xr,
              double* raw, int stride) {
  const auto cols = static_cast<int64_t>(xr.cols());
  for (Eigen::Index i = 0; i < xr.rows(); ++i) {
    raw[i * stride] +=
        tree.value[static_cast<size_t>(leaf_of(tree, missing_left.data(), xr.data() + i * cols))];
  }
}

// scikit-learn's BaseHistGradientBoosting._should_stop on the validation scores (higher is better).
bool should_stop(const std::vector<double>& scores, int n_iter_no_change, double tol) {
  const size_t reference_position = static_cast<size_t>(n_iter_no_change) + 1;
  if (scores.size() < reference_position) return false;
  const double reference = scores[scores.size() - reference_position] + tol;
  for (size_t k = scores.size() - static_cast<size_t>(n_iter_no_change); k < scores.size(); ++k) {
    if (scores[k] > reference) return false;
  }
  return true;
}

std::vector<ParamSpec> boosting_specs(const std::string& loss) {
  using Kind = ParamSpec::Kind;
  ParamSpec loss_spec;
  loss_spec.name = "loss";
  loss_spec.kind = Kind::kString;
  loss_spec.default_value = loss;
  loss_spec.choices = {loss};
  loss_spec.doc = loss == "log_loss" ? "Binary or multinomial log-loss." : "Squared error.";
  ParamSpec lr;
  lr.name = "learning_rate";
  lr.kind = Kind::kFloat;
  lr.default_value = 0.1;
  lr.min = 0.0;
  lr.min_exclusive = true;
  lr.doc = "Shrinkage applied to each tree's leaf values.";
  ParamSpec max_iter;
  max_iter.name = "max_iter";
  max_iter.kind = Kind::kInt;
  max_iter.default_value = 100;
  max_iter.min = 1;
  max_iter.max = 10000;
  max_iter.doc = "Number of boosting iterations (trees per class; at most 10,000).";
  ParamSpec leaves;
  leaves.name = "max_leaf_nodes";
  leaves.kind = Kind::kIntOrNull;
  leaves.default_value = 31;
  leaves.min = 2;
  leaves.doc = "Maximum number of leaves per tree; null for no limit.";
  ParamSpec depth;
  depth.name = "max_depth";
  depth.kind = Kind::kIntOrNull;
  depth.default_value = nullptr;
  depth.min = 1;
  depth.doc = "Maximum depth of each tree (root = 0); null for no limit.";
  ParamSpec msl;
  msl.name = "min_samples_leaf";
  msl.kind = Kind::kInt;
  msl.default_value = 20;
  msl.min = 1;
  msl.doc = "Minimum number of samples per leaf.";
  ParamSpec l2;
  l2.name = "l2_regularization";
  l2.kind = Kind::kFloat;
  l2.default_value = 0.0;
  l2.min = 0.0;
  l2.doc = "L2 penalty on leaf values (added to the hessian sums).";
  ParamSpec bins;
  bins.name = "max_bins";
  bins.kind = Kind::kInt;
  bins.default_value = 255;
  bins.min = 2;
  bins.max = 255;
  bins.doc = "Maximum number of bins per feature.";
  ParamSpec es;
  es.name = "early_stopping";
  es.kind = Kind::kBool;
  es.default_value = false;
  es.doc =
      "Stop when the validation loss stops improving (scikit-learn's default \"auto\" enables it "
      "above 10,000 samples; here the default is false).";
  ParamSpec vf;
  vf.name = "validation_fraction";
  vf.kind = Kind::kFloat;
  vf.default_value = 0.1;
  vf.min = 0.0;
  vf.max = 1.0;
  vf.min_exclusive = true;
  vf.max_exclusive = true;
  vf.doc = "Fraction of the training rows held out for early stopping.";
  ParamSpec nic;
  nic.name = "n_iter_no_change";
  nic.kind = Kind::kInt;
  nic.default_value = 10;
  nic.min = 1;
  nic.max = 10000;
  nic.doc = "Early stopping: iterations without an improvement of more than tol (at most 10,000).";
  ParamSpec tol;
  tol.name = "tol";
  tol.kind = Kind::kFloat;
  tol.default_value = 1e-7;
  tol.min = 0.0;
  tol.doc = "Early stopping: minimum improvement of the validation score.";
  ParamSpec rs;
  rs.name = "random_state";
  rs.kind = Kind::kIntOrNull;
  rs.default_value = nullptr;
  rs.min = 0;
  rs.doc = "Seed of the early-stopping validation split; null: fresh each fit.";
  return {loss_spec, lr, max_iter, leaves, depth, msl, l2, bins, es, vf, nic, tol, rs};
}

BoostingOptions read_boosting_options(const json& p) {
  BoostingOptions o;
  const auto cap = [](int64_t v) { return static_cast<int>(std::min<int64_t>(v, 1 << 30)); };
  o.learning_rate = p.at("learning_rate").get<double>();
  o.max_iter = cap(p.at("max_iter").get<int64_t>());
  o.max_leaf_nodes =
      p.at("max_leaf_nodes").is_null() ? (1 << 30) : cap(p.at("max_leaf_nodes").get<int64_t>());
  o.max_depth = p.at("max_depth").is_null() ? (1 << 30) : cap(p.at("max_depth").get<int64_t>());
  o.min_samples_leaf = cap(p.at("min_samples_leaf").get<int64_t>());
  o.l2_regularization = p.at("l2_regularization").get<double>();
  o.max_bins = cap(p.at("max_bins").get<int64_t>());
  o.early_stopping = p.at("early_stopping").get<bool>();
  o.validation_fraction = p.at("validation_fraction").get<double>();
  o.n_iter_no_change = cap(p.at("n_iter_no_change").get<int64_t>());
  o.tol = p.at("tol").get<double>();
  return o;
}

// The state's "version": 1 (no missing-value routing) or 2 (current).
constexpr int kStateVersion = 2;

// tree_params::read_header for versions 1 and 2 (it knows version 1 only, so it reads a copy of
// the header fields); sets *version.
Status read_state_header(const json& state, const std::string& who, int* version,
                         int* n_features, int* n_classes, std::vector<int>* classes) {
  if (!state.is_object()) return Status::invalid(who + ": expected a JSON object");
  auto v = json_get_int(state, "version", who);
  if (!v) return v.status();
  if (*v != 1 && *v != kStateVersion) {
    return Status::invalid(who + ": unsupported 'version' " + std::to_string(*v) +
                           " (expected 1 or 2)");
  }
  *version = static_cast<int>(*v);
  json header = json::object();
  header["version"] = 1;
  for (const char* key : {"n_features", "n_classes", "classes"}) {
    if (state.contains(key)) header[key] = state.at(key);
  }
  return tree_params::read_header(header, who, n_features, n_classes, classes);
}

// The largest double stands for the +inf threshold of a split on missing values in the state
// (JSON has no infinity); real thresholds are at most scikit-learn's ALMOST_INF (1e300).
constexpr double kInfThresholdInJson = std::numeric_limits<double>::max();

// Reads "baseline" (`size` numbers, or any length >= 1 when size < 0), "n_iter", "trees"
// (n_iter * baseline size trees with one output) and, for version 2, "missing_go_to_left" (per
// tree, 0 or 1 per node); version 1 gives all zeros.
Status read_boosting_state(const json& state, const std::string& who, int version, int n_features,
                           int64_t size, std::vector<double>* baseline, int* n_iter,
                           std::vector<TreeModel>* trees,
                           std::vector<std::vector<uint8_t>>* missing_left) {
  Vector b;
  MLLAB_RETURN_IF_ERROR(json_get_vector(state, "baseline", size, who, &b));
  if (b.size() < 1) return Status::invalid(who + ": 'baseline' must not be empty");
  auto it = json_get_int(state, "n_iter", who);
  if (!it) return it.status();
  if (*it < 0 || *it > 1000000) return Status::invalid(who + ": 'n_iter' out of range");
  if (!state.contains("trees") || !state.at("trees").is_array()) {
    return Status::invalid(who + ": missing 'trees'");
  }
  const json& arr = state.at("trees");
  if (arr.size() != static_cast<size_t>(*it) * static_cast<size_t>(b.size())) {
    return Status::invalid(who + ": 'trees' must hold n_iter * " + std::to_string(b.size()) +
                           " trees (received " + std::to_string(arr.size()) + ")");
  }
  const json* ml = nullptr;
  if (version >= 2) {
    if (!state.contains("missing_go_to_left") || !state.at("missing_go_to_left").is_array() ||
        state.at("missing_go_to_left").size() != arr.size()) {
      return Status::invalid(who + ": 'missing_go_to_left' must hold one array per tree");
    }
    ml = &state.at("missing_go_to_left");
  }
  trees->clear();
  missing_left->clear();
  for (size_t t = 0; t < arr.size(); ++t) {
    auto tree = TreeModel::from_json(arr[t], n_features, 1, who);
    if (!tree) return tree.status();
    TreeModel& tm = tree.value();
    for (size_t k = 0; k < tm.threshold.size(); ++k) {
      if (tm.feature[k] >= 0 && tm.threshold[k] == kInfThresholdInJson) {
        tm.threshold[k] = std::numeric_limits<double>::infinity();
      }
    }
    std::vector<uint8_t> left(static_cast<size_t>(tm.n_nodes()), 0);
    if (ml != nullptr) {
      const json& m = (*ml)[t];
      if (!m.is_array() || m.size() != left.size()) {
        return Status::invalid(who + ": 'missing_go_to_left' of tree " + std::to_string(t) +
                               " must hold one entry per node (" + std::to_string(left.size()) +
                               ")");
      }
      for (size_t k = 0; k < left.size(); ++k) {
        if (!m[k].is_number_integer() || (m[k].get<int64_t>() != 0 && m[k].get<int64_t>() != 1)) {
          return Status::invalid(who + ": 'missing_go_to_left' of tree " + std::to_string(t) +
                                 " must hold 0 or 1");
        }
        left[k] = static_cast<uint8_t>(m[k].get<int64_t>());
      }
    }
    trees->push_back(std::move(tm));
    missing_left->push_back(std::move(left));
  }
  baseline->assign(b.data(), b.data() + b.size());
  *n_iter = static_cast<int>(*it);
  return Status::ok();
}

// "trees" of the state: TreeModel::to_json with +inf thresholds as kInfThresholdInJson.
json trees_json(const std::vector<TreeModel>& trees) {
  json arr = json::array();
  for (const auto& t : trees) {
    json j = t.to_json();
    for (size_t k = 0; k < t.threshold.size(); ++k) {
      if (std::isinf(t.threshold[k])) j["threshold"][k] = kInfThresholdInJson;
    }
    arr.push_back(std::move(j));
  }
  return arr;
}

// "missing_go_to_left" of the state: per tree, 0 or 1 per node.
json missing_json(const std::vector<std::vector<uint8_t>>& missing_left) {
  json arr = json::array();
  for (const auto& m : missing_left) {
    json a = json::array();
    for (uint8_t v : m) a.push_back(static_cast<int>(v));
    arr.push_back(std::move(a));
  }
  return arr;
}

// Raw scores (n x n_outputs, row-major in `raw`) of a fitted model.
std::vector<double> raw_scores(const std::vector<double>& baseline,
                               const std::vector<TreeModel>& trees,
                               const std::vector<std::vector<uint8_t>>& missing_left,
                               const Matrix& x) {
  const int k = static_cast<int>(baseline.size());
  const RowMajor xr = x;
  std::vector<double> raw(static_cast<size_t>(x.rows()) * static_cast<size_t>(k));
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (int c = 0; c < k; ++c) raw[static_cast<size_t>(i * k + c)] = baseline[static_cast<size_t>(c)];
  }
  for (size_t t = 0; t < trees.size(); ++t) {
    add_tree(trees[t], missing_left[t], xr, raw.data() + t % static_cast<size_t>(k), k);
  }
  return raw;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// HistGradientBoostingClassifier

const std::vector<ParamSpec>& HistGradientBoostingClassifier::param_specs() {
  static const std::vector<ParamSpec> specs = boosting_specs("log_loss");
  return specs;
}

HistGradientBoostingClassifier::HistGradientBoostingClassifier(const json& params) {
  params_ = tree_params::resolve_or_throw(kClassifier, param_specs(), params);
  options_ = read_boosting_options(params_);
}

// The classifier's fit, one boosting iteration (its k trees) per unit: the first step checks,
// splits off the validation rows, bins and computes the baseline.
class HistGradientBoostingClassifierFitTask : public FitTask {
 public:
  HistGradientBoostingClassifierFitTask(HistGradientBoostingClassifier* model, const Matrix& x,
                                        const std::vector<int>& y, int n_classes)
      : model_(model), options_(model->options_), x_(x), y_(y), n_classes_(n_classes) {}

  bool step() override {
    if (done_) return false;
    if (!started_) {
      start();
      started_ = true;
    }
    if (iter_ < options_.max_iter && !stopped_) iterate();
    if (iter_ < options_.max_iter && !stopped_) return true;
    finish();
    return false;
  }
  bool done() const override { return done_; }
  int64_t units_done() const override { return iter_; }
  int64_t units_total() const override { return done_ ? iter_ : options_.max_iter; }
  const char* unit_name() const override { return "iteration"; }

 private:
  void start() {
    const Matrix& x = x_;
    const std::vector<int>& y = y_;
    tree_params::check_fit_input(kClassifier, x, y.size(), /*allow_nan=*/true);
    const std::vector<int64_t> count = tree_params::check_labels(kClassifier, y, n_classes_);
    std::vector<int> compact(static_cast<size_t>(n_classes_), -1);
    for (int c = 0; c < n_classes_; ++c) {
      if (count[static_cast<size_t>(c)] > 0) {
        compact[static_cast<size_t>(c)] = static_cast<int>(classes_.size());
        classes_.push_back(c);
      }
    }
    const int n_present = static_cast<int>(classes_.size());
    k_ = n_present == 2 ? 1 : n_present;  // trees per iteration
    const int k = k_;
    const uint64_t seed = tree_params::seed_from(model_->params_.at("random_state"));

    // Training / validation rows.
    if (options_.early_stopping) {
      const SplitIndices split =
          train_test_split(y, n_classes_, options_.validation_fraction, seed, true);
      x_fit_.resize(static_cast<Eigen::Index>(split.train.size()), x.cols());
      x_val_.resize(static_cast<Eigen::Index>(split.test.size()), x.cols());
      for (size_t i = 0; i < split.train.size(); ++i) {
        x_fit_.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(split.train[i]));
        y_fit_.push_back(compact[static_cast<size_t>(y[split.train[i]])]);
      }
      for (size_t i = 0; i < split.test.size(); ++i) {
        x_val_.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(split.test[i]));
        y_val_.push_back(compact[static_cast<size_t>(y[split.test[i]])]);
      }
    } else {
      for (int v : y) y_fit_.push_back(compact[static_cast<size_t>(v)]);
    }
    const Matrix& xf = options_.early_stopping ? x_fit_ : x;
    n_ = static_cast<size_t>(xf.rows());
    const size_t n = n_;

    // Baseline: logit of the positive-class prior, or the centred log priors.
    std::vector<double> prior(static_cast<size_t>(n_present), 0.0);
    {
      std::vector<double> onehot(n);
      const double eps = std::numeric_limits<double>::epsilon();
      for (int c = 0; c < n_present; ++c) {
        for (size_t i = 0; i < n; ++i) onehot[i] = y_fit_[i] == c ? 1.0 : 0.0;
        prior[static_cast<size_t>(c)] = std::clamp(numpy_mean(onehot), eps, 1.0 - eps);
      }
    }
    baseline_.assign(static_cast<size_t>(k), 0.0);
    if (k == 1) {
      baseline_[0] = std::log(prior[1] / (1.0 - prior[1]));
    } else {
      double mean_log = 0.0;
      for (int c = 0; c < k; ++c) mean_log += std::log(prior[static_cast<size_t>(c)]);
      mean_log /= k;
      for (int c = 0; c < k; ++c) baseline_[static_cast<size_t>(c)] = std::log(prior[static_cast<size_t>(c)]) - mean_log;
    }

    bins_ = bin_features(xf, options_.max_bins);
    grower_ = std::make_unique<LeafwiseGrower>(bins_, static_cast<int64_t>(n), static_cast<int>(xf.cols()), options_,
                                               false);
    n_cols_ = static_cast<int>(x.cols());
    raw_.resize(n * static_cast<size_t>(k));
    for (size_t i = 0; i < n; ++i) {
      for (int c = 0; c < k; ++c) raw_[i * static_cast<size_t>(k) + static_cast<size_t>(c)] = baseline_[static_cast<size_t>(c)];
    }
    // float32 gradients and hessians (scikit-learn's G_H_DTYPE), computed in double.
    g_.resize(n * static_cast<size_t>(k));
    h_.resize(n * static_cast<size_t>(k));
    p_.resize(static_cast<size_t>(k));

    // Validation state for early stopping.
    xv_ = x_val_;
    raw_val_.resize(y_val_.size() * static_cast<size_t>(k));
    for (size_t i = 0; i < y_val_.size(); ++i) {
      for (int c = 0; c < k; ++c) raw_val_[i * static_cast<size_t>(k) + static_cast<size_t>(c)] = baseline_[static_cast<size_t>(c)];
    }
    if (options_.early_stopping) scores_.push_back(val_score());
  }

  double val_score() const {
    const int k = k_;
    double loss = 0.0;
    for (size_t i = 0; i < y_val_.size(); ++i) {
      const double* z = &raw_val_[i * static_cast<size_t>(k)];
      if (k == 1) {
        loss += log1pexp(z[0]) - (y_val_[i] == 1 ? z[0] : 0.0);
      } else {
        double m = z[0];
        for (int c = 1; c < k; ++c) m = std::max(m, z[c]);
        double s = 0.0;
        for (int c = 0; c < k; ++c) s += std::exp(z[c] - m);
        loss += m + std::log(s) - z[y_val_[i]];
      }
    }
    return -loss / static_cast<double>(y_val_.size());
  }

  void iterate() {
    const int k = k_;
    const size_t n = n_;
    // Gradients and hessians of the log-loss, class-major, with the formulas of scikit-learn's
    // HalfBinomialLoss (e = exp(-z): ((1 - y) - y e) / (1 + e), e / (1 + e)^2) and
    // HalfMultinomialLoss (p_c - [y = c], p_c (1 - p_c)).
    for (size_t i = 0; i < n; ++i) {
      const double* z = &raw_[i * static_cast<size_t>(k)];
      if (k == 1) {
        const double yi = y_fit_[i] == 1 ? 1.0 : 0.0;
        const double e = std::exp(-z[0]);
        g_[i] = static_cast<float>(((1.0 - yi) - yi * e) / (1.0 + e));
        h_[i] = static_cast<float>(e / ((1.0 + e) * (1.0 + e)));
        continue;
      }
      double m = z[0];
      for (int c = 1; c < k; ++c) m = std::max(m, z[c]);
      double s = 0.0;
      for (int c = 0; c < k; ++c) {
        p_[static_cast<size_t>(c)] = std::exp(z[c] - m);
        s += p_[static_cast<size_t>(c)];
      }
      for (int c = 0; c < k; ++c) {
        const double pc = p_[static_cast<size_t>(c)] / s;
        g_[static_cast<size_t>(c) * n + i] = static_cast<float>(pc - (y_fit_[i] == c ? 1.0 : 0.0));
        h_[static_cast<size_t>(c) * n + i] = static_cast<float>(pc * (1.0 - pc));
      }
    }
    for (int c = 0; c < k; ++c) {
      missing_left_.emplace_back();
      trees_.push_back(grower_->grow(g_.data() + static_cast<size_t>(c) * n,
                                     h_.data() + static_cast<size_t>(c) * n, raw_.data() + c, k,
                                     &missing_left_.back()));
      if (options_.early_stopping) {
        add_tree(trees_.back(), missing_left_.back(), xv_, raw_val_.data() + c, k);
      }
    }
    ++iter_;
    if (options_.early_stopping) {
      scores_.push_back(val_score());
      if (should_stop(scores_, options_.n_iter_no_change, options_.tol)) stopped_ = true;
    }
  }

  void finish() {
    grower_.reset();
    model_->n_iter_ = iter_;
    model_->trees_ = std::move(trees_);
    model_->missing_go_to_left_ = std::move(missing_left_);
    model_->takes_missing_ = true;
    model_->baseline_ = std::move(baseline_);
    model_->n_features_ = n_cols_;
    model_->n_classes_ = n_classes_;
    model_->classes_ = std::move(classes_);
    model_->fitted_ = true;
    done_ = true;
  }

  HistGradientBoostingClassifier* model_;
  const BoostingOptions options_;
  const Matrix& x_;
  const std::vector<int> y_;
  int n_classes_;
  bool started_ = false, done_ = false, stopped_ = false;
  int k_ = 1, iter_ = 0, n_cols_ = 0;
  size_t n_ = 0;
  std::vector<int> classes_;
  Matrix x_fit_, x_val_;
  std::vector<int> y_fit_, y_val_;  // compact labels
  std::vector<double> baseline_;
  BinnedFeatures bins_;
  std::unique_ptr<LeafwiseGrower> grower_;
  std::vector<double> raw_;
  std::vector<float> g_, h_;
  std::vector<double> p_;
  RowMajor xv_;
  std::vector<double> raw_val_;
  std::vector<double> scores_;
  std::vector<TreeModel> trees_;
  std::vector<std::vector<uint8_t>> missing_left_;
};

std::unique_ptr<FitTask> HistGradientBoostingClassifier::fit_task(const Matrix& x, const std::vector<int>& y,
                                                                  int n_classes) {
  return std::make_unique<HistGradientBoostingClassifierFitTask>(this, x, y, n_classes);
}

void HistGradientBoostingClassifier::fit(const Matrix& x, const std::vector<int>& y, int n_classes) {
  fit_task(x, y, n_classes)->run_to_end();
}

Matrix HistGradientBoostingClassifier::decision_function(const Matrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "decision_function", x, n_features_, takes_missing_);
  const int k = static_cast<int>(baseline_.size());
  const std::vector<double> raw = raw_scores(baseline_, trees_, missing_go_to_left_, x);
  Matrix out(x.rows(), k);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (int c = 0; c < k; ++c) out(i, c) = raw[static_cast<size_t>(i * k + c)];
  }
  return out;
}

Matrix HistGradientBoostingClassifier::predict_proba(const Matrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "predict_proba", x, n_features_, takes_missing_);
  const Matrix z = decision_function(x);
  Matrix proba = Matrix::Zero(x.rows(), n_classes_);
  const int k = static_cast<int>(z.cols());
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    if (k == 1) {
      const double p1 = expit(z(i, 0));
      proba(i, classes_[1]) = p1;
      proba(i, classes_[0]) = 1.0 - p1;
      continue;
    }
    double m = z.row(i).maxCoeff();
    double s = 0.0;
    for (int c = 0; c < k; ++c) s += std::exp(z(i, c) - m);
    for (int c = 0; c < k; ++c) proba(i, classes_[static_cast<size_t>(c)]) = std::exp(z(i, c) - m) / s;
  }
  return proba;
}

json HistGradientBoostingClassifier::state() const {
  if (!fitted_) throw_invalid(kClassifier, "state called before fit");
  json s{{"version", takes_missing_ ? kStateVersion : 1},
         {"n_features", n_features_},
         {"n_classes", n_classes_},
         {"classes", classes_},
         {"baseline", baseline_},
         {"n_iter", n_iter_},
         {"trees", trees_json(trees_)}};
  if (takes_missing_) s["missing_go_to_left"] = missing_json(missing_go_to_left_);
  return s;
}

Status HistGradientBoostingClassifier::load_state(const json& state) {
  const std::string who = std::string(kClassifier) + " state";
  int version = 0, n_features = 0, n_classes = 0, n_iter = 0;
  std::vector<int> classes;
  MLLAB_RETURN_IF_ERROR(
      read_state_header(state, who, &version, &n_features, &n_classes, &classes));
  const int64_t k = classes.size() == 2 ? 1 : static_cast<int64_t>(classes.size());
  std::vector<double> baseline;
  std::vector<TreeModel> trees;
  std::vector<std::vector<uint8_t>> missing_left;
  MLLAB_RETURN_IF_ERROR(read_boosting_state(state, who, version, n_features, k, &baseline,
                                            &n_iter, &trees, &missing_left));
  n_features_ = n_features;
  n_classes_ = n_classes;
  classes_ = std::move(classes);
  baseline_ = std::move(baseline);
  n_iter_ = n_iter;
  trees_ = std::move(trees);
  missing_go_to_left_ = std::move(missing_left);
  takes_missing_ = version >= 2;
  fitted_ = true;
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// HistGradientBoostingRegressor

const std::vector<ParamSpec>& HistGradientBoostingRegressor::param_specs() {
  static const std::vector<ParamSpec> specs = boosting_specs("squared_error");
  return specs;
}

HistGradientBoostingRegressor::HistGradientBoostingRegressor(const json& params) {
  params_ = tree_params::resolve_or_throw(kRegressor, param_specs(), params);
  options_ = read_boosting_options(params_);
}

// The regressor's fit, one boosting iteration per unit (see the classifier's task).
class HistGradientBoostingRegressorFitTask : public FitTask {
 public:
  HistGradientBoostingRegressorFitTask(HistGradientBoostingRegressor* model, const Matrix& x, const Vector& y)
      : model_(model), options_(model->options_), x_(x), y_(y) {}

  bool step() override {
    if (done_) return false;
    if (!started_) {
      start();
      started_ = true;
    }
    if (iter_ < options_.max_iter && !stopped_) iterate();
    if (iter_ < options_.max_iter && !stopped_) return true;
    grower_.reset();
    model_->n_iter_ = iter_;
    model_->trees_ = std::move(trees_);
    model_->missing_go_to_left_ = std::move(missing_left_);
    model_->takes_missing_ = true;
    model_->baseline_ = baseline_;
    model_->n_features_ = static_cast<int>(x_.cols());
    model_->fitted_ = true;
    done_ = true;
    return false;
  }
  bool done() const override { return done_; }
  int64_t units_done() const override { return iter_; }
  int64_t units_total() const override { return done_ ? iter_ : options_.max_iter; }
  const char* unit_name() const override { return "iteration"; }

 private:
  void start() {
    const Matrix& x = x_;
    const Vector& y = y_;
    tree_params::check_fit_input(kRegressor, x, static_cast<size_t>(y.size()), /*allow_nan=*/true);
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      if (!std::isfinite(y(i))) {
        throw_invalid(kRegressor, "y contains a non-finite value at row " + std::to_string(i));
      }
    }
    const uint64_t seed = tree_params::seed_from(model_->params_.at("random_state"));
    if (options_.early_stopping) {
      const std::vector<int> dummy(static_cast<size_t>(y.size()), 0);
      const SplitIndices split =
          train_test_split(dummy, 1, options_.validation_fraction, seed, false);
      x_fit_.resize(static_cast<Eigen::Index>(split.train.size()), x.cols());
      x_val_.resize(static_cast<Eigen::Index>(split.test.size()), x.cols());
      for (size_t i = 0; i < split.train.size(); ++i) {
        x_fit_.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(split.train[i]));
        y_fit_.push_back(y(static_cast<Eigen::Index>(split.train[i])));
      }
      for (size_t i = 0; i < split.test.size(); ++i) {
        x_val_.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(split.test[i]));
        y_val_.push_back(y(static_cast<Eigen::Index>(split.test[i])));
      }
    } else {
      y_fit_.assign(y.data(), y.data() + y.size());
    }
    const Matrix& xf = options_.early_stopping ? x_fit_ : x;
    n_ = static_cast<size_t>(xf.rows());
    baseline_ = numpy_mean(y_fit_);
    bins_ = bin_features(xf, options_.max_bins);
    grower_ = std::make_unique<LeafwiseGrower>(bins_, static_cast<int64_t>(n_), static_cast<int>(xf.cols()), options_,
                                               true);
    raw_.assign(n_, baseline_);
    // float32 gradients prediction - y (scikit-learn's G_H_DTYPE); the hessians are constant.
    g_.resize(n_);
    h_.assign(1, 1.0f);
    xv_ = x_val_;
    raw_val_.assign(y_val_.size(), baseline_);
    if (options_.early_stopping) scores_.push_back(val_score());
  }
  double val_score() const {
    double loss = 0.0;
    for (size_t i = 0; i < y_val_.size(); ++i) {
      const double r = raw_val_[i] - y_val_[i];
      loss += 0.5 * r * r;
    }
    return -loss / static_cast<double>(y_val_.size());
  }
  void iterate() {
    for (size_t i = 0; i < n_; ++i) g_[i] = static_cast<float>(raw_[i] - y_fit_[i]);
    missing_left_.emplace_back();
    trees_.push_back(grower_->grow(g_.data(), h_.data(), raw_.data(), 1, &missing_left_.back()));
    ++iter_;
    if (options_.early_stopping) {
      add_tree(trees_.back(), missing_left_.back(), xv_, raw_val_.data(), 1);
      scores_.push_back(val_score());
      if (should_stop(scores_, options_.n_iter_no_change, options_.tol)) stopped_ = true;
    }
  }

  HistGradientBoostingRegressor* model_;
  const BoostingOptions options_;
  const Matrix& x_;
  const Vector y_;
  bool started_ = false, done_ = false, stopped_ = false;
  int iter_ = 0;
  size_t n_ = 0;
  Matrix x_fit_, x_val_;
  std::vector<double> y_fit_, y_val_;
  double baseline_ = 0;
  BinnedFeatures bins_;
  std::unique_ptr<LeafwiseGrower> grower_;
  std::vector<double> raw_;
  std::vector<float> g_, h_;
  RowMajor xv_;
  std::vector<double> raw_val_;
  std::vector<double> scores_;
  std::vector<TreeModel> trees_;
  std::vector<std::vector<uint8_t>> missing_left_;
};

std::unique_ptr<FitTask> HistGradientBoostingRegressor::fit_task(const Matrix& x, const Vector& y) {
  return std::make_unique<HistGradientBoostingRegressorFitTask>(this, x, y);
}

void HistGradientBoostingRegressor::fit(const Matrix& x, const Vector& y) { fit_task(x, y)->run_to_end(); }

Vector HistGradientBoostingRegressor::predict(const Matrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_, takes_missing_);
  const std::vector<double> raw = raw_scores({baseline_}, trees_, missing_go_to_left_, x);
  return Eigen::Map<const Vector>(raw.data(), static_cast<Eigen::Index>(raw.size()));
}

json HistGradientBoostingRegressor::state() const {
  if (!fitted_) throw_invalid(kRegressor, "state called before fit");
  json s{{"version", takes_missing_ ? kStateVersion : 1},
         {"n_features", n_features_},
         {"baseline", std::vector<double>{baseline_}},
         {"n_iter", n_iter_},
         {"trees", trees_json(trees_)}};
  if (takes_missing_) s["missing_go_to_left"] = missing_json(missing_go_to_left_);
  return s;
}

Status HistGradientBoostingRegressor::load_state(const json& state) {
  const std::string who = std::string(kRegressor) + " state";
  int version = 0, n_features = 0, n_iter = 0;
  MLLAB_RETURN_IF_ERROR(
      read_state_header(state, who, &version, &n_features, nullptr, nullptr));
  std::vector<double> baseline;
  std::vector<TreeModel> trees;
  std::vector<std::vector<uint8_t>> missing_left;
  MLLAB_RETURN_IF_ERROR(read_boosting_state(state, who, version, n_features, 1, &baseline,
                                            &n_iter, &trees, &missing_left));
  n_features_ = n_features;
  baseline_ = baseline[0];
  n_iter_ = n_iter;
  trees_ = std::move(trees);
  missing_go_to_left_ = std::move(missing_left);
  takes_missing_ = version >= 2;
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

#include "core/ml/hist_gradient_boosting.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/ml/json_state.hpp"
#include "core/ml/numeric.hpp"
#include "core/ml/split.hpp"

namespace mllab::ml {
namespace {

const char* const kClassifier = "HistGradientBoostingClassifier";
const char* const kRegressor = "HistGradientBoostingRegressor";

// scikit-learn's min_hessian_to_split and min_gain_to_split.
constexpr double kMinHessianToSplit = 1e-3;
constexpr double kMinGainToSplit = 0.0;
// Gains below this fraction of the node's G^2 / (H + l2) are rounding noise (e.g. any split of a
// node whose rows all have the same gradient) and do not count as improvements; without it such
// nodes get split on noise, which fragments them for later iterations.
constexpr double kRelativeGainNoise = 1e-10;
// Bins per feature in a histogram (codes are uint8).
constexpr int kBinStride = 256;

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One histogram bin: sums of gradients and hessians and the row count.
struct Bin {
  double g;
  double h;
  uint32_t n;
};

// 1 / (1 + exp(-z)) without overflow.
double expit(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// log(1 + exp(z)) without overflow.
double log1pexp(double z) {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// Grows the leaf-wise trees of one boosting fit over row-major bin codes.
class LeafwiseGrower {
 public:
  LeafwiseGrower(const uint8_t* codes, int64_t n_rows, int n_features, const FeatureBinner& binner,
                 const BoostingOptions& options)
      : codes_(codes), n_(n_rows), d_(n_features), binner_(binner), options_(options) {
    rows_.resize(static_cast<size_t>(n_rows));
    scratch_.resize(static_cast<size_t>(n_rows));
    og_.resize(static_cast<size_t>(n_rows));
    oh_.resize(static_cast<size_t>(n_rows));
  }

  // Fits one tree to gradients `g` and hessians `h` and adds its leaf values to
  // raw[i * raw_stride] for every row i.
  TreeModel grow(const double* g, const double* h, double* raw, int raw_stride) {
    g_ = g;
    h_ = h;
    for (int64_t i = 0; i < n_; ++i) rows_[static_cast<size_t>(i)] = static_cast<int32_t>(i);
    tree_ = TreeModel();
    tree_.n_values = 1;
    nodes_.clear();
    Node root;
    root.begin = 0;
    root.end = static_cast<int>(n_);
    root.depth = 0;
    root.id = tree_.add_node(1);
    double gs = 0.0, hs = 0.0;
    for (int64_t i = 0; i < n_; ++i) {
      gs += g[i];
      hs += h[i];
    }
    root.g = gs;
    root.h = hs;
    root.n = static_cast<int>(n_);
    nodes_.push_back(root);
    std::vector<int> splittable;
    std::vector<int> leaves;
    if (root.n >= 2 * options_.min_samples_leaf && options_.max_depth > 0 &&
        options_.max_leaf_nodes > 1) {
      nodes_[0].hist = take_hist();
      build_histogram(nodes_[0], hist(nodes_[0].hist));
      find_split(&nodes_[0]);
    }
    if (nodes_[0].feature >= 0) {
      splittable.push_back(0);
    } else {
      release(&nodes_[0]);
      leaves.push_back(0);
    }
    int n_leaves = 1;
    while (!splittable.empty()) {
      if (n_leaves >= options_.max_leaf_nodes) {
        for (int k : splittable) {
          release(&nodes_[static_cast<size_t>(k)]);
          leaves.push_back(k);
        }
        break;
      }
      // Best gain first; ties: the earliest node.
      size_t pick = 0;
      for (size_t s = 1; s < splittable.size(); ++s) {
        if (nodes_[static_cast<size_t>(splittable[s])].gain >
            nodes_[static_cast<size_t>(splittable[pick])].gain) {
          pick = s;
        }
      }
      const int pid = splittable[pick];
      splittable.erase(splittable.begin() + static_cast<ptrdiff_t>(pick));
      split_node(pid, &splittable, &leaves);
      ++n_leaves;
    }
    // Leaf values (-G / (H + l2) shrunk by the learning rate) and the raw prediction update.
    for (int k : leaves) {
      const Node& nd = nodes_[static_cast<size_t>(k)];
      const double v = leaf_value(nd);
      tree_.value[static_cast<size_t>(nd.id)] = v;
      for (int i = nd.begin; i < nd.end; ++i) {
        raw[static_cast<int64_t>(rows_[static_cast<size_t>(i)]) * raw_stride] += v;
      }
    }
    return std::move(tree_);
  }

 private:
  struct Node {
    int begin = 0, end = 0, depth = 0, id = 0, n = 0;
    double g = 0.0, h = 0.0;
    int hist = -1;
    // Best split (feature -1: none) and its left-child sums.
    int feature = -1, bin = -1;
    double gain = 0.0, gl = 0.0, hl = 0.0;
    int nl = 0;
  };

  double leaf_value(const Node& nd) const {
    return (-nd.g / (nd.h + options_.l2_regularization + 1e-15)) * options_.learning_rate;
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

  void build_histogram(const Node& nd, Bin* out) {
    std::memset(static_cast<void*>(out), 0, sizeof(Bin) * static_cast<size_t>(d_) * kBinStride);
    const int d = d_;
    if (nd.end - nd.begin == n_) {
      for (int64_t i = 0; i < n_; ++i) {
        const uint8_t* c = codes_ + i * d;
        const double gi = g_[i], hi = h_[i];
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
    double* og = og_.data();
    double* oh = oh_.data();
    for (int i = nd.begin; i < nd.end; ++i) {
      og[i] = g_[rows[i]];
      oh[i] = h_[rows[i]];
    }
    for (int i = nd.begin; i < nd.end; ++i) {
      const uint8_t* c = codes_ + static_cast<int64_t>(rows[i]) * d;
      const double gi = og[i], hi = oh[i];
      for (int f = 0; f < d; ++f) {
        Bin& b = out[f * kBinStride + c[f]];
        b.g += gi;
        b.h += hi;
        b.n += 1;
      }
    }
  }

  // scikit-learn's find_node_split (no missing values, no monotonic constraints).
  void find_split(Node* nd) {
    const Bin* hs = hist(nd->hist);
    const double l2 = options_.l2_regularization;
    const int msl = options_.min_samples_leaf;
    const double parent_loss = nd->g * nd->g / (nd->h + l2);
    double best_gain = -1.0;
    const double min_gain = std::max(kMinGainToSplit, kRelativeGainNoise * parent_loss);
    nd->feature = -1;
    for (int f = 0; f < d_; ++f) {
      const int nb = binner_.n_bins(f);
      const Bin* fb = hs + f * kBinStride;
      double gl = 0.0, hl = 0.0;
      int nl = 0;
      for (int b = 0; b + 1 < nb; ++b) {
        gl += fb[b].g;
        hl += fb[b].h;
        nl += static_cast<int>(fb[b].n);
        if (nl < msl) continue;
        if (nd->n - nl < msl) break;
        if (hl < kMinHessianToSplit) continue;
        const double hr = nd->h - hl;
        if (hr < kMinHessianToSplit) break;
        const double gr = nd->g - gl;
        const double gain = gl * gl / (hl + l2) + gr * gr / (hr + l2) - parent_loss;
        if (gain > best_gain && gain > min_gain) {
          best_gain = gain;
          nd->feature = f;
          nd->bin = b;
          nd->gl = gl;
          nd->hl = hl;
          nd->nl = nl;
        }
      }
    }
    nd->gain = best_gain;
  }

  // Splits node `pid`: partitions its rows, creates both children, computes their histograms
  // (the smaller by a pass over its rows, the larger by subtraction) and their best splits.
  void split_node(int pid, std::vector<int>* splittable, std::vector<int>* leaves) {
    Node p = nodes_[static_cast<size_t>(pid)];
    // Stable partition by code <= bin.
    int out = p.begin;
    size_t n_right = 0;
    for (int i = p.begin; i < p.end; ++i) {
      const int32_t r = rows_[static_cast<size_t>(i)];
      if (codes_[static_cast<int64_t>(r) * d_ + p.feature] <= p.bin) {
        rows_[static_cast<size_t>(out++)] = r;
      } else {
        scratch_[n_right++] = r;
      }
    }
    std::copy(scratch_.begin(), scratch_.begin() + static_cast<ptrdiff_t>(n_right),
              rows_.begin() + out);
    tree_.feature[static_cast<size_t>(p.id)] = p.feature;
    tree_.threshold[static_cast<size_t>(p.id)] =
        binner_.edges(p.feature)[static_cast<size_t>(p.bin)];
    tree_.value[static_cast<size_t>(p.id)] = leaf_value(p);
    Node l, r;
    l.begin = p.begin;
    l.end = out;
    r.begin = out;
    r.end = p.end;
    l.depth = r.depth = p.depth + 1;
    l.g = p.gl;
    l.h = p.hl;
    l.n = p.nl;
    r.g = p.g - p.gl;
    r.h = p.h - p.hl;
    r.n = p.n - p.nl;
    l.id = tree_.add_node(1);
    r.id = tree_.add_node(1);
    tree_.left[static_cast<size_t>(p.id)] = l.id;
    tree_.right[static_cast<size_t>(p.id)] = r.id;
    const bool at_max_depth = l.depth >= options_.max_depth;
    const bool split_l = !at_max_depth && l.n >= 2 * options_.min_samples_leaf;
    const bool split_r = !at_max_depth && r.n >= 2 * options_.min_samples_leaf;
    if (split_l || split_r) {
      Node& small = l.n <= r.n ? l : r;
      Node& large = l.n <= r.n ? r : l;
      small.hist = take_hist();
      build_histogram(small, hist(small.hist));
      // The parent's histogram becomes the larger child's: parent - smaller.
      large.hist = p.hist;
      p.hist = -1;
      Bin* lh = hist(large.hist);
      const Bin* sh = hist(small.hist);
      const size_t total = static_cast<size_t>(d_) * kBinStride;
      for (size_t k = 0; k < total; ++k) {
        lh[k].g -= sh[k].g;
        lh[k].h -= sh[k].h;
        lh[k].n -= sh[k].n;
      }
      if (split_l) find_split(&l);
      if (split_r) find_split(&r);
    }
    release(&p);
    nodes_[static_cast<size_t>(pid)] = p;
    for (Node* c : {&l, &r}) {
      nodes_.push_back(*c);
      const int k = static_cast<int>(nodes_.size()) - 1;
      if (c->feature >= 0) {
        splittable->push_back(k);
      } else {
        release(&nodes_[static_cast<size_t>(k)]);
        leaves->push_back(k);
      }
    }
  }

  const uint8_t* codes_;
  int64_t n_;
  int d_;
  const FeatureBinner& binner_;
  BoostingOptions options_;
  const double* g_ = nullptr;
  const double* h_ = nullptr;
  std::vector<int32_t> rows_;
  std::vector<int32_t> scratch_;
  std::vector<double> og_;
  std::vector<double> oh_;
  std::vector<std::vector<Bin>> pool_;
  std::vector<int> free_;
  std::vector<Node> nodes_;
  TreeModel tree_;
};

// Bins `x` and returns row-major codes.
std::vector<uint8_t> binned_row_major(const FeatureBinner& binner, const Matrix& x) {
  const std::vector<uint8_t> col = binner.transform(x);
  const auto n = static_cast<size_t>(x.rows());
  const auto d = static_cast<size_t>(x.cols());
  std::vector<uint8_t> rm(col.size());
  for (size_t j = 0; j < d; ++j) {
    for (size_t i = 0; i < n; ++i) rm[i * d + j] = col[j * n + i];
  }
  return rm;
}

// Adds the outputs of `tree` for the rows of `xr` (row-major) to raw[i * stride].
void add_tree(const TreeModel& tree, const RowMajor& xr, double* raw, int stride) {
  const auto cols = static_cast<int64_t>(xr.cols());
  for (Eigen::Index i = 0; i < xr.rows(); ++i) {
    raw[i * stride] += tree.value[static_cast<size_t>(tree.leaf(xr.data() + i * cols, 1))];
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
  max_iter.max = 1000000;
  max_iter.doc = "Number of boosting iterations (trees per class).";
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
  nic.doc = "Early stopping: iterations without an improvement of more than tol.";
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

// Reads "baseline" (`size` numbers, or any length >= 1 when size < 0), "n_iter" and "trees"
// (n_iter * baseline size trees with one output).
Status read_boosting_state(const json& state, const std::string& who, int n_features,
                           int64_t size, std::vector<double>* baseline, int* n_iter,
                           std::vector<TreeModel>* trees) {
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
  trees->clear();
  for (const auto& t : arr) {
    auto tree = TreeModel::from_json(t, n_features, 1, who);
    if (!tree) return tree.status();
    trees->push_back(std::move(tree.value()));
  }
  baseline->assign(b.data(), b.data() + b.size());
  *n_iter = static_cast<int>(*it);
  return Status::ok();
}

json trees_json(const std::vector<TreeModel>& trees) {
  json arr = json::array();
  for (const auto& t : trees) arr.push_back(t.to_json());
  return arr;
}

// Raw scores (n x n_outputs, row-major in `raw`) of a fitted model.
std::vector<double> raw_scores(const std::vector<double>& baseline,
                               const std::vector<TreeModel>& trees, const Matrix& x) {
  const int k = static_cast<int>(baseline.size());
  const RowMajor xr = x;
  std::vector<double> raw(static_cast<size_t>(x.rows()) * static_cast<size_t>(k));
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (int c = 0; c < k; ++c) raw[static_cast<size_t>(i * k + c)] = baseline[static_cast<size_t>(c)];
  }
  for (size_t t = 0; t < trees.size(); ++t) {
    add_tree(trees[t], xr, raw.data() + t % static_cast<size_t>(k), k);
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

void HistGradientBoostingClassifier::fit(const Matrix& x, const std::vector<int>& y,
                                         int n_classes) {
  tree_params::check_fit_input(kClassifier, x, y.size());
  const std::vector<int64_t> count = tree_params::check_labels(kClassifier, y, n_classes);
  std::vector<int> classes;
  std::vector<int> compact(static_cast<size_t>(n_classes), -1);
  for (int c = 0; c < n_classes; ++c) {
    if (count[static_cast<size_t>(c)] > 0) {
      compact[static_cast<size_t>(c)] = static_cast<int>(classes.size());
      classes.push_back(c);
    }
  }
  const int n_present = static_cast<int>(classes.size());
  const int k = n_present == 2 ? 1 : n_present;  // trees per iteration
  const uint64_t seed = tree_params::seed_from(params_.at("random_state"));

  // Training / validation rows.
  Matrix x_fit, x_val;
  std::vector<int> y_fit, y_val;  // compact labels
  if (options_.early_stopping) {
    const SplitIndices split =
        train_test_split(y, n_classes, options_.validation_fraction, seed, true);
    x_fit.resize(static_cast<Eigen::Index>(split.train.size()), x.cols());
    x_val.resize(static_cast<Eigen::Index>(split.test.size()), x.cols());
    for (size_t i = 0; i < split.train.size(); ++i) {
      x_fit.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(split.train[i]));
      y_fit.push_back(compact[static_cast<size_t>(y[split.train[i]])]);
    }
    for (size_t i = 0; i < split.test.size(); ++i) {
      x_val.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(split.test[i]));
      y_val.push_back(compact[static_cast<size_t>(y[split.test[i]])]);
    }
  } else {
    for (int v : y) y_fit.push_back(compact[static_cast<size_t>(v)]);
  }
  const Matrix& xf = options_.early_stopping ? x_fit : x;
  const auto n = static_cast<size_t>(xf.rows());

  // Baseline: logit of the positive-class prior, or the centred log priors.
  std::vector<double> prior(static_cast<size_t>(n_present), 0.0);
  {
    std::vector<double> onehot(n);
    const double eps = std::numeric_limits<double>::epsilon();
    for (int c = 0; c < n_present; ++c) {
      for (size_t i = 0; i < n; ++i) onehot[i] = y_fit[i] == c ? 1.0 : 0.0;
      prior[static_cast<size_t>(c)] = std::clamp(numpy_mean(onehot), eps, 1.0 - eps);
    }
  }
  std::vector<double> baseline(static_cast<size_t>(k));
  if (k == 1) {
    baseline[0] = std::log(prior[1] / (1.0 - prior[1]));
  } else {
    double mean_log = 0.0;
    for (int c = 0; c < k; ++c) mean_log += std::log(prior[static_cast<size_t>(c)]);
    mean_log /= k;
    for (int c = 0; c < k; ++c) baseline[static_cast<size_t>(c)] = std::log(prior[static_cast<size_t>(c)]) - mean_log;
  }

  FeatureBinner binner;
  binner.fit(xf, options_.max_bins);
  const std::vector<uint8_t> codes = binned_row_major(binner, xf);
  LeafwiseGrower grower(codes.data(), static_cast<int64_t>(n), static_cast<int>(xf.cols()), binner,
                        options_);
  std::vector<double> raw(n * static_cast<size_t>(k));
  for (size_t i = 0; i < n; ++i) {
    for (int c = 0; c < k; ++c) raw[i * static_cast<size_t>(k) + static_cast<size_t>(c)] = baseline[static_cast<size_t>(c)];
  }
  std::vector<double> g(n * static_cast<size_t>(k)), h(n * static_cast<size_t>(k));
  std::vector<double> p(static_cast<size_t>(k));

  // Validation state for early stopping.
  RowMajor xv = x_val;
  std::vector<double> raw_val(y_val.size() * static_cast<size_t>(k));
  for (size_t i = 0; i < y_val.size(); ++i) {
    for (int c = 0; c < k; ++c) raw_val[i * static_cast<size_t>(k) + static_cast<size_t>(c)] = baseline[static_cast<size_t>(c)];
  }
  auto val_score = [&]() {
    double loss = 0.0;
    for (size_t i = 0; i < y_val.size(); ++i) {
      const double* z = &raw_val[i * static_cast<size_t>(k)];
      if (k == 1) {
        loss += log1pexp(z[0]) - (y_val[i] == 1 ? z[0] : 0.0);
      } else {
        double m = z[0];
        for (int c = 1; c < k; ++c) m = std::max(m, z[c]);
        double s = 0.0;
        for (int c = 0; c < k; ++c) s += std::exp(z[c] - m);
        loss += m + std::log(s) - z[y_val[i]];
      }
    }
    return -loss / static_cast<double>(y_val.size());
  };
  std::vector<double> scores;
  if (options_.early_stopping) scores.push_back(val_score());

  std::vector<TreeModel> trees;
  int iter = 0;
  for (; iter < options_.max_iter; ++iter) {
    // Gradients and hessians of the log-loss, class-major.
    for (size_t i = 0; i < n; ++i) {
      const double* z = &raw[i * static_cast<size_t>(k)];
      if (k == 1) {
        const double pi = expit(z[0]);
        g[i] = pi - (y_fit[i] == 1 ? 1.0 : 0.0);
        h[i] = pi * (1.0 - pi);
        continue;
      }
      double m = z[0];
      for (int c = 1; c < k; ++c) m = std::max(m, z[c]);
      double s = 0.0;
      for (int c = 0; c < k; ++c) {
        p[static_cast<size_t>(c)] = std::exp(z[c] - m);
        s += p[static_cast<size_t>(c)];
      }
      for (int c = 0; c < k; ++c) {
        const double pc = p[static_cast<size_t>(c)] / s;
        g[static_cast<size_t>(c) * n + i] = pc - (y_fit[i] == c ? 1.0 : 0.0);
        h[static_cast<size_t>(c) * n + i] = pc * (1.0 - pc);
      }
    }
    for (int c = 0; c < k; ++c) {
      trees.push_back(grower.grow(g.data() + static_cast<size_t>(c) * n,
                                  h.data() + static_cast<size_t>(c) * n, raw.data() + c, k));
      if (options_.early_stopping) add_tree(trees.back(), xv, raw_val.data() + c, k);
    }
    if (options_.early_stopping) {
      scores.push_back(val_score());
      if (should_stop(scores, options_.n_iter_no_change, options_.tol)) {
        ++iter;
        break;
      }
    }
  }
  n_iter_ = iter;
  trees_ = std::move(trees);
  baseline_ = std::move(baseline);
  n_features_ = static_cast<int>(x.cols());
  n_classes_ = n_classes;
  classes_ = std::move(classes);
  fitted_ = true;
}

Matrix HistGradientBoostingClassifier::decision_function(const Matrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "decision_function", x, n_features_);
  const int k = static_cast<int>(baseline_.size());
  const std::vector<double> raw = raw_scores(baseline_, trees_, x);
  Matrix out(x.rows(), k);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (int c = 0; c < k; ++c) out(i, c) = raw[static_cast<size_t>(i * k + c)];
  }
  return out;
}

Matrix HistGradientBoostingClassifier::predict_proba(const Matrix& x) const {
  tree_params::check_predict_input(kClassifier, fitted_, "predict_proba", x, n_features_);
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
  return json{{"version", 1},
              {"n_features", n_features_},
              {"n_classes", n_classes_},
              {"classes", classes_},
              {"baseline", baseline_},
              {"n_iter", n_iter_},
              {"trees", trees_json(trees_)}};
}

Status HistGradientBoostingClassifier::load_state(const json& state) {
  const std::string who = std::string(kClassifier) + " state";
  int n_features = 0, n_classes = 0, n_iter = 0;
  std::vector<int> classes;
  MLLAB_RETURN_IF_ERROR(tree_params::read_header(state, who, &n_features, &n_classes, &classes));
  const int64_t k = classes.size() == 2 ? 1 : static_cast<int64_t>(classes.size());
  std::vector<double> baseline;
  std::vector<TreeModel> trees;
  MLLAB_RETURN_IF_ERROR(
      read_boosting_state(state, who, n_features, k, &baseline, &n_iter, &trees));
  n_features_ = n_features;
  n_classes_ = n_classes;
  classes_ = std::move(classes);
  baseline_ = std::move(baseline);
  n_iter_ = n_iter;
  trees_ = std::move(trees);
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

void HistGradientBoostingRegressor::fit(const Matrix& x, const Vector& y) {
  tree_params::check_fit_input(kRegressor, x, static_cast<size_t>(y.size()));
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y(i))) {
      throw_invalid(kRegressor, "y contains a non-finite value at row " + std::to_string(i));
    }
  }
  const uint64_t seed = tree_params::seed_from(params_.at("random_state"));
  Matrix x_fit, x_val;
  std::vector<double> y_fit, y_val;
  if (options_.early_stopping) {
    const std::vector<int> dummy(static_cast<size_t>(y.size()), 0);
    const SplitIndices split =
        train_test_split(dummy, 1, options_.validation_fraction, seed, false);
    x_fit.resize(static_cast<Eigen::Index>(split.train.size()), x.cols());
    x_val.resize(static_cast<Eigen::Index>(split.test.size()), x.cols());
    for (size_t i = 0; i < split.train.size(); ++i) {
      x_fit.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(split.train[i]));
      y_fit.push_back(y(static_cast<Eigen::Index>(split.train[i])));
    }
    for (size_t i = 0; i < split.test.size(); ++i) {
      x_val.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(split.test[i]));
      y_val.push_back(y(static_cast<Eigen::Index>(split.test[i])));
    }
  } else {
    y_fit.assign(y.data(), y.data() + y.size());
  }
  const Matrix& xf = options_.early_stopping ? x_fit : x;
  const auto n = static_cast<size_t>(xf.rows());
  const double baseline = numpy_mean(y_fit);
  FeatureBinner binner;
  binner.fit(xf, options_.max_bins);
  const std::vector<uint8_t> codes = binned_row_major(binner, xf);
  LeafwiseGrower grower(codes.data(), static_cast<int64_t>(n), static_cast<int>(xf.cols()), binner,
                        options_);
  std::vector<double> raw(n, baseline), g(n), h(n, 1.0);
  const RowMajor xv = x_val;
  std::vector<double> raw_val(y_val.size(), baseline);
  auto val_score = [&]() {
    double loss = 0.0;
    for (size_t i = 0; i < y_val.size(); ++i) {
      const double r = raw_val[i] - y_val[i];
      loss += 0.5 * r * r;
    }
    return -loss / static_cast<double>(y_val.size());
  };
  std::vector<double> scores;
  if (options_.early_stopping) scores.push_back(val_score());
  std::vector<TreeModel> trees;
  int iter = 0;
  for (; iter < options_.max_iter; ++iter) {
    for (size_t i = 0; i < n; ++i) g[i] = raw[i] - y_fit[i];
    trees.push_back(grower.grow(g.data(), h.data(), raw.data(), 1));
    if (options_.early_stopping) {
      add_tree(trees.back(), xv, raw_val.data(), 1);
      scores.push_back(val_score());
      if (should_stop(scores, options_.n_iter_no_change, options_.tol)) {
        ++iter;
        break;
      }
    }
  }
  n_iter_ = iter;
  trees_ = std::move(trees);
  baseline_ = baseline;
  n_features_ = static_cast<int>(x.cols());
  fitted_ = true;
}

Vector HistGradientBoostingRegressor::predict(const Matrix& x) const {
  tree_params::check_predict_input(kRegressor, fitted_, "predict", x, n_features_);
  const std::vector<double> raw = raw_scores({baseline_}, trees_, x);
  return Eigen::Map<const Vector>(raw.data(), static_cast<Eigen::Index>(raw.size()));
}

json HistGradientBoostingRegressor::state() const {
  if (!fitted_) throw_invalid(kRegressor, "state called before fit");
  return json{{"version", 1},
              {"n_features", n_features_},
              {"baseline", std::vector<double>{baseline_}},
              {"n_iter", n_iter_},
              {"trees", trees_json(trees_)}};
}

Status HistGradientBoostingRegressor::load_state(const json& state) {
  const std::string who = std::string(kRegressor) + " state";
  int n_features = 0, n_iter = 0;
  MLLAB_RETURN_IF_ERROR(tree_params::read_header(state, who, &n_features, nullptr, nullptr));
  std::vector<double> baseline;
  std::vector<TreeModel> trees;
  MLLAB_RETURN_IF_ERROR(read_boosting_state(state, who, n_features, 1, &baseline, &n_iter, &trees));
  n_features_ = n_features;
  baseline_ = baseline[0];
  n_iter_ = n_iter;
  trees_ = std::move(trees);
  fitted_ = true;
  return Status::ok();
}

}  // namespace mllab::ml

// Model selection with scikit-learn 1.2's names and results: K-fold splitters (KFold,
// StratifiedKFold), cross-validation over any fit-and-score function, parameter grids and
// samplers, and a GridSearchCV-style search producing scikit-learn's cv_results_ keys.
// Independent of models and pipelines: callers pass functions that fit and score.
//
// Without shuffling the folds equal scikit-learn's exactly. With shuffle=true the permutation
// comes from mllab::Rng (deterministic per random_state, identical natively and in WebAssembly)
// and therefore differs from the one numpy's RandomState would draw; the same holds for
// ParameterSampler. Invalid arguments throw mllab::Error (kInvalidParameterValue) naming the
// argument and its value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/status.hpp"

namespace mllab {
class Rng;
}  // namespace mllab

namespace mllab::ml {

// One cross-validation fold: the rows to fit on and the rows to score on, each ascending
// (as scikit-learn yields them).
struct Fold {
  // Rows of the training part.
  std::vector<size_t> train;
  // Rows of the test part.
  std::vector<size_t> test;
};

// scikit-learn's KFold: n_splits contiguous test blocks of rows 0..n-1 (after an optional
// shuffle); the first n % n_splits blocks have one extra row.
class KFold {
 public:
  // Throws mllab::Error when n_splits < 2. random_state only matters with shuffle.
  explicit KFold(int n_splits = 5, bool shuffle = false, uint64_t random_state = 0);
  // The folds of n_samples rows; throws when n_splits > n_samples.
  std::vector<Fold> split(size_t n_samples) const;
  // Number of folds.
  int n_splits() const { return n_splits_; }

 private:
  int n_splits_;
  bool shuffle_;
  uint64_t random_state_;
};

// scikit-learn 1.2's StratifiedKFold: each fold keeps the class proportions of `y`. Classes
// are numbered in order of first appearance; the sorted labels are dealt round-robin to the
// folds to get each fold's count per class, and the rows of each class (in data order) fill
// the folds in blocks (fold 0 first; with shuffle, the block assignment of each class is
// shuffled by mllab::Rng).
//
// scikit-learn warns (and still splits) when some class has fewer than n_splits members; we
// have no warnings and likewise return the folds (see least_populated_class_count()).
class StratifiedKFold {
 public:
  // Throws mllab::Error when n_splits < 2. random_state only matters with shuffle.
  explicit StratifiedKFold(int n_splits = 5, bool shuffle = false, uint64_t random_state = 0);
  // The folds for labels `y` (any integers); throws when n_splits > y.size() or when every
  // class has fewer than n_splits members.
  std::vector<Fold> split(const std::vector<int>& y) const;
  // The test fold of each row (scikit-learn's _make_test_folds); same checks as split.
  std::vector<int> test_folds(const std::vector<int>& y) const;
  // Number of folds.
  int n_splits() const { return n_splits_; }
  // Members of the smallest class in `y` (0 for an empty y); below n_splits scikit-learn
  // warns "The least populated class in y has only N members, which is less than n_splits".
  static size_t least_populated_class_count(const std::vector<int>& y);

 private:
  int n_splits_;
  bool shuffle_;
  uint64_t random_state_;
};

// Per-fold scores of a cross-validation and their summary.
struct CvResult {
  // One score per fold, in fold order.
  std::vector<double> scores;
  // np.mean(scores).
  double mean = 0.0;
  // Population standard deviation (ddof=0), as cv_results_' std_test_score.
  double std = 0.0;
};

// Fits on `train` rows and returns the score on `test` rows (higher is better).
using FitAndScore =
    std::function<double(const std::vector<size_t>& train, const std::vector<size_t>& test)>;

// Calls fit_and_score on every fold in order and summarizes the scores. Throws mllab::Error
// when `folds` is empty; exceptions of fit_and_score propagate.
CvResult cross_validate(const FitAndScore& fit_and_score, const std::vector<Fold>& folds);
// cross_validate(...).scores.
std::vector<double> cross_val_score(const FitAndScore& fit_and_score,
                                    const std::vector<Fold>& folds);

// scikit-learn's ParameterGrid over a JSON object of lists ({"C": [0.1, 1], "solver": [...]})
// or an array of such objects (one grid after the other). Within a grid the keys are sorted
// (std::string order, which is Python's for ASCII names) and the last key varies fastest,
// exactly as scikit-learn's iteration order; an empty object yields one empty candidate.
class ParameterGrid {
 public:
  // Throws mllab::Error naming the parameter when a value is not a non-empty array.
  explicit ParameterGrid(const nlohmann::json& param_grid);
  // Number of candidates.
  size_t size() const;
  // Candidate `i` (a JSON object), in iteration order; throws when i >= size().
  nlohmann::json at(size_t i) const;
  // All candidates in iteration order.
  std::vector<nlohmann::json> candidates() const;

 private:
  std::vector<nlohmann::json> grids_;  // JSON objects (keys sorted)
};

// A scipy.stats distribution written in JSON, for RandomizedSearchCV's param_distributions, with
// scipy's names and parameterization:
//   {"distribution": "uniform", "loc": 0, "scale": 1}        continuous on [loc, loc + scale]
//                                                              (loc 0 and scale 1 by default)
//   {"distribution": "loguniform", "a": 0.01, "b": 100}      log-uniform on [a, b], 0 < a < b
//                                                              ("reciprocal" is the same)
//   {"distribution": "randint", "low": 10, "high": 200}      integers low..high-1, low < high
// Draws come from mllab::Rng, not numpy: deterministic per seed, in range, but not the values
// scipy would draw for the same seed.
struct ParamDistribution {
  // The distribution family.
  enum class Family { kUniform, kLogUniform, kRandInt };
  Family family = Family::kUniform;
  // The name as written ("uniform", "loguniform", "reciprocal" or "randint").
  std::string name;
  // uniform: loc and scale; loguniform: a and b.
  double p1 = 0.0;
  double p2 = 1.0;
  // randint: low (inclusive) and high (exclusive).
  int64_t low = 0;
  int64_t high = 1;

  // Draws one value: a JSON float (uniform, loguniform) or a JSON integer (randint).
  nlohmann::json sample(Rng& rng) const;
  // The smallest value the distribution can draw (loc, a or low).
  nlohmann::json lowest() const;
  // The largest value of its support (loc + scale, b or high - 1).
  nlohmann::json highest() const;
  // True when every draw is an integer (randint).
  bool integer() const { return family == Family::kRandInt; }
  // scikit-learn-style text, e.g. "loguniform(a=0.01, b=100)", "uniform(loc=0, scale=1)",
  // "randint(low=10, high=200)".
  std::string to_string() const;
};

// True when `value` is a JSON object, i.e. meant as a distribution rather than a list.
bool is_distribution(const nlohmann::json& value);
// Parses and validates a distribution object. Errors name the bad field and value, e.g.
// "loguniform needs 0 < a < b (received a=0, b=100)", "unknown distribution 'norm' (available:
// uniform, loguniform, reciprocal, randint)", "unknown field 'c' in a loguniform distribution".
Result<ParamDistribution> parse_distribution(const nlohmann::json& value);
// A param_distributions value as text, for logging: a distribution's to_string() or the JSON of
// a list ("[0.1,1,10]").
std::string param_distribution_text(const nlohmann::json& value);
// A whole param_grid / param_distributions (an object or a list of objects) as text, for the
// run's params, e.g. {"model__C": loguniform(a=0.01, b=100), "model__max_depth": [5,10]}.
std::string search_space_text(const nlohmann::json& space);

// scikit-learn's ParameterSampler over a JSON object (or an array of objects) mapping parameter
// names to lists or distributions (see ParamDistribution).
//   - Lists only: draws min(n_iter, grid size) distinct candidates of
//     ParameterGrid(param_distributions) uniformly without replacement, in draw order (a partial
//     Fisher-Yates shuffle of the grid indices).
//   - Any distribution: draws n_iter candidates with replacement; for each one an object is
//     picked uniformly (when an array of objects is given), then each parameter in sorted name
//     order gets a uniform pick of its list or a draw of its distribution, as scikit-learn does.
// The draws come from mllab::Rng(random_state), not from numpy, so the chosen candidates differ
// from scikit-learn's for the same seed. Drawn values are not checked against the parameters
// of any model: callers validate each candidate (as they do for grid values).
class ParameterSampler {
 public:
  // Throws mllab::Error when n_iter < 1, a list is empty or not a list, or a distribution is
  // invalid (naming the parameter).
  ParameterSampler(const nlohmann::json& param_distributions, int n_iter,
                   uint64_t random_state = 0);
  // Number of candidates drawn: min(n_iter, grid size) for lists only, else n_iter.
  size_t size() const;
  // The drawn candidates (the same for the same arguments).
  std::vector<nlohmann::json> candidates() const;
  // True when some parameter has a distribution (sampling with replacement).
  bool has_distributions() const { return has_distributions_; }

 private:
  std::vector<nlohmann::json> dicts_;  // JSON objects (keys sorted)
  bool has_distributions_ = false;
  int n_iter_;
  uint64_t random_state_;
};

// Scores one candidate: fits with `params` on `train` rows, returns the score on `test` rows.
// A NaN score marks a failed fit (scikit-learn's error_score=nan).
using EvaluateFn = std::function<double(const nlohmann::json& params,
                                        const std::vector<size_t>& train,
                                        const std::vector<size_t>& test)>;

// The outcome of a search, with scikit-learn's attribute names.
struct SearchResult {
  // {"params": [...], "param_<name>": [value or null per candidate], "split<k>_test_score":
  // [...], "mean_test_score", "std_test_score", "rank_test_score"} (no timing keys).
  nlohmann::json cv_results;
  // Index of the best candidate (the first one with rank 1).
  size_t best_index = 0;
  // candidates[best_index].
  nlohmann::json best_params;
  // mean_test_score[best_index].
  double best_score = 0.0;
  // scores[candidate][fold].
  std::vector<std::vector<double>> scores;
};

// GridSearchCV / RandomizedSearchCV without the refit: evaluates every candidate on every fold
// (candidate-major, then fold order) and ranks candidates by mean test score, descending, ties
// sharing the lowest rank (scipy's rankdata(method="min")); candidates with a NaN mean rank
// with the worst, as scikit-learn. Throws mllab::Error when `candidates` or `folds` is empty
// or a candidate is not a JSON object; exceptions of `evaluate` propagate.
// (Not named `search`: argument-dependent lookup would pick std::search for std::vector
// arguments.)
SearchResult search_cv(const std::vector<nlohmann::json>& candidates,
                       const std::vector<Fold>& folds, const EvaluateFn& evaluate);

// Ranks as scipy.stats.rankdata(-values, method="min") after scikit-learn's NaN handling
// (NaN -> min(non-NaN) - 1; all NaN -> all rank 1): the largest value gets rank 1.
std::vector<int> rank_descending_min(const std::vector<double>& values);

}  // namespace mllab::ml

#include "core/ml/split.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/ml/numeric.hpp"
#include "core/util/numpy_random.hpp"

namespace mllab::ml {
namespace {

const char* const kWho = "train_test_split";

// scikit-learn's _approximate_mode: draws `n_draws` of `counts` (summing to >= n_draws) in
// proportion, flooring first and then giving one more to the classes with the largest
// remainders; equal remainders are chosen among with rng.choice(..., replace=False), i.e. a
// permutation of the tied classes. Remainders are computed in doubles exactly as numpy does
// (counts / total * n_draws - floor), so its ties are ours.
std::vector<uint64_t> approximate_mode(const std::vector<uint64_t>& counts, uint64_t n_draws,
                                       NumpyRandomState& rng) {
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  std::vector<uint64_t> drawn(counts.size());
  std::vector<double> remainder(counts.size());
  uint64_t assigned = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const double continuous = static_cast<double>(counts[i]) / static_cast<double>(total) *
                              static_cast<double>(n_draws);
    const double floored = std::floor(continuous);
    drawn[i] = static_cast<uint64_t>(floored);
    remainder[i] = continuous - floored;
    assigned += drawn[i];
  }
  uint64_t need = n_draws - assigned;
  if (need == 0) return drawn;
  std::vector<double> values = remainder;
  std::sort(values.begin(), values.end(), std::greater<>());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (double value : values) {
    std::vector<size_t> tied;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (remainder[i] == value) tied.push_back(i);
    }
    const uint64_t add_now = std::min<uint64_t>(tied.size(), need);
    const std::vector<size_t> order = rng.permutation(tied.size());
    for (uint64_t j = 0; j < add_now; ++j) ++drawn[tied[order[j]]];
    need -= add_now;
    if (need == 0) break;
  }
  return drawn;
}

}  // namespace

uint32_t numpy_seed(const std::string& who, uint64_t random_state) {
  if (random_state > 0xffffffffULL) {
    throw_invalid(who, "random_state must be in [0, 4294967295] (numpy's RandomState seeds; received " +
                           std::to_string(random_state) + ")");
  }
  return static_cast<uint32_t>(random_state);
}

SplitIndices train_test_split(const std::vector<int>& y, int n_classes, double test_size,
                              uint64_t random_state, bool stratify) {
  if (!(test_size > 0.0 && test_size < 1.0)) {
    throw_invalid(kWho, "test_size must be in (0, 1) (received " + format_double(test_size) + ")");
  }
  const size_t n = y.size();
  if (n == 0) throw_invalid(kWho, "needs at least one sample (received 0)");
  if (n > (size_t{1} << 31)) throw_invalid(kWho, "too many samples (" + std::to_string(n) + ")");
  if (n_classes < 1) {
    throw_invalid(kWho, "n_classes must be >= 1 (received " + std::to_string(n_classes) + ")");
  }
  for (size_t i = 0; i < n; ++i) {
    if (y[i] < 0 || y[i] >= n_classes) {
      throw_invalid(kWho, "label " + std::to_string(y[i]) + " at row " + std::to_string(i) +
                              " is outside [0, " + std::to_string(n_classes) + ")");
    }
  }
  const auto n_test = static_cast<size_t>(std::ceil(test_size * static_cast<double>(n)));
  const size_t n_train = n - n_test;
  if (n_train == 0) {
    throw_invalid(kWho, "with n_samples=" + std::to_string(n) + " and test_size=" +
                            format_double(test_size) + ", the train set would be empty");
  }
  NumpyRandomState rng(numpy_seed(kWho, random_state));
  SplitIndices out;
  if (!stratify) {
    const std::vector<size_t> perm = rng.permutation(n);
    out.test.assign(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(n_test));
    out.train.assign(perm.begin() + static_cast<std::ptrdiff_t>(n_test), perm.end());
    return out;
  }

  // Rows of each class present in y, ascending.
  std::vector<std::vector<size_t>> rows_of(static_cast<size_t>(n_classes));
  for (size_t i = 0; i < n; ++i) rows_of[static_cast<size_t>(y[i])].push_back(i);
  std::vector<std::vector<size_t>> class_rows;
  std::vector<uint64_t> counts;
  for (int c = 0; c < n_classes; ++c) {
    auto& rows = rows_of[static_cast<size_t>(c)];
    if (rows.empty()) continue;
    if (rows.size() < 2) {
      throw_invalid(kWho, "the least populated class in y has only 1 member (class " +
                              std::to_string(c) +
                              "), which is too few to stratify; every class "
                              "needs at least 2 members");
    }
    counts.push_back(rows.size());
    class_rows.push_back(std::move(rows));
  }
  if (n_train < counts.size() || n_test < counts.size()) {
    bool train_short = n_train < counts.size();
    throw_invalid(kWho, std::string("the ") + (train_short ? "train" : "test") +
                            " set would have " + std::to_string(train_short ? n_train : n_test) +
                            " rows, fewer than the number of classes (" +
                            std::to_string(counts.size()) +
                            "); stratification needs at least one "
                            "row per class in each part");
  }
  std::vector<uint64_t> n_i = approximate_mode(counts, n_train, rng);
  std::vector<uint64_t> remaining(counts.size());
  for (size_t c = 0; c < counts.size(); ++c) remaining[c] = counts[c] - n_i[c];
  std::vector<uint64_t> t_i = approximate_mode(remaining, n_test, rng);
  for (size_t c = 0; c < class_rows.size(); ++c) {
    std::vector<size_t>& rows = class_rows[c];
    rng.shuffle(rows);  // = rows.take(rng.permutation(len(rows)))
    out.train.insert(out.train.end(), rows.begin(),
                     rows.begin() + static_cast<std::ptrdiff_t>(n_i[c]));
    out.test.insert(out.test.end(), rows.begin() + static_cast<std::ptrdiff_t>(n_i[c]),
                    rows.begin() + static_cast<std::ptrdiff_t>(n_i[c] + t_i[c]));
  }
  rng.shuffle(out.train);
  rng.shuffle(out.test);
  return out;
}

}  // namespace mllab::ml

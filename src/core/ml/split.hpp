// Train / test splitting of row indices, as scikit-learn 1.2's train_test_split (ShuffleSplit /
// StratifiedShuffleSplit) with numpy's RandomState: the same seed gives the same rows as in
// scikit-learn, natively and in WebAssembly alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mllab::ml {

// Row indices of the two parts, each in a seeded random order (as scikit-learn returns them).
struct SplitIndices {
  // Rows of the training part.
  std::vector<size_t> train;
  // Rows of the test part.
  std::vector<size_t> test;
};

// Splits rows 0..y.size()-1: n_test = ceil(test_size * n), n_train = n - n_test.
// With `stratify`, each class present in `y` (labels in [0, n_classes), numbered in sorted
// label order as np.unique does) keeps its proportion: class counts are allocated as
// scikit-learn's _approximate_mode (train first, then test from the remaining rows; floor, then
// the largest remainders, ties by numpy's rng.choice), each class's rows permuted, then both parts.
// Throws mllab::Error (kInvalidParameterValue) when test_size is outside (0, 1), a part would
// be empty, a label is out of range, or (stratified) a class has fewer than 2 members or a part
// has fewer rows than there are classes, or random_state is above 2**32 - 1.
SplitIndices train_test_split(const std::vector<int>& y, int n_classes, double test_size,
                              uint64_t random_state, bool stratify);

// random_state as numpy's RandomState seed; throws naming `who` when above 2**32 - 1 (numpy
// refuses those seeds too).
uint32_t numpy_seed(const std::string& who, uint64_t random_state);

}  // namespace mllab::ml

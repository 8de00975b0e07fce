// Train / test splitting of row indices, with the sizes and stratification rules of
// scikit-learn's train_test_split (ShuffleSplit / StratifiedShuffleSplit). The permutations
// come from mllab::Rng, so a seed gives the same split natively and in WebAssembly (only
// integer arithmetic and one IEEE multiplication), but not the split numpy would draw.
#pragma once

#include <cstddef>
#include <cstdint>
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
// With `stratify`, each class present in `y` (labels in [0, n_classes)) keeps its proportion:
// class counts are allocated as scikit-learn's _approximate_mode (train first, then test from
// the remaining rows; floor, then the largest remainders, ties broken by the seeded Rng).
// Throws mllab::Error (kInvalidParameterValue) when test_size is outside (0, 1), a part would
// be empty, a label is out of range, or (stratified) a class has fewer than 2 members or a part
// has fewer rows than there are classes.
SplitIndices train_test_split(const std::vector<int>& y, int n_classes, double test_size,
                              uint64_t random_state, bool stratify);

}  // namespace mllab::ml

// numpy's legacy RandomState (MT19937) for the draws scikit-learn makes through
// check_random_state(int): train_test_split, KFold / StratifiedKFold shuffling. With the same
// seed MLLab splits exactly the rows a scikit-learn user gets (numpy 1.24). Integer arithmetic
// only, so natively and in WebAssembly alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mllab {

class NumpyRandomState {
 public:
  // np.random.RandomState(seed): MT19937 seeded by init_genrand (numpy accepts 0..2**32-1).
  explicit NumpyRandomState(uint32_t seed);
  // The next 32 random bits (MT19937's genrand_int32).
  uint32_t next_u32();
  // Uniform integer in [0, max], as numpy's random_interval: the smallest all-ones mask >= max,
  // rejection of masked draws above max.
  uint32_t interval(uint32_t max);
  // In place, as RandomState.shuffle of a 1-d array: for i = n-1 .. 1, swap i with interval(i).
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::swap(v[i - 1], v[interval(static_cast<uint32_t>(i - 1))]);
    }
  }
  // RandomState.permutation(n): 0..n-1 shuffled.
  std::vector<std::size_t> permutation(std::size_t n);

 private:
  uint32_t key_[624];
  int pos_;
};

}  // namespace mllab

// The one random number generator: identical streams natively and in wasm (no std::*_distribution,
// whose output differs between standard libraries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mllab {

// PCG32 (O'Neill, pcg-random.org): 64-bit state, 32-bit output, seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  // Next 32 uniformly random bits.
  uint32_t next_u32();
  // Next 64 uniformly random bits.
  uint64_t next_u64();
  // Uniform double in [0, 1) with 53 random bits.
  double uniform();
  // Uniform integer in [0, n), without modulo bias (Lemire's method). n must be > 0.
  uint32_t below(uint32_t n);
  // Shuffles `v` in place (Fisher–Yates).
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = below(static_cast<uint32_t>(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  uint64_t state_;
  uint64_t inc_;
};

}  // namespace mllab

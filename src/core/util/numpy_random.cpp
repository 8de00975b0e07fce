#include "core/util/numpy_random.hpp"

namespace mllab {

namespace {
constexpr int kN = 624;
constexpr int kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfU;
constexpr uint32_t kUpperMask = 0x80000000U;
constexpr uint32_t kLowerMask = 0x7fffffffU;
}  // namespace

NumpyRandomState::NumpyRandomState(uint32_t seed) {
  key_[0] = seed;
  for (int i = 1; i < kN; ++i) {
    key_[i] = 1812433253U * (key_[i - 1] ^ (key_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  }
  pos_ = kN;
}

uint32_t NumpyRandomState::next_u32() {
  if (pos_ >= kN) {
    // Regenerate the whole state (Matsumoto & Nishimura's reference generation step).
    int i = 0;
    for (; i < kN - kM; ++i) {
      const uint32_t y = (key_[i] & kUpperMask) | (key_[i + 1] & kLowerMask);
      key_[i] = key_[i + kM] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
    }
    for (; i < kN - 1; ++i) {
      const uint32_t y = (key_[i] & kUpperMask) | (key_[i + 1] & kLowerMask);
      key_[i] = key_[i + (kM - kN)] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
    }
    const uint32_t y = (key_[kN - 1] & kUpperMask) | (key_[0] & kLowerMask);
    key_[kN - 1] = key_[kM - 1] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
    pos_ = 0;
  }
  uint32_t y = key_[pos_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

uint32_t NumpyRandomState::interval(uint32_t max) {
  if (max == 0) return 0;
  uint32_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  uint32_t value;
  while ((value = (next_u32() & mask)) > max) {
  }
  return value;
}

std::vector<std::size_t> NumpyRandomState::permutation(std::size_t n) {
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = i;
  shuffle(out);
  return out;
}

}  // namespace mllab

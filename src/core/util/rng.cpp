#include "core/util/rng.hpp"

namespace mllab {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(uint64_t seed) {
  uint64_t s = seed;
  state_ = 0;
  inc_ = (splitmix64(s) << 1) | 1u;
  next_u32();
  state_ += splitmix64(s);
  next_u32();
}

uint32_t Rng::next_u32() {
  uint64_t old = state_;
  state_ = old * 6364136223846793005ULL + inc_;
  auto xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
  auto rot = static_cast<uint32_t>(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

uint64_t Rng::next_u64() { return (uint64_t(next_u32()) << 32) | next_u32(); }

double Rng::uniform() { return double(next_u64() >> 11) * (1.0 / 9007199254740992.0); }

uint32_t Rng::below(uint32_t n) {
  uint64_t m = uint64_t(next_u32()) * n;
  auto l = static_cast<uint32_t>(m);
  if (l < n) {
    uint32_t t = (0u - n) % n;
    while (l < t) {
      m = uint64_t(next_u32()) * n;
      l = static_cast<uint32_t>(m);
    }
  }
  return static_cast<uint32_t>(m >> 32);
}

}  // namespace mllab

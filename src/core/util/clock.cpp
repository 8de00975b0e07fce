#include "core/util/clock.hpp"

#include <chrono>
#include <random>

#include "core/util/rng.hpp"

namespace mllab {
namespace {

std::function<int64_t()>& clock_override() {
  static std::function<int64_t()> f;
  return f;
}

}  // namespace

int64_t now_ms() {
  if (clock_override()) return clock_override()();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void set_clock_for_testing(std::function<int64_t()> clock) { clock_override() = std::move(clock); }

std::string new_id() {
  // Ids need uniqueness, not reproducibility: seed from the OS entropy source and the clock.
  static Rng rng([] {
    std::random_device rd;
    uint64_t s = (uint64_t(rd()) << 32) ^ rd();
    return s ^ uint64_t(std::chrono::high_resolution_clock::now().time_since_epoch().count());
  }());
  static const char* kHex = "0123456789abcdef";
  std::string id(32, '0');
  for (int i = 0; i < 32; i += 8) {
    uint32_t r = rng.next_u32();
    for (int j = 0; j < 8; ++j) id[i + j] = kHex[(r >> (4 * j)) & 15];
  }
  return id;
}

}  // namespace mllab

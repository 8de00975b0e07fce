// Wall clock and ids. Tests inject a fixed clock through set_clock_for_testing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace mllab {

// Milliseconds since the Unix epoch (MLflow's time unit).
int64_t now_ms();
// Replaces the clock (nullptr restores the real one). For tests.
void set_clock_for_testing(std::function<int64_t()> clock);

// A new random 32-hex-digit id (like MLflow's uuid4().hex run ids).
std::string new_id();

}  // namespace mllab

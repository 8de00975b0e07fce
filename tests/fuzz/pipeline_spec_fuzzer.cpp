// libFuzzer target "pipeline_spec": see fuzz_pipeline_spec in fuzz_entries.hpp (scripts/fuzz.sh runs it).
#include "fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return mllab::fuzz::run_fuzz_input(mllab::fuzz::fuzz_pipeline_spec, data, size);
}

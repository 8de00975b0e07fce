// The fuzz targets' entry functions: each feeds bytes to MLLab's public entry points. One home,
// shared by the libFuzzer targets (tests/fuzz/*_fuzzer.cpp, scripts/fuzz.sh) and the regression
// replay test (tests/core/fuzz_regressions_test.cpp, every file of tests/fuzz/regressions/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>
#include <vector>

#include "core/util/status.hpp"

namespace mllab::fuzz {

// Each entry returns the Status the product gave the input: ok, or the error it refused it with.
// ErrorCode::kInternalError means one of MLLab's own promises broke (e.g. a parsed model URI
// that does not survive to_string and back); the fuzzers abort on it. Anything thrown escapes,
// so the fuzzer reports it as a crash.

// data/csv.hpp: read_csv under the option set picked by the first byte, then write_csv and
// read_csv again.
Status fuzz_csv(std::string_view data);
// pipeline/spec.hpp: read_json (as the CLI reads a spec file), parse_pipeline_spec of the
// document and of the text; a parsed spec's canonical JSON must parse again.
Status fuzz_pipeline_spec(std::string_view data);
// registry/model_doc.hpp: read_json, model_doc_from_json, writing it back (MLLab's and MLflow's
// shapes; MLLab's must parse again), and the document's "input_example" through
// table_from_split_json and conform_input.
Status fuzz_model_doc(std::string_view data);
// Stored records in a MemoryStore, read through the stores' public get / list / search paths:
// the first byte picks the record (run, experiment, dataset, feature group, registered model,
// metric history), the rest is its bytes.
Status fuzz_store_records(std::string_view data);
// tracking/search.hpp and the registry's model search: line 1 is a filter, the next lines
// order_by terms, run against fixed runs and registered models.
Status fuzz_filter(std::string_view data);
// registry/model_uri.hpp: parse_model_uri (a parsed URI must survive to_string and back), the
// name / alias / run id checks, resolve over a store, and dataset references.
Status fuzz_model_uri(std::string_view data);

struct Target {
  const char* name;  // also the folder under tests/fuzz/corpus/ and tests/fuzz/regressions/
  Status (*entry)(std::string_view data);
};
// Every target, in the order above.
const std::vector<Target>& targets();

// The body of LLVMFuzzerTestOneInput: runs `entry` and aborts when it reports a broken promise.
inline int run_fuzz_input(Status (*entry)(std::string_view), const uint8_t* data, size_t size) {
  Status s = entry(std::string_view(reinterpret_cast<const char*>(data), size));
  if (s.code() == ErrorCode::kInternalError) {
    std::fprintf(stderr, "broken promise: %s\n", s.message().c_str());
    std::abort();
  }
  return 0;
}

}  // namespace mllab::fuzz

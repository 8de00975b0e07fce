// Replays the fuzz targets' inputs through the same entry functions as the fuzzers
// (tests/fuzz/fuzz_entries.hpp): every seed of tests/fuzz/corpus/<target>/ and every crash input
// the fuzzers found, kept in tests/fuzz/regressions/<target>/, natively and in wasm. None may
// throw or break a promise (kInternalError); files named "refused_*" must get an error Status.
#include "../fuzz/fuzz_entries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mllab::fuzz {
namespace {

namespace fs = std::filesystem;

struct Input {
  std::string file;  // relative to the source tree, for messages
  std::string bytes;
};

// The files of tests/fuzz/<kind>/<target>/, sorted (an absent folder has none).
std::vector<Input> inputs(const std::string& kind, const std::string& target) {
  const fs::path dir = fs::path(MLLAB_SOURCE_DIR) / "tests/fuzz" / kind / target;
  std::vector<Input> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    out.push_back({"tests/fuzz/" + kind + "/" + target + "/" + entry.path().filename().string(), bytes.str()});
  }
  std::sort(out.begin(), out.end(), [](const Input& a, const Input& b) { return a.file < b.file; });
  return out;
}

bool named_refused(const std::string& file) {
  return fs::path(file).filename().string().rfind("refused_", 0) == 0;
}

// Runs every input of `kind` through every target; returns how many were replayed.
size_t replay(const std::string& kind) {
  size_t n = 0;
  for (const Target& t : targets()) {
    for (const Input& in : inputs(kind, t.name)) {
      ++n;
      Status s = Status::ok();
      EXPECT_NO_THROW(s = t.entry(in.bytes)) << in.file;
      EXPECT_NE(s.code(), ErrorCode::kInternalError) << in.file << ": " << s.message();
      if (named_refused(in.file)) {
        EXPECT_FALSE(s.is_ok()) << in.file << " was accepted";
      }
    }
  }
  return n;
}

TEST(FuzzRegressions, SeedCorporaRunThroughEveryTarget) {
  // Each target has seeds; real documents (example specs, a run's MLmodel) are accepted.
  for (const Target& t : targets()) EXPECT_FALSE(inputs("corpus", t.name).empty()) << t.name;
  EXPECT_GT(replay("corpus"), 40u);
  for (const Input& in : inputs("corpus", "pipeline_spec")) {
    EXPECT_TRUE(fuzz_pipeline_spec(in.bytes).is_ok()) << in.file;
  }
  for (const Input& in : inputs("corpus", "model_doc")) {
    EXPECT_TRUE(fuzz_model_doc(in.bytes).is_ok()) << in.file;
  }
}

TEST(FuzzRegressions, CrashInputsFoundByTheFuzzersNoLongerCrash) {
  const size_t n = replay("regressions");
  std::printf("replayed %zu regression inputs\n", n);
}

}  // namespace
}  // namespace mllab::fuzz

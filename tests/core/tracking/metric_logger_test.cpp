#include "core/tracking/metric_logger.hpp"

#include <gtest/gtest.h>

namespace mllab::tracking {
namespace {

// Counts commits to check that logging is batched.
class CountingStore : public store::MemoryStore {
 public:
  Status commit(const store::Batch& b) override {
    ++commits;
    return MemoryStore::commit(b);
  }
  size_t commits = 0;
};

TEST(MetricLogger, HundredThousandPointsAcrossHundredRunsAreBatchedAndReadBackIntact) {
  CountingStore store;
  TrackingClient client(store);
  auto exp = client.get_or_create_experiment("loop");
  ASSERT_TRUE(exp.is_ok());
  std::vector<std::string> runs;
  for (int r = 0; r < 100; ++r) runs.push_back(client.create_run(exp->experiment_id, "r" + std::to_string(r), r)->run_id);
  const size_t before = store.commits;
  MetricLogger logger(client, 10000);
  for (int step = 0; step < 1000; ++step) {
    for (int r = 0; r < 100; ++r) {
      ASSERT_TRUE(logger.log_metric(runs[size_t(r)], "loss", 1.0 / (step + 1) + r, step, 1000 + step).is_ok());
    }
  }
  ASSERT_TRUE(logger.flush().is_ok());
  EXPECT_EQ(logger.buffered(), 0u);
  // 100,000 points, 10,000 per flush, one batch per run per flush: 10 flushes x 100 runs.
  EXPECT_EQ(store.commits - before, 1000u);
  EXPECT_EQ(logger.batches_written(), 1000u);
  for (int r : {0, 57, 99}) {
    auto h = client.get_metric_history(runs[size_t(r)], "loss");
    ASSERT_EQ(h.size(), 1000u);
    for (int step = 0; step < 1000; ++step) {
      EXPECT_EQ(h[size_t(step)].step, step);
      EXPECT_EQ(h[size_t(step)].value, 1.0 / (step + 1) + r);
    }
    EXPECT_EQ(client.get_run(runs[size_t(r)])->metrics.at("loss").step, 999) << "latest = highest step";
  }
}

TEST(MetricLogger, AFailedFlushKeepsThePointsBuffered) {
  store::MemoryStore store;
  TrackingClient client(store);
  MetricLogger logger(client);
  ASSERT_TRUE(logger.log_metric("missing-run", "loss", 1, 0, 0).is_ok());
  EXPECT_FALSE(logger.flush().is_ok());
  EXPECT_EQ(logger.buffered(), 1u);
  EXPECT_FALSE(logger.log_metric("r", "", 1, 0, 0).is_ok());
}

}  // namespace
}  // namespace mllab::tracking

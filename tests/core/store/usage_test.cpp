// The Storage & settings view's figures: records and bytes by kind from the store's keys, the
// clear-everything batch, and how sizes and counts are written.
#include "core/store/usage.hpp"

#include <gtest/gtest.h>

namespace mllab::store {
namespace {

const KindUsage& find(const std::vector<KindUsage>& u, const std::string& kind) {
  for (const auto& k : u) {
    if (k.kind == kind) return k;
  }
  throw std::runtime_error("no kind " + kind);
}

TEST(StorageUsage, CountsRecordsAndBytesByKind) {
  MemoryStore s;
  Batch b;
  b.put("runs/abc", std::string(100, 'r'));            // 8 + 100
  b.put("runs/def", std::string(50, 'r'));             // 8 + 50
  b.put("metrics/abc/1", std::string(10, 'm'));        // 13 + 10
  b.put("blobs/0123", std::string(1000, 'b'));         // 10 + 1000
  b.put("predictions/m/1", "p");                       // 15 + 1
  b.put("prediction_actuals/m/1", "a");                // 22 + 1
  b.put("registered_models/iris", "{}");               // 22 + 2
  b.put("zzz/unknown", "x");                           // 11 + 1
  ASSERT_TRUE(s.commit(b));
  auto u = usage_by_kind(s);
  EXPECT_EQ(find(u, "runs").count, 2u);
  EXPECT_EQ(find(u, "runs").bytes, 166u);
  EXPECT_EQ(find(u, "metrics").count, 1u);
  EXPECT_EQ(find(u, "metrics").bytes, 23u);
  EXPECT_EQ(find(u, "blobs").bytes, 1010u);
  EXPECT_EQ(find(u, "predictions").count, 2u);  // logged predictions and their actuals
  EXPECT_EQ(find(u, "predictions").bytes, 39u);
  EXPECT_EQ(find(u, "models").count, 1u);
  EXPECT_EQ(find(u, "other").count, 1u);
  EXPECT_EQ(find(u, "artifacts").count, 0u);  // listed even when empty
  EXPECT_EQ(find(u, "drift_reports").count, 0u);
  EXPECT_EQ(u.back().kind, "other");
  const KindUsage t = total_usage(u);
  EXPECT_EQ(t.count, 8u);
  EXPECT_EQ(t.bytes, 166u + 23 + 1010 + 39 + 24 + 12);
}

TEST(StorageUsage, EmptyStoreHasEveryKindAtZero) {
  MemoryStore s;
  auto u = usage_by_kind(s);
  EXPECT_GE(u.size(), 10u);
  EXPECT_EQ(total_usage(u).count, 0u);
  EXPECT_EQ(total_usage(u).bytes, 0u);
}

TEST(StorageUsage, ClearAllBatchLeavesAnEmptyStore) {
  MemoryStore s;
  Batch b;
  b.put("runs/a", "1");
  b.put("experiments/0", "2");
  b.put("artifacts/a/model/model.json", "3");
  ASSERT_TRUE(s.commit(b));
  Batch clear = clear_all_batch(s);
  EXPECT_EQ(clear.writes().size(), 3u);
  ASSERT_TRUE(s.commit(clear));
  EXPECT_TRUE(s.keys("").empty());
  EXPECT_TRUE(clear_all_batch(s).empty());
}

TEST(StorageUsage, FormatsBytesAndCounts) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(999), "999 B");
  EXPECT_EQ(format_bytes(1000), "1.0 KB");
  EXPECT_EQ(format_bytes(12345), "12.3 KB");
  EXPECT_EQ(format_bytes(4'500'000), "4.5 MB");
  EXPECT_EQ(format_bytes(1'200'000'000), "1.2 GB");
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1234), "1,234");
  EXPECT_EQ(format_count(1234567), "1,234,567");
}

}  // namespace
}  // namespace mllab::store

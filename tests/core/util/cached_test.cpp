// Cached<T>: reloads exactly when the store's revision changes.
#include "core/util/cached.hpp"

#include <gtest/gtest.h>

#include "core/store/store.hpp"

namespace mllab {
namespace {

TEST(CachedTest, LoadsOncePerStoreRevision) {
  store::MemoryStore s;
  Cached<size_t> count;
  int loads = 0;
  auto load = [&] { ++loads; return s.keys("").size(); };
  EXPECT_EQ(count.get(s.revision(), load), 0u);
  EXPECT_EQ(count.get(s.revision(), load), 0u);
  EXPECT_EQ(loads, 1);
  store::Batch b;
  b.put("runs/a", "x");
  ASSERT_TRUE(s.commit(b).is_ok());
  EXPECT_EQ(count.get(s.revision(), load), 1u);
  EXPECT_EQ(loads, 2);
  count.reset();
  EXPECT_EQ(count.get(s.revision(), load), 1u);
  EXPECT_EQ(loads, 3);
  EXPECT_EQ(count.loads(), 3u);
}

TEST(CachedTest, RevisionMovesOnlyOnCommittedBatches) {
  store::MemoryStore s;
  const uint64_t r0 = s.revision();
  store::Batch bad;
  bad.put("a", "1");
  bad.put("a/b", "2");  // a key cannot also be a folder: refused, nothing changes
  EXPECT_FALSE(s.commit(bad).is_ok());
  EXPECT_EQ(s.revision(), r0);
  store::Batch empty;
  ASSERT_TRUE(s.commit(empty).is_ok());
  store::Batch ok;
  ok.put("a", "1");
  ASSERT_TRUE(s.commit(ok).is_ok());
  EXPECT_GT(s.revision(), r0);
}

}  // namespace
}  // namespace mllab

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/features/feature_store.hpp"
#include "core/features/timestamp.hpp"
#include "core/store/store.hpp"

namespace mllab::features {
namespace {

TEST(FeatureFreshness, NewestAndOldestEventTimestamps) {
  store::MemoryStore store;
  FeatureStore fs(store);
  auto t = data::read_csv(
      "driver_id,event_timestamp,conv_rate\n"
      "1001,2021-04-12T10:59:42Z,0.5\n"
      "1002,2021-04-12T08:12:10Z,0.3\n"
      "1001,2021-04-13T00:00:00+02:00,0.7\n");
  ASSERT_TRUE(t.is_ok());
  FeatureGroupOptions o;
  o.entity_keys = {"driver_id"};
  ASSERT_TRUE(fs.register_features("driver_stats", *t, o).is_ok());
  auto f = fs.freshness("driver_stats");
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  EXPECT_EQ(format_timestamp(*f->newest_event_us), "2021-04-12T22:00:00Z");
  EXPECT_EQ(format_timestamp(*f->oldest_event_us), "2021-04-12T08:12:10Z");
  EXPECT_FALSE(fs.freshness("nothing").is_ok());
}

}  // namespace
}  // namespace mllab::features

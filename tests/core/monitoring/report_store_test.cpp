#include "core/monitoring/report_store.hpp"

#include <gtest/gtest.h>

#include "core/data/csv.hpp"
#include "core/util/clock.hpp"

namespace mllab::monitoring {
namespace {

DriftReport small_report() {
  auto ref = data::read_csv("x,c\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n7,a\n");
  auto cur = data::read_csv("x,c\n11,a\n12,a\n13,a\n14,a\n15,a\n16,a\n17,a\n");
  auto r = compute_drift(*ref, *cur, {});
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.value();
}

TEST(DriftReportStore, SavesListsPerModelVersionNewestFirstAndReloadsIntact) {
  int64_t now = 1000;
  set_clock_for_testing([&] { return now += 10; });
  store::MemoryStore store;
  DriftReportStore reports(store);
  DriftReport report = small_report();
  StoredDriftReport a;
  a.model_name = "churn";
  a.model_version = 1;
  a.model_uri = "models:/churn/1";
  a.reference = "training data";
  a.current = "week 1";
  a.report = report;
  auto saved = reports.save(a);
  ASSERT_TRUE(saved.is_ok()) << saved.status().to_string();
  StoredDriftReport b = a;
  b.model_version = 2;
  b.current = "week 2";
  ASSERT_TRUE(reports.save(b).is_ok());
  StoredDriftReport c = a;
  c.model_name = "";
  c.model_version.reset();
  ASSERT_TRUE(reports.save(c).is_ok());

  EXPECT_EQ(reports.list().size(), 3u);
  auto churn = reports.list("churn");
  ASSERT_EQ(churn.size(), 2u);
  EXPECT_EQ(churn[0].current, "week 2") << "newest first";
  auto v1 = reports.list("churn", 1);
  ASSERT_EQ(v1.size(), 1u);
  EXPECT_EQ(v1[0].report_id, saved->report_id);
  auto back = reports.get(saved->report_id);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(drift_report_to_json(back->report), drift_report_to_json(report));
  EXPECT_EQ(back->model_uri, "models:/churn/1");
  EXPECT_FALSE(reports.get("nope").is_ok());
  set_clock_for_testing(nullptr);
}

}  // namespace
}  // namespace mllab::monitoring

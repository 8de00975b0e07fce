// The chart module's maths (src/app/charts/scale.hpp): ticks, scales, zoom / pan, labels, histograms.
#include <gtest/gtest.h>

#include <cmath>

#include "app/charts/scale.hpp"

namespace mllab::app::charts {
namespace {

TEST(ChartScale, NiceTicksUseOneTwoFiveSteps) {
  double step = 0;
  auto t = nice_ticks(0, 1, 6, &step);
  EXPECT_DOUBLE_EQ(step, 0.2);
  ASSERT_EQ(t.size(), 6u);
  EXPECT_DOUBLE_EQ(t[0], 0);
  EXPECT_DOUBLE_EQ(t[3], 0.6);  // snapped: not 0.6000000000000001
  EXPECT_DOUBLE_EQ(t[5], 1);

  t = nice_ticks(0.913, 0.987, 5, &step);
  EXPECT_DOUBLE_EQ(step, 0.02);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_DOUBLE_EQ(t.front(), 0.92);
  EXPECT_DOUBLE_EQ(t.back(), 0.98);

  t = nice_ticks(-37, 1234, 6, &step);
  EXPECT_DOUBLE_EQ(step, 500);
  EXPECT_EQ(t, (std::vector<double>{0, 500, 1000}));

  t = nice_ticks(10, 10, 5, &step);  // empty range: one tick
  EXPECT_EQ(t, std::vector<double>{10});
  EXPECT_TRUE(nice_ticks(NAN, 1, 5).empty());
}

TEST(ChartScale, TicksStayInsideTheRange) {
  for (double lo : {-3.7, 0.0, 0.001, 12.5}) {
    for (double span : {0.003, 1.0, 77.0, 1e6}) {
      auto t = nice_ticks(lo, lo + span, 7);
      ASSERT_GE(t.size(), 2u) << lo << " " << span;
      EXPECT_LE(t.size(), 8u);
      for (double v : t) {
        EXPECT_GE(v, lo - span * 1e-9);
        EXPECT_LE(v, lo + span + span * 1e-9);
      }
    }
  }
}

TEST(ChartScale, NiceRangeEndsOnSteps) {
  Range r = nice_range(0.13, 0.87, 6);
  EXPECT_DOUBLE_EQ(r.lo, 0.0);
  EXPECT_DOUBLE_EQ(r.hi, 1.0);
  r = nice_range(3, 97, 6);
  EXPECT_DOUBLE_EQ(r.lo, 0);
  EXPECT_DOUBLE_EQ(r.hi, 100);
}

TEST(ChartScale, LogTicksArePowersOfTen) {
  EXPECT_EQ(log_ticks(0.001, 1000), (std::vector<double>{0.001, 0.01, 0.1, 1, 10, 100, 1000}));
  EXPECT_EQ(log_ticks(1, 50), (std::vector<double>{1, 2, 5, 10, 20, 50}));
  EXPECT_TRUE(log_ticks(0, 10).empty());
}

TEST(ChartScale, LinearScaleMapsBothWays) {
  Scale x({0, 10}, 100, 300);
  EXPECT_DOUBLE_EQ(x.to_pixel(0), 100);
  EXPECT_DOUBLE_EQ(x.to_pixel(5), 200);
  EXPECT_DOUBLE_EQ(x.to_pixel(10), 300);
  EXPECT_DOUBLE_EQ(x.to_data(250), 7.5);
  Scale y({0, 1}, 400, 0);  // y grows upwards
  EXPECT_DOUBLE_EQ(y.to_pixel(0.25), 300);
  EXPECT_DOUBLE_EQ(y.to_data(100), 0.75);
}

TEST(ChartScale, LogScaleMapsDecadesEvenly) {
  Scale x({1, 1000}, 0, 300, true);
  EXPECT_NEAR(x.to_pixel(10), 100, 1e-9);
  EXPECT_NEAR(x.to_pixel(100), 200, 1e-9);
  EXPECT_NEAR(x.to_data(150), std::sqrt(1000.0), 1e-9);
}

TEST(ChartScale, DataRangeIgnoresNonFiniteAndWidensSingleValues) {
  Range r = data_range({3, NAN, -1, INFINITY, 2});
  EXPECT_DOUBLE_EQ(r.lo, -1);
  EXPECT_DOUBLE_EQ(r.hi, 3);
  r = data_range({5});
  EXPECT_LT(r.lo, 5);
  EXPECT_GT(r.hi, 5);
  r = data_range({});
  EXPECT_LT(r.lo, r.hi);
  r = data_range({-1, 0, 0.1, 100}, true);  // log: positives only
  EXPECT_DOUBLE_EQ(r.lo, 0.1);
  EXPECT_DOUBLE_EQ(r.hi, 100);
}

TEST(ChartScale, ZoomKeepsTheAnchorInPlace) {
  Range r{0, 10};
  Range z = zoom(r, 2, 0.5);
  EXPECT_DOUBLE_EQ(z.lo, 1);
  EXPECT_DOUBLE_EQ(z.hi, 6);
  // The anchor sits at the same fraction of the axis before and after.
  EXPECT_DOUBLE_EQ((2 - r.lo) / r.span(), (2 - z.lo) / z.span());
  Range back = zoom(z, 2, 2.0);
  EXPECT_DOUBLE_EQ(back.lo, 0);
  EXPECT_DOUBLE_EQ(back.hi, 10);
  // Log: decades shrink around the anchor.
  Range lz = zoom({1, 10000}, 100, 0.5, true);
  EXPECT_NEAR(lz.lo, 10, 1e-9);
  EXPECT_NEAR(lz.hi, 1000, 1e-9);
  // Zooming far in stops before the range collapses.
  Range tiny{1, 1 + 1e-13};
  EXPECT_EQ(zoom(tiny, 1, 1e-6), tiny);
}

TEST(ChartScale, PanMovesByAxisFraction) {
  Range p = pan({0, 10}, 50, 200);
  EXPECT_DOUBLE_EQ(p.lo, 2.5);
  EXPECT_DOUBLE_EQ(p.hi, 12.5);
  Range lp = pan({1, 100}, 100, 200, true);  // half the axis = one decade
  EXPECT_NEAR(lp.lo, 10, 1e-9);
  EXPECT_NEAR(lp.hi, 1000, 1e-9);
}

TEST(ChartScale, TickLabelsUseTheStepsDecimals) {
  EXPECT_EQ(format_tick(0.6000000000000001, 0.2), "0.6");
  EXPECT_EQ(format_tick(0.25, 0.25), "0.25");
  EXPECT_EQ(format_tick(0.94, 0.02), "0.94");
  EXPECT_EQ(format_tick(1.5, 0.5), "1.5");
  EXPECT_EQ(format_tick(200, 100), "200");
  EXPECT_EQ(format_tick(0, 0.1), "0");
  EXPECT_EQ(format_tick(25000, 5000), "25k");
  EXPECT_EQ(format_tick(2500000, 500000), "2.5M");
  EXPECT_EQ(format_tick(-12500, 2500), "-12.5k");
  EXPECT_EQ(format_tick(0.00002, 0.00001), "2e-05");
}

TEST(ChartScale, TooltipValuesKeepSixDigits) {
  EXPECT_EQ(format_value(0.953125), "0.953125");
  EXPECT_EQ(format_value(12.0), "12");
  EXPECT_EQ(format_value(1.0 / 3.0), "0.333333");
  EXPECT_EQ(format_value(1e-7), "1e-07");
  EXPECT_EQ(format_value(NAN), "NaN");
}

TEST(ChartScale, HistogramNormalisation) {
  // numpy 1.24: np.histogram([1,2,2,3,3,3,4], bins=[0,2,4,8], density=True)
  //   -> [0.07142857, 0.35714286, 0.03571429] (counts [1, 5, 1] of 7)
  std::vector<double> edges{0, 2, 4, 8};
  auto counts = bin_counts({1, 2, 2, 3, 3, 3, 4}, edges);
  EXPECT_EQ(counts, (std::vector<double>{1, 5, 1}));  // 4 falls in [4, 8]
  auto d = density(counts, edges);
  EXPECT_DOUBLE_EQ(d[0], 1.0 / 14);
  EXPECT_DOUBLE_EQ(d[1], 5.0 / 14);
  EXPECT_DOUBLE_EQ(d[2], 1.0 / 28);
  double area = d[0] * 2 + d[1] * 2 + d[2] * 4;
  EXPECT_DOUBLE_EQ(area, 1.0);
  auto n = normalize_counts(counts);
  EXPECT_DOUBLE_EQ(n[1], 5.0 / 7);
  EXPECT_EQ(normalize_counts({0, 0}), (std::vector<double>{0, 0}));
  // The last bin includes its right edge, values outside are dropped.
  EXPECT_EQ(bin_counts({8, 9, -1, NAN}, edges), (std::vector<double>{0, 0, 1}));
}

TEST(ChartScale, NearestPointWithinRadius) {
  std::vector<double> xs{10, 50, 90}, ys{10, 50, 90};
  EXPECT_EQ(nearest_point(xs, ys, 52, 47, 8), 1);
  EXPECT_EQ(nearest_point(xs, ys, 30, 30, 8), -1);
  EXPECT_EQ(nearest_by_x({0, 1, 2, 3}, 2.4), 2u);
}

}  // namespace
}  // namespace mllab::app::charts

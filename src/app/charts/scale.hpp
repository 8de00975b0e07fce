// The chart module's maths, free of ImGui so native tests reach it: nice tick values, linear
// and log scales (data <-> pixel), zoom / pan range arithmetic, tick-label formatting and
// histogram normalisation.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mllab::app::charts {

// A closed data interval [lo, hi].
struct Range {
  double lo = 0, hi = 1;
  double span() const { return hi - lo; }
  bool operator==(const Range& o) const { return lo == o.lo && hi == o.hi; }
};

// Ticks at 1, 2 or 5 times a power of ten covering [lo, hi] with at most about `max_ticks`
// values, all inside [lo, hi]; `step` receives the spacing. An empty or non-finite range gives
// one tick (or none).
std::vector<double> nice_ticks(double lo, double hi, int max_ticks, double* step = nullptr);
// The smallest range containing [lo, hi] whose ends are multiples of the nice step.
Range nice_range(double lo, double hi, int max_ticks);
// Ticks at powers of ten inside [lo, hi] (both > 0); with fewer than two decades, also at 2 and 5.
std::vector<double> log_ticks(double lo, double hi);

// The range of the finite values in `v` (log: only positive ones); a single value or an empty
// set is widened to a non-empty range (so the chart can still be drawn).
Range data_range(const std::vector<double>& v, bool log = false);
// Merges two ranges.
Range unite(Range a, Range b);
// Adds `fraction` of the span on both sides (a zero span grows by 1, or by 10% of |value|).
Range pad(Range r, double fraction);

// Maps a data range onto a pixel interval [p0, p1] (p1 < p0 for a y axis growing upwards).
class Scale {
 public:
  Scale() = default;
  Scale(Range data, double p0, double p1, bool log = false);
  double to_pixel(double v) const;
  double to_data(double px) const;
  bool log() const { return log_; }
  Range data() const { return data_; }

 private:
  Range data_;
  double p0_ = 0, p1_ = 1;
  bool log_ = false;
  double t(double v) const;   // value -> transformed (log10 for log scales)
  double ti(double t) const;  // transformed -> value
};

// Zooms `r` by `factor` (< 1 zooms in) keeping `anchor` (a data value) where it is on screen.
// On a log scale the arithmetic is done on log10 of the values.
Range zoom(Range r, double anchor, double factor, bool log = false);
// Pans `r` by `pixels` of an axis `axis_pixels` long (positive moves the view to higher values).
Range pan(Range r, double pixels, double axis_pixels, bool log = false);

// A tick label: as many decimals as the tick step needs ("0.25", "1.5", "200"), thousands
// as "10k" / "2.5M" from 10,000 up, scientific for tiny steps (< 1e-4).
std::string format_tick(double v, double step);
// A value for tooltips: up to 6 significant digits, no trailing zeros ("0.953125", "12", "1e-07").
std::string format_value(double v);

// Counts scaled to sum 1 (each bar: the fraction of the series in that bin); all zero stays zero.
std::vector<double> normalize_counts(const std::vector<double>& counts);
// numpy's histogram(density=True): count / (total * bin width), so the area is 1.
std::vector<double> density(const std::vector<double>& counts, const std::vector<double>& edges);
// Counts of `values` in the bins between `edges` (numpy's rule: the last bin includes its right edge).
std::vector<double> bin_counts(const std::vector<double>& values, const std::vector<double>& edges);

// The index of the point nearest (px, py) in pixels among xs/ys already in pixels, or -1 if
// none lies within `radius` pixels.
int nearest_point(const std::vector<double>& xs, const std::vector<double>& ys, double px, double py, double radius);
// The index of the value in `xs` nearest `x` (any order; 0 when empty).
std::size_t nearest_by_x(const std::vector<double>& xs, double x);

}  // namespace mllab::app::charts

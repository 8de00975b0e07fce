#include "app/charts/scale.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace mllab::app::charts {
namespace {

double nice_step(double span, int max_ticks) {
  if (max_ticks < 2) max_ticks = 2;
  const double raw = span / double(max_ticks - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  double nf = 10;
  if (f <= 1.0 + 1e-9) nf = 1;
  else if (f <= 2.0 + 1e-9) nf = 2;
  else if (f <= 5.0 + 1e-9) nf = 5;
  return nf * mag;
}

// Removes floating noise: 0.30000000000000004 -> 0.3 relative to the step.
double snap(double v, double step) {
  const double r = std::round(v / step) * step;
  return std::fabs(r) < step * 1e-9 ? 0.0 : r;
}

std::string trim_zeros(std::string s) {
  auto e = s.find_first_of("eE");
  std::string exp = e == std::string::npos ? "" : s.substr(e);
  std::string mant = e == std::string::npos ? s : s.substr(0, e);
  if (mant.find('.') != std::string::npos) {
    while (!mant.empty() && mant.back() == '0') mant.pop_back();
    if (!mant.empty() && mant.back() == '.') mant.pop_back();
  }
  if (!exp.empty()) {
    // e-07 -> e-07 kept; e+06 -> e+06
  }
  return mant + exp;
}

// Decimals a label needs so consecutive ticks `step` apart read differently (0.25 -> 2, 2.5 -> 1).
int decimals_for(double step) {
  if (!(step > 0)) return 0;
  int dec = 0;
  while (dec < 12) {
    const double scaled = step * std::pow(10.0, dec);
    if (std::fabs(scaled - std::round(scaled)) <= 1e-6 * std::max(1.0, scaled)) break;
    ++dec;
  }
  return dec;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int max_ticks, double* step_out) {
  std::vector<double> out;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return out;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    if (step_out) *step_out = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    out.push_back(lo);
    return out;
  }
  const double step = nice_step(hi - lo, max_ticks);
  if (step_out) *step_out = step;
  const double eps = step * 1e-9;
  double first = std::ceil((lo - eps) / step) * step;
  for (int i = 0; i < 1000; ++i) {
    double v = snap(first + i * step, step);
    if (v > hi + eps) break;
    out.push_back(v);
  }
  return out;
}

Range nice_range(double lo, double hi, int max_ticks) {
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) return pad({lo, hi}, 0.1);
  const double step = nice_step(hi - lo, max_ticks);
  return {snap(std::floor(lo / step + 1e-9) * step, step), snap(std::ceil(hi / step - 1e-9) * step, step)};
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> out;
  if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
  if (hi < lo) std::swap(lo, hi);
  const int e0 = int(std::floor(std::log10(lo))), e1 = int(std::ceil(std::log10(hi)));
  const bool fine = std::log10(hi) - std::log10(lo) < 2.0;
  for (int e = e0; e <= e1; ++e) {
    const double p = std::pow(10.0, e);
    for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
      const double v = m * p;
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push_back(v);
    }
  }
  return out;
}

Range data_range(const std::vector<double>& v, bool log) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double x : v) {
    if (!std::isfinite(x) || (log && x <= 0)) continue;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  if (lo > hi) return log ? Range{1, 10} : Range{0, 1};
  if (lo == hi) {
    if (log) return {lo / 2, lo * 2};
    return pad({lo, hi}, 0.0);
  }
  return {lo, hi};
}

Range unite(Range a, Range b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

Range pad(Range r, double fraction) {
  double s = r.span();
  if (s == 0) {
    double d = r.lo == 0 ? 1.0 : std::fabs(r.lo) * 0.1;
    return {r.lo - d, r.hi + d};
  }
  return {r.lo - s * fraction, r.hi + s * fraction};
}

Scale::Scale(Range data, double p0, double p1, bool log) : data_(data), p0_(p0), p1_(p1), log_(log) {}

double Scale::t(double v) const { return log_ ? std::log10(std::max(v, 1e-300)) : v; }
double Scale::ti(double t) const { return log_ ? std::pow(10.0, t) : t; }

double Scale::to_pixel(double v) const {
  const double a = t(data_.lo), b = t(data_.hi);
  if (b == a) return (p0_ + p1_) / 2;
  return p0_ + (t(v) - a) / (b - a) * (p1_ - p0_);
}

double Scale::to_data(double px) const {
  const double a = t(data_.lo), b = t(data_.hi);
  if (p1_ == p0_) return data_.lo;
  return ti(a + (px - p0_) / (p1_ - p0_) * (b - a));
}

Range zoom(Range r, double anchor, double factor, bool log) {
  if (log) {
    Range lr{std::log10(r.lo), std::log10(r.hi)};
    Range z = zoom(lr, std::log10(anchor), factor, false);
    return {std::pow(10.0, z.lo), std::pow(10.0, z.hi)};
  }
  Range z{anchor - (anchor - r.lo) * factor, anchor + (r.hi - anchor) * factor};
  // Never zoom into nothing (floating precision) nor out to infinity.
  const double min_span = std::max(std::fabs(anchor), 1.0) * 1e-12;
  if (!(z.span() > min_span) || !std::isfinite(z.lo) || !std::isfinite(z.hi)) return r;
  return z;
}

Range pan(Range r, double pixels, double axis_pixels, bool log) {
  if (axis_pixels <= 0) return r;
  if (log) {
    Range lr{std::log10(r.lo), std::log10(r.hi)};
    Range p = pan(lr, pixels, axis_pixels, false);
    return {std::pow(10.0, p.lo), std::pow(10.0, p.hi)};
  }
  const double d = pixels / axis_pixels * r.span();
  return {r.lo + d, r.hi + d};
}

std::string format_tick(double v, double step) {
  char buf[64];
  if (v == 0) return "0";
  const double av = std::fabs(v);
  if (step > 0 && step < 1e-4) {
    std::snprintf(buf, sizeof buf, "%.2e", v);
    return trim_zeros(buf);
  }
  if (av >= 1e4 && step >= 1) {
    const char* suffix = av >= 1e9 ? "G" : av >= 1e6 ? "M" : "k";
    const double div = av >= 1e9 ? 1e9 : av >= 1e6 ? 1e6 : 1e3;
    const int dec = std::min(decimals_for(step / div), 6);
    std::snprintf(buf, sizeof buf, "%.*f", dec, v / div);
    return trim_zeros(buf) + suffix;
  }
  const int dec = decimals_for(step);
  std::snprintf(buf, sizeof buf, "%.*f", dec, v);
  return trim_zeros(buf);
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return trim_zeros(buf);
}

std::vector<double> normalize_counts(const std::vector<double>& counts) {
  double total = 0;
  for (double c : counts) total += c;
  std::vector<double> out(counts.size(), 0.0);
  if (total <= 0) return out;
  for (size_t i = 0; i < counts.size(); ++i) out[i] = counts[i] / total;
  return out;
}

std::vector<double> density(const std::vector<double>& counts, const std::vector<double>& edges) {
  double total = 0;
  for (double c : counts) total += c;
  std::vector<double> out(counts.size(), 0.0);
  if (total <= 0 || edges.size() != counts.size() + 1) return out;
  for (size_t i = 0; i < counts.size(); ++i) {
    const double w = edges[i + 1] - edges[i];
    out[i] = w > 0 ? counts[i] / (total * w) : 0.0;
  }
  return out;
}

std::vector<double> bin_counts(const std::vector<double>& values, const std::vector<double>& edges) {
  if (edges.size() < 2) return {};
  std::vector<double> out(edges.size() - 1, 0.0);
  for (double v : values) {
    if (!std::isfinite(v) || v < edges.front() || v > edges.back()) continue;
    auto it = std::upper_bound(edges.begin(), edges.end(), v);
    size_t bin = size_t(it - edges.begin());
    bin = bin == 0 ? 0 : bin - 1;
    if (bin >= out.size()) bin = out.size() - 1;  // v == last edge
    out[bin] += 1;
  }
  return out;
}

int nearest_point(const std::vector<double>& xs, const std::vector<double>& ys, double px, double py, double radius) {
  int best = -1;
  double best_d = radius * radius;
  const size_t n = std::min(xs.size(), ys.size());
  for (size_t i = 0; i < n; ++i) {
    const double dx = xs[i] - px, dy = ys[i] - py;
    const double d = dx * dx + dy * dy;
    if (d <= best_d) {
      best_d = d;
      best = int(i);
    }
  }
  return best;
}

std::size_t nearest_by_x(const std::vector<double>& xs, double x) {
  size_t best = 0;
  double bd = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < xs.size(); ++i) {
    const double d = std::fabs(xs[i] - x);
    if (d < bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

}  // namespace mllab::app::charts

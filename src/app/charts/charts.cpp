// The chart module on Dear ImGui's draw lists. Every chart: an invisible button over its whole
// rectangle (so it is one ImGui item: ctx.track() after it records it), a legend row, a plot
// area with ticks and grid, the marks clipped to the plot area, and a tooltip with exact values
// for the mark under the mouse. Line and scatter charts zoom with the wheel (around the mouse),
// pan by dragging and reset on double-click; their visible ranges are kept per chart id.
// The maths is in scale.cpp (native tests); this file only draws.
#include "app/charts/charts.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/charts/scale.hpp"

namespace mllab::app::charts {
namespace {

using json = nlohmann::json;

// Tableau 10, slightly lifted: every colour keeps contrast on ImGui's dark and light backgrounds.
constexpr ImU32 kPalette[] = {
    IM_COL32(78, 141, 214, 255),  IM_COL32(242, 142, 43, 255),  IM_COL32(89, 171, 84, 255),
    IM_COL32(225, 87, 89, 255),   IM_COL32(160, 120, 200, 255), IM_COL32(175, 122, 92, 255),
    IM_COL32(230, 120, 180, 255), IM_COL32(140, 140, 140, 255), IM_COL32(188, 189, 34, 255),
    IM_COL32(23, 190, 207, 255),
};

// A sequential colour map (viridis' stops) for heatmaps and parallel-coordinate colouring.
ImVec4 colormap(double t) {
  static const ImVec4 stops[] = {{0.267f, 0.005f, 0.329f, 1}, {0.231f, 0.322f, 0.545f, 1}, {0.129f, 0.569f, 0.549f, 1},
                                 {0.369f, 0.788f, 0.384f, 1}, {0.992f, 0.906f, 0.145f, 1}};
  if (!std::isfinite(t)) t = 0;
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(int(t), 3);
  const float f = float(t - i);
  const ImVec4 a = stops[i], b = stops[i + 1];
  return {a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f, a.z + (b.z - a.z) * f, 1};
}

struct ZoomState {
  bool zoomed = false;
  Range x, y;
};
std::map<ImGuiID, ZoomState>& zoom_states() {
  static std::map<ImGuiID, ZoomState> s;
  return s;
}

// What each chart drew, for describe(); entries older than the last frame are dropped there.
struct Record {
  int frame = 0;
  json info;
};
std::map<std::string, Record>& records() {
  static std::map<std::string, Record> r;
  return r;
}

ImU32 text_color(float alpha = 1.0f) { return ImGui::GetColorU32(ImGuiCol_Text, alpha); }
ImU32 dim_color(float alpha = 1.0f) { return ImGui::GetColorU32(ImGuiCol_TextDisabled, alpha); }

json rect_json(ImVec2 a, ImVec2 b) { return {{"x", a.x}, {"y", a.y}, {"w", b.x - a.x}, {"h", b.y - a.y}}; }

std::string clip_text(const std::string& s, float max_w) {
  if (ImGui::CalcTextSize(s.c_str()).x <= max_w) return s;
  std::string t = s;
  while (!t.empty() && ImGui::CalcTextSize((t + "...").c_str()).x > max_w) t.pop_back();
  return t + "...";
}

// The chart's outer rectangle, taken as one ImGui item (an invisible button: hover, drag, wheel).
struct Canvas {
  ImVec2 p0, p1;
  ImGuiID gid = 0;
  bool hovered = false, active = false;
  ImDrawList* dl = nullptr;
};

Canvas begin_canvas(const char* id, Size size, bool wants_wheel) {
  Canvas c;
  const float avail = ImGui::GetContentRegionAvail().x;
  const float w = std::max(size.w > 0 ? size.w : avail, 120.0f);
  const float h = std::max(size.h > 0 ? size.h : 220.0f, 80.0f);
  c.p0 = ImGui::GetCursorScreenPos();
  c.p1 = {c.p0.x + w, c.p0.y + h};
  c.gid = ImGui::GetID(id);
  ImGui::InvisibleButton(id, {w, h});
  c.hovered = ImGui::IsItemHovered();
  c.active = ImGui::IsItemActive();
  if (wants_wheel && c.hovered) ImGui::SetItemUsingMouseWheel();
  c.dl = ImGui::GetWindowDrawList();
  c.dl->AddRectFilled(c.p0, c.p1, ImGui::GetColorU32(ImGuiCol_FrameBg, 0.55f), 3.0f);
  return c;
}

// A row of legend entries (wrapping), from the top of the canvas; returns its height.
float draw_legend(const Canvas& c, const std::vector<std::string>& names, float left) {
  if (names.empty() || (names.size() == 1 && names[0].empty())) return 0;
  const float lh = ImGui::GetTextLineHeight();
  float x = c.p0.x + left, y = c.p0.y + 4;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string label = clip_text(names[i], (c.p1.x - c.p0.x) * 0.6f);
    const float w = lh * 0.8f + 4 + ImGui::CalcTextSize(label.c_str()).x + 12;
    if (x + w > c.p1.x - 4 && x > c.p0.x + left) {
      x = c.p0.x + left;
      y += lh + 2;
    }
    c.dl->AddRectFilled({x, y + lh * 0.2f}, {x + lh * 0.6f, y + lh * 0.8f}, series_color(int(i)), 2.0f);
    c.dl->AddText({x + lh * 0.8f, y}, text_color(), label.c_str());
    x += w;
  }
  return y + lh + 4 - c.p0.y;
}

// A plot area with numeric axes: ticks, grid, axis labels.
struct Plot {
  ImVec2 a0, a1;  // plot area
  Scale sx, sy;
  double x_step = 1, y_step = 1;
};

struct AxisLabels {
  std::vector<std::string> y_categories;  // horizontal bars: category names on the y axis
  std::vector<std::string> x_categories;  // vertical bars: category names on the x axis
};

Plot layout_plot(const Canvas& c, const std::vector<std::string>& legend, const Axes& axes, Range xr, Range yr,
                 const AxisLabels& cats = {}) {
  Plot p;
  const float lh = ImGui::GetTextLineHeight();
  float top = draw_legend(c, legend, 8);
  if (!axes.y_label.empty()) {
    c.dl->AddText({c.p0.x + 6, c.p0.y + std::max(top, 4.0f)}, dim_color(), axes.y_label.c_str());
    top = std::max(top, 4.0f) + lh + 2;
  }
  // The top tick's label is centred on the plot's top edge: keep half a line free above it.
  top = std::max(top, lh * 0.6f) + lh * 0.5f;
  const float h = c.p1.y - c.p0.y - top;
  double ystep = 1;
  std::vector<double> yt;
  if (cats.y_categories.empty()) yt = axes.y_log ? log_ticks(yr.lo, yr.hi) : nice_ticks(yr.lo, yr.hi, std::max(2, int(h / (lh * 2.2f))), &ystep);
  float left = 0;
  if (!cats.y_categories.empty()) {
    for (const auto& s : cats.y_categories) left = std::max(left, ImGui::CalcTextSize(s.c_str()).x);
    left = std::min(left, (c.p1.x - c.p0.x) * 0.42f);
  } else {
    for (double t : yt) left = std::max(left, ImGui::CalcTextSize(format_tick(t, axes.y_log ? t : ystep).c_str()).x);
  }
  left += 12;
  const float bottom = lh + 6 + (axes.x_label.empty() ? 0 : lh + 2);
  p.a0 = {c.p0.x + left, c.p0.y + top};
  p.a1 = {c.p1.x - 12, c.p1.y - bottom};
  if (p.a1.y < p.a0.y + 20) p.a1.y = p.a0.y + 20;
  if (p.a1.x < p.a0.x + 20) p.a1.x = p.a0.x + 20;
  p.sx = Scale(xr, p.a0.x, p.a1.x, axes.x_log);
  p.sy = Scale(yr, p.a1.y, p.a0.y, axes.y_log);
  p.y_step = ystep;

  const ImU32 grid = ImGui::GetColorU32(ImGuiCol_Border, 0.45f);
  c.dl->AddRect(p.a0, p.a1, ImGui::GetColorU32(ImGuiCol_Border, 0.9f));
  // y ticks
  for (double t : yt) {
    const float y = float(p.sy.to_pixel(t));
    if (y < p.a0.y - 0.5f || y > p.a1.y + 0.5f) continue;
    c.dl->AddLine({p.a0.x, y}, {p.a1.x, y}, grid);
    const std::string s = format_tick(t, axes.y_log ? t : ystep);
    const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
    c.dl->AddText({p.a0.x - 6 - ts.x, y - ts.y / 2}, dim_color(), s.c_str());
  }
  // x ticks (numeric axes only)
  if (cats.x_categories.empty() && cats.y_categories.empty() == true) {
    const float w = p.a1.x - p.a0.x;
    double xstep = 1;
    // Wide labels need more room: estimate from the widest of a first pass.
    int max_ticks = std::max(2, int(w / 70));
    auto xt = axes.x_log ? log_ticks(xr.lo, xr.hi) : nice_ticks(xr.lo, xr.hi, max_ticks, &xstep);
    p.x_step = xstep;
    float last_right = -1e9f;
    for (double t : xt) {
      const float x = float(p.sx.to_pixel(t));
      if (x < p.a0.x - 0.5f || x > p.a1.x + 0.5f) continue;
      c.dl->AddLine({x, p.a0.y}, {x, p.a1.y}, grid);
      const std::string s = format_tick(t, axes.x_log ? t : xstep);
      const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
      float tx = std::clamp(x - ts.x / 2, c.p0.x + 2, c.p1.x - ts.x - 2);
      if (tx < last_right + 6) continue;  // never overlap labels
      c.dl->AddText({tx, p.a1.y + 3}, dim_color(), s.c_str());
      last_right = tx + ts.x;
    }
  }
  if (!cats.y_categories.empty() && cats.x_categories.empty()) {
    // Horizontal bars: numeric x axis.
    const float w = p.a1.x - p.a0.x;
    double xstep = 1;
    auto xt = nice_ticks(xr.lo, xr.hi, std::max(2, int(w / 70)), &xstep);
    float last_right = -1e9f;
    for (double t : xt) {
      const float x = float(p.sx.to_pixel(t));
      c.dl->AddLine({x, p.a0.y}, {x, p.a1.y}, grid);
      const std::string s = format_tick(t, xstep);
      const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
      float tx = std::clamp(x - ts.x / 2, c.p0.x + 2, c.p1.x - ts.x - 2);
      if (tx < last_right + 6) continue;
      c.dl->AddText({tx, p.a1.y + 3}, dim_color(), s.c_str());
      last_right = tx + ts.x;
    }
  }
  if (!axes.x_label.empty()) {
    const ImVec2 ts = ImGui::CalcTextSize(axes.x_label.c_str());
    c.dl->AddText({(p.a0.x + p.a1.x - ts.x) / 2, c.p1.y - lh - 3}, dim_color(), axes.x_label.c_str());
  }
  return p;
}

void record(const char* id, json info) {
  auto& r = records()[id];
  r.frame = ImGui::GetFrameCount();
  r.info = std::move(info);
}

json range_json(Range r) { return json::array({r.lo, r.hi}); }

// Subsamples long series for describe() (tests read the first points and the count).
json points_json(const std::vector<double>& v, size_t max_n = 400) {
  json a = json::array();
  for (size_t i = 0; i < v.size() && i < max_n; ++i) a.push_back(std::isfinite(v[i]) ? json(v[i]) : json(nullptr));
  return a;
}

void tooltip(const std::string& text) {
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(text.c_str());
  ImGui::EndTooltip();
}

Range series_range(const std::vector<Series>& series, bool use_x, bool log) {
  std::vector<double> all;
  for (const auto& s : series) {
    const auto& v = use_x ? s.x : s.y;
    all.insert(all.end(), v.begin(), v.end());
  }
  return data_range(all, log);
}

Range padded(Range r, bool log) {
  if (log) return {r.lo / 1.15, r.hi * 1.15};
  return pad(r, 0.05);
}

// Line and scatter: zoom / pan / reset handling, marks, hover tooltip.
void xy_chart(const char* id, const char* kind, const std::vector<Series>& series, const Axes& axes, Size size,
              const std::vector<std::string>& point_labels, bool lines) {
  Canvas c = begin_canvas(id, size, true);
  ImGuiIO& io = ImGui::GetIO();
  ZoomState& zs = zoom_states()[c.gid];
  const Range data_x = padded(series_range(series, true, axes.x_log), axes.x_log);
  const Range data_y = padded(series_range(series, false, axes.y_log), axes.y_log);
  if (c.hovered && ImGui::IsMouseDoubleClicked(0)) zs.zoomed = false;
  if (!zs.zoomed) {
    zs.x = data_x;
    zs.y = data_y;
  }
  std::vector<std::string> names;
  for (const auto& s : series) names.push_back(s.name);
  // A legend for several series, or for one whose name the y label does not already say.
  const bool legend = series.size() > 1 || (series.size() == 1 && !series[0].name.empty() && series[0].name != axes.y_label);
  Plot p = layout_plot(c, legend ? names : std::vector<std::string>{}, axes, zs.x, zs.y);
  const bool in_plot = c.hovered && io.MousePos.x >= p.a0.x && io.MousePos.x <= p.a1.x && io.MousePos.y >= p.a0.y &&
                       io.MousePos.y <= p.a1.y;
  // Wheel: zoom around the mouse (Shift: x only, Ctrl: y only).
  if (in_plot && io.MouseWheel != 0) {
    const double f = std::pow(0.85, double(io.MouseWheel));
    if (!io.KeyCtrl) zs.x = zoom(zs.x, p.sx.to_data(io.MousePos.x), f, axes.x_log);
    if (!io.KeyShift) zs.y = zoom(zs.y, p.sy.to_data(io.MousePos.y), f, axes.y_log);
    zs.zoomed = true;
  }
  // Drag: pan.
  if (c.active && ImGui::IsMouseDragging(0, 1.0f) && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
    zs.x = pan(zs.x, -io.MouseDelta.x, p.a1.x - p.a0.x, axes.x_log);
    zs.y = pan(zs.y, io.MouseDelta.y, p.a1.y - p.a0.y, axes.y_log);
    zs.zoomed = true;
  }
  if (zs.zoomed) {  // re-scale after this frame's zoom / pan (ticks follow next frame)
    p.sx = Scale(zs.x, p.a0.x, p.a1.x, axes.x_log);
    p.sy = Scale(zs.y, p.a1.y, p.a0.y, axes.y_log);
  }

  c.dl->PushClipRect(p.a0, p.a1, true);
  int hover_series = -1, hover_index = -1;
  double best = 14.0 * 14.0;
  for (size_t si = 0; si < series.size(); ++si) {
    const auto& s = series[si];
    const size_t n = std::min(s.x.size(), s.y.size());
    const ImU32 col = series_color(int(si));
    std::vector<ImVec2> pts;
    pts.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      if ((axes.x_log && s.x[i] <= 0) || (axes.y_log && s.y[i] <= 0)) continue;
      const ImVec2 q{float(p.sx.to_pixel(s.x[i])), float(p.sy.to_pixel(s.y[i]))};
      pts.push_back(q);
      if (in_plot) {
        const double dx = q.x - io.MousePos.x, dy = q.y - io.MousePos.y;
        if (dx * dx + dy * dy < best) {
          best = dx * dx + dy * dy;
          hover_series = int(si);
          hover_index = int(i);
        }
      }
    }
    if (lines && pts.size() > 1) c.dl->AddPolyline(pts.data(), int(pts.size()), col, ImDrawFlags_None, 1.8f);
    const bool dots = !lines || pts.size() <= 40;
    if (dots) {
      for (const auto& q : pts) {
        if (lines) c.dl->AddCircleFilled(q, 2.5f, col, 10);
        else {
          c.dl->AddCircleFilled(q, 3.5f, (col & 0x00FFFFFF) | 0xC0000000, 12);
          c.dl->AddCircle(q, 3.5f, col, 12, 1.0f);
        }
      }
    }
  }
  std::string tip;
  if (hover_series >= 0) {
    const auto& s = series[size_t(hover_series)];
    const ImVec2 q{float(p.sx.to_pixel(s.x[size_t(hover_index)])), float(p.sy.to_pixel(s.y[size_t(hover_index)]))};
    c.dl->AddCircle(q, 6.0f, text_color(), 16, 1.5f);
    if (!s.name.empty()) tip += s.name + "\n";
    if (hover_series == 0 && size_t(hover_index) < point_labels.size()) tip += point_labels[size_t(hover_index)] + "\n";
    tip += (axes.x_label.empty() ? std::string("x") : axes.x_label) + " = " + format_value(s.x[size_t(hover_index)]) + "\n";
    tip += (axes.y_label.empty() ? std::string("y") : axes.y_label) + " = " + format_value(s.y[size_t(hover_index)]);
  }
  c.dl->PopClipRect();
  if (zs.zoomed) {
    const char* hint = "double-click: reset";
    const ImVec2 ts = ImGui::CalcTextSize(hint);
    c.dl->AddText({p.a1.x - ts.x - 4, p.a0.y + 2}, dim_color(0.8f), hint);
  }
  if (!tip.empty()) tooltip(tip);

  json ser = json::array();
  for (const auto& s : series) ser.push_back({{"name", s.name}, {"n", std::min(s.x.size(), s.y.size())}, {"x", points_json(s.x)}, {"y", points_json(s.y)}});
  record(id, {{"kind", kind}, {"plot", rect_json(p.a0, p.a1)}, {"x_range", range_json(zs.x)}, {"y_range", range_json(zs.y)},
              {"x_log", axes.x_log}, {"y_log", axes.y_log}, {"zoomed", zs.zoomed}, {"series", ser}, {"tooltip", tip},
              {"x_label", axes.x_label}, {"y_label", axes.y_label}});
}

void empty_chart(const char* id, const char* kind, Size size, const char* message) {
  Canvas c = begin_canvas(id, size, false);
  const ImVec2 ts = ImGui::CalcTextSize(message);
  c.dl->AddText({(c.p0.x + c.p1.x - ts.x) / 2, (c.p0.y + c.p1.y - ts.y) / 2}, dim_color(), message);
  record(id, {{"kind", kind}, {"plot", rect_json(c.p0, c.p1)}, {"empty", true}, {"series", json::array()}, {"tooltip", ""}});
}

}  // namespace

unsigned int series_color(int i, float alpha) {
  ImU32 c = kPalette[size_t(((i % 10) + 10) % 10)];
  const unsigned a = unsigned(std::clamp(alpha, 0.0f, 1.0f) * 255.0f + 0.5f);
  return (c & 0x00FFFFFFu) | (a << 24);
}

void line_chart(const char* id, const std::vector<Series>& series, const Axes& axes, Size size) {
  size_t n = 0;
  for (const auto& s : series) n += std::min(s.x.size(), s.y.size());
  if (n == 0) return empty_chart(id, "line", size, "no points");
  xy_chart(id, "line", series, axes, size, {}, true);
}

void scatter_chart(const char* id, const std::vector<Series>& series, const Axes& axes, Size size,
                   const std::vector<std::string>& point_labels) {
  size_t n = 0;
  for (const auto& s : series) n += std::min(s.x.size(), s.y.size());
  if (n == 0) return empty_chart(id, "scatter", size, "no points");
  xy_chart(id, "scatter", series, axes, size, point_labels, false);
}

void bar_chart(const char* id, const std::vector<std::string>& labels, const std::vector<double>& values, const Axes& axes,
               Size size, bool horizontal) {
  const size_t n = std::min(labels.size(), values.size());
  if (n == 0) return empty_chart(id, "bar", size, "no values");
  if (horizontal && size.h <= 0) size.h = std::clamp(float(n) * (ImGui::GetTextLineHeight() + 6) + 50, 100.0f, 900.0f);
  Canvas c = begin_canvas(id, size, false);
  ImGuiIO& io = ImGui::GetIO();
  Range vr = data_range(values);
  vr = unite(vr, {0, 0});
  vr = {vr.lo, vr.hi + vr.span() * 0.05};
  Plot p;
  AxisLabels cats;
  std::vector<std::string> shown(labels.begin(), labels.begin() + long(n));
  if (horizontal) {
    cats.y_categories = shown;
    p = layout_plot(c, {}, axes, vr, {0, double(n)}, cats);
  } else {
    cats.x_categories = shown;
    p = layout_plot(c, {}, axes, {0, double(n)}, vr, cats);
  }
  int hover = -1;
  const ImU32 col = series_color(0, 0.85f);
  for (size_t i = 0; i < n; ++i) {
    ImVec2 b0, b1;
    if (horizontal) {
      const float y0 = float(p.sy.to_pixel(double(n - i))), y1 = float(p.sy.to_pixel(double(n - i - 1)));
      const float pad_y = (y1 - y0) * 0.15f;
      b0 = {float(p.sx.to_pixel(std::min(0.0, values[i]))), y0 + pad_y};
      b1 = {float(p.sx.to_pixel(std::max(0.0, values[i]))), y1 - pad_y};
      const std::string l = clip_text(labels[i], p.a0.x - c.p0.x - 12);
      const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
      c.dl->AddText({p.a0.x - 6 - ts.x, (y0 + y1 - ts.y) / 2}, text_color(), l.c_str());
      if (c.hovered && io.MousePos.y >= y0 && io.MousePos.y < y1) hover = int(i);
    } else {
      const float x0 = float(p.sx.to_pixel(double(i))), x1 = float(p.sx.to_pixel(double(i + 1)));
      const float pad_x = (x1 - x0) * 0.15f;
      b0 = {x0 + pad_x, float(p.sy.to_pixel(std::max(0.0, values[i])))};
      b1 = {x1 - pad_x, float(p.sy.to_pixel(std::min(0.0, values[i])))};
      const std::string l = clip_text(labels[i], x1 - x0 - 2);
      const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
      c.dl->AddText({(x0 + x1 - ts.x) / 2, p.a1.y + 3}, dim_color(), l.c_str());
      if (c.hovered && io.MousePos.x >= x0 && io.MousePos.x < x1 && io.MousePos.y >= p.a0.y && io.MousePos.y <= p.a1.y) hover = int(i);
    }
    c.dl->AddRectFilled(b0, b1, hover == int(i) ? series_color(0) : col, 1.5f);
  }
  std::string tip;
  if (hover >= 0) {
    std::string what = horizontal ? axes.x_label : axes.y_label;
    if (what.empty()) what = "value";
    tip = labels[size_t(hover)] + "\n" + what + " = " + format_value(values[size_t(hover)]);
    tooltip(tip);
  }
  record(id, {{"kind", horizontal ? "hbar" : "bar"}, {"plot", rect_json(p.a0, p.a1)}, {"labels", shown},
              {"values", points_json(values, n)}, {"tooltip", tip}});
}

void histogram_chart(const char* id, const std::vector<double>& edges, const std::vector<Series>& counts, const Axes& axes,
                     Size size, bool as_density) {
  if (edges.size() < 2 || counts.empty()) return empty_chart(id, "histogram", size, "no values");
  ImGuiIO& io = ImGui::GetIO();
  std::vector<std::vector<double>> heights;
  std::vector<double> all;
  for (const auto& s : counts) {
    heights.push_back(as_density ? normalize_counts(s.y) : s.y);
    all.insert(all.end(), heights.back().begin(), heights.back().end());
  }
  Range yr = unite(data_range(all), {0, 0});
  yr.hi += yr.span() * 0.05;
  Canvas c = begin_canvas(id, size, false);
  std::vector<std::string> names;
  for (const auto& s : counts) names.push_back(s.name);
  Axes ax = axes;
  if (ax.y_label.empty()) ax.y_label = as_density ? "fraction" : "count";
  Plot p = layout_plot(c, counts.size() > 1 ? names : std::vector<std::string>{}, ax, {edges.front(), edges.back()}, yr);
  const float alpha = counts.size() > 1 ? 0.45f : 0.8f;
  int hover_bin = -1;
  for (size_t si = 0; si < counts.size(); ++si) {
    const auto& h = heights[si];
    for (size_t b = 0; b + 1 < edges.size() && b < h.size(); ++b) {
      const float x0 = float(p.sx.to_pixel(edges[b])), x1 = float(p.sx.to_pixel(edges[b + 1]));
      const float y = float(p.sy.to_pixel(h[b])), y0 = float(p.sy.to_pixel(0));
      c.dl->AddRectFilled({x0 + 0.5f, y}, {x1 - 0.5f, y0}, series_color(int(si), alpha));
      if (counts.size() > 1) c.dl->AddLine({x0, y}, {x1, y}, series_color(int(si)), 1.5f);
      if (si == 0 && c.hovered && io.MousePos.x >= x0 && io.MousePos.x < x1 && io.MousePos.y >= p.a0.y && io.MousePos.y <= p.a1.y)
        hover_bin = int(b);
    }
  }
  std::string tip;
  if (hover_bin >= 0) {
    const size_t b = size_t(hover_bin);
    tip = "[" + format_value(edges[b]) + ", " + format_value(edges[b + 1]) + (b + 2 == edges.size() ? "]" : ")");
    for (size_t si = 0; si < counts.size(); ++si) {
      if (b >= counts[si].y.size()) continue;
      tip += "\n" + (counts[si].name.empty() ? std::string("count") : counts[si].name) + ": " + format_value(counts[si].y[b]);
      if (as_density) tip += " (" + format_value(heights[si][b]) + ")";
    }
    const float x0 = float(p.sx.to_pixel(edges[b])), x1 = float(p.sx.to_pixel(edges[b + 1]));
    c.dl->AddRect({x0, p.a0.y}, {x1, p.a1.y}, text_color(0.5f));
    tooltip(tip);
  }
  json ser = json::array();
  for (size_t si = 0; si < counts.size(); ++si) ser.push_back({{"name", counts[si].name}, {"counts", points_json(counts[si].y)}, {"heights", points_json(heights[si])}});
  record(id, {{"kind", "histogram"}, {"plot", rect_json(p.a0, p.a1)}, {"edges", points_json(edges)}, {"density", as_density},
              {"series", ser}, {"tooltip", tip}});
}

void grouped_bar_chart(const char* id, const std::vector<std::string>& categories, const std::vector<Series>& series,
                       const Axes& axes, Size size) {
  if (categories.empty() || series.empty()) return empty_chart(id, "grouped_bar", size, "no values");
  ImGuiIO& io = ImGui::GetIO();
  std::vector<double> all;
  for (const auto& s : series) all.insert(all.end(), s.y.begin(), s.y.end());
  Range yr = unite(data_range(all), {0, 0});
  yr.hi += yr.span() * 0.05;
  Canvas c = begin_canvas(id, size, false);
  std::vector<std::string> names;
  for (const auto& s : series) names.push_back(s.name);
  AxisLabels cats;
  cats.x_categories = categories;
  Plot p = layout_plot(c, names, axes, {0, double(categories.size())}, yr, cats);
  const size_t k = series.size();
  int hover = -1;
  for (size_t i = 0; i < categories.size(); ++i) {
    const float x0 = float(p.sx.to_pixel(double(i))), x1 = float(p.sx.to_pixel(double(i + 1)));
    const float inner = (x1 - x0) * 0.8f, bw = inner / float(k);
    for (size_t si = 0; si < k; ++si) {
      const double v = i < series[si].y.size() ? series[si].y[i] : 0.0;
      const float bx = x0 + (x1 - x0) * 0.1f + bw * float(si);
      c.dl->AddRectFilled({bx + 0.5f, float(p.sy.to_pixel(std::max(0.0, v)))}, {bx + bw - 0.5f, float(p.sy.to_pixel(std::min(0.0, v)))},
                          series_color(int(si), 0.85f));
    }
    const std::string l = clip_text(categories[i], x1 - x0 - 2);
    const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
    c.dl->AddText({(x0 + x1 - ts.x) / 2, p.a1.y + 3}, dim_color(), l.c_str());
    if (c.hovered && io.MousePos.x >= x0 && io.MousePos.x < x1 && io.MousePos.y >= p.a0.y && io.MousePos.y <= p.a1.y) hover = int(i);
  }
  std::string tip;
  if (hover >= 0) {
    tip = categories[size_t(hover)];
    for (const auto& s : series)
      if (size_t(hover) < s.y.size()) tip += "\n" + s.name + ": " + format_value(s.y[size_t(hover)]);
    tooltip(tip);
  }
  json ser = json::array();
  for (const auto& s : series) ser.push_back({{"name", s.name}, {"y", points_json(s.y)}});
  record(id, {{"kind", "grouped_bar"}, {"plot", rect_json(p.a0, p.a1)}, {"categories", categories}, {"series", ser}, {"tooltip", tip}});
}

void heatmap(const char* id, const std::vector<std::vector<double>>& cells, const std::vector<std::string>& row_labels,
             const std::vector<std::string>& col_labels, const Axes& axes, Size size) {
  const size_t rows = cells.size(), cols = rows ? cells[0].size() : 0;
  if (rows == 0 || cols == 0) return empty_chart(id, "heatmap", size, "no cells");
  ImGuiIO& io = ImGui::GetIO();
  const float lh = ImGui::GetTextLineHeight();
  float label_w = 0;
  for (const auto& l : row_labels) label_w = std::max(label_w, ImGui::CalcTextSize(l.c_str()).x);
  if (size.h <= 0) {
    const float avail = size.w > 0 ? size.w : ImGui::GetContentRegionAvail().x;
    const float cell = std::clamp((avail - label_w - 24) / float(cols), 18.0f, 64.0f);
    size.h = cell * float(rows) + lh * 2 + 20 + (axes.y_label.empty() ? 0 : lh);
  }
  Canvas c = begin_canvas(id, size, false);
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& r : cells)
    for (double v : r)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo <= hi)) lo = 0, hi = 1;
  const float left = std::min(label_w, (c.p1.x - c.p0.x) * 0.35f) + 10;
  float top = 4;
  if (!axes.x_label.empty()) {  // e.g. "predicted": above the columns
    c.dl->AddText({c.p0.x + left, c.p0.y + top}, dim_color(), axes.x_label.c_str());
    top += lh + 2;
  }
  top += lh + 2;  // column labels
  const float bottom = axes.y_label.empty() ? 6 : lh + 6;
  const ImVec2 a0{c.p0.x + left, c.p0.y + top}, a1{c.p1.x - 8, c.p1.y - bottom};
  const float cw = (a1.x - a0.x) / float(cols), ch = (a1.y - a0.y) / float(rows);
  int hr = -1, hc = -1;
  for (size_t j = 0; j < cols; ++j) {
    const std::string l = clip_text(j < col_labels.size() ? col_labels[j] : std::to_string(j), cw - 2);
    const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
    c.dl->AddText({a0.x + cw * (float(j) + 0.5f) - ts.x / 2, a0.y - lh - 1}, dim_color(), l.c_str());
  }
  for (size_t i = 0; i < rows; ++i) {
    const std::string l = clip_text(i < row_labels.size() ? row_labels[i] : std::to_string(i), left - 10);
    const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
    c.dl->AddText({a0.x - 6 - ts.x, a0.y + ch * (float(i) + 0.5f) - ts.y / 2}, dim_color(), l.c_str());
    for (size_t j = 0; j < cols && j < cells[i].size(); ++j) {
      const double v = cells[i][j];
      const ImVec2 q0{a0.x + cw * float(j), a0.y + ch * float(i)}, q1{q0.x + cw, q0.y + ch};
      const ImVec4 col = colormap(hi > lo ? (v - lo) / (hi - lo) : 0.5);
      c.dl->AddRectFilled({q0.x + 0.5f, q0.y + 0.5f}, {q1.x - 0.5f, q1.y - 0.5f}, ImGui::ColorConvertFloat4ToU32(col));
      const float lum = 0.299f * col.x + 0.587f * col.y + 0.114f * col.z;
      const std::string s = format_value(v);
      const ImVec2 ts2 = ImGui::CalcTextSize(s.c_str());
      if (ts2.x < cw - 2 && ts2.y < ch)
        c.dl->AddText({(q0.x + q1.x - ts2.x) / 2, (q0.y + q1.y - ts2.y) / 2}, lum > 0.5f ? IM_COL32(20, 20, 20, 255) : IM_COL32(245, 245, 245, 255), s.c_str());
      if (c.hovered && io.MousePos.x >= q0.x && io.MousePos.x < q1.x && io.MousePos.y >= q0.y && io.MousePos.y < q1.y) hr = int(i), hc = int(j);
    }
  }
  if (!axes.y_label.empty()) c.dl->AddText({c.p0.x + 6, c.p1.y - lh - 3}, dim_color(), ("rows: " + axes.y_label).c_str());
  std::string tip;
  if (hr >= 0) {
    const ImVec2 q0{a0.x + cw * float(hc), a0.y + ch * float(hr)};
    c.dl->AddRect(q0, {q0.x + cw, q0.y + ch}, text_color(), 0, 0, 2.0f);
    tip = (axes.y_label.empty() ? std::string("row") : axes.y_label) + ": " + (size_t(hr) < row_labels.size() ? row_labels[size_t(hr)] : std::to_string(hr)) +
          "\n" + (axes.x_label.empty() ? std::string("column") : axes.x_label) + ": " +
          (size_t(hc) < col_labels.size() ? col_labels[size_t(hc)] : std::to_string(hc)) + "\nvalue: " + format_value(cells[size_t(hr)][size_t(hc)]);
    tooltip(tip);
  }
  json jc = json::array();
  for (const auto& r : cells) jc.push_back(points_json(r));
  record(id, {{"kind", "heatmap"}, {"plot", rect_json(a0, a1)}, {"cells", jc}, {"row_labels", row_labels}, {"col_labels", col_labels}, {"tooltip", tip}});
}

void parallel_coordinates(const char* id, const std::vector<std::string>& dims, const std::vector<std::vector<double>>& values,
                          const std::vector<std::string>& item_names, Size size, int color_by) {
  if (dims.size() < 2 || values.empty()) return empty_chart(id, "parallel", size, "needs two dimensions and one item");
  ImGuiIO& io = ImGui::GetIO();
  const float lh = ImGui::GetTextLineHeight();
  Canvas c = begin_canvas(id, size, false);
  const size_t k = dims.size();
  std::vector<Range> ranges(k);
  for (size_t d = 0; d < k; ++d) {
    std::vector<double> col;
    for (const auto& row : values) col.push_back(d < row.size() ? row[d] : NAN);
    ranges[d] = pad(data_range(col), 0.04);  // lines at the extremes stay off the frame
  }
  const float margin = 34;
  const ImVec2 a0{c.p0.x + margin, c.p0.y + lh * 2 + 8}, a1{c.p1.x - margin, c.p1.y - lh - 8};
  auto ax_x = [&](size_t d) { return a0.x + (a1.x - a0.x) * float(d) / float(k - 1); };
  auto ax_y = [&](size_t d, double v) {
    const Range r = ranges[d];
    return float(a1.y - (v - r.lo) / (r.span() > 0 ? r.span() : 1) * (a1.y - a0.y));
  };
  // Nearest polyline to the mouse.
  int hover = -1;
  double best = 8.0;
  std::vector<std::vector<ImVec2>> lines(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t d = 0; d < k; ++d) {
      const double v = d < values[i].size() ? values[i][d] : NAN;
      lines[i].push_back({ax_x(d), std::isfinite(v) ? ax_y(d, v) : NAN});
    }
    if (!c.hovered) continue;
    for (size_t d = 0; d + 1 < k; ++d) {
      const ImVec2 p = lines[i][d], q = lines[i][d + 1];
      if (std::isnan(p.y) || std::isnan(q.y) || io.MousePos.x < p.x || io.MousePos.x > q.x) continue;
      const float t = (io.MousePos.x - p.x) / (q.x - p.x);
      const double dist = std::fabs(p.y + (q.y - p.y) * t - io.MousePos.y);
      if (dist < best) best = dist, hover = int(i);
    }
  }
  for (size_t i = 0; i < values.size(); ++i) {
    ImU32 col;
    if (color_by >= 0 && size_t(color_by) < k && size_t(color_by) < values[i].size()) {
      const Range r = ranges[size_t(color_by)];
      // From a quarter into the map: viridis' darkest purples do not read on the dark theme.
      const double t = r.span() > 0 ? (values[i][size_t(color_by)] - r.lo) / r.span() : 0.5;
      col = ImGui::ColorConvertFloat4ToU32(colormap(0.25 + 0.75 * t));
    } else {
      col = series_color(int(i));
    }
    const float th = hover == int(i) ? 3.0f : 1.6f;
    for (size_t d = 0; d + 1 < k; ++d) {
      const ImVec2 p = lines[i][d], q = lines[i][d + 1];
      if (std::isnan(p.y) || std::isnan(q.y)) continue;
      c.dl->AddLine(p, q, hover >= 0 && hover != int(i) ? (col & 0x00FFFFFF) | 0x60000000 : col, th);
    }
  }
  for (size_t d = 0; d < k; ++d) {
    const float x = ax_x(d);
    c.dl->AddLine({x, a0.y}, {x, a1.y}, text_color(0.7f), 1.0f);
    const float slot = (a1.x - a0.x) / float(k - 1);
    const std::string name = clip_text(dims[d], std::max(slot - 4, 30.0f));
    const ImVec2 ts = ImGui::CalcTextSize(name.c_str());
    const float tx = std::clamp(x - ts.x / 2, c.p0.x + 2, c.p1.x - ts.x - 2);
    c.dl->AddText({tx, c.p0.y + 4}, text_color(), name.c_str());
    const Range shown = ranges[d];
    const std::string hi = format_value(shown.hi - shown.span() * 0.04 / 1.08), lo = format_value(shown.lo + shown.span() * 0.04 / 1.08);
    const ImVec2 hs = ImGui::CalcTextSize(hi.c_str()), ls = ImGui::CalcTextSize(lo.c_str());
    c.dl->AddText({std::clamp(x - hs.x / 2, c.p0.x + 2, c.p1.x - hs.x - 2), a0.y - lh - 2}, dim_color(), hi.c_str());
    c.dl->AddText({std::clamp(x - ls.x / 2, c.p0.x + 2, c.p1.x - ls.x - 2), a1.y + 3}, dim_color(), lo.c_str());
  }
  std::string tip;
  if (hover >= 0) {
    tip = size_t(hover) < item_names.size() ? item_names[size_t(hover)] : "item " + std::to_string(hover);
    for (size_t d = 0; d < k; ++d) tip += "\n" + dims[d] + " = " + (d < values[size_t(hover)].size() ? format_value(values[size_t(hover)][d]) : "");
    tooltip(tip);
  }
  json jv = json::array();
  for (const auto& r : values) jv.push_back(points_json(r));
  record(id, {{"kind", "parallel"}, {"plot", rect_json(a0, a1)}, {"dims", dims}, {"items", item_names}, {"values", jv},
              {"color_by", color_by}, {"tooltip", tip}});
}

json describe(const std::string& prefix) {
  json out = json::object();
  const int frame = ImGui::GetCurrentContext() ? ImGui::GetFrameCount() : 0;
  auto& recs = records();
  for (auto it = recs.begin(); it != recs.end();) {
    if (it->second.frame < frame - 1) {  // not drawn in the last frame: gone
      it = recs.erase(it);
      continue;
    }
    if (it->first.rfind(prefix, 0) == 0) out[it->first] = it->second.info;
    ++it;
  }
  return out;
}

}  // namespace mllab::app::charts

// The app's one chart module, drawn on Dear ImGui's draw lists (ImPlot is not in the package
// sources we can use): lines, scatter, bars, histograms, heatmap, parallel coordinates. Axes
// with nice ticks (scale.hpp, tested natively), a legend, a hover tooltip with exact values,
// zoom (wheel) and pan (drag) on line and scatter charts (double-click resets).
// Every function draws one chart of `size` (0 or negative components: fill the available
// width / a default height) at the cursor, like an ImGui widget; `id` must be unique in the
// window. Chart state (zoom, pan) is kept per id inside the module.
#pragma once

#include <string>
#include <vector>

namespace mllab::app::charts {

struct Size {
  float w = 0, h = 0;  // CSS pixels; <= 0: available width / 220 px
};

// One named series of points (x and y of equal length).
struct Series {
  std::string name;
  std::vector<double> x, y;
};

struct Axes {
  std::string x_label, y_label;
  bool x_log = false;
  bool y_log = false;  // added with the chart module: log y axis (loss curves)
};

// Lines through each series' points, in x order as given.
void line_chart(const char* id, const std::vector<Series>& series, const Axes& axes, Size size = {});
// Points only; `point_labels` (optional, one per point of the first series) show in the tooltip.
void scatter_chart(const char* id, const std::vector<Series>& series, const Axes& axes, Size size = {},
                   const std::vector<std::string>& point_labels = {});
// One bar per label; `horizontal` puts labels on the y axis (for long names, e.g. importances).
void bar_chart(const char* id, const std::vector<std::string>& labels, const std::vector<double>& values,
               const Axes& axes, Size size = {}, bool horizontal = false);
// Histograms over shared bin `edges` (counts.size() == edges.size() - 1 per series), overlaid
// with transparency; `density` draws each series normalised to sum 1 (compare sizes fairly).
void histogram_chart(const char* id, const std::vector<double>& edges, const std::vector<Series>& counts,
                     const Axes& axes, Size size = {}, bool density = false);
// Category counts side by side per category (e.g. reference vs current of a categorical column).
void grouped_bar_chart(const char* id, const std::vector<std::string>& categories, const std::vector<Series>& series,
                       const Axes& axes, Size size = {});
// A matrix of cells coloured by value with the value written in each (a confusion matrix).
void heatmap(const char* id, const std::vector<std::vector<double>>& cells, const std::vector<std::string>& row_labels,
             const std::vector<std::string>& col_labels, const Axes& axes, Size size = {});
// One vertical axis per dimension, one polyline per item (values[item][dim]); `color_by` picks
// the dimension whose value colours each line (-1: none).
void parallel_coordinates(const char* id, const std::vector<std::string>& dims,
                          const std::vector<std::vector<double>>& values, const std::vector<std::string>& item_names,
                          Size size = {}, int color_by = -1);

}  // namespace mllab::app::charts

#include <nlohmann/json_fwd.hpp>

namespace mllab::app::charts {

// What the charts drawn in the last frame hold, for window.mllab.uiState(): per chart id whose
// name starts with `prefix` ("" = all): kind, plot rectangle (CSS px), visible x / y range,
// series (names and points), cells / labels, whether it is zoomed and the hover tooltip text.
nlohmann::json describe(const std::string& prefix = "");
// The i-th colour of the series palette (reads on the dark and the light theme).
unsigned int series_color(int i, float alpha = 1.0f);

}  // namespace mllab::app::charts

// Placeholder drawing until the chart module lands: a framed box naming the chart.
#include "app/charts/charts.hpp"

#include <imgui.h>

namespace mllab::app::charts {
namespace {
void placeholder(const char* id, Size size) {
  const float w = size.w > 0 ? size.w : ImGui::GetContentRegionAvail().x;
  const float h = size.h > 0 ? size.h : 220.0f;
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRect(p, {p.x + w, p.y + h}, ImGui::GetColorU32(ImGuiCol_Border));
  ImGui::Dummy({w, h});
  (void)id;
}
}  // namespace

void line_chart(const char* id, const std::vector<Series>&, const Axes&, Size size) { placeholder(id, size); }
void scatter_chart(const char* id, const std::vector<Series>&, const Axes&, Size size, const std::vector<std::string>&) {
  placeholder(id, size);
}
void bar_chart(const char* id, const std::vector<std::string>&, const std::vector<double>&, const Axes&, Size size, bool) {
  placeholder(id, size);
}
void histogram_chart(const char* id, const std::vector<double>&, const std::vector<Series>&, const Axes&, Size size, bool) {
  placeholder(id, size);
}
void grouped_bar_chart(const char* id, const std::vector<std::string>&, const std::vector<Series>&, const Axes&, Size size) {
  placeholder(id, size);
}
void heatmap(const char* id, const std::vector<std::vector<double>>&, const std::vector<std::string>&,
             const std::vector<std::string>&, const Axes&, Size size) {
  placeholder(id, size);
}
void parallel_coordinates(const char* id, const std::vector<std::string>&, const std::vector<std::vector<double>>&,
                          const std::vector<std::string>&, Size size, int) {
  placeholder(id, size);
}

}  // namespace mllab::app::charts

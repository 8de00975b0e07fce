#include "core/util/ui_settings.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/util/json_reader.hpp"

namespace mllab {

int clamp_scale_percent(int percent) {
  const int stepped = int(std::lround(double(percent) / kScaleStep)) * kScaleStep;
  return std::clamp(stepped, kMinScalePercent, kMaxScalePercent);
}

std::vector<int> scale_choices() {
  std::vector<int> out;
  for (int p = kMinScalePercent; p <= kMaxScalePercent; p += kScaleStep) out.push_back(p);
  return out;
}

const char* theme_name(Theme t) { return t == Theme::kLight ? "light" : "dark"; }

std::string ui_settings_to_json(const UiSettings& s) {
  return nlohmann::json{{"theme", theme_name(s.theme)}, {"scale_percent", s.scale_percent}}.dump();
}

UiSettings ui_settings_from_json(std::string_view text) {
  UiSettings s;
  if (text.empty()) return s;
  auto parsed = read_json(text, "the saved display settings");
  if (!parsed || !parsed.value().is_object()) return s;
  const auto& j = parsed.value();
  if (auto it = j.find("theme"); it != j.end() && it->is_string()) {
    if (*it == "light") s.theme = Theme::kLight;
  }
  if (auto it = j.find("scale_percent"); it != j.end() && it->is_number()) {
    const double v = it->get<double>();
    if (std::isfinite(v) && std::abs(v) < 1e6) s.scale_percent = clamp_scale_percent(int(std::lround(v)));
  }
  return s;
}

}  // namespace mllab

// The app's display settings (theme, UI scale) and their saved form (JSON in the browser's
// localStorage). Reading is forgiving: a missing, damaged or out-of-range value falls back to
// its default or nearest allowed value, so a bad saved setting never stops the app.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mllab {

enum class Theme { kDark, kLight };

struct UiSettings {
  Theme theme = Theme::kDark;
  int scale_percent = 100;  // kMinScalePercent..kMaxScalePercent, a multiple of kScaleStep
  bool operator==(const UiSettings&) const = default;
};

constexpr int kMinScalePercent = 75;
constexpr int kMaxScalePercent = 200;
constexpr int kScaleStep = 25;

// The nearest allowed scale (rounded to a step, clamped to the range).
int clamp_scale_percent(int percent);
// 75, 100, ..., 200.
std::vector<int> scale_choices();
const char* theme_name(Theme t);  // "dark" | "light"

// {"theme": "light", "scale_percent": 125}
std::string ui_settings_to_json(const UiSettings& s);
// The settings in `text` (defaults for what is missing or invalid; "" = all defaults).
UiSettings ui_settings_from_json(std::string_view text);

}  // namespace mllab

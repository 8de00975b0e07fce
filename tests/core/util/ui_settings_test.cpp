// Display settings as saved in localStorage: written and read back, and a damaged or
// out-of-range saved value falling back to a usable one instead of stopping the app.
#include "core/util/ui_settings.hpp"

#include <gtest/gtest.h>

namespace mllab {
namespace {

TEST(UiSettings, RoundTrips) {
  UiSettings s{Theme::kLight, 150};
  EXPECT_EQ(ui_settings_from_json(ui_settings_to_json(s)), s);
  EXPECT_EQ(ui_settings_to_json(s), R"({"scale_percent":150,"theme":"light"})");
}

TEST(UiSettings, DefaultsForMissingOrDamagedText) {
  const UiSettings d;
  EXPECT_EQ(d.theme, Theme::kDark);
  EXPECT_EQ(d.scale_percent, 100);
  EXPECT_EQ(ui_settings_from_json(""), d);
  EXPECT_EQ(ui_settings_from_json("{not json"), d);
  EXPECT_EQ(ui_settings_from_json("[1,2]"), d);
  EXPECT_EQ(ui_settings_from_json(R"({"theme": 3, "scale_percent": "big"})"), d);
  EXPECT_EQ(ui_settings_from_json(R"({"theme": "purple"})").theme, Theme::kDark);
  EXPECT_EQ(ui_settings_from_json(R"({"theme": "light"})").scale_percent, 100);
}

TEST(UiSettings, ScaleIsClampedToTheRangeAndSteps) {
  EXPECT_EQ(clamp_scale_percent(10), 75);
  EXPECT_EQ(clamp_scale_percent(1000), 200);
  EXPECT_EQ(clamp_scale_percent(110), 100);
  EXPECT_EQ(clamp_scale_percent(113), 125);
  EXPECT_EQ(ui_settings_from_json(R"({"scale_percent": 5000})").scale_percent, 200);
  EXPECT_EQ(ui_settings_from_json(R"({"scale_percent": 1e300})").scale_percent, 100);
  EXPECT_EQ(scale_choices(), (std::vector<int>{75, 100, 125, 150, 175, 200}));
}

}  // namespace
}  // namespace mllab

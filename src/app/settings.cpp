#include "app/settings.hpp"

#include <emscripten/emscripten.h>
#include <imgui_impl_opengl3.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace mllab::app {
namespace {
constexpr const char* kStorageKey = "mllab.settings";
constexpr float kBaseFontSize = 15.0f;

UiSettings g_settings;
bool g_dirty = true;
float g_applied_dpr = 0;
bool g_fonts_uploaded = false;  // the backend made a texture from the atlas already

void build_style(float scale) {
  ImGuiStyle& st = ImGui::GetStyle();
  st = ImGuiStyle();
  if (g_settings.theme == Theme::kLight) {
    ImGui::StyleColorsLight(&st);
    // Light's window background is a near-white grey; separate the windows a little more.
    st.Colors[ImGuiCol_Border] = ImVec4(0.70f, 0.72f, 0.76f, 1.0f);
  } else {
    ImGui::StyleColorsDark(&st);
  }
  st.WindowRounding = 0;
  st.FrameRounding = 3;
  st.GrabRounding = 3;
  st.WindowPadding = {10, 8};
  st.FramePadding = {6, 4};
  st.ItemSpacing = {8, 6};
  st.CellPadding = {6, 3};
  st.WindowBorderSize = 1;
  st.ScaleAllSizes(scale);
}

void build_fonts(float scale, float dpr) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const float px = kBaseFontSize * scale * dpr;
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  // Latin, plus punctuation (— … “ ” ‘ ’ •), arrows and maths signs (→ ≤ ≥ ±) the panels write.
  static const ImWchar kRanges[] = {0x0020, 0x024F, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0};
  ImFont* ui = io.Fonts->AddFontFromFileTTF("/fonts/DejaVuSans.ttf", px, &cfg, kRanges);
  ImFont* mono = io.Fonts->AddFontFromFileTTF("/fonts/JetBrainsMono-Regular.ttf", px, &cfg, kRanges);
  if (!ui || !mono) {
    std::fprintf(stderr, "MLLab: fonts missing, using ImGui's default\n");
    if (io.Fonts->Fonts.empty()) io.Fonts->AddFontDefault();
  }
  io.FontGlobalScale = 1.0f / dpr;
}
}  // namespace

const UiSettings& ui_settings() { return g_settings; }

void set_ui_settings(const UiSettings& s) {
  UiSettings next = s;
  next.scale_percent = clamp_scale_percent(s.scale_percent);
  if (next == g_settings) return;
  g_settings = next;
  g_dirty = true;
  const std::string text = ui_settings_to_json(g_settings);
  // localStorage may be unavailable (blocked site data): the setting then lasts for this tab.
  EM_ASM({ try { localStorage.setItem(UTF8ToString($0), UTF8ToString($1)); } catch (e) {} }, kStorageKey, text.c_str());
}

void load_ui_settings() {
  char* text = reinterpret_cast<char*>(EM_ASM_INT({
    var s = "";
    try { s = localStorage.getItem(UTF8ToString($0)) || ""; } catch (e) {}
    var n = lengthBytesUTF8(s) + 1;
    var p = _malloc(n);
    stringToUTF8(s, p, n);
    return p;
  }, kStorageKey));
  g_settings = ui_settings_from_json(text ? text : "");
  std::free(text);
  g_dirty = true;
}

void apply_ui_settings(float dpr) {
  if (!g_dirty && dpr == g_applied_dpr) return;
  const float scale = float(g_settings.scale_percent) / 100.0f;
  build_style(scale);
  build_fonts(scale, dpr);
  if (g_fonts_uploaded) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  // Before the backend's first NewFrame its device objects (and the font texture) do not exist;
  // it creates them there from the atlas just built.
  g_fonts_uploaded = true;
  g_applied_dpr = dpr;
  g_dirty = false;
}

ImVec4 clear_color() {
  return g_settings.theme == Theme::kLight ? ImVec4(0.94f, 0.94f, 0.95f, 1.0f) : ImVec4(0.09f, 0.10f, 0.12f, 1.0f);
}

}  // namespace mllab::app

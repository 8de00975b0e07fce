// The MLLab web app: GLFW + WebGL2 + Dear ImGui over a Lab on the IndexedDB store.
//
// [SECTION] Main loop stub (the Emscripten loop is hidden so main() reads like a native one)
// [SECTION] Input: wheel units, keys queued and trickled to ImGui
// [SECTION] Frame: a job slice, then the shell (tab bar, banner, the workspace's views)
// [SECTION] Setup: window, fonts, style, store
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>

#include "app/context.hpp"
#include "app/input/clipboard.hpp"
#include "app/input/trickle.hpp"
#include "app/js_api.hpp"
#include "app/settings.hpp"
#include "app/shell.hpp"
#include "platform/web/idb_store.hpp"
#include "platform/web/session.hpp"

namespace mllab::app {

// [SECTION] Main loop stub
namespace {
GLFWwindow* g_window = nullptr;
std::function<void()> g_frame;
void loop_trampoline() { g_frame(); }
void run_main_loop(std::function<void()> frame) {
  g_frame = std::move(frame);
  emscripten_set_main_loop(loop_trampoline, 0, false);
}
}  // namespace

// [SECTION] Input
namespace {
// Emscripten 3.1.6's GLFW passes the browser's wheel deltas on unchanged: pixels (~100 per
// notch) with the browser's sign (positive = scroll down). Dear ImGui wants notches with
// positive = up; without this the panels scrolled the wrong way, a whole page per notch.
void on_scroll(GLFWwindow* window, double dx, double dy) {
  constexpr double kPixelsPerNotch = 100.0;
  ImGui_ImplGlfw_ScrollCallback(window, -dx / kPixelsPerNotch, -dy / kPixelsPerNotch);
}

// Keys and characters are queued as the browser delivers them and handed to the backend a
// frame's worth at a time (input/trickle.hpp), so none is lost on a slow frame.
static_assert(input::kFirstModifierKey == GLFW_KEY_LEFT_SHIFT && input::kLastModifierKey == GLFW_KEY_RIGHT_SUPER);
static_assert(input::kActionPress == GLFW_PRESS && input::kActionRelease == GLFW_RELEASE && input::kActionRepeat == GLFW_REPEAT);
std::deque<input::Event> g_key_queue;
void on_key(GLFWwindow*, int key, int scancode, int action, int mods) {
  g_key_queue.push_back({input::Event::Kind::Key, key, scancode, action, mods, 0});
}
void on_char(GLFWwindow*, unsigned codepoint) { g_key_queue.push_back({input::Event::Kind::Char, 0, 0, 0, 0, codepoint}); }
void feed_queued_keys(GLFWwindow* window) {
  const auto taken = input::events_for_frame(g_key_queue);
  for (std::size_t i : taken) {
    const input::Event& e = g_key_queue[i];
    if (e.kind == input::Event::Kind::Char) ImGui_ImplGlfw_CharCallback(window, e.codepoint);
    else ImGui_ImplGlfw_KeyCallback(window, e.key, e.scancode, e.action, e.mods);
  }
  for (auto it = taken.rbegin(); it != taken.rend(); ++it) g_key_queue.erase(g_key_queue.begin() + std::ptrdiff_t(*it));
}
}  // namespace

// [SECTION] Frame
namespace {
// The time a frame gives the running job, adapted to what the frames measure. The frame's own
// work (events, ImGui: ~1-3 ms; more on a loaded machine) plus the slice should stay under
// kFrameTargetMs (40 fps, a margin over the 30 fps the page must keep); the slice grows
// while frames arrive faster than that and shrinks at once when they come late (the browser
// also needs time to composite). A job's unit (a tree, a row chunk) cannot be cut, and
// TrainJob::advance starts a unit only when it is likely to fit in the slice.
constexpr double kFrameTargetMs = 25.0;
constexpr double kJobSliceMinMs = 2.0;
constexpr double kJobSliceMaxMs = 24.0;

class JobSlice {
 public:
  // Called at the start of a frame with the time since the previous frame began.
  void on_frame_interval(double interval_ms) {
    if (interval_ms <= 0 || interval_ms > 1000) return;  // the first frame, or a hidden tab
    interval_ema_ = interval_ema_ < 0 ? interval_ms : 0.8 * interval_ema_ + 0.2 * interval_ms;
    if (interval_ms > kFrameTargetMs * 1.1) slice_ms_ *= 0.7;  // late: back off at once
    else if (interval_ema_ < kFrameTargetMs * 0.9) slice_ms_ += 0.5;
    clamp();
  }
  // Called after a frame with the time of its own work (everything but the job's slice).
  void on_frame_work(double work_ms) {
    work_ema_ = work_ema_ < 0 ? work_ms : 0.9 * work_ema_ + 0.1 * work_ms;
    clamp();
  }
  double slice_ms() const { return slice_ms_; }
  double work_ms() const { return work_ema_; }

 private:
  void clamp() {
    const double room = kFrameTargetMs * 0.75 - std::max(work_ema_, 0.0);
    slice_ms_ = std::clamp(slice_ms_, kJobSliceMinMs, std::max(kJobSliceMinMs, std::min(kJobSliceMaxMs, room)));
  }
  double slice_ms_ = 8.0;
  double interval_ema_ = -1, work_ema_ = -1;
};
JobSlice g_slice;
double g_last_frame_start = 0;

// A fingerprint of what a frame draws: its draw lists' vertices, indices and commands, and the
// framebuffer. With software WebGL (SwiftShader) the browser's rasterizing and compositing of
// the canvas, not the app's own ~2-3 ms, is what limits the frame rate; a frame whose picture
// equals the previous one's issues no GL calls, so the browser keeps the last picture and the
// frame costs only its ImGui pass (the text cursor's blink, a hover or a progress step draw
// again, as they change the lists).
uint64_t picture_hash(const ImDrawData& d, int fb_w, int fb_h, ImVec4 bg) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {  // a word at a time: ~1 MB of vertices costs well under 1 ms
      uint64_t w;
      std::memcpy(&w, b + i, 8);
      h = (h ^ w) * 1099511628211ull;
      h ^= h >> 29;
    }
    for (; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  const int size[2] = {fb_w, fb_h};
  mix(size, sizeof size);
  mix(&bg, sizeof bg);
  for (int n = 0; n < d.CmdListsCount; ++n) {
    const ImDrawList* l = d.CmdLists[n];
    mix(l->VtxBuffer.Data, size_t(l->VtxBuffer.Size) * sizeof(ImDrawVert));
    mix(l->IdxBuffer.Data, size_t(l->IdxBuffer.Size) * sizeof(ImDrawIdx));
    for (const ImDrawCmd& c : l->CmdBuffer) {
      const uint64_t cmd[4] = {uint64_t(c.ElemCount), uint64_t(c.IdxOffset), uint64_t(c.VtxOffset), uint64_t(uintptr_t(c.TextureId))};
      mix(cmd, sizeof cmd);
      mix(&c.ClipRect, sizeof c.ClipRect);
    }
  }
  return h;
}
uint64_t g_last_picture = 0;
double g_last_drawn_ms = 0;
int g_frames_drawn = 0;
// Even an unchanged picture is drawn again after this long (a lost and restored WebGL context,
// a compositor that dropped the canvas's last frame).
constexpr double kRedrawAtLeastEveryMs = 1000;

void frame(AppContext& ctx, Shell& shell) {
  const double frame_start = emscripten_get_now();
  if (g_last_frame_start > 0) g_slice.on_frame_interval(frame_start - g_last_frame_start);
  g_last_frame_start = frame_start;
  double job_ms = 0;
  // Size the canvas to its CSS box at the device pixel ratio, for crisp text.
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  double dpr = emscripten_get_device_pixel_ratio();
  int fb_w = int(css_w * dpr), fb_h = int(css_h * dpr);
  int cur_w = 0, cur_h = 0;
  emscripten_get_canvas_element_size("#canvas", &cur_w, &cur_h);
  // Not glfwSetWindowSize: Emscripten's GLFW requests fullscreen when the size equals the screen's.
  if (fb_w > 0 && fb_h > 0 && (cur_w != fb_w || cur_h != fb_h)) emscripten_set_canvas_element_size("#canvas", fb_w, fb_h);

  glfwPollEvents();
  feed_queued_keys(g_window);
  if (ctx.jobs().busy()) {
    const double t0 = emscripten_get_now();
    ctx.jobs().advance(g_slice.slice_ms());
    job_ms = emscripten_get_now() - t0;
  }
  apply_ui_settings(float(dpr));  // theme / UI scale / pixel ratio changed: fonts and style rebuilt
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(css_w), float(css_h));
  io.DisplayFramebufferScale = ImVec2(float(dpr), float(dpr));
  // The backend only reads the cursor while GLFW thinks the canvas is focused, and the browser
  // takes focus away for the file picker; read it always (in canvas pixels -> CSS pixels).
  double mx = 0, my = 0;
  glfwGetCursorPos(g_window, &mx, &my);
  io.MousePos = ImVec2(float(mx / dpr), float(my / dpr));
  ImGui::NewFrame();

  ctx.begin_frame();
  shell.draw(ctx, io.DisplaySize.x, io.DisplaySize.y);

  ImGui::Render();
  const ImVec4 bg = clear_color();
  const uint64_t picture = picture_hash(*ImGui::GetDrawData(), fb_w, fb_h, bg);
  if (picture != g_last_picture || frame_start - g_last_drawn_ms > kRedrawAtLeastEveryMs) {
    g_last_picture = picture;
    g_last_drawn_ms = frame_start;
    ++g_frames_drawn;
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(bg.x, bg.y, bg.z, bg.w);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  }
  ctx.end_frame();
  g_slice.on_frame_work(emscripten_get_now() - frame_start - job_ms);
  ctx.set_frame_work_ms(g_slice.work_ms());
  ctx.set_frames_drawn(g_frames_drawn);
}

// [SECTION] Setup: fonts and style come from the display settings (app/settings.cpp).
void setup_style(float dpr) {
  ImGui::GetIO().IniFilename = nullptr;
  load_ui_settings();
  apply_ui_settings(dpr);
}
}  // namespace

}  // namespace mllab::app

int main() {
  using namespace mllab;
  if (!glfwInit()) {
    std::fprintf(stderr, "MLLab: glfwInit failed\n");
    return 1;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  app::g_window = glfwCreateWindow(1280, 800, "MLLab", nullptr, nullptr);
  if (!app::g_window) {
    std::fprintf(stderr, "MLLab: WebGL2 is not available\n");
    return 1;
  }
  glfwMakeContextCurrent(app::g_window);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  app::setup_style(float(emscripten_get_device_pixel_ratio()));
  ImGui_ImplGlfw_InitForOpenGL(app::g_window, true);
  glfwSetScrollCallback(app::g_window, app::on_scroll);  // replaces the backend's (see on_scroll)
  glfwSetKeyCallback(app::g_window, app::on_key);        // queued, then the backend's (see on_key)
  glfwSetCharCallback(app::g_window, app::on_char);
  app::input::install_browser_clipboard();  // Emscripten's GLFW has no clipboard
  ImGui_ImplOpenGL3_Init("#version 300 es");

  auto store = platform::IdbStore::open();
  platform::IdbStore* idb = store.get();
  static app::AppContext ctx(std::make_unique<platform::Lab>(std::move(store), "/"));
  static app::Shell shell;
  // A failed write was rolled back: say so (the views reload on the store's revision).
  idb->set_error_listener([idb](const Status& st) { ctx.on_storage_failure(st, idb->last_failed_keys()); });
  // Another tab saved something: the revision moved, so lists reload; drop what it deleted.
  idb->set_remote_change_listener([](const std::vector<std::string>&) { ctx.revalidate_selection(); });
  // Runs of this page record its session; runs left RUNNING by gone pages become KILLED (now for
  // pages already gone, later for pages that go while this one lives).
  ctx.lab().set_run_ownership(platform::browser_session_ownership());
  platform::set_session_ended_listener([](const std::string&) { ctx.reap_orphaned_runs(); });
  ctx.reap_orphaned_runs();
  app::install_js_api(ctx, shell);
  app::run_main_loop([] { app::frame(ctx, shell); });
  return 0;
}

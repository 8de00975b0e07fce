// The browser clipboard for Dear ImGui (clipboard.hpp).
#include "app/input/clipboard.hpp"

#include <emscripten/emscripten.h>
#include <imgui.h>

#include <string>

namespace mllab::app::input {
namespace {
std::string g_clipboard;  // the last text pasted into the page or copied from a field

// Writes the text to the system clipboard; where the browser refuses (no focus, an insecure
// origin) the text stays in the app's own clipboard, so copy and paste within the app still work.
EM_JS(void, write_browser_clipboard, (const char* text), {
  var s = UTF8ToString(text);
  if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(s).catch(function () {});
});

const char* get_clipboard(void*) { return g_clipboard.c_str(); }
void set_clipboard(void*, const char* text) {
  g_clipboard = text ? text : "";
  write_browser_clipboard(g_clipboard.c_str());
}
}  // namespace

void install_browser_clipboard() {
  ImGuiIO& io = ImGui::GetIO();
  io.GetClipboardTextFn = get_clipboard;
  io.SetClipboardTextFn = set_clipboard;
  io.ClipboardUserData = nullptr;
}

}  // namespace mllab::app::input

// Called by web/pre.js with the text of the page's 'paste' event.
extern "C" EMSCRIPTEN_KEEPALIVE void mllab_clipboard_paste(const char* text) {
  mllab::app::input::g_clipboard = text ? text : "";
}

// Copy and paste between the app's text fields and the browser's clipboard.
//
// Emscripten's GLFW keeps no clipboard (glfwGetClipboardString returns nothing), so Ctrl+C and
// Ctrl+V did nothing in any field. Paste comes from the page's DOM 'paste' event (the browser
// hands its text over on Ctrl+V without a permission prompt; web/pre.js forwards it here before
// the frame that handles the queued Ctrl+V); copy and cut write through navigator.clipboard.
#pragma once

namespace mllab::app::input {

// Points Dear ImGui's clipboard callbacks at the browser's clipboard. Call after the GLFW
// backend's init (which installs its own, empty ones).
void install_browser_clipboard();

}  // namespace mllab::app::input

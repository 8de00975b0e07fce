#include "app/ui.hpp"

#include <emscripten/emscripten.h>
#include <imgui.h>

namespace mllab::app {

void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", title);
  ImGui::Separator();
}

void error_text(const std::string& message) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.45f, 1.0f));
  ImGui::TextWrapped("%s", message.c_str());
  ImGui::PopStyleColor();
}

void empty_state(const char* message) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", message);
}

void open_file_picker() {
  EM_ASM({ if (window.mllabOpenFilePicker) window.mllabOpenFilePicker(); });
}

}  // namespace mllab::app

#include "app/ui.hpp"

#include <emscripten/emscripten.h>
#include <imgui.h>

#include <map>

#include "app/jobs.hpp"

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

void download_file(const std::string& file_name, const std::string& bytes, const std::string& mime_type) {
  EM_ASM({ window.mllabDownload(UTF8ToString($0), HEAPU8.slice($1, $1 + $2), UTF8ToString($3)); },
         file_name.c_str(), bytes.data(), bytes.size(), mime_type.c_str());
}

namespace {
std::map<int, std::function<void(const std::string&, std::string)>> g_pick_callbacks;
int g_next_pick = 1;
}  // namespace

void pick_file(const std::string& accept, std::function<void(const std::string& name, std::string bytes)> on_file) {
  const int id = g_next_pick++;
  g_pick_callbacks[id] = std::move(on_file);
  EM_ASM({ window.mllabPickFile($0, UTF8ToString($1)); }, id, accept.c_str());
}

namespace {
struct ShownJob {
  int id = -1;
  double at = 0;
  float progress = 0;
  std::string stage;
  double eta = -1;
};
const ShownJob& shown(const JobEntry& j) {
  static ShownJob s;
  constexpr double kRefreshSeconds = 0.1;
  const double now = ImGui::GetTime();
  if (s.id != j.id || now - s.at >= kRefreshSeconds) {
    s = {j.id, now, float(j.job->progress()), j.job->stage_text(), j.job->eta_seconds()};
  }
  return s;
}
}  // namespace

void job_progress_bar(const JobEntry& job, float width) {
  const ShownJob& s = shown(job);
  ImGui::ProgressBar(s.progress, {width, 0}, s.stage.c_str());
}
double job_eta_seconds(const JobEntry& job) { return shown(job).eta; }

}  // namespace mllab::app

// Called by the page when the file picker of pick_file(id) delivered a file.
extern "C" EMSCRIPTEN_KEEPALIVE void mllab_file_picked(int id, const char* name, const char* bytes, int size) {
  auto it = mllab::app::g_pick_callbacks.find(id);
  if (it == mllab::app::g_pick_callbacks.end()) return;
  auto cb = std::move(it->second);
  mllab::app::g_pick_callbacks.clear();  // one picker at a time: older requests are dropped
  cb(name, std::string(bytes, size_t(size)));
}

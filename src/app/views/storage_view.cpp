// Storage & settings: what this browser keeps for MLLab (IndexedDB records by kind, counted from
// the store's own keys and records, and the browser's quota estimate), persistent storage,
// clearing everything behind a typed confirmation, and the display settings (theme, UI scale).
// The browser's answers (navigator.storage.estimate / persisted / persist) are asynchronous:
// JS calls mllab_storage_on_estimate / mllab_storage_on_persist between frames.
#include <emscripten/emscripten.h>
#include <imgui.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "app/settings.hpp"
#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/store/usage.hpp"

namespace mllab::app {
namespace {

constexpr const char* kConfirmWord = "DELETE";

// The browser's answers, filled in by the exported callbacks below.
struct BrowserStorage {
  bool estimate_known = false;
  double usage = 0, quota = 0;
  int persisted = -1;          // -1 unknown, 0 no, 1 yes
  std::string persist_answer;  // what the last request answered, in words
  bool persist_pending = false;
};
BrowserStorage g_browser;

void ask_estimate() {
  EM_ASM({
    if (!navigator.storage || !navigator.storage.estimate) {
      Module.ccall('mllab_storage_on_estimate', null, ['number', 'number', 'number', 'number'], [0, 0, 0, -1]);
      return;
    }
    var persisted = navigator.storage.persisted ? navigator.storage.persisted() : Promise.resolve(null);
    Promise.all([navigator.storage.estimate(), persisted.catch(function () { return null; })]).then(function (r) {
      Module.ccall('mllab_storage_on_estimate', null, ['number', 'number', 'number', 'number'],
                   [1, r[0].usage || 0, r[0].quota || 0, r[1] === null ? -1 : (r[1] ? 1 : 0)]);
    }, function () {
      Module.ccall('mllab_storage_on_estimate', null, ['number', 'number', 'number', 'number'], [0, 0, 0, -1]);
    });
  });
}

void ask_persist() {
  EM_ASM({
    if (!navigator.storage || !navigator.storage.persist) {
      Module.ccall('mllab_storage_on_persist', null, ['number'], [-1]);
      return;
    }
    navigator.storage.persist().then(function (granted) {
      Module.ccall('mllab_storage_on_persist', null, ['number'], [granted ? 1 : 0]);
    }, function () { Module.ccall('mllab_storage_on_persist', null, ['number'], [-1]); });
  });
}

// Why IndexedDB could not be opened ("" when it is in use).
std::string idb_open_error() {
  char* text = reinterpret_cast<char*>(EM_ASM_INT({
    var s = (Module.mllabIdb && Module.mllabIdb.openError) || "";
    var n = lengthBytesUTF8(s) + 1;
    var p = _malloc(n);
    stringToUTF8(s, p, n);
    return p;
  }));
  std::string out = text ? text : "";
  std::free(text);
  return out;
}

class StorageView : public View {
 public:
  const char* title() const override { return "Storage & settings"; }

  void draw(AppContext& ctx) override {
    if (!asked_) {
      asked_ = true;
      idb_error_ = idb_open_error();
      ask_estimate();
    }
    const auto& usage = usage_.get(ctx.revision(), [&] {
      // The browser's figure follows the store's: ask again after every change.
      ask_estimate();
      return store::usage_by_kind(ctx.lab().store());
    });
    const store::KindUsage total = store::total_usage(usage);

    // Two columns, so every part is in view at any UI scale: what is stored | the browser, display, clearing.
    if (ImGui::BeginTable("##storage-cols", 2, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame)) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      draw_usage(usage, total);
      ImGui::TableNextColumn();
      draw_settings(ctx);
      draw_browser(ctx);
      draw_clear(ctx, total);
      ImGui::EndTable();
    }
  }

  void describe(nlohmann::json& ui) const override {
    nlohmann::json kinds = nlohmann::json::object();
    for (const auto& k : usage_.value_or_empty()) kinds[k.kind] = {{"count", k.count}, {"bytes", k.bytes}};
    const UiSettings& s = ui_settings();
    ui["storage"] = {{"kinds", kinds},
                     {"estimate", g_browser.estimate_known ? nlohmann::json{{"usage", g_browser.usage}, {"quota", g_browser.quota}}
                                                           : nlohmann::json(nullptr)},
                     {"persisted", g_browser.persisted},
                     {"persist_answer", g_browser.persist_answer},
                     {"clear_dialog_open", clear_open_},
                     {"cleared_records", cleared_},
                     {"settings", {{"theme", theme_name(s.theme)}, {"scale_percent", s.scale_percent}}}};
  }

 private:
  // A Cached<> that also lets describe() read the last value.
  struct UsageCache {
    Cached<std::vector<store::KindUsage>> cache;
    const std::vector<store::KindUsage>* last = nullptr;
    template <typename F>
    const std::vector<store::KindUsage>& get(uint64_t rev, F load) {
      last = &cache.get(rev, load);
      return *last;
    }
    std::vector<store::KindUsage> value_or_empty() const { return last ? *last : std::vector<store::KindUsage>{}; }
  };

  void draw_usage(const std::vector<store::KindUsage>& usage, const store::KindUsage& total) {
    section("Saved in this browser (IndexedDB)");
    if (!idb_error_.empty()) {
      error_text("IndexedDB is unavailable (" + idb_error_ +
                 "): nothing is saved; everything here is lost when the tab closes. Open MLLab in a normal "
                 "(not private) window, or allow this site to store data, and reload.");
    }
    if (total.count == 0) {
      ImGui::Spacing();
      ImGui::PushTextWrapPos(0.0f);  // wrapped: the column may be narrow
      ImGui::TextDisabled("Nothing saved yet — load a dataset in Data or train a run in Train; it is kept here, also offline.");
      ImGui::PopTextWrapPos();
    }
    if (ImGui::BeginTable("##usage", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit)) {
      ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthStretch);
      ImGui::TableSetupColumn("Records", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 6);
      ImGui::TableSetupColumn("Size", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 6);
      ImGui::TableHeadersRow();
      auto row = [](const store::KindUsage& k) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(k.label.c_str());
        ImGui::TableNextColumn();
        right_aligned(store::format_count(k.count));
        ImGui::TableNextColumn();
        right_aligned(store::format_bytes(k.bytes));
      };
      for (const auto& k : usage) {
        if (k.kind == "other" && k.count == 0) continue;
        row(k);
      }
      row(total);
      ImGui::EndTable();
    }
  }

  static void right_aligned(const std::string& s) {
    const float w = ImGui::CalcTextSize(s.c_str()).x;
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - w);
    ImGui::TextUnformatted(s.c_str());
  }

  void draw_browser(AppContext& ctx) {
    section("The browser's storage");
    if (g_browser.estimate_known) {
      const double pct = g_browser.quota > 0 ? 100.0 * g_browser.usage / g_browser.quota : 0;
      ImGui::Text("This site uses %s of the %s the browser allows it (%.2f%%).",
                  store::format_bytes(uint64_t(g_browser.usage)).c_str(),
                  store::format_bytes(uint64_t(g_browser.quota)).c_str(), pct);
      ImGui::ProgressBar(float(g_browser.quota > 0 ? g_browser.usage / g_browser.quota : 0), {-1, ImGui::GetFontSize() * 0.5f}, "");
      ImGui::TextDisabled("The browser's estimate includes its own overhead and the offline copy of the app.");
    } else {
      ImGui::TextDisabled("This browser does not tell how much space it allows (navigator.storage.estimate).");
    }
    if (ImGui::Button("Refresh")) ask_estimate();
    ctx.track("storage:refresh");

    ImGui::Spacing();
    const char* state = g_browser.persisted == 1   ? "Persistent: the browser will not evict MLLab's data to free space."
                        : g_browser.persisted == 0 ? "Best effort: under storage pressure the browser may delete MLLab's data."
                                                   : "The browser does not say whether the data is persistent.";
    ImGui::TextWrapped("%s", state);
    ImGui::BeginDisabled(g_browser.persist_pending || g_browser.persisted == 1);
    if (ImGui::Button("Request persistent storage")) {
      g_browser.persist_pending = true;
      g_browser.persist_answer.clear();
      ask_persist();
    }
    ImGui::EndDisabled();
    ctx.track("storage:persist");
    if (g_browser.persist_pending) {
      ImGui::SameLine();
      ImGui::TextDisabled("Asking the browser…");
    } else if (!g_browser.persist_answer.empty()) {
      ImGui::TextWrapped("%s", g_browser.persist_answer.c_str());
    }
  }

  void draw_clear(AppContext& ctx, const store::KindUsage& total) {
    section("Clear all data");
    ImGui::TextWrapped("Deletes every dataset, run, model, feature group, prediction and report saved in this browser. "
                       "It cannot be undone; display settings are kept.");
    ImGui::BeginDisabled(total.count == 0);
    if (ImGui::Button("Clear all data…")) {
      clear_open_ = true;
      confirm_[0] = '\0';
      clear_error_.clear();
      ImGui::OpenPopup("Clear all data?");
    }
    ImGui::EndDisabled();
    ctx.track("storage:clear");
    if (cleared_ >= 0) {
      ImGui::SameLine();
      ImGui::Text("Deleted %s records.", store::format_count(uint64_t(cleared_)).c_str());
    }
    if (!ImGui::IsPopupOpen("Clear all data?")) clear_open_ = false;
    ImGui::SetNextWindowSize({ImGui::GetFontSize() * 30, 0});
    if (ImGui::BeginPopupModal("Clear all data?", nullptr, ImGuiWindowFlags_NoResize)) {
      ImGui::TextWrapped("This deletes all %s records (%s) MLLab saved in this browser: datasets, runs, models and "
                         "everything else. It cannot be undone.",
                         store::format_count(total.count).c_str(), store::format_bytes(total.bytes).c_str());
      ImGui::Spacing();
      ImGui::Text("Type %s to confirm:", kConfirmWord);
      if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
      ImGui::SetNextItemWidth(-1);
      ImGui::InputText("##confirm", confirm_, sizeof confirm_);
      ctx.track("storage:clear-input");
      const bool typed = std::strcmp(confirm_, kConfirmWord) == 0;
      const bool busy = ctx.jobs().busy();
      if (busy) error_text("A job is running: wait for it or cancel it first.");
      if (!clear_error_.empty()) error_text(clear_error_);
      ImGui::BeginDisabled(!typed || busy);
      if (ImGui::Button("Delete everything")) {
        const size_t n = ctx.lab().store().keys("").size();
        Status st = ctx.lab().store().commit(store::clear_all_batch(ctx.lab().store()));
        if (st) {
          cleared_ = long(n);
          ctx.selection = Selection{};
          ctx.revalidate_selection();
          ImGui::CloseCurrentPopup();
        } else {
          clear_error_ = "Nothing was deleted: " + st.message();
        }
      }
      ImGui::EndDisabled();
      ctx.track("storage:clear-confirm");
      ImGui::SameLine();
      if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
      ctx.track("storage:clear-cancel");
      ImGui::EndPopup();
    }
  }

  void draw_settings(AppContext& ctx) {
    section("Display");
    UiSettings s = ui_settings();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Theme");
    ImGui::SameLine(ImGui::GetFontSize() * 6);
    if (ImGui::RadioButton("Dark", s.theme == Theme::kDark)) s.theme = Theme::kDark;
    ctx.track("settings:theme-dark");
    ImGui::SameLine();
    if (ImGui::RadioButton("Light", s.theme == Theme::kLight)) s.theme = Theme::kLight;
    ctx.track("settings:theme-light");
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("UI scale");
    ImGui::SameLine(ImGui::GetFontSize() * 6);
    const float choices_x = ImGui::GetCursorPosX();
    bool first = true;
    for (int p : scale_choices()) {
      const std::string label = std::to_string(p) + "%";
      if (!first) {
        // Wrap to a new line rather than run past a narrow column.
        const float w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label.c_str()).x;
        ImGui::SameLine();
        if (ImGui::GetContentRegionAvail().x < w) {
          ImGui::NewLine();
          ImGui::SetCursorPosX(choices_x);
        }
      }
      first = false;
      if (ImGui::RadioButton(label.c_str(), s.scale_percent == p)) s.scale_percent = p;
      ctx.track("settings:scale-" + std::to_string(p));
    }
    ImGui::TextDisabled("Kept in this browser (localStorage) and applied at once.");
    set_ui_settings(s);
  }

  UsageCache usage_;
  bool asked_ = false;
  std::string idb_error_;
  bool clear_open_ = false;
  char confirm_[32] = {};
  std::string clear_error_;
  long cleared_ = -1;
};

}  // namespace

std::unique_ptr<View> make_storage_view() { return std::make_unique<StorageView>(); }

}  // namespace mllab::app

extern "C" {
EMSCRIPTEN_KEEPALIVE void mllab_storage_on_estimate(int known, double usage, double quota, int persisted) {
  auto& b = mllab::app::g_browser;
  b.estimate_known = known != 0;
  b.usage = usage;
  b.quota = quota;
  if (persisted != -1 || b.persisted == -1) b.persisted = persisted;
}
EMSCRIPTEN_KEEPALIVE void mllab_storage_on_persist(int granted) {
  auto& b = mllab::app::g_browser;
  b.persist_pending = false;
  if (granted == 1) {
    b.persisted = 1;
    b.persist_answer = "The browser granted persistent storage.";
  } else if (granted == 0) {
    b.persisted = 0;
    b.persist_answer = "The browser declined for now (browsers grant it to sites you use often, bookmark or install).";
  } else {
    b.persist_answer = "This browser cannot make storage persistent.";
  }
}
}

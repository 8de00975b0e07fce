// window.mllab's C side. Every function returns a malloc'd JSON string
// {"ok": true, "result": ...} or {"ok": false, "error": "..."}; the page frees it.
// The lab's verbs (runs, datasets, models, features, monitoring; listDatasets, listRuns, getRun
// included) all go through mllab_api_call -> platform::lab_api_call, one entry point; only what
// needs the app itself is exported here: starting a pipeline on the app's job runner, a job's
// state, storing an uploaded CSV (which also selects it) and the UI state tests read.
#include "app/js_api.hpp"

#include <emscripten/emscripten.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "core/util/json_reader.hpp"
#include "platform/lab_api.hpp"

namespace mllab::app {
namespace {
AppContext* g_app = nullptr;
const Shell* g_shell = nullptr;

char* reply(const json& j) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}
char* ok(const json& result) { return reply({{"ok", true}, {"result", result}}); }
char* err(const std::string& message) { return reply({{"ok", false}, {"error", message}}); }

// Runs an exported function's body; whatever it throws becomes {"ok": false, "error"} naming
// the function, so the JS promise rejects with a message instead of the module aborting.
template <typename F>
char* guarded(const char* what, F body) {
  try {
    return body();
  } catch (...) {
    return err(std::string(what) + ": " + exception_status(std::current_exception()).message());
  }
}

}  // namespace

void install_js_api(AppContext& ctx, const Shell& shell) {
  g_app = &ctx;
  g_shell = &shell;
  EM_ASM({ if (window.mllabOnAppReady) window.mllabOnAppReady(); });
}

}  // namespace mllab::app

using mllab::app::g_app;
using mllab::app::g_shell;
using mllab::app::json;

extern "C" {

// Starts a pipeline spec as a job (the UI shows its progress); returns {"job_id"}.
EMSCRIPTEN_KEEPALIVE char* mllab_api_start_pipeline(const char* spec_json) {
  return mllab::app::guarded("mllab_api_start_pipeline", [&]() -> char* {
    int id = g_app->start_train(spec_json, "js-api");
    return mllab::app::ok({{"job_id", id}});
  });
}

// A job's state: {"done", "progress", "stage", "eta_seconds", "longest_unit_ms", "longest_unit",
// "run_id", "error"}.
EMSCRIPTEN_KEEPALIVE char* mllab_api_job_status(int job_id) {
  return mllab::app::guarded("mllab_api_job_status", [&]() -> char* {
    const mllab::app::JobEntry* e = g_app->jobs().find(job_id);
    if (!e) return mllab::app::err("no job " + std::to_string(job_id));
    json j = {{"done", e->finished}, {"run_id", e->job ? e->job->run_id() : ""}};
    if (e->job) {
      j["progress"] = e->job->progress();
      j["stage"] = e->job->stage_text();
      j["eta_seconds"] = e->job->eta_seconds();
      j["longest_unit_ms"] = e->job->longest_unit_ms();
      j["longest_unit"] = e->job->longest_unit();
      if (e->finished && !e->job->status().is_ok()) j["error"] = e->job->status().message();
    } else {
      j["error"] = e->error;
    }
    return mllab::app::ok(j);
  });
}

// Stores an uploaded CSV (the file picker's bytes); a malformed file stores nothing.
EMSCRIPTEN_KEEPALIVE char* mllab_api_load_csv(const char* file_name, const char* bytes, int size) {
  return mllab::app::guarded("mllab_api_load_csv", [&]() -> char* {
    auto st = g_app->add_uploaded_dataset(file_name, std::string(bytes, size_t(size)));
    if (!st.is_ok()) return mllab::app::err(st.message());
    const auto* d = g_app->dataset();
    return mllab::app::ok({{"name", d ? d->name : ""}, {"path", d ? d->uri : ""}});
  });
}

// The MLOps verbs (platform::lab_api_call): method name + JSON arguments -> {"ok", "result" | "error"}.
// A call that writes bumps the store's revision: the views reload their lists by themselves.
EMSCRIPTEN_KEEPALIVE char* mllab_api_call(const char* method, const char* args_json) {
  return mllab::app::guarded("mllab_api_call", [&]() -> char* {
    auto args = mllab::read_json(args_json, std::string(method) + ": the arguments");
    if (!args) return mllab::app::err(args.status().message());
    json r = mllab::platform::lab_api_call(g_app->lab(), method, *args);
    g_app->revalidate_selection();
    return mllab::app::reply(r);
  });
}

// What tests need to drive the UI: widget rectangles (CSS pixels) and selections.
EMSCRIPTEN_KEEPALIVE char* mllab_api_ui_state() {
  return mllab::app::guarded("mllab_api_ui_state", [&]() -> char* {
    json widgets = json::object();
    for (const auto& [k, r] : g_app->widgets()) widgets[k] = {{"x", r.x}, {"y", r.y}, {"w", r.w}, {"h", r.h}};
    const auto* d = g_app->dataset();
    json ui = {{"frame", g_app->frame()}, {"widgets", widgets},
               {"workspace", mllab::app::workspace_name(g_app->workspace())},
               {"dataset", d ? d->uri : ""}, {"target", d ? d->target : ""},
               {"dataset_error", g_app->dataset_error()}, {"selected_run", g_app->selection.run_id},
               {"compare_runs", g_app->selection.compare}, {"errors", g_app->errors()},
               {"storage_error", g_app->storage_error()}, {"job_message", g_app->jobs().last_message()},
               {"revision", g_app->revision()}};
    g_shell->describe(ui);
    // The last job's progress and its longest unit of work; the frame's job slice.
    if (const mllab::app::JobEntry* e = g_app->jobs().last(); e && e->job) {
      ui["job"] = {{"id", e->id}, {"done", e->finished}, {"progress", e->job->progress()},
                   {"stage", e->job->stage_text()}, {"eta_seconds", e->job->eta_seconds()},
                   {"longest_unit_ms", e->job->longest_unit_ms()}, {"longest_unit", e->job->longest_unit()}};
    }
    ui["job_slice_ms"] = g_app->jobs().last_budget_ms();
    ui["frame_work_ms"] = g_app->frame_work_ms();
    ui["frames_drawn"] = g_app->frames_drawn();
    return mllab::app::ok(ui);
  });
}

}  // extern "C"

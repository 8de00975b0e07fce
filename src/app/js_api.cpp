// window.mllab's C side. Every function returns a malloc'd JSON string
// {"ok": true, "result": ...} or {"ok": false, "error": "..."}; the page frees it.
#include "app/js_api.hpp"

#include <emscripten/emscripten.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "core/util/json_reader.hpp"
#include "platform/lab_api.hpp"

namespace mllab::app {
namespace {
AppState* g_app = nullptr;

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

json run_json(const tracking::Run& r) {
  json j = tracking::run_to_summary_json(r);
  json arts = json::array();
  for (const auto& a : r.artifacts) arts.push_back({{"path", a.path}, {"media_type", a.media_type}, {"file_size", a.file_size}});
  j["artifacts"] = arts;
  json inputs = json::array();
  for (const auto& in : r.inputs) {
    inputs.push_back({{"name", in.name}, {"digest", in.digest}, {"source", in.source}, {"context", in.context}, {"num_rows", in.num_rows}});
  }
  j["inputs"] = inputs;
  return j;
}
}  // namespace

void install_js_api(AppState& app) {
  g_app = &app;
  EM_ASM({ if (window.mllabOnAppReady) window.mllabOnAppReady(); });
}

}  // namespace mllab::app

using mllab::app::g_app;
using mllab::app::json;

extern "C" {

EMSCRIPTEN_KEEPALIVE char* mllab_api_list_datasets() {
  return mllab::app::guarded("mllab_api_list_datasets", [&]() -> char* {
    json arr = json::array();
    for (const auto& e : g_app->lab->catalog()) {
      arr.push_back({{"name", e.name}, {"path", e.path}, {"source_type", "builtin"}, {"title", e.title},
                     {"rows", e.rows}, {"columns", e.columns}, {"target", e.target}, {"digest", e.sha256}});
    }
    for (const auto& d : g_app->lab->datasets().list()) {
      const auto& v = d.latest();
      arr.push_back({{"name", d.name}, {"path", mllab::datasets::dataset_uri(d.name)}, {"source_type", v.source_type},
                     {"source", v.source}, {"rows", v.num_rows}, {"columns", v.schema.value("columns", json::array()).size()},
                     {"digest", v.digest}, {"version", v.version}});
    }
    return mllab::app::ok(arr);
  });
}

EMSCRIPTEN_KEEPALIVE char* mllab_api_list_runs() {
  return mllab::app::guarded("mllab_api_list_runs", [&]() -> char* {
    json arr = json::array();
    for (const auto& r : g_app->lab->tracking().list_runs()) arr.push_back(mllab::app::run_json(r));
    return mllab::app::ok(arr);
  });
}

EMSCRIPTEN_KEEPALIVE char* mllab_api_get_run(const char* run_id) {
  return mllab::app::guarded("mllab_api_get_run", [&]() -> char* {
    auto r = g_app->lab->tracking().get_run(run_id);
    if (!r) return mllab::app::err(r.status().message());
    json j = mllab::app::run_json(*r);
    auto rep = g_app->lab->tracking().get_artifact(r->run_id, "classification_report.txt");
    if (rep) j["classification_report"] = *rep;
    auto cm = g_app->lab->tracking().get_artifact(r->run_id, "confusion_matrix.json");
    if (cm) {
      auto parsed = mllab::read_json(*cm, "artifact confusion_matrix.json");
      j["confusion_matrix"] = parsed ? std::move(parsed).value() : json(nullptr);
    }
    return mllab::app::ok(j);
  });
}

// Starts a pipeline spec as a job (the UI shows its progress); returns {"job_id"}.
EMSCRIPTEN_KEEPALIVE char* mllab_api_start_pipeline(const char* spec_json) {
  return mllab::app::guarded("mllab_api_start_pipeline", [&]() -> char* {
    int id = mllab::app::start_job(*g_app, spec_json, "js-api");
    return mllab::app::ok({{"job_id", id}});
  });
}

// A job's state: {"done", "progress", "stage", "run_id", "error"}.
EMSCRIPTEN_KEEPALIVE char* mllab_api_job_status(int job_id) {
  return mllab::app::guarded("mllab_api_job_status", [&]() -> char* {
    for (const auto& e : g_app->jobs) {
      if (e.id != job_id) continue;
      json j = {{"done", e.finished}, {"run_id", e.job ? e.job->run_id() : ""}};
      if (e.job) {
        j["progress"] = e.job->progress();
        j["stage"] = e.job->stage_name();
        if (e.finished && !e.job->status().is_ok()) j["error"] = e.job->status().message();
      } else {
        j["error"] = e.error;
      }
      return mllab::app::ok(j);
    }
    return mllab::app::err("no job " + std::to_string(job_id));
  });
}

// Stores an uploaded CSV (the file picker's bytes); a malformed file stores nothing.
EMSCRIPTEN_KEEPALIVE char* mllab_api_load_csv(const char* file_name, const char* bytes, int size) {
  return mllab::app::guarded("mllab_api_load_csv", [&]() -> char* {
    auto st = mllab::app::add_uploaded_dataset(*g_app, file_name, std::string(bytes, size_t(size)));
    if (!st.is_ok()) return mllab::app::err(st.message());
    return mllab::app::ok({{"name", g_app->dataset ? g_app->dataset->name : ""}, {"path", g_app->dataset ? g_app->dataset->uri : ""}});
  });
}

// The MLOps verbs (platform::lab_api_call): method name + JSON arguments -> {"ok", "result" | "error"}.
// Every call may have written: the panels reload their lists.
EMSCRIPTEN_KEEPALIVE char* mllab_api_call(const char* method, const char* args_json) {
  return mllab::app::guarded("mllab_api_call", [&]() -> char* {
    auto args = mllab::read_json(args_json, std::string(method) + ": the arguments");
    if (!args) return mllab::app::err(args.status().message());
    json r = mllab::platform::lab_api_call(*g_app->lab, method, *args);
    g_app->runs_dirty = true;
    g_app->datasets_dirty = true;
    return mllab::app::reply(r);
  });
}

// What tests need to drive the UI: widget rectangles (CSS pixels) and selections.
EMSCRIPTEN_KEEPALIVE char* mllab_api_ui_state() {
  return mllab::app::guarded("mllab_api_ui_state", [&]() -> char* {
    json widgets = json::object();
    for (const auto& [k, r] : g_app->widgets) widgets[k] = {{"x", r.x}, {"y", r.y}, {"w", r.w}, {"h", r.h}};
    json runs_order = json::array();
    for (const auto& r : g_app->runs) runs_order.push_back(r.run_id);
    return mllab::app::ok({{"frame", g_app->frame}, {"widgets", widgets},
                           {"dataset", g_app->dataset ? g_app->dataset->uri : ""}, {"target", g_app->target},
                           {"dataset_error", g_app->dataset_error}, {"selected_run", g_app->selected_run},
                           {"runs_order", runs_order}, {"storage_error", g_app->storage_error},
                           {"job_message", g_app->last_job_message}});
  });
}

}  // extern "C"

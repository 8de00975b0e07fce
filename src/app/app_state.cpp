#include "app/app_state.hpp"

#include <algorithm>

#include <imgui.h>

#include "core/data/csv.hpp"
#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::app {

void select_dataset(AppState& app, const std::string& uri) {
  app.dataset_error.clear();
  auto src = app.lab->resolve_dataset(uri);
  if (!src) {
    app.dataset_error = src.status().message();
    return;
  }
  data::CsvOptions opts;
  opts.source = src->path;
  auto table = data::read_csv(src->bytes, opts);
  if (!table) {
    app.dataset_error = table.status().message();
    return;
  }
  DatasetView v;
  v.uri = uri;
  v.name = src->name;
  v.source_type = src->source_type;
  v.target_names = src->target_names;
  v.table = std::move(table).value();
  // Suggest the catalog's target, else the last column.
  app.target.clear();
  app.excluded_columns.clear();
  for (const auto& e : app.lab->catalog()) {
    if (e.path == uri) app.target = e.target;
  }
  if (app.target.empty() && v.table.num_columns() > 0) app.target = v.table.columns().back().name;
  app.dataset = std::move(v);
}

Status add_uploaded_dataset(AppState& app, const std::string& file_name, const std::string& bytes) {
  std::string name = datasets::dataset_name_from_file(file_name);
  auto rec = app.lab->datasets().add(name, bytes, "upload", file_name);
  app.datasets_dirty = true;
  if (!rec) {
    app.dataset_error = rec.status().message();
    return rec.status();
  }
  select_dataset(app, datasets::dataset_uri(rec->name));
  return Status::ok();
}

json spec_from_form(const AppState& app) {
  // Columns become steps by type, like a ColumnTransformer: text -> TfidfVectorizer,
  // categorical -> OneHotEncoder, numeric with missing values -> SimpleImputer, other numeric
  // columns pass through.
  json steps = json::array();
  json passthrough = json::array(), categorical = json::array(), impute = json::array();
  bool sparse = false;
  if (app.dataset) {
    for (const auto& c : app.dataset->table.columns()) {
      if (c.name == app.target || app.excluded_columns.count(c.name)) continue;
      if (c.type == data::ColumnType::kText) {
        const char* prefix = app.vectorizer_type == "CountVectorizer" ? "counts_" : "tfidf_";
        steps.push_back({{"name", prefix + datasets::dataset_name_from_file(c.name)}, {"type", app.vectorizer_type},
                         {"columns", {c.name}}, {"params", app.vectorizer_params}});
        sparse = true;
      } else if (c.type == data::ColumnType::kCategorical) {
        categorical.push_back(c.name);
      } else if (c.missing_count() > 0) {
        impute.push_back(c.name);
      } else {
        passthrough.push_back(c.name);
      }
    }
  }
  if (!categorical.empty()) {
    steps.push_back({{"name", "onehot"}, {"type", "OneHotEncoder"}, {"columns", categorical},
                     {"params", app.onehot_params}});
    sparse = true;
  }
  if (!impute.empty()) {
    steps.push_back({{"name", "impute"}, {"type", "SimpleImputer"}, {"columns", impute},
                     {"params", app.imputer_params}});
  }
  if (app.scaler_type != "None") {
    json params = app.scaler_params;
    if (app.scaler_type == "StandardScaler" && sparse) params["with_mean"] = false;
    if (app.scaler_type == "MinMaxScaler" && sparse) {
      // MinMaxScaler would densify sparse features; scale them without centering instead.
      steps.push_back({{"name", "scaler"}, {"type", "StandardScaler"}, {"params", {{"with_mean", false}}}});
    } else {
      steps.push_back({{"name", "scaler"}, {"type", app.scaler_type}, {"params", params}});
    }
  }
  steps.push_back({{"name", "model"}, {"type", app.model_type}, {"params", app.model_params}});
  json j = {{"schema", "mllab.pipeline"}, {"schema_version", 1},
            {"experiment", app.experiment.empty() ? "Default" : app.experiment},
            {"run_name", std::string(app.run_name)},
            {"dataset", {{"path", app.dataset ? app.dataset->uri : ""}, {"target", app.target}}},
            {"split", {{"test_size", app.test_size}, {"random_state", app.random_state}, {"stratify", app.stratify}}},
            {"steps", steps}};
  // With column steps, numeric columns pass through only when listed; without them, listing
  // them keeps unticked columns out.
  if (!passthrough.empty()) j["dataset"]["features"] = passthrough;
  if (app.cv >= 2) j["evaluate"] = {{"cv", app.cv}};
  if (app.search_type != "None") {
    const bool random = app.search_type == "RandomizedSearchCV";
    auto space = read_json(app.search_space, "search space");
    json search = {{"type", random ? "random" : "grid"},
                   {random ? "param_distributions" : "param_grid", space ? *space : json::object()},
                   {"cv", app.search_cv}};
    if (!app.search_scoring.empty()) search["scoring"] = app.search_scoring;
    if (random) {
      search["n_iter"] = app.search_n_iter;
      search["random_state"] = app.search_random_state;
    }
    j["search"] = search;
  }
  return j;
}

std::string default_search_space(const std::string& model_type) {
  if (model_type == "LogisticRegression") return R"({"model__C": [0.1, 1, 10]})";
  if (model_type == "RandomForestClassifier" || model_type == "RandomForestRegressor") {
    return R"({"model__n_estimators": [50, 100, 200], "model__max_depth": [5, 10, 15]})";
  }
  if (model_type.rfind("HistGradientBoosting", 0) == 0) {
    return R"({"model__learning_rate": [0.05, 0.1, 0.2], "model__max_leaf_nodes": [15, 31]})";
  }
  if (model_type.rfind("DecisionTree", 0) == 0) return R"({"model__max_depth": [3, 5, 10]})";
  if (model_type == "Ridge") return R"({"model__alpha": [0.1, 1, 10]})";
  if (model_type == "MultinomialNB") return R"({"model__alpha": [0.1, 0.5, 1]})";
  return "{}";
}

int start_job(AppState& app, const std::string& spec_json, const std::string& source) {
  JobEntry e;
  e.id = app.next_job_id++;
  auto job = app.lab->make_train_job(spec_json, source);
  if (job) e.job = std::move(job).value();
  else { e.error = job.status().message(); e.finished = true; app.last_job_message = "Could not start: " + e.error; }
  app.jobs.push_back(std::move(e));
  return app.jobs.back().id;
}

void advance_jobs(AppState& app) {
  for (auto& e : app.jobs) {
    if (e.finished) continue;
    const bool had_run = !e.job->run_id().empty();
    bool more = e.job->step();
    // The run record changes when the job creates it and when it ends.
    if (!more || (!had_run && !e.job->run_id().empty())) app.runs_dirty = true;
    if (!more) {
      e.finished = true;
      const auto& st = e.job->status();
      app.last_job_message = st.is_ok() ? "Run finished" : "Run failed: " + st.message();
      if (!e.job->run_id().empty()) app.selected_run = e.job->run_id();
    }
    break;  // one stage of one job per frame keeps frames short
  }
  // Keep the last few finished jobs for the JS API to read their outcome.
  while (app.jobs.size() > 64 && app.jobs.front().finished) app.jobs.pop_front();
}

void revalidate_selection(AppState& app) {
  if (app.dataset && app.dataset->uri.rfind("datasets:/", 0) == 0 &&
      !app.lab->datasets().get(app.dataset->name)) {
    app.dataset.reset();
    app.target.clear();
  }
  if (!app.selected_run.empty() && !app.lab->tracking().get_run(app.selected_run)) app.selected_run.clear();
}

void on_storage_failure(AppState& app, const Status& st, const std::vector<std::string>& keys) {
  app.storage_error = st.message();
  app.runs_dirty = true;
  app.datasets_dirty = true;
  revalidate_selection(app);
  for (const auto& key : keys) {
    if (key.rfind("runs/", 0) != 0) continue;
    app.last_job_message = "Run not saved (storage problem)";
    const std::string id = key.substr(5);
    auto run = app.lab->tracking().get_run(id);
    if (!run || run->status != tracking::RunStatus::kRunning || !app.failed_saves.insert(id).second) continue;
    const bool job_running = std::any_of(app.jobs.begin(), app.jobs.end(), [&](const JobEntry& e) {
      return !e.finished && e.job && e.job->run_id() == id;
    });
    if (job_running) continue;
    tracking::RunData d;
    d.tags["mllab.error"] = st.message();
    // If this small write fails too, the run stays RUNNING until the next page load reaps it.
    (void)app.lab->tracking().end_run(id, d, tracking::RunStatus::kFailed, now_ms());
  }
}

void reap_orphaned_runs(AppState& app) {
  auto killed = app.lab->reap_orphaned_runs();
  if (killed && !killed->empty()) app.runs_dirty = true;
}

bool refresh_runs(AppState& app) {
  if (!app.runs_dirty) return false;
  app.runs = app.lab->tracking().list_runs();
  app.runs_dirty = false;
  return true;
}

const std::vector<datasets::DatasetRecord>& stored_datasets(AppState& app) {
  if (app.datasets_dirty) {
    app.stored_datasets = app.lab->datasets().list();
    app.datasets_dirty = false;
  }
  return app.stored_datasets;
}

void track_widget(AppState& app, const std::string& name) {
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  app.widgets[name] = {a.x, a.y, b.x - a.x, b.y - a.y};
}

}  // namespace mllab::app

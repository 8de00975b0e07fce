#include "app/context.hpp"

#include <imgui.h>

#include "core/data/csv.hpp"
#include "core/datasets/profile.hpp"
#include "core/util/clock.hpp"

namespace mllab::app {

const char* workspace_name(Workspace w) {
  switch (w) {
    case Workspace::kData: return "Data";
    case Workspace::kTrain: return "Train";
    case Workspace::kRuns: return "Runs";
    case Workspace::kCompare: return "Compare";
    case Workspace::kModels: return "Models";
    case Workspace::kFeatures: return "Features";
    case Workspace::kMonitoring: return "Monitoring";
    case Workspace::kStorage: return "Storage";
  }
  return "";
}

AppContext::AppContext(std::unique_ptr<platform::Lab> lab) : lab_(std::move(lab)) {
  jobs_.on_finished = [this](const JobEntry& e) {
    if (e.job && !e.job->run_id().empty()) selection.run_id = e.job->run_id();
  };
}

const std::vector<tracking::Run>& AppContext::runs() {
  return runs_.get(revision(), [&] { return lab_->tracking().list_runs(); });
}

const std::vector<datasets::DatasetRecord>& AppContext::stored_datasets() {
  return stored_datasets_.get(revision(), [&] { return lab_->datasets().list(); });
}

void AppContext::select_dataset(const std::string& uri) {
  dataset_error_.clear();
  auto src = lab_->resolve_dataset(uri);
  if (!src) {
    dataset_error_ = src.status().message();
    return;
  }
  data::CsvOptions opts;
  opts.source = src->path;
  auto table = data::read_csv(src->bytes, opts);
  if (!table) {
    dataset_error_ = table.status().message();
    return;
  }
  if (uri.rfind("datasets:/", 0) == 0) {
    // A stored version is read with its recorded column types (set_type steps).
    auto ref = datasets::parse_dataset_ref(uri.substr(10));
    auto v = ref ? lab_->datasets().version(ref->first, ref->second) : Result<datasets::DatasetVersion>(ref.status());
    if (v) {
      Status st = datasets::apply_schema_types(*table, v->schema);
      if (!st.is_ok()) {
        dataset_error_ = st.message();
        return;
      }
    }
  }
  LoadedDataset d;
  d.uri = uri;
  d.name = src->name;
  d.source_type = src->source_type;
  d.target_names = src->target_names;
  d.table = std::move(table).value();
  // The catalog's target, else the last column.
  for (const auto& e : lab_->catalog()) {
    if (e.path == uri) d.target = e.target;
    // A stored version of a built-in dataset (derived from it) keeps its suggested target.
    if (d.target.empty() && e.name == d.name && d.table.column(e.target)) d.target = e.target;
  }
  if (d.target.empty() && d.table.num_columns() > 0) d.target = d.table.columns().back().name;
  dataset_ = std::move(d);
}

Status AppContext::add_uploaded_dataset(const std::string& file_name, const std::string& bytes) {
  std::string name = datasets::dataset_name_from_file(file_name);
  auto rec = lab_->datasets().add(name, bytes, "upload", file_name);
  if (!rec) {
    dataset_error_ = rec.status().message();
    return rec.status();
  }
  select_dataset(datasets::dataset_uri(rec->name));
  return Status::ok();
}

int AppContext::start_train(const std::string& spec_json, const std::string& source) {
  return jobs_.start_train(*lab_, spec_json, source);
}

void AppContext::report_error(const std::string& message) {
  if (errors_.empty() || errors_.back() != message) errors_.push_back(message);
  while (errors_.size() > 8) errors_.erase(errors_.begin());
}

void AppContext::revalidate_selection() {
  if (dataset_ && dataset_->uri.rfind("datasets:/", 0) == 0 && !lab_->datasets().get(dataset_->name)) {
    dataset_.reset();
  }
  if (!selection.run_id.empty() && !lab_->tracking().get_run(selection.run_id)) selection.run_id.clear();
  std::erase_if(selection.compare, [&](const std::string& id) { return !lab_->tracking().get_run(id); });
}

void AppContext::on_storage_failure(const Status& st, const std::vector<std::string>& keys) {
  storage_error_ = st.message();
  revalidate_selection();
  for (const auto& key : keys) {
    if (key.rfind("runs/", 0) != 0) continue;
    jobs_.set_last_message("Run not saved (storage problem)");
    const std::string id = key.substr(5);
    auto run = lab_->tracking().get_run(id);
    if (!run || run->status != tracking::RunStatus::kRunning || !failed_saves_.insert(id).second) continue;
    if (jobs_.is_running(id)) continue;
    tracking::RunData d;
    d.tags["mllab.error"] = st.message();
    // If this small write fails too, the run stays RUNNING until the next page load reaps it.
    (void)lab_->tracking().end_run(id, d, tracking::RunStatus::kFailed, now_ms());
  }
}

void AppContext::reap_orphaned_runs() { (void)lab_->reap_orphaned_runs(); }

void AppContext::track(const std::string& name) {
  ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  widgets_[name] = {a.x, a.y, b.x - a.x, b.y - a.y};
}

}  // namespace mllab::app

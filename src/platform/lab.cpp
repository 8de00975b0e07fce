#include "platform/lab.hpp"

#include "core/data/csv.hpp"
#include "core/registry/predict_input.hpp"
#include "core/util/clock.hpp"
#include "core/util/sha256.hpp"
#include "platform/files.hpp"

namespace mllab::platform {
namespace fs = std::filesystem;

Lab::Lab(std::unique_ptr<store::Store> store, fs::path assets_root)
    : store_(std::move(store)), assets_root_(std::move(assets_root)), tracking_(*store_), datasets_(*store_),
      registry_(*store_, tracking_), features_(*store_), predictions_(*store_), drift_reports_(*store_) {
  auto bytes = read_file(assets_root_ / "assets/datasets/datasets.json");
  if (!bytes) {
    catalog_error_ = bytes.status().message();
    return;
  }
  auto cat = datasets::parse_catalog(*bytes);
  if (cat) catalog_ = std::move(cat).value();
  else catalog_error_ = cat.status().message();
}

void Lab::set_run_ownership(RunOwnership ownership) {
  ownership_ = std::move(ownership);
  tracking_.set_owner_tags(ownership_.tags);
}

Result<std::vector<std::string>> Lab::reap_orphaned_runs() {
  if (!ownership_.gone) return std::vector<std::string>{};
  return tracking_.kill_runs_of_gone_owners(ownership_.gone, now_ms());
}

Result<std::pair<std::string, nlohmann::json>> Lab::record_actual(const std::string& prediction_id,
                                                                  const nlohmann::json& actual) {
  auto entry = predictions_.find(prediction_id);
  if (!entry) return entry.status();
  // The model that made it: its registered version's document, else the run's model.
  registry::ModelDoc doc;
  if (!entry->model_name.empty() && entry->model_version) {
    auto v = registry_.get_model_version(entry->model_name, *entry->model_version);
    if (!v) return v.status();
    doc = v->model_doc;
  } else {
    auto m = registry_.load_model("runs:/" + entry->run_id + "/model");
    if (!m) return m.status();
    doc = m->doc;
  }
  if (!actual.is_string() && !actual.is_number()) {
    return Status::invalid("actual for prediction '" + entry->prediction_id + "' must be a label or a value (got " +
                           actual.dump() + ")");
  }
  auto typed = registry::parse_actual(actual.is_string() ? actual.get<std::string>() : actual.dump(), doc);
  if (!typed) return typed.status();
  MLLAB_RETURN_IF_ERROR(predictions_.record_actual(entry->prediction_id, *typed, now_ms()));
  return std::make_pair(entry->prediction_id, std::move(typed).value());
}

Result<pipeline::DatasetSource> Lab::resolve_dataset(const std::string& path, const fs::path& spec_dir) const {
  pipeline::DatasetSource src;
  src.path = path;
  const std::string prefix = "datasets:/";
  if (path.rfind(prefix, 0) == 0) {
    auto ref = datasets::parse_dataset_ref(path.substr(prefix.size()));
    if (!ref) return ref.status();
    src.name = ref->first;
    auto version = datasets_.version(ref->first, ref->second);
    if (!version) return version.status();
    auto bytes = datasets_.bytes(ref->first, version->version);
    if (!bytes) return bytes.status();
    src.source_type = version->source_type;
    src.bytes = std::move(bytes).value();
    src.schema = version->schema;
    return src;
  }
  if (const auto* e = datasets::find_by_path(catalog_, path)) {
    auto bytes = read_file(assets_root_ / e->path);
    if (!bytes) return bytes.status();
    src.name = e->name;
    src.source_type = "builtin";
    src.target_names = e->target_names;
    src.bytes = std::move(bytes).value();
    return src;
  }
  std::vector<fs::path> candidates = {fs::path(path)};
  if (!spec_dir.empty() && fs::path(path).is_relative()) candidates.push_back(spec_dir / path);
  for (const auto& c : candidates) {
    std::error_code ec;
    if (!fs::is_regular_file(c, ec)) continue;
    auto bytes = read_file(c);
    if (!bytes) return bytes.status();
    src.name = datasets::dataset_name_from_file(c.filename().string());
    src.source_type = "local";
    src.bytes = std::move(bytes).value();
    return src;
  }
  return Status::not_found("dataset '" + path + "' not found (not a built-in dataset, a stored dataset "
                           "\"datasets:/NAME\", or a readable file)");
}

Result<std::string> Lab::training_data(const tracking::Run& run) const {
  for (const auto& in : run.inputs) {
    if (in.context != "training") continue;
    if (auto blob = store_->get("blobs/" + in.digest)) return std::move(*blob);
    auto src = resolve_dataset(in.source);
    if (!src) return Status::not_found("run '" + run.run_id + "': its training data '" + in.source + "' is not available (" +
                                       src.status().message() + ")");
    if (sha256_hex(src->bytes) != in.digest) {
      return Status::not_found("run '" + run.run_id + "': '" + in.source +
                               "' has changed since the run (its digest differs); the training data is gone");
    }
    return std::move(src->bytes);
  }
  return Status::not_found("run '" + run.run_id + "' recorded no training dataset input");
}

namespace {
// Adds the model's predictions as the column "prediction" (labels or values).
Status add_predictions(const registry::LoadedModel& model, data::Table& t) {
  auto p = registry::predict(model, t);
  if (!p) return p.status();
  data::Column c;
  c.name = "prediction";
  if (p->regression) {
    c.type = data::ColumnType::kNumeric;
    c.numbers = p->values;
  } else {
    c.type = data::ColumnType::kCategorical;
    c.strings = p->labels;
    c.missing.assign(c.strings.size(), 0);
  }
  if (t.column("prediction")) t = t.drop_column("prediction");
  return t.add_column(std::move(c));
}
}  // namespace

Result<monitoring::StoredDriftReport> Lab::drift_against_model(const std::string& model_uri, data::Table current,
                                                               monitoring::DriftOptions options,
                                                               const std::string& current_name) {
  auto model = registry_.load_model(model_uri);
  if (!model) return model.status();
  auto run = tracking_.get_run(model->resolved.run_id);
  if (!run) return run.status();
  auto bytes = training_data(*run);
  if (!bytes) return bytes.status();
  auto reference = data::read_csv(*bytes);
  if (!reference) return reference.status();
  if (options.columns.empty()) {
    if (model->doc.signature) for (const auto& c : model->doc.signature->inputs) options.columns.push_back(c.name);
    const std::string& target = model->doc.target;
    if (!target.empty() && current.column(target) && reference->column(target)) options.columns.push_back(target);
    options.columns.push_back("prediction");
  }
  MLLAB_RETURN_IF_ERROR(add_predictions(*model, *reference));
  Status st = add_predictions(*model, current);
  if (!st.is_ok()) return Status(st.code(), current_name + ": " + st.message());
  auto report = monitoring::compute_drift(*reference, current, options);
  if (!report) return report.status();
  monitoring::StoredDriftReport stored;
  stored.model_uri = model_uri;
  stored.model_name = model->resolved.name.value_or("");
  stored.model_version = model->resolved.version;
  stored.reference = "training data of run " + run->run_id;
  stored.current = current_name;
  stored.report = std::move(report).value();
  return drift_reports_.save(std::move(stored));
}

Result<std::unique_ptr<pipeline::TrainJob>> Lab::make_train_job(const std::string& spec_json,
                                                                const std::string& source,
                                                                const fs::path& spec_dir) {
  auto spec = pipeline::parse_pipeline_spec(spec_json);
  if (!spec) return spec.status();
  auto ds = resolve_dataset(spec->dataset_path, spec_dir);
  if (!ds) return ds.status();
  return std::make_unique<pipeline::TrainJob>(std::move(spec).value(), std::move(ds).value(), tracking_, source);
}

}  // namespace mllab::platform

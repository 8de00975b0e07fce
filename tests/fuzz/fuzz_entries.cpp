// The fuzz targets' entry functions (see fuzz_entries.hpp): MLLab's public parsers and store
// read paths, fed arbitrary bytes.
#include "fuzz_entries.hpp"

#include <map>
#include <memory>
#include <string>

#include "core/data/csv.hpp"
#include "core/datasets/dataset_store.hpp"
#include "core/features/feature_store.hpp"
#include "core/pipeline/spec.hpp"
#include "core/registry/model_doc.hpp"
#include "core/registry/model_uri.hpp"
#include "core/registry/registry.hpp"
#include "core/store/store.hpp"
#include "core/tracking/search.hpp"
#include "core/tracking/tracking_store.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::fuzz {
namespace {

using json = nlohmann::json;

// A lab with a few runs and registered models, for the filter and URI targets (read-only).
struct Fixture {
  store::MemoryStore store;
  tracking::TrackingClient tracking{store};
  registry::ModelRegistry registry{store, tracking};
  std::vector<tracking::Run> runs;

  Fixture() {
    auto exp = tracking.get_or_create_experiment("fuzz");
    for (int i = 0; i < 3; ++i) {
      tracking::RunData data;
      data.params = {{"max_depth", std::to_string(5 * i)}, {"model class", i ? "rf" : "logreg"}};
      data.tags = {{"team", i == 1 ? "a%b" : "ml"}, {"mllab.version", "0.1.0"}};
      data.metrics = {{"accuracy", 0.8 + 0.05 * i, 1000 + i, 0}, {"f1 score", i * 0.3, 1000 + i, i}};
      tracking::DatasetInput in;
      in.name = "iris";
      in.digest = std::string(64, char('a' + i));
      in.source_type = "builtin";
      in.context = i ? "training" : "evaluation";
      data.inputs = {in};
      auto run = tracking.log_finished_run(exp->experiment_id, "run-" + std::to_string(i), 1000 + i, 2000 + i, data);
      if (run) runs.push_back(*run);
    }
    for (const char* name : {"iris", "iris-rf", "digits_2"}) {
      registry::RegisteredModel m;
      m.name = name;
      m.creation_timestamp = 1000;
      m.description = std::string("the ") + name + " model";
      m.tags = {{"team", "ml"}, {"task", name[0] == 'd' ? "digits" : "iris"}};
      for (int v = 1; v <= 3 && !runs.empty(); ++v) {
        registry::ModelVersion mv;
        mv.name = name;
        mv.version = v;
        mv.current_stage = v == 1 ? "Archived" : v == 2 ? "Production" : "Staging";
        mv.run_id = runs[size_t(v - 1) % runs.size()].run_id;
        mv.source = "runs:/" + mv.run_id + "/model";
        m.versions.push_back(mv);
      }
      m.last_version = int(m.versions.size());
      m.aliases = {{"champion", 2}, {"challenger", 3}};
      store::Batch b;
      b.put(std::string("registered_models/") + name, registry::write_registered_model_record(m));
      (void)store.commit(b);
    }
  }
};

Fixture& fixture() {
  static Fixture* f = new Fixture();  // never destroyed: the fuzzers exit without cleanup
  return *f;
}

std::vector<std::string> split_lines(std::string_view data) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string_view::npos) nl = data.size();
    lines.emplace_back(data.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

}  // namespace

Status fuzz_csv(std::string_view data) {
  // First byte: the delimiter (including ones read_csv must refuse) and the source name.
  static const char kDelimiters[] = {',', ';', '\t', '|', ' ', '"', '\n', '\xe9'};
  data::CsvOptions options;
  if (!data.empty()) {
    unsigned char pick = static_cast<unsigned char>(data[0]);
    options.delimiter = kDelimiters[pick % sizeof kDelimiters];
    if (pick & 0x80) options.source = "fuzz \"input\".csv";
    data.remove_prefix(1);
  }
  auto table = data::read_csv(data, options);
  if (!table) return table.status();
  std::string written = data::write_csv(*table);
  auto again = data::read_csv(written);  // may differ in types (see write_csv); must not crash
  (void)again;
  return Status::ok();
}

Status fuzz_pipeline_spec(std::string_view data) {
  auto doc = read_json(data, "pipeline spec");
  if (!doc) return doc.status();
  auto from_text = pipeline::parse_pipeline_spec(std::string(data));
  (void)from_text;
  auto spec = pipeline::parse_pipeline_spec(*doc);
  if (!spec) return spec.status();
  (void)pipeline::is_regression(*spec);
  (void)pipeline::scoring_of(*spec, "");
  json canonical = pipeline::pipeline_spec_to_json(*spec);
  auto again = pipeline::parse_pipeline_spec(canonical);
  if (!again) return Status::internal("the canonical JSON of a parsed spec does not parse: " + again.status().message());
  return Status::ok();
}

Status fuzz_model_doc(std::string_view data) {
  auto doc = read_json(data, "model document");
  if (!doc) return doc.status();
  auto md = registry::model_doc_from_json(*doc);
  if (md) {
    (void)md->estimator();
    (void)md->pipeline_file();
    (void)registry::model_doc_to_mlflow_json(*md).dump();
    (void)registry::input_example_to_json(*md).dump();
    json written = registry::model_doc_to_json(*md);
    auto again = registry::model_doc_from_json(written);
    if (!again) return Status::internal("a written model document does not parse: " + again.status().message());
  }
  if (doc->is_object() && doc->contains("input_example")) {
    auto table = registry::table_from_split_json((*doc)["input_example"]);
    if (table && md) {
      auto conformed = registry::conform_input(*md, *table);
      (void)conformed;
    }
  }
  return md ? Status::ok() : md.status();
}

Status fuzz_store_records(std::string_view data) {
  if (data.empty()) return Status::invalid("empty input");
  const int kind = static_cast<unsigned char>(data[0]) % 6;
  std::string bytes(data.substr(1));
  store::MemoryStore store;
  tracking::TrackingClient tracking(store);
  store::Batch b;
  static const char* kKeys[] = {"runs/r1", "experiments/1", "datasets/d", "features/g", "registered_models/m",
                                "metrics/r1/00000000"};
  b.put(kKeys[kind], bytes);
  MLLAB_RETURN_IF_ERROR(store.commit(b));
  Status first = Status::ok();
  auto note = [&first](const Status& s) {
    if (first.is_ok() && !s.is_ok()) first = s;
  };
  switch (kind) {
    case 0: {
      auto run = tracking.get_run("r1");
      note(run.status());
      auto runs = tracking.list_runs();
      auto found = tracking::search_runs(runs, "metrics.accuracy > 0.5 and params.p LIKE '%a%'", {"metrics.accuracy DESC"});
      note(found.status());
      (void)tracking.child_runs("r1");
      if (run) (void)tracking::run_to_summary_json(*run).dump();
      break;
    }
    case 1: {
      auto e = tracking.get_experiment("1");
      note(e.status());
      (void)tracking.list_experiments(tracking::ViewType::kAll);
      note(tracking.get_experiment_by_name("x").status());
      if (e) (void)tracking::experiment_to_json(*e).dump();
      break;
    }
    case 2: {
      datasets::DatasetStore ds(store);
      note(ds.get("d").status());
      (void)ds.list();
      note(ds.version("d", 0).status());
      note(ds.version("d", 1).status());
      note(ds.bytes("d").status());
      break;
    }
    case 3: {
      features::FeatureStore fs(store);
      auto g = fs.get("g");
      note(g.status());
      (void)fs.list();
      note(fs.get_features("g").status());
      if (g) (void)features::feature_group_to_json(*g).dump();
      break;
    }
    case 4: {
      registry::ModelRegistry reg(store, tracking);
      auto m = reg.get_registered_model("m");
      note(m.status());
      (void)reg.list_registered_models();
      note(reg.search_registered_models("name LIKE 'm%'").status());
      note(reg.get_latest_versions("m").status());
      note(reg.get_model_version("m", 1).status());
      note(reg.get_model_version_by_alias("m", "champion").status());
      note(reg.load_model("models:/m/latest").status());
      if (m) (void)registry::registered_model_to_json(*m).dump();
      break;
    }
    default: {
      auto history = tracking.get_metric_history("r1", "accuracy");
      (void)history;
      break;
    }
  }
  return first;
}

Status fuzz_filter(std::string_view data) {
  Fixture& f = fixture();
  std::vector<std::string> lines = split_lines(data);
  const std::string& filter = lines[0];
  std::vector<std::string> order_by(lines.begin() + 1, lines.end());
  Status first = Status::ok();
  auto clauses = tracking::parse_filter(filter);
  if (!clauses) first = clauses.status();
  for (const auto& term : order_by) {
    auto o = tracking::parse_order_by(term);
    if (!o && first.is_ok()) first = o.status();
  }
  auto found = tracking::search_runs(f.runs, filter, order_by);
  (void)found;
  auto models = f.registry.search_registered_models(filter);
  (void)models;
  return first;
}

Status fuzz_model_uri(std::string_view data) {
  Fixture& f = fixture();
  const std::string text(data);
  (void)registry::validate_model_name(text);
  (void)registry::validate_alias(text);
  (void)registry::validate_run_id(text);
  (void)registry::canonical_stage(text);
  (void)datasets::parse_dataset_ref(text);
  auto uri = registry::parse_model_uri(text);
  if (!uri) return uri.status();
  const std::string written = registry::to_string(*uri);
  auto again = registry::parse_model_uri(written);
  if (!again) return Status::internal("to_string of a parsed URI does not parse: " + written);
  if (!(*again == *uri)) return Status::internal("to_string of a parsed URI parses differently: " + written);
  auto resolved = f.registry.resolve(*uri);
  if (resolved) (void)resolved->source();
  return Status::ok();
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"csv", fuzz_csv},       {"pipeline_spec", fuzz_pipeline_spec}, {"model_doc", fuzz_model_doc},
      {"store_records", fuzz_store_records}, {"filter", fuzz_filter}, {"model_uri", fuzz_model_uri}};
  return all;
}

}  // namespace mllab::fuzz

#include "cli/commands.hpp"

#include <cstdio>
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/data/csv.hpp"
#include "core/datasets/dataset_json.hpp"
#include "core/pipeline/memory_budget.hpp"
#include "core/pipeline/train_job.hpp"
#include "core/tracking/search.hpp"
#include "core/util/json_reader.hpp"
#include "platform/files.hpp"
#include "platform/folder_store.hpp"
#include "platform/lab.hpp"

namespace mllab::cli {
namespace fs = std::filesystem;
using json = nlohmann::json;

int fail(const Status& st) {
  // Messages quote values cut to a readable length where they are made; this is the last guard.
  std::cerr << "mllab: error: " << quote_for_message(st.message(), 2000) << "\n";
  return 1;
}

int fail_on_exception(std::exception_ptr e) { return fail(exception_status(e)); }

std::string text_cell(std::string_view value) { return quote_for_message(value, value.size()); }

std::string text_block(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    const bool last = nl == std::string_view::npos;
    if (last) nl = text.size();
    out += text_cell(text.substr(start, nl - start));
    if (!last) out += '\n';
    start = nl + 1;
  }
  return out;
}

// The folder that holds assets/datasets: the working folder or a parent, else the source tree.
static fs::path find_assets_root() {
  std::error_code ec;
  for (fs::path p = fs::current_path(ec); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / "assets/datasets/datasets.json", ec)) return p;
    if (p == p.parent_path()) break;
  }
  return fs::path(MLLAB_SOURCE_DIR);
}

// Marks RUNNING runs of processes of this machine that are gone (killed, crashed) as KILLED, and
// says so on stderr. Belongs on the write path of open_lab: reading commands never write.
static void reap_orphaned_runs(platform::Lab& lab) {
  auto killed = lab.reap_orphaned_runs();
  if (!killed) {
    std::cerr << "mllab: note: could not mark runs of ended processes KILLED: " << quote_for_message(killed.status().message(), 400) << "\n";
    return;
  }
  for (const auto& id : *killed) {
    auto run = lab.tracking().get_run(id);
    std::string reason = run ? run->tags[tracking::kKilledReasonTag] : "";
    std::cerr << "mllab: note: run " << id << " was RUNNING but " << reason << "; marked KILLED\n";
  }
}

Result<std::unique_ptr<platform::Lab>> open_lab(const Common& c, Access access) {
  auto store = platform::FolderStore::open(c.store, access == Access::kWrite ? platform::FolderStore::Mode::kReadWrite
                                                                             : platform::FolderStore::Mode::kReadOnly);
  if (!store) return store.status();
  for (const auto& n : (*store)->notes()) std::cerr << "mllab: note: " << quote_for_message(n, 400) << "\n";
  auto lab = std::make_unique<platform::Lab>(std::move(store).value(), find_assets_root());
  lab->set_run_ownership(platform::process_ownership());
  if (access == Access::kWrite) reap_orphaned_runs(*lab);
  return lab;
}

void print_json(const json& j) { std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n"; }

Result<data::Table> read_table_file(const std::string& path) {
  auto bytes = platform::read_file(path);
  if (!bytes) return bytes.status();
  data::CsvOptions opts;
  opts.source = path;
  return data::read_csv(*bytes, opts);
}

std::string iso_time(int64_t ms) {
  std::time_t t = std::time_t(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

namespace {

std::string duration(const tracking::Run& r) {
  if (!r.end_time) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", double(*r.end_time - r.start_time) / 1000.0);
  return buf;
}

Result<tracking::Run> find_run(platform::Lab& lab, const std::string& id) { return lab.tracking().find_run(id); }

void print_run_text(platform::Lab& lab, const tracking::Run& r) {
  std::printf("Run %s (%s)\n", text_cell(r.run_id).c_str(), text_cell(r.run_name).c_str());
  auto exp = lab.tracking().get_experiment(r.experiment_id);
  std::printf("  experiment: %s (id %s)\n", exp ? text_cell(exp->name).c_str() : "?", text_cell(r.experiment_id).c_str());
  std::printf("  status:     %s\n", tracking::run_status_name(r.status));
  std::printf("  started:    %s UTC, duration %s\n", iso_time(r.start_time).c_str(), duration(r).c_str());
  std::printf("Params:\n");
  for (const auto& [k, v] : r.params) std::printf("  %-28s %s\n", text_cell(k).c_str(), text_cell(v).c_str());
  std::printf("Metrics:\n");
  for (const auto& [k, m] : r.metrics) std::printf("  %-28s %.6g\n", text_cell(k).c_str(), m.value);
  std::printf("Tags:\n");
  for (const auto& [k, v] : r.tags) std::printf("  %-28s %s\n", text_cell(k).c_str(), text_cell(v).c_str());
  if (!r.inputs.empty()) {
    std::printf("Dataset inputs:\n");
    for (const auto& in : r.inputs) {
      std::printf("  %s (%s, %lld rows, sha256 %s, context %s)\n", text_cell(in.name).c_str(), text_cell(in.source).c_str(),
                  static_cast<long long>(in.num_rows), text_cell(in.digest.substr(0, 12)).c_str(),
                  text_cell(in.context).c_str());
    }
  }
  if (r.tags.count("mllab.model_size_bytes")) {
    // The model's size, and the fit's memory estimate against its budget.
    auto tag = [&](const char* key) { return r.tags.count(key) ? std::strtoll(r.tags.at(key).c_str(), nullptr, 10) : -1LL; };
    std::printf("Model:\n  pipeline.json %s", pipeline::format_bytes(tag("mllab.model_size_bytes")).c_str());
    if (tag("mllab.model_trees") > 0) {
      std::printf(", %s trees, %s nodes", pipeline::format_count(tag("mllab.model_trees")).c_str(),
                  pipeline::format_count(tag("mllab.model_nodes")).c_str());
    }
    if (tag("mllab.memory_estimate_bytes") >= 0 && tag("mllab.memory_budget_mb") > 0) {
      std::printf("; fit memory estimate %s of a %s budget", pipeline::format_bytes(tag("mllab.memory_estimate_bytes")).c_str(),
                  pipeline::format_bytes(tag("mllab.memory_budget_mb") * 1024 * 1024).c_str());
    }
    std::printf("\n");
  }
  if (!r.artifacts.empty()) {
    std::printf("Artifacts:\n");
    for (const auto& a : r.artifacts) {
      std::printf("  %-28s %s, %lld bytes\n", text_cell(a.path).c_str(), text_cell(a.media_type).c_str(),
                  static_cast<long long>(a.file_size));
    }
  }
  auto report = lab.tracking().get_artifact(r.run_id, "classification_report.txt");
  if (report) std::printf("Classification report:\n%s", text_block(*report).c_str());
}

}  // namespace

int cmd_run(const Common& c, const std::string& spec_path, int64_t memory_budget_mb) {
  auto spec_bytes = platform::read_file(spec_path);
  if (!spec_bytes) return fail(spec_bytes.status());
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  auto job = (*lab)->make_train_job(*spec_bytes, "cli", fs::path(spec_path).parent_path());
  if (!job) return fail(Status(job.status().code(), quote_for_message(spec_path, 200) + ": " + job.status().message()));
  (*job)->set_memory_budget_mb(memory_budget_mb);
  (*job)->run_to_end();
  const auto& st = (*job)->status();
  auto run = (*lab)->tracking().get_run((*job)->run_id());
  if (c.json && run) print_json(tracking::run_to_summary_json(*run));
  if (!st.is_ok()) {
    if ((*job)->run_id().empty()) return fail(st);
    return fail(Status(st.code(), "run " + (*job)->run_id() + " FAILED: " + st.message()));
  }
  if (!c.json && run) {
    std::printf("Run %s (%s) FINISHED in %s\n", text_cell(run->run_id).c_str(), text_cell(run->run_name).c_str(),
                duration(*run).c_str());
    for (const auto& [k, m] : run->metrics) std::printf("  %-20s %.6g\n", text_cell(k).c_str(), m.value);
    auto report = (*lab)->tracking().get_artifact(run->run_id, "classification_report.txt");
    if (report) std::printf("\n%s", text_block(*report).c_str());
  }
  return 0;
}

int cmd_runs_list(const Common& c, const std::string& experiment) {
  return cmd_runs_search(c, "", {}, experiment);
}

int cmd_runs_search(const Common& c, const std::string& filter, const std::vector<std::string>& order_by,
                    const std::string& experiment) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  std::vector<std::string> ids;
  if (!experiment.empty()) {
    auto e = (*lab)->tracking().get_experiment_by_name(experiment);
    if (!e) return fail(e.status());
    ids.push_back(e->experiment_id);
  }
  auto found = tracking::search_runs((*lab)->tracking().list_runs(ids), filter, order_by);
  if (!found) return fail(found.status());
  const auto& runs = *found;
  if (c.json) {
    json arr = json::array();
    for (const auto& r : runs) arr.push_back(tracking::run_to_summary_json(r));
    print_json(arr);
    return 0;
  }
  std::printf("%-34s %-22s %-9s %-20s %-9s %s\n", "RUN_ID", "NAME", "STATUS", "START (UTC)", "DURATION", "ACCURACY");
  for (const auto& r : runs) {
    auto acc = r.metrics.find("accuracy");
    std::string accs = acc == r.metrics.end() ? "-" : std::to_string(acc->second.value);
    std::printf("%-34s %-22s %-9s %-20s %-9s %s\n", text_cell(r.run_id).c_str(), text_cell(r.run_name).substr(0, 22).c_str(),
                tracking::run_status_name(r.status), iso_time(r.start_time).c_str(), duration(r).c_str(), accs.c_str());
  }
  if (runs.empty()) std::printf("(no runs in %s)\n", text_cell(c.store).c_str());
  return 0;
}

int cmd_runs_show(const Common& c, const std::string& run_id) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto run = find_run(**lab, run_id);
  if (!run) return fail(run.status());
  if (c.json) {
    print_json(tracking::run_to_json(*run));
    return 0;
  }
  print_run_text(**lab, *run);
  return 0;
}

int cmd_experiments_list(const Common& c) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  auto exps = (*lab)->tracking().list_experiments();
  if (c.json) {
    json arr = json::array();
    for (const auto& e : exps) arr.push_back(tracking::experiment_to_json(e));
    print_json(arr);
    return 0;
  }
  std::printf("%-6s %-32s %s\n", "ID", "NAME", "RUNS");
  for (const auto& e : exps) {
    std::printf("%-6s %-32s %zu\n", text_cell(e.experiment_id).c_str(), text_cell(e.name).c_str(),
                (*lab)->tracking().list_runs({e.experiment_id}).size());
  }
  return 0;
}

int cmd_datasets_list(const Common& c) {
  auto lab = open_lab(c, Access::kRead);
  if (!lab) return fail(lab.status());
  const json arr = datasets::dataset_list_json((*lab)->catalog(), (*lab)->datasets().list());
  if (c.json) {
    print_json(arr);
    return 0;
  }
  std::printf("%-20s %-40s %-8s %7s %5s\n", "NAME", "URI", "SOURCE", "ROWS", "COLS");
  for (const auto& d : arr) {
    std::printf("%-20s %-40s %-8s %7lld %5lld\n", text_cell(d["name"].get<std::string>()).c_str(),
                text_cell(d["uri"].get<std::string>()).c_str(), text_cell(d["source_type"].get<std::string>()).c_str(), d["rows"].get<long long>(), d["columns"].get<long long>());
  }
  return 0;
}

int cmd_datasets_add(const Common& c, const std::string& file, const std::string& name) {
  auto bytes = platform::read_file(file);
  if (!bytes) return fail(bytes.status());
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  std::string n = name.empty() ? datasets::dataset_name_from_file(file) : name;
  auto rec = (*lab)->datasets().add(n, *bytes, "local", file);
  if (!rec) return fail(rec.status());
  const auto& v = rec->latest();
  if (c.json) {
    print_json(datasets::dataset_version_entry_json(rec->name, v));
  } else {
    std::printf("Dataset %s version %d (%lld rows, sha256 %s), use it as \"%s\"\n", text_cell(rec->name).c_str(), v.version,
                static_cast<long long>(v.num_rows), text_cell(v.digest.substr(0, 12)).c_str(),
                text_cell(datasets::dataset_uri(rec->name)).c_str());
  }
  return 0;
}

}  // namespace mllab::cli

namespace mllab::cli {

int cmd_runs_lifecycle(const Common& c, const std::string& verb, const std::string& run_id, const std::string& arg1,
                       const std::string& arg2) {
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  auto& t = (*lab)->tracking();
  // Deleted runs are addressable too (to restore them).
  auto found = t.find_run(run_id);
  if (!found) return fail(found.status());
  const std::string id = found->run_id;
  Status st;
  if (verb == "delete") st = t.delete_run(id);
  else if (verb == "restore") st = t.restore_run(id);
  else if (verb == "rename") st = t.rename_run(id, arg1);
  else if (verb == "tag") st = t.set_tag(id, arg1, arg2);
  else if (verb == "note") st = t.set_tag(id, tracking::kNoteTag, arg1);
  else st = Status::internal("unknown runs verb '" + verb + "'");
  if (!st.is_ok()) return fail(st);
  auto run = t.get_run(id);
  if (!run) return fail(run.status());
  if (c.json) print_json(tracking::run_to_summary_json(*run));
  else std::printf("Run %s (%s): %s, lifecycle %s\n", text_cell(id).c_str(), text_cell(run->run_name).c_str(), verb.c_str(),
                   text_cell(run->lifecycle_stage).c_str());
  return 0;
}

int cmd_experiments_lifecycle(const Common& c, const std::string& verb, const std::string& experiment,
                              const std::string& new_name) {
  auto lab = open_lab(c, Access::kWrite);
  if (!lab) return fail(lab.status());
  auto& t = (*lab)->tracking();
  std::string id = experiment;
  if (!t.get_experiment(experiment)) {
    if (auto by_name = t.get_experiment_by_name(experiment)) id = by_name->experiment_id;
  }
  Status st = verb == "delete"    ? t.delete_experiment(id)
              : verb == "restore" ? t.restore_experiment(id)
                                  : t.rename_experiment(id, new_name);
  if (!st.is_ok()) return fail(st);
  auto now = t.get_experiment(id);
  if (!now) return fail(now.status());
  if (c.json) print_json(tracking::experiment_to_json(*now));
  else std::printf("Experiment %s (%s): %s, lifecycle %s\n", text_cell(now->experiment_id).c_str(), text_cell(now->name).c_str(),
                   verb.c_str(), text_cell(now->lifecycle_stage).c_str());
  return 0;
}

}  // namespace mllab::cli

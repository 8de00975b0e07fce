// Tracking benchmarks: searching 10,000 runs with a 3-clause MLflow filter, and logging 100,000
// metric points across 100 runs (batched) into a folder store that is then reopened and checked.
// Prints RESULT lines for scripts/bench.sh.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/tracking/metric_logger.hpp"
#include "core/tracking/search.hpp"
#include "platform/folder_store.hpp"

using namespace mllab;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int search_case() {
  store::MemoryStore store;
  tracking::TrackingClient client(store);
  auto exp = client.get_or_create_experiment("bench");
  for (int i = 0; i < 10000; ++i) {
    auto run = client.create_run(exp->experiment_id, "run-" + std::to_string(i), 1000 + i);
    tracking::RunData d;
    d.params = {{"model__max_depth", std::to_string(5 + i % 3 * 5)}, {"model__n_estimators", std::to_string(50 * (1 + i % 4))}};
    d.tags = {{"team", i % 2 ? "alpha" : "beta"}};
    d.metrics = {{"accuracy", 0.5 + (i % 1000) / 2000.0, 1, 0}, {"f1", 0.4 + (i % 777) / 1500.0, 1, 0}};
    if (!client.end_run(run->run_id, d, tracking::RunStatus::kFinished, 2000 + i).is_ok()) return 1;
  }
  // A fresh client parses every record (what one CLI invocation does); a session's client
  // (browser, server) reuses parsed records whose bytes did not change.
  tracking::TrackingClient fresh(store);
  auto t0 = std::chrono::steady_clock::now();
  auto runs = fresh.list_runs();
  const double load = seconds_since(t0);
  const std::string filter = "metrics.accuracy > 0.9 and params.model__max_depth = '10' and tags.team = 'alpha'";
  t0 = std::chrono::steady_clock::now();
  auto found = tracking::search_runs(fresh.list_runs(), filter, {"metrics.f1 DESC"});
  const double search = seconds_since(t0);
  if (!found) return 1;
  std::printf("RESULT case=search_10k_runs fit_s=%.4f quality=%zu peak_mb=0\n", search, found->size());
  std::printf("RESULT case=list_10k_runs fit_s=%.4f quality=%zu peak_mb=0\n", load, runs.size());
  return 0;
}

int metric_logging_case() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("mllab-bench-metrics-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::vector<std::string> runs;
  auto t0 = std::chrono::steady_clock::now();
  size_t batches = 0;
  {
    auto store = platform::FolderStore::open(dir.string());
    if (!store) return 1;
    tracking::TrackingClient client(**store);
    auto exp = client.get_or_create_experiment("loop");
    for (int r = 0; r < 100; ++r) runs.push_back(client.create_run(exp->experiment_id, "r" + std::to_string(r), r)->run_id);
    tracking::MetricLogger logger(client, 10000);
    for (int step = 0; step < 1000; ++step) {
      for (int r = 0; r < 100; ++r) {
        if (!logger.log_metric(runs[size_t(r)], "loss", 1.0 / (step + 1), step, step).is_ok()) return 1;
      }
    }
    if (!logger.flush().is_ok()) return 1;
    batches = logger.batches_written();
  }
  const double log_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  size_t points = 0;
  {
    auto store = platform::FolderStore::open(dir.string());
    if (!store) return 1;
    tracking::TrackingClient client(**store);
    for (const auto& id : runs) points += client.get_metric_history(id, "loss").size();
  }
  const double reload_s = seconds_since(t0);
  fs::remove_all(dir);
  std::printf("RESULT case=log_100k_metric_points fit_s=%.4f quality=%zu peak_mb=0\n", log_s, batches);
  std::printf("RESULT case=reload_100k_metric_points fit_s=%.4f quality=%zu peak_mb=0\n", reload_s, points);
  return points == 100000 ? 0 : 1;
}

}  // namespace

int main() {
  if (search_case() != 0) return 1;
  return metric_logging_case();
}

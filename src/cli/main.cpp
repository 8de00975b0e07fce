// mllab: the command-line face of MLLab. Every command takes --store DIR and --help; errors are
// one line on stderr and exit code 1.
#include <CLI/CLI.hpp>

#include <exception>
#include <string>

#include "cli/commands.hpp"
#include "core/pipeline/memory_budget.hpp"
#ifdef MLLAB_WITH_SERVE  // native builds with cmake/serve.cmake
#include "cli/serve.hpp"
#endif

int main(int argc, char** argv) {
  using mllab::cli::Common;
  CLI::App app{"MLLab: train, track and compare ML pipelines (MLflow-style) from the command line"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mllab ") + MLLAB_VERSION);
  Common c;
  auto add_common = [&](CLI::App* cmd, bool with_json) {
    cmd->add_option("--store", c.store, "Store folder (default ./mllab-store)");
    if (with_json) cmd->add_flag("--json", c.json, "Print JSON instead of text");
  };
  int rc = 0;

  std::string spec_path;
  auto* run = app.add_subcommand("run", "Train a pipeline spec (JSON) and log it as a run");
  run->add_option("SPEC", spec_path, "Pipeline spec file, e.g. examples/breast-cancer-logreg.json")->required();
  int64_t memory_budget_mb = 0;
  run->add_option("--memory-budget", memory_budget_mb, "Memory budget of the fit in MiB (default: the spec's, else 1024)")
      ->check(CLI::Range(int64_t{1}, mllab::pipeline::kMaxMemoryBudgetMb));
  add_common(run, true);
  run->callback([&] { rc = mllab::cli::cmd_run(c, spec_path, memory_budget_mb); });

  auto* runs = app.add_subcommand("runs", "List and inspect tracked runs");
  runs->require_subcommand(1);
  std::string experiment;
  auto* runs_list = runs->add_subcommand("list", "List runs, newest first");
  runs_list->add_option("--experiment", experiment, "Only runs of this experiment (name)");
  add_common(runs_list, true);
  runs_list->callback([&] { rc = mllab::cli::cmd_runs_list(c, experiment); });
  std::string filter;
  std::vector<std::string> order_by;
  auto* runs_search = runs->add_subcommand("search", "Search runs with MLflow's filter grammar");
  runs_search->add_option("FILTER", filter,
                          "e.g. \"metrics.accuracy > 0.9 and params.model__C = '1.0'\"")->required();
  runs_search->add_option("--order-by", order_by, "e.g. \"metrics.f1_score DESC\" (repeatable)");
  runs_search->add_option("--experiment", experiment, "Only runs of this experiment (name)");
  add_common(runs_search, true);
  runs_search->callback([&] { rc = mllab::cli::cmd_runs_search(c, filter, order_by, experiment); });
  std::string run_id;
  auto* runs_show = runs->add_subcommand("show", "Show one run: params, metrics, tags, artifacts, report");
  runs_show->add_option("RUN_ID", run_id, "Run id (or a unique prefix of one)")->required();
  add_common(runs_show, true);
  runs_show->callback([&] { rc = mllab::cli::cmd_runs_show(c, run_id); });

  std::string arg1, arg2;
  auto run_verb = [&](const char* verb, const char* help, std::vector<std::pair<const char*, std::string*>> extra) {
    auto* cmd = runs->add_subcommand(verb, help);
    cmd->add_option("RUN_ID", run_id, "Run id (or a unique prefix of one)")->required();
    for (auto& [n, target] : extra) cmd->add_option(n, *target)->required();
    add_common(cmd, true);
    std::string v = verb;
    cmd->callback([&, v] { rc = mllab::cli::cmd_runs_lifecycle(c, v, run_id, arg1, arg2); });
  };
  run_verb("delete", "Soft-delete a run (restorable)", {});
  run_verb("restore", "Restore a deleted run", {});
  run_verb("rename", "Rename a run", {{"NAME", &arg1}});
  run_verb("tag", "Set a tag on a run", {{"KEY", &arg1}, {"VALUE", &arg2}});
  run_verb("note", "Set a run's note (the tag mlflow.note.content)", {{"TEXT", &arg1}});

  auto* exps = app.add_subcommand("experiments", "List, delete, restore and rename experiments");
  exps->require_subcommand(1);
  auto* exps_list = exps->add_subcommand("list", "List experiments");
  add_common(exps_list, true);
  exps_list->callback([&] { rc = mllab::cli::cmd_experiments_list(c); });
  std::string exp_ref;
  for (const char* verb : {"delete", "restore", "rename"}) {
    std::string v = verb;
    auto* cmd = exps->add_subcommand(verb, v == "delete" ? "Soft-delete an experiment and its runs"
                                           : v == "restore" ? "Restore a deleted experiment and its runs"
                                                            : "Rename an experiment");
    cmd->add_option("EXPERIMENT", exp_ref, "Experiment id or name")->required();
    if (v == "rename") cmd->add_option("NEW_NAME", arg1)->required();
    add_common(cmd, true);
    cmd->callback([&, v] { rc = mllab::cli::cmd_experiments_lifecycle(c, v, exp_ref, arg1); });
  }

  auto* ds = app.add_subcommand("datasets", "Built-in and stored datasets (versioned by content)");
  ds->require_subcommand(1);
  auto* ds_list = ds->add_subcommand("list", "List built-in and stored datasets");
  add_common(ds_list, true);
  ds_list->callback([&] { rc = mllab::cli::cmd_datasets_list(c); });
  std::string file, name;
  auto* ds_add = ds->add_subcommand("add", "Store a CSV file as a dataset version (by content)");
  ds_add->add_option("FILE", file, "CSV file")->required();
  ds_add->add_option("--name", name, "Dataset name (default: from the file name)");
  add_common(ds_add, true);
  ds_add->callback([&] { rc = mllab::cli::cmd_datasets_add(c, file, name); });
  std::string ds_ref;
  auto* ds_show = ds->add_subcommand("show", "Show a dataset version: profile, lineage, versions, runs that used it");
  ds_show->add_option("NAME[:VERSION]", ds_ref, "e.g. birdstrikes or birdstrikes:2")->required();
  add_common(ds_show, true);
  ds_show->callback([&] { rc = mllab::cli::cmd_datasets_show(c, ds_ref); });
  std::string parent, steps;
  auto* ds_derive = ds->add_subcommand("derive", "Derive a dataset version by cleaning steps (recorded as lineage)");
  ds_derive->add_option("NAME", name, "Name of the derived dataset")->required();
  ds_derive->add_option("--from", parent, "Parent dataset NAME[:VERSION]")->required();
  ds_derive->add_option("--steps", steps,
                        "Cleaning steps: a JSON array or a file, e.g. "
                        "'[{\"op\":\"flag\",\"column\":\"damage\",\"operator\":\"!=\",\"value\":\"None\",\"as\":\"damaged\"}]'")
      ->required();
  add_common(ds_derive, true);
  ds_derive->callback([&] { rc = mllab::cli::cmd_datasets_derive(c, name, parent, steps); });

  auto* fs = app.add_subcommand("features", "Feature store: groups, point-in-time joins, online values");
  fs->require_subcommand(1);
  mllab::cli::FeatureRegisterArgs fr;
  auto* fs_reg = fs->add_subcommand("register", "Register a feature group from a CSV (a new version when it changes)");
  fs_reg->add_option("NAME", fr.name, "Feature group name")->required();
  fs_reg->add_option("FILE", fr.file, "CSV with entity key(s), an event timestamp and features")->required();
  fs_reg->add_option("--entity", fr.entities, "Entity key column (repeatable)")->required();
  fs_reg->add_option("--timestamp", fr.timestamp, "Event timestamp column (default event_timestamp)");
  fs_reg->add_option("--created", fr.created, "Created timestamp column (ties, leakage filter)");
  fs_reg->add_option("--ttl", fr.ttl, "Time to live, e.g. 7d, 12h, 1d12h (default: none)");
  fs_reg->add_option("--description", fr.description, "Description");
  add_common(fs_reg, true);
  fs_reg->callback([&] { rc = mllab::cli::cmd_features_register(c, fr); });
  auto* fs_list = fs->add_subcommand("list", "List feature groups");
  add_common(fs_list, true);
  fs_list->callback([&] { rc = mllab::cli::cmd_features_list(c); });
  auto* fs_get = fs->add_subcommand("get", "Print a feature group's table (CSV, or JSON records with --json)");
  fs_get->add_option("NAME[@VERSION]", name)->required();
  add_common(fs_get, true);
  fs_get->callback([&] { rc = mllab::cli::cmd_features_get(c, name); });
  std::vector<std::string> refs;
  std::string ts_col = "event_timestamp";
  bool full_names = false, no_future = false;
  auto* fs_join = fs->add_subcommand("join", "Point-in-time correct features for entity rows (Feast's get_historical_features)");
  fs_join->add_option("ENTITIES", file, "CSV of entity keys and an event timestamp")->required();
  fs_join->add_option("FEATURES", refs, "GROUP:FEATURE references")->required();
  fs_join->add_option("--timestamp-column", ts_col, "Entity timestamp column (default event_timestamp)");
  fs_join->add_flag("--full-names", full_names, "Name columns GROUP__FEATURE");
  fs_join->add_flag("--no-future-rows", no_future, "Ignore feature rows created after the entity timestamp (backfills)");
  add_common(fs_join, true);
  fs_join->callback([&] { rc = mllab::cli::cmd_features_join(c, file, refs, ts_col, full_names, no_future); });
  auto* fs_online = fs->add_subcommand("online", "Latest feature values per entity key (online serving)");
  fs_online->add_option("FEATURES", refs, "GROUP:FEATURE references")->required();
  fs_online->add_option("--entities", file, "CSV of entity keys")->required();
  add_common(fs_online, true);
  fs_online->callback([&] { rc = mllab::cli::cmd_features_online(c, refs, file); });

  auto* models = app.add_subcommand("models", "Model registry: register, stage, alias, predict, serve");
  models->require_subcommand(1);
  std::string uri;
  auto* m_reg = models->add_subcommand("register", "Register a run's model as a new version (mlflow.register_model)");
  m_reg->add_option("MODEL_URI", uri, "runs:/RUN_ID/model or models:/NAME/VERSION")->required();
  m_reg->add_option("NAME", name, "Registered model name")->required();
  add_common(m_reg, true);
  m_reg->callback([&] { rc = mllab::cli::cmd_models_register(c, uri, name); });
  auto* m_list = models->add_subcommand("list", "List registered models");
  add_common(m_list, true);
  m_list->callback([&] { rc = mllab::cli::cmd_models_list(c); });
  auto* m_show = models->add_subcommand("show", "Show a registered model and its versions");
  m_show->add_option("NAME", name)->required();
  add_common(m_show, true);
  m_show->callback([&] { rc = mllab::cli::cmd_models_show(c, name); });
  int version = 0;
  std::string stage;
  bool archive = false;
  auto* m_tr = models->add_subcommand("transition", "Move a version to None, Staging, Production or Archived");
  m_tr->add_option("NAME", name)->required();
  m_tr->add_option("VERSION", version)->required();
  m_tr->add_option("STAGE", stage, "None | Staging | Production | Archived")->required();
  m_tr->add_flag("--archive-existing", archive, "Archive the other versions in that stage (Staging/Production)");
  add_common(m_tr, true);
  m_tr->callback([&] { rc = mllab::cli::cmd_models_transition(c, name, version, stage, archive); });
  std::string alias, alias_version;
  auto* m_alias = models->add_subcommand("alias", "Point an alias (champion, challenger...) at a version; VERSION none deletes it");
  m_alias->add_option("NAME", name)->required();
  m_alias->add_option("ALIAS", alias)->required();
  m_alias->add_option("VERSION", alias_version)->required();
  add_common(m_alias, true);
  m_alias->callback([&] { rc = mllab::cli::cmd_models_alias(c, name, alias, alias_version); });
  bool log = false, proba = false;
  auto* m_pred = models->add_subcommand("predict", "Predict a CSV with a model (checked against its signature)");
  m_pred->add_option("MODEL_URI", uri, "models:/NAME/VERSION, models:/NAME/STAGE, models:/NAME@ALIAS, runs:/ID/model")->required();
  m_pred->add_option("DATA", file, "CSV of input rows")->required();
  m_pred->add_flag("--log", log, "Append the predictions to the prediction log");
  m_pred->add_flag("--proba", proba, "Also print class probabilities");
  add_common(m_pred, true);
  m_pred->callback([&] { rc = mllab::cli::cmd_models_predict(c, uri, file, log, proba); });
#ifdef MLLAB_WITH_SERVE  // native builds with cmake/serve.cmake
  std::string host = "127.0.0.1";
  int port = 5001;
  auto* m_serve = models->add_subcommand("serve", "Serve a model over HTTP with MLflow's scoring protocol");
  m_serve->add_option("MODEL_URI", uri)->required();
  m_serve->add_option("--host", host, "Address to listen on (default 127.0.0.1)");
  m_serve->add_option("--port", port, "Port (default 5001)");
  m_serve->add_flag("--log", log, "Append every answered prediction to the prediction log");
  add_common(m_serve, false);
  m_serve->callback([&] { rc = mllab::cli::cmd_models_serve(c, uri, host, port, log); });
#endif

  auto* mon = app.add_subcommand("monitor", "Data drift reports and the prediction log");
  mon->require_subcommand(1);
  mllab::cli::DriftArgs da;
  auto* m_drift = mon->add_subcommand("drift", "Drift between a reference and a current CSV (Evidently's default tests)");
  m_drift->add_option("FILES", da.files, "[REFERENCE.csv] CURRENT.csv")->required();
  m_drift->add_option("--model", da.model, "Reference = this model's training data; also compares its predictions");
  m_drift->add_option("--stattest", da.stattest, "One test for every column: ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div");
  m_drift->add_option("--test", da.tests, "COLUMN=TEST override (repeatable)");
  m_drift->add_option("--threshold", da.threshold, "One threshold for every column: a finite number >= 0 (p-value tests: drift below it; distances: above it)");
  m_drift->add_option("--column-threshold", da.thresholds, "COLUMN=VALUE threshold override (repeatable)");
  m_drift->add_option("--drift-share", da.drift_share, "Share of drifted columns for dataset drift, in [0, 1] (default 0.5)");
  m_drift->add_option("--column", da.columns, "Compare only these columns (repeatable)");
  m_drift->add_option("--categorical", da.categorical, "Compare this column as categories, e.g. a text or code column (repeatable)");
  m_drift->add_option("--numerical", da.numerical, "Compare this column as numbers (repeatable)");
  m_drift->add_flag("--save", da.save, "Store the report (always stored with --model)");
  add_common(m_drift, true);
  m_drift->callback([&] { rc = mllab::cli::cmd_monitor_drift(c, da); });
  auto* m_reports = mon->add_subcommand("reports", "List stored drift reports");
  m_reports->add_option("--model", name, "Only reports about this registered model");
  m_reports->add_option("--version", version, "Only reports about this model version");
  add_common(m_reports, true);
  m_reports->callback([&] { rc = mllab::cli::cmd_monitor_reports(c, name, version); });
  int limit = 0;
  auto* m_log = mon->add_subcommand("log", "Show a model's prediction log with actuals and errors");
  m_log->add_option("MODEL", name, "Registered model name (or run id for runs:/ models)")->required();
  m_log->add_option("--version", version, "Only this model version");
  m_log->add_option("--limit", limit, "Only the newest N entries");
  add_common(m_log, true);
  m_log->callback([&] { rc = mllab::cli::cmd_monitor_log(c, name, version, limit); });
  std::string pred_id, actual;
  auto* m_actual = mon->add_subcommand("actual", "Record the true outcome of a logged prediction");
  m_actual->add_option("PREDICTION_ID", pred_id)->required();
  m_actual->add_option("VALUE", actual)->required();
  add_common(m_actual, true);
  m_actual->callback([&] { rc = mllab::cli::cmd_monitor_actual(c, pred_id, actual); });

  // The one boundary: whatever a command throws becomes one line on stderr and exit code 1
  // (usage errors included), never an abort or a library's raw text.
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return mllab::cli::fail(mllab::Status::invalid(std::string(e.what()) + " (see mllab --help)"));
  } catch (...) {
    return mllab::cli::fail_on_exception(std::current_exception());
  }
  return rc;
}

// mllab: the command-line face of MLLab. Every command takes --store DIR and --help; errors are
// one line on stderr and a non-zero exit code.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"

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
  add_common(run, true);
  run->callback([&] { rc = mllab::cli::cmd_run(c, spec_path); });

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

  auto* exps = app.add_subcommand("experiments", "List experiments");
  exps->require_subcommand(1);
  auto* exps_list = exps->add_subcommand("list", "List experiments");
  add_common(exps_list, true);
  exps_list->callback([&] { rc = mllab::cli::cmd_experiments_list(c); });

  auto* ds = app.add_subcommand("datasets", "Built-in and stored datasets");
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "mllab: " << e.what() << " (see mllab --help)\n";
    return 2;
  }
  return rc;
}

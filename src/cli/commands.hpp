// The mllab command-line tool's commands, each a function over a Lab.
#pragma once

#include <string>
#include <vector>

namespace mllab::cli {

// Options shared by every command.
struct Common {
  std::string store = "./mllab-store";
  bool json = false;
};

// `mllab run SPEC`: trains a pipeline spec into a tracked run. Returns the exit code.
int cmd_run(const Common& c, const std::string& spec_path);
// `mllab runs list [--experiment NAME]`.
int cmd_runs_list(const Common& c, const std::string& experiment);
// `mllab runs search FILTER [--order-by TERM]... [--experiment NAME]`.
int cmd_runs_search(const Common& c, const std::string& filter, const std::vector<std::string>& order_by,
                    const std::string& experiment);
// `mllab runs show RUN_ID`.
int cmd_runs_show(const Common& c, const std::string& run_id);
// `mllab experiments list`.
int cmd_experiments_list(const Common& c);
// `mllab datasets list` (built-in and stored).
int cmd_datasets_list(const Common& c);
// `mllab datasets add FILE --name NAME`.
int cmd_datasets_add(const Common& c, const std::string& file, const std::string& name);

}  // namespace mllab::cli

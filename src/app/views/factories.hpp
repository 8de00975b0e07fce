// One factory per view; views/workspaces.cpp places them. A new panel = a new file in this
// folder defining its class and factory, a line here, and its placement in workspaces.cpp.
#pragma once

#include <memory>

#include "app/view.hpp"

namespace mllab::app {

std::unique_ptr<View> make_dataset_list_view();
std::unique_ptr<View> make_dataset_view();
std::unique_ptr<View> make_dataset_versions_view();
std::unique_ptr<View> make_pipeline_view();
std::unique_ptr<View> make_runs_view();
std::unique_ptr<View> make_run_detail_view();
std::unique_ptr<View> make_experiments_view();
std::unique_ptr<View> make_compare_view();
std::unique_ptr<View> make_models_view();
std::unique_ptr<View> make_predict_view();
std::unique_ptr<View> make_features_view();
std::unique_ptr<View> make_monitoring_view();
std::unique_ptr<View> make_storage_view();

}  // namespace mllab::app

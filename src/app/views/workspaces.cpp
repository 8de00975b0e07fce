// The workspaces (tab order) and where each view's window sits in them, as fractions of the
// area below the tab bar. A view may appear in several workspaces (one instance, one state).
#include "app/views/factories.hpp"

namespace mllab::app {

Views make_views() {
  Views v;
  auto add = [&](std::unique_ptr<View> view) {
    v.all.push_back(std::move(view));
    return v.all.back().get();
  };
  View* dataset_list = add(make_dataset_list_view());
  View* dataset = add(make_dataset_view());
  View* dataset_versions = add(make_dataset_versions_view());
  View* pipeline = add(make_pipeline_view());
  View* runs = add(make_runs_view());
  View* run_detail = add(make_run_detail_view());
  View* experiments = add(make_experiments_view());
  View* compare = add(make_compare_view());
  View* models = add(make_models_view());
  View* predict = add(make_predict_view());
  View* features = add(make_features_view());
  View* monitoring = add(make_monitoring_view());
  View* storage = add(make_storage_view());

  v.workspaces = {
      {Workspace::kData, {{dataset_list, 0, 0, 0.18f, 1}, {dataset, 0.18f, 0, 0.52f, 1}, {dataset_versions, 0.7f, 0, 0.3f, 1}}},
      {Workspace::kTrain, {{dataset_list, 0, 0, 0.2f, 1}, {pipeline, 0.2f, 0, 0.4f, 1}, {run_detail, 0.6f, 0, 0.4f, 1}}},
      {Workspace::kRuns, {{experiments, 0, 0, 0.16f, 1}, {runs, 0.16f, 0, 0.5f, 1}, {run_detail, 0.66f, 0, 0.34f, 1}}},
      {Workspace::kCompare, {{compare, 0, 0, 1, 1}}},
      {Workspace::kModels, {{models, 0, 0, 0.5f, 1}, {predict, 0.5f, 0, 0.5f, 1}}},
      {Workspace::kFeatures, {{features, 0, 0, 1, 1}}},
      {Workspace::kMonitoring, {{monitoring, 0, 0, 1, 1}}},
      {Workspace::kStorage, {{storage, 0, 0, 1, 1}}},
  };
  return v;
}

}  // namespace mllab::app

// The Train workspace's pipeline: the dataset's target and feature columns, the estimator, split,
// scaler and column steps with their parameters (scikit-learn's names; each step's form drawn
// from its parameter table), cross-validation and search, Train (Ctrl+Enter) and the progress.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/param_form.hpp"
#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/ml/model.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::app {
namespace {

// A starting search space for an estimator (the course's grid for random forests), as JSON text.
std::string default_search_space(const std::string& model_type) {
  if (model_type == "LogisticRegression") return R"({"model__C": [0.1, 1, 10]})";
  if (model_type == "RandomForestClassifier" || model_type == "RandomForestRegressor") {
    return R"({"model__n_estimators": [50, 100, 200], "model__max_depth": [5, 10, 15]})";
  }
  if (model_type.rfind("HistGradientBoosting", 0) == 0) {
    return R"({"model__learning_rate": [0.05, 0.1, 0.2], "model__max_leaf_nodes": [15, 31]})";
  }
  if (model_type.rfind("DecisionTree", 0) == 0) return R"({"model__max_depth": [3, 5, 10]})";
  if (model_type == "Ridge") return R"({"model__alpha": [0.1, 1, 10]})";
  if (model_type == "MultinomialNB") return R"({"model__alpha": [0.1, 0.5, 1]})";
  return "{}";
}

class PipelineView : public View {
 public:
  const char* title() const override { return "Pipeline"; }

  void update(AppContext& ctx) override {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) && can_train(ctx)) train(ctx);
  }

  void draw(AppContext& ctx) override {
    const LoadedDataset* d = ctx.dataset();
    // Train and the job's progress first, so they stay visible above the (scrolling) form.
    ImGui::BeginDisabled(!can_train(ctx));
    if (ImGui::Button("Train", {120, 0})) train(ctx);
    ImGui::EndDisabled();
    ctx.track("train");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Ctrl+Enter");
    if (!d) {
      ImGui::SameLine();
      ImGui::TextDisabled("pick a dataset first");
    }
    if (JobEntry* j = ctx.jobs().current()) {
      ImGui::ProgressBar(float(j->job->progress()), {-1, 0}, j->job->stage_text().c_str());
      ctx.track("progress");
      if (ImGui::Button("Cancel")) j->job->cancel();
      ctx.track("cancel");
      const double eta = j->job->eta_seconds();
      if (eta >= 0) {
        ImGui::SameLine();
        ImGui::TextDisabled("about %.0f s left", eta);
      }
    }
    const std::string& msg = ctx.jobs().last_message();
    if (!msg.empty()) {
      const bool failed = msg.rfind("Run finished", 0) != 0;
      ImGui::PushStyleColor(ImGuiCol_Text, failed ? ImVec4(1, 0.45f, 0.45f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1));
      ImGui::TextWrapped("%s", msg.c_str());
      ImGui::PopStyleColor();
      ctx.track("job-message");
    }
    ImGui::Separator();
    ImGui::BeginChild("##train-form");
    ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    if (d) draw_columns(ctx, *ctx.dataset());

    ImGui::InputText("experiment", experiment_, sizeof experiment_);
    ctx.track("experiment");
    ImGui::InputText("run_name", run_name_, sizeof run_name_);
    ctx.track("run-name");

    section("Model");
    if (ImGui::BeginCombo("estimator", model_type_.c_str())) {
      auto add = [&](const std::vector<std::string>& types, const char* kind) {
        ImGui::TextDisabled("%s", kind);
        for (const auto& t : types) {
          if (ImGui::Selectable(t.c_str(), model_type_ == t)) { model_type_ = t; model_params_ = json::object(); }
          ctx.track("estimator:" + t);
        }
      };
      add(ml::classifier_types(), "classifiers");
      add(ml::regressor_types(), "regressors");
      ImGui::EndCombo();
    }
    ctx.track("estimator-combo");
    draw_param_form(ctx, *ml::param_specs_for(model_type_), model_params_);
    section("train_test_split");
    double lo = 0.05, hi = 0.95;
    ImGui::SliderScalar("test_size", ImGuiDataType_Double, &test_size_, &lo, &hi, "%.2f");
    ImGui::InputInt("random_state", &random_state_);
    if (random_state_ < 0) random_state_ = 0;
    ImGui::Checkbox("stratify", &stratify_);

    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    ImGui::InputInt("cv folds (0 = none)", &cv_);
    if (cv_ < 0 || cv_ == 1) cv_ = 0;

    section("Scaler");
    if (ImGui::BeginCombo("scaler", scaler_type_.c_str())) {
      for (const char* t : {"StandardScaler", "MinMaxScaler", "None"}) {
        if (ImGui::Selectable(t, scaler_type_ == t)) { scaler_type_ = t; scaler_params_ = json::object(); }
      }
      ImGui::EndCombo();
    }
    if (scaler_type_ != "None") draw_param_form(ctx, *ml::param_specs_for(scaler_type_), scaler_params_);

    section("Hyperparameter search");
    if (ImGui::BeginCombo("search", search_type_.c_str())) {
      for (const char* t : {"None", "GridSearchCV", "RandomizedSearchCV"}) {
        if (ImGui::Selectable(t, search_type_ == t) && search_type_ != t) {
          if (search_type_ == "None" || search_space_[0] == '\0') {
            std::snprintf(search_space_, sizeof search_space_, "%s", default_search_space(model_type_).c_str());
          }
          search_type_ = t;
        }
        ctx.track(std::string("search:") + t);
      }
      ImGui::EndCombo();
    }
    ctx.track("search-combo");
    if (search_type_ != "None") {
      const bool random = search_type_ == "RandomizedSearchCV";
      ImGui::TextUnformatted(random ? "param_distributions (JSON)" : "param_grid (JSON)");
      ImGui::InputTextMultiline("##search-space", search_space_, sizeof search_space_,
                                {-FLT_MIN, ImGui::GetTextLineHeight() * 4});
      ctx.track("search-space");
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("JSON: {\"step__param\": [values]}%s", random
                              ? ", or a scipy.stats distribution, e.g. {\"distribution\": \"loguniform\", \"a\": 0.01, \"b\": 100}"
                              : "");
      }
      const auto space = read_json(search_space_, "search space");
      search_space_error_ = !space ? space.status().message()
                               : !space->is_object() && !space->is_array() ? "expected a JSON object {\"step__param\": [...]}"
                                                                           : "";
      if (!search_space_error_.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.45f, 1.0f));
        ImGui::TextWrapped("%s", search_space_error_.c_str());
        ImGui::PopStyleColor();
      }
      ImGui::InputInt("cv##search", &search_cv_);
      if (search_cv_ < 2) search_cv_ = 2;
      const std::vector<std::string> regressors = ml::regressor_types();
      const bool regressor = std::find(regressors.begin(), regressors.end(), model_type_) != regressors.end();
      const std::vector<std::string> scorings =
          regressor ? std::vector<std::string>{"", "r2", "neg_mean_squared_error", "neg_root_mean_squared_error",
                                               "neg_mean_absolute_error"}
                    : std::vector<std::string>{"", "accuracy", "f1_macro", "f1_weighted", "precision_macro",
                                               "recall_macro", "roc_auc", "neg_log_loss"};
      if (std::find(scorings.begin(), scorings.end(), search_scoring_) == scorings.end()) search_scoring_.clear();
      if (ImGui::BeginCombo("scoring", search_scoring_.empty() ? "(default)" : search_scoring_.c_str())) {
        for (const auto& sc : scorings) {
          if (ImGui::Selectable(sc.empty() ? "(default)" : sc.c_str(), search_scoring_ == sc)) search_scoring_ = sc;
        }
        ImGui::EndCombo();
      }
      if (random) {
        ImGui::InputInt("n_iter", &search_n_iter_);
        if (search_n_iter_ < 1) search_n_iter_ = 1;
        ImGui::InputInt("random_state##search", &search_random_state_);
        if (search_random_state_ < 0) search_random_state_ = 0;
      }
    }

    // Column steps (a ColumnTransformer by column type), shown for the column types present.
    bool has_text = false, has_categorical = false, has_missing = false;
    if (d) {
      for (const auto& c : d->table.columns()) {
        if (c.name == d->target || d->excluded_columns.count(c.name)) continue;
        has_text = has_text || c.type == data::ColumnType::kText;
        has_categorical = has_categorical || c.type == data::ColumnType::kCategorical;
        has_missing = has_missing || (c.type == data::ColumnType::kNumeric && c.missing_count() > 0);
      }
    }
    if (has_text || has_categorical || has_missing) section("ColumnTransformer");
    if (has_text) {
      if (ImGui::BeginCombo("text columns", vectorizer_type_.c_str())) {
        for (const char* t : {"TfidfVectorizer", "CountVectorizer"}) {
          if (ImGui::Selectable(t, vectorizer_type_ == t) && vectorizer_type_ != t) {
            vectorizer_type_ = t;
            vectorizer_params_ = {{"max_features", 1000}};
          }
          ctx.track(std::string("vectorizer:") + t);
        }
        ImGui::EndCombo();
      }
      ctx.track("vectorizer-combo");
      if (ImGui::TreeNode("vectorizer parameters")) {
        draw_param_form(ctx, *ml::param_specs_for(vectorizer_type_), vectorizer_params_);
        ImGui::TreePop();
      }
    }
    if (has_categorical && ImGui::TreeNode("OneHotEncoder (categorical columns)")) {
      draw_param_form(ctx, *ml::param_specs_for("OneHotEncoder"), onehot_params_);
      ImGui::TreePop();
    }
    if (has_missing && ImGui::TreeNode("SimpleImputer (numeric columns with missing values)")) {
      draw_param_form(ctx, *ml::param_specs_for("SimpleImputer"), imputer_params_);
      ImGui::TreePop();
    }
    ImGui::PopItemWidth();
    ImGui::EndChild();
    ctx.track("train-form");
  }

 private:
  bool can_train(AppContext& ctx) const {
    const LoadedDataset* d = ctx.dataset();
    return d && !d->target.empty() && !ctx.jobs().busy() && (search_type_ == "None" || search_space_error_.empty());
  }

  void train(AppContext& ctx) { ctx.start_train(spec_from_form(ctx.dataset()).dump(), "web"); }

  // The target picker and the feature columns (untick to leave one out).
  static void draw_columns(AppContext& ctx, LoadedDataset& d) {
    section("Data");
    ImGui::Text("%s", d.name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%zu rows", d.table.num_rows());
    if (ImGui::BeginCombo("target", d.target.c_str())) {
      for (const auto& c : d.table.columns()) {
        if (ImGui::Selectable(c.name.c_str(), c.name == d.target)) d.target = c.name;
        ctx.track("target:" + c.name);
      }
      ImGui::EndCombo();
    }
    ctx.track("target-combo");
    if (ImGui::TreeNode("feature columns")) {
      for (const auto& c : d.table.columns()) {
        if (c.name == d.target) continue;
        bool use = !d.excluded_columns.count(c.name);
        if (ImGui::Checkbox(c.name.c_str(), &use)) {
          if (use) d.excluded_columns.erase(c.name);
          else d.excluded_columns.insert(c.name);
        }
      }
      ImGui::TreePop();
    }
  }

  // The spec the form describes.
  json spec_from_form(const LoadedDataset* d) const {
    // Columns become steps by type, like a ColumnTransformer: text -> TfidfVectorizer,
    // categorical -> OneHotEncoder, numeric with missing values -> SimpleImputer, other numeric
    // columns pass through.
    json steps = json::array();
    json passthrough = json::array(), categorical = json::array(), impute = json::array();
    bool sparse = false;
    if (d) {
      for (const auto& c : d->table.columns()) {
        if (c.name == d->target || d->excluded_columns.count(c.name)) continue;
        if (c.type == data::ColumnType::kText) {
          const char* prefix = vectorizer_type_ == "CountVectorizer" ? "counts_" : "tfidf_";
          steps.push_back({{"name", prefix + datasets::dataset_name_from_file(c.name)}, {"type", vectorizer_type_},
                           {"columns", {c.name}}, {"params", vectorizer_params_}});
          sparse = true;
        } else if (c.type == data::ColumnType::kCategorical) {
          categorical.push_back(c.name);
        } else if (c.missing_count() > 0) {
          impute.push_back(c.name);
        } else {
          passthrough.push_back(c.name);
        }
      }
    }
    if (!categorical.empty()) {
      steps.push_back({{"name", "onehot"}, {"type", "OneHotEncoder"}, {"columns", categorical},
                       {"params", onehot_params_}});
      sparse = true;
    }
    if (!impute.empty()) {
      steps.push_back({{"name", "impute"}, {"type", "SimpleImputer"}, {"columns", impute},
                       {"params", imputer_params_}});
    }
    if (scaler_type_ != "None") {
      json params = scaler_params_;
      if (scaler_type_ == "StandardScaler" && sparse) params["with_mean"] = false;
      if (scaler_type_ == "MinMaxScaler" && sparse) {
        // MinMaxScaler would densify sparse features; scale them without centering instead.
        steps.push_back({{"name", "scaler"}, {"type", "StandardScaler"}, {"params", {{"with_mean", false}}}});
      } else {
        steps.push_back({{"name", "scaler"}, {"type", scaler_type_}, {"params", params}});
      }
    }
    steps.push_back({{"name", "model"}, {"type", model_type_}, {"params", model_params_}});
    json j = {{"schema", "mllab.pipeline"}, {"schema_version", 1},
              {"experiment", experiment_[0] ? std::string(experiment_) : "Default"},
              {"run_name", std::string(run_name_)},
              {"dataset", {{"path", d ? d->uri : ""}, {"target", d ? d->target : ""}}},
              {"split", {{"test_size", test_size_}, {"random_state", random_state_}, {"stratify", stratify_}}},
              {"steps", steps}};
    // With column steps, numeric columns pass through only when listed; without them, listing
    // them keeps unticked columns out.
    if (!passthrough.empty()) j["dataset"]["features"] = passthrough;
    if (cv_ >= 2) j["evaluate"] = {{"cv", cv_}};
    if (search_type_ != "None") {
      const bool random = search_type_ == "RandomizedSearchCV";
      auto space = read_json(search_space_, "search space");
      json search = {{"type", random ? "random" : "grid"},
                     {random ? "param_distributions" : "param_grid", space ? *space : json::object()},
                     {"cv", search_cv_}};
      if (!search_scoring_.empty()) search["scoring"] = search_scoring_;
      if (random) {
        search["n_iter"] = search_n_iter_;
        search["random_state"] = search_random_state_;
      }
      j["search"] = search;
    }
    return j;
  }

  // The form, in scikit-learn's names.
  char experiment_[128] = "Default";
  char run_name_[128] = "";
  double test_size_ = 0.2;
  int random_state_ = 42;
  bool stratify_ = true;
  // The estimator and its parameters (edited through its parameter table).
  std::string model_type_ = "LogisticRegression";
  json model_params_ = json::object();
  // "StandardScaler", "MinMaxScaler" or "None"; on sparse features StandardScaler never centers.
  std::string scaler_type_ = "StandardScaler";
  json scaler_params_ = json::object();
  // Column steps, as a ColumnTransformer by column type: text columns -> the vectorizer
  // ("TfidfVectorizer" or "CountVectorizer"), categorical -> OneHotEncoder, numeric columns with
  // missing values -> SimpleImputer; each with its parameters.
  std::string vectorizer_type_ = "TfidfVectorizer";
  json vectorizer_params_ = {{"max_features", 1000}};
  json onehot_params_ = {{"handle_unknown", "ignore"}};
  json imputer_params_ = {{"strategy", "median"}};
  // Cross-validation folds on the training split (0 = none).
  int cv_ = 0;
  // Hyper-parameter search: "None", "GridSearchCV" or "RandomizedSearchCV"; the space as JSON
  // text (param_grid / param_distributions, "step__param" keys), cv, scoring ("" = default),
  // n_iter and random_state (random search).
  std::string search_type_ = "None";
  char search_space_[1024] = "";
  int search_cv_ = 5;
  std::string search_scoring_;
  int search_n_iter_ = 10;
  int search_random_state_ = 0;
  // Why search_space_ does not parse ("" when it does).
  std::string search_space_error_;
};

}  // namespace

std::unique_ptr<View> make_pipeline_view() { return std::make_unique<PipelineView>(); }

}  // namespace mllab::app

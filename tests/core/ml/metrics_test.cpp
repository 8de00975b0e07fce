#include "core/ml/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "core/ml/numeric.hpp"
#include "core/util/status.hpp"
#include "ml_test_util.hpp"

namespace mllab::ml {
namespace {

using json = nlohmann::json;
using Matrix = Eigen::MatrixXd;
using testing::expect_close;
using testing::json_matrix;
using testing::load_json;

// Maps labels (numbers or strings) to indices in sorted order, as scikit-learn's unique_labels.
std::vector<int> encode(const json& labels, const json& sorted) {
  std::vector<int> out;
  for (const auto& l : labels) {
    auto it = std::find(sorted.begin(), sorted.end(), l);
    EXPECT_NE(it, sorted.end());
    out.push_back(static_cast<int>(it - sorted.begin()));
  }
  return out;
}

std::vector<std::string> label_names(const json& sorted) {
  std::vector<std::string> names;
  for (const auto& l : sorted) names.push_back(l.is_string() ? l.get<std::string>() : l.dump());
  return names;
}

void expect_vector_close(const std::vector<double>& got, const json& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) expect_close(got[i], want[i].get<double>(), 1e-9, what);
}

void expect_entry(const json& got, const json& want, const std::string& key) {
  SCOPED_TRACE(key);
  ASSERT_TRUE(got.contains(key));
  if (want.at(key).is_number()) {
    expect_close(got.at(key).get<double>(), want.at(key).get<double>(), 1e-9, key);
    return;
  }
  for (const char* field : {"precision", "recall", "f1-score"}) {
    expect_close(got.at(key).at(field).get<double>(), want.at(key).at(field).get<double>(), 1e-9,
                 field);
  }
  EXPECT_EQ(got.at(key).at("support"), want.at(key).at("support"));
}

TEST(Metrics, ClassificationReferenceValues) {
  const json cases = load_json("tests/data/reference_values.json").at("classification_metrics");
  ASSERT_GE(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const json& sorted = c.at("labels_sorted");
    const int k = static_cast<int>(sorted.size());
    const auto y_true = encode(c.at("y_true"), sorted);
    const auto y_pred = encode(c.at("y_pred"), sorted);
    const auto names = label_names(sorted);

    EXPECT_EQ(accuracy_score(y_true, y_pred), c.at("accuracy").get<double>());
    EXPECT_EQ(
        confusion_matrix(y_true, y_pred, k),
        c.at("confusion_matrix_rows_true_cols_pred").get<std::vector<std::vector<int64_t>>>());
    const ClassificationMetrics m = classification_metrics(y_true, y_pred, k);
    for (const auto& [field, value] :
         std::vector<std::pair<const char*, double>>{{"precision_macro", m.precision_macro},
                                                     {"recall_macro", m.recall_macro},
                                                     {"f1_macro", m.f1_macro},
                                                     {"precision_weighted", m.precision_weighted},
                                                     {"recall_weighted", m.recall_weighted},
                                                     {"f1_weighted", m.f1_weighted},
                                                     {"precision_micro", m.precision_micro},
                                                     {"recall_micro", m.recall_micro},
                                                     {"f1_micro", m.f1_micro}}) {
      expect_close(value, c.at(field).get<double>(), 1e-9, field);
      // Same arithmetic as scikit-learn: bit-identical.
      EXPECT_EQ(value, c.at(field).get<double>()) << field;
    }
    expect_vector_close(m.precision, c.at("precision_per_class"), "precision_per_class");
    expect_vector_close(m.recall, c.at("recall_per_class"), "recall_per_class");
    expect_vector_close(m.f1, c.at("f1_per_class"), "f1_per_class");
    if (c.contains("precision_binary_pos1")) {
      expect_close(m.precision[1], c.at("precision_binary_pos1").get<double>(), 1e-9, "p pos1");
      expect_close(m.recall[1], c.at("recall_binary_pos1").get<double>(), 1e-9, "r pos1");
      expect_close(m.f1[1], c.at("f1_binary_pos1").get<double>(), 1e-9, "f1 pos1");
    }
    EXPECT_EQ(classification_report(y_true, y_pred, k, names),
              c.at("classification_report_text").get<std::string>());
    EXPECT_EQ(classification_report(y_true, y_pred, k, names, 4),
              c.at("classification_report_text_digits4").get<std::string>());
    const json dict = classification_report_dict(m, names);
    const json& want = c.at("classification_report_dict");
    EXPECT_EQ(dict.size(), want.size());
    for (const auto& item : want.items()) expect_entry(dict, want, item.key());
  }
}

TEST(Metrics, ReportWithoutNamesAndMicroAvg) {
  // Class 2 occurs in neither y_true nor y_pred: scikit-learn with labels=[0, 1, 2] shows a
  // "micro avg" row instead of "accuracy".
  const std::vector<int> y_true = {0, 1, 1, 0};
  const std::vector<int> y_pred = {0, 1, 0, 0};
  const std::string expected =
      "              precision    recall  f1-score   support\n"
      "\n"
      "           0       0.67      1.00      0.80         2\n"
      "           1       1.00      0.50      0.67         2\n"
      "           2       0.00      0.00      0.00         0\n"
      "\n"
      "   micro avg       0.75      0.75      0.75         4\n"
      "   macro avg       0.56      0.50      0.49         4\n"
      "weighted avg       0.83      0.75      0.73         4\n";
  EXPECT_EQ(classification_report(y_true, y_pred, 3), expected);
  const json dict = classification_report_dict(classification_metrics(y_true, y_pred, 3));
  EXPECT_TRUE(dict.contains("micro avg"));
  EXPECT_FALSE(dict.contains("accuracy"));
}

TEST(Metrics, ReportWidthFollowsLongestName) {
  const std::string report = classification_report({0, 1}, {0, 1}, 2, {"a", "a much longer name"});
  EXPECT_EQ(report.substr(0, report.find('\n')),
            "                    precision    recall  f1-score   support");
  EXPECT_NE(report.find("\na much longer name       1.00"), std::string::npos) << report;
  // Width counts characters, not UTF-8 bytes (as Python's str.format).
  const std::string utf8 = classification_report({0, 1}, {0, 1}, 2, {"\xc3\xa9t\xc3\xa9", "b"});
  EXPECT_NE(utf8.find("\n         \xc3\xa9t\xc3\xa9       1.00"), std::string::npos) << utf8;
}

TEST(Metrics, FixedFormattingRoundsLikePython) {
  // '{:.2f}'.format(x) rounds the exact binary value, ties to even: 0.125 -> 0.12,
  // 0.375 -> 0.38, 2.675 (binary 2.67499...) -> 2.67.
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", 0.125);
  EXPECT_STREQ(buf, "0.12");
  std::snprintf(buf, sizeof buf, "%.2f", 0.375);
  EXPECT_STREQ(buf, "0.38");
  std::snprintf(buf, sizeof buf, "%.2f", 2.675);
  EXPECT_STREQ(buf, "2.67");
  std::snprintf(buf, sizeof buf, "%.1f", 0.25);
  EXPECT_STREQ(buf, "0.2");
}

TEST(Metrics, RocAucReferenceValues) {
  const json cases = load_json("tests/data/reference_values.json").at("roc_auc_score");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto y_true = c.at("y_true").get<std::vector<int>>();
    if (c.contains("value")) {
      const auto score = c.at("y_score").get<std::vector<double>>();
      expect_close(roc_auc_score(y_true, score), c.at("value").get<double>(), 1e-9, "auc");
      EXPECT_EQ(roc_auc_score(y_true, score), c.at("value").get<double>());
    } else {
      const Matrix score = json_matrix(c.at("y_score"));
      expect_close(roc_auc_score_ovr(y_true, score), c.at("ovr_macro").get<double>(), 1e-9,
                   "ovr_macro");
      expect_close(roc_auc_score_ovr(y_true, score, RocAverage::kWeighted),
                   c.at("ovr_weighted").get<double>(), 1e-9, "ovr_weighted");
      expect_vector_close(roc_auc_ovr_per_class(y_true, score), c.at("per_class_ovr"),
                          "per_class_ovr");
    }
  }
}

TEST(Metrics, RocCurveLikeScikitLearn) {
  // sklearn.metrics.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) (scikit-learn 1.2).
  RocCurve c = roc_curve({0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8});
  EXPECT_EQ(c.fpr, (std::vector<double>{0.0, 0.0, 0.5, 0.5, 1.0}));
  EXPECT_EQ(c.tpr, (std::vector<double>{0.0, 0.5, 0.5, 1.0, 1.0}));
  EXPECT_EQ(c.thresholds, (std::vector<double>{1.8, 0.8, 0.4, 0.35, 0.1}));
  // Collinear points are dropped; ties collapse into one point.
  RocCurve d = roc_curve({1, 1, 1, 0, 0, 0}, {0.9, 0.8, 0.7, 0.3, 0.2, 0.2});
  EXPECT_EQ(d.fpr, (std::vector<double>{0.0, 0.0, 0.0, 1.0 / 3.0, 1.0}));
  EXPECT_EQ(d.tpr, (std::vector<double>{0.0, 1.0 / 3.0, 1.0, 1.0, 1.0}));
  EXPECT_EQ(d.thresholds, (std::vector<double>{1.9, 0.9, 0.7, 0.3, 0.2}));
  RocCurve all = roc_curve({1, 1, 1, 0, 0, 0}, {0.9, 0.8, 0.7, 0.3, 0.2, 0.2}, false);
  EXPECT_EQ(all.fpr.size(), 6u);
  EXPECT_EQ(roc_auc_score({1, 1, 1, 0, 0, 0}, {0.9, 0.8, 0.7, 0.3, 0.2, 0.2}), 1.0);
  EXPECT_EQ(roc_auc_score({0, 1, 0, 1}, {0.5, 0.5, 0.5, 0.5}), 0.5);
}

TEST(Metrics, LogLoss) {
  // sklearn.metrics.log_loss([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])
  Matrix p(3, 2);
  p << 0.9, 0.1, 0.2, 0.8, 0.3, 0.7;
  const double expected = -(std::log(0.9) + std::log(0.8) + std::log(0.7)) / 3.0;
  EXPECT_NEAR(log_loss({0, 1, 1}, p), expected, 1e-15);
  // Probabilities are clipped to [eps, 1 - eps]: a zero for the true class stays finite.
  Matrix q(1, 3);
  q << 0.0, 0.5, 0.5;
  EXPECT_NEAR(log_loss({0}, q), -std::log(std::numeric_limits<double>::epsilon()), 1e-9);
  // log_loss([0, 1, 1], [[0, .5, .5], [.2, .8, 0], [.3, .7, 0]], labels=[0, 1, 2])
  Matrix r(3, 3);
  r << 0.0, 0.5, 0.5, 0.2, 0.8, 0.0, 0.3, 0.7, 0.0;
  expect_close(log_loss({0, 1, 1}, r), 12.207823961456699, 1e-14, "log_loss");
}

TEST(Metrics, Errors) {
  EXPECT_THROW(accuracy_score({0, 1}, {0}), Error);
  EXPECT_THROW(accuracy_score({}, {}), Error);
  EXPECT_THROW(confusion_matrix({0, 3}, {0, 1}, 2), Error);
  try {
    roc_auc_score({1, 1, 1}, {0.1, 0.2, 0.3});
    FAIL() << "single class must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("only one class"), std::string::npos) << e.what();
  }
  Matrix not_proba(2, 2);
  not_proba << 0.5, 0.6, 0.2, 0.8;
  EXPECT_THROW(roc_auc_score_ovr({0, 1}, not_proba), Error);
  EXPECT_THROW(classification_report({0, 1}, {0, 1}, 2, {"only one"}), Error);
}

TEST(Metrics, NumpySummationOrder) {
  // Means are taken in numpy's pairwise order; values from numpy 1.24 np.array(v).sum().
  std::vector<double> v(20, 1.0);
  v[0] = 1e16;
  v[10] = -1e16;
  EXPECT_EQ(numpy_sum(v), 16.0);
  std::vector<double> w;
  for (int i = 0; i < 300; ++i) {
    w.push_back((i % 7) * 0.1 + (i % 50 == 0 ? 1e15 : 0.0) - (i % 50 == 25 ? 1e15 : 0.0));
  }
  EXPECT_EQ(numpy_sum(w), 90.0);
  double sequential = 0.0;
  for (double x : w) sequential += x;
  EXPECT_EQ(sequential, 90.24999999999999);
}

}  // namespace
}  // namespace mllab::ml

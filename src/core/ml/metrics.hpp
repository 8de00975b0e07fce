// Classification metrics with scikit-learn's definitions and arithmetic (same operation order,
// numpy's summation order), so values match scikit-learn 1.2 to the last bit where possible:
// accuracy, confusion matrix, precision / recall / F1 (per class, macro, weighted, micro;
// zero_division -> 0), classification_report (text and dict), ROC curve / ROC AUC, log loss.
// Labels are class indices 0..n_classes-1. Invalid input throws mllab::Error
// (kInvalidParameterValue) with a message naming the problem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

namespace mllab::ml {

// Fraction of rows where y_pred equals y_true.
double accuracy_score(const std::vector<int>& y_true, const std::vector<int>& y_pred);

// n_classes x n_classes counts: rows are true classes, columns predicted classes.
std::vector<std::vector<int64_t>> confusion_matrix(const std::vector<int>& y_true,
                                                   const std::vector<int>& y_pred, int n_classes);

// Everything classification_report shows, computed as scikit-learn with labels=0..n_classes-1.
struct ClassificationMetrics {
  // Number of classes (labels 0..n_classes-1).
  int n_classes = 0;
  // Rows: true class, columns: predicted class.
  std::vector<std::vector<int64_t>> confusion_matrix;
  // Fraction of correct predictions.
  double accuracy = 0.0;
  // Per class (index = class); undefined ratios (0 / 0) are 0, as zero_division=0.
  std::vector<double> precision;
  std::vector<double> recall;
  std::vector<double> f1;
  // Number of true samples per class.
  std::vector<int64_t> support;
  // Unweighted means over classes.
  double precision_macro = 0.0;
  double recall_macro = 0.0;
  double f1_macro = 0.0;
  // Means weighted by support.
  double precision_weighted = 0.0;
  double recall_weighted = 0.0;
  double f1_weighted = 0.0;
  // From the summed counts over all classes.
  double precision_micro = 0.0;
  double recall_micro = 0.0;
  double f1_micro = 0.0;
  // Total support (number of samples).
  int64_t total_support = 0;
  // True when every class 0..n_classes-1 occurs in y_true or y_pred; the report then shows an
  // "accuracy" row, otherwise a "micro avg" row (as scikit-learn with explicit labels).
  bool micro_is_accuracy = true;
};

// Computes all metrics at once.
ClassificationMetrics classification_metrics(const std::vector<int>& y_true,
                                             const std::vector<int>& y_pred, int n_classes);

// scikit-learn's classification_report text, byte for byte: rows named by `target_names`
// (default: "0", "1", ...), `digits` decimals, then accuracy, macro avg and weighted avg rows.
std::string classification_report(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                  int n_classes, const std::vector<std::string>& target_names = {},
                                  int digits = 2);
// The same text from precomputed metrics.
std::string format_classification_report(const ClassificationMetrics& metrics,
                                         const std::vector<std::string>& target_names = {},
                                         int digits = 2);
// classification_report(..., output_dict=True): {"<name>": {"precision", "recall", "f1-score",
// "support"}, ..., "accuracy": x, "macro avg": {...}, "weighted avg": {...}} (keys are sorted
// by nlohmann::json, not in scikit-learn's order).
nlohmann::json classification_report_dict(const ClassificationMetrics& metrics,
                                          const std::vector<std::string>& target_names = {});

// Points of the ROC curve as scikit-learn's roc_curve (pos_label=1, drop_intermediate=true by
// default; the first threshold is max(score) + 1, as in scikit-learn 1.2).
struct RocCurve {
  // False positive rates, non-decreasing from 0 to 1.
  std::vector<double> fpr;
  // True positive rates at the same thresholds.
  std::vector<double> tpr;
  // Decreasing score thresholds (score >= threshold counts as positive).
  std::vector<double> thresholds;
};

// ROC curve for binary labels (0 = negative, 1 = positive) and scores (higher = more positive).
RocCurve roc_curve(const std::vector<int>& y_true, const std::vector<double>& y_score,
                   bool drop_intermediate = true);

// Area under the ROC curve (trapezoids over the curve's points; ties handled as scikit-learn).
// Both classes must be present.
double roc_auc_score(const std::vector<int>& y_true, const std::vector<double>& y_score);

// How roc_auc_score_ovr averages the per-class AUCs.
enum class RocAverage { kMacro, kWeighted };

// One-vs-rest AUC of each class (column c of `y_score` as the score of class c).
std::vector<double> roc_auc_ovr_per_class(const std::vector<int>& y_true,
                                          const Eigen::MatrixXd& y_score);
// Multiclass one-vs-rest ROC AUC (roc_auc_score(..., multi_class="ovr")): `y_score` is
// n_samples x n_classes probabilities (rows sum to 1); every class must occur in y_true.
double roc_auc_score_ovr(const std::vector<int>& y_true, const Eigen::MatrixXd& y_score,
                         RocAverage average = RocAverage::kMacro);

// Mean negative log-likelihood of the true classes, with labels 0..proba.cols()-1 and
// probabilities clipped to [eps, 1 - eps] and renormalized, as scikit-learn 1.2's log_loss.
double log_loss(const std::vector<int>& y_true, const Eigen::MatrixXd& proba);

}  // namespace mllab::ml

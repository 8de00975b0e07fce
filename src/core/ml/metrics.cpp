#include "core/ml/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "core/ml/numeric.hpp"

namespace mllab::ml {
namespace {

using json = nlohmann::json;

void check_labels(const std::vector<int>& y, int n_classes, const char* who, const char* what) {
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= n_classes) {
      throw_invalid(who, std::string(what) + " label " + std::to_string(y[i]) + " at position " +
                             std::to_string(i) + " is outside [0, " + std::to_string(n_classes) +
                             ")");
    }
  }
}

void check_pair(const std::vector<int>& y_true, const std::vector<int>& y_pred, int n_classes,
                const char* who) {
  if (y_true.size() != y_pred.size()) {
    throw_invalid(who, "y_true has " + std::to_string(y_true.size()) + " labels but y_pred has " +
                           std::to_string(y_pred.size()));
  }
  if (y_true.empty()) throw_invalid(who, "needs at least one sample (received 0)");
  if (n_classes < 1) {
    throw_invalid(who, "n_classes must be >= 1 (received " + std::to_string(n_classes) + ")");
  }
  check_labels(y_true, n_classes, who, "y_true");
  check_labels(y_pred, n_classes, who, "y_pred");
}

// numerator / denominator, or 0 when the denominator is 0 (zero_division=0).
double prf_divide(double numerator, double denominator) {
  return denominator == 0.0 ? 0.0 : numerator / denominator;
}

// F1 as scikit-learn computes F-beta with beta = 1: (1 + 1) * p * r / (p + r), 0 if p + r = 0.
double f1_of(double p, double r) {
  double denom = p + r;
  if (denom == 0.0) denom = 1.0;
  return 2.0 * p * r / denom;
}

// np.average(values, weights=weights).
double weighted_average(const std::vector<double>& values, const std::vector<int64_t>& weights) {
  std::vector<double> products(values.size());
  double total = 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    products[i] = values[i] * static_cast<double>(weights[i]);
  }
  std::vector<double> w(weights.begin(), weights.end());
  total = numpy_sum(w);
  return numpy_sum(products) / total;
}

// Number of code points in UTF-8 text (Python's len of the decoded string).
size_t display_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Python's "{:>{width}}".format(s).
std::string pad_left(const std::string& s, size_t width) {
  size_t len = display_length(s);
  return len >= width ? s : std::string(width - len, ' ') + s;
}

// Python's "{:.{digits}f}".format(x): both round the exact binary value half-to-even.
std::string fixed(double x, int digits) {
  if (std::isnan(x)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

std::vector<std::string> names_or_indices(const std::vector<std::string>& target_names, int n) {
  if (target_names.empty()) {
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.push_back(std::to_string(i));
    return names;
  }
  if (static_cast<int>(target_names.size()) != n) {
    throw_invalid("classification_report",
                  "target_names has " + std::to_string(target_names.size()) +
                      " names but there are " + std::to_string(n) + " classes");
  }
  return target_names;
}

}  // namespace

double accuracy_score(const std::vector<int>& y_true, const std::vector<int>& y_pred) {
  if (y_true.size() != y_pred.size()) {
    throw_invalid("accuracy_score", "y_true has " + std::to_string(y_true.size()) +
                                        " labels but y_pred has " + std::to_string(y_pred.size()));
  }
  if (y_true.empty()) throw_invalid("accuracy_score", "needs at least one sample (received 0)");
  size_t correct = 0;
  for (size_t i = 0; i < y_true.size(); ++i) correct += y_true[i] == y_pred[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(y_true.size());
}

std::vector<std::vector<int64_t>> confusion_matrix(const std::vector<int>& y_true,
                                                   const std::vector<int>& y_pred, int n_classes) {
  check_pair(y_true, y_pred, n_classes, "confusion_matrix");
  std::vector<std::vector<int64_t>> cm(static_cast<size_t>(n_classes),
                                       std::vector<int64_t>(static_cast<size_t>(n_classes), 0));
  for (size_t i = 0; i < y_true.size(); ++i) {
    ++cm[static_cast<size_t>(y_true[i])][static_cast<size_t>(y_pred[i])];
  }
  return cm;
}

ClassificationMetrics classification_metrics(const std::vector<int>& y_true,
                                             const std::vector<int>& y_pred, int n_classes) {
  check_pair(y_true, y_pred, n_classes, "classification_metrics");
  ClassificationMetrics m;
  m.n_classes = n_classes;
  m.confusion_matrix = confusion_matrix(y_true, y_pred, n_classes);
  m.accuracy = accuracy_score(y_true, y_pred);
  const auto k = static_cast<size_t>(n_classes);
  std::vector<int64_t> tp(k), pred_sum(k, 0), true_sum(k, 0);
  for (size_t a = 0; a < k; ++a) {
    tp[a] = m.confusion_matrix[a][a];
    for (size_t b = 0; b < k; ++b) {
      true_sum[a] += m.confusion_matrix[a][b];
      pred_sum[b] += m.confusion_matrix[a][b];
    }
  }
  m.micro_is_accuracy = true;
  for (size_t a = 0; a < k; ++a) {
    double p = prf_divide(static_cast<double>(tp[a]), static_cast<double>(pred_sum[a]));
    double r = prf_divide(static_cast<double>(tp[a]), static_cast<double>(true_sum[a]));
    m.precision.push_back(p);
    m.recall.push_back(r);
    m.f1.push_back(f1_of(p, r));
    m.support.push_back(true_sum[a]);
    if (true_sum[a] == 0 && pred_sum[a] == 0) m.micro_is_accuracy = false;
  }
  m.precision_macro = numpy_mean(m.precision);
  m.recall_macro = numpy_mean(m.recall);
  m.f1_macro = numpy_mean(m.f1);
  m.total_support = std::accumulate(true_sum.begin(), true_sum.end(), int64_t{0});
  // total_support > 0 always (at least one sample), so the weighted average is defined.
  m.precision_weighted = weighted_average(m.precision, true_sum);
  m.recall_weighted = weighted_average(m.recall, true_sum);
  m.f1_weighted = weighted_average(m.f1, true_sum);
  int64_t tp_all = std::accumulate(tp.begin(), tp.end(), int64_t{0});
  int64_t pred_all = std::accumulate(pred_sum.begin(), pred_sum.end(), int64_t{0});
  m.precision_micro = prf_divide(static_cast<double>(tp_all), static_cast<double>(pred_all));
  m.recall_micro = prf_divide(static_cast<double>(tp_all), static_cast<double>(m.total_support));
  m.f1_micro = f1_of(m.precision_micro, m.recall_micro);
  return m;
}

std::string classification_report(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                  int n_classes, const std::vector<std::string>& target_names,
                                  int digits) {
  return format_classification_report(classification_metrics(y_true, y_pred, n_classes),
                                      target_names, digits);
}

// sklearn/metrics/_classification.py, classification_report (output_dict=False).
std::string format_classification_report(const ClassificationMetrics& m,
                                         const std::vector<std::string>& target_names, int digits) {
  if (digits < 0 || digits > 30) {
    throw_invalid("classification_report",
                  "digits must be in [0, 30] (received " + std::to_string(digits) + ")");
  }
  const std::vector<std::string> names = names_or_indices(target_names, m.n_classes);
  const std::vector<std::string> headers = {"precision", "recall", "f1-score", "support"};
  size_t width = std::string("weighted avg").size();
  for (const auto& n : names) width = std::max(width, display_length(n));
  width = std::max(width, static_cast<size_t>(digits));

  auto row = [&](const std::string& name, double p, double r, double f, int64_t support) {
    return pad_left(name, width) + " " + " " + pad_left(fixed(p, digits), 9) + " " +
           pad_left(fixed(r, digits), 9) + " " + pad_left(fixed(f, digits), 9) + " " +
           pad_left(std::to_string(support), 9) + "\n";
  };

  std::string report = pad_left("", width) + " ";
  for (const auto& h : headers) report += " " + pad_left(h, 9);
  report += "\n\n";
  for (size_t c = 0; c < names.size(); ++c) {
    report += row(names[c], m.precision[c], m.recall[c], m.f1[c], m.support[c]);
  }
  report += "\n";
  if (m.micro_is_accuracy) {
    report += pad_left("accuracy", width) + " " + " " + pad_left("", 9) + " " + pad_left("", 9) +
              " " + pad_left(fixed(m.f1_micro, digits), 9) + " " +
              pad_left(std::to_string(m.total_support), 9) + "\n";
  } else {
    report += row("micro avg", m.precision_micro, m.recall_micro, m.f1_micro, m.total_support);
  }
  report += row("macro avg", m.precision_macro, m.recall_macro, m.f1_macro, m.total_support);
  report +=
      row("weighted avg", m.precision_weighted, m.recall_weighted, m.f1_weighted, m.total_support);
  return report;
}

json classification_report_dict(const ClassificationMetrics& m,
                                const std::vector<std::string>& target_names) {
  const std::vector<std::string> names = names_or_indices(target_names, m.n_classes);
  auto entry = [](double p, double r, double f, int64_t support) {
    return json{{"precision", p}, {"recall", r}, {"f1-score", f}, {"support", support}};
  };
  json out = json::object();
  for (size_t c = 0; c < names.size(); ++c) {
    out[names[c]] = entry(m.precision[c], m.recall[c], m.f1[c], m.support[c]);
  }
  if (m.micro_is_accuracy) {
    out["accuracy"] = m.precision_micro;
  } else {
    out["micro avg"] = entry(m.precision_micro, m.recall_micro, m.f1_micro, m.total_support);
  }
  out["macro avg"] = entry(m.precision_macro, m.recall_macro, m.f1_macro, m.total_support);
  out["weighted avg"] =
      entry(m.precision_weighted, m.recall_weighted, m.f1_weighted, m.total_support);
  return out;
}

// sklearn/metrics/_ranking.py: _binary_clf_curve and roc_curve.
RocCurve roc_curve(const std::vector<int>& y_true, const std::vector<double>& y_score,
                   bool drop_intermediate) {
  const char* who = "roc_curve";
  if (y_true.size() != y_score.size()) {
    throw_invalid(who, "y_true has " + std::to_string(y_true.size()) + " labels but y_score has " +
                           std::to_string(y_score.size()) + " scores");
  }
  if (y_true.empty()) throw_invalid(who, "needs at least one sample (received 0)");
  check_labels(y_true, 2, who, "y_true");
  for (size_t i = 0; i < y_score.size(); ++i) {
    if (!std::isfinite(y_score[i])) {
      throw_invalid(who, "y_score contains " +
                             std::string(std::isnan(y_score[i]) ? "NaN" : "infinity") +
                             " at position " + std::to_string(i));
    }
  }
  const size_t n = y_true.size();
  // Descending scores: a stable ascending sort, reversed (np.argsort(kind="mergesort")[::-1]).
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return y_score[a] < y_score[b]; });
  std::reverse(order.begin(), order.end());

  // One point per distinct score (the last index of each run of equal scores).
  std::vector<double> fps, tps, thresholds;
  double cum_tp = 0.0;
  for (size_t i = 0; i < n; ++i) {
    cum_tp += y_true[order[i]] == 1 ? 1.0 : 0.0;
    if (i + 1 == n || y_score[order[i + 1]] != y_score[order[i]]) {
      tps.push_back(cum_tp);
      fps.push_back(1.0 + static_cast<double>(i) - cum_tp);
      thresholds.push_back(y_score[order[i]]);
    }
  }
  if (drop_intermediate && fps.size() > 2) {
    // Keep the ends and every point where the curve bends (non-zero second difference).
    std::vector<double> f2, t2, th2;
    for (size_t i = 0; i < fps.size(); ++i) {
      bool keep = i == 0 || i + 1 == fps.size() ||
                  (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]) != 0.0 ||
                  (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]) != 0.0;
      if (keep) {
        f2.push_back(fps[i]);
        t2.push_back(tps[i]);
        th2.push_back(thresholds[i]);
      }
    }
    fps = std::move(f2);
    tps = std::move(t2);
    thresholds = std::move(th2);
  }
  fps.insert(fps.begin(), 0.0);
  tps.insert(tps.begin(), 0.0);
  thresholds.insert(thresholds.begin(), thresholds.front() + 1.0);

  RocCurve curve;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < fps.size(); ++i) {
    curve.fpr.push_back(fps.back() <= 0 ? nan : fps[i] / fps.back());
    curve.tpr.push_back(tps.back() <= 0 ? nan : tps[i] / tps.back());
  }
  curve.thresholds = std::move(thresholds);
  return curve;
}

double roc_auc_score(const std::vector<int>& y_true, const std::vector<double>& y_score) {
  bool has[2] = {false, false};
  for (int y : y_true) {
    if (y == 0 || y == 1) has[y] = true;
  }
  RocCurve c = roc_curve(y_true, y_score);
  if (!has[0] || !has[1]) {
    throw_invalid("roc_auc_score",
                  "only one class present in y_true; ROC AUC is not defined in that case");
  }
  // auc(fpr, tpr) = np.trapz(tpr, fpr): fpr is non-decreasing here.
  std::vector<double> parts;
  for (size_t i = 1; i < c.fpr.size(); ++i) {
    parts.push_back((c.fpr[i] - c.fpr[i - 1]) * (c.tpr[i] + c.tpr[i - 1]) / 2.0);
  }
  return numpy_sum(parts);
}

std::vector<double> roc_auc_ovr_per_class(const std::vector<int>& y_true,
                                          const Eigen::MatrixXd& y_score) {
  const char* who = "roc_auc_score";
  if (static_cast<Eigen::Index>(y_true.size()) != y_score.rows()) {
    throw_invalid(who, "y_true has " + std::to_string(y_true.size()) + " labels but y_score has " +
                           std::to_string(y_score.rows()) + " rows");
  }
  const int k = static_cast<int>(y_score.cols());
  if (k < 2)
    throw_invalid(who, "y_score needs at least 2 columns (received " + std::to_string(k) + ")");
  check_labels(y_true, k, who, "y_true");
  std::vector<int64_t> count(static_cast<size_t>(k), 0);
  for (int y : y_true) ++count[static_cast<size_t>(y)];
  for (int c = 0; c < k; ++c) {
    if (count[static_cast<size_t>(c)] == 0) {
      throw_invalid(who, "class " + std::to_string(c) +
                             " does not occur in y_true; one-vs-rest ROC AUC needs every class "
                             "of y_score's " +
                             std::to_string(k) + " columns");
    }
  }
  std::vector<double> out;
  std::vector<int> binary(y_true.size());
  std::vector<double> score(y_true.size());
  for (int c = 0; c < k; ++c) {
    for (size_t i = 0; i < y_true.size(); ++i) {
      binary[i] = y_true[i] == c ? 1 : 0;
      score[i] = y_score(static_cast<Eigen::Index>(i), c);
    }
    out.push_back(roc_auc_score(binary, score));
  }
  return out;
}

double roc_auc_score_ovr(const std::vector<int>& y_true, const Eigen::MatrixXd& y_score,
                         RocAverage average) {
  // np.allclose(1, y_score.sum(axis=1)): |1 - s| <= 1e-8 + 1e-5 * |s|.
  for (Eigen::Index i = 0; i < y_score.rows(); ++i) {
    double s = numpy_sum(y_score.row(i).data(), static_cast<size_t>(y_score.cols()),
                         static_cast<size_t>(y_score.rows()));
    if (!(std::fabs(1.0 - s) <= 1e-8 + 1e-5 * std::fabs(s))) {
      throw_invalid("roc_auc_score",
                    "target scores need to be probabilities for multiclass ROC AUC, i.e. rows "
                    "of y_score must sum to 1 (row " +
                        std::to_string(i) + " sums to " + format_double(s) + ")");
    }
  }
  std::vector<double> per_class = roc_auc_ovr_per_class(y_true, y_score);
  if (average == RocAverage::kMacro) return numpy_mean(per_class);
  std::vector<int64_t> count(per_class.size(), 0);
  for (int y : y_true) ++count[static_cast<size_t>(y)];
  return weighted_average(per_class, count);
}

double log_loss(const std::vector<int>& y_true, const Eigen::MatrixXd& proba) {
  const char* who = "log_loss";
  if (static_cast<Eigen::Index>(y_true.size()) != proba.rows()) {
    throw_invalid(who, "y_true has " + std::to_string(y_true.size()) +
                           " labels but the probabilities have " + std::to_string(proba.rows()) +
                           " rows");
  }
  if (y_true.empty()) throw_invalid(who, "needs at least one sample (received 0)");
  const int k = static_cast<int>(proba.cols());
  if (k < 2) {
    throw_invalid(who, "needs at least 2 classes (received " + std::to_string(k) + " columns)");
  }
  check_labels(y_true, k, who, "y_true");
  const double eps = std::numeric_limits<double>::epsilon();
  std::vector<double> losses(y_true.size());
  std::vector<double> row(static_cast<size_t>(k));
  for (size_t i = 0; i < y_true.size(); ++i) {
    for (int c = 0; c < k; ++c) {
      double p = proba(static_cast<Eigen::Index>(i), c);
      if (std::isnan(p))
        throw_invalid(who, "probabilities contain NaN at row " + std::to_string(i));
      row[static_cast<size_t>(c)] = std::clamp(p, eps, 1.0 - eps);
    }
    double s = numpy_sum(row);
    losses[i] = -std::log(row[static_cast<size_t>(y_true[i])] / s);
  }
  return numpy_mean(losses);
}

}  // namespace mllab::ml

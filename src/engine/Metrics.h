// The metrics a train report gives for a classifier's test rows, as scikit-learn computes them:
// accuracy, log loss, ROC AUC, F1, balanced accuracy and the confusion matrix.
//
// Definitions (k classes, labels as indices 0..k-1 into a sorted class list):
// - logloss: mean of -log p(true class), each row's probabilities clipped to [1e-15, 1 - 1e-15]
//   and renormalised to sum to one (sklearn's log_loss with eps=1e-15; sklearn 1.2's default eps
//   is the dtype's machine epsilon instead, which differs only where a probability is below
//   1e-15).
// - roc_auc: binary (k = 2): the AUC of the second class's probability, the Mann-Whitney
//   statistic with tied scores counting 1/2 (equal to sklearn's trapezoid over roc_curve). More
//   classes: the unweighted mean over the classes of one-vs-rest AUCs (roc_auc_score(
//   multi_class='ovr', average='macro')), over the classes that have both positive and negative
//   test rows; NaN when no class has both (sklearn raises there).
// - f1: binary: of the second class (sklearn's pos_label=1 for 0/1 labels); more classes: the
//   unweighted mean over the classes that occur in the truth or the predictions (sklearn's
//   average='macro'); a class with no true and no predicted row scores 0 (zero_division).
// - balanced_accuracy: the mean recall over the classes that occur in the truth.
// - confusion_matrix: k x k, row = true class, column = predicted class.
//
// ScoreClassifier is collective: under a Comm each rank holds some test rows; counts and sums
// are allreduced, and the ROC AUC, which needs every row's score, allgathers scores and labels
// (8 bytes per row for two classes, 4 (k + 1) otherwise), so every rank gets the exact value.
// Thread-safety: pure functions; ScoreClassifier as Comm (the rank's thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "comm/Comm.h"
#include "data/Schema.h"

namespace scaleml {

// The clipping of probabilities in the log loss.
inline constexpr double kLogLossEps = 1e-15;

struct ClassificationMetrics {
  std::int64_t rows = 0;
  double accuracy = 0.0;
  double logloss = 0.0;
  double roc_auc = 0.0;  // NaN where undefined (a single class in the truth)
  double f1 = 0.0;
  double balanced_accuracy = 0.0;
  std::vector<std::string> class_names;  // in class order
  std::vector<std::int64_t> confusion;   // class_names.size()^2, row-major, row = true class

  std::size_t classes() const { return class_names.size(); }
  std::int64_t confusion_at(std::size_t truth, std::size_t predicted) const {
    return confusion[truth * classes() + predicted];
  }
  // {"logloss", "roc_auc", "f1", "balanced_accuracy", "confusion_matrix": {"classes", "matrix"}}
  // (accuracy is left to the caller, which reports it at the top level); NaN becomes null.
  nlohmann::json ToJson() const;
};

// k x k counts, row-major, row = truth, column = prediction (all values in [0, k)).
std::vector<std::int64_t> ConfusionMatrix(std::span<const std::int32_t> truth,
                                          std::span<const std::int32_t> predicted,
                                          std::size_t classes);
// Sum over the rows of the clipped, renormalised -log p(true class) (row-major probabilities).
double LogLossSum(std::span<const std::int32_t> truth, std::span<const float> proba,
                  std::size_t classes);
// AUC of `scores` for rows where positive[r] is true against the others; NaN when either side
// is empty or a score is NaN.
double BinaryRocAuc(std::span<const float> scores, std::span<const std::uint8_t> positive);
// Binary: AUC of column 1; more classes: macro one-vs-rest (see above).
double RocAuc(std::span<const std::int32_t> truth, std::span<const float> proba,
              std::size_t classes);
double AccuracyFromConfusion(std::span<const std::int64_t> confusion, std::size_t classes);
double F1FromConfusion(std::span<const std::int64_t> confusion, std::size_t classes);
double BalancedAccuracyFromConfusion(std::span<const std::int64_t> confusion, std::size_t classes);

// Every metric of one process's rows, as class indices: `truth`, `predicted` and `proba`
// (row-major, truth.size() x class_names.size()).
ClassificationMetrics ComputeMetrics(std::span<const std::int32_t> truth,
                                     std::span<const std::int32_t> predicted,
                                     std::span<const float> proba,
                                     std::vector<std::string> class_names);

// Collective: the metrics of the test rows of all ranks. `labels` are the rows' raw labels,
// `proba` the model's probabilities over `model_classes` (row-major), `predicted` their argmax
// labels. A label the model never saw (a class absent from the training rows) joins the class
// list with probability 0, so its rows count as errors. Class names come from `schema`.
ClassificationMetrics ScoreClassifier(std::span<const std::int32_t> labels,
                                      std::span<const float> proba,
                                      std::span<const std::int32_t> predicted,
                                      const std::vector<std::int32_t>& model_classes,
                                      const Schema& schema, Comm& comm);

// The scalar metrics by their report names, in report order: accuracy, logloss, roc_auc, f1,
// balanced_accuracy.
const std::vector<std::string>& ScalarMetricNames();
// "max" for a metric where larger is better, "min" for logloss; an InputError naming the known
// metrics for any other name.
std::string MetricMode(const std::string& name);

// Mean and population standard deviation (numpy's std, ddof=0) of each scalar metric over
// folds, as {"accuracy": x, "logloss": x, ...}; NaN (null) where a fold's value is NaN.
nlohmann::json MetricsMean(const std::vector<ClassificationMetrics>& folds);
nlohmann::json MetricsStd(const std::vector<ClassificationMetrics>& folds);

}  // namespace scaleml

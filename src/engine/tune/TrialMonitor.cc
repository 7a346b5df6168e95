#include "engine/tune/TrialMonitor.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "algo/Registry.h"
#include "comm/LocalComm.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "core/Log.h"
#include "engine/Metrics.h"

namespace scaleml::tune {

double ValidationMetric(const std::string& name, const Dataset& rows, std::span<const float> proba,
                        const Classifier& model) {
  const std::vector<std::int32_t>& classes = model.classes();
  const std::size_t k = classes.size();
  const auto labels = rows.labels();
  // Each row's class index; a label the model never saw takes the full scorer (it joins the
  // class list there), the common case only what `name` needs: a report costs one pass.
  std::vector<std::int32_t> truth(labels.size());
  bool unseen = k == 0;
  for (std::size_t r = 0; r < labels.size() && !unseen; ++r) {
    auto found = std::lower_bound(classes.begin(), classes.end(), labels[r]);
    unseen = found == classes.end() || *found != labels[r];
    truth[r] = static_cast<std::int32_t>(found - classes.begin());
  }
  const double n = static_cast<double>(labels.size());
  if (!unseen && n > 0 && name != "accuracy" && name != "logloss" && name != "roc_auc" &&
      name != "f1" && name != "balanced_accuracy") {
    throw InputError("tune: unknown --metric ", name);
  }
  if (!unseen && n > 0 && name == "logloss") return LogLossSum(truth, proba, k) / n;
  if (!unseen && n > 0 && name == "roc_auc") return RocAuc(truth, proba, k);
  std::vector<std::int32_t> predicted(labels.size());
  for (std::size_t r = 0; r < labels.size(); ++r) {
    const float* row = proba.data() + r * k;
    predicted[r] = static_cast<std::int32_t>(std::max_element(row, row + k) - row);
  }
  if (!unseen && n > 0) {
    const std::vector<std::int64_t> confusion = ConfusionMatrix(truth, predicted, k);
    if (name == "accuracy") return AccuracyFromConfusion(confusion, k);
    if (name == "f1") return F1FromConfusion(confusion, k);
    return BalancedAccuracyFromConfusion(confusion, k);
  }
  LocalComm comm;
  std::vector<std::int32_t> predicted_labels(labels.size());
  for (std::size_t r = 0; r < labels.size(); ++r) predicted_labels[r] = classes.at(predicted[r]);
  const ClassificationMetrics m =
      ScoreClassifier(labels, proba, predicted_labels, classes, rows.schema(), comm);
  if (name == "accuracy") return m.accuracy;
  if (name == "logloss") return m.logloss;
  if (name == "roc_auc") return m.roc_auc;
  if (name == "f1") return m.f1;
  if (name == "balanced_accuracy") return m.balanced_accuracy;
  throw InputError("tune: unknown --metric ", name);
}

std::string ModelBytes(const Classifier& model) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != 0 ? tmp : "/tmp") + "/scaleml_checkpoint_XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd < 0) throw Failure("tune: cannot create a temporary file for a checkpoint");
  close(fd);
  std::string bytes;
  try {
    SaveClassifier(model, pattern);
    bytes = ReadWholeFile(pattern);
  } catch (...) {
    std::filesystem::remove(pattern);
    throw;
  }
  std::filesystem::remove(pattern);
  return bytes;
}

TrialMonitor::TrialMonitor(TrialOutbox& outbox, const Dataset& validation,
                           TrialMonitorOptions options)
    : outbox_(outbox), validation_(validation), options_(std::move(options)) {}

RoundDecision TrialMonitor::OnRound(int iteration, std::span<const float> validation_proba,
                                    const Classifier& model) {
  RoundReport report;
  report.iteration = iteration;
  report.metric = ValidationMetric(options_.metric, validation_, validation_proba, model);
  report.attempt = options_.attempt;
  if (options_.checkpoint_every > 0 && iteration % options_.checkpoint_every == 0) {
    std::string bytes = ModelBytes(model);
    const auto size = static_cast<std::int64_t>(bytes.size());
    if (outbox_.StoreCheckpoint({iteration, std::move(bytes)})) {
      checkpointed_ = iteration;
      report.checkpoint = iteration;
    } else if (!checkpoint_refused_) {
      checkpoint_refused_ = true;
      LogWarning("tune: ", CheckpointRefused(size));
    }
  }
  report.time_s = clock_.Seconds();
  last_iteration_ = iteration;
  last_metric_ = report.metric;
  stopped_ = outbox_.Report(report) || stopped_;
  return stopped_ ? RoundDecision::kStop : RoundDecision::kContinue;
}

}  // namespace scaleml::tune

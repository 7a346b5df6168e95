#include "engine/tune/TrialMonitor.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "algo/Registry.h"
#include "comm/LocalComm.h"
#include "core/AtomicFile.h"
#include "core/Error.h"
#include "engine/Metrics.h"

namespace scaleml::tune {

double ValidationMetric(const std::string& name, const Dataset& rows, std::span<const float> proba,
                        const Classifier& model) {
  LocalComm comm;
  const std::vector<float> copy(proba.begin(), proba.end());
  const std::vector<std::int32_t> predicted = ArgmaxLabels(copy, model.classes());
  const ClassificationMetrics m =
      ScoreClassifier(rows.labels(), proba, predicted, model.classes(), rows.schema(), comm);
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
    outbox_.StoreCheckpoint({iteration, ModelBytes(model)});
    checkpointed_ = iteration;
    report.checkpoint = iteration;
  }
  report.time_s = clock_.Seconds();
  last_iteration_ = iteration;
  last_metric_ = report.metric;
  stopped_ = outbox_.Report(report) || stopped_;
  return stopped_ ? RoundDecision::kStop : RoundDecision::kContinue;
}

}  // namespace scaleml::tune

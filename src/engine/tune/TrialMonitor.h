// The worker side of a tune trial's per-round reports (algo/TrainingMonitor.h): at each report
// it scores the validation rows' probabilities with the tune metric (engine/Metrics), sends the
// report to the driver, stores a checkpoint every `checkpoint_every` rounds, and answers kStop
// once the driver has stopped the trial.
// Thread-safety: the training thread only.
#pragma once

#include <string>

#include "algo/TrainingMonitor.h"
#include "core/Stopwatch.h"
#include "data/Dataset.h"
#include "engine/tune/TrialChannel.h"

namespace scaleml::tune {

struct TrialMonitorOptions {
  std::string metric = "accuracy";
  int checkpoint_every = 0;  // rounds; 0: no periodic checkpoints
  int attempt = 0;
};

class TrialMonitor : public TrainingMonitor {
 public:
  TrialMonitor(TrialOutbox& outbox, const Dataset& validation, TrialMonitorOptions options);
  RoundDecision OnRound(int iteration, std::span<const float> validation_proba,
                        const Classifier& model) override;
  int last_iteration() const { return last_iteration_; }
  double last_metric() const { return last_metric_; }
  int checkpointed_iteration() const { return checkpointed_; }
  bool stopped() const { return stopped_; }

 private:
  TrialOutbox& outbox_;
  const Dataset& validation_;
  TrialMonitorOptions options_;
  Stopwatch clock_;
  int last_iteration_ = 0;
  double last_metric_ = 0;
  int checkpointed_ = 0;
  bool checkpoint_refused_ = false;  // warned once
  bool stopped_ = false;
};

// The metric `name` (engine/Metrics.h's ScalarMetricNames) of the rows' probabilities over the
// model's classes; NaN where it is undefined.
double ValidationMetric(const std::string& name, const Dataset& rows, std::span<const float> proba,
                        const Classifier& model);

// The model's file bytes (ModelFile's format), through a temporary file.
std::string ModelBytes(const Classifier& model);

}  // namespace scaleml::tune

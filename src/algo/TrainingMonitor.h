// Per-round results while a classifier trains, and the way a scheduler stops it early.
//
// Contract (iterative algorithms: gbdt and xgboost per boosting round, logreg per solver
// iteration, rf every `report_every` trees):
//  - With FitMonitoring::monitor set, Fit calls OnRound after round `iteration` (1-based, counted
//    from the start of this model, so a fit continued from a checkpoint of 40 rounds reports 41,
//    42, ...) when iteration % report_every == 0, and after the last round.
//  - `validation_proba` holds the current model's class probabilities for the rows of
//    FitMonitoring::validation, row-major (rows x classes().size()). Algorithms keep these
//    incrementally (gbdt/xgboost add each round's trees to running scores) rather than predicting
//    from scratch, so a report costs one pass over the validation rows at most.
//  - `model` is the classifier in a consistent state holding every round so far: the monitor may
//    save it (a checkpoint) with ModelFile. It must not call Fit on it.
//  - kStop ends Fit after this round; the model keeps the rounds trained so far and is usable.
//  - A monitor is only used where Fit runs in one process (LocalComm): the tasks engine's trials.
// Thread-safety: OnRound is called from the thread that called Fit.
#pragma once

#include <span>

namespace scaleml {

class Classifier;
class Dataset;

enum class RoundDecision { kContinue, kStop };

class TrainingMonitor {
 public:
  virtual ~TrainingMonitor() = default;
  virtual RoundDecision OnRound(int iteration, std::span<const float> validation_proba,
                                const Classifier& model) = 0;
};

struct FitMonitoring {
  const Dataset* validation = nullptr;  // rows scored at each report; null: no reports
  TrainingMonitor* monitor = nullptr;   // null: no reports
  int report_every = 1;                 // rounds between reports (rf: trees)
  bool enabled() const { return validation != nullptr && monitor != nullptr; }
};

}  // namespace scaleml

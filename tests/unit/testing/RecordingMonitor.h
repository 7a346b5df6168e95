// A TrainingMonitor for tests: records the iterations reported, checks each report's
// probabilities against the model's own PredictProba, keeps a checkpoint (the model's payload)
// at one iteration and stops at another.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "algo/Classifier.h"
#include "algo/TrainingMonitor.h"
#include "comm/LocalComm.h"

namespace scaleml::testing {

// The algorithm's part of a model file, as ModelFile writes it after the header.
inline std::string Payload(const Classifier& model) {
  BinaryWriter out;
  model.SaveModel(out);
  return out.Take();
}

// Loads `payload` (of a model with `classes`) into `into`, as LoadClassifier does.
inline void LoadPayload(const std::string& payload, const std::vector<std::int32_t>& classes,
                        Classifier& into) {
  into.set_classes(classes);
  BinaryReader in(payload, "checkpoint");
  into.LoadModel(in);
}

class RecordingMonitor final : public TrainingMonitor {
 public:
  explicit RecordingMonitor(const Dataset& validation, int stop_at = 0, int checkpoint_at = 0)
      : validation_(validation), stop_at_(stop_at), checkpoint_at_(checkpoint_at) {}

  RoundDecision OnRound(int iteration, std::span<const float> validation_proba,
                        const Classifier& model) override {
    iterations.push_back(iteration);
    LocalComm comm;
    const std::vector<float> expected = model.PredictProba(validation_, comm);
    if (expected.size() != validation_proba.size()) {
      max_difference = INFINITY;
    } else {
      for (std::size_t i = 0; i < expected.size(); ++i) {
        max_difference = std::max(
            max_difference, static_cast<double>(std::fabs(expected[i] - validation_proba[i])));
      }
    }
    if (iteration == checkpoint_at_) {
      checkpoint = Payload(model);
      checkpoint_classes = model.classes();
    }
    return iteration == stop_at_ ? RoundDecision::kStop : RoundDecision::kContinue;
  }

  FitMonitoring Monitoring(int report_every) {
    return FitMonitoring{&validation_, this, report_every};
  }

  std::vector<int> iterations;
  double max_difference = 0.0;
  std::string checkpoint;
  std::vector<std::int32_t> checkpoint_classes;

 private:
  const Dataset& validation_;
  int stop_at_;
  int checkpoint_at_;
};

inline double MaxDifference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double out = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    out = std::max(out, static_cast<double>(std::fabs(a[i] - b[i])));
  }
  return out;
}

}  // namespace scaleml::testing

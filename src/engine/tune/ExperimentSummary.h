// An experiment's summary: the best trial (by --metric and --mode over the TERMINATED trials),
// summary.json (the experiment's settings and times, every trial with its iterations,
// stopped_early and time) and summary.csv, and best.model (the best trial's final model).
// Thread-safety: a plain value.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tune/ExperimentStorage.h"
#include "engine/tune/Trial.h"
#include "engine/tune/TuneRunner.h"

namespace scaleml::tune {

struct SummaryTimes {
  double load_s = 0;
  double put_s = 0;
  double total_s = 0;
  double driver_s = 0;     // the driver's own time on trials (TrialRunner::overhead_s)
  double scheduler_s = 0;  // of which the scheduler's and searcher's decisions
  bool local_cluster = false;
  bool budget_spent = false;
};

class ExperimentSummary {
 public:
  ExperimentSummary(const TuneOptions& options, std::string name, std::string mode);
  TuneResult Make(const std::vector<Trial>& trials, const SummaryTimes& times) const;
  // summary.json, summary.csv and (with `best_model`) best.model.
  void Save(const ExperimentStorage& storage, const TuneResult& result, bool best_model) const;

 private:
  const TuneOptions& options_;
  std::string name_;
  std::string mode_;
};

}  // namespace scaleml::tune

// Which trials an experiment runs: from the search space and the searcher (grid/random: Tune's
// variants; tpe: Optuna's sampler, fed every finished trial), or on --resume from the folder's
// experiment_state.json (the same trials with the same configs, the same searcher settings; the
// finished ones are loaded, never rerun, and fed to the searcher again). Every new trial is
// written to the state before it is submitted, so a driver killed at any moment resumes exactly.
// Thread-safety: one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tune/ExperimentStorage.h"
#include "engine/tune/Searcher.h"
#include "engine/tune/Trial.h"
#include "engine/tune/TuneRunner.h"

namespace scaleml::tune {

class ExperimentPlan {
 public:
  // Validates the search space against the algorithm before anything runs.
  ExperimentPlan(const TuneOptions& options, const ExperimentStorage& storage,
                 const std::string& mode);

  const std::string& name() const { return name_; }
  std::vector<Trial>& trials() { return trials_; }
  const std::vector<Trial>& trials() const { return trials_; }
  // The index (into trials()) of the next trial to run: an unfinished saved one first, else a
  // new one from the searcher; nullopt once the plan is complete.
  std::optional<std::size_t> NextTrial();
  // Whether NextTrial could give another trial.
  bool HasMore() const;
  // A trial finished (TERMINATED): the searcher learns its metric.
  void OnTrialComplete(const Trial& trial);
  // Trials that still have to run (unfinished saved ones; -1 with an unbounded plan).
  long long Remaining() const;
  // Seconds the searcher took (Suggest and OnComplete), for the scheduler's own cost.
  double searcher_s() const { return searcher_s_; }

 private:
  void SaveState() const;

  const ExperimentStorage& storage_;
  std::string name_;
  nlohmann::json state_;
  std::vector<Trial> trials_;
  std::vector<std::size_t> resumable_;  // saved unfinished trials, in order
  std::size_t next_resumable_ = 0;
  long long planned_ = 0;  // total trials; -1: unbounded
  std::unique_ptr<Searcher> searcher_;
  double searcher_s_ = 0;
};

}  // namespace scaleml::tune

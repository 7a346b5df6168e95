// An experiment's folder (--storage): experiment_state.json (what was asked: the algorithm, the
// data and every trial's config, so --resume reruns exactly the unfinished ones), a folder per
// trial with params.json and result.json (running.json while it runs), and summary.json /
// summary.csv over all trials. Every file is written atomically, so an interrupted experiment never
// leaves a half-written one. Thread-safety: one writer per folder.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tune/Trial.h"

namespace scaleml::tune {

class ExperimentStorage {
 public:
  // An empty `dir` stores nothing (a single `train --engine tasks` trial).
  explicit ExperimentStorage(std::string dir);

  std::optional<nlohmann::json> LoadState() const;
  void SaveState(const nlohmann::json& state) const;
  // A trial that finished (TERMINATED) in an earlier run.
  std::optional<Trial> LoadFinishedTrial(const std::string& trial_id) const;
  // A trial that finished: TRIAL/params.json and TRIAL/result.json (and no running.json).
  void SaveTrial(const Trial& trial) const;
  // A trial that started running: TRIAL/running.json (status, node, task, start time), for the
  // dashboard. result.json stays what it was: the mark of a finished trial.
  void SaveRunning(const Trial& trial) const;
  void SaveSummary(const nlohmann::json& summary, const std::vector<Trial>& trials) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace scaleml::tune

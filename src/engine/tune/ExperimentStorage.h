// An experiment's folder (--storage): experiment_state.json (what was asked: the algorithm, the
// data and every trial's config, so --resume reruns exactly the unfinished ones), a folder per
// trial with params.json, result.json (running.json while it runs), result.jsonl (the trial's
// curve: one line per report,
// {"iteration":N,"metric":X,"metric_name":"accuracy","time_s":T}) and checkpoint.model (its
// newest checkpoint; a finished trial's final model) with checkpoint.json ({"iteration":N}),
// summary.json / summary.csv over all trials and best.model (the best trial's final model).
// Every file is written atomically (result.jsonl is appended a whole line per write, and a
// reader skips a cut last line), so an interrupted experiment never leaves a half-written one.
// Thread-safety: one writer per folder.
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
  // Appends report lines to the trial's result.jsonl (each a JSON object, no newline).
  void AppendResults(const std::string& trial_id, const std::vector<std::string>& lines) const;
  // Keeps the lines of result.jsonl whose iteration is below `iteration` (a curve that starts
  // again: a rerun, or a continuation from an earlier checkpoint).
  void TruncateResults(const std::string& trial_id, int iteration) const;
  // The trial's curve as stored (cut lines skipped).
  std::vector<nlohmann::json> LoadResults(const std::string& trial_id) const;
  void SaveCheckpoint(const std::string& trial_id, int iteration, const std::string& model) const;
  // The trial's newest checkpoint: its round and model file bytes.
  std::optional<std::pair<int, std::string>> LoadCheckpoint(const std::string& trial_id) const;
  // Copies the trial's final model to best.model; false when it has none.
  bool SaveBestModel(const std::string& trial_id) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace scaleml::tune

// One trial of an experiment: its config, where and how it ran, its result. Statuses as Tune's:
// PENDING, RUNNING, TERMINATED (finished with a result, stopped early by the scheduler included),
// ERROR.
// Thread-safety: a plain value.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace scaleml::tune {

enum class TrialStatus { kPending, kRunning, kTerminated, kError };

// Tune's spelling ("PENDING", ...), as the files and the table show it.
const char* TrialStatusName(TrialStatus status);
// The status a file spells; nullopt for anything else.
std::optional<TrialStatus> ParseTrialStatus(const std::string& name);

struct Trial {
  std::string trial_id;
  nlohmann::json config = nlohmann::json::object();
  TrialStatus status = TrialStatus::kPending;
  std::string node;
  std::string task_id;
  nlohmann::json result;  // TrainReport::ToJson() of a TERMINATED trial
  std::string error;
  int attempts = 0;
  double started = 0;  // unix seconds
  double finished = 0;
  double metric = 0;  // the --metric value (test rows) of a TERMINATED trial
  // Per-round reports (validation rows): the last one's round and metric.
  int iteration = 0;
  std::optional<double> last_result;
  bool stopped_early = false;  // stopped by the scheduler before its last round
  bool final() const { return status == TrialStatus::kTerminated || status == TrialStatus::kError; }
  nlohmann::json ToJson() const;
  static Trial FromJson(const nlohmann::json& j);
};

}  // namespace scaleml::tune

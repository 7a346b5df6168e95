#include "engine/tune/Trial.h"

#include "engine/Metrics.h"

namespace scaleml::tune {

const char* TrialStatusName(TrialStatus status) {
  switch (status) {
    case TrialStatus::kPending:
      return "PENDING";
    case TrialStatus::kRunning:
      return "RUNNING";
    case TrialStatus::kTerminated:
      return "TERMINATED";
    case TrialStatus::kError:
      return "ERROR";
  }
  return "?";
}

std::optional<TrialStatus> ParseTrialStatus(const std::string& name) {
  for (TrialStatus s : {TrialStatus::kPending, TrialStatus::kRunning, TrialStatus::kTerminated,
                        TrialStatus::kError}) {
    if (name == TrialStatusName(s)) return s;
  }
  return std::nullopt;
}

nlohmann::json Trial::ToJson() const {
  const bool terminated = status == TrialStatus::kTerminated;
  nlohmann::json j = {{"trial_id", trial_id},
                      {"config", config},
                      {"status", TrialStatusName(status)},
                      {"node", node},
                      {"task_id", task_id},
                      {"attempts", attempts},
                      {"started", started},
                      {"finished", finished},
                      {"time_s", finished > started && started > 0 ? finished - started : 0.0},
                      {"iterations", iteration},
                      {"stopped_early", stopped_early},
                      {"last_result", last_result ? nlohmann::json(*last_result) : nullptr}};
  // The report's metrics beside the trial (null until it finished, or where undefined).
  for (const std::string& name : ScalarMetricNames()) {
    j[name] = terminated && result.is_object() && result.contains(name) ? result[name]
                                                                        : nlohmann::json(nullptr);
  }
  if (terminated) {
    j["metric"] = metric;
    j["result"] = result;
  }
  if (!error.empty()) j["error"] = error;
  return j;
}

Trial Trial::FromJson(const nlohmann::json& j) {
  Trial t;
  t.trial_id = j.value("trial_id", "");
  t.config = j.value("config", nlohmann::json::object());
  t.status = ParseTrialStatus(j.value("status", "PENDING")).value_or(TrialStatus::kPending);
  t.node = j.value("node", "");
  t.task_id = j.value("task_id", "");
  t.result = j.value("result", nlohmann::json());
  t.error = j.value("error", "");
  t.attempts = j.value("attempts", 0);
  t.started = j.value("started", 0.0);
  t.finished = j.value("finished", 0.0);
  t.metric = j.value("metric", 0.0);
  t.iteration = j.value("iterations", 0);
  t.stopped_early = j.value("stopped_early", false);
  if (j.contains("last_result") && j["last_result"].is_number()) {
    t.last_result = j["last_result"].get<double>();
  }
  return t;
}

}  // namespace scaleml::tune

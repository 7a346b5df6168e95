#include "engine/tune/Trial.h"

#include "engine/Metrics.h"

namespace scaleml::tune {

nlohmann::json Trial::ToJson() const {
  nlohmann::json j = {{"trial_id", trial_id},
                      {"config", config},
                      {"status", status},
                      {"node", node},
                      {"task_id", task_id},
                      {"attempts", attempts},
                      {"started", started},
                      {"finished", finished},
                      {"time_s", finished > started && started > 0 ? finished - started : 0.0}};
  // The report's metrics beside the trial (null until it finished, or where undefined).
  for (const std::string& name : ScalarMetricNames()) {
    j[name] = status == "TERMINATED" && result.is_object() && result.contains(name)
                  ? result[name]
                  : nlohmann::json(nullptr);
  }
  if (status == "TERMINATED") {
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
  t.status = j.value("status", "PENDING");
  t.node = j.value("node", "");
  t.task_id = j.value("task_id", "");
  t.result = j.value("result", nlohmann::json());
  t.error = j.value("error", "");
  t.attempts = j.value("attempts", 0);
  t.started = j.value("started", 0.0);
  t.finished = j.value("finished", 0.0);
  t.metric = j.value("metric", 0.0);
  return t;
}

}  // namespace scaleml::tune

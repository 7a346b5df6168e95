#include "engine/tasks/ClusterTypes.h"

namespace scaleml::tasks {

nlohmann::json NodeInfo::ToJson() const {
  return {{"node_id", node_id},
          {"name", name},
          {"host", host},
          {"cpus", cpus},
          {"object_port", object_port},
          {"store_limit", store_limit},
          {"pid", pid},
          {"started", started}};
}

NodeInfo NodeInfo::FromJson(const nlohmann::json& j) {
  NodeInfo n;
  n.node_id = j.value("node_id", "");
  n.name = j.value("name", "");
  n.host = j.value("host", "");
  n.cpus = j.value("cpus", 1);
  n.object_port = j.value("object_port", 0);
  n.store_limit = j.value("store_limit", std::int64_t{0});
  n.pid = j.value("pid", 0);
  n.started = j.value("started", 0.0);
  return n;
}

nlohmann::json TaskSpec::ToJson() const {
  return {{"task_id", task_id}, {"function", function},       {"args", args},    {"refs", refs},
          {"cpus", cpus},       {"max_retries", max_retries}, {"driver", driver}};
}

TaskSpec TaskSpec::FromJson(const nlohmann::json& j) {
  TaskSpec s;
  s.task_id = j.value("task_id", "");
  s.function = j.value("function", "");
  s.args = j.value("args", nlohmann::json::object());
  s.refs = j.value("refs", std::vector<std::string>{});
  s.cpus = j.value("cpus", 1);
  s.max_retries = j.value("max_retries", 3);
  s.driver = j.value("driver", "");
  return s;
}

const char* TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kPending:
      return "PENDING";
    case TaskState::kRunning:
      return "RUNNING";
    case TaskState::kDone:
      return "DONE";
    case TaskState::kFailed:
      return "FAILED";
    default:
      return "UNKNOWN";
  }
}

TaskState ParseTaskState(const std::string& text) {
  if (text == "PENDING") return TaskState::kPending;
  if (text == "RUNNING") return TaskState::kRunning;
  if (text == "DONE") return TaskState::kDone;
  if (text == "FAILED") return TaskState::kFailed;
  return TaskState::kUnknown;
}

}  // namespace scaleml::tasks

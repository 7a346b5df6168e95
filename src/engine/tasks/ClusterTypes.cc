#include "engine/tasks/ClusterTypes.h"

#include <cmath>
#include <limits>

#include "core/Error.h"

namespace scaleml::tasks {
namespace {

// Fields of a record that came from Redis, checked: a wrong type or a number out of range is a
// Failure naming the field, never a silent cast (1e300 into an int is undefined behaviour).
const nlohmann::json* Field(const char* record, const nlohmann::json& j, const char* key) {
  if (!j.is_object()) throw Failure(record, ": not a JSON object");
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

template <class Int>
Int IntField(const char* record, const nlohmann::json& j, const char* key, Int fallback) {
  const nlohmann::json* value = Field(record, j, key);
  if (value == nullptr) return fallback;
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<Int>::max())) {
    return static_cast<Int>(value->get<std::uint64_t>());
  }
  if (value->is_number_integer() && !value->is_number_unsigned() &&
      value->get<std::int64_t>() >= std::numeric_limits<Int>::min() &&
      value->get<std::int64_t>() <= std::numeric_limits<Int>::max()) {
    return static_cast<Int>(value->get<std::int64_t>());
  }
  throw Failure(record, ": '", key, "' is not an integer in range: ", value->dump());
}

double NumberField(const char* record, const nlohmann::json& j, const char* key) {
  const nlohmann::json* value = Field(record, j, key);
  if (value == nullptr) return 0.0;
  if (!value->is_number()) throw Failure(record, ": '", key, "' is not a number");
  return value->get<double>();
}

std::string StringField(const char* record, const nlohmann::json& j, const char* key) {
  const nlohmann::json* value = Field(record, j, key);
  if (value == nullptr) return "";
  if (!value->is_string()) throw Failure(record, ": '", key, "' is not a string");
  return value->get<std::string>();
}

}  // namespace

nlohmann::json NodeInfo::ToJson() const {
  return {{"node_id", node_id},
          {"name", name},
          {"host", host},
          {"cpus", cpus},
          {"object_port", object_port},
          {"store_limit", store_limit},
          {"memory_bytes", memory},
          {"pid", pid},
          {"started", started}};
}

NodeInfo NodeInfo::FromJson(const nlohmann::json& j) {
  const char* record = "node record";
  NodeInfo n;
  n.node_id = StringField(record, j, "node_id");
  n.name = StringField(record, j, "name");
  n.host = StringField(record, j, "host");
  n.cpus = IntField(record, j, "cpus", 1);
  n.object_port = IntField(record, j, "object_port", 0);
  n.store_limit = IntField<std::int64_t>(record, j, "store_limit", 0);
  n.memory = IntField<std::int64_t>(record, j, "memory_bytes", 0);
  n.pid = IntField(record, j, "pid", 0);
  n.started = NumberField(record, j, "started");
  return n;
}

void StoreUse::AddTo(nlohmann::json* j) const {
  (*j)["object_store_shm_bytes"] = shm_bytes;
  (*j)["object_store_shm_objects"] = shm_objects;
  (*j)["object_store_spilled_bytes"] = spilled_bytes;
  (*j)["object_store_spilled_objects"] = spilled_objects;
}

StoreUse StoreUse::FromJson(const nlohmann::json& j) {
  const char* record = "node heartbeat";
  StoreUse use;
  use.shm_bytes = IntField<std::int64_t>(record, j, "object_store_shm_bytes", 0);
  use.shm_objects = IntField<std::int64_t>(record, j, "object_store_shm_objects", 0);
  use.spilled_bytes = IntField<std::int64_t>(record, j, "object_store_spilled_bytes", 0);
  use.spilled_objects = IntField<std::int64_t>(record, j, "object_store_spilled_objects", 0);
  return use;
}

nlohmann::json TaskSpec::ToJson() const {
  return {{"task_id", task_id}, {"function", function}, {"args", args},
          {"refs", refs},       {"cpus", cpus},         {"max_retries", max_retries},
          {"driver", driver},   {"memory", memory}};
}

TaskSpec TaskSpec::FromJson(const nlohmann::json& j) {
  const char* record = "task spec";
  TaskSpec s;
  s.task_id = StringField(record, j, "task_id");
  s.function = StringField(record, j, "function");
  if (const nlohmann::json* args = Field(record, j, "args")) s.args = *args;
  if (const nlohmann::json* refs = Field(record, j, "refs")) {
    if (!refs->is_array()) throw Failure(record, ": 'refs' is not a list");
    for (const auto& ref : *refs) {
      if (!ref.is_string()) throw Failure(record, ": 'refs' holds ", ref.dump());
      s.refs.push_back(ref.get<std::string>());
    }
  }
  s.cpus = IntField(record, j, "cpus", 1);
  s.memory = IntField<std::int64_t>(record, j, "memory", 0);
  if (s.memory < 0) throw Failure(record, ": 'memory' is negative");
  s.max_retries = IntField(record, j, "max_retries", 3);
  s.driver = StringField(record, j, "driver");
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

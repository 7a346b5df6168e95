// The plain values the tasks engine stores in Redis and passes between driver, agents and
// workers: nodes, task specs and records, objects. JSON is their wire form.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scaleml::tasks {

struct NodeInfo {
  std::string node_id;  // unique per agent start
  std::string name;     // --node-name, shown to users
  std::string host;     // address other nodes use for object transfer
  int cpus = 1;
  int object_port = 0;
  std::int64_t store_limit = 0;  // bytes of shared memory for objects
  std::int64_t memory = 0;       // bytes of memory tasks may reserve here ("memory_bytes")
  int pid = 0;
  double started = 0;  // unix seconds
  nlohmann::json ToJson() const;
  static NodeInfo FromJson(const nlohmann::json& j);
};

// What a node's object store holds, as its heartbeat reports it (field names in Redis and in
// `scaleml status --json`: object_store_shm_bytes, object_store_shm_objects,
// object_store_spilled_bytes, object_store_spilled_objects).
struct StoreUse {
  std::int64_t shm_bytes = 0;
  std::int64_t shm_objects = 0;
  std::int64_t spilled_bytes = 0;
  std::int64_t spilled_objects = 0;
  void AddTo(nlohmann::json* j) const;
  static StoreUse FromJson(const nlohmann::json& j);
};

struct NodeStatus {
  NodeInfo info;
  bool alive = false;
  int used_cpus = 0;
  int running = 0;
  std::int64_t objects = 0;
  std::int64_t object_bytes = 0;
  // From the heartbeat: memory reserved by running tasks, and the node's object store.
  std::int64_t used_memory = 0;
  StoreUse store;
};

struct TaskSpec {
  std::string task_id;
  std::string function;
  nlohmann::json args = nlohmann::json::object();
  std::vector<std::string> refs;  // object ids the task reads
  int cpus = 1;
  std::int64_t memory = 0;  // bytes reserved on the node while it runs (0: none declared)
  int max_retries = 3;
  std::string driver;  // the submitting driver: its tasks are cancelled when it is gone
  nlohmann::json ToJson() const;
  static TaskSpec FromJson(const nlohmann::json& j);
};

// A task as an agent took it from the queue: the stream message and the attempt it names.
struct QueuedTask {
  std::string message_id;
  int attempt = 0;
  TaskSpec spec;
};

enum class TaskState { kPending, kRunning, kDone, kFailed, kUnknown };
const char* TaskStateName(TaskState state);
TaskState ParseTaskState(const std::string& text);

struct TaskRecord {
  std::string task_id;
  TaskState state = TaskState::kUnknown;
  int attempt = 0;   // 0-based number of the current (or final) attempt
  std::string node;  // node id of the current (or final) attempt
  nlohmann::json result;
  std::string error;
  std::string history;                              // why earlier attempts ended, one line each
  double submitted = 0, started = 0, finished = 0;  // unix seconds
  bool final() const { return state == TaskState::kDone || state == TaskState::kFailed; }
};

struct TaskCounts {
  std::int64_t pending = 0, running = 0, done = 0, failed = 0;
};

struct ObjectInfo {
  std::string object_id;
  std::int64_t size = 0;
  std::uint64_t checksum = 0;  // XXH3-64 of the object's bytes
  std::string owner;           // node id of the primary copy
};

}  // namespace scaleml::tasks

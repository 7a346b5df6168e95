// Tasks are C++ functions compiled into the binary and registered by name; a task message names
// the function, its JSON arguments and the object ids it reads. Builtin() holds the engine's own
// tasks (train_trial, and echo for benchmarks of the queue): what the production binary offers.
// A program or test builds its own registry with more (the tests' sleep, crash, fail and
// dataset_sum live in tests/unit/tasks/TestTasks.h).
// Thread-safety: register everything before use; lookups are then safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/Dataset.h"
#include "engine/tasks/ObjectStore.h"

namespace scaleml::tasks {

// What a running task may use: its node's object store and its CPU share.
struct TaskContext {
  const ObjectStore* store = nullptr;
  std::vector<std::string> refs;
  int cpus = 1;
  int attempt = 0;
  std::string task_id;
  std::string node_id;
  // The cluster's control store (HOST:PORT and token), for tasks that talk to their driver
  // while they run (tune trials' per-round reports); empty where none is known.
  std::string control_address;
  std::string control_token;
  // How long such a task waits for a lost or restarting control store (the agent's own wait).
  double control_reconnect_timeout_s = 0;
  // The dataset object `object_id`, mapped zero-copy from this node's store.
  Dataset LoadDataset(const std::string& object_id) const;
};

using TaskFunction = std::function<nlohmann::json(TaskContext&, const nlohmann::json& args)>;

class TaskRegistry {
 public:
  void Register(const std::string& name, TaskFunction function);
  // The function, or an InputError naming the unknown task.
  const TaskFunction& Find(const std::string& name) const;
  bool Contains(const std::string& name) const { return functions_.count(name) != 0; }
  // The engine's builtin tasks.
  static const TaskRegistry& Builtin();

 private:
  std::map<std::string, TaskFunction> functions_;
};

// Adds train_trial and echo to `registry`.
void RegisterBuiltinTasks(TaskRegistry& registry);

}  // namespace scaleml::tasks

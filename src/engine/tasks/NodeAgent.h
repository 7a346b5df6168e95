// A node of the cluster: registers its CPUs and object store in Redis, heartbeats, takes tasks
// from the queue while it has free CPUs for their demand, runs each in a worker process, and
// records the outcome. It also serves its objects to other nodes (a forked server process),
// pulls the objects its tasks need, reclaims the tasks of nodes whose heartbeat stopped, and
// removes objects that drivers freed. A crash in a task kills only its worker; the task is run
// again up to its max_retries.
// Thread-safety: Run() owns the calling (single) thread; the agent forks workers from it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/Subprocess.h"
#include "engine/tasks/ClusterTypes.h"
#include "engine/tasks/ControlStore.h"
#include "engine/tasks/ObjectStore.h"
#include "engine/tasks/TaskRegistry.h"
#include "engine/tasks/WorkerPool.h"

namespace scaleml::tasks {

struct NodeAgentOptions {
  std::string address;  // Redis HOST:PORT
  std::string token;
  std::string node_name;
  std::string host = "127.0.0.1";  // this node's address for object transfer
  int cpus = 1;
  std::int64_t store_limit = std::int64_t{1} << 30;
  std::string shm_dir = "/dev/shm";
  bool head = false;
  bool write_node_file = true;  // false in tests that run agents in-process
  double heartbeat_s = 0.5;
};

class NodeAgent {
 public:
  NodeAgent(NodeAgentOptions options, const TaskRegistry& registry);
  ~NodeAgent();
  // Registers and serves until SIGTERM/SIGINT (or RequestStop); returns the exit code.
  int Run();
  // Async-signal-safe.
  static void RequestStop();

 private:
  struct Running {
    QueuedTask task;
    int slot = -1;
  };
  void Tick();
  void Dispatch(const QueuedTask& task);
  bool EnsureLocal(const std::string& object_id, std::string* error);
  void HandleEvent(const WorkerEvent& event);
  void Shutdown();
  int FreeCpus() const { return options_.cpus - used_cpus_; }

  NodeAgentOptions options_;
  const TaskRegistry& registry_;
  NodeInfo info_;
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<WorkerPool> pool_;
  std::map<int, Running> running_;   // by worker slot
  std::vector<QueuedTask> waiting_;  // taken, waiting for CPUs
  int used_cpus_ = 0;
  Subprocess object_server_;
  double last_tick_ = 0;
};

}  // namespace scaleml::tasks

// A node of the cluster: registers its CPUs and object store in Redis, heartbeats, takes tasks
// from the queue while it has free CPUs for their demand, runs each in a worker process, and
// records the outcome. It also serves its objects to other nodes (a forked server process),
// pulls the objects its tasks need, reclaims the tasks of nodes whose heartbeat stopped, and
// removes objects that drivers freed. A crash in a task kills only its worker; the task is run
// again up to its max_retries.
// Thread-safety: Run() owns the calling (single) thread; the agent forks workers from it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/Subprocess.h"
#include "engine/tasks/Admission.h"
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
  std::int64_t memory = 0;  // bytes tasks may reserve (0: DefaultNodeMemory)
  std::string shm_dir = "/dev/shm";
  std::string spill_dir;  // where objects go when shared memory is short (empty: nowhere)
  bool head = false;
  bool write_node_file = true;  // false in tests that run agents in-process
  std::string home;             // the home whose nodes/ holds the node file (empty: ScalemlHome())
  double heartbeat_s = 0.5;
  // How long every Redis command waits for a lost or restarting Redis to come back before the
  // agent gives up (`start --reconnect-timeout`).
  double reconnect_timeout_s = 60.0;
  // A restarted agent of a crashed one on this machine: take over its node id and its objects,
  // and rerun the tasks it had taken (empty: a new node id).
  std::string adopt_node_id;
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
  // What this agent last told Redis about a task (its result, or that it must run again), kept
  // for a while so that it can be said again when a restarted Redis lost it.
  struct Outcome {
    enum class Kind { kFinished, kRetry } kind = Kind::kFinished;
    QueuedTask task;
    bool ok = false;
    nlohmann::json result;
    std::string error;
    double time = 0;
  };
  void Tick();
  void TakeTasks();
  // After the connection to Redis came back: register again, claim back the tasks this node
  // runs, say again what it recently recorded, and rehandle queue entries it had taken.
  void Reconcile();
  bool InGrace() const;
  void Record(Outcome outcome);
  void Replay(const Outcome& outcome);
  void Dispatch(const QueuedTask& task);
  bool EnsureLocal(const std::string& object_id, std::string* error);
  void HandleEvent(const WorkerEvent& event);
  void Shutdown();
  int FreeCpus() const { return options_.cpus - used_cpus_; }
  NodeResources Resources() const;
  Admission Fits(const TaskSpec& spec) const;

  NodeAgentOptions options_;
  const TaskRegistry& registry_;
  NodeInfo info_;
  std::unique_ptr<ControlStore> control_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<WorkerPool> pool_;
  std::map<int, Running> running_;   // by worker slot
  std::vector<QueuedTask> waiting_;  // taken, waiting for CPUs
  int used_cpus_ = 0;
  std::int64_t used_memory_ = 0;                // declared by the running tasks
  std::deque<Outcome> recent_;                  // newest last, bounded
  std::set<std::string> reported_unplaceable_;  // tasks already logged as too large here
  std::uint64_t redis_generation_ = 0;
  double grace_until_ = 0;  // after a reconnect: no node is declared lost, no driver gone
  Subprocess object_server_;
  double last_tick_ = 0;
};

}  // namespace scaleml::tasks
